//! YAML front matter of SKILL.md, commands and agents: `---`, YAML, `---`, then the body.
//! Every field seen in the wild is kept as JSON (strings, lists, maps), unknown ones too;
//! readers take what they understand.
use serde_json::{Map, Value};
use yaml_rust2::{Yaml, YamlLoader};

/// A Markdown file split into its front matter (empty when it has none) and its body.
#[derive(Debug, Clone, Default)]
pub struct Document {
    pub fields: Map<String, Value>,
    pub body: String,
}

impl Document {
    /// A field as text: a string, a number or a boolean; lists join with ", ".
    pub fn text(&self, key: &str) -> Option<String> {
        match self.fields.get(key)? {
            Value::String(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Array(items) => Some(
                items
                    .iter()
                    .filter_map(|i| match i {
                        Value::String(s) => Some(s.clone()),
                        Value::Null => None,
                        other => Some(other.to_string()),
                    })
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            _ => None,
        }
    }

    /// A field as a list: YAML list, or a comma- or space-separated string (both are written).
    pub fn list(&self, key: &str) -> Option<Vec<String>> {
        match self.fields.get(key)? {
            Value::Array(items) => Some(
                items
                    .iter()
                    .filter_map(|i| i.as_str().map(|s| s.trim().to_string()))
                    .filter(|s| !s.is_empty())
                    .collect(),
            ),
            Value::String(s) => Some(split_list(s)),
            _ => None,
        }
    }

    /// A yes/no field; absent or unreadable is `None`.
    pub fn flag(&self, key: &str) -> Option<bool> {
        match self.fields.get(key)? {
            Value::Bool(b) => Some(*b),
            Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
                "true" | "yes" => Some(true),
                "false" | "no" => Some(false),
                _ => None,
            },
            _ => None,
        }
    }
}

/// "Read, Write, Bash(git:*)" or "Read Write": tool patterns. Commas win when present, as
/// a pattern such as `Bash(git log)` holds a space.
pub fn split_list(text: &str) -> Vec<String> {
    let parts: Vec<&str> = if text.contains(',') {
        text.split(',').collect()
    } else {
        text.split_whitespace().collect()
    };
    parts
        .into_iter()
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect()
}

/// Splits and parses. A file without front matter is all body; front matter that is opened
/// and never closed, or is not a YAML map, is an error in words.
pub fn parse(text: &str) -> Result<Document, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let Some(rest) = text
        .strip_prefix("---\n")
        .or_else(|| text.strip_prefix("---\r\n"))
    else {
        return Ok(Document {
            fields: Map::new(),
            body: text.to_string(),
        });
    };
    let (front, body) = split_closing(rest).ok_or(
        "the front matter opened with `---` on the first line is never closed by a `---` line",
    )?;
    let docs = YamlLoader::load_from_str(front)
        .map_err(|e| format!("the front matter is not valid YAML: {e}"))?;
    let fields = match docs.into_iter().next() {
        None | Some(Yaml::Null) => Map::new(),
        Some(Yaml::Hash(hash)) => {
            let mut fields = Map::new();
            for (key, value) in hash {
                fields.insert(key_text(&key), to_json(value));
            }
            fields
        }
        Some(_) => return Err("the front matter is not a map of `key: value` lines".into()),
    };
    Ok(Document {
        fields,
        body: body.to_string(),
    })
}

/// (front matter, body) around the first line that is exactly `---`.
fn split_closing(rest: &str) -> Option<(&str, &str)> {
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        if line.trim_end_matches(['\n', '\r']) == "---" {
            let body = &rest[offset + line.len()..];
            return Some((&rest[..offset], body.strip_prefix('\n').unwrap_or(body)));
        }
        offset += line.len();
    }
    None
}

fn key_text(key: &Yaml) -> String {
    match key {
        Yaml::String(s) | Yaml::Real(s) => s.clone(),
        Yaml::Integer(i) => i.to_string(),
        Yaml::Boolean(b) => b.to_string(),
        other => format!("{other:?}"),
    }
}

fn to_json(value: Yaml) -> Value {
    match value {
        Yaml::String(s) => Value::String(s),
        Yaml::Integer(i) => Value::from(i),
        Yaml::Real(r) => r
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number)
            .unwrap_or(Value::String(r)),
        Yaml::Boolean(b) => Value::Bool(b),
        Yaml::Array(items) => Value::Array(items.into_iter().map(to_json).collect()),
        Yaml::Hash(hash) => Value::Object(
            hash.into_iter()
                .map(|(k, v)| (key_text(&k), to_json(v)))
                .collect(),
        ),
        Yaml::Null | Yaml::BadValue | Yaml::Alias(_) => Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_fields_seen_in_the_wild() {
        let doc = parse(
            "---\nname: quality-assurance\ndescription: >\n  Validates content.\n\n  <example>\n  user: \"Check\"\n  </example>\nallowed-tools: Read, Grep, Bash(git log:*)\nmetadata:\n  version: 1.2\n  tags: [a, b]\ndisable-model-invocation: true\nmaxTurns: 5\nx-unknown: {deep: [1, 2]}\n---\n# Body\ntext\n",
        )
        .unwrap();
        assert_eq!(doc.text("name").as_deref(), Some("quality-assurance"));
        assert!(doc.text("description").unwrap().contains("<example>"));
        assert_eq!(
            doc.list("allowed-tools").unwrap(),
            vec!["Read", "Grep", "Bash(git log:*)"]
        );
        assert_eq!(doc.flag("disable-model-invocation"), Some(true));
        assert_eq!(doc.text("maxTurns").as_deref(), Some("5"));
        assert_eq!(doc.fields["metadata"]["tags"][1], "b");
        assert_eq!(doc.fields["x-unknown"]["deep"][0], 1);
        assert_eq!(doc.body, "# Body\ntext\n");
    }

    #[test]
    fn no_front_matter_is_all_body_and_broken_ones_are_named() {
        assert_eq!(parse("# Just text\n").unwrap().body, "# Just text\n");
        assert!(
            parse("---\nname: x\n# never closed\n")
                .unwrap_err()
                .contains("never closed")
        );
        assert!(
            parse("---\nname: [unclosed\n---\nbody")
                .unwrap_err()
                .contains("not valid YAML")
        );
        assert!(
            parse("---\n- a\n- b\n---\nbody")
                .unwrap_err()
                .contains("not a map")
        );
        assert_eq!(split_list("Read Write"), vec!["Read", "Write"]);
    }
}
