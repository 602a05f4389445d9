//! The offline office recipes end to end, from the CLI with no model: what a person gets
//! from a folder of receipts, checked cell by cell and by LibreOffice.
mod common;

use common::*;
use errand_testkit::office::{office_check, python, render_pages};

/// Makes a demo folder of `kind` and runs `outcome` on it offline, in auto mode.
fn run_recipe(env: &Env, kind: &str, outcome: &str) -> (std::path::PathBuf, std::process::Output) {
    let folder = env.dir(kind);
    let path = folder.to_str().expect("utf8");
    let made = env.run(&["demo-folder", "--kind", kind, path]);
    assert_eq!(code(&made), 0, "{}", text(&made));
    let out = env.run(&["--json", "run", outcome, "--mode", "auto", "--folder", path]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    (folder, out)
}

#[test]
fn offline_receipts_become_an_expense_report() {
    let env = Env::new();
    let (folder, out) = run_recipe(
        &env,
        "receipts",
        "turn these receipts into an expense report",
    );
    let shown = text(&out);
    assert!(
        shown.contains(
            "17 expenses totalling $2,511.98 in 7 categories, from 13 receipts (3 of them photos read with OCR)"
        ),
        "{shown}"
    );
    assert!(
        shown.contains("2 matched to a receipt and counted once"),
        "{shown}"
    );
    assert!(shown.contains("scribble.txt: no amount found"), "{shown}");
    // The dark, blurred photo is the only one not read, and says why.
    assert!(
        shown.contains("IMG_2041.jpg: photo: no total could be read"),
        "{shown}"
    );

    let file = folder.join("Expense report.xlsx");
    // 1 total on Expenses; 7 categories x (SUMIF, COUNTIF, share) and 3 totals on Summary.
    assert_eq!(
        office_check(&file),
        1 + 7 * 3 + 3,
        "LibreOffice agrees with every cached value"
    );

    let bytes = std::fs::read(&file).expect("xlsx");
    let cells = errand_office::read::extract("xlsx", &bytes)
        .expect("xlsx")
        .expect("readable");
    for line in [
        "2026-10-02,Blue Bottle Coffee,Meals,coffee-2026-10-02.txt,10.59",
        "2026-10-06,Uber,Travel,uber-oct-06.txt + bank/october-statement.csv line 2,33.45",
        "2026-10-18,Amtrak,Travel,amtrak-receipt.pdf,89",
        "2026-10-20,Marriott Marquis New York,Lodging,marriott-folio.pdf,561.05",
        "2026-10-16,\"Dell Technologies, Monitor\",Equipment,bank/october-statement.csv line 6,329.99",
        // The photographed receipts, with the amounts printed on them.
        "2026-10-05,Tartine Bakery,Meals,IMG_2043.jpg,21.18",
        "2026-10-13,Fedex Office,Office supplies,IMG_2047.jpg,72.74",
        "2026-10-19,Yellow CAB CO,Travel,IMG_2052.jpg,49.7",
        ",Total,,,2511.98",
        // (Sums as LibreOffice's floating point writes them.)
        "Travel,760.65",
        "Office supplies,203.4",
        "Lodging,885.65,2,",
        "Phone & internet,85,1,",
        "Total,2511.98",
        "IMG_2041.jpg,photo: no total could be read",
        "Highlighted on Expenses: over,250",
        "scribble.txt,\"no amount found: expected a line like \"\"Total 42.50\"\"\"",
    ] {
        assert!(cells.contains(line), "{line} in:\n{cells}");
    }

    // What a person sees in Excel: a filter, a drop-down of categories, large amounts
    // highlighted, a chart of the summary, a named grand total.
    let structure = python(
        "import sys, openpyxl\n\
         wb = openpyxl.load_workbook(sys.argv[1])\n\
         e, s = wb['Expenses'], wb['Summary']\n\
         print('filter', e.auto_filter.ref)\n\
         print('freeze', e.freeze_panes)\n\
         print('validation', [str(v.sqref) for v in e.data_validations.dataValidation])\n\
         print('rules', [(str(r.sqref), [x.operator for x in r.rules]) for r in e.conditional_formatting])\n\
         print('charts', len(s._charts))\n\
         print('names', list(wb.defined_names.keys()))\n\
         print('money', e['E2'].number_format)",
        &file,
    );
    for expected in [
        "filter A1:E18",
        "freeze A2",
        "validation ['C2:C18']",
        "rules [('E2:E18', ['greaterThan'])]",
        "charts 1",
        "names ['GrandTotal']",
        "money \"$\"#,##0.00",
    ] {
        assert!(structure.contains(expected), "{expected} in:\n{structure}");
    }

    let undo = env.run(&["undo", &task_id(&out)]);
    assert_eq!(code(&undo), 0, "{}", text(&undo));
    assert!(!file.exists(), "undo removes the report");
}

/// Without Tesseract the photos go to "Needs review" with the line that installs it, and
/// the report is still written from everything else.
#[test]
fn without_tesseract_the_receipt_photos_wait_for_review() {
    let env = Env::new();
    let folder = env.dir("receipts");
    let path = folder.to_str().expect("utf8");
    let made = env.run(&["demo-folder", "--kind", "receipts", path]);
    assert_eq!(code(&made), 0, "{}", text(&made));
    let out = env
        .cmd()
        .env("PATH", "/nonexistent")
        .args([
            "--json",
            "run",
            "turn these receipts into an expense report",
        ])
        .args(["--mode", "auto", "--folder", path])
        .output()
        .expect("run");
    assert_eq!(code(&out), 0, "{}", text(&out));
    let shown = text(&out);
    assert!(
        shown.contains("14 expenses totalling $2,368.36 in 7 categories, from 10 receipts and"),
        "{shown}"
    );
    for photo in [
        "IMG_2041.jpg",
        "IMG_2043.jpg",
        "IMG_2047.jpg",
        "IMG_2052.jpg",
    ] {
        assert!(
            shown.contains(&format!(
                "{photo}: photo: Tesseract, which reads text in pictures, is not installed: `sudo apt install tesseract-ocr tesseract-ocr-eng`"
            )),
            "{photo} in:\n{shown}"
        );
    }
    assert!(folder.join("Expense report.xlsx").exists());
}

#[test]
fn offline_notes_become_a_deck() {
    let env = Env::new();
    let (folder, _) = run_recipe(&env, "notes", "make a deck from these notes");
    let deck = folder.join("Notes.pptx");
    let slides = python(
        "import sys, pptx\n\
         p = pptx.Presentation(sys.argv[1])\n\
         for s in p.slides:\n    \
             body = [sh.text_frame.text.replace('\\n', '/') for sh in s.placeholders if sh.placeholder_format.idx != 0 and sh.has_text_frame]\n    \
             tables = [len(sh.table.rows) for sh in s.shapes if sh.has_table]\n    \
             print(s.slide_layout.name, '|', s.shapes.title.text, '|', body, tables)",
        &deck,
    );
    let lines: Vec<&str> = slides.lines().collect();
    assert_eq!(lines.len(), 11, "{slides}");
    assert_eq!(render_pages(&deck, &env.work.path().join("deck-png")), 11);
    for expected in [
        "| Notes | ['3 notes']",
        "| Website relaunch kickoff | []",
        "Title and Content | Decisions | ['Keep the current CMS and replace the theme/Move the shop to the new payment provider/Launch in English and French first', '4']",
        "Title Only | Owners | ['5'] [4]",
        "Title and Content | Next steps | ['Simplify the pricing page/Compress every photo/Run a second test on Nov 2', '9']",
        "Section Header | Risks | [] []",
        "Title and Content | Risks | [\"Payments migration could slip if the provider's sandbox stays unstable./Translation costs may exceed the estimate by 20%./Ana is on leave the week of Nov 23.\", '11']",
    ] {
        assert!(slides.contains(expected), "{expected} in:\n{slides}");
    }
}

/// A CSV becomes a workbook whose statistics and cross-tab are formulas LibreOffice agrees
/// with, and a one-page PDF stating the same numbers.
#[test]
fn offline_csv_becomes_a_workbook_and_a_one_page_pdf() {
    let env = Env::new();
    let (folder, out) = run_recipe(&env, "sales", "make a report from orders-2026.csv");
    let shown = text(&out);
    assert!(
        shown.contains("Revenue totals 157,185 (mean 523.95). 6 outliers"),
        "{shown}"
    );

    let xlsx = folder.join("orders-2026 report.xlsx");
    // Summary: 7 statistics x 2 numeric columns; Crosstab: 4 regions x (3 products +
    // total) and a total row of 4.
    assert_eq!(office_check(&xlsx), 7 * 2 + 4 * 4 + 4);
    let cells = errand_office::read::extract("xlsx", &std::fs::read(&xlsx).expect("xlsx"))
        .expect("xlsx")
        .expect("readable");
    for line in [
        "## Sheet: Data (301 rows x 6 columns)",
        "Sum,1745,157185",
        "Median,5,392",
        "East,6125,12282,17135,35542",
        "Total,31066,58473,67646,157185",
        "268,10267,revenue,9612,12.4",
    ] {
        assert!(cells.contains(line), "{line} in:\n{cells}");
    }

    let pdf = folder.join("orders-2026 report.pdf");
    let read = python(
        "import sys, pypdf\nr = pypdf.PdfReader(sys.argv[1])\nprint(len(r.pages))\nprint(r.pages[0].extract_text())",
        &pdf,
    );
    assert!(read.starts_with("1\n"), "one page:\n{read}");
    assert_eq!(render_pages(&pdf, &env.work.path().join("pdf-png")), 1);
    for expected in [
        "Report: orders-2026.csv",
        "300 rows",
        "157,185",
        "735.47",
        "Revenue by region and product",
        "Row 268 (order_id 10267): revenue 9,612, 12.4 standard deviations above the mean",
        "and 2 more on the Outliers sheet",
    ] {
        assert!(read.contains(expected), "{expected} in:\n{read}");
    }
}
