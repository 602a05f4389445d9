//! OAuth 2.1 for servers reached by URL, on rmcp's implementation: discovery, dynamic client
//! registration where the server offers it, PKCE, and refresh. `login` runs the browser flow
//! with a loopback callback. The tokens go in the desktop keyring (the Secret Service, through
//! libsecret's `secret-tool`) when one answers; otherwise in a file only this user can read
//! (`DATA/mcp/NAME.oauth.json`, 0600). Never in the task log. Connections use them and
//! refresh them from there.
use rmcp::transport::auth::{
    AuthClient, AuthorizationManager, AuthorizationRequest, CredentialStore, OAuthClientConfig,
    OAuthState, StoredCredentials,
};
use std::path::{Path, PathBuf};

mod service;
mod store;

pub use service::service_sign_in;
pub use store::FileStore;

/// How long `login` waits for the browser to come back.
const CALLBACK_WAIT: std::time::Duration = std::time::Duration::from_secs(300);

/// Where a server's tokens live.
pub fn token_file(data: &Path, server: &str) -> PathBuf {
    data.join(format!("{server}.oauth.json"))
}

/// A client registered with the authorization server in advance, for servers that do not
/// register clients themselves.
pub struct PreRegistered {
    pub client_id: String,
    pub client_secret: Option<String>,
}

/// The browser flow: registers Errand with the server's authorization server if it offers
/// that (or signs in as a `client` registered in advance), sends the person to `open` the
/// authorization page, waits for the loopback callback, and keeps the tokens in `tokens`.
/// With `scopes` (a server asked for more access), those are requested together with what
/// the kept sign-in already had; otherwise the server's advertised scopes.
pub async fn login(
    url: &str,
    tokens: &Path,
    client: Option<PreRegistered>,
    scopes: &[String],
    open: &(dyn Fn(&str) -> Result<(), String> + Sync),
) -> Result<(), String> {
    crate::http::install_crypto();
    // A service account signs in without a person.
    if let Some(client) = &client
        && service_sign_in(url, tokens, client).await?
    {
        return Ok(());
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| format!("cannot listen for the browser's return: {e}"))?;
    let port = listener.local_addr().map_err(|e| e.to_string())?.port();
    let redirect = format!("http://127.0.0.1:{port}/callback");
    let mut manager = AuthorizationManager::new(url)
        .await
        .map_err(|e| format!("{url} is not reachable for sign-in: {e}"))?;
    manager.set_credential_store(FileStore::new(tokens.to_path_buf()));
    let mut state = OAuthState::Unauthorized(manager);
    let mut request = AuthorizationRequest::new(redirect.clone()).with_client_name("Errand");
    request = if scopes.is_empty() {
        request.with_initial_scope_selection()
    } else {
        let kept = FileStore::new(tokens.to_path_buf())
            .load()
            .await
            .ok()
            .flatten()
            .map(|c| c.granted_scopes)
            .unwrap_or_default();
        let mut wanted: Vec<String> = Vec::new();
        for scope in kept.iter().chain(scopes).flat_map(|s| s.split_whitespace()) {
            if !wanted.iter().any(|w| w == scope) {
                wanted.push(scope.to_string());
            }
        }
        request.with_scopes(wanted)
    };
    // The server's own 401 names its metadata and scope; rmcp's probe is a GET, which
    // servers that answer only POST on their endpoint (most) do not challenge.
    if let Some(challenge) = challenge_of(url).await {
        request = request.with_challenge(challenge);
    }
    if let Some(client) = client {
        request = request.with_preregistered_client(client.client_id);
        if let Some(secret) = client.client_secret {
            request = request.with_client_secret(secret);
        }
    }
    state
        .start_authorization(request)
        .await
        .map_err(|e| format!("{url} offers no sign-in Errand can use: {e}"))?;
    let page = state
        .get_authorization_url()
        .await
        .map_err(|e| e.to_string())?;
    open(&page)?;
    let callback = tokio::time::timeout(CALLBACK_WAIT, callback(&listener, port))
        .await
        .map_err(|_| {
            "the browser did not come back within 5 minutes; run the login again".to_string()
        })??;
    state
        .handle_callback_url(&callback)
        .await
        .map_err(|e| format!("the sign-in did not complete: {e}"))?;
    // rmcp keeps the tokens in the store as it receives them; say so if it did not.
    let kept = FileStore::new(tokens.to_path_buf())
        .load()
        .await
        .map_err(|e| e.to_string())?;
    if kept.is_none_or(|c| c.token_response.is_none()) {
        let (client_id, token) = state.get_credentials().await.map_err(|e| e.to_string())?;
        FileStore::new(tokens.to_path_buf())
            .save(StoredCredentials::new(client_id, token, Vec::new(), None))
            .await
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// The `WWW-Authenticate` challenge the server answers an unsigned MCP request with: the
/// one naming its resource metadata when it sends several.
async fn challenge_of(url: &str) -> Option<String> {
    let initialize = serde_json::json!({
        "jsonrpc": "2.0", "id": 0, "method": "initialize",
        "params": {"protocolVersion": "2025-11-25", "capabilities": {},
                   "clientInfo": {"name": "errand", "version": env!("CARGO_PKG_VERSION")}}
    });
    let response = reqwest::Client::new()
        .post(url)
        .header("accept", "application/json, text/event-stream")
        .header("content-type", "application/json")
        .body(initialize.to_string())
        .timeout(std::time::Duration::from_secs(30))
        .send()
        .await
        .ok()?;
    if !matches!(response.status().as_u16(), 401 | 403) {
        return None;
    }
    let challenges: Vec<String> = response
        .headers()
        .get_all("www-authenticate")
        .iter()
        .filter_map(|v| v.to_str().ok().map(str::to_string))
        .collect();
    challenges
        .iter()
        .find(|c| c.contains("resource_metadata"))
        .or(challenges.first())
        .cloned()
}

/// Opens a sign-in page in the person's browser (`$BROWSER`, else `xdg-open`) and prints
/// it too, for when no browser opens.
pub fn open_in_browser(server: &str, page: &str) -> Result<(), String> {
    tracing::info!(server, "opening the sign-in page");
    eprintln!(
        "Sign in to {server} in your browser; if it does not open, open this page:\n  {page}"
    );
    let program = std::env::var("BROWSER")
        .ok()
        .filter(|b| !b.trim().is_empty())
        .unwrap_or_else(|| "xdg-open".to_string());
    let _ = std::process::Command::new(program)
        .arg(page)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    Ok(())
}

/// Waits for the browser's `GET /callback?...` and answers it with a page to close.
async fn callback(listener: &tokio::net::TcpListener, port: u16) -> Result<String, String> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    loop {
        let (mut socket, _) = listener.accept().await.map_err(|e| e.to_string())?;
        let mut buffer = vec![0u8; 8192];
        let read = socket.read(&mut buffer).await.map_err(|e| e.to_string())?;
        let request = String::from_utf8_lossy(&buffer[..read]);
        let target = request
            .lines()
            .next()
            .and_then(|line| line.split_whitespace().nth(1))
            .unwrap_or("")
            .to_string();
        if !target.starts_with("/callback") {
            let _ = socket
                .write_all(
                    b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                )
                .await;
            continue;
        }
        let body = "<!doctype html><title>Errand</title><p>Signed in. You can close this tab and go back to Errand.</p>";
        let response = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        let _ = socket.write_all(response.as_bytes()).await;
        return Ok(format!("http://127.0.0.1:{port}{target}"));
    }
}

/// An HTTP client that signs requests with the server's kept tokens and refreshes them.
/// `None` when nobody has signed in to this server.
pub async fn signed_client(
    url: &str,
    tokens: &Path,
    client: Option<PreRegistered>,
) -> Result<Option<AuthClient<reqwest::Client>>, String> {
    // A service account's token is fetched again once it expires: nobody needs to sign in.
    if let Some(registered) = &client
        && registered.client_secret.is_some()
        && !service::still_fresh(tokens).await
        && let Err(e) = service_sign_in(url, tokens, registered).await
    {
        tracing::debug!(error = %e, "no service sign-in");
    }
    if !tokens.exists() {
        return Ok(None);
    }
    crate::http::install_crypto();
    let mut manager = AuthorizationManager::new(url)
        .await
        .map_err(|e| format!("{url} is not reachable: {e}"))?;
    manager.set_credential_store(FileStore::new(tokens.to_path_buf()));
    let signed_in = manager
        .initialize_from_store()
        .await
        .map_err(|e| format!("the kept sign-in for {url} cannot be used: {e}"))?;
    if !signed_in {
        return Ok(None);
    }
    // The store gives back the client id alone; a confidential client registered in advance
    // needs its secret again to refresh tokens (if the kept session is that client's).
    if let Some(PreRegistered {
        client_id,
        client_secret: Some(secret),
    }) = client
    {
        let stored = FileStore::new(tokens.to_path_buf()).load().await;
        if stored
            .ok()
            .flatten()
            .is_some_and(|s| s.client_id == client_id)
        {
            manager
                .configure_client(OAuthClientConfig::new(client_id, url).with_client_secret(secret))
                .map_err(|e| format!("the registered client for {url} cannot be used: {e}"))?;
        }
    }
    Ok(Some(AuthClient::new(reqwest::Client::default(), manager)))
}

/// The scope a 403 `insufficient_scope` asks for, found anywhere in the error's chain: the
/// SDK's parsed value, else the challenge's `scope="…"`.
pub(crate) fn needed_scope(error: &(dyn std::error::Error + 'static)) -> Option<String> {
    use rmcp::transport::streamable_http_client::InsufficientScopeError;
    let mut source = Some(error);
    while let Some(current) = source {
        if let Some(insufficient) = current.downcast_ref::<InsufficientScopeError>() {
            return insufficient
                .get_required_scope()
                .map(str::to_string)
                .or_else(|| scope_in_challenge(&insufficient.www_authenticate_header))
                .filter(|s| !s.trim().is_empty());
        }
        source = current.source();
    }
    None
}

/// `scope="a b"` out of a `WWW-Authenticate: Bearer …` challenge.
pub(crate) fn scope_in_challenge(header: &str) -> Option<String> {
    let at = header.find("scope=")? + "scope=".len();
    let rest = &header[at..];
    let value = match rest.strip_prefix('"') {
        Some(quoted) => &quoted[..quoted.find('"')?],
        None => rest.split([',', ' ']).next()?,
    };
    Some(value.to_string())
}

#[cfg(test)]
mod scope_tests {
    #[test]
    fn the_scope_is_read_out_of_a_challenge() {
        let header = r#"Bearer scope="mcp:basic mcp:write", resource_metadata="http://x/.well-known/oauth-protected-resource/mcp", error="insufficient_scope""#;
        assert_eq!(
            super::scope_in_challenge(header).as_deref(),
            Some("mcp:basic mcp:write")
        );
        assert_eq!(
            super::scope_in_challenge("Bearer error=insufficient_scope, scope=files.write")
                .as_deref(),
            Some("files.write")
        );
        assert_eq!(
            super::scope_in_challenge("Bearer error=\"invalid_token\""),
            None
        );
    }
}

#[cfg(test)]
mod tests {
    use super::store::IN_KEYRING;
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn tokens_are_kept_readable_only_by_their_owner_and_cleared() {
        let dir = tempfile::tempdir().expect("dir");
        let path = token_file(dir.path(), "docs");
        let store = FileStore::with_keyring(path.clone(), None);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        runtime.block_on(async {
            assert!(store.load().await.expect("load").is_none());
            let kept =
                StoredCredentials::new("client-1".into(), None, vec!["read".into()], Some(7));
            store.save(kept).await.expect("save");
            let mode = std::fs::metadata(&path).expect("file").permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
            let loaded = store.load().await.expect("load").expect("kept");
            assert_eq!(loaded.client_id, "client-1");
            assert_eq!(loaded.granted_scopes, ["read"]);
            store.clear().await.expect("clear");
            assert!(!path.exists());
            store.clear().await.expect("clearing twice is fine");
        });
    }

    #[test]
    fn with_a_keyring_the_file_holds_no_secret() {
        let dir = tempfile::tempdir().expect("dir");
        // A stand-in for libsecret's secret-tool: keeps secrets in files named by the last
        // attribute's hash, as the real one keeps them in the keyring.
        let vault = dir.path().join("vault");
        std::fs::create_dir(&vault).expect("vault");
        let tool = dir.path().join("secret-tool");
        std::fs::write(
            &tool,
            format!(
                "#!/bin/sh\nkey=$(printf %s \"$(eval echo \\${{$#}})\" | sha256sum | cut -c1-16)\ncase $1 in\n store) cat > {v}/$key;;\n lookup) cat {v}/$key;;\n clear) rm -f {v}/$key;;\nesac\n",
                v = vault.display()
            ),
        )
        .expect("tool");
        std::fs::set_permissions(&tool, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        let path = token_file(dir.path(), "docs");
        let store = FileStore::with_keyring(path.clone(), Some(tool));
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        runtime.block_on(async {
            let kept =
                StoredCredentials::new("client-9".into(), None, vec!["mail".into()], Some(3));
            store.save(kept).await.expect("save");
            let on_disk = std::fs::read_to_string(&path).expect("marker");
            assert_eq!(on_disk, IN_KEYRING);
            assert_eq!(std::fs::read_dir(&vault).expect("vault").count(), 1);
            let loaded = store.load().await.expect("load").expect("kept");
            assert_eq!(loaded.client_id, "client-9");
            store.clear().await.expect("clear");
            assert!(!path.exists());
            assert_eq!(std::fs::read_dir(&vault).expect("vault").count(), 0);
        });
        // A keyring that refuses: the tokens fall back to the 0600 file.
        let broken = FileStore::with_keyring(path.clone(), Some(PathBuf::from("/bin/false")));
        runtime.block_on(async {
            let kept = StoredCredentials::new("client-10".into(), None, Vec::new(), None);
            broken.save(kept).await.expect("save");
            assert!(
                std::fs::read_to_string(&path)
                    .expect("file")
                    .contains("client-10")
            );
        });
    }
}
