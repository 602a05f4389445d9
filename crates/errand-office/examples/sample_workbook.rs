//! Writes a sample expense workbook from a JSON spec file, to render and look at:
//! `cargo run -p errand-office --example sample_workbook -- spec.json out.xlsx`
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, spec, out] = args.as_slice() else {
        return Err("usage: sample_workbook SPEC.json OUT.xlsx".into());
    };
    let spec: errand_office::WorkbookSpec = serde_json::from_str(&std::fs::read_to_string(spec)?)?;
    let written = errand_office::build(spec)?;
    std::fs::write(out, written.bytes)?;
    for sample in written.samples {
        println!("{sample}");
    }
    Ok(())
}
