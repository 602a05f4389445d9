//! `errand serve`: the web workspace. Binds, prints the link to open (with its token) as
//! the first line on stdout, and serves until Ctrl-C; the server crate does the rest.
use crate::app::ServeArgs;
use crate::exit::{Exit, ExitCode};
use anyhow::{Context, Result};
use errand_runtime::Config;
use errand_server::{ServeOptions, Server};
use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

const DEFAULT_PORT: u16 = 8417;

pub async fn serve(args: ServeArgs) -> Result<ExitCode> {
    let config = Config::load().map_err(|e| Exit::usage(format!("{e:#}")))?;
    let token = match std::env::var("ERRAND_SERVE_TOKEN") {
        Ok(token) if !token.trim().is_empty() => {
            let token = token.trim().to_string();
            if !token
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.~".contains(c))
            {
                return Err(Exit::usage(
                    "ERRAND_SERVE_TOKEN may hold only letters, digits and - _ . ~",
                )
                .into());
            }
            token
        }
        _ => random_token()?,
    };
    let port = args.port.or(config.serve.port).unwrap_or(DEFAULT_PORT);
    let data = errand_runtime::data_dir()?;
    // One `errand serve` per data folder: two would both run every schedule.
    let _lock = match lock_serving(&data)? {
        Some(lock) => lock,
        None => {
            let holder = lock_holder(&data)
                .map(|pid| format!("process {pid}"))
                .unwrap_or_else(|| "another process".into());
            return Err(Exit::usage(format!(
                "`errand serve` already runs for the data folder {} ({holder}); it runs the schedules and serves the workspace. Use that one, stop it first (`errand daemon status` says whether it is the service), or set ERRAND_HOME for a separate one.",
                data.display()
            ))
            .into());
        }
    };
    let runtime = Arc::new(errand_runtime::Runtime::open()?);
    let options = ServeOptions {
        listen: SocketAddr::new(args.listen, port),
        token: token.clone(),
        roots: config.serve_roots(),
    };
    let server = Server::bind(runtime, options).await.map_err(|e| {
        Exit::usage(format!(
            "cannot listen on {}:{port}: {e}; pick another with --port N (0 picks a free one)",
            args.listen
        ))
    })?;
    let bound = server.local_addr()?;
    let shown_host = match args.listen {
        IpAddr::V4(v4) if v4.is_unspecified() => lan_address().unwrap_or(IpAddr::V4(v4)),
        IpAddr::V6(v6) if v6.is_unspecified() => lan_address().unwrap_or(IpAddr::V6(v6)),
        other => other,
    };
    let host = match shown_host {
        IpAddr::V6(v6) => format!("[{v6}]"),
        v4 => v4.to_string(),
    };
    let url = format!("http://{host}:{}/?token={token}", bound.port());
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "{url}").and_then(|_| out.flush())?;
    }
    if !args.listen.is_loopback() {
        eprintln!(
            "Warning: the workspace is reachable from the network on {}. Anyone with the link \
             (it carries the token) can act on the granted folders. Scan this on your phone:",
            args.listen
        );
        eprintln!("{}", qr_text(&url));
    }
    eprintln!(
        "Errand's workspace is open at the link above; tasks started there run in this process. Ctrl-C stops it (tasks keep their place)."
    );
    if args.open
        && let Err(e) = std::process::Command::new("xdg-open")
            .arg(&url)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
    {
        eprintln!("Could not open a browser ({e}); open the link yourself.");
    }
    let shutdown = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
        eprintln!(
            "\nStopping: tasks stop at their next step and resume when the workspace starts again."
        );
    };
    server
        .run(shutdown)
        .await
        .context("the workspace stopped")?;
    Ok(ExitCode::Done)
}

fn lock_path(data: &std::path::Path) -> std::path::PathBuf {
    data.join("serve.lock")
}

/// Takes the data folder's serve lock (held until the process ends, however it ends), with
/// this process's id in the file; `None` when another process holds it.
fn lock_serving(data: &std::path::Path) -> Result<Option<std::fs::File>> {
    std::fs::create_dir_all(data)
        .with_context(|| format!("cannot create the data folder {}", data.display()))?;
    let path = lock_path(data);
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .with_context(|| format!("cannot open {}", path.display()))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => return Ok(None),
        Err(std::fs::TryLockError::Error(e)) => {
            return Err(e).with_context(|| format!("cannot lock {}", path.display()));
        }
    }
    file.set_len(0)?;
    writeln!(file, "{}", std::process::id())?;
    Ok(Some(file))
}

/// The process serving this data folder, if one is.
pub(crate) fn lock_holder(data: &std::path::Path) -> Option<u32> {
    let path = lock_path(data);
    let file = std::fs::File::open(&path).ok()?;
    match file.try_lock_shared() {
        // Nobody holds it.
        Ok(()) => None,
        Err(_) => std::fs::read_to_string(&path).ok()?.trim().parse().ok(),
    }
}

/// 32 hex digits from the kernel's random source.
pub(crate) fn random_token() -> Result<String> {
    use std::io::Read;
    let mut bytes = [0u8; 16];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .context("cannot read /dev/urandom for the workspace's token; set ERRAND_SERVE_TOKEN")?;
    Ok(hex::encode(bytes))
}

/// The address other machines reach this one by: the source address of a route out (a UDP
/// connect sends nothing).
fn lan_address() -> Option<IpAddr> {
    let socket = std::net::UdpSocket::bind("0.0.0.0:0").ok()?;
    socket.connect("192.0.2.1:9").ok()?;
    socket.local_addr().ok().map(|a| a.ip())
}

/// The link as a QR code drawn with half blocks, two rows of modules per line.
fn qr_text(url: &str) -> String {
    match qrcode::QrCode::new(url.as_bytes()) {
        Ok(code) => code
            .render::<qrcode::render::unicode::Dense1x2>()
            .dark_color(qrcode::render::unicode::Dense1x2::Light)
            .light_color(qrcode::render::unicode::Dense1x2::Dark)
            .quiet_zone(true)
            .build(),
        Err(e) => format!("(no QR code: {e})"),
    }
}
