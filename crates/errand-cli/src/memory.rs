//! `errand memory show|edit|forget`: the person's memory file, which every task reads at
//! its start and `remember` adds to. It is theirs to read, change and empty.
use crate::app::MemoryAction;
use crate::exit::{Exit, ExitCode};
use anyhow::{Context, Result};
use errand_runtime::instructions::{memory_for, write_memory};

pub fn memory(action: MemoryAction, json: bool) -> Result<ExitCode> {
    let project = match &action {
        MemoryAction::Show { project }
        | MemoryAction::Edit { project }
        | MemoryAction::Forget { project, .. } => project.clone(),
    };
    if let Some(name) = &project {
        // The project must exist: a typo should not start a new, empty memory.
        errand_runtime::Runtime::open()?.project(name)?;
    }
    let path =
        memory_for(project.as_deref()).context("no configuration folder for the memory file")?;
    let current = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    };
    match action {
        MemoryAction::Show { .. } => {
            if json {
                println!("{}", serde_json::json!({"path": path, "text": current}));
            } else if current.trim().is_empty() {
                println!("Nothing remembered yet ({}).", path.display());
            } else {
                println!("{}:\n{}", path.display(), current.trim_end());
            }
            Ok(ExitCode::Done)
        }
        MemoryAction::Edit { .. } => {
            if !path.exists() {
                write_memory(&path, "").map_err(anyhow::Error::msg)?;
            }
            let editor = ["VISUAL", "EDITOR"]
                .iter()
                .find_map(|v| std::env::var(v).ok().filter(|e| !e.trim().is_empty()))
                .unwrap_or_else(|| {
                    if errand_core::program::find_program("nano").is_some() {
                        "nano".into()
                    } else {
                        "vi".into()
                    }
                });
            // The editor may carry arguments ("code --wait").
            let mut words = editor.split_whitespace();
            let program = words.next().unwrap_or("vi");
            let status = std::process::Command::new(program)
                .args(words)
                .arg(&path)
                .status()
                .map_err(|e| {
                    Exit::usage(format!(
                        "cannot start the editor `{editor}`: {e}; set EDITOR"
                    ))
                })?;
            Ok(if status.success() {
                ExitCode::Done
            } else {
                ExitCode::Failed
            })
        }
        MemoryAction::Forget { text, all, .. } => {
            let (kept, forgotten): (Vec<&str>, Vec<&str>) = match (&text, all) {
                (_, true) => (Vec::new(), current.lines().collect()),
                (Some(text), false) => {
                    let needle = text.to_lowercase();
                    current
                        .lines()
                        .partition(|l| !l.to_lowercase().contains(&needle))
                }
                (None, false) => {
                    return Err(Exit::usage(
                        "say what to forget: `errand memory forget TEXT` removes the lines that contain TEXT, `--all` everything",
                    )
                    .into());
                }
            };
            let forgotten: Vec<&str> = forgotten
                .into_iter()
                .filter(|l| !l.trim().is_empty())
                .collect();
            if !forgotten.is_empty() {
                let mut text = kept.join("\n");
                if !text.is_empty() {
                    text.push('\n');
                }
                write_memory(&path, &text).map_err(anyhow::Error::msg)?;
            }
            if json {
                println!(
                    "{}",
                    serde_json::json!({"forgotten": forgotten, "path": path})
                );
            } else if forgotten.is_empty() {
                println!("Nothing in your memory matched; nothing was forgotten.");
            } else {
                println!(
                    "Forgot {} line{}:",
                    forgotten.len(),
                    if forgotten.len() == 1 { "" } else { "s" }
                );
                for line in forgotten {
                    println!("  {line}");
                }
            }
            Ok(ExitCode::Done)
        }
    }
}
