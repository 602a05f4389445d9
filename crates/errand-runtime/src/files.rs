//! A task's deliverables as files a front end can show or hand over: found through the
//! task's own folder scope, so a deliverable path can never name a file outside it.
use crate::{Runtime, RuntimeError};
use errand_core::{Store, TaskView};
use errand_tools::Workspace;
use serde::Serialize;
use std::io::Read;

/// Previews and downloads stop here; a deliverable is a document, not a dataset dump.
const MAX_READ: u64 = 64 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    Xlsx,
    Docx,
    Pptx,
    Pdf,
    Image,
    Markdown,
    Text,
    /// A folder the task filled (the organize recipe's `Images`, `Documents`…).
    Folder,
    Other,
}

impl FileKind {
    pub fn of(name: &str) -> FileKind {
        let ext = name
            .rsplit_once('.')
            .map(|(_, e)| e.to_ascii_lowercase())
            .unwrap_or_default();
        match ext.as_str() {
            "xlsx" | "xlsm" | "xls" | "ods" => FileKind::Xlsx,
            "docx" => FileKind::Docx,
            "pptx" => FileKind::Pptx,
            "pdf" => FileKind::Pdf,
            "png" | "jpg" | "jpeg" | "gif" | "webp" | "svg" => FileKind::Image,
            "md" | "markdown" => FileKind::Markdown,
            "txt" | "csv" | "tsv" | "json" | "log" | "html" | "htm" | "xml" | "yaml" | "yml"
            | "toml" | "ini" => FileKind::Text,
            _ => FileKind::Other,
        }
    }
}

/// One deliverable of a task.
#[derive(Debug, Clone, Serialize)]
pub struct Deliverable {
    pub index: usize,
    /// As the task named it (relative to its folders).
    pub path: String,
    pub name: String,
    pub size: Option<u64>,
    pub kind: FileKind,
    pub exists: bool,
    /// Entries directly inside, for a folder.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub items: Option<usize>,
}

impl Runtime {
    /// The task's deliverables, each checked on disk.
    pub fn deliverables(&self, task: &str) -> Result<Vec<Deliverable>, RuntimeError> {
        let (view, workspace) = self.task_files(task)?;
        Ok(deliverables_in(&view, &workspace))
    }

    /// Deliverable `index` and its bytes.
    pub fn read_deliverable(
        &self,
        task: &str,
        index: usize,
    ) -> Result<(Deliverable, Vec<u8>), RuntimeError> {
        let (view, workspace) = self.task_files(task)?;
        let Some(found) = deliverables_in(&view, &workspace).into_iter().nth(index) else {
            return Err(RuntimeError::not_found(format!(
                "task {task} has no deliverable {index}"
            )));
        };
        if found.kind == FileKind::Folder {
            return Err(RuntimeError::invalid(format!(
                "{} is a folder; open it in your file manager",
                found.path
            )));
        }
        let file = open(&workspace, &found.path)
            .map_err(|e| RuntimeError::not_found(format!("{} cannot be read: {e}", found.path)))?;
        let mut bytes = Vec::new();
        file.take(MAX_READ)
            .read_to_end(&mut bytes)
            .map_err(|e| RuntimeError::internal(format!("cannot read {}: {e}", found.path)))?;
        Ok((found, bytes))
    }

    /// A picture one of the task's tool calls passed to the model: its media type and bytes.
    /// Only pictures this task's events name are served.
    pub fn task_image(&self, task: &str, sha256: &str) -> Result<(String, Vec<u8>), RuntimeError> {
        let row = self.task(task)?;
        let named = self
            .store
            .events(&row.id)?
            .into_iter()
            .find_map(|e| match e.kind {
                errand_core::EventKind::ToolFinished { images, .. } => {
                    images.into_iter().find(|i| i.sha256 == sha256)
                }
                _ => None,
            });
        let Some(image) = named else {
            return Err(RuntimeError::not_found(format!(
                "task {task} passed no picture {sha256} to its model"
            )));
        };
        let bytes = std::fs::read(self.store.blob_path(&image.sha256)).map_err(|e| {
            RuntimeError::not_found(format!("the picture {sha256} is no longer stored: {e}"))
        })?;
        Ok((image.media_type, bytes))
    }

    fn task_files(&self, task: &str) -> Result<(TaskView, Workspace), RuntimeError> {
        let row = self.task(task)?;
        let view = TaskView::fold(&self.store.events(&row.id)?);
        let workspace = crate::open_folders(&view.grants)?;
        Ok((view, workspace))
    }
}

/// The view's deliverables, each checked on disk through the task's folders.
fn deliverables_in(view: &TaskView, workspace: &Workspace) -> Vec<Deliverable> {
    view.deliverables
        .iter()
        .enumerate()
        .map(|(index, path)| {
            let name = path
                .trim_end_matches('/')
                .rsplit('/')
                .next()
                .unwrap_or(path)
                .to_string();
            if let Some(items) = folder_items(workspace, path) {
                return Deliverable {
                    index,
                    path: path.clone(),
                    name,
                    size: None,
                    kind: FileKind::Folder,
                    exists: true,
                    items: Some(items),
                };
            }
            let size = open(workspace, path)
                .ok()
                .and_then(|f| f.metadata().ok())
                .filter(|m| m.is_file())
                .map(|m| m.len());
            Deliverable {
                index,
                path: path.clone(),
                kind: FileKind::of(&name),
                name,
                exists: size.is_some(),
                size,
                items: None,
            }
        })
        .collect()
}

/// How many entries a folder at this tool path holds; `None` if it is not a folder.
fn folder_items(workspace: &Workspace, path: &str) -> Option<usize> {
    let resolved = workspace.resolve(path).ok()?;
    let dir = &workspace.root(resolved.root).dir;
    let entries = if resolved.rel.as_os_str().is_empty() {
        dir.entries().ok()?
    } else {
        if !dir.symlink_metadata(&resolved.rel).ok()?.is_dir() {
            return None;
        }
        dir.read_dir(&resolved.rel).ok()?
    };
    Some(entries.count())
}

/// Opens a tool path through the workspace's capability handles (no `..`, no links out).
fn open(workspace: &Workspace, path: &str) -> Result<cap_std::fs::File, String> {
    let resolved = workspace.resolve(path).map_err(|e| e.0)?;
    workspace
        .root(resolved.root)
        .dir
        .open(&resolved.rel)
        .map_err(|e| e.to_string())
}
