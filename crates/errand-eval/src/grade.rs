//! What graders look at: the folders after the run, the folders before it, and the task's
//! log. Helpers read files the way a person's tools would: workbooks through calamine
//! (values and formulas), documents, decks and PDFs through their text.
use calamine::{Data, Reader, open_workbook_auto_from_rs};
use errand_core::{Event, EventKind, TaskView};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Every file under a folder: relative path → content hash.
pub type Tree = BTreeMap<String, u64>;

pub struct Graded<'a> {
    /// The folder holding the task's granted folders, each under its name.
    pub root: &'a Path,
    /// The granted folders' files before the run.
    pub before: &'a Tree,
    pub view: &'a TaskView,
    pub events: &'a [Event],
}

impl Graded<'_> {
    /// A path under the root: `work/summary.md`.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    pub fn bytes(&self, rel: &str) -> Result<Vec<u8>, String> {
        std::fs::read(self.path(rel)).map_err(|e| format!("{rel} cannot be read: {e}"))
    }

    pub fn text(&self, rel: &str) -> Result<String, String> {
        let bytes = self.bytes(rel)?;
        String::from_utf8(bytes).map_err(|_| format!("{rel} is not UTF-8 text"))
    }

    /// The text of a docx, pptx, pdf or workbook, as Errand's reader extracts it.
    pub fn office_text(&self, rel: &str) -> Result<String, String> {
        let bytes = self.bytes(rel)?;
        let ext = rel.rsplit('.').next().unwrap_or_default();
        match errand_office::read::extract(ext, &bytes) {
            Some(Ok(text)) => Ok(text),
            Some(Err(e)) => Err(format!("{rel} does not open: {e}")),
            None => Err(format!("{rel} is not an office file")),
        }
    }

    pub fn workbook(&self, rel: &str) -> Result<Workbook, String> {
        Workbook::read(&self.bytes(rel)?).map_err(|e| format!("{rel}: {e}"))
    }

    pub fn exists(&self, rel: &str) -> bool {
        self.path(rel).exists()
    }

    /// The files now under the root, as the `before` tree is.
    pub fn after(&self) -> Tree {
        tree(self.root)
    }

    /// Fails unless the folder's files are exactly as before the run.
    pub fn unchanged(&self, folder: &str) -> Result<(), String> {
        let prefix = format!("{folder}/");
        let pick = |t: &Tree| -> Tree {
            t.iter()
                .filter(|(k, _)| k.starts_with(&prefix))
                .map(|(k, v)| (k.clone(), *v))
                .collect()
        };
        if pick(self.before) == pick(&self.after()) {
            Ok(())
        } else {
            Err(format!("{folder} was changed"))
        }
    }

    /// Whether every call of `tool` was put to the person before it ran.
    pub fn every_call_was_approved(&self, tool: &str) -> Result<usize, String> {
        let mut calls = 0;
        for event in self.events {
            if let EventKind::ToolStarted { call_id, tool: t } = &event.kind
                && t == tool
            {
                calls += 1;
                let asked = self.events.iter().any(|e| {
                    e.seq < event.seq
                        && matches!(&e.kind, EventKind::ApprovalResolved { call_id: c, .. } if c == call_id)
                });
                if !asked {
                    return Err(format!("{tool} ran without asking the person"));
                }
            }
        }
        Ok(calls)
    }

    /// Names of the tools the task called, in order.
    pub fn tools_called(&self) -> Vec<String> {
        self.events
            .iter()
            .filter_map(|e| match &e.kind {
                EventKind::ToolStarted { tool, .. } => Some(tool.clone()),
                _ => None,
            })
            .collect()
    }
}

/// Fails with `message` unless `ok`.
pub fn ensure(ok: bool, message: impl Into<String>) -> Result<(), String> {
    if ok { Ok(()) } else { Err(message.into()) }
}

/// Every file under `dir`, by path relative to it, with a hash of its content.
pub fn tree(dir: &Path) -> Tree {
    let mut out = Tree::new();
    walk(dir, dir, &mut out);
    out
}

fn walk(base: &Path, dir: &Path, out: &mut Tree) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            walk(base, &path, out);
        } else if let Ok(bytes) = std::fs::read(&path) {
            let rel = path
                .strip_prefix(base)
                .map(|p| p.to_string_lossy().to_string())
                .unwrap_or_default();
            out.insert(rel, hash(&bytes));
        }
    }
}

pub fn hash(bytes: &[u8]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut hasher);
    hasher.finish()
}

/// A workbook's cells: each sheet's values (cached results for formulas) and formulas.
pub struct Workbook {
    pub sheets: Vec<Sheet>,
}

pub struct Sheet {
    pub name: String,
    /// (row, col) from 0 → cell.
    pub cells: BTreeMap<(u32, u32), Cell>,
}

#[derive(Debug, Clone, Default)]
pub struct Cell {
    pub text: String,
    pub number: Option<f64>,
    /// Without the leading `=`.
    pub formula: Option<String>,
}

impl Workbook {
    pub fn read(bytes: &[u8]) -> Result<Workbook, String> {
        let mut book = open_workbook_auto_from_rs(std::io::Cursor::new(bytes))
            .map_err(|e| format!("not a readable workbook: {e}"))?;
        let mut sheets = Vec::new();
        for name in book.sheet_names().to_vec() {
            let mut cells = BTreeMap::new();
            let values = book.worksheet_range(&name).map_err(|e| e.to_string())?;
            let (top, left) = values.start().unwrap_or((0, 0));
            for (r, c, value) in values.used_cells() {
                let number = match value {
                    Data::Float(f) => Some(*f),
                    Data::Int(i) => Some(*i as f64),
                    Data::String(s) => s.trim().parse::<f64>().ok(),
                    _ => None,
                };
                let text = match value {
                    Data::Empty => String::new(),
                    other => other.to_string(),
                };
                let key = (top + r as u32, left + c as u32);
                cells.insert(
                    key,
                    Cell {
                        text,
                        number,
                        formula: None,
                    },
                );
            }
            if let Ok(formulas) = book.worksheet_formula(&name) {
                let (top, left) = formulas.start().unwrap_or((0, 0));
                for (r, c, formula) in formulas.used_cells() {
                    if formula.is_empty() {
                        continue;
                    }
                    let key = (top + r as u32, left + c as u32);
                    cells.entry(key).or_default().formula =
                        Some(formula.trim_start_matches('=').to_string());
                }
            }
            sheets.push(Sheet { name, cells });
        }
        Ok(Workbook { sheets })
    }

    pub fn cells(&self) -> impl Iterator<Item = &Cell> {
        self.sheets.iter().flat_map(|s| s.cells.values())
    }

    /// Formula cells whose formula contains `needle` (case-insensitive).
    pub fn formulas_with(&self, needle: &str) -> Vec<&Cell> {
        let needle = needle.to_uppercase();
        self.cells()
            .filter(|c| {
                c.formula
                    .as_ref()
                    .is_some_and(|f| f.to_uppercase().contains(&needle))
            })
            .collect()
    }

    /// Whether some formula cell shows `value` (within a cent).
    pub fn formula_gives(&self, value: f64) -> bool {
        self.cells()
            .any(|c| c.formula.is_some() && c.number.is_some_and(|n| (n - value).abs() < 0.01))
    }

    /// Whether some cell, formula or not, shows `value` (within a cent).
    pub fn shows_number(&self, value: f64) -> bool {
        self.cells()
            .any(|c| c.number.is_some_and(|n| (n - value).abs() < 0.01))
    }

    pub fn shows_text(&self, needle: &str) -> bool {
        let needle = needle.to_lowercase();
        self.cells()
            .any(|c| c.text.to_lowercase().contains(&needle))
    }

    pub fn formula_count(&self) -> usize {
        self.cells().filter(|c| c.formula.is_some()).count()
    }
}

/// Whether `text` contains `needle`, ignoring case.
pub fn mentions(text: &str, needle: &str) -> bool {
    text.to_lowercase().contains(&needle.to_lowercase())
}
