//! Keeps a local copy of the tenant's delegated permission grants in step with a delta query:
//! the first run reads every grant, later runs only what changed since the last one. The copy
//! and the delta link to resume from are kept in a JSON file between runs.
//!
//! ```sh
//! MSGRAPH_TOKEN=... MSGRAPH_STATE_FILE=grants.json \
//!     cargo run -p msgraph --features transport --example sync_permission_grants
//! ```
//!
//! | variable | meaning |
//! |---|---|
//! | `MSGRAPH_TOKEN` | a bearer token with `Directory.Read.All` (required) |
//! | `MSGRAPH_BASE_URL` | the service root (default `https://graph.microsoft.com/v1.0`) |
//! | `MSGRAPH_STATE_FILE` | where the copy and the delta link are kept between runs (required) |
//!
//! This file is hand-written in `metadata/examples/sync_permission_grants.rs` and copied into
//! the generated crate by `cargo xtask codegen`: edit it there. `tests/transport.rs` runs its
//! `run` against a local server.

use std::collections::BTreeMap;

use msgraph::Graph;
use msgraph::delta::DeltaLink;
use msgraph::models::OAuth2PermissionGrant;
use msgraph::transport::{Client, StaticToken, TransportError};
use serde::{Deserialize, Serialize};

/// What is kept between runs.
#[derive(Default, Serialize, Deserialize)]
pub struct State {
    /// Where the next round starts; `None` before the first.
    pub link: Option<DeltaLink>,
    /// The copy: every grant, by id.
    pub grants: BTreeMap<String, OAuth2PermissionGrant>,
}

/// Applies one round of changes to `state`'s copy (from the start before the first round, else
/// since the round that gave its link) and keeps the link the round ends with. Prints one line
/// per change.
pub async fn run(client: &Client, graph: &Graph, state: &mut State) -> Result<(), TransportError> {
    let delta = graph.oauth2_permission_grants().delta();
    let first = match &state.link {
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
                state.grants.remove(&id);
            }
            None => {
                println!("{id}\t{}", grant.scope.as_deref().unwrap_or(""));
                // Without `Prefer: return=minimal`, a changed grant comes whole: it replaces
                // the copy's.
                state.grants.insert(id, grant);
            }
        }
    }
    state.link = Some(round.link);
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = Client::new(StaticToken::new(env("MSGRAPH_TOKEN")?))?;
    let graph = Graph::with_base_url(
        std::env::var("MSGRAPH_BASE_URL").unwrap_or_else(|_| Graph::GLOBAL_V1.to_string()),
    );
    let file = env("MSGRAPH_STATE_FILE")?;
    let mut state: State = match std::fs::read_to_string(&file) {
        Ok(text) => serde_json::from_str(&text)?,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => State::default(),
        Err(error) => return Err(error.into()),
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(run(&client, &graph, &mut state))?;
    std::fs::write(&file, serde_json::to_string(&state)?)?;
    Ok(())
}

/// The value of a required environment variable.
fn env(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("set {name} (see the top of this file)"))
}
