//! Checks office files from outside, as a person's software would: LibreOffice recalculates
//! every formula (ignoring cached values) through `../shared/office-check/recalc`.
use calamine::{Data, Reader, Xlsx, open_workbook};
use std::path::Path;

fn recalc_script() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/office-check/recalc")
}

/// Runs LibreOffice's forced recalculation on `file` and compares every cell it computes
/// with what the file caches; openpyxl must open the file too. Returns how many formula
/// cells were compared.
pub fn office_check(file: &Path) -> usize {
    let out = tempfile::tempdir().expect("out");
    let status = std::process::Command::new(recalc_script())
        .arg(file)
        .arg(out.path())
        .status()
        .expect("run ../shared/office-check/recalc (needs LibreOffice: apt-get install libreoffice-calc)");
    assert_eq!(
        status.code(),
        Some(0),
        "LibreOffice found error values or failed"
    );
    // openpyxl, which many people's scripts use, must open it too.
    let opened = std::process::Command::new("python3")
        .args([
            "-c",
            "import sys, openpyxl; wb = openpyxl.load_workbook(sys.argv[1]); print(len(wb.sheetnames))",
        ])
        .arg(file)
        .output()
        .expect("python3 (pip install openpyxl)");
    assert!(
        opened.status.success(),
        "openpyxl cannot open {}: {}",
        file.display(),
        String::from_utf8_lossy(&opened.stderr)
    );
    let mut workbook: Xlsx<_> = open_workbook(file).expect("calamine opens it");
    let base = file
        .file_stem()
        .expect("stem")
        .to_string_lossy()
        .into_owned();
    let mut compared = 0;
    for sheet in workbook.sheet_names().to_vec() {
        let cached = workbook.worksheet_range(&sheet).expect("range");
        let formulas = workbook.worksheet_formula(&sheet).expect("formulas");
        let csv_path = out.path().join(format!("{base}-{sheet}.csv"));
        let csv_path = if csv_path.exists() {
            csv_path
        } else {
            out.path().join(format!("{base}.csv"))
        };
        let text = std::fs::read_to_string(&csv_path).expect("csv");
        let rows: Vec<Vec<String>> = text.lines().map(parse_csv_line).collect();
        let (r0, c0) = formulas.start().unwrap_or((0, 0));
        for (r, row) in formulas.rows().enumerate() {
            for (c, formula) in row.iter().enumerate() {
                if formula.is_empty() {
                    continue;
                }
                let (abs_r, abs_c) = (r0 as usize + r, c0 as usize + c);
                let mine = cached
                    .get_value((abs_r as u32, abs_c as u32))
                    .cloned()
                    .unwrap_or(Data::Empty);
                let theirs = rows
                    .get(abs_r)
                    .and_then(|row| row.get(abs_c))
                    .cloned()
                    .unwrap_or_default();
                let same = match &mine {
                    Data::Float(x) => {
                        number(&theirs).is_some_and(|y| (x - y).abs() <= 1e-9 * x.abs().max(1.0))
                    }
                    Data::Int(x) => number(&theirs).is_some_and(|y| (*x as f64 - y).abs() < 1e-9),
                    Data::String(s) => s == &theirs,
                    Data::Bool(b) => theirs.eq_ignore_ascii_case(if *b { "true" } else { "false" }),
                    other => panic!("{sheet} R{}C{}: cached {other:?}", abs_r + 1, abs_c + 1),
                };
                assert!(
                    same,
                    "{sheet} R{}C{} `{formula}`: Errand cached {mine:?}, LibreOffice computes {theirs:?}",
                    abs_r + 1,
                    abs_c + 1
                );
                compared += 1;
            }
        }
    }
    compared
}

/// A CSV value as a number: LibreOffice keeps a percent sign, currency and separators.
fn number(text: &str) -> Option<f64> {
    let t = text.trim();
    let (t, scale) = match t.strip_suffix('%') {
        Some(rest) => (rest, 0.01),
        None => (t, 1.0),
    };
    let cleaned: String = t
        .chars()
        .filter(|c| !matches!(c, '$' | '€' | '£' | '¥' | ',' | ' '))
        .collect();
    cleaned.parse::<f64>().ok().map(|n| n * scale)
}

fn parse_csv_line(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(ch) = chars.next() {
        match (ch, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => out.push(std::mem::take(&mut field)),
            _ => field.push(ch),
        }
    }
    out.push(field);
    out
}

/// Converts `file` with LibreOffice (PDFs go straight to poppler) through
/// `../shared/office-check/render` and returns how many PNG pages came out in `out`.
pub fn render_pages(file: &Path, out: &Path) -> usize {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/office-check/render");
    let render = std::process::Command::new(script)
        .arg(file)
        .arg(out)
        .output()
        .expect("render (needs LibreOffice and poppler-utils)");
    assert!(
        render.status.success(),
        "render {}: {}",
        file.display(),
        String::from_utf8_lossy(&render.stderr)
    );
    std::fs::read_dir(out)
        .expect("rendered pages")
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "png"))
        .count()
}

/// Runs a Python snippet with `file` as `sys.argv[1]` (python-docx, python-pptx, openpyxl
/// and pypdf are what people's scripts use; CI installs them) and returns its output.
pub fn python(code: &str, file: &Path) -> String {
    let out = std::process::Command::new("python3")
        .args(["-c", code])
        .arg(file)
        .output()
        .expect("python3 (pip install python-docx python-pptx openpyxl pypdf)");
    assert!(
        out.status.success(),
        "python on {}: {}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}
