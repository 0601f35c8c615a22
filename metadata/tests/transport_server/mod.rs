//! A small HTTP/1.1 server on 127.0.0.1 for the transport's tests: the Intune assignment
//! endpoints of the seed API, a delta query over OAuth2 permission grants, Graph's error bodies,
//! and injected faults (canned answers such as throttling, a dropped connection, a slow answer).
//!
//! Each connection serves one request and is closed (`Connection: close`). The server records
//! every request it reads. Dropping the server stops it: every open socket is shut down, a slow
//! answer in progress is cut short, and the accept loop and every connection thread are joined.
//!
//! This file is hand-written in `metadata/tests/transport_server/mod.rs` and copied into the
//! generated crate by `cargo xtask codegen`: edit it there.

use std::collections::{BTreeMap, VecDeque};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use serde_json::{Map, Value, json};

/// The only token the server accepts.
pub const TOKEN: &str = "s3cr3t-t0ken-value-for-tests";

/// The app configuration policy that exists from the start.
pub const CONFIGURATION: &str = "cfg-1";

/// The page size when the request has no `$top`.
const DEFAULT_PAGE_SIZE: usize = 2;

/// How long a connection may stay silent before the server gives up on it.
const READ_TIMEOUT: Duration = Duration::from_secs(5);

/// What the server does instead of its normal answer, once, for the next request it reads.
#[derive(Debug, Clone)]
pub enum Fault {
    /// Answers with this status, headers and body.
    Respond {
        /// The status code.
        status: u16,
        /// Headers besides `Content-Type`, `Content-Length` and `Connection`.
        headers: Vec<(&'static str, String)>,
        /// The body.
        body: String,
    },
    /// Closes the connection without answering, after reading the request.
    Drop,
    /// Waits this long (or until the server stops), then answers normally.
    Slow(Duration),
}

impl Fault {
    /// The answer a `Respond` fault gives; `None` for the others.
    fn into_answer(self) -> Option<Answer> {
        match self {
            Fault::Respond {
                status,
                headers,
                body,
            } => Some(Answer {
                status,
                headers,
                body,
            }),
            Fault::Drop | Fault::Slow(_) => None,
        }
    }

    /// A throttling or unavailability answer with a Graph error body and an optional
    /// `Retry-After` (in seconds).
    pub fn status(status: u16, code: &str, retry_after: Option<u64>) -> Fault {
        let mut headers = Vec::new();
        if let Some(seconds) = retry_after {
            headers.push(("Retry-After", seconds.to_string()));
        }
        Fault::Respond {
            status,
            headers,
            body: graph_error(code, "injected by the test", "fault").to_string(),
        }
    }
}

/// One request as the server read it.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// The method, such as `GET`.
    pub method: String,
    /// The request target: path and query, as sent.
    pub target: String,
    /// The headers, names in lower case.
    pub headers: BTreeMap<String, String>,
    /// The body.
    pub body: Vec<u8>,
}

/// The server's data: assignments per configuration, in creation order, and the change log of
/// the OAuth2 permission grants (what their delta query reads).
#[derive(Default)]
struct Store {
    configurations: BTreeMap<String, Vec<Map<String, Value>>>,
    next_id: u64,
    /// Every change to a grant, in order: a delta token is a position in this log.
    grant_changes: Vec<GrantChange>,
    /// Upload sessions by id: the size announced and the bytes received so far.
    uploads: BTreeMap<String, (usize, Vec<u8>)>,
}

/// One change to a permission grant.
#[derive(Debug, Clone)]
enum GrantChange {
    /// Created or changed: the grant's properties after the change.
    Changed(Map<String, Value>),
    /// Removed from the collection, with `@removed`'s reason.
    Removed { id: String, reason: &'static str },
}

impl GrantChange {
    fn id(&self) -> String {
        match self {
            GrantChange::Changed(grant) => grant["id"].as_str().unwrap_or_default().to_string(),
            GrantChange::Removed { id, .. } => id.clone(),
        }
    }

    /// The entry a delta page gives for this change.
    fn entry(&self) -> Value {
        match self {
            GrantChange::Changed(grant) => Value::Object(grant.clone()),
            GrantChange::Removed { id, reason } => {
                json!({ "id": id, "@removed": { "reason": reason } })
            }
        }
    }
}

struct Shared {
    store: Mutex<Store>,
    faults: Mutex<VecDeque<Fault>>,
    recorded: Mutex<Vec<Recorded>>,
    stopping: AtomicBool,
    /// Wakes slow answers when the server stops.
    stop_signal: (Mutex<bool>, Condvar),
    /// Each connection's thread, and a handle to shut its socket down when the server stops.
    connections: Mutex<Vec<(JoinHandle<()>, Option<TcpStream>)>>,
    request_ids: AtomicU64,
    address: SocketAddr,
}

/// The running server. Dropping it stops it.
pub struct TestServer {
    shared: Arc<Shared>,
    accept: Option<JoinHandle<()>>,
}

impl TestServer {
    /// Starts a server on a free port of 127.0.0.1, with configuration [`CONFIGURATION`] and
    /// no assignments.
    pub fn start() -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let address = listener.local_addr().expect("local address");
        let mut store = Store::default();
        store
            .configurations
            .insert(CONFIGURATION.to_string(), Vec::new());
        let shared = Arc::new(Shared {
            store: Mutex::new(store),
            faults: Mutex::new(VecDeque::new()),
            recorded: Mutex::new(Vec::new()),
            stopping: AtomicBool::new(false),
            stop_signal: (Mutex::new(false), Condvar::new()),
            connections: Mutex::new(Vec::new()),
            request_ids: AtomicU64::new(0),
            address,
        });
        let accept = {
            let shared = Arc::clone(&shared);
            std::thread::spawn(move || accept_loop(&listener, &shared))
        };
        TestServer {
            shared,
            accept: Some(accept),
        }
    }

    /// The service root: `http://127.0.0.1:PORT/v1.0`.
    pub fn base_url(&self) -> String {
        format!("http://{}/v1.0", self.shared.address)
    }

    /// Queues faults: each one replaces the normal handling of one request, in order.
    pub fn inject(&self, faults: impl IntoIterator<Item = Fault>) {
        lock(&self.shared.faults).extend(faults);
    }

    /// Adds an assignment to a configuration directly, as if created earlier; returns its id.
    pub fn seed_assignment(&self, configuration: &str, group_id: &str) -> String {
        let mut store = lock(&self.shared.store);
        let id = store.new_id();
        let assignment = json!({
            "@odata.type": "#microsoft.graph.managedDeviceMobileAppConfigurationAssignment",
            "id": id,
            "target": {"@odata.type": "#microsoft.graph.groupAssignmentTarget", "groupId": group_id},
        });
        store
            .configurations
            .entry(configuration.to_string())
            .or_default()
            .push(object(assignment));
        id
    }

    /// Opens an upload session for `total` bytes, as a `createUploadSession` action would, and
    /// returns its URL: outside the service root, pre-authenticated (a request with an
    /// `Authorization` header is refused).
    pub fn open_upload_session(&self, total: usize) -> String {
        let mut store = lock(&self.shared.store);
        let id = store.new_id();
        store.uploads.insert(id.clone(), (total, Vec::new()));
        format!("http://{}/upload/{id}", self.shared.address)
    }

    /// The bytes an upload session received, if it is still open.
    pub fn uploaded(&self, url: &str) -> Option<Vec<u8>> {
        let id = url.rsplit('/').next()?;
        lock(&self.shared.store)
            .uploads
            .get(id)
            .map(|(_, received)| received.clone())
    }

    /// Creates or changes the permission grant `id` (its `scope`), as if done by someone else.
    pub fn change_grant(&self, id: &str, scope: &str) {
        let grant = object(json!({
            "id": id,
            "clientId": "client-1",
            "consentType": "AllPrincipals",
            "resourceId": "resource-1",
            "scope": scope,
        }));
        lock(&self.shared.store)
            .grant_changes
            .push(GrantChange::Changed(grant));
    }

    /// Removes the permission grant `id` from the collection, for `reason` (`changed` or
    /// `deleted`).
    pub fn remove_grant(&self, id: &str, reason: &'static str) {
        lock(&self.shared.store)
            .grant_changes
            .push(GrantChange::Removed {
                id: id.to_string(),
                reason,
            });
    }

    /// The assignments of a configuration as the server holds them.
    pub fn assignments(&self, configuration: &str) -> Vec<Value> {
        lock(&self.shared.store)
            .configurations
            .get(configuration)
            .map(|list| list.iter().cloned().map(Value::Object).collect())
            .unwrap_or_default()
    }

    /// Every request read so far.
    pub fn requests(&self) -> Vec<Recorded> {
        lock(&self.shared.recorded).clone()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.shared.stopping.store(true, Ordering::SeqCst);
        {
            let (stopped, wake) = &self.shared.stop_signal;
            *lock(stopped) = true;
            wake.notify_all();
        }
        // Wake the accept loop, which checks `stopping` after each connection.
        let _ = TcpStream::connect_timeout(&self.shared.address, Duration::from_secs(1));
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
        let connections = std::mem::take(&mut *lock(&self.shared.connections));
        for (thread, stream) in connections {
            if let Some(stream) = stream {
                let _ = stream.shutdown(std::net::Shutdown::Both);
            }
            let _ = thread.join();
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panicking handler thread must not hide the test's own assertion.
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn accept_loop(listener: &TcpListener, shared: &Arc<Shared>) {
    for stream in listener.incoming() {
        if shared.stopping.load(Ordering::SeqCst) {
            break;
        }
        let Ok(stream) = stream else { continue };
        let control = stream.try_clone().ok();
        let handler = {
            let shared = Arc::clone(shared);
            std::thread::spawn(move || serve(stream, &shared))
        };
        lock(&shared.connections).push((handler, control));
    }
}

/// A request as read from the wire.
struct Request {
    method: String,
    target: String,
    headers: BTreeMap<String, String>,
    body: Vec<u8>,
}

/// An answer to write.
struct Answer {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: String,
}

fn serve(stream: TcpStream, shared: &Shared) {
    let _ = stream.set_read_timeout(Some(READ_TIMEOUT));
    let _ = stream.set_write_timeout(Some(READ_TIMEOUT));
    let Ok(reader) = stream.try_clone() else {
        return;
    };
    let Some(request) = read_request(&mut BufReader::new(reader)) else {
        return;
    };
    record(shared, &request);
    // A batch's items take the queued faults, one each, as if each were sent alone.
    if request.method == "POST" && request.target == "/v1.0/$batch" {
        let answer = batch_answer(&request, shared);
        write_answer(stream, shared, answer);
        return;
    }
    let fault = lock(&shared.faults).pop_front();
    let answer = match fault {
        Some(Fault::Drop) => {
            // Shut down, not only closed: the server keeps a handle to every socket.
            let _ = stream.shutdown(std::net::Shutdown::Both);
            return;
        }
        Some(respond @ Fault::Respond { .. }) => respond
            .into_answer()
            .unwrap_or_else(|| handle(&request, shared)),
        Some(Fault::Slow(delay)) => {
            let (stopped, wake) = &shared.stop_signal;
            let guard = lock(stopped);
            let (guard, _) = wake
                .wait_timeout_while(guard, delay, |stopped| !*stopped)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if *guard {
                return;
            }
            drop(guard);
            handle(&request, shared)
        }
        None => handle(&request, shared),
    };
    write_answer(stream, shared, answer);
}

/// `POST /v1.0/$batch`: each request of the body, in order, recorded and handled as if it were
/// sent alone (taking the next queued `Fault::Respond`, if any); an item whose `dependsOn` names
/// an item that failed is answered `424 Failed Dependency` without being handled.
fn batch_answer(request: &Request, shared: &Shared) -> Answer {
    let Ok(body) = serde_json::from_slice::<Value>(&request.body) else {
        return error_answer(400, "BadRequest", "The batch body is not JSON.");
    };
    let items = body["requests"].as_array().cloned().unwrap_or_default();
    let mut failed: Vec<String> = Vec::new();
    let mut responses = Vec::new();
    for item in items {
        let id = item["id"].as_str().unwrap_or_default().to_string();
        let blocked = item["dependsOn"].as_array().is_some_and(|ids| {
            ids.iter()
                .any(|d| failed.iter().any(|f| Some(f.as_str()) == d.as_str()))
        });
        if blocked {
            failed.push(id.clone());
            responses.push(json!({
                "id": id,
                "status": 424,
                "body": graph_error("FailedDependency", "A request it depends on failed.", "inner-request-id"),
            }));
            continue;
        }
        let mut headers = request.headers.clone();
        if let Some(item_headers) = item["headers"].as_object() {
            for (name, value) in item_headers {
                headers.insert(
                    name.to_ascii_lowercase(),
                    value.as_str().unwrap_or_default().to_string(),
                );
            }
        }
        let inner = Request {
            method: item["method"].as_str().unwrap_or_default().to_string(),
            target: format!("/v1.0{}", item["url"].as_str().unwrap_or_default()),
            headers,
            body: item
                .get("body")
                .map(|body| body.to_string().into_bytes())
                .unwrap_or_default(),
        };
        record(shared, &inner);
        // Dropping or slowing one item of a batch has no meaning: it is handled normally.
        let fault = lock(&shared.faults).pop_front();
        let answer = fault
            .and_then(Fault::into_answer)
            .unwrap_or_else(|| handle(&inner, shared));
        if !(200..300).contains(&answer.status) {
            failed.push(id.clone());
        }
        let headers: Map<String, Value> = answer
            .headers
            .iter()
            .map(|(name, value)| (name.to_string(), Value::String(value.clone())))
            .collect();
        let body = serde_json::from_str::<Value>(&answer.body).unwrap_or(Value::Null);
        responses
            .push(json!({"id": id, "status": answer.status, "headers": headers, "body": body}));
    }
    json_answer(200, &json!({ "responses": responses }))
}

/// Keeps `request` for [`TestServer::requests`].
fn record(shared: &Shared, request: &Request) {
    lock(&shared.recorded).push(Recorded {
        method: request.method.clone(),
        target: request.target.clone(),
        headers: request.headers.clone(),
        body: request.body.clone(),
    });
}

fn read_request(reader: &mut BufReader<TcpStream>) -> Option<Request> {
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_string();
    let target = parts.next()?.to_string();
    let mut headers = BTreeMap::new();
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).ok()? == 0 {
            return None;
        }
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        let (name, value) = header.split_once(':')?;
        headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_string());
    }
    let length: usize = headers
        .get("content-length")
        .map_or(Some(0), |value| value.parse().ok())?;
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(Request {
        method,
        target,
        headers,
        body,
    })
}

fn write_answer(mut stream: TcpStream, shared: &Shared, answer: Answer) {
    let request_id = format!(
        "req-{}",
        shared.request_ids.fetch_add(1, Ordering::SeqCst) + 1
    );
    let mut head = format!(
        "HTTP/1.1 {} {}\r\nconnection: close\r\ncontent-length: {}\r\nrequest-id: {request_id}\r\n",
        answer.status,
        reason(answer.status),
        answer.body.len()
    );
    if !answer.body.is_empty() {
        head.push_str("content-type: application/json\r\n");
    }
    for (name, value) in &answer.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(answer.body.as_bytes());
    let _ = stream.flush();
    let _ = stream.shutdown(std::net::Shutdown::Both);
}

fn reason(status: u16) -> &'static str {
    http::StatusCode::from_u16(status)
        .ok()
        .and_then(|status| status.canonical_reason())
        .unwrap_or("Unknown")
}

/// A Graph error body, with the inner error Graph sends.
fn graph_error(code: &str, message: &str, request_id: &str) -> Value {
    json!({
        "error": {
            "code": code,
            "message": message,
            "innerError": {
                "date": "2026-01-15T10:00:00",
                "request-id": request_id,
                "client-request-id": request_id,
            }
        }
    })
}

fn error_answer(status: u16, code: &str, message: &str) -> Answer {
    Answer {
        status,
        headers: Vec::new(),
        body: graph_error(code, message, "inner-request-id").to_string(),
    }
}

fn json_answer(status: u16, body: &Value) -> Answer {
    Answer {
        status,
        headers: Vec::new(),
        body: body.to_string(),
    }
}

fn no_content() -> Answer {
    Answer {
        status: 204,
        headers: Vec::new(),
        body: String::new(),
    }
}

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

impl Store {
    fn new_id(&mut self) -> String {
        self.next_id += 1;
        format!("asg-{}", self.next_id)
    }

    /// Checks an assignment body and stores it under a new id; the stored entity, or the
    /// reason the body is refused.
    fn insert(
        &mut self,
        configuration: &str,
        body: Map<String, Value>,
    ) -> Result<Map<String, Value>, String> {
        let target_type = body
            .get("target")
            .and_then(|target| target.get("@odata.type"))
            .and_then(Value::as_str);
        if target_type.is_none() {
            return Err("An assignment needs a target with an @odata.type.".to_string());
        }
        let mut stored = body;
        stored.insert(
            "@odata.type".into(),
            "#microsoft.graph.managedDeviceMobileAppConfigurationAssignment".into(),
        );
        stored.insert("id".into(), Value::String(self.new_id()));
        self.configurations
            .entry(configuration.to_string())
            .or_default()
            .push(stored.clone());
        Ok(stored)
    }
}

/// The normal handling: the assignment endpoints under `/v1.0/deviceAppManagement/`.
fn handle(request: &Request, shared: &Shared) -> Answer {
    if let Some(id) = request.target.strip_prefix("/upload/") {
        return upload(request, id, shared);
    }
    let expected = format!("Bearer {TOKEN}");
    if request.headers.get("authorization") != Some(&expected) {
        return error_answer(
            401,
            "InvalidAuthenticationToken",
            "Access token is empty or not valid.",
        );
    }
    let (path, query) = request
        .target
        .split_once('?')
        .unwrap_or((&request.target, ""));
    if path == "/v1.0/oauth2PermissionGrants/delta()" && request.method == "GET" {
        return grants_delta(query, shared);
    }
    let Some(rest) = path.strip_prefix("/v1.0/deviceAppManagement/mobileAppConfigurations/") else {
        return error_answer(
            404,
            "ResourceNotFound",
            "Resource not found for the segment.",
        );
    };
    let segments: Vec<&str> = rest.split('/').collect();
    let body = || serde_json::from_slice::<Value>(&request.body).map(object);
    let mut store = lock(&shared.store);
    let Some(configuration) = segments.first().map(|id| id.to_string()) else {
        return error_answer(404, "ResourceNotFound", "Resource not found.");
    };
    if !store.configurations.contains_key(&configuration) {
        return error_answer(
            404,
            "ResourceNotFound",
            &format!("The configuration '{configuration}' was not found."),
        );
    }
    match (request.method.as_str(), &segments[1..]) {
        ("GET", ["assignments"]) => {
            let options: BTreeMap<&str, &str> = query
                .split('&')
                .filter_map(|option| option.split_once('='))
                .collect();
            let top = options
                .get("$top")
                .and_then(|top| top.parse().ok())
                .unwrap_or(DEFAULT_PAGE_SIZE);
            let skip: usize = options
                .get("$skiptoken")
                .and_then(|skip| skip.parse().ok())
                .unwrap_or(0);
            let all = &store.configurations[&configuration];
            let value: Vec<Value> = all
                .iter()
                .skip(skip)
                .take(top)
                .cloned()
                .map(Value::Object)
                .collect();
            let mut page = json!({
                "@odata.context": format!("{}/$metadata#deviceAppManagement/mobileAppConfigurations('{configuration}')/assignments", base(shared)),
                "value": value,
            });
            if skip + top < all.len() {
                page["@odata.nextLink"] = Value::String(format!(
                    "{}/deviceAppManagement/mobileAppConfigurations/{configuration}/assignments?$top={top}&$skiptoken={}",
                    base(shared),
                    skip + top
                ));
            }
            json_answer(200, &page)
        }
        // `$count`: the number of assignments, as plain text.
        ("GET", ["assignments", "$count"]) => Answer {
            status: 200,
            headers: vec![("content-type", "text/plain".to_string())],
            body: store.configurations[&configuration].len().to_string(),
        },
        ("POST", ["assignments"]) => {
            let Ok(body) = body() else {
                return error_answer(400, "BadRequest", "The body is not a JSON object.");
            };
            match store.insert(&configuration, body) {
                Ok(created) => json_answer(201, &Value::Object(created)),
                Err(message) => error_answer(400, "BadRequest", &message),
            }
        }
        ("POST", ["assign"]) => {
            let Ok(body) = body() else {
                return error_answer(400, "BadRequest", "The body is not a JSON object.");
            };
            let Some(Value::Array(assignments)) = body.get("assignments") else {
                return error_answer(400, "BadRequest", "The `assignments` parameter is missing.");
            };
            let previous = store
                .configurations
                .insert(configuration.clone(), Vec::new());
            for assignment in assignments {
                if let Err(message) = store.insert(&configuration, object(assignment.clone())) {
                    store
                        .configurations
                        .insert(configuration, previous.unwrap_or_default());
                    return error_answer(400, "BadRequest", &message);
                }
            }
            no_content()
        }
        (method, ["assignments", id]) => {
            let list = store
                .configurations
                .get_mut(&configuration)
                .expect("checked above");
            let Some(index) = list.iter().position(|a| a.get("id") == Some(&json!(id))) else {
                return error_answer(
                    404,
                    "ResourceNotFound",
                    &format!("The assignment '{id}' was not found."),
                );
            };
            match method {
                "GET" => json_answer(200, &Value::Object(list[index].clone())),
                "PATCH" => {
                    let Ok(changes) = body() else {
                        return error_answer(400, "BadRequest", "The body is not a JSON object.");
                    };
                    for (name, value) in changes {
                        if name != "id" && name != "@odata.type" {
                            list[index].insert(name, value);
                        }
                    }
                    json_answer(200, &Value::Object(list[index].clone()))
                }
                "DELETE" => {
                    list.remove(index);
                    no_content()
                }
                _ => error_answer(405, "MethodNotAllowed", "The method is not allowed."),
            }
        }
        _ => error_answer(
            404,
            "ResourceNotFound",
            "Resource not found for the segment.",
        ),
    }
}

/// An upload session: `PUT` a slice with its `Content-Range` (it must start at the first byte
/// not received yet), `GET` the ranges still expected, `DELETE` to cancel. The last slice is
/// answered with the created item.
fn upload(request: &Request, id: &str, shared: &Shared) -> Answer {
    if request.headers.contains_key("authorization") {
        return error_answer(
            401,
            "InvalidRequest",
            "The upload URL is pre-authenticated: send no Authorization header.",
        );
    }
    let mut store = lock(&shared.store);
    let Some((total, received)) = store.uploads.get_mut(id) else {
        return error_answer(404, "itemNotFound", "The upload session was not found.");
    };
    let total = *total;
    let expected =
        |received: &Vec<u8>| json!({ "nextExpectedRanges": [format!("{}-", received.len())] });
    match request.method.as_str() {
        "GET" => json_answer(200, &expected(received)),
        "DELETE" => {
            store.uploads.remove(id);
            no_content()
        }
        "PUT" => {
            let range = request
                .headers
                .get("content-range")
                .and_then(|range| range.strip_prefix("bytes "))
                .and_then(|range| {
                    let (span, size) = range.split_once('/')?;
                    let (first, last) = span.split_once('-')?;
                    Some((
                        first.parse::<usize>().ok()?,
                        last.parse::<usize>().ok()?,
                        size.parse::<usize>().ok()?,
                    ))
                });
            let Some((first, last, size)) = range else {
                return error_answer(
                    400,
                    "invalidRange",
                    "The Content-Range header is missing or invalid.",
                );
            };
            if size != total || first != received.len() || last + 1 - first != request.body.len() {
                return error_answer(416, "invalidRange", "The range is not the one expected.");
            }
            received.extend_from_slice(&request.body);
            if received.len() < total {
                return json_answer(202, &expected(received));
            }
            let item =
                json!({ "id": format!("uploaded-{id}"), "name": "report.bin", "size": total });
            json_answer(201, &item)
        }
        _ => error_answer(405, "MethodNotAllowed", "The method is not allowed."),
    }
}

/// A page of the permission grants' delta query. Without a token, the round starts at the
/// beginning of the log; `$deltatoken=N` starts after the first N changes, `$skiptoken=N-M` is
/// the rest of a round from position M of the log that ends at N. Each round gives the latest
/// state of each grant it touches (a grant changed twice appears once), in pages of two; its
/// last page carries the delta link, whose token is the log's length when the round began.
fn grants_delta(query: &str, shared: &Shared) -> Answer {
    let options: BTreeMap<&str, &str> = query
        .split('&')
        .filter_map(|option| option.split_once('='))
        .collect();
    let store = lock(&shared.store);
    let (end, start) = match (options.get("$skiptoken"), options.get("$deltatoken")) {
        (Some(skip), _) => match skip.split_once('-').map(|(e, s)| (e.parse(), s.parse())) {
            Some((Ok(end), Ok(start))) => (end, start),
            _ => return error_answer(400, "BadRequest", "The skip token is not valid."),
        },
        (None, Some(token)) => match token.parse::<usize>() {
            Ok(token) if token <= store.grant_changes.len() => (store.grant_changes.len(), token),
            _ => return error_answer(410, "SyncStateNotFound", "The delta token is not valid."),
        },
        (None, None) => (store.grant_changes.len(), 0),
    };
    // The latest change of each grant in the round's part of the log, in the order of the
    // latest changes.
    let window = &store.grant_changes[start.min(end)..end];
    let latest: Vec<&GrantChange> = window
        .iter()
        .enumerate()
        .filter(|(i, change)| {
            !window[i + 1..]
                .iter()
                .any(|later| later.id() == change.id())
        })
        .map(|(_, change)| change)
        .collect();
    let entries: Vec<Value> = latest
        .iter()
        .take(DEFAULT_PAGE_SIZE)
        .map(|c| c.entry())
        .collect();
    let mut page = json!({
        "@odata.context": format!("{}/$metadata#Collection(microsoft.graph.oAuth2PermissionGrant)", base(shared)),
        "value": entries,
    });
    let link = format!("{}/oauth2PermissionGrants/delta()", base(shared));
    if latest.len() > DEFAULT_PAGE_SIZE {
        // The rest of this round: after the changes just given.
        let given = latest[DEFAULT_PAGE_SIZE - 1];
        let position = window
            .iter()
            .position(|change| std::ptr::eq(change, given))
            .expect("a change of the window");
        let next = start.min(end) + position + 1;
        page["@odata.nextLink"] = Value::String(format!("{link}?$skiptoken={end}-{next}"));
    } else {
        page["@odata.deltaLink"] = Value::String(format!("{link}?$deltatoken={end}"));
    }
    json_answer(200, &page)
}

fn base(shared: &Shared) -> String {
    format!("http://{}/v1.0", shared.address)
}
