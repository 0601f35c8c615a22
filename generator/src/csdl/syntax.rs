//! The CSDL document as written: elements and attributes, unresolved, with byte positions.
//!
//! Names here are exactly as they appear in the file (`graph.entity`, `Collection(Edm.String)`);
//! resolving them is the next stage's job.

use crate::diagnostics::Span;

/// A value and where it was written.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Spanned<T> {
    /// The value.
    pub value: T,
    /// Where it is in the source.
    pub span: Span,
}

impl<T> Spanned<T> {
    /// Pairs a value with its span.
    pub fn new(value: T, span: Span) -> Self {
        Spanned { value, span }
    }
}

impl Spanned<String> {
    /// The text.
    pub fn as_str(&self) -> &str {
        &self.value
    }
}

/// A whole `edmx:Edmx` document.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Document {
    /// The `Version` attribute of `edmx:Edmx`.
    pub version: Option<String>,
    /// Vocabularies included through `edmx:Reference`/`edmx:Include`.
    pub includes: Vec<Include>,
    /// Every `Schema`, in document order.
    pub schemas: Vec<Schema>,
}

/// An `edmx:Include` of a referenced document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Include {
    /// The included namespace.
    pub namespace: String,
    /// Its alias, if any.
    pub alias: Option<String>,
}

/// One `Schema` element.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Schema {
    /// The namespace, such as `microsoft.graph`.
    pub namespace: Spanned<String>,
    /// The alias, such as `graph`.
    pub alias: Option<Spanned<String>>,
    /// Entity and complex types.
    pub structured_types: Vec<StructuredType>,
    /// Enum types.
    pub enum_types: Vec<EnumType>,
    /// Type definitions.
    pub type_definitions: Vec<TypeDefinition>,
    /// Actions and functions.
    pub operations: Vec<Operation>,
    /// Terms.
    pub terms: Vec<Term>,
    /// Entity containers (CSDL allows at most one per document, Graph has one).
    pub entity_containers: Vec<EntityContainer>,
    /// `Annotations` blocks.
    pub annotation_blocks: Vec<AnnotationBlock>,
}

/// Entity type or complex type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StructuredKind {
    /// `EntityType`: has a key and an address.
    Entity,
    /// `ComplexType`: a structured value without identity.
    Complex,
}

/// An `EntityType` or `ComplexType`.
#[derive(Clone, Debug, PartialEq)]
pub struct StructuredType {
    /// Which of the two.
    pub kind: StructuredKind,
    /// The simple name.
    pub name: Spanned<String>,
    /// The `BaseType` attribute as written.
    pub base_type: Option<Spanned<String>>,
    /// `Abstract="true"`.
    pub is_abstract: bool,
    /// `OpenType="true"`.
    pub is_open: bool,
    /// `HasStream="true"`.
    pub has_stream: bool,
    /// The key's property names, if the type declares a key.
    pub key: Vec<Spanned<String>>,
    /// Structural properties.
    pub properties: Vec<Property>,
    /// Navigation properties.
    pub navigation_properties: Vec<NavigationProperty>,
    /// Annotations written inside the element.
    pub annotations: Vec<Annotation>,
    /// The whole element's start tag.
    pub span: Span,
}

/// A structural `Property`.
#[derive(Clone, Debug, PartialEq)]
pub struct Property {
    /// The name.
    pub name: Spanned<String>,
    /// The `Type` attribute as written.
    pub type_name: Spanned<String>,
    /// `Nullable` (defaults to true).
    pub nullable: bool,
    /// Annotations written inside the element.
    pub annotations: Vec<Annotation>,
}

/// A `NavigationProperty`.
#[derive(Clone, Debug, PartialEq)]
pub struct NavigationProperty {
    /// The name.
    pub name: Spanned<String>,
    /// The `Type` attribute as written.
    pub type_name: Spanned<String>,
    /// `Nullable` (defaults to true).
    pub nullable: bool,
    /// `ContainsTarget="true"`.
    pub contains_target: bool,
    /// The `Partner` attribute.
    pub partner: Option<String>,
    /// Annotations written inside the element.
    pub annotations: Vec<Annotation>,
}

/// An `EnumType`.
#[derive(Clone, Debug, PartialEq)]
pub struct EnumType {
    /// The name.
    pub name: Spanned<String>,
    /// `UnderlyingType` as written (defaults to `Edm.Int32`).
    pub underlying_type: Option<Spanned<String>>,
    /// `IsFlags="true"`.
    pub is_flags: bool,
    /// The members in document order.
    pub members: Vec<EnumMember>,
    /// Annotations written inside the element.
    pub annotations: Vec<Annotation>,
}

/// A `Member` of an enum type.
#[derive(Clone, Debug, PartialEq)]
pub struct EnumMember {
    /// The name.
    pub name: Spanned<String>,
    /// The `Value` attribute as written.
    pub value: Option<Spanned<String>>,
    /// Annotations written inside the element.
    pub annotations: Vec<Annotation>,
}

/// A `TypeDefinition`.
#[derive(Clone, Debug, PartialEq)]
pub struct TypeDefinition {
    /// The name.
    pub name: Spanned<String>,
    /// `UnderlyingType` as written.
    pub underlying_type: Spanned<String>,
}

/// A `Term`.
#[derive(Clone, Debug, PartialEq)]
pub struct Term {
    /// The name.
    pub name: Spanned<String>,
    /// The `Type` attribute as written.
    pub type_name: Spanned<String>,
    /// The `AppliesTo` attribute.
    pub applies_to: Option<String>,
}

/// Action or function.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OperationKind {
    /// Has side effects; invoked with POST.
    Action,
    /// No side effects; invoked with GET.
    Function,
}

/// An `Action` or `Function`.
#[derive(Clone, Debug, PartialEq)]
pub struct Operation {
    /// Which of the two.
    pub kind: OperationKind,
    /// The name.
    pub name: Spanned<String>,
    /// `IsBound="true"`: the first parameter is the binding parameter.
    pub is_bound: bool,
    /// `IsComposable="true"` (functions only).
    pub is_composable: bool,
    /// Parameters in order (the binding parameter first when bound).
    pub parameters: Vec<Parameter>,
    /// The return type, if any.
    pub return_type: Option<ReturnType>,
    /// Annotations written inside the element.
    pub annotations: Vec<Annotation>,
    /// The start tag.
    pub span: Span,
}

/// A `Parameter`.
#[derive(Clone, Debug, PartialEq)]
pub struct Parameter {
    /// The name.
    pub name: Spanned<String>,
    /// The `Type` attribute as written.
    pub type_name: Spanned<String>,
    /// `Nullable` (defaults to true).
    pub nullable: bool,
}

/// A `ReturnType`.
#[derive(Clone, Debug, PartialEq)]
pub struct ReturnType {
    /// The `Type` attribute as written.
    pub type_name: Spanned<String>,
    /// `Nullable` (defaults to true).
    pub nullable: bool,
}

/// An `EntityContainer`.
#[derive(Clone, Debug, PartialEq)]
pub struct EntityContainer {
    /// The name.
    pub name: Spanned<String>,
    /// Entity sets and singletons, in document order.
    pub children: Vec<ContainerChild>,
}

/// Entity set or singleton.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ContainerChildKind {
    /// `EntitySet`: a collection of entities addressed by key.
    EntitySet,
    /// `Singleton`: one entity.
    Singleton,
}

/// An `EntitySet` or `Singleton`.
#[derive(Clone, Debug, PartialEq)]
pub struct ContainerChild {
    /// Which of the two.
    pub kind: ContainerChildKind,
    /// The name (the first URL segment).
    pub name: Spanned<String>,
    /// `EntityType` (entity sets) or `Type` (singletons) as written.
    pub type_name: Spanned<String>,
    /// `NavigationPropertyBinding` elements.
    pub bindings: Vec<NavigationBinding>,
    /// Annotations written inside the element.
    pub annotations: Vec<Annotation>,
}

/// A `NavigationPropertyBinding`.
#[derive(Clone, Debug, PartialEq)]
pub struct NavigationBinding {
    /// The `Path` attribute.
    pub path: Spanned<String>,
    /// The `Target` attribute.
    pub target: Spanned<String>,
}

/// An `Annotations` block: annotations applied to a target from outside.
#[derive(Clone, Debug, PartialEq)]
pub struct AnnotationBlock {
    /// The `Target` attribute as written.
    pub target: Spanned<String>,
    /// The annotations.
    pub annotations: Vec<Annotation>,
}

/// One `Annotation`.
#[derive(Clone, Debug, PartialEq)]
pub struct Annotation {
    /// The term as written, such as `Org.OData.Core.V1.Description`.
    pub term: Spanned<String>,
    /// The `Qualifier` attribute.
    pub qualifier: Option<String>,
    /// The value.
    pub value: AnnotationValue,
}

/// An annotation's value, in any of the forms CSDL allows.
#[derive(Clone, Debug, PartialEq)]
pub enum AnnotationValue {
    /// No value: for a Boolean term this means true.
    Absent,
    /// `String`.
    String(String),
    /// `Bool`.
    Bool(bool),
    /// `Int`.
    Int(i64),
    /// Any other constant (`Date`, `Decimal`, `Float`, `Guid`, ...): kind and text.
    Constant(String, String),
    /// `EnumMember`.
    EnumMember(String),
    /// `Path`, `PropertyPath`, `NavigationPropertyPath`, `AnnotationPath`: kind and path.
    Path(String, String),
    /// `Record`: an optional type and its property values.
    Record(Option<String>, Vec<(String, AnnotationValue)>),
    /// `Collection`.
    Collection(Vec<AnnotationValue>),
}
