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
}

impl Scripted {
    pub fn load(path: &Path) -> Result<Scripted, ScriptError> {
        let text = std::fs::read_to_string(path).map_err(|source| ScriptError::Read {
            path: path.into(),
            source,
        })?;
        let script: Script = serde_json::from_str(&text).map_err(|source| ScriptError::Parse {
            path: path.into(),
            source,
        })?;
        Ok(Scripted {
            path: path.into(),
            turns: script.turns,
            context_window: script.context_window,
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
