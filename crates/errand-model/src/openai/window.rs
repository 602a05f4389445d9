//! A local server's context window, asked of the server itself: whoever started it chose
//! the window (llama.cpp's `--ctx`), and a request longer than that fails outright. llama.cpp
//! answers `GET /props`; vLLM lists `max_model_len` under `/v1/models`. Others answer
//! neither, and the modest default stands.
use serde_json::Value;
use std::time::Duration;

/// The window the server at `base_url` (ending in `/v1`) reports, if it reports one.
pub async fn server_context_window(client: &reqwest::Client, base_url: &str) -> Option<u64> {
    let root = base_url.trim_end_matches('/').trim_end_matches("/v1");
    if let Some(props) = get_json(client, &format!("{root}/props")).await
        && let Some(n) = props
            .pointer("/default_generation_settings/n_ctx")
            .or_else(|| props.get("n_ctx"))
            .and_then(Value::as_u64)
    {
        return Some(n);
    }
    let models = get_json(
        client,
        &format!("{}/models", base_url.trim_end_matches('/')),
    )
    .await?;
    models
        .get("data")?
        .as_array()?
        .iter()
        .find_map(|m| m.get("max_model_len").and_then(Value::as_u64))
}

async fn get_json(client: &reqwest::Client, url: &str) -> Option<Value> {
    let response = client
        .get(url)
        .timeout(Duration::from_secs(3))
        .send()
        .await
        .ok()?;
    if !response.status().is_success() {
        return None;
    }
    response.json().await.ok()
}
