//! The fixed part of every model request (system prompt and tool schemas) stays small:
//! it is paid on every call. Measured in bytes of the JSON a provider sends; at the usual
//! ~4 bytes per token for English and JSON, 6,000 bytes is about 1,500 tokens.
//! History: 12,644 bytes (23 tool schemas, all sent) before tool groups; 5,737 bytes with
//! 13 core schemas, then 4,865 with 10 (search, copy and make_dir moved to a group); the
//! other groups are one prompt line each (issue 13). Real tokens,
//! from a local model's usage, are in bench/vs-peers.sh.
use errand_core::agent::system_prompt;
use errand_core::{Grant, TaskView};
use errand_tools::{Workspace, builtin_tools};
use std::sync::Arc;

#[test]
fn the_first_request_fits_in_about_fifteen_hundred_tokens() {
    let dir = tempfile::tempdir().expect("dir");
    let grants = vec![Grant {
        name: "Downloads".into(),
        path: dir.path().to_path_buf(),
        writable: true,
    }];
    let mut tools = builtin_tools(Arc::new(Workspace::open(&grants).expect("ws")));
    // What a task's own agent is offered: the built-in tools plus delegate and ask_user.
    errand_core::agent::register_agent_tools(&mut tools, true);
    let mut view = TaskView::default();
    view.grants = grants;
    let system = system_prompt(&view, tools.groups());
    let schemas: Vec<serde_json::Value> = tools
        .specs_loaded(&[])
        .iter()
        .map(|t| serde_json::json!({"name": t.name, "description": t.description, "input_schema": t.input_schema}))
        .collect();
    let tool_bytes = serde_json::to_string(&schemas).expect("json").len();
    if std::env::var_os("ERRAND_SHOW_SCHEMAS").is_some() {
        for schema in &schemas {
            eprintln!("{schema}");
        }
    }
    let total = system.len() + tool_bytes;
    eprintln!(
        "system prompt: {} bytes; {} tool schemas: {tool_bytes} bytes; total {total} bytes (~{} tokens)",
        system.len(),
        schemas.len(),
        total / 4
    );
    if std::env::var_os("ERRAND_SHOW_SCHEMAS").is_some() {
        eprintln!("{system}");
    }
    assert!(total < 6_000, "the fixed context grew to {total} bytes");
    // Every group is offered by name, and loading one appends its schemas after the core.
    for group in tools.groups() {
        assert!(system.contains(&format!("- {}: ", group.name)), "{system}");
    }
    let loaded = tools.specs_loaded(&["office".into()]);
    assert_eq!(loaded.len(), schemas.len() + 4);
    assert_eq!(
        loaded[..schemas.len()]
            .iter()
            .map(|s| s.name.as_str())
            .collect::<Vec<_>>(),
        tools
            .specs_loaded(&[])
            .iter()
            .map(|s| s.name.as_str())
            .collect::<Vec<_>>(),
        "loading keeps the earlier tool list as a prefix"
    );
}
