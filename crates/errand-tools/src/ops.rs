//! Low-level file operations on capability handles: no-replace renames, atomic writes,
//! hashing, and copies that keep modes and modification times.
use cap_std::fs::{Dir, OpenOptions};
use sha2::{Digest, Sha256};
use std::ffi::OsStr;
use std::io::{self, Read, Write};
use std::os::fd::AsFd;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Renames without ever replacing what is at the destination (`RENAME_NOREPLACE`).
pub fn rename_noreplace(from_dir: &Dir, from: &OsStr, to_dir: &Dir, to: &OsStr) -> io::Result<()> {
    rustix::fs::renameat_with(
        from_dir.as_fd(),
        from,
        to_dir.as_fd(),
        to,
        rustix::fs::RenameFlags::NOREPLACE,
    )
    .map_err(io::Error::from)
}

/// True for "not on the same filesystem", where a rename must become copy + remove.
pub fn is_cross_device(e: &io::Error) -> bool {
    e.raw_os_error() == Some(rustix::io::Errno::XDEV.raw_os_error())
}

/// Whether `name` exists in `dir`, without following a final symlink.
pub fn exists(dir: &Dir, name: &OsStr) -> io::Result<bool> {
    match dir.symlink_metadata(name) {
        Ok(_) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Hashes a regular file in `dir`; `None` if it is absent or not a regular file.
pub fn sha256_of(dir: &Dir, name: &OsStr) -> io::Result<Option<String>> {
    match dir.symlink_metadata(name) {
        Ok(meta) if meta.is_file() => {}
        Ok(_) => return Ok(None),
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    }
    let mut file = dir.open(name)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(Some(hex::encode(hasher.finalize())))
}

pub fn system_time_from_ns(ns: i64) -> SystemTime {
    if ns >= 0 {
        UNIX_EPOCH + Duration::from_nanos(ns as u64)
    } else {
        UNIX_EPOCH - Duration::from_nanos(ns.unsigned_abs())
    }
}

/// Sets a folder's modification time. Folder handles are `O_PATH` descriptors, which
/// `futimens` refuses, so the time is set through the handle's `.` entry.
pub fn set_folder_mtime(dir: &Dir, mtime_ns: i64) -> io::Result<()> {
    use rustix::fs::{AtFlags, Timespec, Timestamps, UTIME_OMIT};
    let times = Timestamps {
        last_access: Timespec {
            tv_sec: 0,
            tv_nsec: UTIME_OMIT,
        },
        last_modification: Timespec {
            tv_sec: mtime_ns.div_euclid(1_000_000_000),
            tv_nsec: mtime_ns.rem_euclid(1_000_000_000) as _,
        },
    };
    rustix::fs::utimensat(dir.as_fd(), ".", &times, AtFlags::empty()).map_err(io::Error::from)
}

/// Writes `bytes` to `dir/name` through a temporary file and a rename, so a reader (or a
/// crash) sees the old content or the new, never half of one.
pub fn write_atomic(
    dir: &Dir,
    name: &OsStr,
    bytes: &[u8],
    mode: Option<u32>,
    mtime_ns: Option<i64>,
) -> io::Result<()> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let tmp = format!(
        ".{}.errand-{}-{}.tmp",
        name.to_string_lossy().chars().take(100).collect::<String>(),
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    );
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    let file = dir.open_with(&tmp, &options)?;
    let mut file = file.into_std();
    let result = (|| {
        file.write_all(bytes)?;
        if let Some(mode) = mode {
            use std::os::unix::fs::PermissionsExt;
            file.set_permissions(std::fs::Permissions::from_mode(mode))?;
        }
        if let Some(ns) = mtime_ns {
            file.set_modified(system_time_from_ns(ns))?;
        }
        file.sync_all()?;
        dir.rename(&tmp, dir, name)
    })();
    if result.is_err() {
        // The temporary file holds nothing anyone asked for.
        let _ = dir.remove_file(&tmp);
    }
    result
}

/// Copies a regular file between two folders keeping its mode and modification time;
/// refuses to replace anything at the destination.
pub fn copy_file_noreplace(
    from_dir: &Dir,
    from: &OsStr,
    to_dir: &Dir,
    to: &OsStr,
) -> io::Result<u64> {
    use cap_std::fs::MetadataExt as _;
    let source = from_dir.open(from)?;
    let meta = source.metadata()?;
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    let target = to_dir.open_with(to, &options)?;
    let mut source = source.into_std();
    let mut target = target.into_std();
    let copied = (|| {
        let n = io::copy(&mut source, &mut target)?;
        use std::os::unix::fs::PermissionsExt;
        target.set_permissions(std::fs::Permissions::from_mode(meta.mode() & 0o7777))?;
        if let Ok(modified) = meta.modified() {
            target.set_modified(modified.into_std())?;
        }
        target.sync_all()?;
        Ok(n)
    })();
    if copied.is_err() {
        let _ = to_dir.remove_file(to);
    }
    copied
}

/// Moves a file between folders, falling back to copy-then-remove across filesystems.
pub fn move_file(from_dir: &Dir, from: &OsStr, to_dir: &Dir, to: &OsStr) -> io::Result<()> {
    match rename_noreplace(from_dir, from, to_dir, to) {
        Err(e) if is_cross_device(&e) => {
            if from_dir.symlink_metadata(from)?.is_dir() {
                return Err(io::Error::other(
                    "cannot move a folder across filesystems; move its files one by one",
                ));
            }
            copy_file_noreplace(from_dir, from, to_dir, to)?;
            from_dir.remove_file(from)
        }
        other => other,
    }
}
