//! Measuring text so it fits its box: line counts from the built-in Arial-metric font, font
//! sizes chosen from a list (largest first), and items split across continuation slides.
use crate::blocks::Run;
use crate::fonts::{self, Style};
use std::ops::Range;

/// Line height as a multiple of the font size; single spacing in Arial is 1.15.
pub(super) const LINE: f64 = 1.2;

/// Widths are Arial's times a margin: where neither Arial nor a metric-compatible font is
/// installed, renderers fall back to a wider sans (DejaVu Sans is up to 15% wider, 25% in
/// bold), and the text must still fit there.
fn slack(style: Style) -> f64 {
    match style {
        Style::Bold | Style::BoldItalic => 1.25,
        Style::Regular | Style::Italic => 1.16,
    }
}

/// Text ready for measuring: per paragraph (split at newlines), per word, the width of each
/// character at 1 pt.
#[derive(Debug, Clone)]
pub(super) struct Measured {
    paragraphs: Vec<Vec<Vec<f64>>>,
    space: f64,
}

impl Measured {
    /// `bold` forces bold on every run (headings, table headers).
    pub fn new(runs: &[Run], bold: bool) -> Measured {
        let mut paragraphs: Vec<Vec<Vec<f64>>> = vec![Vec::new()];
        let mut word: Vec<f64> = Vec::new();
        let mut buf = [0u8; 4];
        for run in runs {
            let style = Style::new(run.bold || bold, run.italic);
            for c in run.text.chars() {
                if c.is_whitespace() {
                    if !word.is_empty()
                        && let Some(p) = paragraphs.last_mut()
                    {
                        p.push(std::mem::take(&mut word));
                    }
                    if c == '\n' {
                        paragraphs.push(Vec::new());
                    }
                } else {
                    let width = fonts::text_width(c.encode_utf8(&mut buf), 1.0, style);
                    word.push(width * slack(style));
                }
            }
        }
        if !word.is_empty()
            && let Some(p) = paragraphs.last_mut()
        {
            p.push(word);
        }
        Measured {
            paragraphs,
            space: fonts::text_width(" ", 1.0, Style::Regular) * slack(Style::Regular),
        }
    }

    /// Lines the text takes at `size` points wrapped to `max_width` points: greedy, words
    /// kept whole unless wider than a line (then broken by characters).
    pub fn lines(&self, size: f64, max_width: f64) -> usize {
        let space = self.space * size;
        let mut count = 0;
        for paragraph in &self.paragraphs {
            count += 1;
            let mut line = 0.0;
            let mut empty = true;
            for word in paragraph {
                let width: f64 = word.iter().sum::<f64>() * size;
                if !empty && line + space + width <= max_width {
                    line += space + width;
                    continue;
                }
                if !empty {
                    count += 1;
                }
                if width <= max_width {
                    line = width;
                    empty = false;
                    continue;
                }
                line = 0.0;
                empty = true;
                for c in word {
                    let w = c * size;
                    if !empty && line + w > max_width {
                        count += 1;
                        line = w;
                    } else {
                        line += w;
                    }
                    empty = false;
                }
            }
        }
        count
    }

    /// Height of the wrapped text at `size`, in points.
    pub fn height(&self, size: f64, max_width: f64) -> f64 {
        self.lines(size, max_width) as f64 * LINE * size
    }

    /// Width of the widest paragraph set on one line, in points.
    pub fn width(&self, size: f64) -> f64 {
        self.paragraphs
            .iter()
            .map(|p| {
                let words: f64 = p.iter().flatten().sum();
                (words + self.space * p.len().saturating_sub(1) as f64) * size
            })
            .fold(0.0, f64::max)
    }
}

/// The largest of `sizes` (largest first) at which the text fits `width` × `height` points.
pub(super) fn block_size(text: &Measured, sizes: &[f64], width: f64, height: f64) -> Option<f64> {
    sizes
        .iter()
        .copied()
        .find(|&s| text.height(s, width) <= height)
}

/// A title's size: the largest of `single` at which it stays on one line, else the largest
/// of `wrapped` at which its lines fit the height.
pub(super) fn title_size(
    text: &Measured,
    single: &[f64],
    wrapped: &[f64],
    width: f64,
    height: f64,
) -> Option<f64> {
    single
        .iter()
        .copied()
        .find(|&s| text.lines(s, width) == 1 && LINE * s <= height)
        .or_else(|| block_size(text, wrapped, width, height))
}

/// Consecutive items in pages whose heights add up to at most `capacity`, filled greedily;
/// `Err(index)` names an item taller than a page.
pub(super) fn pack(heights: &[f64], capacity: f64) -> Result<Vec<Range<usize>>, usize> {
    let mut pages = Vec::new();
    let mut start = 0;
    let mut used = 0.0;
    for (i, &h) in heights.iter().enumerate() {
        if h > capacity {
            return Err(i);
        }
        if i > start && used + h > capacity {
            pages.push(start..i);
            start = i;
            used = 0.0;
        }
        used += h;
    }
    pages.push(start..heights.len());
    Ok(pages)
}

/// As many pages as greedy filling needs, with the items spread evenly over them, so the
/// last continuation slide is not a lone leftover.
pub(super) fn balance(heights: &[f64], capacity: f64) -> Result<Vec<Range<usize>>, usize> {
    let pages = pack(heights, capacity)?;
    let n = pages.len();
    if n <= 1 {
        return Ok(pages);
    }
    // Page count only falls as capacity grows: find the least capacity giving the same count.
    let mut low = heights.iter().copied().fold(0.0, f64::max);
    let mut high = capacity;
    for _ in 0..40 {
        let mid = (low + high) / 2.0;
        match pack(heights, mid) {
            Ok(p) if p.len() <= n => high = mid,
            _ => low = mid,
        }
    }
    pack(heights, high)
}

/// The size to set a paginated block at: the largest of `sizes` (largest first) that needs
/// no more pages than the smallest size does, with its layout. `layout` returns the pages
/// at a size, or the index of an item that cannot fit one page; only the smallest size's
/// failure is final.
pub(super) fn paginate<T>(
    sizes: &[f64],
    layout: impl Fn(f64) -> Result<T, usize>,
    pages: impl Fn(&T) -> usize,
) -> Result<(f64, T), usize> {
    let smallest = sizes.last().copied().unwrap_or(12.0);
    let fewest = pages(&layout(smallest)?);
    for &size in sizes {
        if let Ok(t) = layout(size)
            && pages(&t) <= fewest
        {
            return Ok((size, t));
        }
    }
    Ok((smallest, layout(smallest)?))
}

/// `from`, `from - step`, … down to `to`.
pub(super) fn sizes(from: f64, to: f64, step: f64) -> Vec<f64> {
    let mut out = Vec::new();
    let mut s = from;
    while s >= to - 1e-9 {
        out.push(s);
        s -= step;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_counts_agree_with_the_font_wrap_at_a_wider_width() {
        let text = "Quarterly revenue rose in every region except the north, where a supplier delayed everything.";
        let m = Measured::new(&crate::blocks::runs(text), false);
        for width in [120.0, 200.0, 400.0] {
            let ours = m.lines(14.0, width);
            let plain = fonts::wrap(text, 14.0, Style::Regular, width).len();
            assert!(ours >= plain, "{ours} < {plain} at {width}");
            let relaxed = fonts::wrap(text, 14.0, Style::Regular, width / 1.16).len();
            assert_eq!(ours, relaxed, "at {width}");
        }
        assert_eq!(
            Measured::new(&crate::blocks::runs("a\nb"), false).lines(12.0, 500.0),
            2
        );
        assert_eq!(Measured::new(&[], false).lines(12.0, 500.0), 1);
    }

    #[test]
    fn pages_are_balanced_and_sizes_shrink_before_splitting() {
        let heights = vec![10.0; 25];
        let pages = balance(&heights, 100.0).expect("fits");
        assert_eq!(pages.len(), 3);
        // Greedy filling would leave 10, 10, 5.
        assert_eq!(pages, [0..9, 9..18, 18..25]);
        assert_eq!(pack(&[5.0, 120.0], 100.0), Err(1));
        let (size, pages) = paginate(
            &[28.0, 24.0, 20.0, 16.0],
            |s| balance(&[s; 5], 100.0),
            |p| p.len(),
        )
        .expect("fits");
        assert_eq!((size, pages.len()), (20.0, 1));
    }
}
