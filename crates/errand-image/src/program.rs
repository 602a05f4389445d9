//! Running a helper program (Tesseract, pdftoppm) with bytes in and bytes out: fed through stdin, read as it writes so a full pipe never stalls it, and stopped
//! when it takes too long.
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Its standard output, or why it failed in its own words (the last line it printed).
pub fn run(
    program: &PathBuf,
    args: &[&str],
    input: &[u8],
    limit: Duration,
) -> Result<Vec<u8>, String> {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    let reader = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut bytes);
            }
            bytes
        })
    };
    let stdout = reader(child.stdout.take().map(|p| Box::new(p) as _));
    let stderr = reader(child.stderr.take().map(|p| Box::new(p) as _));
    // Written on its own thread: a program that answers before reading all its input
    // would otherwise leave both sides waiting.
    let writer = child.stdin.take().map(|mut stdin| {
        let input = input.to_vec();
        std::thread::spawn(move || stdin.write_all(&input))
    });
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() > limit => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("it took longer than {} s", limit.as_secs()));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => return Err(e.to_string()),
        }
    };
    if let Some(writer) = writer {
        let _ = writer.join();
    }
    let out = stdout.join().unwrap_or_default();
    let said = stderr.join().unwrap_or_default();
    if !status.success() {
        let said = String::from_utf8_lossy(&said);
        return Err(said
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("it failed")
            .trim()
            .to_string());
    }
    Ok(out)
}
