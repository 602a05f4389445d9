//! `errand mcp`: add, list, remove and inspect the person's MCP servers.
use crate::app::McpAction;
use crate::exit::{Exit, ExitCode};
use anyhow::Result;
use errand_mcp::ServerConfig;
use std::collections::BTreeMap;
use std::sync::Arc;

pub async fn mcp(action: McpAction, json: bool) -> Result<ExitCode> {
    match action {
        McpAction::Add {
            name,
            url,
            headers,
            env,
            timeout_s,
            sandbox,
            no_network,
            allow_hosts,
            client_id,
            client_secret,
            command,
        } => add(
            name,
            url,
            headers,
            env,
            command,
            ServerConfig {
                timeout_s,
                sandbox,
                network: no_network.then_some(false),
                allow_hosts,
                oauth_client_id: client_id,
                oauth_client_secret: client_secret,
                ..ServerConfig::default()
            },
        ),
        McpAction::List => list(json).await,
        McpAction::Remove { name } => {
            let path = errand_runtime::mcp::remove(&name)?;
            println!("Removed the MCP server {name} from {}.", path.display());
            Ok(ExitCode::Done)
        }
        McpAction::Tools { name } => tools(&name, json).await,
        McpAction::Login { name, scope } => login(&name, scope).await,
        McpAction::Exercise {
            target,
            tool,
            args,
            repeat,
            accept_defaults,
        } => {
            exercise(
                &target,
                tool.as_deref(),
                args.as_deref(),
                repeat,
                accept_defaults,
            )
            .await
        }
        McpAction::Serve => {
            let config = errand_runtime::config::Config::load()
                .map_err(|e| Exit::usage(format!("{e:#}")))?;
            let runtime = std::sync::Arc::new(errand_runtime::Runtime::open()?);
            errand_server::McpDoor::new(runtime, config.serve_roots())
                .serve_stdio()
                .await
                .map_err(anyhow::Error::msg)?;
            Ok(ExitCode::Done)
        }
    }
}

fn add(
    name: String,
    url: Option<String>,
    headers: Vec<String>,
    env: Vec<String>,
    command: Vec<String>,
    mut server: ServerConfig,
) -> Result<ExitCode> {
    match (url, command.split_first()) {
        (Some(url), None) => {
            server.url = Some(url);
            server.headers = pairs(
                &headers,
                ':',
                "--header",
                "'Authorization: Bearer ${TOKEN}'",
            )?;
        }
        (None, Some((program, args))) => {
            server.command = Some(program.clone());
            server.args = args.to_vec();
        }
        (Some(_), Some(_)) => {
            return Err(Exit::usage("give either --url or a command after --, not both").into());
        }
        (None, None) => {
            return Err(Exit::usage(format!(
                "say how to reach the server: `errand mcp add {name} -- COMMAND ARGS…` or `errand mcp add {name} --url URL`"
            ))
            .into());
        }
    }
    server.env = pairs(&env, '=', "--env", "GITHUB_TOKEN=${GITHUB_TOKEN}")?;
    if let Err(e) = server.validate(&name) {
        return Err(Exit::usage(e.to_string()).into());
    }
    let path = errand_runtime::mcp::add(&name, &server)?;
    println!(
        "Added the MCP server {name} ({}) to {}. Its tools are mcp__{name}__TOOL in tasks; `errand mcp list` connects to check it.",
        server.describe(),
        path.display()
    );
    if server.command.is_some() && !server.sandbox {
        println!(
            "It runs with your permissions. To keep it to each task's folders, add it with --sandbox \
             (or set sandbox = true under [mcp.servers.{name}])."
        );
    }
    Ok(ExitCode::Done)
}

/// `K: V` headers or `K=V` variables.
fn pairs(
    items: &[String],
    separator: char,
    flag: &str,
    example: &str,
) -> Result<BTreeMap<String, String>> {
    let mut map = BTreeMap::new();
    for item in items {
        let Some((key, value)) = item.split_once(separator) else {
            return Err(Exit::usage(format!(
                "{flag} `{item}` has no `{separator}`: write it like {flag} {example}"
            ))
            .into());
        };
        let key = key.trim();
        if key.is_empty() {
            return Err(Exit::usage(format!("{flag} `{item}` has an empty name")).into());
        }
        map.insert(key.to_string(), value.trim().to_string());
    }
    Ok(map)
}

async fn list(json: bool) -> Result<ExitCode> {
    let config = errand_runtime::config::Config::load()?;
    let statuses = errand_runtime::mcp::list(&config).await;
    if json {
        println!("{}", serde_json::to_string(&statuses)?);
        return Ok(ExitCode::Done);
    }
    if statuses.is_empty() {
        println!(
            "No MCP servers are configured. Add one: errand mcp add NAME -- COMMAND ARGS…  (or --url URL)"
        );
        return Ok(ExitCode::Done);
    }
    for s in &statuses {
        match s.state.as_str() {
            "connected" => println!(
                "{:<16} connected  {:<6} protocol {:<11} {} tools, {} resources, {} prompts   {}",
                s.name,
                s.transport,
                s.protocol_version.as_deref().unwrap_or("?"),
                s.tools,
                s.resources,
                s.prompts,
                s.target
            ),
            "disabled" => println!("{:<16} disabled   {:<6} {}", s.name, s.transport, s.target),
            _ => println!(
                "{:<16} failed     {:<6} {}\n{:<16} {}",
                s.name,
                s.transport,
                s.target,
                "",
                s.error.as_deref().unwrap_or("")
            ),
        }
    }
    Ok(ExitCode::Done)
}

async fn tools(name: &str, json: bool) -> Result<ExitCode> {
    let config = errand_runtime::config::Config::load()?;
    let listed = errand_runtime::mcp::tools(&config, name).await?;
    let effect = |t: &errand_mcp::ListedTool| {
        if t.read_only {
            "read"
        } else if t.destructive {
            "delete"
        } else {
            "exec"
        }
    };
    if json {
        let rows: Vec<_> = listed
            .iter()
            .map(|t| {
                serde_json::json!({
                    "name": errand_mcp::tool_name(name, &t.name), "tool": t.name,
                    "effect": effect(t), "description": t.description,
                })
            })
            .collect();
        println!("{}", serde_json::to_string(&rows)?);
        return Ok(ExitCode::Done);
    }
    for t in &listed {
        let first_line = t.description.lines().next().unwrap_or("");
        println!(
            "{:<40} {:<6} {}",
            errand_mcp::tool_name(name, &t.name),
            effect(t),
            first_line
        );
    }
    Ok(ExitCode::Done)
}

/// Connects through Errand's own client stack (the same pool and connection a task uses),
/// lists the tools and calls each with arguments made from its schema; or times `repeat`
/// calls of one tool and prints {calls, median_us, p90_us, calls_per_s} as JSON.
async fn exercise(
    target: &str,
    only: Option<&str>,
    args: Option<&str>,
    repeat: usize,
    accept_defaults: bool,
) -> Result<ExitCode> {
    let server = if target.starts_with("http://") || target.starts_with("https://") {
        ServerConfig {
            url: Some(target.to_string()),
            ..ServerConfig::default()
        }
    } else {
        let config = errand_runtime::config::Config::load()?;
        match config.mcp.servers.get(target) {
            Some(server) => server.clone(),
            None => {
                return Err(Exit::usage(format!("no MCP server `{target}` is configured")).into());
            }
        }
    };
    // Its own data folder, for sign-in tokens: nothing of the person's is touched.
    let data = std::env::temp_dir().join(format!("errand-exercise-{}", std::process::id()));
    let url = server.url.clone();
    let servers = BTreeMap::from([("target".to_string(), server)]);
    let mut connectors = errand_mcp::Connectors::new(servers.clone(), Some(data.clone()));
    let mut listed = connectors.tools("target").await;
    if let (Err(e), Some(url)) = (&listed, &url)
        && e.to_string().contains("errand mcp login")
    {
        let tokens = errand_mcp::oauth::token_file(&data, "target");
        let client = pre_registered(servers.get("target")).or_else(suite_client);
        errand_mcp::oauth::login(url, &tokens, client, &[], &headless_browser)
            .await
            .map_err(anyhow::Error::msg)?;
        connectors = errand_mcp::Connectors::new(servers, Some(data.clone()));
        listed = connectors.tools("target").await;
    }
    let tools = match listed {
        Ok(tools) => tools,
        Err(e) => {
            eprintln!("{e}");
            let _ = std::fs::remove_dir_all(&data);
            return Ok(ExitCode::Failed);
        }
    };
    if let Some(only) = only {
        let Some(tool) = tools.iter().find(|t| t.name == only) else {
            return Err(Exit::usage(format!("the server has no tool `{only}`")).into());
        };
        let arguments = match args {
            Some(text) => serde_json::from_str(text)
                .map_err(|e| Exit::usage(format!("--args is not a JSON object: {e}")))?,
            None => errand_mcp::tools::example_arguments(&tool.input_schema),
        };
        let mut took = Vec::with_capacity(repeat);
        let started = std::time::Instant::now();
        for _ in 0..repeat.max(1) {
            let at = std::time::Instant::now();
            connectors
                .call("target", only, arguments.clone(), Default::default())
                .await?;
            took.push(at.elapsed().as_micros() as u64);
        }
        let wall = started.elapsed().as_secs_f64();
        took.sort_unstable();
        let at = |q: f64| took[((took.len() - 1) as f64 * q).round() as usize];
        println!(
            "{}",
            serde_json::json!({
                "tool": only, "calls": took.len(), "median_us": at(0.5), "p90_us": at(0.9),
                "calls_per_s": took.len() as f64 / wall,
            })
        );
        connectors.close_all().await;
        return Ok(ExitCode::Done);
    }
    for tool in &tools {
        let arguments = errand_mcp::tools::example_arguments(&tool.input_schema);
        // With --accept-defaults, a server's question is answered with nothing: its defaults.
        let hooks = || errand_mcp::CallHooks {
            progress: None,
            asker: accept_defaults.then(|| Arc::new(Defaults) as Arc<dyn errand_core::tool::Asker>),
        };
        let mut result = connectors
            .call("target", &tool.name, arguments.clone(), hooks())
            .await;
        // Asked for more access: sign in again for it, as a task does once the person agrees.
        if let Some(scope) = result.as_ref().err().and_then(|e| e.needed_scope()) {
            let scope = scope.to_string();
            match connectors
                .sign_in_again("target", &scope, &headless_browser)
                .await
            {
                Ok(()) => {
                    result = connectors
                        .call("target", &tool.name, arguments, hooks())
                        .await
                }
                Err(e) => eprintln!("signing in again for {scope} failed: {e}"),
            }
        }
        match result {
            Ok(result) => println!("{}: {}", tool.name, result),
            Err(e) => println!("{}: {e}", tool.name),
        }
    }
    connectors.close_all().await;
    let _ = std::fs::remove_dir_all(&data);
    Ok(ExitCode::Done)
}

/// The client registered in advance that a server's configuration names.
fn pre_registered(server: Option<&ServerConfig>) -> Option<errand_mcp::oauth::PreRegistered> {
    server?.pre_registered(&|var| std::env::var(var).ok())
}

/// The official conformance suite hands a scenario's pre-registered client to the program
/// under test as JSON in MCP_CONFORMANCE_CONTEXT (`{"client_id", "client_secret"}`).
fn suite_client() -> Option<errand_mcp::oauth::PreRegistered> {
    let context: serde_json::Value =
        serde_json::from_str(&std::env::var("MCP_CONFORMANCE_CONTEXT").ok()?).ok()?;
    Some(errand_mcp::oauth::PreRegistered {
        client_id: context["client_id"].as_str()?.to_string(),
        client_secret: context["client_secret"].as_str().map(str::to_string),
    })
}

/// Answers every question with nothing, which accepts the defaults the server offers.
struct Defaults;

#[async_trait::async_trait]
impl errand_core::tool::Asker for Defaults {
    async fn ask(&self, _question: &str) -> Option<String> {
        Some(String::new())
    }
}

/// `errand mcp login NAME`: the OAuth browser flow for a server reached by URL.
async fn login(name: &str, scope: Option<String>) -> Result<ExitCode> {
    let config = errand_runtime::config::Config::load()?;
    let server = config.mcp.servers.get(name);
    let Some(url) = server.and_then(|s| s.url.clone()) else {
        return Err(Exit::usage(format!(
            "no MCP server `{name}` reached by URL is configured; sign-in is for servers added with --url"
        ))
        .into());
    };
    let tokens = errand_mcp::oauth::token_file(&errand_runtime::data_dir()?.join("mcp"), name);
    let open = |page: &str| errand_mcp::oauth::open_in_browser(name, page);
    let scopes: Vec<String> = scope.into_iter().collect();
    errand_mcp::oauth::login(&url, &tokens, pre_registered(server), &scopes, &open)
        .await
        .map_err(anyhow::Error::msg)?;
    println!(
        "Signed in to {name}. The tokens are kept in {} (readable only by you) and refreshed as needed.",
        tokens.display()
    );
    Ok(ExitCode::Done)
}

/// A browser for tests: fetches the sign-in page and follows its redirects, which end at
/// Errand's loopback callback when the authorization server approves without a person.
fn headless_browser(page: &str) -> std::result::Result<(), String> {
    let page = page.to_string();
    tokio::spawn(async move {
        match reqwest::Client::builder().build() {
            Ok(client) => {
                if let Err(e) = client.get(&page).send().await {
                    eprintln!("the sign-in page could not be fetched: {e}");
                }
            }
            Err(e) => eprintln!("{e}"),
        }
    });
    Ok(())
}
