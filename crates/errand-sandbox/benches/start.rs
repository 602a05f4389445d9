//! Sandbox start overhead: `true` run 200 times unconfined (sh -c, same output capture),
//! inside Errand's sandbox (namespaces, Landlock, seccomp, cgroup, rlimits), and inside
//! Debian's bubblewrap (`bwrap --ro-bind / / true`) when installed — in one run.
//!
//! `cargo bench -p errand-sandbox --bench start`
use errand_sandbox::{Confinement, Limits, NetworkAccess, run, run_unconfined};
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

const RUNS: usize = 200;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn main() {
    let root = tempfile::tempdir().expect("tmp");
    let grant = root.path().join("grant");
    std::fs::create_dir_all(&grant).expect("grant");
    let confinement = Confinement {
        read_write: vec![grant.clone()],
        read_only: vec![],
        scratch: root.path().join("scratch"),
        network: NetworkAccess::Off,
        limits: Limits::default(),
        overlays: Vec::new(),
    };
    let cancel = AtomicBool::new(false);
    let limits = Limits::default();
    let mut plain = Vec::with_capacity(RUNS);
    let mut sandboxed = Vec::with_capacity(RUNS);
    let mut bwrap = Vec::with_capacity(RUNS);
    let has_bwrap = std::process::Command::new("bwrap")
        .args(["--ro-bind", "/", "/", "true"])
        .status()
        .is_ok_and(|s| s.success());
    // Interleaved, so drift in the machine's load hits all three alike.
    for _ in 0..RUNS {
        let t = Instant::now();
        run_unconfined("true", &grant, &limits, &cancel).expect("plain");
        plain.push(t.elapsed());
        let t = Instant::now();
        let o = run("true", &grant, &confinement, &cancel).expect("sandboxed");
        assert_eq!(o.ending, errand_sandbox::Ending::Exited(0), "{o:?}");
        sandboxed.push(t.elapsed());
        if has_bwrap {
            let t = Instant::now();
            let status = std::process::Command::new("bwrap")
                .args(["--ro-bind", "/", "/", "true"])
                .status()
                .expect("bwrap");
            assert!(status.success());
            bwrap.push(t.elapsed());
        }
    }
    let (plain, sandboxed) = (median(plain), median(sandboxed));
    println!("run_command(\"true\"), median of {RUNS} runs each, interleaved:");
    println!("  without the sandbox: {plain:?}");
    println!(
        "  in Errand's sandbox:  {sandboxed:?}  (+{:?} for the sandbox; target < 5 ms)",
        sandboxed.saturating_sub(plain)
    );
    if has_bwrap {
        let bwrap = median(bwrap);
        println!(
            "  bwrap --ro-bind / / true: {bwrap:?}  (+{:?} over a bare start)",
            bwrap.saturating_sub(plain)
        );
    } else {
        println!("  bwrap: not installed (apt-get install bubblewrap to compare)");
    }
}
