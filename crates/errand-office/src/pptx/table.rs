//! Table slides: a real table with the header in the accent colour and banded rows, cell
//! text sized to fit, rows continued on further slides with the header repeated.
use super::compose::{Deck, field};
use super::draw::{Align, Cell};
use super::fit::{self, LINE, Measured, sizes};
use super::geom::{BODY_H, BODY_Y, CONTENT_W, EMU_PER_PT, MARGIN_X, pt_to_emu};
use super::parts::{Layout, TEXT};
use crate::OfficeError;
use crate::blocks::{Run, runs};

const TABLE_SIZES: (f64, f64) = (16.0, 10.0);

/// Columns whose cells all read as numbers (amounts, percentages) are right-aligned.
fn numeric(text: &str) -> bool {
    let t = text.trim();
    let t = t.trim_start_matches(['+', '-', '−', '(']);
    let t = t.trim_start_matches(['$', '€', '£', '¥']);
    let t = t.trim_end_matches([')', '%', 'k', 'K', 'm', 'M', 'b', 'B', 'x']);
    t.chars().any(|c| c.is_ascii_digit())
        && t.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ',' | '.' | ' '))
}

/// Shares `total` between columns: narrow columns get what they need, wide ones split the
/// rest evenly; if everything fits, all grow in proportion.
fn column_widths(natural: &[f64], total: f64) -> Vec<f64> {
    let sum: f64 = natural.iter().sum();
    if sum <= total && sum > 0.0 {
        return natural.iter().map(|w| w * total / sum).collect();
    }
    let mut order: Vec<usize> = (0..natural.len()).collect();
    order.sort_by(|&a, &b| natural[a].total_cmp(&natural[b]));
    let mut widths = vec![0.0; natural.len()];
    let mut left = total;
    for (k, &c) in order.iter().enumerate() {
        let share = left / (natural.len() - k) as f64;
        widths[c] = natural[c].min(share);
        left -= widths[c];
    }
    widths
}

impl Deck {
    pub(super) fn table(
        &mut self,
        i: usize,
        title: &str,
        header: &[String],
        rows: &[Vec<String>],
        notes: &Option<String>,
    ) -> Result<(), OfficeError> {
        let columns = header.len();
        if columns == 0 {
            return Err(field(i, "header", "a table needs column headers"));
        }
        for (j, row) in rows.iter().enumerate() {
            if row.len() > columns {
                return Err(field(
                    i,
                    &format!("rows[{j}]"),
                    &format!(
                        "{} cells for {columns} header columns; give one cell per column",
                        row.len()
                    ),
                ));
            }
        }
        let cell = |text: &str, bold: bool| {
            let runs = runs(text);
            let m = Measured::new(&runs, bold);
            (runs, m)
        };
        let head: Vec<(Vec<Run>, Measured)> = header.iter().map(|h| cell(h, true)).collect();
        let body: Vec<Vec<(Vec<Run>, Measured)>> = rows
            .iter()
            .map(|row| {
                (0..columns)
                    .map(|c| cell(row.get(c).map(String::as_str).unwrap_or_default(), false))
                    .collect()
            })
            .collect();
        let aligns: Vec<Align> = (0..columns)
            .map(|c| {
                let mut cells = rows
                    .iter()
                    .filter_map(|r| r.get(c))
                    .filter(|t| !t.trim().is_empty())
                    .peekable();
                if cells.peek().is_some() && cells.all(|t| numeric(t)) {
                    Align::Right
                } else {
                    Align::Left
                }
            })
            .collect();
        let margin_x = super::draw::CELL_MARGIN_X as f64 / EMU_PER_PT;
        let margin_y = super::draw::CELL_MARGIN_Y as f64 / EMU_PER_PT;
        let total = CONTENT_W as f64 / EMU_PER_PT;
        let capacity = BODY_H as f64 / EMU_PER_PT;
        let widths_at = |s: f64| {
            let natural: Vec<f64> = (0..columns)
                .map(|c| {
                    let widest = body
                        .iter()
                        .map(|row| row[c].1.width(s))
                        .fold(head[c].1.width(s), f64::max);
                    widest + 2.0 * margin_x + 1.0
                })
                .collect();
            column_widths(&natural, total)
        };
        let row_h = |cells: &[(Vec<Run>, Measured)], widths: &[f64], s: f64| {
            cells
                .iter()
                .zip(widths)
                .map(|((_, m), w)| m.lines(s, w - 2.0 * margin_x) as f64 * LINE * s)
                .fold(0.0, f64::max)
                + 2.0 * margin_y
        };
        let (size, (widths, head_h, row_heights, pages)) = fit::paginate(
            &sizes(TABLE_SIZES.0, TABLE_SIZES.1, 1.0),
            |s| {
                let widths = widths_at(s);
                let head_h = row_h(&head, &widths, s);
                if head_h > capacity / 2.0 {
                    return Err(usize::MAX);
                }
                let heights: Vec<f64> = body.iter().map(|r| row_h(r, &widths, s)).collect();
                let pages = fit::balance(&heights, capacity - head_h)?;
                Ok((widths, head_h, heights, pages))
            },
            |t| t.3.len(),
        )
        .map_err(|j| {
            if j == usize::MAX {
                field(i, "header", "too much text for a table header; shorten it")
            } else {
                field(
                    i,
                    &format!("rows[{j}]"),
                    "too much text for one slide; shorten it",
                )
            }
        })?;
        // Column widths in EMU adding up exactly to the content width.
        let mut grid: Vec<i64> = widths.iter().map(|w| (w * EMU_PER_PT) as i64).collect();
        let used: i64 = grid.iter().sum();
        if let Some(last) = grid.last_mut() {
            *last += CONTENT_W - used;
        }
        let palette = self.palette.clone();
        for (k, page) in pages.into_iter().enumerate() {
            let mut xml = self.continued(i, title, k)?;
            let mut table_rows: Vec<(i64, Vec<Cell<'_>>)> = Vec::new();
            table_rows.push((
                pt_to_emu(head_h),
                head.iter()
                    .zip(&aligns)
                    .map(|((runs, _), &align)| Cell {
                        runs,
                        bold: true,
                        colour: &palette.on_accent,
                        fill: &palette.accent,
                        align,
                    })
                    .collect(),
            ));
            for (r, row) in body[page.clone()].iter().enumerate() {
                let fill = if r % 2 == 1 {
                    palette.pale.as_str()
                } else {
                    "FFFFFF"
                };
                table_rows.push((
                    pt_to_emu(row_heights[page.start + r]),
                    row.iter()
                        .zip(&aligns)
                        .map(|((runs, _), &align)| Cell {
                            runs,
                            bold: false,
                            colour: TEXT,
                            fill,
                            align,
                        })
                        .collect(),
                ));
            }
            xml.table(MARGIN_X, BODY_Y, &grid, &table_rows, size);
            self.push(xml, Layout::TitleOnly, notes.clone().filter(|_| k == 0));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_recognised_and_columns_shared() {
        for yes in ["12", "$1,020.75", "-3.5%", "(42)", "4.2M", "€ 300"] {
            assert!(numeric(yes), "{yes}");
        }
        for no in ["Travel", "Q3", "2026-10-05", ""] {
            assert!(!numeric(no), "{no}");
        }
        let w = column_widths(&[50.0, 400.0, 600.0], 800.0);
        assert_eq!(w[0], 50.0);
        assert!(
            (w[1] - 375.0).abs() < 1e-9 && (w[2] - 375.0).abs() < 1e-9,
            "{w:?}"
        );
        let w = column_widths(&[100.0, 300.0], 800.0);
        assert!((w[0] - 200.0).abs() < 1e-9, "{w:?}");
    }
}
