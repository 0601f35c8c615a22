//! Assigns an app configuration policy to many groups with JSON batching: one `POST` per
//! assignment, sent 20 to a `$batch` request, each read back with its own result. Throttled
//! items are sent again after their `Retry-After`.
//!
//! ```sh
//! MSGRAPH_TOKEN=... MSGRAPH_CONFIGURATION_ID=... MSGRAPH_GROUP_IDS=g1,g2,g3 \
//!     cargo run -p msgraph --features transport --example create_assignments_in_batches
//! ```
//!
//! | variable | meaning |
//! |---|---|
//! | `MSGRAPH_TOKEN` | a bearer token with `DeviceManagementApps.ReadWrite.All` (required) |
//! | `MSGRAPH_BASE_URL` | the service root (default `https://graph.microsoft.com/v1.0`) |
//! | `MSGRAPH_CONFIGURATION_ID` | the id of the app configuration policy (required) |
//! | `MSGRAPH_GROUP_IDS` | the groups to assign it to, separated by commas (required) |
//!
//! This file is hand-written in `metadata/examples/create_assignments_in_batches.rs` and copied
//! into the generated crate by `cargo xtask codegen`: edit it there. `tests/transport.rs` runs
//! its `run` against a local server.

use msgraph::Model;

use msgraph::models::{GroupAssignmentTarget, ManagedDeviceMobileAppConfigurationAssignment};
use msgraph::transport::{Client, StaticToken, TransportError};
use msgraph::{Batches, Graph};

/// Creates one assignment per group, in batches of 20; prints one line per group and returns
/// each group's result, in order.
pub async fn run(
    client: &Client,
    graph: &Graph,
    configuration_id: &str,
    group_ids: &[&str],
) -> Result<
    Vec<Result<ManagedDeviceMobileAppConfigurationAssignment, msgraph::Error>>,
    TransportError,
> {
    let assignments = graph
        .device_app_management()
        .mobile_app_configurations()
        .by_id(configuration_id)
        .assignments();
    let mut batches = Batches::new();
    let mut items = Vec::new();
    for group_id in group_ids {
        let assignment =
            ManagedDeviceMobileAppConfigurationAssignment::default().with(|assignment| {
                assignment.target = Some(
                    GroupAssignmentTarget::default()
                        .with(|target| target.group_id = Some(group_id.to_string()))
                        .into(),
                )
            });
        items.push(batches.add(&assignments.create(&assignment))?);
    }
    let responses = client.send_batches(&batches).await?;
    let results: Vec<_> = items.iter().map(|item| item.result(&responses)).collect();
    for (group_id, result) in group_ids.iter().zip(&results) {
        match result {
            Ok(created) => println!("{group_id}\t{}", created.id.as_deref().unwrap_or("?")),
            Err(error) => println!("{group_id}\tfailed: {error}"),
        }
    }
    Ok(results)
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
