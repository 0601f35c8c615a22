//! Problems found in the input, as values with positions.
//!
//! Every stage reports into a [`Diagnostics`] collector instead of failing at the first problem, so
//! a maintainer sees everything that is wrong in one run. Positions are byte offsets into the
//! source text; [`Diagnostic::render`] turns them into `FILE:LINE:COL: error: message`, followed by
//! the source line and a caret.

use std::fmt::Write as _;

/// A byte range in a source text, or in the documents of a service read together, placed one
/// after another by a [`SourceMap`]. Offsets are kept in 32 bits (the syntax tree holds a span
/// for every name and value, so its size matters); sources are at most [`Span::MAX_SOURCE`]
/// bytes, which the CSDL reader checks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    start: u32,
    end: u32,
}

impl Span {
    /// The largest source, in bytes, whose offsets a span can hold.
    pub const MAX_SOURCE: usize = u32::MAX as usize;

    /// A span from `start` to `end` (offsets beyond [`Span::MAX_SOURCE`] are clamped).
    pub fn new(start: usize, end: usize) -> Self {
        let clamp = |offset: usize| u32::try_from(offset).unwrap_or(u32::MAX);
        Span {
            start: clamp(start),
            end: clamp(end),
        }
    }

    /// A span of zero length at `offset`.
    pub fn at(offset: usize) -> Self {
        Span::new(offset, offset)
    }

    /// Offset of the first byte.
    pub fn start(self) -> usize {
        self.start as usize
    }

    /// Offset one past the last byte.
    pub fn end(self) -> usize {
        self.end as usize
    }

    /// The same range `by` bytes further on (see [`SourceMap`]).
    pub fn shifted(self, by: usize) -> Self {
        Span::new(self.start() + by, self.end() + by)
    }
}

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

/// How bad a problem is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The input is usable; the problem is worth knowing.
    Warning,
    /// The input cannot be used as it is.
    Error,
}

/// Which source a position refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum SourceKind {
    /// The CSDL document.
    Csdl,
    /// The generation config.
    Config,
    /// The command line (roots and paths given as arguments); there is no text to point into.
    CommandLine,
}

/// A secondary location or remark attached to a diagnostic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    /// Where the note points, if anywhere.
    pub span: Option<Span>,
    /// What it says.
    pub message: String,
}

/// One problem, with where it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// The source the span refers to.
    pub source: SourceKind,
    /// Where the problem is.
    pub span: Span,
    /// What is wrong, as one lowercase sentence without a final period.
    pub message: String,
    /// Further locations or hints.
    pub notes: Vec<Note>,
}

impl Diagnostic {
    /// An error in the CSDL document.
    pub fn error(span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            source: SourceKind::Csdl,
            span,
            message: message.into(),
            notes: Vec::new(),
        }
    }

    /// A warning about the CSDL document.
    pub fn warning(span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(span, message)
        }
    }

    /// The same diagnostic, about another source.
    pub fn in_source(mut self, source: SourceKind) -> Self {
        self.source = source;
        self
    }

    /// Adds a note that points at `span`.
    pub fn with_note(mut self, span: Option<Span>, message: impl Into<String>) -> Self {
        self.notes.push(Note {
            span,
            message: message.into(),
        });
        self
    }

    /// Whether this is an error.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Renders the diagnostic as `FILE:LINE:COL: error: message`, the source line with a caret,
    /// and its notes. `file_name` and `text` are those of the source the diagnostic refers to.
    pub fn render(&self, file_name: &str, text: &str) -> String {
        self.render_located(&|offset| (file_name, text, offset))
    }

    /// Renders a diagnostic about a set of documents placed by `map` (see [`SourceMap`]):
    /// each position is shown in the document it falls in. `documents` holds the displayed
    /// name and the text of each, in the map's order.
    pub fn render_in(&self, map: &SourceMap, documents: &[(&str, &str)]) -> String {
        self.render_located(&|offset| {
            let (document, local) = map.locate(offset);
            let (name, text) = documents
                .get(document)
                .copied()
                .unwrap_or(("<unknown>", ""));
            (name, text, local)
        })
    }

    /// Renders with `locate` turning an offset into the file name, its text and the offset in
    /// that text.
    fn render_located<'t>(&self, locate: &dyn Fn(usize) -> (&'t str, &'t str, usize)) -> String {
        let mut out = String::new();
        let label = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let (file_name, text, offset) = locate(self.span.start());
        let position = LinePosition::of(text, offset);
        let _ = writeln!(
            out,
            "{file_name}:{}:{}: {label}: {}",
            position.line, position.column, self.message
        );
        render_excerpt(&mut out, text, offset, &position);
        for note in &self.notes {
            match note.span {
                Some(span) => {
                    let (file_name, text, offset) = locate(span.start());
                    let at = LinePosition::of(text, offset);
                    let _ = writeln!(
                        out,
                        "{file_name}:{}:{}: note: {}",
                        at.line, at.column, note.message
                    );
                    render_excerpt(&mut out, text, offset, &at);
                }
                None => {
                    let _ = writeln!(out, "  = note: {}", note.message);
                }
            }
        }
        out
    }

    /// The same diagnostic with every position moved `by` bytes on (see [`SourceMap`]).
    pub fn shifted(mut self, by: usize) -> Self {
        self.span = self.span.shifted(by);
        for note in &mut self.notes {
            note.span = note.span.map(|span| span.shifted(by));
        }
        self
    }
}

/// Where each of several documents read together (a service split over files that reference
/// each other) starts in the one offset space that spans point into, like rustc's source map:
/// a span stays two offsets, and which document it is in follows from where it starts. Each
/// document is placed one byte after the end of the one before it, so an offset at the end of a
/// document still falls in that document.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SourceMap {
    starts: Vec<usize>,
}

impl SourceMap {
    /// The places of documents of the given lengths, in order.
    pub fn new(lengths: impl IntoIterator<Item = usize>) -> Self {
        let mut next = 0;
        let starts = lengths
            .into_iter()
            .map(|length| {
                let start = next;
                next = start + length + 1;
                start
            })
            .collect();
        SourceMap { starts }
    }

    /// Where document `index` starts.
    pub fn start(&self, index: usize) -> usize {
        self.starts[index]
    }

    /// The document an offset falls in, and the offset within it.
    pub fn locate(&self, offset: usize) -> (usize, usize) {
        let index = self
            .starts
            .partition_point(|&start| start <= offset)
            .saturating_sub(1);
        (index, offset - self.starts.get(index).copied().unwrap_or(0))
    }
}

fn render_excerpt(out: &mut String, text: &str, offset: usize, position: &LinePosition) {
    let offset = floor_char_boundary(text, offset.min(text.len()));
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    let line = text[line_start..line_end].trim_end_matches('\r');
    if line.trim().is_empty() {
        return;
    }
    // Keep very long lines readable: show at most 60 characters before the caret.
    let before: Vec<char> = text[line_start..offset].chars().collect();
    let skip = before.len().saturating_sub(60);
    let shown: String = line.chars().skip(skip).take(160).collect();
    let gutter = position.line.to_string();
    let pad = " ".repeat(gutter.len());
    let _ = writeln!(out, "{pad} |");
    let _ = writeln!(out, "{gutter} | {shown}");
    let caret_indent: String = before[skip..]
        .iter()
        .map(|c| if *c == '\t' { '\t' } else { ' ' })
        .collect();
    let _ = writeln!(out, "{pad} | {caret_indent}^");
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// A 1-based line and column (counted in characters).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LinePosition {
    /// 1-based line number.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

impl LinePosition {
    /// The line and column of byte `offset` in `text`.
    pub fn of(text: &str, offset: usize) -> Self {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let before = &text[..offset];
        let line = before.bytes().filter(|b| *b == b'\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        LinePosition { line, column }
    }
}

/// Collects diagnostics from one run.
#[derive(Debug, Default)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// An empty collector.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records a diagnostic.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.items.push(diagnostic);
    }

    /// Records an error in the CSDL.
    pub fn error(&mut self, span: Span, message: impl Into<String>) {
        self.push(Diagnostic::error(span, message));
    }

    /// Records a warning about the CSDL.
    pub fn warning(&mut self, span: Span, message: impl Into<String>) {
        self.push(Diagnostic::warning(span, message));
    }

    /// How many diagnostics were recorded.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Whether any error was recorded.
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(Diagnostic::is_error)
    }

    /// All diagnostics, in the order of their position in the source.
    pub fn into_sorted(mut self) -> Vec<Diagnostic> {
        self.items
            .sort_by_key(|d| (d.source, d.span.start(), std::cmp::Reverse(d.severity)));
        self.items
    }

    /// Moves every diagnostic of `other` into this collector.
    pub fn extend(&mut self, other: impl IntoIterator<Item = Diagnostic>) {
        self.items.extend(other);
    }
}

/// Levenshtein distance between two short strings: how near a misspelt name is to the ones
/// that exist, for the notes that suggest one.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_lines_and_characters() {
        let text = "ab\ncé d\n";
        assert_eq!(
            LinePosition::of(text, 0),
            LinePosition { line: 1, column: 1 }
        );
        // 'd' is at byte 7 (c=3, é=4..6, space=6)
        let d = text.find('d').unwrap();
        assert_eq!(
            LinePosition::of(text, d),
            LinePosition { line: 2, column: 4 }
        );
    }

    #[test]
    fn a_source_map_places_documents_one_after_another() {
        let map = SourceMap::new([10, 0, 5]);
        assert_eq!((map.start(0), map.start(1), map.start(2)), (0, 11, 12));
        assert_eq!(map.locate(0), (0, 0));
        assert_eq!(
            map.locate(10),
            (0, 10),
            "the end of a document is still in it"
        );
        assert_eq!(map.locate(11), (1, 0));
        assert_eq!(map.locate(14), (2, 2));
        let first = "<a>\n<b/>\n";
        let second = "<c>\n  <d Type=\"x\"/>\n";
        let map = SourceMap::new([first.len(), second.len()]);
        let offset = map.start(1) + second.find('x').unwrap();
        let diagnostic = Diagnostic::error(Span::at(offset), "unknown type `x`")
            .with_note(Some(Span::at(4)), "the other document");
        assert_eq!(
            diagnostic.render_in(&map, &[("first.xml", first), ("second.xml", second)]),
            "second.xml:2:12: error: unknown type `x`\n  |\n2 |   <d Type=\"x\"/>\n  |            ^\n\
             first.xml:2:1: note: the other document\n  |\n2 | <b/>\n  | ^\n"
        );
    }

    #[test]
    fn render_shows_location_line_and_caret() {
        let text = "<a>\n  <b Type=\"x\"/>\n</a>\n";
        let offset = text.find("x\"").unwrap();
        let diagnostic = Diagnostic::error(Span::new(offset, offset + 1), "unknown type `x`")
            .with_note(None, "types are qualified");
        let rendered = diagnostic.render("in.xml", text);
        assert_eq!(
            rendered,
            "in.xml:2:12: error: unknown type `x`\n  |\n2 |   <b Type=\"x\"/>\n  |            ^\n  = note: types are qualified\n"
        );
    }
}
