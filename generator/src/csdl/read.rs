//! Reads CSDL XML into a [`Document`], keeping byte positions.
//!
//! The reader walks quick-xml events with one small function per element. Elements and attributes
//! it does not know are skipped (CSDL grows; a newer document must still read), but a malformed
//! document, a missing required attribute or a DTD is an error. No entity is ever expanded beyond
//! the five predefined ones and character references.
//!
//! It is built for speed close to tokenizing alone: the syntax tree borrows every name and value
//! from the input ([`Text`]), attributes are scanned here from the start tag's bytes into a small
//! inline array (with the duplicate check XML requires), and only values that hold a reference
//! or a line break are copied.

use std::borrow::Cow;

use quick_xml::events::{BytesRef, BytesStart, BytesText, Event};
use quick_xml::reader::Reader;

use super::syntax::*;
use crate::diagnostics::{Diagnostic, Diagnostics, Span};

/// Reads a CSDL document from its bytes. Returns the document and the warnings, or every error.
/// The document borrows from `source`.
pub fn read(source: &[u8]) -> Result<(Document<'_>, Vec<Diagnostic>), Vec<Diagnostic>> {
    if source.len() > Span::MAX_SOURCE {
        return Err(vec![Diagnostic::error(
            Span::at(0),
            format!(
                "the file has {} bytes; documents of more than {} bytes (4 GiB) are not supported",
                source.len(),
                Span::MAX_SOURCE
            ),
        )]);
    }
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
#[derive(Clone, Debug)]
struct Attribute<'a> {
    /// The local name (without a prefix).
    name: &'a str,
    /// The value with references decoded and whitespace normalized.
    value: Text<'a>,
    /// The raw value, between the quotes.
    span: Span,
}

/// A start tag. Its attributes live in [`Parser::attributes`] until the next start tag is read,
/// so every element function reads its attributes before it reads its children.
struct Tag<'a> {
    name: &'a str,
    /// The `<` of the start tag.
    start: usize,
    /// Whether it was `<x/>`.
    is_empty: bool,
    /// Which start tag of the document this is, to check that its attributes are still there.
    serial: usize,
}

impl Tag<'_> {
    fn span(&self) -> Span {
        Span::new(self.start, self.start + 1 + self.name.len())
    }
}

enum Item<'a> {
    Open(Tag<'a>),
    Close,
    /// Decoded text: a reference or CDATA.
    Text(Text<'a>),
    /// Text as written, line ends not yet normalized (most of it is whitespace nobody reads).
    RawText(BytesText<'a>),
    End,
}

struct Parser<'a> {
    text: &'a str,
    reader: Reader<&'a [u8]>,
    /// Bytes skipped before the reader's input (a byte-order mark).
    offset: usize,
    /// Where the last item returned by `next` starts.
    item_start: usize,
    /// The attributes of the last start tag read (a buffer reused for every tag).
    attributes: Vec<Attribute<'a>>,
    /// How many start tags have been read.
    tags: usize,
    diagnostics: Diagnostics,
    /// Where child lists are built before they move into exactly sized vectors.
    lists: Lists<'a>,
}

/// Stacks of the child lists being read, one per element type. A list being read occupies the
/// top of its stack from where it started; when its element closes it moves out into a vector
/// of exactly its length (one allocation, no growth). Nested lists of the same type (annotations
/// of a property inside a type's annotations) are finished before their parent list grows again,
/// so each list stays contiguous.
#[derive(Default)]
struct Lists<'a> {
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
fn finish<T>(stack: &mut Vec<T>, start: usize) -> Vec<T> {
    // One allocation of exactly the list's length and one copy; the stack keeps its capacity.
    stack.split_off(start)
}

impl<'a> Parser<'a> {
    fn new(text: &'a str) -> Self {
        let offset = if text.starts_with('\u{FEFF}') { 3 } else { 0 };
        let body = &text[offset..];
        let mut reader = Reader::from_str(body);
        let config = reader.config_mut();
        // Whitespace is kept as text events (trimming would also eat the spaces around a
        // reference inside text); element functions ignore the text they do not want.
        config.trim_text(false);
        config.check_end_names = true;
        config.expand_empty_elements = false;
        Parser {
            text,
            reader,
            offset,
            item_start: offset,
            attributes: Vec::with_capacity(8),
            tags: 0,
            diagnostics: Diagnostics::new(),
            lists: Lists::default(),
        }
    }

    fn position(&self) -> usize {
        self.offset + self.reader.buffer_position() as usize
    }

    /// The next item. Text is returned only when `TEXT` is set: elements that ignore their text
    /// read with it unset, which still checks every reference but returns only markup.
    fn next<const TEXT: bool>(&mut self) -> Result<Item<'a>, Fatal> {
        loop {
            let before = self.position();
            self.item_start = before;
            // Matched in place: moving the event out first costs a copy through memory (and a
            // stalled load) per event.
            let event = self.reader.read_event();
            match &event {
                Err(error) => return Err(self.malformed(error)),
                Ok(Event::Start(start)) => return Ok(Item::Open(self.tag(start, before, false)?)),
                Ok(Event::Empty(start)) => return Ok(Item::Open(self.tag(start, before, true)?)),
                Ok(Event::End(_)) => return Ok(Item::Close),
                Ok(Event::Text(text)) => {
                    if TEXT {
                        return Ok(Item::RawText(text.clone()));
                    }
                }
                Ok(Event::CData(data)) => {
                    if TEXT {
                        return Ok(Item::Text(Cow::Owned(data.xml10_content().into_owned())));
                    }
                }
                Ok(Event::GeneralRef(reference)) => {
                    let resolved = self.reference(reference, before)?;
                    if TEXT {
                        return Ok(Item::Text(resolved));
                    }
                }
                Ok(Event::DocType(_)) => {
                    return Err(Diagnostic::error(
                        Span::new(before, before + 9),
                        "document type declarations (DTDs) are not allowed in CSDL and are never processed",
                    ));
                }
                Ok(Event::Eof) => return Ok(Item::End),
                Ok(Event::Comment(_) | Event::Decl(_) | Event::PI(_)) => continue,
            }
        }
    }

    /// The error for what quick-xml could not read.
    #[cold]
    #[inline(never)]
    fn malformed(&self, error: &quick_xml::Error) -> Fatal {
        let at = self.offset + self.reader.error_position() as usize;
        Diagnostic::error(Span::at(at), format!("malformed XML: {error}"))
    }

    /// The text of an entity or character reference in text, which starts at `before`.
    #[cold]
    #[inline(never)]
    fn reference(&self, reference: &BytesRef<'_>, before: usize) -> Result<Text<'a>, Fatal> {
        let span = Span::new(before, self.position());
        match reference.resolve_char_ref() {
            Ok(Some(c)) => Ok(Cow::Owned(c.to_string())),
            Ok(None) => {
                let name = reference.to_string();
                match quick_xml::escape::resolve_predefined_entity(&name) {
                    Some(value) => Ok(Cow::Borrowed(value)),
                    None => Err(Diagnostic::error(
                        span,
                        format!(
                            "unknown entity `&{name};`: only the five predefined XML entities and character references are allowed"
                        ),
                    )),
                }
            }
            Err(error) => Err(Diagnostic::error(
                span,
                format!("invalid character reference: {error}"),
            )),
        }
    }

    /// Reads a start tag: its local name and its attributes, scanned from the tag's bytes.
    fn tag(&mut self, start: &BytesStart<'_>, at: usize, is_empty: bool) -> Result<Tag<'a>, Fatal> {
        let malformed = || Diagnostic::error(Span::at(at), "malformed start tag");
        let content = self.rebase(start.as_ref()).ok_or_else(malformed)?;
        let name_len = start.name().as_ref().len();
        let full_name = content.get(..name_len).ok_or_else(malformed)?;
        let base = self.offset_of(content).ok_or_else(malformed)?;
        // The input from the tag on: scans of the name and values may look past their end.
        let after = &self.text.as_bytes()[base..];
        let name = match find_byte(after, name_len, b':') {
            Some(colon) => &full_name[colon + 1..],
            None => full_name,
        };
        let attributes = &mut self.attributes;
        attributes.clear();
        let bytes = content.as_bytes();
        let problem = |problem, name_start, key_end| {
            malformed_attribute(problem, content, base, name_start, key_end)
        };
        let mut i = name_len;
        loop {
            while i < bytes.len() && is_xml_space(bytes[i]) {
                i += 1;
            }
            if i >= bytes.len() {
                break;
            }
            let name_start = i;
            // Where the local name starts (after the first `:`, if any).
            let mut local_start = i;
            while let Some(&byte) = bytes.get(i) {
                // Letters and `_` sort after `=`: only rarer bytes need a closer look.
                if byte <= b'=' {
                    if byte == b'=' || is_xml_space(byte) {
                        break;
                    }
                    if byte == b':' && local_start == name_start {
                        local_start = i + 1;
                    }
                }
                i += 1;
            }
            let key_end = i;
            while i < bytes.len() && is_xml_space(bytes[i]) {
                i += 1;
            }
            if bytes.get(i) != Some(&b'=') {
                return Err(problem(AttributeProblem::NoValue, name_start, key_end));
            }
            i += 1;
            while i < bytes.len() && is_xml_space(bytes[i]) {
                i += 1;
            }
            let quote = match bytes.get(i) {
                Some(&q @ (b'"' | b'\'')) => q,
                _ => return Err(problem(AttributeProblem::NotQuoted, name_start, key_end)),
            };
            let value_start = i + 1;
            let scanned = scan_value(&after[value_start..], bytes.len() - value_start, quote);
            let Some((length, plain)) = scanned else {
                return Err(problem(AttributeProblem::NotClosed, name_start, key_end));
            };
            let value_end = value_start + length;
            i = value_end + 1;
            if bytes[name_start..key_end].starts_with(b"xmlns") {
                continue;
            }
            let attribute_name = &content[local_start..key_end];
            if attributes.iter().any(|a| same_name(a.name, attribute_name)) {
                return Err(problem(AttributeProblem::Twice, name_start, key_end));
            }
            let span = Span::new(base + value_start, base + value_end);
            let raw = &content[value_start..value_end];
            let value = if plain {
                Cow::Borrowed(raw)
            } else {
                decoded_attribute_value(raw, span)?
            };
            attributes.push(Attribute {
                name: attribute_name,
                value,
                span,
            });
        }
        self.tags += 1;
        Ok(Tag {
            name,
            start: at,
            is_empty,
            serial: self.tags,
        })
    }

    /// An attribute of `tag`, which must be the last start tag read. Inlined (like its callers)
    /// so that the comparisons are with a known name.
    #[inline]
    fn attribute(&self, tag: &Tag<'a>, name: &str) -> Option<&Attribute<'a>> {
        debug_assert_eq!(
            tag.serial, self.tags,
            "the attributes of `<{}>` are read after a later tag",
            tag.name
        );
        self.attributes.iter().find(|a| same_name(a.name, name))
    }

    #[inline]
    fn optional(&self, tag: &Tag<'a>, name: &str) -> Option<Spanned<Text<'a>>> {
        self.attribute(tag, name)
            .map(|a| Spanned::new(a.value.clone(), a.span))
    }

    #[inline]
    fn optional_text(&self, tag: &Tag<'a>, name: &str) -> Option<Text<'a>> {
        self.attribute(tag, name).map(|a| a.value.clone())
    }

    /// The text of an event, borrowed from the input for as long as the document lives.
    fn rebase(&self, bytes: &str) -> Option<&'a str> {
        let start = (bytes.as_ptr() as usize).checked_sub(self.text.as_ptr() as usize)?;
        let end = start.checked_add(bytes.len())?;
        self.text.get(start..end)
    }

    /// The offset of a slice of the input text.
    fn offset_of(&self, slice: &str) -> Option<usize> {
        (slice.as_ptr() as usize).checked_sub(self.text.as_ptr() as usize)
    }

    #[inline]
    fn required(&mut self, tag: &Tag<'a>, name: &str) -> Spanned<Text<'a>> {
        match self.optional(tag, name) {
            Some(value) => value,
            None => self.missing(tag, name),
        }
    }

    /// Reports a missing required attribute; its value reads as empty.
    #[cold]
    #[inline(never)]
    fn missing(&mut self, tag: &Tag<'a>, name: &str) -> Spanned<Text<'a>> {
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
    fn identifier(&mut self, tag: &Tag<'a>) -> Spanned<Text<'a>> {
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
    fn namespace(&mut self, tag: &Tag<'a>) -> Spanned<Text<'a>> {
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
    fn alias(&mut self, tag: &Tag<'a>) -> Option<Spanned<Text<'a>>> {
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
    fn flag(&mut self, tag: &Tag<'a>, name: &str, default: bool) -> bool {
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
    fn not_a_flag(&mut self, name: &str, value: &str, span: Span, default: bool) -> bool {
        self.diagnostics.error(
            span,
            format!("`{name}` must be `true` or `false`, found `{value}`"),
        );
        default
    }

    /// Reads the children of an open element, calling `child` for each child element. Text
    /// directly inside the element is ignored.
    fn children(
        &mut self,
        parent: &Tag<'a>,
        mut child: impl FnMut(&mut Self, Tag<'a>) -> Result<(), Fatal>,
    ) -> Result<(), Fatal> {
        if parent.is_empty {
            return Ok(());
        }
        loop {
            match self.next::<false>()? {
                Item::Open(tag) => child(self, tag)?,
                Item::Close => return Ok(()),
                Item::Text(_) | Item::RawText(_) => {}
                Item::End => return Err(self.unclosed(parent)),
            }
        }
    }

    /// Reads the text of an element whose children are skipped (`<String>text</String>`).
    fn text_content(&mut self, parent: &Tag<'a>) -> Result<Text<'a>, Fatal> {
        let mut text: Text<'a> = Cow::Borrowed("");
        if parent.is_empty {
            return Ok(text);
        }
        loop {
            match self.next::<true>()? {
                Item::Open(tag) => self.skip(tag)?,
                Item::Close => return Ok(text),
                Item::Text(piece) => {
                    if text.is_empty() {
                        text = piece;
                    } else {
                        text.to_mut().push_str(&piece);
                    }
                }
                Item::RawText(raw) => {
                    let piece = raw.xml10_content();
                    if text.is_empty() {
                        text = piece;
                    } else {
                        text.to_mut().push_str(&piece);
                    }
                }
                Item::End => return Err(self.unclosed(parent)),
            }
        }
    }

    fn unclosed(&self, parent: &Tag<'a>) -> Fatal {
        Diagnostic::error(
            Span::at(self.text.len()),
            format!("unexpected end of file: `<{}>` is not closed", parent.name),
        )
        .with_note(Some(parent.span()), "the element opened here")
    }

    /// Skips an element and everything inside it.
    fn skip(&mut self, tag: Tag<'a>) -> Result<(), Fatal> {
        if tag.is_empty {
            return Ok(());
        }
        let mut depth = 0usize;
        loop {
            match self.next::<false>()? {
                Item::Open(inner) => {
                    if !inner.is_empty {
                        depth += 1;
                    }
                }
                Item::Close => {
                    if depth == 0 {
                        return Ok(());
                    }
                    depth -= 1;
                }
                Item::Text(_) | Item::RawText(_) => {}
                Item::End => return Err(self.unclosed(&tag)),
            }
        }
    }

    fn document(&mut self) -> Result<Document<'a>, Fatal> {
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
                        "Reference" => parser.children(&child, |parser, include| {
                            if include.name == "Include" {
                                let namespace = parser.required(&include, "Namespace");
                                let alias = parser.optional(&include, "Alias");
                                document.includes.push(Include { namespace, alias });
                            }
                            parser.skip(include)
                        }),
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

    fn schema(&mut self, tag: Tag<'a>) -> Result<Schema<'a>, Fatal> {
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

    fn structured_type(
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

    fn enum_type(&mut self, tag: Tag<'a>) -> Result<EnumType<'a>, Fatal> {
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

    fn operation(&mut self, tag: Tag<'a>, kind: OperationKind) -> Result<Operation<'a>, Fatal> {
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

    fn entity_container(&mut self, tag: Tag<'a>) -> Result<EntityContainer<'a>, Fatal> {
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
    fn annotations_only(&mut self, tag: Tag<'a>) -> Result<Vec<Annotation<'a>>, Fatal> {
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

    fn annotation(&mut self, tag: Tag<'a>) -> Result<Annotation<'a>, Fatal> {
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
    fn inline_constant(&mut self, tag: &Tag<'a>) -> AnnotationValue<'a> {
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
    fn constant(
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
    fn expression(&mut self, tag: Tag<'a>) -> Result<AnnotationValue<'a>, Fatal> {
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
fn trimmed(text: Text<'_>) -> Text<'_> {
    match text {
        Cow::Borrowed(text) => Cow::Borrowed(text.trim()),
        Cow::Owned(text) if text.trim().len() == text.len() => Cow::Owned(text),
        Cow::Owned(text) => Cow::Owned(text.trim().to_string()),
    }
}

/// Eight bytes of ones, for word-at-a-time byte tests.
const ONES: u64 = 0x0101_0101_0101_0101;
/// The high bit of each of eight bytes.
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// Finds the closing `quote` of an attribute value in `bytes[..limit]`: the value's length, and
/// whether it is plain (no `&`, tab or line break, so it needs no decoding). Eight bytes at a time
/// until the first byte that is the quote, `&` or a control character (long descriptions are the
/// bulk of a Graph document); most values end there. The last eight bytes may reach past `limit`
/// (to the end of the tag) so that short values need no byte-by-byte tail.
fn scan_value(bytes: &[u8], limit: usize, quote: u8) -> Option<(usize, bool)> {
    // Both quotes differ from `&` in one bit: setting that bit in every byte maps the quote
    // and `&` (and nothing else) to the same byte, so one zero-byte test finds either.
    let bit = quote ^ b'&';
    debug_assert_eq!(bit.count_ones(), 1, "a quote is `\"` or `'`");
    let fold = ONES * u64::from(bit);
    let target = ONES * u64::from(quote | b'&');
    let mut i = 0;
    for chunk in bytes.chunks_exact(8) {
        if i >= limit {
            break;
        }
        let mut array = [0u8; 8];
        array.copy_from_slice(chunk);
        let word = u64::from_le_bytes(array);
        let x = (word | fold) ^ target;
        // The high bit of each byte that is the quote or `&` (zero in `x`) or a control
        // character (below 0x20: tab and line breaks, and others that only leave the fast
        // path), exact up to the lowest such byte (a borrow can mark bytes above it too).
        let special = (x.wrapping_sub(ONES) & !x | word.wrapping_sub(ONES * 0x20) & !word) & HIGHS;
        if special == 0 {
            i += 8;
            continue;
        }
        i += (special.trailing_zeros() / 8) as usize;
        if i < limit && bytes[i] == quote {
            return Some((i, true));
        }
        break;
    }
    // The rest byte by byte: a value that needs decoding, or the end of the input.
    let mut plain = true;
    for (offset, &byte) in bytes.get(i..limit).unwrap_or_default().iter().enumerate() {
        match byte {
            b'&' | b'\t' | b'\n' | b'\r' => plain = false,
            _ if byte == quote => return Some((i + offset, plain)),
            _ => {}
        }
    }
    None
}

fn is_xml_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\r' | b'\n')
}

/// What is wrong with an attribute in a start tag.
#[derive(Clone, Copy)]
enum AttributeProblem {
    NoValue,
    NotQuoted,
    NotClosed,
    Twice,
}

/// The error for the attribute whose name is `content[name_start..key_end]`.
#[cold]
#[inline(never)]
fn malformed_attribute(
    problem: AttributeProblem,
    content: &str,
    base: usize,
    name_start: usize,
    key_end: usize,
) -> Fatal {
    let key = &content[name_start..key_end];
    let span = Span::new(base + name_start, base + key_end);
    let message = match problem {
        AttributeProblem::NoValue => format!("malformed attribute: `{key}` has no value"),
        AttributeProblem::NotQuoted => {
            format!("malformed attribute: the value of `{key}` must be in quotes")
        }
        AttributeProblem::NotClosed => {
            format!("malformed attribute: the value of `{key}` is not closed")
        }
        AttributeProblem::Twice => format!("the attribute `{key}` is given twice"),
    };
    Diagnostic::error(span, message)
}

/// An attribute value that needs decoding, or the error for it.
#[cold]
#[inline(never)]
fn decoded_attribute_value(raw: &str, span: Span) -> Result<Text<'_>, Fatal> {
    attribute_value(raw).map_err(|error| {
        Diagnostic::error(
            span,
            format!("invalid attribute value: {error} (only the five predefined XML entities and character references are allowed)"),
        )
    })
}

/// An attribute value as XML defines it: line breaks and tabs become spaces, then references are
/// decoded (a `&#10;` stays a line break). Borrowed unless something changed.
fn attribute_value(raw: &str) -> Result<Text<'_>, quick_xml::escape::EscapeError> {
    if !raw
        .bytes()
        .any(|b| matches!(b, b'&' | b'\t' | b'\r' | b'\n'))
    {
        return Ok(Cow::Borrowed(raw));
    }
    let normalized: Text<'_> = if raw.bytes().any(|b| matches!(b, b'\t' | b'\r' | b'\n')) {
        Cow::Owned(raw.replace("\r\n", " ").replace(['\t', '\r', '\n'], " "))
    } else {
        Cow::Borrowed(raw)
    };
    match normalized {
        Cow::Borrowed(raw) => quick_xml::escape::unescape(raw),
        Cow::Owned(owned) => Ok(Cow::Owned(
            quick_xml::escape::unescape(&owned)?.into_owned(),
        )),
    }
}

/// Whether two attribute names are equal: they are short and mostly differ in their first byte,
/// so this beats a call to `memcmp`.
fn same_name(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).all(|(x, y)| x == y)
}

/// The first `byte` in `bytes[..limit]`, eight bytes at a time (the last eight may reach past
/// `limit`).
fn find_byte(bytes: &[u8], limit: usize, byte: u8) -> Option<usize> {
    let pattern = ONES * u64::from(byte);
    let mut i = 0;
    for chunk in bytes.chunks_exact(8) {
        if i >= limit {
            return None;
        }
        let mut array = [0u8; 8];
        array.copy_from_slice(chunk);
        let x = u64::from_le_bytes(array) ^ pattern;
        // The high bit of each zero byte, exact up to the lowest one.
        let found = x.wrapping_sub(ONES) & !x & HIGHS;
        if found != 0 {
            let at = i + (found.trailing_zeros() / 8) as usize;
            return (at < limit).then_some(at);
        }
        i += 8;
    }
    let rest = bytes.get(i..limit)?;
    rest.iter().position(|&b| b == byte).map(|at| i + at)
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

/// A CSDL simple identifier: a letter or `_`, then letters, digits and `_`, at most 128
/// characters.
fn is_simple_identifier(text: &str) -> bool {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finding_a_byte_within_a_limit() {
        let text = b"edmx:DataServices xmlns:a=\"x\"";
        assert_eq!(find_byte(text, 17, b':'), Some(4));
        assert_eq!(find_byte(text, 4, b':'), None);
        assert_eq!(find_byte(text, 5, b':'), Some(4));
        assert_eq!(find_byte(b"DataServices xmlns:a", 12, b':'), None);
        assert_eq!(find_byte(b"DataServices:x", 14, b':'), Some(12));
        assert_eq!(find_byte(b"DataServices:x", 12, b':'), None);
        assert_eq!(find_byte(b"a:b", 3, b':'), Some(1));
        assert_eq!(find_byte(b"ab", 2, b':'), None);
        assert_eq!(find_byte(b"", 0, b':'), None);
        for length in 0..20 {
            let name = "n".repeat(length);
            for colon in 0..length {
                let mut with_colon = name.clone().into_bytes();
                with_colon[colon] = b':';
                with_colon.extend_from_slice(b":: tail");
                assert_eq!(find_byte(&with_colon, length, b':'), Some(colon));
            }
            let mut without = name.into_bytes();
            without.extend_from_slice(b":: tail");
            assert_eq!(find_byte(&without, length, b':'), None);
        }
    }

    #[test]
    fn simple_identifiers() {
        let long_ascii = "a".repeat(128);
        let too_long_ascii = "a".repeat(129);
        let long_unicode = "é".repeat(128);
        let too_long_unicode = "é".repeat(129);
        for (text, expected) in [
            ("user", true),
            ("_x1", true),
            ("x_1_", true),
            ("", false),
            ("1x", false),
            ("request-id", false),
            ("a.b", false),
            ("a b", false),
            ("élan", true),
            ("naïve_2", true),
            ("x²", true),
            ("²x", false),
            (long_ascii.as_str(), true),
            (too_long_ascii.as_str(), false),
            (long_unicode.as_str(), true),
            (too_long_unicode.as_str(), false),
        ] {
            assert_eq!(is_simple_identifier(text), expected, "{text:?}");
        }
    }

    #[test]
    fn scanning_a_value_finds_its_quote_and_what_needs_decoding() {
        for (text, expected) in [
            ("abc\" x", Some((3, true))),
            (
                "a long description without specials, then\"",
                Some((41, true)),
            ),
            (
                "a long description with &amp; an entity\"",
                Some((39, false)),
            ),
            (
                "a long one with a line\nbreak in it, and more\"",
                Some((44, false)),
            ),
            ("'single' inside double\"", Some((22, true))),
            ("\"", Some((0, true))),
            ("never closed, not even after sixteen bytes", None),
            ("", None),
        ] {
            assert_eq!(
                scan_value(text.as_bytes(), text.len(), b'"'),
                expected,
                "{text:?}"
            );
            // The same value inside a longer input: the scan may look further but finds the same.
            let longer = format!("{text}\" more=\"x\" />");
            assert_eq!(
                scan_value(longer.as_bytes(), text.len(), b'"'),
                expected,
                "{text:?}"
            );
        }
        assert_eq!(scan_value(b"it's'", 5, b'\''), Some((2, true)));
        // A quote past the limit is not the value's end.
        assert_eq!(scan_value(b"abc\"", 3, b'"'), None);
        assert_eq!(scan_value(b"abcdefghijk\" x", 11, b'"'), None);
        assert_eq!(scan_value(b"abcdefghij&k\" x", 11, b'"'), None);
        assert_eq!(scan_value(b"abcdefghij\"k\" x", 11, b'"'), Some((10, true)));
        assert_eq!(
            scan_value(b"a&cdefghij\"k\" x", 11, b'"'),
            Some((10, false))
        );
        // Other control characters leave the fast path but need no decoding.
        assert_eq!(scan_value(b"a\x01cdefghij\"", 11, b'"'), Some((10, true)));
    }
}
