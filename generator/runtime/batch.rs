//! JSON batching: up to 20 operations in one `POST /$batch`, each with its own typed result.
//!
//! Sans-IO like the rest: [`Batch::to_http_request`] builds the request, [`Batch::parse_response`]
//! reads the answer, and each [`BatchItem`] reads its own result out of it.

use std::marker::PhantomData;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::Error;
use crate::operation::Operation;

/// The most operations Microsoft Graph accepts in one batch.
pub const MAX_BATCH_SIZE: usize = 20;

/// Operations to send together in one `POST {service root}/$batch`.
#[derive(Debug, Clone, Default)]
pub struct Batch {
    service_root: Option<String>,
    requests: Vec<BatchRequest>,
}

/// One request of a batch, as Graph expects it on the wire.
#[derive(Debug, Clone, PartialEq, Serialize)]
struct BatchRequest {
    id: String,
    method: String,
    url: String,
    #[serde(skip_serializing_if = "Map::is_empty")]
    headers: Map<String, Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    body: Option<Value>,
    #[serde(rename = "dependsOn", skip_serializing_if = "Vec::is_empty")]
    depends_on: Vec<String>,
}

/// The handle of one operation in a batch: it reads that operation's typed result from the
/// batch's answer.
#[derive(Debug)]
pub struct BatchItem<T> {
    id: String,
    operation: Operation<T>,
    _result: PhantomData<fn() -> T>,
}

impl<T> BatchItem<T> {
    /// The request's id in the batch (`"1"`, `"2"`, ...).
    pub fn id(&self) -> &str {
        &self.id
    }
}

/// The answer to a batch: one response per request, by id.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchResponse {
    responses: Vec<ItemResponse>,
}

#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
struct ItemResponse {
    id: String,
    status: u16,
    #[serde(default)]
    headers: Map<String, Value>,
    #[serde(default)]
    body: Option<Value>,
}

#[derive(serde::Deserialize)]
struct BatchBody {
    responses: Vec<ItemResponse>,
}

impl Batch {
    /// An empty batch.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many operations the batch holds.
    pub fn len(&self) -> usize {
        self.requests.len()
    }

    /// Whether the batch holds no operation.
    pub fn is_empty(&self) -> bool {
        self.requests.is_empty()
    }

    /// Adds an operation.
    ///
    /// # Errors
    ///
    /// [`Error::BatchFull`] past [`MAX_BATCH_SIZE`] operations, [`Error::MixedServiceRoots`] when
    /// the operation goes to another service root than the ones before it, and the errors of
    /// [`Operation::to_http_request`].
    pub fn add<T>(&mut self, operation: &Operation<T>) -> Result<BatchItem<T>, Error> {
        self.add_after(operation, &[])
    }

    /// Adds an operation that Graph runs only after the given ones (`dependsOn`).
    ///
    /// # Errors
    ///
    /// As [`Batch::add`], and [`Error::UnknownBatchDependency`] when an id is not in the batch.
    pub fn add_after<T>(
        &mut self,
        operation: &Operation<T>,
        after: &[&str],
    ) -> Result<BatchItem<T>, Error> {
        if self.requests.len() >= MAX_BATCH_SIZE {
            return Err(Error::BatchFull {
                limit: MAX_BATCH_SIZE,
            });
        }
        for id in after {
            if !self.requests.iter().any(|r| r.id == *id) {
                return Err(Error::UnknownBatchDependency {
                    id: (*id).to_string(),
                });
            }
        }
        let request = operation.to_http_request()?;
        let root = operation.path().base_url();
        match &self.service_root {
            Some(existing) if existing != root => {
                return Err(Error::MixedServiceRoots {
                    first: existing.clone(),
                    other: root.to_string(),
                });
            }
            _ => self.service_root = Some(root.to_string()),
        }
        let uri = request.uri().to_string();
        let url = uri.strip_prefix(root).unwrap_or(&uri).to_string();
        let mut headers = Map::new();
        for (name, value) in request.headers() {
            if name == http::header::ACCEPT {
                continue;
            }
            if let Ok(value) = value.to_str() {
                headers.insert(name.as_str().to_string(), Value::String(value.to_string()));
            }
        }
        let body = match request.body().as_slice() {
            [] => None,
            bytes => Some(serde_json::from_slice(bytes).map_err(Error::Serialize)?),
        };
        let id = (self.requests.len() + 1).to_string();
        self.requests.push(BatchRequest {
            id: id.clone(),
            method: request.method().to_string(),
            url,
            headers,
            body,
            depends_on: after.iter().map(|id| (*id).to_string()).collect(),
        });
        Ok(BatchItem {
            id,
            operation: operation.clone(),
            _result: PhantomData,
        })
    }

    /// Builds `POST {service root}/$batch` with every operation in its body.
    ///
    /// # Errors
    ///
    /// [`Error::EmptyBatch`] when nothing was added, and [`Error::InvalidRequest`] when the
    /// service root is not an absolute URI.
    pub fn to_http_request(&self) -> Result<http::Request<Vec<u8>>, Error> {
        let Some(root) = &self.service_root else {
            return Err(Error::EmptyBatch);
        };
        let url = format!("{root}/$batch");
        let body = serde_json::to_vec(&serde_json::json!({ "requests": self.requests }))
            .map_err(Error::Serialize)?;
        http::Request::builder()
            .method(http::Method::POST)
            .uri(&url)
            .header(http::header::ACCEPT, "application/json")
            .header(http::header::CONTENT_TYPE, "application/json")
            .body(body)
            .map_err(|source| Error::InvalidRequest { url, source })
    }

    /// Reads the batch's answer. Each operation's own result (or error) is then read with
    /// [`BatchItem::result`].
    ///
    /// # Errors
    ///
    /// [`Error::Service`] when the batch itself failed, and [`Error::Deserialize`] when its body
    /// is not a batch answer.
    pub fn parse_response<B: AsRef<[u8]>>(
        &self,
        response: http::Response<B>,
    ) -> Result<BatchResponse, Error> {
        let (parts, body) = response.into_parts();
        let status = parts.status;
        if !status.is_success() {
            return Err(Error::Service(Box::new(
                crate::error::ServiceError::from_response(
                    status,
                    parts.headers,
                    body.as_ref().to_vec(),
                ),
            )));
        }
        let parsed: BatchBody = serde_json::from_slice(body.as_ref())
            .map_err(|source| Error::Deserialize { status, source })?;
        Ok(BatchResponse {
            responses: parsed.responses,
        })
    }
}

impl<T: DeserializeOwned> BatchItem<T> {
    /// This operation's result, read from the batch's answer exactly as
    /// [`Operation::parse_response`] reads a response of its own (so a failed operation is an
    /// [`Error::Service`] with Graph's error).
    ///
    /// # Errors
    ///
    /// [`Error::MissingBatchResponse`] when the answer has no response with this id, and the
    /// errors of [`Operation::parse_response`].
    pub fn result(&self, batch: &BatchResponse) -> Result<T, Error> {
        let Some(item) = batch.responses.iter().find(|r| r.id == self.id) else {
            return Err(Error::MissingBatchResponse {
                id: self.id.clone(),
            });
        };
        let mut builder = http::Response::builder().status(item.status);
        for (name, value) in &item.headers {
            if let Some(value) = value.as_str() {
                builder = builder.header(name.as_str(), value);
            }
        }
        let body = match &item.body {
            None | Some(Value::Null) => Vec::new(),
            Some(value) => serde_json::to_vec(value).map_err(Error::Serialize)?,
        };
        let response = builder.body(body).map_err(|source| Error::InvalidRequest {
            url: format!("$batch response {}", self.id),
            source,
        })?;
        self.operation.parse_response(response)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::operation::ResponseShape;
    use crate::path::ResourcePath;

    fn root() -> ResourcePath {
        ResourcePath::new("https://graph.microsoft.com/v1.0".into())
    }

    fn get(segment: &'static str) -> Operation<Value> {
        Operation::new(
            http::Method::GET,
            root().segment(segment),
            ResponseShape::Json,
        )
    }

    #[test]
    fn builds_one_post_with_every_operation() {
        let mut batch = Batch::new();
        let me = batch.add(&get("me").top(1)).unwrap();
        let create = Operation::<Value>::new(
            http::Method::POST,
            root().segment("groups"),
            ResponseShape::Json,
        )
        .with_json_body(&serde_json::json!({"displayName": "g"}));
        let created = batch.add_after(&create, &[me.id()]).unwrap();
        assert_eq!((me.id(), created.id()), ("1", "2"));
        let request = batch.to_http_request().unwrap();
        assert_eq!(request.method(), http::Method::POST);
        assert_eq!(
            request.uri().to_string(),
            "https://graph.microsoft.com/v1.0/$batch"
        );
        let body: Value = serde_json::from_slice(request.body()).unwrap();
        assert_eq!(
            body,
            serde_json::json!({"requests": [
                {"id": "1", "method": "GET", "url": "/me?$top=1"},
                {"id": "2", "method": "POST", "url": "/groups",
                 "headers": {"content-type": "application/json"},
                 "body": {"displayName": "g"}, "dependsOn": ["1"]}
            ]})
        );
    }

    #[test]
    fn each_item_reads_its_own_typed_result_or_error() {
        let mut batch = Batch::new();
        let first = batch.add(&get("me")).unwrap();
        let second = batch.add(&get("missing")).unwrap();
        let deleted = batch
            .add(&Operation::<()>::new(
                http::Method::DELETE,
                root().segment("x"),
                ResponseShape::Empty,
            ))
            .unwrap();
        let answer = r#"{"responses": [
            {"id": "2", "status": 404, "headers": {"content-type": "application/json"},
             "body": {"error": {"code": "ResourceNotFound", "message": "nope"}}},
            {"id": "1", "status": 200, "body": {"id": "me-1"}},
            {"id": "3", "status": 204}
        ]}"#;
        let response = batch
            .parse_response(http::Response::builder().status(200).body(answer).unwrap())
            .unwrap();
        assert_eq!(
            first.result(&response).unwrap(),
            serde_json::json!({"id": "me-1"})
        );
        let error = second.result(&response).unwrap_err();
        assert!(error.to_string().contains("ResourceNotFound"), "{error}");
        deleted.result(&response).unwrap();
    }

    #[test]
    fn limits_and_mistakes_are_errors() {
        let mut batch = Batch::new();
        assert!(matches!(batch.to_http_request(), Err(Error::EmptyBatch)));
        for _ in 0..MAX_BATCH_SIZE {
            batch.add(&get("me")).unwrap();
        }
        assert!(matches!(
            batch.add(&get("me")),
            Err(Error::BatchFull { limit: 20 })
        ));

        let mut batch = Batch::new();
        assert!(matches!(
            batch.add_after(&get("me"), &["7"]),
            Err(Error::UnknownBatchDependency { .. })
        ));
        batch.add(&get("me")).unwrap();
        let other = Operation::<Value>::new(
            http::Method::GET,
            ResourcePath::new("https://graph.microsoft.us/v1.0".into()).segment("me"),
            ResponseShape::Json,
        );
        assert!(matches!(
            batch.add(&other),
            Err(Error::MixedServiceRoots { .. })
        ));

        let item = batch.add(&get("me")).unwrap();
        let response = batch
            .parse_response(
                http::Response::builder()
                    .status(200)
                    .body(r#"{"responses": []}"#)
                    .unwrap(),
            )
            .unwrap();
        assert!(matches!(
            item.result(&response),
            Err(Error::MissingBatchResponse { .. })
        ));
        let error = batch
            .parse_response(
                http::Response::builder()
                    .status(200)
                    .body("not json")
                    .unwrap(),
            )
            .unwrap_err();
        assert!(matches!(error, Error::Deserialize { .. }), "{error:?}");
    }
}
