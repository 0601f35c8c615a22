//! Errors: building a request, and the service's non-2xx answers.

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Everything that can go wrong while building a request or reading its answer.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// A key passed to a `by_id` method was empty.
    EmptyKey {
        /// The name of the collection on the wire, for example `assignments`.
        collection: &'static str,
    },
    /// The request could not be built (for example the base URL is not a valid URI).
    InvalidRequest {
        /// The URL the request was meant to go to.
        url: String,
        /// Why `http` refused to build the request.
        source: http::Error,
    },
    /// A request body or function argument could not be serialized to JSON.
    Serialize(serde_json::Error),
    /// The service answered with a status outside 2xx.
    Service(Box<ServiceError>),
    /// A 2xx response body did not parse as the expected type.
    Deserialize {
        /// The status of the response.
        status: http::StatusCode,
        /// Why the body did not parse.
        source: serde_json::Error,
    },
    /// A 2xx response had no body where one was expected (for example the
    /// service answered `204 No Content` to a request that asked for the entity).
    EmptyBody {
        /// The status of the response.
        status: http::StatusCode,
    },
    /// A header given to an operation is not a valid HTTP header.
    InvalidHeader {
        /// The header's name.
        name: String,
        /// Why it is not valid.
        reason: String,
    },
    /// A batch already holds the most operations Graph accepts (for
    /// [`Batches`](crate::batch::Batches): a `dependsOn` group would have more).
    BatchFull {
        /// The limit.
        limit: usize,
    },
    /// A batch with no operation cannot be sent.
    EmptyBatch,
    /// A batch operation depends on an id that is not in the batch.
    UnknownBatchDependency {
        /// The id.
        id: String,
    },
    /// All operations of a batch must go to the same service root.
    MixedServiceRoots {
        /// The service root of the batch.
        first: String,
        /// The other one.
        other: String,
    },
    /// An operation of [`Batches`](crate::batch::Batches) was to depend on operations of
    /// several batches; a `dependsOn` chain is one batch. No longer returned:
    /// [`Batches::add_after`](crate::batch::Batches::add_after) joins the groups of the
    /// operations it is given and keeps the joined group in one batch.
    DependenciesInSeveralBatches,
    /// The batch's answer has no response for an operation.
    MissingBatchResponse {
        /// The operation's id in the batch.
        id: String,
    },
    /// An `@odata.nextLink` points outside the service root the collection was read from, so
    /// it is not followed (the request would carry the caller's credentials elsewhere).
    ForeignNextLink {
        /// The link as the service sent it.
        link: String,
        /// The service root it should have started with.
        service_root: String,
    },
    /// An `@odata.nextLink` that the paging already followed: the service sent it again, so
    /// following it would read the same pages forever.
    RepeatedNextLink {
        /// The link as the service sent it.
        link: String,
        /// The pages read when it came back.
        pages: usize,
    },
    /// A stored delta link to resume from is not one of the delta function it is given to
    /// (another function's changes would be read as this one's), or points outside the service
    /// root (the request would carry the caller's credentials elsewhere): it is not followed.
    ForeignDeltaLink {
        /// The stored link.
        link: String,
        /// The delta function's URL, which the link should start with.
        delta: String,
    },
    /// The last page of a delta round had neither an `@odata.nextLink` nor an
    /// `@odata.deltaLink`: the round has no link to resume from.
    MissingDeltaLink {
        /// The pages read.
        pages: usize,
    },
    /// The answer to a request expected to start a long-running operation was not
    /// `202 Accepted` with a `Location` to ask how far it is.
    NotAccepted {
        /// The answer's status.
        status: u16,
    },
    /// Query options were set on an operation that follows a next or delta link, whose query
    /// is the service's: set them on the first request of the paging or delta round instead.
    QueryOnLink {
        /// The link.
        link: String,
        /// The names of the options set on it.
        options: Vec<String>,
    },
    /// An upload that cannot be made as asked: no content, a slice size the service does not
    /// take, content of another length than the upload's, or a range the service cannot mean.
    InvalidUpload(String),
    /// A long-running operation ended without doing its work.
    OperationFailed {
        /// The status its monitor gave (`failed`, `cancelled`, ...).
        status: String,
        /// The service's message, if it gave one.
        message: Option<String>,
    },
}

impl Error {
    /// The service's answer outside 2xx, as [`Error::Service`].
    pub(crate) fn service(
        status: http::StatusCode,
        headers: http::HeaderMap,
        body: Vec<u8>,
    ) -> Error {
        Error::Service(Box::new(ServiceError::from_response(status, headers, body)))
    }

    /// The status and body of `response` if it is a success (2xx), else [`Error::Service`].
    pub(crate) fn unless_success<B: AsRef<[u8]>>(
        response: http::Response<B>,
    ) -> Result<(http::StatusCode, B), Error> {
        let status = response.status();
        let (parts, body) = response.into_parts();
        if status.is_success() {
            Ok((status, body))
        } else {
            Err(Error::service(
                status,
                parts.headers,
                body.as_ref().to_vec(),
            ))
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::EmptyKey { collection } => {
                write!(f, "empty key for an item of `{collection}`")
            }
            Error::InvalidRequest { url, source } => {
                write!(f, "could not build a request for `{url}`: {source}")
            }
            Error::Serialize(source) => {
                write!(f, "could not serialize a request value to JSON: {source}")
            }
            Error::Service(service) => fmt::Display::fmt(service, f),
            Error::Deserialize { status, source } => {
                write!(
                    f,
                    "could not parse the body of a {} response: {source}",
                    StatusText(*status)
                )
            }
            Error::BatchFull { limit } => {
                write!(f, "a batch holds at most {limit} operations")
            }
            Error::EmptyBatch => f.write_str("a batch needs at least one operation"),
            Error::DependenciesInSeveralBatches => f.write_str(
                "an operation can only depend on operations of one batch: a dependsOn chain is one batch",
            ),
            Error::UnknownBatchDependency { id } => {
                write!(
                    f,
                    "the batch has no operation with the id `{id}` to depend on"
                )
            }
            Error::MixedServiceRoots { first, other } => write!(
                f,
                "a batch goes to one service root: `{first}`, not `{other}`"
            ),
            Error::MissingBatchResponse { id } => {
                write!(
                    f,
                    "the batch answer has no response for the operation `{id}`"
                )
            }
            Error::InvalidHeader { name, reason } => {
                write!(f, "invalid header `{name}`: {reason}")
            }
            Error::ForeignNextLink { link, service_root } => {
                write!(
                    f,
                    "the next link `{link}` is outside the service root `{service_root}`; it is not followed"
                )
            }
            Error::RepeatedNextLink { link, pages } => {
                write!(
                    f,
                    "the next link `{link}` came back after {pages} pages; paging stopped instead of reading the same pages again"
                )
            }
            Error::ForeignDeltaLink { link, delta } => {
                write!(
                    f,
                    "the delta link `{link}` is not one of `{delta}`; it is not followed"
                )
            }
            Error::MissingDeltaLink { pages } => {
                write!(
                    f,
                    "the delta round ended after {pages} pages without an `@odata.deltaLink` to resume from"
                )
            }
            Error::InvalidUpload(reason) => write!(f, "invalid upload: {reason}"),
            Error::QueryOnLink { link, options } => write!(
                f,
                "the query options {} were set on an operation that follows `{link}`, whose query is the service's; set them on the first request",
                options.join(", ")
            ),
            Error::NotAccepted { status } => {
                write!(
                    f,
                    "the answer ({status}) is not `202 Accepted` with a `Location` to follow the operation"
                )
            }
            Error::OperationFailed { status, message } => {
                write!(f, "the long-running operation ended as `{status}`")?;
                match message {
                    Some(message) => write!(f, ": {message}"),
                    None => Ok(()),
                }
            }
            Error::EmptyBody { status } => {
                write!(
                    f,
                    "the {} response had no body where one was expected",
                    StatusText(*status)
                )
            }
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::InvalidRequest { source, .. } => Some(source),
            Error::Serialize(source) => Some(source),
            Error::Deserialize { source, .. } => Some(source),
            // `Display` already is the service error's own text.
            Error::Service(_)
            | Error::EmptyKey { .. }
            | Error::EmptyBody { .. }
            | Error::InvalidHeader { .. }
            | Error::ForeignNextLink { .. }
            | Error::RepeatedNextLink { .. }
            | Error::ForeignDeltaLink { .. }
            | Error::MissingDeltaLink { .. }
            | Error::NotAccepted { .. }
            | Error::InvalidUpload(_)
            | Error::QueryOnLink { .. }
            | Error::OperationFailed { .. }
            | Error::BatchFull { .. }
            | Error::EmptyBatch
            | Error::DependenciesInSeveralBatches
            | Error::UnknownBatchDependency { .. }
            | Error::MixedServiceRoots { .. }
            | Error::MissingBatchResponse { .. } => None,
        }
    }
}

/// Writes a status as `404 Not Found`, or only the number when it has no
/// canonical reason phrase.
struct StatusText(http::StatusCode);

impl fmt::Display for StatusText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.canonical_reason() {
            Some(reason) => write!(f, "{} {reason}", self.0.as_u16()),
            None => write!(f, "{}", self.0.as_u16()),
        }
    }
}

/// The longest body excerpt, in characters, that [`ServiceError`]'s `Display` shows.
const EXCERPT_CHARS: usize = 200;

/// A non-2xx answer from the service.
///
/// Its `Display` names the status and, when the body is a Microsoft Graph
/// error, its code and message; otherwise a short excerpt of the body.
#[derive(Debug, Clone)]
pub struct ServiceError {
    status: http::StatusCode,
    headers: http::HeaderMap,
    body: Vec<u8>,
    error: Option<GraphError>,
}

impl ServiceError {
    /// Keeps a response whose status was outside 2xx, parsing its body as a
    /// Microsoft Graph error (`{"error": {...}}`) when it is one.
    pub(crate) fn from_response(
        status: http::StatusCode,
        headers: http::HeaderMap,
        body: Vec<u8>,
    ) -> Self {
        let error = serde_json::from_slice::<ErrorBody>(&body)
            .ok()
            .map(|parsed| parsed.error);
        ServiceError {
            status,
            headers,
            body,
            error,
        }
    }

    /// The status of the response.
    pub fn status(&self) -> http::StatusCode {
        self.status
    }

    /// The error the service described in the body, when the body was a
    /// Microsoft Graph error.
    pub fn error(&self) -> Option<&GraphError> {
        self.error.as_ref()
    }

    /// The headers of the response.
    pub fn headers(&self) -> &http::HeaderMap {
        &self.headers
    }

    /// The raw body of the response.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// The id the service gave the request: the `request-id` header, or else
    /// `request-id` in the error's inner error.
    pub fn request_id(&self) -> Option<&str> {
        self.header_str("request-id").or_else(|| {
            self.inner_error()
                .and_then(|inner| inner.request_id.as_deref())
        })
    }

    /// The id the client gave the request: the `client-request-id` header,
    /// or else `client-request-id` in the error's inner error.
    pub fn client_request_id(&self) -> Option<&str> {
        self.header_str("client-request-id").or_else(|| {
            self.inner_error()
                .and_then(|inner| inner.client_request_id.as_deref())
        })
    }

    /// How long the service asked the client to wait before retrying: the
    /// `Retry-After` header, when it is given in seconds.
    pub fn retry_after(&self) -> Option<Duration> {
        retry_after(&self.headers)
    }

    fn header_str(&self, name: &str) -> Option<&str> {
        self.headers.get(name)?.to_str().ok()
    }

    fn inner_error(&self) -> Option<&InnerError> {
        self.error.as_ref()?.inner_error.as_ref()
    }
}

/// `Retry-After` in seconds, if `headers` have it: the one reading of the header, for errors,
/// retries and long-running operations alike.
pub(crate) fn retry_after(headers: &http::HeaderMap) -> Option<Duration> {
    let value = headers.get(http::header::RETRY_AFTER)?.to_str().ok()?;
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

impl fmt::Display for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Microsoft Graph returned {}", StatusText(self.status))?;
        if let Some(error) = &self.error {
            let parts: Vec<&str> = [error.code.as_str(), error.message.as_str()]
                .into_iter()
                .filter(|part| !part.is_empty())
                .collect();
            if !parts.is_empty() {
                return write!(f, ": {}", parts.join(": "));
            }
        }
        let excerpt = body_excerpt(&self.body);
        if !excerpt.is_empty() {
            write!(f, ": {excerpt}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ServiceError {}

/// The body as text on one line, whitespace runs collapsed to one space, cut
/// to [`EXCERPT_CHARS`] characters with `…` added when it was longer.
fn body_excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut excerpt = String::new();
    let mut chars = 0;
    let mut truncated = false;
    'words: for word in text.split_whitespace() {
        if chars > 0 {
            if chars == EXCERPT_CHARS {
                truncated = true;
                break;
            }
            excerpt.push(' ');
            chars += 1;
        }
        for c in word.chars() {
            if chars == EXCERPT_CHARS {
                truncated = true;
                break 'words;
            }
            excerpt.push(c);
            chars += 1;
        }
    }
    if truncated {
        excerpt.push('…');
    }
    excerpt
}

/// A body of the form `{"error": {...}}`.
#[derive(Deserialize)]
struct ErrorBody {
    error: GraphError,
}

/// Microsoft Graph's error object: the value of `error` in `{"error": {...}}`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct GraphError {
    /// A machine-readable error code, for example `ResourceNotFound`.
    #[serde(default)]
    pub code: String,
    /// A human-readable description of the error.
    #[serde(default)]
    pub message: String,
    /// What the error is about, when the service says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// More specific errors that led to this one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<GraphErrorDetail>,
    /// Diagnostic information from the service.
    #[serde(
        rename = "innerError",
        alias = "innererror",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub inner_error: Option<InnerError>,
}

/// One entry of [`GraphError::details`].
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct GraphErrorDetail {
    /// A machine-readable error code.
    #[serde(default)]
    pub code: String,
    /// A human-readable description of the error.
    #[serde(default)]
    pub message: String,
    /// What the error is about, when the service says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
}

/// Diagnostic information in [`GraphError::inner_error`].
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct InnerError {
    /// The id the service gave the request.
    #[serde(
        rename = "request-id",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub request_id: Option<String>,
    /// The id the client gave the request.
    #[serde(
        rename = "client-request-id",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub client_request_id: Option<String>,
    /// When the error happened, as the service wrote it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// A more specific error code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// Every other member of the inner error.
    #[serde(flatten)]
    pub additional: serde_json::Map<String, serde_json::Value>,
}

#[cfg(all(test, msgraph_runtime))]
mod tests {
    use super::*;
    use http::{HeaderMap, HeaderValue, StatusCode};
    use serde_json::json;

    fn service(status: u16, headers: &[(&'static str, &str)], body: &[u8]) -> ServiceError {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.insert(*name, HeaderValue::from_str(value).unwrap());
        }
        ServiceError::from_response(StatusCode::from_u16(status).unwrap(), map, body.to_vec())
    }

    const NOT_FOUND: &str = r#"{"error":{"code":"ResourceNotFound","message":"Resource 'x' does not exist","innerError":{"date":"2024-05-01T10:00:00","request-id":"inner-req","client-request-id":"inner-client"}}}"#;

    #[test]
    fn graph_error_display_has_status_code_and_message() {
        let error = service(404, &[], NOT_FOUND.as_bytes());
        assert_eq!(
            error.to_string(),
            "Microsoft Graph returned 404 Not Found: ResourceNotFound: Resource 'x' does not exist"
        );
        let wrapped = Error::Service(Box::new(error));
        assert_eq!(
            wrapped.to_string(),
            "Microsoft Graph returned 404 Not Found: ResourceNotFound: Resource 'x' does not exist"
        );
    }

    #[test]
    fn graph_error_fields_are_parsed() {
        let error = service(404, &[], NOT_FOUND.as_bytes());
        assert_eq!(error.status(), StatusCode::NOT_FOUND);
        assert_eq!(error.body(), NOT_FOUND.as_bytes());
        let graph = error.error().unwrap();
        assert_eq!(graph.code, "ResourceNotFound");
        assert_eq!(graph.message, "Resource 'x' does not exist");
        assert_eq!(graph.target, None);
        assert!(graph.details.is_empty());
        let inner = graph.inner_error.as_ref().unwrap();
        assert_eq!(inner.request_id.as_deref(), Some("inner-req"));
        assert_eq!(inner.client_request_id.as_deref(), Some("inner-client"));
        assert_eq!(inner.date.as_deref(), Some("2024-05-01T10:00:00"));
        assert_eq!(inner.code, None);
        assert!(inner.additional.is_empty());
    }

    #[test]
    fn request_ids_come_from_inner_error_without_headers() {
        let error = service(404, &[], NOT_FOUND.as_bytes());
        assert_eq!(error.request_id(), Some("inner-req"));
        assert_eq!(error.client_request_id(), Some("inner-client"));
    }

    #[test]
    fn request_id_headers_take_precedence() {
        let error = service(
            404,
            &[
                ("request-id", "header-req"),
                ("client-request-id", "header-client"),
            ],
            NOT_FOUND.as_bytes(),
        );
        assert_eq!(error.request_id(), Some("header-req"));
        assert_eq!(error.client_request_id(), Some("header-client"));
        assert_eq!(error.headers().len(), 2);
    }

    #[test]
    fn request_ids_absent() {
        let error = service(500, &[], b"");
        assert_eq!(error.request_id(), None);
        assert_eq!(error.client_request_id(), None);
        assert_eq!(error.error(), None);
    }

    #[test]
    fn lowercase_inner_error_alias_is_accepted() {
        let body =
            br#"{"error":{"code":"c","message":"m","innererror":{"request-id":"r","extra":1}}}"#;
        let error = service(400, &[], body);
        let inner = error.error().unwrap().inner_error.as_ref().unwrap();
        assert_eq!(inner.request_id.as_deref(), Some("r"));
        assert_eq!(inner.additional.get("extra"), Some(&json!(1)));
        assert_eq!(error.request_id(), Some("r"));
    }

    #[test]
    fn partial_error_parses_with_defaults() {
        let error = service(403, &[], br#"{"error":{"code":"Forbidden"}}"#);
        let graph = error.error().unwrap();
        assert_eq!(graph.code, "Forbidden");
        assert_eq!(graph.message, "");
        assert_eq!(
            error.to_string(),
            "Microsoft Graph returned 403 Forbidden: Forbidden"
        );

        let error = service(403, &[], br#"{"error":{"message":"No access"}}"#);
        assert_eq!(
            error.to_string(),
            "Microsoft Graph returned 403 Forbidden: No access"
        );
    }

    #[test]
    fn empty_graph_error_falls_back_to_body_excerpt() {
        let error = service(400, &[], br#"{"error":{}}"#);
        assert!(error.error().is_some());
        assert_eq!(
            error.to_string(),
            r#"Microsoft Graph returned 400 Bad Request: {"error":{}}"#
        );
    }

    #[test]
    fn non_graph_json_error_is_not_parsed() {
        let body = br#"{"error":"invalid_grant","error_description":"expired"}"#;
        let error = service(400, &[], body);
        assert_eq!(error.error(), None);
        assert_eq!(
            error.to_string(),
            r#"Microsoft Graph returned 400 Bad Request: {"error":"invalid_grant","error_description":"expired"}"#
        );
    }

    #[test]
    fn details_and_target_are_parsed_and_round_trip() {
        let value = json!({
            "code": "BadRequest",
            "message": "Invalid",
            "target": "displayName",
            "details": [{"code": "TooLong", "message": "Too long", "target": "displayName"}],
            "innerError": {"request-id": "r", "client-request-id": "c", "date": "d", "code": "inner", "nested": {"a": true}}
        });
        let parsed: GraphError = serde_json::from_value(value.clone()).unwrap();
        assert_eq!(parsed.target.as_deref(), Some("displayName"));
        assert_eq!(parsed.details.len(), 1);
        assert_eq!(parsed.details[0].code, "TooLong");
        assert_eq!(parsed.details[0].message, "Too long");
        assert_eq!(parsed.details[0].target.as_deref(), Some("displayName"));
        let inner = parsed.inner_error.as_ref().unwrap();
        assert_eq!(inner.code.as_deref(), Some("inner"));
        assert_eq!(inner.additional.get("nested"), Some(&json!({"a": true})));
        assert_eq!(serde_json::to_value(&parsed).unwrap(), value);
    }

    #[test]
    fn minimal_error_serializes_without_optional_members() {
        let error = GraphError {
            code: "c".into(),
            message: "m".into(),
            ..GraphError::default()
        };
        assert_eq!(
            serde_json::to_string(&error).unwrap(),
            r#"{"code":"c","message":"m"}"#
        );
    }

    #[test]
    fn html_body_excerpt_is_collapsed_and_truncated() {
        let mut body = String::from("<html>\n  <body>\tInternal   error</body>\n");
        body.push_str(&"é".repeat(300));
        body.push_str("</html>");
        let error = service(500, &[], body.as_bytes());
        let text = error.to_string();
        let prefix = "Microsoft Graph returned 500 Internal Server Error: ";
        assert!(text.starts_with(prefix), "{text}");
        let excerpt = &text[prefix.len()..];
        let start = "<html> <body> Internal error</body> ";
        assert!(excerpt.starts_with(start), "{excerpt}");
        assert!(excerpt.ends_with('…'), "{excerpt}");
        assert_eq!(excerpt.chars().count(), EXCERPT_CHARS + 1);
        let accents = EXCERPT_CHARS - start.chars().count();
        assert_eq!(excerpt, format!("{start}{}…", "é".repeat(accents)));
    }

    #[test]
    fn excerpt_boundaries() {
        assert_eq!(body_excerpt(b""), "");
        assert_eq!(body_excerpt(b"  \n\t "), "");
        assert_eq!(body_excerpt(b"  a  b  "), "a b");
        let exact = "x".repeat(EXCERPT_CHARS);
        assert_eq!(body_excerpt(exact.as_bytes()), exact);
        let over = "x".repeat(EXCERPT_CHARS + 1);
        assert_eq!(body_excerpt(over.as_bytes()), format!("{exact}…"));
        // A word boundary right at the limit still marks the cut.
        let two = format!("{exact} y");
        assert_eq!(body_excerpt(two.as_bytes()), format!("{exact}…"));
        // Invalid UTF-8 does not panic.
        assert_eq!(body_excerpt(b"a\xffb"), "a\u{fffd}b");
    }

    #[test]
    fn empty_body_display_has_only_status() {
        let error = service(502, &[], b"");
        assert_eq!(
            error.to_string(),
            "Microsoft Graph returned 502 Bad Gateway"
        );
        let error = service(599, &[], b" ");
        assert_eq!(error.to_string(), "Microsoft Graph returned 599");
    }

    #[test]
    fn retry_after_in_seconds() {
        assert_eq!(
            service(429, &[("retry-after", "120")], b"").retry_after(),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            service(503, &[("Retry-After", " 7 ")], b"").retry_after(),
            Some(Duration::from_secs(7))
        );
        assert_eq!(
            service(
                503,
                &[("Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT")],
                b""
            )
            .retry_after(),
            None
        );
        assert_eq!(
            service(503, &[("Retry-After", "-1")], b"").retry_after(),
            None
        );
        assert_eq!(service(503, &[], b"").retry_after(), None);
    }

    #[test]
    fn other_variants_display_and_source() {
        use std::error::Error as _;

        let empty = Error::EmptyKey {
            collection: "assignments",
        };
        assert_eq!(empty.to_string(), "empty key for an item of `assignments`");
        assert!(empty.source().is_none());

        let json_error = serde_json::from_str::<u8>("x").unwrap_err();
        let json_text = json_error.to_string();
        let serialize = Error::Serialize(json_error);
        assert_eq!(
            serialize.to_string(),
            format!("could not serialize a request value to JSON: {json_text}")
        );
        assert_eq!(serialize.source().unwrap().to_string(), json_text);

        let json_error = serde_json::from_str::<u8>("x").unwrap_err();
        let deserialize = Error::Deserialize {
            status: StatusCode::OK,
            source: json_error,
        };
        assert_eq!(
            deserialize.to_string(),
            format!("could not parse the body of a 200 OK response: {json_text}")
        );
        assert!(deserialize.source().is_some());

        let empty_body = Error::EmptyBody {
            status: StatusCode::NO_CONTENT,
        };
        assert_eq!(
            empty_body.to_string(),
            "the 204 No Content response had no body where one was expected"
        );
        assert!(empty_body.source().is_none());

        let http_error: http::Error = "bad uri".parse::<http::Uri>().unwrap_err().into();
        let http_text = http_error.to_string();
        let invalid = Error::InvalidRequest {
            url: "bad uri".into(),
            source: http_error,
        };
        assert_eq!(
            invalid.to_string(),
            format!("could not build a request for `bad uri`: {http_text}")
        );
        assert!(invalid.source().is_some());

        let service_error = Error::Service(Box::new(service(404, &[], NOT_FOUND.as_bytes())));
        assert!(service_error.source().is_none());
    }

    #[test]
    fn errors_are_send_and_sync() {
        fn check<T: Send + Sync + 'static>() {}
        check::<Error>();
        check::<ServiceError>();
    }
}
