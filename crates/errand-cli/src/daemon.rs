//! `errand daemon`: `errand serve` as a systemd user service, so schedules run after a
//! reboot with nothing open; where systemd's user session is not reachable, the crontab
//! line that does the same. The workspace's token lives in a file only you can read, so
//! the service's link stays the same across restarts.
use crate::app::DaemonAction;
use crate::exit::{Exit, ExitCode};
use anyhow::{Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

const UNIT: &str = "errand.service";
const DEFAULT_PORT: u16 = 8417;

pub fn daemon(action: DaemonAction, json: bool) -> Result<ExitCode> {
    match action {
        DaemonAction::Install { port } => install(port, json),
        DaemonAction::Status => status(json),
        DaemonAction::Uninstall => uninstall(json),
    }
}

fn unit_dir() -> Result<PathBuf> {
    let config = match std::env::var_os("XDG_CONFIG_HOME").filter(|v| !v.is_empty()) {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(
            std::env::var_os("HOME").context("HOME is not set; cannot place the service")?,
        )
        .join(".config"),
    };
    Ok(config.join("systemd/user"))
}

fn env_file(data: &Path) -> PathBuf {
    data.join("daemon.env")
}

/// The unit: `errand serve` on a fixed port, restarted when it fails, its token and any
/// ERRAND_HOME/ERRAND_CONFIG of this shell carried over.
fn unit_text(exe: &Path, port: u16, env_file: &Path) -> String {
    let mut environment = String::new();
    for var in ["ERRAND_HOME", "ERRAND_CONFIG"] {
        if let Ok(value) = std::env::var(var)
            && !value.is_empty()
        {
            environment.push_str(&format!("Environment={var}={}\n", quote(&value)));
        }
    }
    format!(
        "[Unit]\n\
         Description=Errand: the web workspace and scheduled tasks\n\
         \n\
         [Service]\n\
         Type=simple\n\
         ExecStart={} serve --port {port}\n\
         EnvironmentFile={}\n\
         {environment}\
         Restart=on-failure\n\
         RestartSec=5\n\
         \n\
         [Install]\n\
         WantedBy=default.target\n",
        quote(&exe.display().to_string()),
        env_file.display(),
    )
}

/// systemd's quoting for a word with spaces.
fn quote(value: &str) -> String {
    if value
        .chars()
        .any(|c| c.is_whitespace() || c == '"' || c == '\\')
    {
        format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
    } else {
        value.to_string()
    }
}

fn write_atomically(path: &Path, text: &str, mode: u32) -> Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let dir = path.parent().context("no folder for the file")?;
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let temp = path.with_extension("tmp");
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(mode)
        .open(&temp)
        .with_context(|| format!("cannot write {}", temp.display()))?;
    file.write_all(text.as_bytes())?;
    file.sync_all()?;
    std::fs::rename(&temp, path).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// Runs `systemctl --user ARGS`; the error says what systemd answered.
fn systemctl(args: &[&str]) -> std::result::Result<String, String> {
    let out = Command::new("systemctl")
        .arg("--user")
        .args(args)
        .output()
        .map_err(|e| format!("systemctl could not run ({e})"))?;
    let text = String::from_utf8_lossy(&out.stdout).trim().to_string();
    if out.status.success() {
        Ok(text)
    } else {
        let err = String::from_utf8_lossy(&out.stderr).trim().to_string();
        Err(if err.is_empty() { text } else { err })
    }
}

fn install(port: Option<u16>, json: bool) -> Result<ExitCode> {
    let config = errand_runtime::Config::load().map_err(|e| Exit::usage(format!("{e:#}")))?;
    let port = port.or(config.serve.port).unwrap_or(DEFAULT_PORT);
    let exe = std::env::current_exe().context("cannot find the errand program")?;
    let data = errand_runtime::data_dir()?;
    let env_path = env_file(&data);
    // One token for the service's lifetime, kept where only you can read it.
    let token = match read_token(&env_path) {
        Some(token) => token,
        None => crate::serve::random_token()?,
    };
    write_atomically(&env_path, &format!("ERRAND_SERVE_TOKEN={token}\n"), 0o600)?;
    let unit_path = unit_dir()?.join(UNIT);
    write_atomically(&unit_path, &unit_text(&exe, port, &env_path), 0o644)?;
    let url = format!("http://127.0.0.1:{port}/?token={token}");
    let started = systemctl(&["daemon-reload"]).and_then(|_| systemctl(&["enable", "--now", UNIT]));
    let cron_line = format!(
        "@reboot {}{} serve --port {port} >> {} 2>&1",
        carried_env(),
        exe.display(),
        data.join("serve.log").display()
    );
    if json {
        println!(
            "{}",
            serde_json::json!({
                "unit": unit_path, "started": started.is_ok(), "url": url,
                "error": started.as_ref().err(), "crontab": cron_line,
            })
        );
        return Ok(ExitCode::Done);
    }
    println!("Wrote {}.", unit_path.display());
    match started {
        Ok(_) => {
            println!(
                "Errand's service is running: schedules run, and the workspace is at\n  {url}"
            );
            let user = std::env::var("USER").unwrap_or_else(|_| "$USER".into());
            println!(
                "To keep it running after you log out, and to start it at boot before you log in:\n  loginctl enable-linger {user}"
            );
        }
        Err(why) => {
            println!("systemd's user session did not answer ({why}), so nothing was started.");
            println!(
                "Without systemd, add this line to your crontab (`crontab -e`) so it starts at boot:\n  {cron_line}"
            );
            println!("Until then, start it yourself with `errand serve --port {port}`.");
        }
    }
    Ok(ExitCode::Done)
}

/// `ERRAND_HOME=… ERRAND_CONFIG=… ` when set, for the crontab line.
fn carried_env() -> String {
    ["ERRAND_HOME", "ERRAND_CONFIG"]
        .iter()
        .filter_map(|var| {
            let value = std::env::var(var).ok().filter(|v| !v.is_empty())?;
            Some(format!("{var}={} ", shell_quote(&value)))
        })
        .collect()
}

fn shell_quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', "'\\''"))
}

fn read_token(env_path: &Path) -> Option<String> {
    std::fs::read_to_string(env_path)
        .ok()?
        .lines()
        .find_map(|l| l.strip_prefix("ERRAND_SERVE_TOKEN="))
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
}

fn status(json: bool) -> Result<ExitCode> {
    let unit_path = unit_dir()?.join(UNIT);
    let installed = unit_path.exists();
    let active = systemctl(&["is-active", UNIT]);
    let state = match &active {
        Ok(state) => state.clone(),
        Err(why) if why.is_empty() => "inactive".into(),
        Err(why) => why.clone(),
    };
    let holder = crate::serve::lock_holder(&errand_runtime::data_dir()?);
    if json {
        println!(
            "{}",
            serde_json::json!({"installed": installed, "unit": unit_path, "state": state, "serve_pid": holder})
        );
        return Ok(ExitCode::Done);
    }
    if installed {
        println!("Installed: {} ({state}).", unit_path.display());
    } else {
        println!("Not installed. `errand daemon install` sets it up.");
    }
    match holder {
        Some(pid) => println!("`errand serve` runs the schedules (process {pid})."),
        None => println!("No `errand serve` runs for this data folder: schedules wait."),
    }
    Ok(ExitCode::Done)
}

fn uninstall(json: bool) -> Result<ExitCode> {
    let unit_path = unit_dir()?.join(UNIT);
    let stopped = systemctl(&["disable", "--now", UNIT]);
    let removed = match std::fs::remove_file(&unit_path) {
        Ok(()) => true,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
        Err(e) => return Err(e).with_context(|| format!("cannot remove {}", unit_path.display())),
    };
    let _ = systemctl(&["daemon-reload"]);
    if json {
        println!(
            "{}",
            serde_json::json!({"removed": removed, "stopped": stopped.is_ok()})
        );
    } else if removed {
        println!(
            "Stopped and removed Errand's service. Schedules run again when `errand serve` runs."
        );
    } else {
        println!("Errand's service was not installed.");
    }
    Ok(ExitCode::Done)
}
