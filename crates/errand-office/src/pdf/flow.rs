//! Blocks turned into slabs: text wrapped to lines, list markers, tables, figures with
//! captions, and the spacing between blocks; plus the title page.
use super::text::{self, Font, Line};
use super::{
    BLUE, BODY, BODY_H, BODY_LINE, CAPTION, DARK, FIGURE_MAX_H, GREY, INDENT, Item, Kind, LEFT,
    NAVY, Rgb, Slab, TEXT, TEXT_W, TOP, render, table,
};
use crate::OfficeError;
use crate::blocks::{Block, DocumentSpec, Run, runs, width_share};
use crate::fonts::{self, Style};
use crate::media::{ImageFormat, ImageSource};

struct HeadingStyle {
    size: f64,
    color: Rgb,
    before: f64,
    after: f64,
}

const HEADINGS: [HeadingStyle; 3] = [
    HeadingStyle {
        size: 16.0,
        color: NAVY,
        before: 20.0,
        after: 8.0,
    },
    HeadingStyle {
        size: 13.0,
        color: BLUE,
        before: 14.0,
        after: 5.0,
    },
    HeadingStyle {
        size: 11.5,
        color: DARK,
        before: 10.0,
        after: 4.0,
    },
];

fn plain(text: &str) -> Vec<Run> {
    vec![Run {
        text: text.to_string(),
        bold: false,
        italic: false,
        link: None,
    }]
}

/// The title page: an accent bar, the title, the subtitle, then author and date.
pub(super) fn title_page(title: &str, spec: &DocumentSpec) -> Vec<Item> {
    let mut items = Vec::new();
    let mut y = TOP + 170.0;
    items.push(Item::Rect {
        x: LEFT,
        y,
        w: 56.0,
        h: 5.0,
        color: NAVY,
    });
    y += 24.0;
    let mut block = |text: &str, font: Font, line_h: f64, color: Rgb, y: &mut f64| {
        for line in text::wrap(&plain(text), font, TEXT_W) {
            text::draw(
                &line,
                LEFT,
                *y + text::baseline(line_h, font.size),
                font.size,
                color,
                &mut items,
            );
            *y += line_h;
        }
    };
    block(title, Font::new(28.0, true, false), 34.0, NAVY, &mut y);
    if let Some(subtitle) = spec.subtitle.as_deref().filter(|s| !s.trim().is_empty()) {
        y += 8.0;
        block(subtitle, Font::new(16.0, false, false), 21.0, GREY, &mut y);
    }
    y += 36.0;
    for line in [&spec.author, &spec.date].into_iter().flatten() {
        if !line.trim().is_empty() {
            block(line, Font::new(12.0, false, false), 17.0, DARK, &mut y);
        }
    }
    items
}

/// Blocks turned into slabs, with the pictures and charts they draw.
#[derive(Default)]
pub(super) struct Flow {
    pub slabs: Vec<Slab>,
    /// Each table's header slab, drawn again where the table continues on a new page.
    pub headers: Vec<Slab>,
    /// Space the previous block wants below it; the larger of it and the next block's
    /// space above is used, as word processors do.
    after: f64,
    pub media: render::Media,
}

impl Flow {
    pub fn block(
        &mut self,
        i: usize,
        block: &Block,
        images: &dyn ImageSource,
    ) -> Result<(), OfficeError> {
        match block {
            Block::Heading { text, level } => {
                let level = level.unwrap_or(1).clamp(1, 3);
                let style = &HEADINGS[usize::from(level - 1)];
                let font = Font::new(style.size, true, false);
                let line_h = style.size * 1.25;
                let runs = runs(text);
                let mut slabs = self.lines(
                    text::wrap(&runs, font, TEXT_W),
                    LEFT,
                    font,
                    line_h,
                    style.color,
                );
                for slab in &mut slabs {
                    slab.keep = true;
                }
                if level == 1
                    && let Some(last) = slabs.last_mut()
                {
                    last.items.push(Item::Rect {
                        x: LEFT,
                        y: last.height + 2.0,
                        w: TEXT_W,
                        h: 0.75,
                        color: NAVY,
                    });
                    last.height += 4.0;
                }
                if let Some(first) = slabs.first_mut() {
                    first.kind = Kind::Heading(level, text::plain(&runs));
                }
                self.push(slabs, style.before, style.after);
            }
            Block::Paragraph { text } => {
                for part in text.split("\n\n").filter(|p| !p.trim().is_empty()) {
                    let lines = text::wrap(&runs(part), BODY, TEXT_W);
                    let slabs = self.lines(lines, LEFT, BODY, BODY_LINE, TEXT);
                    self.push(slabs, 0.0, 8.0);
                }
            }
            Block::Bullets { items } | Block::Numbered { items } => {
                let numbered = matches!(block, Block::Numbered { .. });
                for (n, item) in items.iter().enumerate() {
                    let lines = text::wrap(&runs(item), BODY, TEXT_W - INDENT);
                    let mut slabs = self.lines(lines, LEFT + INDENT, BODY, BODY_LINE, TEXT);
                    if let Some(first) = slabs.first_mut() {
                        let marker = if numbered {
                            format!("{}.", n + 1)
                        } else {
                            "\u{2022}".to_string()
                        };
                        let width = fonts::text_width(&marker, BODY.size, Style::Regular);
                        // Numbers end flush at the same point, so "9." and "10." align.
                        let x = if numbered {
                            LEFT + INDENT - 6.0 - width
                        } else {
                            LEFT + 12.0
                        };
                        // First, so the marker reads before the item's text.
                        first.items.insert(
                            0,
                            Item::Text {
                                x,
                                y: text::baseline(BODY_LINE, BODY.size),
                                text: marker,
                                style: Style::Regular,
                                size: BODY.size,
                                color: TEXT,
                            },
                        );
                    }
                    let before = if n == 0 { 2.0 } else { 3.0 };
                    self.push(slabs, before, if n + 1 == items.len() { 8.0 } else { 0.0 });
                }
            }
            Block::Table { header, rows } => {
                let id = self.headers.len();
                let (head, rows) = table::table(header, rows, id, BODY_H);
                self.headers.push(head.clone());
                let mut slabs = vec![head];
                slabs.extend(rows);
                self.push(slabs, 6.0, 14.0);
            }
            Block::PageBreak => {
                self.slabs.push(Slab {
                    height: 0.0,
                    gap: 0.0,
                    items: Vec::new(),
                    keep: false,
                    kind: Kind::PageBreak,
                });
                self.after = 0.0;
            }
            Block::Image {
                path,
                caption,
                width_percent,
            } => {
                let share = width_share(*width_percent, i)?;
                let image = images.image(path).map_err(|e| image_error(i, path, e))?;
                if image.width == 0 || image.height == 0 {
                    return Err(OfficeError::Spec(format!(
                        "blocks[{i}]: image {path}: the image is empty"
                    )));
                }
                let aspect = image.aspect();
                let data = krilla::Data::from(image.bytes);
                let picture = match image.format {
                    ImageFormat::Png => krilla::image::Image::from_png(data, true),
                    ImageFormat::Jpeg => krilla::image::Image::from_jpeg(data, true),
                }
                .map_err(|e| {
                    OfficeError::Spec(format!("blocks[{i}]: image {path}: cannot read it: {e}"))
                })?;
                let index = self.media.pictures.len();
                self.media.pictures.push(render::Picture {
                    image: picture,
                    block: i,
                    path: path.clone(),
                });
                let (x, w, h) = figure_box(share, aspect);
                let item = Item::Picture {
                    x,
                    y: 0.0,
                    w,
                    h,
                    index,
                };
                self.figure(item, h, caption);
            }
            Block::Chart { chart, caption } => {
                let tree = crate::chart::tree(chart)
                    .map_err(|e| OfficeError::Spec(format!("blocks[{i}].chart: {e}")))?;
                let size = tree.size();
                let aspect = f64::from(size.height()) / f64::from(size.width());
                let index = self.media.charts.len();
                self.media.charts.push(tree);
                let (x, w, h) = figure_box(1.0, aspect);
                let item = Item::Chart {
                    x,
                    y: 0.0,
                    w,
                    h,
                    index,
                };
                self.figure(item, h, caption);
            }
        }
        Ok(())
    }

    /// One slab per line, so paragraphs break between lines; the first line keeps with
    /// the second and the last-but-one with the last (no lone line at a page's foot or head).
    fn lines(&self, lines: Vec<Line>, x: f64, font: Font, line_h: f64, color: Rgb) -> Vec<Slab> {
        let count = lines.len();
        lines
            .iter()
            .enumerate()
            .map(|(n, line)| {
                let mut items = Vec::new();
                text::draw(
                    line,
                    x,
                    text::baseline(line_h, font.size),
                    font.size,
                    color,
                    &mut items,
                );
                Slab {
                    height: line_h,
                    gap: 0.0,
                    items,
                    keep: count >= 2 && (n == 0 || n + 2 == count),
                    kind: Kind::Plain,
                }
            })
            .collect()
    }

    /// Appends a block's slabs: the first gets the space between blocks.
    fn push(&mut self, mut slabs: Vec<Slab>, before: f64, after: f64) {
        if let Some(first) = slabs.first_mut() {
            first.gap = before.max(self.after);
        }
        self.slabs.append(&mut slabs);
        self.after = after;
    }

    /// A picture or chart, centred, with its caption (kept on the same page) below.
    fn figure(&mut self, item: Item, height: f64, caption: &Option<String>) {
        let mut slabs = vec![Slab {
            height,
            gap: 0.0,
            items: vec![item],
            keep: caption.is_some(),
            kind: Kind::Plain,
        }];
        if let Some(caption) = caption {
            let lines = text::wrap(&runs(caption), CAPTION, TEXT_W);
            let line_h = CAPTION.size * 1.3;
            for (n, line) in lines.iter().enumerate() {
                let mut items = Vec::new();
                text::draw(
                    line,
                    LEFT + (TEXT_W - line.width) / 2.0,
                    text::baseline(line_h, CAPTION.size),
                    CAPTION.size,
                    GREY,
                    &mut items,
                );
                slabs.push(Slab {
                    height: line_h,
                    gap: if n == 0 { 5.0 } else { 0.0 },
                    items,
                    keep: n + 1 < lines.len(),
                    kind: Kind::Plain,
                });
            }
        }
        self.push(slabs, 8.0, 14.0);
    }
}

/// x, width and height of a figure at `share` of the text width, shrunk (keeping its
/// shape) to stay under about half a page.
fn figure_box(share: f64, aspect: f64) -> (f64, f64, f64) {
    let mut w = TEXT_W * share;
    let mut h = w * aspect;
    if h > FIGURE_MAX_H {
        w *= FIGURE_MAX_H / h;
        h = FIGURE_MAX_H;
    }
    (LEFT + (TEXT_W - w) / 2.0, w, h)
}

/// `blocks[i]: image <path>: <why>`, whichever way the image source phrased its error.
fn image_error(i: usize, path: &str, e: OfficeError) -> OfficeError {
    let message = match e {
        OfficeError::Spec(m) | OfficeError::Write(m) | OfficeError::Read(m) => m,
        other => other.to_string(),
    };
    let message = if message.starts_with(&format!("image {path}")) {
        message
    } else if message.starts_with(path) {
        format!("image {message}")
    } else {
        format!("image {path}: {message}")
    };
    OfficeError::Spec(format!("blocks[{i}]: {message}"))
}
