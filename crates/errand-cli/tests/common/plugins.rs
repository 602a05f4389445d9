//! Helpers the plugin and skill tests share: the knowledge-work-plugins fixture, and tasks
//! run against a loopback model server.
use super::{Env, code, text};
use errand_testkit::Reply;
use errand_testkit::wire::{Block, TurnUsage, openai_turn};
use serde_json::Value;
use std::path::{Path, PathBuf};

pub fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/knowledge-work-plugins")
}

/// Writes `files` (path relative to `root`, text) under `root`, making folders as needed.
pub fn write_files(root: &Path, files: &[(&str, &str)]) {
    for (rel, text) in files {
        let path = root.join(rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).expect("mkdir");
        }
        std::fs::write(&path, text).expect("write");
    }
}

pub fn json_out(out: &std::process::Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(out)))
}

pub fn local_plugins(env: &Env) -> Vec<(String, PathBuf)> {
    let out = env.run(&[
        "--json",
        "plugins",
        "marketplace",
        "list",
        "knowledge-work-plugins",
    ]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let market = json_out(&out);
    market["plugins"]
        .as_array()
        .expect("plugins")
        .iter()
        .filter(|p| p["source"]["kind"] == "path")
        .map(|p| {
            let path = p["source"]["path"].as_str().expect("path");
            (
                p["name"].as_str().expect("name").to_string(),
                fixture().join(path),
            )
        })
        .collect()
}

pub fn install_all_local(env: &Env) -> Vec<(String, PathBuf)> {
    let out = env
        .cmd()
        .args(["plugins", "marketplace", "add"])
        .arg(fixture())
        .output()
        .expect("run");
    assert_eq!(code(&out), 0, "{}", text(&out));
    let local = local_plugins(env);
    for (name, _) in &local {
        let out = env.run(&[
            "plugins",
            "install",
            &format!("{name}@knowledge-work-plugins"),
        ]);
        assert_eq!(code(&out), 0, "installing {name}: {}", text(&out));
    }
    local
}

pub fn turn(i: usize, name: &str, input: Value) -> Reply {
    Reply::sse(
        &openai_turn(
            &format!("chatcmpl-{i}"),
            &[Block::tool(&format!("call_{i}"), name, &input)],
            TurnUsage::default(),
        ),
        3,
    )
}

pub fn use_skill_description(body: &Value) -> String {
    body["tools"]
        .as_array()
        .and_then(|tools| {
            tools
                .iter()
                .find(|t| t["function"]["name"] == "use_skill")
                .and_then(|t| t["function"]["description"].as_str())
        })
        .unwrap_or_default()
        .to_string()
}
