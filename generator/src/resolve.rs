//! Stage 2: resolve a [`Document`] into a [`Model`].
//!
//! Binds every qualified name (with its namespace or alias) to a [`TypeId`], links base and derived
//! types, binds operations to their binding types, and attaches descriptions from annotations.
//! Anything code generation depends on that does not resolve is an error; defects that real
//! metadata ships anyway are warnings: annotation targets that name nothing (a type, a member, an
//! operation overload, a container child), navigation property binding targets and paths that do
//! not resolve, annotation terms of unknown vocabularies, a `Term`'s malformed `AppliesTo`, and
//! the same (target, term, qualifier) annotated twice with different values.
//!
//! Annotations of every schema are indexed together, whatever namespace they target. The
//! standard OData vocabularies ([`STANDARD_VOCABULARIES`]) are known without `edmx:Reference`.
//!
//! Lookups never build strings: names are keyed on borrowed (namespace, name) pairs.

use std::borrow::Cow;
use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};

use crate::csdl::syntax::{self, AnnotationValue, Document, Spanned};
use crate::diagnostics::{Diagnostic, Diagnostics, Span};
use crate::model::*;

/// The model's kinds, from the document's.
impl From<syntax::StructuredKind> for StructuredKind {
    fn from(kind: syntax::StructuredKind) -> Self {
        match kind {
            syntax::StructuredKind::Entity => StructuredKind::Entity,
            syntax::StructuredKind::Complex => StructuredKind::Complex,
        }
    }
}

impl From<syntax::OperationKind> for OperationKind {
    fn from(kind: syntax::OperationKind) -> Self {
        match kind {
            syntax::OperationKind::Action => OperationKind::Action,
            syntax::OperationKind::Function => OperationKind::Function,
        }
    }
}

impl From<syntax::ContainerChildKind> for ContainerChildKind {
    fn from(kind: syntax::ContainerChildKind) -> Self {
        match kind {
            syntax::ContainerChildKind::EntitySet => ContainerChildKind::EntitySet,
            syntax::ContainerChildKind::Singleton => ContainerChildKind::Singleton,
        }
    }
}

const CORE_NAMESPACE: &str = "Org.OData.Core.V1";
const CAPABILITIES_NAMESPACE: &str = "Org.OData.Capabilities.V1";

/// Vocabulary namespaces known without an `edmx:Reference`: the OASIS standard vocabularies and
/// the community ones Graph uses.
pub const STANDARD_VOCABULARIES: &[&str] = &[
    "Org.OData.Core.V1",
    "Org.OData.Capabilities.V1",
    "Org.OData.Validation.V1",
    "Org.OData.Measures.V1",
    "Org.OData.Authorization.V1",
    "Org.OData.Aggregation.V1",
    "Org.OData.JSON.V1",
    "Org.OData.Repeatability.V1",
    "Org.OData.Temporal.V1",
    "Org.OData.Session.V1",
    "Org.OData.Community.V1",
    "OData.Community.Keys.V1",
    "OData.Community.Display.V1",
    "OData.Community.UI.V1",
];

/// The element kinds a `Term`'s `AppliesTo` may list (CSDL 4.01, 14.1.4).
const APPLIES_TO_KINDS: &[&str] = &[
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

/// A small, fast hasher for short string keys (the FxHash mix); the keys come from one trusted
/// parse, so hash flooding is not a concern.
#[derive(Default, Clone, Copy)]
struct FxHasher {
    hash: u64,
}

impl FxHasher {
    const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(Self::SEED);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            self.add(u64::from_le_bytes(chunk.try_into().unwrap_or_default()));
        }
        // The last 1 to 7 bytes in at most two reads, which may overlap (as rustc-hash does).
        let rest = chunks.remainder();
        let last = match rest.len() {
            0 => 0,
            1..=3 => {
                u64::from(rest[0])
                    | (u64::from(rest[rest.len() / 2]) << 8)
                    | (u64::from(rest[rest.len() - 1]) << 16)
            }
            _ => {
                let low = u32::from_le_bytes(rest[..4].try_into().unwrap_or_default());
                let high =
                    u32::from_le_bytes(rest[rest.len() - 4..].try_into().unwrap_or_default());
                u64::from(low) | (u64::from(high) << 32)
            }
        };
        self.add(last ^ ((rest.len() as u64) << 59));
    }

    fn write_u8(&mut self, n: u8) {
        self.add(u64::from(n));
    }

    fn write_u32(&mut self, n: u32) {
        self.add(u64::from(n));
    }

    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }

    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    fn finish(&self) -> u64 {
        self.hash
    }
}

type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

fn fast_map<K, V>(capacity: usize) -> FastMap<K, V> {
    HashMap::with_capacity_and_hasher(capacity, BuildHasherDefault::default())
}

/// Resolves a document. Returns the model and the warnings, or every error.
/// Resolves a document. Returns the model and the warnings, or every error.
pub fn resolve<'a>(
    document: &Document<'a>,
) -> Result<(Model<'a>, Vec<Diagnostic>), Vec<Diagnostic>> {
    let mut resolver = Resolver::new(document);
    let model = resolver.run();
    let diagnostics = resolver.diagnostics.into_sorted();
    if diagnostics.iter().any(Diagnostic::is_error) {
        Err(diagnostics)
    } else {
        Ok((model, diagnostics))
    }
}

/// A declared type before resolution: where it comes from in the document.
#[derive(Clone, Copy)]
enum Declared<'d, 'a> {
    Structured(&'d syntax::StructuredType<'a>),
    Enum(&'d syntax::EnumType<'a>),
    Definition(&'d syntax::TypeDefinition<'a>),
}

impl<'d, 'a> Declared<'d, 'a> {
    fn name(&self) -> &'d Spanned<Text<'a>> {
        match self {
            Declared::Structured(t) => &t.name,
            Declared::Enum(t) => &t.name,
            Declared::Definition(t) => &t.name,
        }
    }
}

/// One declared type: its namespace, simple name and element.
#[derive(Clone, Copy)]
struct Decl<'d, 'a> {
    /// The namespace as written, which the model borrows.
    written_namespace: &'d Text<'a>,
    namespace: &'d str,
    name: &'d str,
    declared: Declared<'d, 'a>,
}

/// Splits `text` at its last `.`, as `rsplit_once('.')` does; a plain loop from the end is
/// quicker than the general search for the short qualified names of CSDL.
/// Follows a key property path (`id`, or `Info/ID` through complex properties) from the entity
/// type `id`: the property it ends at, or what is wrong with it ("is not a property of ...").
fn key_path_target<'t, 'a>(
    types: &'t [TypeDef<'a>],
    id: TypeId,
    path: &str,
) -> Result<&'t PropertyDef<'a>, String> {
    let mut owner = id;
    let mut segments = path.split('/').peekable();
    while let Some(segment) = segments.next() {
        let property = ancestors_and_self(types, owner)
            .into_iter()
            .find_map(|ancestor| match &types[ancestor.index()].kind {
                TypeKind::Structured(def) => def.properties.iter().find(|p| p.name == segment),
                _ => None,
            })
            .ok_or_else(|| {
                let entity = types[id.index()].qualified_name();
                if owner == id {
                    format!("is not a property of `{entity}` or its base types")
                } else {
                    format!(
                        "is not a property path of `{entity}`: `{segment}` is not a property of `{}`",
                        types[owner.index()].qualified_name()
                    )
                }
            })?;
        if property.ty.collection {
            return Err(format!(
                "is not a property path of `{}`: `{segment}` is a collection",
                types[id.index()].qualified_name()
            ));
        }
        if segments.peek().is_none() {
            return Ok(property);
        }
        owner = match property.ty.target {
            TypeTarget::Named(next)
                if matches!(types[next.index()].kind, TypeKind::Structured(_)) =>
            {
                next
            }
            _ => {
                return Err(format!(
                    "is not a property path of `{}`: `{segment}` has no properties",
                    types[id.index()].qualified_name()
                ));
            }
        };
    }
    Err("is empty".to_string())
}

fn split_at_last_dot(text: &str) -> Option<(&str, &str)> {
    let dot = text.bytes().rposition(|byte| byte == b'.')?;
    Some((&text[..dot], &text[dot + 1..]))
}

/// The length of the longest prefix all `texts` share.
fn shared_prefix<'t>(mut texts: impl Iterator<Item = &'t str>) -> usize {
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
fn sort_key(namespace: &str, name: &str, skip: usize) -> u128 {
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

/// What an annotation target names, for descriptions and for duplicate detection.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum TargetKey<'d> {
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

/// A member a type declares: which list of its element, and the position in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum MemberRef {
    Property(u32),
    Navigation(u32),
    EnumMember(u32),
}

/// One operation of the document, with its schema's namespace.
struct OperationEntry<'d, 'a> {
    /// The namespace as written, which the model borrows.
    written_namespace: &'d Text<'a>,
    namespace: &'d str,
    operation: &'d syntax::Operation<'a>,
}

/// One annotation of an `Annotations` block, with its term's namespace and name.
type Applied<'d, 'a> = (&'d str, &'d str, &'d syntax::Annotation<'a>);

/// The annotations of `Annotations` blocks by what they target, in document order; descriptions
/// and capabilities are read from it. All annotations live in one list, each target's chained
/// from its first to its last, so a target costs no allocation of its own.
struct Descriptions<'d, 'a> {
    /// Each target's first and last annotation in `applied`.
    by_target: FastMap<TargetKey<'d>, (u32, u32)>,
    /// Every annotation, with the index of the next one of the same target (`u32::MAX` at the
    /// end).
    applied: Vec<(Applied<'d, 'a>, u32)>,
}

impl<'d, 'a> Descriptions<'d, 'a> {
    fn with_capacity(targets: usize, annotations: usize) -> Self {
        Descriptions {
            by_target: fast_map(targets),
            applied: Vec::with_capacity(annotations),
        }
    }

    /// The annotations of `key`, in document order.
    fn get(&self, key: &TargetKey<'d>) -> Option<Chain<'_, 'd, 'a>> {
        let &(first, _) = self.by_target.get(key)?;
        Some(self.chain(first))
    }

    /// Every target with its annotations (in no particular order of targets).
    fn iter(&self) -> impl Iterator<Item = (TargetKey<'d>, Chain<'_, 'd, 'a>)> {
        self.by_target
            .iter()
            .map(|(key, &(first, _))| (*key, self.chain(first)))
    }

    fn chain(&self, first: u32) -> Chain<'_, 'd, 'a> {
        Chain {
            applied: &self.applied,
            next: first,
        }
    }

    /// Adds an annotation to `key`'s, unless one of the same term and qualifier is there:
    /// then returns that one.
    fn add(
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
struct Chain<'s, 'd, 'a> {
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

struct Resolver<'d, 'a> {
    document: &'d Document<'a>,
    diagnostics: Diagnostics,
    /// Alias or namespace to namespace.
    qualifiers: FastMap<&'d str, &'d str>,
    /// (namespace, simple name) to id.
    by_name: FastMap<(&'d str, &'d str), TypeId>,
    /// Every declared type, sorted by qualified name: index `i` becomes `TypeId(i)`.
    declared: Vec<Decl<'d, 'a>>,
    /// Every operation in document order; indices are operation keys.
    operations: Vec<OperationEntry<'d, 'a>>,
    /// (namespace, name) to the indices of its overloads in `operations`.
    operations_by_name: FastMap<(&'d str, &'d str), Vec<usize>>,
    /// (namespace, name) of every term declared in the document.
    terms: FastMap<(&'d str, &'d str), Span>,
    /// The entity container (the first one) and its namespace.
    container: Option<(&'d str, &'d syntax::EntityContainer<'a>)>,
    /// The namespace of the container's schema as written, which the model borrows.
    container_namespace: Option<&'d Text<'a>>,
    /// Container children by name.
    container_children: FastMap<&'d str, &'d syntax::ContainerChild<'a>>,
    /// The members of the types that annotation targets name, by name (a type's are indexed
    /// when a target first names it).
    members: FastMap<(TypeId, &'d str), MemberRef>,
    /// Which types' members are in `members`.
    members_indexed: Vec<bool>,
    /// The member names of the type being resolved, to find duplicates (one map, reused).
    seen: FastMap<&'d str, MemberRef>,
    /// The last qualifier looked up and its namespace (empty before the first).
    last_qualifier: std::cell::Cell<(&'d str, &'d str)>,
    /// The last annotation term resolved without a warning, and its (namespace, name).
    last_term: Option<(&'d str, (&'d str, &'d str))>,
}

impl<'d, 'a> Resolver<'d, 'a> {
    fn new(document: &'d Document<'a>) -> Self {
        Resolver {
            document,
            diagnostics: Diagnostics::new(),
            qualifiers: fast_map(16),
            by_name: fast_map(0),
            declared: Vec::new(),
            operations: Vec::new(),
            operations_by_name: fast_map(0),
            terms: fast_map(0),
            container: None,
            container_namespace: None,
            container_children: fast_map(0),
            members: fast_map(0),
            members_indexed: Vec::new(),
            seen: fast_map(64),
            last_qualifier: std::cell::Cell::new(("", "")),
            last_term: None,
        }
    }

    fn run(&mut self) -> Model<'a> {
        self.collect_qualifiers();
        // Sorted by qualified name, so ids do not depend on document order.
        self.collect_declarations();
        self.collect_operations_terms_container();
        self.build()
    }

    fn collect_qualifiers(&mut self) {
        for vocabulary in STANDARD_VOCABULARIES {
            self.qualifiers.insert(vocabulary, vocabulary);
        }
        let document = self.document;
        for include in &document.includes {
            let namespace = include.namespace.as_str();
            self.qualifiers.insert(namespace, namespace);
            if let Some(alias) = &include.alias {
                self.qualifiers.insert(alias.as_str(), namespace);
            }
        }
        let mut namespaces: FastMap<&str, Span> = fast_map(document.schemas.len());
        for schema in &document.schemas {
            let namespace = schema.namespace.as_str();
            if let Some(first) = namespaces.insert(namespace, schema.namespace.span) {
                self.diagnostics.push(
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
                let namespace = schema.namespace.as_str();
                match self.qualifiers.get(alias.as_str()) {
                    Some(existing) if *existing != namespace => {
                        self.diagnostics.error(
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
        }
    }

    fn collect_declarations(&mut self) {
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
                    self.diagnostics.push(
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

    fn collect_operations_terms_container(&mut self) {
        let document = self.document;
        let count = document.schemas.iter().map(|s| s.operations.len()).sum();
        self.operations.reserve(count);
        self.operations_by_name.reserve(count);
        for schema in &document.schemas {
            let namespace = schema.namespace.as_str();
            for operation in &schema.operations {
                let index = self.operations.len();
                self.operations.push(OperationEntry {
                    written_namespace: &schema.namespace.value,
                    namespace,
                    operation,
                });
                self.operations_by_name
                    .entry((namespace, operation.name.as_str()))
                    .or_default()
                    .push(index);
            }
            for term in &schema.terms {
                self.terms
                    .entry((namespace, term.name.as_str()))
                    .or_insert(term.name.span);
            }
            if self.container.is_none() {
                if let Some(container) = schema.entity_containers.first() {
                    self.container = Some((namespace, container));
                    self.container_namespace = Some(&schema.namespace.value);
                    self.container_children = fast_map(container.children.len());
                    for child in &container.children {
                        self.container_children
                            .entry(child.name.as_str())
                            .or_insert(child);
                    }
                }
            }
        }
    }

    fn build(&mut self) -> Model<'a> {
        self.members_indexed = vec![false; self.declared.len()];
        let mut types = Vec::with_capacity(self.declared.len());
        for index in 0..self.declared.len() {
            let decl = self.declared[index];
            let id = TypeId(index as u32);
            let kind = match decl.declared {
                Declared::Structured(ty) => TypeKind::Structured(self.structured(id, ty)),
                Declared::Enum(ty) => TypeKind::Enum(self.enumeration(id, ty)),
                Declared::Definition(ty) => {
                    let underlying = self.primitive_name(&ty.underlying_type);
                    TypeKind::Definition(underlying.unwrap_or(Primitive::String))
                }
            };
            // Inline annotations on the type element win over `Annotations` blocks.
            let inline = match decl.declared {
                Declared::Structured(t) => annotation_description(&self.qualifiers, &t.annotations),
                Declared::Enum(t) => annotation_description(&self.qualifiers, &t.annotations),
                Declared::Definition(_) => None,
            };
            types.push(TypeDef {
                namespace: decl.written_namespace.clone(),
                name: decl.declared.name().value.clone(),
                kind,
                description: inline,
                span: decl.declared.name().span,
            });
        }
        // Annotation targets name members, so they are resolved once every type's are known.
        let descriptions = self.collect_descriptions();
        self.check_terms();
        self.attach_annotations(&mut types, &descriptions);
        self.link_derived(&mut types);
        self.check_keys(&types);
        let operations = self.operations(&descriptions);
        let container = self.container(&types, &descriptions);
        let mut namespaces: Vec<Text<'a>> = self
            .document
            .schemas
            .iter()
            .map(|s| s.namespace.value.clone())
            .collect();
        namespaces.sort();
        namespaces.dedup();
        Model {
            namespaces,
            types,
            operations,
            container,
        }
    }

    /// The namespace a written qualifier (alias or namespace) stands for.
    fn namespace_of(&self, qualifier: &str) -> Option<&'d str> {
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
    fn lookup(&self, qualifier: &str, simple: &str) -> Option<TypeId> {
        let namespace = self.namespace_of(qualifier)?;
        self.by_name.get(&(namespace, simple)).copied()
    }

    /// Resolves a written type reference to a named type, reporting an error if it fails.
    fn named_type(&mut self, text: &str, span: Span, what: &str) -> Option<TypeId> {
        let Some((qualifier, simple)) = split_at_last_dot(text) else {
            self.diagnostics.error(
                span,
                format!("the {what} `{text}` is not a qualified name (expected `Namespace.Name`)"),
            );
            return None;
        };
        let Some(namespace) = self.namespace_of(qualifier) else {
            self.diagnostics.error(
                span,
                format!("unknown namespace or alias `{qualifier}` in the {what} `{text}`"),
            );
            return None;
        };
        if let Some(id) = self.by_name.get(&(namespace, simple)) {
            return Some(*id);
        }
        let mut diagnostic = Diagnostic::error(span, format!("unknown {what} `{text}`"));
        if let Some(suggestion) = self.closest_type(namespace, simple) {
            diagnostic = diagnostic.with_note(None, format!("did you mean `{suggestion}`?"));
        }
        self.diagnostics.push(diagnostic);
        None
    }

    fn closest_type(&self, namespace: &str, simple: &str) -> Option<String> {
        self.closest_type_within(namespace, simple, (simple.len() / 3).max(1))
    }

    /// The declared type of `namespace` whose simple name is nearest to `simple`, at most
    /// `limit` edits away.
    fn closest_type_within(&self, namespace: &str, simple: &str, limit: usize) -> Option<String> {
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

    fn primitive_name(&mut self, written: &Spanned<Text<'_>>) -> Option<Primitive> {
        self.primitive(written.as_str(), written.span)
    }

    fn primitive(&mut self, text: &str, span: Span) -> Option<Primitive> {
        match text.strip_prefix("Edm.") {
            Some(name) => match Primitive::from_edm_name(name) {
                Some(primitive) => Some(primitive),
                None => {
                    self.diagnostics
                        .error(span, format!("unknown primitive type `Edm.{name}`"));
                    None
                }
            },
            None => {
                self.diagnostics.error(
                    span,
                    format!("expected a primitive type (`Edm.*`), found `{text}`"),
                );
                None
            }
        }
    }

    /// Resolves a property, parameter or return type: `Edm.X`, `ns.T` or `Collection(...)`.
    fn type_use(
        &mut self,
        written: &Spanned<Text<'_>>,
        nullable: bool,
        what: &str,
    ) -> Option<TypeUse> {
        let text = written.as_str();
        let (inner, collection) = if let Some(rest) = text.strip_prefix("Collection(") {
            match rest.strip_suffix(')') {
                Some(inner) => (inner, true),
                None => {
                    self.diagnostics.error(
                        written.span,
                        format!("unterminated `Collection(` in the {what} `{text}`: expected a closing `)`"),
                    );
                    return None;
                }
            }
        } else {
            (text, false)
        };
        let inner_span = if collection {
            Span::new(
                written.span.start() + "Collection(".len(),
                written.span.end().saturating_sub(1),
            )
        } else {
            written.span
        };
        let target = if let Some(name) = inner.strip_prefix("Edm.") {
            // A type OData does not define (`Edm.Float` in some services' metadata) is a defect
            // of the document, not a reason to refuse the service: its values are kept as JSON.
            match Primitive::from_edm_name(name) {
                Some(primitive) => TypeTarget::Primitive(primitive),
                None => {
                    self.diagnostics.warning(
                        inner_span,
                        format!(
                            "`Edm.{name}` is not a primitive type OData defines: values of this {what} are kept as untyped JSON (`Edm.Untyped`)"
                        ),
                    );
                    TypeTarget::Primitive(Primitive::Untyped)
                }
            }
        } else {
            TypeTarget::Named(self.named_type(inner, inner_span, what)?)
        };
        Some(TypeUse {
            target,
            collection,
            nullable,
        })
    }

    fn structured(&mut self, id: TypeId, ty: &'d syntax::StructuredType<'a>) -> StructuredDef<'a> {
        self.seen.clear();
        let base = ty
            .base_type
            .as_ref()
            .and_then(|base| self.named_type(base.as_str(), base.span, "base type"));
        let mut properties = Vec::with_capacity(ty.properties.len());
        for (index, property) in ty.properties.iter().enumerate() {
            self.declare_member(
                id,
                &property.name,
                MemberRef::Property(index as u32),
                "property",
            );
            if let Some(use_) =
                self.type_use(&property.type_name, property.nullable, "property type")
            {
                if let TypeTarget::Named(target) = use_.target {
                    self.check_value_type(target, &property.type_name, "property");
                }
                properties.push(PropertyDef {
                    name: property.name.value.clone(),
                    ty: use_,
                    description: annotation_description(&self.qualifiers, &property.annotations),
                });
            }
        }
        let mut navigations = Vec::with_capacity(ty.navigation_properties.len());
        for (index, navigation) in ty.navigation_properties.iter().enumerate() {
            let member = MemberRef::Navigation(index as u32);
            self.declare_member(id, &navigation.name, member, "property");
            let Some(use_) = self.type_use(
                &navigation.type_name,
                navigation.nullable,
                "navigation property type",
            ) else {
                continue;
            };
            let TypeTarget::Named(target) = use_.target else {
                self.diagnostics.error(
                    navigation.type_name.span,
                    "a navigation property must point to an entity type",
                );
                continue;
            };
            if !self.is_entity(target) {
                self.diagnostics.error(
                    navigation.type_name.span,
                    format!(
                        "the navigation property `{}` points to `{}`, which is not an entity type",
                        navigation.name.value, navigation.type_name.value
                    ),
                );
                continue;
            }
            navigations.push(NavigationDef {
                name: navigation.name.value.clone(),
                target,
                collection: use_.collection,
                contains_target: navigation.contains_target,
                capabilities: restrictions(
                    Capabilities::default(),
                    navigation
                        .annotations
                        .iter()
                        .map(|a| (capabilities_term(&self.qualifiers, a.term.as_str()), a)),
                ),
                description: annotation_description(&self.qualifiers, &navigation.annotations),
            });
        }
        StructuredDef {
            kind: ty.kind.into(),
            base,
            derived: Vec::new(),
            is_abstract: ty.is_abstract,
            is_open: ty.is_open,
            has_stream: ty.has_stream,
            key: ty
                .key
                .iter()
                .map(|k| KeyDef {
                    path: k.name.value.clone(),
                    alias: k.alias.as_ref().map(|alias| alias.value.clone()),
                })
                .collect(),
            properties,
            navigations,
        }
    }

    /// Records a member of the type `id`; an error if the type already has one of that name
    /// (the first is kept).
    fn declare_member(
        &mut self,
        id: TypeId,
        name: &'d Spanned<Text<'a>>,
        member: MemberRef,
        what: &str,
    ) {
        match self.seen.entry(name.as_str()) {
            Entry::Vacant(slot) => {
                slot.insert(member);
            }
            Entry::Occupied(first) => {
                let first = *first.get();
                let first = self.member_name(id, first).map(|n| n.span);
                self.diagnostics.push(
                    Diagnostic::error(
                        name.span,
                        format!("the {what} `{}` is declared twice", name.value),
                    )
                    .with_note(first, "first declared here"),
                );
            }
        }
    }

    /// Puts the members the type `id` declares into `members` (the first of a name wins).
    fn index_members(&mut self, id: TypeId) {
        let mut add = |name: &'d Spanned<Text<'a>>, member| {
            self.members.entry((id, name.as_str())).or_insert(member);
        };
        match self.declared[id.index()].declared {
            Declared::Structured(ty) => {
                for (i, property) in ty.properties.iter().enumerate() {
                    add(&property.name, MemberRef::Property(i as u32));
                }
                for (i, navigation) in ty.navigation_properties.iter().enumerate() {
                    add(&navigation.name, MemberRef::Navigation(i as u32));
                }
            }
            Declared::Enum(ty) => {
                for (i, member) in ty.members.iter().enumerate() {
                    add(&member.name, MemberRef::EnumMember(i as u32));
                }
            }
            Declared::Definition(_) => {}
        }
    }

    /// The name of a member of the type `id`, as declared.
    fn member_name(&self, id: TypeId, member: MemberRef) -> Option<&'d Spanned<Text<'a>>> {
        match (self.declared_of(id), member) {
            (Declared::Structured(ty), MemberRef::Property(i)) => {
                ty.properties.get(i as usize).map(|p| &p.name)
            }
            (Declared::Structured(ty), MemberRef::Navigation(i)) => {
                ty.navigation_properties.get(i as usize).map(|n| &n.name)
            }
            (Declared::Enum(ty), MemberRef::EnumMember(i)) => {
                ty.members.get(i as usize).map(|m| &m.name)
            }
            _ => None,
        }
    }

    fn declared_of(&self, id: TypeId) -> Declared<'d, 'a> {
        self.declared[id.index()].declared
    }

    fn is_entity(&self, id: TypeId) -> bool {
        matches!(self.declared_of(id), Declared::Structured(t) if t.kind == syntax::StructuredKind::Entity)
    }

    /// Entity types are not allowed as structural property types.
    fn check_value_type(&mut self, id: TypeId, written: &Spanned<Text<'_>>, what: &str) {
        if self.is_entity(id) {
            self.diagnostics.error(
                written.span,
                format!(
                    "the {what} type `{}` is an entity type; use a navigation property",
                    written.value
                ),
            );
        }
    }

    fn enumeration(&mut self, id: TypeId, ty: &'d syntax::EnumType<'a>) -> EnumDef<'a> {
        self.seen.clear();
        let underlying = match &ty.underlying_type {
            Some(written) => match self.primitive_name(written) {
                Some(p) if p.is_integer() => p,
                Some(_) => {
                    self.diagnostics.error(
                        written.span,
                        "an enum's underlying type must be Edm.Byte, Edm.SByte, Edm.Int16, Edm.Int32 or Edm.Int64",
                    );
                    Primitive::Int32
                }
                None => Primitive::Int32,
            },
            None => Primitive::Int32,
        };
        let mut members = Vec::with_capacity(ty.members.len());
        for (position, member) in ty.members.iter().enumerate() {
            let slot = MemberRef::EnumMember(position as u32);
            self.declare_member(id, &member.name, slot, "enum member");
            let value = match &member.value {
                None if ty.is_flags => {
                    self.diagnostics.error(
                        member.name.span,
                        format!(
                            "the member `{}` of a flags enum needs a `Value`",
                            member.name.value
                        ),
                    );
                    0
                }
                None => position as i64,
                Some(written) => match written.value.trim().parse::<i64>() {
                    Ok(value) => value,
                    Err(_) => {
                        self.diagnostics.error(
                            written.span,
                            format!(
                                "the enum member value `{}` is not an integer",
                                written.value
                            ),
                        );
                        0
                    }
                },
            };
            members.push(MemberDef {
                name: member.name.value.clone(),
                value,
                description: annotation_description(&self.qualifiers, &member.annotations),
            });
        }
        EnumDef {
            underlying,
            is_flags: ty.is_flags,
            members,
        }
    }

    fn link_derived(&mut self, types: &mut [TypeDef]) {
        let mut derived: BTreeMap<TypeId, Vec<TypeId>> = BTreeMap::new();
        for (index, ty) in types.iter().enumerate() {
            if let TypeKind::Structured(def) = &ty.kind {
                if let Some(base) = def.base {
                    derived.entry(base).or_default().push(TypeId(index as u32));
                }
            }
        }
        for (base, children) in derived {
            match &mut types[base.index()].kind {
                TypeKind::Structured(def) => def.derived = children,
                _ => {
                    for child in children {
                        self.diagnostics.error(
                            types[child.index()].span,
                            format!(
                                "the base type of `{}` is `{}`, which is not an entity or complex type",
                                types[child.index()].qualified_name(),
                                types[base.index()].qualified_name()
                            ),
                        );
                    }
                }
            }
        }
        // Kinds must match and inheritance must not loop.
        for index in 0..types.len() {
            let TypeKind::Structured(def) = &types[index].kind else {
                continue;
            };
            let Some(base) = def.base else { continue };
            if let TypeKind::Structured(base_def) = &types[base.index()].kind {
                if base_def.kind != def.kind {
                    self.diagnostics.error(
                        types[index].span,
                        format!(
                            "`{}` and its base type `{}` must both be entity types or both be complex types",
                            types[index].qualified_name(),
                            types[base.index()].qualified_name()
                        ),
                    );
                }
            }
            let mut chain = vec![TypeId(index as u32)];
            let mut current = base;
            loop {
                if current.index() == index {
                    let names: Vec<String> = chain
                        .iter()
                        .map(|id| format!("`{}`", types[id.index()].qualified_name()))
                        .collect();
                    let mut diagnostic = Diagnostic::error(
                        types[index].span,
                        format!(
                            "inheritance cycle: {} -> `{}`",
                            names.join(" -> "),
                            types[index].qualified_name()
                        ),
                    );
                    for id in &chain[1..] {
                        diagnostic = diagnostic.with_note(
                            Some(types[id.index()].span),
                            format!(
                                "`{}` is part of the cycle",
                                types[id.index()].qualified_name()
                            ),
                        );
                    }
                    self.diagnostics.push(diagnostic);
                    // Break the cycle so later stages terminate.
                    if let TypeKind::Structured(def) = &mut types[index].kind {
                        def.base = None;
                    }
                    break;
                }
                if chain.contains(&current) {
                    break;
                }
                chain.push(current);
                match &types[current.index()].kind {
                    TypeKind::Structured(def) => match def.base {
                        Some(next) => current = next,
                        None => break,
                    },
                    _ => break,
                }
            }
        }
    }

    fn check_keys(&mut self, types: &[TypeDef]) {
        for index in 0..self.declared.len() {
            let Declared::Structured(ty) = self.declared[index].declared else {
                continue;
            };
            if ty.kind != syntax::StructuredKind::Entity {
                continue;
            }
            let id = TypeId(index as u32);
            for key in &ty.key {
                let path = key.name.as_str();
                if let Err(message) = key_path_target(types, id, path) {
                    self.diagnostics.error(
                        key.name.span,
                        format!("the key names `{path}`, which {message}"),
                    );
                    continue;
                }
                match (&key.alias, path.contains('/')) {
                    (None, true) => self.diagnostics.error(
                        key.name.span,
                        format!("the key property path `{path}` needs an `Alias` that names it in URLs"),
                    ),
                    (Some(alias), false) => self.diagnostics.warning(
                        alias.span,
                        format!("`Alias` is only for a key property path; `{path}` is a property, the alias is not used"),
                    ),
                    _ => {}
                }
            }
        }
    }

    fn operations(&mut self, descriptions: &Descriptions<'d, 'a>) -> Vec<OperationDef<'a>> {
        let mut operations = Vec::with_capacity(self.operations.len());
        for index in 0..self.operations.len() {
            let OperationEntry {
                written_namespace,
                namespace,
                operation,
            } = self.operations[index];
            let mut parameters = operation.parameters.iter();
            let binding = if operation.is_bound {
                match parameters.next() {
                    None => {
                        self.diagnostics.error(
                            operation.name.span,
                            format!(
                                "the bound operation `{}` has no binding parameter",
                                operation.name.value
                            ),
                        );
                        continue;
                    }
                    Some(first) => {
                        let Some(use_) = self.type_use(
                            &first.type_name,
                            first.nullable,
                            "binding parameter type",
                        ) else {
                            continue;
                        };
                        match use_.target {
                            TypeTarget::Named(ty) => Some(Binding {
                                ty,
                                collection: use_.collection,
                            }),
                            TypeTarget::Primitive(_) => {
                                self.diagnostics.error(
                                    first.type_name.span,
                                    "a binding parameter must be an entity or complex type",
                                );
                                continue;
                            }
                        }
                    }
                }
            } else {
                None
            };
            let mut resolved = Vec::with_capacity(parameters.len());
            let mut ok = true;
            for parameter in parameters {
                match self.type_use(&parameter.type_name, parameter.nullable, "parameter type") {
                    Some(ty) => resolved.push(ParameterDef {
                        name: parameter.name.value.clone(),
                        ty,
                    }),
                    None => ok = false,
                }
            }
            let return_type = match &operation.return_type {
                Some(r) => match self.type_use(&r.type_name, r.nullable, "return type") {
                    Some(ty) => Some(ty),
                    None => {
                        ok = false;
                        None
                    }
                },
                None => None,
            };
            if !ok {
                continue;
            }
            let name = operation.name.as_str();
            operations.push(OperationDef {
                kind: operation.kind.into(),
                namespace: written_namespace.clone(),
                name: operation.name.value.clone(),
                binding,
                parameters: resolved,
                return_type,
                is_composable: operation.is_composable,
                description: annotation_description(&self.qualifiers, &operation.annotations)
                    .or_else(|| description_of(descriptions, TargetKey::Operation(index)))
                    .or_else(|| {
                        let first = self.operations_by_name.get(&(namespace, name))?[0];
                        description_of(descriptions, TargetKey::OperationAll(first))
                    }),
                span: operation.name.span,
            });
        }
        // Type ids follow qualified-name order, so comparing ids compares names.
        operations.sort_by(|a, b| {
            (
                &a.namespace,
                &a.name,
                a.binding.map(|x| (x.ty, x.collection)),
            )
                .cmp(&(
                    &b.namespace,
                    &b.name,
                    b.binding.map(|x| (x.ty, x.collection)),
                ))
                .then_with(|| {
                    a.parameters
                        .iter()
                        .map(|p| &p.name)
                        .cmp(b.parameters.iter().map(|p| &p.name))
                })
                .then(a.span.cmp(&b.span))
        });
        operations
    }

    fn container(
        &mut self,
        types: &[TypeDef<'a>],
        descriptions: &Descriptions<'d, 'a>,
    ) -> Option<Container<'a>> {
        let document = self.document;
        let mut found = Vec::new();
        for schema in &document.schemas {
            for container in &schema.entity_containers {
                found.push(container);
            }
        }
        if found.len() > 1 {
            self.diagnostics.push(
                Diagnostic::error(
                    found[1].name.span,
                    "a document may have only one entity container",
                )
                .with_note(Some(found[0].name.span), "the first one is here"),
            );
        }
        let (_, container) = self.container?;
        let written_namespace = self.container_namespace?;
        let mut children = Vec::with_capacity(container.children.len());
        let mut seen: FastMap<&str, Span> = fast_map(container.children.len());
        for child in &container.children {
            if let Some(first) = seen.insert(child.name.as_str(), child.name.span) {
                self.diagnostics.push(
                    Diagnostic::error(
                        child.name.span,
                        format!(
                            "the entity set or singleton `{}` is declared twice",
                            child.name.value
                        ),
                    )
                    .with_note(Some(first), "first declared here"),
                );
            }
            let Some(ty) = self.named_type(
                child.type_name.as_str(),
                child.type_name.span,
                "entity type",
            ) else {
                continue;
            };
            if !matches!(&types[ty.index()].kind, TypeKind::Structured(def) if def.kind == StructuredKind::Entity)
            {
                self.diagnostics.error(
                    child.type_name.span,
                    format!("`{}` is not an entity type", child.type_name.value),
                );
                continue;
            }
            let inline = restrictions(
                Capabilities::default(),
                child
                    .annotations
                    .iter()
                    .map(|a| (capabilities_term(&self.qualifiers, a.term.as_str()), a)),
            );
            let capabilities =
                match descriptions.get(&TargetKey::ContainerChild(child.name.as_str())) {
                    Some(annotations) => restrictions(
                        inline,
                        annotations.map(|(namespace, name, annotation)| {
                            (
                                (namespace == CAPABILITIES_NAMESPACE).then_some(name),
                                annotation,
                            )
                        }),
                    ),
                    None => inline,
                };
            children.push(ContainerEntry {
                kind: child.kind.into(),
                name: child.name.value.clone(),
                ty,
                capabilities,
                description: annotation_description(&self.qualifiers, &child.annotations).or_else(
                    || description_of(descriptions, TargetKey::ContainerChild(child.name.as_str())),
                ),
                span: child.name.span,
            });
            for binding in &child.bindings {
                self.check_binding(ty, binding);
            }
        }
        children.sort_by(|a, b| a.name.cmp(&b.name));
        Some(Container {
            namespace: written_namespace.clone(),
            name: container.name.value.clone(),
            children,
        })
    }

    /// Gives types, properties, navigation properties and enum members without an inline
    /// description the one from `Annotations` blocks, and navigation properties the
    /// Capabilities restrictions of the blocks that target them (`ns.type/navigation`). One
    /// pass over the blocks' targets, each already resolved to its type and member.
    fn attach_annotations(&self, types: &mut [TypeDef<'a>], descriptions: &Descriptions<'d, 'a>) {
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

    /// Navigation property bindings do not affect code; a path or target that does not resolve
    /// is a warning (real Graph metadata ships several).
    fn check_binding(&mut self, source: TypeId, binding: &'d syntax::NavigationBinding<'a>) {
        let path = binding.path.as_str();
        if let Err(segment) = self.walk_path(source, path.split('/')) {
            self.diagnostics.push(
                Diagnostic::warning(
                    binding.path.span,
                    format!("the navigation property binding path `{path}` does not resolve"),
                )
                .with_note(None, format!("`{segment}` is not a navigation property, structural property or type of the path")),
            );
        }
        let target = binding.target.as_str();
        let mut segments = target.split('/').peekable();
        // An optional leading `Namespace.Container/`.
        if let (Some(first), Some((container_namespace, container))) =
            (segments.peek().copied(), self.container)
        {
            if let Some((qualifier, name)) = split_at_last_dot(first) {
                if self.qualifiers.get(qualifier) == Some(&container_namespace)
                    && name == container.name.as_str()
                {
                    segments.next();
                }
            }
        }
        let first = segments.next().unwrap_or_default();
        let problem = match self.container_children.get(first).copied() {
            None => Some(format!(
                "`{first}` is not an entity set or singleton of the container"
            )),
            Some(child) => {
                let start = self.lookup_written(child.type_name.as_str());
                match start {
                    None => None, // reported as an error on the entity set
                    Some(start) => self.walk_path(start, segments).err().map(|segment| {
                        format!("`{segment}` is not a navigation property, structural property or type of the path")
                    }),
                }
            }
        };
        if let Some(problem) = problem {
            self.diagnostics.push(
                Diagnostic::warning(
                    binding.target.span,
                    format!("the navigation property binding target `{target}` does not resolve"),
                )
                .with_note(None, problem),
            );
        }
    }

    /// A written qualified type name (`alias.Name` or `Collection(ns.Name)`), resolved quietly.
    fn lookup_written(&self, written: &str) -> Option<TypeId> {
        let inner = written
            .strip_prefix("Collection(")
            .and_then(|rest| rest.strip_suffix(')'))
            .unwrap_or(written);
        let (qualifier, simple) = split_at_last_dot(inner)?;
        self.lookup(qualifier, simple)
    }

    /// Follows a path of properties, navigation properties and type casts from `start`. Returns
    /// the first segment that names nothing.
    fn walk_path<'s>(
        &self,
        start: TypeId,
        segments: impl Iterator<Item = &'s str>,
    ) -> Result<TypeId, &'s str> {
        let mut current = start;
        for segment in segments {
            if segment.is_empty() {
                return Err(segment);
            }
            if let Some((qualifier, simple)) = split_at_last_dot(segment) {
                current = self.lookup(qualifier, simple).ok_or(segment)?;
                continue;
            }
            current = self.member_type(current, segment).ok_or(segment)?;
        }
        Ok(current)
    }

    /// The type of the property or navigation property `name` of `id` or its base types.
    fn member_type(&self, id: TypeId, name: &str) -> Option<TypeId> {
        let mut current = Some(id);
        let mut steps = 0;
        while let Some(id) = current {
            steps += 1;
            if steps > self.declared.len() {
                return None;
            }
            let Declared::Structured(ty) = self.declared_of(id) else {
                return None;
            };
            if let Some(navigation) = ty
                .navigation_properties
                .iter()
                .find(|n| n.name.value == name)
            {
                return self.lookup_written(navigation.type_name.as_str());
            }
            if let Some(property) = ty.properties.iter().find(|p| p.name.value == name) {
                return self.lookup_written(property.type_name.as_str());
            }
            current = ty
                .base_type
                .as_ref()
                .and_then(|base| self.lookup_written(base.as_str()));
        }
        None
    }

    /// The member `name` of the type `id` (an enum, or a structured type with its base types):
    /// the type that declares it, and which member it is. Each type's members are indexed the
    /// first time a target names one of them (a type such as Graph's `user` has over a hundred,
    /// targeted one by one); types no target names are never indexed.
    fn member_of(&mut self, id: TypeId, name: &str) -> Option<(TypeId, MemberRef)> {
        let mut current = Some(id);
        let mut steps = 0;
        while let Some(id) = current {
            steps += 1;
            if steps > self.declared.len() {
                return None;
            }
            if !self.members_indexed[id.index()] {
                self.members_indexed[id.index()] = true;
                self.index_members(id);
            }
            if let Some(&member) = self.members.get(&(id, name)) {
                return Some((id, member));
            }
            current = match self.declared_of(id) {
                Declared::Structured(ty) => ty
                    .base_type
                    .as_ref()
                    .and_then(|base| self.lookup_written(base.as_str())),
                _ => None,
            };
        }
        None
    }

    /// Indexes the annotations of every `Annotations` block by what they target, warning about
    /// targets that name nothing, unknown terms and conflicting duplicates.
    fn collect_descriptions(&mut self) -> Descriptions<'d, 'a> {
        let document = self.document;
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
    fn resolve_term(&mut self, term: &'d str, span: Span) -> Option<(&'d str, &'d str)> {
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

    fn resolve_new_term(&mut self, term: &'d str, span: Span) -> Option<(&'d str, &'d str)> {
        let Some((qualifier, name)) = split_at_last_dot(term) else {
            self.diagnostics.warning(
                span,
                format!("the annotation term `{term}` is not a qualified name"),
            );
            return None;
        };
        let Some(namespace) = self.qualifiers.get(qualifier).copied() else {
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
            .document
            .schemas
            .iter()
            .any(|s| s.namespace.value == namespace);
        if is_schema && !self.terms.contains_key(&(namespace, name)) {
            self.diagnostics.warning(
                span,
                format!("the annotation term `{term}` is not declared in `{namespace}`"),
            );
        }
        Some((namespace, name))
    }

    /// Resolves an `Annotations` target; warns and returns `None` when it names nothing.
    fn resolve_target(&mut self, written: &'d Spanned<Text<'a>>) -> Option<TargetKey<'d>> {
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
        let Some(namespace) = self.namespace_of(qualifier) else {
            return nothing(
                self,
                Some(format!(
                    "`{qualifier}` is no namespace or alias of this document"
                )),
            );
        };
        // An operation, all overloads or one of them: `ns.op`, `ns.op(type,...)`.
        if let Some(overloads) = self.operations_by_name.get(&(namespace, name)) {
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
                            self.operations[i]
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
        if let Some(&id) = self.by_name.get(&(namespace, name)) {
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
        if let Some((container_namespace, container)) = self.container {
            if container_namespace == namespace && container.name.value == name {
                let Some(path) = rest.strip_prefix('/') else {
                    return if rest.is_empty() {
                        Some(TargetKey::Container)
                    } else {
                        nothing(self, None)
                    };
                };
                let first = path.split('/').next().unwrap_or(path);
                if !self.container_children.contains_key(first) {
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
        if rest.is_empty() && self.terms.contains_key(&(namespace, name)) {
            return Some(TargetKey::Term(namespace, name));
        }
        // Only a near miss is worth a hint here: the target may name something removed.
        let note = self
            .closest_type_within(namespace, name, 2)
            .map(|suggestion| format!("did you mean `{suggestion}`?"));
        nothing(self, note)
    }

    /// Whether the overload `index` has the parameter types written in an annotation target:
    /// all its parameters, or (as for actions) only the binding parameter.
    fn signature_matches(&self, index: usize, types: &str) -> bool {
        let operation = self.operations[index].operation;
        let written: Vec<&str> = if types.trim().is_empty() {
            Vec::new()
        } else {
            types.split(',').map(str::trim).collect()
        };
        let same = |a: &str, b: &str| self.normal_type(a) == self.normal_type(b);
        let all = written.len() == operation.parameters.len()
            && written
                .iter()
                .zip(&operation.parameters)
                .all(|(w, p)| same(w, p.type_name.as_str()));
        let binding_only = operation.is_bound
            && operation.kind == syntax::OperationKind::Action
            && written.len() == 1
            && operation
                .parameters
                .first()
                .is_some_and(|p| same(written[0], p.type_name.as_str()));
        all || binding_only
    }

    /// A type reference with its qualifier replaced by the namespace: (collection, namespace,
    /// name); `None` when the qualifier is unknown.
    fn normal_type<'t>(&self, text: &'t str) -> Option<(bool, &'t str, &'t str)>
    where
        'd: 't,
    {
        let (inner, collection) = match text
            .strip_prefix("Collection(")
            .and_then(|rest| rest.strip_suffix(')'))
        {
            Some(inner) => (inner.trim(), true),
            None => (text.trim(), false),
        };
        let (qualifier, name) = split_at_last_dot(inner)?;
        if qualifier == "Edm" {
            return Some((collection, "Edm", name));
        }
        let namespace = self.qualifiers.get(qualifier).copied()?;
        Some((collection, namespace, name))
    }

    /// Terms do not affect code: a malformed `AppliesTo` is a warning.
    fn check_terms(&mut self) {
        let document = self.document;
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
                            .is_some_and(|(q, n)| self.lookup(q, n).is_some());
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
fn same_text(a: &str, b: &str) -> bool {
    (a.as_ptr() == b.as_ptr() && a.len() == b.len()) || a == b
}

/// What annotations can set on a member of the model.
struct ModelMember<'m, 'a> {
    description: &'m mut Option<Text<'a>>,
    capabilities: Option<&'m mut Capabilities>,
}

/// The model's member for a member of the type's element, if it is there under the same name
/// (it is, unless resolving the type reported an error and left members out).
fn model_member<'m, 'a>(
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
fn capabilities_term<'t>(qualifiers: &FastMap<&str, &str>, term: &'t str) -> Option<&'t str> {
    match inline_term(qualifiers, term)? {
        (CAPABILITIES_NAMESPACE, name) => Some(name),
        _ => None,
    }
}

/// `capabilities` restricted by Insert-, Update- and DeleteRestrictions records among
/// `annotations` (term name if a Capabilities term, annotation). A record property that is
/// `false` forbids; anything else leaves the capability as it was. An `UpdateRestrictions`
/// record whose `UpdateMethod` is `PUT` (`Org.OData.Capabilities.V1.HttpMethod/PUT`, under any
/// alias) makes members replaceable.
fn restrictions<'x, 'a: 'x>(
    mut capabilities: Capabilities,
    annotations: impl Iterator<Item = (Option<&'x str>, &'x syntax::Annotation<'a>)>,
) -> Capabilities {
    for (term, annotation) in annotations {
        let (Some(term), None) = (term, &annotation.qualifier) else {
            continue;
        };
        let (property, slot) = match term {
            "InsertRestrictions" => ("Insertable", &mut capabilities.insertable),
            "UpdateRestrictions" => ("Updatable", &mut capabilities.updatable),
            "DeleteRestrictions" => ("Deletable", &mut capabilities.deletable),
            _ => continue,
        };
        if let AnnotationValue::Record(_, values) = &annotation.value {
            for (name, value) in values {
                if name.as_ref() == property {
                    if let AnnotationValue::Bool(allowed) = value {
                        *slot = *allowed;
                    }
                }
            }
            if term == "UpdateRestrictions" {
                let puts = values.iter().any(|(name, value)| {
                    name.as_ref() == "UpdateMethod"
                        && matches!(value, AnnotationValue::EnumMember(member)
                            if member.as_ref().ends_with("HttpMethod/PUT"))
                });
                capabilities.replaceable |= puts;
            }
        }
    }
    capabilities
}

/// The description of a target from `Annotations` blocks.
fn description_of<'d, 'a: 'd>(
    descriptions: &Descriptions<'d, 'a>,
    key: TargetKey<'d>,
) -> Option<Text<'a>> {
    describe(descriptions.get(&key)?)
}

/// The first `Core.Description` and `Core.LongDescription` (without a qualifier) among a
/// target's annotations.
fn describe<'d, 'a: 'd>(annotations: impl Iterator<Item = Applied<'d, 'a>>) -> Option<Text<'a>> {
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
fn annotation_description<'a>(
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
fn inline_term<'t>(qualifiers: &FastMap<&str, &str>, term: &'t str) -> Option<(&'t str, &'t str)> {
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
fn join_descriptions<'a>(short: Option<&Text<'a>>, long: Option<&Text<'a>>) -> Option<Text<'a>> {
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
fn trimmed<'a>(text: &Text<'a>) -> Text<'a> {
    match text {
        Cow::Borrowed(text) => Cow::Borrowed(text.trim()),
        Cow::Owned(text) => Cow::Owned(text.trim().to_string()),
    }
}

/// Splits `a.b.c.Name` into (`a.b.c`, `Name`).
pub fn split_qualified(qualified: &str) -> (&str, &str) {
    split_at_last_dot(qualified).unwrap_or(("", qualified))
}

/// The Levenshtein distance between `a` and `b`, ignoring ASCII case, if it is at most `limit`
/// (only the band of the table within `limit` of the diagonal is computed).
fn distance_within(a: &[u8], b: &[u8], limit: usize) -> Option<usize> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::edit_distance;

    #[test]
    fn the_banded_distance_agrees_with_the_full_one_within_its_limit() {
        let words = [
            "order",
            "ordr",
            "orders",
            "Order",
            "adress",
            "address",
            "x",
            "",
            "prodcut",
            "product",
            "accessPackageAssignment",
            "accessPackageAssignments",
            "acessPackageAsignment",
            "accessPackageAssignmentPolicy",
            "packageAssignmentAccess",
        ];
        for a in words {
            for b in words {
                let full = edit_distance(&a.to_ascii_lowercase(), &b.to_ascii_lowercase());
                for limit in 0..4 {
                    let banded = distance_within(a.as_bytes(), b.as_bytes(), limit);
                    assert_eq!(banded, (full <= limit).then_some(full), "{a} {b} {limit}");
                }
            }
        }
    }

    #[test]
    fn keys_and_qualified_comparison_order_names_as_their_qualified_strings() {
        // Namespaces that are prefixes of one another interleave their names.
        let namespaces = ["ns", "ns.sub", "ns.subx", "nt", "n"];
        let names = [
            "a",
            "sub",
            "subx",
            "suba",
            "b",
            "averyveryverylongname1",
            "averyveryverylongname2",
            "averyveryverylongname",
            "Z",
            "_",
        ];
        let mut pairs: Vec<(&str, &str)> = Vec::new();
        for namespace in namespaces {
            for name in names {
                pairs.push((namespace, name));
            }
        }
        let shared = shared_prefix(namespaces.iter().copied());
        assert_eq!(shared, 1);
        let mut by_key = pairs.clone();
        by_key.sort_by(|a, b| {
            sort_key(a.0, a.1, shared)
                .cmp(&sort_key(b.0, b.1, shared))
                .then_with(|| cmp_qualified(*a, *b))
        });
        let mut by_string = pairs.clone();
        by_string.sort_by_key(|(namespace, name)| format!("{namespace}.{name}"));
        assert_eq!(by_key, by_string);
        for a in &pairs {
            for b in &pairs {
                let expected = format!("{}.{}", a.0, a.1).cmp(&format!("{}.{}", b.0, b.1));
                assert_eq!(cmp_qualified(*a, *b), expected, "{a:?} {b:?}");
                let qualified = format!("{}.{}", b.0, b.1);
                let written = qualified.rsplit_once('.').unwrap_or_default();
                assert_eq!(cmp_qualified(*a, written), expected, "{a:?} {b:?}");
            }
        }
    }
}
