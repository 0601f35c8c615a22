//! Reads CSDL XML into a [`Document`], keeping byte positions.
//!
//! The reader walks quick-xml events with one small function per element. Elements and attributes
//! it does not know are skipped (CSDL grows; a newer document must still read), but a malformed
//! document, a missing required attribute or a DTD is an error. No entity is ever expanded beyond
//! the five predefined ones and character references.

use std::borrow::Cow;

use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;

use super::syntax::*;
use crate::diagnostics::{Diagnostic, Diagnostics, Span};

/// Reads a CSDL document from its bytes. Returns the document and the warnings, or every error.
pub fn read(source: &[u8]) -> Result<(Document, Vec<Diagnostic>), Vec<Diagnostic>> {
    let text = match std::str::from_utf8(source) {
        Ok(text) => text,
        Err(error) => {
            let at = error.valid_up_to();
            return Err(vec![Diagnostic::error(
                Span::new(at, at + 1),
                format!("the file is not valid UTF-8 (byte 0x{:02X})", source[at]),
            )]);
        }
    };
    let mut parser = Parser::new(text);
    let document = parser.document();
    let diagnostics = parser.diagnostics.into_sorted();
    match document {
        Ok(document) if !diagnostics.iter().any(Diagnostic::is_error) => {
            Ok((document, diagnostics))
        }
        Ok(_) => Err(diagnostics),
        Err(fatal) => {
            let mut all = diagnostics;
            all.push(fatal);
            all.retain(Diagnostic::is_error);
            Err(all)
        }
    }
}

/// A fatal problem: the document cannot be read further.
type Fatal = Diagnostic;

/// An attribute of the current start tag.
struct Attribute<'a> {
    name: &'a str,
    value: Cow<'a, str>,
    span: Span,
}

/// A start tag, read whole.
struct Tag<'a> {
    name: &'a str,
    attributes: Vec<Attribute<'a>>,
    /// The `<` of the start tag.
    start: usize,
    /// Whether it was `<x/>`.
    is_empty: bool,
}

impl<'a> Tag<'a> {
    fn span(&self) -> Span {
        Span::new(self.start, self.start + 1 + self.name.len())
    }

    fn attribute(&self, name: &str) -> Option<&Attribute<'a>> {
        self.attributes.iter().find(|a| a.name == name)
    }

    fn optional(&self, name: &str) -> Option<Spanned<String>> {
        self.attribute(name)
            .map(|a| Spanned::new(a.value.clone().into_owned(), a.span))
    }
}

enum Item<'a> {
    Open(Tag<'a>),
    Close,
    Text(String),
    End,
}

struct Parser<'a> {
    text: &'a str,
    reader: Reader<&'a [u8]>,
    /// Bytes skipped before the reader's input (a byte-order mark).
    offset: usize,
    /// Where the last item returned by `next` starts.
    item_start: usize,
    diagnostics: Diagnostics,
}

impl<'a> Parser<'a> {
    fn new(text: &'a str) -> Self {
        let offset = if text.starts_with('\u{FEFF}') { 3 } else { 0 };
        let body = &text[offset..];
        let mut reader = Reader::from_str(body);
        let config = reader.config_mut();
        config.trim_text(true);
        config.check_end_names = true;
        config.expand_empty_elements = false;
        Parser {
            text,
            reader,
            offset,
            item_start: offset,
            diagnostics: Diagnostics::new(),
        }
    }

    fn position(&self) -> usize {
        self.offset + self.reader.buffer_position() as usize
    }

    fn skip_whitespace(&self, from: usize) -> usize {
        let rest = self.text.get(from..).unwrap_or_default();
        from + (rest.len() - rest.trim_start_matches([' ', '\t', '\r', '\n']).len())
    }

    fn next(&mut self) -> Result<Item<'a>, Fatal> {
        loop {
            // Whitespace between items is trimmed away with the next event: skip it, so that
            // positions point at the `<` or the first character of text.
            let before = self.skip_whitespace(self.position());
            self.item_start = before;
            let event = self.reader.read_event().map_err(|error| {
                let at = self.offset + self.reader.error_position() as usize;
                Diagnostic::error(Span::at(at), format!("malformed XML: {error}"))
            })?;
            match event {
                Event::Start(start) => return Ok(Item::Open(self.tag(&start, before, false)?)),
                Event::Empty(start) => return Ok(Item::Open(self.tag(&start, before, true)?)),
                Event::End(_) => return Ok(Item::Close),
                Event::Text(text) => {
                    let raw = text.xml10_content();
                    if raw.trim().is_empty() {
                        continue;
                    }
                    return Ok(Item::Text(raw.into_owned()));
                }
                Event::CData(data) => {
                    let raw = data.to_string();
                    return Ok(Item::Text(raw));
                }
                Event::GeneralRef(reference) => {
                    let span = Span::new(before, self.position());
                    let resolved = match reference.resolve_char_ref() {
                        Ok(Some(c)) => c.to_string(),
                        Ok(None) => {
                            let name = reference.to_string();
                            match quick_xml::escape::resolve_predefined_entity(&name) {
                                Some(value) => value.to_string(),
                                None => {
                                    return Err(Diagnostic::error(
                                        span,
                                        format!(
                                            "unknown entity `&{name};`: only the five predefined XML entities and character references are allowed"
                                        ),
                                    ));
                                }
                            }
                        }
                        Err(error) => {
                            return Err(Diagnostic::error(
                                span,
                                format!("invalid character reference: {error}"),
                            ));
                        }
                    };
                    return Ok(Item::Text(resolved));
                }
                Event::DocType(_) => {
                    return Err(Diagnostic::error(
                        Span::new(before, before + 9),
                        "document type declarations (DTDs) are not allowed in CSDL and are never processed",
                    ));
                }
                Event::Eof => return Ok(Item::End),
                Event::Comment(_) | Event::Decl(_) | Event::PI(_) => continue,
            }
        }
    }

    fn tag(&self, start: &BytesStart<'a>, at: usize, is_empty: bool) -> Result<Tag<'a>, Fatal> {
        let full_name = start.name();
        let local = local_name(full_name.as_ref());
        let name = self.borrowed_str(local, at)?;
        let mut attributes = Vec::new();
        for attribute in start.attributes() {
            let attribute = attribute.map_err(|error| {
                Diagnostic::error(Span::at(at), format!("malformed attribute: {error}"))
            })?;
            let key = attribute.key.as_ref();
            if key.starts_with("xmlns") {
                continue;
            }
            let attribute_name = self.borrowed_str(local_name(key), at)?;
            let span = self.span_of(&attribute.value).unwrap_or(Span::at(at));
            let value = attribute
                .normalized_value(XmlVersion::Implicit1_0)
                .map_err(|error| {
                    Diagnostic::error(
                        span,
                        format!("invalid attribute value: {error} (only the five predefined XML entities and character references are allowed)"),
                    )
                })?;
            let value = match value {
                Cow::Borrowed(raw) => match self.rebase(raw) {
                    Some(raw) => Cow::Borrowed(raw),
                    None => Cow::Owned(raw.to_string()),
                },
                Cow::Owned(owned) => Cow::Owned(owned),
            };
            attributes.push(Attribute {
                name: attribute_name,
                value,
                span,
            });
        }
        Ok(Tag {
            name,
            attributes,
            start: at,
            is_empty,
        })
    }

    /// Re-borrows a name from the input text so that it lives as long as the document.
    fn borrowed_str(&self, name: &str, at: usize) -> Result<&'a str, Fatal> {
        self.rebase(name)
            .ok_or_else(|| Diagnostic::error(Span::at(at), "malformed name"))
    }

    /// The same text, borrowed from the input for as long as the document lives.
    fn rebase(&self, slice: &str) -> Option<&'a str> {
        let start = (slice.as_ptr() as usize).checked_sub(self.text.as_ptr() as usize)?;
        let end = start.checked_add(slice.len())?;
        self.text.get(start..end)
    }

    /// The span of an attribute value that borrows from the input.
    fn span_of(&self, raw: &str) -> Option<Span> {
        let start = (raw.as_ptr() as usize).checked_sub(self.text.as_ptr() as usize)?;
        let end = start.checked_add(raw.len())?;
        (end <= self.text.len()).then(|| Span::new(start, end))
    }

    fn required(&mut self, tag: &Tag<'a>, name: &str) -> Spanned<String> {
        match tag.optional(name) {
            Some(value) => value,
            None => {
                self.diagnostics.error(
                    tag.span(),
                    format!(
                        "`<{}>` is missing the required attribute `{name}`",
                        tag.name
                    ),
                );
                Spanned::new(String::new(), tag.span())
            }
        }
    }

    fn flag(&mut self, tag: &Tag<'a>, name: &str, default: bool) -> bool {
        match tag.attribute(name) {
            None => default,
            Some(attribute) => match attribute.value.as_ref() {
                "true" => true,
                "false" => false,
                other => {
                    let span = attribute.span;
                    self.diagnostics.error(
                        span,
                        format!("`{name}` must be `true` or `false`, found `{other}`"),
                    );
                    default
                }
            },
        }
    }

    /// Reads the children of an open element, calling `child` for each child element.
    /// Text directly inside the element is returned.
    fn children(
        &mut self,
        parent: &Tag<'a>,
        mut child: impl FnMut(&mut Self, Tag<'a>) -> Result<(), Fatal>,
    ) -> Result<String, Fatal> {
        let mut text = String::new();
        if parent.is_empty {
            return Ok(text);
        }
        loop {
            match self.next()? {
                Item::Open(tag) => child(self, tag)?,
                Item::Close => return Ok(text),
                Item::Text(t) => text.push_str(&t),
                Item::End => {
                    return Err(Diagnostic::error(
                        Span::at(self.text.len()),
                        format!("unexpected end of file: `<{}>` is not closed", parent.name),
                    )
                    .with_note(Some(parent.span()), "the element opened here"));
                }
            }
        }
    }

    /// Skips an element and everything inside it.
    fn skip(&mut self, tag: Tag<'a>) -> Result<(), Fatal> {
        self.children(&tag, |parser, child| parser.skip(child))
            .map(drop)
    }

    fn document(&mut self) -> Result<Document, Fatal> {
        let mut document = Document::default();
        let mut seen_root = false;
        loop {
            match self.next()? {
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
                    document.version = tag.optional("Version").map(|v| v.value);
                    self.children(&tag, |parser, child| match child.name {
                        "DataServices" => parser
                            .children(&child, |parser, schema| {
                                if schema.name == "Schema" {
                                    let schema = parser.schema(schema)?;
                                    document.schemas.push(schema);
                                    Ok(())
                                } else {
                                    parser.skip(schema)
                                }
                            })
                            .map(drop),
                        "Reference" => parser
                            .children(&child, |parser, include| {
                                if include.name == "Include" {
                                    let namespace = parser.required(&include, "Namespace").value;
                                    let alias = include.optional("Alias").map(|a| a.value);
                                    document.includes.push(Include { namespace, alias });
                                }
                                parser.skip(include)
                            })
                            .map(drop),
                        _ => parser.skip(child),
                    })?;
                }
                Item::Close => {
                    return Err(Diagnostic::error(
                        Span::at(self.item_start),
                        "a closing tag without an opening tag",
                    ));
                }
                Item::Text(_) => {
                    let message = if seen_root {
                        "text after the root element"
                    } else {
                        "expected the root element `<edmx:Edmx>`, found text"
                    };
                    return Err(Diagnostic::error(Span::at(self.item_start), message));
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

    fn schema(&mut self, tag: Tag<'a>) -> Result<Schema, Fatal> {
        let mut schema = Schema {
            namespace: self.required(&tag, "Namespace"),
            alias: tag.optional("Alias"),
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
                        name: parser.required(&child, "Name"),
                        underlying_type: parser.required(&child, "UnderlyingType"),
                    };
                    schema.type_definitions.push(definition);
                    parser.skip(child)?;
                }
                "Term" => {
                    let term = Term {
                        name: parser.required(&child, "Name"),
                        type_name: parser.required(&child, "Type"),
                        applies_to: child.optional("AppliesTo").map(|a| a.value),
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

    fn structured_type(
        &mut self,
        tag: Tag<'a>,
        kind: StructuredKind,
    ) -> Result<StructuredType, Fatal> {
        let mut ty = StructuredType {
            kind,
            name: self.required(&tag, "Name"),
            base_type: tag.optional("BaseType"),
            is_abstract: self.flag(&tag, "Abstract", false),
            is_open: self.flag(&tag, "OpenType", false),
            has_stream: self.flag(&tag, "HasStream", false),
            key: Vec::new(),
            properties: Vec::new(),
            navigation_properties: Vec::new(),
            annotations: Vec::new(),
            span: tag.span(),
        };
        self.children(&tag, |parser, child| {
            match child.name {
                "Key" => parser
                    .children(&child, |parser, reference| {
                        if reference.name == "PropertyRef" {
                            let name = parser.required(&reference, "Name");
                            ty.key.push(name);
                        }
                        parser.skip(reference)
                    })
                    .map(drop)?,
                "Property" => {
                    let property = Property {
                        name: parser.required(&child, "Name"),
                        type_name: parser.required(&child, "Type"),
                        nullable: parser.flag(&child, "Nullable", true),
                        annotations: parser.annotations_only(child)?,
                    };
                    ty.properties.push(property);
                }
                "NavigationProperty" => {
                    let navigation = NavigationProperty {
                        name: parser.required(&child, "Name"),
                        type_name: parser.required(&child, "Type"),
                        nullable: parser.flag(&child, "Nullable", true),
                        contains_target: parser.flag(&child, "ContainsTarget", false),
                        partner: child.optional("Partner").map(|p| p.value),
                        annotations: parser.annotations_only(child)?,
                    };
                    ty.navigation_properties.push(navigation);
                }
                "Annotation" => {
                    let annotation = parser.annotation(child)?;
                    ty.annotations.push(annotation);
                }
                _ => parser.skip(child)?,
            }
            Ok(())
        })?;
        Ok(ty)
    }

    fn enum_type(&mut self, tag: Tag<'a>) -> Result<EnumType, Fatal> {
        let mut ty = EnumType {
            name: self.required(&tag, "Name"),
            underlying_type: tag.optional("UnderlyingType"),
            is_flags: self.flag(&tag, "IsFlags", false),
            members: Vec::new(),
            annotations: Vec::new(),
        };
        self.children(&tag, |parser, child| {
            match child.name {
                "Member" => {
                    let member = EnumMember {
                        name: parser.required(&child, "Name"),
                        value: child.optional("Value"),
                        annotations: parser.annotations_only(child)?,
                    };
                    ty.members.push(member);
                }
                "Annotation" => {
                    let annotation = parser.annotation(child)?;
                    ty.annotations.push(annotation);
                }
                _ => parser.skip(child)?,
            }
            Ok(())
        })?;
        Ok(ty)
    }

    fn operation(&mut self, tag: Tag<'a>, kind: OperationKind) -> Result<Operation, Fatal> {
        let mut operation = Operation {
            kind,
            name: self.required(&tag, "Name"),
            is_bound: self.flag(&tag, "IsBound", false),
            is_composable: self.flag(&tag, "IsComposable", false),
            parameters: Vec::new(),
            return_type: None,
            annotations: Vec::new(),
            span: tag.span(),
        };
        self.children(&tag, |parser, child| {
            match child.name {
                "Parameter" => {
                    let parameter = Parameter {
                        name: parser.required(&child, "Name"),
                        type_name: parser.required(&child, "Type"),
                        nullable: parser.flag(&child, "Nullable", true),
                    };
                    operation.parameters.push(parameter);
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
                    operation.annotations.push(annotation);
                }
                _ => parser.skip(child)?,
            }
            Ok(())
        })?;
        Ok(operation)
    }

    fn entity_container(&mut self, tag: Tag<'a>) -> Result<EntityContainer, Fatal> {
        let mut container = EntityContainer {
            name: self.required(&tag, "Name"),
            children: Vec::new(),
        };
        self.children(&tag, |parser, child| {
            let (kind, type_attribute) = match child.name {
                "EntitySet" => (ContainerChildKind::EntitySet, "EntityType"),
                "Singleton" => (ContainerChildKind::Singleton, "Type"),
                _ => return parser.skip(child),
            };
            let mut entry = ContainerChild {
                kind,
                name: parser.required(&child, "Name"),
                type_name: parser.required(&child, type_attribute),
                bindings: Vec::new(),
                annotations: Vec::new(),
            };
            parser.children(&child, |parser, grandchild| {
                match grandchild.name {
                    "NavigationPropertyBinding" => {
                        let binding = NavigationBinding {
                            path: parser.required(&grandchild, "Path"),
                            target: parser.required(&grandchild, "Target"),
                        };
                        entry.bindings.push(binding);
                        parser.skip(grandchild)?;
                    }
                    "Annotation" => {
                        let annotation = parser.annotation(grandchild)?;
                        entry.annotations.push(annotation);
                    }
                    _ => parser.skip(grandchild)?,
                }
                Ok(())
            })?;
            container.children.push(entry);
            Ok(())
        })?;
        Ok(container)
    }

    /// Reads an element whose only interesting children are annotations.
    fn annotations_only(&mut self, tag: Tag<'a>) -> Result<Vec<Annotation>, Fatal> {
        let mut annotations = Vec::new();
        self.children(&tag, |parser, child| {
            if child.name == "Annotation" {
                let annotation = parser.annotation(child)?;
                annotations.push(annotation);
                Ok(())
            } else {
                parser.skip(child)
            }
        })?;
        Ok(annotations)
    }

    fn annotation(&mut self, tag: Tag<'a>) -> Result<Annotation, Fatal> {
        let term = self.required(&tag, "Term");
        let qualifier = tag.optional("Qualifier").map(|q| q.value);
        let mut value = self.inline_constant(&tag);
        let mut nested = Vec::new();
        self.children(&tag, |parser, child| {
            if child.name == "Annotation" {
                parser.skip(child)
            } else {
                let value = parser.expression(child)?;
                nested.push(value);
                Ok(())
            }
        })?;
        if let Some(first) = nested.into_iter().next() {
            value = first;
        }
        Ok(Annotation {
            term,
            qualifier,
            value,
        })
    }

    /// An annotation or record property's value given as an attribute (`String="..."`).
    fn inline_constant(&mut self, tag: &Tag<'a>) -> AnnotationValue {
        for attribute in &tag.attributes {
            let text = attribute.value.clone().into_owned();
            let value = match attribute.name {
                "String" => AnnotationValue::String(text),
                "Bool" => AnnotationValue::Bool(text == "true"),
                "Int" => match text.parse() {
                    Ok(number) => AnnotationValue::Int(number),
                    Err(_) => {
                        self.diagnostics.warning(
                            attribute.span,
                            format!("`Int` annotation value `{text}` is not an integer"),
                        );
                        AnnotationValue::Constant("Int".into(), text)
                    }
                },
                "EnumMember" => AnnotationValue::EnumMember(text),
                "Path" | "PropertyPath" | "NavigationPropertyPath" | "AnnotationPath" => {
                    AnnotationValue::Path(attribute.name.to_string(), text)
                }
                "Binary" | "Date" | "DateTimeOffset" | "Decimal" | "Duration" | "Float"
                | "Guid" | "TimeOfDay" => {
                    AnnotationValue::Constant(attribute.name.to_string(), text)
                }
                _ => continue,
            };
            return value;
        }
        AnnotationValue::Absent
    }

    /// A dynamic or constant expression element.
    fn expression(&mut self, tag: Tag<'a>) -> Result<AnnotationValue, Fatal> {
        match tag.name {
            "Record" => {
                let record_type = tag.optional("Type").map(|t| t.value);
                let mut properties = Vec::new();
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
                        properties.push((property, value));
                        Ok(())
                    } else {
                        parser.skip(child)
                    }
                })?;
                Ok(AnnotationValue::Record(record_type, properties))
            }
            "Collection" => {
                let mut items = Vec::new();
                self.children(&tag, |parser, child| {
                    let item = parser.expression(child)?;
                    items.push(item);
                    Ok(())
                })?;
                Ok(AnnotationValue::Collection(items))
            }
            name => {
                let kind = name.to_string();
                let text = self.children(&tag, |parser, child| parser.skip(child))?;
                let text = text.trim().to_string();
                Ok(match name {
                    "String" => AnnotationValue::String(text),
                    "Bool" => AnnotationValue::Bool(text == "true"),
                    "Int" => text
                        .parse()
                        .map(AnnotationValue::Int)
                        .unwrap_or(AnnotationValue::Constant(kind, text)),
                    "EnumMember" => AnnotationValue::EnumMember(text),
                    "Path" | "PropertyPath" | "NavigationPropertyPath" | "AnnotationPath" => {
                        AnnotationValue::Path(kind, text)
                    }
                    _ => AnnotationValue::Constant(kind, text),
                })
            }
        }
    }
}

fn local_name(name: &str) -> &str {
    match name.find(':') {
        Some(colon) => &name[colon + 1..],
        None => name,
    }
}
