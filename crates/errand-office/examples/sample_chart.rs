//! Draws a chart from a JSON spec file as SVG, to look at:
//! `cargo run -p errand-office --example sample_chart -- chart.json out.svg`
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, spec, out] = args.as_slice() else {
        return Err("usage: sample_chart CHART.json OUT.svg".into());
    };
    let chart: errand_office::chart::Chart = serde_json::from_str(&std::fs::read_to_string(spec)?)?;
    std::fs::write(out, errand_office::chart::svg(&chart)?)?;
    Ok(())
}
