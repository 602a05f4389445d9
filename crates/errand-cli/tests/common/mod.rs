//! Drives the real `errand` binary the way a person or a script would.
#![allow(dead_code)] // each test file uses its own subset of these helpers

pub mod plugins;

use std::collections::BTreeMap;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub struct Env {
    pub home: tempfile::TempDir,
    pub work: tempfile::TempDir,
}

impl Env {
    pub fn new() -> Env {
        Env {
            home: tempfile::tempdir().expect("home"),
            work: tempfile::tempdir().expect("work"),
        }
    }

    /// A folder inside the scratch area (created).
    pub fn dir(&self, name: &str) -> PathBuf {
        let path = self.work.path().join(name);
        std::fs::create_dir_all(&path).expect("mkdir");
        path
    }

    pub fn cmd(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_errand"));
        cmd.env("ERRAND_HOME", self.home.path())
            .env("ERRAND_CONFIG", self.work.path().join("no-config.toml"))
            // The person's instructions.md lives under it: never the real one.
            .env("XDG_CONFIG_HOME", self.home.path().join("xdg-config"))
            .env_remove("ERRAND_MODEL")
            .env_remove("ANTHROPIC_API_KEY")
            .env_remove("OPENAI_API_KEY")
            .stdin(Stdio::null());
        cmd
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd().args(args).output().expect("run errand")
    }

    /// `errand --json run OUTCOME --model MODEL --mode auto --folder FOLDER`.
    pub fn run_auto(&self, outcome: &str, model: &str, folder: &Path) -> Output {
        self.cmd()
            .args([
                "--json", "run", outcome, "--model", model, "--mode", "auto", "--folder",
            ])
            .arg(folder)
            .output()
            .expect("run errand")
    }

    /// Writes a scripted model file and returns its `scripted:` spec.
    pub fn script(&self, name: &str, turns: serde_json::Value) -> String {
        let path = self.work.path().join(name);
        std::fs::write(&path, serde_json::json!({ "turns": turns }).to_string()).expect("script");
        format!("scripted:{}", path.display())
    }
}

pub fn code(out: &Output) -> i32 {
    out.status.code().unwrap_or(-1)
}

pub fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The JSON event lines of a `--json` run.
pub fn events(out: &Output) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

/// The `tool_finished` event of the call with this id.
pub fn tool_result<'a>(events: &'a [serde_json::Value], call_id: &str) -> &'a serde_json::Value {
    events
        .iter()
        .find(|e| e["type"] == "tool_finished" && e["call_id"] == call_id)
        .unwrap_or_else(|| panic!("no result for {call_id}"))
}

pub fn task_id(out: &Output) -> String {
    events(out)
        .iter()
        .find_map(|e| {
            (e["type"] == "task_created")
                .then(|| e["task_id"].as_str().map(str::to_string))
                .flatten()
        })
        .expect("a task_created event")
}

/// path → (sha256, size, mtime in ns) for every regular file under `dir`.
pub fn tree(dir: &Path) -> BTreeMap<String, (String, u64, i64)> {
    use sha2::{Digest, Sha256};
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        for entry in std::fs::read_dir(&current).expect("read_dir") {
            let entry = entry.expect("entry");
            let meta = std::fs::symlink_metadata(entry.path()).expect("meta");
            if meta.is_dir() {
                stack.push(entry.path());
            } else if meta.is_file() {
                let bytes = std::fs::read(entry.path()).expect("read");
                let rel = entry
                    .path()
                    .strip_prefix(dir)
                    .expect("rel")
                    .to_string_lossy()
                    .into_owned();
                let mtime = meta.mtime() * 1_000_000_000 + meta.mtime_nsec();
                out.insert(
                    rel,
                    (hex::encode(Sha256::digest(&bytes)), meta.len(), mtime),
                );
            }
        }
    }
    out
}

/// Every folder under `dir`, relative.
pub fn folders(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        for entry in std::fs::read_dir(&current).expect("read_dir").flatten() {
            if entry.file_type().map(|t| t.is_dir()).unwrap_or(false) {
                out.push(
                    entry
                        .path()
                        .strip_prefix(dir)
                        .expect("rel")
                        .to_string_lossy()
                        .into_owned(),
                );
                stack.push(entry.path());
            }
        }
    }
    out.sort();
    out
}

/// path → mtime (ns) of every folder under `dir`, and of `dir` itself as "".
pub fn folder_times(dir: &Path) -> BTreeMap<String, i64> {
    let mut out = BTreeMap::new();
    let meta = std::fs::metadata(dir).expect("meta");
    out.insert(
        String::new(),
        meta.mtime() * 1_000_000_000 + meta.mtime_nsec(),
    );
    for rel in folders(dir) {
        let meta = std::fs::metadata(dir.join(&rel)).expect("meta");
        out.insert(rel, meta.mtime() * 1_000_000_000 + meta.mtime_nsec());
    }
    out
}

/// `errand --json run OUTCOME --folder FOLDER` in auto mode against a loopback server that
/// plays the OpenAI chat API.
pub fn run_with(
    env: &Env,
    server: &errand_testkit::ReplayServer,
    outcome: &str,
    folder: &Path,
) -> std::process::Output {
    env.cmd()
        .env("OPENAI_API_KEY", "sk-proj-loopback-0000000000")
        .env("OPENAI_BASE_URL", format!("{}/v1", server.url))
        .args([
            "--json",
            "run",
            "--model",
            "openai:gpt-4.1",
            "--mode",
            "auto",
            outcome,
            "--folder",
        ])
        .arg(folder)
        .output()
        .expect("run")
}

/// The path of `@modelcontextprotocol/server-everything`, installed by `.ci/run`.
pub fn everything_server() -> String {
    let bin = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../errand-mcp/tests/servers/node_modules/.bin/mcp-server-everything"
    ));
    assert!(
        bin.exists(),
        "the MCP test servers are not installed: run `npm ci --prefix crates/errand-mcp/tests/servers` (or .ci/run)"
    );
    bin.display().to_string()
}
