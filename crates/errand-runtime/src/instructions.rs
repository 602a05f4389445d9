//! The person's instructions, read as a task starts, in order: their own
//! (`~/.config/errand/instructions.md`), their memory (`memory.md` beside it, which
//! `remember` appends to), then `AGENTS.md`, `CLAUDE.md` or `context.md` at the top of each
//! granted folder. Only those places count: a file deeper in a folder that calls itself
//! instructions is data, like any other file the task reads.
use errand_core::Grant;
use errand_core::event::Instruction;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Per file: about 2,000 tokens. Longer files are cut, and the prompt says so.
pub const FILE_BUDGET: usize = 8_000;
/// For all of them together.
pub const TOTAL_BUDGET: usize = 24_000;

/// The file names read at the top of a granted folder.
pub const FOLDER_FILES: [&str; 3] = ["AGENTS.md", "CLAUDE.md", "context.md"];

/// The person's own instructions files: `~/.config/errand/instructions.md` (under
/// `$XDG_CONFIG_HOME` when set), and the one beside config.toml when `ERRAND_CONFIG` puts
/// the config elsewhere, each once.
pub fn instructions_files() -> Vec<PathBuf> {
    let standard = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|v| !v.is_empty())
                .map(|home| PathBuf::from(home).join(".config"))
        })
        .map(|d| d.join("errand").join("instructions.md"));
    let beside_config = crate::Config::folder()
        .ok()
        .map(|d| d.join("instructions.md"));
    let mut files: Vec<PathBuf> = Vec::new();
    for path in standard.into_iter().chain(beside_config) {
        if !files.contains(&path) {
            files.push(path);
        }
    }
    files
}

/// The global memory file (`remember` appends to it).
pub fn memory_file() -> Option<PathBuf> {
    crate::Config::folder().ok().map(|d| d.join("memory.md"))
}

/// The memory `remember` adds to: the project's, for a task in a project, else the person's.
pub fn memory_for(project: Option<&str>) -> Option<PathBuf> {
    match project {
        Some(name) => crate::projects::project_dir(name)
            .ok()
            .map(|d| d.join("memory.md")),
        None => memory_file(),
    }
}

/// Every source that exists and is not empty, each within its budget, all within the total:
/// the person's instructions, the project's instructions, the memory (the project's for a
/// task in one), then each folder's files.
pub fn read_all(grants: &[Grant], project: Option<&str>) -> Vec<Instruction> {
    let mut wanted: Vec<(String, PathBuf)> = Vec::new();
    for path in instructions_files() {
        wanted.push(("your instructions".into(), path));
    }
    if let Some(name) = project
        && let Ok(dir) = crate::projects::project_dir(name)
    {
        wanted.push((
            format!("the instructions of project {name}"),
            dir.join("instructions.md"),
        ));
    }
    if let Some(path) = memory_for(project) {
        let label = match project {
            Some(name) => format!("the memory of project {name}"),
            None => "your memory".into(),
        };
        wanted.push((label, path));
    }
    for grant in grants {
        for name in FOLDER_FILES {
            wanted.push((format!("{name} in {}", grant.name), grant.path.join(name)));
        }
    }
    let mut left = TOTAL_BUDGET;
    let mut read = Vec::new();
    for (label, path) in wanted {
        if left == 0 {
            break;
        }
        let Some((text, clipped)) = read_capped(&path, FILE_BUDGET.min(left)) else {
            continue;
        };
        if text.trim().is_empty() {
            continue;
        }
        left -= text.len();
        read.push(Instruction {
            label,
            path,
            text,
            clipped,
        });
    }
    read
}

/// A regular file's text up to `budget` bytes (cut at a line end where one is near), and
/// whether it was cut. Links are not followed: an instruction file is the folder's own.
fn read_capped(path: &Path, budget: usize) -> Option<(String, bool)> {
    let meta = std::fs::symlink_metadata(path).ok()?;
    if !meta.is_file() {
        return None;
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .ok()?
        .take(budget as u64 + 1)
        .read_to_end(&mut bytes)
        .ok()?;
    let clipped = bytes.len() > budget;
    bytes.truncate(budget);
    let mut text = String::from_utf8_lossy(&bytes).into_owned();
    if clipped {
        // Whole lines only, when a line ends in the last quarter.
        if let Some(end) = text.rfind('\n').filter(|&end| end > budget * 3 / 4) {
            text.truncate(end);
        }
        // from_utf8_lossy may have turned a cut character into a replacement mark.
        while text.ends_with('\u{FFFD}') {
            text.pop();
        }
    }
    Some((text, clipped))
}

/// Appends a line to a memory file (temp file and rename: never half-written).
pub fn remember(path: &Path, text: &str) -> Result<(), String> {
    let mut current = match std::fs::read_to_string(path) {
        Ok(current) => current,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    if !current.is_empty() && !current.ends_with('\n') {
        current.push('\n');
    }
    let line = text.trim().replace('\n', " ");
    current.push_str(&format!("- {line}\n"));
    write_memory(path, &current)
}

pub fn write_memory(path: &Path, text: &str) -> Result<(), String> {
    let dir = path.parent().ok_or("the memory file has no folder")?;
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let temp = path.with_extension("md.tmp");
    std::fs::write(&temp, text).map_err(|e| format!("cannot write {}: {e}", temp.display()))?;
    std::fs::rename(&temp, path).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// `remember{text}`: a fact or preference the person wants kept for later tasks, appended
/// to their memory. It always asks: what Errand keeps about a person is theirs to approve.
pub struct Remember {
    /// The memory file it adds to.
    pub file: PathBuf,
}

#[derive(serde::Deserialize)]
struct RememberInput {
    text: String,
}

#[async_trait::async_trait]
impl errand_core::Tool for Remember {
    fn spec(&self) -> errand_core::ToolSpec {
        errand_core::ToolSpec {
            name: "remember".into(),
            description: "Keep a fact or preference for later tasks in the person's memory (read at the start of every task). Always asks the person first.".into(),
            input_schema: serde_json::json!({
                "type": "object",
                "properties": {"text": {"type": "string", "description": "one short sentence"}},
                "required": ["text"],
                "additionalProperties": false
            }),
        }
    }

    fn effect(&self) -> errand_core::Effect {
        errand_core::Effect::Write
    }

    fn assess(
        &self,
        _ctx: &errand_core::ToolContext,
        input: &serde_json::Value,
    ) -> Result<errand_core::tool::Assessment, errand_core::ToolError> {
        let input: RememberInput = serde_json::from_value(input.clone()).map_err(|e| {
            errand_core::ToolError::new(format!("remember takes {{\"text\": \"…\"}}: {e}"))
        })?;
        if input.text.trim().is_empty() {
            return Err(errand_core::ToolError::new("there is nothing to remember"));
        }
        let file = &self.file;
        Ok(errand_core::tool::Assessment {
            summary: format!("remember: {}", input.text.trim()),
            preview: vec![format!("+ - {}", input.text.trim())],
            subjects: vec![file.display().to_string()],
            always_ask: Some("saving to your memory always asks".into()),
            ..Default::default()
        })
    }

    async fn call(
        &self,
        _ctx: &errand_core::ToolContext,
        input: serde_json::Value,
    ) -> Result<errand_core::ToolOutput, errand_core::ToolError> {
        let input: RememberInput = serde_json::from_value(input)
            .map_err(|e| errand_core::ToolError::new(e.to_string()))?;
        remember(&self.file, &input.text).map_err(errand_core::ToolError::new)?;
        Ok(errand_core::ToolOutput::text(format!(
            "Saved to the memory ({}); later tasks read it.",
            self.file.display()
        )))
    }
}
