//! Recipe: organize a folder by type and date — `Images/2024/03/IMG_1.jpg`.
use super::survey::{FileFact, Survey, ancestors, free_name, from_listing, thousands};
use super::{History, Turn};
use errand_core::ModelError;
use serde_json::json;
use std::collections::{BTreeMap, HashSet};

const CATEGORIES: [&str; 7] = [
    "Documents",
    "Images",
    "Audio",
    "Video",
    "Archives",
    "Code",
    "Other",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    pub by_type: bool,
    pub by_date: bool,
}

impl Layout {
    pub fn from_request(text: &str) -> Layout {
        let by_type = ["type", "kind", "category", "extension", "format"]
            .iter()
            .any(|w| text.contains(w));
        let by_date = ["date", "month", "year", "when", "time"]
            .iter()
            .any(|w| text.contains(w));
        match (by_type, by_date) {
            (false, false) => Layout {
                by_type: true,
                by_date: true,
            },
            (t, d) => Layout {
                by_type: t,
                by_date: d,
            },
        }
    }

    pub fn describe(&self) -> &'static str {
        match (self.by_type, self.by_date) {
            (true, true) => "type and date",
            (true, false) => "type",
            _ => "date",
        }
    }

    fn pattern(&self) -> &'static str {
        match (self.by_type, self.by_date) {
            (true, true) => "Category/YYYY/MM/",
            (true, false) => "Category/",
            _ => "YYYY/MM/",
        }
    }

    /// The folder a file belongs in.
    fn folder(&self, file: &FileFact) -> String {
        let category = file.category.as_deref().unwrap_or("Other");
        let date = file
            .year_month()
            .map(|(y, m)| format!("{y}/{m:02}"))
            .unwrap_or_else(|| "Undated".into());
        match (self.by_type, self.by_date) {
            (true, true) => format!("{category}/{date}"),
            (true, false) => category.to_string(),
            _ => date,
        }
    }

    /// True when a path already has this layout's shape (left alone on a second run).
    fn in_place(&self, path: &str) -> bool {
        let parts: Vec<&str> = path.split('/').collect();
        let year =
            |s: &str| s.len() == 4 && s.chars().all(|c| c.is_ascii_digit()) || s == "Undated";
        let month = |s: &str| s.len() == 2 && s.chars().all(|c| c.is_ascii_digit());
        match (self.by_type, self.by_date, parts.as_slice()) {
            (true, true, [c, y, m, _]) => CATEGORIES.contains(c) && year(y) && month(m),
            (true, true, [c, "Undated", _]) => CATEGORIES.contains(c),
            (true, false, [c, _]) => CATEGORIES.contains(c),
            (false, true, [y, m, _]) => year(y) && month(m),
            (false, true, ["Undated", _]) => true,
            _ => false,
        }
    }
}

/// A file's planned move and whether its name had to change.
struct Move {
    from: String,
    to: String,
    renamed: bool,
    category: String,
    by_exif: bool,
}

struct PlanOutline {
    moves: Vec<Move>,
    skipped_hidden: usize,
    skipped_unreadable: Vec<String>,
    in_place: usize,
    /// Folders that held only moved files: left in place, empty.
    emptied: Vec<String>,
}

fn outline(layout: &Layout, survey: &Survey) -> PlanOutline {
    let mut taken: HashSet<String> = survey.taken_paths.clone();
    let mut moves = Vec::new();
    let (mut skipped_hidden, mut in_place) = (0, 0);
    let mut skipped_unreadable = Vec::new();
    for file in &survey.files {
        if file.hidden {
            skipped_hidden += 1;
            continue;
        }
        if file.non_utf8 {
            skipped_unreadable.push(file.path.clone());
            continue;
        }
        if layout.in_place(&file.path) {
            in_place += 1;
            continue;
        }
        let wanted = format!("{}/{}", layout.folder(file), file.name);
        let (to, renamed) = free_name(&wanted, &mut taken);
        moves.push(Move {
            from: file.path.clone(),
            to,
            renamed,
            category: file.category.clone().unwrap_or_else(|| "Other".into()),
            by_exif: file.taken.is_some(),
        });
    }
    let emptied = emptied_folders(survey, &moves);
    PlanOutline {
        moves,
        skipped_hidden,
        skipped_unreadable,
        in_place,
        emptied,
    }
}

impl PlanOutline {
    /// "Documents 12, Images 30", in name order.
    fn category_counts(&self) -> String {
        let mut per_category: BTreeMap<&str, usize> = BTreeMap::new();
        for m in &self.moves {
            *per_category.entry(m.category.as_str()).or_default() += 1;
        }
        per_category
            .iter()
            .map(|(c, n)| format!("{c} {}", thousands(*n)))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Folders whose every file moves out and that receive none.
fn emptied_folders(survey: &Survey, moves: &[Move]) -> Vec<String> {
    let moved: HashSet<&str> = moves.iter().map(|m| m.from.as_str()).collect();
    let staying = survey
        .files
        .iter()
        .map(|f| f.path.as_str())
        .filter(|p| !moved.contains(p))
        .chain(survey.others.iter().map(String::as_str))
        .chain(moves.iter().map(|m| m.to.as_str()));
    let occupied: HashSet<&str> = staying.flat_map(ancestors).collect();
    let mut emptied: Vec<String> = moves
        .iter()
        .flat_map(|m| ancestors(&m.from))
        .filter(|d| !occupied.contains(d))
        .map(str::to_string)
        .collect();
    emptied.sort();
    emptied.dedup();
    emptied
}

fn plan_steps(
    layout: &Layout,
    outline: &PlanOutline,
    survey: &Survey,
    status: [&str; 4],
) -> serde_json::Value {
    let counts = outline.category_counts();
    let exif = outline.moves.iter().filter(|m| m.by_exif).count();
    json!({"steps": [
        {"title": format!("Survey the folder: {} files", thousands(survey.files.len())), "status": status[0]},
        {"title": format!("Read dates: {} photos by EXIF capture date, the rest by modification date", thousands(exif)), "status": status[1]},
        {"title": format!("Move {} files into {} ({counts})", thousands(outline.moves.len()), layout.pattern()), "status": status[2]},
        {"title": "Report what changed and how to undo it", "status": status[3]},
    ]})
}

fn survey_of(history: &History) -> Result<Option<Survey>, ModelError> {
    let Some((listing, is_error)) = history.last("list_files") else {
        return Ok(None);
    };
    if is_error {
        return Err(ModelError::Offline(format!(
            "could not list the folder: {listing}"
        )));
    }
    let mut survey = from_listing(listing)?;
    if let Some((info, false)) = history.last("file_info") {
        survey.add_info(info);
    }
    Ok(Some(survey))
}

/// The recipe's next turn, from what has happened so far.
pub(super) fn next(layout: &Layout, history: &History) -> Result<Turn, ModelError> {
    let Some(survey) = survey_of(history)? else {
        return Ok(Turn::new(
            format!(
                "Organizing by {}. First, a look at every file.",
                layout.describe()
            ),
            vec![(
                "list_files",
                json!({"path": ".", "recursive": true, "limit": 10_000_000}),
            )],
        ));
    };
    if history.count("file_info") == 0 {
        let wanted = survey.needing_info(|f| !f.hidden && !f.non_utf8 && !layout.in_place(&f.path));
        if !wanted.is_empty() {
            return Ok(Turn::new(
                format!(
                    "Reading capture dates and types of {} files.",
                    thousands(wanted.len())
                ),
                vec![("file_info", json!({ "paths": wanted }))],
            ));
        }
    }
    let outline = outline(layout, &survey);
    if history.count("update_plan") == 0 {
        if outline.moves.is_empty() {
            return Ok(finish(
                format!(
                    "Nothing to move: {} files are already organized by {}.",
                    thousands(outline.in_place),
                    layout.describe()
                ),
                vec![],
            ));
        }
        let plan = plan_steps(
            layout,
            &outline,
            &survey,
            ["done", "done", "pending", "pending"],
        );
        return Ok(Turn::new("Here is the plan.", vec![("update_plan", plan)]));
    }
    if history.count("move_path") == 0 {
        if let Some((why, true)) = history.last("update_plan") {
            return Ok(finish(
                format!("Stopped before changing anything: {why}"),
                vec![],
            ));
        }
        let moves: Vec<_> = outline
            .moves
            .iter()
            .map(|m| json!({"from": m.from, "to": m.to}))
            .collect();
        return Ok(Turn::new(
            format!("Moving {} files.", thousands(moves.len())),
            vec![("move_path", json!({ "moves": moves }))],
        ));
    }
    let Some((result, is_error)) = history.last("move_path") else {
        return Err(ModelError::Offline(
            "the move step has no result yet".into(),
        ));
    };
    if is_error {
        return Ok(finish(super::not_done("moved", result), vec![]));
    }
    let summary = report(layout, &outline, result);
    let mut deliverables: Vec<String> = outline
        .moves
        .iter()
        .map(|m| m.to.split('/').next().unwrap_or_default().to_string())
        .collect();
    deliverables.sort();
    deliverables.dedup();
    let done = plan_steps(layout, &outline, &survey, ["done", "done", "done", "done"]);
    Ok(Turn::new(
        "Done.",
        vec![
            ("update_plan", done),
            (
                "finish",
                json!({"summary": summary, "deliverables": deliverables}),
            ),
        ],
    ))
}

fn finish(summary: String, deliverables: Vec<String>) -> Turn {
    Turn::new(
        summary.clone(),
        vec![(
            "finish",
            json!({"summary": summary, "deliverables": deliverables}),
        )],
    )
}

fn report(layout: &Layout, outline: &PlanOutline, move_result: &str) -> String {
    let result: serde_json::Value = serde_json::from_str(move_result).unwrap_or_default();
    let moved = result["moved"].as_u64().unwrap_or(0) as usize;
    let failed: Vec<String> = result["failed"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let counts = outline.category_counts();
    let mut lines = vec![format!(
        "Moved {} files into {} ({counts}).",
        thousands(moved),
        layout.pattern()
    )];
    let exif = outline.moves.iter().filter(|m| m.by_exif).count();
    if layout.by_date {
        lines.push(format!(
            "{} photos were dated by their EXIF capture date; other files by modification date.",
            thousands(exif)
        ));
    }
    let renamed = outline.moves.iter().filter(|m| m.renamed).count();
    if renamed > 0 {
        lines.push(format!("{} name clashes were resolved by numbering, e.g. `name (2).ext`; nothing was overwritten.", thousands(renamed)));
    }
    if outline.in_place > 0 {
        lines.push(format!(
            "{} files were already in place.",
            thousands(outline.in_place)
        ));
    }
    if !outline.emptied.is_empty() {
        let mut shown: Vec<&str> = outline.emptied.iter().take(5).map(String::as_str).collect();
        if outline.emptied.len() > 5 {
            shown.push("…");
        }
        let count = match outline.emptied.len() {
            1 => "1 folder is now empty and was".to_string(),
            n => format!("{n} folders are now empty and were"),
        };
        lines.push(format!("{count} left in place: {}.", shown.join(", ")));
    }
    if outline.skipped_hidden > 0 {
        lines.push(format!(
            "{} hidden files were left where they are.",
            thousands(outline.skipped_hidden)
        ));
    }
    if !outline.skipped_unreadable.is_empty() {
        lines.push(format!(
            "{} files with names that are not valid UTF-8 were left where they are.",
            outline.skipped_unreadable.len()
        ));
    }
    if !failed.is_empty() {
        lines.push(format!(
            "{} could not be moved:\n{}",
            failed.len(),
            failed.join("\n")
        ));
    }
    lines.push("Nothing was deleted.".into());
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_from_words() {
        assert_eq!(
            Layout::from_request("organize by type"),
            Layout {
                by_type: true,
                by_date: false
            }
        );
        assert_eq!(
            Layout::from_request("organize by month"),
            Layout {
                by_type: false,
                by_date: true
            }
        );
        assert_eq!(
            Layout::from_request("tidy up"),
            Layout {
                by_type: true,
                by_date: true
            }
        );
    }

    #[test]
    fn second_runs_leave_organized_files_alone() {
        let both = Layout {
            by_type: true,
            by_date: true,
        };
        assert!(both.in_place("Images/2024/03/a.jpg"));
        assert!(both.in_place("Other/Undated/x"));
        assert!(!both.in_place("Images/a.jpg"));
        assert!(!both.in_place("misc/2024/03/a.jpg"));
    }
}
