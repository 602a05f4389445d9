//! Cross-process run locks: one lock file per task, held with an OS file lock.
use crate::io_err;
use errand_core::StoreError;
use errand_core::store::TaskLock;
use std::fs::{File, OpenOptions, TryLockError};
use std::io::Write;
use std::path::Path;

/// Holds the locked file; the OS releases the lock when it is closed, including when
/// the process dies (even by SIGKILL), so a crashed run never wedges its task.
pub(crate) struct FileLock {
    _file: File,
}

impl TaskLock for FileLock {}

/// Takes the lock for `task_id`, or `None` if another holder has it.
pub(crate) fn try_lock(locks: &Path, task_id: &str) -> Result<Option<FileLock>, StoreError> {
    let path = lock_path(locks, task_id)?;
    // No truncate on open: the file may be held, and its pid is the holder's.
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(io_err(&path))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => return Ok(None),
        Err(TryLockError::Error(e)) => return Err(io_err(&path)(e)),
    }
    // The pid is only for people diagnosing a stuck task; failing to write it must not
    // cost us the lock. The file is never deleted: unlinking a lock file races with
    // another process that has it open and would let two holders coexist.
    let pid = std::process::id();
    if let Err(e) = file
        .set_len(0)
        .and_then(|()| file.write_all(format!("{pid}\n").as_bytes()))
    {
        tracing::warn!(path = %path.display(), error = %e, "could not record pid in task lock");
    }
    Ok(Some(FileLock { _file: file }))
}

/// Whether some process (this one included) runs `task_id` right now. The probe takes a
/// shared lock: probes never block one another (the workspace lists tasks while a person
/// approves one), and a run's exclusive lock refuses them. A run starting during a probe
/// retries, as it does for any holder.
pub(crate) fn is_held(locks: &Path, task_id: &str) -> Result<bool, StoreError> {
    let path = lock_path(locks, task_id)?;
    let file = match File::open(&path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(io_err(&path)(e)),
    };
    match file.try_lock_shared() {
        Ok(()) => Ok(false),
        Err(TryLockError::WouldBlock) => Ok(true),
        Err(TryLockError::Error(e)) => Err(io_err(&path)(e)),
    }
}

/// The id becomes a file name: anything that could point outside `locks/` is refused.
fn lock_path(locks: &Path, task_id: &str) -> Result<std::path::PathBuf, StoreError> {
    if task_id.is_empty() || task_id.starts_with('.') || task_id.contains(['/', '\\', '\0']) {
        return Err(StoreError::NoSuchTask(task_id.to_string()));
    }
    Ok(locks.join(format!("{task_id}.lock")))
}
