//! A small docx writer on zip: a clean business style (Calibri, navy headings, a title
//! page, bulleted and numbered lists, banded tables with a header row, links, page numbers
//! in the footer). Written by hand because the format needs only a few parts.
use crate::OfficeError;
use crate::blocks::{Block, DocumentSpec, Run, runs, width_share};
use crate::media::{Image, ImageSource};
use crate::xml::esc;
use std::io::Write;

const W: &str = "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\" xmlns:wp=\"http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing\" xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\" xmlns:pic=\"http://schemas.openxmlformats.org/drawingml/2006/picture\"";

/// The .docx bytes for `spec`; `images` supplies the pictures `image` blocks name.
pub fn build(spec: &DocumentSpec, images: &dyn ImageSource) -> Result<Vec<u8>, OfficeError> {
    if spec.blocks.is_empty() && spec.title.is_none() {
        return Err(OfficeError::Spec(
            "`blocks` is empty; give headings, paragraphs, lists or tables".into(),
        ));
    }
    crate::blocks::validate(&spec.blocks)?;
    let mut body = String::new();
    let mut links: Vec<String> = Vec::new();
    let mut numbered_lists = 0u32;
    let mut pictures: Vec<Image> = Vec::new();
    if let Some(title) = &spec.title {
        body.push_str(&paragraph("Title", &[plain(title)], &mut links));
        if let Some(subtitle) = &spec.subtitle {
            body.push_str(&paragraph("Subtitle", &[plain(subtitle)], &mut links));
        }
        for line in [&spec.author, &spec.date].into_iter().flatten() {
            body.push_str(&paragraph("TitleMeta", &[plain(line)], &mut links));
        }
        body.push_str(PAGE_BREAK);
    }
    for (i, block) in spec.blocks.iter().enumerate() {
        match block {
            Block::Heading { text, level } => {
                let level = level.unwrap_or(1);
                body.push_str(&paragraph(
                    &format!("Heading{level}"),
                    &runs(text),
                    &mut links,
                ));
            }
            Block::Paragraph { text } => {
                for line in text.split("\n\n") {
                    body.push_str(&paragraph("Normal", &runs(line), &mut links));
                }
            }
            Block::Bullets { items } => {
                for item in items {
                    body.push_str(&list_item(1, &runs(item), &mut links));
                }
            }
            Block::Numbered { items } => {
                // Each list its own numbering instance, so every list starts at 1.
                numbered_lists += 1;
                for item in items {
                    body.push_str(&list_item(1 + numbered_lists, &runs(item), &mut links));
                }
            }
            Block::Table { header, rows } => body.push_str(&table(header, rows, &mut links)),
            Block::PageBreak => body.push_str(PAGE_BREAK),
            Block::Image {
                path,
                caption,
                width_percent,
            } => {
                let image = images.image(path)?;
                body.push_str(&picture(
                    &image,
                    width_share(*width_percent, i)?,
                    pictures.len() + 1,
                    caption,
                    &mut links,
                ));
                pictures.push(image);
            }
            Block::Chart { chart, caption } => {
                let image = crate::chart::png(chart)
                    .map_err(|e| OfficeError::Spec(format!("blocks[{i}].chart: {e}")))?;
                body.push_str(&picture(
                    &image,
                    1.0,
                    pictures.len() + 1,
                    caption,
                    &mut links,
                ));
                pictures.push(image);
            }
        }
    }
    let document = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:document {W}><w:body>{body}\
         <w:sectPr><w:footerReference w:type=\"default\" r:id=\"rIdFooter\"/>\
         <w:pgSz w:w=\"11906\" w:h=\"16838\"/>\
         <w:pgMar w:top=\"1440\" w:right=\"1300\" w:bottom=\"1440\" w:left=\"1300\" w:header=\"708\" w:footer=\"708\" w:gutter=\"0\"/>\
         <w:titlePg w:val=\"{}\"/></w:sectPr></w:body></w:document>",
        if spec.title.is_some() { "1" } else { "0" }
    );
    let mut rels = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
         <Relationship Id=\"rIdStyles\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>\
         <Relationship Id=\"rIdNumbering\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/numbering\" Target=\"numbering.xml\"/>\
         <Relationship Id=\"rIdFooter\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer\" Target=\"footer1.xml\"/>",
    );
    for (n, url) in links.iter().enumerate() {
        rels.push_str(&format!(
            "<Relationship Id=\"rIdLink{n}\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink\" Target=\"{}\" TargetMode=\"External\"/>",
            esc(url)
        ));
    }
    for (n, image) in pictures.iter().enumerate() {
        rels.push_str(&format!(
            "<Relationship Id=\"rIdImg{}\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/image\" Target=\"media/image{}.{}\"/>",
            n + 1,
            n + 1,
            image.format.extension()
        ));
    }
    rels.push_str("</Relationships>");
    let core = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\
         <dc:title>{}</dc:title><dc:creator>{}</dc:creator></cp:coreProperties>",
        esc(spec.title.as_deref().unwrap_or_default()),
        esc(spec.author.as_deref().unwrap_or("Errand"))
    );
    let parts: [(&str, String); 9] = [
        ("[Content_Types].xml", CONTENT_TYPES.to_string()),
        ("_rels/.rels", ROOT_RELS.to_string()),
        ("docProps/core.xml", core),
        ("word/document.xml", document),
        ("word/_rels/document.xml.rels", rels),
        ("word/styles.xml", STYLES.to_string()),
        ("word/numbering.xml", numbering(numbered_lists)),
        ("word/footer1.xml", FOOTER.to_string()),
        ("word/settings.xml", SETTINGS.to_string()),
    ];
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, content) in parts {
        zip.start_file(name, options)
            .and_then(|_| zip.write_all(content.as_bytes()).map_err(Into::into))
            .map_err(|e| OfficeError::Write(e.to_string()))?;
    }
    for (n, image) in pictures.iter().enumerate() {
        let name = format!("word/media/image{}.{}", n + 1, image.format.extension());
        // Pictures are compressed already.
        let stored = options.compression_method(zip::CompressionMethod::Stored);
        zip.start_file(name, stored)
            .and_then(|_| zip.write_all(&image.bytes).map_err(Into::into))
            .map_err(|e| OfficeError::Write(e.to_string()))?;
    }
    let cursor = zip
        .finish()
        .map_err(|e| OfficeError::Write(e.to_string()))?;
    Ok(cursor.into_inner())
}

/// Text area of an A4 page with the margins above, in EMU (635 per twip).
const TEXT_WIDTH_EMU: u64 = (11906 - 2 * 1300) * 635;
const MAX_PICTURE_HEIGHT_EMU: u64 = 8000 * 635;

/// An inline picture, centred, scaled to `share` of the text width (and never taller than
/// about half a page), with an optional caption under it.
fn picture(
    image: &Image,
    share: f64,
    number: usize,
    caption: &Option<String>,
    links: &mut Vec<String>,
) -> String {
    let mut width = (TEXT_WIDTH_EMU as f64 * share) as u64;
    let mut height = (width as f64 * image.aspect()) as u64;
    if height > MAX_PICTURE_HEIGHT_EMU {
        width = (width as f64 * MAX_PICTURE_HEIGHT_EMU as f64 / height as f64) as u64;
        height = MAX_PICTURE_HEIGHT_EMU;
    }
    let description = esc(caption.as_deref().unwrap_or_default());
    let mut xml = format!(
        "<w:p><w:pPr><w:keepNext/><w:jc w:val=\"center\"/><w:spacing w:before=\"120\" w:after=\"120\"/></w:pPr><w:r><w:drawing>\
         <wp:inline distT=\"0\" distB=\"0\" distL=\"0\" distR=\"0\"><wp:extent cx=\"{width}\" cy=\"{height}\"/>\
         <wp:docPr id=\"{number}\" name=\"Picture {number}\" descr=\"{description}\"/>\
         <wp:cNvGraphicFramePr><a:graphicFrameLocks noChangeAspect=\"1\"/></wp:cNvGraphicFramePr>\
         <a:graphic><a:graphicData uri=\"http://schemas.openxmlformats.org/drawingml/2006/picture\"><pic:pic>\
         <pic:nvPicPr><pic:cNvPr id=\"{number}\" name=\"image{number}.{ext}\"/><pic:cNvPicPr/></pic:nvPicPr>\
         <pic:blipFill><a:blip r:embed=\"rIdImg{number}\"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>\
         <pic:spPr><a:xfrm><a:off x=\"0\" y=\"0\"/><a:ext cx=\"{width}\" cy=\"{height}\"/></a:xfrm><a:prstGeom prst=\"rect\"><a:avLst/></a:prstGeom></pic:spPr>\
         </pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>",
        ext = image.format.extension()
    );
    if let Some(caption) = caption {
        xml.push_str(&paragraph("Caption", &runs(caption), links));
    }
    xml
}

const PAGE_BREAK: &str = "<w:p><w:r><w:br w:type=\"page\"/></w:r></w:p>";

fn plain(text: &str) -> Run {
    Run {
        text: text.to_string(),
        bold: false,
        italic: false,
        link: None,
    }
}

fn run_xml(run: &Run, links: &mut Vec<String>) -> String {
    let mut props = String::new();
    if run.bold {
        props.push_str("<w:b/>");
    }
    if run.italic {
        props.push_str("<w:i/>");
    }
    if run.link.is_some() {
        props.push_str("<w:rStyle w:val=\"Hyperlink\"/>");
    }
    let r = format!(
        "<w:r><w:rPr>{props}</w:rPr><w:t xml:space=\"preserve\">{}</w:t></w:r>",
        esc(&run.text)
    );
    match &run.link {
        Some(url) => {
            links.push(url.clone());
            format!(
                "<w:hyperlink r:id=\"rIdLink{}\" w:history=\"1\">{r}</w:hyperlink>",
                links.len() - 1
            )
        }
        None => r,
    }
}

fn paragraph(style: &str, runs: &[Run], links: &mut Vec<String>) -> String {
    let content: String = runs.iter().map(|r| run_xml(r, links)).collect();
    format!("<w:p><w:pPr><w:pStyle w:val=\"{style}\"/></w:pPr>{content}</w:p>")
}

fn list_item(num_id: u32, runs: &[Run], links: &mut Vec<String>) -> String {
    let content: String = runs.iter().map(|r| run_xml(r, links)).collect();
    format!(
        "<w:p><w:pPr><w:pStyle w:val=\"ListParagraph\"/><w:numPr><w:ilvl w:val=\"0\"/><w:numId w:val=\"{num_id}\"/></w:numPr></w:pPr>{content}</w:p>"
    )
}

fn table(header: &[String], rows: &[Vec<String>], links: &mut Vec<String>) -> String {
    let columns = header.len();
    // Full width of the text area, shared equally.
    let width = (11906 - 2 * 1300) / columns.max(1);
    let cell = |text: &str, head: bool, shade: Option<&str>, links: &mut Vec<String>| {
        let fill = match (head, shade) {
            (true, _) => "<w:shd w:val=\"clear\" w:color=\"auto\" w:fill=\"1F4E78\"/>".to_string(),
            (false, Some(color)) => {
                format!("<w:shd w:val=\"clear\" w:color=\"auto\" w:fill=\"{color}\"/>")
            }
            _ => String::new(),
        };
        let mut cell_runs = runs(text);
        if head {
            for r in &mut cell_runs {
                r.bold = true;
            }
        }
        let style = if head { "TableHeader" } else { "TableText" };
        format!(
            "<w:tc><w:tcPr><w:tcW w:w=\"{width}\" w:type=\"dxa\"/>{fill}</w:tcPr>{}</w:tc>",
            paragraph(style, &cell_runs, links)
        )
    };
    let mut xml = format!(
        "<w:tbl><w:tblPr><w:tblStyle w:val=\"TableGrid\"/><w:tblW w:w=\"{}\" w:type=\"dxa\"/></w:tblPr><w:tblGrid>",
        width * columns
    );
    for _ in 0..columns {
        xml.push_str(&format!("<w:gridCol w:w=\"{width}\"/>"));
    }
    xml.push_str("</w:tblGrid><w:tr><w:trPr><w:tblHeader/></w:trPr>");
    for h in header {
        xml.push_str(&cell(h, true, None, links));
    }
    xml.push_str("</w:tr>");
    for (i, row) in rows.iter().enumerate() {
        xml.push_str("<w:tr>");
        let shade = (i % 2 == 1).then_some("EAF1F8");
        for c in 0..columns {
            let text = row.get(c).map(String::as_str).unwrap_or_default();
            xml.push_str(&cell(text, false, shade, links));
        }
        xml.push_str("</w:tr>");
    }
    xml.push_str("</w:tbl><w:p/>");
    xml
}

fn numbering(numbered_lists: u32) -> String {
    let mut xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:numbering {W}>\
         <w:abstractNum w:abstractNumId=\"0\"><w:multiLevelType w:val=\"singleLevel\"/><w:lvl w:ilvl=\"0\"><w:start w:val=\"1\"/><w:numFmt w:val=\"bullet\"/><w:lvlText w:val=\"•\"/><w:lvlJc w:val=\"left\"/><w:pPr><w:ind w:left=\"720\" w:hanging=\"360\"/></w:pPr></w:lvl></w:abstractNum>\
         <w:abstractNum w:abstractNumId=\"1\"><w:multiLevelType w:val=\"singleLevel\"/><w:lvl w:ilvl=\"0\"><w:start w:val=\"1\"/><w:numFmt w:val=\"decimal\"/><w:lvlText w:val=\"%1.\"/><w:lvlJc w:val=\"left\"/><w:pPr><w:ind w:left=\"720\" w:hanging=\"360\"/></w:pPr></w:lvl></w:abstractNum>\
         <w:num w:numId=\"1\"><w:abstractNumId w:val=\"0\"/></w:num>"
    );
    for n in 0..numbered_lists {
        xml.push_str(&format!(
            "<w:num w:numId=\"{}\"><w:abstractNumId w:val=\"1\"/><w:lvlOverride w:ilvl=\"0\"><w:startOverride w:val=\"1\"/></w:lvlOverride></w:num>",
            n + 2
        ));
    }
    xml.push_str("</w:numbering>");
    xml
}

const CONTENT_TYPES: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
<Default Extension=\"xml\" ContentType=\"application/xml\"/>\
<Default Extension=\"png\" ContentType=\"image/png\"/>\
<Default Extension=\"jpeg\" ContentType=\"image/jpeg\"/>\
<Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>\
<Override PartName=\"/word/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml\"/>\
<Override PartName=\"/word/numbering.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.numbering+xml\"/>\
<Override PartName=\"/word/footer1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml\"/>\
<Override PartName=\"/word/settings.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml\"/>\
<Override PartName=\"/docProps/core.xml\" ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>\
</Types>";

const ROOT_RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/>\
<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties\" Target=\"docProps/core.xml\"/>\
</Relationships>";

const SETTINGS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:settings xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:defaultTabStop w:val=\"720\"/><w:compat><w:compatSetting w:name=\"compatibilityMode\" w:uri=\"http://schemas.microsoft.com/office/word\" w:val=\"15\"/></w:compat></w:settings>";

const FOOTER: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:ftr xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:p><w:pPr><w:jc w:val=\"center\"/></w:pPr>\
<w:r><w:rPr><w:color w:val=\"7F7F7F\"/><w:sz w:val=\"18\"/></w:rPr><w:t xml:space=\"preserve\">Page </w:t></w:r>\
<w:r><w:rPr><w:color w:val=\"7F7F7F\"/><w:sz w:val=\"18\"/></w:rPr><w:fldChar w:fldCharType=\"begin\"/></w:r>\
<w:r><w:rPr><w:color w:val=\"7F7F7F\"/><w:sz w:val=\"18\"/></w:rPr><w:instrText xml:space=\"preserve\"> PAGE </w:instrText></w:r>\
<w:r><w:rPr><w:color w:val=\"7F7F7F\"/><w:sz w:val=\"18\"/></w:rPr><w:fldChar w:fldCharType=\"separate\"/></w:r>\
<w:r><w:rPr><w:color w:val=\"7F7F7F\"/><w:sz w:val=\"18\"/></w:rPr><w:t>1</w:t></w:r>\
<w:r><w:rPr><w:color w:val=\"7F7F7F\"/><w:sz w:val=\"18\"/></w:rPr><w:fldChar w:fldCharType=\"end\"/></w:r></w:p></w:ftr>";

const STYLES: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:styles xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">\
<w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii=\"Calibri\" w:hAnsi=\"Calibri\" w:eastAsia=\"Calibri\" w:cs=\"Calibri\"/><w:sz w:val=\"22\"/><w:szCs w:val=\"22\"/><w:lang w:val=\"en-US\"/></w:rPr></w:rPrDefault>\
<w:pPrDefault><w:pPr><w:spacing w:after=\"140\" w:line=\"276\" w:lineRule=\"auto\"/></w:pPr></w:pPrDefault></w:docDefaults>\
<w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name w:val=\"Normal\"/><w:qFormat/></w:style>\
<w:style w:type=\"paragraph\" w:styleId=\"Title\"><w:name w:val=\"Title\"/><w:basedOn w:val=\"Normal\"/><w:qFormat/><w:pPr><w:spacing w:before=\"3600\" w:after=\"240\"/></w:pPr><w:rPr><w:b/><w:color w:val=\"1F4E78\"/><w:sz w:val=\"56\"/><w:szCs w:val=\"56\"/></w:rPr></w:style>\
<w:style w:type=\"paragraph\" w:styleId=\"Subtitle\"><w:name w:val=\"Subtitle\"/><w:basedOn w:val=\"Normal\"/><w:qFormat/><w:pPr><w:spacing w:after=\"480\"/></w:pPr><w:rPr><w:color w:val=\"595959\"/><w:sz w:val=\"32\"/><w:szCs w:val=\"32\"/></w:rPr></w:style>\
<w:style w:type=\"paragraph\" w:styleId=\"TitleMeta\"><w:name w:val=\"Title Meta\"/><w:basedOn w:val=\"Normal\"/><w:pPr><w:spacing w:after=\"60\"/></w:pPr><w:rPr><w:color w:val=\"404040\"/><w:sz w:val=\"24\"/></w:rPr></w:style>\
<w:style w:type=\"paragraph\" w:styleId=\"Heading1\"><w:name w:val=\"heading 1\"/><w:basedOn w:val=\"Normal\"/><w:next w:val=\"Normal\"/><w:qFormat/><w:pPr><w:keepNext/><w:spacing w:before=\"360\" w:after=\"120\"/><w:pBdr><w:bottom w:val=\"single\" w:sz=\"6\" w:space=\"4\" w:color=\"1F4E78\"/></w:pBdr><w:outlineLvl w:val=\"0\"/></w:pPr><w:rPr><w:b/><w:color w:val=\"1F4E78\"/><w:sz w:val=\"32\"/><w:szCs w:val=\"32\"/></w:rPr></w:style>\
<w:style w:type=\"paragraph\" w:styleId=\"Heading2\"><w:name w:val=\"heading 2\"/><w:basedOn w:val=\"Normal\"/><w:next w:val=\"Normal\"/><w:qFormat/><w:pPr><w:keepNext/><w:spacing w:before=\"240\" w:after=\"80\"/><w:outlineLvl w:val=\"1\"/></w:pPr><w:rPr><w:b/><w:color w:val=\"2E75B6\"/><w:sz w:val=\"26\"/><w:szCs w:val=\"26\"/></w:rPr></w:style>\
<w:style w:type=\"paragraph\" w:styleId=\"Heading3\"><w:name w:val=\"heading 3\"/><w:basedOn w:val=\"Normal\"/><w:next w:val=\"Normal\"/><w:qFormat/><w:pPr><w:keepNext/><w:spacing w:before=\"200\" w:after=\"60\"/><w:outlineLvl w:val=\"2\"/></w:pPr><w:rPr><w:b/><w:color w:val=\"404040\"/><w:sz w:val=\"23\"/></w:rPr></w:style>\
<w:style w:type=\"paragraph\" w:styleId=\"ListParagraph\"><w:name w:val=\"List Paragraph\"/><w:basedOn w:val=\"Normal\"/><w:qFormat/><w:pPr><w:spacing w:after=\"60\"/><w:ind w:left=\"720\"/><w:contextualSpacing/></w:pPr></w:style>\
<w:style w:type=\"paragraph\" w:styleId=\"TableHeader\"><w:name w:val=\"Table Header\"/><w:basedOn w:val=\"Normal\"/><w:pPr><w:spacing w:before=\"40\" w:after=\"40\"/></w:pPr><w:rPr><w:b/><w:color w:val=\"FFFFFF\"/><w:sz w:val=\"20\"/></w:rPr></w:style>\
<w:style w:type=\"paragraph\" w:styleId=\"TableText\"><w:name w:val=\"Table Text\"/><w:basedOn w:val=\"Normal\"/><w:pPr><w:spacing w:before=\"40\" w:after=\"40\"/></w:pPr><w:rPr><w:sz w:val=\"20\"/></w:rPr></w:style>\
<w:style w:type=\"paragraph\" w:styleId=\"Caption\"><w:name w:val=\"caption\"/><w:basedOn w:val=\"Normal\"/><w:qFormat/><w:pPr><w:jc w:val=\"center\"/><w:spacing w:after=\"240\"/></w:pPr><w:rPr><w:i/><w:color w:val=\"595959\"/><w:sz w:val=\"18\"/></w:rPr></w:style>\
<w:style w:type=\"character\" w:styleId=\"Hyperlink\"><w:name w:val=\"Hyperlink\"/><w:rPr><w:color w:val=\"0563C1\"/><w:u w:val=\"single\"/></w:rPr></w:style>\
<w:style w:type=\"table\" w:styleId=\"TableGrid\"><w:name w:val=\"Table Grid\"/><w:tblPr><w:tblBorders><w:top w:val=\"single\" w:sz=\"4\" w:color=\"BFBFBF\"/><w:left w:val=\"single\" w:sz=\"4\" w:color=\"BFBFBF\"/><w:bottom w:val=\"single\" w:sz=\"4\" w:color=\"BFBFBF\"/><w:right w:val=\"single\" w:sz=\"4\" w:color=\"BFBFBF\"/><w:insideH w:val=\"single\" w:sz=\"4\" w:color=\"BFBFBF\"/><w:insideV w:val=\"single\" w:sz=\"4\" w:color=\"BFBFBF\"/></w:tblBorders><w:tblCellMar><w:left w:w=\"100\" w:type=\"dxa\"/><w:right w:w=\"100\" w:type=\"dxa\"/></w:tblCellMar></w:tblPr></w:style>\
</w:styles>";
