//! The snippet from the foundation issue, unchanged, in a crate that depends on `msgraph` by
//! path. The response that "any HTTP client" would return is provided up front.

fn main() -> Result<(), msgraph::Error> {
    let response = http::Response::builder()
        .status(200)
        .body(br#"{"id":"asg-1","target":{"@odata.type":"microsoft.graph.allLicensedUsersAssignmentTarget"}}"#.to_vec())
        .expect("a valid response");

    // ---- the snippet, unchanged ----
    use msgraph::Model;
    use msgraph::models::{
        AllLicensedUsersAssignmentTarget, DeviceAndAppManagementAssignmentTarget,
        ManagedDeviceMobileAppConfigurationAssignment,
    };
    let assignment = ManagedDeviceMobileAppConfigurationAssignment::default().with(|assignment| {
        assignment.target = Some(
            DeviceAndAppManagementAssignmentTarget::AllLicensedUsersAssignmentTarget(
                AllLicensedUsersAssignmentTarget::default(),
            ),
        )
    });
    let op = msgraph::Graph::v1() // https://graph.microsoft.com/v1.0
        .device_app_management()
        .mobile_app_configurations()
        .by_id("cfg-1")
        .assignments()
        .by_id("asg-1")
        .patch(&assignment);
    let request: http::Request<Vec<u8>> = op.to_http_request()?; // Result<_, msgraph::Error>
    // ... any HTTP client sends it ...
    let updated: ManagedDeviceMobileAppConfigurationAssignment = op.parse_response(response)?;
    // ---- end of the snippet ----

    assert_eq!(request.method(), "PATCH");
    assert_eq!(
        request.uri(),
        "https://graph.microsoft.com/v1.0/deviceAppManagement/mobileAppConfigurations/cfg-1/assignments/asg-1"
    );
    assert_eq!(updated.target, assignment.target);
    println!(
        "downstream: {} {} -> parsed {:?}",
        request.method(),
        request.uri(),
        updated.id
    );
    Ok(())
}
