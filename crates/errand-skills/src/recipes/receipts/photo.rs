//! Receipts read from photos: the text Tesseract read (through `read_file`), its usual
//! misreadings undone, and a total taken only when the receipt's own arithmetic or labels
//! vouch for it. A wrong amount in a report is worse than a line on "Needs review", so
//! anything doubtful goes there with the reason.
use super::parse::{
    Cents, Expense, amounts, categorize, currency_in, date_in, is_boilerplate, receipt_date,
    tidy_name,
};

/// What `read_file` said about a picture: the text Tesseract read in it, or why there is
/// none (the reason as the person will see it on "Needs review").
pub(super) fn ocr_text(content: &str) -> Result<&str, String> {
    let (first, rest) = content.split_once('\n').unwrap_or((content, ""));
    if first.contains("Tesseract read in it") {
        return Ok(rest);
    }
    if first.contains("Tesseract found no text") {
        return Err("photo: Tesseract found no text in it".into());
    }
    if let Some((_, why)) = first.split_once("its text could not be read: ") {
        return Err(format!("photo: {why}"));
    }
    Err("photo: its text could not be read offline (read_file gave no OCR text)".into())
}

/// Undoes what Tesseract typically does to money: `$1O.59` → `$10.59`, `S21.18` →
/// `$21.18`, `21. 18` → `21.18`. Only tokens that are money once fixed are changed, so
/// words keep their letters.
pub fn clean_line(line: &str) -> String {
    // A decimal point with a space on either side: "21. 18", "21 .18".
    let chars: Vec<char> = line.chars().collect();
    let mut joined = String::with_capacity(line.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == ' '
            && i > 0
            && chars[i - 1].is_ascii_digit()
            && matches!(chars.get(i + 1), Some('.' | ','))
        {
            i += 1;
            continue;
        }
        joined.push(c);
        if matches!(c, '.' | ',')
            && i > 0
            && chars[i - 1].is_ascii_digit()
            && chars.get(i + 1) == Some(&' ')
            && chars.get(i + 2).is_some_and(char::is_ascii_digit)
            && chars.get(i + 3).is_some_and(char::is_ascii_digit)
            && !chars.get(i + 4).is_some_and(char::is_ascii_digit)
        {
            i += 2;
            continue;
        }
        i += 1;
    }
    joined
        .split(' ')
        .map(clean_token)
        .collect::<Vec<_>>()
        .join(" ")
}

fn clean_token(token: &str) -> String {
    // What follows the money is OCR specks (a bracket or quote from the paper's edge).
    let (body, _specks) = match token.find([')', ';', '\'', '"']) {
        Some(at) if at > 0 => token.split_at(at),
        _ => (token, ""),
    };
    let (sign, digits) = match body.chars().next() {
        Some(c @ ('$' | 'S' | '§' | 's')) if body.len() > 1 => ("$", &body[c.len_utf8()..]),
        _ => ("", body),
    };
    let fixed: String = digits
        .chars()
        .map(|c| match c {
            'O' | 'o' | 'D' | 'Q' => '0',
            'l' | 'I' | '|' | '!' | 'i' => '1',
            'S' | 's' => '5',
            'B' => '8',
            'Z' => '2',
            other => other,
        })
        .collect();
    let separators = fixed.chars().filter(|c| matches!(c, '.' | ',')).count();
    let real_digits = digits.chars().filter(char::is_ascii_digit).count();
    let money_shaped = fixed
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | ','))
        && separators >= 1
        && real_digits >= 2
        && fixed
            .rsplit_once(['.', ','])
            .is_some_and(|(whole, cents)| cents.len() == 2 && !whole.is_empty());
    // "S" alone before digits is a dollar sign only when what follows is money.
    if money_shaped && (fixed != digits || !sign.is_empty()) {
        format!("{sign}{fixed}")
    } else {
        token.to_string()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Label {
    Total,
    Subtotal,
    Tax,
    /// Card, cash, change: money that is not a purchase line.
    Payment,
    Other,
}

/// Edits between two short words (Levenshtein).
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let here = row[j + 1];
            row[j + 1] = (previous + usize::from(ca != *cb))
                .min(row[j] + 1)
                .min(row[j + 1] + 1);
            previous = here;
        }
    }
    row[b.len()]
}

/// What a line is about, from its words as OCR spelled them ("T0TAL", "TOTAI", "Sbtotal").
fn label(line: &str) -> Label {
    let words: Vec<String> = line
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().any(char::is_alphabetic))
        .map(|w| {
            w.to_lowercase()
                .chars()
                .map(|c| match c {
                    '0' => 'o',
                    '1' => 'l',
                    c => c,
                })
                .collect()
        })
        .collect();
    let has = |w: &str| words.iter().any(|x| x == w);
    if words
        .iter()
        .any(|w| w.len() > 6 && (w.ends_with("total") || w.ends_with("tota")))
        || has("sub")
    {
        return Label::Subtotal;
    }
    if words
        .iter()
        .any(|w| (4..=6).contains(&w.len()) && distance(w, "total") <= 1)
        || (has("due") && (has("amount") || has("balance")))
        || (has("amount") && has("paid"))
    {
        return Label::Total;
    }
    if words
        .iter()
        .any(|w| w.contains("tax") || w == "vat" || w == "gst" || w == "hst")
    {
        return Label::Tax;
    }
    if words.iter().any(|w| {
        [
            "visa",
            "mastercard",
            "amex",
            "cash",
            "change",
            "card",
            "debit",
        ]
        .contains(&w.as_str())
    }) {
        return Label::Payment;
    }
    Label::Other
}

/// The items add up to the subtotal, and the tax line, though OCR mangled its amount past
/// reading ("L32"), shows exactly the digits of total minus subtotal (a small tax): the
/// total is vouched for all the same.
fn tax_read_as_specks(
    lines: &[String],
    labelled: &[(Label, Option<Cents>)],
    items: Cents,
    total: Cents,
) -> bool {
    let subtotal = labelled
        .iter()
        .find_map(|(l, a)| (*l == Label::Subtotal).then_some(*a).flatten());
    let Some(subtotal) = subtotal.filter(|s| *s == items && *s > 0) else {
        return false;
    };
    let tax = total - subtotal;
    if tax <= 0 || tax * 5 > subtotal {
        return false;
    }
    let wanted = tax.to_string();
    lines.iter().zip(labelled).any(|(line, (l, a))| {
        *l == Label::Tax
            && a.is_none()
            && line.split_whitespace().last().is_some_and(|word| {
                let digits: String = word
                    .chars()
                    .filter_map(|c| match c {
                        'l' | 'I' | 'L' | '|' | '!' => Some('1'),
                        'O' | 'o' => Some('0'),
                        c if c.is_ascii_digit() => Some(c),
                        _ => None,
                    })
                    .collect();
                digits == wanted
            })
    })
}

/// A line that is nothing but an amount: Tesseract's amount column when it reads the
/// labels and the prices as two blocks.
fn only_amount(line: &str) -> Option<Cents> {
    let rest = line
        .trim()
        .trim_start_matches(['$', '€', '£'])
        .trim_end_matches([')', '.', ',', ';']);
    let found = amounts(line);
    (found.len() == 1
        && rest
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | ' ')))
    .then(|| found[0])
}

/// The total, and why it can be trusted; or why not.
fn total(lines: &[String]) -> Result<Cents, String> {
    let labelled: Vec<(Label, Option<Cents>)> = lines
        .iter()
        .map(|l| (label(l), amounts(l).last().copied().filter(|a| *a > 0)))
        .collect();
    let totals: Vec<(usize, Cents)> = labelled
        .iter()
        .enumerate()
        .filter_map(|(i, (l, a))| (*l == Label::Total).then_some((i, (*a)?)))
        .collect();
    let mut distinct: Vec<Cents> = totals.iter().map(|(_, a)| *a).collect();
    distinct.sort();
    distinct.dedup();
    match distinct[..] {
        [] => {}
        [amount] => {
            let at = totals.iter().map(|(i, _)| *i).max().unwrap_or(0);
            let find = |wanted: Label| {
                labelled
                    .iter()
                    .find_map(|(l, a)| (*l == wanted).then_some(*a).flatten())
            };
            let items: Vec<Cents> = labelled[..at]
                .iter()
                .filter(|(l, _)| *l == Label::Other)
                .filter_map(|(_, a)| *a)
                .collect();
            let sum: Cents = items.iter().sum();
            let tax = find(Label::Tax).unwrap_or(0);
            let others = labelled
                .iter()
                .filter(|(l, a)| *l != Label::Total && a.is_some())
                .count();
            let vouched = find(Label::Subtotal).is_some_and(|s| s + tax == amount)
                || (!items.is_empty() && (sum == amount || sum + tax == amount))
                || labelled
                    .iter()
                    .any(|(l, a)| *l == Label::Payment && *a == Some(amount))
                || others == 0
                || tax_read_as_specks(lines, &labelled, sum, amount);
            return if vouched {
                Ok(amount)
            } else {
                Err(format!(
                    "photo: the total read ({}.{:02}) does not add up with the amounts above it",
                    amount / 100,
                    amount % 100
                ))
            };
        }
        _ => {
            let read: Vec<String> = distinct
                .iter()
                .map(|a| format!("{}.{:02}", a / 100, a % 100))
                .collect();
            return Err(format!(
                "photo: totals that disagree were read ({})",
                read.join(", ")
            ));
        }
    }
    // Labels and prices read as two blocks: the column of amounts, trusted only where it
    // adds up to its largest: the items before it, or (under a total label) the subtotal
    // and tax just before it.
    let column: Vec<Cents> = lines.iter().filter_map(|l| only_amount(l)).collect();
    let largest = column.iter().copied().max().unwrap_or(0);
    let labelled_total = labelled.iter().any(|(l, _)| *l == Label::Total);
    let checked = (2..column.len()).rev().find(|&k| {
        let before: Cents = column[..k].iter().sum();
        let with_tax = labelled_total && column[k] == column[k - 1] + column[k - 2];
        column[k] == largest && (before == column[k] || with_tax)
    });
    checked
        .map(|k| column[k])
        .ok_or_else(|| "photo: no total could be read".to_string())
}

/// One photographed receipt's expense from the text Tesseract read, or why it cannot be
/// used.
pub fn receipt(source: &str, text: &str) -> Result<Expense, String> {
    let lines: Vec<String> = text
        .lines()
        .map(|l| clean_line(l.trim()))
        .filter(|l| !l.trim().is_empty())
        .collect();
    if lines.is_empty() {
        return Err("photo: Tesseract found no text in it".into());
    }
    let amount = total(&lines)?;
    let joined = lines.join("\n");
    let currency = currency_in(&joined);
    let us = currency.as_deref() != Some("€") && currency.as_deref() != Some("£");
    let date = receipt_date(&lines, us);
    // The shop's name: the first line that reads as words, not OCR specks.
    let vendor = lines
        .iter()
        .find(|l| {
            let letters = l.chars().filter(|c| c.is_alphabetic()).count();
            letters >= 3
                && letters * 2 >= l.chars().filter(|c| !c.is_whitespace()).count()
                && !is_boilerplate(l)
                && amounts(l).is_empty()
                && date_in(l, us).is_none()
        })
        .map(|l| tidy_name(l))
        .unwrap_or_else(|| source.to_string());
    Ok(Expense {
        date,
        category: categorize(&joined),
        vendor,
        amount,
        currency,
        source: source.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn misread_money_is_put_right() {
        assert_eq!(clean_line("TOTAL $1O.59"), "TOTAL $10.59");
        assert_eq!(clean_line("TOTAL S21.18"), "TOTAL $21.18");
        assert_eq!(clean_line("Quiche 9. 50"), "Quiche 9.50");
        assert_eq!(clean_line("Quiche 9 .50"), "Quiche 9.50");
        assert_eq!(clean_line("Tip 7,0O"), "Tip 7,00");
        assert_eq!(clean_line("Foam board l2.99)"), "Foam board 12.99");
        // Words and times stay as they are.
        assert_eq!(clean_line("Sales tax"), "Sales tax");
        assert_eq!(
            clean_line("Date: 10/05/2026 08:41"),
            "Date: 10/05/2026 08:41"
        );
        assert_eq!(clean_line("Cappuccino B25)"), "Cappuccino B25)");
    }

    #[test]
    fn labels_survive_ocr_spelling() {
        assert_eq!(label("TOTAL $21.18"), Label::Total);
        assert_eq!(label("T0TAL 21.18"), Label::Total);
        assert_eq!(label("TOTAI"), Label::Total);
        assert_eq!(label("Tota! 5.00"), Label::Total);
        assert_eq!(label("Sbtotal 19.50"), Label::Subtotal);
        assert_eq!(label("Sub total 19.50"), Label::Subtotal);
        assert_eq!(label("Sales tax 1.68"), Label::Tax);
        assert_eq!(label("VISA ****4411"), Label::Payment);
        assert_eq!(label("Morning bun 4.75"), Label::Other);
    }

    const LINES: &str = "TARTINE BAKERY\n600 Guerrero St\nDate: 10/05/2026 08:41\n";

    #[test]
    fn a_total_on_its_line_is_taken_when_the_receipt_adds_up() {
        let text = format!(
            "{LINES}Morning bun 4.75\nCappuccino O25\nQuiche 9. 50\nSubtotal 19.50\nSales tax 1.68\nT0TAL S21.18\nVISA ****4411"
        );
        let e = receipt("IMG_1.jpg", &text).expect("read");
        assert_eq!(e.amount, 2118);
        assert_eq!(e.vendor, "Tartine Bakery");
        assert_eq!(e.date, chrono::NaiveDate::from_ymd_opt(2026, 10, 5));
        assert_eq!(e.category, "Meals");
        assert_eq!(e.currency.as_deref(), Some("$"));
        // Items alone vouch for it when no subtotal was read.
        let taxi = "YELLOW CAB CO\nFare 38.20\nTolls 4.50\nTip 7.00\nTOTAL $49.70";
        assert_eq!(receipt("cab.jpg", taxi).expect("read").amount, 4970);
    }

    #[test]
    fn a_total_that_does_not_add_up_or_disagrees_is_for_review() {
        let misread = format!("{LINES}Subtotal 19.50\nSales tax 1.68\nTOTAL $27.18");
        // A tax OCR mangled ("L32") still vouches when its digits are total minus subtotal.
        let specks = format!(
            "{LINES}Trail mix 8.67\nApples 6.46\nBananas 1.98\nSubtotal 17.11\nSales tax L32\nTOTAL $18.43"
        );
        assert_eq!(receipt("s.jpg", &specks).expect("read").amount, 1843);
        let off = specks.replace("L32", "L35");
        assert!(receipt("s.jpg", &off).is_err());
        let why = receipt("a.jpg", &misread).expect_err("does not add up");
        assert!(
            why.contains("27.18") && why.contains("does not add up"),
            "{why}"
        );
        let two = format!("{LINES}TOTAL 21.18\nTOTAL 21.10");
        let why = receipt("b.jpg", &two).expect_err("disagree");
        assert!(why.contains("21.10, 21.18"), "{why}");
        let none = format!("{LINES}Morning bun\nSubtotal\nTOTAL\nVISA ****4411");
        assert_eq!(
            receipt("c.jpg", &none).expect_err("no total"),
            "photo: no total could be read"
        );
    }

    #[test]
    fn an_amount_column_read_apart_from_its_labels_counts_when_it_adds_up() {
        let text = format!(
            "{LINES}Morning bun\nCappuccino\nQuiche\nSubtotal\nSales tax\nTOTAL\n4.75\nB25)\n9.50\n19.50\n1.68\n$21.18"
        );
        assert_eq!(receipt("a.jpg", &text).expect("read").amount, 2118);
        let taxi = "YELLOW CAB CO\nVISA ****4411\n38.20\n4.50\n7.00\n$49.70";
        assert_eq!(receipt("b.jpg", taxi).expect("read").amount, 4970);
        // A column that does not add up is not guessed at.
        let off = format!("{LINES}Subtotal\nTax\nTOTAL\n19.50\n1.68\n$21.16");
        assert!(receipt("c.jpg", &off).is_err());
    }

    #[test]
    fn what_read_file_said_becomes_the_text_or_the_reason() {
        let read = "`IMG_1.jpg` is a picture (JPEG, 960×1280). This model does not read images; this is the text Tesseract read in it (it may misread some characters):\nTOTAL 1.00";
        assert_eq!(ocr_text(read), Ok("TOTAL 1.00"));
        let none = "`IMG_1.jpg` is a picture (JPEG, 960×1280). This model does not read images, and Tesseract found no text in it.";
        assert_eq!(
            ocr_text(none),
            Err("photo: Tesseract found no text in it".into())
        );
        let missing = "`IMG_1.jpg` is a picture (JPEG). This model does not read images, and its text could not be read: Tesseract, which reads text in pictures, is not installed: `sudo apt install tesseract-ocr tesseract-ocr-eng` (Debian, Ubuntu) adds it";
        let why = ocr_text(missing).expect_err("missing");
        assert!(why.starts_with("photo: Tesseract, which reads text in pictures, is not installed: `sudo apt install tesseract-ocr"), "{why}");
    }
}
