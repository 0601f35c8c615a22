//! Sans-IO operations: turning a request into `http` types and reading the answer.

use std::fmt;
use std::marker::PhantomData;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::Error;
use crate::path::ResourcePath;

/// How a successful response body is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(dead_code)] // Generated code may not need every shape.
pub(crate) enum ResponseShape {
    /// No body is expected; the result type is `()`.
    Empty,
    /// The body is the result.
    Json,
    /// The body is `{"value": ...}` and the result is that value.
    Value,
    /// The body is raw content (a stream); the result type is [`Content`].
    Content,
    /// The body is a number as plain text (a `$count` segment's answer); the result type is
    /// `u64`.
    Count,
    /// `202 Accepted` with a `Location` to ask (a long-running action); the result type is
    /// [`Accepted`](crate::monitor::Accepted).
    Accepted,
}

mod content;
mod options;
mod page;
mod paging;
mod response;

pub use content::{Content, ContentRequest};
pub use options::{Direction, Selectable};
pub use page::Page;
pub(crate) use paging::*;

/// One request, ready to be turned into an [`http::Request`], and the
/// knowledge of how to read its answer into a `T`.
///
/// It does no I/O: send the request from [`Operation::to_http_request`] with
/// any HTTP client (adding an `Authorization` header), then give the response
/// to [`Operation::parse_response`].
#[must_use]
pub struct Operation<T> {
    parts: Parts,
    _response: PhantomData<fn() -> T>,
}

/// What an operation holds, whatever its response type: kept apart from `T` so that building
/// operations is compiled once, not once per response type.
#[derive(Clone)]
struct Parts {
    method: http::Method,
    path: ResourcePath,
    /// The JSON body, or the message of the error that kept it from being
    /// serialized.
    body: Option<Result<Vec<u8>, String>>,
    shape: ResponseShape,
    /// Query options in the order they were first set: name and unencoded value.
    query: Vec<(String, String)>,
    /// Headers added to the defaults.
    headers: http::HeaderMap,
    /// A header that could not be added (name, reason), reported when the request is built.
    invalid_header: Option<(String, String)>,
    /// A URL that replaces the path and query (the next page of a collection).
    absolute_url: Option<String>,
    /// An entity whose URL is sent as the `$id` query option (removing one link of a
    /// collection by the linked entity's URL), worked out when the request is built.
    id_option: Option<ResourcePath>,
    /// Hashes of the next links followed to reach this page (none for a first page), so
    /// that a link that comes back ends the paging instead of looping.
    followed_links: Vec<u64>,
    /// A listing of objects that Graph counts and searches only with `ConsistencyLevel:
    /// eventual` (directory objects): `$count` and `$search` then send it.
    counts_eventually: bool,
    /// The body's media type when it is not JSON (raw content).
    content_type: Option<String>,
}

impl Parts {
    fn new(method: http::Method, path: ResourcePath, shape: ResponseShape) -> Parts {
        Parts {
            method,
            path,
            body: None,
            shape,
            query: Vec::new(),
            headers: http::HeaderMap::new(),
            invalid_header: None,
            absolute_url: None,
            id_option: None,
            followed_links: Vec::new(),
            counts_eventually: false,
            content_type: None,
        }
    }
}

/// `body` as JSON, or the message of the error that kept it from being serialized.
fn json_body<B: Serialize + ?Sized>(body: &B) -> Result<Vec<u8>, String> {
    serde_json::to_vec(body).map_err(|error| error.to_string())
}

// Written by hand so that `T` needs neither `Debug` nor `Clone`.
impl<T> fmt::Debug for Operation<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts = &self.parts;
        f.debug_struct("Operation")
            .field("method", &parts.method)
            .field("path", &parts.path)
            .field("body", &parts.body)
            .field("shape", &parts.shape)
            .field("query", &parts.query)
            .field("headers", &parts.headers)
            .field("absolute_url", &parts.absolute_url)
            .finish()
    }
}

impl<T> Clone for Operation<T> {
    fn clone(&self) -> Self {
        Operation {
            parts: self.parts.clone(),
            _response: PhantomData,
        }
    }
}

impl<T> Operation<T> {
    /// A request without a body.
    #[allow(dead_code)]
    pub(crate) fn new(method: http::Method, path: ResourcePath, shape: ResponseShape) -> Self {
        Operation {
            parts: Parts::new(method, path, shape),
            _response: PhantomData,
        }
    }

    /// A `GET` of `path` whose answer is JSON.
    #[allow(dead_code)]
    pub(crate) fn read(path: &ResourcePath) -> Self {
        Self::new(http::Method::GET, path.clone(), ResponseShape::Json)
    }

    /// A `method` request to `path` with `body` as JSON, whose answer is JSON.
    #[allow(dead_code)]
    pub(crate) fn write<B: Serialize + ?Sized>(
        method: http::Method,
        path: &ResourcePath,
        body: &B,
    ) -> Self {
        Self::new(method, path.clone(), ResponseShape::Json).with_json_body(body)
    }

    /// A `GET` of `path`'s `$count` segment, whose answer is the number of items as plain
    /// text.
    #[allow(dead_code)]
    pub(crate) fn count_of(path: &ResourcePath) -> Self {
        Self::new(
            http::Method::GET,
            path.segment("$count"),
            ResponseShape::Count,
        )
    }

    /// Marks a listing of objects that Graph counts and searches only with
    /// `ConsistencyLevel: eventual` (directory objects, whose advanced queries need it):
    /// [`Operation::count`] and [`Operation::search`] then send that header, unless one is set.
    #[allow(dead_code)]
    pub(crate) fn counted_eventually(mut self) -> Self {
        self.parts.counts_eventually = true;
        self
    }

    /// `ConsistencyLevel: eventual` if this is a listing marked by
    /// [`Operation::counted_eventually`] and no consistency level is set yet.
    fn eventual_if_needed(self) -> Self {
        if self.parts.counts_eventually && !self.parts.headers.contains_key("consistencylevel") {
            self.consistency_level_eventual()
        } else {
            self
        }
    }

    /// This request with the URL of the entity at `target` as its `$id` query option.
    #[allow(dead_code)]
    pub(crate) fn with_id_option(mut self, target: &ResourcePath) -> Self {
        self.parts.id_option = Some(target.clone());
        self
    }

    /// A `DELETE` of `path`.
    #[allow(dead_code)]
    pub(crate) fn remove(path: &ResourcePath) -> Self {
        Self::new(http::Method::DELETE, path.clone(), ResponseShape::Empty)
    }

    /// This request with `body` as its JSON body. A serialization failure is
    /// kept and reported by [`Operation::to_http_request`].
    #[allow(dead_code)]
    pub(crate) fn with_json_body<B: Serialize + ?Sized>(mut self, body: &B) -> Self {
        self.parts.body = Some(json_body(body));
        self
    }

    /// This request with raw `content` as its body, sent with `content_type`.
    #[allow(dead_code)]
    pub(crate) fn with_content(mut self, content: Vec<u8>, content_type: &str) -> Self {
        self.parts.body = Some(Ok(content));
        self.parts.content_type = Some(content_type.to_string());
        self
    }

    /// The HTTP method.
    pub fn method(&self) -> &http::Method {
        &self.parts.method
    }

    /// Where the request goes.
    pub fn path(&self) -> &ResourcePath {
        &self.parts.path
    }

    /// The JSON body, if there is one and it could be serialized.
    pub fn body(&self) -> Option<&[u8]> {
        match &self.parts.body {
            Some(Ok(bytes)) => Some(bytes),
            _ => None,
        }
    }

    /// Builds the HTTP request: method, absolute URL, `Accept: application/json`,
    /// and `Content-Type: application/json` plus the JSON body when there is
    /// one (an empty body otherwise).
    ///
    /// # Errors
    ///
    /// [`Error::EmptyKey`] or [`Error::Serialize`] as [`ResourcePath::to_url`]
    /// gives them, [`Error::Serialize`] when the body could not be serialized,
    /// and [`Error::InvalidRequest`] when the URL is not an absolute URI.
    pub fn to_http_request(&self) -> Result<http::Request<Vec<u8>>, Error> {
        if let Some((name, reason)) = &self.parts.invalid_header {
            return Err(Error::InvalidHeader {
                name: name.clone(),
                reason: reason.clone(),
            });
        }
        let url = match &self.parts.absolute_url {
            // A next or delta link carries the service's query; an option set on top of it
            // would be dropped without a word.
            Some(link) if !self.parts.query.is_empty() => {
                return Err(Error::QueryOnLink {
                    link: link.clone(),
                    options: self
                        .parts
                        .query
                        .iter()
                        .map(|(name, _)| name.clone())
                        .collect(),
                });
            }
            Some(url) => url.clone(),
            None => {
                let mut url = self.parts.path.to_url()?;
                let id_option = match &self.parts.id_option {
                    Some(target) => Some(("$id".to_string(), target.to_url()?)),
                    None => None,
                };
                for (index, (name, value)) in self.parts.query.iter().chain(&id_option).enumerate()
                {
                    url.push(if index == 0 { '?' } else { '&' });
                    push_query_component(&mut url, name);
                    url.push('=');
                    push_query_component(&mut url, value);
                }
                url
            }
        };
        let body = match &self.parts.body {
            None => None,
            Some(Ok(bytes)) => Some(bytes.clone()),
            Some(Err(message)) => {
                return Err(Error::Serialize(
                    <serde_json::Error as serde::ser::Error>::custom(message),
                ));
            }
        };
        let uri = match absolute_uri(&url) {
            Ok(uri) => uri,
            Err(source) => return Err(Error::InvalidRequest { url, source }),
        };
        let accept = match self.parts.shape {
            ResponseShape::Content => "*/*",
            ResponseShape::Count => "text/plain",
            _ => "application/json",
        };
        let mut builder = http::Request::builder()
            .method(self.parts.method.clone())
            .uri(uri)
            .header(http::header::ACCEPT, accept);
        if body.is_some() {
            let content_type = self
                .parts
                .content_type
                .as_deref()
                .unwrap_or("application/json");
            builder = builder.header(http::header::CONTENT_TYPE, content_type);
        }
        if let Some(headers) = builder.headers_mut() {
            for (name, value) in &self.parts.headers {
                headers.insert(name, value.clone());
            }
        }
        builder
            .body(body.unwrap_or_default())
            .map_err(|source| Error::InvalidRequest { url, source })
    }
}

/// Appends a query option's name or value, percent-encoded: everything but the unreserved
/// characters and the ones OData expressions use literally (`$ ' ( ) , : @ / ! *`).
fn push_query_component(url: &mut String, text: &str) {
    use std::fmt::Write as _;
    for byte in text.bytes() {
        let literal = byte.is_ascii_alphanumeric()
            || matches!(
                byte,
                b'-' | b'.'
                    | b'_'
                    | b'~'
                    | b'$'
                    | b'\''
                    | b'('
                    | b')'
                    | b','
                    | b':'
                    | b'@'
                    | b'/'
                    | b'!'
                    | b'*'
            );
        if literal {
            url.push(char::from(byte));
        } else {
            // Writing to a `String` cannot fail.
            let _ = write!(url, "%{byte:02X}");
        }
    }
}

/// Parses `url`, which must have a scheme and an authority.
fn absolute_uri(url: &str) -> Result<http::Uri, http::Error> {
    let uri: http::Uri = url.parse()?;
    if uri.scheme().is_some() && uri.authority().is_some() {
        return Ok(uri);
    }
    // Let `http` describe what is missing: parts with a path but without a
    // scheme (or with a scheme but without an authority) are refused.
    let mut parts = http::uri::Parts::default();
    parts.path_and_query = Some(http::uri::PathAndQuery::from_static("/"));
    match uri.scheme() {
        Some(scheme) => parts.scheme = Some(scheme.clone()),
        None => parts.authority = Some(http::uri::Authority::from_static("localhost")),
    }
    match http::Uri::from_parts(parts) {
        Err(error) => Err(error.into()),
        // Not reached: such parts are always refused.
        Ok(_) => Ok(uri),
    }
}

#[cfg(all(test, msgraph_runtime))]
mod tests {
    use super::*;
    use http::{Method, StatusCode, header};
    use serde_json::{Value, json};
    use std::sync::Arc;

    #[derive(Debug, PartialEq, Deserialize, Serialize)]
    #[serde(rename_all = "camelCase")]
    struct User {
        id: String,
        display_name: Option<String>,
    }

    /// A type that is neither `Debug` nor `Clone`.
    #[derive(Deserialize)]
    struct Opaque {}

    fn path() -> ResourcePath {
        ResourcePath::new(Arc::from("https://graph.microsoft.com/v1.0"))
            .segment("users")
            .key("users", "u 1".into())
    }

    fn response(status: u16, body: &str) -> http::Response<Vec<u8>> {
        http::Response::builder()
            .status(status)
            .body(body.as_bytes().to_vec())
            .unwrap()
    }

    #[test]
    fn get_request() {
        let operation = Operation::<User>::new(Method::GET, path(), ResponseShape::Json);
        assert_eq!(operation.method(), Method::GET);
        assert_eq!(operation.path(), &path());
        assert_eq!(operation.body(), None);
        let request = operation.to_http_request().unwrap();
        assert_eq!(request.method(), Method::GET);
        assert_eq!(
            request.uri().to_string(),
            "https://graph.microsoft.com/v1.0/users/u%201"
        );
        assert_eq!(request.headers()[header::ACCEPT], "application/json");
        assert!(request.headers().get(header::CONTENT_TYPE).is_none());
        assert_eq!(request.headers().len(), 1);
        assert!(request.body().is_empty());
    }

    #[test]
    fn patch_request_with_body() {
        let user = User {
            id: "1".into(),
            display_name: Some("Ada".into()),
        };
        let operation =
            Operation::<()>::new(Method::PATCH, path(), ResponseShape::Empty).with_json_body(&user);
        let expected = br#"{"id":"1","displayName":"Ada"}"#;
        assert_eq!(operation.body(), Some(&expected[..]));
        let request = operation.to_http_request().unwrap();
        assert_eq!(request.method(), Method::PATCH);
        assert_eq!(
            request.uri().to_string(),
            "https://graph.microsoft.com/v1.0/users/u%201"
        );
        assert_eq!(request.headers()[header::ACCEPT], "application/json");
        assert_eq!(request.headers()[header::CONTENT_TYPE], "application/json");
        assert_eq!(request.headers().len(), 2);
        assert_eq!(request.body().as_slice(), expected);
    }

    #[test]
    fn unsized_body() {
        let operation = Operation::<Value>::new(Method::POST, path(), ResponseShape::Json)
            .with_json_body("text");
        assert_eq!(operation.body(), Some(&b"\"text\""[..]));
        let items: &[i32] = &[1, 2];
        let operation = operation.with_json_body(items);
        assert_eq!(operation.body(), Some(&b"[1,2]"[..]));
    }

    #[test]
    fn failed_body_is_a_serialize_error() {
        let mut map = std::collections::BTreeMap::new();
        map.insert((1, 2), 3);
        let message = serde_json::to_vec(&map).unwrap_err().to_string();
        let operation =
            Operation::<()>::new(Method::POST, path(), ResponseShape::Empty).with_json_body(&map);
        assert_eq!(operation.body(), None);
        match operation.to_http_request() {
            Err(Error::Serialize(error)) => assert_eq!(error.to_string(), message),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn path_errors_come_first() {
        let path = ResourcePath::new(Arc::from("https://graph.microsoft.com/v1.0"))
            .segment("users")
            .key("users", String::new());
        let operation = Operation::<()>::new(Method::GET, path, ResponseShape::Empty);
        assert!(matches!(
            operation.to_http_request(),
            Err(Error::EmptyKey {
                collection: "users"
            })
        ));
    }

    #[test]
    fn invalid_base_url() {
        for base in [
            "not a url",
            "",
            "/relative",
            "graph.microsoft.com/v1.0",
            "http://",
        ] {
            let path = ResourcePath::new(Arc::from(base)).segment("me");
            let operation = Operation::<()>::new(Method::GET, path, ResponseShape::Empty);
            match operation.to_http_request() {
                Err(Error::InvalidRequest { url, .. }) => assert_eq!(url, format!("{base}/me")),
                other => panic!("{base:?}: unexpected {other:?}"),
            }
        }
        let path = ResourcePath::new(Arc::from("/v1.0")).segment("me");
        let error = Operation::<()>::new(Method::GET, path, ResponseShape::Empty)
            .to_http_request()
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "could not build a request for `/v1.0/me`: scheme missing"
        );
    }

    #[test]
    fn other_base_urls_are_kept() {
        let path = ResourcePath::new(Arc::from("http://localhost:8080/graph")).segment("me");
        let request = Operation::<()>::new(Method::DELETE, path, ResponseShape::Empty)
            .to_http_request()
            .unwrap();
        assert_eq!(request.uri().to_string(), "http://localhost:8080/graph/me");
        assert_eq!(request.method(), Method::DELETE);
    }

    #[test]
    fn json_response() {
        let operation = Operation::<User>::new(Method::GET, path(), ResponseShape::Json);
        let user = operation
            .parse_response(response(
                200,
                r#"{"id":"1","displayName":"Ada","extra":true}"#,
            ))
            .unwrap();
        assert_eq!(
            user,
            User {
                id: "1".into(),
                display_name: Some("Ada".into())
            }
        );
        // Any body type that is bytes will do.
        let borrowed = http::Response::new(&br#"{"id":"2"}"#[..]);
        assert_eq!(operation.parse_response(borrowed).unwrap().id, "2");
        let created = operation
            .parse_response(response(201, r#"{"id":"3"}"#))
            .unwrap();
        assert_eq!(created.id, "3");
    }

    #[test]
    fn empty_json_response_is_empty_body() {
        let operation = Operation::<User>::new(Method::PATCH, path(), ResponseShape::Json);
        for (status, body) in [(200, ""), (204, ""), (200, " \r\n\t")] {
            match operation.parse_response(response(status, body)) {
                Err(Error::EmptyBody { status: got }) => assert_eq!(got.as_u16(), status),
                other => panic!("unexpected {other:?}"),
            }
        }
        let operation = Operation::<Vec<User>>::new(Method::GET, path(), ResponseShape::Value);
        assert!(matches!(
            operation.parse_response(response(200, "")),
            Err(Error::EmptyBody { .. })
        ));
    }

    #[test]
    fn empty_shape_ignores_the_body() {
        let operation = Operation::<()>::new(Method::DELETE, path(), ResponseShape::Empty);
        operation.parse_response(response(204, "")).unwrap();
        operation.parse_response(response(200, "not json")).unwrap();
        operation
            .parse_response(response(202, r#"{"id":"1"}"#))
            .unwrap();
        let operation = Operation::<Option<User>>::new(Method::POST, path(), ResponseShape::Empty);
        assert_eq!(operation.parse_response(response(204, "")).unwrap(), None);
        let operation = Operation::<User>::new(Method::POST, path(), ResponseShape::Empty);
        assert!(matches!(
            operation.parse_response(response(204, "")),
            Err(Error::Deserialize {
                status: StatusCode::NO_CONTENT,
                ..
            })
        ));
    }

    #[test]
    fn value_response() {
        let operation = Operation::<Vec<String>>::new(Method::POST, path(), ResponseShape::Value);
        let groups = operation
            .parse_response(response(
                200,
                r#"{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#Collection(Edm.String)","value":["a","b"]}"#,
            ))
            .unwrap();
        assert_eq!(groups, ["a", "b"]);
        let operation = Operation::<bool>::new(Method::POST, path(), ResponseShape::Value);
        assert!(
            operation
                .parse_response(response(200, r#"{"value":true}"#))
                .unwrap()
        );
        match operation.parse_response(response(200, r#"{"other":true}"#)) {
            Err(Error::Deserialize { status, source }) => {
                assert_eq!(status, StatusCode::OK);
                assert!(source.to_string().contains("value"), "{source}");
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn malformed_json_is_deserialize_error() {
        let operation = Operation::<User>::new(Method::GET, path(), ResponseShape::Json);
        match operation.parse_response(response(200, r#"{"id":"#)) {
            Err(Error::Deserialize { status, source }) => {
                assert_eq!(status, StatusCode::OK);
                assert!(source.is_eof());
            }
            other => panic!("unexpected {other:?}"),
        }
        match operation.parse_response(response(200, r#"{"displayName":"x"}"#)) {
            Err(Error::Deserialize { source, .. }) => assert!(source.is_data()),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn graph_error_response() {
        let operation = Operation::<User>::new(Method::GET, path(), ResponseShape::Json);
        let body = r#"{"error":{"code":"Request_ResourceNotFound","message":"Resource 'u 1' does not exist.","innerError":{"date":"2024-05-01T10:00:00","request-id":"inner-id","client-request-id":"inner-client"}}}"#;
        let error = operation.parse_response(response(404, body)).unwrap_err();
        assert_eq!(
            error.to_string(),
            "Microsoft Graph returned 404 Not Found: Request_ResourceNotFound: Resource 'u 1' does not exist."
        );
        let Error::Service(service) = &error else {
            panic!("unexpected {error:?}");
        };
        assert_eq!(service.status(), StatusCode::NOT_FOUND);
        assert_eq!(service.error().unwrap().code, "Request_ResourceNotFound");
        assert_eq!(service.request_id(), Some("inner-id"));
        assert_eq!(service.client_request_id(), Some("inner-client"));
        assert_eq!(service.body(), body.as_bytes());

        let with_headers = http::Response::builder()
            .status(404)
            .header("request-id", "header-id")
            .header("Retry-After", "30")
            .body(body)
            .unwrap();
        let Err(Error::Service(service)) = operation.parse_response(with_headers) else {
            panic!("expected a service error");
        };
        assert_eq!(service.request_id(), Some("header-id"));
        assert_eq!(service.client_request_id(), Some("inner-client"));
        assert_eq!(
            service.retry_after(),
            Some(std::time::Duration::from_secs(30))
        );
    }

    #[test]
    fn html_error_response() {
        let operation = Operation::<()>::new(Method::GET, path(), ResponseShape::Empty);
        let body = format!(
            "<!DOCTYPE html>\n<html><body><h1>Service Unavailable</h1>{}</body></html>",
            "x".repeat(500)
        );
        let error = operation.parse_response(response(503, &body)).unwrap_err();
        let text = error.to_string();
        assert!(
            text.starts_with(
                "Microsoft Graph returned 503 Service Unavailable: <!DOCTYPE html> <html><body><h1>Service Unavailable</h1>xxx"
            ),
            "{text}"
        );
        assert!(text.ends_with("xx…"), "{text}");
        assert!(text.len() < 300, "{text}");
        let Error::Service(service) = error else {
            panic!("expected a service error");
        };
        assert!(service.error().is_none());
        assert_eq!(service.body(), body.as_bytes());
    }

    #[test]
    fn redirect_is_a_service_error() {
        let operation = Operation::<()>::new(Method::GET, path(), ResponseShape::Empty);
        let error = operation.parse_response(response(302, "")).unwrap_err();
        assert_eq!(error.to_string(), "Microsoft Graph returned 302 Found");
    }

    #[test]
    fn operation_needs_no_debug_or_clone_from_t() {
        let operation = Operation::<Opaque>::new(Method::GET, path(), ResponseShape::Json)
            .with_json_body(&json!({"a": 1}));
        let clone = operation.clone();
        assert_eq!(clone.body(), operation.body());
        assert_eq!(clone.method(), operation.method());
        assert_eq!(clone.path(), operation.path());
        let debug = format!("{operation:?}");
        assert!(debug.starts_with("Operation { method: GET"), "{debug}");
        assert!(operation.parse_response(response(200, "{}")).is_ok());
    }

    #[test]
    fn page_parses_and_round_trips() {
        let body = json!({
            "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users",
            "@odata.count": 3,
            "@odata.nextLink": "https://graph.microsoft.com/v1.0/users?$skiptoken=abc",
            "value": [{"id": "1", "displayName": "Ada"}, {"id": "2", "displayName": null}]
        });
        let page: Page<User> = serde_json::from_value(body.clone()).unwrap();
        assert_eq!(page.value.len(), 2);
        assert_eq!(page.value[1].id, "2");
        assert_eq!(
            page.next_link.as_deref(),
            Some("https://graph.microsoft.com/v1.0/users?$skiptoken=abc")
        );
        assert_eq!(page.delta_link, None);
        assert_eq!(page.count, Some(3));
        assert_eq!(
            page.context.as_deref(),
            Some("https://graph.microsoft.com/v1.0/$metadata#users")
        );
        assert_eq!(serde_json::to_value(&page).unwrap(), body);

        let operation = Operation::<Page<User>>::new(Method::GET, path(), ResponseShape::Json);
        let parsed = operation
            .parse_response(response(200, &body.to_string()))
            .unwrap();
        assert_eq!(parsed, page);
    }

    #[test]
    fn delta_page() {
        let page: Page<Value> = serde_json::from_str(
            r#"{"value":[],"@odata.deltaLink":"https://graph.microsoft.com/v1.0/users/delta?$deltatoken=x"}"#,
        )
        .unwrap();
        assert!(page.value.is_empty());
        assert_eq!(page.next_link, None);
        assert_eq!(
            page.delta_link
                .as_ref()
                .map(crate::delta::DeltaLink::as_str),
            Some("https://graph.microsoft.com/v1.0/users/delta?$deltatoken=x")
        );
    }

    #[test]
    fn page_needs_value() {
        assert!(serde_json::from_str::<Page<Value>>(r#"{"@odata.count":1}"#).is_err());
    }

    #[test]
    fn default_page_is_empty() {
        let page = Page::<Opaque>::default();
        assert!(page.value.is_empty());
        assert!(page.next_link.is_none());
        assert!(page.delta_link.is_none());
        assert!(page.count.is_none());
        assert!(page.context.is_none());
        assert_eq!(
            serde_json::to_string(&Page::<u8>::default()).unwrap(),
            r#"{"value":[]}"#
        );
    }

    #[derive(Debug, Clone, Copy, PartialEq)]
    enum Field {
        Id,
        DisplayName,
    }

    impl AsRef<str> for Field {
        fn as_ref(&self) -> &str {
            match self {
                Field::Id => "id",
                Field::DisplayName => "displayName",
            }
        }
    }

    #[derive(Debug, serde::Deserialize)]
    struct Item {
        id: String,
    }

    impl Selectable for Item {
        type Property = Field;
    }

    fn list() -> Operation<Page<Item>> {
        let path = ResourcePath::new("https://graph.microsoft.com/v1.0".into()).segment("items");
        Operation::new(http::Method::GET, path, ResponseShape::Json)
    }

    #[test]
    fn query_options_are_encoded_as_graph_expects() {
        let request = list()
            .select([Field::Id, Field::DisplayName])
            .filter("startswith(displayName,'A b&c')")
            .order_by(Field::DisplayName, Direction::Descending)
            .order_by(Field::Id, Direction::Ascending)
            .top(5)
            .skip(10)
            .count(true)
            .search("\"display name:x+y\"")
            .expand(["members($select=id)", "owners"])
            .to_http_request()
            .unwrap();
        assert_eq!(
            request.uri().to_string(),
            "https://graph.microsoft.com/v1.0/items?$select=id,displayName\
             &$filter=startswith(displayName,'A%20b%26c')\
             &$orderby=displayName%20desc,id%20asc&$top=5&$skip=10&$count=true\
             &$search=%22display%20name:x%2By%22&$expand=members($select%3Did),owners"
        );
    }

    #[test]
    fn setting_an_option_again_replaces_it() {
        let operation = list().top(5).top(7).query("custom", "1");
        assert_eq!(
            operation.query_options(),
            [
                ("$top".to_string(), "7".to_string()),
                ("custom".to_string(), "1".to_string())
            ]
        );
    }

    #[test]
    fn headers_are_added_and_preferences_combined() {
        let request = list()
            .if_match("W/\"etag\"")
            .prefer("return=minimal")
            .prefer("include-unknown-enum-members")
            .consistency_level_eventual()
            .client_request_id("abc-123")
            .header("x-custom", "1")
            .to_http_request()
            .unwrap();
        let headers = request.headers();
        assert_eq!(headers["if-match"], "W/\"etag\"");
        assert_eq!(
            headers["prefer"],
            "return=minimal, include-unknown-enum-members"
        );
        assert_eq!(headers["consistencylevel"], "eventual");
        assert_eq!(headers["client-request-id"], "abc-123");
        assert_eq!(headers["x-custom"], "1");
        assert_eq!(headers["accept"], "application/json");
    }

    #[test]
    fn an_invalid_header_fails_when_the_request_is_built() {
        let error = list()
            .header("bad name", "x")
            .to_http_request()
            .unwrap_err();
        assert!(
            matches!(error, Error::InvalidHeader { ref name, .. } if name == "bad name"),
            "{error:?}"
        );
        let error = list()
            .header("x-ok", "line\nbreak")
            .to_http_request()
            .unwrap_err();
        assert!(matches!(error, Error::InvalidHeader { .. }), "{error:?}");
    }

    #[test]
    fn next_pages_stay_in_the_service_root() {
        let operation = list().top(2).consistency_level_eventual();
        let page: Page<Item> = serde_json::from_str(
            r#"{"value":[{"id":"1"}],"@odata.nextLink":"https://graph.microsoft.com/v1.0/items?$top=2&$skiptoken=X"}"#,
        )
        .unwrap();
        assert_eq!(page.value[0].id, "1");
        let next = operation.next_page(&page).unwrap().unwrap();
        let request = next.to_http_request().unwrap();
        assert_eq!(
            request.uri().to_string(),
            "https://graph.microsoft.com/v1.0/items?$top=2&$skiptoken=X"
        );
        assert_eq!(request.headers()["consistencylevel"], "eventual");

        let last: Page<Item> = serde_json::from_str(r#"{"value":[]}"#).unwrap();
        assert!(operation.next_page(&last).is_none());

        for foreign in [
            "https://evil.example/v1.0/items?$skiptoken=X",
            "https://graph.microsoft.com/v1.0evil/items",
            "http://graph.microsoft.com/v1.0/items",
        ] {
            let page = Page::<Item> {
                next_link: Some(foreign.to_string()),
                ..Page::default()
            };
            let error = operation.next_page(&page).unwrap().unwrap_err();
            assert!(
                matches!(error, Error::ForeignNextLink { .. }),
                "{foreign}: {error:?}"
            );
            assert!(error.to_string().contains("not followed"), "{error}");
        }
    }

    #[test]
    fn an_upload_reads_the_entity_the_service_answers_with() {
        let path = ResourcePath::new("https://graph.microsoft.com/v1.0".into())
            .segment("drives")
            .key("drives", "d1".into())
            .segment("content");
        let upload =
            ContentRequest::<Value>::new(path).put_and_read(b"hello".to_vec(), "text/plain");
        let request = upload.to_http_request().unwrap();
        assert_eq!(request.method(), Method::PUT);
        assert_eq!(request.headers()["content-type"], "text/plain");
        assert_eq!(request.headers()["accept"], "application/json");
        assert_eq!(request.body(), b"hello");
        let answer = |status: u16, body: &str| {
            http::Response::builder()
                .status(status)
                .body(body.as_bytes().to_vec())
                .unwrap()
        };
        let item = upload
            .parse_response(answer(201, r#"{"id":"i1","size":5}"#))
            .unwrap();
        assert_eq!(item, json!({"id": "i1", "size": 5}));
        assert_eq!(
            upload.parse_optional_response(answer(204, "")).unwrap(),
            None
        );
    }

    #[test]
    fn a_stream_is_updated_with_patch_as_sent() {
        let path = ResourcePath::new("https://graph.microsoft.com/v1.0".into())
            .segment("branding")
            .segment("bannerLogo");
        let update = ContentRequest::<()>::new(path).patch(vec![0x89, 0x50], "image/png");
        let request = update.to_http_request().unwrap();
        assert_eq!(request.method(), Method::PATCH);
        assert_eq!(request.headers()["content-type"], "image/png");
        assert_eq!(request.body(), &[0x89, 0x50]);
        let answer = http::Response::builder()
            .status(204)
            .body(Vec::new())
            .unwrap();
        assert_eq!(update.parse_response(answer).unwrap(), ());
    }

    #[test]
    fn content_is_sent_and_read_raw() {
        let path = ResourcePath::new("https://graph.microsoft.com/v1.0".into())
            .segment("photo")
            .segment("$value");
        let upload = Operation::<()>::new(http::Method::PUT, path.clone(), ResponseShape::Empty)
            .with_content(vec![0xFF, 0xD8, 0x00], "image/jpeg");
        let request = upload.to_http_request().unwrap();
        assert_eq!(request.headers()["content-type"], "image/jpeg");
        assert_eq!(request.body(), &[0xFF, 0xD8, 0x00]);

        let download = Operation::<Content>::new(http::Method::GET, path, ResponseShape::Content);
        assert_eq!(
            download.to_http_request().unwrap().headers()["accept"],
            "*/*"
        );
        let content = download
            .parse_response(
                http::Response::builder()
                    .status(200)
                    .body(vec![1u8, 2, 3])
                    .unwrap(),
            )
            .unwrap();
        assert_eq!(content, Content(vec![1, 2, 3]));
        let empty = download
            .parse_response(
                http::Response::builder()
                    .status(200)
                    .body(Vec::new())
                    .unwrap(),
            )
            .unwrap();
        assert_eq!(empty, Content(Vec::new()));
        let redirect = download
            .parse_response(
                http::Response::builder()
                    .status(302)
                    .header("location", "https://download.example/file")
                    .body(Vec::new())
                    .unwrap(),
            )
            .unwrap_err();
        let Error::Service(service) = redirect else {
            panic!("expected a service error")
        };
        assert_eq!(
            service.headers()["location"],
            "https://download.example/file"
        );
    }

    #[test]
    fn a_page_keeps_the_members_it_does_not_name() {
        let answer = json!({
            "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users",
            "@odata.count": 2,
            "@microsoft.graph.tips": "Use $select to choose the properties.",
            "@odata.nextLink": "https://graph.microsoft.com/v1.0/users?$skiptoken=X",
            "value": [{"id": "1"}, {"id": "2", "displayName": "B"}],
            "extra": {"nested": [1, null]}
        });
        let page: Page<Value> = serde_json::from_value(answer.clone()).unwrap();
        assert_eq!(page.value.len(), 2);
        assert_eq!(page.count, Some(2));
        assert_eq!(page.additional_properties.len(), 2);
        assert_eq!(serde_json::to_value(&page).unwrap(), answer);
        let text = serde_json::to_string(&page).unwrap();
        assert!(text.starts_with(r#"{"@odata.context":"#), "{text}");
        assert!(
            text.ends_with(r#"],"extra":{"nested":[1,null]}}"#),
            "{text}"
        );

        let error = serde_json::from_value::<Page<Value>>(json!({"@odata.count": 1})).unwrap_err();
        assert!(
            error.to_string().contains("missing field `value`"),
            "{error}"
        );
        let error = serde_json::from_value::<Page<Value>>(json!([])).unwrap_err();
        assert!(
            error.to_string().contains("a page of a collection"),
            "{error}"
        );
        let empty: Page<Value> = serde_json::from_value(json!({"value": []})).unwrap();
        assert_eq!(empty, Page::default());
        assert_eq!(serde_json::to_value(&empty).unwrap(), json!({"value": []}));
    }

    #[test]
    fn a_count_segment_is_read_as_plain_text() {
        let path = ResourcePath::new("https://graph.microsoft.com/v1.0".into()).segment("users");
        let count = Operation::<u64>::count_of(&path).filter("accountEnabled eq true");
        let request = count.to_http_request().unwrap();
        assert_eq!(request.method(), Method::GET);
        assert_eq!(
            request.uri().to_string(),
            "https://graph.microsoft.com/v1.0/users/$count?$filter=accountEnabled%20eq%20true"
        );
        assert_eq!(request.headers()["accept"], "text/plain");
        let answer = |body: &str| {
            count.parse_response(
                http::Response::builder()
                    .status(200)
                    .body(body.as_bytes().to_vec())
                    .unwrap(),
            )
        };
        assert_eq!(answer("42").unwrap(), 42);
        assert_eq!(answer("\u{feff}7\r\n").unwrap(), 7);
        assert!(matches!(answer(""), Err(Error::EmptyBody { .. })));
        let error = answer("{\"value\":3}").unwrap_err();
        assert!(matches!(error, Error::Deserialize { .. }), "{error:?}");
        assert!(error.to_string().contains("plain text"), "{error}");
    }

    #[test]
    fn directory_listings_count_and_search_with_eventual_consistency() {
        let level = |operation: &Operation<Page<Item>>| {
            let request = operation.to_http_request().unwrap();
            request
                .headers()
                .get("consistencylevel")
                .map(|value| value.to_str().unwrap().to_string())
        };
        let directory = || list().counted_eventually();
        assert_eq!(level(&directory()), None, "a plain listing needs none");
        assert_eq!(level(&directory().count(true)).as_deref(), Some("eventual"));
        assert_eq!(level(&directory().count(false)), None);
        assert_eq!(
            level(&directory().search("\"displayName:a\"")).as_deref(),
            Some("eventual")
        );
        assert_eq!(
            level(&list().count(true)),
            None,
            "other collections need none"
        );
        let chosen = directory()
            .header("ConsistencyLevel", "session")
            .count(true);
        assert_eq!(
            level(&chosen).as_deref(),
            Some("session"),
            "a level set stays"
        );

        let page = Page::<Item> {
            next_link: Some("https://graph.microsoft.com/v1.0/items?$skiptoken=A".into()),
            ..Page::default()
        };
        let next = directory().count(true).next_page(&page).unwrap().unwrap();
        assert_eq!(
            level(&next).as_deref(),
            Some("eventual"),
            "kept on next pages"
        );
    }

    #[test]
    fn a_next_link_that_comes_back_ends_the_paging() {
        let page = |link: &str| Page::<Item> {
            next_link: Some(format!(
                "https://graph.microsoft.com/v1.0/items?$skiptoken={link}"
            )),
            ..Page::default()
        };
        let first = list();
        let a = first.next_page(&page("A")).unwrap().unwrap();
        let error = a.next_page(&page("A")).unwrap().unwrap_err();
        assert!(
            matches!(&error, Error::RepeatedNextLink { pages: 2, .. }),
            "{error:?}"
        );
        assert!(error.to_string().contains("$skiptoken=A"), "{error}");
        let b = a.next_page(&page("B")).unwrap().unwrap();
        let c = b.next_page(&page("C")).unwrap().unwrap();
        assert!(matches!(
            c.next_page(&page("A")),
            Some(Err(Error::RepeatedNextLink { pages: 4, .. }))
        ));
        // A new listing starts afresh.
        assert!(first.next_page(&page("A")).unwrap().is_ok());
    }

    #[test]
    fn next_links_inside_the_root_are_followed_as_written() {
        let operation = list();
        for inside in [
            "https://graph.microsoft.com/v1.0",
            "https://graph.microsoft.com/v1.0/items?$skiptoken=a%2Fb..c",
            "https://graph.microsoft.com/v1.0/items/a..b/%2E%2Ex?$top=2#frag",
            "https://graph.microsoft.com/v1.0?$skiptoken=X",
        ] {
            let page = Page::<Item> {
                next_link: Some(inside.to_string()),
                ..Page::default()
            };
            let next = operation.next_page(&page).unwrap().unwrap();
            assert_eq!(next.parts.absolute_url.as_deref(), Some(inside));
        }
        assert_eq!(percent_decoded(b"%2e%2E%zz%4"), b"..%zz%4");
    }

    #[test]
    fn review_fixes_headers_select_and_climbing_links() {
        let request = list()
            .header("Accept", "application/json;odata.metadata=none")
            .if_match("a")
            .if_match("b")
            .to_http_request()
            .unwrap();
        let accepts: Vec<_> = request.headers().get_all("accept").iter().collect();
        assert_eq!(accepts, ["application/json;odata.metadata=none"]);
        let matches: Vec<_> = request.headers().get_all("if-match").iter().collect();
        assert_eq!(matches, ["b"]);

        let request = list().top(3).select([]).to_http_request().unwrap();
        assert_eq!(
            request.uri().to_string(),
            "https://graph.microsoft.com/v1.0/items?$top=3"
        );
        let request = list()
            .select([Field::Id])
            .select([])
            .to_http_request()
            .unwrap();
        assert_eq!(
            request.uri().to_string(),
            "https://graph.microsoft.com/v1.0/items"
        );

        let operation = list();
        for climbing in [
            "https://graph.microsoft.com/v1.0/../beta/x",
            "https://graph.microsoft.com/v1.0/items/%2E%2E/%2e%2e/beta",
            "https://graph.microsoft.com/v1.0/./items",
            "https://graph.microsoft.com/v1.0/..\\beta/x",
            "https://graph.microsoft.com/v1.0/items\\..\\..\\beta",
            "https://graph.microsoft.com/v1.0/.%2E/beta",
            "https://graph.microsoft.com/v1.0/%2e./beta",
            "https://graph.microsoft.com/v1.0/%252E%252e/beta",
            "https://graph.microsoft.com/v1.0/.\t./beta",
            "https://graph.microsoft.com/v1.0/.\n./beta",
            "https://graph.microsoft.com/v1.0/..%2Fbeta",
            "https://graph.microsoft.com/v1.0/..%5Cbeta",
            "https://graph.microsoft.com/v1.0/items%2F..%2F..%2Fbeta",
            "https://graph.microsoft.com/v1.0/ ../beta",
            "https://graph.microsoft.com/v1.0/\u{2024}\u{2024}/beta",
            " https://graph.microsoft.com/v1.0/items",
            "https://graph.microsoft.com:8443/v1.0/items",
            "https://graph.microsoft.com.evil.example/v1.0/items",
            "https://graph.microsoft.com/beta/items",
        ] {
            let page = Page::<Item> {
                next_link: Some(climbing.to_string()),
                ..Page::default()
            };
            assert!(
                matches!(
                    operation.next_page(&page),
                    Some(Err(Error::ForeignNextLink { .. }))
                ),
                "{climbing}"
            );
        }
    }

    #[test]
    fn an_answer_without_content_is_none() {
        let path = ResourcePath::new("https://graph.microsoft.com/v1.0".into()).segment("items");
        let patch =
            Operation::<serde_json::Value>::new(http::Method::PATCH, path, ResponseShape::Json);
        let none = patch
            .parse_optional_response(http::Response::builder().status(204).body("").unwrap())
            .unwrap();
        assert_eq!(none, None);
        let some = patch
            .parse_optional_response(
                http::Response::builder()
                    .status(200)
                    .body(r#"{"id":"1"}"#)
                    .unwrap(),
            )
            .unwrap();
        assert_eq!(some, Some(serde_json::json!({"id": "1"})));
        assert!(
            patch
                .parse_optional_response(http::Response::builder().status(404).body("").unwrap())
                .is_err()
        );
    }
}
