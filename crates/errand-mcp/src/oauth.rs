//! OAuth 2.1 for servers reached by URL, on rmcp's implementation: discovery, dynamic client
//! registration where the server offers it, PKCE, and refresh. `login` runs the browser flow
//! with a loopback callback; the tokens are kept in a file only this user can read
//! (`DATA/mcp/NAME.oauth.json`, 0600), never in the task log, and connections use them and
//! refresh them from there.
use rmcp::transport::auth::{
    AuthClient, AuthError, AuthorizationManager, AuthorizationRequest, CredentialStore, OAuthState,
    StoredCredentials,
};
use std::path::{Path, PathBuf};

/// How long `login` waits for the browser to come back.
const CALLBACK_WAIT: std::time::Duration = std::time::Duration::from_secs(300);

/// The tokens of one server, in a 0600 file written whole (temp file, then rename).
pub struct FileStore {
    path: PathBuf,
}

impl FileStore {
    pub fn new(path: PathBuf) -> FileStore {
        FileStore { path }
    }
}

fn store_error(e: impl std::fmt::Display) -> AuthError {
    AuthError::InternalError(e.to_string())
}

#[async_trait::async_trait]
impl CredentialStore for FileStore {
    async fn load(&self) -> Result<Option<StoredCredentials>, AuthError> {
        match std::fs::read(&self.path) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map(Some)
                .map_err(store_error),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(store_error(e)),
        }
    }

    async fn save(&self, credentials: StoredCredentials) -> Result<(), AuthError> {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        let bytes = serde_json::to_vec(&credentials).map_err(store_error)?;
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir).map_err(store_error)?;
        }
        let temp = self
            .path
            .with_extension(format!("tmp{}", std::process::id()));
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&temp)
            .map_err(store_error)?;
        file.write_all(&bytes)
            .and_then(|()| file.sync_all())
            .and_then(|()| std::fs::rename(&temp, &self.path))
            .map_err(store_error)
    }

    async fn clear(&self) -> Result<(), AuthError> {
        match std::fs::remove_file(&self.path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(store_error(e)),
        }
    }
}

/// Where a server's tokens live.
pub fn token_file(data: &Path, server: &str) -> PathBuf {
    data.join(format!("{server}.oauth.json"))
}

/// The browser flow: registers Errand with the server's authorization server if it offers
/// that, sends the person to `open` the authorization page, waits for the loopback callback,
/// and keeps the tokens in `tokens`.
pub async fn login(
    url: &str,
    tokens: &Path,
    open: &(dyn Fn(&str) -> Result<(), String> + Sync),
) -> Result<(), String> {
    crate::http::install_crypto();
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
    state
        .start_authorization(
            AuthorizationRequest::new(redirect.clone())
                .with_client_name("Errand")
                .with_initial_scope_selection(),
        )
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
) -> Result<Option<AuthClient<reqwest::Client>>, String> {
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
    Ok(Some(AuthClient::new(reqwest::Client::default(), manager)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn tokens_are_kept_readable_only_by_their_owner_and_cleared() {
        let dir = tempfile::tempdir().expect("dir");
        let path = token_file(dir.path(), "docs");
        let store = FileStore::new(path.clone());
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
}
