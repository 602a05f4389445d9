//! The main job end to end: organize 2,000 mixed files offline, check every file landed where
//! the rule says, then undo and compare the whole tree byte for byte.
mod common;

use chrono::{Datelike, TimeZone};
use common::*;
use std::path::Path;

/// The rule, written independently of Errand's code: extension → folder.
fn expected_category(name: &str) -> &'static str {
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "pdf" | "docx" | "xlsx" | "txt" | "md" | "csv" | "pptx" | "odt" | "doc" | "rtf" | "xls" => {
            "Documents"
        }
        "jpg" | "jpeg" | "png" | "gif" | "heic" | "webp" => "Images",
        "mp3" | "wav" | "flac" | "m4a" | "ogg" => "Audio",
        "mp4" | "mov" | "mkv" | "avi" => "Video",
        "zip" | "gz" | "tar" | "7z" | "rar" => "Archives",
        "py" | "rs" | "js" | "sh" | "html" | "css" | "json" | "ts" => "Code",
        _ => "",
    }
}

fn exif_month(bytes: &[u8]) -> Option<(i32, u32)> {
    let exif = exif::Reader::new()
        .read_from_container(&mut std::io::Cursor::new(bytes))
        .ok()?;
    let field = exif.get_field(exif::Tag::DateTimeOriginal, exif::In::PRIMARY)?;
    let exif::Value::Ascii(v) = &field.value else {
        return None;
    };
    let dt = exif::DateTime::from_ascii(v.first()?).ok()?;
    Some((i32::from(dt.year), u32::from(dt.month)))
}

fn mtime_month(mtime_ns: i64) -> (i32, u32) {
    let t = chrono::Local.timestamp_nanos(mtime_ns);
    (t.year(), t.month())
}

#[test]
fn organizes_two_thousand_files_and_undo_restores_them_byte_for_byte() {
    let env = Env::new();
    let folder = env.work.path().join("Downloads");
    let made = env.run(&[
        "demo-folder",
        folder.to_str().expect("utf8"),
        "--files",
        "2000",
        "--seed",
        "7",
    ]);
    assert_eq!(code(&made), 0, "{}", text(&made));
    let before = tree(&folder);
    let before_folders = folder_times(&folder);
    assert_eq!(before.len(), 2000);

    let out = env.run(&[
        "run",
        "organize my downloads by type and date",
        "--folder",
        folder.to_str().expect("utf8"),
        "--mode",
        "auto",
        "--json",
    ]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let id = task_id(&out);
    let after = tree(&folder);

    // Same files, same bytes, same mtimes: only the paths changed.
    let mut before_content: Vec<_> = before.values().cloned().collect();
    let mut after_content: Vec<_> = after.values().cloned().collect();
    before_content.sort();
    after_content.sort();
    assert_eq!(before_content, after_content, "content or mtimes changed");

    // Hidden files stay put; every other file sits at Category/YYYY/MM/name by its own
    // extension, EXIF date (photos) or modification time. Files are judged where they
    // landed, since several share content (and so cannot be told apart by hash).
    let hidden = |p: &String| p.split('/').any(|part| part.starts_with('.'));
    let hidden_before: Vec<&String> = before.keys().filter(|p| hidden(p)).collect();
    let hidden_after: Vec<&String> = after.keys().filter(|p| hidden(p)).collect();
    assert_eq!(hidden_before, hidden_after, "hidden files stay put");
    let mut photos_dated_by_exif = 0;
    for (new_path, (_, _, mtime)) in after.iter().filter(|(p, _)| !hidden(p)) {
        let parts: Vec<&str> = new_path.split('/').collect();
        assert_eq!(parts.len(), 4, "{new_path}: expected Category/YYYY/MM/name");
        let category = expected_category(parts[3]);
        if !category.is_empty() {
            assert_eq!(parts[0], category, "{new_path}");
        }
        let bytes = std::fs::read(folder.join(new_path)).expect("read");
        let (year, month) = match exif_month(&bytes) {
            Some(ym) if parts[0] == "Images" => {
                photos_dated_by_exif += 1;
                ym
            }
            _ => mtime_month(*mtime),
        };
        assert_eq!(
            (parts[1], parts[2]),
            (format!("{year}").as_str(), format!("{month:02}").as_str()),
            "{new_path}"
        );
    }
    // Names are kept, or numbered on a clash: the multiset of base names minus " (n)" matches.
    let base = |p: &String| {
        let name = Path::new(p)
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("")
            .to_string();
        let (stem, ext) = name
            .rsplit_once('.')
            .map(|(s, e)| (s.to_string(), format!(".{e}")))
            .unwrap_or((name.clone(), String::new()));
        // Strip every " (n)" so "a (1) (2).txt", a clash of "a (1).txt", compares as "a.txt".
        let mut stem = stem;
        while let Some((s, n)) = stem.rsplit_once(" (") {
            if !(n.ends_with(')') && n[..n.len() - 1].chars().all(|c| c.is_ascii_digit())) {
                break;
            }
            stem = s.to_string();
        }
        format!("{stem}{ext}")
    };
    let mut names_before: Vec<String> = before.keys().map(base).collect();
    let mut names_after: Vec<String> = after.keys().map(base).collect();
    names_before.sort();
    names_after.sort();
    let only_before: Vec<&String> = names_before
        .iter()
        .filter(|n| !names_after.contains(n))
        .collect();
    let only_after: Vec<&String> = names_after
        .iter()
        .filter(|n| !names_before.contains(n))
        .collect();
    assert!(
        names_before == names_after,
        "names kept (numbered only on clashes); only before: {only_before:?}; only after: {only_after:?}"
    );
    assert!(
        photos_dated_by_exif > 500,
        "only {photos_dated_by_exif} photos were dated by EXIF"
    );

    let show = env.run(&["show", &id, "--json"]);
    let shown: serde_json::Value = serde_json::from_slice(&show.stdout).expect("show json");
    assert_eq!(shown["task"]["state"], "done");
    assert!(
        shown["changes"]["done"].as_u64().unwrap_or(0) >= 1990,
        "{shown}"
    );

    let undo = env.run(&["undo", &id]);
    assert_eq!(code(&undo), 0, "{}", text(&undo));
    assert_eq!(
        tree(&folder),
        before,
        "undo must restore paths, bytes and mtimes"
    );
    assert_eq!(
        folder_times(&folder),
        before_folders,
        "undo removes the folders it made and restores the others' modification times"
    );
}

#[test]
fn a_second_run_changes_nothing_and_renames_follow_a_pattern() {
    let env = Env::new();
    let folder = env.work.path().join("mess");
    assert_eq!(
        code(&env.run(&[
            "demo-folder",
            folder.to_str().expect("utf8"),
            "--files",
            "120"
        ])),
        0
    );
    let f = folder.to_str().expect("utf8");
    let first = env.run(&[
        "run",
        "organize by type and date",
        "--folder",
        f,
        "--mode",
        "auto",
        "--json",
    ]);
    assert_eq!(code(&first), 0, "{}", text(&first));
    let organized = tree(&folder);
    let again = env.run(&[
        "run",
        "tidy this folder by type and date",
        "--folder",
        f,
        "--mode",
        "auto",
    ]);
    assert_eq!(code(&again), 0, "{}", text(&again));
    assert!(
        text(&again).contains("already organized"),
        "{}",
        text(&again)
    );
    assert_eq!(tree(&folder), organized);

    let photos = env.dir("photos");
    std::fs::copy(
        folder.join(
            organized
                .keys()
                .find(|k| k.starts_with("Images/") && k.ends_with(".jpg"))
                .expect("a jpg"),
        ),
        photos.join("beach.jpg"),
    )
    .expect("copy");
    std::fs::write(photos.join("notes.txt"), "not a photo").expect("write");
    let out = env.run(&[
        "run",
        "rename my photos to YYYY-MM-DD name.ext",
        "--folder",
        photos.to_str().expect("utf8"),
        "--mode",
        "auto",
    ]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let names: Vec<String> = tree(&photos).into_keys().collect();
    assert!(
        names.iter().any(|n| n.len() == "2020-01-01 beach.jpg".len()
            && n.ends_with(" beach.jpg")
            && n.as_bytes()[4] == b'-'),
        "{names:?}"
    );
    assert!(
        names.contains(&"notes.txt".to_string()),
        "only photos are renamed: {names:?}"
    );
}
