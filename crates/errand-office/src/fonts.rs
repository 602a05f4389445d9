//! The one font family Errand draws with (Liberation Sans, SIL OFL, metric-compatible with
//! Arial), built in so PNG charts, PDFs and text fitting look the same on every machine,
//! with or without fonts installed.
use std::sync::{Arc, OnceLock};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Style {
    Regular,
    Bold,
    Italic,
    BoldItalic,
}

impl Style {
    pub fn new(bold: bool, italic: bool) -> Style {
        match (bold, italic) {
            (false, false) => Style::Regular,
            (true, false) => Style::Bold,
            (false, true) => Style::Italic,
            (true, true) => Style::BoldItalic,
        }
    }

    const ALL: [Style; 4] = [
        Style::Regular,
        Style::Bold,
        Style::Italic,
        Style::BoldItalic,
    ];

    fn index(self) -> usize {
        self as usize
    }
}

pub const FAMILY: &str = "Liberation Sans";

/// The TrueType bytes of one style.
pub fn bytes(style: Style) -> &'static [u8] {
    match style {
        Style::Regular => include_bytes!("../fonts/LiberationSans-Regular.ttf"),
        Style::Bold => include_bytes!("../fonts/LiberationSans-Bold.ttf"),
        Style::Italic => include_bytes!("../fonts/LiberationSans-Italic.ttf"),
        Style::BoldItalic => include_bytes!("../fonts/LiberationSans-BoldItalic.ttf"),
    }
}

/// Advance widths per character, in font units, read once per style.
struct Metrics {
    units_per_em: f64,
    advances: std::collections::HashMap<char, u16>,
    fallback: u16,
}

fn metrics(style: Style) -> &'static Metrics {
    static METRICS: OnceLock<Vec<Metrics>> = OnceLock::new();
    let all = METRICS.get_or_init(|| {
        Style::ALL
            .iter()
            .map(|&style| match ttf_parser::Face::parse(bytes(style), 0) {
                Ok(face) => {
                    let mut advances = std::collections::HashMap::new();
                    if let Some(cmap) = face.tables().cmap {
                        for table in cmap.subtables {
                            if !table.is_unicode() {
                                continue;
                            }
                            table.codepoints(|code| {
                                if let (Some(c), Some(glyph)) =
                                    (char::from_u32(code), table.glyph_index(code))
                                    && let Some(advance) = face.glyph_hor_advance(glyph)
                                {
                                    advances.insert(c, advance);
                                }
                            });
                        }
                    }
                    let fallback = face
                        .glyph_index('0')
                        .and_then(|g| face.glyph_hor_advance(g))
                        .unwrap_or(1139);
                    Metrics {
                        units_per_em: f64::from(face.units_per_em()),
                        advances,
                        fallback,
                    }
                }
                // The fonts are compiled in; a parse failure would be a build defect. Fall
                // back to average Arial-like widths rather than failing a user's document.
                Err(_) => Metrics {
                    units_per_em: 2048.0,
                    advances: Default::default(),
                    fallback: 1139,
                },
            })
            .collect()
    });
    &all[style.index()]
}

/// The width of `text` set at `size` points, in points (no kerning, so never less than
/// what is drawn).
pub fn text_width(text: &str, size: f64, style: Style) -> f64 {
    let m = metrics(style);
    let units: u64 = text
        .chars()
        .map(|c| u64::from(*m.advances.get(&c).unwrap_or(&m.fallback)))
        .sum();
    units as f64 * size / m.units_per_em
}

/// Greedy word wrap to `max_width` points; a word longer than a line is broken by
/// characters. Explicit newlines are kept.
pub fn wrap(text: &str, size: f64, style: Style, max_width: f64) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        for word in paragraph.split_whitespace() {
            let candidate = if line.is_empty() {
                word.to_string()
            } else {
                format!("{line} {word}")
            };
            if text_width(&candidate, size, style) <= max_width {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            // A word wider than the line: break it where it must.
            for c in word.chars() {
                let mut next = line.clone();
                next.push(c);
                if !line.is_empty() && text_width(&next, size, style) > max_width {
                    lines.push(std::mem::take(&mut line));
                    line.push(c);
                } else {
                    line = next;
                }
            }
        }
        lines.push(line);
    }
    lines
}

/// A font database holding only the built-in family, which is also every generic family.
pub fn database() -> Arc<resvg::usvg::fontdb::Database> {
    static DB: OnceLock<Arc<resvg::usvg::fontdb::Database>> = OnceLock::new();
    DB.get_or_init(|| {
        let mut db = resvg::usvg::fontdb::Database::new();
        for style in Style::ALL {
            db.load_font_data(bytes(style).to_vec());
        }
        db.set_sans_serif_family(FAMILY);
        db.set_serif_family(FAMILY);
        db.set_monospace_family(FAMILY);
        Arc::new(db)
    })
    .clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_follow_the_font() {
        // Arial metrics: "M" is 1706/2048 em, "i" 455/2048.
        let m = text_width("M", 2048.0, Style::Regular);
        let i = text_width("i", 2048.0, Style::Regular);
        assert!((m - 1706.0).abs() < 1.0, "{m}");
        assert!((i - 455.0).abs() < 1.0, "{i}");
        assert!(text_width("Total", 12.0, Style::Bold) > text_width("Total", 12.0, Style::Regular));
    }

    #[test]
    fn wrapping_keeps_every_word_and_respects_the_width() {
        let text = "Quarterly revenue rose in every region except the north, where a supplierdelayedeverythingforweeks.";
        let lines = wrap(text, 11.0, Style::Regular, 120.0);
        assert!(lines.len() > 2);
        for line in &lines {
            assert!(text_width(line, 11.0, Style::Regular) <= 120.0, "{line}");
        }
        assert_eq!(lines.concat().replace(' ', ""), text.replace(' ', ""));
    }
}
