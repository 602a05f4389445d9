//! OpenAI-compatible chat completions (OpenAI, Ollama, vLLM, llama.cpp, LM Studio): one
//! streaming request per turn, assembled whole before it is returned.
mod request;
mod window;
mod wire;

pub use window::server_context_window;

#[cfg(test)]
mod tests;

use crate::http::stream_with_retry;
use crate::retry::RetryPolicy;
use async_trait::async_trait;
use errand_core::{Model, ModelError, ModelRequest, ModelResponse};

pub const OPENAI_BASE_URL: &str = "https://api.openai.com/v1";
pub const OLLAMA_HOST: &str = "http://127.0.0.1:11434";

/// Keys shorter than this are placeholders local servers ignore (`ollama`, `x`); scrubbing
/// them from messages would mangle ordinary words.
const MIN_SECRET_LEN: usize = 8;

pub struct OpenAiCompatible {
    /// `openai`, `ollama` or `openai-compatible`: names the provider in specs and errors.
    provider: &'static str,
    model: String,
    api_key: Option<String>,
    /// Ends in the API version (`…/v1`), without a trailing slash.
    base_url: String,
    client: reqwest::Client,
    retry: RetryPolicy,
    /// What a local server said its window is, asked once before the first request.
    server_window: tokio::sync::OnceCell<Option<u64>>,
    /// Send pictures in tool results; by the model's name unless a profile says.
    reads_images: bool,
}

impl std::fmt::Debug for OpenAiCompatible {
    // By hand, so the key never reaches a log through `{:?}`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenAiCompatible")
            .field("provider", &self.provider)
            .field("model", &self.model)
            .field("api_key", &self.api_key.as_ref().map(|_| "[redacted]"))
            .field("base_url", &self.base_url)
            .finish()
    }
}

impl OpenAiCompatible {
    /// OpenAI itself, or a gateway speaking its API when `base_url` (`OPENAI_BASE_URL`) is set.
    pub fn openai(model: impl Into<String>, api_key: String, base_url: Option<String>) -> Self {
        let base_url = base_url
            .filter(|u| !u.trim().is_empty())
            .unwrap_or_else(|| OPENAI_BASE_URL.to_string());
        Self::new("openai", model.into(), Some(api_key), &base_url)
    }

    /// A local Ollama; `host` as in `OLLAMA_HOST` (`127.0.0.1:11434`, `http://box:11434`).
    pub fn ollama(model: impl Into<String>, host: Option<String>) -> Self {
        let host = host
            .map(|h| h.trim().trim_end_matches('/').to_string())
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| OLLAMA_HOST.to_string());
        // OLLAMA_HOST is often written without a scheme.
        let host = if host.contains("://") {
            host
        } else {
            format!("http://{host}")
        };
        let base_url = if host.ends_with("/v1") {
            host
        } else {
            format!("{host}/v1")
        };
        Self::new("ollama", model.into(), None, &base_url)
    }

    /// Any other server speaking the API (vLLM, llama.cpp, LM Studio, a gateway).
    pub fn compatible(model: impl Into<String>, base_url: String, api_key: Option<String>) -> Self {
        Self::new("openai-compatible", model.into(), api_key, &base_url)
    }

    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    fn new(provider: &'static str, model: String, api_key: Option<String>, base_url: &str) -> Self {
        let client = crate::http::streaming_client(base_url);
        OpenAiCompatible {
            provider,
            reads_images: crate::pictures::reads_images_by_name(&model),
            model,
            api_key: api_key.filter(|k| !k.trim().is_empty()),
            base_url: base_url.trim().trim_end_matches('/').to_string(),
            client,
            retry: RetryPolicy::default(),
            server_window: tokio::sync::OnceCell::new(),
        }
    }

    /// A profile's word on whether the model reads pictures; `None` keeps the default.
    pub fn with_reads_images(mut self, reads: Option<bool>) -> Self {
        self.reads_images = reads.unwrap_or(self.reads_images);
        self
    }

    fn endpoint(&self) -> String {
        format!("{}/chat/completions", self.base_url)
    }

    /// An error message with the key scrubbed: some servers echo a refused key back.
    fn scrub(&self, error: ModelError) -> ModelError {
        match (error, &self.api_key) {
            (ModelError::Request(message), Some(key)) if key.len() >= MIN_SECRET_LEN => {
                ModelError::Request(message.replace(key.as_str(), "[redacted]"))
            }
            (error, _) => error,
        }
    }
}

/// Decodes a recorded chat-completions stream into the turn it carries.
pub fn decode_recorded(stream: &[u8], piece: usize) -> Result<ModelResponse, ModelError> {
    crate::http::decode_recorded("openai", wire::ChatAssembler::default(), stream, piece)
}

#[async_trait]
impl Model for OpenAiCompatible {
    fn reads_images(&self) -> bool {
        self.reads_images
    }

    fn context_window(&self) -> Option<u64> {
        let asked = self.server_window.get().copied().flatten();
        Some(asked.unwrap_or_else(|| default_context_window(self.provider, &self.model)))
    }

    fn spec(&self) -> String {
        match self.provider {
            "openai-compatible" => format!("{}:{}@{}", self.provider, self.model, self.base_url),
            provider => format!("{provider}:{}", self.model),
        }
    }

    async fn complete(&self, request: &ModelRequest<'_>) -> Result<ModelResponse, ModelError> {
        if self.provider != "openai" {
            self.server_window
                .get_or_init(|| server_context_window(&self.client, &self.base_url))
                .await;
        }
        // Serialized once: a conversation can be megabytes, and retries resend the same bytes.
        let body = serde_json::to_vec(&request::request_body(
            &self.model,
            request,
            self.reads_images(),
        ))
        .map_err(|e| {
            ModelError::Request(format!("{}: cannot encode the request: {e}", self.provider))
        })?;
        let url = self.endpoint();
        tracing::debug!(provider = self.provider, model = %self.model, %url, bytes = body.len(), "chat completion");
        let build = || {
            let builder = self
                .client
                .post(&url)
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .header(reqwest::header::ACCEPT, "text/event-stream")
                .body(body.clone());
            match &self.api_key {
                // `bearer_auth` marks the header sensitive, keeping it out of debug output.
                Some(key) => builder.bearer_auth(key),
                None => builder,
            }
        };
        stream_with_retry(
            self.provider,
            &self.retry,
            build,
            wire::ChatAssembler::default,
        )
        .await
        .map_err(|e| self.scrub(e))
    }
}

/// The documented windows of OpenAI's families; for local servers the window is set by
/// whoever started them, so assume a modest one (a profile's `context_window` overrides).
fn default_context_window(provider: &str, model: &str) -> u64 {
    if provider != "openai" {
        return 32_768;
    }
    let model = model.to_ascii_lowercase();
    if model.starts_with("gpt-4.1") {
        1_047_576
    } else if model.starts_with("gpt-5") {
        400_000
    } else if model.starts_with('o') {
        200_000
    } else {
        128_000
    }
}
