//! Keeps a local copy of the tenant's delegated permission grants in step with a delta query:
//! the first run reads every grant, later runs only what changed since the delta link stored in
//! a file.
//!
//! ```sh
//! MSGRAPH_TOKEN=... MSGRAPH_DELTA_LINK_FILE=grants.delta \
//!     cargo run -p msgraph --features transport --example sync_permission_grants
//! ```
//!
//! | variable | meaning |
//! |---|---|
//! | `MSGRAPH_TOKEN` | a bearer token with `Directory.Read.All` (required) |
//! | `MSGRAPH_BASE_URL` | the service root (default `https://graph.microsoft.com/v1.0`) |
//! | `MSGRAPH_DELTA_LINK_FILE` | where the delta link is kept between runs (required) |
//!
//! This file is hand-written in `metadata/examples/sync_permission_grants.rs` and copied into
//! the generated crate by `cargo xtask codegen`: edit it there. `tests/transport.rs` runs its
//! `run` against a local server.

use std::collections::BTreeMap;

use msgraph::Graph;
use msgraph::delta::DeltaLink;
use msgraph::models::OAuth2PermissionGrant;
use msgraph::transport::{Client, StaticToken, TransportError};

/// Applies one round of changes to `grants` (by id): from the start when `stored` is `None`,
/// else since the round that gave `stored`. Prints one line per change and returns the link to
/// store for the next round.
pub async fn run(
    client: &Client,
    graph: &Graph,
    stored: Option<&DeltaLink>,
    grants: &mut BTreeMap<String, OAuth2PermissionGrant>,
) -> Result<DeltaLink, TransportError> {
    let delta = graph.oauth2_permission_grants().delta();
    let first = match stored {
        Some(link) => delta.resume(link)?,
        None => delta.changes(),
    };
    let round = client.delta_round(first).await?;
    for change in round.changes {
        let removed = change.removed().map(|reason| reason.as_str().to_string());
        let grant = change.into_entity();
        let Some(id) = grant.id.clone() else { continue };
        match removed {
            Some(reason) => {
                println!("{id}\tremoved ({reason})");
                grants.remove(&id);
            }
            None => {
                println!("{id}\t{}", grant.scope.as_deref().unwrap_or(""));
                // A change carries the properties that changed: keep the others.
                let kept = grants.entry(id).or_default();
                *kept = merge(std::mem::take(kept), grant);
            }
        }
    }
    Ok(round.link)
}

/// `old` with every property that `new` sets.
fn merge(old: OAuth2PermissionGrant, new: OAuth2PermissionGrant) -> OAuth2PermissionGrant {
    OAuth2PermissionGrant {
        id: new.id.or(old.id),
        client_id: new.client_id.or(old.client_id),
        consent_type: new.consent_type.or(old.consent_type),
        principal_id: new.principal_id.or(old.principal_id),
        resource_id: new.resource_id.or(old.resource_id),
        scope: new.scope.or(old.scope),
        additional_properties: new.additional_properties,
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = Client::new(StaticToken::new(env("MSGRAPH_TOKEN")?))?;
    let graph = Graph::with_base_url(
        std::env::var("MSGRAPH_BASE_URL").unwrap_or_else(|_| Graph::GLOBAL_V1.to_string()),
    );
    let file = env("MSGRAPH_DELTA_LINK_FILE")?;
    let stored = match std::fs::read_to_string(&file) {
        Ok(text) => Some(serde_json::from_str::<DeltaLink>(&text)?),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => None,
        Err(error) => return Err(error.into()),
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let mut grants = BTreeMap::new();
    let link = runtime.block_on(run(&client, &graph, stored.as_ref(), &mut grants))?;
    std::fs::write(&file, serde_json::to_string(&link)?)?;
    Ok(())
}

/// The value of a required environment variable.
fn env(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("set {name} (see the top of this file)"))
}
