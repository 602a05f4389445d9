//! The work list a task's agent and its sub-agents share: tasks_list, task_claim and
//! task_update. The store makes claims atomic; these tools add who may change what.
use async_trait::async_trait;
use errand_core::tool::{Assessment, input_schema, parse_input};
use errand_core::{
    Claim, Effect, Tool, ToolContext, ToolError, ToolOutput, ToolRegistry, ToolSpec, WorkItem,
    WorkStatus,
};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;
use std::sync::Arc;

pub fn register(registry: &mut ToolRegistry) {
    registry.register(Arc::new(TasksList));
    registry.register(Arc::new(TaskClaim));
    registry.register(Arc::new(TaskUpdate));
}

/// The owner name of the task's own agent.
const MAIN: &str = "main";

fn me(ctx: &ToolContext) -> &str {
    ctx.agent.as_deref().unwrap_or(MAIN)
}

fn unavailable(e: impl std::fmt::Display) -> ToolError {
    ToolError(format!("work list unavailable: {e}"))
}

/// `[done, a2]`, or `[pending]` for an item nobody holds.
fn tag(item: &WorkItem) -> String {
    match &item.owner {
        Some(owner) => format!("[{}, {owner}]", item.status.as_str()),
        None => format!("[{}]", item.status.as_str()),
    }
}

/// `#1 [done, a2] Summarise acme.txt — 3 pages, 2 risks`
fn line(item: &WorkItem) -> String {
    let mut line = format!("#{} {} {}", item.id, tag(item), item.title);
    if !item.note.is_empty() {
        line.push_str(" — ");
        line.push_str(&item.note);
    }
    line
}

/// Why `item` is not free: `is already claimed by a2`, `is already done (by a2)`.
fn held(item: &WorkItem) -> String {
    match (item.status, &item.owner) {
        (WorkStatus::Claimed, Some(owner)) => format!("is already claimed by {owner}"),
        (status, Some(owner)) => format!("is already {} (by {owner})", status.as_str()),
        (status, None) => format!("is already {}", status.as_str()),
    }
}

fn no_such_item(id: i64, count: usize) -> ToolError {
    let items = match count {
        0 => "the work list is empty".to_string(),
        1 => "there is 1 item (#1)".to_string(),
        n => format!("there are {n} items"),
    };
    ToolError(format!(
        "there is no item #{id}: {items}; tasks_list shows them"
    ))
}

struct TasksList;

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct ListInput {}

#[async_trait]
impl Tool for TasksList {
    fn spec(&self) -> ToolSpec {
        ToolSpec {
            name: "tasks_list".into(),
            description: "Show the work list shared with sub-agents and who holds what.".into(),
            input_schema: input_schema::<ListInput>(),
        }
    }
    fn effect(&self) -> Effect {
        Effect::Read
    }
    fn assess(&self, _ctx: &ToolContext, input: &Value) -> Result<Assessment, ToolError> {
        let _: ListInput = parse_input("tasks_list", input)?;
        Ok(Assessment {
            summary: "show the work list".into(),
            ..Assessment::default()
        })
    }
    async fn call(&self, ctx: &ToolContext, input: Value) -> Result<ToolOutput, ToolError> {
        let _: ListInput = parse_input("tasks_list", &input)?;
        let items = ctx.store.work_items(&ctx.task_id).map_err(unavailable)?;
        if items.is_empty() {
            return Ok(ToolOutput::text(
                "the work list is empty; add items with task_update {\"add\": [\"title\", ...]}",
            ));
        }
        let count = |status| items.iter().filter(|i| i.status == status).count();
        let mut lines: Vec<String> = items.iter().map(line).collect();
        lines.push(format!(
            "{} item{}: {} pending, {} claimed, {} done, {} failed",
            items.len(),
            if items.len() == 1 { "" } else { "s" },
            count(WorkStatus::Pending),
            count(WorkStatus::Claimed),
            count(WorkStatus::Done),
            count(WorkStatus::Failed),
        ));
        Ok(ToolOutput::text(lines.join("\n")))
    }
}

struct TaskClaim;

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct ClaimInput {
    /// Default: the first pending item.
    id: Option<i64>,
}

#[async_trait]
impl Tool for TaskClaim {
    fn spec(&self) -> ToolSpec {
        ToolSpec {
            name: "task_claim".into(),
            description: "Claim a work-list item before working on it, so no one else does.".into(),
            input_schema: input_schema::<ClaimInput>(),
        }
    }
    fn effect(&self) -> Effect {
        Effect::State
    }
    fn assess(&self, _ctx: &ToolContext, input: &Value) -> Result<Assessment, ToolError> {
        let i: ClaimInput = parse_input("task_claim", input)?;
        Ok(Assessment {
            summary: match i.id {
                Some(id) => format!("claim work item #{id}"),
                None => "claim the first pending work item".into(),
            },
            ..Assessment::default()
        })
    }
    async fn call(&self, ctx: &ToolContext, input: Value) -> Result<ToolOutput, ToolError> {
        let i: ClaimInput = parse_input("task_claim", &input)?;
        let claim = ctx
            .store
            .work_claim(&ctx.task_id, i.id, me(ctx))
            .map_err(unavailable)?;
        match claim {
            Claim::Claimed(item) => Ok(ToolOutput::text(format!(
                "claimed #{}: {}",
                item.id, item.title
            ))),
            Claim::Taken(item) => {
                let next = if item.status == WorkStatus::Claimed {
                    "; claim another (tasks_list shows what is pending)"
                } else {
                    ""
                };
                Err(ToolError(format!("#{} {}{next}", item.id, held(&item))))
            }
            Claim::NoSuchItem(id) => {
                let count = ctx
                    .store
                    .work_items(&ctx.task_id)
                    .map_err(unavailable)?
                    .len();
                Err(no_such_item(id, count))
            }
            Claim::NothingPending => Ok(ToolOutput::text(
                "nothing pending: every item is claimed or finished",
            )),
        }
    }
}

struct TaskUpdate;

#[derive(Deserialize, JsonSchema, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
enum StatusInput {
    Pending,
    Claimed,
    Done,
    Failed,
}

impl From<StatusInput> for WorkStatus {
    fn from(status: StatusInput) -> Self {
        match status {
            StatusInput::Pending => WorkStatus::Pending,
            StatusInput::Claimed => WorkStatus::Claimed,
            StatusInput::Done => WorkStatus::Done,
            StatusInput::Failed => WorkStatus::Failed,
        }
    }
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct UpdateInput {
    id: Option<i64>,
    #[serde(default)]
    #[schemars(with = "StatusInput")]
    status: Option<StatusInput>,
    /// The result, or why it failed.
    note: Option<String>,
    /// Titles of new items.
    #[serde(default)]
    add: Vec<String>,
}

const UPDATE_FORMS: &str = "task_update takes {\"id\": 3, \"status\": \"done\", \"note\": \"...\"} to change an item, or {\"add\": [\"title\", ...]} to add items";

fn update_input(input: &Value) -> Result<UpdateInput, ToolError> {
    let i: UpdateInput = parse_input("task_update", input)?;
    if i.id.is_none() && i.add.is_empty() {
        return Err(ToolError(format!("nothing to do: {UPDATE_FORMS}")));
    }
    if i.id.is_some() && i.status.is_none() && i.note.is_none() {
        return Err(ToolError(format!(
            "nothing to change in #{}: give a status or a note",
            i.id.unwrap_or_default()
        )));
    }
    if i.add.iter().any(|title| title.trim().is_empty()) {
        return Err(ToolError::new("every added item needs a title"));
    }
    Ok(i)
}

/// Sets `id`'s status and/or note for `me`, who may change an item it owns or a pending
/// one (the main agent: any). Taking a pending item goes through the store's atomic
/// claim, so a worker that claims it at the same moment is not overwritten.
fn change(
    ctx: &ToolContext,
    id: i64,
    status: Option<WorkStatus>,
    note: Option<&str>,
) -> Result<WorkItem, ToolError> {
    let me = me(ctx);
    let main = me == MAIN;
    let items = ctx.store.work_items(&ctx.task_id).map_err(unavailable)?;
    let Some(item) = items.iter().find(|item| item.id == id) else {
        return Err(no_such_item(id, items.len()));
    };
    let mine = item.owner.as_deref() == Some(me);
    let refuse = |item: &WorkItem| {
        let owner = item.owner.as_deref().unwrap_or("nobody");
        ToolError(format!(
            "#{id} {}: only {owner} or the main agent may update it; claim a pending item instead",
            held(item)
        ))
    };
    if !mine && !main && item.status != WorkStatus::Pending {
        return Err(refuse(item));
    }
    let mut status = status;
    // A pending item someone else may be claiming right now: take it first. A sub-agent
    // always does (a note-only change then puts it back to pending); the main agent when
    // it moves the item on, so the item records who did.
    if !mine
        && item.status == WorkStatus::Pending
        && (!main || status.is_some_and(|s| s != WorkStatus::Pending))
    {
        match ctx
            .store
            .work_claim(&ctx.task_id, Some(id), me)
            .map_err(unavailable)?
        {
            Claim::Claimed(_) => {
                status = Some(status.unwrap_or(WorkStatus::Pending));
            }
            // Claimed meanwhile: the main agent may still change it; a sub-agent may not.
            Claim::Taken(now) if !main => return Err(refuse(&now)),
            Claim::Taken(_) => {}
            Claim::NoSuchItem(_) | Claim::NothingPending => {
                return Err(no_such_item(id, items.len()));
            }
        }
    }
    ctx.store
        .work_update(&ctx.task_id, id, status, note)
        .map_err(unavailable)?
        .ok_or_else(|| no_such_item(id, items.len()))
}

#[async_trait]
impl Tool for TaskUpdate {
    fn spec(&self) -> ToolSpec {
        ToolSpec {
            name: "task_update".into(),
            description:
                "Add work-list items, or set the status/note of an item that is yours or pending."
                    .into(),
            input_schema: input_schema::<UpdateInput>(),
        }
    }
    fn effect(&self) -> Effect {
        Effect::State
    }
    fn assess(&self, _ctx: &ToolContext, input: &Value) -> Result<Assessment, ToolError> {
        let i = update_input(input)?;
        let mut parts = Vec::new();
        if let Some(id) = i.id {
            let mut part = format!("update work item #{id}");
            if let Some(status) = i.status {
                part.push_str(&format!(" to {}", WorkStatus::from(status).as_str()));
            }
            parts.push(part);
        }
        if !i.add.is_empty() {
            let n = i.add.len();
            parts.push(format!(
                "add {n} work item{}",
                if n == 1 { "" } else { "s" }
            ));
        }
        Ok(Assessment {
            summary: parts.join("; "),
            ..Assessment::default()
        })
    }
    async fn call(&self, ctx: &ToolContext, input: Value) -> Result<ToolOutput, ToolError> {
        let i = update_input(&input)?;
        let mut lines = Vec::new();
        if let Some(id) = i.id {
            let item = change(ctx, id, i.status.map(WorkStatus::from), i.note.as_deref())?;
            lines.push(format!("updated {}", line(&item)));
        }
        if !i.add.is_empty() {
            let added = ctx
                .store
                .work_add(&ctx.task_id, &i.add)
                .map_err(unavailable)?;
            lines.extend(
                added
                    .iter()
                    .map(|item| format!("added #{} {}", item.id, item.title)),
            );
        }
        Ok(ToolOutput::text(lines.join("\n")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use errand_core::{EventKind, Mode, Store};
    use errand_store::SqliteStore;
    use serde_json::json;
    use std::sync::atomic::AtomicBool;

    struct Fixture {
        _home: tempfile::TempDir,
        store: Arc<SqliteStore>,
    }

    fn fixture() -> Fixture {
        let home = tempfile::tempdir().expect("home");
        let store = Arc::new(SqliteStore::open(home.path()).expect("store"));
        let created = EventKind::TaskCreated {
            outcome: "t".into(),
            grants: Vec::new(),
            mode: Mode::Auto,
            model: "offline".into(),
            max_tokens_total: None,
            commands: Default::default(),
        };
        store.create_task("t1", created).expect("task");
        Fixture { _home: home, store }
    }

    fn ctx(f: &Fixture, agent: Option<&str>) -> ToolContext {
        ToolContext {
            task_id: "t1".into(),
            call_id: "c1".into(),
            store: f.store.clone(),
            resuming: false,
            progress: Arc::new(|_, _, _| {}),
            interrupt: Arc::new(AtomicBool::new(false)),
            conversation_epoch: 0,
            agent: agent.map(str::to_string),
            asker: None,
            reads_images: false,
            person_approved: false,
        }
    }

    async fn run(tool: &dyn Tool, ctx: &ToolContext, input: Value) -> Result<String, String> {
        tool.assess(ctx, &input).map_err(|e| e.0)?;
        tool.call(ctx, input)
            .await
            .map(|out| out.content)
            .map_err(|e| e.0)
    }

    async fn add_three(f: &Fixture) {
        let out = run(
            &TaskUpdate,
            &ctx(f, None),
            json!({"add": ["Summarise acme.txt", "Summarise beta.txt", "Compare them"]}),
        )
        .await
        .expect("add");
        assert_eq!(
            out,
            "added #1 Summarise acme.txt\nadded #2 Summarise beta.txt\nadded #3 Compare them"
        );
    }

    #[tokio::test]
    async fn an_empty_list_says_how_to_add_items() {
        let f = fixture();
        let out = run(&TasksList, &ctx(&f, None), Value::Null)
            .await
            .expect("list");
        assert!(
            out.contains("empty") && out.contains("task_update"),
            "{out}"
        );
        let out = run(&TasksList, &ctx(&f, None), json!({}))
            .await
            .expect("list");
        assert!(out.contains("empty"), "{out}");
        let bad = run(&TasksList, &ctx(&f, None), json!({"all": true}))
            .await
            .expect_err("unknown field");
        assert!(bad.contains("all"), "{bad}");
    }

    #[tokio::test]
    async fn added_items_are_listed_with_status_owner_note_and_counts() {
        let f = fixture();
        add_three(&f).await;
        let out = run(&TasksList, &ctx(&f, None), json!({}))
            .await
            .expect("list");
        assert_eq!(
            out,
            "#1 [pending] Summarise acme.txt\n#2 [pending] Summarise beta.txt\n\
             #3 [pending] Compare them\n3 items: 3 pending, 0 claimed, 0 done, 0 failed"
        );
        let a2 = ctx(&f, Some("a2"));
        run(&TaskClaim, &a2, json!({"id": 1})).await.expect("claim");
        let out = run(
            &TaskUpdate,
            &a2,
            json!({"id": 1, "status": "done", "note": "3 pages, 2 risks"}),
        )
        .await
        .expect("update");
        assert_eq!(
            out,
            "updated #1 [done, a2] Summarise acme.txt — 3 pages, 2 risks"
        );
        run(&TaskClaim, &ctx(&f, Some("a3")), json!({}))
            .await
            .expect("claim");
        let out = run(&TasksList, &ctx(&f, None), json!({}))
            .await
            .expect("list");
        assert_eq!(
            out,
            "#1 [done, a2] Summarise acme.txt — 3 pages, 2 risks\n\
             #2 [claimed, a3] Summarise beta.txt\n#3 [pending] Compare them\n\
             3 items: 1 pending, 1 claimed, 1 done, 0 failed"
        );
    }

    #[tokio::test]
    async fn a_second_agent_cannot_claim_what_the_first_holds() {
        let f = fixture();
        add_three(&f).await;
        let out = run(&TaskClaim, &ctx(&f, Some("a2")), json!({"id": 3}))
            .await
            .expect("claim");
        assert_eq!(out, "claimed #3: Compare them");
        let err = run(&TaskClaim, &ctx(&f, Some("a3")), json!({"id": 3}))
            .await
            .expect_err("taken");
        assert_eq!(
            err,
            "#3 is already claimed by a2; claim another (tasks_list shows what is pending)"
        );
        // Claiming one's own item again is fine.
        let again = run(&TaskClaim, &ctx(&f, Some("a2")), json!({"id": 3}))
            .await
            .expect("reclaim");
        assert_eq!(again, "claimed #3: Compare them");
        let missing = run(&TaskClaim, &ctx(&f, Some("a3")), json!({"id": 9}))
            .await
            .expect_err("no such item");
        assert!(
            missing.contains("#9") && missing.contains("3 items"),
            "{missing}"
        );
    }

    #[tokio::test]
    async fn claiming_without_an_id_takes_the_first_pending_item() {
        let f = fixture();
        add_three(&f).await;
        let main = ctx(&f, None);
        let out = run(&TaskClaim, &main, json!({})).await.expect("claim");
        assert_eq!(out, "claimed #1: Summarise acme.txt");
        let out = run(&TaskClaim, &ctx(&f, Some("a2")), Value::Null)
            .await
            .expect("claim");
        assert_eq!(out, "claimed #2: Summarise beta.txt");
        let items = f.store.work_items("t1").expect("items");
        assert_eq!(items[0].owner.as_deref(), Some("main"));
        assert_eq!(items[1].owner.as_deref(), Some("a2"));
        assert_eq!(items[2].status, WorkStatus::Pending);
    }

    #[tokio::test]
    async fn a_sub_agent_may_not_update_another_agents_item_but_main_may() {
        let f = fixture();
        add_three(&f).await;
        let a2 = ctx(&f, Some("a2"));
        let a3 = ctx(&f, Some("a3"));
        run(&TaskClaim, &a2, json!({"id": 1})).await.expect("claim");
        let err = run(&TaskUpdate, &a3, json!({"id": 1, "status": "done"}))
            .await
            .expect_err("not a3's");
        assert!(err.starts_with("#1 is already claimed by a2"), "{err}");
        assert!(err.contains("only a2 or the main agent"), "{err}");
        let item = &f.store.work_items("t1").expect("items")[0];
        assert_eq!(
            (item.status, item.owner.as_deref()),
            (WorkStatus::Claimed, Some("a2"))
        );

        // A pending item is anyone's: a3 marking it done records a3 as its owner.
        let out = run(&TaskUpdate, &a3, json!({"id": 2, "status": "done"}))
            .await
            .expect("pending item");
        assert_eq!(out, "updated #2 [done, a3] Summarise beta.txt");

        // The main agent may change any item.
        let out = run(
            &TaskUpdate,
            &ctx(&f, None),
            json!({"id": 1, "status": "failed", "note": "file unreadable"}),
        )
        .await
        .expect("main");
        assert_eq!(
            out,
            "updated #1 [failed, a2] Summarise acme.txt — file unreadable"
        );
        // a2 still owns it, so a2 may set it back to pending, which frees it.
        let out = run(&TaskUpdate, &a2, json!({"id": 1, "status": "pending"}))
            .await
            .expect("owner");
        assert_eq!(
            out,
            "updated #1 [pending] Summarise acme.txt — file unreadable"
        );
    }

    #[tokio::test]
    async fn a_note_on_a_pending_item_leaves_it_pending() {
        let f = fixture();
        add_three(&f).await;
        let out = run(
            &TaskUpdate,
            &ctx(&f, Some("a2")),
            json!({"id": 3, "note": "wait for #1 and #2"}),
        )
        .await
        .expect("note");
        assert_eq!(
            out,
            "updated #3 [pending] Compare them — wait for #1 and #2"
        );
    }

    #[tokio::test]
    async fn a_done_item_cannot_be_claimed_and_then_nothing_is_pending() {
        let f = fixture();
        let main = ctx(&f, None);
        run(&TaskUpdate, &main, json!({"add": ["Only item"]}))
            .await
            .expect("add");
        let a2 = ctx(&f, Some("a2"));
        run(&TaskClaim, &a2, json!({})).await.expect("claim");
        run(&TaskUpdate, &a2, json!({"id": 1, "status": "done"}))
            .await
            .expect("done");
        let err = run(&TaskClaim, &ctx(&f, Some("a3")), json!({"id": 1}))
            .await
            .expect_err("done");
        assert_eq!(err, "#1 is already done (by a2)");
        let err = run(&TaskClaim, &a2, json!({"id": 1}))
            .await
            .expect_err("done, even for its owner");
        assert_eq!(err, "#1 is already done (by a2)");
        let out = run(&TaskClaim, &ctx(&f, Some("a3")), json!({}))
            .await
            .expect("nothing pending is not an error");
        assert_eq!(out, "nothing pending: every item is claimed or finished");
    }

    #[tokio::test]
    async fn update_explains_its_two_forms_and_unknown_ids() {
        let f = fixture();
        let main = ctx(&f, None);
        let err = run(&TaskUpdate, &main, json!({}))
            .await
            .expect_err("neither");
        assert!(err.contains("\"id\"") && err.contains("\"add\""), "{err}");
        let err = run(&TaskUpdate, &main, json!({"id": 4, "status": "done"}))
            .await
            .expect_err("unknown id");
        assert!(err.contains("#4") && err.contains("empty"), "{err}");
        let err = run(&TaskUpdate, &main, json!({"id": 1, "status": "finished"}))
            .await
            .expect_err("bad status");
        assert!(err.contains("finished"), "{err}");
        let err = run(&TaskUpdate, &main, json!({"id": 1}))
            .await
            .expect_err("no change");
        assert!(err.contains("status or a note"), "{err}");
    }

    #[test]
    fn schemas_stay_plain() {
        assert_eq!(TasksList.spec().input_schema, json!({"type": "object"}));
        let update = TaskUpdate.spec().input_schema;
        assert_eq!(
            update["properties"]["status"],
            json!({"enum": ["pending", "claimed", "done", "failed"], "type": "string"})
        );
        assert!(update.get("required").is_none(), "{update}");
        assert!(TaskClaim.spec().input_schema.get("required").is_none());
    }
}
