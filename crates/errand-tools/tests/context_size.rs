//! The fixed part of every model request (system prompt and tool schemas) stays small:
//! it is paid on every call. Measured in bytes of the JSON a provider sends; at the usual
//! ~4 bytes per token for English and JSON, 13,000 bytes is about 3,250 tokens. (It was
//! 12,000 for 18 tools; delegate, ask_user and the three work-list tools were fitted in by
//! sending create_pdf's blocks as a pointer to create_document's, which cost 650 bytes more.)
use errand_core::agent::system_prompt;
use errand_core::{Grant, TaskView};
use errand_tools::{Workspace, builtin_tools};
use std::sync::Arc;

#[test]
fn the_first_request_fits_in_about_three_thousand_tokens() {
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
    let system = system_prompt(&view);
    let schemas: Vec<serde_json::Value> = tools
        .specs()
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
    assert!(total < 13_000, "the fixed context grew to {total} bytes");
}
