//! Recipe: a CSV → a report: an .xlsx (the data, summary statistics as formulas, a
//! cross-tab of SUMIFS formulas with a chart, and outliers listed and highlighted) and a
//! one-page PDF stating the same numbers.
mod report;
mod table;

use super::survey::{free_name, listed};
use super::{History, Turn, strip_read_notes};
use errand_core::ModelError;
use serde_json::json;
use std::collections::HashSet;

/// Rows put in the workbook at most; the statistics still cover every row.
pub(super) const MAX_ROWS: usize = 100_000;

fn is_csv(path: &str) -> bool {
    let lower = path.to_lowercase();
    lower.ends_with(".csv") || lower.ends_with(".tsv")
}

pub(super) fn next(request: &str, history: &History) -> Result<Turn, ModelError> {
    let survey = match listed(history, "Making a report from the CSV. First, the files.")? {
        Ok(survey) => survey,
        Err(first) => return Ok(first),
    };
    let request = request.to_lowercase();
    let mut csvs: Vec<&super::survey::FileFact> = survey
        .files
        .iter()
        .filter(|f| !f.hidden && is_csv(&f.path))
        .collect();
    csvs.sort_by(|a, b| a.path.cmp(&b.path));
    // The file the request names, else the first.
    let Some(chosen) = csvs
        .iter()
        .find(|f| request.contains(&f.name.to_lowercase()))
        .or(csvs.first())
        .map(|f| f.path.clone())
    else {
        return Ok(Turn::new(
            "",
            vec![(
                "finish",
                json!({"summary": "No .csv file here to report on. Nothing was written."}),
            )],
        ));
    };
    let Some((content, is_error)) = history
        .results("read_file")
        .into_iter()
        .rev()
        .find(|(input, _)| input["path"].as_str() == Some(chosen.as_str()))
        .map(|(_, result)| result)
    else {
        return Ok(Turn::new(
            format!("Reading {chosen}."),
            vec![("read_file", json!({"path": chosen, "limit": MAX_ROWS * 10}))],
        ));
    };
    if is_error {
        return Ok(finish(
            format!("{chosen} could not be read: {content}"),
            vec![],
        ));
    }
    let text = strip_read_notes(content);
    let table = match table::parse(&text) {
        Ok(table) => table,
        Err(why) => {
            return Ok(finish(
                format!("{chosen}: {why}. Nothing was written."),
                vec![],
            ));
        }
    };
    let Some(measure) = table.measure() else {
        return Ok(finish(
            format!("{chosen} has no numeric column to summarise. Nothing was written."),
            vec![],
        ));
    };
    let stem = chosen
        .rsplit('/')
        .next()
        .unwrap_or(&chosen)
        .rsplit_once('.')
        .map_or(chosen.as_str(), |(s, _)| s)
        .to_string();
    let mut taken: HashSet<String> = survey.taken_paths.clone();
    let (xlsx, _) = free_name(&format!("{stem} report.xlsx"), &mut taken);
    let (pdf, _) = free_name(&format!("{stem} report.pdf"), &mut taken);
    let analysis = report::analyse(&table, measure);
    let spreadsheet = history.last("create_spreadsheet");
    let document = history.last("create_pdf");
    match (spreadsheet, document) {
        (None, _) => Ok(Turn::new(
            format!("Writing {xlsx}."),
            vec![(
                "create_spreadsheet",
                report::workbook(&xlsx, &table, &analysis),
            )],
        )),
        (Some((result, true)), _) => Ok(finish(
            format!("The workbook could not be written: {result}"),
            vec![],
        )),
        (Some(_), None) => Ok(Turn::new(
            format!("Writing {pdf}."),
            vec![("create_pdf", report::pdf(&pdf, &chosen, &table, &analysis))],
        )),
        (Some(_), Some((result, true))) => Ok(finish(
            format!("Wrote {xlsx}, but the PDF could not be written: {result}"),
            vec![xlsx],
        )),
        (Some(_), Some(_)) => Ok(finish(
            report::summary(&chosen, &xlsx, &pdf, &table, &analysis),
            vec![xlsx, pdf],
        )),
    }
}

fn finish(summary: String, deliverables: Vec<String>) -> Turn {
    Turn::new(
        "",
        vec![(
            "finish",
            json!({"summary": summary, "deliverables": deliverables}),
        )],
    )
}
