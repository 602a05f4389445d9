//! `errand models`: which models are configured, which is the default, and which answer.
use crate::exit::ExitCode;
use anyhow::Result;

pub async fn models(json: bool) -> Result<ExitCode> {
    let list = errand_runtime::ModelList::probe().await?;
    if json {
        println!("{}", serde_json::to_string(&list.models)?);
        return Ok(ExitCode::Done);
    }
    for e in &list.models {
        let mark = if e.default { "*" } else { " " };
        println!(
            "{mark} {:<14} {:<42} {:<16} {}",
            e.name, e.spec, e.source, e.status
        );
    }
    println!(
        "Default: {}   (--model NAME or ERRAND_MODEL chooses; profiles live in [models.NAME] of config.toml)",
        list.default
    );
    if list.offline_only {
        println!(
            "No model is configured, so Errand runs its offline recipes. To use a model, set OPENAI_API_KEY \
             (+ OPENAI_BASE_URL), run a local Ollama and pass --model ollama:NAME, or add a profile to config.toml."
        );
    }
    Ok(ExitCode::Done)
}
