//! `create_document` (.docx), `create_pdf` (the same blocks as a PDF report) and
//! `create_presentation` (.pptx), writing through the journal like every other write.
use crate::office::{FolderImages, assess_output};
use crate::workspace::Workspace;
use crate::write::{spec, write_content};
use async_trait::async_trait;
use errand_core::tool::{Assessment, compact_input_schema, parse_input};
use errand_core::{Effect, Tool, ToolContext, ToolError, ToolOutput, ToolRegistry, ToolSpec};
use errand_office::blocks::{Block, DocumentSpec, from_markdown};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;
use std::sync::Arc;

pub fn register(registry: &mut ToolRegistry, ws: &Arc<Workspace>) {
    registry.register(Arc::new(CreateDocument {
        ws: ws.clone(),
        format: Format::Docx,
    }));
    registry.register(Arc::new(CreateDocument {
        ws: ws.clone(),
        format: Format::Pdf,
    }));
    registry.register(Arc::new(CreatePresentation(ws.clone())));
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Docx,
    Pdf,
}

impl Format {
    fn tool(self) -> &'static str {
        match self {
            Format::Docx => "create_document",
            Format::Pdf => "create_pdf",
        }
    }
    fn extension(self) -> &'static str {
        match self {
            Format::Docx => "docx",
            Format::Pdf => "pdf",
        }
    }
}

struct CreateDocument {
    ws: Arc<Workspace>,
    format: Format,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct DocumentInput {
    /// Where to write, ending in .docx (create_document) or .pdf (create_pdf).
    path: String,
    /// With a title, the document opens with a title page.
    title: Option<String>,
    subtitle: Option<String>,
    author: Option<String>,
    date: Option<String>,
    #[serde(default)]
    blocks: Vec<Block>,
    /// Instead of (or after) blocks: Markdown (#, -, 1., | tables |, **bold**).
    markdown: Option<String>,
}

impl DocumentInput {
    fn spec(self) -> (String, DocumentSpec) {
        let mut blocks = self.blocks;
        if let Some(markdown) = &self.markdown {
            blocks.extend(from_markdown(markdown));
        }
        let spec = DocumentSpec {
            title: self.title,
            subtitle: self.subtitle,
            author: self.author,
            date: self.date,
            blocks,
        };
        (self.path, spec)
    }
}

const DOCX: &str = "Write a .docx in a clean business style: an optional title page, then blocks (heading, paragraph with **bold**/*italic*/[link](url), bullets, numbered, table, image, chart, page_break) or markdown; page numbers in the footer.";
const PDF: &str = "Write a .pdf report from the same input as create_document: title page, headings, paragraphs, lists, tables (header repeated across pages), images, vector charts; fonts embedded, page numbers.";

#[async_trait]
impl Tool for CreateDocument {
    fn spec(&self) -> ToolSpec {
        let mut schema = compact_input_schema::<DocumentInput>();
        let description = match self.format {
            Format::Docx => DOCX,
            Format::Pdf => {
                // The blocks are create_document's, which every request already carries;
                // sending their notation twice would cost ~1,000 bytes a call.
                if let Some(blocks) = schema.pointer_mut("/properties/blocks") {
                    *blocks = serde_json::json!({
                        "type": "array",
                        "description": "the same blocks as create_document"
                    });
                }
                PDF
            }
        };
        spec(self.format.tool(), description, schema)
    }
    fn effect(&self) -> Effect {
        Effect::Write
    }
    fn assess(&self, ctx: &ToolContext, input: &Value) -> Result<Assessment, ToolError> {
        let i: DocumentInput = parse_input(self.format.tool(), input)?;
        let preview = i.title.iter().cloned().collect();
        assess_output(
            &self.ws,
            ctx,
            self.format.tool(),
            &i.path,
            &[self.format.extension()],
            preview,
        )
    }
    async fn call(&self, ctx: &ToolContext, input: Value) -> Result<ToolOutput, ToolError> {
        let i: DocumentInput = parse_input(self.format.tool(), &input)?;
        let (path, spec) = i.spec();
        let blocks = spec.blocks.len();
        let images = FolderImages(&self.ws);
        let (bytes, pages) = match self.format {
            Format::Docx => errand_office::docx::build(&spec, &images).map(|b| (b, String::new())),
            Format::Pdf => errand_office::pdf::build_with_count(&spec, &images)
                .map(|(b, n)| (b, format!(", {n} page{}", if n == 1 { "" } else { "s" }))),
        }
        .map_err(|e| ToolError(e.to_string()))?;
        let size = bytes.len();
        write_content(&self.ws, ctx, &path, bytes)?;
        Ok(ToolOutput::text(format!(
            "wrote {path}: {blocks} blocks{}{pages}, {size} bytes",
            if spec.title.is_some() {
                " after a title page"
            } else {
                ""
            }
        )))
    }
}

struct CreatePresentation(Arc<Workspace>);

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct PresentationInput {
    /// Where to write, ending in .pptx.
    path: String,
    /// Saved in the file's properties.
    title: Option<String>,
    author: Option<String>,
    theme: Option<errand_office::pptx::Theme>,
    #[serde(default)]
    slides: Vec<errand_office::pptx::Slide>,
    /// Instead of (or after) slides: Markdown; # = section, ## = slide, lists and
    /// paragraphs = bullets, | tables | = table slides.
    markdown: Option<String>,
}

impl PresentationInput {
    fn deck(self) -> (String, errand_office::pptx::PresentationSpec) {
        let mut slides = self.slides;
        if let Some(markdown) = &self.markdown {
            slides.extend(errand_office::pptx::slides_from_markdown(markdown));
        }
        let deck = errand_office::pptx::PresentationSpec {
            title: self.title,
            author: self.author,
            theme: self.theme,
            slides,
        };
        (self.path, deck)
    }
}

#[async_trait]
impl Tool for CreatePresentation {
    fn spec(&self) -> ToolSpec {
        spec(
            "create_presentation",
            "Write a 16:9 .pptx in one theme from slides, each with optional speaker notes. Text is fitted to its box; long lists and tables continue on extra slides.",
            compact_input_schema::<PresentationInput>(),
        )
    }
    fn effect(&self) -> Effect {
        Effect::Write
    }
    fn assess(&self, ctx: &ToolContext, input: &Value) -> Result<Assessment, ToolError> {
        let i: PresentationInput = parse_input("create_presentation", input)?;
        let preview = i.title.iter().cloned().collect();
        let mut a = assess_output(
            &self.0,
            ctx,
            "create_presentation",
            &i.path,
            &["pptx"],
            preview,
        )?;
        a.summary.push_str(&format!(" ({} slides)", i.slides.len()));
        Ok(a)
    }
    async fn call(&self, ctx: &ToolContext, input: Value) -> Result<ToolOutput, ToolError> {
        let i: PresentationInput = parse_input("create_presentation", &input)?;
        let (path, deck) = i.deck();
        let (bytes, slides) = errand_office::pptx::build_with_count(&deck, &FolderImages(&self.0))
            .map_err(|e| ToolError(e.to_string()))?;
        let size = bytes.len();
        write_content(&self.0, ctx, &path, bytes)?;
        let extra = if slides > deck.slides.len() {
            format!(
                " ({} asked for; long lists and tables continue on extra slides)",
                deck.slides.len()
            )
        } else {
            String::new()
        };
        Ok(ToolOutput::text(format!(
            "wrote {path}: {slides} slides{extra}, {size} bytes"
        )))
    }
}
