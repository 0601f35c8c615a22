//! A documented request URL taken apart: the path's segments after the service root (a
//! segment's parentheses and quotes kept whole), the query options, and a function call's
//! arguments.

use super::Class;

/// A request URL below the service root.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct ParsedUrl {
    /// The path's segments, as written (percent-escapes not decoded).
    pub segments: Vec<String>,
    /// The query options, `name=value`, in order.
    pub query: Vec<(String, String)>,
}

/// Takes a documented URL apart: `https://graph.microsoft.com/v1.0/users/{id}?$select=id`, or
/// a path alone (`/me/events`, with or without the version). A beta URL, and a URL cut short
/// (parentheses or quotes left open: the documentation's URLs end at their first space), are
/// the example's defects.
pub(super) fn parse(url: &str) -> Result<ParsedUrl, (Class, String)> {
    let url = url.trim();
    let (host, _) = host_and_path(url);
    if let Some(host) = host.filter(|host| !host.eq_ignore_ascii_case("graph.microsoft.com")) {
        return Err((
            Class::BeyondCsdl,
            format!("a URL on another host ({host}), such as a pre-authenticated upload URL"),
        ));
    }
    let path = below_service_root(url);
    let (path, query) = match path.split_once('?') {
        Some((path, query)) => (path, query),
        None => (path, ""),
    };
    if !balanced(path) || !balanced(query) {
        return Err((
            Class::ExampleDefect,
            "the URL is cut short (a parenthesis or quote is left open)".to_string(),
        ));
    }
    let mut segments = split_outside(path.trim_start_matches('/'), '/');
    if segments
        .first()
        .is_some_and(|first| first.eq_ignore_ascii_case("beta"))
    {
        return Err((
            Class::ExampleDefect,
            "a beta URL in the v1.0 reference".to_string(),
        ));
    }
    segments.retain(|segment| !segment.is_empty());
    let query = query
        .split('&')
        .filter(|option| !option.is_empty())
        .map(|option| match option.split_once('=') {
            Some((name, value)) => (name.to_string(), value.to_string()),
            None => (option.to_string(), String::new()),
        })
        .collect();
    Ok(ParsedUrl { segments, query })
}

/// An absolute URL's host and what follows it (from its path on), or a relative URL as it is:
/// a URL is absolute when `scheme://` comes before any `/` or `?` (a `://` in the query, such as
/// a link in `$id`, does not make a path absolute).
pub fn host_and_path(url: &str) -> (Option<&str>, &str) {
    let first_delimiter = url.find(['/', '?']).unwrap_or(url.len());
    match url.find("://") {
        Some(scheme_end) if scheme_end < first_delimiter => {
            let rest = &url[scheme_end + 3..];
            let end = rest.find(['/', '?']).unwrap_or(rest.len());
            (Some(&rest[..end]), &rest[end..])
        }
        _ => (None, url),
    }
}

/// A URL below the service root: what follows the host (of an absolute URL) and the `/v1.0`
/// version segment (in any letter case), if there is one: `/users/{id}?$select=id`.
pub fn below_service_root(url: &str) -> &str {
    let (_, path) = host_and_path(url.trim());
    match path.get(..5) {
        Some(version)
            if version.eq_ignore_ascii_case("/v1.0")
                && matches!(path.as_bytes().get(5), None | Some(b'/' | b'?')) =>
        {
            &path[5..]
        }
        _ => path,
    }
}

/// Whether every parenthesis is closed and every single quote paired (outside quotes).
fn balanced(text: &str) -> bool {
    let mut depth = 0i32;
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '\'' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => depth -= 1,
            _ => {}
        }
        if depth < 0 {
            return false;
        }
    }
    depth == 0 && !quoted
}

/// `text` split at `separator`s outside single quotes and parentheses.
pub(super) fn split_outside(text: &str, separator: char) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut depth = 0usize;
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '\'' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => depth = depth.saturating_sub(1),
            _ => {}
        }
        if c == separator && depth == 0 && !quoted {
            parts.push(std::mem::take(&mut current));
        } else {
            current.push(c);
        }
    }
    parts.push(current);
    parts
}

/// A segment's name and, when it has parentheses, the text inside them:
/// `range(address='A1')` is `("range", Some("address='A1'"))`.
pub(super) fn call_parts(segment: &str) -> (&str, Option<&str>) {
    match segment.find('(') {
        Some(open) if segment.ends_with(')') => (
            &segment[..open],
            Some(&segment[open + 1..segment.len() - 1]),
        ),
        _ => (segment, None),
    }
}

/// A function call's arguments, `name=value` separated by commas outside quotes.
pub(super) fn arguments(text: &str) -> Option<Vec<(String, String)>> {
    if text.trim().is_empty() {
        return Some(Vec::new());
    }
    split_outside(text, ',')
        .into_iter()
        .map(|argument| {
            let (name, value) = argument.split_once('=')?;
            Some((name.trim().to_string(), value.trim().to_string()))
        })
        .collect()
}

/// `text` with its percent-escapes decoded (a URL's text is escaped; the values the builders
/// take are not). A `%` without two hex digits after it stays as it is.
pub fn percent_decode(text: &str) -> String {
    percent_decode_except(text, b"")
}

/// [`percent_decode`], except the escapes of the bytes in `kept`, which stay escaped (in
/// capitals): comparing URLs, an escaped `/` in a key is not a segment's end.
pub fn percent_decode_except(text: &str, kept: &[u8]) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = match bytes[i] {
            b'%' => bytes
                .get(i + 1..i + 3)
                .filter(|hex| hex.iter().all(u8::is_ascii_hexdigit))
                .and_then(|hex| std::str::from_utf8(hex).ok())
                .and_then(|hex| u8::from_str_radix(hex, 16).ok()),
            _ => None,
        };
        match escaped {
            Some(byte) if kept.contains(&byte) => {
                out.extend_from_slice(&bytes[i..i + 3].to_ascii_uppercase());
                i += 3;
            }
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// An enum literal's member: `'Iana'` or `microsoft.graph.timeZoneStandard'Iana'` is `Iana`.
pub(super) fn enum_member(text: &str) -> String {
    match text.find('\'') {
        Some(quote)
            if text[..quote]
                .chars()
                .all(|c| c.is_alphanumeric() || c == '.') =>
        {
            unquote(&text[quote..])
        }
        _ => unquote(text),
    }
}

/// A key or string literal without its quotes (`'a''b'` is `a'b`), or the text as it is.
pub(super) fn unquote(text: &str) -> String {
    match text.strip_prefix('\'').and_then(|t| t.strip_suffix('\'')) {
        Some(inner) => inner.replace("''", "'"),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_taken_apart_below_the_service_root() {
        let parsed =
            parse("https://graph.microsoft.com/v1.0/me/drive/items/{id}/workbook/worksheets('Sheet1')/range(address='A1:B2')?$select=values&$top=5")
                .unwrap();
        assert_eq!(
            parsed.segments,
            [
                "me",
                "drive",
                "items",
                "{id}",
                "workbook",
                "worksheets('Sheet1')",
                "range(address='A1:B2')"
            ]
        );
        assert_eq!(
            parsed.query,
            [
                ("$select".to_string(), "values".to_string()),
                ("$top".to_string(), "5".to_string())
            ]
        );
        assert_eq!(parse("/me/events").unwrap().segments, ["me", "events"]);
        assert_eq!(
            parse("https://graph.microsoft.com/V1.0/users")
                .unwrap()
                .segments,
            ["users"]
        );
        assert_eq!(
            parse("https://graph.microsoft.com/beta/users")
                .unwrap_err()
                .0,
            Class::ExampleDefect
        );
        assert_eq!(
            parse("https://graph.microsoft.com/v1.0/users?$filter=startswith(displayName,")
                .unwrap_err()
                .0,
            Class::ExampleDefect
        );
    }

    #[test]
    fn calls_and_arguments_keep_quoted_text_whole() {
        assert_eq!(
            call_parts("range(address='A1')"),
            ("range", Some("address='A1'"))
        );
        assert_eq!(call_parts("delta()"), ("delta", Some("")));
        assert_eq!(call_parts("users"), ("users", None));
        assert_eq!(
            arguments("a='x,y',b=1").unwrap(),
            [
                ("a".to_string(), "'x,y'".to_string()),
                ("b".to_string(), "1".to_string())
            ]
        );
        assert_eq!(unquote("'it''s'"), "it's");
        assert_eq!(
            enum_member("microsoft.graph.timeZoneStandard'Iana'"),
            "Iana"
        );
        assert_eq!(enum_member("'reviewer'"), "reviewer");
        assert_eq!(percent_decode("19%3Aab%40thread%2"), "19:ab@thread%2");
        assert_eq!(percent_decode("%+4"), "%+4");
        assert_eq!(
            below_service_root("https://graph.microsoft.com/V1.0/me?x=1"),
            "/me?x=1"
        );
        assert_eq!(below_service_root("/v1.0?x=1"), "?x=1");
        assert_eq!(below_service_root("/v1.0x/me"), "/v1.0x/me");
        assert_eq!(below_service_root("/me/events"), "/me/events");
        assert_eq!(
            host_and_path("/groups/a/$ref?$id=https://graph.microsoft.com/v1.0/users/b"),
            (
                None,
                "/groups/a/$ref?$id=https://graph.microsoft.com/v1.0/users/b"
            )
        );
        assert_eq!(
            host_and_path("https://graph.microsoft.com/v1.0/me?x=1"),
            (Some("graph.microsoft.com"), "/v1.0/me?x=1")
        );
        assert_eq!(unquote("42"), "42");
    }
}
