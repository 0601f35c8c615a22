//! The program whose release binary `cargo xtask bench --cargo` measures: the seed's PATCH and a
//! list of users, sent through msgraph's transport (built with `users` and
//! `device-app-management`).

use msgraph::models::{
    AllLicensedUsersAssignmentTarget, DeviceAndAppManagementAssignmentTarget,
    ManagedDeviceMobileAppConfigurationAssignment,
};
use msgraph::transport::{Client, StaticToken};
use msgraph::{Graph, Model};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = Client::new(StaticToken::new(std::env::var("MSGRAPH_TOKEN")?))?;
    let graph = Graph::v1();
    let assignment = ManagedDeviceMobileAppConfigurationAssignment::default().with(|assignment| {
        assignment.target = Some(
            DeviceAndAppManagementAssignmentTarget::AllLicensedUsersAssignmentTarget(
                AllLicensedUsersAssignmentTarget::default(),
            ),
        )
    });
    let patch = graph
        .device_app_management()
        .mobile_app_configurations()
        .by_id("cfg-1")
        .assignments()
        .by_id("asg-1")
        .patch(&assignment)
        .prefer("return=representation");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        client.send(&patch).await?;
        for user in client.list_all(graph.users().list()).await? {
            println!("{}", user.odata_type().unwrap_or("?"));
        }
        Ok::<_, Box<dyn std::error::Error>>(())
    })
}
