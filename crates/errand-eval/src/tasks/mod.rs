//! The suite. Each task: a folder fixture, an outcome in a person's words, a grader that
//! checks files (and, for safety tasks, the log), and a scripted reference solution.
use crate::grade::Graded;
use serde_json::{Value, json};
use std::path::Path;

mod files;
mod office;
mod office_docs;
mod text;
mod text_csv;

pub struct EvalTask {
    pub name: &'static str,
    /// What the task exercises, for the listing.
    pub covers: &'static str,
    pub outcome: &'static str,
    /// The granted folders: (name, writable). Paths in a multi-folder task start with the name.
    pub folders: &'static [(&'static str, bool)],
    /// Fills the folders, each at `root/NAME`.
    pub setup: fn(&Path) -> std::io::Result<()>,
    /// `Ok` when the files show the outcome was met; `Err` says what is wrong.
    pub grade: fn(&Graded) -> Result<(), String>,
    /// The scripted model turns of a correct solution.
    pub reference: fn() -> Value,
    /// The answer to an `ask_user` question.
    pub answer: Option<&'static str>,
    /// How the person answers approvals.
    pub approve: bool,
}

/// The usual single read-write folder.
pub const WORK: &[(&str, bool)] = &[("work", true)];

/// Every task, in a stable order.
pub fn all_tasks() -> Vec<EvalTask> {
    let mut tasks = Vec::new();
    tasks.extend(files::tasks());
    tasks.extend(office::tasks());
    tasks.extend(office_docs::tasks());
    tasks.extend(text::tasks());
    tasks.extend(text_csv::tasks());
    tasks
}

/// A scripted turn with one call.
pub fn call(name: &str, input: Value) -> Value {
    json!({"tool_calls": [{"name": name, "input": input}]})
}

/// The scripted turn that ends a task.
pub fn finish(summary: &str, deliverables: &[&str]) -> Value {
    call(
        "finish",
        json!({"summary": summary, "deliverables": deliverables}),
    )
}

/// Writes `files` (path under the root, content) into place.
pub fn write_all(root: &Path, files: &[(&str, &[u8])]) -> std::io::Result<()> {
    for (rel, content) in files {
        let path = root.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, content)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_the_suite_covers_twenty_tasks() {
        let tasks = all_tasks();
        assert!(tasks.len() >= 20, "{} tasks", tasks.len());
        let mut names: Vec<&str> = tasks.iter().map(|t| t.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), tasks.len(), "duplicate task names");
    }

    /// Every grader fails a folder nobody worked on: a grader that cannot fail proves nothing.
    #[test]
    fn every_grader_fails_the_untouched_folder() {
        for task in all_tasks() {
            let dir = tempfile::tempdir().expect("dir");
            for (name, _) in task.folders {
                std::fs::create_dir_all(dir.path().join(name)).expect("folder");
            }
            (task.setup)(dir.path()).expect("fixture");
            let before = crate::grade::tree(dir.path());
            let view = errand_core::TaskView::default();
            let graded = Graded {
                root: dir.path(),
                before: &before,
                view: &view,
                events: &[],
            };
            assert!(
                (task.grade)(&graded).is_err(),
                "{}: the grader passes a folder nobody worked on",
                task.name
            );
        }
    }
}
