//! The transport (cargo feature `transport`) against a real HTTP/1.1 server on 127.0.0.1 that
//! serves the seed's assignment endpoints (`transport_server`): typed results, paging, Graph's
//! errors, retries, timeouts, and the token kept out of every output. The crate's examples run
//! here too.
//!
//! This file is hand-written in `metadata/tests/transport.rs` and copied into the generated
//! crate by `cargo xtask codegen`: edit it there.
#![cfg(feature = "transport")]

mod transport_server;

// The examples' `main` is for `cargo run --example`; these tests call their `run`.
#[allow(dead_code)]
#[path = "../examples/assign_configuration.rs"]
mod assign_configuration;
#[allow(dead_code)]
#[path = "../examples/create_assignment.rs"]
mod create_assignment;
#[allow(dead_code)]
#[path = "../examples/create_assignments_in_batches.rs"]
mod create_assignments_in_batches;
#[allow(dead_code)]
#[path = "../examples/delete_assignment.rs"]
mod delete_assignment;
#[allow(dead_code)]
#[path = "../examples/list_assignments.rs"]
mod list_assignments;
#[allow(dead_code)]
#[path = "../examples/patch_assignment.rs"]
mod patch_assignment;
#[allow(dead_code)]
#[path = "../examples/sync_permission_grants.rs"]
mod sync_permission_grants;
#[allow(dead_code)]
#[path = "../examples/upload_content.rs"]
mod upload_content;

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use msgraph::Model;

use msgraph::models::{
    AllLicensedUsersAssignmentTarget, DeviceAndAppManagementAssignmentTarget,
    GroupAssignmentTarget, ManagedDeviceMobileAppConfigurationAssignment,
};
use msgraph::requests::{
    ManagedDeviceMobileAppConfigurationAssignParameters,
    ManagedDeviceMobileAppConfigurationAssignmentCollectionRequest,
};
use msgraph::transport::{
    AccessToken, BoxError, Client, RetryPolicy, StaticToken, TokenProvider, TransportError,
};
use msgraph::{Error, Graph};
use serde_json::{Value, json};
use transport_server::{CONFIGURATION, Fault, TOKEN, TestServer};

fn block_on<F: Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
        .block_on(future)
}

/// Up to 3 attempts with short backoffs, so that the tests stay fast.
fn quick_retries() -> RetryPolicy {
    RetryPolicy::default()
        .max_attempts(3)
        .max_elapsed(Duration::from_secs(10))
        .backoff(Duration::from_millis(10), Duration::from_millis(40))
}

fn client_with(tokens: impl TokenProvider + 'static, timeout: Duration) -> Client {
    Client::builder(tokens)
        .no_proxy()
        .timeout(timeout)
        .retry(quick_retries())
        .build()
        .expect("a client")
}

fn client() -> Client {
    client_with(StaticToken::new(TOKEN), Duration::from_secs(5))
}

/// A provider of the right token that counts how often it is asked.
fn counting_tokens(calls: &Arc<AtomicUsize>) -> impl TokenProvider + 'static {
    let calls = Arc::clone(calls);
    move || {
        calls.fetch_add(1, Ordering::SeqCst);
        async { Ok::<_, BoxError>(AccessToken::new(TOKEN)) }
    }
}

fn assignments(
    server: &TestServer,
) -> ManagedDeviceMobileAppConfigurationAssignmentCollectionRequest {
    Graph::with_base_url(server.base_url())
        .device_app_management()
        .mobile_app_configurations()
        .by_id(CONFIGURATION)
        .assignments()
}

fn for_group(group_id: &str) -> ManagedDeviceMobileAppConfigurationAssignment {
    ManagedDeviceMobileAppConfigurationAssignment::default()
        .with(|assignment| assignment.target = Some(group_target(group_id)))
}

fn group_target(group_id: &str) -> DeviceAndAppManagementAssignmentTarget {
    GroupAssignmentTarget::default()
        .with(|target| target.group_id = Some(group_id.to_string()))
        .into()
}

/// The body of the seed's `PATCH`.
fn all_licensed_users() -> ManagedDeviceMobileAppConfigurationAssignment {
    ManagedDeviceMobileAppConfigurationAssignment::default().with(|assignment| {
        assignment.target = Some(AllLicensedUsersAssignmentTarget::default().into())
    })
}

fn methods(server: &TestServer) -> Vec<String> {
    server.requests().into_iter().map(|r| r.method).collect()
}

fn status(error: &TransportError) -> u16 {
    error
        .service()
        .unwrap_or_else(|| panic!("expected a service error, got {error:?}"))
        .status()
        .as_u16()
}

#[test]
fn create_get_patch_list_and_delete_give_typed_results() {
    let server = TestServer::start();
    let client = client();
    let assignments = assignments(&server);
    block_on(async {
        let created = client
            .send(&assignments.create(&for_group("g1")))
            .await
            .unwrap();
        let id = created.id.clone().expect("the service gives the id");
        assert_eq!(created.target, Some(group_target("g1")));

        let read = client.send(&assignments.by_id(&id).get()).await.unwrap();
        assert_eq!(read, created);

        let patch = assignments.by_id(&id).patch(&all_licensed_users());
        let updated = client.send(&patch).await.unwrap();
        assert_eq!(updated.id.as_deref(), Some(id.as_str()));
        assert!(matches!(
            updated.target,
            Some(DeviceAndAppManagementAssignmentTarget::AllLicensedUsersAssignmentTarget(_))
        ));

        let listed = client.list_all(assignments.list()).await.unwrap();
        assert_eq!(listed, [updated]);

        client.send(&assignments.by_id(&id).delete()).await.unwrap();
        let error = client
            .send(&assignments.by_id(&id).get())
            .await
            .unwrap_err();
        assert_eq!(status(&error), 404);
    });
    assert_eq!(
        methods(&server),
        ["POST", "GET", "PATCH", "GET", "DELETE", "GET"]
    );
    let requests = server.requests();
    for request in &requests {
        assert_eq!(
            request.headers["authorization"],
            format!("Bearer {TOKEN}"),
            "{request:?}"
        );
        assert_eq!(request.headers["accept"], "application/json");
        assert!(request.headers["user-agent"].starts_with("msgraph/"));
    }
    let patch = &requests[2];
    assert_eq!(
        patch.target,
        "/v1.0/deviceAppManagement/mobileAppConfigurations/cfg-1/assignments/asg-1"
    );
    assert_eq!(patch.headers["content-type"], "application/json");
    assert_eq!(
        serde_json::from_slice::<Value>(&patch.body).unwrap(),
        json!({"target": {"@odata.type": "#microsoft.graph.allLicensedUsersAssignmentTarget"}})
    );
    assert!(server.assignments(CONFIGURATION).is_empty());
}

#[test]
fn pages_follow_next_links_in_order() {
    let server = TestServer::start();
    let ids: Vec<String> = (1..=5)
        .map(|n| server.seed_assignment(CONFIGURATION, &format!("g{n}")))
        .collect();
    let client = client();
    let list = assignments(&server).list().top(2);
    let (sizes, seen) = block_on(async {
        let mut pages = client.pages(list.clone());
        let mut sizes = Vec::new();
        let mut seen = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page.unwrap();
            sizes.push(page.value.len());
            seen.extend(page.value.into_iter().map(|a| a.id.unwrap()));
        }
        assert!(pages.next().await.is_none(), "the stream stays ended");
        (sizes, seen)
    });
    assert_eq!(sizes, [2, 2, 1]);
    assert_eq!(seen, ids);
    let targets: Vec<String> = server.requests().into_iter().map(|r| r.target).collect();
    let path = "/v1.0/deviceAppManagement/mobileAppConfigurations/cfg-1/assignments";
    assert_eq!(
        targets,
        [
            format!("{path}?$top=2"),
            format!("{path}?$top=2&$skiptoken=2"),
            format!("{path}?$top=2&$skiptoken=4"),
        ]
    );

    let all = block_on(client.list_all(assignments(&server).list())).unwrap();
    let all: Vec<String> = all.into_iter().map(|a| a.id.unwrap()).collect();
    assert_eq!(
        all, ids,
        "list_all reads every page (3 of the default size 2)"
    );
    assert_eq!(server.requests().len(), 6);
}

#[test]
fn pages_are_a_stream() {
    fn assert_stream<S: futures_core::Stream + Send + Unpin>(_: &S) {}
    let server = TestServer::start();
    server.seed_assignment(CONFIGURATION, "g1");
    let client = client();
    let mut pages = client.pages(assignments(&server).list());
    assert_stream(&pages);
    let page = block_on(std::future::poll_fn(|cx| {
        futures_core::Stream::poll_next(std::pin::Pin::new(&mut pages), cx)
    }));
    assert_eq!(page.unwrap().unwrap().value.len(), 1);
}

#[test]
fn a_next_link_outside_the_service_root_is_not_followed() {
    let server = TestServer::start();
    let foreign_page = json!({
        "value": [{"id": "a1", "target": {"@odata.type": "#microsoft.graph.allDevicesAssignmentTarget"}}],
        "@odata.nextLink": "http://127.0.0.2:9/v1.0/deviceAppManagement/mobileAppConfigurations/cfg-1/assignments?$skiptoken=2",
    })
    .to_string();
    let respond = || Fault::Respond {
        status: 200,
        headers: Vec::new(),
        body: foreign_page.clone(),
    };
    server.inject([respond(), respond()]);
    let client = client();
    block_on(async {
        let mut pages = client.pages(assignments(&server).list());
        let first = pages.next().await.unwrap().unwrap();
        assert_eq!(first.value[0].id.as_deref(), Some("a1"));
        let error = pages.next().await.unwrap().unwrap_err();
        assert!(
            matches!(error, TransportError::Graph(Error::ForeignNextLink { .. })),
            "{error:?}"
        );
        assert!(pages.next().await.is_none());

        let error = client
            .list_all(assignments(&server).list())
            .await
            .unwrap_err();
        assert!(
            matches!(error, TransportError::Graph(Error::ForeignNextLink { .. })),
            "{error:?}"
        );
    });
    assert_eq!(server.requests().len(), 2, "one request per listing");
}

#[test]
fn a_next_link_that_a_url_parser_would_resolve_out_of_the_root_is_not_followed() {
    // Each link starts with this server's service root, and each climbs out of it once an HTTP
    // client's URL parser has read it (`\\` as `/`, tabs removed) or a server has decoded it
    // (`%5C`, `%2F`, `.%2E`): none may be sent with the token.
    let server = TestServer::start();
    let root = server.base_url();
    let client = client();
    for climbing in [
        format!("{root}/..\\beta/users"),
        format!("{root}/deviceAppManagement\\..\\..\\beta"),
        format!("{root}/.\t./beta/users"),
        format!("{root}/.%2E/beta/users"),
        format!("{root}/..%5Cbeta/users"),
        format!("{root}/x%2F..%2F..%2Fbeta"),
    ] {
        let page = json!({"value": [], "@odata.nextLink": climbing}).to_string();
        server.inject([Fault::Respond {
            status: 200,
            headers: Vec::new(),
            body: page,
        }]);
        let error = block_on(client.list_all(assignments(&server).list())).unwrap_err();
        assert!(
            matches!(error, TransportError::Graph(Error::ForeignNextLink { .. })),
            "{climbing}: {error:?}"
        );
    }
    let targets: Vec<String> = server.requests().into_iter().map(|r| r.target).collect();
    assert_eq!(targets.len(), 6, "one request per listing: {targets:?}");
    assert!(
        targets
            .iter()
            .all(|target| target.starts_with("/v1.0/deviceAppManagement/")),
        "{targets:?}"
    );
}

#[test]
fn a_next_link_that_comes_back_ends_the_paging_with_an_error() {
    let server = TestServer::start();
    let root = server.base_url();
    let path = "/deviceAppManagement/mobileAppConfigurations/cfg-1/assignments";
    let page = |token: &str| {
        Fault::Respond {
        status: 200,
        headers: Vec::new(),
        body: json!({
            "value": [{"id": token, "target": {"@odata.type": "#microsoft.graph.allDevicesAssignmentTarget"}}],
            "@odata.nextLink": format!("{root}{path}?$skiptoken={token}"),
        })
        .to_string(),
    }
    };
    // The service answers the first page, then page A twice with the same link.
    server.inject([page("A"), page("A")]);
    let client = client();
    let error = block_on(client.list_all(assignments(&server).list())).unwrap_err();
    assert!(
        matches!(
            error,
            TransportError::Graph(Error::RepeatedNextLink { pages: 2, .. })
        ),
        "{error:?}"
    );
    let targets: Vec<String> = server.requests().into_iter().map(|r| r.target).collect();
    assert_eq!(
        targets,
        [format!("/v1.0{path}"), format!("/v1.0{path}?$skiptoken=A"),]
    );
}

#[test]
fn a_count_is_read_from_the_plain_text_answer() {
    let server = TestServer::start();
    for group in ["g1", "g2", "g3"] {
        server.seed_assignment(CONFIGURATION, group);
    }
    let count = block_on(client().send(&assignments(&server).count_items())).unwrap();
    assert_eq!(count, 3);
    let request = &server.requests()[0];
    assert_eq!(
        request.target,
        "/v1.0/deviceAppManagement/mobileAppConfigurations/cfg-1/assignments/$count"
    );
    assert_eq!(request.headers["accept"], "text/plain");
    assert!(
        !request.headers.contains_key("consistencylevel"),
        "assignments are not directory objects"
    );
}

#[test]
fn a_throttled_batch_item_and_its_dependents_are_sent_again_and_nothing_else() {
    let server = TestServer::start();
    let client = client();
    let assignments = assignments(&server);
    let mut batch = msgraph::Batch::new();
    let first = batch.add(&assignments.create(&for_group("g1"))).unwrap();
    let listed = batch.add_after(&assignments.list(), &[first.id()]).unwrap();
    let second = batch.add(&assignments.create(&for_group("g2"))).unwrap();
    // The first create is throttled; the list that depends on it fails with 424; the second
    // create succeeds and must not be sent again.
    server.inject([Fault::status(429, "TooManyRequests", Some(0))]);
    let response = block_on(client.send_batch(&batch)).unwrap();
    let created = first.result(&response).unwrap();
    assert_eq!(created.target, Some(group_target("g1")));
    assert_eq!(
        second.result(&response).unwrap().target,
        Some(group_target("g2"))
    );
    assert_eq!(listed.result(&response).unwrap().value.len(), 2);
    assert_eq!(
        server.assignments(CONFIGURATION).len(),
        2,
        "no create ran twice"
    );
    let sent: Vec<(String, String)> = server
        .requests()
        .into_iter()
        .map(|r| (r.method, r.target))
        .collect();
    let path = "/v1.0/deviceAppManagement/mobileAppConfigurations/cfg-1/assignments";
    assert_eq!(
        sent,
        [
            ("POST".to_string(), "/v1.0/$batch".to_string()),
            ("POST".to_string(), path.to_string()),
            ("POST".to_string(), path.to_string()),
            ("POST".to_string(), "/v1.0/$batch".to_string()),
            ("POST".to_string(), path.to_string()),
            ("GET".to_string(), path.to_string()),
        ]
    );
}

#[test]
fn more_than_twenty_operations_go_in_several_batches() {
    let server = TestServer::start();
    for n in 0..3 {
        server.seed_assignment(CONFIGURATION, &format!("g{n}"));
    }
    let client = client();
    let assignments = assignments(&server);
    let mut batches = msgraph::Batches::new();
    let items: Vec<_> = (0..45)
        .map(|_| batches.add(&assignments.list().top(5)).unwrap())
        .collect();
    assert_eq!(batches.batches().len(), 3);
    let responses = block_on(client.send_batches(&batches)).unwrap();
    assert_eq!(responses.len(), 3);
    for item in &items {
        assert_eq!(item.result(&responses).unwrap().value.len(), 3);
    }
    let outer = server
        .requests()
        .into_iter()
        .filter(|r| r.target == "/v1.0/$batch")
        .count();
    assert_eq!(outer, 3);
}

#[test]
fn assign_replaces_the_assignments() {
    let server = TestServer::start();
    server.seed_assignment(CONFIGURATION, "old");
    let client = client();
    let assign = Graph::with_base_url(server.base_url())
        .device_app_management()
        .mobile_app_configurations()
        .by_id(CONFIGURATION)
        .assign(
            &ManagedDeviceMobileAppConfigurationAssignParameters::default().with(|parameters| {
                parameters.assignments = Some(vec![for_group("g7"), for_group("g8")])
            }),
        );
    block_on(client.send(&assign)).unwrap();
    let groups: Vec<Value> = server
        .assignments(CONFIGURATION)
        .into_iter()
        .map(|a| a["target"]["groupId"].clone())
        .collect();
    assert_eq!(groups, [json!("g7"), json!("g8")]);
    let request = &server.requests()[0];
    assert_eq!(request.method, "POST");
    assert_eq!(
        request.target,
        "/v1.0/deviceAppManagement/mobileAppConfigurations/cfg-1/assign"
    );
    assert_eq!(
        serde_json::from_slice::<Value>(&request.body).unwrap()["assignments"][1]["target"]["groupId"],
        "g8"
    );
}

#[test]
fn graph_errors_are_typed_and_not_retried() {
    let server = TestServer::start();
    let client = client();
    let assignments = assignments(&server);
    block_on(async {
        let error = client
            .send(&assignments.by_id("missing").get())
            .await
            .unwrap_err();
        let text = error.to_string();
        assert!(text.contains("404 Not Found"), "{text}");
        assert!(text.contains("ResourceNotFound"), "{text}");
        assert!(
            text.contains("The assignment 'missing' was not found."),
            "{text}"
        );
        let service = error.service().unwrap();
        let graph = service.error().unwrap();
        assert_eq!(graph.code, "ResourceNotFound");
        let inner = graph.inner_error.as_ref().unwrap();
        assert_eq!(inner.request_id.as_deref(), Some("inner-request-id"));
        assert_eq!(inner.date.as_deref(), Some("2026-01-15T10:00:00"));
        assert_eq!(
            service.request_id(),
            Some("req-1"),
            "the header comes first"
        );

        let bad = ManagedDeviceMobileAppConfigurationAssignment::default();
        let error = client.send(&assignments.create(&bad)).await.unwrap_err();
        assert_eq!(status(&error), 400);
        assert_eq!(error.service().unwrap().error().unwrap().code, "BadRequest");

        let stranger = client_with(StaticToken::new("not-the-token"), Duration::from_secs(5));
        let error = stranger.send(&assignments.list()).await.unwrap_err();
        assert_eq!(status(&error), 401);
        assert_eq!(
            error.service().unwrap().error().unwrap().code,
            "InvalidAuthenticationToken"
        );
    });
    assert_eq!(methods(&server), ["GET", "POST", "GET"]);
}

#[test]
fn throttling_waits_as_long_as_retry_after_asks() {
    let server = TestServer::start();
    server.inject([Fault::status(429, "TooManyRequests", Some(1))]);
    let client = client();
    let started = Instant::now();
    let created = block_on(client.send(&assignments(&server).create(&for_group("g1")))).unwrap();
    let elapsed = started.elapsed();
    assert!(elapsed >= Duration::from_secs(1), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(4), "{elapsed:?}");
    assert_eq!(created.target, Some(group_target("g1")));
    assert_eq!(
        methods(&server),
        ["POST", "POST"],
        "a 429 POST was not processed, so it is sent again"
    );
    assert_eq!(server.assignments(CONFIGURATION).len(), 1);
}

#[test]
fn a_retry_after_beyond_the_time_budget_is_returned_at_once() {
    let server = TestServer::start();
    server.inject([Fault::status(429, "TooManyRequests", Some(120))]);
    let client = Client::builder(StaticToken::new(TOKEN))
        .no_proxy()
        .retry(quick_retries().max_elapsed(Duration::from_secs(5)))
        .build()
        .unwrap();
    let started = Instant::now();
    let error = block_on(client.send(&assignments(&server).list())).unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(status(&error), 429);
    assert_eq!(
        error.service().unwrap().retry_after(),
        Some(Duration::from_secs(120))
    );
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn unavailable_is_retried_with_backoff_up_to_the_attempt_limit() {
    let server = TestServer::start();
    server.inject(std::iter::repeat_n(
        Fault::status(503, "ServiceUnavailable", None),
        4,
    ));
    let client = client();
    let error = block_on(client.send(&assignments(&server).list())).unwrap_err();
    assert_eq!(status(&error), 503);
    assert_eq!(server.requests().len(), 3, "max_attempts(3)");

    // One 503 is left: a POST is sent again, since a 503 was not processed.
    let created = block_on(client.send(&assignments(&server).create(&for_group("g1"))));
    assert!(created.is_ok(), "{created:?}");
    assert_eq!(methods(&server)[3..], ["POST", "POST"]);
    assert_eq!(server.assignments(CONFIGURATION).len(), 1);
}

#[test]
fn gateway_timeouts_are_retried_only_when_idempotent() {
    let server = TestServer::start();
    let id = server.seed_assignment(CONFIGURATION, "g1");
    let client = client();
    server.inject([Fault::status(504, "GatewayTimeout", None)]);
    let read = block_on(client.send(&assignments(&server).by_id(&id).get()));
    assert!(read.is_ok(), "{read:?}");
    assert_eq!(methods(&server), ["GET", "GET"]);

    server.inject([Fault::status(504, "GatewayTimeout", None)]);
    let patch = assignments(&server).by_id(&id).patch(&all_licensed_users());
    let error = block_on(client.send(&patch)).unwrap_err();
    assert_eq!(status(&error), 504);
    assert_eq!(
        methods(&server)[2..],
        ["PATCH"],
        "the PATCH may have been applied"
    );
}

#[test]
fn a_dropped_connection_is_retried_only_when_idempotent() {
    let server = TestServer::start();
    let client = client();
    server.inject([Fault::Drop]);
    let listed = block_on(client.list_all(assignments(&server).list()));
    assert!(listed.is_ok(), "{listed:?}");
    assert_eq!(methods(&server), ["GET", "GET"]);

    server.inject([Fault::Drop]);
    let error = block_on(client.send(&assignments(&server).create(&for_group("g1")))).unwrap_err();
    assert!(
        matches!(error, TransportError::Connection { ref method, .. } if method == "POST"),
        "{error:?}"
    );
    let text = error.to_string();
    assert!(text.contains("POST http://127.0.0.1:"), "{text}");
    assert_eq!(
        methods(&server)[2..],
        ["POST"],
        "the POST is not sent again"
    );
}

#[test]
fn a_refused_connection_is_retried_for_any_method_with_a_fresh_token() {
    // A port that nothing listens on: bind one, then let it go.
    let address = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let calls = Arc::new(AtomicUsize::new(0));
    let client = client_with(counting_tokens(&calls), Duration::from_secs(5));
    let create = Graph::with_base_url(format!("http://{address}/v1.0"))
        .device_app_management()
        .mobile_app_configurations()
        .by_id(CONFIGURATION)
        .assignments()
        .create(&for_group("g1"));
    let error = block_on(client.send(&create)).unwrap_err();
    assert!(matches!(error, TransportError::Connect { .. }), "{error:?}");
    assert_eq!(
        calls.load(Ordering::SeqCst),
        3,
        "nothing was sent, so even a POST is tried 3 times, each with a token asked anew"
    );
}

#[test]
fn a_slow_answer_times_out() {
    let server = TestServer::start();
    let timeout = Duration::from_millis(300);
    let client = client_with(StaticToken::new(TOKEN), timeout);
    server.inject([Fault::Slow(Duration::from_secs(5))]);
    let started = Instant::now();
    let error = block_on(client.send(&assignments(&server).create(&for_group("g1")))).unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(
        matches!(error, TransportError::Timeout { after, .. } if after == timeout),
        "{error:?}"
    );
    assert_eq!(
        methods(&server),
        ["POST"],
        "a POST that timed out is not sent again"
    );

    server.inject([Fault::Slow(Duration::from_secs(5))]);
    let listed = block_on(client.list_all(assignments(&server).list()));
    assert!(listed.is_ok(), "a GET is tried again: {listed:?}");
    assert_eq!(methods(&server)[1..], ["GET", "GET"]);
}

#[test]
fn the_total_time_is_bounded() {
    let server = TestServer::start();
    server.inject(std::iter::repeat_n(Fault::Slow(Duration::from_secs(5)), 10));
    let client = Client::builder(StaticToken::new(TOKEN))
        .no_proxy()
        .timeout(Duration::from_millis(300))
        .retry(
            quick_retries()
                .max_attempts(10)
                .max_elapsed(Duration::from_millis(800)),
        )
        .build()
        .unwrap();
    let started = Instant::now();
    let error = block_on(client.send(&assignments(&server).list())).unwrap_err();
    let elapsed = started.elapsed();
    assert!(matches!(error, TransportError::Timeout { .. }), "{error:?}");
    assert!(elapsed < Duration::from_millis(1500), "{elapsed:?}");
    let attempts = server.requests().len();
    assert!((2..=4).contains(&attempts), "{attempts} attempts");
}

#[test]
fn plain_http_to_another_host_is_refused_before_a_token_is_asked() {
    let calls = Arc::new(AtomicUsize::new(0));
    let client = client_with(counting_tokens(&calls), Duration::from_secs(5));
    // Never sent: the URL is refused before anything else happens.
    let list = Graph::with_base_url("http://graph.microsoft.com/v1.0")
        .device_app_management()
        .mobile_app_configurations()
        .by_id(CONFIGURATION)
        .assignments()
        .list();
    let error = block_on(client.send(&list)).unwrap_err();
    assert!(
        matches!(error, TransportError::InsecureUrl { .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("only https"), "{error}");
    assert_eq!(calls.load(Ordering::SeqCst), 0);
}

#[test]
fn a_failing_token_provider_stops_the_request() {
    let server = TestServer::start();
    let client = client_with(
        || async { Err::<AccessToken, BoxError>("the vault is sealed".into()) },
        Duration::from_secs(5),
    );
    let error = block_on(client.send(&assignments(&server).list())).unwrap_err();
    assert!(matches!(error, TransportError::Token(_)), "{error:?}");
    assert_eq!(
        error.to_string(),
        "could not get an access token: the vault is sealed"
    );
    assert!(server.requests().is_empty());
}

/// Every log record of the test process, at every level.
struct Capture(std::sync::Mutex<Vec<String>>);

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }

    fn log(&self, record: &log::Record<'_>) {
        let line = format!("{} {}: {}", record.level(), record.target(), record.args());
        self.0.lock().unwrap().push(line);
    }

    fn flush(&self) {}
}

static LOGS: Capture = Capture(std::sync::Mutex::new(Vec::new()));

#[test]
fn the_token_never_shows() {
    log::set_logger(&LOGS).expect("only this test sets a logger");
    log::set_max_level(log::LevelFilter::Trace);

    let server = TestServer::start();
    let client = client();
    let mut shown = vec![
        format!("{:?}", AccessToken::new(TOKEN)),
        format!("{:?}", StaticToken::new(TOKEN)),
        format!("{client:?}"),
        format!(
            "{:?}",
            Client::builder(StaticToken::new(TOKEN)).timeout(Duration::from_secs(1))
        ),
    ];
    let mut errors = Vec::new();
    block_on(async {
        let id = client
            .send(&assignments(&server).create(&for_group("g1")))
            .await
            .unwrap()
            .id
            .unwrap();
        client
            .send(&assignments(&server).by_id(&id).patch(&all_licensed_users()))
            .await
            .unwrap();
        errors.push(
            client
                .send(&assignments(&server).by_id("missing").get())
                .await
                .unwrap_err(),
        );
        server.inject([Fault::Drop]);
        errors.push(
            client
                .send(&assignments(&server).create(&for_group("g2")))
                .await
                .unwrap_err(),
        );
        server.inject([Fault::Slow(Duration::from_secs(5))]);
        let impatient = client_with(StaticToken::new(TOKEN), Duration::from_millis(100));
        errors.push(
            impatient
                .send(&assignments(&server).create(&for_group("g3")))
                .await
                .unwrap_err(),
        );
        let tokens = StaticToken::new(format!("{TOKEN}\nwith a line break"));
        let broken = client_with(tokens, Duration::from_secs(5));
        errors.push(broken.send(&assignments(&server).list()).await.unwrap_err());
    });
    for error in errors {
        shown.push(format!("{error} / {error:?} / {error:#?}"));
        let mut source = std::error::Error::source(&error);
        while let Some(cause) = source {
            shown.push(cause.to_string());
            source = cause.source();
        }
    }
    let logs = LOGS.0.lock().unwrap().clone();
    assert!(
        logs.iter().any(|line| line.contains("127.0.0.1")),
        "the HTTP client logged its connections: {logs:?}"
    );
    for text in shown.iter().chain(&logs) {
        assert!(!text.contains(TOKEN), "the token shows in {text:?}");
    }
    // The server did get it, once per request.
    let sent = server
        .requests()
        .iter()
        .filter(|r| {
            r.headers
                .get("authorization")
                .is_some_and(|a| a.contains(TOKEN))
        })
        .count();
    assert_eq!(sent, 5);
}

#[test]
fn the_examples_work_against_the_local_server() {
    let server = TestServer::start();
    let client = client();
    let graph = Graph::with_base_url(server.base_url());
    block_on(async {
        let created = create_assignment::run(&client, &graph, CONFIGURATION, "g1")
            .await
            .unwrap();
        let id = created.id.unwrap();
        let listed = list_assignments::run(&client, &graph, CONFIGURATION)
            .await
            .unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].target, Some(group_target("g1")));

        let patched = patch_assignment::run(&client, &graph, CONFIGURATION, &id)
            .await
            .unwrap();
        assert_eq!(patched.target, all_licensed_users().target);

        assign_configuration::run(&client, &graph, CONFIGURATION, &["g2", "g3", "g4"])
            .await
            .unwrap();
        let listed = list_assignments::run(&client, &graph, CONFIGURATION)
            .await
            .unwrap();
        let targets: Vec<_> = listed.iter().map(|a| a.target.clone().unwrap()).collect();
        assert_eq!(
            targets,
            [group_target("g2"), group_target("g3"), group_target("g4")]
        );

        let first = listed[0].id.clone().unwrap();
        delete_assignment::run(&client, &graph, CONFIGURATION, &first)
            .await
            .unwrap();
        let listed = list_assignments::run(&client, &graph, CONFIGURATION)
            .await
            .unwrap();
        assert_eq!(listed.len(), 2);
        assert!(listed.iter().all(|a| a.id.as_deref() != Some(&first)));
    });
    // The batch example: 23 groups, in two `$batch` requests.
    let groups: Vec<String> = (1..=23).map(|n| format!("b{n}")).collect();
    let groups: Vec<&str> = groups.iter().map(String::as_str).collect();
    let before = server.assignments(CONFIGURATION).len();
    let results = block_on(create_assignments_in_batches::run(
        &client,
        &graph,
        CONFIGURATION,
        &groups,
    ))
    .unwrap();
    assert_eq!(results.len(), 23);
    assert!(results.iter().all(Result::is_ok));
    assert_eq!(server.assignments(CONFIGURATION).len(), before + 23);

    // The upload example: three slices of 320 KiB and a bit.
    let content: Vec<u8> = (0..(2 * 320 * 1024 + 7)).map(|i| (i % 7) as u8).collect();
    let url = server.open_upload_session(content.len());
    let item = block_on(upload_content::run(&client, &url, &content, 320)).unwrap();
    assert_eq!(item["size"], content.len());
    assert_eq!(server.uploaded(&url).unwrap(), content);

    // The delta example: a first round, then one from its stored link.
    server.change_grant("a", "User.Read");
    server.change_grant("b", "Mail.Read");
    block_on(async {
        let mut state = sync_permission_grants::State::default();
        sync_permission_grants::run(&client, &graph, &mut state)
            .await
            .unwrap();
        assert_eq!(state.grants.len(), 2);
        server.remove_grant("a", "deleted");
        server.change_grant("b", "Mail.Send");
        // Kept between runs as JSON.
        let mut state: sync_permission_grants::State =
            serde_json::from_str(&serde_json::to_string(&state).unwrap()).unwrap();
        sync_permission_grants::run(&client, &graph, &mut state)
            .await
            .unwrap();
        assert_eq!(state.grants.keys().collect::<Vec<_>>(), ["b"]);
        assert_eq!(state.grants["b"].scope.as_deref(), Some("Mail.Send"));
        assert_eq!(state.grants["b"].client_id.as_deref(), Some("client-1"));
    });
    // Three assignments read from two pages of the server's default size.
    let pages = server
        .requests()
        .iter()
        .filter(|r| r.target.contains("$skiptoken="))
        .count();
    assert_eq!(pages, 1);
}

/// A delta round reads every page up to the delta link; the link, stored as a string and read
/// back, resumes the next round with what changed since, removals typed; a round with no
/// changes keeps the point; a stored link for another host is never sent.
#[test]
fn delta_rounds_resume_from_a_stored_link() {
    use msgraph::delta::{Change, DeltaLink, RemovedReason};
    use msgraph::models::OAuth2PermissionGrant;

    fn summary(changes: &[Change<OAuth2PermissionGrant>]) -> Vec<(String, Option<String>)> {
        changes
            .iter()
            .map(|change| {
                let entity = change.entity();
                let id = entity.id.clone().unwrap_or_default();
                match change.removed() {
                    Some(reason) => (id, Some(format!("removed: {}", reason.as_str()))),
                    None => (id, entity.scope.clone()),
                }
            })
            .collect()
    }

    let server = TestServer::start();
    for (id, scope) in [("a", "User.Read"), ("b", "Mail.Read"), ("c", "Files.Read")] {
        server.change_grant(id, scope);
    }
    let client = client();
    let delta = Graph::with_base_url(server.base_url())
        .oauth2_permission_grants()
        .delta();
    let first = block_on(client.delta_round(delta.changes())).unwrap();
    assert_eq!(
        summary(&first.changes),
        [
            ("a".to_string(), Some("User.Read".to_string())),
            ("b".to_string(), Some("Mail.Read".to_string())),
            ("c".to_string(), Some("Files.Read".to_string())),
        ]
    );
    let stored = serde_json::to_string(&first.link).unwrap();
    assert_eq!(
        stored,
        format!(
            "\"{}/oauth2PermissionGrants/delta()?$deltatoken=3\"",
            server.base_url()
        )
    );

    server.change_grant("b", "Mail.Read Mail.Send");
    server.remove_grant("a", "deleted");
    server.remove_grant("c", "changed");
    server.change_grant("d", "Sites.Read.All");
    let link: DeltaLink = serde_json::from_str(&stored).unwrap();
    let second = block_on(client.delta_round(delta.resume(&link).unwrap())).unwrap();
    assert_eq!(
        summary(&second.changes),
        [
            ("b".to_string(), Some("Mail.Read Mail.Send".to_string())),
            ("a".to_string(), Some("removed: deleted".to_string())),
            ("c".to_string(), Some("removed: changed".to_string())),
            ("d".to_string(), Some("Sites.Read.All".to_string())),
        ]
    );
    assert_eq!(second.changes[1].removed(), Some(&RemovedReason::Deleted));
    assert_eq!(second.link.token(), Some("7"));

    let third = block_on(client.delta_round(delta.resume(&second.link).unwrap())).unwrap();
    assert!(third.changes.is_empty());
    assert_eq!(third.link, second.link, "nothing changed: the same point");

    let targets: Vec<String> = server.requests().into_iter().map(|r| r.target).collect();
    let path = "/v1.0/oauth2PermissionGrants/delta()";
    assert_eq!(
        targets,
        [
            path.to_string(),
            format!("{path}?$skiptoken=3-2"),
            format!("{path}?$deltatoken=3"),
            format!("{path}?$skiptoken=7-5"),
            format!("{path}?$deltatoken=7"),
        ],
        "links are followed exactly as the service wrote them"
    );

    // A link of another host, or of another delta function, is refused before anything is
    // sent.
    for foreign in [
        "http://127.0.0.2:1/v1.0/oauth2PermissionGrants/delta()".to_string(),
        format!("{}/users/delta()?$deltatoken=3", server.base_url()),
    ] {
        assert!(matches!(
            delta.resume(&DeltaLink::new(foreign)),
            Err(Error::ForeignDeltaLink { .. })
        ));
    }
    let unknown = DeltaLink::new(format!(
        "{}/oauth2PermissionGrants/delta()?$deltatoken=99",
        server.base_url()
    ));
    match block_on(client.delta_round(delta.resume(&unknown).unwrap())) {
        Err(TransportError::Graph(Error::Service(error))) => {
            assert_eq!(error.status(), 410);
            assert_eq!(
                error.error().map(|e| e.code.as_str()),
                Some("SyncStateNotFound")
            );
        }
        other => panic!("an unknown token is the service's error: {other:?}"),
    }
    assert_eq!(server.requests().len(), 6);

    // A round whose last page has no delta link cannot be resumed: an error, not a silent end.
    server.inject([Fault::Respond {
        status: 200,
        headers: Vec::new(),
        body: r#"{"value":[{"id":"z","scope":"x"}]}"#.to_string(),
    }]);
    match block_on(client.delta_round(delta.changes())) {
        Err(TransportError::Graph(Error::MissingDeltaLink { pages: 1 })) => {}
        other => panic!("a round without a delta link: {other:?}"),
    }
}

/// A `reqwest` client of the user's own (here with a default header) sends every attempt, and
/// the token, retries and typed results stay the transport's.
#[test]
fn an_own_http_client_sends_with_the_token_and_retries() {
    use msgraph::transport::reqwest;

    let server = TestServer::start();
    server.seed_assignment(CONFIGURATION, "g1");
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        "x-tenant-tag",
        reqwest::header::HeaderValue::from_static("blue"),
    );
    let http = msgraph::transport::http_client_builder()
        .unwrap()
        .default_headers(headers)
        .no_proxy()
        .build()
        .unwrap();
    let client = Client::builder(StaticToken::new(TOKEN))
        .http_client(http)
        .retry(quick_retries())
        .build()
        .unwrap();
    assert!(format!("{client:?}").starts_with("Client"));
    server.inject([Fault::status(503, "serviceNotAvailable", Some(0))]);
    let listed = block_on(client.list_all(assignments(&server).list())).unwrap();
    assert_eq!(listed.len(), 1);
    let requests = server.requests();
    assert_eq!(requests.len(), 2, "the 503 was retried");
    for request in &requests {
        assert_eq!(request.headers["x-tenant-tag"], "blue");
        assert_eq!(request.headers["authorization"], format!("Bearer {TOKEN}"));
    }
}

/// With the `tracing` feature: a span per operation with its method, its path without keys,
/// its status, attempts and request id, and an event per retry; never the token, a key or a
/// query value.
#[cfg(feature = "tracing")]
#[test]
fn operations_are_traced_without_secrets_or_values() {
    use std::sync::Mutex;
    use std::sync::atomic::AtomicU64;
    use tracing::field::{Field, Visit};
    use tracing::span::{Attributes, Id, Record};
    use tracing::{Event, Metadata, Subscriber};

    /// Every span, field recording and event of this crate, as `kind name: field=value ...`
    /// lines.
    #[derive(Default)]
    struct Capture {
        lines: Mutex<Vec<String>>,
        next_id: AtomicU64,
    }

    struct Fields(String);

    impl Visit for Fields {
        fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
            self.0.push_str(&format!(" {}={:?}", field.name(), value));
        }

        fn record_str(&mut self, field: &Field, value: &str) {
            self.0.push_str(&format!(" {}={}", field.name(), value));
        }
    }

    impl Subscriber for &'static Capture {
        fn enabled(&self, metadata: &Metadata<'_>) -> bool {
            // This crate's, not those of the HTTP client beneath.
            metadata.target().starts_with("msgraph")
        }

        fn new_span(&self, span: &Attributes<'_>) -> Id {
            let mut fields = Fields(format!("span {}:", span.metadata().name()));
            span.record(&mut fields);
            self.lines.lock().unwrap().push(fields.0);
            Id::from_u64(self.next_id.fetch_add(1, Ordering::SeqCst) + 1)
        }

        fn record(&self, _: &Id, values: &Record<'_>) {
            let mut fields = Fields("record:".to_string());
            values.record(&mut fields);
            self.lines.lock().unwrap().push(fields.0);
        }

        fn record_follows_from(&self, _: &Id, _: &Id) {}

        fn event(&self, event: &Event<'_>) {
            let mut fields = Fields(format!("event {}:", event.metadata().level()));
            event.record(&mut fields);
            self.lines.lock().unwrap().push(fields.0);
        }

        fn enter(&self, _: &Id) {}

        fn exit(&self, _: &Id) {}
    }

    let capture: &'static Capture = Box::leak(Box::default());
    let server = TestServer::start();
    let id = server.seed_assignment(CONFIGURATION, "g1");
    // A retry after a one-second `Retry-After`: the wait is on the event and on the span.
    server.inject([Fault::status(429, "TooManyRequests", Some(1))]);
    let client = client();
    tracing::subscriber::with_default(capture, || {
        let get = assignments(&server)
            .by_id(id.as_str())
            .get()
            .query("$select", "target");
        block_on(client.send(&get)).unwrap();
    });
    let lines = capture.lines.lock().unwrap().clone();
    let text = lines.join("\n");
    let path = "/deviceAppManagement/mobileAppConfigurations/{key}/assignments/{key}";
    assert_eq!(
        lines[0],
        format!("span graph.request: method=GET path={path}"),
        "{text}"
    );
    assert_eq!(
        lines[1], "event INFO: message=retrying attempt=1 wait_ms=1000 reason=429",
        "{text}"
    );
    assert_eq!(
        lines[2..],
        [
            "record: attempts=2",
            "record: retry_wait_ms=1000",
            "record: status=200",
            "record: request_id=req-2"
        ],
        "{text}"
    );
    for secret in [TOKEN, id.as_str(), CONFIGURATION, "$select", "target"] {
        assert!(!text.contains(secret), "`{secret}` was recorded:\n{text}");
    }
}

/// With the `azure` feature: an Azure SDK credential signs the client in; its token is kept
/// until shortly before it expires, asked for the service's `.default` scope (the national
/// cloud's where it is one), and never shown.
#[cfg(feature = "azure")]
#[test]
fn azure_credentials_sign_in_and_their_tokens_are_kept_until_near_expiry() {
    use std::pin::Pin;
    use std::sync::Mutex;

    use azure_core::credentials::{
        AccessToken as AzureToken, TokenCredential, TokenRequestOptions,
    };
    use msgraph::azure::AzureCredential;

    /// A credential that gives [`TOKEN`], valid for `lifetime`, and records what it is asked.
    #[derive(Debug)]
    struct FakeCredential {
        lifetime: time::Duration,
        calls: AtomicUsize,
        scopes: Mutex<Vec<String>>,
    }

    // `TokenCredential` is an `async_trait`; its method is written out here, so that the tests
    // need no macro crate.
    impl TokenCredential for FakeCredential {
        fn get_token<'s, 'l, 'e, 'o, 'f>(
            &'s self,
            scopes: &'l [&'e str],
            _: Option<TokenRequestOptions<'o>>,
        ) -> Pin<Box<dyn Future<Output = azure_core::Result<AzureToken>> + Send + 'f>>
        where
            's: 'f,
            'l: 'f,
            'e: 'f,
            'o: 'f,
            Self: 'f,
        {
            self.calls.fetch_add(1, Ordering::SeqCst);
            self.scopes.lock().unwrap().push(scopes.join(" "));
            let token = AzureToken::new(
                TOKEN.to_string(),
                time::OffsetDateTime::now_utc() + self.lifetime,
            );
            Box::pin(async move { Ok(token) })
        }
    }

    let fake = |lifetime| {
        Arc::new(FakeCredential {
            lifetime,
            calls: AtomicUsize::new(0),
            scopes: Mutex::new(Vec::new()),
        })
    };
    let server = TestServer::start();
    let send_three = |credential: Arc<FakeCredential>| {
        let client = Client::builder(AzureCredential::new(credential))
            .no_proxy()
            .build()
            .unwrap();
        for _ in 0..3 {
            block_on(client.send(&assignments(&server).list())).unwrap();
        }
    };

    let long_lived = fake(time::Duration::hours(1));
    send_three(Arc::clone(&long_lived));
    assert_eq!(
        long_lived.calls.load(Ordering::SeqCst),
        1,
        "kept while valid"
    );
    assert_eq!(
        *long_lived.scopes.lock().unwrap(),
        ["https://graph.microsoft.com/.default"]
    );
    // Within the 5 minutes before expiry, a token is not used: each request asks again.
    let short_lived = fake(time::Duration::minutes(2));
    send_three(Arc::clone(&short_lived));
    assert_eq!(short_lived.calls.load(Ordering::SeqCst), 3);
    let refreshed_late = fake(time::Duration::minutes(2));
    let provider =
        AzureCredential::new(refreshed_late.clone()).refresh_before_expiry(Duration::from_secs(30));
    let client = Client::builder(provider).no_proxy().build().unwrap();
    for _ in 0..2 {
        block_on(client.send(&assignments(&server).list())).unwrap();
    }
    assert_eq!(refreshed_late.calls.load(Ordering::SeqCst), 1);
    assert!(
        server
            .requests()
            .iter()
            .all(|r| r.headers["authorization"] == format!("Bearer {TOKEN}"))
    );

    let us = AzureCredential::in_cloud(fake(time::Duration::hours(1)), msgraph::Cloud::UsGovL4);
    assert_eq!(us.scope(), "https://graph.microsoft.us/.default");
    assert!(!format!("{us:?}").contains(TOKEN));
}

/// A long-running operation: the `202 Accepted` gives a monitor, which is asked (after each
/// `Retry-After`) until it says the work is done; a monitor outside the service root never
/// gets the token, one inside it does; a failed operation is an error with the service's
/// message, and one that takes too long a timeout.
#[test]
fn long_running_operations_are_followed_to_their_end() {
    use msgraph::monitor::Progress;

    let server = TestServer::start();
    let client = client();
    let assign = Graph::with_base_url(server.base_url())
        .device_app_management()
        .mobile_app_configurations()
        .by_id(CONFIGURATION)
        .assign(
            &ManagedDeviceMobileAppConfigurationAssignParameters::default()
                .with(|parameters| parameters.assignments = Some(Vec::new())),
        );
    let respond = |status: u16, headers: Vec<(&'static str, String)>, body: &str| Fault::Respond {
        status,
        headers,
        body: body.to_string(),
    };
    // A monitor on "another host": outside the service root, pre-authenticated.
    let host = server.base_url().trim_end_matches("/v1.0").to_string();
    server.inject([
        respond(
            202,
            vec![
                ("location", format!("{host}/monitor/1")),
                ("retry-after", "0".into()),
            ],
            "",
        ),
        respond(
            202,
            vec![("retry-after", "0".into())],
            r#"{"status":"inProgress","percentageComplete":25.0}"#,
        ),
        respond(
            202,
            vec![("retry-after", "0".into())],
            r#"{"status":"inProgress","percentageComplete":75.0}"#,
        ),
        respond(
            200,
            vec![],
            r#"{"status":"completed","percentageComplete":100.0,"resourceId":"copy-1"}"#,
        ),
    ]);
    let accepted = block_on(client.start(&assign)).unwrap();
    assert!(!accepted.sends_token());
    let mut seen = Vec::new();
    let completed = block_on(
        client.wait_for(&accepted, Duration::from_secs(10), |progress| {
            seen.push(progress.clone())
        }),
    )
    .unwrap();
    assert_eq!(completed.resource_id.as_deref(), Some("copy-1"));
    let percentages: Vec<Option<f64>> = seen
        .iter()
        .map(|progress| match progress {
            Progress::Running { percentage, .. } => *percentage,
            _ => Some(100.0),
        })
        .collect();
    assert_eq!(percentages, [Some(25.0), Some(75.0), Some(100.0)]);
    let requests = server.requests();
    assert_eq!(requests.len(), 4);
    assert!(requests[0].headers.contains_key("authorization"));
    for poll in &requests[1..] {
        assert_eq!(poll.method, "GET");
        assert_eq!(poll.target, "/monitor/1");
        assert!(
            !poll.headers.contains_key("authorization"),
            "the token never goes outside the service root"
        );
    }

    // A monitor inside the service root (Teams' relative `Location`) gets the token; the
    // operation fails.
    server.inject([
        respond(202, vec![("location", "/teams('t1')/operations('o1')".into())], ""),
        respond(
            200,
            vec![],
            r#"{"status":"failed","error":{"code":"Conflict","message":"A team with that name exists."}}"#,
        ),
    ]);
    let accepted = block_on(client.start(&assign)).unwrap();
    assert!(accepted.sends_token());
    let error = block_on(client.wait_for(&accepted, Duration::from_secs(10), |_| {})).unwrap_err();
    match error {
        TransportError::Graph(Error::OperationFailed { status, message }) => {
            assert_eq!(status, "failed");
            assert_eq!(message.as_deref(), Some("A team with that name exists."));
        }
        other => panic!("a failed operation: {other:?}"),
    }
    let poll = server.requests().pop().unwrap();
    assert_eq!(poll.target, "/v1.0/teams('t1')/operations('o1')");
    assert_eq!(poll.headers["authorization"], format!("Bearer {TOKEN}"));

    // One that would not end in time.
    server.inject([respond(
        202,
        vec![
            ("location", format!("{host}/monitor/2")),
            ("retry-after", "30".into()),
        ],
        "",
    )]);
    let accepted = block_on(client.start(&assign)).unwrap();
    let error = block_on(client.wait_for(&accepted, Duration::from_secs(5), |_| {})).unwrap_err();
    assert!(matches!(error, TransportError::Timeout { .. }), "{error:?}");
    // And an answer that is not `202` is not an operation to follow.
    let error = block_on(client.start(&assign)).unwrap_err();
    assert!(
        matches!(
            error,
            TransportError::Graph(Error::NotAccepted { status: 204 })
        ),
        "{error:?}"
    );
}

/// A large upload: slices of 320 KiB to the session's URL, without the token; a slice the
/// service fails is resumed from the ranges it still expects, a dropped one sent again; the
/// last answer is the item; a small file is one slice; a cancelled session is gone.
#[test]
fn uploads_go_in_slices_resume_after_a_failure_and_end_with_the_item() {
    use msgraph::upload::{SLICE_UNIT, Upload};

    #[derive(Debug, serde::Deserialize)]
    struct Item {
        id: String,
        size: usize,
    }

    let server = TestServer::start();
    let client = client();
    let content: Vec<u8> = (0..(3 * SLICE_UNIT + 1234))
        .map(|i| (i % 251) as u8)
        .collect();
    let upload_to = |url: &str| {
        Upload::<Item>::new(url, content.len())
            .unwrap()
            .slice_size(SLICE_UNIT)
            .unwrap()
    };
    let puts_and_gets = |from: usize| -> Vec<String> {
        server.requests()[from..]
            .iter()
            .map(|r| {
                assert!(
                    !r.headers.contains_key("authorization"),
                    "no token to an upload URL"
                );
                match r.headers.get("content-range") {
                    Some(range) => format!("{} {range}", r.method),
                    None => r.method.clone(),
                }
            })
            .collect()
    };

    // The service fails the second slice (`Slow(0)` lets the first through unchanged).
    let url = server.open_upload_session(content.len());
    server.inject([
        Fault::Slow(Duration::ZERO),
        Fault::status(500, "generalException", None),
    ]);
    let uploaded = block_on(client.upload(upload_to(&url), &content)).unwrap();
    let item = uploaded.item.unwrap();
    assert_eq!(item.size, content.len());
    assert!(item.id.starts_with("uploaded-"));
    assert_eq!(server.uploaded(&url).unwrap(), content);
    assert_eq!(
        puts_and_gets(0),
        [
            "PUT bytes 0-327679/984274",
            "PUT bytes 327680-655359/984274",
            "GET",
            "PUT bytes 327680-655359/984274",
            "PUT bytes 655360-983039/984274",
            "PUT bytes 983040-984273/984274",
        ]
    );

    // A dropped connection: the slice is sent again.
    let url = server.open_upload_session(content.len());
    let before = server.requests().len();
    server.inject([Fault::Slow(Duration::ZERO), Fault::Drop]);
    block_on(client.upload(upload_to(&url), &content)).unwrap();
    assert_eq!(server.uploaded(&url).unwrap(), content);
    assert_eq!(puts_and_gets(before).len(), 5);

    // A small file is one slice.
    let url = server.open_upload_session(5);
    let before = server.requests().len();
    let item =
        block_on(client.upload(Upload::<Item>::new(url.as_str(), 5).unwrap(), b"hello")).unwrap();
    assert_eq!(item.item.unwrap().size, 5);
    assert_eq!(puts_and_gets(before), ["PUT bytes 0-4/5"]);

    // Cancelled: the session is gone.
    let url = server.open_upload_session(content.len());
    block_on(client.cancel_upload(&upload_to(&url))).unwrap();
    assert_eq!(server.uploaded(&url), None);
    let error = block_on(client.upload(upload_to(&url), &content)).unwrap_err();
    assert!(
        matches!(&error, TransportError::Graph(Error::Service(e)) if e.status() == 404),
        "{error:?}"
    );
}
