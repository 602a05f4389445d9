//! Every request passes here first. The server acts on a person's files, so:
//! - `Host` must be an IP address or `localhost` with our port: a web page on some other
//!   name that resolves here (DNS rebinding) is refused (403);
//! - the token must come as `Authorization: Bearer`, or as the session cookie set when the
//!   page is opened with `?token=` (401 otherwise);
//! - a state-changing request from another origin is refused (403); no CORS header is
//!   ever sent, so other pages cannot read answers either.
use crate::AppState;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use std::sync::Arc;

/// Only the workspace's own files run; nothing loads from elsewhere.
const PAGE_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self' data: blob:; connect-src 'self'; frame-src 'self'; font-src 'self'; \
     form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

pub(crate) async fn guard(
    State(app): State<Arc<AppState>>,
    request: Request,
    next: Next,
) -> Response {
    let headers = request.headers();
    if !host_allowed(headers, app.port) {
        return refuse(
            StatusCode::FORBIDDEN,
            "this address is not the workspace's: open it as http://127.0.0.1:PORT or by IP address",
        );
    }
    // An MCP client cannot follow the cookie dance below; for `/mcp` the token in the
    // address is the credential itself (clients that can send headers use Bearer).
    if request.uri().path() == "/mcp"
        && query_token(request.uri().query()).is_some_and(|t| same_secret(&t, &app.token))
    {
        return next.run(request).await;
    }
    if let Some(token) = query_token(request.uri().query()) {
        // Opening the printed link: trade the token for the cookie, and take it out of
        // the address bar (and the history) at once.
        if !same_secret(&token, &app.token) {
            return refuse(
                StatusCode::UNAUTHORIZED,
                "the token in this link is not this server's; open the link `errand serve` printed",
            );
        }
        // Back to the page asked for; never to `//elsewhere`, which a browser reads as a host.
        let path = request.uri().path();
        let back = if path.starts_with('/') && !path.starts_with("//") {
            path
        } else {
            "/"
        };
        let mut response = Redirect::to(back).into_response();
        let cookie = format!(
            "{}={}; HttpOnly; SameSite=Strict; Path=/",
            cookie_name(app.port),
            app.token
        );
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().insert(header::SET_COOKIE, value);
        }
        return secured(response, false);
    }
    if !authorized(headers, &app.token, app.port) {
        return refuse(
            StatusCode::UNAUTHORIZED,
            "this needs the workspace's token: open the link `errand serve` printed, or send Authorization: Bearer TOKEN",
        );
    }
    if changes_state(request.method()) && !same_origin(headers) {
        return refuse(
            StatusCode::FORBIDDEN,
            "requests that change something must come from the workspace's own pages",
        );
    }
    let api = request.uri().path().starts_with("/api/");
    secured(next.run(request).await, api)
}

fn changes_state(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD)
}

/// An IP literal or `localhost`, on our port. DNS rebinding needs a name; addresses and
/// `localhost` cannot be pointed elsewhere by a web page's owner.
fn host_allowed(headers: &HeaderMap, port: u16) -> bool {
    let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else {
        return false;
    };
    let (name, host_port) = match host.rsplit_once(':') {
        // `[::1]:8417`, `127.0.0.1:8417`, `localhost:8417`
        Some((name, p)) if !p.contains(']') => (name, p.parse::<u16>().ok()),
        _ => (host, Some(80)),
    };
    if host_port != Some(port) {
        return false;
    }
    let bare = name.trim_start_matches('[').trim_end_matches(']');
    name.eq_ignore_ascii_case("localhost") || bare.parse::<std::net::IpAddr>().is_ok()
}

fn query_token(query: Option<&str>) -> Option<String> {
    query?
        .split('&')
        .find_map(|pair| pair.strip_prefix("token="))
        .map(str::to_string)
}

/// One cookie per port: browsers share cookies across the ports of one host, and two
/// workspaces on one machine must not trade sessions.
fn cookie_name(port: u16) -> String {
    format!("errand_session_{port}")
}

fn authorized(headers: &HeaderMap, token: &str, port: u16) -> bool {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if bearer.is_some_and(|b| same_secret(b.trim(), token)) {
        return true;
    }
    let name = cookie_name(port);
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .any(|(k, v)| k == name && same_secret(v, token))
}

/// Compares in time that does not depend on where the strings differ.
fn same_secret(given: &str, token: &str) -> bool {
    let (a, b) = (given.as_bytes(), token.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// `Origin`, when a browser sends one, must be this very server; `Sec-Fetch-Site` must
/// not say the request came from another site. Scripts (curl) send neither and carry the
/// token themselves.
fn same_origin(headers: &HeaderMap) -> bool {
    let site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    if site.is_some_and(|s| !matches!(s, "same-origin" | "none")) {
        return false;
    }
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    match (origin.to_str().ok(), host) {
        (Some(origin), Some(host)) => origin == format!("http://{host}"),
        _ => false,
    }
}

fn refuse(status: StatusCode, message: &str) -> Response {
    let body = axum::Json(serde_json::json!({ "error": message }));
    secured((status, body).into_response(), true)
}

/// Headers every answer carries: no sniffing, no framing by others, no referrer, and the
/// page policy unless the answer set its own (a preview of a file).
fn secured(mut response: Response, api: bool) -> Response {
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(PAGE_POLICY),
        );
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    if api && !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (k, v) in pairs {
            headers.insert(*k, HeaderValue::from_str(v).expect("header"));
        }
        headers
    }

    #[test]
    fn hosts_are_addresses_or_localhost_on_our_port() {
        for ok in [
            "127.0.0.1:8417",
            "localhost:8417",
            "[::1]:8417",
            "192.168.1.20:8417",
        ] {
            assert!(host_allowed(&with(&[("host", ok)]), 8417), "{ok}");
        }
        for bad in [
            "evil.example:8417",
            "127.0.0.1:9999",
            "127.0.0.1",
            "localhost.evil:8417",
            "",
        ] {
            assert!(!host_allowed(&with(&[("host", bad)]), 8417), "{bad}");
        }
        assert!(!host_allowed(&HeaderMap::new(), 8417));
    }

    #[test]
    fn origins_must_be_the_server_itself() {
        let host = ("host", "127.0.0.1:8417");
        assert!(same_origin(&with(&[host])));
        assert!(same_origin(&with(&[
            host,
            ("origin", "http://127.0.0.1:8417")
        ])));
        assert!(!same_origin(&with(&[
            host,
            ("origin", "http://localhost:8417")
        ])));
        assert!(!same_origin(&with(&[
            host,
            ("origin", "http://127.0.0.1:3000")
        ])));
        assert!(!same_origin(&with(&[host, ("origin", "null")])));
        assert!(!same_origin(&with(&[
            host,
            ("sec-fetch-site", "cross-site")
        ])));
        assert!(!same_origin(&with(&[
            host,
            ("sec-fetch-site", "same-site")
        ])));
    }

    #[test]
    fn tokens_come_as_bearer_or_this_ports_cookie() {
        assert!(authorized(
            &with(&[("authorization", "Bearer s3cret")]),
            "s3cret",
            1
        ));
        assert!(!authorized(
            &with(&[("authorization", "Bearer s3cres")]),
            "s3cret",
            1
        ));
        assert!(authorized(
            &with(&[("cookie", "a=b; errand_session_1=s3cret")]),
            "s3cret",
            1
        ));
        assert!(!authorized(
            &with(&[("cookie", "errand_session_2=s3cret")]),
            "s3cret",
            1
        ));
        assert!(!authorized(&HeaderMap::new(), "s3cret", 1));
    }
}
