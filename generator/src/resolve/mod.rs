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

mod annotations;
mod container;
mod hash;
mod names;
mod operations;
mod types;

use annotations::*;
use hash::*;
use names::*;
use operations::*;
use types::*;

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

/// Resolves a document. Returns the model and the warnings, or every error.
/// Resolves a document. Returns the model and the warnings, or every error.
pub fn resolve<'a>(
    document: &Document<'a>,
) -> Result<(Model<'a>, Vec<Diagnostic>), Vec<Diagnostic>> {
    let mut diagnostics = Diagnostics::new();
    let names = Names::collect(document, &mut diagnostics);
    let mut resolver = Resolver::new(&names, diagnostics);
    let model = resolver.build();
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

/// The passes after the names are collected: what they share besides the names (which they
/// only read) is the diagnostics and a few caches.
struct Resolver<'n, 'd, 'a> {
    /// The document's names, read-only.
    names: &'n Names<'d, 'a>,
    diagnostics: Diagnostics,
    /// The members of the types that annotation targets name, by name (a type's are indexed
    /// when a target first names it).
    members: FastMap<(TypeId, &'d str), MemberRef>,
    /// Which types' members are in `members`.
    members_indexed: Vec<bool>,
    /// The member names of the type being resolved, to find duplicates (one map, reused).
    seen: FastMap<&'d str, MemberRef>,
    /// The last annotation term resolved without a warning, and its (namespace, name).
    last_term: Option<(&'d str, (&'d str, &'d str))>,
}

impl<'n, 'd, 'a> Resolver<'n, 'd, 'a> {
    fn new(names: &'n Names<'d, 'a>, diagnostics: Diagnostics) -> Self {
        Resolver {
            names,
            diagnostics,
            members: fast_map(0),
            members_indexed: Vec::new(),
            seen: fast_map(64),
            last_term: None,
        }
    }

    fn build(&mut self) -> Model<'a> {
        self.members_indexed = vec![false; self.names.declared.len()];
        let mut types = Vec::with_capacity(self.names.declared.len());
        for index in 0..self.names.declared.len() {
            let decl = self.names.declared[index];
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
                Declared::Structured(t) => {
                    annotation_description(&self.names.qualifiers, &t.annotations)
                }
                Declared::Enum(t) => annotation_description(&self.names.qualifiers, &t.annotations),
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
            .names
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
