//! What a task's tokens cost, for the meter. Prices are list prices per million tokens,
//! approximate (providers change them; a profile's `price_input`/`price_output` wins).
use errand_core::Usage;
use serde::Serialize;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Cost {
    /// US dollars, when the price is known.
    pub usd: Option<f64>,
    pub known: bool,
    /// How the figure was made, or why there is none.
    pub note: String,
}

/// (input, output, cache-read share of input, cache-write share of input) per million.
fn price_of(spec: &str) -> Option<(f64, f64, f64, f64)> {
    let (kind, model) = spec.split_once(':').unwrap_or((spec, ""));
    let model = model.to_ascii_lowercase();
    let has = |s: &str| model.contains(s);
    match kind {
        "anthropic" => Some(if has("opus-4-5") || has("opus-4.5") {
            (5.0, 25.0, 0.1, 1.25)
        } else if has("opus") {
            (15.0, 75.0, 0.1, 1.25)
        } else if has("haiku-4") || has("haiku-4-5") {
            (1.0, 5.0, 0.1, 1.25)
        } else if has("haiku") {
            (0.8, 4.0, 0.1, 1.25)
        } else {
            (3.0, 15.0, 0.1, 1.25)
        }),
        "openai" => {
            let table: &[(&str, f64, f64)] = &[
                ("gpt-4.1-nano", 0.1, 0.4),
                ("gpt-4.1-mini", 0.4, 1.6),
                ("gpt-4.1", 2.0, 8.0),
                ("gpt-4o-mini", 0.15, 0.6),
                ("gpt-4o", 2.5, 10.0),
                ("gpt-5-nano", 0.05, 0.4),
                ("gpt-5-mini", 0.25, 2.0),
                ("gpt-5", 1.25, 10.0),
            ];
            table
                .iter()
                .find(|(name, _, _)| model.starts_with(name))
                .map(|(_, i, o)| (*i, *o, 0.5, 1.0))
        }
        _ => None,
    }
}

/// The cost of `usage` on the model a task names (a spec, or a profile's name).
pub fn estimate(model: &str, usage: &Usage) -> Cost {
    let config = crate::config::Config::load().unwrap_or_default();
    let (spec, _) = config.resolve_model(model);
    let profile = config.models.get(model);
    let kind = spec.split_once(':').map_or(spec.as_str(), |(k, _)| k);
    let local = match kind {
        "offline" => Some("offline recipes: no tokens, no cost"),
        "scripted" => Some("scripted model: no cost"),
        "ollama" => Some("a local model: no cost"),
        "openai-compatible"
            if ["127.0.0.1", "localhost", "[::1]"]
                .iter()
                .any(|h| spec.contains(&format!("//{h}"))) =>
        {
            Some("a local model: no cost")
        }
        _ => None,
    };
    if let Some(note) = local {
        return Cost {
            usd: Some(0.0),
            known: true,
            note: note.into(),
        };
    }
    let configured = profile.and_then(|p| Some((p.price_input?, p.price_output?, 0.5, 1.0)));
    let Some((input, output, read, write)) = configured.or_else(|| price_of(&spec)) else {
        return Cost {
            usd: None,
            known: false,
            note: format!(
                "no price known for {spec}; set price_input and price_output (US$ per million tokens) in its [models.NAME] profile"
            ),
        };
    };
    let per = |tokens: u64, price: f64| tokens as f64 * price / 1_000_000.0;
    let usd = per(usage.input_tokens, input)
        + per(usage.output_tokens, output)
        + per(usage.cache_read_tokens, input * read)
        + per(usage.cache_write_tokens, input * write);
    Cost {
        usd: Some((usd * 10_000.0).round() / 10_000.0),
        known: true,
        note: format!("at list prices: ${input} in, ${output} out per million tokens"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_models_are_priced_and_local_ones_free() {
        let usage = Usage {
            input_tokens: 1_000_000,
            output_tokens: 100_000,
            cache_read_tokens: 0,
            cache_write_tokens: 0,
        };
        let sonnet = estimate("anthropic:claude-sonnet-4-5", &usage);
        assert_eq!(sonnet.usd, Some(4.5));
        assert_eq!(estimate("offline", &usage).usd, Some(0.0));
        let local = estimate("openai-compatible:m@http://127.0.0.1:8080/v1", &usage);
        assert_eq!(local.usd, Some(0.0));
        let remote = estimate("openai-compatible:m@https://llm.example.com/v1", &usage);
        assert_eq!(remote.usd, None);
        assert!(remote.note.contains("price_input"), "{}", remote.note);
    }
}
