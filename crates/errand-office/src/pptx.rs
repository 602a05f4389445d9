//! A small pptx writer on zip: 16:9 slides in a clean business theme (accent band on the
//! title slide, accent-coloured section slides, content slides with the title top-left over
//! a thin accent rule and a slide number), with bullets, two columns, pictures, charts,
//! tables and speaker notes. Text is measured with the built-in Arial-metric font and set
//! at the largest size that fits; what still does not fit continues on further slides.
use crate::OfficeError;
use crate::chart::Chart;
use crate::media::ImageSource;
use schemars::JsonSchema;
use serde::Deserialize;
use std::io::Write;

mod compose;
mod draw;
mod fit;
mod geom;
mod lists;
mod markdown;
mod parts;
mod table;

/// A slide deck. Text anywhere takes **bold**, *italic* and [links](https://…).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PresentationSpec {
    /// Saved in the file's properties.
    pub title: Option<String>,
    pub author: Option<String>,
    pub theme: Option<Theme>,
    pub slides: Vec<Slide>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Theme {
    /// Main colour as #RRGGBB; default #1F4E78 (navy).
    pub accent: Option<String>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Slide {
    Title {
        title: String,
        subtitle: Option<String>,
        notes: Option<String>,
    },
    /// A divider between parts.
    Section {
        title: String,
        subtitle: Option<String>,
        notes: Option<String>,
    },
    /// Indent a sub-point with two leading spaces.
    Bullets {
        title: String,
        bullets: Vec<String>,
        notes: Option<String>,
    },
    /// Two bullet lists side by side.
    TwoColumn {
        title: String,
        left_heading: Option<String>,
        left: Vec<String>,
        right_heading: Option<String>,
        right: Vec<String>,
        notes: Option<String>,
    },
    /// A PNG or JPEG from the task's folders.
    Image {
        title: String,
        path: String,
        caption: Option<String>,
        notes: Option<String>,
    },
    Chart {
        title: String,
        chart: Chart,
        caption: Option<String>,
        notes: Option<String>,
    },
    Table {
        title: String,
        header: Vec<String>,
        rows: Vec<Vec<String>>,
        notes: Option<String>,
    },
}

pub use markdown::slides as slides_from_markdown;

const DEFAULT_ACCENT: [u8; 3] = [0x1F, 0x4E, 0x78];

/// The .pptx bytes for `spec`; `images` supplies the pictures `image` slides name.
pub fn build(spec: &PresentationSpec, images: &dyn ImageSource) -> Result<Vec<u8>, OfficeError> {
    build_with_count(spec, images).map(|(bytes, _)| bytes)
}

/// The .pptx bytes and how many slides they hold (continuation slides included).
pub fn build_with_count(
    spec: &PresentationSpec,
    images: &dyn ImageSource,
) -> Result<(Vec<u8>, usize), OfficeError> {
    if spec.slides.is_empty() {
        return Err(OfficeError::Spec(
            "slides: the deck has no slides; give at least one".into(),
        ));
    }
    let accent = match spec.theme.as_ref().and_then(|t| t.accent.as_deref()) {
        None => DEFAULT_ACCENT,
        Some(text) => parts::parse_colour(text.trim()).ok_or_else(|| {
            OfficeError::Spec(format!(
                "theme.accent: {text:?} is not #RRGGBB (e.g. \"#1F4E78\")"
            ))
        })?,
    };
    let mut deck = compose::Deck::new(parts::Palette::new(accent));
    for (i, slide) in spec.slides.iter().enumerate() {
        deck.add(i, slide, images)?;
    }
    let slides = deck.slides.len();
    Ok((package(spec, deck)?, slides))
}

/// Zips the deck with the parts around it.
fn package(spec: &PresentationSpec, deck: compose::Deck) -> Result<Vec<u8>, OfficeError> {
    use parts::{REL, XML_DECL};
    let compose::Deck {
        palette,
        slides,
        media,
    } = deck;
    let has_notes = slides.iter().any(|s| s.notes.is_some());
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut add = |name: String, text: String| files.push((name, text.into_bytes()));

    let mut types = format!(
        "{XML_DECL}<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
         <Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
         <Default Extension=\"xml\" ContentType=\"application/xml\"/>\
         <Default Extension=\"png\" ContentType=\"image/png\"/>\
         <Default Extension=\"jpeg\" ContentType=\"image/jpeg\"/>"
    );
    let mut over = |part: &str, kind: &str| {
        types.push_str(&format!(
            "<Override PartName=\"/{part}\" ContentType=\"{kind}\"/>"
        ));
    };
    const PML: &str = "application/vnd.openxmlformats-officedocument.presentationml";
    over(
        "ppt/presentation.xml",
        &format!("{PML}.presentation.main+xml"),
    );
    over("ppt/presProps.xml", &format!("{PML}.presProps+xml"));
    over("ppt/viewProps.xml", &format!("{PML}.viewProps+xml"));
    over("ppt/tableStyles.xml", &format!("{PML}.tableStyles+xml"));
    over(
        "ppt/slideMasters/slideMaster1.xml",
        &format!("{PML}.slideMaster+xml"),
    );
    for kind in parts::LAYOUTS {
        over(
            &format!("ppt/slideLayouts/slideLayout{}.xml", kind as u32),
            &format!("{PML}.slideLayout+xml"),
        );
    }
    let theme_type = "application/vnd.openxmlformats-officedocument.theme+xml";
    over("ppt/theme/theme1.xml", theme_type);
    if has_notes {
        over("ppt/theme/theme2.xml", theme_type);
        over(
            "ppt/notesMasters/notesMaster1.xml",
            &format!("{PML}.notesMaster+xml"),
        );
    }
    over(
        "docProps/core.xml",
        "application/vnd.openxmlformats-package.core-properties+xml",
    );
    over(
        "docProps/app.xml",
        "application/vnd.openxmlformats-officedocument.extended-properties+xml",
    );

    let mut slide_ids = String::new();
    let mut pres_rels = format!(
        "{XML_DECL}<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
         <Relationship Id=\"rId1\" Type=\"{REL}/slideMaster\" Target=\"slideMasters/slideMaster1.xml\"/>"
    );
    let mut notes_count = 0;
    let count = slides.len();
    let mut slide_files = Vec::new();
    for (k, slide) in slides.into_iter().enumerate() {
        let n = k + 1;
        over(
            &format!("ppt/slides/slide{n}.xml"),
            &format!("{PML}.slide+xml"),
        );
        slide_ids.push_str(&format!(
            "<p:sldId id=\"{}\" r:id=\"rId{}\"/>",
            255 + n,
            n + 1
        ));
        pres_rels.push_str(&format!(
            "<Relationship Id=\"rId{}\" Type=\"{REL}/slide\" Target=\"slides/slide{n}.xml\"/>",
            n + 1
        ));
        // Notes pages take their slide's number, which is how readers pair them.
        let notes_number = slide.notes.as_ref().map(|_| n);
        let (xml, rels) = slide.xml.finish(slide.layout, n, notes_number);
        slide_files.push((format!("ppt/slides/slide{n}.xml"), xml));
        slide_files.push((format!("ppt/slides/_rels/slide{n}.xml.rels"), rels));
        if let Some(text) = &slide.notes {
            notes_count += 1;
            over(
                &format!("ppt/notesSlides/notesSlide{n}.xml"),
                &format!("{PML}.notesSlide+xml"),
            );
            let (xml, rels) = draw::notes(text, n);
            slide_files.push((format!("ppt/notesSlides/notesSlide{n}.xml"), xml));
            slide_files.push((
                format!("ppt/notesSlides/_rels/notesSlide{n}.xml.rels"),
                rels,
            ));
        }
    }
    let next = count + 2;
    let notes_master_id = if has_notes {
        pres_rels.push_str(&format!(
            "<Relationship Id=\"rId{next}\" Type=\"{REL}/notesMaster\" Target=\"notesMasters/notesMaster1.xml\"/>"
        ));
        format!("<p:notesMasterIdLst><p:notesMasterId r:id=\"rId{next}\"/></p:notesMasterIdLst>")
    } else {
        String::new()
    };
    for (offset, (kind, target)) in [
        ("presProps", "presProps.xml"),
        ("viewProps", "viewProps.xml"),
        ("theme", "theme/theme1.xml"),
        ("tableStyles", "tableStyles.xml"),
    ]
    .iter()
    .enumerate()
    {
        pres_rels.push_str(&format!(
            "<Relationship Id=\"rId{}\" Type=\"{REL}/{kind}\" Target=\"{target}\"/>",
            next + 1 + offset
        ));
    }
    pres_rels.push_str("</Relationships>");
    types.push_str("</Types>");

    let presentation = format!(
        "{XML_DECL}<p:presentation {} saveSubsetFonts=\"1\"><p:sldMasterIdLst><p:sldMasterId id=\"2147483648\" r:id=\"rId1\"/></p:sldMasterIdLst>\
         {notes_master_id}<p:sldIdLst>{slide_ids}</p:sldIdLst><p:sldSz cx=\"{}\" cy=\"{}\"/><p:notesSz cx=\"{}\" cy=\"{}\"/>\
         <p:defaultTextStyle><a:defPPr><a:defRPr lang=\"en-US\"/></a:defPPr><a:lvl1pPr marL=\"0\" algn=\"l\" defTabSz=\"914400\" rtl=\"0\" eaLnBrk=\"1\" latinLnBrk=\"0\" hangingPunct=\"1\"><a:defRPr sz=\"1800\" kern=\"1200\"><a:solidFill><a:schemeClr val=\"tx1\"/></a:solidFill><a:latin typeface=\"+mn-lt\"/><a:ea typeface=\"+mn-ea\"/><a:cs typeface=\"+mn-cs\"/></a:defRPr></a:lvl1pPr></p:defaultTextStyle>\
         </p:presentation>",
        parts::NS,
        geom::SLIDE_W,
        geom::SLIDE_H,
        parts::NOTES_W,
        parts::NOTES_H
    );
    let core = format!(
        "{XML_DECL}<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\
         <dc:title>{}</dc:title><dc:creator>{}</dc:creator></cp:coreProperties>",
        draw::esc(spec.title.as_deref().unwrap_or_default()),
        draw::esc(spec.author.as_deref().unwrap_or("Errand"))
    );
    let app = format!(
        "{XML_DECL}<Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties\" xmlns:vt=\"http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes\">\
         <Application>Errand</Application><PresentationFormat>Widescreen</PresentationFormat><Slides>{count}</Slides><Notes>{notes_count}</Notes></Properties>"
    );

    add("[Content_Types].xml".into(), types);
    add("_rels/.rels".into(), parts::ROOT_RELS.into());
    add("docProps/core.xml".into(), core);
    add("docProps/app.xml".into(), app);
    add("ppt/presentation.xml".into(), presentation);
    add("ppt/_rels/presentation.xml.rels".into(), pres_rels);
    add("ppt/presProps.xml".into(), parts::pres_props());
    add("ppt/viewProps.xml".into(), parts::view_props());
    add("ppt/tableStyles.xml".into(), parts::table_styles());
    add("ppt/theme/theme1.xml".into(), parts::theme(&palette));
    add("ppt/slideMasters/slideMaster1.xml".into(), parts::master());
    add(
        "ppt/slideMasters/_rels/slideMaster1.xml.rels".into(),
        parts::master_rels(),
    );
    for kind in parts::LAYOUTS {
        let n = kind as u32;
        add(
            format!("ppt/slideLayouts/slideLayout{n}.xml"),
            parts::layout(kind),
        );
        add(
            format!("ppt/slideLayouts/_rels/slideLayout{n}.xml.rels"),
            parts::layout_rels(),
        );
    }
    if has_notes {
        add("ppt/theme/theme2.xml".into(), parts::theme(&palette));
        add(
            "ppt/notesMasters/notesMaster1.xml".into(),
            parts::notes_master(),
        );
        add(
            "ppt/notesMasters/_rels/notesMaster1.xml.rels".into(),
            parts::notes_master_rels(),
        );
    }
    for (name, text) in slide_files {
        add(name, text);
    }

    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let write_err = |e: std::io::Error| OfficeError::Write(e.to_string());
    for (name, bytes) in files {
        zip.start_file(name, options)
            .map_err(|e| OfficeError::Write(e.to_string()))?;
        zip.write_all(&bytes).map_err(write_err)?;
    }
    for (n, image) in media.iter().enumerate() {
        // Pictures are compressed already.
        let stored = options.compression_method(zip::CompressionMethod::Stored);
        zip.start_file(compose::media_name(n, image), stored)
            .map_err(|e| OfficeError::Write(e.to_string()))?;
        zip.write_all(&image.bytes).map_err(write_err)?;
    }
    let cursor = zip
        .finish()
        .map_err(|e| OfficeError::Write(e.to_string()))?;
    Ok(cursor.into_inner())
}
