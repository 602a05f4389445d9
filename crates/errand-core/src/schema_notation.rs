//! Nested parts of big tool inputs written as a one-line notation instead of JSON Schema:
//! `{type:"heading", text, level?:int}|{type:"bullets", items:[str]}`. Models read it as
//! well as the schema, at a third of the bytes, and every request carries it. It is
//! generated from the same schema, so it cannot drift from the parser either.
use serde_json::{Map, Value};

/// `schema` with each top-level property that nests objects replaced by a plain
/// `array`/`object` whose description carries the notation.
pub fn compact(mut schema: Value) -> Value {
    if let Some(Value::Object(properties)) = schema.get_mut("properties") {
        for (_, property) in properties.iter_mut() {
            if nests_objects(property) {
                let kind = property
                    .get("type")
                    .and_then(Value::as_str)
                    .unwrap_or("object")
                    .to_string();
                let mut text = String::new();
                if let Some(description) = property.get("description").and_then(Value::as_str) {
                    text.push_str(description.trim_end_matches('.'));
                    text.push_str(". ");
                }
                text.push_str(&notation(property));
                let mut replaced = Map::new();
                replaced.insert("type".into(), Value::String(kind));
                replaced.insert("description".into(), Value::String(text));
                *property = Value::Object(replaced);
            }
        }
    }
    schema
}

fn nests_objects(schema: &Value) -> bool {
    match schema {
        Value::Object(map) => {
            map.contains_key("oneOf")
                || map.contains_key("anyOf")
                || map.get("type").and_then(Value::as_str) == Some("object")
                    && map.contains_key("properties")
                || map.get("items").is_some_and(nests_objects)
        }
        _ => false,
    }
}

/// The notation of one schema.
pub fn notation(schema: &Value) -> String {
    let Value::Object(map) = schema else {
        return "any".into();
    };
    for key in ["oneOf", "anyOf"] {
        if let Some(Value::Array(options)) = map.get(key) {
            return options.iter().map(notation).collect::<Vec<_>>().join("|");
        }
    }
    if let Some(constant) = map.get("const") {
        return constant.to_string();
    }
    if let Some(Value::Array(options)) = map.get("enum") {
        return options
            .iter()
            .map(|o| o.as_str().map_or_else(|| o.to_string(), str::to_string))
            .collect::<Vec<_>>()
            .join("|");
    }
    match map.get("type").and_then(Value::as_str) {
        Some("string") => "str".into(),
        Some("number") => "num".into(),
        Some("integer") => "int".into(),
        Some("boolean") => "bool".into(),
        Some("array") => format!("[{}]", map.get("items").map_or("any".into(), notation)),
        Some("object") | None if map.contains_key("properties") => object(map),
        _ => "any".into(),
    }
}

fn object(map: &Map<String, Value>) -> String {
    let required: Vec<&str> = map
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let Some(Value::Object(properties)) = map.get("properties") else {
        return "{}".into();
    };
    // The tag first, then required fields, then optional ones, as a person would write it.
    let mut names: Vec<&String> = properties.keys().collect();
    names.sort_by_key(|n| {
        (
            properties[*n].get("const").is_none(),
            !required.contains(&n.as_str()),
        )
    });
    let fields: Vec<String> = names
        .into_iter()
        .map(|name| {
            let field = &properties[name];
            let optional = if required.contains(&name.as_str()) {
                ""
            } else {
                "?"
            };
            let shown = notation(field);
            let mut text = if shown == "str" {
                format!("{name}{optional}")
            } else {
                format!("{name}{optional}:{shown}")
            };
            if let Some(description) = field.get("description").and_then(Value::as_str) {
                text.push_str(&format!(" ({})", description.trim_end_matches('.')));
            }
            text
        })
        .collect();
    let mut text = format!("{{{}}}", fields.join(", "));
    if let Some(description) = map.get("description").and_then(Value::as_str) {
        text = format!("{text} ({})", description.trim_end_matches('.'));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tagged_variants_and_fields_read_like_code() {
        let schema = json!({
            "type": "object",
            "properties": {
                "path": {"type": "string"},
                "blocks": {"type": "array", "description": "The body.", "items": {"oneOf": [
                    {"type": "object", "description": "A heading.", "properties": {
                        "type": {"type": "string", "const": "heading"},
                        "text": {"type": "string"},
                        "level": {"type": "integer", "description": "1-3"}
                    }, "required": ["type", "text"]},
                    {"type": "object", "properties": {
                        "type": {"type": "string", "const": "table"},
                        "rows": {"type": "array", "items": {"type": "array", "items": {"type": "string"}}},
                        "kind": {"type": "string", "enum": ["a", "b"]}
                    }, "required": ["type", "rows"]}
                ]}}
            },
            "required": ["path"]
        });
        let compacted = compact(schema);
        assert_eq!(compacted["properties"]["path"], json!({"type": "string"}));
        assert_eq!(
            compacted["properties"]["blocks"]["description"],
            "The body. [{type:\"heading\", text, level?:int (1-3)} (A heading)|{type:\"table\", rows:[[str]], kind?:a|b}]"
        );
        assert_eq!(compacted["properties"]["blocks"]["type"], "array");
    }
}
