//! `errand sandbox check` and `errand sandbox run -- CMD`.
use crate::app::SandboxAction;
use crate::exit::{Exit, ExitCode};
use anyhow::Result;
use errand_sandbox::{Confinement, Ending, Limits, NetworkAccess};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

pub fn sandbox(action: SandboxAction, json: bool) -> Result<ExitCode> {
    match action {
        SandboxAction::Check => check(json),
        SandboxAction::Run {
            folders,
            read_only,
            network,
            allow_hosts,
            timeout,
            command,
        } => run(
            folders,
            read_only,
            (network, allow_hosts),
            timeout,
            &command.join(" "),
        ),
    }
}

fn check(json: bool) -> Result<ExitCode> {
    let report = errand_sandbox::check();
    if json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        for layer in &report.layers {
            let mark = if layer.available { "yes" } else { "NO " };
            println!("{mark}  {:<11} {}", layer.name, layer.detail);
        }
        if report.complete() {
            println!("run_command is confined by every layer above.");
        } else {
            println!(
                "run_command is refused here (missing: {}); `--unsafe-no-sandbox` runs commands unconfined, at your risk.",
                report.missing().join(", ")
            );
        }
    }
    Ok(if report.complete() {
        ExitCode::Done
    } else {
        ExitCode::Failed
    })
}

fn run(
    folders: Vec<std::path::PathBuf>,
    read_only: Vec<std::path::PathBuf>,
    (network, allow_hosts): (bool, Vec<String>),
    timeout: u64,
    command: &str,
) -> Result<ExitCode> {
    let canonical = |paths: Vec<std::path::PathBuf>| -> Result<Vec<std::path::PathBuf>> {
        paths
            .into_iter()
            .map(|p| {
                p.canonicalize().map_err(|e| {
                    Exit::usage(format!("cannot use the folder {}: {e}", p.display())).into()
                })
            })
            .collect()
    };
    let folders = canonical(folders)?;
    let read_only = canonical(read_only)?;
    let scratch = tempfile::tempdir()?;
    let cwd = folders
        .first()
        .cloned()
        .unwrap_or_else(|| scratch.path().to_path_buf());
    let confinement = Confinement {
        read_write: folders,
        read_only,
        scratch: scratch.path().join("scratch"),
        network: match (network, allow_hosts.is_empty()) {
            (true, _) => NetworkAccess::All,
            (false, false) => NetworkAccess::Hosts(allow_hosts),
            (false, true) => NetworkAccess::Off,
        },
        limits: Limits {
            timeout: std::time::Duration::from_secs(timeout),
            ..Limits::default()
        },
        // Debugging the confinement itself: changes land directly, with no journal.
        overlays: Vec::new(),
    };
    let cancel = Arc::new(AtomicBool::new(false));
    let outcome = errand_sandbox::run(command, &cwd, &confinement, &cancel)
        .map_err(|e| Exit::usage(e.to_string()))?;
    print!("{}", outcome.stdout);
    eprint!("{}", outcome.stderr);
    match outcome.ending {
        Ending::Exited(0) => Ok(ExitCode::Done),
        Ending::Exited(code) => {
            eprintln!("(exit {code}, {:?})", outcome.elapsed);
            Ok(ExitCode::Failed)
        }
        Ending::Signalled(signal) => {
            eprintln!("(killed by signal {signal})");
            Ok(ExitCode::Failed)
        }
        Ending::TimedOut => {
            eprintln!("(stopped after {timeout} s; everything it started was killed)");
            Ok(ExitCode::Failed)
        }
        Ending::Cancelled => Ok(ExitCode::Cancelled),
    }
}
