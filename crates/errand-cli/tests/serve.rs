//! `errand serve` from outside, as a browser or a script reaches it: every security rule
//! of the workspace (token, Host, Origin, no CORS, folder roots, page policy), the API's
//! answers, and the live event stream. Requests are written by hand over TCP so each test
//! controls exactly the headers a hostile page could send.
mod common;

use common::Env;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

const TOKEN: &str = "t0ken-for-tests";

struct Served {
    child: Child,
    port: u16,
    root: PathBuf,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `errand serve --port 0` with `[serve] roots` set to one folder of the scratch area.
fn serve(env: &Env) -> Served {
    let root = env.dir("root");
    let config = env.work.path().join("serve.toml");
    std::fs::write(
        &config,
        format!("[serve]\nroots = [{:?}]\n", root.display().to_string()),
    )
    .expect("config");
    let mut child = env
        .cmd()
        .env("ERRAND_CONFIG", &config)
        .env("ERRAND_SERVE_TOKEN", TOKEN)
        .args(["serve", "--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start errand serve");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("first line");
    // http://127.0.0.1:PORT/?token=TOKEN
    let rest = line
        .trim()
        .strip_prefix("http://127.0.0.1:")
        .unwrap_or_else(|| panic!("first line is the URL, got {line:?}"));
    let (port, token) = rest.split_once("/?token=").expect("token in the URL");
    assert_eq!(token, TOKEN);
    Served {
        child,
        port: port.parse().expect("port"),
        root,
    }
}

struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}

impl Served {
    /// A new folder under the server's root, to grant a task.
    fn folder(&self, name: &str) -> PathBuf {
        let folder = self.root.join(name);
        std::fs::create_dir_all(&folder).expect("mkdir");
        folder
    }

    fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// One HTTP/1.1 request with exactly these headers (plus Host unless given).
    fn raw(&self, method: &str, path: &str, headers: &[(&str, String)], body: &str) -> Reply {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .expect("timeout");
        let mut request = format!("{method} {path} HTTP/1.1\r\nConnection: close\r\n");
        if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) {
            request.push_str(&format!("Host: {}\r\n", self.host()));
        }
        for (k, v) in headers {
            request.push_str(&format!("{k}: {v}\r\n"));
        }
        if !body.is_empty() {
            request.push_str("Content-Type: application/json\r\n");
        }
        request.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
        stream.write_all(request.as_bytes()).expect("send");
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).expect("read");
        let text = String::from_utf8_lossy(&raw).into_owned();
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        let mut lines = head.lines();
        let status = lines
            .next()
            .and_then(|l| l.split(' ').nth(1))
            .and_then(|s| s.parse().ok())
            .expect("status line");
        let headers = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
            .collect();
        Reply {
            status,
            headers,
            body: body.to_string(),
        }
    }

    fn bearer(&self) -> (&'static str, String) {
        ("Authorization", format!("Bearer {TOKEN}"))
    }

    fn get(&self, path: &str) -> Reply {
        self.raw("GET", path, &[self.bearer()], "")
    }

    fn post(&self, path: &str, body: Value) -> Reply {
        self.raw("POST", path, &[self.bearer()], &body.to_string())
    }

    /// Waits until the task's state is one of `states`.
    fn wait_state(&self, id: &str, states: &[&str]) -> Value {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let task = self.get(&format!("/api/tasks/{id}")).json();
            let state = task["task"]["state"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            if states.contains(&state.as_str()) {
                return task;
            }
            assert!(
                Instant::now() < deadline,
                "task {id} stayed {state}, wanted {states:?}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

fn script(env: &Env, name: &str, turns: Value) -> String {
    env.script(name, turns)
}

fn write_then_finish(path: &str, content: &str) -> Value {
    json!([
        {"tool_calls": [{"name": "write_file", "input": {"path": path, "content": content}}]},
        {"tool_calls": [{"name": "finish", "input": {"summary": "Wrote it.", "deliverables": [path]}}]}
    ])
}

fn create(served: &Served, folder: &Path, model: &str, mode: &str) -> String {
    let reply = served.post(
        "/api/tasks",
        json!({"outcome": "write a note", "folders": [{"path": folder, "writable": true}],
               "mode": mode, "model": model}),
    );
    assert_eq!(reply.status, 201, "{}", reply.body);
    reply.json()["id"].as_str().expect("id").to_string()
}

#[test]
fn every_request_needs_the_token_as_bearer_or_the_cookie_the_link_sets() {
    let env = Env::new();
    let served = serve(&env);
    for path in ["/", "/app.js", "/api/tasks", "/api/trash"] {
        let reply = served.raw("GET", path, &[], "");
        assert_eq!(reply.status, 401, "{path} without a token");
    }
    let wrong = served.raw(
        "GET",
        "/api/tasks",
        &[("Authorization", "Bearer nope".into())],
        "",
    );
    assert_eq!(wrong.status, 401);
    assert_eq!(served.get("/api/tasks").status, 200);
    // The printed link trades the token for an HttpOnly, SameSite=Strict cookie.
    let login = served.raw("GET", &format!("/?token={TOKEN}"), &[], "");
    assert_eq!(login.status, 303);
    assert_eq!(login.header("location"), Some("/"));
    let cookie = login.header("set-cookie").expect("a cookie").to_string();
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Strict"), "{cookie}");
    let pair = cookie.split(';').next().expect("name=value").to_string();
    let with_cookie = served.raw("GET", "/api/tasks", &[("Cookie", pair.clone())], "");
    assert_eq!(with_cookie.status, 200);
    // Another port's cookie (another workspace on this machine) is not ours.
    let (name, value) = pair.split_once('=').expect("pair");
    let other = served.raw(
        "GET",
        "/api/tasks",
        &[("Cookie", format!("{name}0={value}"))],
        "",
    );
    assert_eq!(other.status, 401);
    let bad_link = served.raw("GET", "/?token=guess", &[], "");
    assert_eq!(bad_link.status, 401);
    assert!(bad_link.header("set-cookie").is_none());
}

#[test]
fn a_foreign_host_is_refused_even_with_the_token() {
    let env = Env::new();
    let served = serve(&env);
    let port = served.port;
    for host in [
        format!("evil.example:{port}"),
        format!("localhost.evil.example:{port}"),
        "127.0.0.1:1".to_string(),
    ] {
        let reply = served.raw(
            "GET",
            "/api/tasks",
            &[served.bearer(), ("Host", host.clone())],
            "",
        );
        assert_eq!(reply.status, 403, "Host {host}");
    }
    for host in [format!("localhost:{port}"), format!("127.0.0.1:{port}")] {
        let reply = served.raw(
            "GET",
            "/api/tasks",
            &[served.bearer(), ("Host", host.clone())],
            "",
        );
        assert_eq!(reply.status, 200, "Host {host}");
    }
}

#[test]
fn state_changing_requests_from_another_origin_are_refused_and_no_cors_is_offered() {
    let env = Env::new();
    let served = serve(&env);
    let folder = served.folder("notes");
    let body =
        json!({"outcome": "organize by type", "folders": [{"path": folder}], "mode": "plan"})
            .to_string();
    for (name, value) in [
        ("Origin", "http://evil.example".to_string()),
        ("Origin", format!("http://localhost:{}", served.port + 1)),
        ("Origin", "null".to_string()),
        ("Sec-Fetch-Site", "cross-site".to_string()),
    ] {
        let reply = served.raw(
            "POST",
            "/api/tasks",
            &[served.bearer(), (name, value.clone())],
            &body,
        );
        assert_eq!(reply.status, 403, "{name}: {value}");
    }
    assert_eq!(
        served.get("/api/tasks").json()["total"],
        0,
        "nothing was created"
    );
    let own = served.raw(
        "POST",
        "/api/tasks",
        &[
            served.bearer(),
            ("Origin", format!("http://{}", served.host())),
        ],
        &body,
    );
    assert_eq!(own.status, 201, "{}", own.body);
    // A preflight gets no CORS grant, and no answer ever carries one.
    let preflight = served.raw(
        "OPTIONS",
        "/api/tasks",
        &[
            served.bearer(),
            ("Origin", "http://evil.example".into()),
            ("Access-Control-Request-Method", "POST".into()),
        ],
        "",
    );
    assert_ne!(preflight.status, 200);
    for reply in [&preflight, &own] {
        assert!(
            !reply
                .headers
                .iter()
                .any(|(k, _)| k.to_ascii_lowercase().starts_with("access-control-")),
            "{:?}",
            reply.headers
        );
    }
}

#[test]
fn folders_outside_the_roots_are_refused_by_name_dots_or_links() {
    let env = Env::new();
    let served = serve(&env);
    let outside = env.dir("outside");
    let inside = served.folder("inside");
    std::os::unix::fs::symlink(&outside, served.root.join("link")).expect("symlink");
    let root = served.root.display().to_string();
    for folder in [
        outside.clone(),
        served.root.join("inside/../../outside"),
        served.root.join("link"),
        PathBuf::from("/"),
    ] {
        let reply = served.post(
            "/api/tasks",
            json!({"outcome": "organize by type", "folders": [{"path": folder}], "mode": "plan"}),
        );
        assert_eq!(reply.status, 400, "{}: {}", folder.display(), reply.body);
        assert!(
            reply.json()["error"]
                .as_str()
                .unwrap_or_default()
                .contains(&root),
            "names the roots: {}",
            reply.body
        );
        let listing = served.get(&format!("/api/folders?path={}", folder.display()));
        assert_eq!(
            listing.status,
            400,
            "the picker refuses {}",
            folder.display()
        );
    }
    let ok = served.post(
        "/api/tasks",
        json!({"outcome": "organize by type", "folders": [{"path": inside}], "mode": "plan"}),
    );
    assert_eq!(ok.status, 201, "{}", ok.body);
    let roots = served.get("/api/folders").json();
    assert_eq!(roots["roots"][0].as_str(), Some(root.as_str()));
    let listing = served.get(&format!("/api/folders?path={root}")).json();
    let names: Vec<&str> = listing["folders"]
        .as_array()
        .expect("folders")
        .iter()
        .filter_map(|f| f["name"].as_str())
        .collect();
    assert!(names.contains(&"inside"), "{listing}");
}

#[test]
fn pages_allow_only_their_own_scripts() {
    let env = Env::new();
    let served = serve(&env);
    let page = served.get("/");
    assert_eq!(page.status, 200);
    let policy = page.header("content-security-policy").expect("a policy");
    assert!(policy.contains("script-src 'self'"), "{policy}");
    assert!(!policy.contains("unsafe-inline"), "{policy}");
    assert_eq!(page.header("x-content-type-options"), Some("nosniff"));
    assert!(page.body.contains("app.js"));
    // The page carries no inline script a policy would have to allow.
    assert!(
        !page.body.contains("<script>"),
        "inline script in index.html"
    );
}

#[test]
fn a_task_from_the_api_waits_for_approval_shows_a_diff_and_one_of_two_answers_wins() {
    let env = Env::new();
    let served = serve(&env);
    let folder = served.folder("notes");
    std::fs::write(folder.join("summary.md"), "# Summary\nold line\n").expect("seed");
    let model = script(
        &env,
        "write.json",
        write_then_finish("summary.md", "# Summary\nnew line\n"),
    );
    let id = create(&served, &folder, &model, "ask");
    served.wait_state(&id, &["waiting"]);
    let approvals = served.get(&format!("/api/tasks/{id}/approvals")).json();
    let first = &approvals["approvals"][0];
    assert_eq!(first["tool"], "write_file");
    assert_eq!(first["detail"]["kind"], "diff");
    let lines: Vec<String> = first["detail"]["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .map(|l| {
            format!(
                "{}{}",
                l["op"].as_str().unwrap_or(""),
                l["text"].as_str().unwrap_or("")
            )
        })
        .collect();
    assert_eq!(lines, [" # Summary", "-old line", "+new line"]);
    let call_id = first["call_id"].as_str().expect("call id").to_string();
    // Two tabs answer at once: exactly one wins.
    let answers: Vec<u16> = std::thread::scope(|scope| {
        let tabs: Vec<_> = (0..2)
            .map(|_| {
                let (served, id, call_id) = (&served, &id, &call_id);
                scope.spawn(move || {
                    served
                        .post(
                            &format!("/api/tasks/{id}/approve"),
                            json!({"call_id": call_id}),
                        )
                        .status
                })
            })
            .collect();
        tabs.into_iter().map(|t| t.join().expect("tab")).collect()
    });
    let mut sorted = answers.clone();
    sorted.sort();
    assert_eq!(sorted, [200, 409], "{answers:?}");
    let done = served.wait_state(&id, &["done"]);
    assert_eq!(done["deliverables"][0], "summary.md");
    assert_eq!(
        std::fs::read_to_string(folder.join("summary.md")).expect("read"),
        "# Summary\nnew line\n"
    );
    let changes = served.get(&format!("/api/tasks/{id}/changes")).json();
    assert_eq!(changes["changes"][0]["op"], "write");
    assert_eq!(changes["changes"][0]["replaced"], true);
    let undo = served.post(&format!("/api/tasks/{id}/undo"), json!({}));
    assert_eq!(undo.status, 200, "{}", undo.body);
    assert_eq!(undo.json()["restored"], 1);
    assert_eq!(
        std::fs::read_to_string(folder.join("summary.md")).expect("read"),
        "# Summary\nold line\n"
    );
    // Steering an ended task is a conflict, said in words.
    let late = served.post(&format!("/api/tasks/{id}/say"), json!({"message": "hello"}));
    assert_eq!(late.status, 409);
    assert!(
        late.json()["error"]
            .as_str()
            .unwrap_or_default()
            .contains("already")
    );
}

/// Reads SSE events from a raw stream until `want` data lines have come.
fn read_events(stream: &mut BufReader<TcpStream>, want: usize) -> Vec<(Option<i64>, Value)> {
    let mut events = Vec::new();
    let mut id = None;
    let mut line = String::new();
    while events.len() < want {
        line.clear();
        if stream.read_line(&mut line).expect("read") == 0 {
            break;
        }
        let text = line.trim_end();
        if let Some(value) = text.strip_prefix("id: ") {
            id = value.parse().ok();
        } else if let Some(data) = text.strip_prefix("data: ") {
            events.push((id.take(), serde_json::from_str(data).expect("event json")));
        }
    }
    events
}

fn open_stream(served: &Served, path: &str, last_event_id: Option<i64>) -> BufReader<TcpStream> {
    let mut stream = TcpStream::connect(("127.0.0.1", served.port)).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .expect("timeout");
    let mut request = format!(
        "GET {path} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {TOKEN}\r\nAccept: text/event-stream\r\n",
        served.host()
    );
    if let Some(seq) = last_event_id {
        request.push_str(&format!("Last-Event-ID: {seq}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).expect("send");
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    loop {
        line.clear();
        reader.read_line(&mut line).expect("head");
        if line == "\r\n" || line.is_empty() {
            break;
        }
    }
    reader
}

#[test]
fn the_event_stream_resumes_after_the_last_id_and_carries_cli_events_live() {
    let env = Env::new();
    let served = serve(&env);
    let folder = served.folder("cli");
    let model = script(&env, "cli.json", write_then_finish("note.md", "hello\n"));
    // A task from the CLI, in another process: it stops waiting (no terminal), exit 3.
    let config = env.work.path().join("serve.toml");
    let out = env
        .cmd()
        .env("ERRAND_CONFIG", &config)
        .args([
            "--no-input",
            "run",
            "write a note",
            "--mode",
            "ask",
            "--model",
            &model,
            "--folder",
        ])
        .arg(&folder)
        .output()
        .expect("run");
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tasks = served.get("/api/tasks?q=note").json();
    assert_eq!(tasks["total"], 1, "{tasks}");
    let id = tasks["tasks"][0]["id"].as_str().expect("id").to_string();
    assert_eq!(
        served.get("/api/tasks?q=nothing-like-it").json()["total"],
        0
    );
    let mut stream = open_stream(&served, &format!("/api/tasks/{id}/events"), None);
    let first = read_events(&mut stream, 3);
    let seqs: Vec<i64> = first
        .iter()
        .map(|(id, _)| id.expect("every event has an id"))
        .collect();
    assert_eq!(seqs, [1, 2, 3]);
    assert_eq!(first[0].1["type"], "task_created");
    // Resuming from seq 2 sends 3 and on: nothing lost, nothing twice.
    let mut resumed = open_stream(&served, &format!("/api/tasks/{id}/events"), Some(2));
    let again = read_events(&mut resumed, 1);
    assert_eq!(again[0].0, Some(3));
    // Another process steers the task; the open stream carries it live.
    let said = env
        .cmd()
        .env("ERRAND_CONFIG", &config)
        .args(["say", &id, "use British spelling"])
        .output()
        .expect("say");
    assert!(said.status.success());
    let mut seen = first.len() as i64;
    let live = loop {
        let next = read_events(&mut stream, 1);
        let (seq, event) = next.into_iter().next().expect("a live event");
        let seq = seq.expect("id");
        assert_eq!(seq, seen + 1, "in order, none skipped");
        seen = seq;
        if event["type"] == "user_message" {
            break event;
        }
    };
    assert_eq!(live["text"], "use British spelling");
}

#[test]
fn listening_beyond_loopback_warns_shows_a_qr_code_and_still_needs_the_token() {
    let env = Env::new();
    let mut child = env
        .cmd()
        .env("ERRAND_SERVE_TOKEN", TOKEN)
        .args(["serve", "--port", "0", "--listen", "0.0.0.0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start errand serve");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("first line");
    let port: u16 = line
        .trim()
        .rsplit_once(':')
        .and_then(|(_, rest)| rest.split('/').next())
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("a URL with a port: {line:?}"));
    assert!(line.contains(&format!("/?token={TOKEN}")), "{line}");
    let served = Served {
        child,
        port,
        root: env.dir("root"),
    };
    assert_eq!(served.raw("GET", "/api/tasks", &[], "").status, 401);
    assert_eq!(served.get("/api/tasks").status, 200);
    let mut served = served;
    let _ = served.child.kill();
    let mut warning = String::new();
    served
        .child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut warning)
        .expect("stderr");
    assert!(warning.contains("reachable from the network"), "{warning}");
    assert!(
        warning.contains('█') || warning.contains('▀'),
        "a QR code: {warning}"
    );
}

#[test]
fn a_server_resumes_a_task_whose_process_was_killed() {
    let env = Env::new();
    let folder = env.dir("root").join("notes");
    std::fs::create_dir_all(&folder).expect("mkdir");
    // Slow turns, so the CLI process is surely mid-task when it is killed.
    let model = script(
        &env,
        "slow.json",
        json!([
            {"delay_ms": 300, "tool_calls": [{"name": "write_file", "input": {"path": "a.md", "content": "a\n"}}]},
            {"delay_ms": 300, "tool_calls": [{"name": "write_file", "input": {"path": "b.md", "content": "b\n"}}]},
            {"tool_calls": [{"name": "finish", "input": {"summary": "Wrote a and b.", "deliverables": ["a.md", "b.md"]}}]}
        ]),
    );
    let mut run = env
        .cmd()
        .args([
            "--no-input",
            "run",
            "write two notes",
            "--mode",
            "auto",
            "--model",
            &model,
            "--folder",
        ])
        .arg(&folder)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("run");
    std::thread::sleep(Duration::from_millis(450));
    run.kill().expect("kill -9");
    run.wait().expect("reap");
    let served = serve(&env);
    let tasks = served.get("/api/tasks").json();
    let id = tasks["tasks"][0]["id"]
        .as_str()
        .expect("the killed task")
        .to_string();
    let done = served.wait_state(&id, &["done"]);
    assert_eq!(done["task"]["summary"], "Wrote a and b.");
    assert_eq!(
        std::fs::read_to_string(folder.join("b.md")).expect("b"),
        "b\n"
    );
}

#[test]
fn deliverables_preview_as_computed_grids_and_download_as_attachments() {
    let env = Env::new();
    let served = serve(&env);
    let folder = served.folder("report");
    let sheet = json!({"path": "totals.xlsx", "sheets": [
        {"name": "Costs", "columns": [{"header": "Item"}, {"header": "Amount", "type": "number"}],
         "rows": [["Rail", 88], ["Hotel", 240], ["Total", "=SUM(B2:B3)"]]},
        {"name": "Notes", "rows": [["checked"]]}]});
    let model = script(
        &env,
        "sheet.json",
        json!([
            {"tool_calls": [{"name": "create_spreadsheet", "input": sheet}]},
            {"tool_calls": [{"name": "write_file", "input": {"path": "notes.md", "content": "# Costs\n- rail\n- hotel\n"}}]},
            {"tool_calls": [{"name": "finish", "input": {"summary": "Made the sheet.", "deliverables": ["totals.xlsx", "notes.md"]}}]}
        ]),
    );
    let id = create(&served, &folder, &model, "auto");
    served.wait_state(&id, &["done"]);
    let listed = served.get(&format!("/api/tasks/{id}/deliverables")).json();
    assert_eq!(listed["deliverables"][0]["kind"], "xlsx");
    assert_eq!(listed["deliverables"][0]["exists"], true);
    let grid = served
        .get(&format!("/api/tasks/{id}/deliverables/0/preview"))
        .json();
    assert_eq!(grid["kind"], "sheets");
    assert_eq!(grid["sheets"][0]["name"], "Costs");
    assert_eq!(grid["sheets"][1]["name"], "Notes");
    assert_eq!(
        grid["sheets"][0]["rows"][3],
        json!(["Total", "328"]),
        "{grid}"
    );
    let blocks = served
        .get(&format!("/api/tasks/{id}/deliverables/1/preview"))
        .json();
    assert_eq!(blocks["kind"], "blocks");
    assert_eq!(
        blocks["blocks"][0],
        json!({"type": "heading", "level": 1, "text": "Costs"})
    );
    assert_eq!(blocks["blocks"][1]["items"], json!(["rail", "hotel"]));
    let download = served.get(&format!("/api/tasks/{id}/deliverables/0/download"));
    assert_eq!(download.status, 200);
    assert!(
        download
            .header("content-disposition")
            .is_some_and(|d| d.starts_with("attachment;") && d.contains("totals.xlsx")),
        "{:?}",
        download.headers
    );
    // Only PDFs and pictures show inline; a markdown file is not served as a page.
    assert_eq!(
        served
            .get(&format!("/api/tasks/{id}/deliverables/1/raw"))
            .status,
        400
    );
    assert_eq!(
        served
            .get(&format!("/api/tasks/{id}/deliverables/7/preview"))
            .status,
        404
    );
}

#[test]
fn a_folder_deliverable_is_listed_as_a_folder_with_its_items() {
    let env = Env::new();
    let served = serve(&env);
    let folder = served.folder("sorted");
    let model = script(
        &env,
        "folder.json",
        json!([
            {"tool_calls": [{"name": "write_file", "input": {"path": "Images/a.txt", "content": "a"}}]},
            {"tool_calls": [{"name": "write_file", "input": {"path": "Images/b.txt", "content": "b"}}]},
            {"tool_calls": [{"name": "finish", "input": {"summary": "Sorted.", "deliverables": ["Images"]}}]}
        ]),
    );
    let id = create(&served, &folder, &model, "auto");
    served.wait_state(&id, &["done"]);
    let listed = served.get(&format!("/api/tasks/{id}/deliverables")).json();
    let first = &listed["deliverables"][0];
    assert_eq!(first["kind"], "folder", "{listed}");
    assert_eq!(first["exists"], true);
    assert_eq!(first["items"], 2);
    assert_eq!(
        served
            .get(&format!("/api/tasks/{id}/deliverables/0/download"))
            .status,
        400
    );
}
