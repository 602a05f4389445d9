//! `sandbox = true`: a stdio server started inside Errand's sandbox. It may write only the
//! task's writable folders and its own data folder, read the task's other folders, the
//! system, the toolchain and its own install, and use the network only if allowed (all of it,
//! or only the hosts of `allow_hosts`, through Errand's allowlisting proxy). Its
//! environment is PATH, LANG and what its configuration names: nothing else of Errand's.
use crate::config::ServerConfig;
use std::path::{Path, PathBuf};

/// The folders a task grants, as the server may use them.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    /// (folder, writable)
    pub folders: Vec<(PathBuf, bool)>,
    /// Where servers keep their own files (`DATA/mcp`); each gets `NAME/` under it.
    pub data: Option<PathBuf>,
}

impl Scope {
    pub fn roots(&self) -> Vec<PathBuf> {
        self.folders.iter().map(|(p, _)| p.clone()).collect()
    }
}

/// The command, confined, and its allowlisting proxy to start once it is spawned.
pub fn command(
    server: &str,
    program: &str,
    config: &ServerConfig,
    scope: &Scope,
    env: &(dyn Fn(&str) -> Option<String> + Sync),
) -> Result<
    (
        tokio::process::Command,
        Option<errand_sandbox::PendingProxy>,
    ),
    String,
> {
    let resolved = resolve(program).ok_or_else(|| {
        format!("`{program}` was not found; install it or give its full path in `command`")
    })?;
    let data = scope
        .data
        .as_ref()
        .map(|d| d.join(server))
        .ok_or("Errand has no data folder to give the server")?;
    let mut read_write: Vec<PathBuf> = vec![data.join("files")];
    let mut read_only: Vec<PathBuf> = install_root(&resolved).into_iter().collect();
    // An interpreter's script (`python3 server.py`, `node dist/index.js`): the file itself,
    // or its whole `node_modules`. Folders among the arguments are not granted: they are
    // what the server is told it may use, which the sandbox is there to bound.
    for arg in &config.args {
        let path = Path::new(arg);
        if path.is_absolute() && path.is_file() {
            read_only.extend(package_root(path).or_else(|| Some(path.to_path_buf())));
        }
    }
    for (folder, writable) in &scope.folders {
        if *writable {
            read_write.push(folder.clone());
        } else {
            read_only.push(folder.clone());
        }
    }
    read_only.extend(config.read.iter().cloned());
    if let Some(cwd) = &config.cwd {
        read_only.push(cwd.clone());
    }
    for dir in &read_write {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let confinement = errand_sandbox::Confinement {
        read_write,
        read_only,
        scratch: data.join("home"),
        network: if !config.allow_hosts.is_empty() {
            errand_sandbox::NetworkAccess::Hosts(config.allow_hosts.clone())
        } else if config.network.unwrap_or(true) {
            errand_sandbox::NetworkAccess::All
        } else {
            errand_sandbox::NetworkAccess::Off
        },
        limits: errand_sandbox::Limits {
            // A server lives as long as the task; its CPU is bounded by the task, not here.
            cpu_seconds: 24 * 3600,
            timeout: std::time::Duration::from_secs(24 * 3600),
            // An address-space cap, not a memory one: Node reserves gigabytes it never touches.
            memory_bytes: 64 << 30,
            ..errand_sandbox::Limits::default()
        },
        overlays: Vec::new(),
    };
    let mut std_command = std::process::Command::new(&resolved);
    std_command.args(&config.args).env_clear();
    std_command.env(
        "PATH",
        std::env::var("PATH").unwrap_or_else(|_| "/usr/bin:/bin".into()),
    );
    std_command.env(
        "LANG",
        std::env::var("LANG").unwrap_or_else(|_| "C.UTF-8".into()),
    );
    for (key, value) in &config.env {
        std_command.env(key, crate::config::expand_env(value, env));
    }
    let cwd = config
        .cwd
        .clone()
        .or_else(|| scope.folders.first().map(|(p, _)| p.clone()))
        .unwrap_or_else(|| data.join("files"));
    let proxy =
        errand_sandbox::confine(&mut std_command, &cwd, &confinement).map_err(|e| e.to_string())?;
    Ok((tokio::process::Command::from(std_command), proxy))
}

/// `program` as a path: itself when it has a slash, else found on PATH.
fn resolve(program: &str) -> Option<PathBuf> {
    if program.contains('/') {
        let path = PathBuf::from(program);
        return path.exists().then_some(path);
    }
    errand_core::program::find_program(program)
}

/// What the server needs to read to run: for a package under `node_modules`, that whole
/// `node_modules` (its dependencies sit beside it); else the folder holding the program.
fn install_root(program: &Path) -> Option<PathBuf> {
    let real = std::fs::canonicalize(program).ok()?;
    package_root(&real).or_else(|| real.parent().map(Path::to_path_buf))
}

/// The outermost `node_modules` holding `path`, if any.
fn package_root(path: &Path) -> Option<PathBuf> {
    let real = std::fs::canonicalize(path).ok()?;
    real.ancestors()
        .filter(|a| a.file_name().is_some_and(|n| n == "node_modules"))
        .last()
        .map(Path::to_path_buf)
}
