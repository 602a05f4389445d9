//! Tables: columns as wide as their content asks (within the text width), wrapped cells,
//! a navy header row that is repeated on every page the table spans, banded rows, and
//! rows too tall for a page cut between lines so no text is lost. Tables too wide for
//! 10 pt are set smaller, down to 7 pt, before words are broken.
use super::text::{self, Font, Line};
use super::{BAND, BORDER, Item, Kind, LEFT, NAVY, Rgb, Slab, TEXT, TEXT_W, WHITE};
use crate::blocks::{Run, runs};

/// Type size with the line height and cell padding that go with it.
struct Scale {
    size: f64,
    line: f64,
    pad_x: f64,
    pad_y: f64,
}

const SCALES: [Scale; 4] = [
    Scale {
        size: 10.0,
        line: 13.0,
        pad_x: 5.0,
        pad_y: 3.5,
    },
    Scale {
        size: 9.0,
        line: 11.7,
        pad_x: 4.0,
        pad_y: 3.0,
    },
    Scale {
        size: 8.0,
        line: 10.4,
        pad_x: 3.5,
        pad_y: 2.5,
    },
    Scale {
        size: 7.0,
        line: 9.1,
        pad_x: 3.0,
        pad_y: 2.0,
    },
];

const RULE: f64 = 0.5;
/// Cells up to this wide (labels, amounts, dates) are not wrapped when there is room.
const SHORT_CELL: f64 = 110.0;
/// No column narrower than this, padding included.
const MIN_COLUMN: f64 = 20.0;
/// Words wider than this (URLs, long codes) are broken wherever needed rather than set
/// smaller for.
const LONG_WORD: f64 = 90.0;

#[derive(Clone, Copy, PartialEq)]
enum Align {
    Left,
    Right,
}

/// What a table is set with: type size, column widths and alignments.
struct Setting<'a> {
    scale: &'a Scale,
    widths: Vec<f64>,
    align: Vec<Align>,
}

/// The header slab and the row slabs of table `id`; no slab is taller than `max_height`.
pub(crate) fn table(
    header: &[String],
    rows: &[Vec<String>],
    id: usize,
    max_height: f64,
) -> (Slab, Vec<Slab>) {
    let columns = header.len();
    let head_runs: Vec<Vec<Run>> = header.iter().map(|h| runs(h)).collect();
    let body_runs: Vec<Vec<Vec<Run>>> = rows
        .iter()
        .map(|row| {
            (0..columns)
                .map(|c| runs(row.get(c).map(String::as_str).unwrap_or_default()))
                .collect()
        })
        .collect();
    let align: Vec<Align> = (0..columns)
        .map(|c| {
            let mut cells = rows.iter().filter_map(|r| r.get(c)).map(|t| t.trim());
            let mut any = false;
            let all = cells.all(|t| {
                any |= !t.is_empty();
                t.is_empty() || numeric(t)
            });
            if all && any {
                Align::Right
            } else {
                Align::Left
            }
        })
        .collect();

    // The largest size at which every word fits its column, else the smallest.
    let needs = |scale: &Scale| column_needs(&head_runs, &body_runs, scale);
    let fits = |words: &[f64]| words.iter().map(|w| w.min(LONG_WORD)).sum::<f64>() <= TEXT_W;
    let scale = SCALES
        .iter()
        .find(|scale| fits(&needs(scale).0))
        .unwrap_or(&SCALES[SCALES.len() - 1]);
    let (words, min, preferred) = needs(scale);
    // Short cells stay whole when the table has room for that; else only words do.
    let min = if min.iter().sum::<f64>() <= TEXT_W {
        min
    } else {
        words
    };
    let setting = Setting {
        scale,
        widths: widths(&min, &preferred, TEXT_W),
        align,
    };

    let head_font = Font::new(scale.size, true, false);
    let body_font = Font::new(scale.size, false, false);
    let head_lines = wrap_row(&head_runs, head_font, &setting);
    let mut head = row_slab(&head_lines, &setting, Some(NAVY), WHITE);
    head.kind = Kind::TableHeader;
    head.keep = true;

    // Lines per slab when a row must be cut: what fits under the repeated header.
    let room = ((max_height - head.height - 2.0 * scale.pad_y) / scale.line)
        .floor()
        .max(1.0) as usize;
    let mut slabs = Vec::new();
    for (r, row) in body_runs.iter().enumerate() {
        let lines = wrap_row(row, body_font, &setting);
        let band = (r % 2 == 1).then_some(BAND);
        let tallest = lines.iter().map(Vec::len).max().unwrap_or(1);
        let mut start = 0;
        while start < tallest.max(1) {
            let part: Vec<Vec<Line>> = lines
                .iter()
                .map(|cell| cell.iter().skip(start).take(room).cloned().collect())
                .collect();
            let mut slab = row_slab(&part, &setting, band, TEXT);
            slab.kind = Kind::TableRow(id);
            slabs.push(slab);
            start += room;
        }
    }
    (head, slabs)
}

/// Per column at `scale`, padding included: the widest word, the widest cell with short
/// cells kept whole, and the widest unwrapped cell.
fn column_needs(
    head: &[Vec<Run>],
    body: &[Vec<Vec<Run>>],
    scale: &Scale,
) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let columns = head.len();
    let mut words = vec![MIN_COLUMN; columns];
    let mut min = vec![MIN_COLUMN; columns];
    let mut preferred = vec![MIN_COLUMN; columns];
    let head_font = Font::new(scale.size, true, false);
    let body_font = Font::new(scale.size, false, false);
    let cells = head
        .iter()
        .enumerate()
        .map(|(c, r)| (c, r, head_font))
        .chain(
            body.iter()
                .flat_map(|row| row.iter().enumerate().map(|(c, r)| (c, r, body_font))),
        );
    for (c, r, font) in cells {
        let (word, line) = text::measure(r, font);
        let (word, line) = (word + 2.0 * scale.pad_x, line + 2.0 * scale.pad_x);
        words[c] = words[c].max(word);
        min[c] = min[c].max(if line <= SHORT_CELL { line } else { word });
        preferred[c] = preferred[c].max(line);
    }
    (words, min, preferred)
}

fn wrap_row(cells: &[Vec<Run>], font: Font, setting: &Setting) -> Vec<Vec<Line>> {
    cells
        .iter()
        .zip(&setting.widths)
        .map(|(r, w)| text::wrap(r, font, w - 2.0 * setting.scale.pad_x))
        .collect()
}

/// Needs brought down to `total` by trimming only the widest: every column keeps its
/// need up to a common level, so short words stay whole and the longest (a URL) is the
/// one broken.
fn level(need: &[f64], total: f64) -> Vec<f64> {
    let mut sorted = need.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mut below = 0.0;
    for (k, n) in sorted.iter().enumerate() {
        let level = (total - below) / (sorted.len() - k) as f64;
        if level <= *n {
            return need.iter().map(|x| x.min(level)).collect();
        }
        below += n;
    }
    need.to_vec()
}

/// Column widths filling `total`: each column's preferred width when all fit, else its
/// minimum plus a share of the room left in proportion to how much more it wants.
fn widths(min: &[f64], preferred: &[f64], total: f64) -> Vec<f64> {
    // One long word must not take most of the table, nor the minimums more than all.
    let capped: Vec<f64> = min.iter().map(|m| m.min(total * 0.45)).collect();
    let min = level(&capped, total);
    let preferred: Vec<f64> = preferred.iter().zip(&min).map(|(p, m)| p.max(*m)).collect();
    let (sum_min, sum_preferred) = (min.iter().sum::<f64>(), preferred.iter().sum::<f64>());
    if sum_preferred <= total {
        let spare = total - sum_preferred;
        preferred
            .iter()
            .map(|p| p + spare * p / sum_preferred)
            .collect()
    } else if sum_min <= total {
        let (spare, flex) = (total - sum_min, sum_preferred - sum_min);
        min.iter()
            .zip(&preferred)
            .map(|(m, p)| m + spare * (p - m) / flex)
            .collect()
    } else {
        min.iter().map(|m| total * m / sum_min).collect()
    }
}

/// Amounts, percentages, counts: set flush right so digits line up.
fn numeric(text: &str) -> bool {
    text.chars().any(|c| c.is_ascii_digit())
        && text
            .chars()
            .all(|c| c.is_ascii_digit() || ".,%$€£¥+-−() ".contains(c))
}

fn row_slab(cells: &[Vec<Line>], setting: &Setting, fill: Option<Rgb>, color: Rgb) -> Slab {
    let scale = setting.scale;
    let tallest = cells.iter().map(Vec::len).max().unwrap_or(1).max(1);
    let height = tallest as f64 * scale.line + 2.0 * scale.pad_y;
    let total: f64 = setting.widths.iter().sum();
    let mut items = Vec::new();
    if let Some(fill) = fill {
        items.push(Item::Rect {
            x: LEFT,
            y: 0.0,
            w: total,
            h: height,
            color: fill,
        });
    }
    let mut x = LEFT;
    for ((lines, w), a) in cells.iter().zip(&setting.widths).zip(&setting.align) {
        for (n, line) in lines.iter().enumerate() {
            let left = match a {
                Align::Left => x + scale.pad_x,
                Align::Right => x + w - scale.pad_x - line.width,
            };
            let y = scale.pad_y + n as f64 * scale.line + text::baseline(scale.line, scale.size);
            text::draw(line, left, y, scale.size, color, &mut items);
        }
        x += w;
    }
    // Grid: top and bottom of the row, and every column edge.
    for y in [0.0, height] {
        items.push(Item::Rect {
            x: LEFT,
            y: y - RULE / 2.0,
            w: total,
            h: RULE,
            color: BORDER,
        });
    }
    let mut x = LEFT;
    for edge in 0..=setting.widths.len() {
        items.push(Item::Rect {
            x: x - RULE / 2.0,
            y: 0.0,
            w: RULE,
            h: height,
            color: BORDER,
        });
        x += setting.widths.get(edge).copied().unwrap_or_default();
    }
    Slab {
        height,
        gap: 0.0,
        items,
        keep: false,
        kind: Kind::Plain,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_follow_their_content_and_fill_the_width() {
        let w = widths(&[30.0, 30.0], &[40.0, 120.0], 400.0);
        assert!((w.iter().sum::<f64>() - 400.0).abs() < 1e-6);
        assert!(w[1] > 2.5 * w[0], "{w:?}");
        let w = widths(&[50.0, 60.0, 40.0], &[300.0, 500.0, 60.0], 400.0);
        assert!((w.iter().sum::<f64>() - 400.0).abs() < 1e-6);
        assert!(
            w.iter().zip([50.0, 60.0, 40.0]).all(|(w, m)| *w >= m),
            "{w:?}"
        );
        assert!(numeric("$1,020.75") && numeric("60.2%") && !numeric("Q3") && !numeric("-"));
    }

    #[test]
    fn wide_tables_are_set_smaller_rather_than_breaking_numbers() {
        let header: Vec<String> = (0..12).map(|c| format!("C{c}")).collect();
        let row: Vec<String> = (0..12).map(|c| format!("{},234.56", c + 10)).collect();
        let (head, rows) = table(&header, &[row], 0, 600.0);
        let texts: Vec<&str> = rows[0]
            .items
            .iter()
            .filter_map(|i| match i {
                Item::Text { text, size, .. } => {
                    assert!(*size < 10.0);
                    Some(text.as_str())
                }
                _ => None,
            })
            .collect();
        assert!(texts.contains(&"21,234.56"), "{texts:?}");
        assert!(head.keep && head.kind == Kind::TableHeader);
    }
}
