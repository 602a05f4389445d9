//! `errand eval`: a suite of knowledge-work tasks, each a folder fixture, an outcome and a
//! grader that checks the files the task leaves (never the model's words). It runs against
//! any model; `--model reference` runs each task's scripted reference solution, which is how
//! CI proves the graders pass good work, while a test proves they fail on untouched folders.
#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod grade;
mod report;
mod run;
pub mod skills;
mod tasks;

pub use grade::Graded;
pub use report::{Summary, table};
pub use run::{EvalError, EvalOptions, EvalResult, Job, Verdict, run_job, run_suite, selected};
pub use tasks::{EvalTask, all_tasks};
