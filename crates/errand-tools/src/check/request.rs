//! What a request's own words ask for: the files it names, the kinds of file it wants made,
//! formulas, a change at all, an organized folder. Read conservatively: a wrong "asked for"
//! would tell a person a good result has problems.
use super::base_name;

/// "with working formulas", "a total computed by a formula".
pub fn asks_for_formulas(outcome: &str) -> bool {
    outcome.to_lowercase().contains("formula")
}

/// Verbs that ask the task to change the folder, not only to look at it.
const CHANGING: &[&str] = &[
    "write", "make", "create", "rename", "move", "organize", "organise", "sort", "delete",
    "remove", "fix", "combine", "merge", "convert", "turn", "save", "put", "build", "draft",
    "copy",
];

/// Whether the request asks for files to change ("write…", "rename…"), by its words.
pub fn asks_for_changes(outcome: &str) -> bool {
    outcome
        .split(|c: char| !c.is_alphanumeric())
        .any(|w| CHANGING.contains(&w.to_lowercase().as_str()))
}

/// "Organize my downloads by type", "sort the invoices into folders by year".
pub fn asks_to_organize(outcome: &str) -> bool {
    let lower = outcome.to_lowercase();
    let verb = [
        "organize",
        "organise",
        "sort",
        "tidy",
        "file away",
        "put the files",
    ]
    .iter()
    .any(|v| lower.contains(v));
    let into = [
        "folder", "by type", "by date", "by year", "by month", "by kind", "categor",
    ]
    .iter()
    .any(|w| lower.contains(w));
    verb && into
}

/// Extensions that make a word a file name in a request.
const FILE_EXTENSIONS: &[&str] = &[
    "md", "txt", "csv", "tsv", "json", "html", "xlsx", "xls", "ods", "docx", "doc", "odt", "pptx",
    "odp", "pdf", "png", "jpg", "jpeg", "svg", "yaml", "yml", "xml",
];

/// File names a request mentions: `summary.md`, `reports/q3.xlsx`, quoted or not.
pub fn named_files(outcome: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for word in outcome.split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '(' | ')')) {
        let quote = |c: char| matches!(c, '"' | '\'' | '`' | '“' | '”' | '‘' | '’');
        let word = word
            .trim_start_matches(quote)
            .trim_end_matches(|c: char| quote(c) || matches!(c, '.' | ':' | '!' | '?'));
        let Some((stem, ext)) = word.rsplit_once('.') else {
            continue;
        };
        let stem_name = base_name(stem);
        if stem_name.is_empty()
            || stem_name.contains('*')
            || word.contains("://")
            || !FILE_EXTENSIONS.contains(&ext.to_ascii_lowercase().as_str())
        {
            continue;
        }
        if !names.iter().any(|n| n == word) {
            names.push(word.to_string());
        }
    }
    names
}

/// A kind of file a request asks for in words ("a report in Excel", "make a deck").
#[derive(Debug, PartialEq)]
pub struct AskedKind {
    pub described: &'static str,
    extensions: &'static [&'static str],
}

impl AskedKind {
    /// Whether a path is a file of this kind, by its extension.
    pub fn matches(&self, path: &str) -> bool {
        let lower = path.to_ascii_lowercase();
        self.extensions
            .iter()
            .any(|ext| lower.ends_with(&format!(".{ext}")))
    }
}

const KINDS: &[(&[&str], &str, &[&str])] = &[
    (
        &["excel", "spreadsheet", "workbook", "xlsx"],
        "a spreadsheet (.xlsx)",
        &["xlsx", "xlsm", "xls", "ods"],
    ),
    (
        &[
            "deck",
            "presentation",
            "slides",
            "powerpoint",
            "pptx",
            "slideshow",
        ],
        "a deck (.pptx)",
        &["pptx", "odp"],
    ),
    (&["pdf"], "a PDF", &["pdf"]),
    (
        &["docx", "word"],
        "a Word document (.docx)",
        &["docx", "odt", "doc"],
    ),
];

/// Words that make what follows something to produce.
const MAKING: &[&str] = &[
    "make", "create", "write", "build", "produce", "generate", "prepare", "draft", "save",
    "export", "into", "as", "to",
];
/// Words that may stand between the making word and the kind ("a short Excel report").
const FILLERS: &[&str] = &[
    "a",
    "an",
    "one",
    "new",
    "single",
    "short",
    "simple",
    "clean",
    "nice",
    "small",
    "formatted",
    "proper",
    "it",
    "them",
    "this",
    "that",
    "the",
];

/// Kinds of file the request asks the task to make, found conservatively: a kind word
/// right after a making word (with a few fillers between), or "in Excel"-style phrases.
pub fn asked_kinds(outcome: &str) -> Vec<AskedKind> {
    let words: Vec<String> = outcome
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    let mut kinds = Vec::new();
    for (at, word) in words.iter().enumerate() {
        let Some((_, described, extensions)) = KINDS
            .iter()
            .find(|(names, _, _)| names.contains(&word.as_str()))
        else {
            continue;
        };
        // "word" alone is too common: only "word document" / "word file" / "in word".
        let next = words.get(at + 1).map(String::as_str);
        if word == "word"
            && !matches!(next, Some("document" | "doc" | "file"))
            && at > 0
            && words[at - 1] != "in"
        {
            continue;
        }
        let mut back = at;
        let mut asked = false;
        while back > 0 {
            back -= 1;
            let before = words[back].as_str();
            if MAKING.contains(&before) || (before == "in" && back + 1 == at) {
                asked = true;
                break;
            }
            if !FILLERS.contains(&before) || at - back > 4 {
                break;
            }
        }
        if asked && !kinds.iter().any(|k: &AskedKind| k.described == *described) {
            kinds.push(AskedKind {
                described,
                extensions,
            });
        }
    }
    kinds
}

/// Files a request asks the task to go through one by one: "count the words in each text
/// file", "summarise every PDF file", "all the csv files".
pub struct EachFile {
    pub described: &'static str,
    /// Extensions the files have; empty for any file.
    pub extensions: &'static [&'static str],
}

const EACH: &[&str] = &["each", "every", "all"];
const EACH_KINDS: &[(&[&str], &str, &[&str])] = &[
    (&["text", "txt"], "text file", &["txt", "md"]),
    (&["csv"], "CSV file", &["csv"]),
    (&["pdf"], "PDF file", &["pdf"]),
    (&["markdown", "md"], "Markdown file", &["md"]),
    (&["word", "docx"], "Word file", &["docx"]),
    (&["excel", "xlsx"], "spreadsheet file", &["xlsx"]),
];

/// "each/every/all [the|of the] [KIND] file(s)", at most three words between.
pub fn each_file(outcome: &str) -> Option<EachFile> {
    let words: Vec<String> = outcome
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    for (at, word) in words.iter().enumerate() {
        if !EACH.contains(&word.as_str()) {
            continue;
        }
        let mut kind: Option<&(&[&str], &str, &[&str])> = None;
        for next in words.iter().skip(at + 1).take(4) {
            if next == "file" || next == "files" {
                return Some(match kind {
                    Some((_, described, extensions)) => EachFile {
                        described,
                        extensions,
                    },
                    None => EachFile {
                        described: "file",
                        extensions: &[],
                    },
                });
            }
            if let Some(found) = EACH_KINDS
                .iter()
                .find(|(names, _, _)| names.contains(&next.as_str()))
            {
                kind = Some(found);
            } else if !matches!(next.as_str(), "the" | "of" | "my" | "these" | "those") {
                break;
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn described(outcome: &str) -> Vec<&'static str> {
        asked_kinds(outcome).iter().map(|k| k.described).collect()
    }

    #[test]
    fn file_names_in_a_request_are_found_quoted_or_not() {
        assert_eq!(
            named_files("Read notes.txt and write a three-bullet summary to `summary.md`."),
            ["notes.txt", "summary.md"]
        );
        assert_eq!(
            named_files("put it in reports/q3.xlsx, please"),
            ["reports/q3.xlsx"]
        );
        assert!(named_files("see https://example.com/a.pdf or *.pdf, v2.0 or e.g.").is_empty());
    }

    #[test]
    fn requests_for_changes_and_formulas_are_told_from_questions() {
        assert!(asks_for_changes("Read notes.txt and write a summary"));
        assert!(asks_for_changes("Rename every file to lowercase"));
        assert!(!asks_for_changes("What is in notes.txt?"));
        assert!(asks_for_formulas(
            "an expense workbook with working formulas"
        ));
        assert!(!asks_for_formulas("an expense workbook"));
    }

    #[test]
    fn organizing_requests_are_told_from_others() {
        assert!(asks_to_organize("organize my downloads by type and date"));
        assert!(asks_to_organize(
            "Sort the invoices into one folder per year"
        ));
        assert!(!asks_to_organize("Rename the photos to holiday-001.jpg"));
        assert!(!asks_to_organize("sort the rows of sales.csv by amount"));
    }

    #[test]
    fn kinds_count_only_when_asked_for_as_output() {
        assert_eq!(
            described("make a deck from these notes"),
            ["a deck (.pptx)"]
        );
        assert_eq!(
            described("summarise the PDF into a Word document"),
            ["a Word document (.docx)"]
        );
        assert_eq!(described("a report in Excel"), ["a spreadsheet (.xlsx)"]);
        assert_eq!(described("export it as a PDF"), ["a PDF"]);
        assert!(described("turn these PDF receipts into an expense report").is_empty());
        assert!(described("organize my downloads by type and date").is_empty());
        assert!(described("fix the broken formula in the budget workbook").is_empty());
        assert!(described("count the words in each file").is_empty());
    }

    #[test]
    fn going_through_each_file_is_read_from_the_words() {
        let each = |outcome: &str| each_file(outcome).map(|e| (e.described, e.extensions));
        assert_eq!(
            each("Count the words in each text file and write counts.csv"),
            Some(("text file", &["txt", "md"][..]))
        );
        assert_eq!(
            each("summarise all of the PDF files"),
            Some(("PDF file", &["pdf"][..]))
        );
        assert_eq!(
            each("Rename every file to lowercase"),
            Some(("file", &[][..]))
        );
        assert!(each("Read notes.txt and write a summary").is_none());
        assert!(each("each person gets a row in the file").is_none());
        assert!(each("all good, write the file").is_none());
    }
}
