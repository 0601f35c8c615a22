//! Sign-in with the Azure SDK for Rust (cargo feature `azure`, which enables `transport`): any
//! `azure_core` [`TokenCredential`] (the `azure_identity` crate's client secret, managed
//! identity, workload identity, developer tools such as the Azure CLI, ...) as the transport's
//! [`TokenProvider`].
//!
//! ```text
//! // `credential`: an `Arc<dyn TokenCredential>`, such as
//! // `azure_identity::DeveloperToolsCredential::new(None)?`.
//! let client = Client::new(AzureCredential::new(credential))?;
//! ```
//!
//! Tokens are asked for the service's `.default` scope (`https://graph.microsoft.com/.default`,
//! or the national cloud's) and kept until shortly before they expire, so a credential is asked
//! again only then.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The `azure_core` this module uses, to implement or name a credential with the same version.
pub use azure_core;
pub use azure_core::credentials::TokenCredential;

use crate::graph::Cloud;
use crate::transport::{AccessToken, TokenFuture, TokenProvider};

/// How long before its expiry a kept token is no longer used (tokens are also checked by the
/// service's clock).
const DEFAULT_MARGIN: Duration = Duration::from_secs(5 * 60);

/// A [`TokenProvider`] that gets Microsoft Graph tokens from an Azure SDK credential and keeps
/// each until shortly before it expires. Its `Debug` output shows no token.
pub struct AzureCredential {
    credential: Arc<dyn TokenCredential>,
    scope: String,
    margin: Duration,
    kept: Arc<Mutex<Option<Kept>>>,
}

/// A token and when it stops being used.
#[derive(Clone)]
struct Kept {
    token: AccessToken,
    until: time::OffsetDateTime,
}

impl AzureCredential {
    /// Tokens for the global service (`https://graph.microsoft.com/.default`).
    pub fn new(credential: Arc<dyn TokenCredential>) -> Self {
        Self::in_cloud(credential, Cloud::Global)
    }

    /// Tokens for a national cloud's service (`https://graph.microsoft.us/.default`, ...).
    pub fn in_cloud(credential: Arc<dyn TokenCredential>, cloud: Cloud) -> Self {
        Self::with_scope(credential, format!("{}/.default", cloud.service_root()))
    }

    /// Tokens for `scope`, for a service root of your own.
    pub fn with_scope(credential: Arc<dyn TokenCredential>, scope: impl Into<String>) -> Self {
        AzureCredential {
            credential,
            scope: scope.into(),
            margin: DEFAULT_MARGIN,
            kept: Arc::new(Mutex::new(None)),
        }
    }

    /// How long before its expiry a token is replaced (default 5 minutes).
    pub fn refresh_before_expiry(mut self, margin: Duration) -> Self {
        self.margin = margin;
        self
    }

    /// The scope tokens are asked for.
    pub fn scope(&self) -> &str {
        &self.scope
    }
}

impl fmt::Debug for AzureCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AzureCredential")
            .field("credential", &self.credential)
            .field("scope", &self.scope)
            .field("margin", &self.margin)
            .finish_non_exhaustive()
    }
}

impl TokenProvider for AzureCredential {
    fn token(&self) -> TokenFuture<'_> {
        Box::pin(async move {
            let now = time::OffsetDateTime::now_utc();
            if let Some(kept) = lock(&self.kept).as_ref().filter(|kept| now < kept.until) {
                return Ok(kept.token.clone());
            }
            let fresh = self.credential.get_token(&[&self.scope], None).await?;
            let token = AccessToken::new(fresh.token.secret());
            let until = fresh.expires_on - self.margin;
            *lock(&self.kept) = Some(Kept {
                token: token.clone(),
                until,
            });
            Ok(token)
        })
    }
}

/// The kept token, whatever a panicking thread left (it is only ever replaced whole).
fn lock(kept: &Mutex<Option<Kept>>) -> std::sync::MutexGuard<'_, Option<Kept>> {
    kept.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
