//! A workbook spec checked and laid out as cells: what both the calculator and the writer
//! read. Every problem names the field it is in.
use crate::OfficeError;
use crate::spec::{ColumnKind, WorkbookSpec};
use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Number(f64),
    Text(String),
    Bool(bool),
    /// Without the leading `=`.
    Formula(String),
}

#[derive(Debug, Clone)]
pub struct Grid {
    pub name: String,
    /// Row 0 is the header when the sheet has columns.
    pub rows: Vec<Vec<Cell>>,
    pub kinds: Vec<ColumnKind>,
    pub has_header: bool,
}

impl Grid {
    pub fn width(&self) -> usize {
        self.rows
            .iter()
            .map(Vec::len)
            .max()
            .unwrap_or(0)
            .max(self.kinds.len())
    }
}

/// Days from Excel's epoch (1899-12-30) to `date`.
pub fn excel_serial(date: chrono::NaiveDate) -> f64 {
    let epoch = chrono::NaiveDate::from_ymd_opt(1899, 12, 30).unwrap_or_default();
    (date - epoch).num_days() as f64
}

const MAX_ROWS: usize = 1_048_575;
const MAX_COLS: usize = 16_384;

/// Takes the rows out of `spec` (their JSON is dropped as each becomes cells: a big sheet
/// is not held twice).
pub fn lay_out(spec: &mut WorkbookSpec) -> Result<Vec<Grid>, OfficeError> {
    if spec.sheets.is_empty() {
        return Err(OfficeError::Spec(
            "`sheets` is empty; give at least one {name, columns, rows}".into(),
        ));
    }
    let mut names = std::collections::HashSet::new();
    let mut grids = Vec::with_capacity(spec.sheets.len());
    for (s, sheet) in spec.sheets.iter_mut().enumerate() {
        let at = format!("sheets[{s}]");
        check_sheet_name(&sheet.name, &at)?;
        if !names.insert(sheet.name.to_lowercase()) {
            return Err(OfficeError::Spec(format!(
                "{at}.name: a second sheet is called `{}`",
                sheet.name
            )));
        }
        if sheet.rows.len() >= MAX_ROWS {
            return Err(OfficeError::Spec(format!(
                "{at}.rows: {} rows; a sheet holds at most {MAX_ROWS}",
                sheet.rows.len()
            )));
        }
        let kinds: Vec<ColumnKind> = sheet.columns.iter().map(|c| c.kind).collect();
        let has_header = !sheet.columns.is_empty();
        let mut rows = Vec::with_capacity(sheet.rows.len() + 1);
        if has_header {
            rows.push(
                sheet
                    .columns
                    .iter()
                    .map(|c| Cell::Text(c.header.clone()))
                    .collect(),
            );
        }
        for (r, row) in std::mem::take(&mut sheet.rows).into_iter().enumerate() {
            if row.len() > MAX_COLS {
                return Err(OfficeError::Spec(format!(
                    "{at}.rows[{r}]: {} cells; a row holds at most {MAX_COLS}",
                    row.len()
                )));
            }
            let mut cells = Vec::with_capacity(row.len());
            for (c, value) in row.iter().enumerate() {
                let kind = kinds.get(c).copied().unwrap_or_default();
                // The location is only spelled out for an error.
                cells.push(
                    cell(value, kind)
                        .map_err(|e| OfficeError::Spec(format!("{at}.rows[{r}][{c}]: {e}")))?,
                );
            }
            rows.push(cells);
        }
        grids.push(Grid {
            name: sheet.name.clone(),
            rows,
            kinds,
            has_header,
        });
    }
    Ok(grids)
}

fn check_sheet_name(name: &str, at: &str) -> Result<(), OfficeError> {
    let bad = name.trim().is_empty()
        || name.chars().count() > 31
        || name.contains(['[', ']', ':', '*', '?', '/', '\\'])
        || name.starts_with('\'')
        || name.ends_with('\'');
    if bad {
        return Err(OfficeError::Spec(format!(
            "{at}.name: `{name}` is not a sheet name (1-31 characters, none of [ ] : * ? / \\)"
        )));
    }
    Ok(())
}

fn cell(value: &Value, kind: ColumnKind) -> Result<Cell, String> {
    Ok(match value {
        Value::Null => Cell::Empty,
        Value::Bool(b) => Cell::Bool(*b),
        Value::Number(n) => Cell::Number(
            n.as_f64()
                .ok_or_else(|| format!("{n} is not a number a sheet can hold"))?,
        ),
        Value::String(s) => {
            if let Some(formula) = s.strip_prefix('=') {
                if formula.trim().is_empty() {
                    return Err("an empty formula".into());
                }
                Cell::Formula(formula.to_string())
            } else if kind == ColumnKind::Date {
                let date = chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
                    .map_err(|_| format!("a date column takes \"YYYY-MM-DD\", got {s:?}"))?;
                Cell::Number(excel_serial(date))
            } else if matches!(
                kind,
                ColumnKind::Number
                    | ColumnKind::Integer
                    | ColumnKind::Currency
                    | ColumnKind::Percent
            ) && let Some(n) = parse_amount(s)
            {
                Cell::Number(n)
            } else {
                Cell::Text(s.clone())
            }
        }
        Value::Array(_) | Value::Object(_) => {
            return Err(format!(
                "a cell holds a number, text, true/false, null or \"=FORMULA\", not {value}"
            ));
        }
    })
}

/// "1,234.50", "$12", "12%" as numbers: models often send amounts as text.
fn parse_amount(s: &str) -> Option<f64> {
    let t = s.trim();
    let (t, percent) = match t.strip_suffix('%') {
        Some(rest) => (rest, true),
        None => (t, false),
    };
    let cleaned: String = t
        .chars()
        .filter(|c| !matches!(c, ',' | '$' | '€' | '£' | ' '))
        .collect();
    let n: f64 = cleaned.parse().ok()?;
    Some(if percent { n / 100.0 } else { n })
}

/// "C2:C9" or "Sheet!$C$2:$C$9" as (sheet, first row, first col, last row, last col),
/// zero-based; `sheet` is `None` when the range names none.
pub fn parse_range(range: &str) -> Option<(Option<String>, u32, u16, u32, u16)> {
    let (sheet, cells) = match range.rsplit_once('!') {
        Some((sheet, cells)) => (Some(sheet.trim_matches('\'').to_string()), cells),
        None => (None, range),
    };
    let (a, b) = cells.split_once(':').unwrap_or((cells, cells));
    let (r1, c1) = parse_cell(a)?;
    let (r2, c2) = parse_cell(b)?;
    Some((sheet, r1.min(r2), c1.min(c2), r1.max(r2), c1.max(c2)))
}

/// "B7" or "$B$7" as zero-based (row, col).
pub fn parse_cell(cell: &str) -> Option<(u32, u16)> {
    let cell = cell.replace('$', "");
    let split = cell.find(|c: char| c.is_ascii_digit())?;
    let (letters, digits) = cell.split_at(split);
    if letters.is_empty() || letters.len() > 3 {
        return None;
    }
    let mut col: u32 = 0;
    for ch in letters.chars() {
        if !ch.is_ascii_alphabetic() {
            return None;
        }
        col = col * 26 + (ch.to_ascii_uppercase() as u32 - 'A' as u32 + 1);
    }
    let row: u32 = digits.parse().ok()?;
    if row == 0 || col == 0 || col as usize > MAX_COLS {
        return None;
    }
    Some((row - 1, (col - 1) as u16))
}

/// Zero-based column index as letters: 0 → A, 27 → AB.
pub fn column_name(mut col: u16) -> String {
    let mut out = Vec::new();
    loop {
        out.push((b'A' + (col % 26) as u8) as char);
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    out.iter().rev().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_and_ranges_parse() {
        assert_eq!(parse_cell("B7"), Some((6, 1)));
        assert_eq!(parse_cell("$AB$10"), Some((9, 27)));
        assert_eq!(parse_cell("7B"), None);
        assert_eq!(
            parse_range("'My Sheet'!$A$2:$C$9"),
            Some((Some("My Sheet".into()), 1, 0, 8, 2))
        );
        assert_eq!(column_name(0), "A");
        assert_eq!(column_name(27), "AB");
        assert_eq!(parse_amount("$1,234.50"), Some(1234.5));
        assert_eq!(parse_amount("12%"), Some(0.12));
        assert_eq!(
            excel_serial(chrono::NaiveDate::from_ymd_opt(2026, 1, 1).expect("date")),
            46023.0
        );
    }
}
