//! `scripted:PATH`: replays a file of model turns, for tests and demos.
use async_trait::async_trait;
use errand_core::{Message, Model, ModelError, ModelRequest, ModelResponse, ToolCall, Usage};
use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Script {
    turns: Vec<Turn>,
    /// Pretend to be a model with this context window, to exercise compaction.
    context_window: Option<u64>,
    /// Pretend to be a model that reads images (tools then pass pictures, not their text).
    #[serde(default)]
    reads_images: bool,
    /// One script per sub-agent, in the order the task starts them.
    #[serde(default)]
    subagents: Vec<SubScript>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SubScript {
    turns: Vec<Turn>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Turn {
    #[serde(default)]
    text: String,
    #[serde(default)]
    tool_calls: Vec<ScriptedCall>,
    /// The results handed to this turn must contain this text, or the task fails.
    expect_tool_result_contains: Option<String>,
    /// Some message of the request must contain this text (e.g. a steering message).
    expect_request_contains: Option<String>,
    /// Simulated model latency.
    delay_ms: Option<u64>,
    #[serde(default)]
    usage: Usage,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScriptedCall {
    #[serde(default)]
    id: String,
    name: String,
    #[serde(default)]
    input: serde_json::Value,
}

#[derive(Debug)]
pub struct Scripted {
    path: PathBuf,
    turns: Vec<Turn>,
    context_window: Option<u64>,
    reads_images: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum ScriptError {
    #[error("cannot read the script {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "the script {path} is not valid: {source} (expected {{\"turns\": [{{\"text\": …, \"tool_calls\": [{{\"name\": …, \"input\": {{…}}}}]}}]}})"
    )]
    Parse {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error(
        "the script {path} has {count} entries in `subagents`; sub-agent number {wanted} has none"
    )]
    NoSubagent {
        path: PathBuf,
        count: usize,
        wanted: usize,
    },
}

impl Scripted {
    pub fn load(path: &Path) -> Result<Scripted, ScriptError> {
        let script = Self::read(path)?;
        Ok(Scripted {
            path: path.into(),
            turns: script.turns,
            context_window: script.context_window,
            reads_images: script.reads_images,
        })
    }

    /// The script of sub-agent `ordinal` (from 0): its entry in `subagents`, or, in a file
    /// without that list (a role's own script), the file's turns.
    pub fn load_subagent(path: &Path, ordinal: usize) -> Result<Scripted, ScriptError> {
        let mut script = Self::read(path)?;
        let turns = if script.subagents.is_empty() {
            script.turns
        } else if ordinal < script.subagents.len() {
            script.subagents.swap_remove(ordinal).turns
        } else {
            return Err(ScriptError::NoSubagent {
                path: path.into(),
                count: script.subagents.len(),
                wanted: ordinal + 1,
            });
        };
        Ok(Scripted {
            path: path.into(),
            turns,
            context_window: script.context_window,
            reads_images: script.reads_images,
        })
    }

    fn read(path: &Path) -> Result<Script, ScriptError> {
        let text = std::fs::read_to_string(path).map_err(|source| ScriptError::Read {
            path: path.into(),
            source,
        })?;
        serde_json::from_str(&text).map_err(|source| ScriptError::Parse {
            path: path.into(),
            source,
        })
    }
}

#[async_trait]
impl Model for Scripted {
    fn spec(&self) -> String {
        format!("scripted:{}", self.path.display())
    }

    fn context_window(&self) -> Option<u64> {
        self.context_window
    }

    fn reads_images(&self) -> bool {
        self.reads_images
    }

    async fn complete(&self, request: &ModelRequest<'_>) -> Result<ModelResponse, ModelError> {
        // The turn number comes from the task's log, so a resumed task replays the same turn.
        let index = request.turn;
        let Some(turn) = self.turns.get(index) else {
            return Err(ModelError::Script(format!(
                "the scripted model ran out of turns: turn {} was asked for, {} has {}",
                index + 1,
                self.path.display(),
                self.turns.len()
            )));
        };
        if let Some(expected) = &turn.expect_tool_result_contains {
            let latest: Vec<&str> = request
                .messages
                .iter()
                .rev()
                .take_while(|m| !matches!(m, Message::Assistant { .. }))
                .filter_map(|m| match m {
                    Message::ToolResult { content, .. } => Some(content.as_str()),
                    _ => None,
                })
                .collect();
            if !latest.iter().any(|c| c.contains(expected.as_str())) {
                return Err(ModelError::Script(format!(
                    "scripted turn {} expected a tool result containing {expected:?}; got: {:?}",
                    index + 1,
                    latest
                )));
            }
        }
        if let Some(expected) = &turn.expect_request_contains {
            let found = request.messages.iter().any(|m| match m {
                Message::User { text } | Message::Assistant { text, .. } => {
                    text.contains(expected.as_str())
                }
                Message::ToolResult { content, .. } => content.contains(expected.as_str()),
            });
            if !found {
                return Err(ModelError::Script(format!(
                    "scripted turn {} expected the request to contain {expected:?}; it has {} messages without it",
                    index + 1,
                    request.messages.len()
                )));
            }
        }
        if let Some(ms) = turn.delay_ms {
            tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
        }
        Ok(ModelResponse {
            text: turn.text.clone(),
            tool_calls: turn
                .tool_calls
                .iter()
                .map(|c| ToolCall {
                    id: c.id.clone(),
                    name: c.name.clone(),
                    input: c.input.clone(),
                })
                .collect(),
            usage: turn.usage,
        })
    }
}
