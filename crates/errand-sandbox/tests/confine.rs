//! Commands inside the sandbox: legitimate work runs, escapes are refused.
use errand_sandbox::{Confinement, Ending, Limits, run};
use std::sync::atomic::AtomicBool;
use std::time::Duration;

fn setup() -> (tempfile::TempDir, Confinement) {
    let root = tempfile::tempdir().expect("tmp");
    let grant = root.path().join("grant");
    std::fs::create_dir_all(&grant).expect("grant");
    std::fs::write(root.path().join("canary.txt"), "outside secret").expect("canary");
    let confinement = Confinement {
        read_write: vec![grant],
        read_only: vec![],
        scratch: root.path().join("scratch"),
        network: false,
        limits: Limits {
            timeout: Duration::from_secs(10),
            ..Limits::default()
        },
    };
    (root, confinement)
}

fn sh(c: &Confinement, root: &std::path::Path, cmd: &str) -> errand_sandbox::Outcome {
    run(cmd, &root.join("grant"), c, &AtomicBool::new(false)).expect("run")
}

#[test]
fn work_inside_the_grant_runs_and_escapes_fail() {
    let (root, c) = setup();
    let root = root.path();
    let ok = sh(
        &c,
        root,
        "echo hello > note.txt && cat note.txt && id -u && hostname",
    );
    assert_eq!(ok.ending, Ending::Exited(0), "{ok:?}");
    assert!(ok.stdout.starts_with("hello\n"), "{ok:?}");
    assert_eq!(
        std::fs::read_to_string(root.join("grant/note.txt")).expect("note"),
        "hello\n"
    );
    let canary = root.join("canary.txt");
    let read = sh(&c, root, &format!("cat {}", canary.display()));
    assert_ne!(read.ending, Ending::Exited(0), "{read:?}");
    assert!(!read.stdout.contains("outside secret"));
    let write = sh(&c, root, &format!("echo x > {}/new.txt", root.display()));
    assert_ne!(write.ending, Ending::Exited(0), "{write:?}");
    assert!(!root.join("new.txt").exists());
    let unshare = sh(&c, root, "unshare -U true");
    assert_ne!(unshare.ending, Ending::Exited(0), "{unshare:?}");
    let slow = run(
        "sleep 30",
        &root.join("grant"),
        &Confinement {
            limits: Limits {
                timeout: Duration::from_millis(300),
                ..Limits::default()
            },
            ..c.clone()
        },
        &AtomicBool::new(false),
    )
    .expect("run");
    assert_eq!(slow.ending, Ending::TimedOut);
    assert!(slow.elapsed < Duration::from_secs(5));
    eprintln!("{ok:?}\n{read:?}\n{write:?}\n{unshare:?}");
}
