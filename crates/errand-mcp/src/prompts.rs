//! Servers' prompts as slash commands: `errand run "/mcp__SERVER__PROMPT words…"` becomes
//! the prompt's text, its arguments filled from the words in the order the prompt declares
//! them (the last one takes the rest).
use crate::client::McpError;
use crate::pool::Connectors;
use serde_json::Value;

/// `Some(text)` when `outcome` names a server's prompt; `None` when it is not such a command.
pub async fn expand(connectors: &Connectors, outcome: &str) -> Result<Option<String>, McpError> {
    let Some(command) = outcome.trim_start().strip_prefix("/mcp__") else {
        return Ok(None);
    };
    let (name, words) = command
        .split_once(char::is_whitespace)
        .unwrap_or((command, ""));
    let Some((server, prompt)) = name.split_once("__") else {
        return Ok(None);
    };
    let connection = connectors.connection(server).await?;
    let prompts = connection.prompts().await?;
    let Some(declared) = prompts
        .iter()
        .find(|p| p.get("name").and_then(Value::as_str) == Some(prompt))
    else {
        let names: Vec<&str> = prompts
            .iter()
            .filter_map(|p| p.get("name").and_then(Value::as_str))
            .collect();
        return Err(McpError::Refused {
            server: server.into(),
            what: format!("/mcp__{server}__{prompt}"),
            why: format!(
                "it has no prompt `{prompt}` (its prompts: {})",
                if names.is_empty() {
                    "none".into()
                } else {
                    names.join(", ")
                }
            ),
        });
    };
    let arguments = fill(declared, words.trim());
    let missing: Vec<String> = declared
        .get("arguments")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|a| a.get("required").and_then(Value::as_bool) == Some(true))
        .filter_map(|a| a.get("name").and_then(Value::as_str))
        .filter(|n| !arguments.contains_key(*n))
        .map(str::to_string)
        .collect();
    if !missing.is_empty() {
        return Err(McpError::Refused {
            server: server.into(),
            what: format!("/mcp__{server}__{prompt}"),
            why: format!("it needs {} after the command", missing.join(", ")),
        });
    }
    let got = connection.get_prompt(prompt, arguments).await?;
    let text: Vec<String> = got
        .get("messages")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|m| m.pointer("/content/text").and_then(Value::as_str))
        .map(str::to_string)
        .collect();
    if text.is_empty() {
        return Err(McpError::Garbled {
            server: server.into(),
            what: format!("/mcp__{server}__{prompt}"),
            why: "the prompt has no text to start a task with".into(),
        });
    }
    Ok(Some(text.join("\n\n")))
}

/// The words, one per declared argument in order; the last argument takes the rest.
fn fill(declared: &Value, words: &str) -> serde_json::Map<String, Value> {
    let names: Vec<&str> = declared
        .get("arguments")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|a| a.get("name").and_then(Value::as_str))
        .collect();
    let mut arguments = serde_json::Map::new();
    let mut rest = words;
    for (i, name) in names.iter().enumerate() {
        if rest.is_empty() {
            break;
        }
        let value = if i + 1 == names.len() {
            std::mem::take(&mut rest)
        } else {
            let (word, after) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
            rest = after.trim_start();
            word
        };
        arguments.insert(name.to_string(), Value::String(value.to_string()));
    }
    arguments
}

#[cfg(test)]
mod tests {
    use super::fill;
    use serde_json::json;

    #[test]
    fn words_fill_arguments_in_order_and_the_last_takes_the_rest() {
        let declared = json!({"arguments": [{"name": "city"}, {"name": "state"}]});
        let filled = fill(&declared, "Lisbon  sunny and warm");
        assert_eq!(filled["city"], "Lisbon");
        assert_eq!(filled["state"], "sunny and warm");
        assert!(fill(&declared, "").is_empty());
    }
}
