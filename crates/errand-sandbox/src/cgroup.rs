//! A pids cgroup per command, where this process may make one: it bounds a fork bomb even
//! for root, whom the kernel exempts from RLIMIT_NPROC. Best effort: without a writable
//! cgroup the rlimit (for other users) and the timeout remain.
use std::path::{Path, PathBuf};

pub struct PidsCgroup {
    dir: PathBuf,
}

impl PidsCgroup {
    /// A new cgroup beneath this process's own, limited to `max` tasks.
    pub fn create(max: u64) -> Option<PidsCgroup> {
        let own = std::fs::read_to_string("/proc/self/cgroup").ok()?;
        let unique = format!(
            "errand-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0)
        );
        // cgroup v1: the pids hierarchy; v2: the unified one.
        let mut candidates = Vec::new();
        for line in own.lines() {
            let mut parts = line.splitn(3, ':');
            let (_, controllers, path) = (parts.next()?, parts.next()?, parts.next()?);
            let path = path.trim_start_matches('/');
            if controllers.split(',').any(|c| c == "pids") {
                candidates.push(Path::new("/sys/fs/cgroup/pids").join(path));
            } else if controllers.is_empty() {
                candidates.push(Path::new("/sys/fs/cgroup").join(path));
                candidates.push(Path::new("/sys/fs/cgroup/unified").join(path));
            }
        }
        candidates.into_iter().find_map(|base| {
            let dir = base.join(&unique);
            std::fs::create_dir(&dir).ok()?;
            let cgroup = PidsCgroup { dir };
            std::fs::write(cgroup.dir.join("pids.max"), max.to_string()).ok()?;
            Some(cgroup)
        })
    }

    /// Writing "0" here moves the writer into the cgroup.
    pub fn procs(&self) -> PathBuf {
        self.dir.join("cgroup.procs")
    }
}

impl Drop for PidsCgroup {
    fn drop(&mut self) {
        // Empty once the command's namespace is gone, which can take the kernel a moment:
        // removed off the caller's path.
        let dir = std::mem::take(&mut self.dir);
        if std::fs::remove_dir(&dir).is_ok() {
            return;
        }
        std::thread::spawn(move || {
            for _ in 0..2000 {
                std::thread::sleep(std::time::Duration::from_millis(1));
                if std::fs::remove_dir(&dir).is_ok() {
                    return;
                }
            }
            tracing::warn!(dir = %dir.display(), "a command's cgroup could not be removed");
        });
    }
}
