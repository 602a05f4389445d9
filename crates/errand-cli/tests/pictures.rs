//! Pictures reach models that read them, through loopback servers speaking each provider's
//! wire format: a connector's image (server-everything's `get-tiny-image`) and a photo read
//! with `read_file` go as an Anthropic image block or an OpenAI data URL; a model that does
//! not read images gets the words and a note saying the picture was left out.
mod common;

use base64::Engine;
use common::*;
use errand_testkit::wire::{Block, TurnUsage, anthropic_turn, openai_turn};
use errand_testkit::{ReplayServer, Reply};
use serde_json::{Value, json};
use std::path::Path;

const PNG_MAGIC: &[u8] = b"\x89PNG\r\n\x1a\n";

#[derive(Clone, Copy)]
enum Wire {
    Anthropic,
    OpenAi,
}

/// A turn per tool call, then `finish`.
fn replies(wire: Wire, calls: Vec<Block>) -> Vec<Reply> {
    let finish = Block::tool(
        "c_finish",
        "finish",
        &json!({"summary": "Looked at the picture."}),
    );
    calls
        .into_iter()
        .map(|call| vec![call])
        .chain([vec![finish]])
        .collect::<Vec<_>>()
        .iter()
        .enumerate()
        .map(|(i, blocks)| {
            let id = format!("turn{i}");
            let body = match wire {
                Wire::Anthropic => anthropic_turn(&id, blocks, TurnUsage::default()),
                Wire::OpenAi => openai_turn(&id, blocks, TurnUsage::default()),
            };
            Reply::sse(&body, 4)
        })
        .collect()
}

/// Runs one task against a loopback provider; returns the last request's body (the one
/// carrying the last tool result) and the task's events.
fn last_request(
    wire: Wire,
    model: &str,
    config: &str,
    calls: Vec<Block>,
    folder: &Path,
) -> (Value, Vec<Value>) {
    let turns = calls.len() + 1;
    let env = Env::new();
    let config_path = env.work.path().join("config.toml");
    std::fs::write(&config_path, config).expect("config");
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let server = rt.block_on(ReplayServer::start(replies(wire, calls)));
    let mut cmd = env.cmd();
    cmd.env("ERRAND_CONFIG", &config_path);
    match wire {
        Wire::Anthropic => cmd
            .env("ANTHROPIC_API_KEY", "sk-ant-loopback-0000")
            .env("ANTHROPIC_BASE_URL", &server.url),
        Wire::OpenAi => cmd
            .env("OPENAI_API_KEY", "sk-proj-loopback-0000")
            .env("OPENAI_BASE_URL", format!("{}/v1", server.url)),
    };
    let out = cmd
        .args(["--json", "run", "look at the picture", "--model", model])
        .args(["--mode", "auto", "--folder"])
        .arg(folder)
        .output()
        .expect("run");
    assert_eq!(code(&out), 0, "{}", text(&out));
    let requests = server.requests();
    assert_eq!(requests.len(), turns, "one request per turn");
    (requests[turns - 1].json(), events(&out))
}

fn decoded(data: &str) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(data)
        .expect("base64")
}

/// The bytes of the first image block in the Anthropic tool result for `call_id`.
fn image_block(body: &Value, call_id: &str) -> Option<Vec<u8>> {
    body["messages"]
        .as_array()?
        .iter()
        .flat_map(|m| m["content"].as_array().cloned().unwrap_or_default())
        .filter(|c| c["tool_use_id"] == call_id)
        .filter_map(|c| c["content"].as_array().cloned())
        .flatten()
        .find_map(|b| b["source"]["data"].as_str().map(decoded))
}

fn image_config() -> String {
    format!(
        "[mcp.servers.everything]\ncommand = \"{}\"\n",
        everything_server()
    )
}

fn tiny_image_call() -> Block {
    Block::tool("c_img", "mcp__everything__get-tiny-image", &json!({}))
}

#[test]
fn a_connectors_image_reaches_claude_as_an_image_block() {
    let env = Env::new();
    let folder = env.dir("work");
    let (body, events) = last_request(
        Wire::Anthropic,
        "anthropic:claude-sonnet-4-5",
        &image_config(),
        vec![tiny_image_call()],
        &folder,
    );
    // The event names the picture; its bytes are a blob, not in the log.
    let finished = tool_result(&events, "c_img");
    assert_eq!(finished["images"][0]["media_type"], "image/png");
    assert_eq!(
        finished["images"][0]["sha256"].as_str().map(str::len),
        Some(64)
    );
    let result = body["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .flat_map(|m| m["content"].as_array().cloned().unwrap_or_default())
        .find(|c| c["type"] == "tool_result" && c["tool_use_id"] == "c_img")
        .expect("the tool result");
    let blocks = result["content"].as_array().expect("text and image blocks");
    assert_eq!(blocks[0]["type"], "text");
    let words = blocks[0]["text"].as_str().unwrap_or_default();
    assert!(words.contains("[image 1: "), "{words}");
    assert!(words.contains("data from outside Errand"), "{words}");
    let image = blocks
        .iter()
        .find(|b| b["type"] == "image")
        .expect("an image block");
    assert_eq!(image["source"]["type"], "base64");
    assert_eq!(image["source"]["media_type"], "image/png");
    let bytes = decoded(image["source"]["data"].as_str().expect("data"));
    assert!(bytes.starts_with(PNG_MAGIC));
}

#[test]
fn a_connectors_image_reaches_gpt_as_a_data_url_after_the_tool_results() {
    let env = Env::new();
    let folder = env.dir("work");
    let (body, _) = last_request(
        Wire::OpenAi,
        "openai:gpt-4.1",
        &image_config(),
        vec![tiny_image_call()],
        &folder,
    );
    let messages = body["messages"].as_array().expect("messages");
    let tool = messages
        .iter()
        .position(|m| m["role"] == "tool" && m["tool_call_id"] == "c_img")
        .expect("the tool message");
    let words = messages[tool]["content"]
        .as_str()
        .expect("tool content is text");
    assert!(
        words.contains("its picture is in the next message"),
        "{words}"
    );
    // The tool role takes text only: the picture follows in a user message.
    let next = &messages[tool + 1];
    assert_eq!(next["role"], "user");
    let parts = next["content"].as_array().expect("content parts");
    assert_eq!(parts[0]["text"], "Pictures returned by call c_img:");
    let url = parts[1]["image_url"]["url"].as_str().expect("an image_url");
    let data = url
        .strip_prefix("data:image/png;base64,")
        .unwrap_or_else(|| panic!("a PNG data URL: {}", &url[..40.min(url.len())]));
    assert!(decoded(data).starts_with(PNG_MAGIC));
}

#[test]
fn a_model_that_does_not_read_images_gets_the_words_and_is_told_why() {
    let env = Env::new();
    let folder = env.dir("work");
    let config = format!(
        "{}\n[models.textonly]\nspec = \"openai:gpt-4.1\"\nreads_images = false\n",
        image_config()
    );
    let (body, _) = last_request(
        Wire::OpenAi,
        "textonly",
        &config,
        vec![tiny_image_call()],
        &folder,
    );
    let sent = body["messages"].to_string();
    assert!(!sent.contains("image_url"), "no picture is sent");
    let messages = body["messages"].as_array().expect("messages");
    let tool = messages
        .iter()
        .find(|m| m["role"] == "tool")
        .expect("the tool message");
    let words = tool["content"].as_str().unwrap_or_default();
    assert!(words.contains("[image 1: "), "{words}");
    assert!(
        words.contains("[1 picture left out: this model does not read images."),
        "{words}"
    );
}

/// A 3000×2000 photo, left half red, right half blue.
fn photo(path: &Path) {
    let (w, h) = (3000u16, 2000u16);
    let rgb: Vec<u8> = (0..h)
        .flat_map(|_| {
            (0..w).flat_map(move |x| {
                if x < w / 2 {
                    [200, 30, 30]
                } else {
                    [30, 30, 200]
                }
            })
        })
        .collect();
    let mut out = Vec::new();
    jpeg_encoder::Encoder::new(&mut out, 80)
        .encode(&rgb, w, h, jpeg_encoder::ColorType::Rgb)
        .expect("jpeg");
    std::fs::write(path, out).expect("write the photo");
}

#[test]
fn a_photo_read_with_read_file_is_scaled_and_sent_as_a_picture() {
    let env = Env::new();
    let folder = env.dir("receipts");
    photo(&folder.join("receipt.jpg"));
    let read = Block::tool("c_read", "read_file", &json!({"path": "receipt.jpg"}));
    let (body, events) = last_request(
        Wire::Anthropic,
        "anthropic:claude-sonnet-4-5",
        "",
        vec![read],
        &folder,
    );
    let said = tool_result(&events, "c_read")["output"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        said.contains("is a picture (3000×2000 JPEG, sent at 1313×875)"),
        "{said}"
    );
    let image = body["messages"]
        .to_string()
        .contains("\"media_type\":\"image/jpeg\"");
    assert!(image, "the photo goes as a JPEG image block");
    let bytes = image_block(&body, "c_read").expect("image data");
    assert!(bytes.starts_with(&[0xFF, 0xD8, 0xFF]), "a JPEG");
    assert!(bytes.len() < 1_000_000, "scaled, not the original");
}

#[test]
fn a_model_that_does_not_read_images_gets_the_text_tesseract_reads_in_a_picture() {
    let env = Env::new();
    let folder = env.dir("receipts");
    // A picture with words in it: a chart whose title is the receipt's total.
    let chart: errand_office::chart::Chart = serde_json::from_value(json!({
        "type": "column", "title": "Receipt total 42.50 EUR",
        "categories": ["Coffee", "Cake"], "series": [{"values": [30.5, 12.0]}]
    }))
    .expect("a chart");
    let png = errand_office::chart::png(&chart).expect("png");
    std::fs::write(folder.join("receipt.png"), &png.bytes).expect("write");
    let config = "[models.textonly]\nspec = \"openai:gpt-4.1\"\nreads_images = false\n";
    let read = Block::tool("c_read", "read_file", &json!({"path": "receipt.png"}));
    let (body, _) = last_request(Wire::OpenAi, "textonly", config, vec![read], &folder);
    let sent = body["messages"].to_string();
    assert!(!sent.contains("image_url"), "no picture is sent");
    let tool = body["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .find(|m| m["role"] == "tool")
        .expect("the tool message");
    let words = tool["content"].as_str().unwrap_or_default();
    assert!(
        words.contains("This model does not read images; this is the text Tesseract read in it"),
        "{words}"
    );
    assert!(words.contains("42.50"), "{words}");
    assert!(words.to_lowercase().contains("receipt total"), "{words}");
}

#[test]
fn without_tesseract_errand_says_how_to_install_it_and_goes_on() {
    let env = Env::new();
    let folder = env.dir("photos");
    photo(&folder.join("receipt.jpg"));
    let spec = env.script(
        "ocr.json",
        json!([
            {"tool_calls": [{"id": "look", "name": "read_file", "input": {"path": "receipt.jpg"}}]},
            {"tool_calls": [{"name": "finish", "input": {"summary": "Looked."}}]}
        ]),
    );
    let out = env
        .cmd()
        .env("PATH", "/nonexistent")
        .args([
            "--json",
            "run",
            "What does the receipt say?",
            "--model",
            &spec,
        ])
        .args(["--mode", "auto", "--folder"])
        .arg(&folder)
        .output()
        .expect("run");
    assert_eq!(code(&out), 0, "{}", text(&out));
    let said = tool_result(&events(&out), "look")["output"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(said.contains("is a picture (3000×2000 JPEG"), "{said}");
    assert!(
        said.contains("Tesseract, which reads text in pictures, is not installed: `sudo apt install tesseract-ocr tesseract-ocr-eng`"),
        "{said}"
    );
}

/// A scanned receipt: a PDF whose only page is a picture with words in it, made by
/// create_pdf, so the page has no text layer.
fn scanned_receipt_calls(folder: &Path) -> Vec<Block> {
    let chart: errand_office::chart::Chart = serde_json::from_value(json!({
        "type": "column", "title": "Scanned total 73.20 USD",
        "categories": ["Taxi", "Tip"], "series": [{"values": [61.0, 12.2]}]
    }))
    .expect("a chart");
    let png = errand_office::chart::png(&chart).expect("png");
    std::fs::write(folder.join("scan.png"), &png.bytes).expect("write");
    let blocks = json!([{"type": "image", "path": "scan.png"}]);
    vec![
        Block::tool(
            "c_pdf",
            "create_pdf",
            &json!({"path": "scan.pdf", "blocks": blocks}),
        ),
        Block::tool("c_read", "read_file", &json!({"path": "scan.pdf"})),
    ]
}

#[test]
fn a_scanned_pdf_page_reaches_claude_as_a_picture() {
    let env = Env::new();
    let folder = env.dir("scans");
    let calls = scanned_receipt_calls(&folder);
    let (body, events) = last_request(
        Wire::Anthropic,
        "anthropic:claude-sonnet-4-5",
        "",
        calls,
        &folder,
    );
    let said = tool_result(&events, "c_read")["output"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        said.contains("## Page 1 (scanned, no text layer; its picture"),
        "{said}"
    );
    let bytes = image_block(&body, "c_read")
        .expect("the page goes as an image block with the read_file result");
    assert!(
        bytes.starts_with(PNG_MAGIC) || bytes.starts_with(&[0xFF, 0xD8, 0xFF]),
        "a picture"
    );
}

#[test]
fn a_model_that_does_not_read_images_gets_a_scanned_pages_text_from_tesseract() {
    let env = Env::new();
    let folder = env.dir("scans");
    let calls = scanned_receipt_calls(&folder);
    let config = "[models.textonly]\nspec = \"openai:gpt-4.1\"\nreads_images = false\n";
    let (body, _) = last_request(Wire::OpenAi, "textonly", config, calls, &folder);
    let sent = body["messages"].to_string();
    assert!(!sent.contains("image_url"), "no picture is sent");
    let words = body["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .filter(|m| m["role"] == "tool" && m["tool_call_id"] == "c_read")
        .find_map(|m| m["content"].as_str().map(str::to_string))
        .expect("the read_file result");
    assert!(
        words.contains("## Page 1 (scanned, no text layer; this model does not read images, so this is the text Tesseract read in it"),
        "{words}"
    );
    assert!(words.contains("73.20"), "{words}");
}

#[test]
fn a_photo_read_with_read_file_reaches_gpt_as_a_data_url() {
    let env = Env::new();
    let folder = env.dir("receipts");
    photo(&folder.join("receipt.jpg"));
    let read = Block::tool("c_read", "read_file", &json!({"path": "receipt.jpg"}));
    let (body, _) = last_request(Wire::OpenAi, "openai:gpt-4.1", "", vec![read], &folder);
    let url = body["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .filter(|m| m["role"] == "user")
        .flat_map(|m| m["content"].as_array().cloned().unwrap_or_default())
        .find_map(|c| c["image_url"]["url"].as_str().map(str::to_string))
        .expect("a data URL in the user message after the tool result");
    let data = url
        .strip_prefix("data:image/jpeg;base64,")
        .expect("a JPEG data URL");
    assert!(decoded(data).starts_with(&[0xFF, 0xD8, 0xFF]), "a JPEG");
}
