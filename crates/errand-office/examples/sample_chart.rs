//! Draws a chart from a JSON spec file as SVG or PNG (by the output's extension), to look at:
//! `cargo run -p errand-office --example sample_chart -- chart.json out.png`
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, spec, out] = args.as_slice() else {
        return Err("usage: sample_chart CHART.json OUT.svg|OUT.png".into());
    };
    let chart: errand_office::chart::Chart = serde_json::from_str(&std::fs::read_to_string(spec)?)?;
    if out.ends_with(".png") {
        std::fs::write(out, errand_office::chart::png(&chart)?.bytes)?;
    } else {
        std::fs::write(out, errand_office::chart::svg(&chart)?)?;
    }
    Ok(())
}
