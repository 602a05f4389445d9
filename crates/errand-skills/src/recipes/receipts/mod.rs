//! Recipe: a folder of receipts (text, PDF, photos read with OCR) and bank exports (CSV)
//! → an expense report
//! workbook: one row per expense with its category, a summary by category built from SUMIF
//! formulas, a total, large items highlighted and a chart. A bank row that matches a
//! receipt (same amount, dates within three days) is the same purchase and counts once.
pub(super) mod parse;
mod photo;
mod sheet;

use super::survey::{free_name, listed, thousands};
use super::{History, Turn, strip_read_notes};
use errand_core::ModelError;
use parse::{Cents, Expense};
use serde_json::json;
use std::collections::{HashMap, HashSet};

/// Receipts read at most; beyond this a model (or several runs) is the better tool.
const MAX_FILES: usize = 500;

fn extension(path: &str) -> String {
    path.rsplit_once('.')
        .map(|(_, e)| e.to_lowercase())
        .unwrap_or_default()
}

fn is_readable(path: &str) -> bool {
    matches!(
        extension(path).as_str(),
        "txt" | "text" | "md" | "eml" | "pdf" | "csv" | "tsv"
    )
}

/// Pictures `read_file` gives the OCR text of.
fn is_photo(path: &str) -> bool {
    matches!(
        extension(path).as_str(),
        "jpg" | "jpeg" | "png" | "webp" | "gif"
    )
}

/// Pictures it cannot open: the person converts them.
fn is_other_picture(path: &str) -> bool {
    matches!(extension(path).as_str(), "heic" | "heif" | "tif" | "tiff")
}

/// Everything read, sorted out.
#[derive(Default)]
pub(super) struct Findings {
    pub expenses: Vec<Expense>,
    /// (file, why it was not used).
    pub review: Vec<(String, String)>,
    pub receipts: usize,
    /// Of the receipts, those read from photos.
    pub photos: usize,
    pub exports: usize,
    pub bank_rows: usize,
    pub matched: usize,
    pub credits: usize,
}

fn gather(history: &History) -> Findings {
    let mut found = Findings::default();
    let mut bank: Vec<Expense> = Vec::new();
    for (input, (content, is_error)) in history.results("read_file") {
        let path = input["path"].as_str().unwrap_or_default().to_string();
        if is_error {
            found
                .review
                .push((path, format!("could not be read: {content}")));
            continue;
        }
        if is_photo(&path) {
            match photo::ocr_text(content).and_then(|text| photo::receipt(&path, text)) {
                Ok(expense) => {
                    found.receipts += 1;
                    found.photos += 1;
                    found.expenses.push(expense);
                }
                Err(why) => found.review.push((path, why)),
            }
            continue;
        }
        let text = strip_read_notes(content);
        if matches!(extension(&path).as_str(), "csv" | "tsv") {
            match parse::bank_export(&path, &text) {
                Some(export) => {
                    found.exports += 1;
                    found.bank_rows += export.expenses.len();
                    found.credits += export.credits;
                    for line in export.unreadable {
                        found.review.push((
                            format!("{path} line {line}"),
                            "no date or amount on this row".into(),
                        ));
                    }
                    bank.extend(export.expenses);
                }
                None => found.review.push((
                    path,
                    "not a bank export: the header needs date, description and amount (or debit/credit) columns".into(),
                )),
            }
            continue;
        }
        match parse::receipt(&path, &text) {
            Ok(expense) => {
                found.receipts += 1;
                found.expenses.push(expense);
            }
            Err(why) => found.review.push((path, why)),
        }
    }
    // The same purchase on a receipt and on the statement: keep the receipt.
    let receipts = found.expenses.len();
    let mut used = vec![false; receipts];
    for row in bank {
        let twin = found.expenses[..receipts]
            .iter()
            .enumerate()
            .position(|(i, r)| {
                !used[i]
                    && r.amount == row.amount
                    && match (r.date, row.date) {
                        (Some(a), Some(b)) => (a - b).num_days().abs() <= 3,
                        _ => true,
                    }
            });
        match twin {
            Some(i) => {
                used[i] = true;
                found.matched += 1;
                found.expenses[i]
                    .source
                    .push_str(&format!(" + {}", row.source));
            }
            None => found.expenses.push(row),
        }
    }
    found.expenses.sort_by(|a, b| {
        (a.date.is_none(), a.date, &a.vendor).cmp(&(b.date.is_none(), b.date, &b.vendor))
    });
    found
}

/// The currency most expenses are in; "$" when none says.
fn main_currency(expenses: &[Expense]) -> (String, usize) {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for e in expenses {
        if let Some(c) = &e.currency {
            *counts.entry(c.as_str()).or_default() += 1;
        }
    }
    let main = counts
        .iter()
        .max_by_key(|(c, n)| (**n, std::cmp::Reverse(**c)))
        .map(|(c, _)| c.to_string())
        .unwrap_or_else(|| "$".into());
    let other = expenses
        .iter()
        .filter(|e| e.currency.as_deref().is_some_and(|c| c != main))
        .count();
    (main, other)
}

pub(super) fn money(cents: Cents, currency: &str) -> String {
    let grouped = thousands((cents.abs() / 100) as usize);
    let sign = if cents < 0 { "-" } else { "" };
    format!("{sign}{currency}{grouped}.{:02}", cents.abs() % 100)
}

pub(super) fn next(history: &History) -> Result<Turn, ModelError> {
    let survey = match listed(history, "Building an expense report. First, the receipts.")? {
        Ok(survey) => survey,
        Err(first) => return Ok(first),
    };
    let mut files: Vec<String> = survey
        .files
        .iter()
        .filter(|f| !f.hidden && (is_readable(&f.path) || is_photo(&f.path)))
        .map(|f| f.path.clone())
        .collect();
    files.sort();
    let skipped = files.len().saturating_sub(MAX_FILES);
    files.truncate(MAX_FILES);
    let pictures: Vec<String> = survey
        .files
        .iter()
        .filter(|f| !f.hidden && is_other_picture(&f.path))
        .map(|f| f.path.clone())
        .collect();
    if files.is_empty() {
        return Ok(Turn::new(
            "",
            vec![(
                "finish",
                json!({"summary": "No receipts here that can be read offline: the recipe reads text and PDF receipts, photos of receipts (JPEG, PNG, WebP, GIF) and CSV bank exports. Nothing was written."}),
            )],
        ));
    }
    if history.results("read_file").is_empty() {
        let calls = files
            .iter()
            .map(|path| ("read_file", json!({"path": path, "limit": 100_000})))
            .collect();
        return Ok(Turn::new(format!("Reading {} files.", files.len()), calls));
    }
    let mut found = gather(history);
    for picture in pictures {
        found.review.push((
            picture,
            "photo: offline reading takes JPEG, PNG, WebP or GIF; convert it to JPEG".into(),
        ));
    }
    if skipped > 0 {
        found.review.push((
            format!("{skipped} more files"),
            format!("only the first {MAX_FILES} were read"),
        ));
    }
    let (currency, other_currency) = main_currency(&found.expenses);
    if let Some((result, is_error)) = history.last("create_spreadsheet") {
        let path = history
            .inputs("create_spreadsheet")
            .last()
            .and_then(|i| i["path"].as_str().map(str::to_string))
            .unwrap_or_default();
        let summary = if is_error {
            format!("The expense report could not be written: {result}")
        } else {
            finish_summary(&path, &found, &currency, other_currency)
        };
        let deliverables: Vec<String> = Some(path).filter(|_| !is_error).into_iter().collect();
        return Ok(Turn::new(
            "",
            vec![(
                "finish",
                json!({"summary": summary, "deliverables": deliverables}),
            )],
        ));
    }
    if found.expenses.is_empty() {
        let reasons: Vec<String> = found
            .review
            .iter()
            .take(10)
            .map(|(f, why)| format!("{f}: {why}"))
            .collect();
        return Ok(Turn::new(
            "",
            vec![(
                "finish",
                json!({"summary": format!("No expenses could be read, so nothing was written.\n{}", reasons.join("\n"))}),
            )],
        ));
    }
    let mut taken: HashSet<String> = survey.taken_paths.clone();
    taken.extend(survey.files.iter().map(|f| f.path.clone()));
    let (path, _) = free_name("Expense report.xlsx", &mut taken);
    let workbook = sheet::workbook(&path, &found, &currency);
    Ok(Turn::new(
        format!(
            "Writing {path}: {} expenses, {} total.",
            found.expenses.len(),
            money(found.expenses.iter().map(|e| e.amount).sum(), &currency)
        ),
        vec![("create_spreadsheet", workbook)],
    ))
}

fn finish_summary(path: &str, found: &Findings, currency: &str, other_currency: usize) -> String {
    let total: Cents = found.expenses.iter().map(|e| e.amount).sum();
    let categories: HashSet<&str> = found.expenses.iter().map(|e| e.category).collect();
    let mut text = format!(
        "Wrote {path}: {} expenses totalling {} in {} categories, from {} receipts",
        found.expenses.len(),
        money(total, currency),
        categories.len(),
        found.receipts
    );
    if found.photos > 0 {
        text.push_str(&format!(" ({} of them photos read with OCR)", found.photos));
    }
    if found.exports > 0 {
        text.push_str(&format!(
            " and {} bank export{} ({} spending rows",
            found.exports,
            if found.exports == 1 { "" } else { "s" },
            found.bank_rows
        ));
        if found.matched > 0 {
            text.push_str(&format!(
                ", {} matched to a receipt and counted once",
                found.matched
            ));
        }
        if found.credits > 0 {
            text.push_str(&format!(
                "; {} incoming payment{} left out",
                found.credits,
                if found.credits == 1 { "" } else { "s" }
            ));
        }
        text.push(')');
    }
    text.push_str(". The Summary sheet totals each category with SUMIF formulas, so changing a category on the Expenses sheet (drop-down) updates it; large items are highlighted.");
    if other_currency > 0 {
        text.push_str(&format!(
            " {other_currency} expenses are in another currency than {currency} and are listed as written, not converted."
        ));
    }
    if !found.review.is_empty() {
        text.push_str(&format!(
            "\nNeeds review ({}; also on the Needs review sheet):",
            found.review.len()
        ));
        for (file, why) in found.review.iter().take(10) {
            text.push_str(&format!("\n- {file}: {why}"));
        }
    }
    text
}
