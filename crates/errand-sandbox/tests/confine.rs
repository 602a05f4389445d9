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
        network: errand_sandbox::NetworkAccess::Off,
        limits: Limits {
            timeout: Duration::from_secs(10),
            ..Limits::default()
        },
        overlays: Vec::new(),
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
        "sleep 31 & sleep 32 & (sleep 33 &) ; sleep 30",
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
    // The whole tree went with it, the detached grandchild too.
    std::thread::sleep(Duration::from_millis(200));
    let left: Vec<String> = std::fs::read_dir("/proc")
        .expect("proc")
        .flatten()
        .filter_map(|e| std::fs::read(e.path().join("cmdline")).ok())
        .map(|c| String::from_utf8_lossy(&c).replace('\0', " "))
        .filter(|c| c.starts_with("sleep 3") && ["31", "32", "33"].iter().any(|n| c.contains(n)))
        .collect();
    assert!(left.is_empty(), "left running: {left:?}");
    eprintln!("{ok:?}\n{read:?}\n{write:?}\n{unshare:?}");
}

#[test]
fn an_overlay_keeps_the_grant_untouched_and_collects_the_changes() {
    let (root, mut c) = setup();
    let root = root.path();
    let grant = root.join("grant");
    std::fs::write(grant.join("keep.txt"), "original").expect("keep");
    std::fs::write(grant.join("gone.txt"), "doomed").expect("gone");
    let (upper, work) = (root.join("upper"), root.join("work"));
    std::fs::create_dir_all(&upper).expect("upper");
    std::fs::create_dir_all(&work).expect("work");
    c.overlays = vec![errand_sandbox::Overlay {
        grant: grant.clone(),
        upper: upper.clone(),
        work,
    }];
    let out = sh(
        &c,
        root,
        "echo rewritten > keep.txt && rm gone.txt && mkdir -p out && echo new > out/n.txt && cat keep.txt && ls",
    );
    assert_eq!(out.ending, Ending::Exited(0), "{out:?}");
    assert_eq!(out.stdout, "rewritten\nkeep.txt\nout\n");
    // The real folder is as it was; the upper layer holds every change.
    assert_eq!(
        std::fs::read_to_string(grant.join("keep.txt")).expect("keep"),
        "original"
    );
    assert!(grant.join("gone.txt").exists());
    assert!(!grant.join("out").exists());
    assert_eq!(
        std::fs::read_to_string(upper.join("keep.txt")).expect("upper"),
        "rewritten\n"
    );
    assert_eq!(
        std::fs::read_to_string(upper.join("out/n.txt")).expect("n"),
        "new\n"
    );
    use std::os::unix::fs::FileTypeExt;
    let whiteout = std::fs::symlink_metadata(upper.join("gone.txt")).expect("whiteout");
    assert!(whiteout.file_type().is_char_device());
}
