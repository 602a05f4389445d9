//! `run_command`: a shell command in the sandbox. Read-write grants are mounted through an
//! overlay, so the command changes nothing real while it runs; afterwards its writes and
//! deletions are applied through the journal (deleted files go to the task's trash, replaced
//! ones are saved), so `errand undo` reverses a command like any other call, and a command
//! cut off by a crash is simply run again: none of its effects had landed.
use crate::changes::{Change, collect};
use crate::exec::{BatchReport, run_journaled};
use crate::workspace::{Workspace, io_error, mode_of, stamp_of};
use crate::write::{made_by_task, missing_dirs, save_before, spec};
use async_trait::async_trait;
use errand_core::tool::{Assessment, input_schema, parse_input};
use errand_core::{
    Effect, JournalOp, Saved, SavedFile, Tool, ToolContext, ToolError, ToolOutput, ToolRegistry,
    ToolSpec,
};
use errand_sandbox::{Confinement, Ending, Limits, Outcome, Overlay};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

const DEFAULT_TIMEOUT_S: u64 = 120;
const MAX_TIMEOUT_S: u64 = 3600;
/// Written beside a call's overlay once the command has ended, with its outcome: a resumed
/// call then applies what the command did instead of running it again.
const ENDED_MARKER: &str = "ended.json";

/// How commands run; set by the person, never by the model.
#[derive(Debug, Clone, Default)]
pub struct CommandSettings {
    /// Run commands without the sandbox where it cannot be set up (`--unsafe-no-sandbox`).
    pub unsandboxed: bool,
    /// Extra folders commands may read (config `sandbox.read`).
    pub extra_read: Vec<PathBuf>,
    /// Network access for commands.
    pub network: errand_core::Network,
}

pub fn register(registry: &mut ToolRegistry, ws: &Arc<Workspace>, settings: CommandSettings) {
    registry.register(Arc::new(RunCommand {
        ws: ws.clone(),
        settings,
    }));
}

struct RunCommand {
    ws: Arc<Workspace>,
    settings: CommandSettings,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct CommandInput {
    /// Run with `sh -c`.
    command: String,
    /// Folder to run in, default the first granted folder.
    cwd: Option<String>,
    /// Seconds before it and everything it started are stopped; default 120.
    timeout_s: Option<u64>,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Ended {
    ending: String,
    code: Option<i32>,
    stdout: String,
    stderr: String,
    millis: u128,
}

#[async_trait]
impl Tool for RunCommand {
    fn spec(&self) -> ToolSpec {
        spec(
            "run_command",
            "Run a shell command in a sandbox: read the system, read-write only granted folders; no network unless granted. Its file changes are journaled (undoable).",
            input_schema::<CommandInput>(),
        )
    }
    fn effect(&self) -> Effect {
        Effect::Exec
    }
    fn assess(&self, _ctx: &ToolContext, input: &Value) -> Result<Assessment, ToolError> {
        let i: CommandInput = parse_input("run_command", input)?;
        if i.command.trim().is_empty() {
            return Err(ToolError::new("run_command needs a non-empty `command`"));
        }
        let cwd = self.ws.resolve(i.cwd.as_deref().unwrap_or("."))?;
        Ok(Assessment {
            summary: format!("run `{}` in {}", i.command, cwd.display),
            preview: vec![i.command.clone()],
            // Rules match the command line: `run_command(git status*)`.
            subjects: vec![i.command],
            replaces_existing: false,
            no_lease: false,
            always_ask: None,
        })
    }
    async fn call(&self, ctx: &ToolContext, input: Value) -> Result<ToolOutput, ToolError> {
        let i: CommandInput = parse_input("run_command", &input)?;
        let cwd = self.ws.resolve(i.cwd.as_deref().unwrap_or("."))?;
        let grant_path = self.ws.root(cwd.root).grant.path.clone();
        let cwd_path = grant_path.join(&cwd.rel);
        if !cwd_path.is_dir() {
            return Err(ToolError(format!("`{}` is not a folder", cwd.display)));
        }
        let timeout = Duration::from_secs(
            i.timeout_s
                .unwrap_or(DEFAULT_TIMEOUT_S)
                .clamp(1, MAX_TIMEOUT_S),
        );
        let report = errand_sandbox::check();
        if !report.complete() {
            if !self.settings.unsandboxed {
                return Err(ToolError(format!(
                    "run_command is refused: this machine cannot sandbox commands (missing: {}). \
                     `errand sandbox check` says why; the person may opt in to unconfined \
                     commands with --unsafe-no-sandbox",
                    report.missing().join(", ")
                )));
            }
            return self
                .run_unconfined(ctx, &i.command, &cwd_path, timeout)
                .await;
        }
        let scratch = ctx.store.home().join("scratch").join(&ctx.task_id);
        let call_dir = scratch.join("calls").join(&ctx.call_id);
        let writable: Vec<(usize, PathBuf)> = self
            .ws
            .roots()
            .iter()
            .enumerate()
            .filter(|(_, r)| r.grant.writable)
            .map(|(i, r)| (i, r.grant.path.clone()))
            .collect();
        let overlays: Vec<Overlay> = writable
            .iter()
            .map(|(i, path)| Overlay {
                grant: path.clone(),
                upper: call_dir.join(format!("upper{i}")),
                work: call_dir.join(format!("work{i}")),
            })
            .collect();
        let marker = call_dir.join(ENDED_MARKER);
        // A command that ended on its own is applied, never run twice; one the person
        // stopped had none of its effects land, and runs again.
        let ended = match std::fs::read(&marker) {
            Ok(bytes) if ctx.resuming => serde_json::from_slice::<Ended>(&bytes)
                .ok()
                .filter(|e| e.ending != "cancelled"),
            _ => None,
        };
        let ended = match ended {
            Some(ended) => ended,
            None => {
                // Anything left from an interrupted run never reached the folder: start over.
                let _ = std::fs::remove_dir_all(&call_dir);
                for o in &overlays {
                    for dir in [&o.upper, &o.work] {
                        std::fs::create_dir_all(dir)
                            .map_err(|e| ToolError(format!("cannot prepare the sandbox: {e}")))?;
                    }
                }
                let confinement = Confinement {
                    read_write: writable.iter().map(|(_, p)| p.clone()).collect(),
                    read_only: self
                        .ws
                        .roots()
                        .iter()
                        .filter(|r| !r.grant.writable)
                        .map(|r| r.grant.path.clone())
                        .chain(self.settings.extra_read.iter().cloned())
                        .collect(),
                    scratch: scratch.join("tmp"),
                    network: match &self.settings.network {
                        errand_core::Network::Off => errand_sandbox::NetworkAccess::Off,
                        errand_core::Network::Hosts(hosts) => {
                            errand_sandbox::NetworkAccess::Hosts(hosts.clone())
                        }
                        errand_core::Network::All => errand_sandbox::NetworkAccess::All,
                    },
                    limits: Limits {
                        timeout,
                        ..Limits::default()
                    },
                    overlays,
                };
                let command = i.command.clone();
                let interrupt = ctx.interrupt.clone();
                let cwd_path = cwd_path.clone();
                let outcome = tokio::task::spawn_blocking(move || {
                    errand_sandbox::run(&command, &cwd_path, &confinement, &interrupt)
                })
                .await
                .map_err(|e| ToolError(format!("the command runner failed: {e}")))?
                .map_err(|e| ToolError(e.to_string()))?;
                let ended = ended_of(&outcome);
                let bytes = serde_json::to_vec(&ended).unwrap_or_default();
                std::fs::write(&marker, bytes)
                    .map_err(|e| ToolError(format!("cannot record the command's end: {e}")))?;
                ended
            }
        };
        if ctx.interrupted() {
            // Stopped by the person: resume applies what it did from the marker.
            return Err(ToolError::new("stopped"));
        }
        let applied = self.apply(ctx, &call_dir)?;
        // The layers go; the marker stays, so a resume after this point never runs the
        // command a second time.
        for (i, _) in &writable {
            let _ = std::fs::remove_dir_all(call_dir.join(format!("upper{i}")));
            let _ = std::fs::remove_dir_all(call_dir.join(format!("work{i}")));
        }
        let text = describe(&i.command, &ended, &applied);
        if ended.ending == "exited" && ended.code == Some(0) {
            Ok(ToolOutput::text(text))
        } else {
            Err(ToolError(text))
        }
    }
}

fn ended_of(outcome: &Outcome) -> Ended {
    let (ending, code) = match outcome.ending {
        Ending::Exited(code) => ("exited", Some(code)),
        Ending::Signalled(signal) => ("signalled", Some(signal)),
        Ending::TimedOut => ("timed out", None),
        Ending::Cancelled => ("cancelled", None),
    };
    Ended {
        ending: ending.to_string(),
        code,
        stdout: outcome.stdout.clone(),
        stderr: outcome.stderr.clone(),
        millis: outcome.elapsed.as_millis(),
    }
}

/// What the command did, with what it printed and what changed in the folders.
fn describe(command: &str, ended: &Ended, applied: &Applied) -> String {
    let status = match (ended.ending.as_str(), ended.code) {
        ("exited", Some(code)) => format!("exit {code}"),
        ("signalled", Some(signal)) => format!("killed by signal {signal}"),
        (other, _) => other.to_string(),
    };
    let mut text = format!("`{command}`: {status} after {} ms", ended.millis);
    if !ended.stdout.is_empty() {
        text.push_str(&format!("\nstdout:\n{}", ended.stdout.trim_end()));
    }
    if !ended.stderr.is_empty() {
        text.push_str(&format!("\nstderr:\n{}", ended.stderr.trim_end()));
    }
    let r = &applied.report;
    let (written, trashed, folders) = (r.count("write"), r.count("trash"), r.count("create_dir"));
    if written + trashed + folders > 0 {
        text.push_str(&format!(
            "\nchanges (journaled, undoable): {written} files written, {trashed} deleted to the task's trash, {folders} folders made"
        ));
    }
    for line in r.failure_lines(10) {
        text.push_str(&format!("\nnot applied: {line}"));
    }
    for (path, why) in &applied.skipped {
        text.push_str(&format!("\nnot carried over: {path} ({why})"));
    }
    text
}

/// A change a command made that is not carried over: (path, why).
type NotCarried = (String, &'static str);

struct Applied {
    report: BatchReport,
    skipped: Vec<NotCarried>,
}

impl RunCommand {
    /// Applies each overlay's changes to its grant through the journal.
    fn apply(&self, ctx: &ToolContext, call_dir: &Path) -> Result<Applied, ToolError> {
        let ws = &self.ws;
        let mut changes: Vec<(usize, Change)> = Vec::new();
        for (index, root) in ws.roots().iter().enumerate() {
            let upper = call_dir.join(format!("upper{index}"));
            if !root.grant.writable || !upper.is_dir() {
                continue;
            }
            let found = collect(&upper, &root.grant.path)
                .map_err(|e| ToolError(format!("cannot read what the command changed: {e}")))?;
            changes.extend(found.into_iter().map(|c| (index, c)));
        }
        let mut skipped: Vec<NotCarried> = changes
            .iter()
            .filter_map(|(root, c)| match c {
                Change::Skipped { rel, why } => Some((ws.display(*root, rel), *why)),
                _ => None,
            })
            .collect();
        if !ctx.person_approved {
            let (kept, withheld) = self.withhold_unapproved(ctx, changes);
            changes = kept;
            skipped.extend(withheld);
        }
        let uppers: std::collections::HashMap<String, PathBuf> = changes
            .iter()
            .filter_map(|(root, c)| match c {
                Change::File { rel, upper } => Some((ws.display(*root, rel), upper.clone())),
                _ => None,
            })
            .collect();
        let report = run_journaled(
            ws,
            ctx,
            "applying",
            || self.plan(ctx, &changes),
            &|op| match op {
                JournalOp::Write { path, .. } => {
                    uppers.get(path).and_then(|p| std::fs::read(p).ok())
                }
                _ => None,
            },
        )?;
        Ok(Applied { report, skipped })
    }

    /// A command the person did not approve themselves (auto mode, a rule, an earlier
    /// "always") may not delete or replace files the task did not make, as write_file and
    /// trash_path may not without asking: an instruction planted in a file could otherwise
    /// empty a folder through `rm`. Those changes are left out and named.
    fn withhold_unapproved(
        &self,
        ctx: &ToolContext,
        changes: Vec<(usize, Change)>,
    ) -> (Vec<(usize, Change)>, Vec<NotCarried>) {
        let ws = &self.ws;
        let mut withheld = Vec::new();
        let kept = changes
            .into_iter()
            .filter(|(root, change)| {
                let why = match change {
                    Change::Deleted(_) => {
                        "deleting needs the person's approval; use trash_path, which asks"
                    }
                    Change::File { rel, .. } => {
                        let display = ws.display(*root, rel);
                        let exists = ws
                            .resolve(&display)
                            .and_then(|r| ws.parent(&r))
                            .is_ok_and(|(dir, name)| dir.symlink_metadata(&name).is_ok());
                        if !exists || made_by_task(ctx, &display) {
                            return true;
                        }
                        "replacing a file the task did not make needs the person's approval; use write_file, which asks"
                    }
                    _ => return true,
                };
                if let Change::Deleted(rel) | Change::File { rel, .. } = change {
                    withheld.push((ws.display(*root, rel), why));
                }
                false
            })
            .collect();
        (kept, withheld)
    }

    fn plan(
        &self,
        ctx: &ToolContext,
        changes: &[(usize, Change)],
    ) -> Result<Vec<JournalOp>, ToolError> {
        let ws = &self.ws;
        let mut ops = Vec::new();
        let mut known = HashSet::new();
        for (n, (root, change)) in changes.iter().enumerate() {
            match change {
                Change::Deleted(rel) => {
                    let display = ws.display(*root, rel);
                    let r = ws.resolve(&display)?;
                    let (dir, name) = ws.parent(&r)?;
                    let meta = dir
                        .symlink_metadata(&name)
                        .map_err(|e| io_error(&display, e))?;
                    let entry = format!("{}-{n}-{}", ctx.call_id, name.to_string_lossy());
                    ops.push(JournalOp::Trash {
                        path: display,
                        saved: SavedFile {
                            saved: Saved::Trash {
                                rel: format!("{}/{entry}", ctx.task_id),
                            },
                            stamp: stamp_of(&meta),
                            mode: mode_of(&meta),
                        },
                    });
                }
                Change::Folder(rel) => ops.extend(missing_dirs(ws, *root, rel, &mut known)?),
                Change::File { rel, upper } => {
                    let display = ws.display(*root, rel);
                    let r = ws.resolve(&display)?;
                    ops.extend(missing_dirs(ws, *root, r.parent_rel(), &mut known)?);
                    let content = std::fs::read(upper).map_err(|e| io_error(&display, e))?;
                    ops.push(JournalOp::Write {
                        before: save_before(ws, ctx, &r)?,
                        path: display,
                        after_sha256: crate::ops::sha256_hex(&content),
                    });
                }
                Change::Skipped { .. } => {}
            }
        }
        Ok(ops)
    }

    /// Only where the person opted in: no confinement and no journal, said plainly.
    async fn run_unconfined(
        &self,
        ctx: &ToolContext,
        command: &str,
        cwd: &Path,
        timeout: Duration,
    ) -> Result<ToolOutput, ToolError> {
        let command_owned = command.to_string();
        let cwd = cwd.to_path_buf();
        let interrupt = ctx.interrupt.clone();
        let limits = Limits {
            timeout,
            ..Limits::default()
        };
        let outcome = tokio::task::spawn_blocking(move || {
            errand_sandbox::run_unconfined(&command_owned, &cwd, &limits, &interrupt)
        })
        .await
        .map_err(|e| ToolError(format!("the command runner failed: {e}")))?
        .map_err(|e| ToolError(e.to_string()))?;
        let ended = ended_of(&outcome);
        let applied = Applied {
            report: BatchReport::default(),
            skipped: Vec::new(),
        };
        let text = format!(
            "{}\n(run WITHOUT the sandbox, as the person allowed: its changes are not journaled)",
            describe(command, &ended, &applied)
        );
        if ended.ending == "exited" && ended.code == Some(0) {
            Ok(ToolOutput::text(text))
        } else {
            Err(ToolError(text))
        }
    }
}
