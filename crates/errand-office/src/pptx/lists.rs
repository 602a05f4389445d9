//! Bullet slides and two-column slides: points sized together, continued on further
//! slides when even the smallest size does not fit.
use super::compose::{Deck, GAP, field, too_long};
use super::draw::{Anchor, Holder, Para};
use super::fit::{self, Measured, sizes};
use super::geom::{
    BODY_BOX, BODY_H, BODY_Y, EMU_PER_PT, INSET_Y, MARGIN_X, Rect, TWO_COL_W, TWO_COL_X2, pt_to_emu,
};
use super::parts::{Layout, Palette, TEXT};
use crate::OfficeError;
use crate::blocks::{Run, runs};

/// Bullet indents by level (EMU): the text's left edge; the bullet hangs 0.3 in before it.
const INDENT: [i64; 3] = [292_608, 731_520, 1_143_000];
/// Bullet list sizes: the largest that fits is used, 2 pt smaller per sub-level.
const BULLET_SIZES: (f64, f64) = (28.0, 16.0);
const COLUMN_SIZES: (f64, f64) = (24.0, 14.0);

/// A bullet with its level (from leading spaces, two per level) and its measure.
struct Item {
    /// Index in the spec's list, for error messages.
    index: usize,
    level: u8,
    runs: Vec<Run>,
    measured: Measured,
}

fn items(list: &[String]) -> Vec<Item> {
    list.iter()
        .enumerate()
        .filter_map(|(index, text)| {
            let indent: usize = text
                .chars()
                .take_while(|c| c.is_whitespace())
                .map(|c| if c == '\t' { 2 } else { 1 })
                .sum();
            let mut body = text.trim();
            // A bullet marker the writer typed would show twice.
            for marker in ["- ", "• ", "* "] {
                if let Some(rest) = body.strip_prefix(marker) {
                    body = rest.trim_start();
                }
            }
            if body.is_empty() {
                return None;
            }
            let runs = runs(body);
            Some(Item {
                index,
                level: (indent / 2).min(INDENT.len() - 1) as u8,
                measured: Measured::new(&runs, false),
                runs,
            })
        })
        .collect()
}

fn level_size(size: f64, level: u8) -> f64 {
    (size - 2.0 * f64::from(level)).max(12.0)
}

fn space_before(size: f64, level: u8) -> f64 {
    if level == 0 { size * 0.5 } else { size * 0.25 }
}

fn indent_pt(level: u8) -> f64 {
    INDENT[usize::from(level)] as f64 / EMU_PER_PT
}

/// Heights of the items at `size` in a box `width` points wide.
fn heights(items: &[Item], size: f64, width: f64) -> Vec<f64> {
    items
        .iter()
        .map(|it| {
            space_before(size, it.level)
                + it.measured
                    .height(level_size(size, it.level), width - indent_pt(it.level))
        })
        .collect()
}

fn bullet_paras(items: &[Item], size: f64, palette: &Palette) -> Vec<Para> {
    items
        .iter()
        .map(|it| Para {
            bullet: Some((it.level, INDENT[usize::from(it.level)])),
            bullet_colour: Some(palette.ink.clone()),
            space_before: space_before(size, it.level),
            ..Para::new(it.runs.clone(), level_size(size, it.level), TEXT)
        })
        .collect()
}

impl Deck {
    pub(super) fn bullets(
        &mut self,
        i: usize,
        title: &str,
        bullets: &[String],
        notes: &Option<String>,
    ) -> Result<(), OfficeError> {
        let items = items(bullets);
        if items.is_empty() {
            return Err(field(i, "bullets", "no bullet points; give at least one"));
        }
        let (width, capacity) = (BODY_BOX.w_pt(), BODY_BOX.inner_h_pt());
        let (size, pages) = fit::paginate(
            &sizes(BULLET_SIZES.0, BULLET_SIZES.1, 2.0),
            |s| fit::balance(&heights(&items, s, width), capacity),
            Vec::len,
        )
        .map_err(|k| {
            let index = items.get(k).map_or(k, |it| it.index);
            field(
                i,
                &format!("bullets[{index}]"),
                "too long for one slide; split it into shorter points",
            )
        })?;
        for (k, page) in pages.into_iter().enumerate() {
            let mut xml = self.continued(i, title, k)?;
            xml.text(
                "Content",
                Holder::Placeholder("type=\"body\" idx=\"1\""),
                BODY_BOX,
                Anchor::Top,
                &bullet_paras(&items[page], size, &self.palette),
            );
            self.push(xml, Layout::Content, notes.clone().filter(|_| k == 0));
        }
        Ok(())
    }

    pub(super) fn two_column(
        &mut self,
        i: usize,
        title: &str,
        headings: [Option<&str>; 2],
        lists: [&[String]; 2],
        notes: &Option<String>,
    ) -> Result<(), OfficeError> {
        let columns = [items(lists[0]), items(lists[1])];
        if columns.iter().all(Vec::is_empty) {
            return Err(field(
                i,
                "left",
                "both columns are empty; give bullet points",
            ));
        }
        let names = ["left", "right"];
        let column_w = TWO_COL_W as f64 / EMU_PER_PT;
        // Headings share one size and one height, so both lists start level.
        let heading_runs: [Option<Vec<Run>>; 2] = headings.map(|h| h.map(runs));
        let measured: Vec<Measured> = heading_runs
            .iter()
            .flatten()
            .map(|r| Measured::new(r, true))
            .collect();
        // Headings get at most an inch; past that the text is too long for a heading.
        let heading_limit = 72.0;
        let heading_sizes = sizes(22.0, 14.0, 2.0);
        for (side, runs) in heading_runs.iter().enumerate() {
            if let Some(runs) = runs
                && Measured::new(runs, true).height(14.0, column_w) > heading_limit
            {
                let text = headings[side].unwrap_or_default();
                return Err(too_long(i, &format!("{}_heading", names[side]), text));
            }
        }
        let heading_size = heading_sizes
            .iter()
            .copied()
            .find(|&s| {
                measured
                    .iter()
                    .all(|m| m.height(s, column_w) <= heading_limit)
            })
            .unwrap_or(14.0);
        let heading_h = measured
            .iter()
            .map(|m| m.height(heading_size, column_w))
            .fold(0.0, f64::max);
        let heading_box_h = if measured.is_empty() {
            0
        } else {
            pt_to_emu(heading_h) + 2 * INSET_Y
        };
        let body_y = if measured.is_empty() {
            BODY_Y
        } else {
            BODY_Y + heading_box_h + GAP
        };
        let body_h = BODY_Y + BODY_H - body_y;
        let capacity = body_h as f64 / EMU_PER_PT - 2.0 * INSET_Y as f64 / EMU_PER_PT;
        let count = columns[0].len();
        let (size, pages) = fit::paginate(
            &sizes(COLUMN_SIZES.0, COLUMN_SIZES.1, 2.0),
            |s| {
                let left = fit::balance(&heights(&columns[0], s, column_w), capacity)?;
                let right = fit::balance(&heights(&columns[1], s, column_w), capacity)
                    .map_err(|k| k + count)?;
                Ok([left, right])
            },
            |[l, r]| l.len().max(r.len()),
        )
        .map_err(|k| {
            let (side, k) = if k < count { (0, k) } else { (1, k - count) };
            let index = columns[side].get(k).map_or(k, |it| it.index);
            field(
                i,
                &format!("{}[{index}]", names[side]),
                "too long for one slide; split it into shorter points",
            )
        })?;
        let n = pages[0].len().max(pages[1].len());
        let xs = [MARGIN_X, TWO_COL_X2];
        for k in 0..n {
            let mut xml = self.continued(i, title, k)?;
            for side in 0..2 {
                // A list that ended on an earlier slide leaves its column empty here, with
                // no heading over nothing.
                let page = pages[side].get(k).filter(|r| !r.is_empty());
                if k > 0 && page.is_none() {
                    continue;
                }
                if let Some(runs) = &heading_runs[side] {
                    xml.text(
                        "Heading",
                        Holder::TextBox,
                        Rect::new(xs[side], BODY_Y, TWO_COL_W, heading_box_h),
                        Anchor::Bottom,
                        &[Para::new(runs.clone(), heading_size, &self.palette.ink).bold()],
                    );
                    // A hairline under the heading ties it to its list.
                    let y = BODY_Y + heading_box_h + GAP / 2;
                    xml.rect(
                        "Heading Rule",
                        Rect::new(xs[side], y, TWO_COL_W, 9_525),
                        "BFBFBF",
                    );
                }
                if let Some(range) = page {
                    let ph = if side == 0 {
                        "type=\"body\" sz=\"half\" idx=\"1\""
                    } else {
                        "type=\"body\" sz=\"half\" idx=\"2\""
                    };
                    xml.text(
                        "Content",
                        Holder::Placeholder(ph),
                        Rect::new(xs[side], body_y, TWO_COL_W, body_h),
                        Anchor::Top,
                        &bullet_paras(&columns[side][range.clone()], size, &self.palette),
                    );
                }
            }
            self.push(xml, Layout::TwoColumn, notes.clone().filter(|_| k == 0));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leading_spaces_make_sub_points_and_typed_markers_go() {
        let list = [
            "- Top".to_string(),
            "  Sub".into(),
            "    Deeper".into(),
            " ".into(),
        ];
        let it = items(&list);
        let got: Vec<(u8, &str)> = it
            .iter()
            .map(|i| (i.level, i.runs[0].text.as_str()))
            .collect();
        assert_eq!(got, [(0, "Top"), (1, "Sub"), (2, "Deeper")]);
    }
}
