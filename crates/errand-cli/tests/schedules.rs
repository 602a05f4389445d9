//! Schedules from the command line and the daemon: made, listed, paused, removed, refused
//! when malformed; run by `errand serve` on time in real time; one `errand serve` per data
//! folder; the systemd unit `errand daemon install` writes passes `systemd-analyze verify`.
mod common;

use common::*;
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::{Duration, Instant};

fn json_of(out: &std::process::Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", text(out)))
}

fn list(env: &Env) -> Vec<Value> {
    let out = env.run(&["--json", "schedule", "list"]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    json_of(&out)["schedules"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[test]
fn schedules_are_made_listed_paused_and_removed_and_bad_ones_refused_by_name() {
    let env = Env::new();
    let folder = env.dir("reports");
    let folder_arg = folder.display().to_string();
    let out = env.run(&[
        "--json",
        "schedule",
        "add",
        "Write the weekly report",
        "--folder",
        &folder_arg,
        "--every",
        "weekday 08:00",
        "--mode",
        "auto",
    ]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let made = json_of(&out);
    let id = made["id"].as_str().expect("an id").to_string();
    assert_eq!(made["when"], "every weekday at 08:00");
    let all = list(&env);
    assert_eq!(all.len(), 1);
    let listed = &all[0];
    assert_eq!(listed["id"], id.as_str());
    assert_eq!(listed["outcome"], "Write the weekly report");
    assert_eq!(listed["recurrence"]["pattern"], "0 8 * * 1-5");
    assert_eq!(listed["missed"], "once");
    assert_eq!(listed["mode"], "auto");
    let next: chrono::DateTime<chrono::Local> = listed["next_run"]
        .as_str()
        .expect("a next run")
        .parse()
        .expect("a time");
    use chrono::{Datelike, Timelike};
    assert_eq!((next.hour(), next.minute()), (8, 0), "{next}");
    assert!(next.weekday().num_days_from_monday() < 5, "{next}");

    // Paused: no next run. Resumed: one again. A prefix of the id names it.
    let out = env.run(&["schedule", "pause", &id[..8]]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert!(list(&env)[0]["next_run"].is_null());
    assert_eq!(list(&env)[0]["paused"], true);
    let out = env.run(&["schedule", "resume", &id]);
    assert!(text(&out).contains("resumed; next run:"), "{}", text(&out));
    assert!(list(&env)[0]["next_run"].is_string());

    let out = env.run(&["--json", "schedule", "history", &id]);
    assert_eq!(json_of(&out)["history"], serde_json::json!([]));

    for (args, says) in [
        (
            vec!["--every", "fortnightly"],
            "`fortnightly` is not a schedule Errand knows",
        ),
        (vec!["--cron", "0 8 * *"], "five fields"),
        (vec!["--cron", "61 8 * * *"], "is not a cron pattern"),
        (vec!["--every", "10s"], "at least one minute"),
        (
            vec!["--every", "day", "--mode", "yolo"],
            "unknown mode `yolo`",
        ),
    ] {
        let mut all = vec!["schedule", "add", "Tidy up", "--folder", &folder_arg];
        all.extend(args.iter().copied());
        let out = env.run(&all);
        assert_eq!(code(&out), 2, "{args:?}: {}", text(&out));
        assert!(text(&out).contains(says), "{args:?}: {}", text(&out));
    }
    let gone = folder.join("no-such-folder").display().to_string();
    let out = env.run(&[
        "schedule", "add", "Tidy up", "--folder", &gone, "--every", "day",
    ]);
    assert_eq!(code(&out), 2, "{}", text(&out));
    assert!(text(&out).contains("no-such-folder"), "{}", text(&out));
    let out = env.run(&["schedule", "add", "Tidy up", "--folder", &folder_arg]);
    assert_eq!(code(&out), 2, "no time given: {}", text(&out));
    let out = env.run(&["schedule", "pause", "zzzz"]);
    assert_ne!(code(&out), 0);
    assert!(text(&out).contains("no schedule `zzzz`"), "{}", text(&out));

    let out = env.run(&["schedule", "remove", &id]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert!(list(&env).is_empty());
}

/// `errand serve --port 0`, killed on drop.
struct Serving(std::process::Child);

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// With a `notify-send` that writes what it is asked to show into `notified.txt`.
fn serve(env: &Env) -> Serving {
    let bin = env.work.path().join("bin");
    std::fs::create_dir_all(&bin).expect("bin");
    let fake = bin.join("notify-send");
    std::fs::write(
        &fake,
        format!(
            "#!/bin/sh\nprintf '%s|' \"$@\" >> '{}'\necho >> '{}'\n",
            env.work.path().join("notified.txt").display(),
            env.work.path().join("notified.txt").display()
        ),
    )
    .expect("fake notify-send");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut child = env
        .cmd()
        .env("PATH", path)
        .args(["serve", "--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start errand serve");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("the first line");
    assert!(line.starts_with("http://"), "{line}");
    Serving(child)
}

#[test]
fn errand_serve_runs_a_minutely_schedule_within_seventy_seconds_and_only_one_serves() {
    let env = Env::new();
    let downloads = env.work.path().join("Downloads");
    let out = env.run(&[
        "demo-folder",
        &downloads.display().to_string(),
        "--files",
        "40",
    ]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let before = tree(&downloads).len();
    let out = env.run(&[
        "--json",
        "schedule",
        "add",
        "organize my downloads by type and date",
        "--folder",
        &downloads.display().to_string(),
        "--cron",
        "* * * * *",
        "--mode",
        "auto",
        "--model",
        "offline",
    ]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let id = json_of(&out)["id"].as_str().expect("id").to_string();

    let started = Instant::now();
    let _serving = serve(&env);
    // A second `errand serve` on the same data folder says who serves it, and stops.
    let second = env.run(&["serve", "--port", "0"]);
    assert_eq!(code(&second), 2, "{}", text(&second));
    assert!(
        text(&second).contains("`errand serve` already runs for the data folder"),
        "{}",
        text(&second)
    );
    let holder: u32 = std::fs::read_to_string(env.home.path().join("serve.lock"))
        .expect("the lock names its holder")
        .trim()
        .parse()
        .expect("a pid");
    assert!(
        text(&second).contains(&format!("process {holder}")),
        "{}",
        text(&second)
    );

    let done = loop {
        let listed = list(&env);
        let s = &listed[0];
        if s["last_task_state"] == "done" {
            break s.clone();
        }
        // The run starts at the next minute boundary (up to 60 s away) and then works; the
        // bound only says it happened, with room for a slow, shared machine.
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "no run within 120 s: {s}"
        );
        std::thread::sleep(Duration::from_millis(500));
    };
    let took = started.elapsed();
    eprintln!(
        "the scheduled run was done {:.1} s after errand serve started",
        took.as_secs_f64()
    );
    let task = done["last_task"].as_str().expect("a task").to_string();
    let out = env.run(&["--json", "show", &task]);
    let shown = json_of(&out);
    assert_eq!(
        shown["task"]["outcome"],
        "organize my downloads by type and date"
    );
    // The files were organized into folders, none lost.
    let after = tree(&downloads);
    assert_eq!(after.len(), before, "no file lost");
    // Hidden files (.DS_Store) stay where they are.
    let loose: Vec<&String> = after
        .keys()
        .filter(|p| !p.contains('/') && !p.starts_with('.'))
        .collect();
    assert!(
        loose.is_empty(),
        "every file moved into a folder: {loose:?}"
    );
    let out = env.run(&["--json", "schedule", "history", &id]);
    let history = json_of(&out)["history"].clone();
    let ran = &history[0];
    assert_eq!(ran["kind"], "ran", "{history}");
    assert_eq!(ran["task"], task.as_str());
    // The desktop was told (the fake notify-send wrote what it was asked to show).
    let notified = env.work.path().join("notified.txt");
    let waited = Instant::now();
    let shown = loop {
        let shown = std::fs::read_to_string(&notified).unwrap_or_default();
        if shown.contains("Errand: a scheduled task is done")
            || waited.elapsed() > Duration::from_secs(10)
        {
            break shown;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(
        shown,
        "--app-name=Errand|Errand: a scheduled task is done|“organize my downloads by type and date”|\n"
    );
}

#[test]
fn the_daemon_writes_a_systemd_unit_that_verifies() {
    let env = Env::new();
    let config_home = env.work.path().join("xdg");
    let run = |args: &[&str]| {
        env.cmd()
            .env("XDG_CONFIG_HOME", &config_home)
            .args(args)
            .output()
            .expect("run")
    };
    let out = run(&["--json", "daemon", "install", "--port", "8499"]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let installed = json_of(&out);
    let unit = config_home.join("systemd/user/errand.service");
    assert_eq!(installed["unit"], unit.display().to_string());
    let text_of_unit = std::fs::read_to_string(&unit).expect("the unit");
    assert!(
        text_of_unit.contains(" serve --port 8499\n"),
        "{text_of_unit}"
    );
    assert!(
        text_of_unit.contains(&format!(
            "Environment=ERRAND_HOME={}",
            env.home.path().display()
        )),
        "{text_of_unit}"
    );
    // The token is in a file only its owner reads, not in the unit.
    let env_file = env.home.path().join("daemon.env");
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&env_file)
        .expect("env file")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    let token = std::fs::read_to_string(&env_file).expect("token");
    assert!(token.starts_with("ERRAND_SERVE_TOKEN="), "{token}");
    assert!(!text_of_unit.contains(token.trim()), "no token in the unit");
    let url = installed["url"].as_str().expect("url");
    assert!(
        url.ends_with(&token.trim()["ERRAND_SERVE_TOKEN=".len()..]),
        "{url}"
    );
    if installed["started"] == false {
        assert!(
            installed["crontab"]
                .as_str()
                .is_some_and(|l| l.starts_with("@reboot ") && l.contains(" serve --port 8499")),
            "{installed}"
        );
    }
    let verify = std::process::Command::new("systemd-analyze")
        .arg("verify")
        .arg(&unit)
        .output()
        .expect("systemd-analyze is installed (.ci/run installs systemd)");
    assert!(
        verify.status.success(),
        "systemd-analyze verify: {}",
        text(&verify)
    );
    // Installing again keeps the token: the link stays the same.
    let again = json_of(&run(&["--json", "daemon", "install", "--port", "8499"]));
    assert_eq!(again["url"], installed["url"]);
    let status = json_of(&run(&["--json", "daemon", "status"]));
    assert_eq!(status["installed"], true);
    let out = run(&["--json", "daemon", "uninstall"]);
    assert_eq!(json_of(&out)["removed"], true);
    assert!(!unit.exists());
}

#[test]
fn a_task_can_make_its_request_recur_only_with_the_persons_yes() {
    let env = Env::new();
    let folder = env.dir("reports");
    let spec = env.script(
        "recur.json",
        serde_json::json!([
            {"tool_calls": [{"id": "recur", "name": "schedule_task",
                "input": {"outcome": "Write the weekly report", "every": "monday 09:00"}}]},
            {"tool_calls": [{"name": "finish", "input": {"summary": "It will run every Monday."}}]}
        ]),
    );
    let out = env
        .cmd()
        .args([
            "--json",
            "run",
            "Do the weekly report every Monday",
            "--model",
            &spec,
        ])
        .args(["--mode", "auto", "--folder"])
        .arg(&folder)
        .output()
        .expect("run");
    assert_eq!(
        code(&out),
        3,
        "waits for the person even in auto mode: {}",
        text(&out)
    );
    let asked = events(&out)
        .into_iter()
        .find(|e| e["type"] == "approval_requested")
        .expect("an approval request");
    assert_eq!(
        asked["summary"],
        "schedule “Write the weekly report” every Monday at 09:00 in reports"
    );
    assert!(list(&env).is_empty(), "nothing scheduled before the yes");
    let task = task_id(&out);
    let out = env.run(&["approve", &task]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let all = list(&env);
    assert_eq!(all.len(), 1);
    assert_eq!(all[0]["outcome"], "Write the weekly report");
    assert_eq!(all[0]["when"], "every Monday at 09:00");
    assert_eq!(all[0]["mode"], "auto");
    assert_eq!(
        all[0]["folders"][0]["path"],
        folder.canonicalize().expect("path").display().to_string()
    );
}
