//! The one place that turns descriptions into doc comments.
//!
//! Descriptions come from metadata written for humans, not for rustdoc. They are made safe:
//! no line is indented (so nothing becomes a code block and then a doctest), brackets and angle
//! brackets are escaped (no broken intra-doc links or HTML tags), backticks are balanced per
//! line, and bare URLs are wrapped in `<...>` so rustdoc links them instead of warning.

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
            paragraphs.push(balance_backticks(words.join(" ")));
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
            '[' | ']' | '*' | '_' | '#' | '|' | '\\' => {
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

fn balance_backticks(line: String) -> String {
    if line.matches('`').count() % 2 == 1 {
        line.replace('`', "'")
    } else {
        line
    }
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
}
