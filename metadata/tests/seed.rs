//! The request and response of the seed documentation page ("Update
//! managedDeviceMobileAppConfigurationAssignment"), built and parsed with the generated crate.
//!
//! This file is hand-written in `metadata/tests/seed.rs` and copied into the generated crate by
//! `cargo xtask codegen`: edit it there.

use msgraph::models::{
    AllLicensedUsersAssignmentTarget, DeviceAndAppManagementAssignmentTarget,
    ExclusionGroupAssignmentTarget, GroupAssignmentTarget, ManagedDeviceMobileAppConfiguration,
    ManagedDeviceMobileAppConfigurationAssignment,
};
use msgraph::requests::ManagedDeviceMobileAppConfigurationAssignParameters;
use msgraph::{Error, Graph, Model};
use serde_json::{Value, json};

const ASSIGNMENT_URL: &str = "https://graph.microsoft.com/v1.0/deviceAppManagement/mobileAppConfigurations/cfg-1/assignments/asg-1";

fn response(status: u16, body: &str) -> http::Response<Vec<u8>> {
    http::Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(body.as_bytes().to_vec())
        .unwrap()
}

fn body_json(request: &http::Request<Vec<u8>>) -> Value {
    serde_json::from_slice(request.body()).expect("the request body is JSON")
}

/// The seed's request, built exactly as the issue's snippet does.
#[test]
fn the_seed_patch_request() -> Result<(), Error> {
    let assignment = ManagedDeviceMobileAppConfigurationAssignment::default().with(|assignment| assignment.target = Some(
            DeviceAndAppManagementAssignmentTarget::AllLicensedUsersAssignmentTarget(
                AllLicensedUsersAssignmentTarget::default(),
            ),
        ));
    let op = Graph::v1()
        .device_app_management()
        .mobile_app_configurations()
        .by_id("cfg-1")
        .assignments()
        .by_id("asg-1")
        .patch(&assignment);
    let request: http::Request<Vec<u8>> = op.to_http_request()?;
    assert_eq!(request.method(), http::Method::PATCH);
    assert_eq!(request.uri().to_string(), ASSIGNMENT_URL);
    assert_eq!(request.headers()["accept"], "application/json");
    assert_eq!(request.headers()["content-type"], "application/json");
    assert_eq!(
        body_json(&request),
        json!({ "target": { "@odata.type": "#microsoft.graph.allLicensedUsersAssignmentTarget" } })
    );
    Ok(())
}

/// The seed's request body, read into the model and written back, is unchanged but for the `#`
/// before the target's type: the top-level `@odata.type` (of the base, which is written without
/// one) is kept among the additional properties.
#[test]
fn the_seed_request_body_round_trips() {
    let seed = json!({
        "@odata.type": "#microsoft.graph.managedDeviceMobileAppConfigurationAssignment",
        "target": { "@odata.type": "microsoft.graph.allLicensedUsersAssignmentTarget" }
    });
    let assignment: ManagedDeviceMobileAppConfigurationAssignment =
        serde_json::from_value(seed.clone()).unwrap();
    assert!(matches!(
        assignment.target,
        Some(DeviceAndAppManagementAssignmentTarget::AllLicensedUsersAssignmentTarget(_))
    ));
    let op = Graph::v1()
        .device_app_management()
        .mobile_app_configurations()
        .by_id("cfg-1")
        .assignments()
        .by_id("asg-1")
        .patch(&assignment);
    let written = body_json(&op.to_http_request().unwrap());
    let mut expected = seed;
    expected["target"]["@odata.type"] = json!("#microsoft.graph.allLicensedUsersAssignmentTarget");
    assert_eq!(written, expected);
}

/// The seed's response parses into the typed model.
#[test]
fn the_seed_response() -> Result<(), Error> {
    let op = Graph::v1()
        .device_app_management()
        .mobile_app_configurations()
        .by_id("cfg-1")
        .assignments()
        .by_id("asg-1")
        .patch(&ManagedDeviceMobileAppConfigurationAssignment::default());
    let seed_response = r##"{
  "@odata.type": "#microsoft.graph.managedDeviceMobileAppConfigurationAssignment",
  "id": "4df81c9c-1c9c-4df8-9c1c-f84d9c1cf84d",
  "target": {
    "@odata.type": "microsoft.graph.allLicensedUsersAssignmentTarget"
  }
}"##;
    let updated: ManagedDeviceMobileAppConfigurationAssignment =
        op.parse_response(response(200, seed_response))?;
    assert_eq!(
        updated.id.as_deref(),
        Some("4df81c9c-1c9c-4df8-9c1c-f84d9c1cf84d")
    );
    assert_eq!(
        updated.target,
        Some(AllLicensedUsersAssignmentTarget::default().into()),
        "read with its type's tag (here without `#`), it equals the value built in code"
    );
    assert_eq!(
        updated.additional_properties["@odata.type"],
        "#microsoft.graph.managedDeviceMobileAppConfigurationAssignment"
    );
    Ok(())
}

#[test]
fn graph_errors_are_typed_and_shown() {
    let op = Graph::v1()
        .device_app_management()
        .mobile_app_configurations()
        .by_id("cfg-1")
        .assignments()
        .by_id("missing")
        .get();
    let body = r#"{"error":{"code":"ResourceNotFound","message":"The assignment 'missing' was not found.","innerError":{"request-id":"req-7","date":"2026-11-28T12:00:00"}}}"#;
    let error = op.parse_response(response(404, body)).unwrap_err();
    let text = error.to_string();
    assert!(text.contains("404"), "{text}");
    assert!(text.contains("ResourceNotFound"), "{text}");
    assert!(
        text.contains("The assignment 'missing' was not found."),
        "{text}"
    );
    let Error::Service(service) = error else {
        panic!("expected a service error, got {error:?}");
    };
    assert_eq!(service.status(), http::StatusCode::NOT_FOUND);
    assert_eq!(service.error().unwrap().code, "ResourceNotFound");
    assert_eq!(service.request_id(), Some("req-7"));
}

#[test]
fn bodies_that_do_not_parse_are_errors() {
    let op = Graph::v1()
        .device_app_management()
        .mobile_app_configurations()
        .by_id("cfg-1")
        .assignments()
        .by_id("asg-1")
        .get();
    let error = op
        .parse_response(response(200, r#"{"target": {"@odata.type": 5}}"#))
        .unwrap_err();
    assert!(matches!(error, Error::Deserialize { .. }), "{error:?}");
    let error = op.parse_response(response(200, "not json")).unwrap_err();
    assert!(matches!(error, Error::Deserialize { .. }), "{error:?}");
    let error = op.parse_response(response(204, "")).unwrap_err();
    assert!(matches!(error, Error::EmptyBody { .. }), "{error:?}");
}

#[test]
fn keys_are_one_encoded_segment_and_never_empty() {
    let configurations = Graph::v1()
        .device_app_management()
        .mobile_app_configurations();
    let cases = [
        ("cfg-1", "cfg-1"),
        ("a/b", "a%2Fb"),
        ("x?y=1#z", "x%3Fy%3D1%23z"),
        ("..", "%2E%2E"),
        (".", "%2E"),
        ("name.with.dots", "name.with.dots"),
        ("späce and ü", "sp%C3%A4ce%20and%20%C3%BC"),
    ];
    for (key, encoded) in cases {
        let request = configurations.by_id(key).get().to_http_request().unwrap();
        assert_eq!(
            request.uri().to_string(),
            format!(
                "https://graph.microsoft.com/v1.0/deviceAppManagement/mobileAppConfigurations/{encoded}"
            ),
            "key {key:?}"
        );
    }
    let error = configurations
        .by_id("")
        .assignments()
        .by_id("asg-1")
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
fn list_reads_a_page_of_assignments() {
    let op = Graph::with_base_url("http://127.0.0.1:8080/v1.0/")
        .device_app_management()
        .mobile_app_configurations()
        .by_id("cfg-1")
        .assignments()
        .list();
    let request = op.to_http_request().unwrap();
    assert_eq!(request.method(), http::Method::GET);
    assert_eq!(
        request.uri().to_string(),
        "http://127.0.0.1:8080/v1.0/deviceAppManagement/mobileAppConfigurations/cfg-1/assignments"
    );
    assert!(request.headers().get("content-type").is_none());
    let body = r##"{
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#assignments",
        "@odata.nextLink": "https://graph.microsoft.com/v1.0/next?$skiptoken=2",
        "value": [
            {"id": "a1", "target": {"@odata.type": "#microsoft.graph.groupAssignmentTarget", "groupId": "g1"}},
            {"id": "a2", "target": {"@odata.type": "#microsoft.graph.exclusionGroupAssignmentTarget", "groupId": "g2"}},
            {"id": "a3", "target": {"@odata.type": "#microsoft.graph.targetFromTheFuture", "ring": 3}}
        ]
    }"##;
    let page = op.parse_response(response(200, body)).unwrap();
    assert_eq!(
        page.next_link.as_deref(),
        Some("https://graph.microsoft.com/v1.0/next?$skiptoken=2")
    );
    let targets: Vec<_> = page
        .value
        .iter()
        .map(|a| a.target.clone().unwrap())
        .collect();
    // Read with the tag each variant is written with: equal to the values built in code.
    assert_eq!(
        targets[0],
        DeviceAndAppManagementAssignmentTarget::GroupAssignmentTarget(GroupAssignmentTarget::default().with(|target| target.group_id = Some("g1".into())))
    );
    assert_eq!(
        targets[1],
        DeviceAndAppManagementAssignmentTarget::ExclusionGroupAssignmentTarget(
            ExclusionGroupAssignmentTarget::default().with(|target| target.group_id = Some("g2".into()))
        )
    );
    assert_eq!(
        targets[2].odata_type(),
        Some("microsoft.graph.targetFromTheFuture")
    );
    assert_eq!(
        serde_json::to_value(&targets[2]).unwrap(),
        json!({"@odata.type": "#microsoft.graph.targetFromTheFuture", "ring": 3})
    );
    // What the crate typed of the page: the known targets with their members, the unknown
    // one as `null`, and no control information the types do not declare.
    assert_eq!(
        msgraph::typed_json(&page).unwrap(),
        json!({
            "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#assignments",
            "@odata.nextLink": "https://graph.microsoft.com/v1.0/next?$skiptoken=2",
            "value": [
                {"id": "a1", "target": {"@odata.type": "#microsoft.graph.groupAssignmentTarget", "groupId": "g1"}},
                {"id": "a2", "target": {"@odata.type": "#microsoft.graph.exclusionGroupAssignmentTarget", "groupId": "g2"}},
                {"id": "a3", "target": null}
            ]
        })
    );
}

#[test]
fn create_and_delete_an_assignment() {
    let assignments = Graph::v1()
        .device_app_management()
        .mobile_app_configurations()
        .by_id("cfg-1")
        .assignments();
    let new = ManagedDeviceMobileAppConfigurationAssignment::default().with(|assignment| assignment.target = Some(
            GroupAssignmentTarget::default().with(|target| target.group_id = Some("g1".into()))
            .into(),
        ));
    let create = assignments.create(&new);
    let request = create.to_http_request().unwrap();
    assert_eq!(request.method(), http::Method::POST);
    assert_eq!(
        body_json(&request),
        json!({"target": {"@odata.type": "#microsoft.graph.groupAssignmentTarget", "groupId": "g1"}})
    );
    let created = create
        .parse_response(response(
            201,
            r##"{"id": "new-1", "target": {"@odata.type": "#microsoft.graph.groupAssignmentTarget", "groupId": "g1"}}"##,
        ))
        .unwrap();
    assert_eq!(created.id.as_deref(), Some("new-1"));
    let delete = assignments.by_id("new-1").delete();
    assert_eq!(
        delete.to_http_request().unwrap().method(),
        http::Method::DELETE
    );
    delete.parse_response(response(204, "")).unwrap();
}

/// `assign` is bound to `managedDeviceMobileAppConfiguration`: POST with the parameters as body,
/// 204 without content.
#[test]
fn assign_replaces_the_assignments_of_a_configuration() {
    let parameters = ManagedDeviceMobileAppConfigurationAssignParameters::default().with(|parameters| parameters.assignments = Some(vec![ManagedDeviceMobileAppConfigurationAssignment::default().with(|assignment| assignment.target = Some(AllLicensedUsersAssignmentTarget::default().into()))]));
    let op = Graph::v1()
        .device_app_management()
        .mobile_app_configurations()
        .by_id("cfg-1")
        .assign(&parameters);
    let request = op.to_http_request().unwrap();
    assert_eq!(request.method(), http::Method::POST);
    assert_eq!(
        request.uri().to_string(),
        "https://graph.microsoft.com/v1.0/deviceAppManagement/mobileAppConfigurations/cfg-1/assign"
    );
    assert_eq!(
        body_json(&request),
        json!({"assignments": [{"target": {"@odata.type": "#microsoft.graph.allLicensedUsersAssignmentTarget"}}]})
    );
    op.parse_response(response(204, "")).unwrap();
}

/// An action parameter is sent as an explicit `null` with `set_null`, like a model's property;
/// members the crate does not declare are sent too.
#[test]
fn action_parameters_can_be_sent_as_null() {
    let mut parameters = ManagedDeviceMobileAppConfigurationAssignParameters::default().with(|parameters| parameters.assignments = Some(Vec::new()));
    parameters.set_null("assignments");
    assert_eq!(parameters.assignments, None);
    parameters
        .additional_properties
        .insert("dryRun".into(), json!(true));
    let op = Graph::v1()
        .device_app_management()
        .mobile_app_configurations()
        .by_id("cfg-1")
        .assign(&parameters);
    assert_eq!(
        op.body().map(|body| std::str::from_utf8(body).unwrap()),
        Some(r#"{"assignments":null,"dryRun":true}"#)
    );
    assert_eq!(
        serde_json::to_value(ManagedDeviceMobileAppConfigurationAssignParameters::default())
            .unwrap(),
        json!({}),
        "nothing set, nothing sent"
    );
}

/// The configuration itself is polymorphic: the abstract base reads as its concrete type.
#[test]
fn configurations_are_read_as_their_concrete_type() {
    let op = Graph::v1()
        .device_app_management()
        .mobile_app_configurations()
        .by_id("cfg-1")
        .get();
    let body = r##"{
        "@odata.type": "#microsoft.graph.iosMobileAppConfiguration",
        "id": "cfg-1",
        "displayName": "Contoso",
        "version": 3,
        "settings": [{"appConfigKey": "k", "appConfigKeyType": "stringType", "appConfigKeyValue": "v"}]
    }"##;
    let configuration = op.parse_response(response(200, body)).unwrap();
    let ManagedDeviceMobileAppConfiguration::IosMobileAppConfiguration(ios) = configuration else {
        panic!("expected an iOS configuration, got {configuration:?}");
    };
    assert_eq!(ios.display_name.as_deref(), Some("Contoso"));
    assert_eq!(ios.version, Some(3));
    let settings = ios.settings.unwrap();
    assert_eq!(
        settings[0].app_config_key_type,
        Some(msgraph::models::MdmAppConfigKeyType::StringType)
    );
}

/// An update sends only what was set, and can clear a nullable property with an explicit `null`.
#[test]
fn an_update_can_clear_a_property() {
    let mut configuration = msgraph::models::IosMobileAppConfiguration::default().with(|configuration| configuration.display_name = Some("Renamed".into()));
    configuration.set_null("description");
    let op = Graph::v1()
        .device_app_management()
        .mobile_app_configurations()
        .by_id("cfg-1")
        .patch(&configuration.into());
    assert_eq!(
        body_json(&op.to_http_request().unwrap()),
        json!({
            "@odata.type": "#microsoft.graph.iosMobileAppConfiguration",
            "description": null,
            "displayName": "Renamed"
        })
    );

    // A property set after a null was read for it is sent once, with the new value.
    let mut read: msgraph::models::IosMobileAppConfiguration =
        serde_json::from_value(json!({"description": null})).unwrap();
    read.description = Some("new".into());
    let op = Graph::v1()
        .device_app_management()
        .mobile_app_configurations()
        .by_id("cfg-1")
        .patch(&read.clone().into());
    let body = String::from_utf8(op.to_http_request().unwrap().body().clone()).unwrap();
    assert_eq!(body.matches("description").count(), 1, "{body}");
    assert_eq!(
        serde_json::to_value(&read).unwrap(),
        json!({"description": "new"})
    );

    // Read back, the explicit null is kept and written again.
    let read: ManagedDeviceMobileAppConfigurationAssignment =
        serde_json::from_value(json!({"id": "a", "target": null})).unwrap();
    assert_eq!(read.target, None);
    assert_eq!(
        serde_json::to_value(&read).unwrap(),
        json!({"id": "a", "target": null})
    );
}
