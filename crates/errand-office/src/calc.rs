//! Every formula computed before the file is written (IronCalc), so viewers that do not
//! recalculate show the right numbers, and a formula that does not evaluate is reported
//! with its cell instead of being saved silently.
use crate::OfficeError;
use crate::grid::{Cell, Grid, column_name};
use crate::shape::shape;
use crate::spec::NamedRange;
use ironcalc_base::Model;
use ironcalc_base::cell::CellValue;
use ironcalc_base::types::CellType;
use std::collections::HashMap;

/// A formula's computed value.
#[derive(Debug, Clone, PartialEq)]
pub enum Computed {
    Number(f64),
    Text(String),
    Bool(bool),
}

impl Computed {
    /// As rust_xlsxwriter stores a cached result.
    pub fn as_result(&self) -> String {
        match self {
            Computed::Number(n) => format_number(*n),
            Computed::Text(t) => t.clone(),
            Computed::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        }
    }
}

fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// (sheet index, row, col) → value, zero-based; kept in cell order, which is the order
/// they are computed and written in (a hash map cost more than the lookups it served).
#[derive(Debug, Default)]
pub struct Results(Vec<((usize, u32, u16), Computed)>);

impl Results {
    pub fn get(&self, key: &(usize, u32, u16)) -> Option<&Computed> {
        self.0
            .binary_search_by(|(k, _)| k.cmp(key))
            .ok()
            .map(|i| &self.0[i].1)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

pub fn evaluate(grids: &[Grid], names: &[NamedRange]) -> Result<Results, OfficeError> {
    let engine = |e: String| OfficeError::Calc(e);
    let mut model = Model::new_empty("errand", "en", "UTC", "en").map_err(engine)?;
    for (i, grid) in grids.iter().enumerate() {
        if i == 0 {
            model.rename_sheet_by_index(0, &grid.name).map_err(engine)?;
        } else {
            model.add_sheet(&grid.name).map_err(engine)?;
        }
    }
    for (s, grid) in grids.iter().enumerate() {
        // Formula index by shape: a column of one formula is parsed once.
        let mut shapes: HashMap<String, i32> = HashMap::new();
        for (r, row) in grid.rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let (sheet, row, col) = (s as u32, r as i32 + 1, c as i32 + 1);
                // Typed setters straight into the sheet with the default style: a fresh
                // model has no row, column or quote styles to look up, and for a million
                // cells the lookups cost more than the evaluation.
                let set = match cell {
                    Cell::Empty => continue,
                    Cell::Number(n) => model
                        .workbook
                        .worksheet_mut(sheet)
                        .and_then(|w| w.set_cell_with_number(row, col, *n, 0)),
                    Cell::Text(t) => model.update_cell_with_text(sheet, row, col, t),
                    Cell::Bool(b) => model
                        .workbook
                        .worksheet_mut(sheet)
                        .and_then(|w| w.set_cell_with_boolean(row, col, *b, 0)),
                    Cell::Formula(f) => {
                        let key = shape(f, r as u32, c as u16);
                        match key.as_ref().and_then(|k| shapes.get(k)) {
                            Some(&index) => model
                                .workbook
                                .worksheet_mut(sheet)
                                .and_then(|w| w.set_cell_with_formula(row, col, index, 0)),
                            None => {
                                let set = model.update_cell_with_formula(
                                    sheet,
                                    row,
                                    col,
                                    format!("={f}"),
                                );
                                if let (Ok(()), Some(key)) = (&set, key)
                                    && let Some(index) =
                                        plain_formula_index(&model, sheet, row, col)
                                {
                                    shapes.insert(key, index);
                                }
                                set
                            }
                        }
                    }
                };
                set.map_err(|e| {
                    OfficeError::Formula(vec![format!(
                        "{}!{}{}: {e}",
                        grid.name,
                        column_name(c as u16),
                        r + 1
                    )])
                })?;
            }
        }
    }
    for name in names {
        let formula = name.range.trim_start_matches('=');
        model
            .new_defined_name(&name.name, None, formula)
            .map_err(|e| {
                OfficeError::Spec(format!(
                    "names: `{}` = `{}` is not a valid named range: {e}",
                    name.name, name.range
                ))
            })?;
    }
    model.evaluate();
    let mut results = Vec::new();
    let mut errors = Vec::new();
    for (s, grid) in grids.iter().enumerate() {
        for (r, row) in grid.rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let Cell::Formula(formula) = cell else {
                    continue;
                };
                let (sheet, row, col) = (s as u32, r as i32 + 1, c as i32 + 1);
                let kind = model.get_cell_type(sheet, row, col).map_err(engine)?;
                if kind == CellType::ErrorValue {
                    let at = format!("{}!{}{}", grid.name, column_name(c as u16), r + 1);
                    let shown = model
                        .get_formatted_cell_value(sheet, row, col)
                        .unwrap_or_default();
                    errors.push(format!("{at} `={formula}` gives {shown}{}", hint(&shown)));
                    continue;
                }
                let value = match model
                    .get_cell_value_by_index(sheet, row, col)
                    .map_err(engine)?
                {
                    CellValue::Number(n) => Computed::Number(n),
                    CellValue::String(t) => Computed::Text(t),
                    CellValue::Boolean(b) => Computed::Bool(b),
                    CellValue::None => Computed::Text(String::new()),
                };
                results.push(((s, r as u32, c as u16), value));
            }
        }
    }
    if errors.is_empty() {
        Ok(Results(results))
    } else {
        Err(OfficeError::Formula(errors))
    }
}

/// The formula index of a plain (not array, not spilling) formula cell.
fn plain_formula_index(model: &Model, sheet: u32, row: i32, col: i32) -> Option<i32> {
    let worksheet = model.workbook.worksheet(sheet).ok()?;
    match worksheet.cell(row, col)?.as_ref() {
        ironcalc_base::types::Cell::CellFormula { f, .. } => Some(*f),
        _ => None,
    }
}

fn hint(error: &str) -> &'static str {
    match error {
        "#DIV/0!" => " (a division by zero or an empty range; guard it with IF or IFERROR)",
        "#NAME?" => {
            " (an unknown function or name; prefer SUM, SUMIF(S), COUNTIF, AVERAGE, INDEX/MATCH, VLOOKUP, ROUND, IF)"
        }
        "#REF!" => " (a reference to a cell or sheet that does not exist)",
        "#VALUE!" => " (text where a number was expected)",
        "#N/A" => " (a lookup found nothing)",
        _ => "",
    }
}
