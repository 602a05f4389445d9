//! Tools that only look: list_files, read_file, search_files, file_info.
use crate::filetype::{category_by_content, category_by_extension, exif_taken, mime_by_content};
use crate::workspace::{Resolved, Workspace, io_error};
use async_trait::async_trait;
use cap_std::fs::{Dir, Metadata};
use errand_core::tool::input_schema;
use errand_core::tool::{Assessment, parse_input};
use errand_core::{Effect, Tool, ToolContext, ToolError, ToolOutput, ToolRegistry, ToolSpec};
use globset::GlobMatcher;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

pub fn register(registry: &mut ToolRegistry, ws: &Arc<Workspace>, dedup_reads: bool) {
    registry.register(Arc::new(ListFiles(ws.clone())));
    registry.register(Arc::new(ReadFile {
        ws: ws.clone(),
        seen: Mutex::default(),
        dedup: dedup_reads,
    }));
    registry.register(Arc::new(SearchFiles(ws.clone())));
    registry.register(Arc::new(FileInfo(ws.clone())));
}

/// Largest file `read_file` and `search_files` will read whole.
const MAX_TEXT_BYTES: u64 = 10 * 1024 * 1024;

fn read_assess(tool: &str, subjects: Vec<String>) -> Assessment {
    Assessment {
        summary: format!("{tool} {}", subjects.join(", ")),
        subjects,
        ..Assessment::default()
    }
}

fn spec(name: &str, description: &str, schema: Value) -> ToolSpec {
    ToolSpec {
        name: name.into(),
        description: description.into(),
        input_schema: schema,
    }
}

fn local_time(meta: &Metadata) -> Option<String> {
    let modified = meta.modified().ok()?.into_std();
    Some(
        chrono::DateTime::<chrono::Local>::from(modified)
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    )
}

fn glob_matcher(glob: &Option<String>) -> Result<Option<(GlobMatcher, bool)>, ToolError> {
    glob.as_ref()
        .map(|g| {
            globset::GlobBuilder::new(g)
                .literal_separator(true)
                .build()
                .map(|m| (m.compile_matcher(), g.contains('/')))
                .map_err(|e| ToolError(format!("invalid glob `{g}`: {e}")))
        })
        .transpose()
}

fn glob_hit(glob: &Option<(GlobMatcher, bool)>, rel: &Path) -> bool {
    match glob {
        None => true,
        Some((m, true)) => m.is_match(rel),
        Some((m, false)) => rel.file_name().is_some_and(|n| m.is_match(n)),
    }
}

/// Walks a folder depth-first without following symlinks; `visit` gets each entry's path
/// (relative to the grant root) and metadata.
fn walk(
    dir: &Dir,
    rel: &Path,
    recursive: bool,
    visit: &mut dyn FnMut(&Path, &Metadata, bool) -> bool,
) -> std::io::Result<()> {
    let mut entries: Vec<_> = dir.entries()?.filter_map(Result::ok).collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = rel.join(entry.file_name());
        let Ok(meta) = entry.metadata() else { continue };
        let is_dir = meta.is_dir() && !meta.file_type().is_symlink();
        if !visit(&path, &meta, is_dir) {
            return Ok(());
        }
        if recursive
            && is_dir
            && let Ok(sub) = entry.open_dir()
        {
            walk(&sub, &path, true, visit)?;
        }
    }
    Ok(())
}

fn kind_of(meta: &Metadata) -> &'static str {
    let ft = meta.file_type();
    if ft.is_symlink() {
        "symlink"
    } else if ft.is_dir() {
        "dir"
    } else if ft.is_file() {
        "file"
    } else {
        "special"
    }
}

fn open_target_dir(ws: &Workspace, r: &Resolved) -> Result<Dir, ToolError> {
    ws.open_dir_rel(r.root, &r.rel, &r.display)
}

struct ListFiles(Arc<Workspace>);

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct ListInput {
    /// folder, default `.`
    #[serde(default = "dot")]
    path: String,
    #[serde(default)]
    recursive: bool,
    /// e.g. `*.pdf` (name) or `photos/**/*.jpg` (path)
    glob: Option<String>,
    /// max entries, default 2000
    limit: Option<usize>,
}

fn dot() -> String {
    ".".into()
}

#[async_trait]
impl Tool for ListFiles {
    fn spec(&self) -> ToolSpec {
        spec(
            "list_files",
            "List a folder: path, kind, size, modified time, category. Skips nothing; hidden names start with a dot.",
            input_schema::<ListInput>(),
        )
    }
    fn effect(&self) -> Effect {
        Effect::Read
    }
    fn assess(&self, _ctx: &ToolContext, input: &Value) -> Result<Assessment, ToolError> {
        let i: ListInput = parse_input("list_files", input)?;
        self.0.resolve(&i.path)?;
        Ok(read_assess("list_files", vec![i.path]))
    }
    async fn call(&self, _ctx: &ToolContext, input: Value) -> Result<ToolOutput, ToolError> {
        let i: ListInput = parse_input("list_files", &input)?;
        let r = self.0.resolve(&i.path)?;
        let dir = open_target_dir(&self.0, &r)?;
        let glob = glob_matcher(&i.glob)?;
        // Small models send `limit: 0` for "no limit".
        let limit = i.limit.filter(|l| *l > 0).unwrap_or(2000);
        let mut entries = Vec::new();
        let mut truncated = false;
        walk(&dir, &r.rel, i.recursive, &mut |path, meta, _| {
            let rel_in_dir = path.strip_prefix(&r.rel).unwrap_or(path);
            if !glob_hit(&glob, rel_in_dir) {
                return true;
            }
            if entries.len() >= limit {
                truncated = true;
                return false;
            }
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let mut entry = json!({
                "path": self.0.display(r.root, path),
                "kind": kind_of(meta),
                "size": meta.len(),
                "modified": local_time(meta),
            });
            if meta.is_file() {
                entry["category"] = json!(category_by_extension(&name));
            }
            if path.to_str().is_none() {
                // The name is not UTF-8: shown lossily, it cannot be addressed by a tool path.
                entry["non_utf8"] = json!(true);
            }
            entries.push(entry);
            true
        })
        .map_err(|e| io_error(&r.display, e))?;
        let out = json!({"path": r.display, "count": entries.len(), "truncated": truncated, "entries": entries});
        Ok(ToolOutput::text(out.to_string()))
    }
}

/// (path, first line, line count) of a read.
type ReadKey = (String, usize, usize);

struct ReadFile {
    ws: Arc<Workspace>,
    /// What this task already read: (path, offset, limit) → (file stamp, call id). An
    /// unchanged file is not sent to the model twice; the earlier result still holds it.
    /// Keyed by conversation epoch too: after a compaction the earlier result is gone.
    seen: Mutex<HashMap<ReadKey, (errand_core::FileStamp, String, usize)>>,
    dedup: bool,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct ReadInput {
    path: String,
    /// First line to return, 1-based.
    offset: Option<usize>,
    /// Number of lines.
    limit: Option<usize>,
    /// Spreadsheets: the sheet to read (default: all).
    sheet: Option<String>,
    /// Spreadsheets: cells like "A1:F50"; the header row comes along.
    range: Option<String>,
}

fn read_whole(dir: &Dir, name: &std::ffi::OsStr, display: &str) -> Result<Vec<u8>, ToolError> {
    let file = dir.open(name).map_err(|e| io_error(display, e))?;
    let meta = file.metadata().map_err(|e| io_error(display, e))?;
    if meta.is_dir() {
        return Err(ToolError(format!(
            "`{display}` is a folder; use list_files"
        )));
    }
    if meta.len() > MAX_TEXT_BYTES {
        return Err(ToolError(format!(
            "`{display}` is {} bytes; read_file reads up to {MAX_TEXT_BYTES}",
            meta.len()
        )));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.into_std()
        .read_to_end(&mut bytes)
        .map_err(|e| io_error(display, e))?;
    Ok(bytes)
}

fn looks_binary(bytes: &[u8]) -> bool {
    bytes.iter().take(8192).any(|b| *b == 0)
}

#[async_trait]
impl Tool for ReadFile {
    fn spec(&self) -> ToolSpec {
        spec(
            "read_file",
            "Read a text file, or the text of an xlsx/xls/ods (sheets as CSV), docx, pptx or pdf (by page), or look at a picture (PNG, JPEG, GIF, WebP); optionally a range of lines (offset is 1-based).",
            input_schema::<ReadInput>(),
        )
    }
    fn effect(&self) -> Effect {
        Effect::Read
    }
    fn assess(&self, _ctx: &ToolContext, input: &Value) -> Result<Assessment, ToolError> {
        let i: ReadInput = parse_input("read_file", input)?;
        self.ws.resolve(&i.path)?;
        Ok(read_assess("read_file", vec![i.path]))
    }
    async fn call(&self, ctx: &ToolContext, input: Value) -> Result<ToolOutput, ToolError> {
        let i: ReadInput = parse_input("read_file", &input)?;
        let r = self.ws.resolve(&i.path)?;
        let (dir, name) = self.ws.parent(&r)?;
        let offset = i.offset.unwrap_or(1).max(1);
        // Small models send `limit: 0` for "no limit".
        let limit = i.limit.filter(|l| *l > 0).unwrap_or(2000);
        let part = errand_office::read::SheetPart {
            sheet: i.sheet.as_deref(),
            range: i.range.as_deref(),
        };
        let key = (
            format!(
                "{}#{}!{}",
                r.display,
                part.sheet.unwrap_or(""),
                part.range.unwrap_or("")
            ),
            offset,
            limit,
        );
        let stamp = dir
            .metadata(&name)
            .ok()
            .map(|m| crate::workspace::stamp_of(&m));
        if let (Some(stamp), Ok(seen), true) = (stamp, self.seen.lock(), self.dedup)
            && let Some((earlier, call, epoch)) = seen.get(&key)
            && *earlier == stamp
            && *epoch == ctx.conversation_epoch
            && call != &ctx.call_id
        {
            return Ok(ToolOutput::text(format!(
                "`{}` is unchanged since you read it (call {call}); that result still holds its content",
                r.display
            )));
        }
        let bytes = read_whole(&dir, &name, &r.display)?;
        if errand_image::Format::sniff(&bytes).is_some() {
            let output = if ctx.reads_images {
                crate::pictures::picture(&r.display, &bytes)?
            } else {
                crate::pictures::picture_text(&r.display, &bytes)?
            };
            if let (Some(stamp), Ok(mut seen)) = (stamp, self.seen.lock()) {
                seen.insert(key, (stamp, ctx.call_id.clone(), ctx.conversation_epoch));
            }
            return Ok(output);
        }
        let extension = Path::new(&name)
            .extension()
            .map(|e| e.to_string_lossy().into_owned())
            .unwrap_or_default();
        let is_sheet = matches!(
            extension.to_ascii_lowercase().as_str(),
            "xlsx" | "xlsm" | "xlsb" | "xls" | "ods"
        );
        if !is_sheet && (part.sheet.is_some() || part.range.is_some()) {
            return Err(ToolError(format!(
                "`{}`: sheet and range apply to spreadsheets (.xlsx, .xls, .ods); use offset and limit for lines",
                r.display
            )));
        }
        // Spreadsheets, documents and decks are read as their text; a PDF's pages once,
        // with its scanned pages drawn and read (or shown) rather than left empty.
        let mut page_pictures = Vec::new();
        let extracted = if is_sheet && (part.sheet.is_some() || part.range.is_some()) {
            Some(errand_office::read::spreadsheet_part(&bytes, &part))
        } else if extension.eq_ignore_ascii_case("pdf") {
            Some(errand_office::read::pdf_pages(&bytes).map(|pages| {
                match crate::pictures::scanned_pdf(&bytes, &pages, ctx.reads_images) {
                    Some(scanned) => {
                        page_pictures = scanned.pictures;
                        scanned.text
                    }
                    None => errand_office::read::pdf_text(&pages),
                }
            }))
        } else {
            errand_office::read::extract(&extension, &bytes)
        };
        let extracted = match extracted {
            Some(Ok(text)) => Some(text),
            Some(Err(e)) => return Err(ToolError(format!("`{}`: {e}", r.display))),
            None => None,
        };
        if extracted.is_none() && looks_binary(&bytes) {
            let mime = mime_by_content(&bytes).unwrap_or("binary data");
            return Err(ToolError(format!(
                "`{}` is a binary file ({mime}); use file_info",
                r.display
            )));
        }
        let text = match &extracted {
            Some(text) => std::borrow::Cow::Borrowed(text.as_str()),
            None => String::from_utf8_lossy(&bytes),
        };
        let lines: Vec<&str> = text.lines().collect();
        let end = (offset - 1 + limit).min(lines.len());
        let mut out = lines
            .get(offset - 1..end)
            .map(|l| l.join("\n"))
            .unwrap_or_default();
        if end < lines.len() {
            out.push_str(&format!(
                "\n[… {} more lines; read on with offset={}]",
                lines.len() - end,
                end + 1
            ));
        }
        if let (Some(stamp), Ok(mut seen)) = (stamp, self.seen.lock()) {
            seen.insert(key, (stamp, ctx.call_id.clone(), ctx.conversation_epoch));
        }
        let shown: Vec<errand_core::ToolImage> = page_pictures
            .into_iter()
            .filter(|(line, _)| (offset - 1..end).contains(line))
            .map(|(_, picture)| picture)
            .collect();
        Ok(ToolOutput::text(out).with_images(shown))
    }
}

struct SearchFiles(Arc<Workspace>);

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct SearchInput {
    query: String,
    #[serde(default = "dot")]
    path: String,
    glob: Option<String>,
    #[serde(default)]
    names_only: bool,
    #[serde(default)]
    case_sensitive: bool,
    /// default 200
    max_results: Option<usize>,
}

#[async_trait]
impl Tool for SearchFiles {
    fn spec(&self) -> ToolSpec {
        spec(
            "search_files",
            "Find files whose name or text contains `query`. Returns `path` for name hits and `path:line: text` for content hits.",
            input_schema::<SearchInput>(),
        )
    }
    fn effect(&self) -> Effect {
        Effect::Read
    }
    fn assess(&self, _ctx: &ToolContext, input: &Value) -> Result<Assessment, ToolError> {
        let i: SearchInput = parse_input("search_files", input)?;
        if i.query.is_empty() {
            return Err(ToolError::new("search_files needs a non-empty `query`"));
        }
        self.0.resolve(&i.path)?;
        Ok(read_assess("search_files", vec![i.path]))
    }
    async fn call(&self, _ctx: &ToolContext, input: Value) -> Result<ToolOutput, ToolError> {
        let i: SearchInput = parse_input("search_files", &input)?;
        let r = self.0.resolve(&i.path)?;
        let dir = open_target_dir(&self.0, &r)?;
        let glob = glob_matcher(&i.glob)?;
        let max = i.max_results.unwrap_or(200).max(1);
        let fold = |s: &str| {
            if i.case_sensitive {
                s.to_string()
            } else {
                s.to_lowercase()
            }
        };
        let needle = fold(&i.query);
        let mut hits: Vec<String> = Vec::new();
        let mut files: Vec<PathBuf> = Vec::new();
        walk(&dir, &r.rel, true, &mut |path, meta, _| {
            let rel_in_dir = path.strip_prefix(&r.rel).unwrap_or(path);
            if meta.is_file() && glob_hit(&glob, rel_in_dir) {
                files.push(path.to_path_buf());
            }
            true
        })
        .map_err(|e| io_error(&r.display, e))?;
        let root = &self.0.root(r.root).dir;
        'files: for path in files {
            let display = self.0.display(r.root, &path);
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if fold(&name).contains(&needle) {
                hits.push(display.clone());
            }
            if i.names_only || hits.len() >= max {
                if hits.len() >= max {
                    break;
                }
                continue;
            }
            let Ok(file) = root.open(&path) else { continue };
            let mut bytes = Vec::new();
            if file
                .into_std()
                .take(MAX_TEXT_BYTES)
                .read_to_end(&mut bytes)
                .is_err()
                || looks_binary(&bytes)
            {
                continue;
            }
            for (n, line) in String::from_utf8_lossy(&bytes).lines().enumerate() {
                if fold(line).contains(&needle) {
                    let text: String = line.trim().chars().take(200).collect();
                    hits.push(format!("{display}:{}: {text}", n + 1));
                    if hits.len() >= max {
                        break 'files;
                    }
                }
            }
        }
        let mut out = if hits.is_empty() {
            format!("no matches for `{}`", i.query)
        } else {
            hits.join("\n")
        };
        if hits.len() >= max {
            out.push_str(&format!(
                "\n[stopped at {max} results; narrow with path or glob]"
            ));
        }
        Ok(ToolOutput::text(out))
    }
}

struct FileInfo(Arc<Workspace>);

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct InfoInput {
    path: Option<String>,
    paths: Option<Vec<String>>,
}

impl InfoInput {
    fn all(self) -> Result<Vec<String>, ToolError> {
        let mut all: Vec<String> = self.path.into_iter().collect();
        all.extend(self.paths.unwrap_or_default());
        if all.is_empty() {
            return Err(ToolError::new("file_info needs `path` or `paths`"));
        }
        Ok(all)
    }
}

impl FileInfo {
    fn info(&self, path: &str) -> Result<Value, ToolError> {
        let r = self.0.resolve(path)?;
        let root = &self.0.root(r.root).dir;
        let meta = if r.rel.as_os_str().is_empty() {
            root.dir_metadata()
        } else {
            root.symlink_metadata(&r.rel)
        }
        .map_err(|e| io_error(&r.display, e))?;
        let mut info = json!({
            "path": r.display,
            "kind": kind_of(&meta),
            "size": meta.len(),
            "modified": local_time(&meta),
        });
        if let Ok(created) = meta.created() {
            info["created"] = json!(
                chrono::DateTime::<chrono::Local>::from(created.into_std())
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            );
        }
        if !meta.is_file() {
            return Ok(info);
        }
        let mut head = vec![0u8; 8192];
        let file = root.open(&r.rel).map_err(|e| io_error(&r.display, e))?;
        let mut file = file.into_std();
        let n = file.read(&mut head).map_err(|e| io_error(&r.display, e))?;
        head.truncate(n);
        let name = r
            .rel
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let by_content = category_by_content(&head);
        let category = category_by_extension(&name)
            .or(by_content)
            .unwrap_or("Other");
        info["mime"] = json!(mime_by_content(&head));
        info["category"] = json!(category);
        if category == "Images" || by_content == Some("Images") {
            use std::io::Seek;
            let rewound = file.seek(std::io::SeekFrom::Start(0)).is_ok();
            if let Some(taken) = rewound.then(|| exif_taken(&mut file)).flatten() {
                info["taken"] = json!(taken.format("%Y-%m-%dT%H:%M:%S").to_string());
            }
        }
        Ok(info)
    }
}

#[async_trait]
impl Tool for FileInfo {
    fn spec(&self) -> ToolSpec {
        spec(
            "file_info",
            "Type by content, category, size, dates, and for photos the EXIF capture date (`taken`). Give `path` or `paths`.",
            input_schema::<InfoInput>(),
        )
    }
    fn effect(&self) -> Effect {
        Effect::Read
    }
    fn assess(&self, _ctx: &ToolContext, input: &Value) -> Result<Assessment, ToolError> {
        let i: InfoInput = parse_input("file_info", input)?;
        let paths = i.all()?;
        Ok(read_assess("file_info", paths))
    }
    async fn call(&self, _ctx: &ToolContext, input: Value) -> Result<ToolOutput, ToolError> {
        let i: InfoInput = parse_input("file_info", &input)?;
        let single = i.path.is_some() && i.paths.is_none();
        let paths = i.all()?;
        if single {
            return Ok(ToolOutput::text(self.info(&paths[0])?.to_string()));
        }
        let all: Vec<Value> = paths
            .iter()
            .map(|p| {
                self.info(p)
                    .unwrap_or_else(|e| json!({"path": p, "error": e.0}))
            })
            .collect();
        Ok(ToolOutput::text(Value::Array(all).to_string()))
    }
}
