//! `errand eval`: runs the suite and prints what each task did; the grading lives in
//! `errand-eval`.
use crate::app::EvalArgs;
use crate::exit::{Exit, ExitCode};
use anyhow::Result;
use errand_eval::{EvalError, EvalOptions, Summary, Verdict, run_suite, selected, table};

pub async fn eval(args: EvalArgs, json_out: bool) -> Result<ExitCode> {
    if args.list {
        let tasks = selected(args.tasks.as_deref()).map_err(|e| Exit::usage(e.to_string()))?;
        for task in tasks {
            println!("{:<24} {}", task.name, task.covers);
        }
        return Ok(ExitCode::Done);
    }
    // Empty: each task gets the configured model, as `errand run` would.
    let model = args.model.unwrap_or_default();
    let options = EvalOptions {
        model: model.clone(),
        tasks: args.tasks,
        repeat: args.repeat,
        timeout: std::time::Duration::from_secs(args.timeout_s.max(1)),
    };
    let results = run_suite(&options, |r| {
        let verdict = match r.verdict {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
            Verdict::FalseDone => "FALSE DONE",
        };
        eprintln!(
            "{:<24} {verdict:<10} {} turns, {:.1} s {}",
            r.task,
            r.turns,
            r.wall_ms as f64 / 1000.0,
            r.reason
        );
    })
    .await
    .map_err(|e| match e {
        EvalError::Usage(m) => anyhow::Error::new(Exit::usage(m)),
        EvalError::Io(m) => anyhow::anyhow!(m),
    })?;
    let label = if model.is_empty() { "default" } else { &model };
    let summary = Summary::of(label, results);
    let document = serde_json::to_string_pretty(&summary)?;
    let temp = args.out.with_extension("json.tmp");
    std::fs::write(&temp, &document)
        .and_then(|()| std::fs::rename(&temp, &args.out))
        .map_err(|e| Exit::usage(format!("cannot write {}: {e}", args.out.display())))?;
    if json_out {
        println!("{document}");
    } else {
        print!("{}", table(&summary));
        println!("Results: {}", args.out.display());
    }
    Ok(if summary.passed == summary.runs {
        ExitCode::Done
    } else {
        ExitCode::Failed
    })
}
