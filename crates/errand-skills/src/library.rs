//! The person's plugins, under the data folder: known marketplaces, and installed plugins
//! copied in and pinned (a git commit or a content hash), so a change at the source changes
//! nothing until `errand plugins update`. State files are written whole (temp, rename).
use crate::SkillsError;
use crate::marketplace::{Marketplace, Source, git_fetch, marketplace_file};
use crate::plugin::Plugin;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub struct Library {
    dir: PathBuf,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KnownMarketplace {
    /// What the person added: a path or a git URL.
    pub location: String,
    /// Where its marketplace.json is read from now.
    pub root: PathBuf,
    /// Cloned into the data folder (a git URL) rather than read in place.
    #[serde(default)]
    pub cloned: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Origin {
    Marketplace { marketplace: String, plugin: String },
    Path { path: PathBuf },
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Installed {
    pub name: String,
    #[serde(default)]
    pub version: Option<String>,
    pub origin: Origin,
    /// `git:COMMIT` or `sha256:HASH` of the files as installed.
    pub pin: String,
    pub enabled: bool,
    pub installed_at: String,
}

#[derive(Default, Serialize, Deserialize)]
struct State {
    #[serde(default)]
    marketplaces: BTreeMap<String, KnownMarketplace>,
    #[serde(default)]
    plugins: BTreeMap<String, Installed>,
    /// Folders whose own skills and MCP servers the person approved, with the hash of those
    /// files then: a change needs approving again.
    #[serde(default)]
    trusted_folders: BTreeMap<PathBuf, String>,
}

/// What a granted folder brings of its own: skills in `.claude/skills` or `.errand/skills`,
/// and MCP servers in `.mcp.json`. Used only once the person approves the folder.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FolderExtras {
    pub folder: PathBuf,
    pub skill_dirs: Vec<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mcp_json: Option<PathBuf>,
    /// sha256 over those files.
    pub hash: String,
}

impl FolderExtras {
    pub fn of(folder: &Path) -> FolderExtras {
        let skill_dirs: Vec<PathBuf> = [".claude/skills", ".errand/skills"]
            .iter()
            .map(|d| folder.join(d))
            .filter(|d| d.is_dir())
            .collect();
        let mcp_json = Some(folder.join(".mcp.json")).filter(|p| p.is_file());
        let mut hasher = Sha256::new();
        for dir in &skill_dirs {
            hasher.update(dir.to_string_lossy().as_bytes());
            hasher.update(content_hash(dir).unwrap_or_default().as_bytes());
        }
        if let Some(file) = &mcp_json {
            hasher.update(std::fs::read(file).unwrap_or_default());
        }
        FolderExtras {
            folder: folder.to_path_buf(),
            skill_dirs,
            mcp_json,
            hash: hex::encode(hasher.finalize()),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.skill_dirs.is_empty() && self.mcp_json.is_none()
    }
}

impl Library {
    /// The library in `dir` (the data folder's `plugins`); nothing is created until written.
    pub fn open(dir: PathBuf) -> Library {
        Library { dir }
    }

    /// Where installed plugins live: skill files are read from here, read-only.
    pub fn installed_dir(&self) -> PathBuf {
        self.dir.join("installed")
    }

    fn state(&self) -> Result<State, SkillsError> {
        let path = self.dir.join("state.json");
        match std::fs::read_to_string(&path) {
            Ok(text) => serde_json::from_str(&text).map_err(|e| {
                SkillsError::Invalid(format!(
                    "{} is damaged ({e}); move it away to start over",
                    path.display()
                ))
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(State::default()),
            Err(e) => Err(SkillsError::io(&path, e)),
        }
    }

    fn save(&self, state: &State) -> Result<(), SkillsError> {
        std::fs::create_dir_all(&self.dir).map_err(|e| SkillsError::io(&self.dir, e))?;
        let path = self.dir.join("state.json");
        let temp = self.dir.join(format!(".state.json.{}", std::process::id()));
        let text =
            serde_json::to_string_pretty(state).map_err(|e| SkillsError::Invalid(e.to_string()))?;
        std::fs::write(&temp, text).map_err(|e| SkillsError::io(&temp, e))?;
        std::fs::rename(&temp, &path).map_err(|e| SkillsError::io(&path, e))
    }

    /// Adds a marketplace from a folder (read in place) or a git URL (cloned here). It is
    /// known afterwards by the `name` in its marketplace.json.
    pub fn add_marketplace(&self, location: &str) -> Result<Marketplace, SkillsError> {
        let local = Path::new(location);
        let (root, cloned) = if local.exists() {
            let root = local
                .canonicalize()
                .map_err(|e| SkillsError::io(local, e))?;
            (root, false)
        } else if looks_like_git(location) {
            let temp = self.temp_dir("marketplace")?;
            if let Err(e) = git_fetch(location, None, None, &temp) {
                let _ = std::fs::remove_dir_all(&temp);
                return Err(e);
            }
            (temp, true)
        } else {
            return Err(SkillsError::NotFound(format!(
                "`{location}` is neither a folder here nor a git URL; give a folder holding .claude-plugin/marketplace.json, or a repository URL"
            )));
        };
        let market = match Marketplace::load(&root) {
            Ok(m) => m,
            Err(e) => {
                if cloned {
                    let _ = std::fs::remove_dir_all(&root);
                }
                return Err(e);
            }
        };
        let root = if cloned {
            let dest = self.dir.join("marketplaces").join(&market.name);
            let _ = std::fs::remove_dir_all(&dest);
            std::fs::create_dir_all(dest.parent().unwrap_or(&self.dir))
                .map_err(|e| SkillsError::io(&dest, e))?;
            std::fs::rename(&root, &dest).map_err(|e| SkillsError::io(&dest, e))?;
            dest
        } else {
            market.root.clone()
        };
        let mut state = self.state()?;
        state.marketplaces.insert(
            market.name.clone(),
            KnownMarketplace {
                location: location.to_string(),
                root: root.clone(),
                cloned,
            },
        );
        self.save(&state)?;
        Marketplace::load(&root)
    }

    pub fn marketplaces(&self) -> Result<BTreeMap<String, KnownMarketplace>, SkillsError> {
        Ok(self.state()?.marketplaces)
    }

    pub fn marketplace(&self, name: &str) -> Result<Marketplace, SkillsError> {
        let state = self.state()?;
        let known = state.marketplaces.get(name).ok_or_else(|| {
            SkillsError::NotFound(format!(
                "no marketplace named `{name}` (known: {}); add one with `errand plugins marketplace add PATH|URL`",
                names(state.marketplaces.keys())
            ))
        })?;
        Marketplace::load(&known.root)
    }

    pub fn remove_marketplace(&self, name: &str) -> Result<(), SkillsError> {
        let mut state = self.state()?;
        let known = state
            .marketplaces
            .remove(name)
            .ok_or_else(|| SkillsError::NotFound(format!("no marketplace named `{name}`")))?;
        self.save(&state)?;
        if known.cloned {
            let _ = std::fs::remove_dir_all(&known.root);
        }
        Ok(())
    }

    /// Installs `PLUGIN@MARKETPLACE` or the plugin folder at a path. A plugin with problems
    /// is refused, each named. Installing an installed plugin again replaces it.
    pub fn install(&self, spec: &str) -> Result<Installed, SkillsError> {
        if Path::new(spec).is_dir()
            && is_marketplace(Path::new(spec))
            && !Path::new(spec).join(".claude-plugin/plugin.json").is_file()
        {
            return Err(SkillsError::Invalid(format!(
                "{spec} is a marketplace, not a plugin: add it with `errand plugins marketplace add {spec}`, then install PLUGIN@MARKETPLACE"
            )));
        }
        let origin = if Path::new(spec).exists() {
            Origin::Path {
                path: Path::new(spec)
                    .canonicalize()
                    .map_err(|e| SkillsError::io(Path::new(spec), e))?,
            }
        } else if let Some((plugin, marketplace)) = spec.rsplit_once('@') {
            Origin::Marketplace {
                marketplace: marketplace.to_string(),
                plugin: plugin.to_string(),
            }
        } else {
            return Err(SkillsError::NotFound(format!(
                "`{spec}` is neither a plugin folder nor PLUGIN@MARKETPLACE"
            )));
        };
        self.install_from(origin, true)
    }

    /// Fetches the plugin again from where it came from; the pin changes only if the
    /// source did.
    pub fn update(&self, name: &str) -> Result<(Installed, String), SkillsError> {
        let old = self.installed(name)?;
        let new = self.install_from(old.origin.clone(), old.enabled)?;
        Ok((new, old.pin))
    }

    fn install_from(&self, origin: Origin, enabled: bool) -> Result<Installed, SkillsError> {
        let fetch = self.temp_dir("fetch")?;
        let result = self.install_fetched(&origin, enabled, &fetch);
        let _ = std::fs::remove_dir_all(&fetch);
        result
    }

    fn install_fetched(
        &self,
        origin: &Origin,
        enabled: bool,
        fetch: &Path,
    ) -> Result<Installed, SkillsError> {
        let (folder, commit) = match origin {
            Origin::Path { path } => (path.clone(), None),
            Origin::Marketplace {
                marketplace,
                plugin,
            } => {
                let market = self.marketplace(marketplace)?;
                let listing = market.listing(plugin)?;
                match &listing.source {
                    Source::Path { path } => (market.root.join(path), None),
                    Source::Git {
                        url,
                        reference,
                        sha,
                    } => {
                        let commit = git_fetch(url, reference.as_deref(), sha.as_deref(), fetch)?;
                        (fetch.to_path_buf(), Some(commit))
                    }
                    Source::GitSubdir {
                        url,
                        path,
                        reference,
                        sha,
                    } => {
                        let commit = git_fetch(url, reference.as_deref(), sha.as_deref(), fetch)?;
                        (fetch.join(path), Some(commit))
                    }
                    Source::Unsupported { what } => {
                        return Err(SkillsError::Invalid(format!(
                            "`{plugin}` comes from {what}, which Errand cannot fetch; install a local copy with `errand plugins install PATH`"
                        )));
                    }
                }
            }
        };
        let plugin = Plugin::load(&folder)?;
        if !plugin.problems.is_empty() {
            return Err(SkillsError::Invalid(format!(
                "the plugin in {} has problems:\n- {}",
                folder.display(),
                plugin.problems.join("\n- ")
            )));
        }
        let staged = self.temp_dir("install")?;
        copy_tree(&plugin.root, &staged)?;
        let pin = match commit {
            Some(commit) => format!("git:{commit}"),
            None => format!("sha256:{}", content_hash(&staged)?),
        };
        let dest = self.installed_dir().join(&plugin.name);
        let old = self
            .dir
            .join(format!(".old-{}-{}", plugin.name, std::process::id()));
        let had_old = dest.exists();
        if had_old {
            std::fs::rename(&dest, &old).map_err(|e| SkillsError::io(&dest, e))?;
        }
        std::fs::create_dir_all(self.installed_dir())
            .map_err(|e| SkillsError::io(&self.installed_dir(), e))?;
        if let Err(e) = std::fs::rename(&staged, &dest) {
            if had_old {
                let _ = std::fs::rename(&old, &dest);
            }
            return Err(SkillsError::io(&dest, e));
        }
        let installed = Installed {
            name: plugin.name.clone(),
            version: plugin.version.clone(),
            origin: origin.clone(),
            pin,
            enabled,
            installed_at: now(),
        };
        let mut state = self.state()?;
        state.plugins.insert(plugin.name.clone(), installed.clone());
        self.save(&state)?;
        if had_old {
            let _ = std::fs::remove_dir_all(&old);
        }
        Ok(installed)
    }

    pub fn installed(&self, name: &str) -> Result<Installed, SkillsError> {
        let state = self.state()?;
        state.plugins.get(name).cloned().ok_or_else(|| {
            SkillsError::NotFound(format!(
                "no plugin named `{name}` is installed (installed: {})",
                names(state.plugins.keys())
            ))
        })
    }

    pub fn set_enabled(&self, name: &str, enabled: bool) -> Result<(), SkillsError> {
        let mut state = self.state()?;
        let entry = state.plugins.get_mut(name).ok_or_else(|| {
            SkillsError::NotFound(format!("no plugin named `{name}` is installed"))
        })?;
        entry.enabled = enabled;
        self.save(&state)
    }

    pub fn remove(&self, name: &str) -> Result<(), SkillsError> {
        let mut state = self.state()?;
        if state.plugins.remove(name).is_none() {
            return Err(SkillsError::NotFound(format!(
                "no plugin named `{name}` is installed"
            )));
        }
        self.save(&state)?;
        let dir = self.installed_dir().join(name);
        std::fs::remove_dir_all(&dir).or_else(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                Ok(())
            } else {
                Err(SkillsError::io(&dir, e))
            }
        })
    }

    /// Every installed plugin with what its folder holds now.
    pub fn plugins(&self) -> Result<Vec<(Installed, Plugin)>, SkillsError> {
        let state = self.state()?;
        let mut out = Vec::new();
        for installed in state.plugins.into_values() {
            let plugin = Plugin::load(&self.installed_dir().join(&installed.name))?;
            out.push((installed, plugin));
        }
        Ok(out)
    }

    /// The enabled plugins only: what tasks see.
    pub fn enabled(&self) -> Result<Vec<Plugin>, SkillsError> {
        Ok(self
            .plugins()?
            .into_iter()
            .filter(|(i, _)| i.enabled)
            .map(|(_, p)| p)
            .collect())
    }

    /// Approves what `folder` brings (its skills and MCP servers) as it is now.
    pub fn trust_folder(&self, folder: &Path) -> Result<FolderExtras, SkillsError> {
        let folder = folder
            .canonicalize()
            .map_err(|e| SkillsError::io(folder, e))?;
        let extras = FolderExtras::of(&folder);
        if extras.is_empty() {
            return Err(SkillsError::NotFound(format!(
                "{} has no skills (.claude/skills, .errand/skills) and no .mcp.json to approve",
                folder.display()
            )));
        }
        let mut state = self.state()?;
        state.trusted_folders.insert(folder, extras.hash.clone());
        self.save(&state)?;
        Ok(extras)
    }

    pub fn untrust_folder(&self, folder: &Path) -> Result<(), SkillsError> {
        let folder = folder
            .canonicalize()
            .unwrap_or_else(|_| folder.to_path_buf());
        let mut state = self.state()?;
        if state.trusted_folders.remove(&folder).is_none() {
            return Err(SkillsError::NotFound(format!(
                "{} was not approved",
                folder.display()
            )));
        }
        self.save(&state)
    }

    /// What `folder` brings, and whether the person approved exactly that.
    pub fn folder_extras(&self, folder: &Path) -> (FolderExtras, bool) {
        let extras = FolderExtras::of(folder);
        let trusted = self
            .state()
            .ok()
            .and_then(|s| s.trusted_folders.get(folder).cloned())
            .is_some_and(|hash| hash == extras.hash);
        (extras, trusted)
    }

    fn temp_dir(&self, what: &str) -> Result<PathBuf, SkillsError> {
        static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = self.dir.join(format!(".{what}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&self.dir).map_err(|e| SkillsError::io(&self.dir, e))?;
        Ok(dir)
    }
}

fn looks_like_git(location: &str) -> bool {
    location.contains("://") || location.starts_with("git@") || location.ends_with(".git")
}

fn names<'a>(keys: impl Iterator<Item = &'a String>) -> String {
    let list: Vec<&str> = keys.map(String::as_str).collect();
    if list.is_empty() {
        "none".into()
    } else {
        list.join(", ")
    }
}

fn now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    secs.to_string()
}

/// Copies a plugin folder (without `.git`); symlinks are copied as what they point to only
/// when that stays inside the plugin, otherwise skipped.
fn copy_tree(from: &Path, to: &Path) -> Result<(), SkillsError> {
    std::fs::create_dir_all(to).map_err(|e| SkillsError::io(to, e))?;
    for entry in std::fs::read_dir(from).map_err(|e| SkillsError::io(from, e))? {
        let entry = entry.map_err(|e| SkillsError::io(from, e))?;
        let name = entry.file_name();
        if name == ".git" {
            continue;
        }
        let source = entry.path();
        let target = to.join(&name);
        let meta = std::fs::metadata(&source);
        let inside = source
            .canonicalize()
            .is_ok_and(|real| real.starts_with(from));
        match meta {
            Ok(meta) if meta.is_dir() && inside => copy_tree(&source, &target)?,
            Ok(meta) if meta.is_file() && inside => {
                std::fs::copy(&source, &target).map_err(|e| SkillsError::io(&source, e))?;
            }
            _ => tracing::debug!(path = %source.display(), "skipped while copying a plugin"),
        }
    }
    Ok(())
}

/// SHA-256 over every file's relative path and bytes, in sorted order.
pub fn content_hash(root: &Path) -> Result<String, SkillsError> {
    let mut files = Vec::new();
    collect_files(root, root, &mut files)?;
    files.sort();
    let mut hasher = Sha256::new();
    for rel in files {
        let bytes =
            std::fs::read(root.join(&rel)).map_err(|e| SkillsError::io(&root.join(&rel), e))?;
        hasher.update(rel.to_string_lossy().as_bytes());
        hasher.update([0]);
        hasher.update((bytes.len() as u64).to_le_bytes());
        hasher.update(&bytes);
    }
    Ok(hex::encode(hasher.finalize()))
}

fn collect_files(root: &Path, dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), SkillsError> {
    for entry in std::fs::read_dir(dir).map_err(|e| SkillsError::io(dir, e))? {
        let path = entry.map_err(|e| SkillsError::io(dir, e))?.path();
        if path.is_dir() {
            collect_files(root, &path, out)?;
        } else if let Ok(rel) = path.strip_prefix(root) {
            out.push(rel.to_path_buf());
        }
    }
    Ok(())
}

/// Whether `path` is a marketplace folder (for `install PATH` hints).
pub fn is_marketplace(path: &Path) -> bool {
    marketplace_file(path).is_file()
}

/// One installed plugin as `errand plugins list --json` and the workspace show it: what its
/// folder holds, by name.
pub fn row(installed: &Installed, plugin: &Plugin) -> serde_json::Value {
    let origin = match &installed.origin {
        Origin::Marketplace {
            marketplace,
            plugin,
        } => format!("{plugin}@{marketplace}"),
        Origin::Path { path } => path.display().to_string(),
    };
    serde_json::json!({
        "name": installed.name,
        "version": installed.version,
        "description": plugin.description,
        "enabled": installed.enabled,
        "origin": origin,
        "pin": installed.pin,
        "path": plugin.root,
        "skills": plugin.skills.iter().map(|s| &s.name).collect::<Vec<_>>(),
        "commands": plugin.commands.iter().map(|c| &c.name).collect::<Vec<_>>(),
        "agents": plugin.agents.iter().map(|a| &a.name).collect::<Vec<_>>(),
        "hooks": plugin.hooks,
        "mcp_servers": plugin.mcp_servers,
    })
}
