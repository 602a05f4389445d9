//! `web_fetch` and `web_search` through the real binary, against a loopback site: a granted
//! page arrives as its article text without scripts or navigation, a PDF as its text, a
//! second fetch from the cache; a redirect to a host not granted, and a loopback address
//! nobody granted, are refused; a host not granted asks even in auto mode; searches go to
//! SearXNG, Brave and Tavily in each one's own format, and with no provider the model is
//! told what the person can configure. Nothing here reaches the internet.
mod common;

use common::*;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

const ARTICLE: &str = r#"<!doctype html><html><head><title>Tides and the moon</title>
<script>var leak = "SCRIPT-TEXT";</script><style>.x{color:red}</style></head>
<body><nav><a href="/">Home</a> NAV-TEXT</nav><header>HEADER-TEXT</header>
<main><article><h1>Why tides follow the moon</h1>
<p>The moon's gravity pulls the oceans into two bulges. See <a href="/sources">sources</a>.</p>
</article></main><footer>FOOTER-TEXT</footer></body></html>"#;

/// A request as the site saw it.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: String,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A loopback site on its own thread; it records every request.
struct Site {
    port: u16,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Site {
    fn start() -> Site {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        let pdf = pdf();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                if let Some(request) = serve(stream, port, &pdf) {
                    log.lock().expect("log").push(request);
                }
            }
        });
        Site { port, seen }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().expect("log").clone()
    }
}

fn pdf() -> Vec<u8> {
    let spec: errand_office::blocks::DocumentSpec = serde_json::from_value(json!({
        "blocks": [{"type": "paragraph", "text": "Tidal range at Saint-Malo reaches thirteen metres."}]
    }))
    .expect("spec");
    errand_office::pdf::build(&spec, &errand_office::media::NoImages).expect("pdf")
}

fn serve(stream: TcpStream, port: u16, pdf: &[u8]) -> Option<Seen> {
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_string();
    let target = parts.next()?.to_string();
    let mut headers = Vec::new();
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).ok()?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            headers.push((name.trim().to_string(), value.trim().to_string()));
        }
    }
    let length: usize = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    let seen = Seen {
        method,
        target,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    };
    let path = seen.target.split('?').next().unwrap_or_default();
    let searxng = json!({"results": [
        {"title": "Tides <b>explained</b>", "url": "https://tides.example/explained", "content": "How the moon moves the sea."},
        {"title": "Tide tables", "url": "https://tables.example/", "content": "Times for every port."}
    ]});
    let brave = json!({"web": {"results": [
        {"title": "Brave tides", "url": "https://brave-result.example/", "description": "From Brave."}
    ]}});
    let tavily = json!({"results": [
        {"title": "Tavily tides", "url": "https://tavily-result.example/", "content": "From Tavily.", "score": 0.9}
    ]});
    let (status, kind, extra, body): (&str, &str, String, Vec<u8>) =
        match (seen.method.as_str(), path) {
            ("GET", "/article") => (
                "200 OK",
                "text/html; charset=utf-8",
                String::new(),
                ARTICLE.into(),
            ),
            ("GET", "/paper.pdf") => ("200 OK", "application/pdf", String::new(), pdf.to_vec()),
            ("GET", "/moved") => (
                "301 Moved Permanently",
                "text/plain",
                "Location: /article\r\n".into(),
                Vec::new(),
            ),
            // The same server under a name the task was not granted.
            ("GET", "/away") => (
                "302 Found",
                "text/plain",
                format!("Location: http://localhost:{port}/article\r\n"),
                Vec::new(),
            ),
            ("GET", "/search") => (
                "200 OK",
                "application/json",
                String::new(),
                searxng.to_string().into(),
            ),
            ("GET", "/res/v1/web/search") => (
                "200 OK",
                "application/json",
                String::new(),
                brave.to_string().into(),
            ),
            ("POST", "/search") => (
                "200 OK",
                "application/json",
                String::new(),
                tavily.to_string().into(),
            ),
            _ => ("404 Not Found", "text/plain", String::new(), b"no".to_vec()),
        };
    let mut stream = stream;
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\n{extra}Connection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).ok()?;
    stream.write_all(&body).ok()?;
    Some(seen)
}

fn call(id: &str, name: &str, input: Value) -> Value {
    json!({"tool_calls": [{"id": id, "name": name, "input": input}]})
}

fn finish() -> Value {
    call("c_end", "finish", json!({"summary": "Read the pages."}))
}

fn output(events: &[Value], id: &str) -> (String, bool) {
    let result = tool_result(events, id);
    (
        result["output"].as_str().unwrap_or_default().to_string(),
        result["is_error"] == true,
    )
}

/// `errand --json run` in auto mode with `args` and an optional config file.
fn run(
    env: &Env,
    turns: Value,
    args: &[&str],
    config: Option<&str>,
    vars: &[(&str, &str)],
) -> std::process::Output {
    let folder = env.dir("work");
    let model = env.script("script.json", turns);
    let mut cmd = env.cmd();
    if let Some(config) = config {
        let path = env.work.path().join("config.toml");
        std::fs::write(&path, config).expect("config");
        cmd.env("ERRAND_CONFIG", path);
    }
    cmd.env_remove("BRAVE_API_KEY").env_remove("TAVILY_API_KEY");
    for (name, value) in vars {
        cmd.env(name, value);
    }
    cmd.args([
        "--json",
        "run",
        "read about tides",
        "--model",
        &model,
        "--mode",
        "auto",
    ])
    .args(args)
    .arg("--folder")
    .arg(&folder)
    .output()
    .expect("run errand")
}

#[test]
fn a_granted_page_arrives_as_its_article_and_what_is_not_granted_is_refused() {
    let site = Site::start();
    let env = Env::new();
    let turns = json!([
        call("c_page", "web_fetch", json!({"url": site.url("/article")})),
        call("c_again", "web_fetch", json!({"url": site.url("/article")})),
        call("c_moved", "web_fetch", json!({"url": site.url("/moved")})),
        call("c_away", "web_fetch", json!({"url": site.url("/away")})),
        call("c_pdf", "web_fetch", json!({"url": site.url("/paper.pdf")})),
        call("c_file", "web_fetch", json!({"url": "file:///etc/passwd"})),
        finish(),
    ]);
    let out = run(&env, turns, &["--allow-host", "127.0.0.1"], None, &[]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let events = events(&out);

    let (page, failed) = output(&events, "c_page");
    assert!(!failed, "{page}");
    let lines: Vec<&str> = page.lines().collect();
    assert_eq!(lines[0], "Title: Tides and the moon");
    assert_eq!(lines[1], format!("URL: {}", site.url("/article")));
    assert!(page.contains("# Why tides follow the moon"), "{page}");
    assert!(page.contains("two bulges"), "{page}");
    assert!(
        page.contains(&format!("[sources]({})", site.url("/sources"))),
        "{page}"
    );
    for gone in [
        "SCRIPT-TEXT",
        "NAV-TEXT",
        "HEADER-TEXT",
        "FOOTER-TEXT",
        "color:red",
    ] {
        assert!(!page.contains(gone), "{gone} in {page}");
    }
    let (again, _) = output(&events, "c_again");
    assert!(again.contains("(cached"), "{again}");

    // A redirect on the same host is followed, and the final URL is the one shown.
    let (moved, failed) = output(&events, "c_moved");
    assert!(!failed, "{moved}");
    assert!(
        moved.starts_with(&format!(
            "Title: Tides and the moon\nURL: {}\nRedirected from: {}",
            site.url("/article"),
            site.url("/moved")
        )),
        "{moved}"
    );

    let (away, failed) = output(&events, "c_away");
    assert!(failed, "{away}");
    let host = format!("localhost:{}", site.port);
    assert!(away.contains(&format!("{host} is not granted")), "{away}");
    assert!(away.contains(&format!("--allow-host {host}")), "{away}");

    let (pdf, failed) = output(&events, "c_pdf");
    assert!(!failed, "{pdf}");
    assert!(pdf.contains("Saint-Malo reaches thirteen metres"), "{pdf}");

    let (file, failed) = output(&events, "c_file");
    assert!(failed && file.contains("only http and https"), "{file}");

    // One request per page: the cache answered the second fetch; nothing went to `localhost`
    // after the refused redirect.
    let paths: Vec<String> = site.seen().iter().map(|s| s.target.clone()).collect();
    assert_eq!(
        paths,
        ["/article", "/moved", "/article", "/away", "/paper.pdf"],
        "{paths:?}"
    );
    assert!(
        site.seen()
            .iter()
            .all(|s| s.header("host") != Some(host.as_str()))
    );
    // The task's log reads back whole.
    let shown = env.run(&["--json", "show", &task_id(&out)]);
    assert_eq!(code(&shown), 0, "{}", text(&shown));
    let shown: Value = serde_json::from_slice(&shown.stdout).expect("show --json");
    assert_eq!(shown["task"]["state"], "done", "{shown}");
}

#[test]
fn a_loopback_address_is_refused_without_a_grant_naming_it() {
    let site = Site::start();
    for args in [&[][..], &["--allow-network"][..]] {
        let env = Env::new();
        let turns = json!([
            call("c_page", "web_fetch", json!({"url": site.url("/article")})),
            finish(),
        ]);
        let out = run(&env, turns, args, None, &[]);
        assert_eq!(code(&out), 0, "{}", text(&out));
        let events = events(&out);
        let (refused, failed) = output(&events, "c_page");
        assert!(failed, "{args:?}: {refused}");
        assert!(
            refused.contains("a loopback address")
                && refused.contains(&format!("--allow-host 127.0.0.1:{}", site.port)),
            "{refused}"
        );
        assert!(
            !events.iter().any(|e| e["type"] == "approval_requested"),
            "refused, not asked"
        );
    }
    assert!(site.seen().is_empty(), "{:?}", site.seen());
}

#[test]
fn a_host_not_granted_asks_even_in_auto_mode() {
    let env = Env::new();
    let turns = json!([
        call(
            "c_page",
            "web_fetch",
            json!({"url": "https://research.invalid/paper?id=7"})
        ),
        finish(),
    ]);
    let out = run(&env, turns, &["--allow-host", "docs.rs"], None, &[]);
    assert_eq!(code(&out), 3, "waiting for approval: {}", text(&out));
    let events = events(&out);
    let asked = events
        .iter()
        .find(|e| e["type"] == "approval_requested")
        .unwrap_or_else(|| panic!("no approval asked: {}", text(&out)));
    assert_eq!(asked["tool"], "web_fetch");
    assert_eq!(
        asked["summary"],
        "Fetch https://research.invalid/paper?id=7"
    );
    assert!(
        text(&out).contains("research.invalid is a site this task was not given"),
        "{}",
        text(&out)
    );

    // An allow rule stands in for the grant.
    let env = Env::new();
    let turns = json!([
        call(
            "c_page",
            "web_fetch",
            json!({"url": "https://research.invalid/paper"})
        ),
        finish(),
    ]);
    let config = "[rules]\nallow = [\"web_fetch(*.invalid)\"]\n";
    let out = run(&env, turns, &[], Some(config), &[]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let (lookup, failed) = output(&common::events(&out), "c_page");
    assert!(
        failed && lookup.contains("research.invalid"),
        "it tried: {lookup}"
    );
}

#[test]
fn web_search_speaks_each_providers_format() {
    let site = Site::start();
    let base = format!("http://127.0.0.1:{}", site.port);
    let search = |id: &str| call(id, "web_search", json!({"query": "why tides", "count": 3}));

    // SearXNG: the configured instance needs no grant, but a loopback one must be named.
    let env = Env::new();
    let config = format!("[web]\nsearch = \"searxng\"\nsearxng_url = \"{base}\"\n");
    let out = run(
        &env,
        json!([search("c_s"), finish()]),
        &[],
        Some(&config),
        &[],
    );
    assert_eq!(code(&out), 0, "{}", text(&out));
    let (refused, failed) = output(&events(&out), "c_s");
    assert!(
        failed && refused.contains("a loopback address"),
        "{refused}"
    );
    assert!(site.seen().is_empty());
    let env = Env::new();
    let config = format!("{config}[network]\nallow = [\"127.0.0.1\"]\n");
    let out = run(
        &env,
        json!([search("c_s"), finish()]),
        &[],
        Some(&config),
        &[],
    );
    assert_eq!(code(&out), 0, "{}", text(&out));
    let (results, failed) = output(&events(&out), "c_s");
    assert!(!failed, "{results}");
    assert!(
        results.contains("1. Tides explained\n   https://tides.example/explained\n   How the moon moves the sea.\n2. Tide tables"),
        "{results}"
    );
    let seen = site.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].target, "/search?q=why+tides&format=json");

    // Brave: the key from the environment, in its header; a missing key is named.
    let config = format!(
        "[web]\nsearch = \"brave\"\napi_url = \"{base}\"\n[network]\nallow = [\"127.0.0.1\"]\n"
    );
    let env = Env::new();
    let out = run(
        &env,
        json!([search("c_b"), finish()]),
        &[],
        Some(&config),
        &[],
    );
    let (missing, failed) = output(&events(&out), "c_b");
    assert!(
        failed && missing.contains("BRAVE_API_KEY is not set"),
        "{missing}"
    );
    let env = Env::new();
    let out = run(
        &env,
        json!([search("c_b"), finish()]),
        &[],
        Some(&config),
        &[("BRAVE_API_KEY", "brave-test-key")],
    );
    assert_eq!(code(&out), 0, "{}", text(&out));
    let (results, failed) = output(&events(&out), "c_b");
    assert!(
        !failed
            && results.contains("1. Brave tides\n   https://brave-result.example/\n   From Brave."),
        "{results}"
    );
    let seen = site.seen();
    let brave = seen.last().expect("a request");
    assert_eq!(brave.target, "/res/v1/web/search?q=why+tides&count=3");
    assert_eq!(brave.header("x-subscription-token"), Some("brave-test-key"));

    // Tavily: a POST with the query in JSON and the key as a bearer token.
    let config = config.replace("brave", "tavily");
    let env = Env::new();
    let out = run(
        &env,
        json!([search("c_t"), finish()]),
        &[],
        Some(&config),
        &[("TAVILY_API_KEY", "tvly-test-key")],
    );
    assert_eq!(code(&out), 0, "{}", text(&out));
    let (results, failed) = output(&events(&out), "c_t");
    assert!(
        !failed && results.contains("1. Tavily tides\n   https://tavily-result.example/"),
        "{results}"
    );
    let seen = site.seen();
    let tavily = seen.last().expect("a request");
    assert_eq!(
        (tavily.method.as_str(), tavily.target.as_str()),
        ("POST", "/search")
    );
    assert_eq!(tavily.header("authorization"), Some("Bearer tvly-test-key"));
    let body: Value = serde_json::from_str(&tavily.body).expect("json body");
    assert_eq!(body["query"], "why tides");
    assert_eq!(body["max_results"], 3);
}

#[test]
fn without_a_provider_search_is_not_offered_and_the_model_hears_what_to_configure() {
    let env = Env::new();
    let out = run(
        &env,
        json!([
            call("c_s", "web_search", json!({"query": "tides"})),
            finish()
        ]),
        &[],
        None,
        &[],
    );
    assert_eq!(code(&out), 0, "{}", text(&out));
    let (why, failed) = output(&events(&out), "c_s");
    assert!(failed, "{why}");
    assert!(
        why.starts_with("web_search is not available: no search provider is configured")
            && why.contains("[web] search = \"searxng\"")
            && why.contains("TAVILY_API_KEY"),
        "{why}"
    );
    // A bad provider name is a configuration error, before anything runs.
    let env = Env::new();
    let out = run(
        &env,
        json!([finish()]),
        &[],
        Some("[web]\nsearch = \"altavista\"\n"),
        &[],
    );
    assert_eq!(code(&out), 2, "{}", text(&out));
    assert!(
        text(&out).contains("searxng, brave or tavily"),
        "{}",
        text(&out)
    );
}
