//! The same program as `size_msgraph.rs` written with reqwest and serde_json alone, over the
//! same TLS setup: the baseline of the binary-size comparison in `cargo xtask bench --cargo`.

use std::sync::Arc;

use rustls_platform_verifier::BuilderVerifierExt as _;

const ROOT: &str = "https://graph.microsoft.com/v1.0";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let token = std::env::var("MSGRAPH_TOKEN")?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_platform_verifier()?
        .with_no_client_auth();
    let http = reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .build()?;
    let body = serde_json::json!({
        "target": {"@odata.type": "#microsoft.graph.allLicensedUsersAssignmentTarget"}
    });
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        http.patch(format!(
            "{ROOT}/deviceAppManagement/mobileAppConfigurations/cfg-1/assignments/asg-1"
        ))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body(serde_json::to_vec(&body)?)
        .send()
        .await?
        .error_for_status()?;
        let mut next = Some(format!("{ROOT}/users"));
        while let Some(url) = next.take() {
            let bytes = http
                .get(url)
                .bearer_auth(&token)
                .send()
                .await?
                .error_for_status()?
                .bytes()
                .await?;
            let page: serde_json::Value = serde_json::from_slice(&bytes)?;
            for user in page["value"].as_array().into_iter().flatten() {
                println!("{}", user["@odata.type"].as_str().unwrap_or("?"));
            }
            next = page["@odata.nextLink"].as_str().map(str::to_string);
        }
        Ok::<_, Box<dyn std::error::Error>>(())
    })
}
