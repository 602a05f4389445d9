//! Recipe: batch rename to a dated pattern, e.g. `YYYY-MM-DD name.ext`.
use super::survey::{FileFact, Survey, free_name, from_listing, thousands};
use super::{History, Turn};
use errand_core::ModelError;
use serde_json::json;
use std::collections::HashSet;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenamePattern {
    /// Uses `YYYY`, `MM`, `DD`, `name` (the old name without extension) and `.ext`.
    pub template: String,
    /// Only files of this category (from "photos", "documents", …), or all.
    pub only: Option<&'static str>,
    pub recursive: bool,
}

impl RenamePattern {
    pub fn from_request(original: &str, lower: &str) -> RenamePattern {
        let template = original
            .find("YYYY")
            .map(|start| {
                let rest = &original[start..];
                // The pattern runs to `name.ext`, `name`, or the end of the date token.
                let end = rest
                    .find("name.ext")
                    .map(|i| i + "name.ext".len())
                    .or_else(|| rest.find("name").map(|i| i + "name".len()))
                    .unwrap_or_else(|| rest.find(char::is_whitespace).unwrap_or(rest.len()));
                let mut t = rest[..end].trim_end_matches(['"', '\'', '`']).to_string();
                if !t.contains("name") {
                    t.push_str(" name");
                }
                if !t.contains(".ext") {
                    t.push_str(".ext");
                }
                t
            })
            .unwrap_or_else(|| "YYYY-MM-DD name.ext".to_string());
        let only = if ["photo", "picture", "image", "jpg", "jpeg"]
            .iter()
            .any(|w| lower.contains(w))
        {
            Some("Images")
        } else if ["document", "pdf"].iter().any(|w| lower.contains(w)) {
            Some("Documents")
        } else if ["video", "movie", "clip"].iter().any(|w| lower.contains(w)) {
            Some("Video")
        } else {
            None
        };
        let recursive = ["subfolder", "recursive", "everywhere", "all folders"]
            .iter()
            .any(|w| lower.contains(w));
        RenamePattern {
            template,
            only,
            recursive,
        }
    }

    fn render(&self, file: &FileFact) -> Option<String> {
        let date = file.date()?;
        let (stem, ext) = match file.name.rsplit_once('.') {
            Some((s, e)) if !s.is_empty() => (s, format!(".{e}")),
            _ => (file.name.as_str(), String::new()),
        };
        let date_part = |t: &str| {
            t.replace("YYYY", &date.format("%Y").to_string())
                .replace("MM", &date.format("%m").to_string())
                .replace("DD", &date.format("%d").to_string())
        };
        // Split around `name` so the old name's own letters are never treated as a pattern.
        let (before, after) = self
            .template
            .split_once("name")
            .unwrap_or((&self.template, ".ext"));
        let after = after.replace(".ext", "\u{0}");
        Some(format!(
            "{}{stem}{}",
            date_part(before),
            date_part(&after).replace('\u{0}', &ext)
        ))
    }

    /// The date text this pattern puts first, to spot names already renamed.
    fn prefix(&self, file: &FileFact) -> Option<String> {
        let rendered = self.render(file)?;
        let cut = self.template.find("name").unwrap_or(0);
        rendered.get(..cut).map(str::to_string)
    }

    fn wants(&self, file: &FileFact) -> bool {
        !file.hidden
            && !file.non_utf8
            && (self.recursive || !file.path.contains('/'))
            && self
                .only
                .is_none_or(|c| file.category.as_deref() == Some(c))
    }
}

fn plan(pattern: &RenamePattern, survey: &Survey) -> (Vec<(String, String)>, usize, usize) {
    let mut taken: HashSet<String> = survey.taken_paths.clone();
    let mut moves = Vec::new();
    let (mut already, mut undated) = (0, 0);
    for file in survey.files.iter().filter(|f| pattern.wants(f)) {
        let (Some(name), Some(prefix)) = (pattern.render(file), pattern.prefix(file)) else {
            undated += 1;
            continue;
        };
        if file.name.starts_with(&prefix) && !prefix.is_empty() {
            already += 1;
            continue;
        }
        let dir = file.dir();
        let wanted = if dir.is_empty() {
            name
        } else {
            format!("{dir}/{name}")
        };
        let (to, _) = free_name(&wanted, &mut taken);
        moves.push((file.path.clone(), to));
    }
    (moves, already, undated)
}

pub(super) fn next(pattern: &RenamePattern, history: &History) -> Result<Turn, ModelError> {
    let Some((listing, is_error)) = history.last("list_files") else {
        return Ok(Turn::new(
            format!(
                "Renaming to `{}`. First, a look at the files.",
                pattern.template
            ),
            vec![(
                "list_files",
                json!({"path": ".", "recursive": pattern.recursive, "limit": 10_000_000}),
            )],
        ));
    };
    if is_error {
        return Err(ModelError::Offline(format!(
            "could not list the folder: {listing}"
        )));
    }
    let mut survey = from_listing(listing)?;
    if history.count("file_info") == 0 {
        let wanted = survey.needing_info(|f| pattern.wants(f));
        if !wanted.is_empty() {
            return Ok(Turn::new(
                "Reading capture dates.",
                vec![("file_info", json!({ "paths": wanted }))],
            ));
        }
    }
    if let Some((info, false)) = history.last("file_info") {
        survey.add_info(info);
    }
    let (moves, already, undated) = plan(pattern, &survey);
    let steps = |s: [&str; 3]| {
        json!({"steps": [
            {"title": format!("Survey: {} files match", thousands(moves.len() + already + undated)), "status": s[0]},
            {"title": format!("Rename {} files to `{}`", thousands(moves.len()), pattern.template), "status": s[1]},
            {"title": "Report what changed and how to undo it", "status": s[2]},
        ]})
    };
    let finish = |summary: String| {
        Turn::new(
            summary.clone(),
            vec![("finish", json!({"summary": summary}))],
        )
    };
    if history.count("update_plan") == 0 {
        if moves.is_empty() {
            return Ok(finish(format!(
                "Nothing to rename: {already} files already follow `{}`.",
                pattern.template
            )));
        }
        return Ok(Turn::new(
            "Here is the plan.",
            vec![("update_plan", steps(["done", "pending", "pending"]))],
        ));
    }
    if history.count("move_path") == 0 {
        if let Some((why, true)) = history.last("update_plan") {
            return Ok(finish(format!("Stopped before changing anything: {why}")));
        }
        let pairs: Vec<_> = moves
            .iter()
            .map(|(f, t)| json!({"from": f, "to": t}))
            .collect();
        return Ok(Turn::new(
            format!("Renaming {} files.", pairs.len()),
            vec![("move_path", json!({"moves": pairs}))],
        ));
    }
    let (result, is_error) = history.last("move_path").unwrap_or(("", true));
    if is_error {
        return Ok(finish(super::not_done("renamed", result)));
    }
    let value: serde_json::Value = serde_json::from_str(result).unwrap_or_default();
    let mut summary = format!(
        "Renamed {} files to `{}` (dates from EXIF capture time for photos, else modification time).",
        thousands(value["moved"].as_u64().unwrap_or(0) as usize),
        pattern.template
    );
    if already > 0 {
        summary.push_str(&format!(" {already} already followed the pattern."));
    }
    if let Some(failed) = value["failed"].as_array().filter(|a| !a.is_empty()) {
        summary.push_str(&format!(
            " {} could not be renamed: {}",
            failed.len(),
            serde_json::Value::Array(failed.clone())
        ));
    }
    Ok(Turn::new(
        "Done.",
        vec![
            ("update_plan", steps(["done", "done", "done"])),
            ("finish", json!({"summary": summary})),
        ],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn fact(name: &str) -> FileFact {
        FileFact {
            path: name.into(),
            name: name.into(),
            category: Some("Images".into()),
            modified: NaiveDate::from_ymd_opt(2023, 1, 2),
            taken: NaiveDate::from_ymd_opt(2021, 7, 4),
            hidden: false,
            non_utf8: false,
        }
    }

    #[test]
    fn renders_patterns_from_requests() {
        let p = RenamePattern::from_request(
            "rename my photos to YYYY-MM-DD name.ext",
            "rename my photos to yyyy-mm-dd name.ext",
        );
        assert_eq!(p.template, "YYYY-MM-DD name.ext");
        assert_eq!(p.only, Some("Images"));
        assert_eq!(
            p.render(&fact("IMG_1.jpg")).as_deref(),
            Some("2021-07-04 IMG_1.jpg")
        );
        let q = RenamePattern::from_request(
            "rename files as YYYYMMDD_name",
            "rename files as yyyymmdd_name",
        );
        assert_eq!(q.template, "YYYYMMDD_name.ext");
        assert_eq!(
            q.render(&fact("Name MM.jpg")).as_deref(),
            Some("20210704_Name MM.jpg")
        );
        let d =
            RenamePattern::from_request("rename everything by date", "rename everything by date");
        assert_eq!(d.template, "YYYY-MM-DD name.ext");
    }
}
