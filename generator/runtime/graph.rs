//! The service root that every request starts from.

use std::sync::Arc;

use crate::path::ResourcePath;

/// The root of every request: the service's base URL.
///
/// Cloning is cheap; the URL is shared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Graph {
    base_url: Arc<str>,
}

impl Graph {
    /// The global Microsoft Graph service, version 1.0.
    pub const GLOBAL_V1: &'static str = "https://graph.microsoft.com/v1.0";

    /// The global Microsoft Graph service, version 1.0 ([`Graph::GLOBAL_V1`]).
    pub fn v1() -> Self {
        Graph::with_base_url(Graph::GLOBAL_V1)
    }

    /// A service at another base URL, for example a national cloud such as
    /// `https://graph.microsoft.us/v1.0`.
    ///
    /// Trailing `/` characters are removed. The URL is not checked here: a
    /// URL that is not an absolute URI makes building a request fail with
    /// [`Error::InvalidRequest`](crate::Error::InvalidRequest).
    pub fn with_base_url(base_url: impl Into<String>) -> Self {
        let mut base_url = base_url.into();
        let trimmed = base_url.trim_end_matches('/').len();
        base_url.truncate(trimmed);
        Graph {
            base_url: Arc::from(base_url),
        }
    }

    /// The base URL, without a trailing `/`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The path of the service root, where every request starts.
    #[allow(dead_code)]
    pub(crate) fn root(&self) -> ResourcePath {
        ResourcePath::new(Arc::clone(&self.base_url))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v1_is_the_global_service() {
        let graph = Graph::v1();
        assert_eq!(graph.base_url(), "https://graph.microsoft.com/v1.0");
        assert_eq!(graph, Graph::with_base_url(Graph::GLOBAL_V1));
    }

    #[test]
    fn trailing_slashes_are_trimmed() {
        assert_eq!(
            Graph::with_base_url("https://graph.microsoft.us/v1.0/").base_url(),
            "https://graph.microsoft.us/v1.0"
        );
        assert_eq!(
            Graph::with_base_url(String::from("http://localhost:8080///")).base_url(),
            "http://localhost:8080"
        );
        assert_eq!(
            Graph::with_base_url("https://graph.microsoft.com/beta").base_url(),
            "https://graph.microsoft.com/beta"
        );
        assert_eq!(Graph::with_base_url("/").base_url(), "");
    }

    #[test]
    fn root_path_is_the_base_url() {
        let graph = Graph::with_base_url("https://example.com/v1.0/");
        assert_eq!(graph.root().to_url().unwrap(), "https://example.com/v1.0");
        assert_eq!(
            graph.root().segment("me").to_url().unwrap(),
            "https://example.com/v1.0/me"
        );
    }

    #[test]
    fn clones_share_the_url() {
        let graph = Graph::v1();
        let clone = graph.clone();
        assert!(Arc::ptr_eq(&graph.base_url, &clone.base_url));
    }
}
