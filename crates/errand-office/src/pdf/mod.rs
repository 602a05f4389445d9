//! A native PDF report writer for the same blocks and house style as the docx writer: A4,
//! navy headings, a title page, bulleted and numbered lists, banded tables with a header
//! row, captioned pictures and vector charts, links, "Page N" footers.
//!
//! Typesetting is done here (krilla only draws shaped text at a position): text is wrapped
//! with each run measured in its own style, and blocks are cut into unbreakable slabs —
//! a line, a table row, a picture — that are laid onto pages, keeping headings with what
//! follows, avoiding single lines at a page's foot or head, and repeating a table's header
//! on every page it spans.
//!
//! Every glyph comes from the built-in Liberation Sans, embedded (subset) in the file.
//! Characters it lacks (emoji, CJK, …) are printed as `?`, so the reader sees that
//! something was there; invisible format characters (soft hyphens, zero-width spaces,
//! control characters) are left out. Text is set left to right.
mod flow;
mod paginate;
mod render;
mod table;
mod text;

use crate::OfficeError;
use crate::blocks::DocumentSpec;
use crate::fonts::{self, Style};
use crate::media::ImageSource;
use text::Font;

/// A4 in points, with the docx writer's margins (about 23 mm at the sides, 1 inch above
/// and below).
const PAGE_W: f64 = 595.276;
const PAGE_H: f64 = 841.89;
const LEFT: f64 = 65.0;
const TOP: f64 = 72.0;
const BOTTOM: f64 = 72.0;
const TEXT_W: f64 = PAGE_W - 2.0 * LEFT;
const BODY_H: f64 = PAGE_H - TOP - BOTTOM;
/// Pictures and charts stay under about half a page.
const FIGURE_MAX_H: f64 = 380.0;
const FOOTER_BASELINE: f64 = PAGE_H - 40.0;

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Rgb(u8, u8, u8);

const TEXT: Rgb = Rgb(0x1A, 0x1A, 0x1A);
const NAVY: Rgb = Rgb(0x1F, 0x4E, 0x78);
const BLUE: Rgb = Rgb(0x2E, 0x75, 0xB6);
const DARK: Rgb = Rgb(0x40, 0x40, 0x40);
const GREY: Rgb = Rgb(0x59, 0x59, 0x59);
const FOOTER_GREY: Rgb = Rgb(0x7F, 0x7F, 0x7F);
const BORDER: Rgb = Rgb(0xBF, 0xBF, 0xBF);
const BAND: Rgb = Rgb(0xEA, 0xF1, 0xF8);
const WHITE: Rgb = Rgb(0xFF, 0xFF, 0xFF);
const LINK_BLUE: Rgb = Rgb(0x05, 0x63, 0xC1);

const BODY: Font = Font::new(11.0, false, false);
const BODY_LINE: f64 = 11.0 * 1.3;
const CAPTION: Font = Font::new(9.0, false, true);
/// Lists: text indent from the margin; bullets sit in the hanging part.
const INDENT: f64 = 30.0;

/// Something drawn, with y measured from the top of its slab (of the page, once placed).
/// Rules and grid lines are thin rectangles.
#[derive(Debug, Clone)]
pub(crate) enum Item {
    Text {
        x: f64,
        y: f64,
        text: String,
        style: Style,
        size: f64,
        color: Rgb,
    },
    Rect {
        x: f64,
        y: f64,
        w: f64,
        h: f64,
        color: Rgb,
    },
    Link {
        x: f64,
        y: f64,
        w: f64,
        h: f64,
        url: String,
    },
    Picture {
        x: f64,
        y: f64,
        w: f64,
        h: f64,
        index: usize,
    },
    Chart {
        x: f64,
        y: f64,
        w: f64,
        h: f64,
        index: usize,
    },
}

impl Item {
    fn moved(&self, dy: f64) -> Item {
        let mut item = self.clone();
        match &mut item {
            Item::Text { y, .. }
            | Item::Rect { y, .. }
            | Item::Link { y, .. }
            | Item::Picture { y, .. }
            | Item::Chart { y, .. } => *y += dy,
        }
        item
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Kind {
    Plain,
    PageBreak,
    /// The first line of a heading: a bookmark.
    Heading(u8, String),
    TableHeader,
    /// A row of table n: after a page break its header is drawn again.
    TableRow(usize),
}

/// A piece of the flow that is never split across pages.
#[derive(Debug, Clone)]
pub(crate) struct Slab {
    height: f64,
    /// Space above it, dropped at the top of a page.
    gap: f64,
    items: Vec<Item>,
    /// Must share a page with the next slab (headings, first and last-but-one lines).
    keep: bool,
    kind: Kind,
}

/// The PDF bytes for `spec`; `images` supplies the pictures `image` blocks name.
pub fn build(spec: &DocumentSpec, images: &dyn ImageSource) -> Result<Vec<u8>, OfficeError> {
    build_with_count(spec, images).map(|(bytes, _)| bytes)
}

/// The PDF bytes and how many pages they hold.
pub fn build_with_count(
    spec: &DocumentSpec,
    images: &dyn ImageSource,
) -> Result<(Vec<u8>, usize), OfficeError> {
    let title = spec
        .title
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty());
    if spec.blocks.is_empty() && title.is_none() {
        return Err(OfficeError::Spec(
            "`blocks` is empty and there is no `title`; give headings, paragraphs, lists or tables"
                .into(),
        ));
    }
    crate::blocks::validate(&spec.blocks)?;
    let mut flow = flow::Flow::default();
    for (i, block) in spec.blocks.iter().enumerate() {
        flow.block(i, block, images)?;
    }
    let mut pages = Vec::new();
    if let Some(title) = title {
        pages.push(paginate::Page {
            items: flow::title_page(title, spec),
            numbered: false,
        });
    }
    let (body, bookmarks) = paginate::paginate(&flow.slabs, &flow.headers, pages.len());
    pages.extend(body);
    for (n, page) in pages.iter_mut().enumerate() {
        if page.numbered {
            let label = format!("Page {}", n + 1);
            let width = fonts::text_width(&label, 9.0, Style::Regular);
            page.items.push(Item::Text {
                x: (PAGE_W - width) / 2.0,
                y: FOOTER_BASELINE,
                text: label,
                style: Style::Regular,
                size: 9.0,
                color: FOOTER_GREY,
            });
        }
    }
    // Without a title, the first heading names the file in a viewer's title bar.
    let first_heading = bookmarks.first().map(|b| b.text.clone());
    let info = render::Info {
        title: title.map(str::to_string).or(first_heading),
        author: spec
            .author
            .as_deref()
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(str::to_string),
    };
    let bytes = render::pdf(&pages, &flow.media, &bookmarks, info)?;
    Ok((bytes, pages.len()))
}
