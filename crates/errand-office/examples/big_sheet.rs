//! Writes an N-row × 10-column sheet (9 numbers and a SUM formula per row) the way
//! `create_spreadsheet` does — formulas computed, then written with cached results — and
//! prints the seconds it took. `bench/spreadsheet.sh` runs it beside openpyxl.
use serde_json::{Value, json};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rows: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100_000);
    let out = std::env::args().nth(2).unwrap_or_else(|| "big.xlsx".into());
    let start = std::time::Instant::now();
    // General numbers, as openpyxl writes them in bench/openpyxl_big.py: the same cells.
    let mut columns: Vec<Value> = (1..=9)
        .map(|i| json!({"header": format!("v{i}")}))
        .collect();
    columns.push(json!({"header": "total"}));
    let data: Vec<Value> = (0..rows)
        .map(|r| {
            // Sized exactly, as a parsed JSON array would be; the data is the caller's.
            let mut row: Vec<Value> = Vec::with_capacity(10);
            row.extend((0..9).map(|c| json!((r * 9 + c) as f64 * 0.5)));
            row.push(json!(format!("=SUM(A{n}:I{n})", n = r + 2)));
            Value::Array(row)
        })
        .collect();
    let spec: errand_office::WorkbookSpec = serde_json::from_value(json!({
        "sheets": [{"name": "Data", "columns": columns, "rows": data}]
    }))?;
    let written = errand_office::build(spec)?;
    std::fs::write(&out, &written.bytes)?;
    println!(
        "errand: {rows} rows x 10 columns, {} formulas computed, {:.2} s",
        written.formulas,
        start.elapsed().as_secs_f64()
    );
    Ok(())
}
