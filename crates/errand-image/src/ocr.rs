//! Text in pictures, offline, with Tesseract (Debian's `tesseract-ocr` with English data),
//! run as a program: no C library to link, and a missing one is a message, not a failed
//! build. For models that do not read images, and (later) the receipts recipe.
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A photo's text takes Tesseract a second or two; a stuck one is stopped.
const LIMIT: Duration = Duration::from_secs(60);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum OcrError {
    #[error(
        "Tesseract, which reads text in pictures, is not installed: `sudo apt install tesseract-ocr tesseract-ocr-eng` (Debian, Ubuntu) adds it"
    )]
    Missing,
    #[error("Tesseract could not read the picture: {0}")]
    Failed(String),
}

fn tesseract() -> Option<PathBuf> {
    let paths = std::env::var_os("PATH")?;
    std::env::split_paths(&paths)
        .map(|dir| dir.join("tesseract"))
        .find(|p| p.is_file())
}

/// The text Tesseract reads in a PNG, JPEG, GIF or WebP picture, lines as it found them.
pub fn text_in(picture: &[u8]) -> Result<String, OcrError> {
    let program = tesseract().ok_or(OcrError::Missing)?;
    let mut child = Command::new(program)
        .args(["stdin", "stdout", "-l", "eng"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| OcrError::Failed(e.to_string()))?;
    // Its output is read as it comes, so a full pipe never stalls it.
    let reader = |pipe: Option<Box<dyn std::io::Read + Send>>| {
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
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(picture)
            .map_err(|e| OcrError::Failed(e.to_string()))?;
    }
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() > LIMIT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(OcrError::Failed(format!(
                    "it took longer than {} s",
                    LIMIT.as_secs()
                )));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => return Err(OcrError::Failed(e.to_string())),
        }
    };
    let out = stdout.join().unwrap_or_default();
    let said = stderr.join().unwrap_or_default();
    if !status.success() {
        let said = String::from_utf8_lossy(&said);
        return Err(OcrError::Failed(
            said.lines()
                .last()
                .unwrap_or("it failed")
                .trim()
                .to_string(),
        ));
    }
    let text = String::from_utf8_lossy(&out);
    // Tesseract separates blocks with blank lines and ends with a form feed.
    let lines: Vec<&str> = text
        .lines()
        .map(|l| l.trim_end_matches('\u{c}').trim_end())
        .filter(|l| !l.trim().is_empty())
        .collect();
    Ok(lines.join("\n"))
}
