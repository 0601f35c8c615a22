//! Sends the seed's `PATCH`: retargets an assignment to every licensed user.
//!
//! ```sh
//! MSGRAPH_TOKEN=... MSGRAPH_CONFIGURATION_ID=... MSGRAPH_ASSIGNMENT_ID=... \
//!     cargo run -p msgraph --features transport --example patch_assignment
//! ```
//!
//! | variable | meaning |
//! |---|---|
//! | `MSGRAPH_TOKEN` | a bearer token with `DeviceManagementApps.ReadWrite.All` (required) |
//! | `MSGRAPH_BASE_URL` | the service root (default `https://graph.microsoft.com/v1.0`) |
//! | `MSGRAPH_CONFIGURATION_ID` | the id of the app configuration policy (required) |
//! | `MSGRAPH_ASSIGNMENT_ID` | the id of the assignment (required) |
//!
//! This file is hand-written in `metadata/examples/patch_assignment.rs` and copied into the
//! generated crate by `cargo xtask codegen`: edit it there. `tests/transport.rs` runs its `run`
//! against a local server.

use msgraph::Model;

use msgraph::Graph;
use msgraph::models::{
    AllLicensedUsersAssignmentTarget, ManagedDeviceMobileAppConfigurationAssignment,
};
use msgraph::transport::{Client, StaticToken, TransportError};

/// Sets the assignment's target to all licensed users and returns the updated assignment.
pub async fn run(
    client: &Client,
    graph: &Graph,
    configuration_id: &str,
    assignment_id: &str,
) -> Result<ManagedDeviceMobileAppConfigurationAssignment, TransportError> {
    let changes = ManagedDeviceMobileAppConfigurationAssignment::default().with(|assignment| {
        assignment.target = Some(AllLicensedUsersAssignmentTarget::default().into())
    });
    let patch = graph
        .device_app_management()
        .mobile_app_configurations()
        .by_id(configuration_id)
        .assignments()
        .by_id(assignment_id)
        .patch(&changes);
    let updated = client.send(&patch).await?;
    println!(
        "{} now targets {}",
        updated.id.as_deref().unwrap_or(assignment_id),
        updated
            .target
            .as_ref()
            .and_then(|t| t.odata_type())
            .unwrap_or("?")
    );
    Ok(updated)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = Client::new(StaticToken::new(env("MSGRAPH_TOKEN")?))?;
    let graph = Graph::with_base_url(
        std::env::var("MSGRAPH_BASE_URL").unwrap_or_else(|_| Graph::GLOBAL_V1.to_string()),
    );
    let configuration_id = env("MSGRAPH_CONFIGURATION_ID")?;
    let assignment_id = env("MSGRAPH_ASSIGNMENT_ID")?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(run(&client, &graph, &configuration_id, &assignment_id))?;
    Ok(())
}

/// The value of a required environment variable.
fn env(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("set {name} (see the top of this file)"))
}
