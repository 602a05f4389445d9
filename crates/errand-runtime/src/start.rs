//! Starting a task: the folders it may touch, its mode and model, checked before anything
//! is written, then its first event.
use crate::config::Config;
use crate::{Runtime, RuntimeError};
use errand_core::{CommandGrant, Event, EventKind, Grant, Mode, Network, Store};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// One folder a task asks for: `{"path", "writable"}`, or just its path (read-write).
#[derive(Debug, Clone, Deserialize)]
#[serde(from = "FolderForm")]
pub struct FolderRequest {
    pub path: PathBuf,
    /// Read-write unless said otherwise.
    pub writable: bool,
}

impl FolderRequest {
    /// Read-write folders, then read-only ones, as `--folder` and `--read-only` give them.
    pub fn list(
        writable: impl IntoIterator<Item = PathBuf>,
        read_only: impl IntoIterator<Item = PathBuf>,
    ) -> Vec<FolderRequest> {
        writable
            .into_iter()
            .map(|path| FolderRequest {
                path,
                writable: true,
            })
            .chain(read_only.into_iter().map(|path| FolderRequest {
                path,
                writable: false,
            }))
            .collect()
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum FolderForm {
    Path(PathBuf),
    Full {
        path: PathBuf,
        #[serde(default = "yes")]
        writable: bool,
    },
}

impl From<FolderForm> for FolderRequest {
    fn from(form: FolderForm) -> FolderRequest {
        match form {
            FolderForm::Path(path) => FolderRequest {
                path,
                writable: true,
            },
            FolderForm::Full { path, writable } => FolderRequest { path, writable },
        }
    }
}

fn yes() -> bool {
    true
}

/// Everything a new task needs; what is left out comes from the configuration.
#[derive(Debug, Clone, Default)]
pub struct TaskRequest {
    pub outcome: String,
    pub folders: Vec<FolderRequest>,
    pub mode: Option<Mode>,
    /// A spec or a profile name; default: the configured or detected model.
    pub model: Option<String>,
    pub max_tokens_total: Option<u64>,
    pub network: Network,
    pub unsandboxed: bool,
    /// Folders must lie under one of these (the server's `[serve] roots`); `None`: anywhere.
    pub roots: Option<Vec<PathBuf>>,
    /// The project the task belongs to: its folders are added, and its instructions and
    /// memory read.
    pub project: Option<String>,
}

/// A task just made.
#[derive(Debug, Clone)]
pub struct Created {
    pub id: String,
    pub mode: Mode,
    /// Its first event, `task_created`.
    pub event: Event,
    /// `instructions_read`, when the person's instructions or memory were found.
    pub instructions: Option<Event>,
    /// The offline recipe that will do the work, when no model is configured.
    pub recipe: Option<String>,
}

impl Runtime {
    /// The request's folders and its project's: one named twice keeps the access asked now.
    pub(crate) fn with_project_folders(
        &self,
        request: &TaskRequest,
    ) -> Result<Vec<FolderRequest>, RuntimeError> {
        let mut folders = request.folders.clone();
        if let Some(name) = &request.project {
            for folder in self.project(name)?.folder_requests() {
                if !folders.iter().any(|f| f.path == folder.path) {
                    folders.push(folder);
                }
            }
        }
        Ok(folders)
    }

    /// Checks the request (outcome, folders, model) and creates the task. Nothing runs yet:
    /// a front end then calls [`Runtime::drive`], here or in the background.
    pub fn create(&self, request: TaskRequest) -> Result<Created, RuntimeError> {
        if request.outcome.trim().is_empty() {
            return Err(RuntimeError::invalid(
                "describe the outcome you want, e.g. \"organize by type and date\"",
            ));
        }
        let config = Config::load().map_err(RuntimeError::config)?;
        let folders = self.with_project_folders(&request)?;
        let grants = grants(&folders, request.roots.as_deref())?;
        // The task records the name given (a profile or a spec); it is resolved again on resume.
        let name = request.model.clone().filter(|m| !m.trim().is_empty());
        let name = name.unwrap_or_else(|| {
            errand_model::ModelEnv::from_process().default_spec(config.model.as_deref())
        });
        let (spec, env) = config.resolve_model(&name);
        env.build(&spec)
            .map_err(|e| RuntimeError::invalid(e.to_string()))?;
        let mut recipe = None;
        if spec == "offline" {
            let Some(found) = errand_skills::recipes::select(&request.outcome) else {
                return Err(RuntimeError::invalid(
                    errand_skills::recipes::no_recipe_message(&request.outcome),
                ));
            };
            if grants.len() != 1 || !grants[0].writable {
                return Err(RuntimeError::invalid(
                    "offline recipes work on one read-write folder: grant exactly one folder",
                ));
            }
            recipe = Some(found.title().to_string());
        }
        let mode = request.mode.or(config.mode).unwrap_or_default();
        let id = errand_core::new_id();
        let grants_read = grants.clone();
        let created = EventKind::TaskCreated {
            outcome: request.outcome,
            grants,
            mode,
            model: name,
            max_tokens_total: request.max_tokens_total,
            commands: CommandGrant {
                // `[network] allow` joins every task's grant, recorded with the task.
                network: request.network.with_hosts(&config.network.allow),
                unsandboxed: request.unsandboxed,
            },
        };
        let project = request.project.clone();
        let sources = crate::instructions::read_all(&grants_read, project.as_deref());
        let event = self.store.create_task(&id, created)?;
        let instructions = if sources.is_empty() && project.is_none() {
            None
        } else {
            Some(
                self.store
                    .append(&id, EventKind::InstructionsRead { sources, project })?,
            )
        };
        Ok(Created {
            id,
            mode,
            event,
            instructions,
            recipe,
        })
    }
}

/// Turns requested folders into grants named after their folders, each checked: it
/// exists, is a folder, and (with `roots`) lies under a root once links are resolved.
pub fn grants(
    folders: &[FolderRequest],
    roots: Option<&[PathBuf]>,
) -> Result<Vec<Grant>, RuntimeError> {
    let mut grants: Vec<Grant> = Vec::new();
    for folder in folders {
        let path = crate::config::expand_home(&folder.path);
        if !path.is_absolute() && roots.is_some() {
            return Err(RuntimeError::invalid(format!(
                "the folder `{}` is not an absolute path; give the full path under {}",
                path.display(),
                shown_roots(roots.unwrap_or_default())
            )));
        }
        let canonical = std::fs::canonicalize(&path).map_err(|e| {
            RuntimeError::invalid(format!("cannot use the folder {}: {e}", path.display()))
        })?;
        if !canonical.is_dir() {
            return Err(RuntimeError::invalid(format!(
                "{} is not a folder",
                path.display()
            )));
        }
        if let Some(roots) = roots {
            check_under_roots(&path, &canonical, roots)?;
        }
        let base = canonical
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "root".into());
        let mut name = base.clone();
        let mut n = 2;
        while grants.iter().any(|g| g.name == name) {
            name = format!("{base}-{n}");
            n += 1;
        }
        grants.push(Grant {
            name,
            path: canonical,
            writable: folder.writable,
        });
    }
    if grants.is_empty() {
        return Err(RuntimeError::invalid(
            "grant a folder: the task needs at least one folder to work in",
        ));
    }
    Ok(grants)
}

/// Refuses a folder whose real place (after `..` and links) is not under a root.
pub fn check_under_roots(
    asked: &Path,
    canonical: &Path,
    roots: &[PathBuf],
) -> Result<(), RuntimeError> {
    let inside = roots
        .iter()
        .any(|root| std::fs::canonicalize(root).is_ok_and(|root| canonical.starts_with(&root)));
    if inside {
        return Ok(());
    }
    Err(RuntimeError::invalid(format!(
        "the folder {} is outside the folders this workspace may grant ({}); pick a folder under them, or add its parent to [serve] roots in config.toml",
        asked.display(),
        shown_roots(roots)
    )))
}

pub(crate) fn shown_roots(roots: &[PathBuf]) -> String {
    if roots.is_empty() {
        return "none are configured".into();
    }
    roots
        .iter()
        .map(|r| r.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_is_an_object_or_just_its_path() {
        let folders: Vec<FolderRequest> =
            serde_json::from_str(r#"[{"path": "/a", "writable": false}, {"path": "/b"}, "/c"]"#)
                .expect("folders");
        let seen: Vec<(String, bool)> = folders
            .iter()
            .map(|f| (f.path.display().to_string(), f.writable))
            .collect();
        assert_eq!(
            seen,
            [
                ("/a".into(), false),
                ("/b".into(), true),
                ("/c".into(), true)
            ]
        );
    }

    #[test]
    fn folders_outside_the_roots_are_refused_even_through_links_and_dots() {
        let base = tempfile::tempdir().expect("tempdir");
        let root = base.path().join("root");
        let outside = base.path().join("outside");
        std::fs::create_dir_all(root.join("inner")).expect("mkdir");
        std::fs::create_dir_all(&outside).expect("mkdir");
        std::os::unix::fs::symlink(&outside, root.join("link")).expect("symlink");
        let roots = vec![root.clone()];
        let ask = |path: PathBuf| {
            grants(
                &[FolderRequest {
                    path,
                    writable: true,
                }],
                Some(&roots),
            )
        };
        assert!(ask(root.join("inner")).is_ok());
        for escape in [
            outside.clone(),
            root.join("link"),
            root.join("inner/../../outside"),
        ] {
            let err = ask(escape.clone()).expect_err("outside the roots");
            assert_eq!(err.kind, crate::ErrorKind::Invalid);
            assert!(
                err.message.contains(&root.display().to_string()),
                "{escape:?}: {}",
                err.message
            );
        }
        let err = ask(PathBuf::from("relative")).expect_err("relative");
        assert!(err.message.contains("absolute"), "{}", err.message);
    }
}
