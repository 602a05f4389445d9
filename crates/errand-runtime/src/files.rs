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
}

impl Runtime {
    /// The task's deliverables, each checked on disk.
    pub fn deliverables(&self, task: &str) -> Result<Vec<Deliverable>, RuntimeError> {
        let (view, workspace) = self.task_files(task)?;
        Ok(view
            .deliverables
            .iter()
            .enumerate()
            .map(|(index, path)| {
                let size = open(&workspace, path)
                    .ok()
                    .and_then(|f| f.metadata().ok())
                    .filter(|m| m.is_file())
                    .map(|m| m.len());
                let name = path.rsplit('/').next().unwrap_or(path).to_string();
                Deliverable {
                    index,
                    path: path.clone(),
                    kind: FileKind::of(&name),
                    name,
                    exists: size.is_some(),
                    size,
                }
            })
            .collect())
    }

    /// Deliverable `index` and its bytes.
    pub fn read_deliverable(
        &self,
        task: &str,
        index: usize,
    ) -> Result<(Deliverable, Vec<u8>), RuntimeError> {
        let all = self.deliverables(task)?;
        let Some(found) = all.into_iter().nth(index) else {
            return Err(RuntimeError::not_found(format!(
                "task {task} has no deliverable {index}"
            )));
        };
        let (_, workspace) = self.task_files(task)?;
        let file = open(&workspace, &found.path)
            .map_err(|e| RuntimeError::not_found(format!("{} cannot be read: {e}", found.path)))?;
        let mut bytes = Vec::new();
        file.take(MAX_READ)
            .read_to_end(&mut bytes)
            .map_err(|e| RuntimeError::internal(format!("cannot read {}: {e}", found.path)))?;
        Ok((found, bytes))
    }

    fn task_files(&self, task: &str) -> Result<(TaskView, Workspace), RuntimeError> {
        let row = self.task(task)?;
        let view = TaskView::fold(&self.store.events(&row.id)?);
        let workspace = Workspace::open(&view.grants).map_err(|e| {
            RuntimeError::invalid(format!("cannot open the task's folders: {}", e.0))
        })?;
        Ok((view, workspace))
    }
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
