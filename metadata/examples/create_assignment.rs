//! Assigns an app configuration policy to one group by creating an assignment (`POST`).
//!
//! ```sh
//! MSGRAPH_TOKEN=... MSGRAPH_CONFIGURATION_ID=... MSGRAPH_GROUP_ID=... \
//!     cargo run -p msgraph --features transport --example create_assignment
//! ```
//!
//! | variable | meaning |
//! |---|---|
//! | `MSGRAPH_TOKEN` | a bearer token with `DeviceManagementApps.ReadWrite.All` (required) |
//! | `MSGRAPH_BASE_URL` | the service root (default `https://graph.microsoft.com/v1.0`) |
//! | `MSGRAPH_CONFIGURATION_ID` | the id of the app configuration policy (required) |
//! | `MSGRAPH_GROUP_ID` | the id of the Microsoft Entra group (required) |
//!
//! This file is hand-written in `metadata/examples/create_assignment.rs` and copied into the
//! generated crate by `cargo xtask codegen`: edit it there. `tests/transport.rs` runs its `run`
//! against a local server.

use msgraph::Model;

use msgraph::Graph;
use msgraph::models::{GroupAssignmentTarget, ManagedDeviceMobileAppConfigurationAssignment};
use msgraph::transport::{Client, StaticToken, TransportError};

/// Creates an assignment of the configuration to the group, prints its id and returns it.
pub async fn run(
    client: &Client,
    graph: &Graph,
    configuration_id: &str,
    group_id: &str,
) -> Result<ManagedDeviceMobileAppConfigurationAssignment, TransportError> {
    let assignment = ManagedDeviceMobileAppConfigurationAssignment::default().with(|assignment| {
        assignment.target = Some(
            GroupAssignmentTarget::default()
                .with(|target| target.group_id = Some(group_id.to_string()))
                .into(),
        )
    });
    let create = graph
        .device_app_management()
        .mobile_app_configurations()
        .by_id(configuration_id)
        .assignments()
        .create(&assignment);
    let created = client.send(&create).await?;
    println!("created {}", created.id.as_deref().unwrap_or("?"));
    Ok(created)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = Client::new(StaticToken::new(env("MSGRAPH_TOKEN")?))?;
    let graph = Graph::with_base_url(
        std::env::var("MSGRAPH_BASE_URL").unwrap_or_else(|_| Graph::GLOBAL_V1.to_string()),
    );
    let configuration_id = env("MSGRAPH_CONFIGURATION_ID")?;
    let group_id = env("MSGRAPH_GROUP_ID")?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(run(&client, &graph, &configuration_id, &group_id))?;
    Ok(())
}

/// The value of a required environment variable.
fn env(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("set {name} (see the top of this file)"))
}
