//! Office tools, writing through the same journal as every other write (a replaced file is
//! kept): `create_spreadsheet` (an .xlsx whose formulas are computed before saving) and
//! `create_chart` (.png or .svg); documents, PDFs and decks are in `documents`.
use crate::workspace::Workspace;
use crate::write::{made_by_task, resolve_writable, spec, write_content};
use async_trait::async_trait;
use errand_core::tool::{Assessment, compact_input_schema, input_schema, parse_input};
use errand_core::{Effect, Tool, ToolContext, ToolError, ToolOutput, ToolRegistry, ToolSpec};
use errand_office::WorkbookSpec;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;
use std::sync::Arc;

pub fn register(registry: &mut ToolRegistry, ws: &Arc<Workspace>) {
    registry.register(Arc::new(CreateSpreadsheet(ws.clone())));
    crate::documents::register(registry, ws);
    registry.register(Arc::new(CreateChart(ws.clone())));
}

/// What an office tool's approval shows: create or replace, and whether it replaces a file
/// the person made. Refuses a path without the tool's extension.
pub(crate) fn assess_output(
    ws: &Workspace,
    ctx: &ToolContext,
    tool: &str,
    path: &str,
    extensions: &[&str],
    preview: Vec<String>,
) -> Result<Assessment, ToolError> {
    let lower = path.to_lowercase();
    if !extensions.iter().any(|e| lower.ends_with(&format!(".{e}"))) {
        let list: Vec<String> = extensions.iter().map(|e| format!(".{e}")).collect();
        return Err(ToolError(format!(
            "`{path}`: {tool} writes {} files; end the path in {}",
            list.join(" or "),
            list.join(" or ")
        )));
    }
    let r = resolve_writable(ws, path)?;
    let present = ws.root(r.root).dir.symlink_metadata(&r.rel).is_ok();
    Ok(Assessment {
        summary: format!(
            "{} {}",
            if present { "replace" } else { "create" },
            r.display
        ),
        preview,
        replaces_existing: present && !made_by_task(ctx, &r.display),
        subjects: vec![r.display],
        no_lease: false,
        always_ask: None,
    })
}

struct CreateSpreadsheet(Arc<Workspace>);

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct SpreadsheetInput {
    /// Where to write, ending in .xlsx.
    path: String,
    sheets: Vec<errand_office::spec::SheetSpec>,
    #[serde(default)]
    names: Vec<errand_office::spec::NamedRange>,
}

impl SpreadsheetInput {
    fn workbook(self) -> (String, WorkbookSpec) {
        let spec = WorkbookSpec {
            sheets: self.sheets,
            names: self.names,
        };
        (self.path, spec)
    }
}

const DESCRIPTION: &str = "Write an .xlsx from sheets of typed columns and rows. A string starting with = is a formula (A1 refs; the header is row 1), computed before saving; one that fails is reported with its cell.";

#[async_trait]
impl Tool for CreateSpreadsheet {
    fn spec(&self) -> ToolSpec {
        spec(
            "create_spreadsheet",
            DESCRIPTION,
            compact_input_schema::<SpreadsheetInput>(),
        )
    }
    fn effect(&self) -> Effect {
        Effect::Write
    }
    fn assess(&self, ctx: &ToolContext, input: &Value) -> Result<Assessment, ToolError> {
        let i: SpreadsheetInput = parse_input("create_spreadsheet", input)?;
        let r = resolve_writable(&self.0, &i.path)?;
        if !i.path.to_lowercase().ends_with(".xlsx") {
            return Err(ToolError(format!(
                "`{}`: create_spreadsheet writes .xlsx files; end the path in .xlsx",
                i.path
            )));
        }
        let present = self.0.root(r.root).dir.symlink_metadata(&r.rel).is_ok();
        let sheets: Vec<String> = i
            .sheets
            .iter()
            .map(|s| format!("{} ({} rows)", s.name, s.rows.len()))
            .collect();
        Ok(Assessment {
            summary: format!(
                "{} {} with sheets {}",
                if present { "replace" } else { "create" },
                r.display,
                sheets.join(", ")
            ),
            preview: sheets,
            replaces_existing: present && !made_by_task(ctx, &r.display),
            subjects: vec![r.display],
            no_lease: false,
            always_ask: None,
        })
    }
    async fn call(&self, ctx: &ToolContext, input: Value) -> Result<ToolOutput, ToolError> {
        let i: SpreadsheetInput = parse_input("create_spreadsheet", &input)?;
        drop(input);
        let (path, spec) = i.workbook();
        let written = errand_office::build(spec).map_err(|e| ToolError(e.to_string()))?;
        let sheets: Vec<String> = written
            .sheets
            .iter()
            .map(|(name, rows)| format!("{name} ({rows} rows)"))
            .collect();
        let (formulas, samples) = (written.formulas, written.samples);
        write_content(&self.0, ctx, &path, written.bytes)?;
        let mut text = format!(
            "wrote {}: {}; {formulas} formulas computed and cached",
            path,
            sheets.join(", ")
        );
        if !samples.is_empty() {
            text.push_str(&format!("\n{}", samples.join("\n")));
        }
        Ok(ToolOutput::text(text))
    }
}

struct CreateChart(Arc<Workspace>);

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct ChartInput {
    /// Where to write, ending in .png or .svg.
    path: String,
    #[serde(rename = "type")]
    kind: errand_office::spec::ChartKind,
    title: Option<String>,
    /// Labels along x (numbers for scatter), one per value.
    categories: Vec<String>,
    series: Vec<errand_office::chart::Series>,
    x_title: Option<String>,
    y_title: Option<String>,
}

#[async_trait]
impl Tool for CreateChart {
    fn spec(&self) -> ToolSpec {
        spec(
            "create_chart",
            "Draw a chart as a .png or .svg image: column, bar, line, pie or scatter, with title, axis titles and legend.",
            input_schema::<ChartInput>(),
        )
    }
    fn effect(&self) -> Effect {
        Effect::Write
    }
    fn assess(&self, ctx: &ToolContext, input: &Value) -> Result<Assessment, ToolError> {
        let i: ChartInput = parse_input("create_chart", input)?;
        let preview = i.title.iter().cloned().collect();
        let mut a = assess_output(
            &self.0,
            ctx,
            "create_chart",
            &i.path,
            &["png", "svg"],
            preview,
        )?;
        a.summary.push_str(&format!(" ({} series)", i.series.len()));
        Ok(a)
    }
    async fn call(&self, ctx: &ToolContext, input: Value) -> Result<ToolOutput, ToolError> {
        let i: ChartInput = parse_input("create_chart", &input)?;
        let chart = errand_office::chart::Chart {
            kind: i.kind,
            title: i.title,
            categories: i.categories,
            series: i.series,
            x_title: i.x_title,
            y_title: i.y_title,
        };
        let (bytes, kind) = if i.path.to_lowercase().ends_with(".png") {
            let png = errand_office::chart::png(&chart).map_err(|e| ToolError(e.to_string()))?;
            (
                png.bytes,
                format!("a {}x{} PNG chart", png.width, png.height),
            )
        } else {
            let svg = errand_office::chart::svg(&chart).map_err(|e| ToolError(e.to_string()))?;
            (svg.into_bytes(), "an SVG chart".to_string())
        };
        let size = bytes.len();
        write_content(&self.0, ctx, &i.path, bytes)?;
        Ok(ToolOutput::text(format!(
            "wrote {}: {kind}, {size} bytes",
            i.path
        )))
    }
}

/// Pictures named by `image` blocks, read from the task's folders (any grant, read-only
/// ones included), at most 20 MB each.
pub(crate) struct FolderImages<'a>(pub(crate) &'a Workspace);

const MAX_IMAGE_BYTES: u64 = 20 * 1024 * 1024;

impl errand_office::media::ImageSource for FolderImages<'_> {
    fn image(&self, path: &str) -> Result<errand_office::media::Image, errand_office::OfficeError> {
        use std::io::Read;
        let fail = |m: String| errand_office::OfficeError::Spec(format!("image {path}: {m}"));
        let r = self.0.resolve(path).map_err(|e| fail(e.to_string()))?;
        let file = self.0.root(r.root).dir.open(&r.rel).map_err(|e| {
            fail(format!(
                "cannot open it ({e}); list_dir shows what is there"
            ))
        })?;
        let mut bytes = Vec::new();
        file.take(MAX_IMAGE_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| fail(e.to_string()))?;
        if bytes.len() as u64 > MAX_IMAGE_BYTES {
            return Err(fail("larger than 20 MB; use a smaller picture".into()));
        }
        errand_office::media::Image::from_bytes(bytes, path)
    }
}
