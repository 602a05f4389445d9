//! Slash commands: `/plugin:command ARGS` (or `/command` when only one has that name) is
//! expanded into a task's outcome from `commands/NAME.md`, or from a skill the person may
//! invoke. The body's `$ARGUMENTS`, `$1`…`$9`, `@path` (a file in a granted folder) and
//! `` !`cmd` `` (run in the sandbox) are filled in.
use crate::catalog::{Catalog, skill_text};
use crate::plugin::{Plugin, read_document};
use serde::Serialize;

/// One thing the person can run with `/`.
#[derive(Debug, Clone, Serialize)]
pub struct Invocable {
    pub name: String,
    pub description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub argument_hint: Option<String>,
    /// `command` or `skill`.
    pub kind: &'static str,
}

/// What expansion needs from the task being started.
pub trait Surroundings {
    /// The text of a file in the granted folders, or `None` when there is no such file.
    fn read_file(&self, path: &str) -> Option<String>;
    /// Runs a shell command in the sandbox, in the first granted folder; its output.
    fn run(&self, command: &str) -> Result<String, String>;
}

/// Every command and person-invocable skill, by name.
pub fn invocables(plugins: &[Plugin], catalog: &Catalog) -> Vec<Invocable> {
    let mut out: Vec<Invocable> = plugins
        .iter()
        .flat_map(|p| p.commands.iter())
        .map(|c| Invocable {
            name: c.name.clone(),
            description: c.description.clone(),
            argument_hint: c.argument_hint.clone(),
            kind: "command",
        })
        .collect();
    for skill in catalog.skills.iter().filter(|s| s.user_invocable) {
        if !out.iter().any(|i| i.name == skill.name) {
            out.push(Invocable {
                name: skill.name.clone(),
                description: skill.description.clone(),
                argument_hint: skill.argument_hint.clone(),
                kind: "skill",
            });
        }
    }
    for (name, description, _) in crate::recipes::BUILTIN {
        out.push(Invocable {
            name: format!("errand:{name}"),
            description: description.to_string(),
            argument_hint: None,
            kind: "recipe",
        });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// A built-in recipe named `name` (`organize` or `errand:organize`): its request with the
/// command's words added.
fn builtin(name: &str, arguments: &str) -> Option<String> {
    let bare = name.strip_prefix("errand:").unwrap_or(name);
    let (_, _, request) = crate::recipes::BUILTIN
        .iter()
        .find(|(n, _, _)| *n == bare)?;
    Some(if arguments.is_empty() {
        request.to_string()
    } else {
        format!("{request} {arguments}")
    })
}

/// Expands `text` when it starts with `/NAME`; `Ok(None)` when it is not a command of a
/// plugin or skill (it may be another door's, like `/mcp__…`).
pub fn expand(
    text: &str,
    plugins: &[Plugin],
    catalog: &Catalog,
    around: &dyn Surroundings,
) -> Result<Option<String>, String> {
    let Some(rest) = text.trim_start().strip_prefix('/') else {
        return Ok(None);
    };
    let (name, arguments) = match rest.split_once(char::is_whitespace) {
        Some((name, args)) => (name, args.trim()),
        None => (rest.trim(), ""),
    };
    if name.is_empty() || name.starts_with("mcp__") || name.contains('/') {
        return Ok(None);
    }
    let commands: Vec<_> = plugins.iter().flat_map(|p| p.commands.iter()).collect();
    let matching: Vec<_> = commands
        .iter()
        .filter(|c| c.name == name || c.name.rsplit(':').next() == Some(name))
        .collect();
    let body = match matching.as_slice() {
        [one] => {
            read_document(&one.path)
                .map_err(|why| format!("the command {}: {why}", one.path.display()))?
                .body
        }
        [] => {
            let skill = catalog
                .skills
                .iter()
                .filter(|s| s.user_invocable)
                .filter(|s| s.name == name || s.name.rsplit(':').next() == Some(name))
                .collect::<Vec<_>>();
            match skill.as_slice() {
                [one] => return skill_text(one, arguments).map(Some),
                [] => {
                    if let Some(request) = builtin(name, arguments) {
                        return Ok(Some(request));
                    }
                    // `/Users/me/x …` is a path, not a command: only a command-like word counts.
                    let command_like = name.chars().all(|c| {
                        c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | ':')
                    });
                    if !command_like {
                        return Ok(None);
                    }
                    return Err(format!(
                        "no command or skill is named `/{name}`; `errand commands` lists them"
                    ));
                }
                many => {
                    return Err(format!(
                        "`/{name}` could be {}; write the full name",
                        many.iter()
                            .map(|s| format!("/{}", s.name))
                            .collect::<Vec<_>>()
                            .join(" or ")
                    ));
                }
            }
        }
        many => {
            return Err(format!(
                "`/{name}` could be {}; write the full name",
                many.iter()
                    .map(|c| format!("/{}", c.name))
                    .collect::<Vec<_>>()
                    .join(" or ")
            ));
        }
    };
    let body = substitute_arguments(&body, arguments);
    let body = run_inline_commands(&body, around)?;
    Ok(Some(include_files(&body, around).trim().to_string()))
}

/// `$ARGUMENTS` is every argument as typed; `$1`…`$9` are the words (quotes group words).
/// A body that never mentions its arguments gets them appended, so nothing typed is lost.
pub fn substitute_arguments(body: &str, arguments: &str) -> String {
    let words = split_words(arguments);
    let mut out = String::with_capacity(body.len());
    let mut used = false;
    let mut rest = body;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        if let Some(tail) = after.strip_prefix("ARGUMENTS") {
            out.push_str(arguments);
            used = true;
            rest = tail;
        } else if let Some(digit) = after.chars().next().filter(|c| ('1'..='9').contains(c)) {
            let index = digit as usize - '1' as usize;
            out.push_str(words.get(index).map_or("", String::as_str));
            used = true;
            rest = &after[1..];
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    if !used && !arguments.is_empty() {
        out = format!("{}\n\nARGUMENTS: {arguments}", out.trim_end());
    }
    out
}

fn split_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut quote: Option<char> = None;
    let mut has = false;
    for c in text.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => current.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                has = true;
            }
            (None, c) if c.is_whitespace() => {
                if has || !current.is_empty() {
                    words.push(std::mem::take(&mut current));
                    has = false;
                }
            }
            (None, c) => current.push(c),
        }
    }
    if has || !current.is_empty() {
        words.push(current);
    }
    words
}

/// `` !`cmd` `` becomes the command's output.
fn run_inline_commands(body: &str, around: &dyn Surroundings) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = body;
    while let Some(at) = rest.find("!`") {
        let after = &rest[at + 2..];
        let Some(end) = after.find('`') else { break };
        out.push_str(&rest[..at]);
        let command = &after[..end];
        let output = around
            .run(command)
            .map_err(|why| format!("the command's `{command}` failed: {why}"))?;
        out.push_str(output.trim_end());
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// `@path` (at the start or after a space) naming a file in the granted folders becomes
/// the file's text; anything else with an `@` (an address, a mention) stays as written.
fn include_files(body: &str, around: &dyn Surroundings) -> String {
    let mut out = String::new();
    let mut previous_space = true;
    let mut chars = body.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c == '@' && previous_space {
            let tail = &body[i + 1..];
            let len = tail
                .find(|ch: char| ch.is_whitespace() || matches!(ch, ',' | ';' | ')' | '"' | '\''))
                .unwrap_or(tail.len());
            let path = tail[..len].trim_end_matches(['.', ':']);
            if !path.is_empty()
                && let Some(text) = around.read_file(path)
            {
                out.push_str(&format!(
                    "<file path=\"{path}\">\n{}\n</file>",
                    text.trim_end()
                ));
                for _ in 0..path.chars().count() {
                    chars.next();
                }
                previous_space = false;
                continue;
            }
        }
        previous_space = c.is_whitespace() || c == '(';
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fake;
    impl Surroundings for Fake {
        fn read_file(&self, path: &str) -> Option<String> {
            (path == "notes/march.txt").then(|| "rent 1200\n".to_string())
        }
        fn run(&self, command: &str) -> Result<String, String> {
            Ok(format!("ran {command}\n"))
        }
    }

    #[test]
    fn arguments_files_and_commands_expand_exactly() {
        let body = "Reconcile $1 for $2.\nAll: $ARGUMENTS\nSee @notes/march.txt, mail a@b.com or @missing.\nToday: !`date +%F`\nFifth: [$5]";
        let expanded = substitute_arguments(body, "\"bank account\" March");
        let expanded = run_inline_commands(&expanded, &Fake).unwrap();
        let expanded = include_files(&expanded, &Fake);
        assert_eq!(
            expanded,
            "Reconcile bank account for March.\nAll: \"bank account\" March\nSee <file path=\"notes/march.txt\">\nrent 1200\n</file>, mail a@b.com or @missing.\nToday: ran date +%F\nFifth: []"
        );
        assert_eq!(
            substitute_arguments("Plain body", "x y"),
            "Plain body\n\nARGUMENTS: x y"
        );
    }
}
