//! Projects, kept locally: a name for a set of folders, with the project's own instructions
//! and memory. Each lives in `DATA/projects/NAME/`: `project.json` (its folders),
//! `instructions.md` and `memory.md`, plain files the person may open and edit.
use crate::{FolderRequest, Runtime, RuntimeError};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Project {
    pub name: String,
    pub folders: Vec<ProjectFolder>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectFolder {
    pub path: PathBuf,
    pub writable: bool,
}

impl Project {
    pub fn folder_requests(&self) -> Vec<FolderRequest> {
        self.folders
            .iter()
            .map(|f| FolderRequest {
                path: f.path.clone(),
                writable: f.writable,
            })
            .collect()
    }
}

/// Where projects live.
pub fn projects_dir() -> Result<PathBuf, RuntimeError> {
    crate::config::data_dir()
        .map(|d| d.join("projects"))
        .map_err(RuntimeError::config)
}

/// A project's own folder (instructions.md and memory.md are in it).
pub fn project_dir(name: &str) -> Result<PathBuf, RuntimeError> {
    check_name(name)?;
    Ok(projects_dir()?.join(name))
}

fn check_name(name: &str) -> Result<(), RuntimeError> {
    let fine = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        && !name.starts_with('-');
    if fine {
        Ok(())
    } else {
        Err(RuntimeError::invalid(format!(
            "`{name}` cannot name a project: use letters, digits, - and _ (e.g. q3-report)"
        )))
    }
}

impl Runtime {
    pub fn create_project(
        &self,
        name: &str,
        folders: Vec<FolderRequest>,
    ) -> Result<Project, RuntimeError> {
        let dir = project_dir(name)?;
        if dir.join("project.json").exists() {
            return Err(RuntimeError::conflict(format!(
                "a project `{name}` exists already; `errand project show {name}` shows it"
            )));
        }
        if folders.is_empty() {
            return Err(RuntimeError::invalid(
                "a project needs a folder: add --folder DIR",
            ));
        }
        let grants = crate::start::grants(&folders, None)?;
        let project = Project {
            name: name.to_string(),
            folders: grants
                .iter()
                .map(|g| ProjectFolder {
                    path: g.path.clone(),
                    writable: g.writable,
                })
                .collect(),
            created_at: chrono::Utc::now(),
        };
        std::fs::create_dir_all(&dir)
            .map_err(|e| RuntimeError::internal(format!("cannot create {}: {e}", dir.display())))?;
        let json = serde_json::to_string_pretty(&project)
            .map_err(|e| RuntimeError::internal(e.to_string()))?;
        crate::instructions::write_memory(&dir.join("project.json"), &json)
            .map_err(RuntimeError::internal)?;
        Ok(project)
    }

    pub fn project(&self, name: &str) -> Result<Project, RuntimeError> {
        let path = project_dir(name)?.join("project.json");
        let text = std::fs::read_to_string(&path).map_err(|_| {
            RuntimeError::not_found(format!(
                "no project `{name}`; `errand project list` shows them, `errand project create {name} --folder DIR` makes it"
            ))
        })?;
        serde_json::from_str(&text).map_err(|e| {
            RuntimeError::invalid(format!("{} does not read back: {e}", path.display()))
        })
    }

    pub fn projects(&self) -> Result<Vec<Project>, RuntimeError> {
        let dir = projects_dir()?;
        let Ok(entries) = std::fs::read_dir(&dir) else {
            return Ok(Vec::new());
        };
        let mut all: Vec<Project> = entries
            .flatten()
            .filter_map(|e| e.file_name().to_str().map(str::to_string))
            .filter_map(|name| self.project(&name).ok())
            .collect();
        all.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(all)
    }
}
