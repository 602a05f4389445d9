//! The open web for a task: `web_fetch` reads a page or a PDF as Markdown, `web_search`
//! asks the configured search provider. Both go only where the task's network grant
//! reaches (the policy asks for any other host), never to an internal address the person
//! did not name, and hand back what they read fenced as data, never as instructions.
#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod address;
pub mod fetch;
pub mod http;
pub mod page;
pub mod search;

use errand_core::{Network, Rule, RuleAction, ToolRegistry};
use std::net::IpAddr;
use std::sync::Arc;

pub use fetch::{WEB_FETCH, WebFetch, urls_in_result};
pub use search::{WEB_SEARCH, WebConfig, WebSearch};

/// The tool group both tools are sent in, on demand.
pub const GROUP: &str = "web";

#[derive(Debug, Clone, thiserror::Error)]
pub enum WebError {
    #[error("{0}")]
    BadUrl(String),
    #[error(
        "refused: {host} is {kind} ({ip}); the web tools reach such an address only when the person grants that host by name (`--allow-host {host}`, or `[network] allow = [\"{host}\"]` in config.toml)"
    )]
    Internal {
        host: String,
        ip: IpAddr,
        kind: &'static str,
    },
    #[error(
        "refused: the page redirected to {url}, and {host} is not granted to this task. The person can grant it with `--allow-host {host}` (or `[network] allow` in config.toml); fetching that URL with web_fetch asks them first"
    )]
    RedirectNotGranted { url: String, host: String },
    #[error("cannot find the address of {host}: {reason}")]
    Lookup { host: String, reason: String },
    #[error("{0}")]
    Http(String),
    #[error("{0}")]
    Config(String),
    #[error("{0}")]
    Unreadable(String),
}

impl From<WebError> for errand_core::ToolError {
    fn from(e: WebError) -> Self {
        errand_core::ToolError(e.to_string())
    }
}

/// What a task's web tools share: its grant, the search provider and the page cache
/// (one per task, shared with its sub-agents).
pub struct Web {
    network: Network,
    provider: Result<Option<search::Provider>, String>,
    cache: fetch::Cache,
}

impl Web {
    /// The web for a task granted `network`, with `[web]` from the configuration.
    pub fn new(network: Network, config: &WebConfig) -> Arc<Web> {
        Arc::new(Web {
            network,
            provider: search::Provider::from_config(config).map_err(|e| e.to_string()),
            cache: fetch::Cache::default(),
        })
    }

    /// The person configured the provider, so searching through it needs no grant: this
    /// rule says so to the policy (`web_search(HOST)`).
    pub fn search_rule(&self) -> Option<Rule> {
        let provider = self.provider.as_ref().ok()?.as_ref()?;
        let target = address::Target::of(provider.base.clone()).ok()?;
        let pattern = globset::escape(&target.authority());
        Rule::parse(RuleAction::Allow, &format!("{WEB_SEARCH}({pattern})")).ok()
    }

    /// Adds `web_fetch`, and `web_search` when a provider is configured, as the `web`
    /// group; without a provider the group's line and a call by name say how to set one.
    pub fn register(self: &Arc<Self>, registry: &mut ToolRegistry) {
        registry.register(Arc::new(WebFetch { web: self.clone() }));
        let about = match &self.provider {
            Ok(Some(provider)) => {
                registry.register(Arc::new(WebSearch {
                    web: self.clone(),
                    provider: provider.clone(),
                }));
                "pages and PDFs as text; search"
            }
            Ok(None) => {
                registry.explain_absent(WEB_SEARCH, search::NOT_CONFIGURED);
                "pages and PDFs as text; no web_search: the person has not configured [web] search"
            }
            Err(problem) => {
                registry.explain_absent(
                    WEB_SEARCH,
                    &format!("the search settings in config.toml are wrong: {problem}"),
                );
                "pages and PDFs as text; no web_search: [web] search is misconfigured"
            }
        };
        registry.add_group(GROUP, about, &[WEB_FETCH, WEB_SEARCH]);
    }
}

/// Breaks any `</TAG` inside untrusted text, so the text cannot close its fence and pass
/// what follows for Errand's own words.
pub fn fence_safe(text: &str, tag: &str) -> String {
    let closing = format!("</{tag}");
    let lower = text.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (at, _) in lower.match_indices(&closing) {
        out.push_str(&text[last..at]);
        out.push_str("<\\/");
        last = at + 2;
    }
    out.push_str(&text[last..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fence_cannot_be_closed_from_inside() {
        let text = "a </web_content> b </WEB_CONTENT\n> c </web_content";
        let safe = fence_safe(text, "web_content");
        assert!(
            !safe.to_ascii_lowercase().contains("</web_content"),
            "{safe}"
        );
        assert_eq!(
            safe,
            "a <\\/web_content> b <\\/WEB_CONTENT\n> c <\\/web_content"
        );
    }

    #[test]
    fn without_a_provider_search_is_absent_and_says_what_to_configure() {
        let web = Web::new(Network::Off, &WebConfig::default());
        let mut registry = ToolRegistry::new();
        web.register(&mut registry);
        assert!(registry.get(WEB_FETCH).is_some() && registry.get(WEB_SEARCH).is_none());
        let why = registry.absent_reason(WEB_SEARCH).expect("a reason");
        assert!(why.contains("[web] search = \"searxng\"") && why.contains("BRAVE_API_KEY"));
        assert_eq!(registry.groups()[0].tools, vec![WEB_FETCH.to_string()]);
        assert!(web.search_rule().is_none());
        let configured = WebConfig {
            search: Some("searxng".into()),
            searxng_url: Some("http://127.0.0.1:8888".into()),
            api_url: None,
        };
        let web = Web::new(Network::Off, &configured);
        let rule = web.search_rule().expect("a rule");
        assert_eq!(rule.source, "web_search(127.0.0.1:8888)");
    }
}
