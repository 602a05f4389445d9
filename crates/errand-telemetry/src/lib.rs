//! OpenTelemetry for tasks, off unless configured: the standard `OTEL_EXPORTER_OTLP_ENDPOINT`,
//! `OTEL_EXPORTER_OTLP_PROTOCOL` (`http/protobuf`, `http/json`) and
//! `OTEL_EXPORTER_OTLP_HEADERS`, or `[telemetry]` in config.toml. A task becomes a span tree
//! (the task, each model turn, each tool call, each sub-agent with its own turns and calls)
//! and log events named as the desktop apps name them: `user_prompt`, `api_request`,
//! `api_error`, `tool_decision`, `tool_result`. Prompts and file contents are left out unless
//! `OTEL_LOG_USER_PROMPTS=1`. Spans are made from the task's events, with their times.
mod task;

pub use task::TaskTrace;

use opentelemetry::logs::LoggerProvider as _;
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::{Protocol, WithExportConfig, WithHttpConfig};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::logs::SdkLoggerProvider;
use opentelemetry_sdk::trace::SdkTracerProvider;
use std::collections::BTreeMap;

#[derive(Debug, thiserror::Error)]
pub enum TelemetryError {
    #[error("telemetry is misconfigured: {0}")]
    Config(String),
}

/// `[telemetry]`: where to send, for people who prefer config.toml to the environment.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TelemetryConfig {
    /// The collector's base URL, e.g. `http://localhost:4318` (`/v1/traces` and `/v1/logs`
    /// are added).
    pub endpoint: Option<String>,
    /// `http/protobuf` (default) or `http/json`.
    pub protocol: Option<String>,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// Send prompts and file contents too (as `OTEL_LOG_USER_PROMPTS=1`).
    #[serde(default)]
    pub log_user_prompts: bool,
}

/// The exporters of one process.
pub struct Telemetry {
    traces: SdkTracerProvider,
    logs: SdkLoggerProvider,
    log_prompts: bool,
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

impl Telemetry {
    /// The exporters the environment or `config` asks for; `None` when neither does.
    pub fn from_env(config: &TelemetryConfig) -> Result<Option<Telemetry>, TelemetryError> {
        if env("OTEL_SDK_DISABLED").is_some_and(|v| v.eq_ignore_ascii_case("true")) {
            return Ok(None);
        }
        let from_env = env("OTEL_EXPORTER_OTLP_ENDPOINT").is_some()
            || env("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT").is_some();
        if !from_env && config.endpoint.is_none() {
            return Ok(None);
        }
        install_crypto();
        let protocol = match env("OTEL_EXPORTER_OTLP_PROTOCOL").or(config.protocol.clone()) {
            None => Protocol::HttpBinary,
            Some(p) if p == "http/protobuf" => Protocol::HttpBinary,
            Some(p) if p == "http/json" => Protocol::HttpJson,
            Some(other) => {
                return Err(TelemetryError::Config(format!(
                    "the OTLP protocol `{other}` is not offered: use http/protobuf or http/json (no gRPC)"
                )));
            }
        };
        // The environment wins over config.toml, as the variables' specification says.
        let base = (!from_env)
            .then(|| config.endpoint.clone())
            .flatten()
            .map(|e| e.trim_end_matches('/').to_string());
        let headers: std::collections::HashMap<String, String> =
            config.headers.clone().into_iter().collect();
        let mut spans = opentelemetry_otlp::SpanExporter::builder()
            .with_http()
            .with_protocol(protocol);
        let mut records = opentelemetry_otlp::LogExporter::builder()
            .with_http()
            .with_protocol(protocol);
        if let Some(base) = &base {
            spans = spans.with_endpoint(format!("{base}/v1/traces"));
            records = records.with_endpoint(format!("{base}/v1/logs"));
        }
        if !headers.is_empty() && env("OTEL_EXPORTER_OTLP_HEADERS").is_none() {
            spans = spans.with_headers(headers.clone());
            records = records.with_headers(headers);
        }
        let spans = spans
            .build()
            .map_err(|e| TelemetryError::Config(e.to_string()))?;
        let records = records
            .build()
            .map_err(|e| TelemetryError::Config(e.to_string()))?;
        let resource = Resource::builder()
            .with_service_name(env("OTEL_SERVICE_NAME").unwrap_or_else(|| "errand".into()))
            .build();
        Ok(Some(Telemetry {
            traces: SdkTracerProvider::builder()
                .with_batch_exporter(spans)
                .with_resource(resource.clone())
                .build(),
            logs: SdkLoggerProvider::builder()
                .with_batch_exporter(records)
                .with_resource(resource)
                .build(),
            log_prompts: config.log_user_prompts
                || env("OTEL_LOG_USER_PROMPTS").is_some_and(|v| v == "1" || v == "true"),
        }))
    }

    /// The trace of one run of a task.
    pub fn task(&self, task_id: &str) -> TaskTrace {
        TaskTrace::new(
            self.traces.tracer("errand"),
            self.logs.logger("errand"),
            task_id,
            self.log_prompts,
        )
    }

    /// Sends what is buffered (a run's end; the process may end next).
    pub fn flush(&self) {
        if let Err(e) = self.traces.force_flush() {
            tracing::warn!(error = %e, "telemetry: spans were not all sent");
        }
        if let Err(e) = self.logs.force_flush() {
            tracing::warn!(error = %e, "telemetry: log events were not all sent");
        }
    }

    /// Sends what is buffered and stops the exporters.
    pub fn shutdown(&self) {
        if let Err(e) = self.traces.force_flush() {
            tracing::warn!(error = %e, "telemetry: spans were not all sent");
        }
        if let Err(e) = self.logs.force_flush() {
            tracing::warn!(error = %e, "telemetry: log events were not all sent");
        }
        let _ = self.traces.shutdown();
        let _ = self.logs.shutdown();
    }
}

/// OTLP over HTTPS uses rustls with ring, installed once per process.
fn install_crypto() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}
