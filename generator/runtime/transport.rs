//! A ready-made async transport (cargo feature `transport`, off by default): sends
//! [`Operation`]s with [`reqwest`] over rustls, with a bearer token, timeouts and retries.
//!
//! Make a [`Client`] from a [`TokenProvider`] (such as [`StaticToken`]), then
//! [`Client::send`] an operation to get its typed result, [`Client::pages`] to read a collection
//! page by page, or [`Client::list_all`] to read all of it. The crate's `examples/` folder has
//! complete programs.
//!
//! # Tokens
//!
//! A [`TokenProvider`] is asked for a token before every attempt, so one that caches and
//! refreshes tokens gets the chance to refresh between retries. [`StaticToken`] always gives the
//! same token; any `Fn() -> impl Future<Output = Result<AccessToken, BoxError>>` is a provider
//! too, so any credential source plugs in. The token is sent only in the `Authorization` header
//! (marked sensitive), only over `https` (plain `http` only to a loopback address such as
//! `127.0.0.1`, for tests), and never to a redirect target (redirects are not followed). It never
//! appears in `Debug` or `Display` output, in errors or in logs.
//!
//! # Tracing
//!
//! With the cargo feature `tracing` (which enables `transport`), each operation is a
//! [`tracing`](https://docs.rs/tracing) span named `graph.request` with its `method` and its
//! `path` without keys or function arguments (`/users/{key}/messages`; `/$batch` for a batch),
//! and, once it is answered, the `status`, the number of `attempts` and the service's
//! `request_id`; each retry is an `INFO` event (`retrying`) with the `attempt` that failed, the
//! `wait_ms` before the next and the `reason` (a status, `no connection`, `timeout`, `connection
//! dropped`). Query options, keys, bodies and the token are never recorded. Without the
//! feature, this module records nothing.
//!
//! # Your own HTTP client
//!
//! By default the client makes its own `reqwest` client over rustls (the `ring` provider and the
//! platform's certificate verifier; no OpenSSL), which follows no redirect and uses the
//! environment's proxies. [`ClientBuilder::http_client`] takes one you configured instead
//! (proxies, TLS roots, client certificates, pool settings), built with the [`reqwest`]
//! re-exported here.
//!
//! # Retries
//!
//! An attempt is repeated, up to [`RetryPolicy::max_attempts`] attempts and within
//! [`RetryPolicy::max_elapsed`] in total, when:
//!
//! | what happened | retried for | why |
//! |---|---|---|
//! | `429 Too Many Requests`, `503 Service Unavailable` | every method | the service says it did not process the request |
//! | `504 Gateway Timeout` | idempotent methods only | a gateway gave up waiting; the service may still have processed the request |
//! | no connection could be made (refused, DNS, TLS handshake) | every method | nothing was sent |
//! | the connection dropped, or the attempt timed out, after the request was sent | idempotent methods only | the service may have processed the request |
//!
//! The idempotent methods are `GET`, `HEAD`, `OPTIONS`, `PUT` and `DELETE`; `POST` and `PATCH`
//! are not. Between attempts the client waits as long as `Retry-After` asks (in seconds), or
//! else a jittered exponential backoff: a random time between half and all of
//! `initial_backoff × 2^(retry − 1)`, capped at `max_backoff`. A wait that would end after
//! `max_elapsed` is not taken: the last answer (for example the `429` with its `Retry-After`)
//! is returned instead. Each attempt is cut off after the client's timeout, or when
//! `max_elapsed` runs out, whichever comes first.

use std::fmt;
use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use serde::de::DeserializeOwned;

/// The `reqwest` this transport sends with, and the `rustls` it uses, to build a client for
/// [`ClientBuilder::http_client`] with the same versions.
pub use {reqwest, rustls};

use crate::delta::{Change, DeltaRound};
use crate::error::ServiceError;
use crate::monitor::{Accepted, Completed, Progress};
use crate::upload::{Step, Upload, Uploaded};
use crate::{Error, Operation, Page};

/// Any error, boxed: what a [`TokenProvider`] fails with.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The future a [`TokenProvider`] returns.
pub type TokenFuture<'a> = Pin<Box<dyn Future<Output = Result<AccessToken, BoxError>> + Send + 'a>>;

/// A bearer token. Its `Debug` output is redacted and it has no `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessToken(Arc<str>);

impl AccessToken {
    /// Wraps a token, as it goes after `Bearer ` in the `Authorization` header.
    pub fn new(token: impl Into<String>) -> Self {
        AccessToken(Arc::from(token.into()))
    }

    /// The token itself. Keep it out of logs.
    pub fn secret(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessToken(<redacted>)")
    }
}

impl From<String> for AccessToken {
    fn from(token: String) -> Self {
        AccessToken::new(token)
    }
}

impl From<&str> for AccessToken {
    fn from(token: &str) -> Self {
        AccessToken::new(token)
    }
}

/// Where the [`Client`] gets its bearer tokens: implement it for any credential source.
///
/// A closure that returns a future of `Result<AccessToken, BoxError>` is a provider too, for
/// example `|| async { Ok(AccessToken::new(std::env::var("MSGRAPH_TOKEN")?)) }`.
pub trait TokenProvider: Send + Sync {
    /// A token for the next attempt. It is asked for before every attempt, retries included.
    fn token(&self) -> TokenFuture<'_>;
}

impl<F, Fut> TokenProvider for F
where
    F: Fn() -> Fut + Send + Sync,
    Fut: Future<Output = Result<AccessToken, BoxError>> + Send + 'static,
{
    fn token(&self) -> TokenFuture<'_> {
        Box::pin(self())
    }
}

/// A [`TokenProvider`] that always gives the same token, for example one from an environment
/// variable. Its `Debug` output is redacted.
#[derive(Clone)]
pub struct StaticToken(AccessToken);

impl StaticToken {
    /// A provider of `token`.
    pub fn new(token: impl Into<AccessToken>) -> Self {
        StaticToken(token.into())
    }
}

impl fmt::Debug for StaticToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("StaticToken(<redacted>)")
    }
}

impl TokenProvider for StaticToken {
    fn token(&self) -> TokenFuture<'_> {
        Box::pin(std::future::ready(Ok(self.0.clone())))
    }
}

/// When and how often a request is tried again (see the [module documentation](self) for which
/// failures are retried).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    max_elapsed: Duration,
    initial_backoff: Duration,
    max_backoff: Duration,
}

impl Default for RetryPolicy {
    /// Up to 4 attempts within 60 seconds; backoff from 500 ms up to 30 s.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            max_elapsed: Duration::from_secs(60),
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// No retries: every request is tried once.
    pub fn never() -> Self {
        RetryPolicy::default().max_attempts(1)
    }

    /// At most `attempts` attempts in all, the first included (at least 1).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The most time a request may take, all attempts and waits included.
    pub fn max_elapsed(mut self, total: Duration) -> Self {
        self.max_elapsed = total;
        self
    }

    /// The backoff before the first retry (before jitter), and the most any backoff may be.
    /// A `Retry-After` from the service replaces the backoff, even when it is longer.
    pub fn backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.initial_backoff = initial;
        self.max_backoff = max.max(initial);
        self
    }

    /// The backoff before retry number `retry` (1 for the first): a random time between half
    /// and all of `initial_backoff × 2^(retry − 1)`, capped at `max_backoff`.
    fn backoff_for(&self, retry: u32) -> Duration {
        let factor = 2u32.saturating_pow(retry.saturating_sub(1));
        let full = self
            .initial_backoff
            .saturating_mul(factor)
            .min(self.max_backoff);
        full / 2 + full.mul_f64(random_unit() / 2.0)
    }
}

/// A number in `[0, 1)` that differs from call to call, for jitter (not for cryptography).
fn random_unit() -> f64 {
    use std::collections::hash_map::RandomState;
    use std::hash::{BuildHasher, Hasher};
    // Every `RandomState` has its own keys, so the hash of the same input differs per call.
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |since| since.as_nanos()),
    );
    (hasher.finish() >> 11) as f64 / (1u64 << 53) as f64
}

/// Everything that can go wrong when the [`Client`] sends a request.
///
/// No variant holds the token, and none shows it.
#[derive(Debug)]
#[non_exhaustive]
pub enum TransportError {
    /// The request could not be built, the service answered outside 2xx (after any retries:
    /// [`Error::Service`], with its status, Graph error and `Retry-After`), or the answer did
    /// not parse.
    Graph(Error),
    /// The token provider failed, or gave a token that is not a valid header value.
    Token(BoxError),
    /// The URL is not one the client sends a token to: not an absolute `https` URL (or `http`
    /// to a loopback address).
    InsecureUrl {
        /// The URL of the request.
        url: String,
    },
    /// No connection could be made; nothing was sent.
    Connect {
        /// The URL of the request.
        url: String,
        /// Why the connection failed.
        source: reqwest::Error,
    },
    /// The connection failed after the request was sent, or while the answer was read; the
    /// service may have processed the request.
    Connection {
        /// The method of the request.
        method: http::Method,
        /// The URL of the request.
        url: String,
        /// Why the connection failed.
        source: reqwest::Error,
    },
    /// The attempt did not complete in time; the service may have processed the request.
    Timeout {
        /// The method of the request.
        method: http::Method,
        /// The URL of the request.
        url: String,
        /// How long the attempt was allowed to take.
        after: Duration,
    },
    /// The HTTP client could not be set up.
    Build(BoxError),
}

impl TransportError {
    /// The service's non-2xx answer, when that is what this error is.
    pub fn service(&self) -> Option<&ServiceError> {
        match self {
            TransportError::Graph(Error::Service(service)) => Some(service),
            _ => None,
        }
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TransportError::Graph(error) => fmt::Display::fmt(error, f),
            TransportError::Token(source) => write!(f, "could not get an access token: {source}"),
            TransportError::InsecureUrl { url } => write!(
                f,
                "not sending a token to `{url}`: only https URLs (or http to a loopback address) are allowed"
            ),
            TransportError::Connect { url, source } => {
                write!(f, "could not connect for `{url}`: {}", Chain(source))
            }
            TransportError::Connection {
                method,
                url,
                source,
            } => write!(
                f,
                "the connection failed during `{method} {url}`: {}",
                Chain(source)
            ),
            TransportError::Timeout { method, url, after } => {
                write!(f, "`{method} {url}` did not complete within {after:?}")
            }
            TransportError::Build(source) => {
                write!(f, "could not set up the HTTP client: {source}")
            }
        }
    }
}

/// Writes an error and its sources, `: `-separated (a `reqwest` error alone says only
/// "error sending request"; the reason is in its sources).
struct Chain<'a>(&'a (dyn std::error::Error + 'static));

impl fmt::Display for Chain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)?;
        let mut source = self.0.source();
        while let Some(error) = source {
            write!(f, ": {error}")?;
            source = error.source();
        }
        Ok(())
    }
}

impl std::error::Error for TransportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            TransportError::Graph(error) => error.source(),
            TransportError::Token(source) | TransportError::Build(source) => Some(&**source),
            TransportError::Connect { source, .. } | TransportError::Connection { source, .. } => {
                Some(source)
            }
            TransportError::InsecureUrl { .. } | TransportError::Timeout { .. } => None,
        }
    }
}

impl From<Error> for TransportError {
    fn from(error: Error) -> Self {
        TransportError::Graph(error)
    }
}

/// Sets up a [`Client`]: timeouts, retries, proxies, or an HTTP client of your own.
pub struct ClientBuilder {
    tokens: Arc<dyn TokenProvider>,
    timeout: Duration,
    connect_timeout: Duration,
    retry: RetryPolicy,
    no_proxy: bool,
    http: Option<reqwest::Client>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("retry", &self.retry)
            .field("no_proxy", &self.no_proxy)
            .field("own_http_client", &self.http.is_some())
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// The most one attempt may take, from connecting until the whole answer is read
    /// (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The most making a connection may take (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// When to try again ([`RetryPolicy::default`] unless set).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Ignores the proxies named by the environment (`HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY`),
    /// which are used otherwise.
    pub fn no_proxy(mut self) -> Self {
        self.no_proxy = true;
        self
    }

    /// Sends through `http`, an HTTP client you set up (proxies, TLS roots or client
    /// certificates, connection pool, default headers), instead of the one this builder makes.
    /// Start from [`http_client_builder`] (rustls, no redirects), or build it with the
    /// [`reqwest`] re-exported here and a TLS backend of your own.
    ///
    /// The token, retries and per-attempt [`timeout`](ClientBuilder::timeout) stay this
    /// client's; [`connect_timeout`](ClientBuilder::connect_timeout) and
    /// [`no_proxy`](ClientBuilder::no_proxy) do not apply (they are `http`'s to set). So is its
    /// redirect policy: build it with `.redirect(reqwest::redirect::Policy::none())` to keep
    /// the rule that no request with the token is sent to where a redirect points (`reqwest`'s
    /// default follows up to 10, and drops the `Authorization` header on another host).
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    /// The client.
    ///
    /// # Errors
    ///
    /// [`TransportError::Build`] when TLS or the HTTP client cannot be set up (for example the
    /// platform's root certificates cannot be read).
    pub fn build(self) -> Result<Client, TransportError> {
        let http = match self.http {
            Some(http) => http,
            None => {
                let http = http_client_builder()?.connect_timeout(self.connect_timeout);
                let http = if self.no_proxy { http.no_proxy() } else { http };
                http.build()
                    .map_err(|error| TransportError::Build(error.into()))?
            }
        };
        Ok(Client {
            http,
            tokens: self.tokens,
            timeout: self.timeout,
            retry: self.retry,
        })
    }
}

/// The `reqwest` client builder the transport starts from: rustls with the `ring` provider and
/// the platform's certificate verifier (no OpenSSL), HTTP/1.1, no redirects followed, and this
/// crate's `User-Agent`. Add what you need (proxies, timeouts, default headers, or your own
/// TLS roots with `tls_backend_preconfigured` and a [`rustls`] config) and pass the client to
/// [`ClientBuilder::http_client`].
///
/// # Errors
///
/// [`TransportError::Build`] when the platform's certificate verifier cannot be set up.
pub fn http_client_builder() -> Result<reqwest::ClientBuilder, TransportError> {
    use rustls_platform_verifier::BuilderVerifierExt as _;

    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|error| TransportError::Build(error.into()))?
        .with_platform_verifier()
        .map_err(|error| TransportError::Build(error.into()))?
        .with_no_client_auth();
    tls.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!(
            env!("CARGO_PKG_NAME"),
            "/",
            env!("CARGO_PKG_VERSION")
        )))
}

/// Sends [`Operation`]s and reads their typed results. Cloning is cheap: clones share the
/// connection pool and the token provider.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    tokens: Arc<dyn TokenProvider>,
    timeout: Duration,
    retry: RetryPolicy,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

/// Whether an upload goes on after `error` by asking the session what it still expects: the
/// slice may not have arrived (the connection failed, the service had a `5xx`), or arrived
/// already (`416`).
fn resumable(error: &TransportError) -> bool {
    match error {
        TransportError::Connect { .. }
        | TransportError::Connection { .. }
        | TransportError::Timeout { .. } => true,
        TransportError::Graph(Error::Service(service)) => {
            service.status().is_server_error() || service.status().as_u16() == 416
        }
        _ => false,
    }
}

/// Whether a request carries the caller's token.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Token {
    /// In the `Authorization` header.
    Send,
    /// Not at all: the URL is outside the service root.
    Withhold,
}

/// What one attempt came to, before the retry decision.
enum Attempt {
    /// An answer, whatever its status.
    Answered(http::Response<Vec<u8>>),
    /// A failure that no retry can help.
    Failed(TransportError),
    /// No connection was made; nothing was sent.
    NotSent(TransportError),
    /// The request may have reached the service.
    MaybeSent(TransportError),
}

impl Client {
    /// A client with the default settings (30 s timeout, [`RetryPolicy::default`]).
    ///
    /// # Errors
    ///
    /// As [`ClientBuilder::build`].
    pub fn new(tokens: impl TokenProvider + 'static) -> Result<Client, TransportError> {
        Client::builder(tokens).build()
    }

    /// Starts setting up a client that gets its tokens from `tokens`.
    pub fn builder(tokens: impl TokenProvider + 'static) -> ClientBuilder {
        ClientBuilder {
            tokens: Arc::new(tokens),
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            retry: RetryPolicy::default(),
            no_proxy: false,
            http: None,
        }
    }

    /// Sends `operation` (retrying as the [`RetryPolicy`] allows) and reads its result.
    ///
    /// # Errors
    ///
    /// [`TransportError::Graph`] when the request cannot be built, the service answers outside
    /// 2xx ([`Error::Service`]) or the answer does not parse; the other variants when the
    /// token, the URL, the connection or the time runs out.
    pub async fn send<T: DeserializeOwned>(
        &self,
        operation: &Operation<T>,
    ) -> Result<T, TransportError> {
        let response = self.answer_to(operation).await?;
        Ok(operation.parse_response(response)?)
    }

    /// The answer to `operation`, traced under its path template.
    async fn answer_to<T>(
        &self,
        operation: &Operation<T>,
    ) -> Result<http::Response<Vec<u8>>, TransportError> {
        let request = operation.to_http_request()?;
        let template = operation.path().template();
        self.execute_as(request, Some(&template)).await
    }

    /// Sends a batch (retrying the `$batch` request itself as [`Client::send`] does) and reads
    /// its answer. Items answered `429` or `503` (not processed), and the items that failed
    /// with `424` because they depend on one of those, are sent again in a new batch after the
    /// longest `Retry-After` they ask for (or the policy's backoff), within the
    /// [`RetryPolicy`]'s attempts and time; other items are never sent twice. The answer holds
    /// each item's last response: read it with [`BatchItem::result`](crate::BatchItem::result).
    ///
    /// # Errors
    ///
    /// As [`Client::send`] for the `$batch` requests ([`Error::EmptyBatch`] for an empty one).
    pub async fn send_batch(
        &self,
        batch: &crate::Batch,
    ) -> Result<crate::BatchResponse, TransportError> {
        let start = Instant::now();
        let policy = self.retry;
        let answer = self
            .execute_as(batch.to_http_request()?, Some("/$batch"))
            .await?;
        let mut response = batch.parse_response(answer)?;
        let mut attempt = 1;
        while let Some((again, asked_wait)) = batch.retry_of(&response) {
            let wait = asked_wait.unwrap_or_else(|| policy.backoff_for(attempt));
            if attempt >= policy.max_attempts
                || start.elapsed().saturating_add(wait) >= policy.max_elapsed
            {
                break;
            }
            tokio::time::sleep(wait).await;
            attempt += 1;
            let answer = self
                .execute_as(again.to_http_request()?, Some("/$batch"))
                .await?;
            response.merge(again.parse_response(answer)?);
        }
        Ok(response)
    }

    /// Sends [`Batches`](crate::Batches) one batch after another, each as
    /// [`Client::send_batch`] does, and returns their answers in the same order (read each
    /// item's result with [`BatchesItem::result`](crate::BatchesItem::result)).
    ///
    /// # Errors
    ///
    /// As [`Client::send_batch`], for the first batch that fails; the batches after it are not
    /// sent.
    pub async fn send_batches(
        &self,
        batches: &crate::Batches,
    ) -> Result<Vec<crate::BatchResponse>, TransportError> {
        let mut responses = Vec::with_capacity(batches.batches().len());
        for batch in batches.batches() {
            responses.push(self.send_batch(batch).await?);
        }
        Ok(responses)
    }

    /// Reads every page of a collection, following `@odata.nextLink`, and returns all items.
    ///
    /// # Errors
    ///
    /// As [`Client::send`] for any page, and (in [`TransportError::Graph`])
    /// [`Error::ForeignNextLink`] for a next link outside the service root or
    /// [`Error::RepeatedNextLink`] for one that comes back.
    pub async fn list_all<T: DeserializeOwned>(
        &self,
        first: Operation<Page<T>>,
    ) -> Result<Vec<T>, TransportError> {
        let mut items = Vec::new();
        let mut operation = first;
        loop {
            let page = self.send(&operation).await?;
            let next = operation.next_page(&page);
            items.extend(page.value);
            match next {
                None => return Ok(items),
                Some(next) => operation = next?,
            }
        }
    }

    /// Reads one round of a delta query (see the `delta` module): `first` (from
    /// `DeltaRequest::changes` or `DeltaRequest::resume`), then every page its next links lead
    /// to, until the page with the `@odata.deltaLink`. Store the round's link to resume from.
    ///
    /// # Errors
    ///
    /// As [`Client::list_all`], and (in [`TransportError::Graph`]) [`Error::MissingDeltaLink`]
    /// when the last page has no delta link.
    pub async fn delta_round<T: DeserializeOwned>(
        &self,
        first: Operation<Page<Change<T>>>,
    ) -> Result<DeltaRound<T>, TransportError> {
        let mut changes = Vec::new();
        let mut operation = first;
        let mut pages = 0;
        loop {
            let page = self.send(&operation).await?;
            pages += 1;
            let next = operation.next_page(&page);
            changes.extend(page.value);
            if let Some(link) = page.delta_link {
                return Ok(DeltaRound { changes, link });
            }
            match next {
                None => return Err(Error::MissingDeltaLink { pages }.into()),
                Some(next) => operation = next?,
            }
        }
    }

    /// Sends `operation`, which starts a long-running operation, and reads the `202 Accepted`
    /// (see the `monitor` module); then [`Client::wait_for`] it.
    ///
    /// # Errors
    ///
    /// As [`Client::send`], and (in [`TransportError::Graph`]) [`Error::NotAccepted`] for an
    /// answer that is not `202` with a `Location`.
    pub async fn start<T>(&self, operation: &Operation<T>) -> Result<Accepted, TransportError> {
        let response = self.answer_to(operation).await?;
        Ok(operation.parse_accepted(response)?)
    }

    /// Asks the monitor of an accepted operation how far it is, waiting between questions as
    /// long as the service asks (`Retry-After`, else one second), and calls `on_progress` with
    /// every answer, until the operation ends. The token goes with the questions only when the
    /// monitor is inside the service root ([`Accepted::sends_token`]).
    ///
    /// # Errors
    ///
    /// [`Error::OperationFailed`] (in [`TransportError::Graph`]) when the operation ends
    /// without doing its work, [`TransportError::Timeout`] when it has not ended after
    /// `max_wait`, and as [`Client::execute`] for each question.
    pub async fn wait_for(
        &self,
        accepted: &Accepted,
        max_wait: Duration,
        mut on_progress: impl FnMut(&Progress),
    ) -> Result<Completed, TransportError> {
        let start = Instant::now();
        let mut wait = accepted.retry_after().unwrap_or_default();
        loop {
            if start.elapsed().saturating_add(wait) > max_wait {
                return Err(TransportError::Timeout {
                    method: http::Method::GET,
                    url: accepted.location().to_string(),
                    after: max_wait,
                });
            }
            tokio::time::sleep(wait).await;
            let request = accepted.poll_request()?;
            let response = if accepted.sends_token() {
                self.execute_as(request, Some("(monitor)")).await?
            } else {
                self.execute_without_token(request).await?
            };
            wait = accepted.next_wait(response.headers());
            let progress = Progress::from_response(response)?;
            on_progress(&progress);
            match progress {
                Progress::Running { .. } => {}
                Progress::Succeeded(completed) => return Ok(completed),
                Progress::Failed { status, message } => {
                    return Err(Error::OperationFailed { status, message }.into());
                }
            }
        }
    }

    /// Uploads `content` through an upload session (see the `upload` module) and returns what
    /// the service answered to the last slice: the created item (a drive item), its `Location`
    /// (an Outlook attachment, answered without a body), or both. Slices go to the session's URL without the token. A slice that fails
    /// (the connection drops, a `5xx`, or `416` for a range the service already has) is not
    /// sent blindly again: the session is asked which ranges it still expects and the upload
    /// goes on from there, up to the [`RetryPolicy`]'s attempts in a row.
    ///
    /// # Errors
    ///
    /// As [`Client::execute`] for each request; [`TransportError::Graph`] with the service's
    /// error when a slice keeps failing or the session has expired, or
    /// [`Error::InvalidUpload`] when `content` is not the upload's size.
    pub async fn upload<T: DeserializeOwned>(
        &self,
        mut upload: Upload<T>,
        content: &[u8],
    ) -> Result<Uploaded<T>, TransportError> {
        let mut failures = 0;
        loop {
            let Some(request) = upload.next_request(content)? else {
                return Err(Error::InvalidUpload(
                    "the service took every byte but answered with no item".to_string(),
                )
                .into());
            };
            let step = match self.execute_without_token(request).await {
                Ok(response) => upload.read_response(response).map_err(TransportError::from),
                Err(error) => Err(error),
            };
            match step {
                Ok(Step::Done(uploaded)) => return Ok(uploaded),
                Ok(Step::Continue) => failures = 0,
                Err(error) if resumable(&error) && failures + 1 < self.retry.max_attempts => {
                    failures += 1;
                    let status = self.execute_without_token(upload.status_request()?).await?;
                    upload.read_status(status)?;
                }
                Err(error) => return Err(error),
            }
        }
    }

    /// Cancels an upload: deletes its session.
    ///
    /// # Errors
    ///
    /// As [`Client::execute`], and [`TransportError::Graph`] with the service's error when it
    /// refuses.
    pub async fn cancel_upload<T: DeserializeOwned>(
        &self,
        upload: &Upload<T>,
    ) -> Result<(), TransportError> {
        let response = self.execute_without_token(upload.cancel_request()?).await?;
        if response.status().is_success() {
            Ok(())
        } else {
            let (parts, body) = response.into_parts();
            Err(Error::service(parts.status, parts.headers, body).into())
        }
    }

    /// The pages of a collection, one request each, following `@odata.nextLink`: a
    /// [`Stream`](futures_core::Stream), or call [`Pages::next`].
    pub fn pages<T>(&self, first: Operation<Page<T>>) -> Pages<T> {
        Pages {
            client: self.clone(),
            next: Some(first),
            pending_error: None,
            in_flight: None,
        }
    }

    /// Sends any request with the token, timeouts and retries of this client, and returns the
    /// answer whatever its status (after any retries). An `Authorization` header in `request`
    /// is replaced.
    ///
    /// # Errors
    ///
    /// Every [`TransportError`] but [`TransportError::Graph`] and [`TransportError::Build`].
    pub async fn execute(
        &self,
        request: http::Request<Vec<u8>>,
    ) -> Result<http::Response<Vec<u8>>, TransportError> {
        self.execute_as(request, None).await
    }

    /// [`Client::execute`], traced (feature `tracing`) as one operation whose path, without
    /// keys or arguments, is `template` (`None` for a request built elsewhere).
    async fn execute_as(
        &self,
        request: http::Request<Vec<u8>>,
        template: Option<&str>,
    ) -> Result<http::Response<Vec<u8>>, TransportError> {
        let span = trace::operation(request.method(), template);
        trace::instrument(&span, self.execute_traced(request, &span, Token::Send)).await
    }

    /// [`Client::execute`] without the token (an `Authorization` header in `request` is
    /// removed), for a URL outside the service root that the service made pre-authenticated.
    async fn execute_without_token(
        &self,
        request: http::Request<Vec<u8>>,
    ) -> Result<http::Response<Vec<u8>>, TransportError> {
        let span = trace::operation(request.method(), Some("(outside the service root)"));
        trace::instrument(&span, self.execute_traced(request, &span, Token::Withhold)).await
    }

    async fn execute_traced(
        &self,
        request: http::Request<Vec<u8>>,
        span: &trace::Span,
        token: Token,
    ) -> Result<http::Response<Vec<u8>>, TransportError> {
        let start = Instant::now();
        let (parts, body) = request.into_parts();
        let url = checked_url(&parts.uri)?;
        let idempotent = is_idempotent(&parts.method);
        let policy = self.retry;
        let mut attempt = 1;
        // The time spent waiting between attempts, for the span.
        let mut waited = std::time::Duration::ZERO;
        loop {
            let remaining = policy.max_elapsed.saturating_sub(start.elapsed());
            let timeout = self.timeout.min(remaining);
            let outcome = self.attempt(&parts, &body, &url, timeout, token).await;
            let (retryable, asked_wait) = match &outcome {
                Attempt::Answered(response) => {
                    let status = response.status();
                    let retryable = match status.as_u16() {
                        429 | 503 => true,
                        504 => idempotent,
                        _ => false,
                    };
                    let asked = retryable
                        .then(|| crate::error::retry_after(response.headers()))
                        .flatten();
                    (retryable, asked)
                }
                Attempt::NotSent(_) => (true, None),
                Attempt::MaybeSent(_) => (idempotent, None),
                Attempt::Failed(_) => (false, None),
            };
            if retryable && attempt < policy.max_attempts {
                let wait = asked_wait.unwrap_or_else(|| policy.backoff_for(attempt));
                if start.elapsed().saturating_add(wait) < policy.max_elapsed {
                    trace::retry(attempt, wait, &outcome);
                    tokio::time::sleep(wait).await;
                    waited += wait;
                    attempt += 1;
                    continue;
                }
            }
            trace::finish(span, attempt, waited, &outcome);
            return match outcome {
                Attempt::Answered(response) => Ok(response),
                Attempt::Failed(error) | Attempt::NotSent(error) | Attempt::MaybeSent(error) => {
                    Err(error)
                }
            };
        }
    }

    /// One attempt: a fresh token (unless withheld), the request, the whole answer.
    async fn attempt(
        &self,
        parts: &http::request::Parts,
        body: &[u8],
        url: &reqwest::Url,
        timeout: Duration,
        token: Token,
    ) -> Attempt {
        let mut request = reqwest::Request::new(parts.method.clone(), url.clone());
        *request.headers_mut() = parts.headers.clone();
        request.headers_mut().remove(http::header::AUTHORIZATION);
        if token == Token::Send {
            let token = match self.tokens.token().await {
                Ok(token) => token,
                Err(error) => return Attempt::Failed(TransportError::Token(error)),
            };
            let Ok(mut authorization) =
                http::HeaderValue::try_from(format!("Bearer {}", token.secret()))
            else {
                return Attempt::Failed(TransportError::Token(
                    "the token has characters that a header cannot hold".into(),
                ));
            };
            authorization.set_sensitive(true);
            request
                .headers_mut()
                .insert(http::header::AUTHORIZATION, authorization);
        }
        // Graph wants a length on every POST, PUT and PATCH, even an empty one.
        if !body.is_empty() || has_body(&parts.method) {
            *request.body_mut() = Some(body.to_vec().into());
        }
        *request.timeout_mut() = Some(timeout);

        let failure = |error: reqwest::Error| {
            if error.is_connect() {
                Attempt::NotSent(TransportError::Connect {
                    url: url.to_string(),
                    source: error.without_url(),
                })
            } else if error.is_timeout() {
                Attempt::MaybeSent(TransportError::Timeout {
                    method: parts.method.clone(),
                    url: url.to_string(),
                    after: timeout,
                })
            } else {
                Attempt::MaybeSent(TransportError::Connection {
                    method: parts.method.clone(),
                    url: url.to_string(),
                    source: error.without_url(),
                })
            }
        };
        let response = match self.http.execute(request).await {
            Ok(response) => response,
            Err(error) => return failure(error),
        };
        let status = response.status();
        let headers = response.headers().clone();
        let body = match response.bytes().await {
            Ok(body) => body.to_vec(),
            Err(error) => return failure(error),
        };
        let mut answer = http::Response::new(body);
        *answer.status_mut() = status;
        *answer.headers_mut() = headers;
        Attempt::Answered(answer)
    }
}

/// What the `tracing` feature records: one span per operation (`graph.request`, with `method`,
/// `path` without keys or arguments, and, once answered, `status`, `attempts`, `retry_wait_ms`
/// (the time waited between attempts) and `request_id`),
/// and an event per retry (`attempt`, `wait_ms`, `reason`). Never the token, a query option, a
/// key or a body. Without the feature every function here does nothing.
mod trace {
    use std::time::Duration;

    use super::Attempt;

    #[cfg(feature = "tracing")]
    pub(super) type Span = tracing::Span;
    /// Nothing to record into, without the feature.
    #[cfg(not(feature = "tracing"))]
    pub(super) struct Span;

    /// The span of one operation.
    pub(super) fn operation(method: &http::Method, template: Option<&str>) -> Span {
        #[cfg(feature = "tracing")]
        {
            tracing::info_span!(
                "graph.request",
                method = %method,
                path = template.unwrap_or("(a request built elsewhere)"),
                status = tracing::field::Empty,
                attempts = tracing::field::Empty,
                retry_wait_ms = tracing::field::Empty,
                request_id = tracing::field::Empty,
            )
        }
        #[cfg(not(feature = "tracing"))]
        {
            let _ = (method, template);
            Span
        }
    }

    /// `future` inside `span`.
    pub(super) async fn instrument<F: std::future::Future>(span: &Span, future: F) -> F::Output {
        #[cfg(feature = "tracing")]
        {
            tracing::Instrument::instrument(future, span.clone()).await
        }
        #[cfg(not(feature = "tracing"))]
        {
            let Span = span;
            future.await
        }
    }

    /// Why an attempt is repeated: the status, or what went wrong with the connection.
    fn reason(outcome: &Attempt) -> String {
        match outcome {
            Attempt::Answered(response) => response.status().as_u16().to_string(),
            Attempt::NotSent(_) => "no connection".to_string(),
            Attempt::MaybeSent(super::TransportError::Timeout { .. }) => "timeout".to_string(),
            Attempt::MaybeSent(_) => "connection dropped".to_string(),
            Attempt::Failed(_) => "failed".to_string(),
        }
    }

    /// An attempt that is repeated after `wait`.
    pub(super) fn retry(attempt: u32, wait: Duration, outcome: &Attempt) {
        #[cfg(feature = "tracing")]
        tracing::info!(
            attempt,
            wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
            reason = %reason(outcome),
            "retrying"
        );
        #[cfg(not(feature = "tracing"))]
        let _ = (attempt, wait, reason(outcome));
    }

    /// The operation's last attempt: its status (or failure), the attempts, the time waited
    /// between them, and the service's request id.
    pub(super) fn finish(span: &Span, attempts: u32, waited: Duration, outcome: &Attempt) {
        #[cfg(feature = "tracing")]
        {
            span.record("attempts", attempts);
            span.record(
                "retry_wait_ms",
                u64::try_from(waited.as_millis()).unwrap_or(u64::MAX),
            );
            match outcome {
                Attempt::Answered(response) => {
                    span.record("status", response.status().as_u16());
                    if let Some(id) = response
                        .headers()
                        .get("request-id")
                        .and_then(|id| id.to_str().ok())
                    {
                        span.record("request_id", id);
                    }
                }
                other => {
                    span.record("status", reason(other).as_str());
                }
            }
        }
        #[cfg(not(feature = "tracing"))]
        let _ = (span, attempts, waited, outcome);
    }
}

/// The request's URL, when the client may send a token to it: `https`, or `http` to a loopback
/// address.
fn checked_url(uri: &http::Uri) -> Result<reqwest::Url, TransportError> {
    let text = uri.to_string();
    let insecure = || TransportError::InsecureUrl { url: text.clone() };
    let url = reqwest::Url::parse(&text).map_err(|_| insecure())?;
    let allowed = match url.scheme() {
        "https" => true,
        "http" => url.host_str().is_some_and(|host| {
            let address = host.trim_start_matches('[').trim_end_matches(']');
            host.eq_ignore_ascii_case("localhost")
                || address.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
        }),
        _ => false,
    };
    if allowed { Ok(url) } else { Err(insecure()) }
}

/// Whether repeating the request has the same effect as sending it once (RFC 9110, 9.2.2).
fn is_idempotent(method: &http::Method) -> bool {
    [
        http::Method::GET,
        http::Method::HEAD,
        http::Method::OPTIONS,
        http::Method::PUT,
        http::Method::DELETE,
    ]
    .contains(method)
}

/// Whether the method carries a body (and so a `Content-Length`, even of 0).
fn has_body(method: &http::Method) -> bool {
    [http::Method::POST, http::Method::PUT, http::Method::PATCH].contains(method)
}

/// The future of the page being read.
type PageFuture<T> = Pin<
    Box<
        dyn Future<Output = (Operation<Page<T>>, Result<Page<T>, TransportError>)> + Send + 'static,
    >,
>;

/// The pages of a collection, from [`Client::pages`]: each page is read when it is asked for.
///
/// After an error the stream ends. A next link outside the service root, or one already
/// followed, is not followed: the page that carries it is given, then
/// [`Error::ForeignNextLink`] or [`Error::RepeatedNextLink`], then the end.
#[must_use = "a stream does nothing unless polled"]
pub struct Pages<T> {
    client: Client,
    next: Option<Operation<Page<T>>>,
    pending_error: Option<TransportError>,
    in_flight: Option<PageFuture<T>>,
}

impl<T> fmt::Debug for Pages<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pages")
            .field("next", &self.next)
            .field("reading", &self.in_flight.is_some())
            .finish_non_exhaustive()
    }
}

impl<T: DeserializeOwned + Send + 'static> Pages<T> {
    /// The next page, or `None` after the last one (or after an error).
    pub async fn next(&mut self) -> Option<Result<Page<T>, TransportError>> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next_page(cx)).await
    }

    fn poll_next_page(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Page<T>, TransportError>>> {
        if let Some(error) = self.pending_error.take() {
            return Poll::Ready(Some(Err(error)));
        }
        if self.in_flight.is_none() {
            let Some(operation) = self.next.take() else {
                return Poll::Ready(None);
            };
            let client = self.client.clone();
            self.in_flight = Some(Box::pin(async move {
                let result = client.send(&operation).await;
                (operation, result)
            }));
        }
        let Some(in_flight) = self.in_flight.as_mut() else {
            return Poll::Ready(None);
        };
        let Poll::Ready((operation, result)) = in_flight.as_mut().poll(cx) else {
            return Poll::Pending;
        };
        self.in_flight = None;
        Poll::Ready(Some(result.inspect(
            |page| match operation.next_page(page) {
                None => {}
                Some(Ok(next)) => self.next = Some(next),
                Some(Err(error)) => self.pending_error = Some(error.into()),
            },
        )))
    }
}

impl<T: DeserializeOwned + Send + 'static> futures_core::Stream for Pages<T> {
    type Item = Result<Page<T>, TransportError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_next_page(cx)
    }
}

#[cfg(all(test, msgraph_runtime))]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_jitter_and_is_capped() {
        let policy =
            RetryPolicy::default().backoff(Duration::from_millis(100), Duration::from_millis(350));
        for _ in 0..50 {
            let first = policy.backoff_for(1);
            assert!(
                first >= Duration::from_millis(50) && first <= Duration::from_millis(100),
                "{first:?}"
            );
            let second = policy.backoff_for(2);
            assert!(
                second >= Duration::from_millis(100) && second <= Duration::from_millis(200),
                "{second:?}"
            );
            let capped = policy.backoff_for(30);
            assert!(
                capped >= Duration::from_millis(175) && capped <= Duration::from_millis(350),
                "{capped:?}"
            );
        }
        let samples: std::collections::BTreeSet<Duration> =
            (0..20).map(|_| policy.backoff_for(3)).collect();
        assert!(samples.len() > 1, "the backoff is jittered: {samples:?}");
    }

    #[test]
    fn policies_are_bounded() {
        assert_eq!(RetryPolicy::never().max_attempts, 1);
        assert_eq!(RetryPolicy::default().max_attempts(0).max_attempts, 1);
        let policy = RetryPolicy::default().backoff(Duration::from_secs(2), Duration::from_secs(1));
        assert_eq!(policy.max_backoff, Duration::from_secs(2));
    }

    #[test]
    fn only_safe_methods_are_idempotent() {
        for method in ["GET", "HEAD", "OPTIONS", "PUT", "DELETE"] {
            assert!(is_idempotent(&method.parse().unwrap()), "{method}");
        }
        for method in ["POST", "PATCH"] {
            assert!(!is_idempotent(&method.parse().unwrap()), "{method}");
        }
    }

    #[test]
    fn tokens_go_only_to_https_or_loopback() {
        for allowed in [
            "https://graph.microsoft.com/v1.0/me",
            "http://127.0.0.1:8080/v1.0/me",
            "http://127.8.9.10/v1.0",
            "http://localhost:1/x",
            "http://[::1]:8080/v1.0",
        ] {
            assert!(checked_url(&allowed.parse().unwrap()).is_ok(), "{allowed}");
        }
        for refused in [
            "http://graph.microsoft.com/v1.0/me",
            "http://10.0.0.1/v1.0",
            "http://localhost.example/v1.0",
            "ftp://graph.microsoft.com/v1.0",
        ] {
            let error = checked_url(&refused.parse().unwrap()).unwrap_err();
            assert!(
                matches!(error, TransportError::InsecureUrl { ref url } if url.starts_with(refused)),
                "{refused}: {error:?}"
            );
        }
    }

    #[test]
    fn tokens_are_redacted() {
        let token = AccessToken::new("very-secret");
        assert_eq!(token.secret(), "very-secret");
        assert_eq!(format!("{token:?}"), "AccessToken(<redacted>)");
        let provider = StaticToken::new("very-secret");
        assert_eq!(format!("{provider:?}"), "StaticToken(<redacted>)");
        assert_eq!(AccessToken::from("a"), AccessToken::from(String::from("a")));
    }
}
