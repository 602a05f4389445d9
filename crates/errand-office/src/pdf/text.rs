//! Inline text: markup runs cut into words, wrapped greedily to a width (each piece
//! measured in its own style), and turned into drawing items.
use super::{Item, LINK_BLUE, Rgb};
use crate::blocks::Run;
use crate::fonts::{self, Style};
use std::sync::OnceLock;

/// Size and base style of a piece of text; runs add bold or italic on top.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Font {
    pub size: f64,
    pub bold: bool,
    pub italic: bool,
}

impl Font {
    pub const fn new(size: f64, bold: bool, italic: bool) -> Font {
        Font { size, bold, italic }
    }
}

/// One placed piece of a line: text in one style (and one link target).
#[derive(Debug, Clone)]
pub(crate) struct Frag {
    pub text: String,
    pub style: Style,
    pub link: Option<String>,
    /// Offset from the line's start, in points.
    pub x: f64,
    pub width: f64,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Line {
    pub frags: Vec<Frag>,
    pub width: f64,
}

/// A piece of a word, or a space, in one style.
#[derive(Debug, Clone)]
struct Atom {
    text: String,
    style: Style,
    link: Option<String>,
    width: f64,
}

enum Token {
    /// Pieces with no break between them ("**12%**," is one word in two styles).
    Word(Vec<Atom>),
    Space(Atom),
    Break,
}

enum Ch {
    Glyph(char),
    Space,
    Break,
}

fn faces() -> &'static [Option<ttf_parser::Face<'static>>; 4] {
    static FACES: OnceLock<[Option<ttf_parser::Face<'static>>; 4]> = OnceLock::new();
    FACES.get_or_init(|| {
        [
            Style::Regular,
            Style::Bold,
            Style::Italic,
            Style::BoldItalic,
        ]
        .map(|s| ttf_parser::Face::parse(fonts::bytes(s), 0).ok())
    })
}

fn face(style: Style) -> Option<&'static ttf_parser::Face<'static>> {
    let index = match style {
        Style::Regular => 0,
        Style::Bold => 1,
        Style::Italic => 2,
        Style::BoldItalic => 3,
    };
    faces()[index].as_ref()
}

fn has_glyph(c: char, style: Style) -> bool {
    face(style).is_some_and(|face| face.glyph_index(c).is_some_and(|g| g.0 != 0))
}

/// The glyphs of `text`, one per character at the font's own advance: exactly the widths
/// `fonts::text_width` measured, so what is drawn lines up with the layout (no kerning).
pub(crate) fn glyphs(text: &str, style: Style) -> Vec<krilla::text::KrillaGlyph> {
    let Some(face) = face(style) else {
        return Vec::new();
    };
    let em = f32::from(face.units_per_em());
    text.char_indices()
        .map(|(at, c)| {
            let glyph = face.glyph_index(c).unwrap_or(ttf_parser::GlyphId(0));
            let advance = face.glyph_hor_advance(glyph).unwrap_or(0);
            krilla::text::KrillaGlyph::new(
                krilla::text::GlyphId::new(u32::from(glyph.0)),
                f32::from(advance) / em,
                0.0,
                0.0,
                0.0,
                at..at + c.len_utf8(),
                None,
            )
        })
        .collect()
}

/// What a character becomes on paper. Characters the font lacks print as `?` so the
/// reader sees something was there; invisible format characters are left out.
fn classify(c: char, style: Style) -> Option<Ch> {
    match c {
        '\n' => Some(Ch::Break),
        // Non-breaking spaces stay inside their word.
        '\u{A0}' | '\u{202F}' | '\u{2007}' => {
            Some(Ch::Glyph(if has_glyph(c, style) { c } else { '\u{A0}' }))
        }
        '\u{AD}' | '\u{200B}'..='\u{200F}' | '\u{2060}' | '\u{FEFF}' => None,
        c if c.is_whitespace() => Some(Ch::Space),
        c if c.is_control() => None,
        c if has_glyph(c, style) => Some(Ch::Glyph(c)),
        _ => Some(Ch::Glyph('?')),
    }
}

fn atom(text: String, style: Style, link: &Option<String>, size: f64) -> Atom {
    Atom {
        width: fonts::text_width(&text, size, style),
        text,
        style,
        link: link.clone(),
    }
}

fn tokens(runs: &[Run], font: Font) -> Vec<Token> {
    let mut out = Vec::new();
    let mut word: Vec<Atom> = Vec::new();
    for run in runs {
        let style = Style::new(run.bold || font.bold, run.italic || font.italic);
        let mut piece = String::new();
        for c in run.text.chars() {
            let Some(ch) = classify(c, style) else {
                continue;
            };
            match ch {
                Ch::Glyph(g) => piece.push(g),
                Ch::Space | Ch::Break => {
                    if !piece.is_empty() {
                        word.push(atom(
                            std::mem::take(&mut piece),
                            style,
                            &run.link,
                            font.size,
                        ));
                    }
                    if !word.is_empty() {
                        out.push(Token::Word(std::mem::take(&mut word)));
                    }
                    out.push(match ch {
                        Ch::Space => Token::Space(atom(" ".into(), style, &run.link, font.size)),
                        _ => Token::Break,
                    });
                }
            }
        }
        if !piece.is_empty() {
            word.push(atom(piece, style, &run.link, font.size));
        }
    }
    if !word.is_empty() {
        out.push(Token::Word(word));
    }
    out
}

/// Builds lines; `finish` merges neighbouring atoms of one style into fragments.
struct Lines {
    max: f64,
    size: f64,
    done: Vec<Line>,
    current: Vec<Atom>,
    width: f64,
}

impl Lines {
    fn finish(&mut self) {
        let mut line = Line::default();
        for a in self.current.drain(..) {
            match line.frags.last_mut() {
                Some(f) if f.style == a.style && f.link == a.link => {
                    f.text.push_str(&a.text);
                    f.width += a.width;
                }
                _ => line.frags.push(Frag {
                    text: a.text,
                    style: a.style,
                    link: a.link,
                    x: line.width,
                    width: a.width,
                }),
            }
            line.width += a.width;
        }
        self.done.push(line);
        self.width = 0.0;
    }

    /// A word wider than a whole line (it starts on a fresh line): broken between
    /// characters, after a `/`, `-` or similar when the line has one (URLs, paths).
    fn by_characters(&mut self, atoms: Vec<Atom>) {
        for a in atoms {
            for c in a.text.chars() {
                let piece = atom(c.to_string(), a.style, &a.link, self.size);
                if !self.current.is_empty() && self.width + piece.width > self.max + EPSILON {
                    let after = self.current.iter().rposition(|p| {
                        matches!(p.text.as_str(), "/" | "-" | "_" | "." | "?" | "&" | "=")
                    });
                    let tail = match after {
                        Some(i) if i + 1 < self.current.len() => self.current.split_off(i + 1),
                        _ => Vec::new(),
                    };
                    self.finish();
                    self.width = tail.iter().map(|p| p.width).sum();
                    self.current = tail;
                }
                self.width += piece.width;
                self.current.push(piece);
            }
        }
    }
}

/// Rounding slack, so text measured to exactly the width still fits.
const EPSILON: f64 = 0.01;

/// `runs` wrapped to `max` points. Always at least one line (possibly empty).
pub(crate) fn wrap(runs: &[Run], font: Font, max: f64) -> Vec<Line> {
    let mut lines = Lines {
        max,
        size: font.size,
        done: Vec::new(),
        current: Vec::new(),
        width: 0.0,
    };
    let mut spaces: Vec<Atom> = Vec::new();
    for token in tokens(runs, font) {
        match token {
            // Spaces at a line start are dropped; others wait for the next word.
            Token::Space(a) => {
                if !lines.current.is_empty() {
                    spaces.push(a);
                }
            }
            Token::Break => {
                lines.finish();
                spaces.clear();
            }
            Token::Word(atoms) => {
                let word: f64 = atoms.iter().map(|a| a.width).sum();
                let gap: f64 = spaces.iter().map(|a| a.width).sum();
                if !lines.current.is_empty() && lines.width + gap + word <= max + EPSILON {
                    lines.width += gap + word;
                    lines.current.append(&mut spaces);
                    lines.current.extend(atoms);
                    continue;
                }
                spaces.clear();
                if !lines.current.is_empty() {
                    lines.finish();
                }
                if word > max + EPSILON {
                    lines.by_characters(atoms);
                } else {
                    lines.width = word;
                    lines.current = atoms;
                }
            }
        }
    }
    if !lines.current.is_empty() || lines.done.is_empty() {
        lines.finish();
    }
    lines.done
}

/// The widest word and the widest unwrapped line of `runs`: a table column's minimum and
/// preferred content widths.
pub(crate) fn measure(runs: &[Run], font: Font) -> (f64, f64) {
    let (mut widest_word, mut widest_line, mut line) = (0.0f64, 0.0f64, 0.0f64);
    for token in tokens(runs, font) {
        match token {
            Token::Word(atoms) => {
                let w: f64 = atoms.iter().map(|a| a.width).sum();
                widest_word = widest_word.max(w);
                line += w;
            }
            Token::Space(a) => line += a.width,
            Token::Break => {
                widest_line = widest_line.max(line);
                line = 0.0;
            }
        }
    }
    (widest_word, widest_line.max(line))
}

/// Plain text of runs, for bookmarks and metadata.
pub(crate) fn plain(runs: &[Run]) -> String {
    let text: String = runs.iter().map(|r| r.text.as_str()).collect();
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Where the baseline sits below the top of a line box of `height` for text of `size`:
/// the glyphs (ascent 0.905 em, descent 0.212 em) centred in the box.
pub(crate) fn baseline(height: f64, size: f64) -> f64 {
    (height - size * 1.117) / 2.0 + size * 0.905
}

/// A string drawn on its own.
struct Piece {
    x: f64,
    text: String,
    style: Style,
    link: bool,
}

/// How a line is cut into drawn strings. Spaces next to a style change are left as gaps,
/// the last word is a string of its own, and a one-string line ends with its space drawn
/// separately: text extractors that place breaks by where strings start (pdf-extract,
/// which reads krilla's width arrays as all zero) then see one space between words and a
/// line break between lines.
fn pieces(line: &Line, size: f64) -> Vec<Piece> {
    let mut out: Vec<Piece> = Vec::new();
    for f in &line.frags {
        let text = f.text.trim_matches(' ');
        if text.is_empty() {
            continue;
        }
        let lead = &f.text[..f.text.len() - f.text.trim_start_matches(' ').len()];
        out.push(Piece {
            x: f.x + fonts::text_width(lead, size, f.style),
            text: text.to_string(),
            style: f.style,
            link: f.link.is_some(),
        });
    }
    if let Some(last) = out.last_mut()
        && let Some(space) = last.text.rfind(' ')
    {
        let head = last.text[..space].to_string();
        let tail = Piece {
            x: last.x + fonts::text_width(&last.text[..=space], size, last.style),
            text: last.text[space + 1..].to_string(),
            style: last.style,
            link: last.link,
        };
        last.text = head;
        out.push(tail);
    }
    if let [only] = out.as_slice() {
        out.push(Piece {
            x: line.width,
            text: " ".into(),
            style: only.style,
            link: false,
        });
    }
    out
}

/// Drawing items for one line starting at `x` with its baseline at `y`: the text, and for
/// links an underline and a clickable area.
pub(crate) fn draw(line: &Line, x: f64, y: f64, size: f64, color: Rgb, items: &mut Vec<Item>) {
    for p in pieces(line, size) {
        items.push(Item::Text {
            x: x + p.x,
            y,
            text: p.text,
            style: p.style,
            size,
            color: if p.link { LINK_BLUE } else { color },
        });
    }
    for f in &line.frags {
        let Some(url) = &f.link else { continue };
        let left = x + f.x;
        let thickness = size * 0.06;
        items.push(Item::Rect {
            x: left,
            y: y + size * 0.12 - thickness / 2.0,
            w: f.width,
            h: thickness,
            color: LINK_BLUE,
        });
        items.push(Item::Link {
            x: left,
            y: y - size * 0.95,
            w: f.width,
            h: size * 1.2,
            url: url.clone(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::blocks::runs;

    fn texts(lines: &[Line]) -> Vec<String> {
        lines
            .iter()
            .map(|l| l.frags.iter().map(|f| f.text.as_str()).collect())
            .collect()
    }

    #[test]
    fn mixed_runs_wrap_within_the_width_and_keep_every_word() {
        let text = "Revenue rose **12% this quarter**, while *costs* held flat; see [the ledger](https://example.com) for details.";
        let font = Font::new(11.0, false, false);
        let lines = wrap(&runs(text), font, 120.0);
        assert!(lines.len() > 2);
        for l in &lines {
            assert!(l.width <= 120.0 + EPSILON, "{l:?}");
        }
        let joined = texts(&lines).join(" ");
        assert_eq!(
            joined,
            "Revenue rose 12% this quarter, while costs held flat; see the ledger for details."
        );
        let bold = lines
            .iter()
            .flat_map(|l| &l.frags)
            .find(|f| f.text.contains("12%"))
            .map(|f| f.style);
        assert_eq!(bold, Some(Style::Bold));
    }

    #[test]
    fn long_words_break_and_missing_glyphs_show() {
        let font = Font::new(11.0, false, false);
        let lines = wrap(&runs("abcdefghijklmnopqrstuvwxyz"), font, 40.0);
        assert!(lines.len() > 2);
        assert_eq!(texts(&lines).concat(), "abcdefghijklmnopqrstuvwxyz");
        let lines = wrap(&runs("tea 🍵 and 日本\tok\u{200B}"), font, 400.0);
        assert_eq!(texts(&lines), ["tea ? and ?? ok"]);
        assert_eq!(texts(&wrap(&runs("a\nb"), font, 400.0)), ["a", "b"]);
        assert_eq!(texts(&wrap(&runs(""), font, 400.0)), [""]);
    }
}
