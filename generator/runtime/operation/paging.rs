//! Next pages: following `@odata.nextLink` (and delta links) only inside the service root.

use super::*;

impl<T> Operation<Page<T>> {
    /// The operation that reads the page after `page`, if there is one.
    ///
    /// The next link is followed only when it is inside the service root this operation
    /// addresses, so a response cannot send the caller's credentials elsewhere: it must start
    /// with the root, no path segment may be `.` or `..` or hide a separator once
    /// percent-decoded, and a link with a character that URL parsers drop or rewrite (`\`,
    /// tabs, newlines, spaces, non-ASCII) is refused, so the link that was checked is exactly
    /// the one sent. A link that this paging has
    /// already followed (a service that answers the same next link again) ends it with
    /// [`Error::RepeatedNextLink`] instead of looping. Headers are kept; the link already
    /// carries the query.
    pub fn next_page(&self, page: &Page<T>) -> Option<Result<Self, Error>> {
        let link = page.next_link.as_ref()?;
        let root = self.parts.path.base_url();
        if !is_inside(link, root) {
            return Some(Err(Error::ForeignNextLink {
                link: link.clone(),
                service_root: root.to_string(),
            }));
        }
        let hash = {
            let mut hasher = std::hash::DefaultHasher::new();
            std::hash::Hash::hash(link, &mut hasher);
            std::hash::Hasher::finish(&hasher)
        };
        if self.parts.followed_links.contains(&hash) {
            return Some(Err(Error::RepeatedNextLink {
                link: link.clone(),
                pages: self.parts.followed_links.len() + 1,
            }));
        }
        let mut next = self.following(link);
        next.parts.followed_links.push(hash);
        Some(Ok(next))
    }

    /// This operation sent to `link` (a next or delta link, which carries its own query) if it
    /// is inside the service root: a `GET` with the same headers, without a body or query.
    pub(crate) fn following_link(&self, link: &str) -> Option<Self> {
        is_inside(link, self.parts.path.base_url()).then(|| self.following(link))
    }

    fn following(&self, link: &str) -> Self {
        let mut next = self.clone();
        next.parts.method = http::Method::GET;
        next.parts.body = None;
        next.parts.query.clear();
        next.parts.absolute_url = Some(link.to_string());
        next
    }
}

/// Whether `link` addresses a resource inside `root` (a service root such as
/// `https://graph.microsoft.com/v1.0`) the same way for this check and for any HTTP client that
/// sends it.
///
/// The link must start with the root, followed by `/`, `?`, `#` or nothing, and none of its path
/// segments may climb or hide a separator once percent-decoded: no `.` or `..` (`%2E%2E`,
/// `.%2e` and `%252E%252E` included), no `/` or `\` inside a segment (`%2F`, `%5C`, which some
/// servers read as separators). A link with a character that URL parsers drop or read as
/// another (WHATWG parsers, such as the transport's, remove tabs and newlines and read `\` as
/// `/` in http(s) URLs), a space or a non-ASCII character is refused whole: what is checked is
/// then exactly what is sent.
pub(crate) fn is_inside(link: &str, root: &str) -> bool {
    let rewritable = |c: char| c == '\\' || c == ' ' || c.is_ascii_control() || !c.is_ascii();
    if link.chars().any(rewritable) {
        return false;
    }
    let Some(rest) = link.strip_prefix(root) else {
        return false;
    };
    if !(rest.is_empty() || rest.starts_with(['/', '?', '#'])) {
        return false;
    }
    let path = rest.split(['?', '#']).next().unwrap_or_default();
    path.split('/').all(|segment| {
        // Decoded until nothing changes, for a server that decodes twice (`%252E`).
        let mut decoded = segment.as_bytes().to_vec();
        loop {
            let again = percent_decoded(&decoded);
            if again == decoded {
                break;
            }
            decoded = again;
        }
        decoded != b"." && decoded != b".." && !decoded.iter().any(|b| matches!(b, b'/' | b'\\'))
    })
}

/// `bytes` with every `%XX` escape decoded (an escape that is not one stays as written).
pub(crate) fn percent_decoded(bytes: &[u8]) -> Vec<u8> {
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        let escape = bytes
            .get(at + 1..at + 3)
            .filter(|_| bytes[at] == b'%')
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escape {
            Some(byte) => {
                decoded.push(byte);
                at += 3;
            }
            None => {
                decoded.push(bytes[at]);
                at += 1;
            }
        }
    }
    decoded
}
