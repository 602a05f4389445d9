//! Files a person looks at: a task's deliverables (previews and downloads) and the folder
//! picker, which lists only folders under the configured roots.
use crate::AppState;
use crate::error::{ApiError, ApiResult};
use axum::Json;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use errand_office::blocks::Block;
use errand_runtime::{Deliverable, FileKind};
use serde::Deserialize;
use serde_json::{Value, json};
use std::path::PathBuf;
use std::sync::Arc;

/// A preview shows the top of a sheet, as a viewer's first screen would.
const GRID_ROWS: usize = 200;
const GRID_COLS: usize = 30;
const TEXT_BYTES: usize = 200 * 1024;
const FOLDERS_LISTED: usize = 500;

pub(crate) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/api/tasks/{id}/deliverables", get(list))
        .route("/api/tasks/{id}/deliverables/{index}/preview", get(preview))
        .route("/api/tasks/{id}/deliverables/{index}/raw", get(raw))
        .route("/api/tasks/{id}/images/{sha256}", get(image))
        .route(
            "/api/tasks/{id}/deliverables/{index}/download",
            get(download),
        )
        .route("/api/folders", get(folders))
}

async fn list(State(app): State<Arc<AppState>>, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    Ok(Json(
        json!({ "deliverables": app.runtime.deliverables(&id)? }),
    ))
}

async fn preview(
    State(app): State<Arc<AppState>>,
    Path((id, index)): Path<(String, usize)>,
) -> ApiResult<Json<Value>> {
    let (found, bytes) = app.runtime.read_deliverable(&id, index)?;
    let url = format!("/api/tasks/{id}/deliverables/{index}/raw");
    Ok(Json(match found.kind {
        FileKind::Xlsx => {
            let sheets = errand_office::read::sheet_grids(&bytes, GRID_ROWS, GRID_COLS)
                .map_err(|e| ApiError::bad_request(format!("{} does not open: {e}", found.path)))?;
            json!({ "kind": "sheets", "sheets": sheets })
        }
        FileKind::Docx | FileKind::Pptx => {
            let ext = if found.kind == FileKind::Docx {
                "docx"
            } else {
                "pptx"
            };
            let text = errand_office::read::extract(ext, &bytes)
                .unwrap_or_else(|| Ok(String::new()))
                .map_err(|e| ApiError::bad_request(format!("{} does not open: {e}", found.path)))?;
            json!({ "kind": "outline", "items": outline(&text, found.kind == FileKind::Pptx) })
        }
        FileKind::Markdown => {
            let text = String::from_utf8_lossy(&bytes);
            json!({ "kind": "blocks", "blocks": markdown_blocks(&text) })
        }
        FileKind::Text => {
            let end = bytes.len().min(TEXT_BYTES);
            json!({ "kind": "text", "text": String::from_utf8_lossy(&bytes[..end]),
                    "clipped": bytes.len() > end })
        }
        FileKind::Pdf => json!({ "kind": "pdf", "url": url }),
        FileKind::Image => json!({ "kind": "image", "url": url }),
        FileKind::Other | FileKind::Folder => json!({ "kind": "none" }),
    }))
}

/// Headings and slide titles as levels 1–3, everything else as text (level 0).
fn outline(text: &str, deck: bool) -> Vec<Value> {
    let mut items = Vec::new();
    let mut slide_title_next: Option<String> = None;
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if deck && let Some(slide) = line.strip_prefix("## ") {
            slide_title_next = Some(slide.to_string());
            continue;
        }
        if let Some(slide) = slide_title_next.take() {
            items.push(json!({"level": 1, "text": format!("{slide}: {line}")}));
            continue;
        }
        let hashes = line.chars().take_while(|c| *c == '#').count();
        if !deck && (1..=6).contains(&hashes) && line[hashes..].starts_with(' ') {
            items.push(json!({"level": hashes.min(3), "text": line[hashes..].trim()}));
        } else {
            items.push(json!({"level": 0, "text": line}));
        }
    }
    if let Some(slide) = slide_title_next {
        items.push(json!({"level": 1, "text": slide}));
    }
    items
}

/// Markdown as plain blocks the page draws as text (never as HTML).
fn markdown_blocks(text: &str) -> Vec<Value> {
    errand_office::blocks::from_markdown(text)
        .into_iter()
        .filter_map(|block| {
            Some(match block {
                Block::Heading { text, level } => {
                    json!({"type": "heading", "level": level.unwrap_or(1), "text": text})
                }
                Block::Paragraph { text } => json!({"type": "paragraph", "text": text}),
                Block::Bullets { items } => json!({"type": "bullets", "items": items}),
                Block::Numbered { items } => json!({"type": "numbered", "items": items}),
                Block::Table { header, rows } => {
                    json!({"type": "table", "header": header, "rows": rows})
                }
                Block::Image { path, caption, .. } => {
                    json!({"type": "paragraph", "text": caption.unwrap_or(path)})
                }
                Block::PageBreak | Block::Chart { .. } => return None,
            })
        })
        .collect()
}

fn content_type(found: &Deliverable) -> &'static str {
    let ext = found
        .name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "pdf" => "application/pdf",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "svg" => "image/svg+xml",
        _ => "application/octet-stream",
    }
}

/// A PDF or image, inline, for the preview pane; anything else only as a download.
async fn raw(
    State(app): State<Arc<AppState>>,
    Path((id, index)): Path<(String, usize)>,
) -> ApiResult<Response> {
    let (found, bytes) = app.runtime.read_deliverable(&id, index)?;
    if !matches!(found.kind, FileKind::Pdf | FileKind::Image) {
        return Err(ApiError::bad_request(format!(
            "{} has no inline view; download it instead",
            found.name
        )));
    }
    // An SVG may carry script: sandboxed, it runs nothing and reaches nothing. A PDF
    // keeps the browser's viewer, which a sandbox would block.
    let policy = if found.kind == FileKind::Pdf {
        "default-src 'none'; frame-ancestors 'self'"
    } else {
        "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; frame-ancestors 'self'"
    };
    let mut response = (
        [
            (header::CONTENT_TYPE, content_type(&found)),
            (header::CONTENT_SECURITY_POLICY, policy),
            (header::CACHE_CONTROL, "no-store"),
        ],
        bytes,
    )
        .into_response();
    response.headers_mut().insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("inline"),
    );
    Ok(response)
}

/// A picture the task passed to its model, as the activity shows it.
async fn image(
    State(app): State<Arc<AppState>>,
    Path((id, sha256)): Path<(String, String)>,
) -> ApiResult<Response> {
    let (media_type, bytes) = app.runtime.task_image(&id, &sha256)?;
    // Only the four raster types a model takes are ever kept; anything else is not served.
    let media_type = match media_type.as_str() {
        "image/png" | "image/jpeg" | "image/gif" | "image/webp" => media_type,
        _ => return Err(ApiError::bad_request("not a picture".to_string())),
    };
    Ok((
        [
            (header::CONTENT_TYPE, media_type),
            (
                header::CONTENT_SECURITY_POLICY,
                "sandbox; default-src 'none'".to_string(),
            ),
            (header::CACHE_CONTROL, "private, max-age=86400".to_string()),
        ],
        bytes,
    )
        .into_response())
}

async fn download(
    State(app): State<Arc<AppState>>,
    Path((id, index)): Path<(String, usize)>,
) -> ApiResult<Response> {
    let (found, bytes) = app.runtime.read_deliverable(&id, index)?;
    // The plain name keeps to safe characters; `filename*` carries the real one.
    let plain: String = found
        .name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._- ".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = found
        .name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b".-_".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let disposition = format!("attachment; filename=\"{plain}\"; filename*=UTF-8''{encoded}");
    let mut response = (
        [
            (header::CONTENT_TYPE, "application/octet-stream"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        bytes,
    )
        .into_response();
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        response
            .headers_mut()
            .insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

#[derive(Deserialize)]
struct FolderQuery {
    path: Option<PathBuf>,
}

/// The roots, or the sub-folders of one folder under them (hidden ones left out).
async fn folders(
    State(app): State<Arc<AppState>>,
    Query(query): Query<FolderQuery>,
) -> ApiResult<Json<Value>> {
    let roots: Vec<PathBuf> = app
        .roots
        .iter()
        .filter_map(|r| std::fs::canonicalize(r).ok())
        .collect();
    let Some(asked) = query.path else {
        return Ok(Json(json!({ "roots": roots })));
    };
    let canonical = std::fs::canonicalize(&asked).map_err(|e| {
        ApiError::bad_request(format!("cannot open the folder {}: {e}", asked.display()))
    })?;
    errand_runtime::check_under_roots(&asked, &canonical, &app.roots)?;
    let entries = std::fs::read_dir(&canonical)
        .map_err(|e| ApiError::bad_request(format!("cannot list {}: {e}", canonical.display())))?;
    let mut found: Vec<(String, PathBuf)> = entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
        .filter(|(name, _)| !name.starts_with('.'))
        .collect();
    found.sort_by_key(|(name, _)| name.to_lowercase());
    let more = found.len() > FOLDERS_LISTED;
    found.truncate(FOLDERS_LISTED);
    let parent = canonical
        .parent()
        .filter(|p| roots.iter().any(|r| p.starts_with(r)))
        .map(PathBuf::from);
    Ok(Json(json!({
        "path": canonical,
        "parent": parent,
        "folders": found.iter().map(|(name, path)| json!({"name": name, "path": path})).collect::<Vec<_>>(),
        "more": more,
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decks_show_slide_titles_and_documents_their_headings() {
        let deck = outline(
            "## Slide 1\nQ3 review\nRevenue up\n## Slide 2\nNext steps\n",
            true,
        );
        let texts: Vec<(u64, &str)> = deck
            .iter()
            .map(|v| {
                (
                    v["level"].as_u64().unwrap_or(9),
                    v["text"].as_str().unwrap_or(""),
                )
            })
            .collect();
        assert_eq!(
            texts,
            [
                (1, "Slide 1: Q3 review"),
                (0, "Revenue up"),
                (1, "Slide 2: Next steps")
            ]
        );
        let doc = outline("# Title\nBody text\n### Deep\n- item\n", false);
        let levels: Vec<u64> = doc
            .iter()
            .map(|v| v["level"].as_u64().unwrap_or(9))
            .collect();
        assert_eq!(levels, [1, 0, 3, 0]);
    }
}
