//! Sub-agent roles: `agents/NAME.md` beside config.toml, in the plugin layout's format —
//! optional YAML front matter (`name`, `description`, `tools`, `model`, `maxTurns`) and the
//! instructions.
use anyhow::{Context, Result, bail};
use errand_core::agent::Role;
use std::collections::BTreeMap;
use std::path::Path;

/// Every role in `folder/agents`, by name. A missing folder means no roles.
pub fn load(folder: &Path) -> Result<BTreeMap<String, Role>> {
    let dir = folder.join("agents");
    let entries = match std::fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", dir.display())),
    };
    let mut roles = BTreeMap::new();
    for entry in entries {
        let path = entry
            .with_context(|| format!("cannot read {}", dir.display()))?
            .path();
        if path.extension().and_then(|e| e.to_str()) != Some("md") {
            continue;
        }
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read the role {}", path.display()))?;
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let role = parse(&stem, &text)
            .with_context(|| format!("the role file {} is not valid", path.display()))?;
        roles.insert(role.name.clone(), role);
    }
    Ok(roles)
}

/// Parses one role file; `stem` names it when the front matter does not.
pub fn parse(stem: &str, text: &str) -> Result<Role> {
    let doc = errand_skills::frontmatter::parse(text).map_err(anyhow::Error::msg)?;
    let role = Role {
        name: doc.text("name").unwrap_or_else(|| stem.to_string()),
        instructions: doc.body.trim().to_string(),
        tools: doc.list("tools"),
        model: doc.text("model"),
        max_turns: doc.text("maxTurns").and_then(|t| t.parse().ok()),
    };
    if role.name.is_empty() {
        bail!("the role has no name");
    }
    Ok(role)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_gives_name_tools_and_model() {
        let role = parse(
            "file-stem",
            "---\nname: summariser\ndescription: short notes\ntools: [read_file, \"write_file\"]\nmodel: scripted:/tmp/s.json\n---\nSummarise each file in five lines.\n",
        )
        .expect("valid");
        assert_eq!(role.name, "summariser");
        assert_eq!(
            role.tools,
            Some(vec!["read_file".to_string(), "write_file".to_string()])
        );
        assert_eq!(role.model.as_deref(), Some("scripted:/tmp/s.json"));
        assert_eq!(role.instructions, "Summarise each file in five lines.");
    }

    #[test]
    fn a_plain_file_is_all_instructions_and_bad_front_matter_is_named() {
        let role = parse("checker", "Check totals.").expect("valid");
        assert_eq!((role.name.as_str(), role.tools), ("checker", None));
        let err = parse("x", "---\nname: x\nno closing").expect_err("unclosed");
        assert!(err.to_string().contains("never closed"), "{err}");
        let err = parse("x", "---\njust words\n---\nbody").expect_err("not key: value");
        assert!(err.to_string().contains("key: value"), "{err}");
    }
}
