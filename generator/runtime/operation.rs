//! Sans-IO operations: turning a request into `http` types and reading the answer.

use std::fmt;
use std::marker::PhantomData;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::Error;
use crate::error::ServiceError;
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
}

/// One request, ready to be turned into an [`http::Request`], and the
/// knowledge of how to read its answer into a `T`.
///
/// It does no I/O: send the request from [`Operation::to_http_request`] with
/// any HTTP client (adding an `Authorization` header), then give the response
/// to [`Operation::parse_response`].
#[must_use]
pub struct Operation<T> {
    method: http::Method,
    path: ResourcePath,
    /// The JSON body, or the message of the error that kept it from being
    /// serialized.
    body: Option<Result<Vec<u8>, String>>,
    shape: ResponseShape,
    _response: PhantomData<fn() -> T>,
}

// Written by hand so that `T` needs neither `Debug` nor `Clone`.
impl<T> fmt::Debug for Operation<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Operation")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("body", &self.body)
            .field("shape", &self.shape)
            .finish()
    }
}

impl<T> Clone for Operation<T> {
    fn clone(&self) -> Self {
        Operation {
            method: self.method.clone(),
            path: self.path.clone(),
            body: self.body.clone(),
            shape: self.shape,
            _response: PhantomData,
        }
    }
}

impl<T> Operation<T> {
    /// A request without a body.
    #[allow(dead_code)]
    pub(crate) fn new(method: http::Method, path: ResourcePath, shape: ResponseShape) -> Self {
        Operation {
            method,
            path,
            body: None,
            shape,
            _response: PhantomData,
        }
    }

    /// This request with `body` as its JSON body. A serialization failure is
    /// kept and reported by [`Operation::to_http_request`].
    #[allow(dead_code)]
    pub(crate) fn with_json_body<B: Serialize + ?Sized>(mut self, body: &B) -> Self {
        self.body = Some(serde_json::to_vec(body).map_err(|error| error.to_string()));
        self
    }

    /// The HTTP method.
    pub fn method(&self) -> &http::Method {
        &self.method
    }

    /// Where the request goes.
    pub fn path(&self) -> &ResourcePath {
        &self.path
    }

    /// The JSON body, if there is one and it could be serialized.
    pub fn body(&self) -> Option<&[u8]> {
        match &self.body {
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
        let url = self.path.to_url()?;
        let body = match &self.body {
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
        let mut builder = http::Request::builder()
            .method(self.method.clone())
            .uri(uri)
            .header(http::header::ACCEPT, "application/json");
        if body.is_some() {
            builder = builder.header(http::header::CONTENT_TYPE, "application/json");
        }
        builder
            .body(body.unwrap_or_default())
            .map_err(|source| Error::InvalidRequest { url, source })
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

impl<T: DeserializeOwned> Operation<T> {
    /// Reads the service's answer.
    ///
    /// # Errors
    ///
    /// [`Error::Service`] when the status is outside 2xx (with the service's
    /// error when the body is one), [`Error::EmptyBody`] when a 2xx body that
    /// should hold the result is empty, and [`Error::Deserialize`] when it
    /// does not parse.
    pub fn parse_response<B: AsRef<[u8]>>(&self, response: http::Response<B>) -> Result<T, Error> {
        let (parts, body) = response.into_parts();
        let status = parts.status;
        let body = body.as_ref();
        if !status.is_success() {
            return Err(Error::Service(Box::new(ServiceError::from_response(
                status,
                parts.headers,
                body.to_vec(),
            ))));
        }
        let deserialize = |source| Error::Deserialize { status, source };
        match self.shape {
            ResponseShape::Empty => T::deserialize(serde_json::Value::Null).map_err(deserialize),
            ResponseShape::Json | ResponseShape::Value
                if body.iter().all(u8::is_ascii_whitespace) =>
            {
                Err(Error::EmptyBody { status })
            }
            ResponseShape::Json => serde_json::from_slice(body).map_err(deserialize),
            ResponseShape::Value => serde_json::from_slice::<ValueBody<T>>(body)
                .map(|wrapper| wrapper.value)
                .map_err(deserialize),
        }
    }
}

/// A body of the form `{"value": ...}`.
#[derive(Deserialize)]
struct ValueBody<T> {
    value: T,
}

/// One page of a collection.
///
/// When [`Page::next_link`] is set, more items follow at that URL.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Page<T> {
    /// The items of this page.
    pub value: Vec<T>,
    /// The URL of the next page, if there is one (`@odata.nextLink`).
    #[serde(
        rename = "@odata.nextLink",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub next_link: Option<String>,
    /// The URL that asks for later changes, on the last page of a delta
    /// query (`@odata.deltaLink`).
    #[serde(
        rename = "@odata.deltaLink",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub delta_link: Option<String>,
    /// The number of items in the whole collection, when it was asked for
    /// (`@odata.count`).
    #[serde(
        rename = "@odata.count",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub count: Option<i64>,
    /// The URL of the metadata that describes the payload (`@odata.context`).
    #[serde(
        rename = "@odata.context",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub context: Option<String>,
}

/// An empty page without links. Written by hand so that `T` needs no `Default`.
impl<T> Default for Page<T> {
    fn default() -> Self {
        Page {
            value: Vec::new(),
            next_link: None,
            delta_link: None,
            count: None,
            context: None,
        }
    }
}

#[cfg(test)]
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
            page.delta_link.as_deref(),
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
}
