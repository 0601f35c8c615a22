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

mod grammar;
mod xml;

use grammar::*;
use xml::*;

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
