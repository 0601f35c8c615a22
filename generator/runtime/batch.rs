//! JSON batching: up to 20 operations in one `POST /$batch`, each with its own typed result.
//!
//! Sans-IO like the rest: [`Batch::to_http_request`] builds the request, [`Batch::parse_response`]
//! reads the answer, and each [`BatchItem`] reads its own result out of it.

use std::marker::PhantomData;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::Error;
use crate::operation::{Operation, ResponseShape};

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
        if let Some(existing) = self
            .service_root
            .as_ref()
            .filter(|existing| *existing != root)
        {
            return Err(Error::MixedServiceRoots {
                first: existing.clone(),
                other: root.to_string(),
            });
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
        let is_json = request
            .headers()
            .get(http::header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .is_none_or(|value| value.starts_with("application/json"));
        // A JSON body goes in as JSON; raw content as base64 text, with its `Content-Type`.
        let body = match request.body().as_slice() {
            [] => None,
            bytes if is_json => Some(serde_json::from_slice(bytes).map_err(Error::Serialize)?),
            bytes => Some(Value::String(base64::encode(bytes))),
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
        self.service_root = Some(root.to_string());
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
        let Some(root) = self
            .service_root
            .as_ref()
            .filter(|_| !self.requests.is_empty())
        else {
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
            // Raw content comes back as base64 text.
            Some(Value::String(text)) if self.operation.shape() == ResponseShape::Content => {
                base64::decode(text).ok_or_else(|| Error::Deserialize {
                    status: http::StatusCode::from_u16(item.status).unwrap_or_default(),
                    source: <serde_json::Error as serde::de::Error>::custom(
                        "batch content is not base64",
                    ),
                })?
            }
            // A count comes back as the text of its plain-text answer, or as a number.
            Some(Value::String(text)) if self.operation.shape() == ResponseShape::Count => {
                text.clone().into_bytes()
            }
            Some(value) => serde_json::to_vec(value).map_err(Error::Serialize)?,
        };
        let response = builder.body(body).map_err(|source| Error::InvalidRequest {
            url: format!("$batch response {}", self.id),
            source,
        })?;
        self.operation.parse_response(response)
    }
}

impl Batch {
    /// The batch to send again after `response`: the items answered `429` or `503` (throttled
    /// or unavailable, so not processed) and the items answered `424 Failed Dependency` because
    /// one of those failed, with their ids, and `dependsOn` kept among themselves (a dependency
    /// that succeeded is done). With it, how long to wait first: the longest `Retry-After` the
    /// items ask for (`None` when none asks). `None` when no item is to be sent again.
    pub fn retry_of(
        &self,
        response: &BatchResponse,
    ) -> Option<(Batch, Option<std::time::Duration>)> {
        let status_of = |id: &str| {
            response
                .responses
                .iter()
                .find(|item| item.id == id)
                .map(|item| item.status)
        };
        let mut again: Vec<&BatchRequest> = Vec::new();
        for request in &self.requests {
            let retry = match status_of(&request.id) {
                Some(429 | 503) => true,
                // Failed because an item it depends on is sent again.
                Some(424) => request
                    .depends_on
                    .iter()
                    .any(|id| again.iter().any(|r| r.id == *id)),
                _ => false,
            };
            if retry {
                again.push(request);
            }
        }
        if again.is_empty() {
            return None;
        }
        let wait = response
            .responses
            .iter()
            .filter(|item| again.iter().any(|r| r.id == item.id))
            .filter_map(|item| {
                let (_, value) = item
                    .headers
                    .iter()
                    .find(|(name, _)| name.eq_ignore_ascii_case("retry-after"))?;
                let seconds = match value {
                    Value::String(text) => text.trim().parse::<u64>().ok()?,
                    Value::Number(number) => number.as_u64()?,
                    _ => return None,
                };
                Some(std::time::Duration::from_secs(seconds))
            })
            .max();
        let requests = again
            .iter()
            .map(|request| {
                let mut request = (*request).clone();
                request
                    .depends_on
                    .retain(|id| again.iter().any(|r| r.id == *id));
                request
            })
            .collect();
        Some((
            Batch {
                service_root: self.service_root.clone(),
                requests,
            },
            wait,
        ))
    }
}

impl BatchResponse {
    /// Takes the responses of `retried` (an answer to [`Batch::retry_of`]'s batch) in place of
    /// the ones with the same ids.
    pub fn merge(&mut self, retried: BatchResponse) {
        for response in retried.responses {
            match self.responses.iter_mut().find(|r| r.id == response.id) {
                Some(slot) => *slot = response,
                None => self.responses.push(response),
            }
        }
    }
}

/// Any number of operations for JSON batching, split into as many [`Batch`]es of at most
/// [`MAX_BATCH_SIZE`] operations as they need, to be sent one after another (the transport's
/// `Client::send_batches`, or each [`Batch::to_http_request`] in order).
///
/// An operation added after others ([`Batches::add_after`]) goes into the batch that holds
/// them, so every `dependsOn` chain stays inside one batch, where Graph runs it in order; other
/// operations fill the last batch, then start a new one.
#[derive(Debug, Clone, Default)]
pub struct Batches {
    batches: Vec<Batch>,
}

/// The handle of one operation in [`Batches`]: which batch holds it, and its item there.
#[derive(Debug)]
pub struct BatchesItem<T> {
    batch: usize,
    item: BatchItem<T>,
}

/// Where an operation of [`Batches`] is: what [`Batches::add_after`] takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchPosition {
    batch: usize,
    id: String,
}

impl<T> BatchesItem<T> {
    /// Which batch of [`Batches::batches`] holds the operation (from 0).
    pub fn batch(&self) -> usize {
        self.batch
    }

    /// The operation's id in its batch.
    pub fn id(&self) -> &str {
        self.item.id()
    }

    /// Where the operation is, for [`Batches::add_after`].
    pub fn position(&self) -> BatchPosition {
        BatchPosition {
            batch: self.batch,
            id: self.item.id().to_string(),
        }
    }
}

impl<T: DeserializeOwned> BatchesItem<T> {
    /// This operation's result, from the answers to [`Batches::batches`] in the same order (as
    /// [`BatchItem::result`] reads it from its batch's answer).
    ///
    /// # Errors
    ///
    /// [`Error::MissingBatchResponse`] when `responses` has no answer for the operation's batch,
    /// and the errors of [`BatchItem::result`].
    pub fn result(&self, responses: &[BatchResponse]) -> Result<T, Error> {
        match responses.get(self.batch) {
            Some(response) => self.item.result(response),
            None => Err(Error::MissingBatchResponse {
                id: self.item.id().to_string(),
            }),
        }
    }
}

impl Batches {
    /// No operation yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many operations the batches hold.
    pub fn len(&self) -> usize {
        self.batches.iter().map(Batch::len).sum()
    }

    /// Whether no operation was added.
    pub fn is_empty(&self) -> bool {
        self.batches.is_empty()
    }

    /// The batches, in the order they are to be sent.
    pub fn batches(&self) -> &[Batch] {
        &self.batches
    }

    /// Adds an operation to the last batch, or to a new one when that is full.
    ///
    /// # Errors
    ///
    /// As [`Batch::add`], except [`Error::BatchFull`].
    pub fn add<T>(&mut self, operation: &Operation<T>) -> Result<BatchesItem<T>, Error> {
        let batch = match self.batches.last() {
            Some(last) if last.len() < MAX_BATCH_SIZE => self.batches.len() - 1,
            _ => {
                self.batches.push(Batch::new());
                self.batches.len() - 1
            }
        };
        self.add_to(batch, operation, &[])
    }

    /// Adds an operation that Graph runs only after the given ones (`dependsOn`), in the batch
    /// that holds them.
    ///
    /// # Errors
    ///
    /// [`Error::DependenciesInSeveralBatches`] when the given operations are not all in one
    /// batch (an operation can only depend on operations of its own batch, so start a chain
    /// with [`Batches::add_after`] from its first operation on), [`Error::BatchFull`] when their
    /// batch already holds [`MAX_BATCH_SIZE`] operations (a `dependsOn` chain is one batch), and
    /// the errors of [`Batch::add_after`].
    pub fn add_after<T>(
        &mut self,
        operation: &Operation<T>,
        after: &[BatchPosition],
    ) -> Result<BatchesItem<T>, Error> {
        let Some(first) = after.first() else {
            return self.add(operation);
        };
        if after.iter().any(|position| position.batch != first.batch) {
            return Err(Error::DependenciesInSeveralBatches);
        }
        if first.batch >= self.batches.len() {
            return Err(Error::UnknownBatchDependency {
                id: first.id.clone(),
            });
        }
        let ids: Vec<&str> = after.iter().map(|position| position.id.as_str()).collect();
        self.add_to(first.batch, operation, &ids)
    }

    fn add_to<T>(
        &mut self,
        batch: usize,
        operation: &Operation<T>,
        after: &[&str],
    ) -> Result<BatchesItem<T>, Error> {
        let result = self.batches[batch].add_after(operation, after);
        // A batch made for this operation stays only if the operation went in.
        if result.is_err() && self.batches[batch].is_empty() {
            self.batches.pop();
        }
        Ok(BatchesItem {
            batch,
            item: result?,
        })
    }
}

/// Standard base64 (RFC 4648, with padding), for raw content inside a batch.
pub(crate) mod base64 {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    pub(crate) fn encode(bytes: &[u8]) -> String {
        let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
        for chunk in bytes.chunks(3) {
            let triple = chunk
                .iter()
                .enumerate()
                .fold(0u32, |acc, (i, b)| acc | u32::from(*b) << (16 - 8 * i));
            for index in 0..4 {
                if index <= chunk.len() {
                    out.push(char::from(
                        ALPHABET[(triple >> (18 - 6 * index) & 0x3F) as usize],
                    ));
                } else {
                    out.push('=');
                }
            }
        }
        out
    }

    /// Decodes standard or URL-safe base64, with or without padding; `None` if it is not base64.
    pub(crate) fn decode(text: &str) -> Option<Vec<u8>> {
        let digits: Vec<u8> = text.bytes().filter(|b| *b != b'=').collect();
        let mut out = Vec::with_capacity(digits.len() * 3 / 4);
        for chunk in digits.chunks(4) {
            if chunk.len() == 1 {
                return None;
            }
            let mut triple = 0u32;
            for (i, digit) in chunk.iter().enumerate() {
                let value = match digit {
                    b'A'..=b'Z' => digit - b'A',
                    b'a'..=b'z' => digit - b'a' + 26,
                    b'0'..=b'9' => digit - b'0' + 52,
                    b'+' | b'-' => 62,
                    b'/' | b'_' => 63,
                    _ => return None,
                };
                triple |= u32::from(value) << (18 - 6 * i);
            }
            for i in 0..chunk.len() - 1 {
                out.push((triple >> (16 - 8 * i)) as u8);
            }
        }
        Some(out)
    }
}

#[cfg(all(test, msgraph_runtime))]
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
    fn throttled_items_and_their_dependents_are_sent_again() {
        let mut batch = Batch::new();
        let a = batch.add(&get("a")).unwrap();
        let b = batch.add(&get("b")).unwrap();
        let c = batch.add_after(&get("c"), &[b.id()]).unwrap();
        let d = batch.add_after(&get("d"), &[a.id()]).unwrap();
        let answer = |items: Value| {
            batch
                .parse_response(
                    http::Response::builder()
                        .status(200)
                        .body(
                            serde_json::to_vec(&serde_json::json!({ "responses": items })).unwrap(),
                        )
                        .unwrap(),
                )
                .unwrap()
        };
        let mut response = answer(serde_json::json!([
            {"id": "1", "status": 200, "body": {"n": 1}},
            {"id": "2", "status": 429, "headers": {"Retry-After": "3"}, "body": {"error": {"code": "TooManyRequests"}}},
            {"id": "3", "status": 424},
            {"id": "4", "status": 503, "headers": {"retry-after": 7}},
        ]));
        let (again, wait) = batch.retry_of(&response).unwrap();
        assert_eq!(wait, Some(std::time::Duration::from_secs(7)));
        let body: Value = serde_json::from_slice(again.to_http_request().unwrap().body()).unwrap();
        let sent: Vec<(&str, &Value)> = body["requests"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (r["id"].as_str().unwrap(), &r["dependsOn"]))
            .collect();
        // `d` depended on `a`, which succeeded: it is sent again on its own.
        assert_eq!(
            sent,
            [
                ("2", &Value::Null),
                ("3", &serde_json::json!(["2"])),
                ("4", &Value::Null)
            ]
        );
        response.merge(answer(serde_json::json!([
            {"id": "2", "status": 200, "body": {"n": 2}},
            {"id": "3", "status": 200, "body": {"n": 3}},
            {"id": "4", "status": 200, "body": {"n": 4}},
        ])));
        assert!(batch.retry_of(&response).is_none());
        for (item, n) in [(&a, 1), (&b, 2), (&c, 3), (&d, 4)] {
            assert_eq!(item.result(&response).unwrap()["n"], n);
        }
    }

    #[test]
    fn batches_split_at_twenty_and_keep_dependency_chains_together() {
        let mut batches = Batches::new();
        let first: Vec<BatchesItem<Value>> =
            (0..19).map(|_| batches.add(&get("a")).unwrap()).collect();
        assert_eq!(batches.batches().len(), 1);
        // A chain that starts in the first batch stays there while it has room...
        let chained = batches
            .add_after(&get("b"), &[first[3].position()])
            .unwrap();
        assert_eq!((chained.batch(), chained.id()), (0, "20"));
        // ...and is refused when it has none: a dependsOn chain is one batch.
        assert!(matches!(
            batches.add_after(&get("c"), &[chained.position()]),
            Err(Error::BatchFull { limit: 20 })
        ));
        // Other operations start the next batch.
        let later = batches.add(&get("d")).unwrap();
        assert_eq!((later.batch(), later.id()), (1, "1"));
        let after_later = batches.add_after(&get("e"), &[later.position()]).unwrap();
        assert_eq!((after_later.batch(), after_later.id()), (1, "2"));
        assert!(matches!(
            batches.add_after(&get("f"), &[first[0].position(), later.position()]),
            Err(Error::DependenciesInSeveralBatches)
        ));
        assert_eq!(batches.len(), 22);
        assert_eq!(
            batches.batches().iter().map(Batch::len).collect::<Vec<_>>(),
            [20, 2]
        );

        let body = |batch: &Batch| -> Value {
            serde_json::from_slice(batch.to_http_request().unwrap().body()).unwrap()
        };
        let second = body(&batches.batches()[1]);
        assert_eq!(second["requests"][1]["dependsOn"], serde_json::json!(["1"]));
        assert_eq!(
            body(&batches.batches()[0])["requests"][19]["dependsOn"],
            serde_json::json!(["4"])
        );

        // Each item reads its result from its own batch's answer.
        let answer = |ids: &[&str]| {
            let responses: Vec<Value> = ids
                .iter()
                .map(
                    |id| serde_json::json!({"id": id, "status": 200, "body": {"batch": ids.len()}}),
                )
                .collect();
            batches.batches()[0]
                .parse_response(
                    http::Response::builder()
                        .status(200)
                        .body(
                            serde_json::to_vec(&serde_json::json!({"responses": responses}))
                                .unwrap(),
                        )
                        .unwrap(),
                )
                .unwrap()
        };
        let ids_first: Vec<String> = (1..=20).map(|n| n.to_string()).collect();
        let ids_first: Vec<&str> = ids_first.iter().map(String::as_str).collect();
        let responses = [answer(&ids_first), answer(&["1", "2"])];
        assert_eq!(first[0].result(&responses).unwrap()["batch"], 20);
        assert_eq!(after_later.result(&responses).unwrap()["batch"], 2);
        assert!(matches!(
            later.result(&responses[..1]),
            Err(Error::MissingBatchResponse { .. })
        ));
    }

    #[test]
    fn a_failed_add_leaves_no_empty_batch() {
        let mut batches = Batches::new();
        for _ in 0..20 {
            batches.add(&get("a")).unwrap();
        }
        let unbuildable = Operation::<Value>::new(
            http::Method::GET,
            root().segment("users").key("users", String::new()),
            ResponseShape::Json,
        );
        assert!(matches!(
            batches.add(&unbuildable),
            Err(Error::EmptyKey {
                collection: "users"
            })
        ));
        assert_eq!(batches.batches().len(), 1, "{batches:?}");
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

    #[test]
    fn raw_content_goes_in_and_comes_back_as_base64() {
        use crate::operation::Content;
        let upload = Operation::<()>::new(
            http::Method::PUT,
            root().segment("file"),
            ResponseShape::Empty,
        )
        .with_content(b"hello".to_vec(), "text/plain");
        let download = Operation::<Content>::new(
            http::Method::GET,
            root().segment("file"),
            ResponseShape::Content,
        );
        let mut batch = Batch::new();
        batch.add(&upload).unwrap();
        let item = batch.add(&download).unwrap();
        let body: Value = serde_json::from_slice(batch.to_http_request().unwrap().body()).unwrap();
        assert_eq!(body["requests"][0]["body"], "aGVsbG8=");
        assert_eq!(body["requests"][0]["headers"]["content-type"], "text/plain");
        let answer = batch
            .parse_response(
                http::Response::builder()
                    .status(200)
                    .body(r#"{"responses":[{"id":"1","status":204},{"id":"2","status":200,"body":"aGVsbG8="}]}"#)
                    .unwrap(),
            )
            .unwrap();
        assert_eq!(item.result(&answer).unwrap(), Content(b"hello".to_vec()));
        for (bytes, text) in [
            (&b""[..], ""),
            (b"f", "Zg=="),
            (b"fo", "Zm8="),
            (b"foo", "Zm9v"),
            (&[0xFF, 0xFE][..], "//4="),
        ] {
            assert_eq!(base64::encode(bytes), text);
            assert_eq!(base64::decode(text).as_deref(), Some(bytes));
        }
        assert_eq!(base64::decode("_-4").as_deref(), Some(&[0xFF, 0xEE][..]));
        assert_eq!(base64::decode("a"), None);
        assert_eq!(base64::decode("a*bc"), None);
    }

    #[test]
    fn a_failed_add_leaves_the_batch_empty() {
        let mut batch = Batch::new();
        let invalid = Operation::<Value>::new(
            http::Method::GET,
            root().segment("x").key("x", String::new()),
            ResponseShape::Json,
        );
        assert!(batch.add(&invalid).is_err());
        assert!(batch.is_empty());
        assert!(matches!(batch.to_http_request(), Err(Error::EmptyBatch)));
    }
}
