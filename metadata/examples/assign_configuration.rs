//! Replaces all assignments of an app configuration policy with one per group, in one call of the
//! bound action `assign`.
//!
//! ```sh
//! MSGRAPH_TOKEN=... MSGRAPH_CONFIGURATION_ID=... MSGRAPH_GROUP_IDS=g1,g2 \
//!     cargo run -p msgraph --features transport --example assign_configuration
//! ```
//!
//! | variable | meaning |
//! |---|---|
//! | `MSGRAPH_TOKEN` | a bearer token with `DeviceManagementApps.ReadWrite.All` (required) |
//! | `MSGRAPH_BASE_URL` | the service root (default `https://graph.microsoft.com/v1.0`) |
//! | `MSGRAPH_CONFIGURATION_ID` | the id of the app configuration policy (required) |
//! | `MSGRAPH_GROUP_IDS` | the ids of the Microsoft Entra groups, comma-separated (required) |
//!
//! This file is hand-written in `metadata/examples/assign_configuration.rs` and copied into the
//! generated crate by `cargo xtask codegen`: edit it there. `tests/transport.rs` runs its `run`
//! against a local server.

use msgraph::Model;

use msgraph::Graph;
use msgraph::models::{GroupAssignmentTarget, ManagedDeviceMobileAppConfigurationAssignment};
use msgraph::requests::ManagedDeviceMobileAppConfigurationAssignParameters;
use msgraph::transport::{Client, StaticToken, TransportError};

/// Assigns the configuration to exactly these groups.
pub async fn run(
    client: &Client,
    graph: &Graph,
    configuration_id: &str,
    group_ids: &[&str],
) -> Result<(), TransportError> {
    let assignments = group_ids
        .iter()
        .map(|group_id| {
            ManagedDeviceMobileAppConfigurationAssignment::default().with(|assignment| {
                assignment.target = Some(
                    GroupAssignmentTarget::default()
                        .with(|target| target.group_id = Some(group_id.to_string()))
                        .into(),
                )
            })
        })
        .collect();
    let assign = graph
        .device_app_management()
        .mobile_app_configurations()
        .by_id(configuration_id)
        .assign(
            &ManagedDeviceMobileAppConfigurationAssignParameters::default()
                .with(|parameters| parameters.assignments = Some(assignments)),
        );
    client.send(&assign).await?;
    println!("assigned to {} groups", group_ids.len());
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = Client::new(StaticToken::new(env("MSGRAPH_TOKEN")?))?;
    let graph = Graph::with_base_url(
        std::env::var("MSGRAPH_BASE_URL").unwrap_or_else(|_| Graph::GLOBAL_V1.to_string()),
    );
    let configuration_id = env("MSGRAPH_CONFIGURATION_ID")?;
    let group_ids = env("MSGRAPH_GROUP_IDS")?;
    let group_ids: Vec<&str> = group_ids.split(',').map(str::trim).collect();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(run(&client, &graph, &configuration_id, &group_ids))?;
    Ok(())
}

/// The value of a required environment variable.
fn env(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("set {name} (see the top of this file)"))
}
