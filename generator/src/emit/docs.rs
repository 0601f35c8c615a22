//! The one place that turns descriptions into doc comments.
//!
//! Descriptions come from metadata written for humans, not for rustdoc, and are data: nothing
//! in them may become code that rustdoc compiles or runs. They are made safe: no line is
//! indented and no code fence (a run of three or more backticks or tildes, which could open a
//! fenced block at a paragraph's start) survives unescaped, so nothing becomes a code block and
//! then a doctest; brackets and angle brackets are escaped (no links, intra-doc or
//! `javascript:`, and no raw HTML such as `<pre>` or `<script>`); backticks are balanced per
//! line; and bare URLs are wrapped in `<...>` so rustdoc links them instead of warning. The text
//! reaches the generated code only as the string of a `#[doc = "..."]` attribute.

use proc_macro2::TokenStream;
use quote::quote;

/// `#[doc = "..."]` attributes for a text made of paragraphs.
pub fn doc_attributes(text: &str) -> TokenStream {
    let lines: Vec<String> = text.lines().map(|line| format!(" {line}")).collect();
    quote!(#(#[doc = #lines])*)
}

/// Makes a description safe to use as Markdown in rustdoc.
pub fn sanitize(description: &str) -> String {
    let mut paragraphs = Vec::new();
    for paragraph in description.split("\n\n") {
        let words: Vec<String> = paragraph.split_whitespace().map(escape_word).collect();
        if !words.is_empty() {
            paragraphs.push(balance_backticks(defuse_fences(&words.join(" "))));
        }
    }
    paragraphs.join("\n\n")
}

/// A word with every `http://` or `https://` URL in it wrapped in `<...>` (rustdoc links those
/// and warns about bare ones) and the rest escaped. A URL may follow a quote or a Markdown link's
/// `](`; it ends before a quote, bracket, parenthesis or angle bracket, and trailing sentence
/// punctuation stays outside.
fn escape_word(word: &str) -> String {
    let start = ["https://", "http://"]
        .iter()
        .filter_map(|scheme| word.find(scheme))
        .min();
    let Some(start) = start else {
        return escape_text(word);
    };
    let (prefix, rest) = word.split_at(start);
    let end = rest
        .find(['"', '\'', '<', '>', '(', ')', '[', ']', '`'])
        .unwrap_or(rest.len());
    let (url, after) = rest.split_at(end);
    let trimmed = url.trim_end_matches(['.', ',', ';', ':', '!', '?']);
    let trailing = &url[trimmed.len()..];
    if trimmed.ends_with("://") {
        // A scheme alone is no link.
        return format!("{}{}", escape_text(prefix), escape_text(rest));
    }
    format!(
        "{}<{trimmed}>{}",
        escape_text(prefix),
        escape_word(&format!("{trailing}{after}"))
    )
}

fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '[' | ']' | '*' | '_' | '#' | '|' | '\\' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            _ => out.push(c),
        }
    }
    out
}

/// `line` with every backtick of a run of three or more escaped (a fence such as ```` ``` ```` or
/// ```` ```rust ````; tildes are always escaped by `escape_text`).
fn defuse_fences(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(start) = rest.find('`') {
        out.push_str(&rest[..start]);
        let run = rest[start..].len() - rest[start..].trim_start_matches('`').len();
        if run >= 3 {
            out.push_str(&"\\`".repeat(run));
        } else {
            out.push_str(&rest[start..start + run]);
        }
        rest = &rest[start + run..];
    }
    out.push_str(rest);
    out
}

/// `line` with its unescaped backticks turned into `'` when they are odd in number (one would
/// open a code span that never closes); escaped ones (`` \` ``) stay.
fn balance_backticks(line: String) -> String {
    // Which characters are escaped by the backslash before them (`\\` escapes itself).
    let mut escaped = false;
    let marks: Vec<(char, bool)> = line
        .chars()
        .map(|c| {
            let mark = (c, escaped);
            escaped = c == '\\' && !escaped;
            mark
        })
        .collect();
    let unescaped = marks.iter().filter(|&&(c, e)| c == '`' && !e).count();
    if unescaped % 2 == 0 {
        return line;
    }
    marks
        .into_iter()
        .map(|(c, e)| if c == '`' && !e { '\'' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions_cannot_break_rustdoc() {
        let cases = [
            ("Plain text.", "Plain text."),
            ("    indented code-like text", "indented code-like text"),
            (
                "See [link] and <b>bold</b>.",
                "See \\[link\\] and &lt;b&gt;bold&lt;/b&gt;.",
            ),
            ("Read https://aka.ms/x.", "Read <https://aka.ms/x>."),
            (
                "Example: \"https://www.contoso.com\"",
                "Example: \"<https://www.contoso.com>\"",
            ),
            (
                "see [zones](https://learn.microsoft.com/a?view=b).",
                "see \\[zones\\](<https://learn.microsoft.com/a?view=b>).",
            ),
            (
                "(http://a.b/c, https://d.e/f)",
                "(<http://a.b/c>, <https://d.e/f>)",
            ),
            ("just https:// alone", "just https:// alone"),
            ("A `stray backtick", "A 'stray backtick"),
            ("Uses `code` fine", "Uses `code` fine"),
            ("a_b * c", "a\\_b \\* c"),
            ("First.\n\nSecond\nline.", "First.\n\nSecond line."),
        ];
        for (input, expected) in cases {
            assert_eq!(sanitize(input), expected, "for {input:?}");
        }
    }

    /// Every way a description could hold code: the result has no fence, no indented line and
    /// no raw HTML, so rustdoc has nothing to compile or run.
    #[test]
    fn code_in_descriptions_never_becomes_a_doctest() {
        let code = "fn main() { std::process::exit(1) }";
        let cases = [
            format!("Example:\n\n```\n\n{code}\n\n```"),
            format!("```rust\n{code}\n```"),
            format!("~~~\n\n{code}\n\n~~~"),
            format!("~~~~ rust\n{code}\n~~~~"),
            format!("````\n\n{code}\n\n````"),
            format!("Text\n\n    {code}\n\nmore"),
            format!("\t{code}"),
            format!("<pre>{code}</pre> <script>alert(1)</script>"),
            format!("[run](javascript:{code})"),
            format!("```\n```\n\n{code}\n\n```"),
        ];
        for input in &cases {
            let output = sanitize(input);
            for line in output.lines() {
                let start = line.trim_start();
                assert!(
                    !start.starts_with("```") && !start.starts_with("~~~"),
                    "a fence survives in {output:?} (from {input:?})"
                );
                assert!(
                    !line.starts_with([' ', '\t']),
                    "an indented line in {output:?}"
                );
                assert!(
                    !line.contains('<') || line.contains("<http"),
                    "HTML in {output:?}"
                );
                let links = line.match_indices("](");
                let unescaped = links.filter(|(at, _)| !line[..*at].ends_with('\\')).count();
                assert_eq!(unescaped, 0, "a link in {output:?}");
            }
            assert!(!output.contains("``` "), "{output:?}");
        }
        assert_eq!(sanitize("a ``` b"), "a \\`\\`\\` b");
        assert_eq!(sanitize("~~~"), "\\~\\~\\~");
        assert_eq!(
            sanitize("``code``"),
            "``code``",
            "a short run is inline code"
        );
        assert_eq!(
            sanitize("a\\` b`"),
            "a\\\\` b`",
            "an escaped backslash escapes nothing"
        );
    }
}
