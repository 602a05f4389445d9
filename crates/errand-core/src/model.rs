//! The model contract: a conversation in, one assistant turn out.
use crate::tool::ToolSpec;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolCall {
    pub id: String,
    pub name: String,
    pub input: serde_json::Value,
}

/// Tokens spent by one model call (zero for the offline planner).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    #[serde(default)]
    pub input_tokens: u64,
    #[serde(default)]
    pub output_tokens: u64,
    #[serde(default)]
    pub cache_read_tokens: u64,
    #[serde(default)]
    pub cache_write_tokens: u64,
}

impl Usage {
    /// Every token the calls processed, cached or not: what a budget counts.
    pub fn total(&self) -> u64 {
        self.input_tokens + self.output_tokens + self.cache_read_tokens + self.cache_write_tokens
    }

    pub fn add(&mut self, other: &Usage) {
        self.input_tokens += other.input_tokens;
        self.output_tokens += other.output_tokens;
        self.cache_read_tokens += other.cache_read_tokens;
        self.cache_write_tokens += other.cache_write_tokens;
    }
}

/// The conversation as a model sees it, rebuilt from events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "role", rename_all = "snake_case")]
pub enum Message {
    User {
        text: String,
    },
    Assistant {
        text: String,
        tool_calls: Vec<ToolCall>,
    },
    ToolResult {
        call_id: String,
        content: String,
        is_error: bool,
        /// Pictures the call returned; a provider sends them only to a model that reads
        /// images. The bytes are blobs in the store, fetched through `ModelRequest::images`.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        images: Vec<ImageRef>,
    },
}

/// A picture kept as a content-addressed blob.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageRef {
    pub media_type: String,
    pub sha256: String,
    pub width: u32,
    pub height: u32,
}

/// Where a provider finds the bytes of the pictures in a conversation.
pub trait ImageSource: Send + Sync {
    fn image_bytes(&self, image: &ImageRef) -> Option<Vec<u8>>;
}

impl std::fmt::Debug for dyn ImageSource + '_ {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ImageSource")
    }
}

/// For requests whose conversation holds no pictures (summaries, tests).
pub struct NoImages;

impl ImageSource for NoImages {
    fn image_bytes(&self, _image: &ImageRef) -> Option<Vec<u8>> {
        None
    }
}

/// Borrowed from the task's state: the conversation can be megabytes of tool results.
#[derive(Debug, Clone, Copy)]
pub struct ModelRequest<'a> {
    /// How many model calls the task made before this one (turns and summaries).
    pub turn: usize,
    pub system: &'a str,
    pub messages: &'a [Message],
    pub tools: &'a [ToolSpec],
    pub images: &'a dyn ImageSource,
}

#[derive(Debug, Clone, Default)]
pub struct ModelResponse {
    pub text: String,
    pub tool_calls: Vec<ToolCall>,
    pub usage: Usage,
}

#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("{0}")]
    Script(String),
    #[error("the offline planner cannot do this: {0}")]
    Offline(String),
    #[error("model request failed: {0}")]
    Request(String),
}

#[async_trait]
pub trait Model: Send + Sync {
    /// The spec this model was selected with, e.g. `offline` or `scripted:turns.json`.
    fn spec(&self) -> String;
    async fn complete(&self, request: &ModelRequest<'_>) -> Result<ModelResponse, ModelError>;
    /// Tokens the model can take in one request; `None` when it has no practical limit
    /// (the offline planner). Conversations nearing it are compacted.
    fn context_window(&self) -> Option<u64> {
        None
    }
    /// True when the model takes pictures in tool results. Others get the words that
    /// describe them, with a note that the pictures were left out.
    fn reads_images(&self) -> bool {
        false
    }
}
