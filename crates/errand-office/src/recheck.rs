//! A workbook from anywhere (our writer, a script, a person) recalculated with IronCalc, to
//! find the cells a reader would see as errors. Cached error values count too: a file saved
//! by Excel or LibreOffice with `#REF!` shows `#REF!`, whatever IronCalc thinks.
use crate::OfficeError;
use crate::calc::evaluate;
use crate::grid::{Cell, Grid, column_name};
use crate::spec::NamedRange;
use calamine::{Data, Reader, open_workbook_auto_from_rs};
use std::collections::BTreeMap;
use std::io::Cursor;

/// Workbooks with more cells than this are checked by their cached values only.
const RECALC_CELL_LIMIT: usize = 500_000;

/// Each cell that shows an error, as `Sheet!B5 =FORMULA gives #REF! (hint)`. A `#NAME?`
/// from IronCalc alone is left out: it lacks some real Excel functions, so that means
/// "could not check", not "wrong".
pub fn workbook_errors(bytes: &[u8]) -> Result<Vec<String>, OfficeError> {
    let bad = |e: calamine::Error| OfficeError::Read(format!("not a readable spreadsheet: {e}"));
    let mut workbook = open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(bad)?;
    let names: Vec<NamedRange> = workbook
        .defined_names()
        .iter()
        .map(|(name, range)| NamedRange {
            name: name.clone(),
            range: range.clone(),
        })
        .collect();
    let mut found: BTreeMap<(usize, u32, u32), String> = BTreeMap::new();
    let mut grids = Vec::new();
    let mut cells = 0;
    for (s, sheet) in workbook.sheet_names().to_vec().into_iter().enumerate() {
        let values = workbook.worksheet_range(&sheet).map_err(bad)?;
        // Formulas are absent from some formats (csv-like, xls without them): values only.
        let formulas = workbook.worksheet_formula(&sheet).unwrap_or_default();
        let mut rows: Vec<Vec<Cell>> = Vec::new();
        for (r, c, value) in values.used_cells() {
            let (r, c) = (r as u32, c as u32);
            let (r, c) = match values.start() {
                Some((top, left)) => (top + r, left + c),
                None => (r, c),
            };
            let cell = match value {
                Data::Empty => continue,
                Data::Float(f) => Cell::Number(*f),
                Data::Int(i) => Cell::Number(*i as f64),
                Data::Bool(b) => Cell::Bool(*b),
                Data::String(t) | Data::DateTimeIso(t) | Data::DurationIso(t) => {
                    Cell::Text(t.clone())
                }
                Data::DateTime(d) => Cell::Number(d.as_f64()),
                Data::Error(e) => {
                    let shown = format!("{e}");
                    found.insert((s, r, c), format!("{}!{} shows {shown}", sheet, at(r, c)));
                    Cell::Text(shown)
                }
            };
            put(&mut rows, r, c, cell);
            cells += 1;
        }
        for (r, c, formula) in formulas.used_cells() {
            let (r, c) = (r as u32, c as u32);
            let (r, c) = match formulas.start() {
                Some((top, left)) => (top + r, left + c),
                None => (r, c),
            };
            let formula = formula.trim_start_matches('=');
            if formula.is_empty() {
                continue;
            }
            // A cached result that is an error literal: some writers store it as text.
            let cached = match cell_at(&rows, r, c) {
                Some(Cell::Text(t)) if ERROR_VALUES.contains(&t.as_str()) => Some(t.clone()),
                _ => None,
            };
            if let Some(shown) = cached {
                let problem = format!("{}!{} `={formula}` shows {shown}", sheet, at(r, c));
                found.insert((s, r, c), problem);
            }
            put(&mut rows, r, c, Cell::Formula(formula.to_string()));
            cells += 1;
        }
        grids.push(Grid {
            name: sheet,
            rows,
            kinds: Vec::new(),
            has_header: false,
        });
    }
    let mut problems: Vec<String> = found.into_values().collect();
    if cells <= RECALC_CELL_LIMIT {
        match evaluate(&grids, &names) {
            Ok(_) => {}
            Err(OfficeError::Formula(errors)) => {
                for error in errors {
                    let known = problems.iter().any(|p| {
                        error
                            .split(' ')
                            .next()
                            .is_some_and(|cell| p.starts_with(cell))
                    });
                    if !known && !error.contains(" gives #NAME?") {
                        problems.push(error);
                    }
                }
            }
            // The engine could not load the workbook (a name or formula it cannot parse):
            // the cached values above are what can be said.
            Err(_) => {}
        }
    }
    Ok(problems)
}

const ERROR_VALUES: [&str; 7] = [
    "#REF!", "#DIV/0!", "#VALUE!", "#NAME?", "#N/A", "#NUM!", "#NULL!",
];

fn put(rows: &mut Vec<Vec<Cell>>, r: u32, c: u32, cell: Cell) {
    let (r, c) = (r as usize, c as usize);
    if rows.len() <= r {
        rows.resize_with(r + 1, Vec::new);
    }
    if rows[r].len() <= c {
        rows[r].resize(c + 1, Cell::Empty);
    }
    rows[r][c] = cell;
}

fn cell_at(rows: &[Vec<Cell>], r: u32, c: u32) -> Option<&Cell> {
    rows.get(r as usize)?.get(c as usize)
}

/// How many formula cells a workbook has, over all its sheets.
pub fn formula_count(bytes: &[u8]) -> Result<usize, OfficeError> {
    let bad = |e: calamine::Error| OfficeError::Read(format!("not a readable spreadsheet: {e}"));
    let mut workbook = open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(bad)?;
    let mut count = 0;
    for sheet in workbook.sheet_names().to_vec() {
        if let Ok(formulas) = workbook.worksheet_formula(&sheet) {
            count += formulas
                .used_cells()
                .filter(|(_, _, f)| !f.is_empty())
                .count();
        }
    }
    Ok(count)
}

fn at(r: u32, c: u32) -> String {
    format!("{}{}", column_name(c as u16), r + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_xlsxwriter::{Formula, Workbook};

    fn book(build: impl FnOnce(&mut rust_xlsxwriter::Worksheet)) -> Vec<u8> {
        let mut workbook = Workbook::new();
        build(workbook.add_worksheet());
        workbook.save_to_buffer().expect("save")
    }

    #[test]
    fn a_broken_reference_and_a_division_by_zero_are_found_with_their_cells() {
        let bytes = book(|ws| {
            ws.write_number(0, 0, 5.0).expect("a1");
            ws.write_formula(0, 1, Formula::new("=A1/0")).expect("b1");
            ws.write_formula(1, 1, Formula::new("=#REF!+A1"))
                .expect("b2");
            ws.write_formula(2, 1, Formula::new("=SUM(A1:A1)"))
                .expect("b3");
        });
        let problems = workbook_errors(&bytes).expect("check");
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].starts_with("Sheet1!B1") && problems[0].contains("#DIV/0!"));
        assert!(problems[1].starts_with("Sheet1!B2") && problems[1].contains("#REF!"));
    }

    #[test]
    fn a_sound_workbook_and_functions_the_engine_lacks_are_not_problems() {
        let bytes = book(|ws| {
            ws.write_number(0, 0, 5.0).expect("a1");
            ws.write_formula(0, 1, Formula::new("=A1*2")).expect("b1");
            ws.write_formula(1, 1, Formula::new("=SOMEFUTUREFUNCTION(A1)"))
                .expect("b2");
        });
        assert_eq!(
            workbook_errors(&bytes).expect("check"),
            Vec::<String>::new()
        );
    }

    #[test]
    fn a_cached_error_counts_even_without_a_formula_engine_opinion() {
        let bytes = book(|ws| {
            ws.write_formula(0, 0, Formula::new("=1+1").set_result("#REF!"))
                .expect("a1");
        });
        let problems = workbook_errors(&bytes).expect("check");
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].contains("#REF!"), "{problems:?}");
    }

    #[test]
    fn formulas_are_counted_over_every_sheet() {
        let bytes = book(|ws| {
            ws.write_number(0, 0, 5.0).expect("a1");
            ws.write_formula(1, 0, Formula::new("=A1*2")).expect("a2");
            ws.write_formula(2, 0, Formula::new("=A2+1")).expect("a3");
        });
        assert_eq!(formula_count(&bytes).expect("count"), 2);
    }

    #[test]
    fn a_file_that_is_not_a_workbook_is_an_error() {
        assert!(workbook_errors(b"not a zip").is_err());
    }
}
