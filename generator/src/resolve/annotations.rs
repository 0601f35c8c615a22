//! Annotations: terms and their targets, descriptions, and capabilities.

use super::*;

/// The element kinds a `Term`'s `AppliesTo` may list (CSDL 4.01, 14.1.4).
pub(super) const APPLIES_TO_KINDS: &[&str] = &[
    "Action",
    "ActionImport",
    "Annotation",
    "Apply",
    "Cast",
    "Collection",
    "ComplexType",
    "EntityContainer",
    "EntitySet",
    "EntityType",
    "EnumType",
    "Function",
    "FunctionImport",
    "If",
    "Include",
    "IsOf",
    "LabeledElement",
    "Member",
    "NavigationProperty",
    "Null",
    "OnDelete",
    "Parameter",
    "Property",
    "PropertyValue",
    "Record",
    "Reference",
    "ReferentialConstraint",
    "ReturnType",
    "Schema",
    "Singleton",
    "Term",
    "TypeDefinition",
    "UrlRef",
];

/// What an annotation target names, for descriptions and for duplicate detection.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum TargetKey<'d> {
    Type(TypeId),
    /// A member the type declares itself.
    Member(TypeId, MemberRef),
    /// An inherited member, or a path below a member (`type/property/...`).
    MemberPath(TypeId, &'d str),
    Operation(usize),
    OperationAll(usize),
    OperationPart(usize, &'d str),
    Container,
    ContainerChild(&'d str),
    ContainerPath(&'d str),
    Term(&'d str, &'d str),
}

/// One annotation of an `Annotations` block, with its term's namespace and name.
pub(super) type Applied<'d, 'a> = (&'d str, &'d str, &'d syntax::Annotation<'a>);

/// The annotations of `Annotations` blocks by what they target, in document order; descriptions
/// and capabilities are read from it. All annotations live in one list, each target's chained
/// from its first to its last, so a target costs no allocation of its own.
pub(super) struct Descriptions<'d, 'a> {
    /// Each target's first and last annotation in `applied`.
    by_target: FastMap<TargetKey<'d>, (u32, u32)>,
    /// Every annotation, with the index of the next one of the same target (`u32::MAX` at the
    /// end).
    applied: Vec<(Applied<'d, 'a>, u32)>,
}

impl<'d, 'a> Descriptions<'d, 'a> {
    pub(super) fn with_capacity(targets: usize, annotations: usize) -> Self {
        Descriptions {
            by_target: fast_map(targets),
            applied: Vec::with_capacity(annotations),
        }
    }

    /// The annotations of `key`, in document order.
    pub(super) fn get(&self, key: &TargetKey<'d>) -> Option<Chain<'_, 'd, 'a>> {
        let &(first, _) = self.by_target.get(key)?;
        Some(self.chain(first))
    }

    /// Every target with its annotations (in no particular order of targets).
    pub(super) fn iter(&self) -> impl Iterator<Item = (TargetKey<'d>, Chain<'_, 'd, 'a>)> {
        self.by_target
            .iter()
            .map(|(key, &(first, _))| (*key, self.chain(first)))
    }

    pub(super) fn chain(&self, first: u32) -> Chain<'_, 'd, 'a> {
        Chain {
            applied: &self.applied,
            next: first,
        }
    }

    /// Adds an annotation to `key`'s, unless one of the same term and qualifier is there:
    /// then returns that one.
    pub(super) fn add(
        &mut self,
        key: TargetKey<'d>,
        applied: Applied<'d, 'a>,
    ) -> Option<&'d syntax::Annotation<'a>> {
        let index = self.applied.len() as u32;
        match self.by_target.entry(key) {
            Entry::Vacant(slot) => {
                slot.insert((index, index));
            }
            Entry::Occupied(mut slot) => {
                let (first, last) = *slot.get();
                let (namespace, name, annotation) = applied;
                let qualifier = annotation.qualifier.as_deref();
                let earlier = (Chain {
                    applied: &self.applied,
                    next: first,
                })
                .find(|(ns, n, a)| {
                    *ns == namespace && *n == name && a.qualifier.as_deref() == qualifier
                });
                if let Some((_, _, earlier)) = earlier {
                    return Some(earlier);
                }
                self.applied[last as usize].1 = index;
                slot.get_mut().1 = index;
            }
        }
        self.applied.push((applied, u32::MAX));
        None
    }
}

/// The annotations of one target, followed through [`Descriptions::applied`].
#[derive(Clone)]
pub(super) struct Chain<'s, 'd, 'a> {
    applied: &'s [(Applied<'d, 'a>, u32)],
    next: u32,
}

impl<'d, 'a> Iterator for Chain<'_, 'd, 'a> {
    type Item = Applied<'d, 'a>;

    fn next(&mut self) -> Option<Self::Item> {
        let &(applied, next) = self.applied.get(self.next as usize)?;
        self.next = next;
        Some(applied)
    }
}

impl<'n, 'd, 'a> Resolver<'n, 'd, 'a> {
    /// Gives types, properties, navigation properties and enum members without an inline
    /// description the one from `Annotations` blocks, and navigation properties the
    /// Capabilities restrictions of the blocks that target them (`ns.type/navigation`). One
    /// pass over the blocks' targets, each already resolved to its type and member.
    pub(super) fn attach_annotations(
        &self,
        types: &mut [TypeDef<'a>],
        descriptions: &Descriptions<'d, 'a>,
    ) {
        for (key, annotations) in descriptions.iter() {
            let (description, capabilities) = match key {
                TargetKey::Type(id) => (&mut types[id.index()].description, None),
                TargetKey::Member(id, member) => {
                    let name = self.member_name(id, member);
                    match model_member(&mut types[id.index()], member, name) {
                        Some(member) => (member.description, member.capabilities),
                        None => continue,
                    }
                }
                _ => continue,
            };
            if description.is_none() {
                *description = describe(annotations.clone());
            }
            if let Some(capabilities) = capabilities {
                *capabilities = restrictions(
                    *capabilities,
                    annotations.map(|(namespace, name, annotation)| {
                        (
                            (namespace == CAPABILITIES_NAMESPACE).then_some(name),
                            annotation,
                        )
                    }),
                );
            }
        }
    }

    /// Indexes the annotations of every `Annotations` block by what they target, warning about
    /// targets that name nothing, unknown terms and conflicting duplicates.
    pub(super) fn collect_descriptions(&mut self) -> Descriptions<'d, 'a> {
        let document = self.names.document;
        let blocks: usize = document
            .schemas
            .iter()
            .map(|s| s.annotation_blocks.len())
            .sum();
        let annotations: usize = document
            .schemas
            .iter()
            .flat_map(|s| &s.annotation_blocks)
            .map(|block| block.annotations.len())
            .sum();
        let mut descriptions = Descriptions::with_capacity(blocks, annotations);
        // Most blocks target a member, and the types they name are indexed as they come.
        self.members.reserve(blocks);
        for schema in &document.schemas {
            for block in &schema.annotation_blocks {
                let Some(key) = self.resolve_target(&block.target) else {
                    continue;
                };
                for annotation in &block.annotations {
                    let term = annotation.term.as_str();
                    let Some((namespace, name)) = self.resolve_term(term, annotation.term.span)
                    else {
                        continue;
                    };
                    let first = descriptions.add(key, (namespace, name, annotation));
                    if let Some(first) = first.filter(|first| first.value != annotation.value) {
                        self.diagnostics.push(
                            Diagnostic::warning(
                                annotation.term.span,
                                format!(
                                    "`{}` is annotated with `{term}` again, with a different value; the first value is kept",
                                    block.target.value
                                ),
                            )
                            .with_note(Some(first.term.span), "first annotated here"),
                        );
                    }
                }
            }
        }
        descriptions
    }

    /// Resolves an annotation's term to (namespace, name); warns when its vocabulary or, for a
    /// vocabulary of this document, the term is unknown.
    pub(super) fn resolve_term(&mut self, term: &'d str, span: Span) -> Option<(&'d str, &'d str)> {
        // Most annotations repeat the term before them (`Core.Description`, block after block).
        if let Some((last, resolved)) = self.last_term {
            if last == term {
                return Some(resolved);
            }
        }
        let warned = self.diagnostics.len();
        let resolved = self.resolve_new_term(term, span)?;
        if self.diagnostics.len() == warned {
            self.last_term = Some((term, resolved));
        }
        Some(resolved)
    }

    pub(super) fn resolve_new_term(
        &mut self,
        term: &'d str,
        span: Span,
    ) -> Option<(&'d str, &'d str)> {
        let Some((qualifier, name)) = split_at_last_dot(term) else {
            self.diagnostics.warning(
                span,
                format!("the annotation term `{term}` is not a qualified name"),
            );
            return None;
        };
        let Some(namespace) = self.names.qualifiers.get(qualifier).copied() else {
            self.diagnostics.push(
                Diagnostic::warning(
                    span,
                    format!("unknown vocabulary `{qualifier}` in the annotation term `{term}`"),
                )
                .with_note(None, "declare it with `edmx:Reference`/`edmx:Include`"),
            );
            return None;
        };
        let is_schema = self
            .names
            .document
            .schemas
            .iter()
            .any(|s| s.namespace.value == namespace);
        if is_schema && !self.names.terms.contains_key(&(namespace, name)) {
            self.diagnostics.warning(
                span,
                format!("the annotation term `{term}` is not declared in `{namespace}`"),
            );
        }
        Some((namespace, name))
    }

    /// Resolves an `Annotations` target; warns and returns `None` when it names nothing.
    pub(super) fn resolve_target(
        &mut self,
        written: &'d Spanned<Text<'a>>,
    ) -> Option<TargetKey<'d>> {
        let target = written.as_str();
        let nothing = |resolver: &mut Self, note: Option<String>| {
            let mut diagnostic = Diagnostic::warning(
                written.span,
                format!("the annotation target `{target}` names nothing in this document"),
            );
            if let Some(note) = note {
                diagnostic = diagnostic.with_note(None, note);
            }
            resolver.diagnostics.push(diagnostic);
            None
        };
        let split = target
            .bytes()
            .position(|byte| byte == b'/' || byte == b'(')
            .unwrap_or(target.len());
        let (head, rest) = target.split_at(split);
        let Some((qualifier, name)) = split_at_last_dot(head) else {
            return nothing(
                self,
                Some("targets are qualified names, such as `Namespace.Type/property`".into()),
            );
        };
        let Some(namespace) = self.names.namespace_of(qualifier) else {
            return nothing(
                self,
                Some(format!(
                    "`{qualifier}` is no namespace or alias of this document"
                )),
            );
        };
        // An operation, all overloads or one of them: `ns.op`, `ns.op(type,...)`.
        if let Some(overloads) = self.names.operations_by_name.get(&(namespace, name)) {
            let overloads = overloads.clone();
            let (index, part) = match rest.strip_prefix('(') {
                Some(signature) => {
                    let Some(close) = signature.find(')').map(|c| {
                        // `Collection(...)` inside the signature holds its own `)`.
                        let mut depth = 1usize;
                        let mut end = c;
                        for (i, ch) in signature.char_indices() {
                            match ch {
                                '(' => depth += 1,
                                ')' => {
                                    depth -= 1;
                                    if depth == 0 {
                                        end = i;
                                        break;
                                    }
                                }
                                _ => {}
                            }
                        }
                        end
                    }) else {
                        return nothing(
                            self,
                            Some("the overload signature has no closing `)`".into()),
                        );
                    };
                    let types = &signature[..close];
                    let Some(index) = overloads
                        .iter()
                        .copied()
                        .find(|&i| self.signature_matches(i, types))
                    else {
                        return nothing(
                            self,
                            Some(format!(
                                "no overload of `{namespace}.{name}` has the parameter types `({types})`"
                            )),
                        );
                    };
                    (index, &signature[close + 1..])
                }
                None => (overloads[0], rest),
            };
            let all = !rest.starts_with('(');
            return match part.strip_prefix('/') {
                None if part.is_empty() => Some(if all {
                    TargetKey::OperationAll(index)
                } else {
                    TargetKey::Operation(index)
                }),
                Some(parameter)
                    if parameter == "$ReturnType"
                        || overloads.iter().any(|&i| {
                            self.names.operations[i]
                                .operation
                                .parameters
                                .iter()
                                .any(|p| p.name.value == parameter)
                        }) =>
                {
                    Some(TargetKey::OperationPart(index, parameter))
                }
                _ => nothing(
                    self,
                    Some(format!("`{part}` is no parameter of `{namespace}.{name}`")),
                ),
            };
        }
        if let Some(&id) = self.names.by_name.get(&(namespace, name)) {
            let Some(member) = rest.strip_prefix('/') else {
                return if rest.is_empty() {
                    Some(TargetKey::Type(id))
                } else {
                    nothing(self, None)
                };
            };
            let first = member.split('/').next().unwrap_or(member);
            match self.member_of(id, first) {
                Some((owner, declared)) if owner == id && first.len() == member.len() => {
                    return Some(TargetKey::Member(id, declared));
                }
                Some(_) => return Some(TargetKey::MemberPath(id, member)),
                None => {}
            }
            return nothing(
                self,
                Some(format!(
                    "`{namespace}.{name}` has no property, navigation property or member `{first}`"
                )),
            );
        }
        if let Some((container_namespace, container)) = self.names.container {
            if container_namespace == namespace && container.name.value == name {
                let Some(path) = rest.strip_prefix('/') else {
                    return if rest.is_empty() {
                        Some(TargetKey::Container)
                    } else {
                        nothing(self, None)
                    };
                };
                let first = path.split('/').next().unwrap_or(path);
                if !self.names.container_children.contains_key(first) {
                    return nothing(
                        self,
                        Some(format!(
                            "`{first}` is no entity set or singleton of `{namespace}.{name}`"
                        )),
                    );
                }
                return Some(if first.len() == path.len() {
                    TargetKey::ContainerChild(path)
                } else {
                    TargetKey::ContainerPath(path)
                });
            }
        }
        if rest.is_empty() && self.names.terms.contains_key(&(namespace, name)) {
            return Some(TargetKey::Term(namespace, name));
        }
        // Only a near miss is worth a hint here: the target may name something removed.
        let note = self
            .names
            .closest_type_within(namespace, name, 2)
            .map(|suggestion| format!("did you mean `{suggestion}`?"));
        nothing(self, note)
    }

    /// Terms do not affect code: a malformed `AppliesTo` is a warning.
    pub(super) fn check_terms(&mut self) {
        let document = self.names.document;
        for schema in &document.schemas {
            for term in &schema.terms {
                let Some(applies_to) = &term.applies_to else {
                    continue;
                };
                let text = applies_to.as_str();
                let mut offset = 0;
                for item in text.split(' ') {
                    let at = offset;
                    offset += item.len() + 1;
                    if item.is_empty() || APPLIES_TO_KINDS.contains(&item) {
                        continue;
                    }
                    let well_formed = item
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.');
                    let known = well_formed
                        && item
                            .rsplit_once('.')
                            .is_some_and(|(q, n)| self.names.lookup(q, n).is_some());
                    if known {
                        continue;
                    }
                    let start = match &applies_to.value {
                        Text::Borrowed(_) => applies_to.span.start() + at,
                        Text::Owned(_) => applies_to.span.start(),
                    };
                    let message = if well_formed {
                        format!(
                            "`AppliesTo` of the term `{}` lists `{item}`, which is neither a CSDL element kind nor a type of this document",
                            term.name.value
                        )
                    } else {
                        format!(
                            "`AppliesTo` of the term `{}` has a malformed item `{item}`",
                            term.name.value
                        )
                    };
                    let mut diagnostic =
                        Diagnostic::warning(Span::new(start, start + item.len()), message);
                    if !well_formed {
                        if let Some(position) = item
                            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
                        {
                            let c = item[position..].chars().next().unwrap_or(' ');
                            diagnostic = diagnostic.with_note(
                                None,
                                format!(
                                    "`{c}` cannot appear in an element kind or a qualified name"
                                ),
                            );
                        }
                    }
                    self.diagnostics.push(diagnostic);
                }
            }
        }
    }
}

/// Whether two texts are equal; the model's names are the document's, borrowed, so the same
/// pointer settles it without reading the bytes.
pub(super) fn same_text(a: &str, b: &str) -> bool {
    (a.as_ptr() == b.as_ptr() && a.len() == b.len()) || a == b
}

/// What annotations can set on a member of the model.
pub(super) struct ModelMember<'m, 'a> {
    description: &'m mut Option<Text<'a>>,
    capabilities: Option<&'m mut Capabilities>,
}

/// The model's member for a member of the type's element, if it is there under the same name
/// (it is, unless resolving the type reported an error and left members out).
pub(super) fn model_member<'m, 'a>(
    ty: &'m mut TypeDef<'a>,
    member: MemberRef,
    name: Option<&Spanned<Text<'_>>>,
) -> Option<ModelMember<'m, 'a>> {
    let name = name?.as_str();
    match (&mut ty.kind, member) {
        (TypeKind::Structured(def), MemberRef::Property(i)) => def
            .properties
            .get_mut(i as usize)
            .filter(|p| same_text(&p.name, name))
            .map(|p| ModelMember {
                description: &mut p.description,
                capabilities: None,
            }),
        (TypeKind::Structured(def), MemberRef::Navigation(i)) => def
            .navigations
            .get_mut(i as usize)
            .filter(|n| same_text(&n.name, name))
            .map(|n| ModelMember {
                description: &mut n.description,
                capabilities: Some(&mut n.capabilities),
            }),
        (TypeKind::Enum(def), MemberRef::EnumMember(i)) => def
            .members
            .get_mut(i as usize)
            .filter(|m| same_text(&m.name, name))
            .map(|m| ModelMember {
                description: &mut m.description,
                capabilities: None,
            }),
        _ => None,
    }
}

/// The term name of an inline annotation if it is a Capabilities term (under any alias of the
/// vocabulary, see `inline_term`).
pub(super) fn capabilities_term<'t>(
    qualifiers: &FastMap<&str, &str>,
    term: &'t str,
) -> Option<&'t str> {
    match inline_term(qualifiers, term)? {
        (CAPABILITIES_NAMESPACE, name) => Some(name),
        _ => None,
    }
}

/// `capabilities` restricted by Insert-, Update-, Delete- and NavigationRestrictions records
/// among `annotations` (term name if a Capabilities term, annotation). A record property that
/// is `false` forbids; anything else leaves the capability as it was. An `UpdateRestrictions`
/// record's `UpdateMethod` decides `PUT` (`Org.OData.Capabilities.V1.HttpMethod/PUT`, under any
/// alias and among other flags, allows it; other methods alone do not), and `Updatable` false
/// forbids it whatever the method. A
/// `NavigationRestrictions` record's `Referenceable` true gives a containment navigation its
/// `$ref` links.
pub(super) fn restrictions<'x, 'a: 'x>(
    mut capabilities: Capabilities,
    annotations: impl Iterator<Item = (Option<&'x str>, &'x syntax::Annotation<'a>)>,
) -> Capabilities {
    for (term, annotation) in annotations {
        let (Some(term), None) = (term, &annotation.qualifier) else {
            continue;
        };
        let AnnotationValue::Record(_, values) = &annotation.value else {
            continue;
        };
        let flag = |property: &str| {
            values.iter().find_map(|(name, value)| match value {
                AnnotationValue::Bool(flag) if name.as_ref() == property => Some(*flag),
                _ => None,
            })
        };
        match term {
            "InsertRestrictions" => {
                if let Some(allowed) = flag("Insertable") {
                    capabilities.insertable = allowed;
                }
            }
            "UpdateRestrictions" => {
                // `HttpMethod` is a flags enum: the members are separated by spaces.
                let method = values.iter().find_map(|(name, value)| match value {
                    AnnotationValue::EnumMember(member) if name.as_ref() == "UpdateMethod" => {
                        Some(member.as_ref())
                    }
                    _ => None,
                });
                if let Some(method) = method {
                    capabilities.replaceable = method
                        .split_whitespace()
                        .any(|member| member.ends_with("HttpMethod/PUT"));
                }
                if let Some(allowed) = flag("Updatable") {
                    capabilities.updatable = allowed;
                    capabilities.replaceable &= allowed;
                }
            }
            "DeleteRestrictions" => {
                if let Some(allowed) = flag("Deletable") {
                    capabilities.deletable = allowed;
                }
            }
            "NavigationRestrictions" => {
                if let Some(referenceable) = flag("Referenceable") {
                    capabilities.referenceable = referenceable;
                }
            }
            _ => {}
        }
    }
    capabilities
}

/// The description of a target from `Annotations` blocks.
pub(super) fn description_of<'d, 'a: 'd>(
    descriptions: &Descriptions<'d, 'a>,
    key: TargetKey<'d>,
) -> Option<Text<'a>> {
    describe(descriptions.get(&key)?)
}

/// The first `Core.Description` and `Core.LongDescription` (without a qualifier) among a
/// target's annotations.
pub(super) fn describe<'d, 'a: 'd>(
    annotations: impl Iterator<Item = Applied<'d, 'a>>,
) -> Option<Text<'a>> {
    let mut short = None;
    let mut long = None;
    for (namespace, name, annotation) in annotations {
        if namespace != CORE_NAMESPACE || annotation.qualifier.is_some() {
            continue;
        }
        if let AnnotationValue::String(text) = &annotation.value {
            match name {
                "Description" => {
                    short.get_or_insert(text);
                }
                "LongDescription" => {
                    long.get_or_insert(text);
                }
                _ => {}
            }
        }
    }
    join_descriptions(short, long)
}

/// The description written inline in an element's own annotations, their terms read through
/// the document's aliases (`inline_term`) as in `Annotations` blocks.
pub(super) fn annotation_description<'a>(
    qualifiers: &FastMap<&str, &str>,
    annotations: &[syntax::Annotation<'a>],
) -> Option<Text<'a>> {
    if annotations.is_empty() {
        return None;
    }
    let mut short = None;
    let mut long = None;
    for annotation in annotations {
        let Some((CORE_NAMESPACE, name)) = inline_term(qualifiers, annotation.term.as_str()) else {
            continue;
        };
        if let AnnotationValue::String(text) = &annotation.value {
            match name {
                "Description" => {
                    short.get_or_insert(text);
                }
                "LongDescription" => {
                    long.get_or_insert(text);
                }
                _ => {}
            }
        }
    }
    join_descriptions(short, long)
}

/// The (namespace, name) of an inline annotation's term, read through the document's aliases and
/// namespaces like the terms of `Annotations` blocks (`Resolver::resolve_term`), so that
/// `Term="Cap.InsertRestrictions"` under `Alias="Cap"` counts. `Core` and `Capabilities` name
/// their standard vocabularies when the document does not use them otherwise.
pub(super) fn inline_term<'t>(
    qualifiers: &FastMap<&str, &str>,
    term: &'t str,
) -> Option<(&'t str, &'t str)> {
    let (qualifier, name) = split_at_last_dot(term)?;
    let namespace = match qualifiers.get(qualifier) {
        Some(namespace) => *namespace,
        None => match qualifier {
            "Core" => CORE_NAMESPACE,
            "Capabilities" => CAPABILITIES_NAMESPACE,
            _ => return None,
        },
    };
    match namespace {
        CORE_NAMESPACE => Some((CORE_NAMESPACE, name)),
        CAPABILITIES_NAMESPACE => Some((CAPABILITIES_NAMESPACE, name)),
        _ => None,
    }
}

/// The short description, then the long one if it says something else, each trimmed; borrowed
/// from the document when there is only one.
pub(super) fn join_descriptions<'a>(
    short: Option<&Text<'a>>,
    long: Option<&Text<'a>>,
) -> Option<Text<'a>> {
    let short = short.map(trimmed).filter(|s| !s.is_empty());
    let long = long.map(trimmed).filter(|s| !s.is_empty());
    match (short, long) {
        (Some(s), Some(l)) if s != l => Some(Cow::Owned(format!("{s}\n\n{l}"))),
        (Some(s), _) => Some(s),
        (None, Some(l)) => Some(l),
        (None, None) => None,
    }
}

/// `text` without leading and trailing whitespace, still borrowed if it was.
pub(super) fn trimmed<'a>(text: &Text<'a>) -> Text<'a> {
    match text {
        Cow::Borrowed(text) => Cow::Borrowed(text.trim()),
        Cow::Owned(text) => Cow::Owned(text.trim().to_string()),
    }
}
