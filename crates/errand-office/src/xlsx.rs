//! The workbook written with rust_xlsxwriter: typed formats, a styled header, widths sized
//! to content, frozen header, filters or a table, conditional formats, drop-downs, charts,
//! named ranges — and every formula's computed value stored as its cached result.
use crate::OfficeError;
use crate::calc::{Computed, Results, evaluate};
use crate::grid::{Cell, Grid, column_name, lay_out, parse_cell, parse_range};
use crate::spec::{ChartKind, ColumnKind, Conditional, SheetSpec, WorkbookSpec};
use rust_xlsxwriter::{
    Chart, ChartType, Color, ConditionalFormat3ColorScale, ConditionalFormatCell,
    ConditionalFormatCellRule, ConditionalFormatDataBar, DataValidation, Format, FormatAlign,
    FormatBorder, Formula, Table, TableColumn, Workbook, Worksheet, XlsxError,
};

/// Sheets with more cells than this are written in rust_xlsxwriter's constant-memory mode.
const CONSTANT_MEMORY_CELLS: usize = 50_000;

/// What was written, for the tool's answer.
#[derive(Debug, Clone)]
pub struct Written {
    pub bytes: Vec<u8>,
    pub sheets: Vec<(String, usize)>,
    pub formulas: usize,
    /// A few computed values, so the model sees its totals without reading the file back.
    pub samples: Vec<String>,
}

pub fn build(mut spec: WorkbookSpec) -> Result<Written, OfficeError> {
    let grids = lay_out(&mut spec)?;
    let results = evaluate(&grids, &spec.names)?;
    let mut workbook = Workbook::new();
    let total_cells: usize = grids.iter().flat_map(|g| &g.rows).map(Vec::len).sum();
    if total_cells > CONSTANT_MEMORY_CELLS {
        // Deflate dominates saving a big sheet; level 1 takes a fraction of the default's
        // time for files about a fifth larger.
        workbook.set_zip_compression_level(1);
    }
    let formats = Formats::new();
    for (s, (grid, sheet)) in grids.iter().zip(&spec.sheets).enumerate() {
        let cells: usize = grid.rows.iter().map(Vec::len).sum();
        // Big sheets stream their rows to a temporary file instead of holding them.
        let ws = if cells > CONSTANT_MEMORY_CELLS && !sheet.table {
            workbook
                .add_worksheet_with_constant_memory()
                .map_err(|e| xlsx(&sheet.name, e))?
        } else {
            workbook.add_worksheet()
        };
        write_sheet(ws, s, grid, sheet, &results, &formats).map_err(|e| xlsx(&sheet.name, e))?;
    }
    for name in &spec.names {
        let range = name.range.trim_start_matches('=');
        workbook
            .define_name(&name.name, &format!("={range}"))
            .map_err(|e| OfficeError::Spec(format!("names: `{}`: {e}", name.name)))?;
    }
    let bytes = workbook
        .save_to_buffer()
        .map_err(|e| OfficeError::Write(e.to_string()))?;
    let samples = samples(&grids, &results);
    Ok(Written {
        bytes,
        sheets: grids
            .iter()
            .map(|g| (g.name.clone(), g.rows.len()))
            .collect(),
        formulas: results.len(),
        samples,
    })
}

/// Computed values worth showing the model: rows labelled as totals, then each sheet's
/// last formulas.
fn samples(grids: &[Grid], results: &Results) -> Vec<String> {
    let mut out = Vec::new();
    for (s, grid) in grids.iter().enumerate() {
        let formulas: Vec<(u32, u16)> = grid
            .rows
            .iter()
            .enumerate()
            .flat_map(|(r, row)| {
                row.iter().enumerate().filter_map(move |(c, cell)| {
                    matches!(cell, Cell::Formula(_)).then_some((r as u32, c as u16))
                })
            })
            .collect();
        let is_total = |r: u32| {
            grid.rows[r as usize]
                .iter()
                .any(|cell| matches!(cell, Cell::Text(t) if t.to_lowercase().contains("total")))
        };
        let mut picked: Vec<(u32, u16)> = formulas
            .iter()
            .copied()
            .filter(|(r, _)| is_total(*r))
            .collect();
        for cell in formulas.iter().rev().take(3) {
            if !picked.contains(cell) {
                picked.push(*cell);
            }
        }
        picked.sort();
        for (r, c) in picked.into_iter().take(8) {
            if let Some(v) = results.get(&(s, r, c)) {
                out.push(format!(
                    "{}!{}{} = {}",
                    grid.name,
                    column_name(c),
                    r + 1,
                    v.as_result()
                ));
            }
        }
    }
    out
}

fn xlsx(sheet: &str, e: XlsxError) -> OfficeError {
    OfficeError::Spec(format!("sheet `{sheet}`: {e}"))
}

struct Formats {
    header: Format,
    text: Format,
    number: Format,
    integer: Format,
    currency: Format,
    percent: Format,
    date: Format,
    highlight: Format,
    low: Format,
}

/// A row labelled as a total: bold, with a rule above.
fn total_of(format: &Format) -> Format {
    format.clone().set_bold().set_border_top(FormatBorder::Thin)
}

impl Formats {
    fn new() -> Self {
        let base = Format::new().set_font_name("Calibri").set_font_size(11);
        Formats {
            header: base
                .clone()
                .set_bold()
                .set_font_color(Color::White)
                .set_background_color(Color::RGB(0x1F4E78))
                .set_border_bottom(FormatBorder::Thin)
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter)
                .set_text_wrap(),
            text: base.clone(),
            number: base.clone().set_num_format("#,##0.00"),
            integer: base.clone().set_num_format("#,##0"),
            currency: base.clone().set_num_format("\"$\"#,##0.00"),
            percent: base.clone().set_num_format("0.0%"),
            date: base
                .clone()
                .set_num_format("yyyy-mm-dd")
                .set_align(FormatAlign::Center),
            highlight: Format::new()
                .set_background_color(Color::RGB(0xFFC7CE))
                .set_font_color(Color::RGB(0x9C0006)),
            low: Format::new()
                .set_background_color(Color::RGB(0xC6EFCE))
                .set_font_color(Color::RGB(0x006100)),
        }
    }

    /// The format of each column: its kind's, with the column's own currency if it has one.
    fn columns(&self, sheet: &SheetSpec) -> Vec<Format> {
        sheet
            .columns
            .iter()
            .map(|column| match (&column.kind, column.currency.as_deref()) {
                (ColumnKind::Currency, Some(symbol)) => {
                    self.text.clone().set_num_format(currency_format(symbol))
                }
                (kind, _) => self.of(*kind).clone(),
            })
            .collect()
    }

    fn of(&self, kind: ColumnKind) -> &Format {
        match kind {
            ColumnKind::Text => &self.text,
            ColumnKind::Number => &self.number,
            ColumnKind::Integer => &self.integer,
            ColumnKind::Currency => &self.currency,
            ColumnKind::Percent => &self.percent,
            ColumnKind::Date => &self.date,
        }
    }
}

/// A row whose first filled cell is a label starting with "Total" (under a date column the
/// label sits in the second).
fn is_total_row(row: &[Cell]) -> bool {
    matches!(
        row.iter().find(|c| !matches!(c, Cell::Empty)),
        Some(Cell::Text(t)) if t.trim().to_lowercase().starts_with("total")
    )
}

/// Symbols lead ("€1,234.50"); three-letter codes follow ("1,234.50 EUR").
fn currency_format(symbol: &str) -> String {
    let symbol: String = symbol.trim().chars().filter(|c| *c != '"').collect();
    if symbol.chars().count() == 3 && symbol.chars().all(|c| c.is_ascii_uppercase()) {
        format!("#,##0.00 \"{symbol}\"")
    } else {
        format!("\"{symbol}\"#,##0.00")
    }
}

fn write_sheet(
    ws: &mut Worksheet,
    s: usize,
    grid: &Grid,
    sheet: &SheetSpec,
    results: &Results,
    formats: &Formats,
) -> Result<(), XlsxError> {
    ws.set_name(&grid.name)?;
    let width = grid.width();
    let mut widths: Vec<usize> = vec![0; width];
    let column_formats = formats.columns(sheet);
    // Cells in plain text columns carry the workbook's default style, so they are written
    // without one: looking a format up costs more than writing the cell.
    let plain_columns: Vec<bool> = (0..width)
        .map(|c| {
            grid.kinds.get(c).copied().unwrap_or_default() == ColumnKind::Text
                && sheet
                    .columns
                    .get(c)
                    .is_none_or(|col| col.currency.is_none())
        })
        .collect();
    for (r, row) in grid.rows.iter().enumerate() {
        let header = grid.has_header && r == 0;
        let total_row = !header && is_total_row(row);
        for (c, cell) in row.iter().enumerate() {
            let kind = grid.kinds.get(c).copied().unwrap_or_default();
            let total_format;
            let format = if header {
                &formats.header
            } else if total_row {
                total_format = total_of(column_formats.get(c).unwrap_or(formats.of(kind)));
                &total_format
            } else {
                column_formats.get(c).unwrap_or(formats.of(kind))
            };
            let (row_n, col_n) = (r as u32, c as u16);
            let plain = !header && !total_row && plain_columns.get(c).copied().unwrap_or(false);
            let shown = match cell {
                Cell::Empty => {
                    if header {
                        ws.write_blank(row_n, col_n, format)?;
                    }
                    0
                }
                Cell::Number(n) => {
                    if plain {
                        ws.write_number(row_n, col_n, *n)?;
                    } else {
                        ws.write_number_with_format(row_n, col_n, *n, format)?;
                    }
                    shown_len(kind, &Computed::Number(*n))
                }
                Cell::Text(t) => {
                    if plain {
                        ws.write_string(row_n, col_n, t)?;
                    } else {
                        ws.write_string_with_format(row_n, col_n, t, format)?;
                    }
                    t.lines().map(|l| l.chars().count()).max().unwrap_or(0)
                }
                Cell::Bool(b) => {
                    ws.write_boolean_with_format(row_n, col_n, *b, format)?;
                    5
                }
                Cell::Formula(f) => {
                    let value = results.get(&(s, row_n, col_n));
                    let mut formula = Formula::new(format!("={f}"));
                    if let Some(value) = value {
                        formula = formula.set_result(value.as_result());
                    }
                    if plain {
                        ws.write_formula(row_n, col_n, formula)?;
                    } else {
                        ws.write_formula_with_format(row_n, col_n, formula, format)?;
                    }
                    value.map(|v| shown_len(kind, v)).unwrap_or(8)
                }
            };
            // A header wraps, so it counts for less than a long value.
            let shown = if header { shown.min(24) } else { shown };
            widths[c] = widths[c].max(shown);
        }
    }
    for (c, w) in widths.iter().enumerate() {
        let given = sheet.columns.get(c).and_then(|col| col.width);
        // Room for the font LibreOffice substitutes, which runs wider than Calibri.
        let chars = given.unwrap_or((*w as f64 * 1.1 + 3.0).clamp(8.0, 60.0));
        ws.set_column_width(c as u16, chars)?;
    }
    let last_row = grid.rows.len().saturating_sub(1) as u32;
    let last_col = width.saturating_sub(1) as u16;
    // A total row under the data stays out of the table and the filter, so sorting or
    // filtering never moves it in among the rows it sums.
    let ends_in_total = grid.rows.len() > 2 && grid.rows.last().is_some_and(|r| is_total_row(r));
    let last_data_row = if ends_in_total {
        last_row - 1
    } else {
        last_row
    };
    if grid.has_header {
        ws.set_row_height(0, 22)?;
        ws.set_freeze_panes(1, 0)?;
        if sheet.table && grid.rows.len() > 1 {
            let columns: Vec<TableColumn> = sheet
                .columns
                .iter()
                .map(|c| {
                    TableColumn::new()
                        .set_header(&c.header)
                        .set_header_format(&formats.header)
                })
                .collect();
            let table = Table::new().set_columns(&columns);
            ws.add_table(0, 0, last_data_row, last_col, &table)?;
        } else if sheet.autofilter {
            ws.autofilter(0, 0, last_data_row.max(1), last_col)?;
        }
    }
    // Printed (and converted to PDF) across the page width, charts included.
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 0);
    for rule in &sheet.conditional {
        add_conditional(ws, rule, formats)?;
    }
    for v in &sheet.validations {
        let (_, r1, c1, r2, c2) = parse_range(&v.range)
            .ok_or_else(|| XlsxError::ParameterError(format!("bad range `{}`", v.range)))?;
        let list: Vec<&str> = v.list.iter().map(String::as_str).collect();
        let validation = DataValidation::new().allow_list_strings(&list)?;
        ws.add_data_validation(r1, c1, r2, c2, &validation)?;
    }
    for (i, spec) in sheet.charts.iter().enumerate() {
        let chart = chart(spec, &grid.name)?;
        let (row, col) = spec
            .at
            .as_deref()
            .and_then(parse_cell)
            .unwrap_or((1 + i as u32 * 18, last_col + 2));
        ws.insert_chart(row, col, &chart)?;
    }
    Ok(())
}

/// Characters a value takes as shown in its format.
/// Digits before the decimal point, counted rather than formatted: a million numbers are
/// measured for column widths.
fn integer_digits(n: f64) -> usize {
    let a = n.abs();
    let digits = if a < 10.0 {
        1
    } else {
        (a.log10().floor() as usize + 1).min(20)
    };
    digits + usize::from(n < 0.0)
}

fn shown_len(kind: ColumnKind, value: &Computed) -> usize {
    match (kind, value) {
        (ColumnKind::Date, Computed::Number(_)) => 10,
        (ColumnKind::Percent, Computed::Number(n)) => integer_digits(n * 100.0) + 3,
        (ColumnKind::Currency | ColumnKind::Number, Computed::Number(n)) => {
            let digits = integer_digits(*n) + 3;
            digits + digits / 4 + 2
        }
        (_, Computed::Number(n)) if n.fract() == 0.0 => integer_digits(*n),
        (_, Computed::Number(n)) => format!("{n}").len(),
        (_, other) => other.as_result().chars().count(),
    }
}

fn add_conditional(
    ws: &mut Worksheet,
    rule: &Conditional,
    formats: &Formats,
) -> Result<(), XlsxError> {
    let range = match rule {
        Conditional::GreaterThan { range, .. }
        | Conditional::LessThan { range, .. }
        | Conditional::Between { range, .. }
        | Conditional::DataBar { range }
        | Conditional::ColorScale { range } => range,
    };
    let (_, r1, c1, r2, c2) = parse_range(range)
        .ok_or_else(|| XlsxError::ParameterError(format!("bad range `{range}`")))?;
    match rule {
        Conditional::GreaterThan { value, .. } => {
            let f = ConditionalFormatCell::new()
                .set_rule(ConditionalFormatCellRule::GreaterThan(*value))
                .set_format(&formats.highlight);
            ws.add_conditional_format(r1, c1, r2, c2, &f)?;
        }
        Conditional::LessThan { value, .. } => {
            let f = ConditionalFormatCell::new()
                .set_rule(ConditionalFormatCellRule::LessThan(*value))
                .set_format(&formats.low);
            ws.add_conditional_format(r1, c1, r2, c2, &f)?;
        }
        Conditional::Between { min, max, .. } => {
            let f = ConditionalFormatCell::new()
                .set_rule(ConditionalFormatCellRule::Between(*min, *max))
                .set_format(&formats.low);
            ws.add_conditional_format(r1, c1, r2, c2, &f)?;
        }
        Conditional::DataBar { .. } => {
            ws.add_conditional_format(r1, c1, r2, c2, &ConditionalFormatDataBar::new())?;
        }
        Conditional::ColorScale { .. } => {
            ws.add_conditional_format(r1, c1, r2, c2, &ConditionalFormat3ColorScale::new())?;
        }
    }
    Ok(())
}

fn chart(spec: &crate::spec::ChartSpec, sheet: &str) -> Result<Chart, XlsxError> {
    let kind = match spec.kind {
        ChartKind::Column => ChartType::Column,
        ChartKind::Bar => ChartType::Bar,
        ChartKind::Line => ChartType::Line,
        ChartKind::Pie => ChartType::Pie,
        ChartKind::Scatter => ChartType::Scatter,
    };
    let mut chart = Chart::new(kind);
    let qualify = |range: &str| -> String {
        if range.contains('!') {
            range.to_string()
        } else {
            format!("'{sheet}'!{range}")
        }
    };
    for series in &spec.series {
        let s = chart.add_series();
        s.set_categories(qualify(&spec.categories).as_str())
            .set_values(qualify(&series.values).as_str());
        if let Some(name) = &series.name {
            s.set_name(name);
        }
    }
    if let Some(title) = &spec.title {
        chart.title().set_name(title);
    }
    if let Some(x) = &spec.x_title {
        chart.x_axis().set_name(x);
    }
    if let Some(y) = &spec.y_title {
        chart.y_axis().set_name(y);
    }
    if spec.series.len() < 2 && spec.kind != ChartKind::Pie {
        chart.legend().set_hidden();
    }
    chart.set_width(560).set_height(320);
    Ok(chart)
}
