//! CSV work in plain text: counting into a CSV, de-duplicating, combining, answering from one.
use super::text::has_word;
use super::{EvalTask, WORK, call, finish, write_all};
use crate::grade::{Graded, ensure};
use serde_json::json;
use std::path::Path;

pub fn tasks() -> Vec<EvalTask> {
    vec![
        EvalTask {
            name: "word-counts",
            covers: "counting, a CSV out",
            outcome: "Count the words in each text file and write counts.csv with columns file,words",
            folders: WORK,
            setup: counts_setup,
            grade: counts_grade,
            reference: counts_reference,
            answer: None,
            approve: true,
        },
        EvalTask {
            name: "dedupe-contacts",
            covers: "CSV clean-up into a new file",
            outcome: "Remove the duplicate rows from contacts.csv and save the result as contacts-clean.csv",
            folders: WORK,
            setup: contacts_setup,
            grade: contacts_grade,
            reference: contacts_reference,
            answer: None,
            approve: true,
        },
        EvalTask {
            name: "merge-months",
            covers: "combining CSV files",
            outcome: "Combine jan.csv and feb.csv into q1.csv with one header row",
            folders: WORK,
            setup: merge_setup,
            grade: merge_grade,
            reference: merge_reference,
            answer: None,
            approve: true,
        },
        EvalTask {
            name: "best-region",
            covers: "a question answered from a CSV",
            outcome: "Which region sold the most in sales.csv? Write the answer, with its total, to answer.md",
            folders: WORK,
            setup: region_setup,
            grade: region_grade,
            reference: region_reference,
            answer: None,
            approve: true,
        },
    ]
}

/// A CSV's non-blank lines, each split into fields with spaces and quotes trimmed.
fn csv_rows(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            l.split(',')
                .map(|f| f.trim().trim_matches('"').trim().to_string())
                .collect()
        })
        .collect()
}

const ESSAYS: &[(&str, &str)] = &[
    (
        "meeting-notes.txt",
        "The team agreed to move the launch to June.\nMarketing needs two more weeks for the campaign.\nEveryone will review the plan before Friday.\n",
    ),
    (
        "letter.txt",
        "Dear Mrs Olsen,\n\nThank you for your order of 12 March. The chairs will arrive on Tuesday\nbetween nine and noon. Please call us if that time does not suit you.\n\nKind regards,\nTom\n",
    ),
    ("shopping.txt", "milk\nbread\ncoffee beans\nolive oil\n"),
];

fn counts_setup(root: &Path) -> std::io::Result<()> {
    for (name, text) in ESSAYS {
        write_all(root, &[(&format!("work/{name}"), text.as_bytes())])?;
    }
    Ok(())
}

fn counts_grade(g: &Graded) -> Result<(), String> {
    let rows = csv_rows(&g.text("work/counts.csv")?);
    for (name, text) in ESSAYS {
        let stem = name.trim_end_matches(".txt");
        let row = rows
            .iter()
            .find(|r| {
                r.first().is_some_and(|f| {
                    let f = f.rsplit('/').next().unwrap_or(f);
                    f.eq_ignore_ascii_case(name) || f.eq_ignore_ascii_case(stem)
                })
            })
            .ok_or_else(|| format!("counts.csv has no row for {name}"))?;
        let want = text.split_whitespace().count();
        let got = row.get(1).map(String::as_str).unwrap_or_default();
        ensure(
            got.parse::<usize>() == Ok(want),
            format!("counts.csv says {name} has {got:?} words; it has {want}"),
        )?;
    }
    Ok(())
}

fn counts_reference() -> serde_json::Value {
    let mut csv = String::from("file,words\n");
    let mut turns = vec![call("list_files", json!({"path": ".", "glob": "*.txt"}))];
    for (name, text) in ESSAYS {
        turns.push(call("read_file", json!({"path": name})));
        csv.push_str(&format!("{name},{}\n", text.split_whitespace().count()));
    }
    turns.push(call(
        "write_file",
        json!({"path": "counts.csv", "content": csv}),
    ));
    turns.push(finish(
        "Counted the words in the 3 text files into counts.csv.",
        &["counts.csv"],
    ));
    json!(turns)
}

const CONTACTS: &str = "name,email
Maria Lopez,maria.lopez@example.com
Tom Becker,tom.becker@example.com
Aisha Khan,aisha.khan@example.com
Tom Becker,tom.becker@example.com
Lena Novak,lena.novak@example.com
Jonas Weber,jonas.weber@example.com
Maria Lopez,maria.lopez@example.com
";

fn contacts_setup(root: &Path) -> std::io::Result<()> {
    write_all(root, &[("work/contacts.csv", CONTACTS.as_bytes())])
}

fn contacts_grade(g: &Graded) -> Result<(), String> {
    ensure(
        g.bytes("work/contacts.csv")? == CONTACTS.as_bytes(),
        "contacts.csv itself was changed",
    )?;
    let original = csv_rows(CONTACTS);
    let clean = csv_rows(&g.text("work/contacts-clean.csv")?);
    ensure(
        clean.first() == original.first(),
        "contacts-clean.csv does not start with the header name,email",
    )?;
    let mut unique: Vec<&Vec<String>> = original.iter().skip(1).collect();
    unique.sort();
    unique.dedup();
    let mut rows: Vec<&Vec<String>> = clean.iter().skip(1).collect();
    rows.sort();
    ensure(
        rows == unique,
        format!(
            "contacts-clean.csv has {} rows; it should have the {} unique contacts, once each",
            rows.len(),
            unique.len()
        ),
    )
}

fn contacts_reference() -> serde_json::Value {
    json!([
        call("read_file", json!({"path": "contacts.csv"})),
        call(
            "write_file",
            json!({"path": "contacts-clean.csv", "content": "name,email\nMaria Lopez,maria.lopez@example.com\nTom Becker,tom.becker@example.com\nAisha Khan,aisha.khan@example.com\nLena Novak,lena.novak@example.com\nJonas Weber,jonas.weber@example.com\n"})
        ),
        finish(
            "Removed 2 duplicate rows; contacts-clean.csv has the 5 unique contacts.",
            &["contacts-clean.csv"]
        )
    ])
}

const JAN: &str = "date,item,amount
2026-01-05,printer paper,23.98
2026-01-12,train to Leeds,64.50
2026-01-19,team lunch,112.00
2026-01-28,software licence,49.00
";
const FEB: &str = "date,item,amount
2026-02-03,coffee beans,18.75
2026-02-14,taxi to airport,41.20
2026-02-25,conference ticket,350.00
";

fn merge_setup(root: &Path) -> std::io::Result<()> {
    write_all(
        root,
        &[
            ("work/jan.csv", JAN.as_bytes()),
            ("work/feb.csv", FEB.as_bytes()),
        ],
    )
}

fn merge_grade(g: &Graded) -> Result<(), String> {
    let rows = csv_rows(&g.text("work/q1.csv")?);
    let jan = csv_rows(JAN);
    let header = jan.first().ok_or("the fixture has no header")?;
    ensure(
        rows.first() == Some(header),
        "q1.csv does not start with the header date,item,amount",
    )?;
    let headers = rows.iter().filter(|r| *r == header).count();
    ensure(
        headers == 1,
        format!("q1.csv has the header {headers} times"),
    )?;
    let mut want: Vec<&Vec<String>> = jan.iter().skip(1).collect();
    let feb = csv_rows(FEB);
    want.extend(feb.iter().skip(1));
    want.sort();
    let mut got: Vec<&Vec<String>> = rows.iter().skip(1).collect();
    got.sort();
    ensure(
        got == want,
        format!(
            "q1.csv has {} rows; it should have the {} rows of jan.csv and feb.csv",
            got.len(),
            want.len()
        ),
    )
}

fn merge_reference() -> serde_json::Value {
    let feb_rows: String = FEB.lines().skip(1).map(|l| format!("{l}\n")).collect();
    json!([
        call("read_file", json!({"path": "jan.csv"})),
        call("read_file", json!({"path": "feb.csv"})),
        call(
            "write_file",
            json!({"path": "q1.csv", "content": format!("{JAN}{feb_rows}")})
        ),
        finish(
            "Combined jan.csv (4 rows) and feb.csv (3 rows) into q1.csv with one header.",
            &["q1.csv"]
        )
    ])
}

/// East sells the most: 4100 + 4650 + 4995 = 13745.
const SALES: &str = "region,month,amount
North,Jan,3200
South,Jan,2900
East,Jan,4100
West,Jan,3500
North,Feb,3350
South,Feb,3050
East,Feb,4650
West,Feb,3600
North,Mar,3100
South,Mar,2800
East,Mar,4995
West,Mar,3400
";

fn region_setup(root: &Path) -> std::io::Result<()> {
    write_all(root, &[("work/sales.csv", SALES.as_bytes())])
}

/// Every number in `text`, reading `13,745` and `13745.00` as 13745.
fn numbers(text: &str) -> Vec<f64> {
    let mut out = Vec::new();
    let mut run = String::new();
    for c in text.chars().chain([' ']) {
        if c.is_ascii_digit() || (!run.is_empty() && matches!(c, ',' | '.')) {
            run.push(c);
        } else if !run.is_empty() {
            let digits = run.trim_end_matches([',', '.']).replace(',', "");
            out.extend(digits.parse::<f64>().ok());
            run.clear();
        }
    }
    out
}

fn region_grade(g: &Graded) -> Result<(), String> {
    let text = g.text("work/answer.md")?;
    ensure(has_word(&text, "east"), "answer.md does not name East")?;
    ensure(
        numbers(&text).iter().any(|n| (n - 13745.0).abs() < 0.01),
        "answer.md does not give East's total, 13,745",
    )
}

fn region_reference() -> serde_json::Value {
    json!([
        call("read_file", json!({"path": "sales.csv"})),
        call(
            "write_file",
            json!({"path": "answer.md", "content": "East sold the most: 13,745 in total (Jan 4,100 + Feb 4,650 + Mar 4,995).\n\nThe others: West 10,500, North 9,650, South 8,750.\n"})
        ),
        finish(
            "East sold the most, 13,745 in total; see answer.md.",
            &["answer.md"]
        )
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_grouped_and_decimal_forms() {
        assert_eq!(numbers("East: 13,745."), vec![13745.0]);
        assert_eq!(numbers("$13745.00 and 12"), vec![13745.0, 12.0]);
    }
}
