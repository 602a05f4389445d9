//! `errand demo-folder`: generates a messy, realistic folder to demo and benchmark the
//! offline "organize by type and date" recipe.
//!
//! Everything is derived from one seed through a tiny xorshift PRNG, so the same spec always
//! yields byte-identical trees with identical modification times. Files are small (hundreds
//! of bytes to a few KB) so that 10,000 of them generate in about a second. Formats are real
//! enough for content sniffing: JPEGs carry a parseable EXIF `DateTimeOriginal`, PNG, ZIP,
//! gzip and WAV files are structurally valid, and the rest start with the right magic bytes.

use std::collections::HashSet;
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sha2::{Digest, Sha256};

mod containers;
mod content;
mod jpeg;
mod notes;
mod photo;
mod plan;
mod random;
mod receipts;
#[cfg(test)]
mod tests;

use containers::*;
use content::*;
use jpeg::*;
pub use notes::{make_notes, make_sales};
use photo::*;
use plan::*;
use random::*;
pub use receipts::{make_receipt_photos, make_receipts};

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct DemoSpec {
    /// Exact number of regular files to create (dotfiles included).
    pub files: usize,
    /// Seed for the PRNG; the same seed gives the same tree.
    pub seed: u64,
}

/// What was generated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoReport {
    /// Regular files written (equals `DemoSpec::files`).
    pub files: usize,
    /// JPEGs carrying an EXIF `DateTimeOriginal` (including extensionless ones).
    pub photos_with_exif: usize,
    /// Total bytes written.
    pub bytes: u64,
}

/// Fills `dir` (created if missing; must be empty or absent, else error) with a messy,
/// realistic mix of files.
pub fn make_demo_folder(dir: &Path, spec: &DemoSpec) -> io::Result<DemoReport> {
    prepare_empty_dir(dir)?;
    let mut rng = Rng::new(spec.seed);
    let mut taken: HashSet<PathBuf> = HashSet::new();
    let mut report = DemoReport {
        files: 0,
        photos_with_exif: 0,
        bytes: 0,
    };

    for index in 0..spec.files {
        let plan = plan_file(&mut rng, index);
        let (bytes, has_exif) = render(&mut rng, &plan)?;
        let (mut stem, mut ext) = (plan.stem.clone(), plan.ext.clone());
        if plan.kind == Kind::DotFile && taken.contains(&Path::new(plan.folder).join(&stem)) {
            // One `.DS_Store` per folder; further dotfiles become AppleDouble `._` files.
            (stem, ext) = (
                format!("._IMG_{:04}", rng.range(1, 9999)),
                ".JPG".to_string(),
            );
        }
        let rel = unique_path(&mut taken, plan.folder, &stem, &ext);
        let path = dir.join(&rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)?;
        }
        write_with_mtime(&path, &bytes, plan.mtime.system_time())?;
        report.files += 1;
        report.bytes += bytes.len() as u64;
        if has_exif {
            report.photos_with_exif += 1;
        }
    }
    Ok(report)
}

/// "sha256  relative/path" lines for every regular file under dir, sorted by path (a hash
/// listing to compare trees).
///
/// Symlinks are neither followed nor listed, so a listing only reflects real content.
pub fn hash_listing(dir: &Path) -> io::Result<Vec<String>> {
    let mut entries: Vec<(String, String)> = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        for entry in fs::read_dir(&current)? {
            let entry = entry?;
            // `DirEntry::file_type` does not follow symlinks, which is what we want.
            let kind = entry.file_type()?;
            let path = entry.path();
            if kind.is_dir() {
                stack.push(path);
            } else if kind.is_file() {
                let digest = Sha256::digest(fs::read(&path)?);
                entries.push((relative_slash_path(dir, &path), hex::encode(digest)));
            }
        }
    }
    entries.sort();
    Ok(entries
        .into_iter()
        .map(|(rel, hash)| format!("{hash}  {rel}"))
        .collect())
}

/// Relative path with '/' separators, so listings compare equal across platforms.
fn relative_slash_path(base: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(base).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// Creates `dir` if absent; refuses an existing non-directory or a non-empty directory so a
/// demo never mixes with (or overwrites) real files.
fn prepare_empty_dir(dir: &Path) -> io::Result<()> {
    match fs::symlink_metadata(dir) {
        Ok(meta) if !meta.is_dir() => Err(io::Error::new(
            io::ErrorKind::NotADirectory,
            format!("{} exists and is not a directory", dir.display()),
        )),
        Ok(_) => {
            if fs::read_dir(dir)?.next().is_some() {
                Err(io::Error::new(
                    io::ErrorKind::DirectoryNotEmpty,
                    format!(
                        "{} is not empty; demo-folder needs an empty or new directory",
                        dir.display()
                    ),
                ))
            } else {
                Ok(())
            }
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => fs::create_dir_all(dir),
        Err(e) => Err(e),
    }
}

/// Writes the file and then stamps its mtime; the stamp must come after the last write,
/// which would otherwise reset it to "now".
fn write_with_mtime(path: &Path, bytes: &[u8], mtime: SystemTime) -> io::Result<()> {
    let mut file = File::create(path)?;
    file.write_all(bytes)?;
    file.set_modified(mtime)
}

/// Picks a name not used yet in the tree, adding " (k)" like a browser's download folder.
fn unique_path(taken: &mut HashSet<PathBuf>, folder: &str, stem: &str, ext: &str) -> PathBuf {
    let base = Path::new(folder);
    let mut candidate = base.join(format!("{stem}{ext}"));
    let mut k = 1;
    while taken.contains(&candidate) {
        candidate = base.join(format!("{stem} ({k}){ext}"));
        k += 1;
    }
    taken.insert(candidate.clone());
    candidate
}
