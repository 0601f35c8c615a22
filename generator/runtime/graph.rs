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

    /// The global Microsoft Graph service, beta version. Beta APIs may change; the models of
    /// this crate describe version 1.0.
    pub fn beta() -> Self {
        Graph::in_cloud(Cloud::Global, Version::Beta)
    }

    /// The service of a national cloud, at a version: for example
    /// `Graph::in_cloud(Cloud::UsGovL4, Version::V1)` is `https://graph.microsoft.us/v1.0`.
    pub fn in_cloud(cloud: Cloud, version: Version) -> Self {
        Graph::with_base_url(format!("{}/{}", cloud.service_root(), version.segment()))
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

/// A Microsoft Graph deployment: the global service or a national cloud.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Cloud {
    /// The global service (`https://graph.microsoft.com`).
    Global,
    /// US Government L4 (`https://graph.microsoft.us`).
    UsGovL4,
    /// US Government L5, Department of Defense (`https://dod-graph.microsoft.us`).
    UsGovL5Dod,
    /// China, operated by 21Vianet (`https://microsoftgraph.chinacloudapi.cn`).
    China,
}

impl Cloud {
    /// The service root, without a version or a trailing `/`.
    pub fn service_root(self) -> &'static str {
        match self {
            Cloud::Global => "https://graph.microsoft.com",
            Cloud::UsGovL4 => "https://graph.microsoft.us",
            Cloud::UsGovL5Dod => "https://dod-graph.microsoft.us",
            Cloud::China => "https://microsoftgraph.chinacloudapi.cn",
        }
    }
}

/// A version of the Microsoft Graph API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Version {
    /// `v1.0`: the stable API these models describe.
    V1,
    /// `beta`: preview APIs that may change.
    Beta,
}

impl Version {
    /// The URL segment (`v1.0` or `beta`).
    pub fn segment(self) -> &'static str {
        match self {
            Version::V1 => "v1.0",
            Version::Beta => "beta",
        }
    }
}

#[cfg(all(test, msgraph_runtime))]
mod tests {
    use super::*;

    #[test]
    fn national_clouds_and_versions() {
        let cases = [
            (
                Cloud::Global,
                Version::V1,
                "https://graph.microsoft.com/v1.0",
            ),
            (
                Cloud::Global,
                Version::Beta,
                "https://graph.microsoft.com/beta",
            ),
            (
                Cloud::UsGovL4,
                Version::V1,
                "https://graph.microsoft.us/v1.0",
            ),
            (
                Cloud::UsGovL5Dod,
                Version::V1,
                "https://dod-graph.microsoft.us/v1.0",
            ),
            (
                Cloud::China,
                Version::Beta,
                "https://microsoftgraph.chinacloudapi.cn/beta",
            ),
        ];
        for (cloud, version, expected) in cases {
            assert_eq!(Graph::in_cloud(cloud, version).base_url(), expected);
        }
        assert_eq!(Graph::beta(), Graph::in_cloud(Cloud::Global, Version::Beta));
        assert_eq!(Graph::v1(), Graph::in_cloud(Cloud::Global, Version::V1));
    }

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
