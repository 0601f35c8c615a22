//! The resolved service model: every name bound to an id, every type reference checked.
//!
//! Types live in one arena ([`Model::types`]) indexed by [`TypeId`]. Ids follow the order of
//! qualified names, so anything iterated by id comes out in the same order whatever the order of
//! elements in the source document.

use std::cmp::Ordering;

use std::borrow::Cow;

use crate::diagnostics::Span;

/// Text of the model: borrowed from the input document unless it had to be built.
pub type Text<'a> = Cow<'a, str>;

/// Whether a structured type is an entity or a complex type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StructuredKind {
    /// `EntityType`: has a key and an address.
    Entity,
    /// `ComplexType`: a structured value without identity.
    Complex,
}

/// Whether an operation is an action or a function.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OperationKind {
    /// Has side effects; invoked with POST.
    Action,
    /// No side effects; invoked with GET.
    Function,
}

/// Whether a child of the entity container is an entity set or a singleton.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ContainerChildKind {
    /// `EntitySet`: a collection of entities addressed by key.
    EntitySet,
    /// `Singleton`: one entity.
    Singleton,
}

/// Index of a type in [`Model::types`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TypeId(pub u32);

impl TypeId {
    /// The arena index.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// Index of an operation in [`Model::operations`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OperationId(pub u32);

/// The whole service: types, operations and the entity container.
#[derive(Debug, Default)]
pub struct Model<'a> {
    /// Every schema namespace, sorted.
    pub namespaces: Vec<Text<'a>>,
    /// Every type, sorted by qualified name.
    pub types: Vec<TypeDef<'a>>,
    /// Every action and function, sorted by qualified name, then binding type, then parameters.
    pub operations: Vec<OperationDef<'a>>,
    /// The entity container, if the document has one.
    pub container: Option<Container<'a>>,
}

impl<'a> Model<'a> {
    /// The type with this id.
    pub fn ty(&self, id: TypeId) -> &TypeDef<'a> {
        &self.types[id.index()]
    }

    /// The operation with this id.
    pub fn operation(&self, id: OperationId) -> &OperationDef<'a> {
        &self.operations[id.0 as usize]
    }

    /// The structured type with this id, if it is one.
    pub fn structured(&self, id: TypeId) -> Option<&StructuredDef<'a>> {
        match &self.ty(id).kind {
            TypeKind::Structured(def) => Some(def),
            _ => None,
        }
    }

    /// Looks up a type by its full qualified name (`microsoft.graph.entity`): a binary search,
    /// as types are sorted by qualified name.
    pub fn find(&self, qualified_name: &str) -> Option<TypeId> {
        // Names have no dots, so the last one ends the namespace.
        let written = qualified_name.rsplit_once('.')?;
        let index = self
            .types
            .binary_search_by(|ty| cmp_qualified((&ty.namespace, &ty.name), written))
            .ok()?;
        Some(TypeId(index as u32))
    }

    /// Sets the description of a target: `ns.type`, `ns.type/member` (a property, navigation
    /// property or enum member) or `ns.Container/child`. Returns whether the target exists.
    pub fn set_description(&mut self, target: &str, text: &str) -> bool {
        let text = Some(Text::Owned(text.trim().to_string()));
        let (head, member) = match target.split_once('/') {
            Some((head, member)) => (head, Some(member)),
            None => (target, None),
        };
        if let Some(id) = self.find(head) {
            return self.types[id.index()]
                .description_mut(member)
                .map(|slot| *slot = text)
                .is_some();
        }
        let Some(container) = &mut self.container else {
            return false;
        };
        if format!("{}.{}", container.namespace, container.name) != head {
            return false;
        }
        match member.and_then(|m| container.children.iter_mut().find(|c| c.name == m)) {
            Some(child) => {
                child.description = text;
                true
            }
            None => false,
        }
    }

    /// `id` and its base types, the type itself first.
    pub fn ancestors_and_self(&self, id: TypeId) -> Vec<TypeId> {
        ancestors_and_self(&self.types, id)
    }

    /// Every type derived from `id`, directly or not, in id order.
    pub fn descendants(&self, id: TypeId) -> Vec<TypeId> {
        let mut found = Vec::new();
        let mut stack = vec![id];
        while let Some(current) = stack.pop() {
            if let Some(def) = self.structured(current) {
                for &derived in &def.derived {
                    if !found.contains(&derived) {
                        found.push(derived);
                        stack.push(derived);
                    }
                }
            }
        }
        found.sort();
        found
    }

    /// The key of entity type `id`: declared on it or on its nearest base that declares one.
    pub fn key_of(&self, id: TypeId) -> &[KeyDef<'a>] {
        self.ancestors_and_self(id)
            .into_iter()
            .filter_map(|t| self.structured(t))
            .map(|def| def.key.as_slice())
            .find(|key| !key.is_empty())
            .unwrap_or_default()
    }

    /// The type of a key part of `id`: the property its path (`id`, or `info/id` into a complex
    /// property) ends at.
    pub fn key_part_type(&self, id: TypeId, path: &str) -> Option<TypeUse> {
        let mut owner = id;
        let mut found = None;
        for segment in path.split('/') {
            let (_, property) = self
                .all_properties(owner)
                .into_iter()
                .find(|(_, p)| p.name == segment)?;
            found = Some(property.ty);
            if let TypeTarget::Named(next) = property.ty.target {
                owner = next;
            }
        }
        found
    }

    /// The structural properties of `id` including inherited ones, the root base's first.
    pub fn all_properties(&self, id: TypeId) -> Vec<(TypeId, &PropertyDef<'a>)> {
        let mut chain = self.ancestors_and_self(id);
        chain.reverse();
        chain
            .into_iter()
            .flat_map(|owner| {
                self.structured(owner)
                    .into_iter()
                    .flat_map(move |def| def.properties.iter().map(move |p| (owner, p)))
            })
            .collect()
    }

    /// The navigation properties of `id` including inherited ones, the root base's first.
    pub fn all_navigations(&self, id: TypeId) -> Vec<(TypeId, usize, &NavigationDef<'a>)> {
        let mut chain = self.ancestors_and_self(id);
        chain.reverse();
        chain
            .into_iter()
            .flat_map(|owner| {
                self.structured(owner).into_iter().flat_map(move |def| {
                    def.navigations
                        .iter()
                        .enumerate()
                        .map(move |(index, n)| (owner, index, n))
                })
            })
            .collect()
    }
}

/// Compares `ns1.name1` with `ns2.name2` as the qualified strings would compare, without
/// building them: the order of [`Model::types`].
pub fn cmp_qualified(a: (&str, &str), b: (&str, &str)) -> Ordering {
    // Names of one schema share its namespace's text: most comparisons need no look at it.
    if std::ptr::eq(a.0, b.0) || a.0 == b.0 {
        return a.1.cmp(b.1);
    }
    let (x, y) = (a.0.as_bytes(), b.0.as_bytes());
    let common = x.iter().zip(y).take_while(|(p, q)| p == q).count();
    if common < x.len() && common < y.len() {
        return x[common].cmp(&y[common]);
    }
    // One namespace is a prefix of the other: compare what follows it.
    let left = a.0.bytes().chain([b'.']).chain(a.1.bytes());
    let right = b.0.bytes().chain([b'.']).chain(b.1.bytes());
    left.cmp(right)
}

/// `id` and its base types in `types`, the type itself first; stops at a cycle (which resolving
/// reports and breaks).
pub fn ancestors_and_self(types: &[TypeDef<'_>], id: TypeId) -> Vec<TypeId> {
    let mut chain = vec![id];
    let mut current = id;
    while let TypeKind::Structured(def) = &types[current.index()].kind {
        match def.base {
            Some(base) if !chain.contains(&base) => {
                chain.push(base);
                current = base;
            }
            _ => break,
        }
    }
    chain
}

/// One named type.
#[derive(Debug)]
pub struct TypeDef<'a> {
    /// The schema namespace.
    pub namespace: Text<'a>,
    /// The simple name.
    pub name: Text<'a>,
    /// What kind of type.
    pub kind: TypeKind<'a>,
    /// The description from `Core.Description` (and `Core.LongDescription`), if any.
    pub description: Option<Text<'a>>,
    /// Where the type is declared.
    pub span: Span,
}

impl<'a> TypeDef<'a> {
    /// The description of the type (`member` is `None`) or of one of its properties, navigation
    /// properties or enum members, to set it; `None` when there is no such member.
    pub fn description_mut(&mut self, member: Option<&str>) -> Option<&mut Option<Text<'a>>> {
        let Some(member) = member else {
            return Some(&mut self.description);
        };
        match &mut self.kind {
            TypeKind::Structured(def) => def
                .properties
                .iter_mut()
                .find(|p| p.name == member)
                .map(|p| &mut p.description)
                .or_else(|| {
                    def.navigations
                        .iter_mut()
                        .find(|n| n.name == member)
                        .map(|n| &mut n.description)
                }),
            TypeKind::Enum(def) => def
                .members
                .iter_mut()
                .find(|m| m.name == member)
                .map(|m| &mut m.description),
            TypeKind::Definition(_) => None,
        }
    }

    /// `namespace.name`.
    pub fn qualified_name(&self) -> String {
        format!("{}.{}", self.namespace, self.name)
    }
}

/// The kinds of named types.
#[derive(Debug)]
pub enum TypeKind<'a> {
    /// Entity or complex type.
    Structured(StructuredDef<'a>),
    /// Enum type.
    Enum(EnumDef<'a>),
    /// A named primitive (`TypeDefinition`).
    Definition(Primitive),
}

/// An entity or complex type.
#[derive(Debug)]
pub struct StructuredDef<'a> {
    /// Entity or complex.
    pub kind: StructuredKind,
    /// The base type.
    pub base: Option<TypeId>,
    /// Types whose base is this one, sorted.
    pub derived: Vec<TypeId>,
    /// Cannot be instantiated itself.
    pub is_abstract: bool,
    /// Instances may carry undeclared properties.
    pub is_open: bool,
    /// Entity with a media stream.
    pub has_stream: bool,
    /// Key properties (the nearest declared key in the inheritance chain).
    pub key: Vec<KeyDef<'a>>,
    /// Declared structural properties (not inherited ones).
    pub properties: Vec<PropertyDef<'a>>,
    /// Declared navigation properties (not inherited ones).
    pub navigations: Vec<NavigationDef<'a>>,
}

/// A key property: its name, or a path into complex properties (`Info/ID`) with the alias
/// that names it in URLs.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyDef<'a> {
    /// The property, or the path (segments separated by `/`).
    pub path: Text<'a>,
    /// The alias of a path (OData 4.01).
    pub alias: Option<Text<'a>>,
}

/// A structural property.
#[derive(Debug)]
pub struct PropertyDef<'a> {
    /// The name on the wire.
    pub name: Text<'a>,
    /// Its type.
    pub ty: TypeUse,
    /// Its description, if any.
    pub description: Option<Text<'a>>,
}

/// A navigation property.
#[derive(Debug)]
pub struct NavigationDef<'a> {
    /// The name on the wire (and the URL segment).
    pub name: Text<'a>,
    /// The entity type it points to.
    pub target: TypeId,
    /// Whether it is a collection.
    pub collection: bool,
    /// Whether the target is contained (addressed below this entity).
    pub contains_target: bool,
    /// What the service allows through this navigation property (Capabilities annotations).
    pub capabilities: Capabilities,
    /// Its description, if any.
    pub description: Option<Text<'a>>,
}

impl NavigationDef<'_> {
    /// Whether its targets are linked with `$ref`: a navigation that does not contain them,
    /// or one that does and is marked `Referenceable`.
    pub fn has_links(&self) -> bool {
        !self.contains_target || self.capabilities.referenceable
    }
}

/// What the service allows on an entity set, singleton or navigation property, from the
/// `Org.OData.Capabilities.V1` Insert-, Update-, Delete- and NavigationRestrictions
/// annotations. Where the CSDL says nothing, everything is allowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Capabilities {
    /// New members can be created (`POST`).
    pub insertable: bool,
    /// Members can be updated (`PATCH`).
    pub updatable: bool,
    /// Members can be deleted (`DELETE`).
    pub deletable: bool,
    /// Members can be written whole with `PUT`: unless the `UpdateRestrictions` record forbids
    /// updates (`Updatable` false) or names another `UpdateMethod` (`PATCH`). OData lets a
    /// service support `PUT` besides `PATCH`, and Graph documents `PUT` on entities whose
    /// CSDL says nothing, so silence allows it.
    pub replaceable: bool,
    /// A navigation property that contains its targets still has `$ref` links
    /// (`NavigationRestrictions` with `Referenceable` true). A navigation that does not contain
    /// its targets always has them.
    pub referenceable: bool,
}

impl Default for Capabilities {
    fn default() -> Self {
        Capabilities {
            insertable: true,
            updatable: true,
            deletable: true,
            replaceable: true,
            referenceable: false,
        }
    }
}

/// An enum type.
#[derive(Debug)]
pub struct EnumDef<'a> {
    /// The underlying integer type.
    pub underlying: Primitive,
    /// Whether members combine as flags.
    pub is_flags: bool,
    /// Members in document order.
    pub members: Vec<MemberDef<'a>>,
}

/// An enum member.
#[derive(Debug)]
pub struct MemberDef<'a> {
    /// The name on the wire.
    pub name: Text<'a>,
    /// Its integer value.
    pub value: i64,
    /// Its description, if any.
    pub description: Option<Text<'a>>,
}

/// A use of a type: by a property, parameter or return.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TypeUse {
    /// The element type.
    pub target: TypeTarget,
    /// `Collection(...)`.
    pub collection: bool,
    /// Whether null is allowed (for collections: whether the items may be null).
    pub nullable: bool,
}

/// What a type reference points to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TypeTarget {
    /// A built-in `Edm` type.
    Primitive(Primitive),
    /// A named type of the model.
    Named(TypeId),
}

/// The built-in `Edm` types.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[allow(missing_docs)]
pub enum Primitive {
    Binary,
    Boolean,
    Byte,
    Date,
    DateTimeOffset,
    Decimal,
    Double,
    Duration,
    Guid,
    Int16,
    Int32,
    Int64,
    SByte,
    Single,
    Stream,
    String,
    TimeOfDay,
    /// `Edm.Untyped`: any JSON value.
    Untyped,
    /// `Edm.Geography*` and `Edm.Geometry*`: GeoJSON values.
    Geo,
    /// `Edm.PrimitiveType`, `Edm.ComplexType`, `Edm.EntityType`: any value of that family.
    Abstract,
}

impl Primitive {
    /// The CSDL name (`Edm.String`), for documentation and for writing CSDL.
    pub fn edm_name(self) -> &'static str {
        match self {
            Primitive::Binary => "Edm.Binary",
            Primitive::Boolean => "Edm.Boolean",
            Primitive::Byte => "Edm.Byte",
            Primitive::Date => "Edm.Date",
            Primitive::DateTimeOffset => "Edm.DateTimeOffset",
            Primitive::Decimal => "Edm.Decimal",
            Primitive::Double => "Edm.Double",
            Primitive::Duration => "Edm.Duration",
            Primitive::Guid => "Edm.Guid",
            Primitive::Int16 => "Edm.Int16",
            Primitive::Int32 => "Edm.Int32",
            Primitive::Int64 => "Edm.Int64",
            Primitive::SByte => "Edm.SByte",
            Primitive::Single => "Edm.Single",
            Primitive::Stream => "Edm.Stream",
            Primitive::String => "Edm.String",
            Primitive::TimeOfDay => "Edm.TimeOfDay",
            Primitive::Untyped => "Edm.Untyped",
            Primitive::Geo => "Edm.Geography",
            Primitive::Abstract => "Edm.PrimitiveType",
        }
    }

    /// The primitive named `Edm.<name>`, if there is one.
    pub fn from_edm_name(name: &str) -> Option<Primitive> {
        Some(match name {
            "Binary" => Primitive::Binary,
            "Boolean" => Primitive::Boolean,
            "Byte" => Primitive::Byte,
            "Date" => Primitive::Date,
            "DateTimeOffset" => Primitive::DateTimeOffset,
            "Decimal" => Primitive::Decimal,
            "Double" => Primitive::Double,
            "Duration" => Primitive::Duration,
            "Guid" => Primitive::Guid,
            "Int16" => Primitive::Int16,
            "Int32" => Primitive::Int32,
            "Int64" => Primitive::Int64,
            "SByte" => Primitive::SByte,
            "Single" => Primitive::Single,
            "Stream" => Primitive::Stream,
            "String" => Primitive::String,
            "TimeOfDay" => Primitive::TimeOfDay,
            "Untyped" => Primitive::Untyped,
            "PrimitiveType" | "ComplexType" | "EntityType" => Primitive::Abstract,
            other if other.starts_with("Geography") || other.starts_with("Geometry") => {
                Primitive::Geo
            }
            _ => return None,
        })
    }

    /// Whether this is an integer type allowed as an enum's underlying type.
    pub fn is_integer(self) -> bool {
        matches!(
            self,
            Primitive::Byte
                | Primitive::SByte
                | Primitive::Int16
                | Primitive::Int32
                | Primitive::Int64
        )
    }
}

/// An action or function.
#[derive(Debug)]
pub struct OperationDef<'a> {
    /// Action or function.
    pub kind: OperationKind,
    /// The schema namespace.
    pub namespace: Text<'a>,
    /// The simple name.
    pub name: Text<'a>,
    /// The binding parameter's type, for bound operations.
    pub binding: Option<Binding>,
    /// Parameters other than the binding parameter.
    pub parameters: Vec<ParameterDef<'a>>,
    /// The return type, if any.
    pub return_type: Option<TypeUse>,
    /// Whether a function's result can be addressed further.
    pub is_composable: bool,
    /// Its description, if any.
    pub description: Option<Text<'a>>,
    /// Where it is declared.
    pub span: Span,
}

/// What a bound operation is bound to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Binding {
    /// The entity (or complex) type.
    pub ty: TypeId,
    /// Bound to a collection of that type.
    pub collection: bool,
}

/// A parameter of an operation.
#[derive(Debug)]
pub struct ParameterDef<'a> {
    /// The name on the wire.
    pub name: Text<'a>,
    /// Its type.
    pub ty: TypeUse,
}

/// The entity container: the service's top-level resources.
#[derive(Debug)]
pub struct Container<'a> {
    /// The schema namespace it is declared in.
    pub namespace: Text<'a>,
    /// Its name.
    pub name: Text<'a>,
    /// Entity sets and singletons, sorted by name.
    pub children: Vec<ContainerEntry<'a>>,
}

/// An entity set or singleton.
#[derive(Debug)]
pub struct ContainerEntry<'a> {
    /// Entity set or singleton.
    pub kind: ContainerChildKind,
    /// The name (the first URL segment).
    pub name: Text<'a>,
    /// The entity type.
    pub ty: TypeId,
    /// What the service allows on it (Capabilities annotations).
    pub capabilities: Capabilities,
    /// Its description, if any.
    pub description: Option<Text<'a>>,
    /// Where it is declared.
    pub span: Span,
}
