//! The blocks a document (and later a PDF report) is made of, and the inline markup their
//! text may carry: `**bold**`, `*italic*`, `[text](https://…)`.
use schemars::JsonSchema;
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DocumentSpec {
    /// With a title, the document opens with a title page.
    pub title: Option<String>,
    pub subtitle: Option<String>,
    pub author: Option<String>,
    pub date: Option<String>,
    pub blocks: Vec<Block>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Block {
    /// level 1-3.
    Heading {
        text: String,
        level: Option<u8>,
    },
    /// Text with **bold**, *italic* and [links](https://…).
    Paragraph {
        text: String,
    },
    Bullets {
        items: Vec<String>,
    },
    Numbered {
        items: Vec<String>,
    },
    Table {
        header: Vec<String>,
        rows: Vec<Vec<String>>,
    },
    PageBreak,
}

/// A piece of text with one style.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    pub text: String,
    pub bold: bool,
    pub italic: bool,
    pub link: Option<String>,
}

/// Splits inline markup into runs. Unmatched markers stay as text.
pub fn runs(text: &str) -> Vec<Run> {
    let mut out: Vec<Run> = Vec::new();
    let mut bold = false;
    let mut italic = false;
    let mut current = String::new();
    let chars: Vec<char> = text.chars().collect();
    let flush = |out: &mut Vec<Run>, current: &mut String, bold: bool, italic: bool| {
        if !current.is_empty() {
            out.push(Run {
                text: std::mem::take(current),
                bold,
                italic,
                link: None,
            });
        }
    };
    let closes = |from: usize, marker: &[char]| -> bool {
        chars[from..].windows(marker.len()).any(|w| w == marker)
    };
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '*' && chars.get(i + 1) == Some(&'*') && (bold || closes(i + 2, &['*', '*'])) {
            flush(&mut out, &mut current, bold, italic);
            bold = !bold;
            i += 2;
            continue;
        }
        if c == '*' && (italic || closes(i + 1, &['*'])) {
            flush(&mut out, &mut current, bold, italic);
            italic = !italic;
            i += 1;
            continue;
        }
        if c == '['
            && let Some(close) = chars[i..].iter().position(|&ch| ch == ']')
            && chars.get(i + close + 1) == Some(&'(')
            && let Some(end) = chars[i + close + 1..].iter().position(|&ch| ch == ')')
        {
            let label: String = chars[i + 1..i + close].iter().collect();
            let url: String = chars[i + close + 2..i + close + 1 + end].iter().collect();
            if url.starts_with("http://")
                || url.starts_with("https://")
                || url.starts_with("mailto:")
            {
                flush(&mut out, &mut current, bold, italic);
                out.push(Run {
                    text: label,
                    bold,
                    italic,
                    link: Some(url),
                });
                i += close + 2 + end;
                continue;
            }
        }
        current.push(c);
        i += 1;
    }
    flush(&mut out, &mut current, bold, italic);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_markup_becomes_runs() {
        let r = runs("Sales **rose 12%** in *Q3*; see [the report](https://example.com/q3).");
        let texts: Vec<(&str, bool, bool, Option<&str>)> = r
            .iter()
            .map(|r| (r.text.as_str(), r.bold, r.italic, r.link.as_deref()))
            .collect();
        assert_eq!(
            texts,
            [
                ("Sales ", false, false, None),
                ("rose 12%", true, false, None),
                (" in ", false, false, None),
                ("Q3", false, true, None),
                ("; see ", false, false, None),
                ("the report", false, false, Some("https://example.com/q3")),
                (".", false, false, None),
            ]
        );
        assert_eq!(runs("2 * 3 = 6")[0].text, "2 * 3 = 6");
    }
}
