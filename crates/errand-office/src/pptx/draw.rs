//! Slide XML: text shapes (placeholders or plain boxes), pictures, tables and decoration,
//! with the relationships (links, pictures) a slide or notes page needs.
use super::geom::{INSET_Y, NUMBER_H, NUMBER_W, NUMBER_X, NUMBER_Y, Rect};
use super::parts::{
    GROUP_PROPS, Layout, NOTES_BODY, NOTES_IMAGE, NS, REL, SLIDE_NUMBER_FIELD, XML_DECL,
};
use crate::blocks::Run;
pub(super) use crate::xml::esc;

/// A link target as a URI: bytes outside URI syntax (spaces, quotes, non-ASCII) are
/// percent-encoded, since Office treats a malformed target as a damaged file.
fn uri(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    for byte in url.bytes() {
        let keep = byte.is_ascii_alphanumeric() || b"-._~:/?#[]@!$&'()*+,;=%".contains(&byte);
        if keep {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Text in an attribute, where a newline would be read back as a space anyway.
fn esc_attr(text: &str) -> String {
    esc(text).replace(['\n', '\t'], " ")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Align {
    Left,
    Centre,
    Right,
}

impl Align {
    fn attr(self) -> &'static str {
        match self {
            Align::Left => "l",
            Align::Centre => "ctr",
            Align::Right => "r",
        }
    }
}

/// One paragraph as it is drawn.
#[derive(Debug, Clone)]
pub(super) struct Para {
    pub runs: Vec<Run>,
    /// Points.
    pub size: f64,
    /// Bold for every run (titles, headings).
    pub bold: bool,
    /// RRGGBB.
    pub colour: String,
    pub align: Align,
    /// Bullet level and its left margin in EMU; `None` for no bullet.
    pub bullet: Option<(u8, i64)>,
    /// Points before the paragraph.
    pub space_before: f64,
    pub italic: bool,
    /// RRGGBB of the bullet character, when it differs from the text's.
    pub bullet_colour: Option<String>,
}

impl Para {
    pub fn new(runs: Vec<Run>, size: f64, colour: &str) -> Para {
        Para {
            runs,
            size,
            bold: false,
            colour: colour.to_string(),
            align: Align::Left,
            bullet: None,
            space_before: 0.0,
            italic: false,
            bullet_colour: None,
        }
    }

    pub fn bold(mut self) -> Para {
        self.bold = true;
        self
    }

    pub fn align(mut self, align: Align) -> Para {
        self.align = align;
        self
    }

    fn colour_bullet(&self) -> &str {
        self.bullet_colour.as_deref().unwrap_or(&self.colour)
    }
}

/// Bullet characters by level, and their colour.
const BULLETS: [&str; 3] = ["•", "–", "•"];

/// What kind of shape a text box is: which placeholder, or a plain text box.
#[derive(Debug, Clone, Copy)]
pub(super) enum Holder {
    /// `<p:ph …/>` attributes, e.g. `type="title"`.
    Placeholder(&'static str),
    TextBox,
}

/// Where a vertical block of text sits in its box.
#[derive(Debug, Clone, Copy)]
pub(super) enum Anchor {
    Top,
    Bottom,
}

impl Anchor {
    fn attr(self) -> &'static str {
        match self {
            Anchor::Top => "t",
            Anchor::Bottom => "b",
        }
    }
}

/// A table cell as drawn.
pub(super) struct Cell<'a> {
    pub runs: &'a [Run],
    pub bold: bool,
    pub colour: &'a str,
    pub fill: &'a str,
    pub align: Align,
}

/// One slide (or notes page) being written: its shapes and its relationships beyond the
/// layout (`rId1`) and notes (`rId2`), which are numbered from `rId3`.
pub(super) struct SlideXml {
    shapes: String,
    next_id: u32,
    rels: Vec<String>,
    /// Content slides show their number bottom-right.
    pub numbered: bool,
    /// A background fill (`a:solidFill …`), where the layout's should be repeated.
    pub background: Option<String>,
}

impl SlideXml {
    pub fn new() -> SlideXml {
        SlideXml {
            shapes: String::new(),
            next_id: 2,
            rels: Vec::new(),
            numbered: false,
            background: None,
        }
    }

    fn id(&mut self) -> u32 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    fn rel(&mut self, kind: &str, target: &str, external: bool) -> String {
        let id = format!("rId{}", self.rels.len() + 3);
        let mode = if external {
            " TargetMode=\"External\""
        } else {
            ""
        };
        self.rels.push(format!(
            "<Relationship Id=\"{id}\" Type=\"{REL}/{kind}\" Target=\"{}\"{mode}/>",
            esc_attr(target)
        ));
        id
    }

    fn runs_xml(&mut self, para: &Para) -> String {
        let mut xml = String::new();
        let size = (para.size * 100.0).round() as u32;
        for run in &para.runs {
            let link = run
                .link
                .as_ref()
                .map(|url| self.rel("hyperlink", &uri(url), true));
            let colour = if link.is_some() {
                "<a:solidFill><a:schemeClr val=\"hlink\"/></a:solidFill>".to_string()
            } else {
                format!(
                    "<a:solidFill><a:srgbClr val=\"{}\"/></a:solidFill>",
                    para.colour
                )
            };
            let props = format!(
                "<a:rPr lang=\"en-US\" sz=\"{size}\" b=\"{}\" i=\"{}\"{} dirty=\"0\">{colour}{}</a:rPr>",
                u8::from(run.bold || para.bold),
                u8::from(run.italic || para.italic),
                if link.is_some() { " u=\"sng\"" } else { "" },
                link.map(|id| format!("<a:hlinkClick r:id=\"{id}\"/>"))
                    .unwrap_or_default()
            );
            // A newline inside a run is a line break within the paragraph.
            for (n, piece) in run.text.split('\n').enumerate() {
                if n > 0 {
                    xml.push_str(&format!("<a:br>{props}</a:br>"));
                }
                if !piece.is_empty() {
                    xml.push_str(&format!("<a:r>{props}<a:t>{}</a:t></a:r>", esc(piece)));
                }
            }
        }
        xml
    }

    fn para_xml(&mut self, para: &Para) -> String {
        let size = (para.size * 100.0).round() as u32;
        let (margin, bullet) = match para.bullet {
            Some((level, margin)) => (
                format!(
                    " marL=\"{margin}\" lvl=\"{level}\" indent=\"{}\"",
                    -(margin.min(274_320))
                ),
                format!(
                    "<a:buClr><a:srgbClr val=\"{}\"/></a:buClr><a:buFont typeface=\"Arial\"/><a:buChar char=\"{}\"/>",
                    para.colour_bullet(),
                    BULLETS[usize::from(level).min(BULLETS.len() - 1)]
                ),
            ),
            None => (
                " marL=\"0\" indent=\"0\"".to_string(),
                "<a:buNone/>".to_string(),
            ),
        };
        format!(
            "<a:p><a:pPr{margin} algn=\"{}\"><a:lnSpc><a:spcPct val=\"100000\"/></a:lnSpc><a:spcBef><a:spcPts val=\"{}\"/></a:spcBef>{bullet}</a:pPr>{}<a:endParaRPr lang=\"en-US\" sz=\"{size}\" dirty=\"0\"/></a:p>",
            para.align.attr(),
            (para.space_before * 100.0).round() as u32,
            self.runs_xml(para)
        )
    }

    /// A text shape. Its box was sized by measuring, so no autofit is needed; placeholders
    /// still say `normAutofit` so PowerPoint keeps text fitting when someone edits it.
    pub fn text(&mut self, name: &str, holder: Holder, rect: Rect, anchor: Anchor, paras: &[Para]) {
        let id = self.id();
        let (locks, ph, autofit) = match holder {
            Holder::Placeholder(attrs) => (
                "<p:cNvSpPr><a:spLocks noGrp=\"1\"/></p:cNvSpPr>".to_string(),
                format!("<p:ph {attrs}/>"),
                "<a:normAutofit/>",
            ),
            Holder::TextBox => (
                "<p:cNvSpPr txBox=\"1\"/>".to_string(),
                String::new(),
                "<a:noAutofit/>",
            ),
        };
        let geometry = match holder {
            Holder::Placeholder(_) => String::new(),
            Holder::TextBox => {
                "<a:prstGeom prst=\"rect\"><a:avLst/></a:prstGeom><a:noFill/>".into()
            }
        };
        let body: String = paras.iter().map(|p| self.para_xml(p)).collect();
        self.shapes.push_str(&format!(
            "<p:sp><p:nvSpPr><p:cNvPr id=\"{id}\" name=\"{} {}\"/>{locks}<p:nvPr>{ph}</p:nvPr></p:nvSpPr>\
             <p:spPr>{}{geometry}</p:spPr>\
             <p:txBody><a:bodyPr vert=\"horz\" wrap=\"square\" lIns=\"0\" tIns=\"{INSET_Y}\" rIns=\"0\" bIns=\"{INSET_Y}\" rtlCol=\"0\" anchor=\"{}\">{autofit}</a:bodyPr><a:lstStyle/>{body}</p:txBody></p:sp>",
            esc_attr(name),
            id - 1,
            xfrm(rect),
            anchor.attr()
        ));
    }

    /// A filled rectangle without outline.
    pub fn rect(&mut self, name: &str, rect: Rect, fill: &str) {
        let id = self.id();
        self.shapes.push_str(&format!(
            "<p:sp><p:nvSpPr><p:cNvPr id=\"{id}\" name=\"{name} {}\"/><p:cNvSpPr/><p:nvPr/></p:nvSpPr>\
             <p:spPr>{}<a:prstGeom prst=\"rect\"><a:avLst/></a:prstGeom><a:solidFill><a:srgbClr val=\"{fill}\"/></a:solidFill><a:ln><a:noFill/></a:ln></p:spPr>\
             <p:txBody><a:bodyPr rtlCol=\"0\" anchor=\"ctr\"/><a:lstStyle/><a:p><a:endParaRPr lang=\"en-US\"/></a:p></p:txBody></p:sp>",
            id - 1,
            xfrm(rect)
        ));
    }

    /// A picture stored as `ppt/media/{file}`.
    pub fn picture(&mut self, rect: Rect, file: &str, description: &str) {
        let id = self.id();
        let rel = self.rel("image", &format!("../media/{file}"), false);
        self.shapes.push_str(&format!(
            "<p:pic><p:nvPicPr><p:cNvPr id=\"{id}\" name=\"Picture {}\" descr=\"{}\"/><p:cNvPicPr><a:picLocks noChangeAspect=\"1\"/></p:cNvPicPr><p:nvPr/></p:nvPicPr>\
             <p:blipFill><a:blip r:embed=\"{rel}\"/><a:stretch><a:fillRect/></a:stretch></p:blipFill>\
             <p:spPr>{}<a:prstGeom prst=\"rect\"><a:avLst/></a:prstGeom></p:spPr></p:pic>",
            id - 1,
            esc_attr(description),
            xfrm(rect)
        ));
    }

    /// A table: `columns` widths and `heights` per row in EMU, cells row by row.
    pub fn table(
        &mut self,
        x: i64,
        y: i64,
        columns: &[i64],
        rows: &[(i64, Vec<Cell<'_>>)],
        size: f64,
    ) {
        let id = self.id();
        let width: i64 = columns.iter().sum();
        let height: i64 = rows.iter().map(|(h, _)| h).sum();
        let mut xml = format!(
            "<p:graphicFrame><p:nvGraphicFramePr><p:cNvPr id=\"{id}\" name=\"Table {}\"/><p:cNvGraphicFramePr><a:graphicFrameLocks noGrp=\"1\"/></p:cNvGraphicFramePr><p:nvPr/></p:nvGraphicFramePr>\
             <p:xfrm><a:off x=\"{x}\" y=\"{y}\"/><a:ext cx=\"{width}\" cy=\"{height}\"/></p:xfrm>\
             <a:graphic><a:graphicData uri=\"http://schemas.openxmlformats.org/drawingml/2006/table\"><a:tbl><a:tblPr firstRow=\"1\" bandRow=\"1\"/><a:tblGrid>",
            id - 1
        );
        for w in columns {
            xml.push_str(&format!("<a:gridCol w=\"{w}\"/>"));
        }
        xml.push_str("</a:tblGrid>");
        let border = |side: &str| {
            format!(
                "<a:{side} w=\"9525\" cap=\"flat\" cmpd=\"sng\" algn=\"ctr\"><a:solidFill><a:srgbClr val=\"D9D9D9\"/></a:solidFill><a:prstDash val=\"solid\"/></a:{side}>"
            )
        };
        let no_border = |side: &str| format!("<a:{side} w=\"0\"><a:noFill/></a:{side}>");
        for (h, cells) in rows {
            xml.push_str(&format!("<a:tr h=\"{h}\">"));
            for cell in cells {
                let para = Para {
                    bold: cell.bold,
                    align: cell.align,
                    ..Para::new(cell.runs.to_vec(), size, cell.colour)
                };
                let body = self.para_xml(&para);
                xml.push_str(&format!(
                    "<a:tc><a:txBody><a:bodyPr/><a:lstStyle/>{body}</a:txBody>\
                     <a:tcPr marL=\"{CELL_MARGIN_X}\" marR=\"{CELL_MARGIN_X}\" marT=\"{CELL_MARGIN_Y}\" marB=\"{CELL_MARGIN_Y}\" anchor=\"ctr\">{}{}{}{}<a:solidFill><a:srgbClr val=\"{}\"/></a:solidFill></a:tcPr></a:tc>",
                    no_border("lnL"),
                    no_border("lnR"),
                    border("lnT"),
                    border("lnB"),
                    cell.fill
                ));
            }
            xml.push_str("</a:tr>");
        }
        xml.push_str("</a:tbl></a:graphicData></a:graphic></p:graphicFrame>");
        self.shapes.push_str(&xml);
    }

    /// The slide part and its relationships; `notes` says whether a notes page follows.
    pub fn finish(
        mut self,
        layout: Layout,
        number: usize,
        notes: Option<usize>,
    ) -> (String, String) {
        if self.numbered {
            let id = self.id();
            self.shapes.push_str(&format!(
                "<p:sp><p:nvSpPr><p:cNvPr id=\"{id}\" name=\"Slide Number Placeholder {}\"/><p:cNvSpPr><a:spLocks noGrp=\"1\"/></p:cNvSpPr><p:nvPr><p:ph type=\"sldNum\" sz=\"quarter\" idx=\"12\"/></p:nvPr></p:nvSpPr>\
                 <p:spPr>{}</p:spPr><p:txBody><a:bodyPr/><a:lstStyle/><a:p><a:pPr algn=\"r\"/><a:fld id=\"{SLIDE_NUMBER_FIELD}\" type=\"slidenum\"><a:rPr lang=\"en-US\" sz=\"1200\"><a:solidFill><a:srgbClr val=\"{}\"/></a:solidFill></a:rPr><a:t>{number}</a:t></a:fld><a:endParaRPr lang=\"en-US\" sz=\"1200\"/></a:p></p:txBody></p:sp>",
                id - 1,
                xfrm(Rect::new(NUMBER_X, NUMBER_Y, NUMBER_W, NUMBER_H)),
                super::parts::MUTED
            ));
        }
        let background = self
            .background
            .as_ref()
            .map(|fill| format!("<p:bg><p:bgPr>{fill}<a:effectLst/></p:bgPr></p:bg>"))
            .unwrap_or_default();
        let xml = format!(
            "{XML_DECL}<p:sld {NS}><p:cSld>{background}<p:spTree>{GROUP_PROPS}{}</p:spTree></p:cSld><p:clrMapOvr><a:masterClrMapping/></p:clrMapOvr></p:sld>",
            self.shapes
        );
        let mut rels = format!(
            "{XML_DECL}<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
             <Relationship Id=\"rId1\" Type=\"{REL}/slideLayout\" Target=\"../slideLayouts/slideLayout{}.xml\"/>",
            layout as u32
        );
        if let Some(n) = notes {
            rels.push_str(&format!(
                "<Relationship Id=\"rId2\" Type=\"{REL}/notesSlide\" Target=\"../notesSlides/notesSlide{n}.xml\"/>"
            ));
        }
        rels.push_str(&self.rels.concat());
        rels.push_str("</Relationships>");
        (xml, rels)
    }
}

pub(super) const CELL_MARGIN_X: i64 = 91_440;
pub(super) const CELL_MARGIN_Y: i64 = 45_720;

fn xfrm(rect: Rect) -> String {
    format!(
        "<a:xfrm><a:off x=\"{}\" y=\"{}\"/><a:ext cx=\"{}\" cy=\"{}\"/></a:xfrm>",
        rect.x, rect.y, rect.w, rect.h
    )
}

/// The notes page for slide `number`: the slide image and the notes text, one paragraph
/// per line, with the same inline markup as slide text.
pub(super) fn notes(text: &str, number: usize) -> (String, String) {
    let mut page = SlideXml::new();
    let paras: Vec<Para> = text
        .split('\n')
        .map(|line| Para::new(crate::blocks::runs(line), 12.0, super::parts::TEXT))
        .collect();
    let body: String = paras.iter().map(|p| page.para_xml(p)).collect();
    let (x, y, w, h) = NOTES_IMAGE;
    let (bx, by, bw, bh) = NOTES_BODY;
    let xml = format!(
        "{XML_DECL}<p:notes {NS}><p:cSld><p:spTree>{GROUP_PROPS}\
         <p:sp><p:nvSpPr><p:cNvPr id=\"2\" name=\"Slide Image Placeholder 1\"/><p:cNvSpPr><a:spLocks noGrp=\"1\" noRot=\"1\" noChangeAspect=\"1\"/></p:cNvSpPr><p:nvPr><p:ph type=\"sldImg\"/></p:nvPr></p:nvSpPr><p:spPr>{}</p:spPr></p:sp>\
         <p:sp><p:nvSpPr><p:cNvPr id=\"3\" name=\"Notes Placeholder 2\"/><p:cNvSpPr><a:spLocks noGrp=\"1\"/></p:cNvSpPr><p:nvPr><p:ph type=\"body\" idx=\"1\"/></p:nvPr></p:nvSpPr><p:spPr>{}</p:spPr>\
         <p:txBody><a:bodyPr/><a:lstStyle/>{body}</p:txBody></p:sp>\
         </p:spTree></p:cSld><p:clrMapOvr><a:masterClrMapping/></p:clrMapOvr></p:notes>",
        xfrm(Rect::new(x, y, w, h)),
        xfrm(Rect::new(bx, by, bw, bh)),
    );
    let rels = format!(
        "{XML_DECL}<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
         <Relationship Id=\"rId1\" Type=\"{REL}/notesMaster\" Target=\"../notesMasters/notesMaster1.xml\"/>\
         <Relationship Id=\"rId2\" Type=\"{REL}/slide\" Target=\"../slides/slide{number}.xml\"/>{}</Relationships>",
        page.rels.concat()
    );
    (xml, rels)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_targets_are_uris_and_text_is_xml() {
        assert_eq!(
            uri("https://example.com/a b?q=é"),
            "https://example.com/a%20b?q=%C3%A9"
        );
        assert_eq!(uri("mailto:ana@example.com"), "mailto:ana@example.com");
        assert_eq!(
            esc("a<b>&\"c\"\u{1}\u{FFFF}\td"),
            "a&lt;b&gt;&amp;&quot;c&quot;\td"
        );
    }
}
