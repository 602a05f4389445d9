//! `errand project create|list`: named sets of folders with their own instructions and
//! memory (kept in the data folder's projects/NAME/, plain files to open and edit).
use crate::app::ProjectAction;
use crate::exit::{Exit, ExitCode};
use anyhow::Result;
use errand_runtime::projects::project_dir;
use errand_runtime::{FolderRequest, Runtime};

pub fn project(action: ProjectAction, json: bool) -> Result<ExitCode> {
    let runtime = Runtime::open()?;
    match action {
        ProjectAction::Create {
            name,
            folders,
            read_only,
        } => {
            let folders = FolderRequest::list(folders, read_only);
            let made = runtime
                .create_project(&name, folders)
                .map_err(|e| Exit::usage(e.to_string()))?;
            let dir = project_dir(&made.name)?;
            if json {
                println!("{}", serde_json::json!({"project": made, "dir": dir}));
            } else {
                println!(
                    "Project {} made with {} folder(s).",
                    made.name,
                    made.folders.len()
                );
                println!(
                    "Its instructions go in {}, its memory in {}.",
                    dir.join("instructions.md").display(),
                    dir.join("memory.md").display()
                );
                println!(
                    "Work in it with `errand run --project {} \"…\"`.",
                    made.name
                );
            }
            Ok(ExitCode::Done)
        }
        ProjectAction::List => {
            let all = runtime.projects()?;
            if json {
                println!("{}", serde_json::json!({"projects": all}));
                return Ok(ExitCode::Done);
            }
            if all.is_empty() {
                println!("No projects. Make one with `errand project create NAME --folder DIR`.");
            }
            for p in all {
                println!("{}", p.name);
                for f in &p.folders {
                    let access = if f.writable {
                        "read-write"
                    } else {
                        "read-only"
                    };
                    println!("    {} ({access})", f.path.display());
                }
            }
            Ok(ExitCode::Done)
        }
    }
}
