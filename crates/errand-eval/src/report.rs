//! The suite's result as a table a person reads and a JSON document a script reads.
use crate::run::{EvalResult, Verdict};
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct Summary {
    pub model: String,
    pub runs: usize,
    pub passed: usize,
    /// Runs where Errand said "Done" but the grader failed the files.
    pub false_done: usize,
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub wall_ms: u64,
    pub results: Vec<EvalResult>,
}

impl Summary {
    pub fn of(model: &str, results: Vec<EvalResult>) -> Summary {
        Summary {
            model: model.to_string(),
            runs: results.len(),
            passed: results
                .iter()
                .filter(|r| r.verdict == Verdict::Pass)
                .count(),
            false_done: results
                .iter()
                .filter(|r| r.verdict == Verdict::FalseDone)
                .count(),
            input_tokens: results.iter().map(|r| r.input_tokens).sum(),
            output_tokens: results.iter().map(|r| r.output_tokens).sum(),
            wall_ms: results.iter().map(|r| r.wall_ms).sum(),
            results,
        }
    }
}

/// One line per run, then the totals.
pub fn table(summary: &Summary) -> String {
    let mut out = format!(
        "{:<24} {:<10} {:>5} {:>9} {:>8} {:>8}  {}\n",
        "task", "result", "turns", "input", "output", "wall s", "reason"
    );
    for r in &summary.results {
        let verdict = match r.verdict {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
            Verdict::FalseDone => "FALSE DONE",
        };
        let name = if summary.results.iter().any(|o| o.repeat > 0) {
            format!("{}#{}", r.task, r.repeat + 1)
        } else {
            r.task.clone()
        };
        let reason: String = r.reason.chars().take(110).collect();
        out.push_str(&format!(
            "{:<24} {:<10} {:>5} {:>9} {:>8} {:>8.1}  {}\n",
            name,
            verdict,
            r.turns,
            r.input_tokens,
            r.output_tokens,
            r.wall_ms as f64 / 1000.0,
            reason
        ));
    }
    let per_task = |n: u64| n.checked_div(summary.runs as u64).unwrap_or(0);
    out.push_str(&format!(
        "\n{} of {} passed ({:.0}%), {} false Done; {} input + {} output tokens ({} + {} per run); {:.1} s\n",
        summary.passed,
        summary.runs,
        100.0 * summary.passed as f64 / summary.runs.max(1) as f64,
        summary.false_done,
        summary.input_tokens,
        summary.output_tokens,
        per_task(summary.input_tokens),
        per_task(summary.output_tokens),
        summary.wall_ms as f64 / 1000.0
    ));
    out
}
