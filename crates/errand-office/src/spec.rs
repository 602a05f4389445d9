//! The one JSON shape `create_spreadsheet` takes. Kept small and forgiving to write: a
//! sheet is columns plus rows of values, and a string starting with `=` is a formula.
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkbookSpec {
    pub sheets: Vec<SheetSpec>,
    /// Named ranges, e.g. {"name":"Total","range":"Summary!$B$8"}.
    #[serde(default)]
    pub names: Vec<NamedRange>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SheetSpec {
    pub name: String,
    /// The header row; each column's type formats its cells.
    #[serde(default)]
    pub columns: Vec<ColumnSpec>,
    /// Rows under the header: numbers, text, true/false, null, or "=FORMULA" (A1 refs;
    /// the header is row 1, so data starts at row 2).
    #[serde(default)]
    pub rows: Vec<Vec<Value>>,
    /// Make the data an Excel table (banded, with filters).
    #[serde(default)]
    pub table: bool,
    /// Filter buttons on the header (ignored with `table`).
    #[serde(default)]
    pub autofilter: bool,
    #[serde(default)]
    pub conditional: Vec<Conditional>,
    /// Drop-down lists: {"range":"C2:C100","list":["Travel","Meals"]}.
    #[serde(default)]
    pub validations: Vec<Validation>,
    #[serde(default)]
    pub charts: Vec<ChartSpec>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ColumnSpec {
    pub header: String,
    /// currency: 2 decimals with a sign; percent: 0.25 shows 25.0%; date: "YYYY-MM-DD".
    #[serde(default, rename = "type")]
    pub kind: ColumnKind,
    /// Characters; sized to the content when absent.
    pub width: Option<f64>,
    /// For currency columns: a symbol ("€", "£") or code ("EUR"); default "$".
    pub currency: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ColumnKind {
    #[default]
    Text,
    Number,
    Integer,
    Currency,
    Percent,
    Date,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NamedRange {
    pub name: String,
    pub range: String,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Conditional {
    GreaterThan { range: String, value: f64 },
    LessThan { range: String, value: f64 },
    Between { range: String, min: f64, max: f64 },
    DataBar { range: String },
    ColorScale { range: String },
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Validation {
    pub range: String,
    pub list: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ChartSpec {
    #[serde(rename = "type")]
    pub kind: ChartKind,
    pub title: Option<String>,
    /// Category labels (x axis), e.g. "Summary!A2:A6".
    pub categories: String,
    pub series: Vec<SeriesSpec>,
    /// Top-left cell of the chart, e.g. "E2".
    pub at: Option<String>,
    pub x_title: Option<String>,
    pub y_title: Option<String>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SeriesSpec {
    pub name: Option<String>,
    /// e.g. "Summary!B2:B6".
    pub values: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChartKind {
    Column,
    Bar,
    Line,
    Pie,
    Scatter,
}
