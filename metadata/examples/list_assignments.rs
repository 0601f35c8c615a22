//! Lists the assignments of an app configuration policy, page by page (following
//! `@odata.nextLink`).
//!
//! ```sh
//! MSGRAPH_TOKEN=... MSGRAPH_CONFIGURATION_ID=... \
//!     cargo run -p msgraph --features transport --example list_assignments
//! ```
//!
//! | variable | meaning |
//! |---|---|
//! | `MSGRAPH_TOKEN` | a bearer token with `DeviceManagementApps.Read.All` (required) |
//! | `MSGRAPH_BASE_URL` | the service root (default `https://graph.microsoft.com/v1.0`) |
//! | `MSGRAPH_CONFIGURATION_ID` | the id of the app configuration policy (required) |
//!
//! This file is hand-written in `metadata/examples/list_assignments.rs` and copied into the
//! generated crate by `cargo xtask codegen`: edit it there. `tests/transport.rs` runs its `run`
//! against a local server.

use msgraph::Graph;
use msgraph::models::ManagedDeviceMobileAppConfigurationAssignment;
use msgraph::transport::{Client, StaticToken, TransportError};

/// Reads every page of the configuration's assignments, prints one line per assignment, and
/// returns them all.
pub async fn run(
    client: &Client,
    graph: &Graph,
    configuration_id: &str,
) -> Result<Vec<ManagedDeviceMobileAppConfigurationAssignment>, TransportError> {
    let list = graph
        .device_app_management()
        .mobile_app_configurations()
        .by_id(configuration_id)
        .assignments()
        .list();
    let mut pages = client.pages(list);
    let mut all = Vec::new();
    while let Some(page) = pages.next().await {
        for assignment in page?.value {
            let target = assignment.target.as_ref().and_then(|t| t.odata_type());
            println!(
                "{}\t{}",
                assignment.id.as_deref().unwrap_or("?"),
                target.unwrap_or("?")
            );
            all.push(assignment);
        }
    }
    Ok(all)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = Client::new(StaticToken::new(env("MSGRAPH_TOKEN")?))?;
    let graph = Graph::with_base_url(
        std::env::var("MSGRAPH_BASE_URL").unwrap_or_else(|_| Graph::GLOBAL_V1.to_string()),
    );
    let configuration_id = env("MSGRAPH_CONFIGURATION_ID")?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(run(&client, &graph, &configuration_id))?;
    Ok(())
}

/// The value of a required environment variable.
fn env(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("set {name} (see the top of this file)"))
}
