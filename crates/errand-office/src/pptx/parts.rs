//! The fixed parts of the package: theme, slide master and layouts, notes master, and the
//! small property parts PowerPoint expects. Only the accent colour varies between decks.
use super::geom::{
    BAND_H, BODY_H, BODY_Y, CONTENT_W, COVER_SUB_H, COVER_SUB_Y, COVER_TITLE_H, COVER_TITLE_Y,
    COVER_W, COVER_X, MARGIN_X, NUMBER_H, NUMBER_W, NUMBER_X, NUMBER_Y, RULE_H, RULE_Y,
    SECTION_BAR_H, SECTION_BAR_W, SECTION_BAR_Y, SECTION_SUB_H, SECTION_SUB_Y, SECTION_TITLE_H,
    SECTION_TITLE_Y, SLIDE_W, STRIPE_H, TITLE_H, TITLE_Y, TWO_COL_W, TWO_COL_X2,
};

pub(super) const NS: &str = "xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\" xmlns:p=\"http://schemas.openxmlformats.org/presentationml/2006/main\"";
pub(super) const XML_DECL: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";
pub(super) const REL: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
pub(super) const GROUP_PROPS: &str = "<p:nvGrpSpPr><p:cNvPr id=\"1\" name=\"\"/><p:cNvGrpSpPr/><p:nvPr/></p:nvGrpSpPr><p:grpSpPr><a:xfrm><a:off x=\"0\" y=\"0\"/><a:ext cx=\"0\" cy=\"0\"/><a:chOff x=\"0\" y=\"0\"/><a:chExt cx=\"0\" cy=\"0\"/></a:xfrm></p:grpSpPr>";
const CLR_MAP: &str = "bg1=\"lt1\" tx1=\"dk1\" bg2=\"lt2\" tx2=\"dk2\" accent1=\"accent1\" accent2=\"accent2\" accent3=\"accent3\" accent4=\"accent4\" accent5=\"accent5\" accent6=\"accent6\" hlink=\"hlink\" folHlink=\"folHlink\"";
pub(super) const FONT: &str = "Arial";
/// Body text, near black; secondary text (subtitles, captions, numbers) mid grey.
pub(super) const TEXT: &str = "262626";
pub(super) const MUTED: &str = "595959";

/// The slide layouts, in the order the master lists them (`slideLayout{n}.xml`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Layout {
    Title = 1,
    Section = 2,
    Content = 3,
    TwoColumn = 4,
    TitleOnly = 5,
}

pub(super) const LAYOUTS: [Layout; 5] = [
    Layout::Title,
    Layout::Section,
    Layout::Content,
    Layout::TwoColumn,
    Layout::TitleOnly,
];

/// Colours derived from the accent.
#[derive(Debug, Clone)]
pub(super) struct Palette {
    /// The accent as RRGGBB.
    pub accent: String,
    /// A very light tint for banded table rows.
    pub pale: String,
    /// Text on the accent: white, or near black on a light accent.
    pub on_accent: String,
    /// Secondary text on the accent (section subtitles).
    pub soft_on_accent: String,
    /// Titles on white: the accent, darkened where it is too light to read.
    pub ink: String,
}

impl Palette {
    pub fn new(rgb: [u8; 3]) -> Palette {
        let light = luminance(rgb);
        let white_contrast = 1.05 / (light + 0.05);
        let dark_contrast = (light + 0.05) / (luminance([0x26; 3]) + 0.05);
        let (on_accent, soft_on_accent) = if white_contrast >= dark_contrast {
            ("FFFFFF".to_string(), hex(mix(rgb, [255; 3], 0.75)))
        } else {
            (TEXT.to_string(), hex(mix(rgb, [0; 3], 0.7)))
        };
        // Darken until titles on white reach a readable contrast (WCAG's 4.5:1).
        let mut ink = rgb;
        let mut share = 0.0;
        while 1.05 / (luminance(ink) + 0.05) < 4.5 && share < 1.0 {
            share += 0.1;
            ink = mix(rgb, [0; 3], share);
        }
        Palette {
            accent: hex(rgb),
            pale: hex(mix(rgb, [255; 3], 0.88)),
            on_accent,
            soft_on_accent,
            ink: hex(ink),
        }
    }
}

/// Relative luminance (WCAG).
fn luminance(rgb: [u8; 3]) -> f64 {
    let linear = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.03928 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * linear(rgb[0]) + 0.7152 * linear(rgb[1]) + 0.0722 * linear(rgb[2])
}

fn mix(rgb: [u8; 3], with: [u8; 3], share: f64) -> [u8; 3] {
    let mut out = rgb;
    for (o, w) in out.iter_mut().zip(with) {
        *o = (f64::from(*o) + (f64::from(w) - f64::from(*o)) * share).round() as u8;
    }
    out
}

fn hex(rgb: [u8; 3]) -> String {
    format!("{:02X}{:02X}{:02X}", rgb[0], rgb[1], rgb[2])
}

/// `#RRGGBB` as bytes.
pub(super) fn parse_colour(text: &str) -> Option<[u8; 3]> {
    let digits = text.strip_prefix('#')?;
    if digits.len() != 6 || !digits.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let byte = |i: usize| u8::from_str_radix(&digits[i..i + 2], 16).ok();
    Some([byte(0)?, byte(2)?, byte(4)?])
}

pub(super) fn theme(palette: &Palette) -> String {
    let accents = [
        palette.accent.as_str(),
        "ED7D31",
        "70AD47",
        "5B9BD5",
        "FFC000",
        "A5A5A5",
    ];
    let mut colours = String::new();
    for (n, c) in accents.iter().enumerate() {
        colours.push_str(&format!(
            "<a:accent{k}><a:srgbClr val=\"{c}\"/></a:accent{k}>",
            k = n + 1
        ));
    }
    let font = |kind: &str| {
        format!(
            "<a:{kind}><a:latin typeface=\"{FONT}\"/><a:ea typeface=\"\"/><a:cs typeface=\"\"/></a:{kind}>"
        )
    };
    let line = |w: u32| {
        format!(
            "<a:ln w=\"{w}\" cap=\"flat\" cmpd=\"sng\" algn=\"ctr\"><a:solidFill><a:schemeClr val=\"phClr\"/></a:solidFill><a:prstDash val=\"solid\"/><a:miter lim=\"800000\"/></a:ln>"
        )
    };
    let solid = "<a:solidFill><a:schemeClr val=\"phClr\"/></a:solidFill>";
    format!(
        "{XML_DECL}<a:theme xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\" name=\"Errand\"><a:themeElements>\
         <a:clrScheme name=\"Errand\"><a:dk1><a:srgbClr val=\"{TEXT}\"/></a:dk1><a:lt1><a:srgbClr val=\"FFFFFF\"/></a:lt1>\
         <a:dk2><a:srgbClr val=\"44546A\"/></a:dk2><a:lt2><a:srgbClr val=\"E7E6E6\"/></a:lt2>{colours}\
         <a:hlink><a:srgbClr val=\"0563C1\"/></a:hlink><a:folHlink><a:srgbClr val=\"954F72\"/></a:folHlink></a:clrScheme>\
         <a:fontScheme name=\"Errand\">{}{}</a:fontScheme>\
         <a:fmtScheme name=\"Errand\">\
         <a:fillStyleLst>{solid}<a:solidFill><a:schemeClr val=\"phClr\"><a:tint val=\"50000\"/></a:schemeClr></a:solidFill><a:solidFill><a:schemeClr val=\"phClr\"><a:shade val=\"80000\"/></a:schemeClr></a:solidFill></a:fillStyleLst>\
         <a:lnStyleLst>{}{}{}</a:lnStyleLst>\
         <a:effectStyleLst><a:effectStyle><a:effectLst/></a:effectStyle><a:effectStyle><a:effectLst/></a:effectStyle><a:effectStyle><a:effectLst/></a:effectStyle></a:effectStyleLst>\
         <a:bgFillStyleLst>{solid}{solid}{solid}</a:bgFillStyleLst>\
         </a:fmtScheme></a:themeElements><a:objectDefaults/><a:extraClrSchemeLst/></a:theme>",
        font("majorFont"),
        font("minorFont"),
        line(6350),
        line(12700),
        line(19050)
    )
}

fn xfrm(x: i64, y: i64, w: i64, h: i64) -> String {
    format!("<a:xfrm><a:off x=\"{x}\" y=\"{y}\"/><a:ext cx=\"{w}\" cy=\"{h}\"/></a:xfrm>")
}

/// A placeholder as a master or layout defines it: geometry and an empty paragraph.
fn placeholder(id: u32, name: &str, ph: &str, rect: (i64, i64, i64, i64), anchor: &str) -> String {
    format!(
        "<p:sp><p:nvSpPr><p:cNvPr id=\"{id}\" name=\"{name}\"/><p:cNvSpPr><a:spLocks noGrp=\"1\"/></p:cNvSpPr><p:nvPr>{ph}</p:nvPr></p:nvSpPr>\
         <p:spPr>{}</p:spPr><p:txBody><a:bodyPr vert=\"horz\" wrap=\"square\" lIns=\"0\" tIns=\"45720\" rIns=\"0\" bIns=\"45720\" anchor=\"{anchor}\"><a:normAutofit/></a:bodyPr><a:lstStyle/><a:p><a:endParaRPr lang=\"en-US\"/></a:p></p:txBody></p:sp>",
        xfrm(rect.0, rect.1, rect.2, rect.3)
    )
}

fn slide_number(id: u32) -> String {
    format!(
        "<p:sp><p:nvSpPr><p:cNvPr id=\"{id}\" name=\"Slide Number Placeholder\"/><p:cNvSpPr><a:spLocks noGrp=\"1\"/></p:cNvSpPr><p:nvPr><p:ph type=\"sldNum\" sz=\"quarter\" idx=\"12\"/></p:nvPr></p:nvSpPr>\
         <p:spPr>{}</p:spPr><p:txBody><a:bodyPr vert=\"horz\" wrap=\"none\" lIns=\"0\" tIns=\"45720\" rIns=\"0\" bIns=\"45720\" anchor=\"ctr\"/><a:lstStyle><a:lvl1pPr algn=\"r\"><a:defRPr sz=\"1200\"><a:solidFill><a:srgbClr val=\"{MUTED}\"/></a:solidFill></a:defRPr></a:lvl1pPr></a:lstStyle>\
         <a:p><a:fld id=\"{SLIDE_NUMBER_FIELD}\" type=\"slidenum\"><a:rPr lang=\"en-US\"/><a:t>‹#›</a:t></a:fld><a:endParaRPr lang=\"en-US\"/></a:p></p:txBody></p:sp>",
        xfrm(NUMBER_X, NUMBER_Y, NUMBER_W, NUMBER_H)
    )
}

/// One id for every slide-number field, as PowerPoint itself writes them.
pub(super) const SLIDE_NUMBER_FIELD: &str = "{7C2D6E5B-3A41-4B8E-9F0D-2E5A8C1B4D37}";

/// A filled rectangle, for decoration.
pub(super) fn rect_shape(id: u32, name: &str, rect: (i64, i64, i64, i64), fill: &str) -> String {
    format!(
        "<p:sp><p:nvSpPr><p:cNvPr id=\"{id}\" name=\"{name}\"/><p:cNvSpPr/><p:nvPr userDrawn=\"1\"/></p:nvSpPr>\
         <p:spPr>{}<a:prstGeom prst=\"rect\"><a:avLst/></a:prstGeom>{fill}<a:ln><a:noFill/></a:ln></p:spPr>\
         <p:txBody><a:bodyPr rtlCol=\"0\" anchor=\"ctr\"/><a:lstStyle/><a:p><a:endParaRPr lang=\"en-US\"/></a:p></p:txBody></p:sp>",
        xfrm(rect.0, rect.1, rect.2, rect.3)
    )
}

const ACCENT_FILL: &str = "<a:solidFill><a:schemeClr val=\"accent1\"/></a:solidFill>";

/// The thin accent rule under content titles.
fn rule(id: u32) -> String {
    rect_shape(
        id,
        "Accent Rule",
        (MARGIN_X, RULE_Y, CONTENT_W, RULE_H),
        ACCENT_FILL,
    )
}

pub(super) fn layout(kind: Layout) -> String {
    let title = |anchor: &str| {
        placeholder(
            2,
            "Title 1",
            "<p:ph type=\"title\"/>",
            (MARGIN_X, TITLE_Y, CONTENT_W, TITLE_H),
            anchor,
        )
    };
    let (name, kind_attr, background, shapes) = match kind {
        Layout::Title => (
            "Title Slide",
            "title",
            String::new(),
            [
                rect_shape(4, "Band", (0, 0, SLIDE_W, BAND_H), ACCENT_FILL),
                rect_shape(
                    5,
                    "Band Stripe",
                    (0, BAND_H, SLIDE_W, STRIPE_H),
                    "<a:solidFill><a:schemeClr val=\"accent1\"><a:lumMod val=\"60000\"/><a:lumOff val=\"40000\"/></a:schemeClr></a:solidFill>",
                ),
                placeholder(
                    2,
                    "Title 1",
                    "<p:ph type=\"ctrTitle\"/>",
                    (COVER_X, COVER_TITLE_Y, COVER_W, COVER_TITLE_H),
                    "b",
                ),
                placeholder(
                    3,
                    "Subtitle 2",
                    "<p:ph type=\"subTitle\" idx=\"1\"/>",
                    (COVER_X, COVER_SUB_Y, COVER_W, COVER_SUB_H),
                    "t",
                ),
            ]
            .concat(),
        ),
        Layout::Section => (
            "Section Header",
            "secHead",
            format!("<p:bg><p:bgPr>{ACCENT_FILL}<a:effectLst/></p:bgPr></p:bg>"),
            [
                rect_shape(
                    4,
                    "Section Bar",
                    (COVER_X, SECTION_BAR_Y, SECTION_BAR_W, SECTION_BAR_H),
                    "<a:solidFill><a:schemeClr val=\"bg1\"/></a:solidFill>",
                ),
                placeholder(
                    2,
                    "Title 1",
                    "<p:ph type=\"title\"/>",
                    (COVER_X, SECTION_TITLE_Y, COVER_W, SECTION_TITLE_H),
                    "b",
                ),
                placeholder(
                    3,
                    "Text Placeholder 2",
                    "<p:ph type=\"body\" idx=\"1\"/>",
                    (COVER_X, SECTION_SUB_Y, COVER_W, SECTION_SUB_H),
                    "t",
                ),
            ]
            .concat(),
        ),
        Layout::Content => (
            "Title and Content",
            "obj",
            String::new(),
            [
                title("b"),
                placeholder(
                    3,
                    "Content Placeholder 2",
                    "<p:ph idx=\"1\"/>",
                    (MARGIN_X, BODY_Y, CONTENT_W, BODY_H),
                    "t",
                ),
                rule(5),
                slide_number(4),
            ]
            .concat(),
        ),
        Layout::TwoColumn => (
            "Two Content",
            "twoObj",
            String::new(),
            [
                title("b"),
                placeholder(
                    3,
                    "Content Placeholder 2",
                    "<p:ph sz=\"half\" idx=\"1\"/>",
                    (MARGIN_X, BODY_Y, TWO_COL_W, BODY_H),
                    "t",
                ),
                placeholder(
                    4,
                    "Content Placeholder 3",
                    "<p:ph sz=\"half\" idx=\"2\"/>",
                    (TWO_COL_X2, BODY_Y, TWO_COL_W, BODY_H),
                    "t",
                ),
                rule(6),
                slide_number(5),
            ]
            .concat(),
        ),
        Layout::TitleOnly => (
            "Title Only",
            "titleOnly",
            String::new(),
            [title("b"), rule(4), slide_number(3)].concat(),
        ),
    };
    format!(
        "{XML_DECL}<p:sldLayout {NS} type=\"{kind_attr}\" preserve=\"1\"><p:cSld name=\"{name}\">{background}<p:spTree>{GROUP_PROPS}{shapes}</p:spTree></p:cSld>\
         <p:clrMapOvr><a:masterClrMapping/></p:clrMapOvr></p:sldLayout>"
    )
}

pub(super) fn layout_rels() -> String {
    format!(
        "{XML_DECL}<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
         <Relationship Id=\"rId1\" Type=\"{REL}/slideMaster\" Target=\"../slideMasters/slideMaster1.xml\"/></Relationships>"
    )
}

/// Paragraph defaults for one level of a text style.
fn level(n: usize, mar_l: i64, size: u32, bullet: &str, extra: &str) -> String {
    let indent = if bullet.is_empty() { 0 } else { -228_600 };
    let bullet = if bullet.is_empty() {
        "<a:buNone/>".to_string()
    } else {
        format!(
            "<a:buClr><a:schemeClr val=\"accent1\"/></a:buClr><a:buFont typeface=\"Arial\"/><a:buChar char=\"{bullet}\"/>"
        )
    };
    format!(
        "<a:lvl{n}pPr marL=\"{mar_l}\" indent=\"{indent}\" algn=\"l\" defTabSz=\"914400\" rtl=\"0\" eaLnBrk=\"1\" latinLnBrk=\"0\" hangingPunct=\"1\">\
         <a:lnSpc><a:spcPct val=\"100000\"/></a:lnSpc><a:spcBef><a:spcPts val=\"{}\"/></a:spcBef>{bullet}\
         <a:defRPr sz=\"{}\" kern=\"1200\"{extra}><a:solidFill><a:schemeClr val=\"tx1\"/></a:solidFill><a:latin typeface=\"+mn-lt\"/><a:ea typeface=\"+mn-ea\"/><a:cs typeface=\"+mn-cs\"/></a:defRPr></a:lvl{n}pPr>",
        size * 50,
        size * 100
    )
}

pub(super) fn master() -> String {
    let mut layout_ids = String::new();
    for kind in LAYOUTS {
        let n = kind as u32;
        layout_ids.push_str(&format!(
            "<p:sldLayoutId id=\"{}\" r:id=\"rId{n}\"/>",
            2_147_483_648u32 + n
        ));
    }
    let body: String = [
        level(1, 342_900, 28, "•", ""),
        level(2, 800_100, 24, "–", ""),
        level(3, 1_257_300, 20, "•", ""),
    ]
    .concat();
    let other: String = (1..=3).map(|n| level(n, 0, 18, "", "")).collect();
    format!(
        "{XML_DECL}<p:sldMaster {NS}><p:cSld><p:bg><p:bgPr><a:solidFill><a:schemeClr val=\"bg1\"/></a:solidFill><a:effectLst/></p:bgPr></p:bg>\
         <p:spTree>{GROUP_PROPS}{}{}\
         <p:sp><p:nvSpPr><p:cNvPr id=\"4\" name=\"Slide Number Placeholder 3\"/><p:cNvSpPr><a:spLocks noGrp=\"1\"/></p:cNvSpPr><p:nvPr><p:ph type=\"sldNum\" sz=\"quarter\" idx=\"4\"/></p:nvPr></p:nvSpPr>\
         <p:spPr>{}</p:spPr><p:txBody><a:bodyPr vert=\"horz\" wrap=\"none\" lIns=\"0\" tIns=\"45720\" rIns=\"0\" bIns=\"45720\" anchor=\"ctr\"/><a:lstStyle><a:lvl1pPr algn=\"r\"><a:defRPr sz=\"1200\"><a:solidFill><a:srgbClr val=\"{MUTED}\"/></a:solidFill></a:defRPr></a:lvl1pPr></a:lstStyle>\
         <a:p><a:fld id=\"{SLIDE_NUMBER_FIELD}\" type=\"slidenum\"><a:rPr lang=\"en-US\"/><a:t>‹#›</a:t></a:fld><a:endParaRPr lang=\"en-US\"/></a:p></p:txBody></p:sp>\
         </p:spTree></p:cSld><p:clrMap {CLR_MAP}/><p:sldLayoutIdLst>{layout_ids}</p:sldLayoutIdLst>\
         <p:txStyles><p:titleStyle><a:lvl1pPr algn=\"l\" defTabSz=\"914400\" rtl=\"0\" eaLnBrk=\"1\" latinLnBrk=\"0\" hangingPunct=\"1\"><a:lnSpc><a:spcPct val=\"100000\"/></a:lnSpc><a:spcBef><a:spcPct val=\"0\"/></a:spcBef><a:buNone/>\
         <a:defRPr sz=\"3600\" b=\"1\" kern=\"1200\"><a:solidFill><a:schemeClr val=\"accent1\"/></a:solidFill><a:latin typeface=\"+mj-lt\"/><a:ea typeface=\"+mj-ea\"/><a:cs typeface=\"+mj-cs\"/></a:defRPr></a:lvl1pPr></p:titleStyle>\
         <p:bodyStyle>{body}</p:bodyStyle><p:otherStyle>{other}</p:otherStyle></p:txStyles></p:sldMaster>",
        placeholder(
            2,
            "Title Placeholder 1",
            "<p:ph type=\"title\"/>",
            (MARGIN_X, TITLE_Y, CONTENT_W, TITLE_H),
            "b"
        ),
        placeholder(
            3,
            "Text Placeholder 2",
            "<p:ph type=\"body\" idx=\"1\"/>",
            (MARGIN_X, BODY_Y, CONTENT_W, BODY_H),
            "t"
        ),
        xfrm(NUMBER_X, NUMBER_Y, NUMBER_W, NUMBER_H),
    )
}

pub(super) fn master_rels() -> String {
    let mut rels = format!(
        "{XML_DECL}<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    );
    for kind in LAYOUTS {
        let n = kind as u32;
        rels.push_str(&format!(
            "<Relationship Id=\"rId{n}\" Type=\"{REL}/slideLayout\" Target=\"../slideLayouts/slideLayout{n}.xml\"/>"
        ));
    }
    rels.push_str(&format!(
        "<Relationship Id=\"rId{}\" Type=\"{REL}/theme\" Target=\"../theme/theme1.xml\"/></Relationships>",
        LAYOUTS.len() + 1
    ));
    rels
}

/// Notes pages are portrait, 7.5 × 10 in, with the slide above and the notes below.
pub(super) const NOTES_W: i64 = 6_858_000;
pub(super) const NOTES_H: i64 = 9_144_000;
pub(super) const NOTES_IMAGE: (i64, i64, i64, i64) = (685_800, 1_143_000, 5_486_400, 3_086_100);
pub(super) const NOTES_BODY: (i64, i64, i64, i64) = (685_800, 4_400_550, 5_486_400, 3_600_450);

pub(super) fn notes_master() -> String {
    format!(
        "{XML_DECL}<p:notesMaster {NS}><p:cSld><p:bg><p:bgRef idx=\"1001\"><a:schemeClr val=\"bg1\"/></p:bgRef></p:bg><p:spTree>{GROUP_PROPS}\
         <p:sp><p:nvSpPr><p:cNvPr id=\"2\" name=\"Slide Image Placeholder 1\"/><p:cNvSpPr><a:spLocks noGrp=\"1\" noRot=\"1\" noChangeAspect=\"1\"/></p:cNvSpPr><p:nvPr><p:ph type=\"sldImg\" idx=\"2\"/></p:nvPr></p:nvSpPr>\
         <p:spPr>{}<a:prstGeom prst=\"rect\"><a:avLst/></a:prstGeom><a:noFill/><a:ln w=\"12700\"><a:solidFill><a:prstClr val=\"black\"/></a:solidFill></a:ln></p:spPr></p:sp>\
         <p:sp><p:nvSpPr><p:cNvPr id=\"3\" name=\"Notes Placeholder 2\"/><p:cNvSpPr><a:spLocks noGrp=\"1\"/></p:cNvSpPr><p:nvPr><p:ph type=\"body\" sz=\"quarter\" idx=\"3\"/></p:nvPr></p:nvSpPr>\
         <p:spPr>{}<a:prstGeom prst=\"rect\"><a:avLst/></a:prstGeom></p:spPr><p:txBody><a:bodyPr vert=\"horz\" lIns=\"91440\" tIns=\"45720\" rIns=\"91440\" bIns=\"45720\"/><a:lstStyle/><a:p><a:endParaRPr lang=\"en-US\"/></a:p></p:txBody></p:sp>\
         </p:spTree></p:cSld><p:clrMap {CLR_MAP}/>\
         <p:notesStyle><a:lvl1pPr marL=\"0\" algn=\"l\" defTabSz=\"914400\" rtl=\"0\" eaLnBrk=\"1\" latinLnBrk=\"0\" hangingPunct=\"1\"><a:defRPr sz=\"1200\" kern=\"1200\"><a:solidFill><a:schemeClr val=\"tx1\"/></a:solidFill><a:latin typeface=\"+mn-lt\"/><a:ea typeface=\"+mn-ea\"/><a:cs typeface=\"+mn-cs\"/></a:defRPr></a:lvl1pPr></p:notesStyle></p:notesMaster>",
        xfrm(NOTES_IMAGE.0, NOTES_IMAGE.1, NOTES_IMAGE.2, NOTES_IMAGE.3),
        xfrm(NOTES_BODY.0, NOTES_BODY.1, NOTES_BODY.2, NOTES_BODY.3),
    )
}

pub(super) fn notes_master_rels() -> String {
    format!(
        "{XML_DECL}<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
         <Relationship Id=\"rId1\" Type=\"{REL}/theme\" Target=\"../theme/theme2.xml\"/></Relationships>"
    )
}

pub(super) fn pres_props() -> String {
    format!("{XML_DECL}<p:presentationPr {NS}/>")
}

pub(super) fn view_props() -> String {
    format!(
        "{XML_DECL}<p:viewPr {NS}><p:normalViewPr><p:restoredLeft sz=\"15620\"/><p:restoredTop sz=\"94660\"/></p:normalViewPr><p:gridSpacing cx=\"76200\" cy=\"76200\"/></p:viewPr>"
    )
}

pub(super) fn table_styles() -> String {
    // The Office default style id; tables here carry their own fills and borders.
    format!(
        "{XML_DECL}<a:tblStyleLst xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\" def=\"{{5C22544A-7EE6-4342-B048-85BDC9FD1C3A}}\"/>"
    )
}

pub(super) const ROOT_RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"ppt/presentation.xml\"/>\
<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties\" Target=\"docProps/core.xml\"/>\
<Relationship Id=\"rId3\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties\" Target=\"docProps/app.xml\"/>\
</Relationships>";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_on_the_accent_stays_readable() {
        let navy = Palette::new([0x1F, 0x4E, 0x78]);
        assert_eq!(
            (navy.on_accent.as_str(), navy.ink.as_str()),
            ("FFFFFF", "1F4E78")
        );
        // On yellow, white text would vanish: dark text, and titles darkened.
        let yellow = Palette::new([0xFF, 0xC0, 0x00]);
        assert_eq!(yellow.on_accent, TEXT);
        assert_ne!(yellow.ink, "FFC000");
        assert_eq!(parse_colour("#1f4e78"), Some([0x1F, 0x4E, 0x78]));
        for bad in ["blue", "#12345", "1F4E78", "#GG0000"] {
            assert_eq!(parse_colour(bad), None, "{bad}");
        }
    }
}
