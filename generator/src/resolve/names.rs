//! Names: qualifiers and aliases, the declarations of every schema by qualified name, and
//! looking a written type name up (with a suggestion when it names nothing).

use super::*;

pub(super) fn split_at_last_dot(text: &str) -> Option<(&str, &str)> {
    let dot = text.bytes().rposition(|byte| byte == b'.')?;
    Some((&text[..dot], &text[dot + 1..]))
}

/// The length of the longest prefix all `texts` share.
pub(super) fn shared_prefix<'t>(mut texts: impl Iterator<Item = &'t str>) -> usize {
    let Some(first) = texts.next() else {
        return 0;
    };
    texts.fold(first.len(), |shared, text| {
        first
            .bytes()
            .zip(text.bytes())
            .take(shared)
            .take_while(|(a, b)| a == b)
            .count()
    })
}

/// Sixteen bytes of `namespace.name` from `skip` on (at most the namespace's length),
/// big-endian, padded with zeros: keys compare as the qualified names do, except that equal
/// keys say nothing.
pub(super) fn sort_key(namespace: &str, name: &str, skip: usize) -> u128 {
    let mut bytes = [0u8; 16];
    let mut filled = 0;
    let rest = namespace.as_bytes().get(skip..).unwrap_or_default();
    for part in [rest, b".", name.as_bytes()] {
        let take = part.len().min(16 - filled);
        bytes[filled..filled + take].copy_from_slice(&part[..take]);
        filled += take;
    }
    u128::from_be_bytes(bytes)
}

/// The document's names, collected once before anything is resolved and then only read:
/// qualifiers (namespaces and aliases), the declared types by qualified name, the operations and
/// their overloads, the terms, and the entity container's children. Every later pass reads
/// them through a shared reference ([`Resolver::names`](super::Resolver)).
pub(super) struct Names<'d, 'a> {
    pub(super) document: &'d Document<'a>,
    /// Alias or namespace to namespace.
    pub(super) qualifiers: FastMap<&'d str, &'d str>,
    /// (namespace, simple name) to id.
    pub(super) by_name: FastMap<(&'d str, &'d str), TypeId>,
    /// Every declared type, sorted by qualified name: index `i` becomes `TypeId(i)`.
    pub(super) declared: Vec<Decl<'d, 'a>>,
    /// Every operation in document order; indices are operation keys.
    pub(super) operations: Vec<OperationEntry<'d, 'a>>,
    /// (namespace, name) to the indices of its overloads in `operations`.
    pub(super) operations_by_name: FastMap<(&'d str, &'d str), Vec<usize>>,
    /// (namespace, name) of every term declared in the document.
    pub(super) terms: FastMap<(&'d str, &'d str), Span>,
    /// The entity container (the first one) and its namespace.
    pub(super) container: Option<(&'d str, &'d syntax::EntityContainer<'a>)>,
    /// The namespace of the container's schema as written, which the model borrows.
    pub(super) container_namespace: Option<&'d Text<'a>>,
    /// Container children by name.
    pub(super) container_children: FastMap<&'d str, &'d syntax::ContainerChild<'a>>,
    /// The last qualifier looked up and its namespace (empty before the first): a cache of
    /// `namespace_of`, not a name.
    last_qualifier: std::cell::Cell<(&'d str, &'d str)>,
}

impl<'d, 'a> Names<'d, 'a> {
    /// Collects the names of `document`, reporting a namespace declared twice, an alias that
    /// names two namespaces and a type declared twice into `diagnostics`.
    pub(super) fn collect(document: &'d Document<'a>, diagnostics: &mut Diagnostics) -> Self {
        let mut names = Names {
            document,
            qualifiers: fast_map(16),
            by_name: fast_map(0),
            declared: Vec::new(),
            operations: Vec::new(),
            operations_by_name: fast_map(0),
            terms: fast_map(0),
            container: None,
            container_namespace: None,
            container_children: fast_map(0),
            last_qualifier: std::cell::Cell::new(("", "")),
        };
        names.collect_qualifiers(diagnostics);
        // Sorted by qualified name, so ids do not depend on document order.
        names.collect_declarations(diagnostics);
        names.collect_operations_terms_container();
        names
    }

    fn collect_qualifiers(&mut self, diagnostics: &mut Diagnostics) {
        for vocabulary in STANDARD_VOCABULARIES {
            self.qualifiers.insert(vocabulary, vocabulary);
        }
        let document = self.document;
        // The documents of a service are read as one (`crate::load_documents`), so an alias
        // must name one namespace across all of them.
        for include in document.includes() {
            let namespace = include.namespace.as_str();
            self.qualifiers.insert(namespace, namespace);
            if let Some(alias) = &include.alias {
                self.claim_alias(alias, namespace, diagnostics);
            }
        }
        let mut namespaces: FastMap<&str, Span> = fast_map(document.schemas.len());
        for schema in &document.schemas {
            let namespace = schema.namespace.as_str();
            if let Some(first) = namespaces.insert(namespace, schema.namespace.span) {
                diagnostics.push(
                    Diagnostic::error(
                        schema.namespace.span,
                        format!("the namespace `{namespace}` is declared twice"),
                    )
                    .with_note(Some(first), "first declared here"),
                );
            }
            self.qualifiers.insert(namespace, namespace);
        }
        for schema in &document.schemas {
            if let Some(alias) = &schema.alias {
                self.claim_alias(alias, schema.namespace.as_str(), diagnostics);
            }
        }
    }

    /// Makes `alias` name `namespace`, or reports that it names another one already.
    fn claim_alias(
        &mut self,
        alias: &'d Spanned<Text<'a>>,
        namespace: &'d str,
        diagnostics: &mut Diagnostics,
    ) {
        match self.qualifiers.get(alias.as_str()) {
            Some(existing) if *existing != namespace => {
                diagnostics.error(
                    alias.span,
                    format!(
                        "the alias `{}` is already used for the namespace `{existing}`",
                        alias.value
                    ),
                );
            }
            _ => {
                self.qualifiers.insert(alias.as_str(), namespace);
            }
        }
    }

    fn collect_declarations(&mut self, diagnostics: &mut Diagnostics) {
        let document = self.document;
        let count = document
            .schemas
            .iter()
            .map(|s| s.structured_types.len() + s.enum_types.len() + s.type_definitions.len())
            .sum();
        let mut declarations = Vec::with_capacity(count);
        for schema in &document.schemas {
            let namespace = schema.namespace.as_str();
            for ty in &schema.structured_types {
                declarations.push(Decl {
                    written_namespace: &schema.namespace.value,
                    namespace,
                    name: ty.name.as_str(),
                    declared: Declared::Structured(ty),
                });
            }
            for ty in &schema.enum_types {
                declarations.push(Decl {
                    written_namespace: &schema.namespace.value,
                    namespace,
                    name: ty.name.as_str(),
                    declared: Declared::Enum(ty),
                });
            }
            for ty in &schema.type_definitions {
                declarations.push(Decl {
                    written_namespace: &schema.namespace.value,
                    namespace,
                    name: ty.name.as_str(),
                    declared: Declared::Definition(ty),
                });
            }
        }
        // Sorted by qualified name, as the model's types are (`Model::find` searches them). Most
        // comparisons are settled by 16 bytes of the name after what all namespaces share.
        let shared = shared_prefix(document.schemas.iter().map(|s| s.namespace.as_str()));
        let mut keyed: Vec<(u128, u32)> = declarations
            .iter()
            .enumerate()
            .map(|(index, decl)| (sort_key(decl.namespace, decl.name, shared), index as u32))
            .collect();
        keyed.sort_by(|(a_key, a), (b_key, b)| {
            a_key.cmp(b_key).then_with(|| {
                let (a, b) = (&declarations[*a as usize], &declarations[*b as usize]);
                cmp_qualified((a.namespace, a.name), (b.namespace, b.name))
                    .then_with(|| a.declared.name().span.cmp(&b.declared.name().span))
            })
        });
        let mut unique: Vec<Decl<'d, 'a>> = Vec::with_capacity(keyed.len());
        for decl in keyed
            .into_iter()
            .map(|(_, index)| declarations[index as usize])
        {
            if let Some(previous) = unique.last() {
                if previous.namespace == decl.namespace && previous.name == decl.name {
                    diagnostics.push(
                        Diagnostic::error(
                            decl.declared.name().span,
                            format!(
                                "the type `{}.{}` is declared twice",
                                decl.namespace, decl.name
                            ),
                        )
                        .with_note(Some(previous.declared.name().span), "first declared here"),
                    );
                    continue;
                }
            }
            unique.push(decl);
        }
        self.by_name = fast_map(unique.len());
        for (index, decl) in unique.iter().enumerate() {
            self.by_name
                .insert((decl.namespace, decl.name), TypeId(index as u32));
        }
        self.declared = unique;
    }

    /// The namespace a written qualifier (alias or namespace) stands for.
    pub(super) fn namespace_of(&self, qualifier: &str) -> Option<&'d str> {
        // Most references in a row use the same qualifier (`graph.`): skip the hash for them.
        let (last, namespace) = self.last_qualifier.get();
        if last == qualifier && !namespace.is_empty() {
            return Some(namespace);
        }
        let namespace = self.qualifiers.get(qualifier).copied()?;
        if let Some((qualifier, _)) = self.qualifiers.get_key_value(qualifier) {
            self.last_qualifier.set((qualifier, namespace));
        }
        Some(namespace)
    }

    /// Looks up a type by its written qualifier (alias or namespace) and simple name.
    pub(super) fn lookup(&self, qualifier: &str, simple: &str) -> Option<TypeId> {
        let namespace = self.namespace_of(qualifier)?;
        self.by_name.get(&(namespace, simple)).copied()
    }

    pub(super) fn closest_type(&self, namespace: &str, simple: &str) -> Option<String> {
        self.closest_type_within(namespace, simple, (simple.len() / 3).max(1))
    }

    /// The declared type of `namespace` whose simple name is nearest to `simple`, at most
    /// `limit` edits away.
    pub(super) fn closest_type_within(
        &self,
        namespace: &str,
        simple: &str,
        limit: usize,
    ) -> Option<String> {
        self.declared
            .iter()
            .filter(|decl| {
                decl.name.len().abs_diff(simple.len()) <= limit && decl.namespace == namespace
            })
            .filter_map(|decl| {
                let distance = distance_within(simple.as_bytes(), decl.name.as_bytes(), limit)?;
                Some((distance, decl))
            })
            .min_by(|(d1, a), (d2, b)| {
                d1.cmp(d2)
                    .then_with(|| cmp_qualified((a.namespace, a.name), (b.namespace, b.name)))
            })
            .map(|(_, decl)| format!("{}.{}", decl.namespace, decl.name))
    }
}

impl<'n, 'd, 'a> Resolver<'n, 'd, 'a> {
    /// Resolves a written type reference to a named type, reporting an error if it fails.
    pub(super) fn named_type(&mut self, text: &str, span: Span, what: &str) -> Option<TypeId> {
        let Some((qualifier, simple)) = split_at_last_dot(text) else {
            self.diagnostics.error(
                span,
                format!("the {what} `{text}` is not a qualified name (expected `Namespace.Name`)"),
            );
            return None;
        };
        let Some(namespace) = self.names.namespace_of(qualifier) else {
            self.diagnostics.error(
                span,
                format!("unknown namespace or alias `{qualifier}` in the {what} `{text}`"),
            );
            return None;
        };
        if let Some(id) = self.names.by_name.get(&(namespace, simple)) {
            return Some(*id);
        }
        let mut diagnostic = Diagnostic::error(span, format!("unknown {what} `{text}`"));
        if let Some(suggestion) = self.names.closest_type(namespace, simple) {
            diagnostic = diagnostic.with_note(None, format!("did you mean `{suggestion}`?"));
        }
        self.diagnostics.push(diagnostic);
        None
    }
}

/// The Levenshtein distance between `a` and `b`, ignoring ASCII case, if it is at most `limit`
/// (only the band of the table within `limit` of the diagonal is computed).
pub(super) fn distance_within(a: &[u8], b: &[u8], limit: usize) -> Option<usize> {
    /// Longer names are compared on the heap.
    const STACK: usize = 64;
    if a.len().abs_diff(b.len()) > limit {
        return None;
    }
    // Cells hold distances up to `far`, so 16 bits do; absurdly long names get a tighter limit.
    let limit = limit.min(usize::from(u16::MAX) - 2);
    let far = (limit + 1) as u16;
    let mut stack = [[0u16; STACK + 1]; 2];
    let mut heap;
    let (previous, current) = if b.len() < STACK {
        let [previous, current] = &mut stack;
        (&mut previous[..=b.len()], &mut current[..=b.len()])
    } else {
        heap = vec![0u16; 2 * (b.len() + 1)];
        heap.split_at_mut(b.len() + 1)
    };
    // The first row reads the cells up to `limit + 1` of this one.
    for (j, cell) in previous.iter_mut().enumerate().take(limit + 2) {
        *cell = j.min(usize::from(far)) as u16;
    }
    let (mut previous, mut current) = (previous, current);
    for i in 1..=a.len() {
        let low = i.saturating_sub(limit).max(1);
        let high = (i + limit).min(b.len());
        // Only the band is computed; the cells just outside it are what the next row reads.
        current[0] = i.min(usize::from(far)) as u16;
        current[low - 1] = if low == 1 { current[0] } else { far };
        if high < b.len() {
            current[high + 1] = far;
        }
        let mut row_best = current[0];
        for j in low..=high {
            let same = a[i - 1].eq_ignore_ascii_case(&b[j - 1]);
            let substitution = previous[j - 1] + u16::from(!same);
            current[j] = substitution
                .min(previous[j] + 1)
                .min(current[j - 1] + 1)
                .min(far);
            row_best = row_best.min(current[j]);
        }
        if usize::from(row_best) > limit {
            // Every later row is at least as far.
            return None;
        }
        std::mem::swap(&mut previous, &mut current);
    }
    let distance = usize::from(previous[b.len()]);
    (distance <= limit).then_some(distance)
}
