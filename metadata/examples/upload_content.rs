//! Uploads a large file through an upload session, in slices, resuming after a failed slice.
//! The session comes from a `createUploadSession` action (a drive item's, an attachment's, ...),
//! made beforehand; its `uploadUrl` is pre-authenticated, so this program needs no token.
//!
//! ```sh
//! MSGRAPH_UPLOAD_URL='https://...' MSGRAPH_FILE=report.pdf \
//!     cargo run -p msgraph --features transport --example upload_content
//! ```
//!
//! | variable | meaning |
//! |---|---|
//! | `MSGRAPH_UPLOAD_URL` | the upload session's `uploadUrl` (required) |
//! | `MSGRAPH_FILE` | the file to upload (required) |
//! | `MSGRAPH_SLICE_KIB` | the slice size in KiB, a multiple of 320 (default 10240) |
//!
//! This file is hand-written in `metadata/examples/upload_content.rs` and copied into the
//! generated crate by `cargo xtask codegen`: edit it there. `tests/transport.rs` runs its `run`
//! against a local server.

use msgraph::transport::{Client, StaticToken, TransportError};
use msgraph::upload::Upload;

/// Uploads `content` to the session at `upload_url` in slices of `slice_kib` KiB, and returns
/// the item the service created, as JSON (its type depends on what the session is for; with the
/// builder that made the session, its `upload(&session, len)` types it), or `null` when the
/// service answered with its location only (an Outlook attachment).
pub async fn run(
    client: &Client,
    upload_url: &str,
    content: &[u8],
    slice_kib: usize,
) -> Result<serde_json::Value, TransportError> {
    let upload = Upload::new(upload_url, content.len())?.slice_size(slice_kib * 1024)?;
    let uploaded = client.upload(upload, content).await?;
    let item: serde_json::Value = uploaded.item.unwrap_or_default();
    println!(
        "uploaded {} bytes: {}",
        content.len(),
        item.get("id")
            .and_then(|id| id.as_str())
            .or(uploaded.location.as_deref())
            .unwrap_or("?")
    );
    Ok(item)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The upload URL carries its own authorization; the client's token is never sent to it.
    let client = Client::new(StaticToken::new(String::new()))?;
    let upload_url = env("MSGRAPH_UPLOAD_URL")?;
    let content = std::fs::read(env("MSGRAPH_FILE")?)?;
    let slice_kib = match std::env::var("MSGRAPH_SLICE_KIB") {
        Ok(kib) => kib.parse()?,
        Err(_) => 10 * 1024,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(run(&client, &upload_url, &content, slice_kib))?;
    Ok(())
}

/// The value of a required environment variable.
fn env(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("set {name} (see the top of this file)"))
}
