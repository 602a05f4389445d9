//! Drawing laid-out pages with krilla: text in the embedded Liberation Sans, rectangles,
//! pictures, charts as vectors (krilla-svg), link annotations, metadata and an outline.
use super::paginate::{Bookmark, Page};
use super::{Item, PAGE_H, PAGE_W, Rgb};
use crate::OfficeError;
use crate::fonts::{self, Style};
use krilla::Document;
use krilla::action::{Action, LinkAction};
use krilla::annotation::{Annotation, LinkAnnotation, Target};
use krilla::color::rgb;
use krilla::destination::XyzDestination;
use krilla::error::KrillaError;
use krilla::geom::{PathBuilder, Point, Rect, Size, Transform};
use krilla::metadata::Metadata;
use krilla::outline::{Outline, OutlineNode};
use krilla::page::PageSettings;
use krilla::paint::Fill;
use krilla::surface::Surface;
use krilla::text::Font;
use krilla_svg::{SurfaceExt, SvgSettings};
use std::num::NonZeroU64;

/// A picture, with the block it came from for error messages.
pub(crate) struct Picture {
    pub image: krilla::image::Image,
    pub block: usize,
    pub path: String,
}

#[derive(Default)]
pub(crate) struct Media {
    pub pictures: Vec<Picture>,
    pub charts: Vec<resvg::usvg::Tree>,
}

pub(crate) struct Info {
    pub title: Option<String>,
    pub author: Option<String>,
}

fn fill(color: Rgb) -> Fill {
    Fill {
        paint: rgb::Color::new(color.0, color.1, color.2).into(),
        ..Fill::default()
    }
}

fn style_index(style: Style) -> usize {
    match style {
        Style::Regular => 0,
        Style::Bold => 1,
        Style::Italic => 2,
        Style::BoldItalic => 3,
    }
}

pub(crate) fn pdf(
    pages: &[Page],
    media: &Media,
    bookmarks: &[Bookmark],
    info: Info,
) -> Result<Vec<u8>, OfficeError> {
    let write = |m: &str| OfficeError::Write(m.to_string());
    let mut faces = Vec::new();
    for style in [
        Style::Regular,
        Style::Bold,
        Style::Italic,
        Style::BoldItalic,
    ] {
        faces.push(
            Font::new(krilla::Data::from(fonts::bytes(style)), 0)
                .ok_or_else(|| write("the built-in font cannot be loaded"))?,
        );
    }
    let settings =
        PageSettings::from_wh(PAGE_W as f32, PAGE_H as f32).ok_or_else(|| write("page size"))?;
    let mut document = Document::new();
    for page in pages {
        let mut links = Vec::new();
        let mut target = document.start_page_with(settings.clone());
        let mut surface = target.surface();
        for item in &page.items {
            draw(&mut surface, item, &faces, media, &mut links)?;
        }
        surface.finish();
        for (rect, url) in links {
            let link = LinkAnnotation::new(
                rect,
                Target::Action(Action::Link(LinkAction::new(url.clone()))),
            );
            target.add_annotation(Annotation::new_link(link, Some(url)));
        }
        target.finish();
    }

    let mut metadata = Metadata::new().creator("Errand".into());
    if let Some(title) = info.title {
        metadata = metadata.title(title);
    }
    if let Some(author) = info.author {
        metadata = metadata.authors(vec![author]);
    }
    document.set_metadata(metadata);
    document.set_outline(outline(bookmarks, pages.len()));

    document.finish().map_err(|e| match e {
        // Pictures are decoded while the file is written; name the block that failed.
        KrillaError::Image(_, Some(location), message) => {
            match usize::try_from(location.get() - 1)
                .ok()
                .and_then(|n| media.pictures.get(n))
            {
                Some(p) => OfficeError::Spec(format!(
                    "blocks[{}]: image {}: cannot decode it: {message}",
                    p.block, p.path
                )),
                None => OfficeError::Write(format!("an image cannot be decoded: {message}")),
            }
        }
        other => OfficeError::Write(other.to_string()),
    })
}

fn rect(x: f64, y: f64, w: f64, h: f64) -> Option<Rect> {
    Rect::from_xywh(x as f32, y as f32, w as f32, h as f32)
}

fn draw(
    surface: &mut Surface<'_>,
    item: &Item,
    faces: &[Font],
    media: &Media,
    links: &mut Vec<(Rect, String)>,
) -> Result<(), OfficeError> {
    match item {
        Item::Text {
            x,
            y,
            text,
            style,
            size,
            color,
        } => {
            if let Some(face) = faces.get(style_index(*style))
                && !text.is_empty()
            {
                surface.set_stroke(None);
                surface.set_fill(Some(fill(*color)));
                surface.draw_glyphs(
                    Point::from_xy(*x as f32, *y as f32),
                    &super::text::glyphs(text, *style),
                    face.clone(),
                    text,
                    *size as f32,
                    false,
                );
            }
        }
        Item::Rect { x, y, w, h, color } => {
            if let Some(r) = rect(*x, *y, *w, *h) {
                let mut path = PathBuilder::new();
                path.push_rect(r);
                if let Some(path) = path.finish() {
                    surface.set_stroke(None);
                    surface.set_fill(Some(fill(*color)));
                    surface.draw_path(&path);
                }
            }
        }
        Item::Link { x, y, w, h, url } => {
            if let Some(r) = rect(*x, *y, *w, *h) {
                links.push((r, url.clone()));
            }
        }
        Item::Picture { x, y, w, h, index } => {
            if let (Some(picture), Some(size), Some(location)) = (
                media.pictures.get(*index),
                Size::from_wh(*w as f32, *h as f32),
                NonZeroU64::new(*index as u64 + 1),
            ) {
                // The location lets a decoding error at the end name its block.
                surface.set_location(location);
                surface.push_transform(&Transform::from_translate(*x as f32, *y as f32));
                surface.draw_image(picture.image.clone(), size);
                surface.pop();
                surface.reset_location();
            }
        }
        Item::Chart { x, y, w, h, index } => {
            if let (Some(tree), Some(size)) = (
                media.charts.get(*index),
                Size::from_wh(*w as f32, *h as f32),
            ) {
                surface.push_transform(&Transform::from_translate(*x as f32, *y as f32));
                let drawn = surface.draw_svg(tree, size, SvgSettings::default());
                surface.pop();
                drawn.ok_or_else(|| OfficeError::Write("cannot draw a chart".into()))?;
            }
        }
    }
    Ok(())
}

/// Headings as a bookmark tree: each heading under the last one of a higher level.
fn outline(bookmarks: &[Bookmark], pages: usize) -> Outline {
    struct Node {
        level: u8,
        text: String,
        page: usize,
        y: f64,
        children: Vec<Node>,
    }
    fn insert(nodes: &mut Vec<Node>, node: Node) {
        match nodes.last_mut() {
            Some(last) if last.level < node.level => insert(&mut last.children, node),
            _ => nodes.push(node),
        }
    }
    fn convert(node: Node) -> OutlineNode {
        let point = Point::from_xy(0.0, node.y as f32);
        let mut out = OutlineNode::new(node.text, XyzDestination::new(node.page, point));
        for child in node.children {
            out.push_child(convert(child));
        }
        out
    }
    let mut roots = Vec::new();
    // A destination past the last page would make the writer panic.
    for b in bookmarks.iter().filter(|b| b.page < pages) {
        insert(
            &mut roots,
            Node {
                level: b.level,
                text: b.text.clone(),
                page: b.page,
                y: b.y,
                children: Vec::new(),
            },
        );
    }
    let mut outline = Outline::new();
    for root in roots {
        outline.push_child(convert(root));
    }
    outline
}
