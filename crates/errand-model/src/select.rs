//! Choosing a model: specs (`anthropic:MODEL`, `ollama:MODEL`, …), the credentials and
//! endpoints the environment gives, and the default when nothing is said.
use crate::anthropic::Anthropic;
use crate::openai::OpenAiCompatible;
use crate::{offline, scripted};
use errand_core::Model;
use std::sync::Arc;

pub const DEFAULT_ANTHROPIC_MODEL: &str = "claude-sonnet-4-5";
pub const DEFAULT_OPENAI_MODEL: &str = "gpt-4.1";

#[derive(Debug, thiserror::Error)]
pub enum SelectError {
    #[error(
        "unknown model spec `{0}`: use offline, scripted:PATH, anthropic:MODEL, openai:MODEL, ollama:MODEL or openai-compatible:MODEL@URL"
    )]
    Unknown(String),
    #[error("{0}")]
    Missing(String),
    #[error("{0}")]
    Script(String),
}

/// What the environment says about providers (read once, passed around for tests).
#[derive(Debug, Clone, Default)]
pub struct ModelEnv {
    pub errand_model: Option<String>,
    pub anthropic_key: Option<String>,
    pub anthropic_base_url: Option<String>,
    pub openai_key: Option<String>,
    pub openai_base_url: Option<String>,
    pub ollama_host: Option<String>,
    /// Overrides the model's own context window (a profile's `context_window`).
    pub context_window: Option<u64>,
    /// `false` leaves out Anthropic's cache breakpoints (a profile's `prompt_caching`).
    pub prompt_caching: Option<bool>,
    /// Whether the model takes pictures (a profile's `reads_images`); by its name when unset.
    pub reads_images: Option<bool>,
}

impl ModelEnv {
    pub fn from_process() -> ModelEnv {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        ModelEnv {
            errand_model: var("ERRAND_MODEL"),
            anthropic_key: var("ANTHROPIC_API_KEY"),
            anthropic_base_url: var("ANTHROPIC_BASE_URL"),
            openai_key: var("OPENAI_API_KEY"),
            openai_base_url: var("OPENAI_BASE_URL"),
            ollama_host: var("OLLAMA_HOST"),
            context_window: None,
            prompt_caching: None,
            reads_images: None,
        }
    }

    /// The spec used when none is given: `ERRAND_MODEL`, then the configured default, then
    /// the first built provider whose credentials are set, else the offline planner.
    pub fn default_spec(&self, configured: Option<&str>) -> String {
        if let Some(spec) = self.errand_model.as_deref().or(configured) {
            return spec.to_string();
        }
        if self.anthropic_key.is_some() {
            return format!("anthropic:{DEFAULT_ANTHROPIC_MODEL}");
        }
        if self.openai_key.is_some() {
            return format!("openai:{DEFAULT_OPENAI_MODEL}");
        }
        "offline".to_string()
    }

    /// Builds the model a spec names.
    pub fn build(&self, spec: &str) -> Result<Arc<dyn Model>, SelectError> {
        let model = self.build_plain(spec)?;
        Ok(match self.context_window {
            Some(window) => Arc::new(WithWindow { model, window }),
            None => model,
        })
    }

    /// Builds the model for sub-agent number `ordinal` (from 0) of a task. A scripted model
    /// whose file lists `subagents` gives each its own script.
    pub fn build_subagent(
        &self,
        spec: &str,
        ordinal: usize,
    ) -> Result<Arc<dyn Model>, SelectError> {
        match spec.split_once(':') {
            Some(("scripted", path)) if !path.is_empty() => {
                scripted::Scripted::load_subagent(std::path::Path::new(path), ordinal)
                    .map(|m| Arc::new(m) as Arc<dyn Model>)
                    .map_err(|e| SelectError::Script(e.to_string()))
            }
            _ if spec == "offline" => Err(SelectError::Missing(
                "sub-agents need a model: the offline planner runs recipes, it does not delegate"
                    .into(),
            )),
            _ => self.build(spec),
        }
    }

    fn build_plain(&self, spec: &str) -> Result<Arc<dyn Model>, SelectError> {
        let (kind, rest) = spec.split_once(':').unwrap_or((spec, ""));
        let unknown = || SelectError::Unknown(spec.to_string());
        match (kind, rest) {
            ("offline", "") => Ok(Arc::new(offline::Offline)),
            ("scripted", path) if !path.is_empty() => {
                scripted::Scripted::load(std::path::Path::new(path))
                    .map(|m| Arc::new(m) as Arc<dyn Model>)
                    .map_err(|e| SelectError::Script(e.to_string()))
            }
            ("anthropic", model) if !model.is_empty() => {
                let key = self.anthropic_key.clone().ok_or_else(|| {
                    SelectError::Missing(format!(
                        "{spec} needs ANTHROPIC_API_KEY; set it (and ANTHROPIC_BASE_URL for another endpoint)"
                    ))
                })?;
                Ok(Arc::new(
                    Anthropic::new(model, key, self.anthropic_base_url.clone())
                        .with_prompt_caching(self.prompt_caching.unwrap_or(true))
                        .with_reads_images(self.reads_images),
                ))
            }
            ("openai", model) if !model.is_empty() => {
                let key = self.openai_key.clone().ok_or_else(|| {
                    SelectError::Missing(format!("{spec} needs OPENAI_API_KEY; set it (and OPENAI_BASE_URL for another endpoint)"))
                })?;
                Ok(Arc::new(
                    OpenAiCompatible::openai(model, key, self.openai_base_url.clone())
                        .with_reads_images(self.reads_images),
                ))
            }
            ("ollama", model) if !model.is_empty() => Ok(Arc::new(
                OpenAiCompatible::ollama(model, self.ollama_host.clone())
                    .with_reads_images(self.reads_images),
            )),
            ("openai-compatible", rest) => {
                let (model, url) = rest.split_once('@').ok_or_else(unknown)?;
                if model.is_empty() || !(url.starts_with("http://") || url.starts_with("https://"))
                {
                    return Err(unknown());
                }
                Ok(Arc::new(
                    OpenAiCompatible::compatible(model, url.to_string(), self.openai_key.clone())
                        .with_reads_images(self.reads_images),
                ))
            }
            _ => Err(unknown()),
        }
    }
}

/// A model with the context window its profile gives.
struct WithWindow {
    model: Arc<dyn Model>,
    window: u64,
}

#[async_trait::async_trait]
impl Model for WithWindow {
    fn spec(&self) -> String {
        self.model.spec()
    }
    fn context_window(&self) -> Option<u64> {
        Some(self.window)
    }
    async fn complete(
        &self,
        request: &errand_core::ModelRequest<'_>,
    ) -> Result<errand_core::ModelResponse, errand_core::ModelError> {
        self.model.complete(request).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_and_defaults() {
        let env = ModelEnv::default();
        assert_eq!(
            env.build("offline").map(|m| m.spec()).ok().as_deref(),
            Some("offline")
        );
        assert!(matches!(env.build("gpt"), Err(SelectError::Unknown(_))));
        assert!(matches!(
            env.build("openai-compatible:m"),
            Err(SelectError::Unknown(_))
        ));
        assert!(
            matches!(env.build("openai:gpt-4.1"), Err(SelectError::Missing(m)) if m.contains("OPENAI_API_KEY"))
        );
        assert!(
            matches!(env.build("anthropic:claude"), Err(SelectError::Missing(m)) if m.contains("ANTHROPIC_API_KEY"))
        );
        let anthropic = ModelEnv {
            anthropic_key: Some("sk-ant-test".into()),
            ..ModelEnv::default()
        };
        assert_eq!(
            anthropic
                .build("anthropic:claude-x")
                .map(|m| m.spec())
                .ok()
                .as_deref(),
            Some("anthropic:claude-x")
        );
        assert_eq!(
            anthropic.default_spec(None),
            format!("anthropic:{DEFAULT_ANTHROPIC_MODEL}")
        );
        assert!(matches!(
            env.build("scripted:/nonexistent.json"),
            Err(SelectError::Script(_))
        ));
        let spec = env
            .build("openai-compatible:qwen@http://127.0.0.1:8080/v1")
            .map(|m| m.spec());
        assert_eq!(
            spec.ok().as_deref(),
            Some("openai-compatible:qwen@http://127.0.0.1:8080/v1")
        );
        assert_eq!(
            env.build("ollama:llama3.1")
                .map(|m| m.spec())
                .ok()
                .as_deref(),
            Some("ollama:llama3.1")
        );
        assert_eq!(env.default_spec(None), "offline");
        assert_eq!(env.default_spec(Some("ollama:x")), "ollama:x");
        let keyed = ModelEnv {
            openai_key: Some("sk-test".into()),
            ..ModelEnv::default()
        };
        assert_eq!(
            keyed.default_spec(None),
            format!("openai:{DEFAULT_OPENAI_MODEL}")
        );
        let chosen = ModelEnv {
            errand_model: Some("offline".into()),
            ..keyed
        };
        assert_eq!(
            chosen.default_spec(Some("ollama:x")),
            "offline",
            "ERRAND_MODEL wins"
        );
    }
}
