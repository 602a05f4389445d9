//! Office files as text a model can read: spreadsheets sheet by sheet as CSV lines (with
//! cached formula values), documents as paragraphs with headings and tables, decks slide by
//! slide with their notes, PDFs page by page.
use crate::OfficeError;
use calamine::{Data, Reader, open_workbook_auto_from_rs};
use quick_xml::Reader as XmlReader;
use quick_xml::events::Event;
use std::io::{Cursor, Read};

/// The text of an office file, by its extension; `None` for formats read as plain text.
pub fn extract(extension: &str, bytes: &[u8]) -> Option<Result<String, OfficeError>> {
    match extension.to_ascii_lowercase().as_str() {
        "xlsx" | "xlsm" | "xlsb" | "xls" | "ods" => Some(spreadsheet(bytes)),
        "docx" => Some(document(bytes)),
        "pptx" => Some(deck(bytes)),
        "pdf" => Some(pdf(bytes)),
        _ => None,
    }
}

fn bad(what: &str, e: impl std::fmt::Display) -> OfficeError {
    OfficeError::Read(format!("not a readable {what}: {e}"))
}

fn spreadsheet(bytes: &[u8]) -> Result<String, OfficeError> {
    spreadsheet_part(bytes, &SheetPart::default())
}

/// Which part of a workbook to read: one sheet, and within it a range like `B2:F40`.
#[derive(Debug, Default, Clone)]
pub struct SheetPart<'a> {
    pub sheet: Option<&'a str>,
    pub range: Option<&'a str>,
}

/// Part of a spreadsheet as CSV lines. A range below the first row is preceded by the
/// header row, so the columns keep their names.
pub fn spreadsheet_part(bytes: &[u8], part: &SheetPart) -> Result<String, OfficeError> {
    let mut workbook =
        open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| bad("spreadsheet", e))?;
    let names = workbook.sheet_names().to_vec();
    let bounds = match part.range {
        Some(range) => {
            let (sheet, r1, c1, r2, c2) = crate::grid::parse_range(range).ok_or_else(|| {
                OfficeError::Read(format!(
                    "range `{range}` is not a cell range; write it like A1:F50"
                ))
            })?;
            if let (Some(inner), Some(outer)) = (&sheet, part.sheet)
                && !inner.eq_ignore_ascii_case(outer)
            {
                return Err(OfficeError::Read(format!(
                    "range `{range}` names sheet `{inner}` but sheet is `{outer}`; give one"
                )));
            }
            Some((sheet, r1, c1, r2, c2))
        }
        None => None,
    };
    let wanted = part
        .sheet
        .map(str::to_string)
        .or_else(|| bounds.as_ref().and_then(|b| b.0.clone()));
    let chosen: Vec<String> = match &wanted {
        Some(want) => {
            let found = names
                .iter()
                .find(|n| n.eq_ignore_ascii_case(want))
                .cloned()
                .ok_or_else(|| {
                    OfficeError::Read(format!(
                        "no sheet `{want}`; the sheets are: {}",
                        names.join(", ")
                    ))
                })?;
            vec![found]
        }
        None => names,
    };
    let mut out = String::new();
    for name in chosen {
        let range = workbook
            .worksheet_range(&name)
            .map_err(|e| bad("spreadsheet", e))?;
        let (rows, cols) = range.get_size();
        let Some((_, r1, c1, r2, c2)) = &bounds else {
            out.push_str(&format!(
                "## Sheet: {name} ({rows} rows x {cols} columns)\n"
            ));
            for row in range.rows() {
                push_row(&mut out, row.iter());
            }
            continue;
        };
        out.push_str(&format!(
            "## Sheet: {name} ({rows} rows x {cols} columns), cells {}{}:{}{}\n",
            crate::grid::column_name(*c1),
            r1 + 1,
            crate::grid::column_name(*c2),
            r2 + 1
        ));
        let cell = |r: u32, c: u16| range.get_value((r, u32::from(c))).unwrap_or(&Data::Empty);
        if *r1 > 0 {
            out.push_str("header (row 1): ");
            push_row(&mut out, (*c1..=*c2).map(|c| cell(0, c)));
        }
        for r in *r1..=(*r2).min(range.end().map_or(0, |e| e.0)) {
            push_row(&mut out, (*c1..=*c2).map(|c| cell(r, c)));
        }
    }
    Ok(out)
}

/// One sheet's computed values as text, for a preview grid.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SheetGrid {
    pub name: String,
    pub rows: Vec<Vec<String>>,
    pub total_rows: usize,
    pub total_cols: usize,
}

/// Every sheet of a workbook as a grid of cell texts (cached formula results), the first
/// `max_rows` rows and `max_cols` columns of each.
pub fn sheet_grids(
    bytes: &[u8],
    max_rows: usize,
    max_cols: usize,
) -> Result<Vec<SheetGrid>, OfficeError> {
    let mut workbook =
        open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| bad("spreadsheet", e))?;
    let mut grids = Vec::new();
    for name in workbook.sheet_names().to_vec() {
        let range = workbook
            .worksheet_range(&name)
            .map_err(|e| bad("spreadsheet", e))?;
        let (total_rows, total_cols) = range.get_size();
        // Ranges start at their first used cell; the grid starts at A1 like a viewer's.
        let (top, left) = range.start().unwrap_or((0, 0));
        let mut rows = Vec::new();
        for r in 0..(top as usize + total_rows).min(max_rows) {
            let cols = (left as usize + total_cols).min(max_cols);
            rows.push(
                (0..cols)
                    .map(|c| {
                        range
                            .get_value((r as u32, c as u32))
                            .map(cell_text)
                            .unwrap_or_default()
                    })
                    .collect(),
            );
        }
        grids.push(SheetGrid {
            name,
            rows,
            total_rows: top as usize + total_rows,
            total_cols: left as usize + total_cols,
        });
    }
    Ok(grids)
}

fn push_row<'a>(out: &mut String, cells: impl Iterator<Item = &'a Data>) {
    let line: Vec<String> = cells.map(csv_field).collect();
    out.push_str(line.join(",").trim_end_matches(','));
    out.push('\n');
}

fn csv_field(cell: &Data) -> String {
    let text = cell_text(cell);
    if text.contains([',', '"', '\n']) {
        return format!("\"{}\"", text.replace('"', "\"\""));
    }
    text
}

/// A cell's value as a person reads it.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) => format!("{f}"),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string().to_uppercase(),
        Data::DateTime(d) => d
            .as_datetime()
            .map(|t| {
                if t.time() == chrono::NaiveTime::MIN {
                    t.date().to_string()
                } else {
                    t.to_string()
                }
            })
            .unwrap_or_else(|| d.to_string()),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("{e}"),
    }
}

/// The text layer of each page of a PDF, in order; a scanned page's is empty.
pub fn pdf_pages(bytes: &[u8]) -> Result<Vec<String>, OfficeError> {
    // The extractor can panic on malformed files; a file must never bring the task down.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        pdf_extract::extract_text_from_mem_by_pages(bytes)
    }))
    .map_err(|_| bad("PDF", "the text extractor failed on it"))?
    .map_err(|e| bad("PDF", e))
}

fn pdf(bytes: &[u8]) -> Result<String, OfficeError> {
    pdf_pages(bytes).map(|pages| pdf_text(&pages))
}

/// The pages' text as `read_file` shows a PDF: a heading a page, and a note when no page
/// has a text layer.
pub fn pdf_text(pages: &[String]) -> String {
    let mut out = String::new();
    for (n, page) in pages.iter().enumerate() {
        out.push_str(&format!("## Page {}\n{}\n", n + 1, page.trim()));
    }
    if pages.iter().all(|p| p.trim().is_empty()) {
        out.push_str("(no text layer: the pages may be scanned images)\n");
    }
    out
}

fn zip_entry(bytes: &[u8], name: &str) -> Result<Option<String>, OfficeError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| bad("file", e))?;
    let Ok(mut entry) = archive.by_name(name) else {
        return Ok(None);
    };
    let mut text = String::new();
    entry
        .read_to_string(&mut text)
        .map_err(|e| bad("file", e))?;
    Ok(Some(text))
}

fn document(bytes: &[u8]) -> Result<String, OfficeError> {
    let xml = zip_entry(bytes, "word/document.xml")?
        .ok_or_else(|| bad("document", "it has no word/document.xml"))?;
    let mut reader = XmlReader::from_str(&xml);
    let mut out = String::new();
    let mut paragraph = String::new();
    let mut heading: Option<usize> = None;
    let mut list = false;
    let mut in_text = false;
    // Table cells collected as rows of text.
    let mut row: Vec<String> = Vec::new();
    let mut table_depth = 0usize;
    loop {
        match reader.read_event().map_err(|e| bad("document", e))? {
            Event::Start(e) | Event::Empty(e) => match e.local_name().into_inner() {
                "t" => in_text = true,
                "tab" => paragraph.push('\t'),
                "br" => paragraph.push('\n'),
                "tbl" => table_depth += 1,
                "pStyle" => {
                    for a in e.attributes().flatten() {
                        if a.key.local_name().into_inner() == "val" {
                            let v = a.value.to_lowercase();
                            if let Some(n) = v.strip_prefix("heading") {
                                heading = n.trim().parse().ok().or(Some(1));
                            } else if v == "title" {
                                heading = Some(1);
                            } else if v.contains("list") {
                                list = true;
                            }
                        }
                    }
                }
                "numPr" => list = true,
                _ => {}
            },
            Event::Text(t) if in_text => paragraph.push_str(&t.xml10_content()),
            Event::GeneralRef(r) if in_text => push_reference(&mut paragraph, &r),
            Event::End(e) => match e.local_name().into_inner() {
                "t" => in_text = false,
                "p" => {
                    let text = std::mem::take(&mut paragraph);
                    if table_depth > 0 {
                        if let Some(last) = row.last_mut() {
                            if !last.is_empty() && !text.is_empty() {
                                last.push(' ');
                            }
                            last.push_str(&text);
                        } else {
                            row.push(text);
                        }
                    } else if !text.trim().is_empty() {
                        match (heading, list) {
                            (Some(level), _) => {
                                out.push_str(&format!("{} {text}\n", "#".repeat(level.clamp(1, 6))))
                            }
                            (None, true) => out.push_str(&format!("- {text}\n")),
                            _ => out.push_str(&format!("{text}\n")),
                        }
                    }
                    heading = None;
                    list = false;
                }
                "tc" => row.push(String::new()),
                "tr" => {
                    // Each cell's closing pushed an empty slot for the next; drop the last.
                    if row.last().is_some_and(String::is_empty) {
                        row.pop();
                    }
                    out.push_str(&format!("| {} |\n", row.join(" | ")));
                    row.clear();
                }
                "tbl" => {
                    table_depth = table_depth.saturating_sub(1);
                    out.push('\n');
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(out)
}

/// Appends what an entity or character reference in text stands for (`&amp;`, `&#233;`).
fn push_reference(text: &mut String, reference: &quick_xml::events::BytesRef<'_>) {
    if let Ok(Some(ch)) = reference.resolve_char_ref() {
        text.push(ch);
        return;
    }
    text.push_str(match reference.as_ref() {
        "amp" => "&",
        "lt" => "<",
        "gt" => ">",
        "quot" => "\"",
        "apos" => "'",
        _ => "",
    });
}

/// Text runs (`a:t`) of a DrawingML part, one line per paragraph.
fn drawing_text(xml: &str) -> Result<String, OfficeError> {
    let mut reader = XmlReader::from_str(xml);
    let mut out = String::new();
    let mut line = String::new();
    let mut in_text = false;
    loop {
        match reader.read_event().map_err(|e| bad("deck", e))? {
            Event::Start(e) if e.local_name().into_inner() == "t" => in_text = true,
            Event::Text(t) if in_text => line.push_str(&t.xml10_content()),
            Event::GeneralRef(r) if in_text => push_reference(&mut line, &r),
            Event::End(e) => match e.local_name().into_inner() {
                "t" => in_text = false,
                "p" => {
                    let text = std::mem::take(&mut line);
                    if !text.trim().is_empty() {
                        out.push_str(&text);
                        out.push('\n');
                    }
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(out)
}

fn deck(bytes: &[u8]) -> Result<String, OfficeError> {
    let archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| bad("deck", e))?;
    let mut slides: Vec<u32> = archive
        .file_names()
        .filter_map(|n| {
            n.ok()?
                .strip_prefix("ppt/slides/slide")?
                .strip_suffix(".xml")?
                .parse()
                .ok()
        })
        .collect();
    slides.sort_unstable();
    if slides.is_empty() {
        return Err(bad("deck", "it has no slides"));
    }
    let mut out = String::new();
    for n in slides {
        let text = zip_entry(bytes, &format!("ppt/slides/slide{n}.xml"))?.unwrap_or_default();
        out.push_str(&format!("## Slide {n}\n{}", drawing_text(&text)?));
        // Notes are matched by number, which is how writers name them in practice.
        if let Some(notes) = zip_entry(bytes, &format!("ppt/notesSlides/notesSlide{n}.xml"))? {
            let notes = drawing_text(&notes)?;
            let notes: Vec<&str> = notes
                .lines()
                .filter(|l| l.trim().parse::<u32>().is_err())
                .collect();
            if !notes.is_empty() {
                out.push_str(&format!("Notes: {}\n", notes.join(" ")));
            }
        }
        out.push('\n');
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_written_workbook_reads_back_with_its_computed_values() {
        let spec: crate::WorkbookSpec = serde_json::from_value(serde_json::json!({
            "sheets": [{"name": "S", "columns": [{"header": "d", "type": "date"}, {"header": "n", "type": "number"}],
                "rows": [["2026-03-01", 2], ["2026-03-02", "=B2*21"]]}]
        }))
        .expect("spec");
        let written = crate::build(spec).expect("build");
        let text = extract("xlsx", &written.bytes)
            .expect("xlsx is extracted")
            .expect("readable");
        assert!(
            text.starts_with("## Sheet: S (3 rows x 2 columns)\nd,n\n"),
            "{text}"
        );
        assert!(text.contains("2026-03-01,2\n"), "{text}");
        assert!(text.contains("2026-03-02,42\n"), "{text}");
        assert!(extract("txt", b"x").is_none());
        assert!(extract("docx", b"not a zip").expect("docx").is_err());
    }
}
