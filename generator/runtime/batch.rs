//! JSON batching: up to 20 operations in one `POST /$batch`, each with its own typed result.
//!
//! Sans-IO like the rest: [`Batch::to_http_request`] builds the request, [`Batch::parse_response`]
//! reads the answer, and each [`BatchItem`] reads its own result out of it.

use std::marker::PhantomData;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

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

    /// This operation's response in the batch's answer, with its status and headers (its
    /// `request-id`, ...), successful or not; `None` when the answer has none for it.
    pub fn response<'a>(&self, batch: &'a BatchResponse) -> Option<&'a BatchItemResponse> {
        batch.get(&self.id)
    }
}

/// The answer to a batch: one response per request, by id.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchResponse {
    responses: Vec<BatchItemResponse>,
}

/// The response to one request of a batch, successful or not: its status and headers (such as
/// the `request-id` to give Microsoft support), whatever its result.
/// [`BatchItem::response`] finds it; [`BatchItem::result`] reads the typed result out of it.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
pub struct BatchItemResponse {
    id: String,
    status: u16,
    #[serde(default)]
    headers: Map<String, Value>,
    #[serde(default)]
    body: Option<Value>,
    /// The `Date` of the `$batch` answer that carried it, if it had one.
    #[serde(skip)]
    date: Option<SystemTime>,
}

#[derive(serde::Deserialize)]
struct BatchBody {
    responses: Vec<BatchItemResponse>,
}

impl BatchItemResponse {
    /// The id of the request it answers.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Its HTTP status code, as the service wrote it.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The header `name` (compared without regard to ASCII case), when it is text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.header_value(name)?.as_str()
    }

    /// Its headers: text as written, numbers as their decimal text (a header that is neither,
    /// or not a valid HTTP header, is left out).
    pub fn headers(&self) -> http::HeaderMap {
        let mut headers = http::HeaderMap::new();
        for (name, value) in &self.headers {
            let text = match value {
                Value::String(text) => text.clone(),
                Value::Number(number) => number.to_string(),
                _ => continue,
            };
            if let (Ok(name), Ok(value)) = (
                http::HeaderName::from_bytes(name.as_bytes()),
                http::HeaderValue::from_str(&text),
            ) {
                headers.append(name, value);
            }
        }
        headers
    }

    /// The id the service gave the request: the `request-id` header, or else `request-id` in
    /// the inner error of a failed request's body.
    pub fn request_id(&self) -> Option<&str> {
        self.header("request-id")
            .or_else(|| self.inner_error("request-id"))
    }

    /// The id the client gave the request: the `client-request-id` header, or else
    /// `client-request-id` in the inner error of a failed request's body.
    pub fn client_request_id(&self) -> Option<&str> {
        self.header("client-request-id")
            .or_else(|| self.inner_error("client-request-id"))
    }

    /// How long the service asked to wait before sending the request again (`Retry-After`):
    /// in seconds (as text or a JSON number), or an HTTP date (`Wed, 21 Oct 2015 07:28:00 GMT`,
    /// RFC 7231's IMF-fixdate) counted from the answer's `Date` (this response's own, else the
    /// `$batch` answer's), or from `now` when neither has one. A date already past is a wait of
    /// zero. `None` without a `Retry-After`, or with one of neither form.
    pub fn retry_after(&self, now: SystemTime) -> Option<Duration> {
        match self.header_value("retry-after")? {
            Value::Number(seconds) => seconds.as_u64().map(Duration::from_secs),
            Value::String(text) => {
                let text = text.trim();
                if let Ok(seconds) = text.parse::<u64>() {
                    return Some(Duration::from_secs(seconds));
                }
                let until = http_date(text)?;
                let from = self
                    .header("date")
                    .and_then(http_date)
                    .or(self.date)
                    .unwrap_or(now);
                Some(until.duration_since(from).unwrap_or_default())
            }
            _ => None,
        }
    }

    fn header_value(&self, name: &str) -> Option<&Value> {
        self.headers
            .iter()
            .find(|(header, _)| header.eq_ignore_ascii_case(name))
            .map(|(_, value)| value)
    }

    fn inner_error(&self, name: &str) -> Option<&str> {
        self.body
            .as_ref()?
            .get("error")?
            .get("innerError")?
            .get(name)?
            .as_str()
    }
}

/// An HTTP date in RFC 7231's preferred form, IMF-fixdate (`Wed, 21 Oct 2015 07:28:00 GMT`).
fn http_date(text: &str) -> Option<SystemTime> {
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let (weekday, rest) = text.trim().split_once(", ")?;
    if !DAYS.contains(&weekday) {
        return None;
    }
    let parts: Vec<&str> = rest.split(' ').collect();
    let [day, month, year, clock, "GMT"] = parts.as_slice() else {
        return None;
    };
    let number = |text: &str, digits: usize| -> Option<u16> {
        if text.len() == digits && text.bytes().all(|b| b.is_ascii_digit()) {
            text.parse().ok()
        } else {
            None
        }
    };
    let month = MONTHS.iter().position(|name| name == month)?;
    let month = time::Month::try_from(u8::try_from(month + 1).ok()?).ok()?;
    let day = u8::try_from(number(day, 2)?).ok()?;
    let date = time::Date::from_calendar_date(i32::from(number(year, 4)?), month, day).ok()?;
    let clock: Vec<u8> = clock
        .split(':')
        .map(|part| number(part, 2).and_then(|n| u8::try_from(n).ok()))
        .collect::<Option<_>>()?;
    let [hour, minute, second] = clock.as_slice() else {
        return None;
    };
    let time = time::Time::from_hms(*hour, *minute, *second).ok()?;
    Some(SystemTime::from(
        time::PrimitiveDateTime::new(date, time).assume_utc(),
    ))
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
        let root = operation.path().base_url();
        // The next number after every id in the batch (ids of a batch from `Batches` or
        // `retry_of` need not be 1..n), so an id is never used twice.
        let next = self
            .requests
            .iter()
            .filter_map(|request| request.id.parse::<u64>().ok())
            .max()
            .unwrap_or(0)
            .max(self.requests.len() as u64)
            + 1;
        let request = batch_request(operation, next.to_string(), after)?;
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
        let id = request.id.clone();
        self.requests.push(request);
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
        // An HTTP-date `Retry-After` of an item counts from when the answer was written.
        let date = parts
            .headers
            .get(http::header::DATE)
            .and_then(|value| value.to_str().ok())
            .and_then(http_date);
        let mut responses = parsed.responses;
        for response in &mut responses {
            response.date = date;
        }
        Ok(BatchResponse { responses })
    }
}

/// `operation` as request `id` of a batch, run after the requests `after` (`dependsOn`).
fn batch_request<T>(
    operation: &Operation<T>,
    id: String,
    after: &[&str],
) -> Result<BatchRequest, Error> {
    let request = operation.to_http_request()?;
    let root = operation.path().base_url();
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
    Ok(BatchRequest {
        id,
        method: request.method().to_string(),
        url,
        headers,
        body,
        depends_on: after.iter().map(|id| (*id).to_string()).collect(),
    })
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
        let Some(item) = self.response(batch) else {
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
    /// items ask for (`None` when none asks), read by [`BatchItemResponse::retry_after`] with
    /// the system clock's time as `now` (used only for an HTTP date in an answer without a
    /// `Date`; [`Batch::retry_of_at`] takes it). `None` when no item is to be sent again.
    pub fn retry_of(&self, response: &BatchResponse) -> Option<(Batch, Option<Duration>)> {
        self.retry_of_at(response, SystemTime::now())
    }

    /// [`Batch::retry_of`], with an HTTP-date `Retry-After` in an answer without a `Date`
    /// counted from `now`.
    pub fn retry_of_at(
        &self,
        response: &BatchResponse,
        now: SystemTime,
    ) -> Option<(Batch, Option<Duration>)> {
        let status_of = |id: &str| response.get(id).map(|item| item.status);
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
            .filter_map(|item| item.retry_after(now))
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
    /// The response to the request `id`, if the answer has one.
    pub fn get(&self, id: &str) -> Option<&BatchItemResponse> {
        self.responses.iter().find(|response| response.id == id)
    }

    /// Every response, in the order the service wrote them.
    pub fn responses(&self) -> &[BatchItemResponse] {
        &self.responses
    }

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
/// Operations linked by `dependsOn` ([`Batches::add_after`]) form a group that is always in one
/// batch, where Graph runs it in order. The groups are packed into batches in the order of
/// their first operations: each goes into the batch the group before it is in when it fits
/// there, else it starts the next batch. So when a chain grows past the room its batch has, it
/// moves whole to a later batch (and operations after it may move too); only a group of more
/// than [`MAX_BATCH_SIZE`] operations is refused. Each operation keeps the id it was given
/// (`"1"`, `"2"`, ... counted over all the batches, so unique among them) and its `dependsOn`
/// wherever it goes; its handle ([`BatchesItem`]) follows it.
#[derive(Debug, Default)]
pub struct Batches {
    batches: Vec<Batch>,
    /// The group of each operation (by its index, its id less one): the index of the group's
    /// first operation.
    groups: Vec<usize>,
    /// The batch that holds each operation (by its index), shared with its handle.
    placements: Vec<Arc<AtomicUsize>>,
}

/// A copy, whose placements are its own: the handles given by the original follow the
/// original's operations.
impl Clone for Batches {
    fn clone(&self) -> Self {
        Batches {
            batches: self.batches.clone(),
            groups: self.groups.clone(),
            placements: self
                .placements
                .iter()
                .map(|batch| Arc::new(AtomicUsize::new(batch.load(Ordering::Relaxed))))
                .collect(),
        }
    }
}

/// The handle of one operation in [`Batches`]: which batch holds it, and its item there.
#[derive(Debug)]
pub struct BatchesItem<T> {
    batch: Arc<AtomicUsize>,
    item: BatchItem<T>,
}

/// Where an operation of [`Batches`] is: what [`Batches::add_after`] takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchPosition {
    id: String,
}

impl<T> BatchesItem<T> {
    /// Which batch of [`Batches::batches`] holds the operation (from 0), now: adding operations
    /// to its `dependsOn` group can move the group to a later batch.
    pub fn batch(&self) -> usize {
        self.batch.load(Ordering::Relaxed)
    }

    /// The operation's id in its batch (unique among all the batches, and kept when it moves).
    pub fn id(&self) -> &str {
        self.item.id()
    }

    /// Where the operation is, for [`Batches::add_after`].
    pub fn position(&self) -> BatchPosition {
        BatchPosition {
            id: self.item.id().to_string(),
        }
    }

    /// This operation's response among the answers to [`Batches::batches`], with its status
    /// and headers, successful or not; `None` when no answer has one for it.
    pub fn response<'a>(&self, responses: &'a [BatchResponse]) -> Option<&'a BatchItemResponse> {
        responses
            .iter()
            .find_map(|response| self.item.response(response))
    }
}

impl<T: DeserializeOwned> BatchesItem<T> {
    /// This operation's result, from the answers to [`Batches::batches`] (as
    /// [`BatchItem::result`] reads it from its batch's answer; the answer is found by the
    /// operation's id, which no other operation of the batches has).
    ///
    /// # Errors
    ///
    /// [`Error::MissingBatchResponse`] when no answer in `responses` has a response for the
    /// operation (its batch's answer is missing), and the errors of [`BatchItem::result`].
    pub fn result(&self, responses: &[BatchResponse]) -> Result<T, Error> {
        let answer = responses
            .iter()
            .find(|response| self.item.response(response).is_some());
        match answer {
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
        self.groups.len()
    }

    /// Whether no operation was added.
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

    /// The batches, in the order they are to be sent.
    pub fn batches(&self) -> &[Batch] {
        &self.batches
    }

    /// Adds an operation on its own: to the last batch, or to a new one when that is full.
    ///
    /// # Errors
    ///
    /// As [`Batches::add_after`].
    pub fn add<T>(&mut self, operation: &Operation<T>) -> Result<BatchesItem<T>, Error> {
        self.add_after(operation, &[])
    }

    /// Adds an operation that Graph runs only after the given ones (`dependsOn`): it joins
    /// their group (or groups, which become one), which stays whole in one batch, moved to a
    /// later batch when it no longer fits in its own.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownBatchDependency`] when a position is not one of these batches',
    /// [`Error::BatchFull`] when the group would have more than [`MAX_BATCH_SIZE`] operations
    /// (a `dependsOn` group is sent in one batch), [`Error::MixedServiceRoots`] when the
    /// operation goes to another service root than the ones before it, and the errors of
    /// [`Operation::to_http_request`]. After an error nothing has changed.
    pub fn add_after<T>(
        &mut self,
        operation: &Operation<T>,
        after: &[BatchPosition],
    ) -> Result<BatchesItem<T>, Error> {
        let index = self.groups.len();
        let mut joined = Vec::with_capacity(after.len());
        for position in after {
            let known = position
                .id
                .parse::<usize>()
                .ok()
                .and_then(|id| id.checked_sub(1))
                .filter(|dependency| *dependency < index);
            let Some(dependency) = known else {
                return Err(Error::UnknownBatchDependency {
                    id: position.id.clone(),
                });
            };
            joined.push(self.groups[dependency]);
        }
        joined.sort_unstable();
        joined.dedup();
        let group = joined.first().copied().unwrap_or(index);
        let size = 1 + self
            .groups
            .iter()
            .filter(|group| joined.binary_search(group).is_ok())
            .count();
        if size > MAX_BATCH_SIZE {
            return Err(Error::BatchFull {
                limit: MAX_BATCH_SIZE,
            });
        }
        let root = operation.path().base_url();
        let service_root = self
            .batches
            .first()
            .and_then(|batch| batch.service_root.as_deref());
        let ids: Vec<&str> = after.iter().map(|position| position.id.as_str()).collect();
        let request = batch_request(operation, (index + 1).to_string(), &ids)?;
        if let Some(existing) = service_root.filter(|existing| *existing != root) {
            return Err(Error::MixedServiceRoots {
                first: existing.to_string(),
                other: root.to_string(),
            });
        }
        let root = root.to_string();
        for member in &mut self.groups {
            if joined.binary_search(member).is_ok() {
                *member = group;
            }
        }
        self.groups.push(group);
        let batch = Arc::new(AtomicUsize::new(0));
        self.placements.push(Arc::clone(&batch));
        self.pack(request, root);
        Ok(BatchesItem {
            batch,
            item: BatchItem {
                id: (index + 1).to_string(),
                operation: operation.clone(),
                _result: PhantomData,
            },
        })
    }

    /// Packs every operation, `request` (the last one) included, into batches again: the groups
    /// in the order of their first operations, each in the batch of the one before it when it
    /// fits, else in the next batch; in a batch, operations in the order they were added.
    fn pack(&mut self, request: BatchRequest, root: String) {
        let count = self.groups.len();
        let mut slots: Vec<Option<BatchRequest>> = Vec::with_capacity(count);
        slots.resize_with(count, || None);
        let requests = self
            .batches
            .drain(..)
            .flat_map(|batch| batch.requests)
            .chain(std::iter::once(request));
        for request in requests {
            // Every request's id is its index plus one.
            if let Some(slot) = request
                .id
                .parse::<usize>()
                .ok()
                .and_then(|id| slots.get_mut(id.wrapping_sub(1)))
            {
                *slot = Some(request);
            }
        }
        let mut sizes = vec![0; count];
        for group in &self.groups {
            sizes[*group] += 1;
        }
        // The batch of each group, by the group's first operation.
        let mut batch_of = vec![0; count];
        let mut batch = 0;
        let mut filled = 0;
        for (group, size) in sizes.iter().enumerate().filter(|(_, size)| **size > 0) {
            if filled > 0 && filled + size > MAX_BATCH_SIZE {
                batch += 1;
                filled = 0;
            }
            batch_of[group] = batch;
            filled += size;
        }
        for (index, slot) in slots.into_iter().enumerate() {
            let batch = batch_of[self.groups[index]];
            self.placements[index].store(batch, Ordering::Relaxed);
            if self.batches.len() <= batch {
                self.batches.resize_with(batch + 1, || Batch {
                    service_root: Some(root.clone()),
                    requests: Vec::new(),
                });
            }
            self.batches[batch].requests.extend(slot);
        }
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
    fn an_operation_added_to_a_batch_of_other_ids_gets_a_new_one() {
        let mut batch = Batch::new();
        for name in ["a", "b", "c"] {
            batch.add(&get(name)).unwrap();
        }
        let response = batch
            .parse_response(
                http::Response::builder()
                    .status(200)
                    .body(
                        serde_json::to_vec(&serde_json::json!({"responses": [
                            {"id": "1", "status": 429},
                            {"id": "2", "status": 200},
                            {"id": "3", "status": 429},
                        ]}))
                        .unwrap(),
                    )
                    .unwrap(),
            )
            .unwrap();
        // The batch sent again holds ids 1 and 3: a new operation is 4, not 3.
        let (mut again, _) = batch.retry_of(&response).unwrap();
        let added = again.add(&get("d")).unwrap();
        assert_eq!(added.id(), "4");
    }

    /// The ids of `batch`'s requests, each with its `dependsOn` (`[]` for none).
    fn sent(batch: &Batch) -> Vec<(String, Vec<String>)> {
        let body: Value = serde_json::from_slice(batch.to_http_request().unwrap().body()).unwrap();
        body["requests"]
            .as_array()
            .unwrap()
            .iter()
            .map(|request| {
                let after = request["dependsOn"]
                    .as_array()
                    .map(|ids| ids.iter().map(|id| id.as_str().unwrap().to_string()))
                    .into_iter()
                    .flatten()
                    .collect();
                (request["id"].as_str().unwrap().to_string(), after)
            })
            .collect()
    }

    fn ids(from: u32, to: u32) -> Vec<(String, Vec<String>)> {
        (from..=to).map(|id| (id.to_string(), Vec::new())).collect()
    }

    /// An answer of `200` with `{"batch": n}` (`n` the batch's size) for every request of
    /// `batch`.
    fn answer_all(batch: &Batch) -> BatchResponse {
        let sent = sent(batch);
        let responses: Vec<Value> = sent
            .iter()
            .map(|(id, _)| serde_json::json!({"id": id, "status": 200, "body": {"batch": sent.len()}}))
            .collect();
        batch
            .parse_response(
                http::Response::builder()
                    .status(200)
                    .body(
                        serde_json::to_vec(&serde_json::json!({ "responses": responses })).unwrap(),
                    )
                    .unwrap(),
            )
            .unwrap()
    }

    /// `batch`'s answer: `items` as its responses, with the `$batch` answer's `Date` if given.
    fn answer_with(batch: &Batch, date: Option<&str>, items: Value) -> BatchResponse {
        let mut response = http::Response::builder().status(200);
        if let Some(date) = date {
            response = response.header("Date", date);
        }
        let body = serde_json::to_vec(&serde_json::json!({ "responses": items })).unwrap();
        batch.parse_response(response.body(body).unwrap()).unwrap()
    }

    #[test]
    fn http_dates_are_read_in_imf_fixdate_form() {
        let at = |seconds: u64| SystemTime::UNIX_EPOCH + Duration::from_secs(seconds);
        assert_eq!(
            http_date("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(at(784_111_777))
        );
        assert_eq!(
            http_date("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(at(1_445_412_480))
        );
        assert_eq!(
            http_date(" Thu, 29 Feb 2024 23:59:59 GMT "),
            Some(at(1_709_251_199))
        );
        for not_a_date in [
            "",
            "120",
            "Wed, 21 Oct 2015 07:28:00 PST",
            "Wed, 21 Oct 2015 07:28:00",
            "Wednesday, 21-Oct-15 07:28:00 GMT",
            "Wed Oct 21 07:28:00 2015",
            "Wed, 21 Okt 2015 07:28:00 GMT",
            "Wed, 1 Oct 2015 07:28:00 GMT",
            "Thu, 30 Feb 2023 00:00:00 GMT",
            "Wed, 21 Oct 2015 24:00:00 GMT",
            "Wed, 21 Oct 2015 07:28 GMT",
            "Xyz, 21 Oct 2015 07:28:00 GMT",
        ] {
            assert_eq!(http_date(not_a_date), None, "{not_a_date:?}");
        }
    }

    #[test]
    fn retry_after_is_read_in_seconds_or_as_an_http_date() {
        let mut batch = Batch::new();
        for _ in 0..3 {
            batch.add(&get("a")).unwrap();
        }
        let date = |text: &str| http_date(text).unwrap();
        let now = date("Wed, 21 Oct 2015 07:27:30 GMT");
        let throttled = |retry_after: Value| {
            serde_json::json!([
                {"id": "1", "status": 429, "headers": {"Retry-After": retry_after}},
                {"id": "2", "status": 200},
                {"id": "3", "status": 200},
            ])
        };
        let wait = |response: &BatchResponse| batch.retry_of_at(response, now).unwrap().1;
        let item = |response: &BatchResponse| response.get("1").unwrap().retry_after(now);
        // Seconds, as text or a number.
        for seconds in [serde_json::json!(" 7 "), serde_json::json!(7)] {
            let response = answer_with(&batch, None, throttled(seconds));
            assert_eq!(wait(&response), Some(Duration::from_secs(7)));
        }
        // A date, counted from `now` when the answer has no `Date`...
        let until = serde_json::json!("Wed, 21 Oct 2015 07:28:00 GMT");
        let response = answer_with(&batch, None, throttled(until.clone()));
        assert_eq!(wait(&response), Some(Duration::from_secs(30)));
        assert_eq!(item(&response), Some(Duration::from_secs(30)));
        // ...from the `$batch` answer's `Date` when it has one, whatever `now` is...
        let dated = answer_with(
            &batch,
            Some("Wed, 21 Oct 2015 07:26:00 GMT"),
            throttled(until.clone()),
        );
        assert_eq!(wait(&dated), Some(Duration::from_secs(120)));
        assert_eq!(
            batch.retry_of_at(&dated, SystemTime::UNIX_EPOCH).unwrap().1,
            Some(Duration::from_secs(120))
        );
        // ...and from the item's own `Date` before that.
        let own = answer_with(
            &batch,
            Some("Wed, 21 Oct 2015 07:26:00 GMT"),
            serde_json::json!([
                {"id": "1", "status": 503, "headers": {
                    "retry-after": "Wed, 21 Oct 2015 07:28:00 GMT",
                    "Date": "Wed, 21 Oct 2015 07:27:50 GMT"}},
            ]),
        );
        assert_eq!(wait(&own), Some(Duration::from_secs(10)));
        // A date already past asks for no wait; what is neither form asks for nothing.
        let past = answer_with(
            &batch,
            None,
            throttled(serde_json::json!("Wed, 21 Oct 2015 07:00:00 GMT")),
        );
        assert_eq!(wait(&past), Some(Duration::ZERO));
        for unreadable in [
            serde_json::json!("soon"),
            serde_json::json!("-1"),
            serde_json::json!(-1),
            serde_json::json!("Wed, 21 Oct 2015 07:28:00 CET"),
        ] {
            let response = answer_with(&batch, None, throttled(unreadable.clone()));
            assert_eq!(wait(&response), None, "{unreadable}");
        }
        // The longest of the items' waits, whatever their forms.
        let mixed = answer_with(
            &batch,
            Some("Wed, 21 Oct 2015 07:27:00 GMT"),
            serde_json::json!([
                {"id": "1", "status": 429, "headers": {"Retry-After": "45"}},
                {"id": "2", "status": 429, "headers": {"Retry-After": until}},
                {"id": "3", "status": 503, "headers": {"Retry-After": 50}},
            ]),
        );
        assert_eq!(wait(&mixed), Some(Duration::from_secs(60)));
        // Without a `now`, an answer's `Date` still makes a date exact.
        assert_eq!(
            batch.retry_of(&mixed).unwrap().1,
            Some(Duration::from_secs(60))
        );
    }

    #[test]
    fn each_item_exposes_its_status_and_request_ids_whatever_its_result() {
        let mut batch = Batch::new();
        let found = batch.add(&get("me")).unwrap();
        let missing = batch.add(&get("missing")).unwrap();
        let unanswered = batch.add(&get("other")).unwrap();
        let response = answer_with(
            &batch,
            None,
            serde_json::json!([
                {"id": "1", "status": 200, "headers": {
                    "Request-Id": "8e1a4c3f-0000-4000-8000-000000000001",
                    "client-request-id": "c-1",
                    "Content-Type": "application/json",
                    "x-ms-ags-diagnostic": {"ServerInfo": {}},
                    "Retry-After": 3},
                 "body": {"id": "me-1"}},
                {"id": "2", "status": 404, "body": {"error": {
                    "code": "ResourceNotFound", "message": "nope",
                    "innerError": {"request-id": "r-2", "client-request-id": "c-2"}}}},
            ]),
        );
        let ok = found.response(&response).unwrap();
        assert_eq!((ok.id(), ok.status()), ("1", 200));
        assert_eq!(
            ok.request_id(),
            Some("8e1a4c3f-0000-4000-8000-000000000001")
        );
        assert_eq!(ok.client_request_id(), Some("c-1"));
        assert_eq!(ok.header("content-type"), Some("application/json"));
        assert_eq!(ok.header("retry-after"), None, "a number is not text");
        let headers = ok.headers();
        assert_eq!(
            headers["request-id"],
            "8e1a4c3f-0000-4000-8000-000000000001"
        );
        assert_eq!(headers["retry-after"], "3");
        assert!(!headers.contains_key("x-ms-ags-diagnostic"));
        assert_eq!(headers.len(), 4);
        assert_eq!(found.result(&response).unwrap()["id"], "me-1");
        // A failed item: its status, and the ids Graph put in the error.
        let failed = missing.response(&response).unwrap();
        assert_eq!((failed.status(), failed.request_id()), (404, Some("r-2")));
        assert_eq!(failed.client_request_id(), Some("c-2"));
        assert!(failed.headers().is_empty());
        let Err(Error::Service(error)) = missing.result(&response) else {
            panic!("a 404 is a service error");
        };
        assert_eq!(error.request_id(), Some("r-2"));
        // No response for an item: none to read.
        assert!(unanswered.response(&response).is_none());
        let ids: Vec<&str> = response
            .responses()
            .iter()
            .map(BatchItemResponse::id)
            .collect();
        assert_eq!(ids, ["1", "2"]);
        assert_eq!(response.get("2"), Some(failed));
        assert_eq!(response.get("3"), None);
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
        assert_eq!(batches.batches()[0].len(), 20);
        // ...and when it grows past it, it is still whole in one batch: it keeps its place in
        // the order (after `1`..`3`), and the operation after it that no longer fits goes on to
        // the next batch, with its id. No chain is refused for want of room in its batch.
        let c = batches.add_after(&get("c"), &[chained.position()]).unwrap();
        assert_eq!((c.batch(), c.id()), (0, "21"));
        assert_eq!((first[18].batch(), first[18].id()), (1, "19"));
        assert!(first[..18].iter().all(|item| item.batch() == 0));
        // In a batch, operations are in the order they were added.
        let mut expected = ids(1, 18);
        expected.push(("20".into(), vec!["4".into()]));
        expected.push(("21".into(), vec!["20".into()]));
        assert_eq!(sent(&batches.batches()[0]), expected);
        assert_eq!(sent(&batches.batches()[1]), ids(19, 19));
        // Other operations go after it.
        let later = batches.add(&get("d")).unwrap();
        assert_eq!((later.batch(), later.id()), (1, "22"));
        let after_later = batches.add_after(&get("e"), &[later.position()]).unwrap();
        assert_eq!((after_later.batch(), after_later.id()), (1, "23"));
        assert_eq!(
            sent(&batches.batches()[1]),
            [
                ("19".into(), vec![]),
                ("22".into(), vec![]),
                ("23".into(), vec!["22".into()])
            ]
        );
        // An operation after operations of two groups joins them: one group, at the place of
        // its first operation (`1`), in one batch; `16` to `19` no longer fit in the first.
        let joined = batches
            .add_after(&get("f"), &[first[0].position(), later.position()])
            .unwrap();
        assert_eq!((joined.batch(), joined.id()), (0, "24"));
        assert_eq!((later.batch(), after_later.batch()), (0, 0));
        assert_eq!(batches.len(), 24);
        assert_eq!(
            batches.batches().iter().map(Batch::len).collect::<Vec<_>>(),
            [20, 4]
        );
        let mut expected = ids(1, 15);
        expected.extend([
            ("20".into(), vec!["4".into()]),
            ("21".into(), vec!["20".into()]),
            ("22".into(), vec![]),
            ("23".into(), vec!["22".into()]),
            ("24".into(), vec!["1".into(), "22".into()]),
        ]);
        assert_eq!(sent(&batches.batches()[0]), expected);
        assert_eq!(sent(&batches.batches()[1]), ids(16, 19));
        assert_eq!(first[15].batch(), 1);

        // Each item reads its result from its own batch's answer, found by its id.
        let responses: Vec<BatchResponse> = batches.batches().iter().map(answer_all).collect();
        assert_eq!(first[0].result(&responses).unwrap()["batch"], 20);
        assert_eq!(joined.result(&responses).unwrap()["batch"], 20);
        assert_eq!(first[15].result(&responses).unwrap()["batch"], 4);
        assert_eq!(
            first[15].response(&responses).map(BatchItemResponse::id),
            Some("16")
        );
        assert!(matches!(
            later.result(&responses[1..]),
            Err(Error::MissingBatchResponse { .. })
        ));
        assert!(first[15].response(&responses[..1]).is_none());
    }

    #[test]
    fn a_chain_that_would_straddle_twenty_goes_whole_to_the_next_batch() {
        let mut batches = Batches::new();
        let alone: Vec<BatchesItem<Value>> =
            (0..18).map(|_| batches.add(&get("a")).unwrap()).collect();
        let x = batches.add(&get("x")).unwrap();
        let y = batches.add_after(&get("y"), &[x.position()]).unwrap();
        assert_eq!((x.batch(), y.batch()), (0, 0));
        assert_eq!(batches.batches()[0].len(), 20);
        // `x`, `y`, `z`: a third link would be the 21st operation of the first batch.
        let z = batches.add_after(&get("z"), &[y.position()]).unwrap();
        assert_eq!(
            [x.batch(), y.batch(), z.batch()],
            [1, 1, 1],
            "the chain moved whole"
        );
        assert_eq!([x.id(), y.id(), z.id()], ["19", "20", "21"]);
        assert!(alone.iter().all(|item| item.batch() == 0));
        assert_eq!(sent(&batches.batches()[0]), ids(1, 18));
        assert_eq!(
            sent(&batches.batches()[1]),
            [
                ("19".into(), vec![]),
                ("20".into(), vec!["19".into()]),
                ("21".into(), vec!["20".into()]),
            ]
        );
        // Operations added later follow the chain, in order.
        let after = batches.add(&get("w")).unwrap();
        assert_eq!((after.batch(), after.id()), (1, "22"));
        assert_eq!(
            batches.batches().iter().map(Batch::len).collect::<Vec<_>>(),
            [18, 4]
        );
        // The items read their results from the batch they moved to.
        let responses: Vec<BatchResponse> = batches.batches().iter().map(answer_all).collect();
        assert_eq!(x.result(&responses).unwrap()["batch"], 4);
        assert_eq!(z.result(&responses).unwrap()["batch"], 4);
        assert_eq!(alone[0].result(&responses).unwrap()["batch"], 18);
        // A copy's operations move on their own: the original's handles stay with it.
        let mut copy = batches.clone();
        for _ in 0..17 {
            copy.add_after(&get("v"), &[alone[17].position()]).unwrap();
        }
        assert_eq!(
            copy.batches().iter().map(Batch::len).collect::<Vec<_>>(),
            [17, 18, 4]
        );
        assert_eq!(sent(&copy.batches()[1])[0], ("18".to_string(), Vec::new()));
        assert_eq!(alone[17].batch(), 0);
        assert_eq!(batches.len(), 22);
        assert_eq!(sent(&batches.batches()[0]), ids(1, 18));
    }

    #[test]
    fn only_a_chain_of_more_than_twenty_is_refused() {
        let mut batches = Batches::new();
        let loose = batches.add(&get("loose")).unwrap();
        let mut last = batches.add(&get("a")).unwrap();
        for _ in 1..MAX_BATCH_SIZE {
            last = batches.add_after(&get("a"), &[last.position()]).unwrap();
        }
        // Twenty linked operations fill a batch of their own; the one before them is alone.
        assert_eq!(
            batches.batches().iter().map(Batch::len).collect::<Vec<_>>(),
            [1, 20]
        );
        assert_eq!((loose.batch(), last.batch(), last.id()), (0, 1, "21"));
        assert!(matches!(
            batches.add_after(&get("b"), &[last.position()]),
            Err(Error::BatchFull { limit: 20 })
        ));
        // Joining the loose one to the chain would make 22: refused too.
        assert!(matches!(
            batches.add_after(&get("b"), &[loose.position(), last.position()]),
            Err(Error::BatchFull { limit: 20 })
        ));
        // Nothing changed, and a position these batches do not have is refused.
        assert_eq!(batches.len(), 21);
        assert_eq!(
            batches.batches().iter().map(Batch::len).collect::<Vec<_>>(),
            [1, 20]
        );
        let foreign = BatchPosition { id: "22".into() };
        assert!(matches!(
            batches.add_after(&get("b"), &[foreign]),
            Err(Error::UnknownBatchDependency { id }) if id == "22"
        ));
        let other_root = Operation::<Value>::new(
            http::Method::GET,
            ResourcePath::new("https://graph.microsoft.us/v1.0".into()).segment("me"),
            ResponseShape::Json,
        );
        assert!(matches!(
            batches.add(&other_root),
            Err(Error::MixedServiceRoots { .. })
        ));
        assert_eq!(batches.len(), 21);
        // The loose one still takes others after it.
        let next = batches.add_after(&get("c"), &[loose.position()]).unwrap();
        assert_eq!((next.batch(), next.id()), (0, "22"));
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
