//! The CSDL grammar: one function per element, over the XML layer's tags and attributes, with
//! the child lists built on the parser's stacks.

use super::*;

/// Stacks of the child lists being read, one per element type. A list being read occupies the
/// top of its stack from where it started; when its element closes it moves out into a vector
/// of exactly its length (one allocation, no growth). Nested lists of the same type (annotations
/// of a property inside a type's annotations) are finished before their parent list grows again,
/// so each list stays contiguous.
#[derive(Default)]
pub(super) struct Lists<'a> {
    key: Vec<KeyProperty<'a>>,
    properties: Vec<Property<'a>>,
    navigation_properties: Vec<NavigationProperty<'a>>,
    members: Vec<EnumMember<'a>>,
    parameters: Vec<Parameter<'a>>,
    container_children: Vec<ContainerChild<'a>>,
    bindings: Vec<NavigationBinding<'a>>,
    annotations: Vec<Annotation<'a>>,
    record_properties: Vec<(Text<'a>, AnnotationValue<'a>)>,
    items: Vec<AnnotationValue<'a>>,
}

/// Moves the top of `stack` from `start` on into a vector of exactly that length.
pub(super) fn finish<T>(stack: &mut Vec<T>, start: usize) -> Vec<T> {
    // One allocation of exactly the list's length and one copy; the stack keeps its capacity.
    stack.split_off(start)
}

impl<'a> Parser<'a> {
    #[inline]
    pub(super) fn required(&mut self, tag: &Tag<'a>, name: &str) -> Spanned<Text<'a>> {
        match self.optional(tag, name) {
            Some(value) => value,
            None => self.missing(tag, name),
        }
    }

    /// Reports a missing required attribute; its value reads as empty.
    #[cold]
    #[inline(never)]
    pub(super) fn missing(&mut self, tag: &Tag<'a>, name: &str) -> Spanned<Text<'a>> {
        self.diagnostics.error(
            tag.span(),
            format!(
                "`<{}>` is missing the required attribute `{name}`",
                tag.name
            ),
        );
        Spanned::new(Cow::Borrowed(""), tag.span())
    }

    /// The `Name` of an element that code is named after (a type, member, operation, container
    /// or container child): a CSDL simple identifier, a letter or `_` followed by letters,
    /// digits and `_`, at most 128 characters. (Property and parameter names are not checked:
    /// real Graph metadata has `request-id`.)
    pub(super) fn identifier(&mut self, tag: &Tag<'a>) -> Spanned<Text<'a>> {
        let name = self.required(tag, "Name");
        let text = name.as_str();
        if !is_simple_identifier(text) && !text.is_empty() {
            self.diagnostics.push(
                Diagnostic::error(
                    name.span,
                    format!("`{text}` is not a valid name for `<{}>`", tag.name),
                )
                .with_note(
                    None,
                    "a CSDL name starts with a letter or `_`, continues with letters, digits or `_`, and has at most 128 characters",
                ),
            );
        }
        name
    }

    /// The `Namespace` of a schema, which names a module of the generated code: simple
    /// identifiers separated by dots.
    pub(super) fn namespace(&mut self, tag: &Tag<'a>) -> Spanned<Text<'a>> {
        let namespace = self.required(tag, "Namespace");
        let text = namespace.as_str();
        if !text.is_empty() && !text.split('.').all(is_simple_identifier) {
            self.diagnostics.push(
                Diagnostic::error(
                    namespace.span,
                    format!("`{text}` is not a valid namespace for `<{}>`", tag.name),
                )
                .with_note(
                    None,
                    "a CSDL namespace is names separated by dots; each starts with a letter or `_` and continues with letters, digits or `_`",
                ),
            );
        }
        namespace
    }

    /// The `Alias` of a schema, if any: a simple identifier.
    pub(super) fn alias(&mut self, tag: &Tag<'a>) -> Option<Spanned<Text<'a>>> {
        let alias = self.optional(tag, "Alias")?;
        let text = alias.as_str();
        if !is_simple_identifier(text) {
            self.diagnostics.push(
                Diagnostic::error(
                    alias.span,
                    format!("`{text}` is not a valid alias for `<{}>`", tag.name),
                )
                .with_note(
                    None,
                    "a CSDL alias starts with a letter or `_`, continues with letters, digits or `_`, and has at most 128 characters",
                ),
            );
        }
        Some(alias)
    }

    #[inline(always)]
    pub(super) fn flag(&mut self, tag: &Tag<'a>, name: &str, default: bool) -> bool {
        match self.attribute(tag, name) {
            None => default,
            Some(attribute) => match attribute.value.as_ref() {
                "true" => true,
                "false" => false,
                _ => {
                    let (value, span) = (attribute.value.clone(), attribute.span);
                    self.not_a_flag(name, &value, span, default)
                }
            },
        }
    }

    /// Reports a flag that is neither `true` nor `false`; it reads as its default.
    #[cold]
    #[inline(never)]
    pub(super) fn not_a_flag(
        &mut self,
        name: &str,
        value: &str,
        span: Span,
        default: bool,
    ) -> bool {
        self.diagnostics.error(
            span,
            format!("`{name}` must be `true` or `false`, found `{value}`"),
        );
        default
    }

    pub(super) fn document(&mut self) -> Result<Document<'a>, Fatal> {
        let mut document = Document::default();
        let mut seen_root = false;
        loop {
            match self.next::<true>()? {
                Item::Open(tag) => {
                    if seen_root {
                        return Err(Diagnostic::error(
                            tag.span(),
                            "a second root element after `<edmx:Edmx>`",
                        ));
                    }
                    seen_root = true;
                    if tag.name != "Edmx" {
                        return Err(Diagnostic::error(
                            tag.span(),
                            format!(
                                "expected the root element `<edmx:Edmx>`, found `<{}>`",
                                tag.name
                            ),
                        ));
                    }
                    document.version = self.optional_text(&tag, "Version");
                    self.children(&tag, |parser, child| match child.name {
                        "DataServices" => parser.children(&child, |parser, schema| {
                            if schema.name == "Schema" {
                                let schema = parser.schema(schema)?;
                                document.schemas.push(schema);
                                Ok(())
                            } else {
                                parser.skip(schema)
                            }
                        }),
                        "Reference" => {
                            let uri = parser.required(&child, "Uri");
                            let mut includes = Vec::new();
                            parser.children(&child, |parser, include| {
                                if include.name == "Include" {
                                    let namespace = parser.required(&include, "Namespace");
                                    let alias = parser.optional(&include, "Alias");
                                    includes.push(Include { namespace, alias });
                                }
                                parser.skip(include)
                            })?;
                            document.references.push(Reference { uri, includes });
                            Ok(())
                        }
                        _ => parser.skip(child),
                    })?;
                }
                Item::Close => {
                    return Err(Diagnostic::error(
                        Span::at(self.item_start),
                        "a closing tag without an opening tag",
                    ));
                }
                item @ (Item::Text(_) | Item::RawText(_)) => {
                    let text = match item {
                        Item::RawText(raw) => raw.xml10_content(),
                        Item::Text(text) => text,
                        _ => Cow::Borrowed(""),
                    };
                    if text.trim().is_empty() {
                        continue;
                    }
                    let message = if seen_root {
                        "text after the root element"
                    } else {
                        "expected the root element `<edmx:Edmx>`, found text"
                    };
                    let skipped = text.len() - text.trim_start().len();
                    return Err(Diagnostic::error(
                        Span::at(self.item_start + skipped),
                        message,
                    ));
                }
                Item::End => {
                    if !seen_root {
                        return Err(Diagnostic::error(
                            Span::at(self.offset),
                            "the document is empty: expected `<edmx:Edmx>`",
                        ));
                    }
                    return Ok(document);
                }
            }
        }
    }

    pub(super) fn schema(&mut self, tag: Tag<'a>) -> Result<Schema<'a>, Fatal> {
        let mut schema = Schema {
            namespace: self.namespace(&tag),
            alias: self.alias(&tag),
            ..Schema::default()
        };
        self.children(&tag, |parser, child| {
            match child.name {
                "EntityType" => {
                    let ty = parser.structured_type(child, StructuredKind::Entity)?;
                    schema.structured_types.push(ty);
                }
                "ComplexType" => {
                    let ty = parser.structured_type(child, StructuredKind::Complex)?;
                    schema.structured_types.push(ty);
                }
                "EnumType" => {
                    let ty = parser.enum_type(child)?;
                    schema.enum_types.push(ty);
                }
                "TypeDefinition" => {
                    let definition = TypeDefinition {
                        name: parser.identifier(&child),
                        underlying_type: parser.required(&child, "UnderlyingType"),
                    };
                    schema.type_definitions.push(definition);
                    parser.skip(child)?;
                }
                "Term" => {
                    let term = Term {
                        name: parser.identifier(&child),
                        type_name: parser.required(&child, "Type"),
                        applies_to: parser.optional(&child, "AppliesTo"),
                    };
                    schema.terms.push(term);
                    parser.skip(child)?;
                }
                "Action" => {
                    let operation = parser.operation(child, OperationKind::Action)?;
                    schema.operations.push(operation);
                }
                "Function" => {
                    let operation = parser.operation(child, OperationKind::Function)?;
                    schema.operations.push(operation);
                }
                "EntityContainer" => {
                    let container = parser.entity_container(child)?;
                    schema.entity_containers.push(container);
                }
                "Annotations" => {
                    let target = parser.required(&child, "Target");
                    let annotations = parser.annotations_only(child)?;
                    schema.annotation_blocks.push(AnnotationBlock {
                        target,
                        annotations,
                    });
                }
                _ => parser.skip(child)?,
            }
            Ok(())
        })?;
        Ok(schema)
    }

    pub(super) fn structured_type(
        &mut self,
        tag: Tag<'a>,
        kind: StructuredKind,
    ) -> Result<StructuredType<'a>, Fatal> {
        let mut ty = StructuredType {
            kind,
            name: self.identifier(&tag),
            base_type: self.optional(&tag, "BaseType"),
            is_abstract: self.flag(&tag, "Abstract", false),
            is_open: self.flag(&tag, "OpenType", false),
            has_stream: self.flag(&tag, "HasStream", false),
            key: Vec::new(),
            properties: Vec::new(),
            navigation_properties: Vec::new(),
            annotations: Vec::new(),
            span: tag.span(),
        };
        let lists = &self.lists;
        let starts = (
            lists.key.len(),
            lists.properties.len(),
            lists.navigation_properties.len(),
            lists.annotations.len(),
        );
        self.children(&tag, |parser, child| {
            match child.name {
                "Key" => parser.children(&child, |parser, reference| {
                    if reference.name == "PropertyRef" {
                        let name = parser.required(&reference, "Name");
                        let alias = parser.optional(&reference, "Alias");
                        parser.lists.key.push(KeyProperty { name, alias });
                    }
                    parser.skip(reference)
                })?,
                "Property" => {
                    let property = Property {
                        name: parser.required(&child, "Name"),
                        type_name: parser.required(&child, "Type"),
                        nullable: parser.flag(&child, "Nullable", true),
                        annotations: parser.annotations_only(child)?,
                    };
                    parser.lists.properties.push(property);
                }
                "NavigationProperty" => {
                    let navigation = NavigationProperty {
                        name: parser.required(&child, "Name"),
                        type_name: parser.required(&child, "Type"),
                        nullable: parser.flag(&child, "Nullable", true),
                        contains_target: parser.flag(&child, "ContainsTarget", false),
                        partner: parser.optional_text(&child, "Partner"),
                        annotations: parser.annotations_only(child)?,
                    };
                    parser.lists.navigation_properties.push(navigation);
                }
                "Annotation" => {
                    let annotation = parser.annotation(child)?;
                    parser.lists.annotations.push(annotation);
                }
                _ => parser.skip(child)?,
            }
            Ok(())
        })?;
        let lists = &mut self.lists;
        ty.key = finish(&mut lists.key, starts.0);
        ty.properties = finish(&mut lists.properties, starts.1);
        ty.navigation_properties = finish(&mut lists.navigation_properties, starts.2);
        ty.annotations = finish(&mut lists.annotations, starts.3);
        Ok(ty)
    }

    pub(super) fn enum_type(&mut self, tag: Tag<'a>) -> Result<EnumType<'a>, Fatal> {
        let mut ty = EnumType {
            name: self.identifier(&tag),
            underlying_type: self.optional(&tag, "UnderlyingType"),
            is_flags: self.flag(&tag, "IsFlags", false),
            members: Vec::new(),
            annotations: Vec::new(),
        };
        let starts = (self.lists.members.len(), self.lists.annotations.len());
        self.children(&tag, |parser, child| {
            match child.name {
                "Member" => {
                    let member = EnumMember {
                        name: parser.identifier(&child),
                        value: parser.optional(&child, "Value"),
                        annotations: parser.annotations_only(child)?,
                    };
                    parser.lists.members.push(member);
                }
                "Annotation" => {
                    let annotation = parser.annotation(child)?;
                    parser.lists.annotations.push(annotation);
                }
                _ => parser.skip(child)?,
            }
            Ok(())
        })?;
        ty.members = finish(&mut self.lists.members, starts.0);
        ty.annotations = finish(&mut self.lists.annotations, starts.1);
        Ok(ty)
    }

    pub(super) fn operation(
        &mut self,
        tag: Tag<'a>,
        kind: OperationKind,
    ) -> Result<Operation<'a>, Fatal> {
        let mut operation = Operation {
            kind,
            name: self.identifier(&tag),
            is_bound: self.flag(&tag, "IsBound", false),
            is_composable: self.flag(&tag, "IsComposable", false),
            parameters: Vec::new(),
            return_type: None,
            annotations: Vec::new(),
            span: tag.span(),
        };
        let starts = (self.lists.parameters.len(), self.lists.annotations.len());
        self.children(&tag, |parser, child| {
            match child.name {
                "Parameter" => {
                    let parameter = Parameter {
                        name: parser.required(&child, "Name"),
                        type_name: parser.required(&child, "Type"),
                        nullable: parser.flag(&child, "Nullable", true),
                    };
                    parser.lists.parameters.push(parameter);
                    parser.skip(child)?;
                }
                "ReturnType" => {
                    operation.return_type = Some(ReturnType {
                        type_name: parser.required(&child, "Type"),
                        nullable: parser.flag(&child, "Nullable", true),
                    });
                    parser.skip(child)?;
                }
                "Annotation" => {
                    let annotation = parser.annotation(child)?;
                    parser.lists.annotations.push(annotation);
                }
                _ => parser.skip(child)?,
            }
            Ok(())
        })?;
        operation.parameters = finish(&mut self.lists.parameters, starts.0);
        operation.annotations = finish(&mut self.lists.annotations, starts.1);
        Ok(operation)
    }

    pub(super) fn entity_container(&mut self, tag: Tag<'a>) -> Result<EntityContainer<'a>, Fatal> {
        let name = self.identifier(&tag);
        let children = self.lists.container_children.len();
        self.children(&tag, |parser, child| {
            let (kind, type_attribute) = match child.name {
                "EntitySet" => (ContainerChildKind::EntitySet, "EntityType"),
                "Singleton" => (ContainerChildKind::Singleton, "Type"),
                _ => return parser.skip(child),
            };
            let mut entry = ContainerChild {
                kind,
                name: parser.identifier(&child),
                type_name: parser.required(&child, type_attribute),
                bindings: Vec::new(),
                annotations: Vec::new(),
            };
            let starts = (parser.lists.bindings.len(), parser.lists.annotations.len());
            parser.children(&child, |parser, grandchild| {
                match grandchild.name {
                    "NavigationPropertyBinding" => {
                        let binding = NavigationBinding {
                            path: parser.required(&grandchild, "Path"),
                            target: parser.required(&grandchild, "Target"),
                        };
                        parser.lists.bindings.push(binding);
                        parser.skip(grandchild)?;
                    }
                    "Annotation" => {
                        let annotation = parser.annotation(grandchild)?;
                        parser.lists.annotations.push(annotation);
                    }
                    _ => parser.skip(grandchild)?,
                }
                Ok(())
            })?;
            entry.bindings = finish(&mut parser.lists.bindings, starts.0);
            entry.annotations = finish(&mut parser.lists.annotations, starts.1);
            parser.lists.container_children.push(entry);
            Ok(())
        })?;
        Ok(EntityContainer {
            name,
            children: finish(&mut self.lists.container_children, children),
        })
    }

    /// Reads an element whose only interesting children are annotations.
    pub(super) fn annotations_only(&mut self, tag: Tag<'a>) -> Result<Vec<Annotation<'a>>, Fatal> {
        if tag.is_empty {
            // Most properties and members: `<Property ... />`.
            return Ok(Vec::new());
        }
        let start = self.lists.annotations.len();
        self.children(&tag, |parser, child| {
            if child.name == "Annotation" {
                let annotation = parser.annotation(child)?;
                parser.lists.annotations.push(annotation);
                Ok(())
            } else {
                parser.skip(child)
            }
        })?;
        Ok(finish(&mut self.lists.annotations, start))
    }

    pub(super) fn annotation(&mut self, tag: Tag<'a>) -> Result<Annotation<'a>, Fatal> {
        let term = self.required(&tag, "Term");
        let qualifier = self.optional_text(&tag, "Qualifier");
        let mut value = self.inline_constant(&tag);
        let mut first = true;
        self.children(&tag, |parser, child| {
            if child.name == "Annotation" || !first {
                parser.skip(child)
            } else {
                first = false;
                value = parser.expression(child)?;
                Ok(())
            }
        })?;
        Ok(Annotation {
            term,
            qualifier,
            value,
        })
    }

    /// An annotation or record property's value given as an attribute (`String="..."`).
    pub(super) fn inline_constant(&mut self, tag: &Tag<'a>) -> AnnotationValue<'a> {
        debug_assert_eq!(tag.serial, self.tags);
        for index in 0..self.attributes.len() {
            let attribute = &self.attributes[index];
            let (name, text, span) = (attribute.name, attribute.value.clone(), attribute.span);
            if let Some(value) = self.constant(name, text, span) {
                return value;
            }
        }
        AnnotationValue::Absent
    }

    /// The constant expression `kind` (`String`, `Int`, `Bool`, ...) with its `text`, written
    /// as an attribute or as an element alike; `None` for a name that is not one. A value that
    /// does not fit its kind is a warning at `span`, and kept as it was written.
    pub(super) fn constant(
        &mut self,
        kind: &'a str,
        text: Text<'a>,
        span: Span,
    ) -> Option<AnnotationValue<'a>> {
        Some(match kind {
            "String" => AnnotationValue::String(text),
            "Bool" => match &*text {
                "true" => AnnotationValue::Bool(true),
                "false" => AnnotationValue::Bool(false),
                _ => {
                    self.diagnostics.warning(
                        span,
                        format!("`Bool` annotation value `{text}` is neither `true` nor `false`"),
                    );
                    AnnotationValue::Constant(kind, text)
                }
            },
            "Int" => match text.parse() {
                Ok(number) => AnnotationValue::Int(number),
                Err(_) => {
                    self.diagnostics.warning(
                        span,
                        format!("`Int` annotation value `{text}` is not an integer"),
                    );
                    AnnotationValue::Constant(kind, text)
                }
            },
            "EnumMember" => AnnotationValue::EnumMember(text),
            "Path" | "PropertyPath" | "NavigationPropertyPath" | "AnnotationPath" => {
                AnnotationValue::Path(kind, text)
            }
            "Binary" | "Date" | "DateTimeOffset" | "Decimal" | "Duration" | "Float" | "Guid"
            | "TimeOfDay" => AnnotationValue::Constant(kind, text),
            _ => return None,
        })
    }

    /// A dynamic or constant expression element.
    pub(super) fn expression(&mut self, tag: Tag<'a>) -> Result<AnnotationValue<'a>, Fatal> {
        match tag.name {
            "Record" => {
                let record_type = self.optional_text(&tag, "Type");
                let start = self.lists.record_properties.len();
                self.children(&tag, |parser, child| {
                    if child.name == "PropertyValue" {
                        let property = parser.required(&child, "Property").value;
                        let mut value = parser.inline_constant(&child);
                        parser.children(&child, |parser, inner| {
                            if inner.name == "Annotation" {
                                parser.skip(inner)
                            } else {
                                value = parser.expression(inner)?;
                                Ok(())
                            }
                        })?;
                        parser.lists.record_properties.push((property, value));
                        Ok(())
                    } else {
                        parser.skip(child)
                    }
                })?;
                let properties = finish(&mut self.lists.record_properties, start);
                Ok(AnnotationValue::Record(record_type, properties))
            }
            "Collection" => {
                let start = self.lists.items.len();
                self.children(&tag, |parser, child| {
                    let item = parser.expression(child)?;
                    parser.lists.items.push(item);
                    Ok(())
                })?;
                Ok(AnnotationValue::Collection(finish(
                    &mut self.lists.items,
                    start,
                )))
            }
            name => {
                let span = tag.span();
                let text = trimmed(self.text_content(&tag)?);
                // Other expressions (`Null`, `Apply`, `If`, ...) are kept as written.
                Ok(match self.constant(name, text.clone(), span) {
                    Some(value) => value,
                    None => AnnotationValue::Constant(name, text),
                })
            }
        }
    }
}

/// Text without surrounding whitespace, still borrowed when it was.
pub(super) fn trimmed(text: Text<'_>) -> Text<'_> {
    match text {
        Cow::Borrowed(text) => Cow::Borrowed(text.trim()),
        Cow::Owned(text) if text.trim().len() == text.len() => Cow::Owned(text),
        Cow::Owned(text) => Cow::Owned(text.trim().to_string()),
    }
}

/// A CSDL simple identifier: a letter or `_`, then letters, digits and `_`, at most 128
/// characters.
pub(super) fn is_simple_identifier(text: &str) -> bool {
    // Nearly every name is short ASCII: then bytes are characters.
    let bytes = text.as_bytes();
    if bytes.len() <= 128 && bytes.iter().all(|&b| IDENTIFIER_BYTES[usize::from(b)]) {
        return bytes
            .first()
            .is_some_and(|&first| first.is_ascii_alphabetic() || first == b'_');
    }
    let mut chars = text.chars();
    chars
        .next()
        .is_some_and(|first| first.is_alphabetic() || first == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_')
        && text.chars().count() <= 128
}

/// The ASCII bytes a simple identifier may hold: letters, digits and `_`.
static IDENTIFIER_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte: u8 = 0;
    while byte < 128 {
        table[byte as usize] = byte.is_ascii_alphanumeric() || byte == b'_';
        byte += 1;
    }
    table
};
