//! What the CSV report says, and the workbook and PDF that say it.
use super::MAX_ROWS;
use super::table::{Kind, Stats, Table, number, shown, stats};
use serde_json::{Value, json};

/// A value further than this many standard deviations from its column's mean is an outlier.
const OUTLIER_SIGMAS: f64 = 3.0;

pub struct Outlier {
    /// 1-based data row (the Data sheet row is one more).
    pub row: usize,
    pub column: usize,
    pub value: f64,
    pub sigmas: f64,
}

pub struct Analysis {
    pub measure: usize,
    /// (column, its statistics) for every numeric column.
    pub stats: Vec<(usize, Stats)>,
    pub outliers: Vec<Outlier>,
    /// Row axis and optional column axis of the cross-tab.
    pub axes: (Option<usize>, Option<usize>),
    /// Sum of the measure per (row category, column category).
    pub cross: Vec<Vec<f64>>,
    pub dates: Option<(String, String)>,
}

pub fn analyse(table: &Table, measure: usize) -> Analysis {
    let numeric: Vec<usize> = (0..table.columns.len())
        .filter(|c| table.columns[*c].kind == Kind::Number)
        .collect();
    let stats: Vec<(usize, Stats)> = numeric
        .iter()
        .filter_map(|c| stats(&table.values(*c)).map(|s| (*c, s)))
        .collect();
    let mut outliers = Vec::new();
    for (c, s) in &stats {
        if s.stdev == 0.0 {
            continue;
        }
        for (r, row) in table.rows.iter().enumerate() {
            if let Some(v) = number(&row[*c]) {
                let sigmas = (v - s.mean) / s.stdev;
                if sigmas.abs() > OUTLIER_SIGMAS {
                    outliers.push(Outlier {
                        row: r + 1,
                        column: *c,
                        value: v,
                        sigmas,
                    });
                }
            }
        }
    }
    outliers.sort_by(|a, b| b.sigmas.abs().total_cmp(&a.sigmas.abs()));
    let axes = table.axes();
    let cross = match axes.0 {
        Some(a) => {
            let rows = table.columns[a].categories.clone().unwrap_or_default();
            let cols = axes
                .1
                .and_then(|b| table.columns[b].categories.clone())
                .unwrap_or_else(|| vec![String::new()]);
            rows.iter()
                .map(|rv| {
                    cols.iter()
                        .map(|cv| {
                            table
                                .rows
                                .iter()
                                .filter(|r| &r[a] == rv && axes.1.is_none_or(|b| &r[b] == cv))
                                .filter_map(|r| number(&r[measure]))
                                .sum()
                        })
                        .collect()
                })
                .collect()
        }
        None => Vec::new(),
    };
    let dates = (0..table.columns.len())
        .find(|c| table.columns[*c].kind == Kind::Date)
        .and_then(|c| {
            let mut d: Vec<&str> = table
                .rows
                .iter()
                .map(|r| r[c].as_str())
                .filter(|v| !v.is_empty())
                .collect();
            d.sort_unstable();
            Some((d.first()?.to_string(), d.last()?.to_string()))
        });
    Analysis {
        measure,
        stats,
        outliers,
        axes,
        cross,
        dates,
    }
}

pub fn column_name(index: usize) -> String {
    let mut n = index + 1;
    let mut name = String::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        name.insert(0, (b'A' + rem as u8) as char);
        n = (n - 1) / 26;
    }
    name
}

fn categories(table: &Table, axis: Option<usize>) -> Vec<String> {
    axis.and_then(|a| table.columns[a].categories.clone())
        .unwrap_or_default()
}

pub fn workbook(path: &str, table: &Table, a: &Analysis) -> Value {
    let shown_rows = table.rows.len().min(MAX_ROWS);
    let last = shown_rows + 1;
    let columns: Vec<Value> = table
        .columns
        .iter()
        .map(|c| {
            let kind = match c.kind {
                Kind::Number => "number",
                Kind::Id => "integer",
                Kind::Date => "date",
                Kind::Text => "text",
            };
            json!({"header": c.name, "type": kind})
        })
        .collect();
    let rows: Vec<Value> = table.rows[..shown_rows]
        .iter()
        .map(|r| {
            Value::Array(
                r.iter()
                    .zip(&table.columns)
                    .map(|(v, c)| match (c.kind, number(v)) {
                        _ if v.is_empty() => Value::Null,
                        (Kind::Number | Kind::Id, Some(n)) => json!(n),
                        _ => json!(v),
                    })
                    .collect(),
            )
        })
        .collect();
    let data_range = |c: usize| format!("Data!${0}$2:${0}${last}", column_name(c));
    let conditional: Vec<Value> = a
        .stats
        .iter()
        .filter(|(c, _)| a.outliers.iter().any(|o| o.column == *c))
        .flat_map(|(c, s)| {
            let range = format!("{0}2:{0}{last}", column_name(*c));
            [
                json!({"type": "greater_than", "range": range, "value": s.mean + OUTLIER_SIGMAS * s.stdev}),
                json!({"type": "less_than", "range": range, "value": s.mean - OUTLIER_SIGMAS * s.stdev}),
            ]
        })
        .collect();
    let mut sheets = vec![json!({
        "name": "Data", "columns": columns, "rows": rows, "autofilter": true,
        "conditional": conditional
    })];

    // Statistics as formulas over the data, one column per numeric column.
    let stat_rows = [
        ("Count", "COUNT"),
        ("Sum", "SUM"),
        ("Mean", "AVERAGE"),
        ("Median", "MEDIAN"),
        ("Std deviation", "STDEV"),
        ("Min", "MIN"),
        ("Max", "MAX"),
    ];
    let mut summary_columns = vec![json!({"header": "Statistic"})];
    summary_columns.extend(
        a.stats
            .iter()
            .map(|(c, _)| json!({"header": table.columns[*c].name, "type": "number"})),
    );
    let summary_rows: Vec<Value> = stat_rows
        .iter()
        .map(|(label, function)| {
            let mut row = vec![json!(label)];
            row.extend(
                a.stats
                    .iter()
                    .map(|(c, _)| json!(format!("={function}({})", data_range(*c)))),
            );
            Value::Array(row)
        })
        .collect();
    sheets.push(json!({"name": "Summary", "columns": summary_columns, "rows": summary_rows}));

    if let Some(row_axis) = a.axes.0 {
        let rows_of = categories(table, Some(row_axis));
        let cols_of = categories(table, a.axes.1);
        let measure = &table.columns[a.measure].name;
        let mut header = vec![json!({"header": table.columns[row_axis].name})];
        let series_names: Vec<String> = if cols_of.is_empty() {
            vec![measure.clone()]
        } else {
            cols_of.clone()
        };
        header.extend(
            series_names
                .iter()
                .map(|n| json!({"header": n, "type": "number"})),
        );
        header.push(json!({"header": "Total", "type": "number"}));
        let width = series_names.len();
        let mut cross_rows: Vec<Value> = rows_of
            .iter()
            .enumerate()
            .map(|(i, label)| {
                let r = i + 2;
                let mut row = vec![json!(label)];
                for (j, _) in series_names.iter().enumerate() {
                    let mut formula = format!(
                        "=SUMIFS({},{},$A{r}",
                        data_range(a.measure),
                        data_range(row_axis)
                    );
                    if let Some(col_axis) = a.axes.1 {
                        formula.push_str(&format!(
                            ",{},{}$1",
                            data_range(col_axis),
                            column_name(j + 1)
                        ));
                    }
                    formula.push(')');
                    row.push(json!(formula));
                }
                row.push(json!(format!("=SUM(B{r}:{}{r})", column_name(width))));
                Value::Array(row)
            })
            .collect();
        let total_row = rows_of.len() + 2;
        let mut totals = vec![json!("Total")];
        for j in 0..=width {
            let col = column_name(j + 1);
            totals.push(json!(format!("=SUM({col}2:{col}{})", total_row - 1)));
        }
        cross_rows.push(Value::Array(totals));
        let series: Vec<Value> = series_names
            .iter()
            .enumerate()
            .map(|(j, name)| {
                let col = column_name(j + 1);
                json!({"name": name, "values": format!("Crosstab!${col}$2:${col}${}", total_row - 1)})
            })
            .collect();
        sheets.push(json!({
            "name": "Crosstab",
            "columns": header,
            "rows": cross_rows,
            "conditional": [{"type": "color_scale", "range": format!("B2:{}{}", column_name(width), total_row - 1)}],
            "charts": [{
                "type": "column",
                "title": format!("{} by {}", capitalized(measure), table.columns[row_axis].name),
                "categories": format!("Crosstab!$A$2:$A${}", total_row - 1),
                "series": series,
                "at": format!("{}2", column_name(width + 3)),
                "y_title": measure
            }]
        }));
    }

    let outlier_rows: Vec<Value> = a
        .outliers
        .iter()
        .map(|o| {
            json!([
                o.row + 1,
                table.rows[o.row - 1][0],
                table.columns[o.column].name,
                o.value,
                (o.sigmas * 10.0).round() / 10.0
            ])
        })
        .collect();
    sheets.push(json!({
        "name": "Outliers",
        "columns": [
            {"header": "Data row", "type": "integer"},
            {"header": table.columns[0].name},
            {"header": "Column"},
            {"header": "Value", "type": "number"},
            {"header": "Std deviations from mean", "type": "number"}
        ],
        "rows": outlier_rows
    }));
    json!({"path": path, "sheets": sheets})
}

/// "revenue" → "Revenue", for a heading or the start of a sentence.
fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

pub fn pdf(path: &str, source: &str, table: &Table, a: &Analysis) -> Value {
    let measure = &table.columns[a.measure].name;
    let measure_title = capitalized(measure);
    let measure_stats = a
        .stats
        .iter()
        .find(|(c, _)| *c == a.measure)
        .map(|(_, s)| *s);
    let mut facts = format!("**{} rows** from {source}", table.rows.len());
    if let Some((first, last)) = &a.dates {
        facts.push_str(&format!(", {first} to {last}"));
    }
    if let Some(s) = measure_stats {
        facts.push_str(&format!(
            ". {measure_title} totals **{}**, a mean of {} and a median of {} per row.",
            shown(s.sum),
            shown(s.mean),
            shown(s.median)
        ));
    } else {
        facts.push('.');
    }
    let mut header = vec!["Statistic".to_string()];
    header.extend(a.stats.iter().map(|(c, _)| table.columns[*c].name.clone()));
    let stat_rows: Vec<Vec<String>> = [
        ("Count", (|s: &Stats| s.count as f64) as fn(&Stats) -> f64),
        ("Sum", |s| s.sum),
        ("Mean", |s| s.mean),
        ("Median", |s| s.median),
        ("Std deviation", |s| s.stdev),
        ("Min", |s| s.min),
        ("Max", |s| s.max),
    ]
    .iter()
    .map(|(label, get)| {
        let mut row = vec![label.to_string()];
        row.extend(a.stats.iter().map(|(_, s)| shown(get(s))));
        row
    })
    .collect();
    let mut blocks = vec![
        json!({"type": "heading", "text": format!("Report: {source}")}),
        json!({"type": "paragraph", "text": facts}),
        json!({"type": "heading", "text": "Summary statistics", "level": 2}),
        json!({"type": "table", "header": header, "rows": stat_rows}),
    ];
    if let Some(row_axis) = a.axes.0 {
        let rows_of = categories(table, Some(row_axis));
        let cols_of = categories(table, a.axes.1);
        let series: Vec<Value> = if cols_of.is_empty() {
            vec![
                json!({"name": measure, "values": a.cross.iter().map(|r| r.first().copied().unwrap_or(0.0)).collect::<Vec<f64>>()}),
            ]
        } else {
            cols_of
                .iter()
                .enumerate()
                .map(|(j, name)| json!({"name": name, "values": a.cross.iter().map(|r| r.get(j).copied().unwrap_or(0.0)).collect::<Vec<f64>>()}))
                .collect()
        };
        let by = match a.axes.1 {
            Some(b) => format!(
                "{} and {}",
                table.columns[row_axis].name, table.columns[b].name
            ),
            None => table.columns[row_axis].name.clone(),
        };
        blocks.push(
            json!({"type": "heading", "text": format!("{measure_title} by {by}"), "level": 2}),
        );
        blocks.push(json!({"type": "chart", "chart": {
            "type": "column", "categories": rows_of, "series": series, "y_title": measure
        }}));
    }
    blocks.push(json!({"type": "heading", "text": "Outliers", "level": 2}));
    if a.outliers.is_empty() {
        blocks.push(json!({"type": "paragraph", "text": format!("No value lies more than {OUTLIER_SIGMAS} standard deviations from its column's mean.")}));
    } else {
        let items: Vec<String> = a
            .outliers
            .iter()
            .take(4)
            .map(|o| {
                format!(
                    "Row {} ({} {}): {} {}, {:.1} standard deviations {} the mean",
                    o.row + 1,
                    table.columns[0].name,
                    table.rows[o.row - 1][0],
                    table.columns[o.column].name,
                    shown(o.value),
                    o.sigmas.abs(),
                    if o.sigmas > 0.0 { "above" } else { "below" }
                )
            })
            .collect();
        let mut items = items;
        let more = a.outliers.len().saturating_sub(items.len());
        if more > 0 {
            items.push(format!(
                "… and {more} more on the Outliers sheet of the workbook"
            ));
        }
        blocks.push(json!({"type": "bullets", "items": items}));
    }
    json!({"path": path, "title": null, "author": "Errand", "blocks": blocks})
}

pub fn summary(source: &str, xlsx: &str, pdf: &str, table: &Table, a: &Analysis) -> String {
    let mut text = format!(
        "Wrote {xlsx} (the data, summary statistics as formulas, {}outliers) and {pdf} (one page) from {} rows of {source}.",
        if a.axes.0.is_some() {
            "a cross-tab with a chart, "
        } else {
            ""
        },
        table.rows.len()
    );
    if let Some((_, s)) = a.stats.iter().find(|(c, _)| *c == a.measure) {
        text.push_str(&format!(
            " {} totals {} (mean {}).",
            capitalized(&table.columns[a.measure].name),
            shown(s.sum),
            shown(s.mean)
        ));
    }
    text.push_str(&format!(
        " {} outlier{} (more than {OUTLIER_SIGMAS} standard deviations from the mean), highlighted on the Data sheet.",
        a.outliers.len(),
        if a.outliers.len() == 1 { "" } else { "s" }
    ));
    if table.rows.len() > MAX_ROWS {
        text.push_str(&format!(
            " The workbook holds the first {MAX_ROWS} rows; the statistics in the PDF cover all {}.",
            table.rows.len()
        ));
    }
    text
}
