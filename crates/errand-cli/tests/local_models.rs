//! Local models as a first-class choice: a llama.cpp server's own context window shows in
//! `errand models`, and real traffic recorded from one (Qwen2.5-Coder-1.5B behind llama.cpp,
//! set up by ../shared/local-model) replays through the whole CLI, quirks and all.
mod common;

use common::*;
use errand_testkit::{ReplayServer, Reply};

#[test]
fn models_shows_a_local_servers_context_window() {
    let env = Env::new();
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let server = rt.block_on(ReplayServer::start_with_gets(
        Vec::<Reply>::new(),
        vec![
            (
                "/v1/models".into(),
                r#"{"object":"list","data":[{"id":"local-model","object":"model","owned_by":"llamacpp"}]}"#.into(),
            ),
            (
                "/props".into(),
                r#"{"default_generation_settings":{"n_ctx":16384},"total_slots":1}"#.into(),
            ),
        ],
    ));
    std::fs::write(
        env.work.path().join("no-config.toml"),
        format!(
            "[models.local]\nspec = \"openai-compatible:local-model@{}/v1\"\n",
            server.url
        ),
    )
    .expect("config");
    let out = env
        .cmd()
        .args(["models", "--json"])
        .env("OLLAMA_HOST", "127.0.0.1:9")
        .output()
        .expect("run");
    assert_eq!(code(&out), 0, "{}", text(&out));
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let local = list
        .as_array()
        .expect("array")
        .iter()
        .find(|e| e["name"] == "local")
        .expect("the profile");
    let status = local["status"].as_str().unwrap_or_default();
    assert!(status.starts_with("reachable"), "{status}");
    assert!(status.contains("context 16384 tokens (server)"), "{status}");
}
