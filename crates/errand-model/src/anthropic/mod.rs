//! Anthropic Messages API: one streaming request per turn, with prompt caching of the
//! system prompt, the tools and the conversation so far, assembled whole before it is
//! returned.
mod request;
mod wire;

#[cfg(test)]
mod tests;

use crate::http::stream_with_retry;
use crate::retry::RetryPolicy;
use async_trait::async_trait;
use errand_core::{Model, ModelError, ModelRequest, ModelResponse};
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderValue};

pub const ANTHROPIC_BASE_URL: &str = "https://api.anthropic.com";
pub const ANTHROPIC_VERSION: &str = "2023-06-01";
pub const DEFAULT_MAX_TOKENS: u32 = 8192;

/// Keys shorter than this are test placeholders; scrubbing them would mangle ordinary words.
const MIN_SECRET_LEN: usize = 8;

pub struct Anthropic {
    model: String,
    api_key: String,
    /// Without the API version path and without a trailing slash.
    base_url: String,
    max_tokens: u32,
    client: reqwest::Client,
    retry: RetryPolicy,
    /// Mark the stable prefix for caching; off for gateways that refuse `cache_control`.
    prompt_caching: bool,
    /// Send pictures in tool results; by the model's name unless a profile says.
    reads_images: bool,
}

impl std::fmt::Debug for Anthropic {
    // By hand, so the key never reaches a log through `{:?}`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Anthropic")
            .field("model", &self.model)
            .field("api_key", &"[redacted]")
            .field("base_url", &self.base_url)
            .field("max_tokens", &self.max_tokens)
            .finish()
    }
}

impl Anthropic {
    /// `base_url` as in `ANTHROPIC_BASE_URL` (a gateway or proxy); the API itself when unset.
    pub fn new(model: &str, api_key: String, base_url: Option<String>) -> Self {
        let base_url = base_url
            .map(|u| u.trim().trim_end_matches('/').to_string())
            .filter(|u| !u.is_empty())
            .unwrap_or_else(|| ANTHROPIC_BASE_URL.to_string());
        // The SDKs append `/v1/messages` to the base; a base written with `/v1` would double it.
        let base_url = match base_url.strip_suffix("/v1") {
            Some(stripped) if !stripped.is_empty() => stripped.to_string(),
            _ => base_url,
        };
        let client = crate::http::streaming_client(&base_url);
        Anthropic {
            model: model.to_string(),
            api_key: api_key.trim().to_string(),
            base_url,
            max_tokens: DEFAULT_MAX_TOKENS,
            client,
            retry: RetryPolicy::default(),
            prompt_caching: true,
            reads_images: crate::pictures::reads_images_by_name(model),
        }
    }

    /// A profile's word on whether the model reads pictures; `None` keeps the default.
    pub fn with_reads_images(mut self, reads: Option<bool>) -> Self {
        self.reads_images = reads.unwrap_or(self.reads_images);
        self
    }

    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    pub fn with_max_tokens(mut self, max_tokens: u32) -> Self {
        self.max_tokens = max_tokens.max(1);
        self
    }

    pub fn with_prompt_caching(mut self, on: bool) -> Self {
        self.prompt_caching = on;
        self
    }

    fn endpoint(&self) -> String {
        format!("{}/v1/messages", self.base_url)
    }

    /// An error message with the key scrubbed: a proxy may echo a refused key back.
    fn scrub(&self, error: ModelError) -> ModelError {
        match error {
            ModelError::Request(message) if self.api_key.len() >= MIN_SECRET_LEN => {
                ModelError::Request(message.replace(self.api_key.as_str(), "[redacted]"))
            }
            error => error,
        }
    }
}

/// Decodes a recorded Messages API stream into the turn it carries (for replaying captured
/// traffic, and for measuring the parser).
pub fn decode_recorded(stream: &[u8], piece: usize) -> Result<ModelResponse, ModelError> {
    crate::http::decode_recorded(
        "anthropic",
        wire::MessagesAssembler::default(),
        stream,
        piece,
    )
}

#[async_trait]
impl Model for Anthropic {
    fn spec(&self) -> String {
        format!("anthropic:{}", self.model)
    }

    fn reads_images(&self) -> bool {
        self.reads_images
    }

    fn context_window(&self) -> Option<u64> {
        // Every current Claude model takes 200k tokens (more only behind a beta header).
        Some(200_000)
    }

    async fn complete(&self, request: &ModelRequest<'_>) -> Result<ModelResponse, ModelError> {
        // Serialized once: a conversation can be megabytes, and retries resend the same bytes.
        let body = request::request_body(
            &self.model,
            self.max_tokens,
            request,
            self.prompt_caching,
            self.reads_images(),
        );
        let body = serde_json::to_vec(&body).map_err(|e| {
            ModelError::Request(format!("anthropic: cannot encode the request: {e}"))
        })?;
        let mut key = HeaderValue::from_str(&self.api_key).map_err(|_| {
            ModelError::Request(
                "anthropic: the API key holds characters an HTTP header cannot carry; \
                 check ANTHROPIC_API_KEY"
                    .to_string(),
            )
        })?;
        // Sensitive headers are left out of reqwest's and hyper's debug output.
        key.set_sensitive(true);
        let url = self.endpoint();
        tracing::debug!(model = %self.model, %url, bytes = body.len(), "messages request");
        let build = || {
            self.client
                .post(&url)
                .header("x-api-key", key.clone())
                .header("anthropic-version", ANTHROPIC_VERSION)
                .header(CONTENT_TYPE, "application/json")
                .header(ACCEPT, "text/event-stream")
                .body(body.clone())
        };
        stream_with_retry(
            "anthropic",
            &self.retry,
            build,
            wire::MessagesAssembler::default,
        )
        .await
        .map_err(|e| self.scrub(e))
    }
}
