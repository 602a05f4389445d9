//! Reading the survey results (list_files, file_info) back into file facts.
use chrono::{Datelike, NaiveDate};
use errand_core::ModelError;
use serde::Deserialize;
use std::collections::{HashMap, HashSet};

#[derive(Debug, Clone)]
pub struct FileFact {
    pub path: String,
    pub name: String,
    pub category: Option<String>,
    pub modified: Option<NaiveDate>,
    pub taken: Option<NaiveDate>,
    pub hidden: bool,
    pub non_utf8: bool,
}

impl FileFact {
    /// The date a person means by "when": the photo's capture date, else last modification.
    pub fn date(&self) -> Option<NaiveDate> {
        self.taken.or(self.modified)
    }
    pub fn year_month(&self) -> Option<(i32, u32)> {
        self.date().map(|d| (d.year(), d.month()))
    }
    pub fn dir(&self) -> &str {
        self.path.rsplit_once('/').map(|(d, _)| d).unwrap_or("")
    }
}

pub struct Survey {
    pub files: Vec<FileFact>,
    /// Every path that exists (files and folders), to avoid name clashes.
    pub taken_paths: HashSet<String>,
    /// Entries that are neither files nor folders (symlinks, sockets): they stay put.
    pub others: Vec<String>,
}

/// Every folder above `path`: `a/b/c.txt` → `a`, `a/b`.
pub fn ancestors(path: &str) -> impl Iterator<Item = &str> {
    path.match_indices('/').map(move |(i, _)| &path[..i])
}

fn parse_date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.get(..10)?, "%Y-%m-%d").ok()
}

// Typed views of the tool results: a generic `Value` tree of a 10,000-file listing costs
// several times the memory of the text.
#[derive(Deserialize)]
struct Listing {
    entries: Vec<ListingEntry>,
}

#[derive(Deserialize)]
struct ListingEntry {
    path: String,
    kind: String,
    category: Option<String>,
    modified: Option<String>,
    #[serde(default)]
    non_utf8: bool,
}

#[derive(Deserialize)]
struct Info {
    path: String,
    category: Option<String>,
    taken: Option<String>,
}

/// Reads the list_files result.
/// The folder's survey from the recipe's first listing, or (`Err`) the turn that lists the
/// folder first, introduced by `intro`.
pub(crate) fn listed(
    history: &super::History,
    intro: &str,
) -> Result<Result<Survey, super::Turn>, ModelError> {
    let Some((listing, is_error)) = history.last("list_files") else {
        return Ok(Err(super::Turn::new(
            intro,
            vec![(
                "list_files",
                serde_json::json!({"path": ".", "recursive": true, "limit": 100_000}),
            )],
        )));
    };
    if is_error {
        return Err(ModelError::Offline(format!(
            "could not list the folder: {listing}"
        )));
    }
    from_listing(listing).map(Ok)
}

pub fn from_listing(content: &str) -> Result<Survey, ModelError> {
    let listing: Listing = serde_json::from_str(content)
        .map_err(|e| ModelError::Offline(format!("could not read the folder listing: {e}")))?;
    let mut files = Vec::new();
    let mut others = Vec::new();
    let mut taken_paths = HashSet::with_capacity(listing.entries.len());
    for entry in listing.entries {
        taken_paths.insert(entry.path.clone());
        if entry.kind != "file" {
            if entry.kind != "dir" {
                others.push(entry.path);
            }
            continue;
        }
        let name = entry
            .path
            .rsplit('/')
            .next()
            .unwrap_or(&entry.path)
            .to_string();
        files.push(FileFact {
            hidden: entry.path.split('/').any(|part| part.starts_with('.')),
            non_utf8: entry.non_utf8,
            category: entry.category,
            modified: entry.modified.as_deref().and_then(parse_date),
            taken: None,
            path: entry.path,
            name,
        });
    }
    Ok(Survey {
        files,
        taken_paths,
        others,
    })
}

impl Survey {
    /// Adds what file_info found: content categories and capture dates.
    pub fn add_info(&mut self, content: &str) {
        let Ok(infos) = serde_json::from_str::<Vec<Info>>(content) else {
            return;
        };
        let by_path: HashMap<&str, &Info> = infos.iter().map(|i| (i.path.as_str(), i)).collect();
        for file in &mut self.files {
            let Some(info) = by_path.get(file.path.as_str()) else {
                continue;
            };
            if file.category.is_none() {
                file.category = info.category.clone();
            }
            file.taken = info.taken.as_deref().and_then(parse_date);
        }
    }

    /// Files worth a file_info call: photos (capture date) and names that say nothing.
    pub fn needing_info<'a>(&'a self, wanted: impl Fn(&FileFact) -> bool + 'a) -> Vec<String> {
        self.files
            .iter()
            .filter(|f| {
                wanted(f) && (f.category.is_none() || f.category.as_deref() == Some("Images"))
            })
            .map(|f| f.path.clone())
            .collect()
    }
}

/// A free name for `wanted` (`name (2).ext`, …) given what exists and what is planned.
pub fn free_name(wanted: &str, taken: &mut HashSet<String>) -> (String, bool) {
    if taken.insert(wanted.to_string()) {
        return (wanted.to_string(), false);
    }
    let (dir, name) = match wanted.rsplit_once('/') {
        Some((d, n)) => (format!("{d}/"), n),
        None => (String::new(), wanted),
    };
    let (stem, ext) = match name.rsplit_once('.') {
        Some((s, e)) if !s.is_empty() => (s, format!(".{e}")),
        _ => (name, String::new()),
    };
    for n in 2.. {
        let candidate = format!("{dir}{stem} ({n}){ext}");
        if taken.insert(candidate.clone()) {
            return (candidate, true);
        }
    }
    unreachable!("an unbounded counter always finds a free name")
}

/// "1,234"
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_names_number_clashes() {
        let mut taken: HashSet<String> = ["Images/a.jpg".to_string()].into();
        assert_eq!(
            free_name("Images/a.jpg", &mut taken),
            ("Images/a (2).jpg".into(), true)
        );
        assert_eq!(
            free_name("Images/a.jpg", &mut taken),
            ("Images/a (3).jpg".into(), true)
        );
        assert_eq!(free_name("README", &mut taken), ("README".into(), false));
        assert_eq!(free_name("README", &mut taken), ("README (2)".into(), true));
        assert_eq!(thousands(1234567), "1,234,567");
    }
}
