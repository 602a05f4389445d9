//! A call interrupted after its journal was written is finished by resuming it: every
//! planned op ends applied exactly once, whatever had already happened on disk.
use errand_core::tool::ToolContext;
use errand_core::{EventKind, Grant, JournalOp, JournalState, Mode, Store, ToolRegistry};
use errand_store::SqliteStore;
use errand_tools::{Workspace, builtin_tools};
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

struct Fixture {
    _home: tempfile::TempDir,
    dir: tempfile::TempDir,
    store: Arc<SqliteStore>,
    tools: ToolRegistry,
}

fn fixture() -> Fixture {
    let home = tempfile::tempdir().expect("home");
    let dir = tempfile::tempdir().expect("dir");
    let store = Arc::new(SqliteStore::open(home.path()).expect("store"));
    let grants = vec![Grant {
        name: "f".into(),
        path: dir.path().to_path_buf(),
        writable: true,
    }];
    let created = EventKind::TaskCreated {
        outcome: "t".into(),
        grants: grants.clone(),
        mode: Mode::Auto,
        model: "offline".into(),
        max_tokens_total: None,
        commands: Default::default(),
    };
    store.create_task("t1", created).expect("task");
    let tools = builtin_tools(Arc::new(Workspace::open(&grants).expect("ws")));
    Fixture {
        _home: home,
        dir,
        store,
        tools,
    }
}

fn ctx(f: &Fixture, call_id: &str, resuming: bool) -> ToolContext {
    ToolContext {
        task_id: "t1".into(),
        call_id: call_id.into(),
        store: f.store.clone(),
        resuming,
        progress: Arc::new(|_, _, _| {}),
        interrupt: Arc::new(AtomicBool::new(false)),
        conversation_epoch: 0,
        agent: None,
        asker: None,
        reads_images: false,
        // These calls stand for ones the person approved.
        person_approved: true,
    }
}

#[tokio::test]
async fn a_half_done_batch_move_is_finished_without_repeating_a_step() {
    let f = fixture();
    for i in 0..10 {
        std::fs::write(f.dir.path().join(format!("f{i}.txt")), format!("{i}")).expect("write");
    }
    let moves: Vec<_> = (0..10)
        .map(|i| json!({"from": format!("f{i}.txt"), "to": format!("out/f{i}.txt")}))
        .collect();
    let input = json!({ "moves": moves });
    // The crash: the journal holds the plan and half the moves happened, none marked done.
    let ops: Vec<JournalOp> = std::iter::once(JournalOp::CreateDir { path: "out".into() })
        .chain((0..10).map(|i| JournalOp::Move {
            from: format!("f{i}.txt"),
            to: format!("out/f{i}.txt"),
            stamp: None,
        }))
        .collect();
    f.store.journal_plan("t1", "c1", &ops).expect("plan");
    std::fs::create_dir(f.dir.path().join("out")).expect("mkdir");
    for i in 0..5 {
        std::fs::rename(
            f.dir.path().join(format!("f{i}.txt")),
            f.dir.path().join(format!("out/f{i}.txt")),
        )
        .expect("mv");
    }
    let tool = f.tools.get("move_path").expect("tool");
    let out = tool
        .call(&ctx(&f, "c1", true), input)
        .await
        .expect("resumed");
    assert!(out.content.contains("\"moved\":10"), "{}", out.content);
    for i in 0..10 {
        assert_eq!(
            std::fs::read_to_string(f.dir.path().join(format!("out/f{i}.txt"))).expect("moved"),
            format!("{i}")
        );
    }
    let journal = f.store.journal_for_call("t1", "c1").expect("journal");
    assert_eq!(journal.len(), 11, "nothing was planned twice");
    assert!(journal.iter().all(|r| r.state == JournalState::Done));
}

#[tokio::test]
async fn a_resumed_write_is_not_written_twice_and_keeps_the_original_for_undo() {
    let f = fixture();
    std::fs::write(f.dir.path().join("a.txt"), "original").expect("write");
    let tool = f.tools.get("write_file").expect("tool");
    let input = json!({"path": "a.txt", "content": "new"});
    tool.call(&ctx(&f, "w1", false), input.clone())
        .await
        .expect("write");
    // As if the process died after the write but before its result was recorded.
    let modified = std::fs::metadata(f.dir.path().join("a.txt"))
        .and_then(|m| m.modified())
        .expect("mtime");
    std::thread::sleep(std::time::Duration::from_millis(20));
    tool.call(&ctx(&f, "w1", true), input)
        .await
        .expect("resume");
    let again = std::fs::metadata(f.dir.path().join("a.txt"))
        .and_then(|m| m.modified())
        .expect("mtime");
    assert_eq!(
        modified, again,
        "the resumed call saw the write done and did not redo it"
    );
    let journal = f.store.journal_for_call("t1", "w1").expect("journal");
    let writes: Vec<_> = journal
        .iter()
        .filter(|r| matches!(r.op, JournalOp::Write { .. }))
        .collect();
    assert_eq!(writes.len(), 1);
    let JournalOp::Write {
        before: Some(saved),
        ..
    } = &writes[0].op
    else {
        panic!("the original was saved")
    };
    let errand_core::Saved::Blob { sha256 } = &saved.saved else {
        panic!("as a blob")
    };
    assert_eq!(
        std::fs::read_to_string(f.store.blob_path(sha256)).expect("blob"),
        "original"
    );
}

#[tokio::test]
async fn a_resumed_trash_finds_the_file_already_in_the_trash() {
    let f = fixture();
    std::fs::write(f.dir.path().join("old.txt"), "old").expect("write");
    let tool = f.tools.get("trash_path").expect("tool");
    let input = json!({"path": "old.txt"});
    let first = tool
        .call(&ctx(&f, "t", false), input.clone())
        .await
        .expect("trash");
    assert!(first.content.contains("\"trashed\":1"), "{}", first.content);
    // Reset the journal state as if the crash hit before it was marked done.
    let ids: Vec<i64> = f
        .store
        .journal_for_call("t1", "t")
        .expect("j")
        .iter()
        .map(|r| r.id)
        .collect();
    f.store
        .journal_set(&ids, JournalState::Planned)
        .expect("reset");
    let resumed = tool.call(&ctx(&f, "t", true), input).await.expect("resume");
    assert!(
        resumed.content.contains("\"trashed\":1"),
        "{}",
        resumed.content
    );
    assert!(!f.dir.path().join("old.txt").exists());
    let trash = f.store.trash_dir("t1");
    let kept: Vec<_> = std::fs::read_dir(&trash)
        .expect("trash")
        .flatten()
        .collect();
    assert_eq!(kept.len(), 1);
    assert_eq!(
        std::fs::read_to_string(kept[0].path()).expect("kept"),
        "old"
    );
}

/// A command that ended (its outcome recorded) is never run again by a resume: a second
/// run would append twice. Before its changes are applied, the resume applies them; after,
/// it finds them done.
#[tokio::test]
async fn a_resumed_command_is_applied_not_run_again() {
    let f = fixture();
    let tool = f.tools.get("run_command").expect("run_command");
    let input = json!({"command": "echo once >> log.txt && rm -f gone.txt"});
    std::fs::write(f.dir.path().join("gone.txt"), "bye").expect("gone");
    // The crash between the command's end and its changes landing: simulated by an
    // interrupt raised while it runs, which stops the call after the command, before apply.
    let stopping = ctx(&f, "c9", false);
    let flag = stopping.interrupt.clone();
    let slow = json!({"command": "sleep 0.3; echo once >> log.txt && rm -f gone.txt"});
    let raiser = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(100));
        flag.store(true, std::sync::atomic::Ordering::Relaxed);
    });
    let stopped = tool.call(&stopping, slow).await;
    raiser.join().expect("raiser");
    assert!(stopped.is_err());
    assert!(!f.dir.path().join("log.txt").exists(), "nothing landed yet");
    assert!(f.dir.path().join("gone.txt").exists());
    // A cancelled command is run again on resume (its effects never landed).
    let resumed = tool.call(&ctx(&f, "c9", true), input.clone()).await;
    assert!(resumed.is_ok(), "{resumed:?}");
    assert_eq!(
        std::fs::read_to_string(f.dir.path().join("log.txt")).expect("log"),
        "once\n"
    );
    assert!(!f.dir.path().join("gone.txt").exists());
    // Resumed again after it was applied: the marker says it ran; nothing runs twice.
    let again = tool.call(&ctx(&f, "c9", true), input).await;
    assert!(again.is_ok(), "{again:?}");
    assert_eq!(
        std::fs::read_to_string(f.dir.path().join("log.txt")).expect("log"),
        "once\n"
    );
    let trashed = f.store.journal("t1").expect("journal");
    assert_eq!(
        trashed
            .iter()
            .filter(|r| matches!(r.op, JournalOp::Trash { .. }) && r.state == JournalState::Done)
            .count(),
        1,
        "the deletion is journaled once"
    );
}
