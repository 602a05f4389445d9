//! A server's question (elicitation) in words a person can answer in one line, and their
//! answer back in the form the server asked for: the fields' defaults where nothing was said
//! (SEP-1034), values read as the schema's types, "decline" or "cancel" as such.
use serde_json::{Map, Value, json};

/// The question as the person reads it.
pub fn question(request: &Value) -> String {
    let message = request.get("message").and_then(Value::as_str).unwrap_or("");
    if let Some(url) = request.get("url").and_then(Value::as_str) {
        return format!(
            "An MCP server asks you to open {url}: {message}\nAnswer anything once done, or `decline`."
        );
    }
    let fields = fields(request);
    let described: Vec<String> = fields
        .iter()
        .map(|(name, schema)| {
            let kind = schema.get("type").and_then(Value::as_str).unwrap_or("text");
            let choices = schema
                .get("enum")
                .and_then(Value::as_array)
                .map(|e| {
                    let names: Vec<String> = e.iter().map(plain).collect();
                    format!(", one of {}", names.join("/"))
                })
                .unwrap_or_default();
            let default = schema
                .get("default")
                .map(|d| format!(", default {}", plain(d)))
                .unwrap_or_default();
            format!("{name} ({kind}{choices}{default})")
        })
        .collect();
    let how = match fields.len() {
        0 => "Answer anything to accept, or `decline`.".to_string(),
        1 => "Answer with the value, nothing for the default, or `decline`.".to_string(),
        _ => "Answer `name: value` for each (separated by `;` or new lines), nothing for the defaults, or `decline`.".to_string(),
    };
    if described.is_empty() {
        format!("An MCP server asks: {message}\n{how}")
    } else {
        format!(
            "An MCP server asks: {message}\nIt wants: {}.\n{how}",
            described.join(", ")
        )
    }
}

/// The elicitation result for `answer` (`None`: nobody could answer).
pub fn result(request: &Value, answer: Option<&str>) -> Value {
    let Some(answer) = answer.map(str::trim) else {
        return json!({"action": "decline"});
    };
    match answer.to_ascii_lowercase().as_str() {
        "decline" | "no" => return json!({"action": "decline"}),
        "cancel" => return json!({"action": "cancel"}),
        _ => {}
    }
    if request.get("url").is_some() {
        return json!({"action": "accept"});
    }
    let fields = fields(request);
    let mut content = Map::new();
    for (name, schema) in &fields {
        if let Some(default) = schema.get("default") {
            content.insert(name.clone(), default.clone());
        }
    }
    let said: Vec<(String, String)> = if answer.is_empty() {
        Vec::new()
    } else if fields.len() == 1 {
        vec![(fields[0].0.clone(), answer.to_string())]
    } else if let Ok(Value::Object(given)) = serde_json::from_str::<Value>(answer) {
        given.into_iter().map(|(k, v)| (k, plain(&v))).collect()
    } else {
        answer
            .split([';', '\n'])
            .filter_map(|part| part.split_once([':', '=']))
            .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
            .collect()
    };
    for (name, text) in said {
        if let Some((_, schema)) = fields.iter().find(|(n, _)| *n == name) {
            content.insert(name, typed(schema, &text));
        }
    }
    json!({"action": "accept", "content": content})
}

/// The requested schema's properties, in order.
fn fields(request: &Value) -> Vec<(String, Value)> {
    request
        .pointer("/requestedSchema/properties")
        .and_then(Value::as_object)
        .map(|p| p.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default()
}

/// `text` as the property's type; left as text when it does not read as one.
fn typed(schema: &Value, text: &str) -> Value {
    match schema.get("type").and_then(Value::as_str) {
        Some("integer") => text
            .parse::<i64>()
            .map(Value::from)
            .unwrap_or_else(|_| text.into()),
        Some("number") => text
            .parse::<f64>()
            .map(Value::from)
            .unwrap_or_else(|_| text.into()),
        Some("boolean") => match text.to_ascii_lowercase().as_str() {
            "true" | "yes" | "y" | "1" => Value::Bool(true),
            "false" | "no" | "n" | "0" => Value::Bool(false),
            _ => text.into(),
        },
        _ => text.into(),
    }
}

fn plain(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> Value {
        json!({"message": "Who are you?", "requestedSchema": {"type": "object", "properties": {
            "name": {"type": "string", "default": "John Doe"},
            "age": {"type": "integer", "default": 30},
            "verified": {"type": "boolean"},
            "status": {"type": "string", "enum": ["active", "inactive"], "default": "active"}}}})
    }

    #[test]
    fn the_question_names_each_field_its_type_choices_and_default() {
        let q = question(&form());
        assert!(q.starts_with("An MCP server asks: Who are you?"), "{q}");
        for part in [
            "name (string, default John Doe)",
            "age (integer, default 30)",
            "verified (boolean)",
            "status (string, one of active/inactive, default active)",
        ] {
            assert!(q.contains(part), "{part} missing: {q}");
        }
    }

    #[test]
    fn answers_become_typed_content_over_the_defaults() {
        let empty = result(&form(), Some(""));
        assert_eq!(empty["action"], "accept");
        assert_eq!(
            empty["content"],
            json!({"name": "John Doe", "age": 30, "status": "active"})
        );
        let said = result(&form(), Some("age: 41; verified = yes"));
        assert_eq!(said["content"]["age"], 41);
        assert_eq!(said["content"]["verified"], true);
        assert_eq!(said["content"]["name"], "John Doe");
        assert_eq!(result(&form(), Some("decline"))["action"], "decline");
        assert_eq!(result(&form(), None)["action"], "decline");
        assert_eq!(result(&form(), Some("cancel"))["action"], "cancel");
        let one = json!({"message": "City?", "requestedSchema": {"properties": {"city": {"type": "string"}}}});
        assert_eq!(
            result(&one, Some("Lisbon"))["content"],
            json!({"city": "Lisbon"})
        );
    }
}
