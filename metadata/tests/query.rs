//! Typed `$filter` and `$expand` with the generated constants (feature `query`): each kind of
//! field the slice has, in a request as the service receives it.
#![cfg(feature = "query")]

use msgraph::{Graph, Model};
use msgraph::models::{
    AppConfigurationSettingItem, DeviceAndAppManagementAssignmentTarget, GroupAssignmentTarget,
    IosMobileAppConfiguration, ManagedDeviceMobileAppConfigurationAssignment, MdmAppConfigKeyType,
    properties,
};
use msgraph::query::Filter;

/// The `$filter` text of a request, decoded.
fn filter_of(op: &msgraph::Operation<impl Sized>) -> String {
    let request = op.to_http_request().unwrap();
    let query = request.uri().query().unwrap_or_default().to_string();
    let encoded = query
        .split('&')
        .find_map(|pair| pair.strip_prefix("$filter="))
        .expect("a $filter");
    percent_decode(encoded)
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
            out.push(u8::from_str_radix(hex, 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

fn configurations() -> msgraph::requests::ManagedDeviceMobileAppConfigurationCollectionRequest {
    Graph::v1().device_app_management().mobile_app_configurations()
}

#[test]
fn strings_numbers_dates_and_their_combinations() {
    let op = configurations().list().filter(
        IosMobileAppConfiguration::DISPLAY_NAME
            .eq("Contoso's")
            .and(IosMobileAppConfiguration::VERSION.gt(1))
            .and(IosMobileAppConfiguration::CREATED_DATE_TIME.ge("2024-05-01T00:00:00Z"))
            .or(IosMobileAppConfiguration::DESCRIPTION.is_null()),
    );
    assert_eq!(
        filter_of(&op),
        "displayName eq 'Contoso''s' and version gt 1 and createdDateTime ge 2024-05-01T00:00:00Z \
         or description eq null"
    );
}

#[test]
fn collections_of_strings_and_of_complex_values_with_an_enum() {
    let apps = IosMobileAppConfiguration::TARGETED_MOBILE_APPS.any(|app| app.eq("app-1"));
    let settings = IosMobileAppConfiguration::SETTINGS.any(|setting| {
        setting
            .then(AppConfigurationSettingItem::APP_CONFIG_KEY_TYPE)
            .eq(MdmAppConfigKeyType::IntegerType)
            .and(setting.then(AppConfigurationSettingItem::APP_CONFIG_KEY).starts_with("max"))
    });
    let op = configurations().list().filter(apps.and(settings.not()));
    assert_eq!(
        filter_of(&op),
        "targetedMobileApps/any(x:x eq 'app-1') and not settings/any(x:x/appConfigKeyType eq \
         microsoft.graph.mdmAppConfigKeyType'integerType' and startswith(x/appConfigKey,'max'))"
    );
}

#[test]
fn a_union_valued_property_beside_raw_text() {
    // `target` holds a union of assignment targets; a derived type's property is reached
    // through a cast in OData, which raw text writes (combined typed filters parenthesize it).
    let op = configurations()
        .by_id("cfg-1")
        .assignments()
        .list()
        .filter(ManagedDeviceMobileAppConfigurationAssignment::TARGET.is_not_null().and(
            Filter::raw("microsoft.graph.groupAssignmentTarget/groupId eq 'g1'"),
        ));
    assert_eq!(
        filter_of(&op),
        "target ne null and (microsoft.graph.groupAssignmentTarget/groupId eq 'g1')"
    );
    let _ = GroupAssignmentTarget::GROUP_ID.eq("g1");
}

#[test]
fn raw_text_still_works() {
    let op = configurations().list().filter("startswith(displayName,'A')");
    assert_eq!(filter_of(&op), "startswith(displayName,'A')");
    let owned = String::from("version eq 2");
    assert_eq!(filter_of(&configurations().list().filter(&owned)), "version eq 2");
}

#[test]
fn expansions_accumulate_over_calls() {
    let op = configurations()
        .by_id("cfg-1")
        .get()
        .expand(["assignments($select=id)"])
        .expand([String::from("assignments")])
        .expand([IosMobileAppConfiguration::ASSIGNMENTS.expand().top(1)]);
    let request = op.to_http_request().unwrap();
    assert_eq!(
        percent_decode(request.uri().query().unwrap()),
        "$expand=assignments($select=id),assignments,assignments($top=1)"
    );
}

#[test]
fn expand_with_nested_options_and_the_expanded_value_read_typed() {
    let expand = IosMobileAppConfiguration::ASSIGNMENTS
        .expand()
        .select([properties::ManagedDeviceMobileAppConfigurationAssignment::Target])
        .filter(ManagedDeviceMobileAppConfigurationAssignment::ID.ne("old"))
        .top(2);
    let op = configurations().by_id("cfg-1").get().expand([expand]);
    let request = op.to_http_request().unwrap();
    assert_eq!(
        percent_decode(request.uri().query().unwrap()),
        "$expand=assignments($select=target;$filter=id ne 'old';$top=2)"
    );
    let configuration: IosMobileAppConfiguration = serde_json::from_value(serde_json::json!({
        "id": "cfg-1",
        "assignments": [
            { "id": "a1", "target": { "@odata.type": "#microsoft.graph.groupAssignmentTarget", "groupId": "g1" } }
        ]
    }))
    .unwrap();
    // The expanded value is typed in the navigation property's field.
    let assignments = configuration.assignments.as_deref().unwrap();
    assert!(matches!(
        &assignments[0].target,
        Some(DeviceAndAppManagementAssignmentTarget::GroupAssignmentTarget(target))
            if target.group_id.as_deref() == Some("g1")
    ));
    assert!(configuration.additional_properties.is_empty());
    // Not expanded: nothing there.
    assert_eq!(IosMobileAppConfiguration::default().assignments, None);
}

/// An expansion the service paged is its first page, and the next link is kept beside it and
/// written back; a navigation set in code is written (deep insert).
#[test]
fn a_paged_expansion_keeps_its_next_link_and_navigations_are_written() {
    let answer = serde_json::json!({
        "id": "cfg-1",
        "assignments": [{ "id": "a1" }],
        "assignments@odata.nextLink": "https://graph.microsoft.com/v1.0/deviceAppManagement/mobileAppConfigurations/cfg-1/assignments?$skiptoken=x"
    });
    let configuration: IosMobileAppConfiguration =
        serde_json::from_value(answer.clone()).unwrap();
    assert_eq!(configuration.assignments.as_ref().map(Vec::len), Some(1));
    assert!(configuration
        .additional_properties
        .contains_key("assignments@odata.nextLink"));
    assert_eq!(serde_json::to_value(&configuration).unwrap(), answer);
    // The rest, read as the navigation's own list reads its next page.
    let link = "https://graph.microsoft.com/v1.0/deviceAppManagement/mobileAppConfigurations/cfg-1/assignments?$skiptoken=x";
    let assignments = IosMobileAppConfiguration::ASSIGNMENTS;
    assert_eq!(
        assignments.next_link(&configuration.additional_properties),
        Some(link)
    );
    let list = Graph::v1()
        .device_app_management()
        .mobile_app_configurations()
        .by_id("cfg-1")
        .assignments()
        .list();
    let rest = assignments
        .rest(&list, &configuration.additional_properties)
        .unwrap()
        .unwrap();
    assert_eq!(rest.to_http_request().unwrap().uri().to_string(), link);
    // An expansion that came whole has no rest; a link outside the service root is refused.
    assert!(assignments.rest(&list, &serde_json::Map::new()).is_none());
    let mut foreign = serde_json::Map::new();
    foreign.insert(
        "assignments@odata.nextLink".into(),
        "https://evil.example/v1.0/x".into(),
    );
    assert!(assignments.rest(&list, &foreign).unwrap().is_err());

    let mut created = IosMobileAppConfiguration::default();
    created.display_name = Some("Contoso".into());
    let mut assignment = ManagedDeviceMobileAppConfigurationAssignment::default();
    assignment.target = Some(
        msgraph::models::AllDevicesAssignmentTarget::default().into(),
    );
    created.assignments = Some(vec![assignment]);
    assert_eq!(
        serde_json::to_value(&created).unwrap(),
        serde_json::json!({
            "displayName": "Contoso",
            "assignments": [{ "target": { "@odata.type": "#microsoft.graph.allDevicesAssignmentTarget" } }]
        })
    );
}

/// A complex property as a resource of its own (`GET`/`PATCH .../assignments/{id}/target`),
/// from its constant.
#[test]
fn a_complex_property_is_addressed_read_and_updated() {
    let target = configurations()
        .by_id("cfg-1")
        .assignments()
        .by_id("a1")
        .property(ManagedDeviceMobileAppConfigurationAssignment::TARGET);
    let get = target.get();
    let request = get.to_http_request().unwrap();
    assert_eq!(
        request.uri(),
        "https://graph.microsoft.com/v1.0/deviceAppManagement/mobileAppConfigurations/cfg-1/assignments/a1/target"
    );
    let answer = http::Response::new(
        br##"{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#x","@odata.type":"#microsoft.graph.groupAssignmentTarget","groupId":"g1"}"##
            .to_vec(),
    );
    let value = get.parse_response(answer).unwrap();
    assert!(matches!(
        &value,
        DeviceAndAppManagementAssignmentTarget::GroupAssignmentTarget(target)
            if target.group_id.as_deref() == Some("g1")
    ));
    let patch = target
        .patch(&GroupAssignmentTarget::default().with(|t| t.group_id = Some("g2".into())).into())
        .to_http_request()
        .unwrap();
    assert_eq!(patch.method(), http::Method::PATCH);
    assert_eq!(
        patch.body().as_slice(),
        br##"{"@odata.type":"#microsoft.graph.groupAssignmentTarget","groupId":"g2"}"##
    );
}
