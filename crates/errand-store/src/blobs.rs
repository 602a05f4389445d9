//! Content-addressed blobs: the before-images that make undo possible.
use crate::io_err;
use errand_core::StoreError;
use sha2::{Digest, Sha256};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// `blobs/<first 2 hex>/<rest>`; the fan-out keeps any one directory small.
pub(crate) fn path(blobs: &Path, sha256: &str) -> PathBuf {
    match (sha256.get(..2), sha256.get(2..)) {
        (Some(head), Some(tail)) if !tail.is_empty() => blobs.join(head).join(tail),
        // Not a real digest; still give a path (that will not exist) rather than panic.
        _ => blobs.join(sha256),
    }
}

/// Stores `bytes` under their sha256 and returns the hex digest.
pub(crate) fn put(blobs: &Path, bytes: &[u8]) -> Result<String, StoreError> {
    let sha = hex::encode(Sha256::digest(bytes));
    let dest = path(blobs, &sha);
    // Same name means same content, so an existing blob is already right.
    if dest.exists() {
        return Ok(sha);
    }
    let dir = dest.parent().unwrap_or(blobs);
    fs::create_dir_all(dir).map_err(io_err(dir))?;

    // A unique temp name in the same directory, so the rename below is atomic and a
    // crash never leaves a truncated file under the final name.
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let tmp = dir.join(format!(
        ".tmp-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let written = (|| {
        let mut file = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()
    })();
    if let Err(e) = written {
        let _ = fs::remove_file(&tmp);
        return Err(io_err(&tmp)(e));
    }
    if let Err(e) = fs::rename(&tmp, &dest) {
        let _ = fs::remove_file(&tmp);
        // Another writer may have won the race (rename does not replace on every OS).
        if dest.exists() {
            return Ok(sha);
        }
        return Err(io_err(&dest)(e));
    }
    sync_dir(dir);
    Ok(sha)
}

/// Makes the rename itself durable. Best effort: the blob is complete either way.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Err(e) = fs::File::open(dir).and_then(|d| d.sync_all()) {
        tracing::debug!(dir = %dir.display(), error = %e, "could not fsync blob directory");
    }
    #[cfg(not(unix))]
    let _ = dir;
}
