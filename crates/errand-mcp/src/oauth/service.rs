//! Signing in as a service: where the authorization server offers only the client
//! credentials grant (a service account, common for company servers and for work that runs
//! on a schedule with nobody at the keyboard), Errand exchanges the registered client's id
//! and secret for a token itself, with no browser, and does so again when the token expires.
use super::{FileStore, PreRegistered};
use rmcp::transport::auth::{AuthorizationManager, ClientCredentialsConfig, OAuthState};
use std::path::Path;

/// Signs in with the client credentials grant when the server offers that grant and not
/// the browser's (`authorization_code`), and `client` has a secret. `Ok(false)`: this
/// server signs in a person, through `login`.
pub async fn service_sign_in(
    url: &str,
    tokens: &Path,
    client: &PreRegistered,
) -> Result<bool, String> {
    let Some(secret) = &client.client_secret else {
        return Ok(false);
    };
    crate::http::install_crypto();
    let mut manager = AuthorizationManager::new(url)
        .await
        .map_err(|e| format!("{url} is not reachable for sign-in: {e}"))?;
    manager.set_credential_store(FileStore::new(tokens.to_path_buf()));
    let metadata = manager
        .resolve_metadata()
        .await
        .map_err(|e| format!("{url} offers no sign-in Errand can use: {e}"))?
        .metadata;
    let grants: Vec<String> = metadata
        .additional_fields
        .get("grant_types_supported")
        .and_then(|g| g.as_array())
        .map(|g| {
            g.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let offered = |grant: &str| grants.iter().any(|g| g == grant);
    if !offered("client_credentials") || offered("authorization_code") {
        return Ok(false);
    }
    let mut state = OAuthState::Unauthorized(manager);
    state
        .authenticate_client_credentials(ClientCredentialsConfig::ClientSecret {
            client_id: client.client_id.clone(),
            client_secret: secret.clone(),
            scopes: Vec::new(),
            resource: Some(url.to_string()),
        })
        .await
        .map_err(|e| format!("{url} refused the registered client's credentials: {e}"))?;
    Ok(true)
}

/// True when a kept sign-in has a token that is not about to expire (or says nothing of
/// when it does).
pub(super) async fn still_fresh(tokens: &Path) -> bool {
    use rmcp::transport::auth::CredentialStore;
    let Ok(Some(kept)) = FileStore::new(tokens.to_path_buf()).load().await else {
        return false;
    };
    let Some(token) = kept.token_response else {
        return false;
    };
    // Read in its wire form: the lifetime is `expires_in`, in seconds.
    let lifetime = serde_json::to_value(&token)
        .ok()
        .and_then(|t| t.get("expires_in").and_then(serde_json::Value::as_u64));
    let (Some(lifetime), Some(received)) = (lifetime, kept.token_received_at) else {
        return true;
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    received + lifetime > now + 60
}
