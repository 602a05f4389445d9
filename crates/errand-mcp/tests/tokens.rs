//! Tokens without a person at the keyboard, against a loopback authorization server: a kept
//! sign-in whose access token has expired is refreshed, a client registered in advance
//! authenticating that refresh with its secret (rmcp keeps only the client id, so Errand
//! gives the secret back); and a service account (a server offering only the client
//! credentials grant) gets its token with no sign-in at all.
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[derive(Debug, Clone)]
struct TokenRequest {
    authorization: Option<String>,
    body: String,
}

/// A loopback authorization server: metadata for discovery, and a token endpoint that
/// records what it was sent and answers with a fresh token.
async fn authorization_server(
    grants: &'static [&'static str],
) -> (String, Arc<Mutex<Vec<TokenRequest>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let origin = base.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut buffer = Vec::new();
            let mut chunk = [0u8; 4096];
            // Headers, then as much body as Content-Length says.
            let (head, body) = loop {
                let Ok(n) = socket.read(&mut chunk).await else {
                    break (String::new(), String::new());
                };
                if n == 0 {
                    break (String::new(), String::new());
                }
                buffer.extend_from_slice(&chunk[..n]);
                let text = String::from_utf8_lossy(&buffer).to_string();
                if let Some(end) = text.find("\r\n\r\n") {
                    let head = text[..end].to_string();
                    let length: usize = head
                        .lines()
                        .find_map(|l| {
                            let (k, v) = l.split_once(':')?;
                            k.eq_ignore_ascii_case("content-length")
                                .then(|| v.trim().parse().ok())?
                        })
                        .unwrap_or(0);
                    if buffer.len() >= end + 4 + length {
                        let body = String::from_utf8_lossy(&buffer[end + 4..end + 4 + length]);
                        break (head, body.to_string());
                    }
                }
            };
            let target = head
                .lines()
                .next()
                .and_then(|l| l.split_whitespace().nth(1))
                .unwrap_or("")
                .to_string();
            let json = |status: &str, body: String| {
                format!(
                    "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                )
            };
            let reply = if target.starts_with("/.well-known/oauth-protected-resource") {
                json(
                    "200 OK",
                    serde_json::json!({"resource": format!("{origin}/mcp"), "authorization_servers": [origin]}).to_string(),
                )
            } else if target.starts_with("/.well-known/oauth-authorization-server")
                || target.starts_with("/.well-known/openid-configuration")
            {
                json(
                    "200 OK",
                    serde_json::json!({
                        "issuer": origin,
                        "authorization_endpoint": format!("{origin}/authorize"),
                        "token_endpoint": format!("{origin}/token"),
                        "response_types_supported": ["code"],
                        "grant_types_supported": grants,
                        "code_challenge_methods_supported": ["S256"],
                        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"]
                    })
                    .to_string(),
                )
            } else if target == "/token" {
                let authorization = head.lines().find_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    k.eq_ignore_ascii_case("authorization")
                        .then(|| v.trim().to_string())
                });
                if let Ok(mut log) = log.lock() {
                    log.push(TokenRequest {
                        authorization,
                        body: body.clone(),
                    });
                }
                json(
                    "200 OK",
                    serde_json::json!({"access_token": "fresh-token", "token_type": "Bearer", "expires_in": 3600, "refresh_token": "r2"}).to_string(),
                )
            } else {
                json("404 Not Found", "{}".to_string())
            };
            let _ = socket.write_all(reply.as_bytes()).await;
        }
    });
    (base, seen)
}

/// A sign-in kept two hours ago with a one-hour token.
fn expired_sign_in(path: &std::path::Path, client_id: &str) {
    let received = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs()
        - 7200;
    let kept = serde_json::json!({
        "client_id": client_id,
        "token_response": {"access_token": "old-token", "token_type": "bearer", "expires_in": 3600, "refresh_token": "r1"},
        "granted_scopes": [],
        "token_received_at": received
    });
    std::fs::write(path, kept.to_string()).expect("write the kept sign-in");
}

fn basic(id: &str, secret: &str) -> String {
    use base64::Engine;
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"))
    )
}

#[tokio::test]
async fn tokens_are_refreshed_and_fetched_without_a_person() {
    // SAFETY: the only test in this binary; set before any thread reads the environment.
    unsafe { std::env::set_var("ERRAND_KEYRING", "off") };
    an_expired_token_is_refreshed_with_the_registered_clients_secret().await;
    a_service_account_gets_its_token_without_signing_in().await;
}

async fn an_expired_token_is_refreshed_with_the_registered_clients_secret() {
    let (base, seen) = authorization_server(&["authorization_code", "refresh_token"]).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let tokens = dir.path().join("crm.oauth.json");
    let url = format!("{base}/mcp");

    expired_sign_in(&tokens, "errand-at-acme");
    let registered = errand_mcp::oauth::PreRegistered {
        client_id: "errand-at-acme".into(),
        client_secret: Some("s3cret".into()),
    };
    let client = errand_mcp::oauth::signed_client(&url, &tokens, Some(registered))
        .await
        .expect("signed client")
        .expect("a kept sign-in");
    let token = client.get_access_token().await.expect("a refreshed token");
    assert_eq!(token, "fresh-token");
    let sent = seen.lock().expect("log").clone();
    assert_eq!(sent.len(), 1, "{sent:?}");
    let request = &sent[0];
    assert!(
        request.body.contains("grant_type=refresh_token"),
        "{request:?}"
    );
    assert!(request.body.contains("refresh_token=r1"), "{request:?}");
    let by_header = request.authorization.as_deref() == Some(&basic("errand-at-acme", "s3cret"));
    let in_body = request.body.contains("client_secret=s3cret");
    assert!(
        by_header || in_body,
        "the refresh carries the secret: {request:?}"
    );
    // The new tokens are kept for the next run.
    let kept = std::fs::read_to_string(&tokens).expect("kept");
    assert!(
        kept.contains("fresh-token") && kept.contains("\"r2\""),
        "{kept}"
    );

    // A kept sign-in of another client is not given this client's secret.
    expired_sign_in(&tokens, "someone-else");
    let registered = errand_mcp::oauth::PreRegistered {
        client_id: "errand-at-acme".into(),
        client_secret: Some("s3cret".into()),
    };
    let client = errand_mcp::oauth::signed_client(&url, &tokens, Some(registered))
        .await
        .expect("signed client")
        .expect("a kept sign-in");
    let _ = client.get_access_token().await;
    let sent = seen.lock().expect("log").clone();
    assert!(
        sent.iter().skip(1).all(|r| !r.body.contains("s3cret")
            && r.authorization.as_deref() != Some(&basic("errand-at-acme", "s3cret"))),
        "{sent:?}"
    );
}

async fn a_service_account_gets_its_token_without_signing_in() {
    let (base, seen) = authorization_server(&["client_credentials"]).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let tokens = dir.path().join("warehouse.oauth.json");
    let url = format!("{base}/mcp");
    let account = || errand_mcp::oauth::PreRegistered {
        client_id: "errand-reports".into(),
        client_secret: Some("svc-secret".into()),
    };
    // Nobody signed in: connecting fetches the token itself.
    let client = errand_mcp::oauth::signed_client(&url, &tokens, Some(account()))
        .await
        .expect("signed client")
        .expect("a token fetched for the service account");
    assert_eq!(
        client.get_access_token().await.expect("token"),
        "fresh-token"
    );
    let sent = seen.lock().expect("log").clone();
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert!(
        sent[0].body.contains("grant_type=client_credentials"),
        "{sent:?}"
    );
    let by_header =
        sent[0].authorization.as_deref() == Some(&basic("errand-reports", "svc-secret"));
    assert!(
        by_header || sent[0].body.contains("client_secret=svc-secret"),
        "{sent:?}"
    );
    // A fresh token is used as it is; an expired one is fetched again.
    errand_mcp::oauth::signed_client(&url, &tokens, Some(account()))
        .await
        .expect("signed client");
    assert_eq!(
        seen.lock().expect("log").len(),
        1,
        "no new request for a fresh token"
    );
    expired_sign_in(&tokens, "errand-reports");
    let client = errand_mcp::oauth::signed_client(&url, &tokens, Some(account()))
        .await
        .expect("signed client")
        .expect("a token");
    assert_eq!(
        client.get_access_token().await.expect("token"),
        "fresh-token"
    );
    let sent = seen.lock().expect("log").clone();
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert!(
        sent[1].body.contains("grant_type=client_credentials"),
        "{sent:?}"
    );
    // A server that signs in people is not sent the account's secret unasked.
    let (base, seen) = authorization_server(&["authorization_code"]).await;
    let people = dir.path().join("crm.oauth.json");
    let signed = errand_mcp::oauth::signed_client(&format!("{base}/mcp"), &people, Some(account()))
        .await
        .expect("no error");
    assert!(signed.is_none(), "nobody has signed in");
    assert!(seen.lock().expect("log").is_empty());
}
