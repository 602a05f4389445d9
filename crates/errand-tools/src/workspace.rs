//! The granted folders, opened as capability handles: every path resolves beneath one of
//! them, so `..`, absolute paths and symlinks cannot reach anything outside.
use cap_std::ambient_authority;
use cap_std::fs::Dir;
use errand_core::{FileStamp, Grant, ToolError};
use std::ffi::{OsStr, OsString};
use std::io;
use std::path::{Component, Path, PathBuf};

/// Longest tool path accepted; the kernel's own limit.
const MAX_PATH_BYTES: usize = 4096;
const MAX_NAME_BYTES: usize = 255;

pub struct Root {
    pub grant: Grant,
    pub dir: Dir,
}

pub struct Workspace {
    roots: Vec<Root>,
    /// Read-only folders outside the grants that tools may read by their full path (the
    /// files skills bundle). Never listed as grants, never written.
    mounts: Vec<Root>,
    /// A sub-agent's folders: (grant, path beneath it). Empty: the whole grants.
    scope: Vec<(usize, PathBuf)>,
}

/// A tool path checked and split into its grant and the path beneath it.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub root: usize,
    /// Empty for the grant's root folder.
    pub rel: PathBuf,
    /// The path as tools show it.
    pub display: String,
}

impl Resolved {
    pub fn name(&self) -> Option<&OsStr> {
        self.rel.file_name()
    }
    pub fn parent_rel(&self) -> &Path {
        self.rel.parent().unwrap_or(Path::new(""))
    }
}

impl Workspace {
    pub fn open(grants: &[Grant]) -> Result<Workspace, ToolError> {
        let mut roots = Vec::with_capacity(grants.len());
        for grant in grants {
            let dir = Dir::open_ambient_dir(&grant.path, ambient_authority()).map_err(|e| {
                ToolError(format!(
                    "cannot open the granted folder {}: {e}",
                    grant.path.display()
                ))
            })?;
            roots.push(Root {
                grant: grant.clone(),
                dir,
            });
        }
        if roots.is_empty() {
            return Err(ToolError::new("no folder was granted to this task"));
        }
        Ok(Workspace {
            roots,
            mounts: Vec::new(),
            scope: Vec::new(),
        })
    }

    /// The same grants, confined to `folders` (tool paths), for a sub-agent: a path outside
    /// every one of them is refused. Paths keep the task's form, so the journal, undo and
    /// leases see one set of names.
    pub fn scoped(grants: &[Grant], folders: &[String]) -> Result<Workspace, ToolError> {
        let mut ws = Workspace::open(grants)?;
        let mut scope = Vec::with_capacity(folders.len());
        for folder in folders {
            let r = ws
                .resolve(folder)
                .map_err(|e| ToolError(format!("the folder `{folder}` cannot be used: {e}")))?;
            let root = &ws.root(r.root).dir;
            if !r.rel.as_os_str().is_empty() && root.symlink_metadata(&r.rel).is_err() {
                return Err(ToolError(format!(
                    "the folder `{folder}` does not exist in the task's folders"
                )));
            }
            scope.push((r.root, r.rel));
        }
        ws.scope = scope;
        Ok(ws)
    }

    pub fn roots(&self) -> &[Root] {
        &self.roots
    }

    pub fn root(&self, index: usize) -> &Root {
        match index.checked_sub(self.roots.len()) {
            Some(mount) if mount < self.mounts.len() => &self.mounts[mount],
            _ => &self.roots[index.min(self.roots.len() - 1)],
        }
    }

    /// Makes `path` readable by its full path (read-only). A folder that cannot be opened
    /// is an error naming it.
    pub fn mount(&mut self, path: &Path) -> Result<(), ToolError> {
        let real = path
            .canonicalize()
            .map_err(|e| ToolError(format!("cannot open {}: {e}", path.display())))?;
        let dir = Dir::open_ambient_dir(&real, ambient_authority())
            .map_err(|e| ToolError(format!("cannot open {}: {e}", real.display())))?;
        self.mounts.push(Root {
            grant: Grant {
                name: real.display().to_string(),
                path: real,
                writable: false,
            },
            dir,
        });
        Ok(())
    }

    /// An absolute path beneath a mount: (mount index, path beneath it).
    fn mounted(&self, path: &str) -> Option<(usize, PathBuf)> {
        let wanted = Path::new(path);
        self.mounts.iter().enumerate().find_map(|(i, m)| {
            let rel = wanted.strip_prefix(&m.grant.path).ok()?;
            let clean = rel
                .components()
                .all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
            clean.then(|| (self.roots.len() + i, rel.to_path_buf()))
        })
    }

    /// Checks a tool path and finds its grant. Refuses anything that could name a place
    /// outside; the capability handles refuse it again when the path is used.
    pub fn resolve(&self, path: &str) -> Result<Resolved, ToolError> {
        if path.contains('\0') {
            return Err(ToolError::new("the path contains a NUL byte"));
        }
        if path.len() > MAX_PATH_BYTES {
            return Err(ToolError(format!(
                "the path is {} bytes long; the limit is {MAX_PATH_BYTES}",
                path.len()
            )));
        }
        if path.starts_with('/')
            && let Some((root, rel)) = self.mounted(path)
        {
            let display = self.display(root, &rel);
            return Ok(Resolved { root, rel, display });
        }
        if path.starts_with('/') || path.starts_with("~/") || path == "~" {
            return Err(ToolError(format!(
                "`{}` is absolute; paths are relative to the granted folder{}",
                shorten(path),
                self.example()
            )));
        }
        let mut parts: Vec<&str> = Vec::new();
        for part in path.split('/') {
            match part {
                "" | "." => {}
                ".." => {
                    return Err(ToolError(format!(
                        "`{}` uses `..`, which would leave the granted folder",
                        shorten(path)
                    )));
                }
                name if name.len() > MAX_NAME_BYTES => {
                    return Err(ToolError(format!(
                        "a name in `{}` is {} bytes long; the limit is {MAX_NAME_BYTES}",
                        shorten(path),
                        name.len()
                    )));
                }
                name => parts.push(name),
            }
        }
        let root = if self.roots.len() == 1 {
            0
        } else {
            let Some(first) = parts.first() else {
                return Err(ToolError(format!(
                    "name a granted folder first: {}",
                    self.grant_names()
                )));
            };
            let Some(index) = self.roots.iter().position(|r| r.grant.name == *first) else {
                return Err(ToolError(format!(
                    "`{}` is not in a granted folder; paths start with one of: {}",
                    shorten(path),
                    self.grant_names()
                )));
            };
            parts.remove(0);
            index
        };
        let rel: PathBuf = parts.iter().collect();
        let display = self.display(root, &rel);
        if !self.scope.is_empty()
            && !self
                .scope
                .iter()
                .any(|(r, prefix)| *r == root && rel.starts_with(prefix))
        {
            let allowed: Vec<String> = self
                .scope
                .iter()
                .map(|(r, prefix)| self.display(*r, prefix))
                .collect();
            return Err(ToolError(format!(
                "`{}` is outside the folders this sub-agent may use: {}",
                shorten(&display),
                allowed.join(", ")
            )));
        }
        Ok(Resolved { root, rel, display })
    }

    /// The tool path of `rel` in grant `root`.
    pub fn display(&self, root: usize, rel: &Path) -> String {
        let rel_text = rel
            .components()
            .filter_map(|c| match c {
                Component::Normal(n) => Some(n.to_string_lossy().into_owned()),
                _ => None,
            })
            .collect::<Vec<_>>()
            .join("/");
        if root >= self.roots.len() {
            let base = &self.root(root).grant.path;
            return if rel_text.is_empty() {
                base.display().to_string()
            } else {
                base.join(rel_text).display().to_string()
            };
        }
        if self.roots.len() > 1 {
            let name = &self.root(root).grant.name;
            if rel_text.is_empty() {
                name.clone()
            } else {
                format!("{name}/{rel_text}")
            }
        } else if rel_text.is_empty() {
            ".".to_string()
        } else {
            rel_text
        }
    }

    pub fn writable(&self, resolved: &Resolved) -> Result<(), ToolError> {
        let grant = &self.root(resolved.root).grant;
        if grant.writable {
            Ok(())
        } else {
            Err(ToolError(format!(
                "{} is in a read-only grant ({})",
                resolved.display, grant.name
            )))
        }
    }

    /// Opens the folder holding `resolved` and returns it with the final name.
    pub fn parent(&self, resolved: &Resolved) -> Result<(Dir, OsString), ToolError> {
        let name = resolved
            .name()
            .ok_or_else(|| {
                ToolError(format!(
                    "`{}` is a granted folder itself, not something in it",
                    resolved.display
                ))
            })?
            .to_os_string();
        let dir = self.open_dir_rel(resolved.root, resolved.parent_rel(), &resolved.display)?;
        Ok((dir, name))
    }

    pub fn open_dir_rel(&self, root: usize, rel: &Path, display: &str) -> Result<Dir, ToolError> {
        let base = &self.root(root).dir;
        let opened = if rel.as_os_str().is_empty() {
            base.try_clone()
        } else {
            base.open_dir(rel)
        };
        opened.map_err(|e| io_error(display, e))
    }
}

impl Workspace {
    fn grant_names(&self) -> String {
        self.roots
            .iter()
            .map(|r| r.grant.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn example(&self) -> String {
        if self.roots.len() > 1 {
            format!(", starting with its name (one of: {})", self.grant_names())
        } else {
            ", e.g. `notes/todo.txt`".to_string()
        }
    }
}

/// Turns an I/O error into a message the model can act on.
pub fn io_error(display: &str, e: io::Error) -> ToolError {
    let text = e.to_string();
    if text.contains("outside of the filesystem") || text.contains("outside the filesystem") {
        return ToolError(format!(
            "`{display}` leads outside the granted folder (through a symlink or `..`); refused"
        ));
    }
    match e.kind() {
        io::ErrorKind::NotFound => ToolError(format!("no such file or folder: `{display}`")),
        io::ErrorKind::AlreadyExists => ToolError(format!("`{display}` already exists")),
        io::ErrorKind::PermissionDenied => ToolError(format!("permission denied: `{display}`")),
        io::ErrorKind::NotADirectory => ToolError(format!("a part of `{display}` is not a folder")),
        io::ErrorKind::IsADirectory => ToolError(format!("`{display}` is a folder")),
        _ if e.raw_os_error() == Some(rustix::io::Errno::LOOP.raw_os_error()) => ToolError(
            format!("`{display}` is a symlink, and symlinks are not followed here; refused"),
        ),
        _ if e.raw_os_error() == Some(rustix::io::Errno::NAMETOOLONG.raw_os_error()) => {
            ToolError(format!("`{}`: name too long", shorten(display)))
        }
        _ => ToolError(format!("`{display}`: {text}")),
    }
}

pub fn stamp_of(meta: &cap_std::fs::Metadata) -> FileStamp {
    let mtime_ns = std_meta_mtime_ns(meta);
    FileStamp {
        size: meta.len(),
        mtime_ns,
    }
}

fn std_meta_mtime_ns(meta: &cap_std::fs::Metadata) -> i64 {
    match meta.modified() {
        Ok(t) => match t.into_std().duration_since(std::time::UNIX_EPOCH) {
            Ok(d) => d.as_nanos() as i64,
            Err(e) => -(e.duration().as_nanos() as i64),
        },
        Err(_) => 0,
    }
}

pub fn mode_of(meta: &cap_std::fs::Metadata) -> u32 {
    use cap_std::fs::MetadataExt as _;
    meta.mode() & 0o7777
}

/// Keeps error messages readable when a path is absurdly long.
pub fn shorten(text: &str) -> String {
    if text.len() <= 120 {
        return text.to_string();
    }
    let mut end = 100;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} bytes)", &text[..end], text.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ws(names: &[&str]) -> (Vec<tempfile::TempDir>, Workspace) {
        let dirs: Vec<_> = names
            .iter()
            .map(|_| tempfile::tempdir().expect("tempdir"))
            .collect();
        let grants: Vec<Grant> = names
            .iter()
            .zip(&dirs)
            .map(|(n, d)| Grant {
                name: n.to_string(),
                path: d.path().to_path_buf(),
                writable: true,
            })
            .collect();
        let ws = Workspace::open(&grants).expect("open");
        (dirs, ws)
    }

    #[test]
    fn refuses_escapes_before_touching_disk() {
        let (_d, ws) = ws(&["docs"]);
        for bad in [
            "../x",
            "a/../../x",
            "/etc/passwd",
            "~/x",
            "a\0b",
            &"a/".repeat(3000),
        ] {
            assert!(ws.resolve(bad).is_err(), "{bad:?} should be refused");
        }
        let long = "x".repeat(300);
        let err = ws.resolve(&long).expect_err("long name");
        assert!(err.0.contains("limit is 255"), "{err}");
        assert_eq!(ws.resolve("./a//b/").expect("ok").display, "a/b");
        assert_eq!(ws.resolve(".").expect("root").display, ".");
    }

    #[test]
    fn a_scoped_workspace_refuses_paths_outside_its_folders() {
        let (dirs, _) = ws(&["docs"]);
        std::fs::create_dir_all(dirs[0].path().join("clients/acme")).expect("mkdir");
        let grants = vec![Grant {
            name: "docs".into(),
            path: dirs[0].path().to_path_buf(),
            writable: true,
        }];
        let scoped = Workspace::scoped(&grants, &["clients/acme".into()]).expect("scoped");
        assert_eq!(
            scoped.resolve("clients/acme/a.md").expect("inside").display,
            "clients/acme/a.md"
        );
        let err = scoped.resolve("clients/other/a.md").expect_err("outside");
        assert!(err.0.contains("clients/acme"), "{err}");
        assert!(scoped.resolve(".").is_err());
        assert!(scoped.resolve("clients/acmeish/x").is_err());
        let missing = Workspace::scoped(&grants, &["nowhere".into()]).err();
        assert!(missing.is_some_and(|e| e.0.contains("does not exist")));
        assert!(Workspace::scoped(&grants, &["../x".into()]).is_err());
    }

    #[test]
    fn several_grants_need_a_prefix() {
        let (_d, ws) = ws(&["downloads", "reports"]);
        let r = ws.resolve("reports/q1.xlsx").expect("ok");
        assert_eq!((r.root, r.display.as_str()), (1, "reports/q1.xlsx"));
        let err = ws.resolve("elsewhere/x").expect_err("unknown grant");
        assert!(err.0.contains("downloads, reports"), "{err}");
    }
}
