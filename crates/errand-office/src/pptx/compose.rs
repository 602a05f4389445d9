//! Each slide kind laid out: text sized to its box, pictures scaled into the content area,
//! and continuation slides where even the smallest size does not fit. Lists and tables,
//! which paginate, are in `lists.rs` and `table.rs`.
use super::Slide;
use super::draw::{Align, Anchor, Holder, Para, SlideXml};
use super::fit::{self, Measured, sizes};
use super::geom::{
    BODY_H, BODY_Y, CONTENT_W, COVER_SUB_H, COVER_SUB_Y, COVER_TITLE_H, COVER_TITLE_Y, COVER_W,
    COVER_X, EMU_PER_PT, INSET_Y, MARGIN_X, Rect, SECTION_SUB_H, SECTION_SUB_Y, SECTION_TITLE_H,
    SECTION_TITLE_Y, TITLE_BOX, pt_to_emu,
};
use super::parts::{Layout, MUTED, Palette};
use crate::OfficeError;
use crate::blocks::{Run, runs};
use crate::media::{Image, ImageSource};

/// A slide ready to be written.
pub(super) struct Planned {
    pub xml: SlideXml,
    pub layout: Layout,
    pub notes: Option<String>,
}

pub(super) struct Deck {
    pub palette: Palette,
    pub slides: Vec<Planned>,
    pub media: Vec<Image>,
}

/// The file name of the deck's `n`th picture (from 0) inside `ppt/media`.
pub(super) fn media_file(n: usize, image: &Image) -> String {
    format!("image{}.{}", n + 1, image.format.extension())
}

pub(super) fn media_name(n: usize, image: &Image) -> String {
    format!("ppt/media/{}", media_file(n, image))
}

pub(super) fn field(i: usize, name: &str, message: &str) -> OfficeError {
    OfficeError::Spec(format!("slides[{i}].{name}: {message}"))
}

pub(super) fn too_long(i: usize, name: &str, text: &str) -> OfficeError {
    field(
        i,
        name,
        &format!(
            "{} characters do not fit on the slide even at the smallest size; shorten it",
            text.chars().count()
        ),
    )
}

/// Space between a picture and its caption, and between column headings and lists.
pub(super) const GAP: i64 = 109_728;

impl Deck {
    pub fn new(palette: Palette) -> Deck {
        Deck {
            palette,
            slides: Vec::new(),
            media: Vec::new(),
        }
    }

    pub fn add(
        &mut self,
        i: usize,
        slide: &Slide,
        images: &dyn ImageSource,
    ) -> Result<(), OfficeError> {
        match slide {
            Slide::Title {
                title,
                subtitle,
                notes,
            } => self.titled(i, title, subtitle.as_deref(), notes, &TitledLook::cover()),
            Slide::Section {
                title,
                subtitle,
                notes,
            } => self.titled(i, title, subtitle.as_deref(), notes, &TitledLook::section()),
            Slide::Bullets {
                title,
                bullets,
                notes,
            } => self.bullets(i, title, bullets, notes),
            Slide::TwoColumn {
                title,
                left_heading,
                left,
                right_heading,
                right,
                notes,
            } => self.two_column(
                i,
                title,
                [left_heading.as_deref(), right_heading.as_deref()],
                [left, right],
                notes,
            ),
            Slide::Image {
                title,
                path,
                caption,
                notes,
            } => {
                let image = images
                    .image(path)
                    .map_err(|e| field(i, "path", &e.to_string()))?;
                self.picture(i, title, image, caption.as_deref(), notes)
            }
            Slide::Chart {
                title,
                chart,
                caption,
                notes,
            } => {
                let image =
                    crate::chart::png(chart).map_err(|e| field(i, "chart", &e.to_string()))?;
                self.picture(i, title, image, caption.as_deref(), notes)
            }
            Slide::Table {
                title,
                header,
                rows,
                notes,
            } => self.table(i, title, header, rows, notes),
        }
    }

    pub(super) fn push(&mut self, xml: SlideXml, layout: Layout, notes: Option<String>) {
        self.slides.push(Planned { xml, layout, notes });
    }

    /// Fits text into a box: the largest of `sizes` at which it wraps within the box.
    fn fitted(
        &self,
        i: usize,
        name: &str,
        text: &str,
        bold: bool,
        sizes: &[f64],
        rect: Rect,
    ) -> Result<(Vec<Run>, f64), OfficeError> {
        let runs = runs(text);
        let size = fit::block_size(
            &Measured::new(&runs, bold),
            sizes,
            rect.w_pt(),
            rect.inner_h_pt(),
        )
        .ok_or_else(|| too_long(i, name, text))?;
        Ok((runs, size))
    }

    /// A title slide or a section divider: a big title over an optional subtitle.
    fn titled(
        &mut self,
        i: usize,
        title: &str,
        subtitle: Option<&str>,
        notes: &Option<String>,
        look: &TitledLook,
    ) -> Result<(), OfficeError> {
        let mut xml = SlideXml::new();
        if look.accent_background {
            xml.background = Some(format!(
                "<a:solidFill><a:srgbClr val=\"{}\"/></a:solidFill>",
                self.palette.accent
            ));
        }
        let (title_y, title_h) = look.title_box;
        let title_box = Rect::new(COVER_X, title_y, COVER_W, title_h);
        let (runs, size) = self.fitted(i, "title", title, true, &look.title_sizes, title_box)?;
        xml.text(
            "Title",
            Holder::Placeholder(look.title_placeholder),
            title_box,
            Anchor::Bottom,
            &[Para::new(runs, size, &self.palette.on_accent).bold()],
        );
        if let Some(subtitle) = subtitle {
            let (sub_y, sub_h) = look.subtitle_box;
            let sub_box = Rect::new(COVER_X, sub_y, COVER_W, sub_h);
            let (runs, size) = self.fitted(
                i,
                "subtitle",
                subtitle,
                false,
                &look.subtitle_sizes,
                sub_box,
            )?;
            let colour = if look.accent_background {
                self.palette.soft_on_accent.clone()
            } else {
                MUTED.to_string()
            };
            xml.text(
                "Subtitle",
                Holder::Placeholder(look.subtitle_placeholder),
                sub_box,
                Anchor::Top,
                &[Para::new(runs, size, &colour)],
            );
        }
        self.push(xml, look.layout, notes.clone());
        Ok(())
    }

    /// A content slide with its title: one line from 36 pt down to 24, then wrapped down
    /// to 16; numbered.
    pub(super) fn content(&self, i: usize, title: &str) -> Result<SlideXml, OfficeError> {
        let runs = runs(title);
        let size = fit::title_size(
            &Measured::new(&runs, true),
            &sizes(36.0, 24.0, 2.0),
            &sizes(24.0, 16.0, 2.0),
            TITLE_BOX.w_pt(),
            TITLE_BOX.inner_h_pt(),
        )
        .ok_or_else(|| too_long(i, "title", title))?;
        let mut xml = SlideXml::new();
        xml.numbered = true;
        xml.text(
            "Title",
            Holder::Placeholder("type=\"title\""),
            TITLE_BOX,
            Anchor::Bottom,
            &[Para::new(runs, size, &self.palette.ink).bold()],
        );
        Ok(xml)
    }

    pub(super) fn continued(
        &self,
        i: usize,
        title: &str,
        page: usize,
    ) -> Result<SlideXml, OfficeError> {
        if page == 0 {
            self.content(i, title)
        } else {
            self.content(i, &format!("{title} (cont.)"))
        }
    }

    /// A picture (photo or chart) scaled to fit the content area, centred with its caption
    /// under it; never enlarged past twice its size at 96 dpi, so small images stay sharp.
    fn picture(
        &mut self,
        i: usize,
        title: &str,
        image: Image,
        caption: Option<&str>,
        notes: &Option<String>,
    ) -> Result<(), OfficeError> {
        if image.width == 0 || image.height == 0 {
            return Err(field(i, "path", "the image is empty"));
        }
        let mut xml = self.content(i, title)?;
        let caption = match caption {
            Some(text) => {
                let mut runs = runs(text);
                for r in &mut runs {
                    r.italic = true;
                }
                let m = Measured::new(&runs, false);
                let width = CONTENT_W as f64 / EMU_PER_PT;
                let size = fit::block_size(&m, &sizes(16.0, 11.0, 1.0), width, 64.0)
                    .ok_or_else(|| too_long(i, "caption", text))?;
                let h = pt_to_emu(m.height(size, width)) + 2 * INSET_Y;
                Some((runs, size, h))
            }
            None => None,
        };
        let reserved = caption.as_ref().map_or(0, |(_, _, h)| h + GAP);
        let area_h = BODY_H - reserved;
        let aspect = image.aspect();
        let native_w = f64::from(image.width) * 9_525.0 * 2.0;
        let mut w = (CONTENT_W as f64).min(native_w);
        let mut h = w * aspect;
        if h > area_h as f64 {
            h = area_h as f64;
            w = h / aspect;
        }
        let (w, h) = (w.round() as i64, h.round() as i64);
        let top = BODY_Y + (BODY_H - h - reserved) / 2;
        let n = self.media.len();
        let file = media_file(n, &image);
        let description = caption
            .as_ref()
            .map(|(runs, _, _)| runs.iter().map(|r| r.text.as_str()).collect::<String>())
            .unwrap_or_else(|| title.to_string());
        xml.picture(
            Rect::new(MARGIN_X + (CONTENT_W - w) / 2, top, w, h),
            &file,
            &description,
        );
        self.media.push(image);
        if let Some((runs, size, caption_h)) = caption {
            xml.text(
                "Caption",
                Holder::TextBox,
                Rect::new(MARGIN_X, top + h + GAP, CONTENT_W, caption_h),
                Anchor::Top,
                &[Para::new(runs, size, MUTED).align(Align::Centre)],
            );
        }
        self.push(xml, Layout::TitleOnly, notes.clone());
        Ok(())
    }
}

/// How a title slide and a section divider differ.
struct TitledLook {
    layout: Layout,
    accent_background: bool,
    /// (y, height) in EMU.
    title_box: (i64, i64),
    subtitle_box: (i64, i64),
    title_sizes: Vec<f64>,
    subtitle_sizes: Vec<f64>,
    title_placeholder: &'static str,
    subtitle_placeholder: &'static str,
}

impl TitledLook {
    fn cover() -> TitledLook {
        TitledLook {
            layout: Layout::Title,
            accent_background: false,
            title_box: (COVER_TITLE_Y, COVER_TITLE_H),
            subtitle_box: (COVER_SUB_Y, COVER_SUB_H),
            title_sizes: sizes(44.0, 24.0, 4.0),
            subtitle_sizes: sizes(24.0, 14.0, 2.0),
            title_placeholder: "type=\"ctrTitle\"",
            subtitle_placeholder: "type=\"subTitle\" idx=\"1\"",
        }
    }

    fn section() -> TitledLook {
        TitledLook {
            layout: Layout::Section,
            accent_background: true,
            title_box: (SECTION_TITLE_Y, SECTION_TITLE_H),
            subtitle_box: (SECTION_SUB_Y, SECTION_SUB_H),
            title_sizes: sizes(40.0, 24.0, 4.0),
            subtitle_sizes: sizes(22.0, 14.0, 2.0),
            title_placeholder: "type=\"title\"",
            subtitle_placeholder: "type=\"body\" idx=\"1\"",
        }
    }
}
