//! The `errand` binary: parse the command line, run one command, exit with its code.
mod app;
mod daemon;
mod demo;
mod display;
mod drive;
mod eval;
mod exit;
mod manage;
mod mcp;
mod memory;
mod models;
mod plugins;
mod project;
mod sandbox;
mod schedule;
mod serve;
mod steer;
mod watch;

use anyhow::Result;
use app::{Cli, Command, TrashAction};
use clap::Parser;
use drive::Output;
use exit::{Exit, ExitCode};

fn main() {
    let code = match try_main() {
        Ok(code) => code,
        Err(e) => {
            if let Some(exit) = e.downcast_ref::<Exit>() {
                eprintln!("errand: {exit}");
                ExitCode::Usage
            } else if let Some(error) = e.downcast_ref::<errand_runtime::RuntimeError>() {
                eprintln!("errand: {error}");
                match error.kind {
                    errand_runtime::ErrorKind::Internal => ExitCode::Failed,
                    _ => ExitCode::Usage,
                }
            } else {
                eprintln!("errand: {e:#}");
                ExitCode::Failed
            }
        }
    };
    std::process::exit(code as i32);
}

fn try_main() -> Result<ExitCode> {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            // rmcp logs a server's failures itself; Errand reports them in words instead.
            tracing_subscriber::EnvFilter::try_from_env("ERRAND_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("error,rmcp=off")),
        )
        .with_writer(std::io::stderr)
        .init();
    let output = Output::detect(cli.json, cli.no_input);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    match cli.command {
        Command::Run(args) => runtime.block_on(drive::run(args, output)),
        Command::Tasks => manage::tasks(cli.json),
        Command::Models => runtime.block_on(models::models(cli.json)),
        Command::Show { task } => manage::show(&task, cli.json),
        Command::Approve { task, always } => {
            runtime.block_on(drive::answer(&task, true, always, output))
        }
        Command::Deny { task } => runtime.block_on(drive::answer(&task, false, false, output)),
        Command::Resume { task, hold } => runtime.block_on(drive::resume(&task, hold, output)),
        Command::Cancel { task } => steer::cancel(&task),
        Command::Say { task, message } => steer::say(&task, &message, cli.json),
        Command::Pause { task } => steer::pause(&task, cli.json),
        Command::Continue { task } => runtime.block_on(steer::resume_paused(&task, output)),
        Command::Answer { task, answer } => runtime.block_on(steer::answer(&task, &answer, output)),
        Command::Watch { task } => runtime.block_on(watch::watch(&task, output)),
        Command::Undo { task } => manage::undo(&task, cli.json),
        Command::Trash {
            action: None | Some(TrashAction::List),
        } => manage::trash_list(cli.json),
        Command::Trash {
            action: Some(TrashAction::Restore { id }),
        } => manage::trash_restore(id),
        Command::DemoFolder {
            dir,
            kind,
            files,
            seed,
        } => demo_folder(&dir, kind, files, seed),
        Command::Mcp { action } => runtime.block_on(mcp::mcp(action, cli.json)),
        Command::Plugins { action } => plugins::plugins(action, cli.json),
        Command::Skills { action } => {
            runtime.block_on(plugins::skills(action, cli.json, cli.no_input))
        }
        Command::Commands => plugins::commands(cli.json),
        Command::Sandbox { action } => sandbox::sandbox(action, cli.json),
        Command::Serve(args) => runtime.block_on(serve::serve(args)),
        Command::Schedule { action } => {
            runtime.block_on(schedule::schedule(action, cli.json, output))
        }
        Command::Daemon { action } => daemon::daemon(action, cli.json),
        Command::Memory { action } => memory::memory(action, cli.json),
        Command::Project { action } => project::project(action, cli.json),
        Command::Eval(args) => runtime.block_on(eval::eval(args, cli.json)),
        Command::HashListing { dir } => {
            for line in demo::hash_listing(&dir)? {
                println!("{line}");
            }
            Ok(ExitCode::Done)
        }
    }
}

/// `errand demo-folder DIR`: a messy folder to try Errand on.
fn demo_folder(
    dir: &std::path::Path,
    kind: app::DemoKind,
    files: usize,
    seed: u64,
) -> Result<ExitCode> {
    let cannot = |e: std::io::Error| {
        Exit::usage(format!(
            "cannot make the demo folder {}: {e}",
            dir.display()
        ))
    };
    let made = match kind {
        app::DemoKind::Notes => {
            let n = demo::make_notes(dir).map_err(cannot)?;
            format!("{n} notes (Markdown and text)")
        }
        app::DemoKind::Sales => {
            let n = demo::make_sales(dir).map_err(cannot)?;
            format!("orders-2026.csv ({n} orders)")
        }
        app::DemoKind::Receipts => {
            let report = demo::make_receipts(dir).map_err(cannot)?;
            format!(
                "{} files (text and PDF receipts, a bank export, 4 photos of receipts)",
                report.files
            )
        }
        app::DemoKind::ReceiptPhotos => {
            // The truth goes to stdout (the bench keeps it outside the folder it measures).
            let truth = demo::make_receipt_photos(dir, files, seed).map_err(cannot)?;
            println!("file,total");
            for (name, total) in &truth {
                println!("{name},{}.{:02}", total / 100, total % 100);
            }
            eprintln!("Made {} receipt photos in {}", truth.len(), dir.display());
            return Ok(ExitCode::Done);
        }
        app::DemoKind::Downloads => {
            let report =
                demo::make_demo_folder(dir, &demo::DemoSpec { files, seed }).map_err(cannot)?;
            format!(
                "{} files ({} photos with EXIF dates, {} KB)",
                report.files,
                report.photos_with_exif,
                report.bytes / 1024
            )
        }
    };
    println!("Made {made} in {}", dir.display());
    Ok(ExitCode::Done)
}
