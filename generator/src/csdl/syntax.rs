//! The CSDL document as written: elements and attributes, unresolved, with byte positions.
//!
//! Names here are exactly as they appear in the file (`graph.entity`, `Collection(Edm.String)`);
//! resolving them is the next stage's job. Text borrows from the input ([`Text`]); only a value
//! that holds an entity or character reference, or a line break in an attribute, is copied.

use std::borrow::Cow;

use crate::diagnostics::Span;

/// Text from the document: borrowed from the input unless decoding references changed it.
pub type Text<'a> = Cow<'a, str>;

pub use crate::diagnostics::Spanned;

impl Spanned<Text<'_>> {
    /// The text.
    pub fn as_str(&self) -> &str {
        &self.value
    }
}

/// A whole `edmx:Edmx` document.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Document<'a> {
    /// The `Version` attribute of `edmx:Edmx`.
    pub version: Option<Text<'a>>,
    /// The documents it references (`edmx:Reference`), with what it includes of each.
    pub references: Vec<Reference<'a>>,
    /// Every `Schema`, in document order.
    pub schemas: Vec<Schema<'a>>,
}

impl<'a> Document<'a> {
    /// Every `edmx:Include` of every reference, in document order.
    pub fn includes(&self) -> impl Iterator<Item = &Include<'a>> {
        self.references.iter().flat_map(|r| &r.includes)
    }
}

/// An `edmx:Reference`: another document, by URI, and the namespaces included from it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference<'a> {
    /// The `Uri` attribute, as written (relative to the referencing document, or absolute).
    pub uri: Spanned<Text<'a>>,
    /// Its `edmx:Include` elements.
    pub includes: Vec<Include<'a>>,
}

/// An `edmx:Include` of a referenced document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Include<'a> {
    /// The included namespace.
    pub namespace: Spanned<Text<'a>>,
    /// Its alias, if any.
    pub alias: Option<Spanned<Text<'a>>>,
}

/// One `Schema` element.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Schema<'a> {
    /// The namespace, such as `microsoft.graph`.
    pub namespace: Spanned<Text<'a>>,
    /// The alias, such as `graph`.
    pub alias: Option<Spanned<Text<'a>>>,
    /// Entity and complex types.
    pub structured_types: Vec<StructuredType<'a>>,
    /// Enum types.
    pub enum_types: Vec<EnumType<'a>>,
    /// Type definitions.
    pub type_definitions: Vec<TypeDefinition<'a>>,
    /// Actions and functions.
    pub operations: Vec<Operation<'a>>,
    /// Terms.
    pub terms: Vec<Term<'a>>,
    /// Entity containers (CSDL allows at most one per document, Graph has one).
    pub entity_containers: Vec<EntityContainer<'a>>,
    /// `Annotations` blocks.
    pub annotation_blocks: Vec<AnnotationBlock<'a>>,
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
pub struct StructuredType<'a> {
    /// Which of the two.
    pub kind: StructuredKind,
    /// The simple name.
    pub name: Spanned<Text<'a>>,
    /// The `BaseType` attribute as written.
    pub base_type: Option<Spanned<Text<'a>>>,
    /// `Abstract="true"`.
    pub is_abstract: bool,
    /// `OpenType="true"`.
    pub is_open: bool,
    /// `HasStream="true"`.
    pub has_stream: bool,
    /// The key's properties, if the type declares a key.
    pub key: Vec<KeyProperty<'a>>,
    /// Structural properties.
    pub properties: Vec<Property<'a>>,
    /// Navigation properties.
    pub navigation_properties: Vec<NavigationProperty<'a>>,
    /// Annotations written inside the element.
    pub annotations: Vec<Annotation<'a>>,
    /// The whole element's start tag.
    pub span: Span,
}

/// A `PropertyRef` of a `Key`: a property, or (OData 4.01) a path into complex properties
/// (`Info/ID`) with the `Alias` that names it.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyProperty<'a> {
    /// `Name`: the property or the path.
    pub name: Spanned<Text<'a>>,
    /// `Alias`: required for a path, and only allowed for one.
    pub alias: Option<Spanned<Text<'a>>>,
}

/// A structural `Property`.
#[derive(Clone, Debug, PartialEq)]
pub struct Property<'a> {
    /// The name.
    pub name: Spanned<Text<'a>>,
    /// The `Type` attribute as written.
    pub type_name: Spanned<Text<'a>>,
    /// `Nullable` (defaults to true).
    pub nullable: bool,
    /// Annotations written inside the element.
    pub annotations: Vec<Annotation<'a>>,
}

/// A `NavigationProperty`.
#[derive(Clone, Debug, PartialEq)]
pub struct NavigationProperty<'a> {
    /// The name.
    pub name: Spanned<Text<'a>>,
    /// The `Type` attribute as written.
    pub type_name: Spanned<Text<'a>>,
    /// `Nullable` (defaults to true).
    pub nullable: bool,
    /// `ContainsTarget="true"`.
    pub contains_target: bool,
    /// The `Partner` attribute.
    pub partner: Option<Text<'a>>,
    /// Annotations written inside the element.
    pub annotations: Vec<Annotation<'a>>,
}

/// An `EnumType`.
#[derive(Clone, Debug, PartialEq)]
pub struct EnumType<'a> {
    /// The name.
    pub name: Spanned<Text<'a>>,
    /// `UnderlyingType` as written (defaults to `Edm.Int32`).
    pub underlying_type: Option<Spanned<Text<'a>>>,
    /// `IsFlags="true"`.
    pub is_flags: bool,
    /// The members in document order.
    pub members: Vec<EnumMember<'a>>,
    /// Annotations written inside the element.
    pub annotations: Vec<Annotation<'a>>,
}

/// A `Member` of an enum type.
#[derive(Clone, Debug, PartialEq)]
pub struct EnumMember<'a> {
    /// The name.
    pub name: Spanned<Text<'a>>,
    /// The `Value` attribute as written.
    pub value: Option<Spanned<Text<'a>>>,
    /// Annotations written inside the element.
    pub annotations: Vec<Annotation<'a>>,
}

/// A `TypeDefinition`.
#[derive(Clone, Debug, PartialEq)]
pub struct TypeDefinition<'a> {
    /// The name.
    pub name: Spanned<Text<'a>>,
    /// `UnderlyingType` as written.
    pub underlying_type: Spanned<Text<'a>>,
}

/// A `Term`.
#[derive(Clone, Debug, PartialEq)]
pub struct Term<'a> {
    /// The name.
    pub name: Spanned<Text<'a>>,
    /// The `Type` attribute as written.
    pub type_name: Spanned<Text<'a>>,
    /// The `AppliesTo` attribute.
    pub applies_to: Option<Spanned<Text<'a>>>,
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
pub struct Operation<'a> {
    /// Which of the two.
    pub kind: OperationKind,
    /// The name.
    pub name: Spanned<Text<'a>>,
    /// `IsBound="true"`: the first parameter is the binding parameter.
    pub is_bound: bool,
    /// `IsComposable="true"` (functions only).
    pub is_composable: bool,
    /// Parameters in order (the binding parameter first when bound).
    pub parameters: Vec<Parameter<'a>>,
    /// The return type, if any.
    pub return_type: Option<ReturnType<'a>>,
    /// Annotations written inside the element.
    pub annotations: Vec<Annotation<'a>>,
    /// The start tag.
    pub span: Span,
}

/// A `Parameter`.
#[derive(Clone, Debug, PartialEq)]
pub struct Parameter<'a> {
    /// The name.
    pub name: Spanned<Text<'a>>,
    /// The `Type` attribute as written.
    pub type_name: Spanned<Text<'a>>,
    /// `Nullable` (defaults to true).
    pub nullable: bool,
}

/// A `ReturnType`.
#[derive(Clone, Debug, PartialEq)]
pub struct ReturnType<'a> {
    /// The `Type` attribute as written.
    pub type_name: Spanned<Text<'a>>,
    /// `Nullable` (defaults to true).
    pub nullable: bool,
}

/// An `EntityContainer`.
#[derive(Clone, Debug, PartialEq)]
pub struct EntityContainer<'a> {
    /// The name.
    pub name: Spanned<Text<'a>>,
    /// Entity sets and singletons, in document order.
    pub children: Vec<ContainerChild<'a>>,
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
pub struct ContainerChild<'a> {
    /// Which of the two.
    pub kind: ContainerChildKind,
    /// The name (the first URL segment).
    pub name: Spanned<Text<'a>>,
    /// `EntityType` (entity sets) or `Type` (singletons) as written.
    pub type_name: Spanned<Text<'a>>,
    /// `NavigationPropertyBinding` elements.
    pub bindings: Vec<NavigationBinding<'a>>,
    /// Annotations written inside the element.
    pub annotations: Vec<Annotation<'a>>,
}

/// A `NavigationPropertyBinding`.
#[derive(Clone, Debug, PartialEq)]
pub struct NavigationBinding<'a> {
    /// The `Path` attribute.
    pub path: Spanned<Text<'a>>,
    /// The `Target` attribute.
    pub target: Spanned<Text<'a>>,
}

/// An `Annotations` block: annotations applied to a target from outside.
#[derive(Clone, Debug, PartialEq)]
pub struct AnnotationBlock<'a> {
    /// The `Target` attribute as written.
    pub target: Spanned<Text<'a>>,
    /// The annotations.
    pub annotations: Vec<Annotation<'a>>,
}

/// One `Annotation`.
#[derive(Clone, Debug, PartialEq)]
pub struct Annotation<'a> {
    /// The term as written, such as `Org.OData.Core.V1.Description`.
    pub term: Spanned<Text<'a>>,
    /// The `Qualifier` attribute.
    pub qualifier: Option<Text<'a>>,
    /// The value.
    pub value: AnnotationValue<'a>,
}

/// An annotation's value, in any of the forms CSDL allows.
#[derive(Clone, Debug, PartialEq)]
pub enum AnnotationValue<'a> {
    /// No value: for a Boolean term this means true.
    Absent,
    /// `String`.
    String(Text<'a>),
    /// `Bool`.
    Bool(bool),
    /// `Int`.
    Int(i64),
    /// Any other constant (`Date`, `Decimal`, `Float`, `Guid`, ...): kind and text.
    Constant(&'a str, Text<'a>),
    /// `EnumMember`.
    EnumMember(Text<'a>),
    /// `Path`, `PropertyPath`, `NavigationPropertyPath`, `AnnotationPath`: kind and path.
    Path(&'a str, Text<'a>),
    /// `Record`: an optional type and its property values.
    Record(Option<Text<'a>>, Vec<(Text<'a>, AnnotationValue<'a>)>),
    /// `Collection`.
    Collection(Vec<AnnotationValue<'a>>),
}

impl Document<'_> {
    /// Moves every span `by` bytes on: a document that is not the first of a set is read with
    /// offsets from 0 and then placed after the documents before it, so that one offset names
    /// one byte of one document (see [`crate::diagnostics::SourceMap`]).
    pub fn shift_spans(&mut self, by: usize) {
        if by != 0 {
            self.shift(by);
        }
    }
}

/// Moving the spans of a syntax value (see [`Document::shift_spans`]).
trait Shift {
    fn shift(&mut self, by: usize);
}

impl Shift for Span {
    fn shift(&mut self, by: usize) {
        *self = self.shifted(by);
    }
}

impl<T> Shift for Spanned<T> {
    fn shift(&mut self, by: usize) {
        self.span.shift(by);
    }
}

impl<T: Shift> Shift for Option<T> {
    fn shift(&mut self, by: usize) {
        if let Some(value) = self {
            value.shift(by);
        }
    }
}

impl<T: Shift> Shift for Vec<T> {
    fn shift(&mut self, by: usize) {
        for value in self {
            value.shift(by);
        }
    }
}

/// `Shift` for a syntax struct: every field that holds a span. The destructuring names every
/// field, so a field added later must be listed here (or marked `_`) to compile.
macro_rules! shift_fields {
    ($($ty:ident { $($field:ident),* ; $($other:ident),* })*) => {$(
        impl Shift for $ty<'_> {
            fn shift(&mut self, by: usize) {
                let $ty { $($field,)* $($other: _,)* } = self;
                $($field.shift(by);)*
            }
        }
    )*};
}

shift_fields! {
    Document { references, schemas; version }
    Reference { uri, includes; }
    Include { namespace, alias; }
    Schema {
        namespace, alias, structured_types, enum_types, type_definitions, operations, terms,
        entity_containers, annotation_blocks;
    }
    StructuredType {
        name, base_type, key, properties, navigation_properties, annotations, span;
        kind, is_abstract, is_open, has_stream
    }
    KeyProperty { name, alias; }
    Property { name, type_name, annotations; nullable }
    NavigationProperty { name, type_name, annotations; nullable, contains_target, partner }
    EnumType { name, underlying_type, members, annotations; is_flags }
    EnumMember { name, value, annotations; }
    TypeDefinition { name, underlying_type; }
    Term { name, type_name, applies_to; }
    Operation {
        name, parameters, return_type, annotations, span;
        kind, is_bound, is_composable
    }
    Parameter { name, type_name; nullable }
    ReturnType { type_name; nullable }
    EntityContainer { name, children; }
    ContainerChild { name, type_name, bindings, annotations; kind }
    NavigationBinding { path, target; }
    AnnotationBlock { target, annotations; }
    Annotation { term; qualifier, value }
}
