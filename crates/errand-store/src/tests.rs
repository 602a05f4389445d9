use super::*;
use errand_core::Mode;
use errand_core::journal::{FileStamp, Saved, SavedFile};
use std::collections::BTreeSet;
use std::sync::{Arc, Barrier};
use std::thread;

fn created(outcome: &str) -> EventKind {
    EventKind::TaskCreated {
        outcome: outcome.to_string(),
        grants: Vec::new(),
        mode: Mode::Ask,
        model: "test-model".to_string(),
        max_tokens_total: None,
        commands: Default::default(),
    }
}

fn json(kind: &EventKind) -> serde_json::Value {
    serde_json::to_value(kind).unwrap()
}

fn saved() -> SavedFile {
    SavedFile {
        saved: Saved::Blob {
            sha256: "ab".repeat(32),
        },
        stamp: FileStamp {
            size: 3,
            mtime_ns: 1,
        },
        mode: 0o644,
    }
}

#[test]
fn events_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path()).unwrap();
    for sub in ["blobs", "trash", "locks"] {
        assert!(dir.path().join(sub).is_dir(), "{sub} missing");
    }

    let first = store.create_task("t1", created("sort my files")).unwrap();
    assert_eq!(first.seq, 1);
    assert_eq!(first.task_id, "t1");

    let appended = [
        EventKind::UserMessage {
            text: "also photos".into(),
        },
        EventKind::PlanUpdated {
            steps: vec![errand_core::PlanStep {
                title: "look".into(),
                status: errand_core::StepStatus::InProgress,
            }],
        },
        EventKind::ToolFinished {
            call_id: "c1".into(),
            tool: "list_dir".into(),
            output: "a\nb".into(),
            is_error: false,
            images: Vec::new(),
        },
    ];
    for (i, kind) in appended.iter().enumerate() {
        let event = store.append("t1", kind.clone()).unwrap();
        assert_eq!(event.seq, i as i64 + 2);
    }

    let events = store.events("t1").unwrap();
    assert_eq!(events.len(), 4);
    assert_eq!(json(&events[0].kind), json(&created("sort my files")));
    for (event, kind) in events[1..].iter().zip(&appended) {
        assert_eq!(event.task_id, "t1");
        assert_eq!(json(&event.kind), json(kind));
        assert!(event.at >= first.at);
    }
    let seqs: Vec<i64> = events.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, [1, 2, 3, 4]);

    let after: Vec<i64> = store
        .events_after("t1", 2)
        .unwrap()
        .iter()
        .map(|e| e.seq)
        .collect();
    assert_eq!(after, [3, 4]);
    assert!(store.events_after("t1", 4).unwrap().is_empty());

    assert!(matches!(
        store.events("nope"),
        Err(StoreError::NoSuchTask(_))
    ));
    assert!(matches!(
        store.append("nope", EventKind::UserMessage { text: "x".into() }),
        Err(StoreError::NoSuchTask(_))
    ));
    // Only TaskCreated may start a task, and an id is taken once.
    assert!(
        store
            .create_task("t2", EventKind::UserMessage { text: "x".into() })
            .is_err()
    );
    assert!(store.tasks().unwrap().iter().all(|t| t.id != "t2"));
    assert!(store.create_task("t1", created("again")).is_err());
    assert_eq!(store.events("t1").unwrap().len(), 4);
}

#[test]
fn corrupt_event_body_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path()).unwrap();
    store.create_task("t1", created("x")).unwrap();
    let raw = Connection::open(dir.path().join("errand.db")).unwrap();
    raw.execute(
        "INSERT INTO events (task_id, seq, at, kind, body) VALUES ('t1', 2, 0, 'x', '{oops')",
        [],
    )
    .unwrap();
    match store.events("t1") {
        Err(StoreError::Corrupt(msg)) => {
            assert!(msg.contains("t1") && msg.contains('2'), "{msg}");
        }
        other => panic!("expected Corrupt, got {other:?}"),
    }
}

#[test]
fn concurrent_appends_from_separate_stores_get_unique_seqs() {
    const THREADS: usize = 4;
    const PER_THREAD: usize = 50;
    let dir = tempfile::tempdir().unwrap();
    SqliteStore::open(dir.path())
        .unwrap()
        .create_task("t1", created("race"))
        .unwrap();

    let barrier = Arc::new(Barrier::new(THREADS));
    let handles: Vec<_> = (0..THREADS)
        .map(|n| {
            let home = dir.path().to_path_buf();
            let barrier = Arc::clone(&barrier);
            thread::spawn(move || {
                // Each thread has its own connection, as a separate process would.
                let store = SqliteStore::open(&home).unwrap();
                barrier.wait();
                (0..PER_THREAD)
                    .map(|i| {
                        let text = format!("{n}-{i}");
                        store
                            .append("t1", EventKind::UserMessage { text })
                            .unwrap()
                            .seq
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let mut seqs = Vec::new();
    for handle in handles {
        seqs.extend(handle.join().unwrap());
    }

    let total = THREADS * PER_THREAD;
    let unique: BTreeSet<i64> = seqs.iter().copied().collect();
    assert_eq!(unique.len(), total, "duplicate seqs handed out");
    assert_eq!(unique, (2..=total as i64 + 1).collect());

    let stored: Vec<i64> = SqliteStore::open(dir.path())
        .unwrap()
        .events("t1")
        .unwrap()
        .iter()
        .map(|e| e.seq)
        .collect();
    assert_eq!(stored, (1..=total as i64 + 1).collect::<Vec<_>>());
}

#[test]
fn concurrent_open_of_fresh_home_migrates_once() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("new");
    let barrier = Arc::new(Barrier::new(4));
    let handles: Vec<_> = (0..4)
        .map(|n| {
            let home = home.clone();
            let barrier = Arc::clone(&barrier);
            thread::spawn(move || {
                barrier.wait();
                let store = SqliteStore::open(&home).unwrap();
                store.create_task(&format!("t{n}"), created("x")).unwrap();
            })
        })
        .collect();
    for handle in handles {
        handle.join().unwrap();
    }
    let store = SqliteStore::open(&home).unwrap();
    assert_eq!(store.tasks().unwrap().len(), 4);
    assert_eq!(
        schema::version(&store.conn().unwrap()).unwrap(),
        schema::SCHEMA_VERSION
    );
}

#[test]
fn state_changed_updates_listed_state() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path()).unwrap();
    store.create_task("a1", created("first")).unwrap();
    store.create_task("b1", created("second")).unwrap();
    assert_eq!(store.resolve_task("a1").unwrap().state, TaskState::Created);

    let changed = store
        .append(
            "a1",
            EventKind::StateChanged {
                state: TaskState::Waiting,
                reason: Some("approval".into()),
            },
        )
        .unwrap();
    let row = store.resolve_task("a1").unwrap();
    assert_eq!(row.state, TaskState::Waiting);
    assert_eq!(row.outcome, "first");
    assert_eq!(row.updated_at, changed.at);
    assert!(row.updated_at >= row.created_at);

    // Other events touch updated_at but leave the state alone.
    store
        .append("a1", EventKind::UserMessage { text: "hi".into() })
        .unwrap();
    assert_eq!(store.resolve_task("a1").unwrap().state, TaskState::Waiting);
    store
        .append(
            "a1",
            EventKind::StateChanged {
                state: TaskState::Done,
                reason: None,
            },
        )
        .unwrap();

    let tasks = store.tasks().unwrap();
    let listed: Vec<(&str, TaskState)> = tasks.iter().map(|t| (t.id.as_str(), t.state)).collect();
    // Newest first.
    assert_eq!(
        listed,
        [("b1", TaskState::Created), ("a1", TaskState::Done)]
    );
}

#[test]
fn resolve_by_exact_id_or_unique_prefix() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path()).unwrap();
    for id in ["ab", "abc1", "abc2", "x_1", "xy2"] {
        store.create_task(id, created(id)).unwrap();
    }
    // An exact id wins even when it also prefixes other ids.
    assert_eq!(store.resolve_task("ab").unwrap().id, "ab");
    assert_eq!(store.resolve_task("abc1").unwrap().id, "abc1");
    assert!(matches!(store.resolve_task("abc"), Err(StoreError::Ambiguous(p)) if p == "abc"));
    assert!(matches!(
        store.resolve_task("a"),
        Err(StoreError::Ambiguous(_))
    ));
    // `_` and `%` are literal, not wildcards.
    assert_eq!(store.resolve_task("x_").unwrap().id, "x_1");
    assert!(matches!(
        store.resolve_task("x%"),
        Err(StoreError::NoSuchTask(_))
    ));
    assert!(matches!(
        store.resolve_task("%"),
        Err(StoreError::NoSuchTask(_))
    ));
    assert!(matches!(
        store.resolve_task("zz"),
        Err(StoreError::NoSuchTask(_))
    ));
    assert!(matches!(
        store.resolve_task(""),
        Err(StoreError::NoSuchTask(_))
    ));
    assert_eq!(store.resolve_task("xy").unwrap().outcome, "xy2");
}

#[test]
fn journal_plan_and_set_in_bulk() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path()).unwrap();
    let ops: Vec<JournalOp> = (0..10_000)
        .map(|i| match i % 3 {
            0 => JournalOp::Move {
                from: format!("in/{i}"),
                to: format!("out/{i}"),
                stamp: None,
            },
            1 => JournalOp::Write {
                path: format!("w/{i}"),
                before: Some(saved()),
                after_sha256: "cd".repeat(32),
            },
            _ => JournalOp::Trash {
                path: format!("t/{i}"),
                saved: saved(),
            },
        })
        .collect();
    let ids = store.journal_plan("t1", "call-1", &ops).unwrap();
    assert_eq!(ids.len(), 10_000);
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "ids not in order");

    let records = store.journal("t1").unwrap();
    assert_eq!(records.len(), 10_000);
    assert!(records.iter().all(|r| r.state == JournalState::Planned));
    assert_eq!(records.iter().map(|r| r.id).collect::<Vec<_>>(), ids);
    assert_eq!(records[1].op, ops[1]);
    assert_eq!(records[9_999].call_id, "call-1");

    store
        .journal_set(&ids[..6_000], JournalState::Done)
        .unwrap();
    store
        .journal_set(&ids[6_000..], JournalState::Skipped)
        .unwrap();
    store.journal_set(&[], JournalState::Undone).unwrap();
    let records = store.journal("t1").unwrap();
    assert!(
        records[..6_000]
            .iter()
            .all(|r| r.state == JournalState::Done)
    );
    assert!(
        records[6_000..]
            .iter()
            .all(|r| r.state == JournalState::Skipped)
    );
}

#[test]
fn journal_queries_filter_by_task_call_and_kind() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path()).unwrap();
    let created_file = JournalOp::Write {
        path: "new.txt".into(),
        before: None,
        after_sha256: "ee".repeat(32),
    };
    let replaced = JournalOp::Write {
        path: "old.txt".into(),
        before: Some(saved()),
        after_sha256: "ff".repeat(32),
    };
    let trashed = JournalOp::Trash {
        path: "gone.txt".into(),
        saved: saved(),
    };
    let mkdir = JournalOp::CreateDir { path: "d".into() };
    let a = store
        .journal_plan("t1", "c1", &[created_file.clone(), replaced.clone()])
        .unwrap();
    let b = store.journal_plan("t1", "c2", &[mkdir]).unwrap();
    let c = store
        .journal_plan("t2", "c1", std::slice::from_ref(&trashed))
        .unwrap();

    let for_call: Vec<i64> = store
        .journal_for_call("t1", "c1")
        .unwrap()
        .iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(for_call, a);
    assert_eq!(store.journal("t1").unwrap().len(), 3);
    assert_eq!(store.journal_for_call("t1", "c2").unwrap()[0].id, b[0]);
    assert!(store.journal("t3").unwrap().is_empty());

    let all = store.journal_all().unwrap();
    let listed: Vec<(i64, &JournalOp)> = all.iter().map(|r| (r.id, &r.op)).collect();
    assert_eq!(listed, [(a[1], &replaced), (c[0], &trashed)]);
    assert_eq!(all[1].task_id, "t2");
}

#[test]
fn blobs_are_content_addressed_and_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path()).unwrap();
    let sha = store.put_blob(b"hello").unwrap();
    assert_eq!(
        sha,
        "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
    );
    let path = store.blob_path(&sha);
    assert_eq!(path, dir.path().join("blobs").join("2c").join(&sha[2..]));
    assert_eq!(fs::read(&path).unwrap(), b"hello");

    assert_eq!(store.put_blob(b"hello").unwrap(), sha);
    let names: Vec<_> = fs::read_dir(dir.path().join("blobs").join("2c"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 1, "temp files left behind: {names:?}");

    let empty = store.put_blob(b"").unwrap();
    assert_eq!(fs::read(store.blob_path(&empty)).unwrap(), b"");
    assert_ne!(empty, sha);
    // A malformed digest gets a path, not a panic.
    assert!(!store.blob_path("z").exists());
}

#[test]
fn task_lock_excludes_other_holders_until_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let first = SqliteStore::open(dir.path()).unwrap();
    let second = SqliteStore::open(dir.path()).unwrap();

    let held = first.lock_task("t1").unwrap();
    assert!(held.is_some());
    assert!(second.lock_task("t1").unwrap().is_none());
    // Even the same store cannot take it twice.
    assert!(first.lock_task("t1").unwrap().is_none());
    // Locks are per task.
    assert!(second.lock_task("t2").unwrap().is_some());

    let pid = fs::read_to_string(dir.path().join("locks").join("t1.lock")).unwrap();
    assert_eq!(pid.trim(), std::process::id().to_string());

    drop(held);
    let again = second.lock_task("t1").unwrap();
    assert!(again.is_some());
    assert!(first.lock_task("t1").unwrap().is_none());

    assert!(first.lock_task("../escape").is_err());
    assert!(first.lock_task("").is_err());
}

#[test]
fn asking_whether_a_task_runs_never_takes_it() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path()).unwrap();
    assert!(
        !store.task_running("t1").unwrap(),
        "a task never locked runs nowhere"
    );

    let held = store.lock_task("t1").unwrap().expect("free");
    assert!(store.task_running("t1").unwrap());
    drop(held);
    assert!(!store.task_running("t1").unwrap());

    // Another probe in progress (the workspace listing tasks while the person approves
    // one) is not a run: a probe must not mistake it for one.
    let other_probe = fs::File::open(dir.path().join("locks").join("t1.lock")).unwrap();
    other_probe.try_lock_shared().unwrap();
    assert!(!store.task_running("t1").unwrap());
    drop(other_probe);
    assert!(store.lock_task("t1").unwrap().is_some());

    assert!(store.task_running("../escape").is_err());
    assert!(store.task_running("").is_err());
}

#[test]
fn migrations_are_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = SqliteStore::open(dir.path()).unwrap();
        store.create_task("t1", created("keep me")).unwrap();
        assert_eq!(
            schema::version(&store.conn().unwrap()).unwrap(),
            schema::SCHEMA_VERSION
        );
    }
    for _ in 0..2 {
        let store = SqliteStore::open(dir.path()).unwrap();
        assert_eq!(
            schema::version(&store.conn().unwrap()).unwrap(),
            schema::SCHEMA_VERSION
        );
        assert_eq!(store.resolve_task("t1").unwrap().outcome, "keep me");
        assert_eq!(store.events("t1").unwrap().len(), 1);
    }
    let mode: String = SqliteStore::open(dir.path())
        .unwrap()
        .conn()
        .unwrap()
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn newer_schema_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    drop(SqliteStore::open(dir.path()).unwrap());
    let raw = Connection::open(dir.path().join("errand.db")).unwrap();
    raw.pragma_update(None, "user_version", 999).unwrap();
    drop(raw);
    match SqliteStore::open(dir.path()) {
        Err(StoreError::Database(msg)) => assert!(msg.contains("999"), "{msg}"),
        other => panic!("expected a Database error, got {:?}", other.err()),
    }
}

#[test]
fn leases_keep_writers_apart_and_die_with_their_task() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = SqliteStore::open(dir.path()).expect("open");
    store.create_task("ta", created("a")).expect("a");
    store.create_task("tb", created("b")).expect("b");
    let x = vec!["/data/x.md".to_string()];
    // Task a runs (holds its run lock) and its sub-agent a1 writes x.
    let running = store.lock_task("ta").expect("lock").expect("free");
    assert_eq!(store.lease_acquire("ta", Some("a1"), &x).expect("a1"), None);
    // A sibling waits for it; the task's own agent may share it (it waits for a1 anyway).
    let held = store.lease_acquire("ta", Some("a2"), &x).expect("a2");
    assert_eq!(
        held,
        Some(LeaseHolder {
            path: "/data/x.md".into(),
            task_id: "ta".into(),
            agent: Some("a1".into())
        })
    );
    assert_eq!(store.lease_acquire("ta", None, &x).expect("main"), None);
    // Another task is refused while a runs; all or nothing, so y is not taken either.
    let both = vec!["/data/y.md".to_string(), x[0].clone()];
    let refused = store.lease_acquire("tb", None, &both).expect("b");
    assert_eq!(refused.map(|h| h.task_id), Some("ta".to_string()));
    assert_eq!(
        store
            .lease_acquire("ta", Some("a2"), &["/data/y.md".to_string()])
            .expect("y is free"),
        None
    );
    store.lease_release("ta", Some("a2")).expect("release a2");
    // a1 ends: a2 gets x.
    store.lease_release("ta", Some("a1")).expect("release a1");
    store.lease_release("ta", None).expect("release main");
    assert_eq!(store.lease_acquire("ta", Some("a2"), &x).expect("a2"), None);
    // Task a's process dies (its lock goes): its leases die with it.
    drop(running);
    assert_eq!(
        store.lease_acquire("tb", None, &x).expect("b takes over"),
        None
    );
}

#[test]
fn work_items_are_claimed_once_and_released_by_a_finished_worker() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = SqliteStore::open(dir.path()).expect("open");
    store.create_task("t", created("split")).expect("task");
    let added = store
        .work_add("t", &["acme".to_string(), "globex".to_string()])
        .expect("add");
    assert_eq!(added.iter().map(|i| i.id).collect::<Vec<_>>(), vec![1, 2]);
    let Claim::Claimed(first) = store.work_claim("t", None, "a1").expect("claim") else {
        panic!("a1 should get the first item");
    };
    assert_eq!(first.title, "acme");
    match store.work_claim("t", Some(1), "a2").expect("claim") {
        Claim::Taken(item) => assert_eq!(item.owner.as_deref(), Some("a1")),
        other => panic!("#1 is a1's: {other:?}"),
    }
    assert!(matches!(
        store.work_claim("t", Some(9), "a2").expect("claim"),
        Claim::NoSuchItem(9)
    ));
    store
        .work_update("t", 2, Some(WorkStatus::Claimed), None)
        .expect("update");
    assert_eq!(store.work_release("t", "a1").expect("release"), 1);
    let items = store.work_items("t").expect("items");
    assert_eq!(items[0].status, WorkStatus::Pending);
    assert_eq!(items[0].owner, None);
}

#[test]
fn an_approval_is_answered_once_even_by_two_stores_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path()).unwrap();
    store.create_task("t1", created("write a note")).unwrap();
    let answer = |approved| EventKind::ApprovalResolved {
        call_id: "c1".into(),
        approved,
        always: false,
    };
    // Two processes' stores race to answer the same request: exactly one appends.
    let barrier = Arc::new(Barrier::new(2));
    let racers: Vec<_> = [true, false]
        .into_iter()
        .map(|approved| {
            let (barrier, home) = (barrier.clone(), dir.path().to_path_buf());
            thread::spawn(move || {
                let other = SqliteStore::open(&home).unwrap();
                barrier.wait();
                other
                    .append_answer("t1", None, answer(approved))
                    .unwrap()
                    .is_some()
            })
        })
        .collect();
    let wins: Vec<bool> = racers.into_iter().map(|t| t.join().unwrap()).collect();
    assert_eq!(wins.iter().filter(|w| **w).count(), 1, "{wins:?}");
    // A later answer to the same call is refused; another call's is not.
    assert!(
        store
            .append_answer("t1", None, answer(true))
            .unwrap()
            .is_none()
    );
    let reply = EventKind::QuestionAnswered {
        call_id: "q1".into(),
        answer: "2025".into(),
    };
    assert!(store.append_answer("t1", None, reply).unwrap().is_some());
    // Anything else is appended as it is.
    let said = EventKind::UserMessage { text: "hi".into() };
    assert!(store.append_answer("t1", None, said).unwrap().is_some());
}

#[test]
fn pages_of_tasks_come_newest_first_with_a_search_and_a_total() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path()).unwrap();
    for n in 0..5 {
        let outcome = if n % 2 == 0 {
            "weekly report"
        } else {
            "sort photos"
        };
        store
            .create_task(&format!("t{n}"), created(outcome))
            .unwrap();
        thread::sleep(std::time::Duration::from_millis(2));
    }
    let (page, total) = store.tasks_page("", 1, 2).unwrap();
    assert_eq!(total, 5);
    let ids: Vec<&str> = page.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["t3", "t2"]);
    let (found, total) = store.tasks_page("REPORT", 0, 10).unwrap();
    assert_eq!(total, 3);
    assert!(found.iter().all(|t| t.outcome == "weekly report"));
    // LIKE wildcards in a search are literal.
    assert_eq!(store.tasks_page("100%", 0, 10).unwrap().1, 0);
    assert_eq!(store.tasks_page("t4", 0, 10).unwrap().1, 1, "an id prefix");
}
