//! The XML layer: start tags and their attributes scanned from the bytes (with the checks
//! XML requires), text content, references, and skipping what the grammar does not read.

use super::*;

/// An attribute of the current start tag.
#[derive(Clone, Debug)]
pub(super) struct Attribute<'a> {
    /// The local name (without a prefix).
    pub(super) name: &'a str,
    /// The value with references decoded and whitespace normalized.
    pub(super) value: Text<'a>,
    /// The raw value, between the quotes.
    pub(super) span: Span,
}

/// A start tag. Its attributes live in [`Parser::attributes`] until the next start tag is read,
/// so every element function reads its attributes before it reads its children.
pub(super) struct Tag<'a> {
    pub(super) name: &'a str,
    /// The `<` of the start tag.
    pub(super) start: usize,
    /// Whether it was `<x/>`.
    pub(super) is_empty: bool,
    /// Which start tag of the document this is, to check that its attributes are still there.
    pub(super) serial: usize,
}

impl Tag<'_> {
    pub(super) fn span(&self) -> Span {
        Span::new(self.start, self.start + 1 + self.name.len())
    }
}

pub(super) enum Item<'a> {
    Open(Tag<'a>),
    Close,
    /// Decoded text: a reference or CDATA.
    Text(Text<'a>),
    /// Text as written, line ends not yet normalized (most of it is whitespace nobody reads).
    RawText(BytesText<'a>),
    End,
}

impl<'a> Parser<'a> {
    pub(super) fn new(text: &'a str) -> Self {
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

    pub(super) fn position(&self) -> usize {
        self.offset + self.reader.buffer_position() as usize
    }

    /// The next item. Text is returned only when `TEXT` is set: elements that ignore their text
    /// read with it unset, which still checks every reference but returns only markup.
    pub(super) fn next<const TEXT: bool>(&mut self) -> Result<Item<'a>, Fatal> {
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
    pub(super) fn malformed(&self, error: &quick_xml::Error) -> Fatal {
        let at = self.offset + self.reader.error_position() as usize;
        Diagnostic::error(Span::at(at), format!("malformed XML: {error}"))
    }

    /// The text of an entity or character reference in text, which starts at `before`.
    #[cold]
    #[inline(never)]
    pub(super) fn reference(
        &self,
        reference: &BytesRef<'_>,
        before: usize,
    ) -> Result<Text<'a>, Fatal> {
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
    pub(super) fn tag(
        &mut self,
        start: &BytesStart<'_>,
        at: usize,
        is_empty: bool,
    ) -> Result<Tag<'a>, Fatal> {
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
    pub(super) fn attribute(&self, tag: &Tag<'a>, name: &str) -> Option<&Attribute<'a>> {
        debug_assert_eq!(
            tag.serial, self.tags,
            "the attributes of `<{}>` are read after a later tag",
            tag.name
        );
        self.attributes.iter().find(|a| same_name(a.name, name))
    }

    #[inline]
    pub(super) fn optional(&self, tag: &Tag<'a>, name: &str) -> Option<Spanned<Text<'a>>> {
        self.attribute(tag, name)
            .map(|a| Spanned::new(a.value.clone(), a.span))
    }

    #[inline]
    pub(super) fn optional_text(&self, tag: &Tag<'a>, name: &str) -> Option<Text<'a>> {
        self.attribute(tag, name).map(|a| a.value.clone())
    }

    /// The text of an event, borrowed from the input for as long as the document lives.
    pub(super) fn rebase(&self, bytes: &str) -> Option<&'a str> {
        let start = (bytes.as_ptr() as usize).checked_sub(self.text.as_ptr() as usize)?;
        let end = start.checked_add(bytes.len())?;
        self.text.get(start..end)
    }

    /// The offset of a slice of the input text.
    pub(super) fn offset_of(&self, slice: &str) -> Option<usize> {
        (slice.as_ptr() as usize).checked_sub(self.text.as_ptr() as usize)
    }

    /// Reads the children of an open element, calling `child` for each child element. Text
    /// directly inside the element is ignored.
    pub(super) fn children(
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
    pub(super) fn text_content(&mut self, parent: &Tag<'a>) -> Result<Text<'a>, Fatal> {
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

    pub(super) fn unclosed(&self, parent: &Tag<'a>) -> Fatal {
        Diagnostic::error(
            Span::at(self.text.len()),
            format!("unexpected end of file: `<{}>` is not closed", parent.name),
        )
        .with_note(Some(parent.span()), "the element opened here")
    }

    /// Skips an element and everything inside it.
    pub(super) fn skip(&mut self, tag: Tag<'a>) -> Result<(), Fatal> {
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
}

/// Eight bytes of ones, for word-at-a-time byte tests.
pub(super) const ONES: u64 = 0x0101_0101_0101_0101;
/// The high bit of each of eight bytes.
pub(super) const HIGHS: u64 = 0x8080_8080_8080_8080;

/// Finds the closing `quote` of an attribute value in `bytes[..limit]`: the value's length, and
/// whether it is plain (no `&`, tab or line break, so it needs no decoding). Eight bytes at a time
/// until the first byte that is the quote, `&` or a control character (long descriptions are the
/// bulk of a Graph document); most values end there. The last eight bytes may reach past `limit`
/// (to the end of the tag) so that short values need no byte-by-byte tail.
pub(super) fn scan_value(bytes: &[u8], limit: usize, quote: u8) -> Option<(usize, bool)> {
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

pub(super) fn is_xml_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\r' | b'\n')
}

/// What is wrong with an attribute in a start tag.
#[derive(Clone, Copy)]
pub(super) enum AttributeProblem {
    NoValue,
    NotQuoted,
    NotClosed,
    Twice,
}

/// The error for the attribute whose name is `content[name_start..key_end]`.
#[cold]
#[inline(never)]
pub(super) fn malformed_attribute(
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
pub(super) fn decoded_attribute_value(raw: &str, span: Span) -> Result<Text<'_>, Fatal> {
    attribute_value(raw).map_err(|error| {
        Diagnostic::error(
            span,
            format!("invalid attribute value: {error} (only the five predefined XML entities and character references are allowed)"),
        )
    })
}

/// An attribute value as XML defines it: line breaks and tabs become spaces, then references are
/// decoded (a `&#10;` stays a line break). Borrowed unless something changed.
pub(super) fn attribute_value(raw: &str) -> Result<Text<'_>, quick_xml::escape::EscapeError> {
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
pub(super) fn same_name(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).all(|(x, y)| x == y)
}

/// The first `byte` in `bytes[..limit]`, eight bytes at a time (the last eight may reach past
/// `limit`).
pub(super) fn find_byte(bytes: &[u8], limit: usize, byte: u8) -> Option<usize> {
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
