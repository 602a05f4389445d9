//! Folders a person granted to a task, and how freely the task may act in them.
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// One granted folder. `name` is how tool paths address it when a task has several.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    pub name: String,
    pub path: PathBuf,
    pub writable: bool,
}

/// How much the task may do without asking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Approve the plan, then each write, delete and exec.
    #[default]
    Ask,
    /// Act without asking, except deletes, replacing files the task did not make, and `ask` rules.
    Auto,
    /// Read-only: produce a plan only.
    Plan,
}

impl std::str::FromStr for Mode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "ask" => Ok(Mode::Ask),
            "auto" => Ok(Mode::Auto),
            "plan" => Ok(Mode::Plan),
            other => Err(format!("unknown mode `{other}`: use ask, auto or plan")),
        }
    }
}

impl std::fmt::Display for Mode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Mode::Ask => "ask",
            Mode::Auto => "auto",
            Mode::Plan => "plan",
        })
    }
}

/// Network access for the commands a task runs and for its web tools.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "hosts")]
pub enum Network {
    /// None at all (the default).
    #[default]
    Off,
    /// Only these hosts, through Errand's allowlisting proxy (`*.example.com` for subdomains).
    Hosts(Vec<String>),
    /// Everything the machine reaches.
    All,
}

impl Network {
    /// Whether a request to `host` (and `port`) is inside this grant. An entry may carry a
    /// port (`127.0.0.1:8080`: that port only) or not (every port); `*.example.com` also
    /// covers `example.com`. Names compare without case and a trailing dot.
    pub fn covers(&self, host: &str, port: Option<u16>) -> bool {
        match self {
            Network::Off => false,
            Network::All => true,
            Network::Hosts(entries) => entries.iter().any(|e| entry_matches(e, host, port, true)),
        }
    }

    /// Whether `host` is named in the list itself, not through a wildcard or `All`: what
    /// lets a request reach a private or loopback address (a wildcard over a domain whose
    /// names anyone can point anywhere, like `*.nip.io`, must not).
    pub fn names(&self, host: &str, port: Option<u16>) -> bool {
        match self {
            Network::Hosts(entries) => entries.iter().any(|e| entry_matches(e, host, port, false)),
            _ => false,
        }
    }

    /// This grant with `hosts` added (the configuration's `[network] allow`): `Off` becomes
    /// those hosts, `All` stays `All`.
    pub fn with_hosts(self, hosts: &[String]) -> Network {
        if hosts.is_empty() {
            return self;
        }
        match self {
            Network::All => Network::All,
            Network::Off => Network::Hosts(hosts.to_vec()),
            Network::Hosts(mut entries) => {
                for host in hosts {
                    if !entries.contains(host) {
                        entries.push(host.clone());
                    }
                }
                Network::Hosts(entries)
            }
        }
    }
}

/// `host` without brackets, case or a trailing dot.
fn normal_host(host: &str) -> String {
    host.trim()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .trim_end_matches('.')
        .to_ascii_lowercase()
}

/// Splits `host`, `host:port`, `[v6]`, `[v6]:port` (or a grant's `*.domain`) into a host
/// without brackets or case, and the port if one is written.
pub fn split_host_port(entry: &str) -> (String, Option<u16>) {
    let entry = entry.trim();
    if let Some(rest) = entry.strip_prefix('[')
        && let Some((host, tail)) = rest.split_once(']')
    {
        let port = tail.strip_prefix(':').and_then(|p| p.parse().ok());
        return (normal_host(host), port);
    }
    // One colon is a port; more is a bare IPv6 address.
    match entry.rsplit_once(':') {
        Some((host, port)) if !host.contains(':') => match port.parse() {
            Ok(port) => (normal_host(host), Some(port)),
            Err(_) => (normal_host(entry), None),
        },
        _ => (normal_host(entry), None),
    }
}

fn entry_matches(entry: &str, host: &str, port: Option<u16>, wildcards: bool) -> bool {
    let (pattern, entry_port) = split_host_port(entry);
    if entry_port.is_some() && entry_port != port {
        return false;
    }
    let host = normal_host(host);
    match pattern.strip_prefix("*.") {
        Some(domain) => wildcards && (host == domain || host.ends_with(&format!(".{domain}"))),
        None => host == pattern,
    }
}

/// What the person allowed the task's commands beyond the sandbox's defaults.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommandGrant {
    #[serde(default)]
    pub network: Network,
    /// Run commands unconfined where the sandbox cannot be set up (`--unsafe-no-sandbox`).
    #[serde(default)]
    pub unsandboxed: bool,
}

impl CommandGrant {
    pub fn is_default(&self) -> bool {
        self == &CommandGrant::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_match_with_or_without_port_and_wildcards_only_cover() {
        let grant = Network::Hosts(vec![
            "Docs.rs".into(),
            "127.0.0.1:8080".into(),
            "*.example.com".into(),
            "[::1]:9".into(),
        ]);
        assert!(grant.covers("docs.rs", Some(443)) && grant.covers("DOCS.RS.", None));
        assert!(grant.covers("127.0.0.1", Some(8080)) && !grant.covers("127.0.0.1", Some(80)));
        assert!(grant.covers("a.b.example.com", None) && grant.covers("example.com", None));
        assert!(!grant.covers("badexample.com", None));
        assert!(grant.covers("::1", Some(9)) && grant.covers("[::1]", Some(9)));
        assert!(grant.names("127.0.0.1", Some(8080)));
        assert!(
            !grant.names("a.example.com", None),
            "a wildcard is not a name"
        );
        assert!(Network::All.covers("anything", None) && !Network::All.names("localhost", None));
        assert!(!Network::Off.covers("docs.rs", None));
    }

    #[test]
    fn configured_hosts_join_a_grant() {
        let extra = vec!["docs.rs".to_string()];
        assert_eq!(
            Network::Off.with_hosts(&extra),
            Network::Hosts(extra.clone())
        );
        assert_eq!(Network::All.with_hosts(&extra), Network::All);
        assert_eq!(
            Network::Hosts(vec!["a".into(), "docs.rs".into()]).with_hosts(&extra),
            Network::Hosts(vec!["a".into(), "docs.rs".into()])
        );
    }
}
