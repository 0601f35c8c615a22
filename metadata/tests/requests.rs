//! The request surface beyond the seed: query options, headers, type casts, national clouds and
//! paging, on the generated builders of the assignment API.
//!
//! Hand-written in `metadata/tests/requests.rs`; `cargo xtask codegen` copies it into the
//! generated crate.

use msgraph::graph::{Cloud, Version};
use msgraph::models::{ManagedDeviceMobileAppConfiguration, properties};
use msgraph::{Direction, Error, Graph, Page};

const CONFIGURATIONS: &str =
    "https://graph.microsoft.com/v1.0/deviceAppManagement/mobileAppConfigurations";

fn response(status: u16, body: &str) -> http::Response<Vec<u8>> {
    http::Response::builder()
        .status(status)
        .body(body.as_bytes().to_vec())
        .unwrap()
}

#[test]
fn typed_select_and_order_by_with_the_other_query_options() {
    let request = Graph::v1()
        .device_app_management()
        .mobile_app_configurations()
        .by_id("cfg-1")
        .assignments()
        .list()
        .select([
            properties::ManagedDeviceMobileAppConfigurationAssignment::Id,
            properties::ManagedDeviceMobileAppConfigurationAssignment::Target,
        ])
        .order_by(
            properties::ManagedDeviceMobileAppConfigurationAssignment::Id,
            Direction::Descending,
        )
        .filter("id eq 'a b'")
        .top(10)
        .skip(20)
        .count(true)
        .to_http_request()
        .unwrap();
    assert_eq!(
        request.uri().to_string(),
        format!(
            "{CONFIGURATIONS}/cfg-1/assignments?$select=id,target&$orderby=id%20desc\
             &$filter=id%20eq%20'a%20b'&$top=10&$skip=20&$count=true"
        )
    );
}

#[test]
fn select_on_a_polymorphic_entity_uses_the_base_properties() {
    let request = Graph::v1()
        .device_app_management()
        .mobile_app_configurations()
        .list()
        .select([
            properties::ManagedDeviceMobileAppConfiguration::DisplayName,
            properties::ManagedDeviceMobileAppConfiguration::Version,
        ])
        .search("\"displayName:Contoso\"")
        .consistency_level_eventual()
        .to_http_request()
        .unwrap();
    assert_eq!(
        request.uri().to_string(),
        format!("{CONFIGURATIONS}?$select=displayName,version&$search=%22displayName:Contoso%22")
    );
    assert_eq!(request.headers()["consistencylevel"], "eventual");
}

#[test]
fn headers_for_updates() {
    let request = Graph::v1()
        .device_app_management()
        .mobile_app_configurations()
        .by_id("cfg-1")
        .assignments()
        .by_id("asg-1")
        .patch(&Default::default())
        .if_match("W/\"1\"")
        .prefer("return=representation")
        .client_request_id("9f3c")
        .to_http_request()
        .unwrap();
    assert_eq!(request.method(), http::Method::PATCH);
    assert_eq!(request.headers()["if-match"], "W/\"1\"");
    assert_eq!(request.headers()["prefer"], "return=representation");
    assert_eq!(request.headers()["client-request-id"], "9f3c");
}

#[test]
fn type_cast_segments_return_the_derived_builders() {
    let configurations = Graph::v1()
        .device_app_management()
        .mobile_app_configurations();
    let request = configurations
        .by_id("cfg-1")
        .as_ios_mobile_app_configuration()
        .get()
        .to_http_request()
        .unwrap();
    assert_eq!(
        request.uri().to_string(),
        format!("{CONFIGURATIONS}/cfg-1/microsoft.graph.iosMobileAppConfiguration")
    );
    let body = r##"{"@odata.type":"#microsoft.graph.iosMobileAppConfiguration","id":"cfg-1","settings":[]}"##;
    let ios = configurations
        .by_id("cfg-1")
        .as_ios_mobile_app_configuration()
        .get()
        .parse_response(response(200, body))
        .unwrap();
    assert_eq!(ios.id.as_deref(), Some("cfg-1"));
    assert_eq!(ios.settings, Some(Vec::new()));

    let request = configurations
        .as_ios_mobile_app_configuration()
        .list()
        .to_http_request()
        .unwrap();
    assert_eq!(
        request.uri().to_string(),
        format!("{CONFIGURATIONS}/microsoft.graph.iosMobileAppConfiguration")
    );
    let error = configurations
        .as_ios_mobile_app_configuration()
        .by_id("")
        .get()
        .to_http_request()
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::EmptyKey {
                collection: "mobileAppConfigurations"
            }
        ),
        "{error:?}"
    );
}

#[test]
fn national_clouds_and_beta() {
    let cases = [
        (
            Graph::in_cloud(Cloud::UsGovL4, Version::V1),
            "https://graph.microsoft.us/v1.0",
        ),
        (
            Graph::in_cloud(Cloud::UsGovL5Dod, Version::V1),
            "https://dod-graph.microsoft.us/v1.0",
        ),
        (
            Graph::in_cloud(Cloud::China, Version::V1),
            "https://microsoftgraph.chinacloudapi.cn/v1.0",
        ),
        (Graph::beta(), "https://graph.microsoft.com/beta"),
        (
            Graph::with_base_url("http://127.0.0.1:9/v1.0"),
            "http://127.0.0.1:9/v1.0",
        ),
    ];
    for (graph, root) in cases {
        let request = graph
            .device_app_management()
            .get()
            .to_http_request()
            .unwrap();
        assert_eq!(
            request.uri().to_string(),
            format!("{root}/deviceAppManagement")
        );
    }
}

#[test]
fn pages_are_followed_only_inside_the_service_root() {
    let list = Graph::v1()
        .device_app_management()
        .mobile_app_configurations()
        .list()
        .top(1);
    let first: Page<ManagedDeviceMobileAppConfiguration> = list
        .parse_response(response(
            200,
            &format!(
                r##"{{"value":[{{"@odata.type":"#microsoft.graph.iosMobileAppConfiguration","id":"a"}}],
                    "@odata.nextLink":"{CONFIGURATIONS}?$top=1&$skiptoken=2"}}"##
            ),
        ))
        .unwrap();
    let next = list.next_page(&first).unwrap().unwrap();
    assert_eq!(
        next.to_http_request().unwrap().uri().to_string(),
        format!("{CONFIGURATIONS}?$top=1&$skiptoken=2")
    );
    let last = next
        .parse_response(response(200, r#"{"value":[]}"#))
        .unwrap();
    assert!(next.next_page(&last).is_none());

    let hostile: Page<ManagedDeviceMobileAppConfiguration> = list
        .parse_response(response(
            200,
            r#"{"value":[],"@odata.nextLink":"https://attacker.example/v1.0/steal"}"#,
        ))
        .unwrap();
    assert!(matches!(
        list.next_page(&hostile),
        Some(Err(Error::ForeignNextLink { .. }))
    ));
}

#[test]
fn bound_action_without_parameters_posts_no_body() {
    let operation = Graph::v1()
        .device_app_management()
        .sync_microsoft_store_for_business_apps();
    let request = operation.to_http_request().unwrap();
    assert_eq!(request.method(), http::Method::POST);
    assert_eq!(
        request.uri().to_string(),
        "https://graph.microsoft.com/v1.0/deviceAppManagement/syncMicrosoftStoreForBusinessApps"
    );
    assert!(request.body().is_empty());
    assert!(request.headers().get("content-type").is_none());
    operation.parse_response(response(204, "")).unwrap();
}

#[test]
fn a_batch_carries_several_operations_and_returns_each_result() {
    use msgraph::Batch;
    use msgraph::models::ManagedDeviceMobileAppConfigurationAssignment;

    let assignments = Graph::v1()
        .device_app_management()
        .mobile_app_configurations()
        .by_id("cfg-1")
        .assignments();
    let mut batch = Batch::new();
    let listed = batch.add(&assignments.list().top(2)).unwrap();
    let deleted = batch
        .add_after(&assignments.by_id("asg-1").delete(), &[listed.id()])
        .unwrap();
    let request = batch.to_http_request().unwrap();
    assert_eq!(
        request.uri().to_string(),
        "https://graph.microsoft.com/v1.0/$batch"
    );
    let body: serde_json::Value = serde_json::from_slice(request.body()).unwrap();
    assert_eq!(
        body["requests"][0]["url"],
        "/deviceAppManagement/mobileAppConfigurations/cfg-1/assignments?$top=2"
    );
    assert_eq!(body["requests"][1]["method"], "DELETE");
    assert_eq!(body["requests"][1]["dependsOn"], serde_json::json!(["1"]));

    let answer = response(
        200,
        r##"{"responses": [
            {"id": "1", "status": 200, "body": {"value": [{"id": "asg-1", "target": {"@odata.type": "#microsoft.graph.allDevicesAssignmentTarget"}}]}},
            {"id": "2", "status": 204}
        ]}"##,
    );
    let results = batch.parse_response(answer).unwrap();
    let page = listed.result(&results).unwrap();
    let first: &ManagedDeviceMobileAppConfigurationAssignment = &page.value[0];
    assert_eq!(first.id.as_deref(), Some("asg-1"));
    deleted.result(&results).unwrap();
}

/// A delta page of generated models reads every entry as a change (removed ones with their
/// reason) and is written back exactly as read, `@removed` and the delta link included.
#[test]
fn a_delta_page_of_models_is_written_back_as_read() {
    use msgraph::delta::{Change, RemovedReason};
    use msgraph::models::OAuth2PermissionGrant;

    let delta = Graph::v1().oauth2_permission_grants().delta();
    let body = r#"{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#Collection(microsoft.graph.oAuth2PermissionGrant)","@odata.deltaLink":"https://graph.microsoft.com/v1.0/oauth2PermissionGrants/delta()?$deltatoken=Z3V","value":[{"id":"g1","clientId":"c1","scope":"User.Read","principalId":null},{"id":"g2","@removed":{"reason":"deleted"}}]}"#;
    let page = delta.changes().parse_response(response(200, body)).unwrap();
    let Change::Changed(changed) = &page.value[0] else {
        panic!("a changed grant")
    };
    assert_eq!(changed.scope.as_deref(), Some("User.Read"));
    assert_eq!(page.value[1].removed(), Some(&RemovedReason::Deleted));
    let removed: &OAuth2PermissionGrant = page.value[1].entity();
    assert_eq!(removed.id.as_deref(), Some("g2"));
    assert_eq!(
        serde_json::to_value(&page).unwrap(),
        serde_json::from_str::<serde_json::Value>(body).unwrap()
    );
    assert_eq!(page.delta_link.unwrap().token(), Some("Z3V"));
}
