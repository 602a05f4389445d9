//! Tools on demand, as a provider sees them: the first request carries the core tools and
//! names the groups; `load_tools` appends a group's schemas to every later request (the
//! earlier list stays a prefix, so cached prompts stay valid); a tool called by its full
//! name works unloaded and loads its group; an unknown group is an error naming the groups.
mod common;

use common::*;
use errand_testkit::wire::{Block, TurnUsage, openai_turn};
use errand_testkit::{ReplayServer, Reply};
use serde_json::json;

fn tool_names(body: &serde_json::Value) -> Vec<String> {
    body["tools"]
        .as_array()
        .map(|tools| {
            tools
                .iter()
                .filter_map(|t| t["function"]["name"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn groups_load_on_demand_and_append_to_the_tool_list() {
    let env = Env::new();
    let folder = env.dir("work");
    let turn = |i: usize, name: &str, input: serde_json::Value| {
        Reply::sse(
            &openai_turn(
                &format!("chatcmpl-{i}"),
                &[Block::tool(&format!("call_{i}"), name, &input)],
                TurnUsage::default(),
            ),
            5,
        )
    };
    let chart = json!({"path": "chart.png", "type": "column", "title": "Sales",
        "categories": ["North", "South"], "series": [{"name": "Sales", "values": [3, 5]}]});
    let replies = vec![
        turn(0, "load_tools", json!({"groups": ["offices"]})),
        turn(1, "load_tools", json!({"groups": ["office"]})),
        turn(2, "create_chart", chart),
        turn(
            3,
            "finish",
            json!({"summary": "Drew the chart", "deliverables": ["chart.png"]}),
        ),
    ];
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let server = rt.block_on(ReplayServer::start(replies));
    let out = run_with(&env, &server, "draw a chart of sales", &folder);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let events = events(&out);
    let unknown = tool_result(&events, "call_0");
    assert_eq!(unknown["is_error"], true);
    let message = unknown["output"].as_str().unwrap_or_default();
    assert!(
        message.contains("unknown tool group") && message.contains("office, charts"),
        "{message}"
    );
    assert!(
        folder.join("chart.png").exists(),
        "called by name, unloaded"
    );

    let bodies: Vec<serde_json::Value> = server.requests().iter().map(|r| r.json()).collect();
    assert_eq!(bodies.len(), 4);
    let first = tool_names(&bodies[0]);
    assert!(first.contains(&"read_file".to_string()) && first.contains(&"load_tools".to_string()));
    assert!(!first.contains(&"create_spreadsheet".to_string()));
    let system = bodies[0]["messages"][0]["content"]
        .as_str()
        .unwrap_or_default();
    assert!(system.contains("- office: create_spreadsheet"), "{system}");
    // After load_tools{office}: the same list, then the office tools.
    let second = tool_names(&bodies[1]);
    assert_eq!(second, first, "a refused load changes nothing");
    let third = tool_names(&bodies[2]);
    assert_eq!(third[..first.len()], first[..]);
    assert_eq!(
        third[first.len()..],
        [
            "create_spreadsheet",
            "create_document",
            "create_presentation",
            "create_pdf"
        ]
    );
    // create_chart called by name loaded its group for the next request, appended again.
    let fourth = tool_names(&bodies[3]);
    assert_eq!(fourth[..third.len()], third[..]);
    assert_eq!(fourth[third.len()..], ["create_chart"]);
    // The system prompt never changed.
    for body in &bodies[1..] {
        assert_eq!(
            body["messages"][0]["content"],
            bodies[0]["messages"][0]["content"]
        );
    }
}
