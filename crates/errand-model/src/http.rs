//! The streaming request loop shared by the HTTP providers: send, read the SSE stream into
//! an assembler, and retry what waiting can fix. A response is only returned whole, so a
//! retried stream never produces a duplicate turn.
use crate::retry::{RetryPolicy, Verdict};
use crate::sse::{SseEvent, SseParser};
use errand_core::{ModelError, ModelResponse};

/// Why a stream could not be turned into a response.
#[derive(Debug)]
pub enum StreamError {
    /// Worth another attempt: the stream broke off, or the API reported overload mid-stream.
    Transient(String),
    /// Not worth retrying.
    Fatal(String),
}

/// Builds one response from a provider's stream of events.
pub trait Assembler {
    fn event(&mut self, event: SseEvent) -> Result<(), StreamError>;
    /// Called at the end of the body; a stream without its closing event is `Transient`.
    fn finish(self) -> Result<ModelResponse, StreamError>;
}

/// Adds a bracketed note on its own line to a reply's text (a cut-off, a refusal), so the
/// model and the person see why the turn ended where it did.
/// The client a provider streams turns through. Timeouts are per read, not per request: a
/// long answer streams for minutes, but a silent connection has died. A plain-http server
/// (a local model) has no certificate to check, so the system's root certificates are not
/// loaded for it (0.4 MB of a 17 MB run, measured with bench/vs-peers.sh).
pub(crate) fn streaming_client(base_url: &str) -> reqwest::Client {
    let plain = base_url
        .get(..7)
        .is_some_and(|scheme| scheme.eq_ignore_ascii_case("http://"));
    reqwest::Client::builder()
        .connect_timeout(std::time::Duration::from_secs(30))
        .read_timeout(std::time::Duration::from_secs(300))
        .tls_built_in_root_certs(!plain)
        .build()
        .unwrap_or_default()
}

pub fn append_note(text: &mut String, note: &str) {
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(note);
}

/// Sends the request `build` makes, streaming it into a fresh assembler per attempt.
pub async fn stream_with_retry<A: Assembler>(
    provider: &str,
    policy: &RetryPolicy,
    build: impl Fn() -> reqwest::RequestBuilder,
    new_assembler: impl Fn() -> A,
) -> Result<ModelResponse, ModelError> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        let (status, retry_after, failure) = match attempt_once(&build, new_assembler()).await {
            Ok(response) => return Ok(response),
            Err(Attempt::Status {
                status,
                retry_after,
                body,
            }) => (
                Some(status),
                retry_after,
                describe_status(provider, status, &body),
            ),
            Err(Attempt::Transient(why)) => (None, None, format!("{provider}: {why}")),
            Err(Attempt::Fatal(why)) => {
                return Err(ModelError::Request(format!("{provider}: {why}")));
            }
        };
        match policy.verdict(attempt, status, retry_after.as_deref()) {
            Verdict::Retry(wait) => {
                // The status alone: an error body may echo a credential back.
                tracing::warn!(
                    provider,
                    attempt,
                    ?wait,
                    ?status,
                    "model request failed; retrying"
                );
                tokio::time::sleep(wait).await;
            }
            Verdict::Fail => return Err(ModelError::Request(failure)),
        }
    }
}

enum Attempt {
    Status {
        status: u16,
        retry_after: Option<String>,
        body: String,
    },
    Transient(String),
    Fatal(String),
}

async fn attempt_once<A: Assembler>(
    build: &impl Fn() -> reqwest::RequestBuilder,
    mut assembler: A,
) -> Result<ModelResponse, Attempt> {
    let mut response = build()
        .send()
        .await
        .map_err(|e| Attempt::Transient(format!("cannot reach the API: {e}")))?;
    let status = response.status().as_u16();
    if !response.status().is_success() {
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let body = response.text().await.unwrap_or_default();
        return Err(Attempt::Status {
            status,
            retry_after,
            body,
        });
    }
    let mut parser = SseParser::new();
    let fold = |result: Result<(), StreamError>| match result {
        Ok(()) => Ok(()),
        Err(StreamError::Transient(why)) => Err(Attempt::Transient(why)),
        Err(StreamError::Fatal(why)) => Err(Attempt::Fatal(why)),
    };
    loop {
        match response.chunk().await {
            Ok(Some(bytes)) => {
                for event in parser.push(&bytes) {
                    fold(assembler.event(event))?;
                }
            }
            Ok(None) => break,
            Err(e) => return Err(Attempt::Transient(format!("the stream broke off: {e}"))),
        }
    }
    if let Some(event) = parser.finish() {
        fold(assembler.event(event))?;
    }
    assembler.finish().map_err(|e| match e {
        StreamError::Transient(why) => Attempt::Transient(why),
        StreamError::Fatal(why) => Attempt::Fatal(why),
    })
}

/// Decodes a whole recorded stream, fed in pieces of `piece` bytes as a network would.
pub(crate) fn decode_recorded<A: Assembler>(
    provider: &str,
    mut assembler: A,
    stream: &[u8],
    piece: usize,
) -> Result<ModelResponse, ModelError> {
    let failed = |e: StreamError| match e {
        StreamError::Transient(why) | StreamError::Fatal(why) => {
            ModelError::Request(format!("{provider}: {why}"))
        }
    };
    let mut parser = SseParser::new();
    for chunk in stream.chunks(piece.max(1)) {
        for event in parser.push(chunk) {
            assembler.event(event).map_err(failed)?;
        }
    }
    if let Some(event) = parser.finish() {
        assembler.event(event).map_err(failed)?;
    }
    assembler.finish().map_err(failed)
}

/// A message naming the cause of an HTTP error, with the API's own words.
pub fn describe_status(provider: &str, status: u16, body: &str) -> String {
    let detail = serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| {
            v["error"]["message"]
                .as_str()
                .or(v["message"].as_str())
                .or(v["error"].as_str())
                .map(str::to_string)
        })
        .unwrap_or_else(|| body.chars().take(300).collect());
    let lower = detail.to_lowercase();
    let cause = match status {
        401 | 403 => "the API key was refused; check the key and that it may use this model",
        404 => "unknown model or endpoint; check the model name and the base URL",
        413 => "the request is too large",
        400 if lower.contains("too long")
            || lower.contains("context")
            || lower.contains("maximum") && lower.contains("token") =>
        {
            "the conversation is longer than the model's context window"
        }
        400 | 422 => "the API rejected the request",
        429 => "rate limited",
        529 | 503 => "the API is overloaded",
        _ => "the API returned an error",
    };
    format!("{provider}: {cause} (HTTP {status}: {detail})")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_their_cause() {
        let m = describe_status(
            "anthropic",
            401,
            r#"{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}"#,
        );
        assert!(
            m.contains("API key was refused") && m.contains("invalid x-api-key"),
            "{m}"
        );
        let m = describe_status(
            "openai",
            404,
            r#"{"error":{"message":"The model `gpt-9` does not exist","type":"invalid_request_error"}}"#,
        );
        assert!(m.contains("unknown model") && m.contains("gpt-9"), "{m}");
        let m = describe_status(
            "anthropic",
            400,
            r#"{"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long: 250000 tokens > 200000 maximum"}}"#,
        );
        assert!(m.contains("context window"), "{m}");
    }
}
