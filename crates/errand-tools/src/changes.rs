//! What a sandboxed command changed, read from its overlay's upper layer: files written,
//! folders made, and entries deleted (whiteouts, and everything under a folder the command
//! replaced). The real folder is untouched until these are applied through the journal.
use std::collections::HashSet;
use std::ffi::OsString;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// The entry at this path (in the real folder) was deleted.
    Deleted(PathBuf),
    /// A folder the real folder lacks.
    Folder(PathBuf),
    /// A regular file written; its new content is at `upper`.
    File { rel: PathBuf, upper: PathBuf },
    /// Something Errand does not carry over (a symlink, a device, a socket).
    Skipped { rel: PathBuf, why: &'static str },
}

/// The changes in `upper` over `lower`, deletions first, then folders, then files.
pub fn collect(upper: &Path, lower: &Path) -> std::io::Result<Vec<Change>> {
    let mut deleted = Vec::new();
    let mut folders = Vec::new();
    let mut files = Vec::new();
    let mut skipped = Vec::new();
    let mut stack = vec![PathBuf::new()];
    while let Some(rel_dir) = stack.pop() {
        let upper_dir = upper.join(&rel_dir);
        let lower_dir = lower.join(&rel_dir);
        let mut seen: HashSet<OsString> = HashSet::new();
        for entry in std::fs::read_dir(&upper_dir)? {
            let entry = entry?;
            let name = entry.file_name();
            seen.insert(name.clone());
            let rel = rel_dir.join(&name);
            let meta = entry.metadata()?;
            let below = std::fs::symlink_metadata(lower.join(&rel)).ok();
            let kind = meta.file_type();
            if kind.is_char_device() && meta.rdev() == 0 {
                // A whiteout: the command deleted this entry.
                if below.is_some() {
                    deleted.push(rel);
                }
            } else if kind.is_dir() {
                match &below {
                    Some(b) if b.is_dir() => {}
                    Some(_) => {
                        deleted.push(rel.clone());
                        folders.push(rel.clone());
                    }
                    None => folders.push(rel.clone()),
                }
                stack.push(rel);
            } else if kind.is_file() {
                if below.as_ref().is_some_and(|b| b.is_dir()) {
                    deleted.push(rel.clone());
                }
                if below.as_ref().is_some_and(|b| b.is_file())
                    && same_content(&entry.path(), &lower.join(&rel))?
                {
                    continue; // only its times changed
                }
                files.push(Change::File {
                    rel,
                    upper: entry.path(),
                });
            } else if kind.is_symlink() {
                skipped.push(Change::Skipped {
                    rel,
                    why: "symlinks made by commands are not carried over",
                });
            } else {
                skipped.push(Change::Skipped {
                    rel,
                    why: "only files and folders are carried over",
                });
            }
        }
        // An opaque folder replaced the one below: what it does not hold was deleted.
        if !rel_dir.as_os_str().is_empty() && is_opaque(&upper_dir) && lower_dir.is_dir() {
            for entry in std::fs::read_dir(&lower_dir)? {
                let name = entry?.file_name();
                if !seen.contains(&name) {
                    deleted.push(rel_dir.join(name));
                }
            }
        }
    }
    deleted.sort();
    folders.sort();
    let mut out: Vec<Change> = deleted.into_iter().map(Change::Deleted).collect();
    out.extend(folders.into_iter().map(Change::Folder));
    out.extend(files);
    out.extend(skipped);
    Ok(out)
}

fn is_opaque(dir: &Path) -> bool {
    let mut value = [0u8; 4];
    // An overlay mounted in a user namespace marks opaque folders with a user xattr.
    ["user.overlay.opaque", "trusted.overlay.opaque"]
        .iter()
        .any(|name| {
            rustix::fs::lgetxattr(dir, *name, &mut value).is_ok_and(|n| n >= 1 && value[0] == b'y')
        })
}

fn same_content(a: &Path, b: &Path) -> std::io::Result<bool> {
    let (ma, mb) = (std::fs::metadata(a)?, std::fs::metadata(b)?);
    if ma.len() != mb.len() {
        return Ok(false);
    }
    Ok(std::fs::read(a)? == std::fs::read(b)?)
}
