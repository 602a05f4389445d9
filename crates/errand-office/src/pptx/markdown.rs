//! Slides from Markdown, so notes become a deck without a hand-written slide list:
//! `#` opens a section, `##`/`###` a slide, list items and paragraphs are its bullets (a
//! paragraph's sentences, each its own point), a table is a table slide, `---` ends a slide.
use super::Slide;
use crate::blocks::{Block, from_markdown};

pub fn slides(markdown: &str) -> Vec<Slide> {
    let mut slides = Vec::new();
    let mut title: Option<String> = None;
    let mut bullets: Vec<String> = Vec::new();
    let flush = |slides: &mut Vec<Slide>, title: &Option<String>, bullets: &mut Vec<String>| {
        if !bullets.is_empty() {
            slides.push(Slide::Bullets {
                title: title.clone().unwrap_or_else(|| "Notes".into()),
                bullets: std::mem::take(bullets),
                notes: None,
            });
        }
    };
    for block in from_markdown(markdown) {
        match block {
            Block::Heading { text, level } => {
                flush(&mut slides, &title, &mut bullets);
                if level.unwrap_or(1) <= 1 {
                    slides.push(Slide::Section {
                        title: text.clone(),
                        subtitle: None,
                        notes: None,
                    });
                }
                title = Some(text);
            }
            Block::Bullets { items } | Block::Numbered { items } => bullets.extend(items),
            Block::Paragraph { text } => bullets.extend(sentences(&text)),
            Block::Table { header, rows } => {
                flush(&mut slides, &title, &mut bullets);
                slides.push(Slide::Table {
                    title: title.clone().unwrap_or_else(|| "Table".into()),
                    header,
                    rows,
                    notes: None,
                });
            }
            Block::PageBreak => flush(&mut slides, &title, &mut bullets),
            Block::Image { path, caption, .. } => {
                flush(&mut slides, &title, &mut bullets);
                slides.push(Slide::Image {
                    title: title.clone().unwrap_or_default(),
                    path,
                    caption,
                    notes: None,
                });
            }
            Block::Chart { chart, caption } => {
                flush(&mut slides, &title, &mut bullets);
                slides.push(Slide::Chart {
                    title: title.clone().unwrap_or_default(),
                    chart,
                    caption,
                    notes: None,
                });
            }
        }
    }
    flush(&mut slides, &title, &mut bullets);
    slides
}

/// A paragraph's sentences, so a slide shows points rather than a wall of text.
fn sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let words: Vec<&str> = text.split_whitespace().collect();
    for (i, word) in words.iter().enumerate() {
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(word);
        let next_starts_sentence = words
            .get(i + 1)
            .and_then(|w| w.chars().next())
            .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit());
        if word.ends_with(['.', '!', '?']) && next_starts_sentence {
            out.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_become_sections_slides_and_tables() {
        let md = "# Lyon trip\nWe met three clients. All want quotes by Friday.\n\n## Actions\n- Send quotes\n- Book the train\n\n| Client | Budget |\n|---|---|\n| Ana | 12k |\n";
        let shown: Vec<String> = slides(md)
            .iter()
            .map(|s| match s {
                Slide::Section { title, .. } => format!("section:{title}"),
                Slide::Bullets { title, bullets, .. } => format!("{title}:{}", bullets.join("/")),
                Slide::Table { title, rows, .. } => format!("table:{title}:{}", rows.len()),
                _ => "other".into(),
            })
            .collect();
        assert_eq!(
            shown,
            [
                "section:Lyon trip",
                "Lyon trip:We met three clients./All want quotes by Friday.",
                "Actions:Send quotes/Book the train",
                "table:Actions:1"
            ]
        );
    }
}
