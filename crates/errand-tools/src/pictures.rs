//! What `read_file` gives for pictures and scanned PDF pages: the picture itself for a model
//! that reads images, the text Tesseract reads in it for one that does not, each said to
//! be what it is.
use errand_core::{ToolError, ToolImage, ToolOutput};

/// Scanned pages drawn per file; each costs a second or two and a picture's tokens.
const MAX_SCANNED_PAGES: usize = 10;
/// A page with fewer letters and digits than this in its text layer is taken as scanned:
/// scanners and PDF makers often add a page number or a date stamp to a page that is
/// otherwise one picture.
const SCANNED_BELOW: usize = 16;

fn looks_scanned(page: &str) -> bool {
    page.chars().filter(|c| c.is_alphanumeric()).count() < SCANNED_BELOW
}

fn tool_image(prepared: errand_image::Prepared) -> ToolImage {
    ToolImage {
        media_type: prepared.media_type.to_string(),
        width: prepared.width,
        height: prepared.height,
        bytes: prepared.bytes,
    }
}

/// A picture read as a picture: attached for a model that reads images, named in words.
pub(crate) fn picture(display: &str, bytes: &[u8]) -> Result<ToolOutput, ToolError> {
    let prepared =
        errand_image::prepare(bytes).map_err(|e| ToolError(format!("`{display}`: {e}")))?;
    Ok(ToolOutput::text(format!(
        "`{display}` is a picture ({}); it is attached as an image.",
        prepared.describe()
    ))
    .with_images(vec![tool_image(prepared)]))
}

/// A picture for a model that does not read images: what it is, and the text Tesseract
/// reads in it, said to be that.
pub(crate) fn picture_text(display: &str, bytes: &[u8]) -> Result<ToolOutput, ToolError> {
    // Nothing is sent, so the picture is only measured, not decoded and scaled.
    let (format, width, height) =
        errand_image::measure(bytes).map_err(|e| ToolError(format!("`{display}`: {e}")))?;
    let about = format!(
        "`{display}` is a picture ({width}×{height} {}).",
        format.name()
    );
    // The full-size picture: Tesseract reads small print better before scaling.
    Ok(ToolOutput::text(match errand_image::ocr::text_in(bytes) {
        Ok(text) if text.trim().is_empty() => {
            format!("{about} This model does not read images, and Tesseract found no text in it.")
        }
        Ok(text) => format!(
            "{about} This model does not read images; this is the text Tesseract read in it (it may misread some characters):\n{text}"
        ),
        Err(e) => {
            format!("{about} This model does not read images, and its text could not be read: {e}")
        }
    }))
}

/// A PDF's text with its scanned pages (no text layer, or next to none) filled in: as a picture for a model
/// that reads images, attached where the page's line falls within `lines`, or as the text
/// Tesseract reads in it. `None` when every page has text.
pub(crate) struct ScannedPdf {
    pub text: String,
    /// (line index of the page's heading, picture) for each page drawn as a picture.
    pub pictures: Vec<(usize, ToolImage)>,
}

pub(crate) fn scanned_pdf(
    bytes: &[u8],
    pages: &[String],
    reads_images: bool,
) -> Option<ScannedPdf> {
    if !pages.iter().any(|p| looks_scanned(p)) {
        return None;
    }
    let mut lines: Vec<String> = Vec::new();
    let mut pictures = Vec::new();
    let mut drawn = 0;
    let mut missing_tool: Option<String> = None;
    for (index, page) in pages.iter().enumerate() {
        let number = index + 1;
        if !looks_scanned(page) {
            lines.push(format!("## Page {number}"));
            lines.extend(page.trim().lines().map(str::to_string));
            continue;
        }
        if drawn == MAX_SCANNED_PAGES {
            lines.push(format!(
                "## Page {number} (scanned; not read: at most {MAX_SCANNED_PAGES} scanned pages are read per file)"
            ));
            continue;
        }
        if let Some(why) = &missing_tool {
            lines.push(format!("## Page {number} (scanned; not read: {why})"));
            continue;
        }
        drawn += 1;
        let png = match errand_image::scan::page_picture(bytes, number) {
            Ok(png) => png,
            Err(e) => {
                if e == errand_image::scan::ScanError::Missing {
                    missing_tool = Some(e.to_string());
                }
                lines.push(format!("## Page {number} (scanned; not read: {e})"));
                continue;
            }
        };
        if reads_images {
            match errand_image::prepare(&png) {
                Ok(prepared) => {
                    lines.push(format!(
                        "## Page {number} (scanned, no text layer; its picture, {}×{}, is attached)",
                        prepared.width, prepared.height
                    ));
                    pictures.push((lines.len() - 1, tool_image(prepared)));
                }
                Err(e) => lines.push(format!("## Page {number} (scanned; not read: {e})")),
            }
            continue;
        }
        match errand_image::ocr::text_in(&png) {
            Ok(text) if text.trim().is_empty() => lines.push(format!(
                "## Page {number} (scanned, no text layer; Tesseract found no text in it)"
            )),
            Ok(text) => {
                lines.push(format!(
                    "## Page {number} (scanned, no text layer; this model does not read images, so this is the text Tesseract read in it, which may misread some characters)"
                ));
                lines.extend(text.lines().map(str::to_string));
            }
            Err(e) => {
                if e == errand_image::ocr::OcrError::Missing {
                    missing_tool = Some(e.to_string());
                }
                lines.push(format!("## Page {number} (scanned; not read: {e})"));
            }
        }
    }
    Some(ScannedPdf {
        text: lines.join("\n"),
        pictures,
    })
}
