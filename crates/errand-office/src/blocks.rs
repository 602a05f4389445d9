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
    /// A PNG or JPEG from the task's folders.
    Image {
        path: String,
        caption: Option<String>,
        /// Share of the text width, 10-100; default 100.
        width_percent: Option<u8>,
    },
    /// A chart drawn from numbers, the same shape as create_chart's.
    Chart {
        chart: crate::chart::Chart,
        caption: Option<String>,
    },
}

/// The width share an image block asks for, checked.
pub fn width_share(width_percent: Option<u8>, index: usize) -> Result<f64, crate::OfficeError> {
    match width_percent {
        None => Ok(1.0),
        Some(p) if (10..=100).contains(&p) => Ok(f64::from(p) / 100.0),
        Some(p) => Err(crate::OfficeError::Spec(format!(
            "blocks[{index}].width_percent: {p}; give 10 to 100"
        ))),
    }
}

/// Checks that need no drawing, so a bad spec fails before any work; the same for a
/// document and a PDF, which take the same input.
pub fn validate(blocks: &[Block]) -> Result<(), crate::OfficeError> {
    let spec = |m: String| Err(crate::OfficeError::Spec(m));
    for (i, block) in blocks.iter().enumerate() {
        match block {
            Block::Heading { level, .. } => {
                let level = level.unwrap_or(1);
                if !(1..=3).contains(&level) {
                    return spec(format!(
                        "blocks[{i}].level: {level}; headings are level 1, 2 or 3"
                    ));
                }
            }
            Block::Bullets { items } | Block::Numbered { items } if items.is_empty() => {
                return spec(format!(
                    "blocks[{i}].items: the list is empty; give at least one item"
                ));
            }
            Block::Table { header, rows } => {
                if header.is_empty() {
                    return spec(format!("blocks[{i}].header: a table needs column headers"));
                }
                for (r, row) in rows.iter().enumerate() {
                    if row.len() > header.len() {
                        return spec(format!(
                            "blocks[{i}].rows[{r}]: {} cells but the header has {} columns",
                            row.len(),
                            header.len()
                        ));
                    }
                }
            }
            Block::Image { width_percent, .. } => {
                width_share(*width_percent, i)?;
            }
            _ => {}
        }
    }
    Ok(())
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

/// Markdown as blocks: `#`–`###` headings, `-`/`*`/`+` bullets, `1.` numbered items, pipe
/// tables, paragraphs (lines joined), `---` page breaks between parts; inline markup kept.
/// The block being gathered line by line; at most one kind is open at a time.
#[derive(Default)]
struct Open<'a> {
    paragraph: Vec<&'a str>,
    bullets: Vec<String>,
    numbered: Vec<String>,
    table: Vec<Vec<String>>,
}

impl Open<'_> {
    fn flush(&mut self, blocks: &mut Vec<Block>) {
        if !self.paragraph.is_empty() {
            blocks.push(Block::Paragraph {
                text: self.paragraph.join(" "),
            });
            self.paragraph.clear();
        }
        if !self.bullets.is_empty() {
            blocks.push(Block::Bullets {
                items: std::mem::take(&mut self.bullets),
            });
        }
        if !self.numbered.is_empty() {
            blocks.push(Block::Numbered {
                items: std::mem::take(&mut self.numbered),
            });
        }
        if !self.table.is_empty() {
            let mut rows = std::mem::take(&mut self.table);
            let header = rows.remove(0);
            blocks.push(Block::Table { header, rows });
        }
    }
}

pub fn from_markdown(text: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut open = Open::default();
    for line in text.lines() {
        let trimmed = line.trim();
        let heading = trimmed
            .strip_prefix("### ")
            .map(|t| (3, t))
            .or_else(|| trimmed.strip_prefix("## ").map(|t| (2, t)))
            .or_else(|| trimmed.strip_prefix("# ").map(|t| (1, t)));
        let bullet = ["- ", "* ", "+ "]
            .iter()
            .find_map(|p| trimmed.strip_prefix(p));
        let number = trimmed
            .split_once(". ")
            .filter(|(n, _)| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
            .map(|(_, rest)| rest);
        let is_table = trimmed.starts_with('|') && trimmed.ends_with('|') && trimmed.len() > 1;
        // Keep the kind of block we are in; anything else ends it.
        if !(is_table) && !open.table.is_empty()
            || bullet.is_none() && !open.bullets.is_empty()
            || number.is_none() && !open.numbered.is_empty()
            || (heading.is_some()
                || trimmed.is_empty()
                || bullet.is_some()
                || number.is_some()
                || is_table)
                && !open.paragraph.is_empty()
        {
            open.flush(&mut blocks);
        }
        if let Some((level, text)) = heading {
            blocks.push(Block::Heading {
                text: text.trim().to_string(),
                level: Some(level),
            });
        } else if trimmed == "---" || trimmed == "***" {
            blocks.push(Block::PageBreak);
        } else if let Some(item) = bullet {
            open.bullets.push(item.trim().to_string());
        } else if let Some(item) = number {
            open.numbered.push(item.trim().to_string());
        } else if is_table {
            let cells: Vec<String> = trimmed[1..trimmed.len() - 1]
                .split('|')
                .map(|c| c.trim().to_string())
                .collect();
            // The |---|---| line under the header.
            if !cells
                .iter()
                .all(|c| !c.is_empty() && c.chars().all(|ch| matches!(ch, '-' | ':')))
            {
                open.table.push(cells);
            }
        } else if !trimmed.is_empty() {
            open.paragraph.push(trimmed);
        }
    }
    open.flush(&mut blocks);
    blocks
}

#[cfg(test)]
mod markdown_tests {
    use super::*;

    #[test]
    fn markdown_becomes_blocks() {
        let md = "# Trip notes\nWe met **three** clients\nin Lyon.\n\n## Actions\n- Send quotes\n- Book *train*\n1. Call Ana\n2. Email Bo\n\n| City | Days |\n|---|---|\n| Lyon | 2 |\n\n---\n## Later\nDone.";
        let blocks = from_markdown(md);
        let kinds: Vec<String> = blocks
            .iter()
            .map(|b| match b {
                Block::Heading { text, level } => format!("h{}:{text}", level.unwrap_or(1)),
                Block::Paragraph { text } => format!("p:{text}"),
                Block::Bullets { items } => format!("ul:{}", items.join("/")),
                Block::Numbered { items } => format!("ol:{}", items.join("/")),
                Block::Table { header, rows } => format!("t:{}:{}", header.join("/"), rows.len()),
                Block::PageBreak => "br".to_string(),
                Block::Image { .. } | Block::Chart { .. } => "media".to_string(),
            })
            .collect();
        assert_eq!(
            kinds,
            [
                "h1:Trip notes",
                "p:We met **three** clients in Lyon.",
                "h2:Actions",
                "ul:Send quotes/Book *train*",
                "ol:Call Ana/Email Bo",
                "t:City/Days:1",
                "br",
                "h2:Later",
                "p:Done."
            ]
        );
    }
}
