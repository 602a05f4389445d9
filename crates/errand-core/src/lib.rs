//! Errand's core: tasks as event logs, the agent loop, the tool contract and the policy.
//!
//! Nothing here speaks HTTP or SQL: providers, stores and tools plug in through traits.
#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod agent;
pub mod compact;
pub mod event;
pub mod fence;
pub mod grant;
pub mod journal;
pub mod model;
pub mod policy;
pub mod program;
pub mod schema_notation;
pub mod store;
pub mod task;
pub mod tool;

pub use agent::{Agent, Approver, Observer, RunOutcome};
pub use event::{Event, EventKind, PlanStep, StepStatus};
pub use grant::{CommandGrant, Grant, Mode, Network};
pub use journal::{FileStamp, JournalOp, JournalRecord, JournalState, Saved, SavedFile};
pub use model::{
    ImageRef, ImageSource, Message, Model, ModelError, ModelRequest, ModelResponse, NoImages,
    ToolCall, Usage,
};
pub use policy::{Decision, Policy, Rule, RuleAction};
pub use store::{Claim, LeaseHolder, Store, StoreError, TaskRow, WorkItem, WorkStatus};
pub use task::{TaskState, TaskView};
pub use tool::{
    Effect, Tool, ToolContext, ToolError, ToolImage, ToolOutput, ToolRegistry, ToolSpec,
};

/// A short, sortable, unique id: milliseconds since 2024 in base 36 plus a random tail.
pub fn new_id() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::time::{SystemTime, UNIX_EPOCH};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let millis = now.as_millis() as u64 - 1_704_067_200_000u64.min(now.as_millis() as u64);
    // Mixing pid and a counter keeps ids from two processes in the same millisecond apart.
    let tail = (u64::from(std::process::id()) * 7919 + COUNTER.fetch_add(1, Ordering::Relaxed))
        ^ u64::from(now.subsec_nanos());
    format!("{}{}", base36(millis, 8), base36(tail % 46_656, 3))
}

fn base36(mut n: u64, width: usize) -> String {
    const DIGITS: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = vec![b'0'; width];
    for slot in out.iter_mut().rev() {
        *slot = DIGITS[(n % 36) as usize];
        n /= 36;
    }
    String::from_utf8(out).unwrap_or_default()
}

/// Milliseconds since the Unix epoch, the timestamp used in events and the journal.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
