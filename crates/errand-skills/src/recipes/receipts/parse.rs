//! Reading expenses out of receipts (text or PDF text) and bank exports (CSV), without a
//! model: the total, the date, the vendor and a category from plain rules a person can check.
use chrono::NaiveDate;

/// Money as integer cents, so sums and matches are exact.
pub type Cents = i64;

#[derive(Debug, Clone, PartialEq)]
pub struct Expense {
    pub date: Option<NaiveDate>,
    pub vendor: String,
    pub category: &'static str,
    pub amount: Cents,
    /// "$", "€", "£" or a code; `None` when the receipt does not say.
    pub currency: Option<String>,
    /// The file it came from, and for bank rows the line.
    pub source: String,
}

/// Categories in the order the summary lists them; the last catches the rest.
pub const CATEGORIES: [&str; 8] = [
    "Travel",
    "Lodging",
    "Meals",
    "Software",
    "Office supplies",
    "Equipment",
    "Phone & internet",
    "Other",
];

const KEYWORDS: [(&str, &[&str]); 7] = [
    (
        "Lodging",
        &[
            "hotel",
            "motel",
            "inn ",
            "airbnb",
            "lodging",
            "suites",
            "hostel",
            "marriott",
            "hilton",
            "hyatt",
            "ibis",
            "novotel",
            "room night",
            "nights",
        ],
    ),
    (
        "Travel",
        &[
            "airline",
            "airways",
            "air lines",
            "flight",
            "boarding",
            "rail",
            "train",
            "sncf",
            "amtrak",
            "eurostar",
            "uber",
            "lyft",
            "taxi",
            "cab ",
            "parking",
            "fuel",
            "petrol",
            "gas station",
            "toll",
            "car rental",
            "hertz",
            "avis",
            "metro",
            "transit",
            "bus ",
        ],
    ),
    (
        "Meals",
        &[
            "restaurant",
            "cafe",
            "café",
            "coffee",
            "bistro",
            "pizza",
            "lunch",
            "dinner",
            "breakfast",
            "brasserie",
            "grill",
            "kitchen",
            "deli",
            "bakery",
            "starbucks",
            "bar ",
            "tavern",
            "sushi",
            "burger",
            "catering",
            "gratuity",
            "tip",
        ],
    ),
    (
        "Software",
        &[
            "software",
            "subscription",
            "saas",
            "licence",
            "license",
            "github",
            "adobe",
            "microsoft 365",
            "google workspace",
            "slack",
            "zoom",
            "aws",
            "cloud",
            "hosting",
            "domain",
            "atlassian",
            "notion",
            "dropbox",
        ],
    ),
    (
        "Office supplies",
        &[
            "office",
            "staples",
            "paper",
            "printer",
            "toner",
            "ink",
            "supplies",
            "stationery",
            "envelopes",
            "postage",
            "shipping",
            "courier",
        ],
    ),
    (
        "Equipment",
        &[
            "laptop",
            "monitor",
            "computer",
            "electronics",
            "keyboard",
            "headset",
            "webcam",
            "apple store",
            "best buy",
            "hardware",
            "desk",
            "chair",
        ],
    ),
    (
        "Phone & internet",
        &[
            "mobile",
            "phone",
            "internet",
            "telecom",
            "broadband",
            "verizon",
            "vodafone",
            "orange",
            "t-mobile",
            "at&t",
            "sim ",
        ],
    ),
];

/// The category whose words appear most in the text; ties go to the earlier category.
pub fn categorize(text: &str) -> &'static str {
    let lower = format!(" {} ", text.to_lowercase().replace(['\n', '\t'], " "));
    let mut best = ("Other", 0usize);
    for (category, words) in KEYWORDS {
        let hits = words.iter().filter(|w| lower.contains(*w)).count();
        if hits > best.1 {
            best = (category, hits);
        }
    }
    best.0
}

const SYMBOLS: [(&str, &str); 6] = [
    ("$", "$"),
    ("€", "€"),
    ("£", "£"),
    ("usd", "$"),
    ("eur", "€"),
    ("gbp", "£"),
];

pub(super) fn currency_in(text: &str) -> Option<String> {
    let lower = text.to_lowercase();
    SYMBOLS
        .iter()
        .find(|(token, _)| {
            if token.len() == 3 {
                lower
                    .split(|c: char| !c.is_ascii_alphabetic())
                    .any(|w| w == *token)
            } else {
                lower.contains(token)
            }
        })
        .map(|(_, symbol)| symbol.to_string())
}

/// Every amount written with two decimals on a line ("1,234.56", "1.234,56", "-12.50"),
/// in cents, in order.
pub fn amounts(line: &str) -> Vec<Cents> {
    let chars: Vec<char> = line.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && chars[i].is_ascii_digit() {
            i += 1;
        }
        // Separators continue a number: thousands take three digits, a decimal point or
        // comma two and ends it (so "9.00 120.00" stays two amounts).
        while i < chars.len() && matches!(chars[i], ',' | '.' | '\'' | ' ') {
            let digits = chars[i + 1..]
                .iter()
                .take_while(|c| c.is_ascii_digit())
                .count();
            if digits == 3 {
                i += 4;
            } else if digits == 2 && matches!(chars[i], ',' | '.') {
                i += 3;
                break;
            } else {
                break;
            }
        }
        let token: String = chars[start..i].iter().collect();
        let negative = start > 0
            && (chars[start - 1] == '-'
                || (start > 1 && chars[start - 1] != ' ' && chars[start - 2] == '-')
                || chars[start - 1] == '(');
        if let Some(cents) = money(&token) {
            out.push(if negative { -cents } else { cents });
        }
    }
    out
}

/// "1,234.56" / "1.234,56" / "1 234,56" / "12.50" → cents; anything without exactly two
/// decimals after the last separator is not money.
fn money(token: &str) -> Option<Cents> {
    let token = token.trim();
    let last = token.rfind([',', '.'])?;
    let decimals = &token[last + 1..];
    if decimals.len() != 2 || !decimals.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let whole: String = token[..last].chars().filter(char::is_ascii_digit).collect();
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let cents: i64 = decimals.parse().ok()?;
    whole.checked_mul(100)?.checked_add(cents)
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// The first date on a line: 2026-03-14, 14/03/2026 (day first unless that cannot be, or
/// `us` says month first), March 14, 2026, 14 Mar 2026, 14-Mar-2026.
/// The receipt's date: on a line that says "date" if one does, else the first date found.
pub(super) fn receipt_date<S: AsRef<str>>(lines: &[S], us: bool) -> Option<NaiveDate> {
    lines
        .iter()
        .map(AsRef::as_ref)
        .find(|l| l.to_lowercase().contains("date"))
        .and_then(|l| date_in(l, us))
        .or_else(|| lines.iter().find_map(|l| date_in(l.as_ref(), us)))
}

pub fn date_in(line: &str, us: bool) -> Option<NaiveDate> {
    let words: Vec<&str> = line
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .collect();
    for (n, word) in words.iter().enumerate() {
        let word = word.trim_matches(|c: char| !c.is_alphanumeric());
        if let Ok(d) = NaiveDate::parse_from_str(word.get(..10).unwrap_or(word), "%Y-%m-%d") {
            return Some(d);
        }
        let parts: Vec<&str> = word.split(['/', '.', '-']).collect();
        if parts.len() == 3 {
            let numbers: Vec<Option<u32>> = parts.iter().map(|p| p.parse().ok()).collect();
            if let [Some(a), Some(b), Some(y)] = numbers[..] {
                let year = if y < 100 { 2000 + y as i32 } else { y as i32 };
                let (day, month) = if a > 12 || (!us && b <= 12) {
                    (a, b)
                } else {
                    (b, a)
                };
                if let Some(d) = NaiveDate::from_ymd_opt(year, month, day) {
                    return Some(d);
                }
            }
            if let (Some(day), Some(month), Some(year)) = (
                parts[0].parse::<u32>().ok(),
                month_number(parts[1]),
                parts[2].parse::<i32>().ok(),
            ) && let Some(d) = NaiveDate::from_ymd_opt(year, month, day)
            {
                return Some(d);
            }
        }
        if let Some(month) = month_number(word) {
            let number = |w: Option<&&str>| -> Option<u32> {
                w.map(|w| w.trim_end_matches(|c: char| c.is_alphabetic()))
                    .and_then(|w| w.parse().ok())
            };
            // "March 14 2026" or "14 March 2026".
            let after = (number(words.get(n + 1)), number(words.get(n + 2)));
            let around = (
                number(n.checked_sub(1).and_then(|p| words.get(p))),
                number(words.get(n + 1)),
            );
            for (day, year) in [after, around] {
                if let (Some(day), Some(year)) = (day, year)
                    && let Some(d) = NaiveDate::from_ymd_opt(year as i32, month, day)
                {
                    return Some(d);
                }
            }
        }
    }
    None
}

fn month_number(word: &str) -> Option<u32> {
    let lower = word.to_lowercase();
    if lower.len() < 3 || !lower.chars().all(|c| c.is_alphabetic()) {
        return None;
    }
    MONTHS
        .iter()
        .position(|m| lower.starts_with(m))
        .map(|i| i as u32 + 1)
}

/// "BLUE BOTTLE COFFEE" → "Blue Bottle Coffee"; mixed case stays as written.
pub(super) fn tidy_name(name: &str) -> String {
    let name = name
        .trim()
        .trim_matches(|c: char| c == '*' || c == '#' || c == '=');
    if name.chars().any(char::is_lowercase) {
        return name.trim().to_string();
    }
    name.split_whitespace()
        .map(|w| {
            // Short capitals are usually initials or codes (SFO, USA, BP), kept as they are.
            if w.len() <= 3
                && ![
                    "THE", "AND", "OF", "FOR", "INN", "BAR", "OIL", "GAS", "CAR", "BUS", "INC",
                    "TAX", "NEW",
                ]
                .contains(&w)
            {
                return w.to_string();
            }
            let mut chars = w.chars();
            match chars.next() {
                Some(first) => first.to_string() + &chars.as_str().to_lowercase(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Lines that name the document rather than the seller.
pub(super) fn is_boilerplate(line: &str) -> bool {
    let lower = line.to_lowercase();
    let words = [
        "receipt",
        "invoice",
        "tax invoice",
        "order confirmation",
        "thank you",
    ];
    lower.starts_with("## page")
        || words
            .iter()
            .any(|w| lower.trim() == *w || lower.trim_start().starts_with(&format!("{w} #")))
        || lower.trim().chars().all(|c| !c.is_alphanumeric())
}

/// One receipt's expense, or why it could not be read.
pub fn receipt(source: &str, text: &str) -> Result<Expense, String> {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    if lines.is_empty() {
        return Err("the file has no text (a scan needs a model that reads images)".into());
    }
    let currency = currency_in(text);
    let us = currency.as_deref() == Some("$");
    let labelled = |labels: &[&str]| -> Option<Cents> {
        lines.iter().rev().find_map(|line| {
            let lower = line.to_lowercase();
            let is_label = labels.iter().any(|l| lower.contains(l))
                && !["subtotal", "sub-total", "sub total", "before tax", "excl"]
                    .iter()
                    .any(|x| lower.contains(x));
            if is_label {
                amounts(line).last().copied().filter(|a| *a > 0)
            } else {
                None
            }
        })
    };
    let amount = labelled(&[
        "grand total",
        "amount due",
        "total due",
        "amount paid",
        "balance due",
        "total paid",
        "total charged",
    ])
    .or_else(|| labelled(&["total"]))
    .or_else(|| {
        lines
            .iter()
            .flat_map(|l| amounts(l))
            .max()
            .filter(|a| *a > 0)
    })
    .ok_or("no amount found: expected a line like \"Total 42.50\"")?;
    let date = receipt_date(&lines, us);
    let vendor = lines
        .iter()
        .find(|l| !is_boilerplate(l) && amounts(l).is_empty() && date_in(l, us).is_none())
        .map(|l| tidy_name(l))
        .unwrap_or_else(|| source.to_string());
    Ok(Expense {
        date,
        category: categorize(text),
        vendor,
        amount,
        currency,
        source: source.to_string(),
    })
}

/// What a bank export gave: spending rows, and what was left out.
#[derive(Debug, Default)]
pub struct BankExport {
    pub expenses: Vec<Expense>,
    /// Money coming in (refunds, salary): not expenses.
    pub credits: usize,
    /// Row numbers (1-based, header included) that could not be read.
    pub unreadable: Vec<usize>,
}

/// The separator a CSV header uses most: `;` and tab exports exist beside `,`, which wins
/// a tie.
pub(crate) fn delimiter(header_line: &str) -> char {
    [';', '\t', ',']
        .into_iter()
        .max_by_key(|d| header_line.matches(*d).count())
        .unwrap_or(',')
}

/// Splits one CSV line, honouring quotes.
pub(crate) fn fields(line: &str, delimiter: char) -> Vec<String> {
    let mut out = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            c if c == delimiter && !quoted => out.push(std::mem::take(&mut field)),
            c => field.push(c),
        }
    }
    out.push(field);
    out.into_iter().map(|f| f.trim().to_string()).collect()
}

/// A bank export with a header naming a date, a description and an amount (or debit and
/// credit) column; `None` when the file is not one.
pub fn bank_export(source: &str, text: &str) -> Option<BankExport> {
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let (_, header_line) = lines.next()?;
    let delimiter = delimiter(header_line);
    let header: Vec<String> = fields(header_line, delimiter)
        .iter()
        .map(|h| h.to_lowercase())
        .collect();
    let column = |names: &[&str]| {
        header
            .iter()
            .position(|h| names.iter().any(|n| h.contains(n)))
    };
    let date_col = column(&["date", "posted", "booked"])?;
    let text_col = column(&[
        "description",
        "payee",
        "merchant",
        "details",
        "narrative",
        "memo",
        "name",
        "reference",
    ])?;
    let amount_col = column(&["amount", "value", "sum"]);
    let debit_col = column(&["debit", "withdrawal", "paid out", "money out", "outflow"]);
    let credit_col = column(&["credit", "deposit", "paid in", "money in", "inflow"]);
    if amount_col.is_none() && debit_col.is_none() {
        return None;
    }
    let currency = column(&["currency"]);
    let mut rows: Vec<(usize, Vec<String>)> =
        lines.map(|(n, l)| (n + 1, fields(l, delimiter))).collect();
    rows.retain(|(_, f)| f.len() > 1);
    let signed = |f: &[String], col: Option<usize>| -> Option<Cents> {
        let raw = f.get(col?)?.replace(['$', '€', '£', ' '], "");
        if raw.is_empty() {
            return None;
        }
        let negative = raw.starts_with('-') || raw.starts_with('(');
        let digits = raw
            .trim_start_matches(['-', '+', '('])
            .trim_end_matches(')');
        // "12.5" or "12" are money in a bank column even without two decimals.
        let cents = money(digits).or_else(|| {
            let value: f64 = digits.replace(',', ".").parse().ok()?;
            Some((value * 100.0).round() as Cents)
        })?;
        Some(if negative { -cents } else { cents })
    };
    // With one signed amount column, spending is whichever sign most rows carry when both
    // appear (banks write debits negative); all-positive exports are all spending.
    let any_negative = rows
        .iter()
        .any(|(_, f)| signed(f, amount_col).is_some_and(|a| a < 0));
    let mut export = BankExport::default();
    for (line, f) in &rows {
        let us = currency_in(header_line).as_deref() == Some("$");
        let date = f.get(date_col).and_then(|d| date_in(d, us));
        let description = f.get(text_col).cloned().unwrap_or_default();
        let spent = match (debit_col, amount_col) {
            (Some(_), _) => match (signed(f, debit_col), signed(f, credit_col)) {
                (Some(d), _) if d != 0 => Some(d.abs()),
                (_, Some(c)) if c != 0 => {
                    export.credits += 1;
                    continue;
                }
                _ => None,
            },
            (None, _) => match signed(f, amount_col) {
                Some(a) if any_negative && a < 0 => Some(-a),
                Some(a) if any_negative && a > 0 => {
                    export.credits += 1;
                    continue;
                }
                Some(a) if a > 0 => Some(a),
                _ => None,
            },
        };
        match (date, spent) {
            (Some(date), Some(amount)) => export.expenses.push(Expense {
                date: Some(date),
                vendor: tidy_name(&description),
                category: categorize(&description),
                amount,
                currency: currency
                    .and_then(|c| f.get(c))
                    .and_then(|c| currency_in(c))
                    .or_else(|| currency_in(&f.join(" "))),
                source: format!("{source} line {line}"),
            }),
            _ => export.unreadable.push(*line),
        }
    }
    Some(export)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, day)
    }

    #[test]
    fn amounts_in_every_common_notation() {
        assert_eq!(amounts("TOTAL  $1,234.56"), vec![123_456]);
        assert_eq!(amounts("Total: 1.234,56 EUR"), vec![123_456]);
        assert_eq!(amounts("2 x 3.50 = 7.00"), vec![350, 700]);
        assert_eq!(amounts("Refund -12.50"), vec![-1250]);
        assert_eq!(amounts("Table 12, guests 4"), Vec::<Cents>::new());
    }

    #[test]
    fn dates_in_every_common_notation() {
        assert_eq!(date_in("Date: 2026-03-14 10:22", false), d(2026, 3, 14));
        assert_eq!(date_in("14/03/2026", false), d(2026, 3, 14));
        assert_eq!(date_in("03/14/2026", false), d(2026, 3, 14));
        assert_eq!(date_in("04/03/2026", true), d(2026, 4, 3));
        assert_eq!(date_in("04/03/2026", false), d(2026, 3, 4));
        assert_eq!(date_in("March 14, 2026", false), d(2026, 3, 14));
        assert_eq!(date_in("Issued 14 Mar 2026", false), d(2026, 3, 14));
        assert_eq!(date_in("14-Mar-2026", false), d(2026, 3, 14));
        assert_eq!(date_in("Table 12", false), None);
    }

    #[test]
    fn a_receipt_gives_total_date_vendor_and_category() {
        let text = "BLUE BOTTLE COFFEE\n1 Market St\nDate: 03/14/2026\n2 x Latte   9.00\nSubtotal   9.00\nTax        0.81\nTOTAL      $9.81\nThank you";
        let e = receipt("r/coffee.txt", text).expect("read");
        assert_eq!(e.amount, 981);
        assert_eq!(e.date, d(2026, 3, 14));
        assert_eq!(e.vendor, "Blue Bottle Coffee");
        assert_eq!(e.category, "Meals");
        assert_eq!(e.currency.as_deref(), Some("$"));
        assert!(receipt("x.txt", "   \n").is_err());
        assert!(receipt("x.txt", "Hello\nno money here").is_err());
    }

    #[test]
    fn bank_exports_keep_spending_and_count_credits() {
        let csv = "Date,Description,Amount\n2026-03-02,\"UBER *TRIP, PARIS\",-23.40\n2026-03-03,Salary,2500.00\n2026-03-04,Hotel Lumiere,-189.00\nnot a date,Thing,-1.00\n";
        let export = bank_export("bank.csv", csv).expect("bank export");
        assert_eq!(export.expenses.len(), 2);
        assert_eq!(export.expenses[0].amount, 2340);
        assert_eq!(export.expenses[0].category, "Travel");
        assert_eq!(export.expenses[0].source, "bank.csv line 2");
        assert_eq!(export.expenses[1].category, "Lodging");
        assert_eq!(export.credits, 1);
        assert_eq!(export.unreadable, vec![5]);
        let debit = "Booking date;Payee;Debit;Credit\n02.03.2026;Staples;45,90;\n03.03.2026;Refund;;10,00\n";
        let export = bank_export("b.csv", debit).expect("debit/credit export");
        assert_eq!(export.expenses.len(), 1);
        assert_eq!(export.expenses[0].amount, 4590);
        assert_eq!(export.expenses[0].category, "Office supplies");
        assert_eq!(export.credits, 1);
        assert!(bank_export("notes.csv", "name,age\nAna,3\n").is_none());
    }
}
