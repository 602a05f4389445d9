//! Laying slabs onto pages: a slab goes on the current page if it fits (with the slabs it
//! must stay with), else on a new one; a table continuing on a new page gets its header
//! again.
use super::{BODY_H, BOTTOM, Item, Kind, PAGE_H, Slab, TOP};

pub(crate) struct Page {
    pub items: Vec<Item>,
    /// Carries "Page N" in the footer (every page but the title page).
    pub numbered: bool,
}

/// Where a heading landed, for the PDF outline.
pub(crate) struct Bookmark {
    pub level: u8,
    pub text: String,
    pub page: usize,
    pub y: f64,
}

/// Rounding slack.
const EPSILON: f64 = 0.01;

/// Body pages for `slabs`, numbered after `before` pages (the title page).
pub(crate) fn paginate(
    slabs: &[Slab],
    headers: &[Slab],
    before: usize,
) -> (Vec<Page>, Vec<Bookmark>) {
    let bottom = PAGE_H - BOTTOM;
    let mut pages = Vec::new();
    let mut bookmarks = Vec::new();
    let mut items: Vec<Item> = Vec::new();
    let mut y = TOP;
    let mut empty = true;
    for (i, slab) in slabs.iter().enumerate() {
        if slab.kind == Kind::PageBreak {
            // A break on a page with nothing on it would only leave a blank page.
            if !empty {
                pages.push(std::mem::take(&mut items));
                (y, empty) = (TOP, true);
            }
            continue;
        }
        if !empty {
            let group = group_height(slabs, i);
            // A group taller than a page cannot stay together; then only this slab counts.
            let need = if group <= BODY_H { group } else { slab.height };
            if y + slab.gap + need > bottom + EPSILON {
                pages.push(std::mem::take(&mut items));
                (y, empty) = (TOP, true);
            }
        }
        // A row first on a page: the table continues here, under its header again.
        if empty
            && let Kind::TableRow(t) = slab.kind
            && let Some(header) = headers.get(t)
        {
            items.extend(header.items.iter().map(|item| item.moved(y)));
            y += header.height;
            empty = false;
        }
        let top = if empty { y } else { y + slab.gap };
        items.extend(slab.items.iter().map(|item| item.moved(top)));
        if let Kind::Heading(level, text) = &slab.kind {
            bookmarks.push(Bookmark {
                level: *level,
                text: text.clone(),
                page: before + pages.len(),
                y: top,
            });
        }
        y = top + slab.height;
        empty = false;
    }
    if !empty || (pages.is_empty() && before == 0) {
        pages.push(items);
    }
    let pages = pages
        .into_iter()
        .map(|items| Page {
            items,
            numbered: true,
        })
        .collect();
    (pages, bookmarks)
}

/// The height of slab `i` and every slab it must stay with, stopping once past a page.
fn group_height(slabs: &[Slab], i: usize) -> f64 {
    let mut height = slabs[i].height;
    let mut j = i;
    while slabs[j].keep
        && let Some(next) = slabs.get(j + 1)
        && next.kind != Kind::PageBreak
        && height <= BODY_H
    {
        height += next.gap + next.height;
        j += 1;
    }
    height
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slab(height: f64, keep: bool, kind: Kind, label: &str) -> Slab {
        Slab {
            height,
            gap: 0.0,
            items: vec![Item::Text {
                x: 0.0,
                y: 0.0,
                text: label.into(),
                style: crate::fonts::Style::Regular,
                size: 11.0,
                color: super::super::TEXT,
            }],
            keep,
            kind,
        }
    }

    fn labels(page: &Page) -> Vec<&str> {
        page.items
            .iter()
            .filter_map(|i| match i {
                Item::Text { text, .. } => Some(text.as_str()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn headings_keep_with_what_follows_and_tables_repeat_their_header() {
        // 40 points left after the filler: room for the heading, not for it and a line.
        let slabs = vec![
            slab(BODY_H - 40.0, false, Kind::Plain, "filler"),
            slab(25.0, true, Kind::Heading(2, "H".into()), "heading"),
            slab(20.0, false, Kind::Plain, "line"),
            slab(20.0, true, Kind::TableHeader, "header"),
            slab(BODY_H - 100.0, false, Kind::TableRow(0), "row 1"),
            slab(60.0, false, Kind::TableRow(0), "row 2"),
        ];
        let headers = vec![slabs[3].clone()];
        let (pages, bookmarks) = paginate(&slabs, &headers, 1);
        let pages: Vec<Vec<&str>> = pages.iter().map(labels).collect();
        assert_eq!(
            pages,
            [
                vec!["filler"],
                vec!["heading", "line", "header", "row 1"],
                vec!["header", "row 2"]
            ]
        );
        assert_eq!((bookmarks[0].page, bookmarks[0].y), (2, TOP));
    }

    #[test]
    fn page_breaks_never_leave_blank_pages() {
        let slabs = vec![
            slab(0.0, false, Kind::PageBreak, ""),
            slab(20.0, false, Kind::Plain, "a"),
            slab(0.0, false, Kind::PageBreak, ""),
            slab(0.0, false, Kind::PageBreak, ""),
            slab(20.0, false, Kind::Plain, "b"),
            slab(0.0, false, Kind::PageBreak, ""),
        ];
        let (pages, _) = paginate(&slabs, &[], 0);
        let pages: Vec<Vec<&str>> = pages.iter().map(labels).collect();
        assert_eq!(pages, [vec!["a"], vec!["b"]]);
    }
}
