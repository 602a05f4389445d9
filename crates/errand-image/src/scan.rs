//! Pages of a scanned PDF as pictures, drawn by poppler's `pdftoppm` (Debian's
//! `poppler-utils`), run as a program for the same reason as Tesseract: a missing one is a
//! message, not a failed build.
use crate::program;
use std::time::Duration;

/// A page takes pdftoppm well under a second; a stuck one is stopped.
const LIMIT: Duration = Duration::from_secs(60);
/// Dots per inch: an A4 page comes out 1240×1754, enough for Tesseract's small print and
/// scaled down by `prepare` for a model.
const DPI: &str = "150";

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ScanError {
    #[error(
        "pdftoppm, which draws PDF pages as pictures, is not installed: `sudo apt install poppler-utils` (Debian, Ubuntu) adds it"
    )]
    Missing,
    #[error("page {page} could not be drawn: {reason}")]
    Failed { page: usize, reason: String },
}

/// Page `page` (1-based) of the PDF as a PNG.
pub fn page_picture(pdf: &[u8], page: usize) -> Result<Vec<u8>, ScanError> {
    let pdftoppm = errand_core::program::find_program("pdftoppm").ok_or(ScanError::Missing)?;
    let number = page.to_string();
    let args = [
        "-f",
        &number,
        "-l",
        &number,
        "-r",
        DPI,
        "-png",
        "-singlefile",
        "-",
    ];
    let png = program::run(&pdftoppm, &args, pdf, LIMIT)
        .map_err(|reason| ScanError::Failed { page, reason })?;
    if crate::Format::sniff(&png).is_none() {
        return Err(ScanError::Failed {
            page,
            reason: "pdftoppm gave no picture".into(),
        });
    }
    Ok(png)
}
