//! Which models are configured, which is the default, and whether each endpoint answers.
use crate::RuntimeError;
use crate::config::Config;
use errand_model::ModelEnv;
use errand_model::select::{DEFAULT_ANTHROPIC_MODEL, DEFAULT_OPENAI_MODEL};
use serde::Serialize;
use std::time::Duration;

#[derive(Debug, Clone, Serialize)]
pub struct ModelEntry {
    pub name: String,
    pub spec: String,
    /// Where it comes from: built-in, environment, or config.
    pub source: &'static str,
    pub status: String,
    pub default: bool,
}

/// The models a person can pick, and which one a task gets when none is named.
#[derive(Debug, Clone, Serialize)]
pub struct ModelList {
    pub models: Vec<ModelEntry>,
    pub default: String,
    /// Nothing but the offline recipes is available.
    pub offline_only: bool,
}

impl ModelList {
    /// Lists the offline planner, providers the environment enables, and config profiles,
    /// probing each endpoint (3 s at most each).
    pub async fn probe() -> Result<ModelList, RuntimeError> {
        let config = Config::load().map_err(RuntimeError::config)?;
        let env = ModelEnv::from_process();
        let default = env.default_spec(config.model.as_deref());
        let mut entries = vec![ModelEntry {
            name: "offline".into(),
            spec: "offline".into(),
            source: "built-in",
            status: "available (recipes: organize, rename, receipts, CSV report, notes)".into(),
            default: false,
        }];
        if env.openai_key.is_some() {
            let spec = format!("openai:{DEFAULT_OPENAI_MODEL}");
            entries.push(ModelEntry {
                name: spec.clone(),
                status: probe(&spec, &env).await,
                spec,
                source: "OPENAI_API_KEY",
                default: false,
            });
        }
        if env.anthropic_key.is_some() {
            let spec = format!("anthropic:{DEFAULT_ANTHROPIC_MODEL}");
            entries.push(ModelEntry {
                name: spec.clone(),
                status: probe(&spec, &env).await,
                spec,
                source: "ANTHROPIC_API_KEY",
                default: false,
            });
        }
        let ollama = "ollama:MODEL".to_string();
        entries.push(ModelEntry {
            name: "ollama".into(),
            status: probe(&ollama, &env).await,
            spec: ollama,
            source: "OLLAMA_HOST",
            default: false,
        });
        for name in config.models.keys() {
            let (spec, env) = config.resolve_model(name);
            entries.push(ModelEntry {
                name: name.clone(),
                status: probe(&spec, &env).await,
                spec,
                source: "config",
                default: false,
            });
        }
        for entry in &mut entries {
            entry.default = entry.name == default || entry.spec == default;
        }
        let offline_only =
            default == "offline" && config.models.is_empty() && env.openai_key.is_none();
        Ok(ModelList {
            models: entries,
            default,
            offline_only,
        })
    }
}

/// Whether the endpoint behind a spec answers (a cheap listing call, 3 s at most).
async fn probe(spec: &str, env: &ModelEnv) -> String {
    let (kind, rest) = spec.split_once(':').unwrap_or((spec, ""));
    let (url, key) = match kind {
        "openai" => (
            format!(
                "{}/models",
                env.openai_base_url
                    .clone()
                    .unwrap_or_else(|| "https://api.openai.com/v1".into())
                    .trim_end_matches('/')
            ),
            env.openai_key.clone(),
        ),
        "openai-compatible" => match rest.split_once('@') {
            Some((_, base)) => (
                format!("{}/models", base.trim_end_matches('/')),
                env.openai_key.clone(),
            ),
            None => return "invalid spec: openai-compatible:MODEL@URL".into(),
        },
        "ollama" => {
            let host = env
                .ollama_host
                .clone()
                .unwrap_or_else(|| "http://127.0.0.1:11434".into());
            let host = if host.contains("://") {
                host
            } else {
                format!("http://{host}")
            };
            (
                format!(
                    "{}/api/tags",
                    host.trim_end_matches('/').trim_end_matches("/v1")
                ),
                None,
            )
        }
        "anthropic" => (
            format!(
                "{}/v1/models",
                env.anthropic_base_url
                    .clone()
                    .unwrap_or_else(|| "https://api.anthropic.com".into())
                    .trim_end_matches('/')
            ),
            None,
        ),
        "offline" => return "available".into(),
        "scripted" => return "replays a file".into(),
        _ => return "unknown spec".into(),
    };
    let client = match reqwest::Client::builder()
        .timeout(Duration::from_secs(3))
        .build()
    {
        Ok(client) => client,
        Err(e) => return format!("cannot check: {e}"),
    };
    let mut request = client.get(&url);
    if kind == "anthropic"
        && let Some(key) = &env.anthropic_key
    {
        request = request
            .header("x-api-key", key)
            .header("anthropic-version", "2023-06-01");
    }
    if let Some(key) = key {
        request = request.bearer_auth(key);
    }
    match request.send().await {
        Ok(r) if r.status().is_success() => {
            let base = url.trim_end_matches("/models");
            let window = match (env.context_window, kind) {
                (Some(n), _) => Some(format!("; context {n} tokens (profile)")),
                (None, "openai-compatible") => {
                    errand_model::openai::server_context_window(&client, base)
                        .await
                        .map(|n| format!("; context {n} tokens (server)"))
                }
                _ => None,
            };
            format!("reachable ({url}){}", window.unwrap_or_default())
        }
        Ok(r) if matches!(r.status().as_u16(), 401 | 403) => format!("key refused ({url})"),
        Ok(r) => format!("HTTP {} from {url}", r.status().as_u16()),
        Err(_) => format!("unreachable ({url})"),
    }
}
