//! A CSV read into typed columns, and the statistics the report states: the same numbers
//! the workbook's formulas compute, so the PDF and the spreadsheet agree.
use super::super::receipts::parse::{delimiter, fields};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Number,
    /// Numbers that name rows (order ids): shown, never summed.
    Id,
    Date,
    Text,
}

pub struct Column {
    pub name: String,
    pub kind: Kind,
    /// Distinct values, for text columns with few of them (a cross-tab axis).
    pub categories: Option<Vec<String>>,
}

pub struct Table {
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<String>>,
}

/// Most distinct values a column may have to be a cross-tab axis.
const MAX_CATEGORIES: usize = 12;

pub fn parse(text: &str) -> Result<Table, String> {
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let header_line = lines.next().ok_or("the file is empty")?;
    let delimiter = delimiter(header_line);
    let header = fields(header_line, delimiter);
    if header.len() < 2 {
        return Err("the first line should be a header naming at least two columns".into());
    }
    let rows: Vec<Vec<String>> = lines
        .map(|l| {
            let mut f = fields(l, delimiter);
            f.resize(header.len(), String::new());
            f
        })
        .collect();
    if rows.is_empty() {
        return Err("the file has a header but no rows".into());
    }
    let columns = header
        .iter()
        .enumerate()
        .map(|(c, name)| {
            let values: Vec<&str> = rows
                .iter()
                .map(|r| r[c].as_str())
                .filter(|v| !v.is_empty())
                .collect();
            let numeric = !values.is_empty() && values.iter().all(|v| number(v).is_some());
            let dated = !values.is_empty()
                && values
                    .iter()
                    .all(|v| chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d").is_ok());
            let lower = name.to_lowercase();
            let named_id = lower == "id"
                || lower.ends_with("_id")
                || lower.ends_with(" id")
                || lower.ends_with("number")
                || lower == "#";
            let kind = if dated {
                Kind::Date
            } else if numeric && named_id {
                Kind::Id
            } else if numeric {
                Kind::Number
            } else {
                Kind::Text
            };
            let mut distinct: Vec<String> = Vec::new();
            if kind == Kind::Text {
                for v in &values {
                    if !distinct.iter().any(|d| d == v) {
                        distinct.push(v.to_string());
                        if distinct.len() > MAX_CATEGORIES {
                            break;
                        }
                    }
                }
            }
            let categories = (kind == Kind::Text
                && (2..=MAX_CATEGORIES).contains(&distinct.len())
                && distinct.len() * 2 <= rows.len())
            .then(|| {
                distinct.sort();
                distinct
            });
            Column {
                name: name.clone(),
                kind,
                categories,
            }
        })
        .collect();
    Ok(Table { columns, rows })
}

pub fn number(text: &str) -> Option<f64> {
    text.trim().parse::<f64>().ok().filter(|n| n.is_finite())
}

impl Table {
    pub fn values(&self, column: usize) -> Vec<f64> {
        self.rows
            .iter()
            .filter_map(|r| number(&r[column]))
            .collect()
    }

    /// The numeric column the report is about: one named like money or quantity, else
    /// the last numeric one.
    pub fn measure(&self) -> Option<usize> {
        let numeric: Vec<usize> = (0..self.columns.len())
            .filter(|c| self.columns[*c].kind == Kind::Number)
            .collect();
        let preferred = [
            "revenue", "amount", "sales", "total", "value", "price", "cost",
        ];
        preferred
            .iter()
            .find_map(|p| {
                numeric
                    .iter()
                    .copied()
                    .find(|c| self.columns[*c].name.to_lowercase().contains(p))
            })
            .or_else(|| numeric.last().copied())
    }

    /// The first two columns with few distinct values.
    pub fn axes(&self) -> (Option<usize>, Option<usize>) {
        let mut axes = (0..self.columns.len()).filter(|c| self.columns[*c].categories.is_some());
        (axes.next(), axes.next())
    }
}

/// Count, sum, mean, median, sample standard deviation, min, max — as the workbook's
/// COUNT, SUM, AVERAGE, MEDIAN, STDEV, MIN and MAX compute them.
#[derive(Debug, Clone, Copy)]
pub struct Stats {
    pub count: usize,
    pub sum: f64,
    pub mean: f64,
    pub median: f64,
    pub stdev: f64,
    pub min: f64,
    pub max: f64,
}

pub fn stats(values: &[f64]) -> Option<Stats> {
    if values.is_empty() {
        return None;
    }
    let count = values.len();
    let sum: f64 = values.iter().sum();
    let mean = sum / count as f64;
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let median = if count % 2 == 1 {
        sorted[count / 2]
    } else {
        (sorted[count / 2 - 1] + sorted[count / 2]) / 2.0
    };
    let stdev = if count > 1 {
        (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (count - 1) as f64).sqrt()
    } else {
        0.0
    };
    Some(Stats {
        count,
        sum,
        mean,
        median,
        stdev,
        min: sorted[0],
        max: sorted[count - 1],
    })
}

/// 1,234.50 — two decimals unless the number is whole.
pub fn shown(n: f64) -> String {
    let rounded = (n * 100.0).round() / 100.0;
    let whole = rounded.trunc().abs() as u64;
    let grouped = super::super::survey::thousands(whole as usize);
    let sign = if rounded < 0.0 { "-" } else { "" };
    let cents = ((rounded.abs() - whole as f64) * 100.0).round() as u64;
    if cents == 0 && n.fract() == 0.0 {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}.{cents:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_typed_and_axes_found() {
        let csv = "order_id,date,region,units,revenue\n1,2026-01-02,North,2,98.00\n2,2026-01-03,South,1,49.00\n3,2026-01-05,North,4,196.00\n4,2026-01-09,South,3,147.00\n";
        let t = parse(csv).expect("csv");
        let kinds: Vec<Kind> = t.columns.iter().map(|c| c.kind).collect();
        assert_eq!(
            kinds,
            [Kind::Id, Kind::Date, Kind::Text, Kind::Number, Kind::Number]
        );
        assert_eq!(t.measure(), Some(4));
        assert_eq!(t.axes(), (Some(2), None));
        let s = stats(&t.values(4)).expect("stats");
        assert_eq!(
            (s.count, s.sum, s.median, s.min, s.max),
            (4, 490.0, 122.5, 49.0, 196.0)
        );
        assert!((s.stdev - 63.2587).abs() < 0.001, "{}", s.stdev);
        assert_eq!(shown(1234.5), "1,234.50");
        assert_eq!(shown(2400.0), "2,400");
        assert!(parse("just one column\n1\n").is_err());
    }
}
