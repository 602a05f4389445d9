//! Servers reached by URL: rmcp's streamable HTTP client (with its legacy-SSE fallback and
//! reconnection), given the configured headers with `${VAR}` read from the environment.
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use std::collections::{BTreeMap, HashMap};

/// How to reach `url`. An `Authorization: Bearer …` header becomes rmcp's auth header;
/// every other header is sent as given.
pub fn config(
    url: &str,
    headers: &BTreeMap<String, String>,
    env: &(dyn Fn(&str) -> Option<String> + Sync),
) -> Result<StreamableHttpClientTransportConfig, String> {
    install_crypto();
    let mut config = StreamableHttpClientTransportConfig::with_uri(url.to_string());
    let mut custom = HashMap::new();
    for (name, value) in headers {
        let value = crate::config::expand_env(value, env);
        if name.eq_ignore_ascii_case("authorization") {
            let token = value
                .strip_prefix("Bearer ")
                .or_else(|| value.strip_prefix("bearer "))
                .unwrap_or(&value);
            config = config.auth_header(token.to_string());
            continue;
        }
        let header_name = http::HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| format!("`{name}` is not a valid HTTP header name"))?;
        let header_value = http::HeaderValue::from_str(&value)
            .map_err(|_| format!("the value of the header `{name}` is not valid in HTTP"))?;
        custom.insert(header_name, header_value);
    }
    if !custom.is_empty() {
        config = config.custom_headers(custom);
    }
    Ok(config)
}

/// rmcp's HTTP client uses rustls without choosing a provider; Errand's is ring, as for
/// the model providers. Installing twice is harmless (the first stays).
pub(crate) fn install_crypto() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}
