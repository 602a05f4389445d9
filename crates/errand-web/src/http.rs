//! One HTTP exchange under the grant: the host's addresses are looked up and checked here,
//! and the connection is pinned to the checked address, so a DNS answer that changes
//! between the check and the connect (rebinding) cannot swap in an internal one. Redirects
//! are followed by hand, each hop checked like the first.
use crate::WebError;
use crate::address::{Target, check_ip};
use errand_core::Network;
use std::net::SocketAddr;
use std::time::Duration;

/// Bytes of a response body read at most.
pub const MAX_BODY: usize = 10 * 1024 * 1024;
/// Redirects followed at most.
pub const MAX_REDIRECTS: usize = 5;
const TIMEOUT: Duration = Duration::from_secs(30);
const USER_AGENT: &str = concat!("Errand/", env!("CARGO_PKG_VERSION"), " (web_fetch)");

/// A response read (up to [`MAX_BODY`]).
#[derive(Debug, Clone)]
pub struct Response {
    /// Where the body came from, after redirects.
    pub url: url::Url,
    pub status: u16,
    /// The media type, lower case, without parameters; empty when the server gave none.
    pub media_type: String,
    pub charset: Option<String>,
    pub body: Vec<u8>,
    /// The body went on past [`MAX_BODY`]; the rest was not read.
    pub clipped: bool,
}

/// What a request may do.
#[derive(Debug, Clone)]
pub struct Gate {
    /// The task's network grant.
    pub network: Network,
    /// The host the policy let through for this call (granted, allowed by a rule or
    /// approved by the person): a redirect may stay on it.
    pub approved: String,
}

impl Gate {
    /// A redirect may go to the approved host or a granted one; anywhere else is refused
    /// outright, since nobody approved it.
    pub fn check_hop(&self, target: &Target) -> Result<(), WebError> {
        if target.authority() == self.approved || target.granted(&self.network) {
            return Ok(());
        }
        Err(WebError::RedirectNotGranted {
            url: target.url.to_string(),
            host: target.authority(),
        })
    }
}

/// The request to send to a target (its method, headers and body).
pub type Build = dyn Fn(&reqwest::Client, &url::Url) -> reqwest::RequestBuilder + Send + Sync;

/// The addresses `target` connects to, each checked against the grant.
async fn resolve(target: &Target, network: &Network) -> Result<SocketAddr, WebError> {
    if let Some(ip) = target.literal_ip() {
        check_ip(target, ip, network)?;
        return Ok(SocketAddr::new(ip, target.port));
    }
    let found: Vec<SocketAddr> = tokio::net::lookup_host((target.host.as_str(), target.port))
        .await
        .map_err(|e| WebError::Lookup {
            host: target.host.clone(),
            reason: e.to_string(),
        })?
        .collect();
    if found.is_empty() {
        return Err(WebError::Lookup {
            host: target.host.clone(),
            reason: "no addresses".into(),
        });
    }
    // Every address is checked, not just the one used: a name that answers with one
    // public and one internal address is one an attacker may control.
    for addr in &found {
        check_ip(target, addr.ip(), network)?;
    }
    Ok(found[0])
}

fn client(target: &Target, addr: SocketAddr) -> Result<reqwest::Client, WebError> {
    let mut builder = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(TIMEOUT)
        .connect_timeout(Duration::from_secs(10))
        .user_agent(USER_AGENT)
        // A proxy from the environment would make the connection somewhere else than the
        // address checked here.
        .no_proxy();
    if target.literal_ip().is_none() {
        builder = builder.resolve(&target.host, addr);
    }
    builder
        .build()
        .map_err(|e| WebError::Http(format!("cannot set up the HTTP client: {e}")))
}

/// Sends the request `build` makes to `start`, following up to [`MAX_REDIRECTS`]
/// redirects (each hop checked by `gate`), and reads the body up to [`MAX_BODY`].
pub async fn send(start: Target, gate: &Gate, build: &Build) -> Result<Response, WebError> {
    let mut target = start;
    for hop in 0..=MAX_REDIRECTS {
        if hop > 0 {
            gate.check_hop(&target)?;
        }
        let addr = resolve(&target, &gate.network).await?;
        let client = client(&target, addr)?;
        let response = build(&client, &target.url)
            .send()
            .await
            .map_err(|e| WebError::Http(describe(&target, &e)))?;
        let status = response.status();
        if status.is_redirection()
            && let Some(location) = response.headers().get(reqwest::header::LOCATION)
        {
            let location = location.to_str().map_err(|_| {
                WebError::Http(format!(
                    "{} redirected to an unreadable address",
                    target.url
                ))
            })?;
            let next = target.url.join(location).map_err(|e| {
                WebError::Http(format!("{} redirected to `{location}`: {e}", target.url))
            })?;
            target = Target::of(next)?;
            continue;
        }
        return read(target.url.clone(), response).await;
    }
    Err(WebError::Http(format!(
        "more than {MAX_REDIRECTS} redirects, the last to {}",
        target.url
    )))
}

fn describe(target: &Target, e: &reqwest::Error) -> String {
    if e.is_timeout() {
        format!(
            "{} did not answer within {} s",
            target.url,
            TIMEOUT.as_secs()
        )
    } else if e.is_connect() {
        format!("cannot connect to {}: {e}", target.authority())
    } else {
        format!("{}: {e}", target.url)
    }
}

async fn read(url: url::Url, mut response: reqwest::Response) -> Result<Response, WebError> {
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let mut parts = content_type.split(';');
    let media_type = parts.next().unwrap_or_default().trim().to_string();
    let charset = parts
        .filter_map(|p| p.trim().strip_prefix("charset="))
        .map(|c| c.trim_matches('"').to_string())
        .next();
    let mut body = Vec::new();
    let mut clipped = false;
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| WebError::Http(format!("reading {url}: {e}")))?
    {
        let room = MAX_BODY - body.len();
        if chunk.len() > room {
            body.extend_from_slice(&chunk[..room]);
            clipped = true;
            break;
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Response {
        url,
        status,
        media_type,
        charset,
        body,
        clipped,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gate(network: Network, approved: &str) -> Gate {
        Gate {
            network,
            approved: approved.into(),
        }
    }

    #[test]
    fn a_redirect_stays_on_the_approved_host_or_goes_to_a_granted_one() {
        let g = gate(Network::Hosts(vec!["docs.rs".into()]), "blog.example.org");
        let hop = |u: &str| g.check_hop(&Target::parse(u).expect("url"));
        assert!(hop("https://blog.example.org/next").is_ok());
        assert!(hop("https://docs.rs/x").is_ok());
        let err = hop("https://evil.test/steal?q=1").expect_err("refused");
        let message = err.to_string();
        assert!(
            message.contains("evil.test") && message.contains("--allow-host evil.test"),
            "{message}"
        );
        // The approved host on another port is another host.
        assert!(hop("https://blog.example.org:8443/").is_err());
    }

    #[tokio::test]
    async fn internal_addresses_are_refused_before_any_connection() {
        let target = Target::parse("http://127.0.0.1:9/").expect("url");
        let err = resolve(&target, &Network::All).await.expect_err("refused");
        assert!(matches!(err, WebError::Internal { .. }), "{err}");
        let named = Network::Hosts(vec!["127.0.0.1".into()]);
        assert!(resolve(&target, &named).await.is_ok());
        // A name is judged by what it resolves to.
        let local = Target::parse("http://localhost:9/").expect("url");
        assert!(resolve(&local, &Network::All).await.is_err());
        let named = Network::Hosts(vec!["localhost".into()]);
        assert!(check_ip(&local, "127.0.0.1".parse().expect("ip"), &named).is_ok());
    }
}
