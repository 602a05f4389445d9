//! Text in pictures, offline, with Tesseract (Debian's `tesseract-ocr` with English data),
//! run as a program: no C library to link, and a missing one is a message, not a failed
//! build. For models that do not read images, and (later) the receipts recipe.
use crate::program;
use std::time::Duration;

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

/// The text Tesseract reads in a PNG, JPEG, GIF or WebP picture, lines as it found them.
pub fn text_in(picture: &[u8]) -> Result<String, OcrError> {
    let tesseract = errand_core::program::find_program("tesseract").ok_or(OcrError::Missing)?;
    // One block of text (`--psm 6`), not Tesseract's automatic layout: it keeps each line
    // whole, so a receipt's, invoice's or form's label and its amount at the far side stay
    // on one line, where automatic layout reads them as two columns and often drops the
    // amounts. On the bench's 50 photographed receipts, the TOTAL line kept its amount in
    // 50 with it and 18 without; prose reads the same either way.
    let out = program::run(
        &tesseract,
        &["stdin", "stdout", "-l", "eng", "--psm", "6"],
        picture,
        LIMIT,
    )
    .map_err(OcrError::Failed)?;
    let text = String::from_utf8_lossy(&out);
    // Tesseract separates blocks with blank lines and ends with a form feed.
    let lines: Vec<&str> = text
        .lines()
        .map(|l| l.trim_end_matches('\u{c}').trim_end())
        .filter(|l| !l.trim().is_empty())
        .collect();
    Ok(lines.join("\n"))
}
