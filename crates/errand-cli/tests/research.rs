//! Research that cites: a brief written from fetched pages links to them, and `finish`'s
//! check sends back any citation the task never fetched — then tells the person, if the
//! model leaves it in.
mod common;

use common::*;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;

/// A granted site with two articles on 127.0.0.1.
fn site() -> (String, String) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr").to_string();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut first = String::new();
            let mut reader = BufReader::new(&stream);
            let _ = reader.read_line(&mut first);
            loop {
                let mut line = String::new();
                match reader.read_line(&mut line) {
                    Ok(0) | Err(_) => break,
                    Ok(_) if line.trim().is_empty() => break,
                    Ok(_) => {}
                }
            }
            let path = first.split_whitespace().nth(1).unwrap_or("/").to_string();
            let body = format!(
                "<html><head><title>Heat pumps {path}</title></head><body><nav>Menu</nav><article><h1>Heat pumps</h1><p>Article {path}: heat pumps cut heating emissions by about half.</p></article></body></html>"
            );
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(body.as_bytes());
        }
    });
    (format!("http://{addr}"), addr)
}

fn brief(site: &str, extra: &str) -> String {
    format!(
        "# Heat pumps: a brief\n\nHeat pumps cut heating emissions by about half ([source]({site}/one)).\n\
         Installers report rising demand (<{site}/two/>).\n{extra}"
    )
}

fn research(turns: Vec<Value>) -> (i32, Vec<Value>) {
    let env = Env::new();
    let folder = env.dir("research");
    let (base, host) = site();
    let mut all = vec![json!({"tool_calls": [
        {"id": "f1", "name": "web_fetch", "input": {"url": format!("{base}/one")}},
        {"id": "f2", "name": "web_fetch", "input": {"url": format!("{base}/two")}}
    ]})];
    all.extend(
        turns
            .into_iter()
            .map(|t| serde_json::from_str(&t.to_string().replace("SITE", &base)).expect("turn")),
    );
    let script = env.script("research.json", Value::Array(all));
    let out = env
        .cmd()
        .args([
            "--json",
            "run",
            "Research heat pumps and write a brief in brief.md",
        ])
        .args([
            "--model",
            &script,
            "--mode",
            "auto",
            "--allow-host",
            &host,
            "--folder",
        ])
        .arg(&folder)
        .output()
        .expect("run");
    (code(&out), events(&out))
}

fn write(content: String) -> Value {
    json!({"tool_calls": [{"id": "w", "name": "write_file", "input": {"path": "brief.md", "content": content}}]})
}

fn finish() -> Value {
    json!({"tool_calls": [{"name": "finish", "input": {"summary": "Wrote the brief.", "deliverables": ["brief.md"]}}]})
}

#[test]
fn a_brief_citing_only_fetched_pages_is_done() {
    let (exit, log) = research(vec![write(brief("SITE", "")), finish()]);
    assert_eq!(exit, 0, "{log:?}");
    let read = tool_result(&log, "f1")["output"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(read.contains("heat pumps cut heating emissions"), "{read}");
    assert!(!read.contains("Menu"), "navigation is left out: {read}");
}

#[test]
fn a_citation_the_task_never_fetched_goes_back_to_the_model_then_to_the_person() {
    let made_up = "Prices fell 40% (SITE/three).";
    let (exit, log) = research(vec![
        write(brief("SITE", made_up)),
        finish(),
        // The model is told, and takes the citation out.
        json!({"tool_calls": [{"id": "w2", "name": "write_file", "input": {"path": "brief.md", "content": brief("SITE", "")}}]}),
        finish(),
    ]);
    assert_eq!(exit, 0, "{log:?}");
    let checked: Vec<&Value> = log.iter().filter(|e| e["type"] == "checked").collect();
    let first = checked.first().map(|e| e.to_string()).unwrap_or_default();
    assert!(
        first.contains("/three, which this task never fetched"),
        "{first}"
    );

    // Left in, it reaches the person: done with problems.
    let (exit, log) = research(vec![write(brief("SITE", made_up)), finish(), finish()]);
    assert_eq!(exit, 5, "{log:?}");
    let said: String = log.iter().map(|e| e.to_string()).collect();
    assert!(
        said.contains("/three, which this task never fetched"),
        "{said}"
    );
    assert!(
        !said.contains("/one, which this task never fetched"),
        "{said}"
    );
}
