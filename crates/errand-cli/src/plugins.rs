//! `errand plugins`, `errand skills`, `errand commands`: the library of reusable work.
use crate::app::{MarketplaceAction, PluginsAction, SkillsAction};
use crate::exit::{Exit, ExitCode};
use anyhow::Result;
use errand_skills::{Plugin, SkillsError};
use serde_json::json;

pub fn plugins(action: PluginsAction, json: bool) -> Result<ExitCode> {
    let library = errand_runtime::plugins::library()?;
    match action {
        PluginsAction::Marketplace { action } => marketplace(&library, action, json),
        PluginsAction::Install { spec } => {
            let installed = library.install(&spec).map_err(person)?;
            if json {
                println!("{}", serde_json::to_string(&installed)?);
            } else {
                println!(
                    "Installed {}{} ({}).",
                    installed.name,
                    installed
                        .version
                        .as_deref()
                        .map(|v| format!(" {v}"))
                        .unwrap_or_default(),
                    installed.pin
                );
            }
            Ok(ExitCode::Done)
        }
        PluginsAction::List => list(&library, json),
        PluginsAction::Enable { name } => {
            library.set_enabled(&name, true).map_err(person)?;
            println!("Enabled {name}: tasks can use it.");
            Ok(ExitCode::Done)
        }
        PluginsAction::Disable { name } => {
            library.set_enabled(&name, false).map_err(person)?;
            println!("Disabled {name}: tasks no longer see it.");
            Ok(ExitCode::Done)
        }
        PluginsAction::Remove { name } => {
            library.remove(&name).map_err(person)?;
            println!("Removed {name}.");
            Ok(ExitCode::Done)
        }
        PluginsAction::Update { name } => {
            let names: Vec<String> = match name {
                Some(name) => vec![name],
                None => library
                    .plugins()
                    .map_err(person)?
                    .into_iter()
                    .map(|(i, _)| i.name)
                    .collect(),
            };
            let mut failed = false;
            for name in names {
                match library.update(&name) {
                    Ok((new, old_pin)) if new.pin == old_pin => {
                        println!("{name}: unchanged ({old_pin})");
                    }
                    Ok((new, old_pin)) => println!("{name}: {old_pin} -> {}", new.pin),
                    Err(e) => {
                        eprintln!("{name}: {e}");
                        failed = true;
                    }
                }
            }
            Ok(if failed {
                ExitCode::Failed
            } else {
                ExitCode::Done
            })
        }
        PluginsAction::Trust { folder } => {
            let extras = library.trust_folder(&folder).map_err(person)?;
            println!(
                "Approved what {} brings: {} skill folder(s){}. Tasks on it use them until they change.",
                extras.folder.display(),
                extras.skill_dirs.len(),
                if extras.mcp_json.is_some() {
                    " and the MCP servers in .mcp.json"
                } else {
                    ""
                }
            );
            Ok(ExitCode::Done)
        }
        PluginsAction::Untrust { folder } => {
            library.untrust_folder(&folder).map_err(person)?;
            println!(
                "Tasks on {} no longer use its own skills or MCP servers.",
                folder.display()
            );
            Ok(ExitCode::Done)
        }
        PluginsAction::Validate { path } => {
            let plugin = Plugin::load(&path).map_err(person)?;
            if json {
                println!(
                    "{}",
                    json!({"name": plugin.name, "valid": plugin.problems.is_empty(), "problems": plugin.problems})
                );
            } else if plugin.problems.is_empty() {
                println!("{} is a valid plugin: {}.", plugin.name, counts(&plugin));
            } else {
                println!(
                    "{} has {} problem(s):",
                    path.display(),
                    plugin.problems.len()
                );
                for problem in &plugin.problems {
                    println!("- {problem}");
                }
            }
            Ok(if plugin.problems.is_empty() {
                ExitCode::Done
            } else {
                ExitCode::Failed
            })
        }
    }
}

fn marketplace(
    library: &errand_skills::Library,
    action: MarketplaceAction,
    json: bool,
) -> Result<ExitCode> {
    match action {
        MarketplaceAction::Add { location } => {
            let market = library.add_marketplace(&location).map_err(person)?;
            if json {
                println!("{}", serde_json::to_string(&market)?);
                return Ok(ExitCode::Done);
            }
            println!(
                "Added the marketplace {} ({} plugins). Install one: errand plugins install PLUGIN@{}",
                market.name,
                market.plugins.len(),
                market.name
            );
            print_listings(&market);
            Ok(ExitCode::Done)
        }
        MarketplaceAction::List { name: Some(name) } => {
            let market = library.marketplace(&name).map_err(person)?;
            if json {
                println!("{}", serde_json::to_string(&market)?);
            } else {
                print_listings(&market);
            }
            Ok(ExitCode::Done)
        }
        MarketplaceAction::List { name: None } => {
            let known = library.marketplaces().map_err(person)?;
            if json {
                println!("{}", serde_json::to_string(&known)?);
            } else if known.is_empty() {
                println!(
                    "No marketplaces yet. Add one: errand plugins marketplace add PATH|GIT_URL"
                );
            } else {
                for (name, m) in known {
                    println!("{name:<28} {}", m.location);
                }
            }
            Ok(ExitCode::Done)
        }
        MarketplaceAction::Remove { name } => {
            library.remove_marketplace(&name).map_err(person)?;
            println!("Forgot the marketplace {name}; installed plugins stay.");
            Ok(ExitCode::Done)
        }
    }
}

fn print_listings(market: &errand_skills::Marketplace) {
    for listing in &market.plugins {
        println!("  {:<32} {}", listing.name, listing.source.describe());
    }
}

fn list(library: &errand_skills::Library, json: bool) -> Result<ExitCode> {
    let plugins = library.plugins().map_err(person)?;
    if json {
        let rows: Vec<serde_json::Value> = plugins
            .iter()
            .map(|(i, p)| errand_skills::library::row(i, p))
            .collect();
        println!("{}", serde_json::to_string(&rows)?);
        return Ok(ExitCode::Done);
    }
    if plugins.is_empty() {
        println!(
            "No plugins installed. Install one: errand plugins install PLUGIN@MARKETPLACE or PATH"
        );
        return Ok(ExitCode::Done);
    }
    for (installed, plugin) in &plugins {
        println!(
            "{:<28} {:<8} {:<9} {}",
            installed.name,
            installed.version.as_deref().unwrap_or("-"),
            if installed.enabled {
                "enabled"
            } else {
                "disabled"
            },
            counts(plugin)
        );
        for server in &plugin.mcp_servers {
            if let Some(needs) = &server.needs {
                println!("{:<28} MCP server `{}` needs {needs}", "", server.name);
            }
        }
    }
    Ok(ExitCode::Done)
}

fn counts(plugin: &Plugin) -> String {
    format!(
        "{} skills, {} commands, {} agents, {} hooks, {} MCP servers",
        plugin.skills.len(),
        plugin.commands.len(),
        plugin.agents.len(),
        plugin.hooks.len(),
        plugin.mcp_servers.len()
    )
}

pub async fn skills(action: Option<SkillsAction>, json: bool, no_input: bool) -> Result<ExitCode> {
    match action {
        None | Some(SkillsAction::List) => list_skills(json),
        Some(SkillsAction::Save {
            task,
            name,
            model,
            yes,
        }) => save_skill(&task, &name, model.as_deref(), yes, no_input, json).await,
        Some(SkillsAction::Test {
            name,
            model,
            repeat,
            timeout_s,
        }) => test_skill(&name, model, repeat, timeout_s, json).await,
    }
}

/// `errand skills test`: the skill's evals, each a task on a fresh folder.
async fn test_skill(
    name: &str,
    model: Option<String>,
    repeat: usize,
    timeout_s: u64,
    json: bool,
) -> Result<ExitCode> {
    let reusable = errand_runtime::plugins::gather(&[]);
    let skill = reusable
        .catalog
        .find(name)
        .map_err(|e| Exit::usage(format!("{e}; `errand skills` lists them")))?
        .clone();
    let runs = errand_eval::skills::run_skill_evals(
        &skill.name,
        &skill.dir,
        model.clone().filter(|m| !m.is_empty()),
        repeat,
        std::time::Duration::from_secs(timeout_s.max(1)),
        |r| {
            eprintln!(
                "{:<32} {:<10} {} turns, {:.1} s {}",
                r.task,
                match r.verdict {
                    errand_eval::Verdict::Pass => "pass",
                    errand_eval::Verdict::Fail => "fail",
                    errand_eval::Verdict::FalseDone => "FALSE DONE",
                },
                r.turns,
                r.wall_ms as f64 / 1000.0,
                r.reason
            );
        },
    )
    .await
    .map_err(|e| match e {
        errand_eval::EvalError::Usage(m) => anyhow::Error::new(Exit::usage(m)),
        errand_eval::EvalError::Io(m) => anyhow::anyhow!(m),
    })?;
    let expectations: Vec<serde_json::Value> = runs
        .iter()
        .map(|(eval, r)| json!({"task": r.task, "prompt": eval.prompt, "expected_output": eval.expected_output, "expectations": eval.expectations}))
        .collect();
    let summary = errand_eval::Summary::of(
        model.as_deref().unwrap_or("default"),
        runs.into_iter().map(|(_, r)| r).collect(),
    );
    if json {
        println!("{}", json!({"summary": summary, "evals": expectations}));
    } else {
        print!("{}", errand_eval::table(&summary));
        for e in &expectations {
            let list = e["expectations"].as_array().cloned().unwrap_or_default();
            if !list.is_empty() {
                println!(
                    "\n{} — check by reading its results:",
                    e["task"].as_str().unwrap_or_default()
                );
                for x in list {
                    println!("  - {}", x.as_str().unwrap_or_default());
                }
            }
        }
    }
    Ok(if summary.passed == summary.runs {
        ExitCode::Done
    } else {
        ExitCode::Failed
    })
}

/// `errand skills save`: a recipe task is saved at once; a model's draft is shown for review
/// and saved when the person says yes (or `--yes`).
async fn save_skill(
    task: &str,
    name: &str,
    model: Option<&str>,
    yes: bool,
    no_input: bool,
    json: bool,
) -> Result<ExitCode> {
    let runtime = errand_runtime::Runtime::open()?;
    let draft = runtime
        .draft_skill(task, name, model)
        .await
        .map_err(|e| Exit::usage(e.to_string()))?;
    if draft.drafted && !yes {
        println!("{}", draft.text.trim_end());
        println!();
        if no_input || !std::io::IsTerminal::is_terminal(&std::io::stdin()) {
            return Err(Exit::usage(
                "this draft was written by a model: read it above, then save it with --yes",
            )
            .into());
        }
        eprint!("Save this as the skill {}? [y/N] ", draft.name);
        let mut answer = String::new();
        std::io::stdin().read_line(&mut answer)?;
        if !matches!(answer.trim(), "y" | "Y" | "yes") {
            println!("Not saved.");
            return Ok(ExitCode::Done);
        }
    }
    draft.save().map_err(|e| anyhow::anyhow!(e.to_string()))?;
    if json {
        println!(
            "{}",
            json!({"name": draft.name, "path": draft.path, "drafted": draft.drafted})
        );
    } else {
        println!(
            "Saved the skill {} in {}. Run it: errand run \"/{}\" --folder DIR",
            draft.name,
            draft.path.display(),
            draft.name
        );
    }
    Ok(ExitCode::Done)
}

fn list_skills(json: bool) -> Result<ExitCode> {
    let reusable = errand_runtime::plugins::gather(&[]);
    for problem in &reusable.problems {
        eprintln!("{problem}");
    }
    let recipes: Vec<serde_json::Value> = errand_skills::recipes::BUILTIN
        .iter()
        .map(|(name, description, _)| json!({"name": format!("errand:{name}"), "description": description}))
        .collect();
    if json {
        println!(
            "{}",
            json!({"skills": reusable.catalog.skills, "recipes": recipes})
        );
        return Ok(ExitCode::Done);
    }
    if reusable.catalog.skills.is_empty() {
        println!(
            "No skills yet. Install a plugin (errand plugins install …) or add NAME/SKILL.md under {}",
            errand_runtime::plugins::personal_skills_dir()
                .map(|d| d.display().to_string())
                .unwrap_or_default()
        );
    }
    for skill in &reusable.catalog.skills {
        println!("{:<44} {}", skill.name, clip(&skill.description, 90));
    }
    println!("\nBuilt in (these work offline, with no model): run as /NAME WORDS");
    for recipe in &recipes {
        println!(
            "{:<44} {}",
            recipe["name"].as_str().unwrap_or_default(),
            recipe["description"].as_str().unwrap_or_default()
        );
    }
    Ok(ExitCode::Done)
}

pub fn commands(json: bool) -> Result<ExitCode> {
    let reusable = errand_runtime::plugins::gather(&[]);
    let list = errand_skills::commands::invocables(&reusable.plugins, &reusable.catalog);
    if json {
        println!("{}", serde_json::to_string(&list)?);
        return Ok(ExitCode::Done);
    }
    if list.is_empty() {
        println!("No commands yet: plugins bring them (errand plugins install …).");
    }
    for command in &list {
        let usage = match &command.argument_hint {
            Some(hint) => format!("/{} {hint}", command.name),
            None => format!("/{}", command.name),
        };
        println!("{usage:<52} {}", clip(&command.description, 80));
    }
    Ok(ExitCode::Done)
}

fn clip(text: &str, chars: usize) -> String {
    if text.chars().count() <= chars {
        text.to_string()
    } else {
        format!("{}...", text.chars().take(chars - 3).collect::<String>())
    }
}

/// What the person must fix (a name, a path, a broken plugin) exits 2; a fetch or disk
/// failure exits 1.
fn person(e: SkillsError) -> anyhow::Error {
    match e {
        SkillsError::Invalid(_) | SkillsError::NotFound(_) => Exit::usage(e.to_string()).into(),
        other => anyhow::Error::new(other),
    }
}
