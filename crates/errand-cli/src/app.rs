//! `errand`: the command line.
use clap::{Args, Parser, Subcommand};
use errand_core::Mode;
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "errand",
    version,
    about = "A local agent for knowledge work: grant folders, describe an outcome, come back to finished files."
)]
pub struct Cli {
    /// Print one JSON object per line (events, results) instead of human output.
    #[arg(long, global = true)]
    pub json: bool,
    /// Never prompt; stop and exit 3 when an approval is needed.
    #[arg(long, global = true)]
    pub no_input: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Start a task: describe the outcome and grant folders.
    Run(RunArgs),
    /// List tasks, newest first.
    Tasks,
    /// List configured models, the default, and whether each endpoint answers.
    Models,
    /// Show a task: state, plan, usage, deliverables.
    Show { task: String },
    /// Approve what a waiting task asked, then continue it.
    Approve {
        task: String,
        /// Also approve later calls of the same tool in this task.
        #[arg(long)]
        always: bool,
    },
    /// Refuse what a waiting task asked, then continue it.
    Deny { task: String },
    /// Continue an interrupted or waiting task.
    Resume {
        task: String,
        /// Keep running in the background: wait in place for approvals and answers.
        #[arg(long, hide = true)]
        hold: bool,
    },
    /// Stop a task at its next step.
    Cancel { task: String },
    /// Tell a running task something; it reads it before its next step.
    Say { task: String, message: String },
    /// Hold a task after its current step, until `errand continue`.
    Pause { task: String },
    /// Let a paused task go on (in the process that runs it, or here if none does).
    Continue { task: String },
    /// Answer the question a waiting task asked (`ask_user`), then continue it.
    Answer { task: String, answer: String },
    /// Follow a task live: plan, activity, sub-agents, usage. Exits with the task's code.
    Watch { task: String },
    /// Reverse everything a task changed.
    Undo { task: String },
    /// List files tasks trashed or replaced; restore one.
    Trash {
        #[command(subcommand)]
        action: Option<TrashAction>,
    },
    /// Connect Errand to MCP servers (tools named mcp__SERVER__TOOL in tasks).
    Mcp {
        #[command(subcommand)]
        action: McpAction,
    },
    /// Install and manage plugins (skills, commands, agents, hooks, MCP servers).
    Plugins {
        #[command(subcommand)]
        action: PluginsAction,
    },
    /// List the skills tasks can use (enabled plugins, your own skills); save a task as one.
    Skills {
        #[command(subcommand)]
        action: Option<SkillsAction>,
    },
    /// List the slash commands (`errand run "/plugin:command ARGS"`).
    Commands,
    /// Fill a folder with a realistic mess of files to try Errand on.
    DemoFolder {
        dir: PathBuf,
        /// downloads: a messy Downloads folder; receipts: receipts and a bank export;
        /// notes: meeting notes in Markdown; sales: a year of orders as CSV.
        #[arg(long, value_enum, default_value_t = DemoKind::Downloads)]
        kind: DemoKind,
        /// Files in a downloads folder.
        #[arg(long, default_value_t = 300)]
        files: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Open the web workspace: start, watch, approve and steer tasks from a browser. It
    /// also runs the schedules.
    Serve(ServeArgs),
    /// Recurring tasks ("every weekday at 08:00"), run by `errand serve` at their times.
    Schedule {
        #[command(subcommand)]
        action: ScheduleAction,
    },
    /// Projects: named sets of folders with their own instructions and memory.
    Project {
        #[command(subcommand)]
        action: ProjectAction,
    },
    /// What Errand remembers for you (memory.md, read at the start of every task;
    /// `remember` adds to it, with your approval).
    Memory {
        #[command(subcommand)]
        action: MemoryAction,
    },
    /// Keep `errand serve` running in the background as a systemd user service, so
    /// schedules run after a reboot with no browser or terminal open.
    Daemon {
        #[command(subcommand)]
        action: DaemonAction,
    },
    /// Run the eval suite: knowledge-work tasks graded by the files they leave.
    Eval(EvalArgs),
    /// What the command sandbox enforces on this machine; run a command in it.
    Sandbox {
        #[command(subcommand)]
        action: SandboxAction,
    },
    /// Print "sha256  path" for every file under DIR, to compare trees before and after.
    #[command(hide = true)]
    HashListing { dir: PathBuf },
}

#[derive(Subcommand)]
pub enum ScheduleAction {
    /// Make a recurring task: --cron "0 8 * * 1-5" or --every "weekday 08:00" (also
    /// "monday 09:30", "day", "day 07:00", "1h", "30m"), in local time.
    Add {
        /// What you want done each time, in plain words.
        outcome: String,
        /// A folder the task may read and change (repeatable).
        #[arg(
            long = "folder",
            short = 'f',
            value_name = "DIR",
            required_unless_present = "project"
        )]
        folders: Vec<PathBuf>,
        /// Run in a project: its folders, instructions and memory.
        #[arg(long, value_name = "NAME")]
        project: Option<String>,
        /// A folder the task may only read (repeatable).
        #[arg(long = "read-only", value_name = "DIR")]
        read_only: Vec<PathBuf>,
        /// ask, auto or plan. A run that must ask waits for you in the workspace.
        #[arg(long)]
        mode: Option<String>,
        /// A model spec or profile name; default: the configured one.
        #[arg(long)]
        model: Option<String>,
        /// Five-field cron pattern in local time: minute hour day month weekday.
        #[arg(long, conflicts_with = "every", required_unless_present = "every")]
        cron: Option<String>,
        /// "weekday 08:00", "monday 09:30", "day", "day 07:00", "1h", "30m".
        #[arg(long)]
        every: Option<String>,
        /// After downtime (sleep, reboot): once runs a single catch-up, skip waits for the
        /// next time. Either way the history records what was missed.
        #[arg(long, default_value = "once", value_parser = ["once", "skip"])]
        missed: String,
    },
    /// List schedules: when they run next, their last run and its task's state.
    List,
    /// Run a schedule now, here, as `errand run` would.
    Run { id: String },
    /// Stop a schedule from running until `resume`.
    Pause { id: String },
    /// Let a paused schedule run again (from now on; nothing counts as missed).
    Resume { id: String },
    /// Delete a schedule (its history and its tasks stay).
    Remove { id: String },
    /// What a schedule did: runs, catch-ups, missed and skipped runs.
    History { id: String },
}

#[derive(Subcommand)]
pub enum MemoryAction {
    /// Print what is remembered, and where it is kept.
    Show {
        /// A project's memory instead of yours.
        #[arg(long, value_name = "NAME")]
        project: Option<String>,
    },
    /// Open the memory file in your editor ($VISUAL, $EDITOR, else nano or vi).
    Edit {
        #[arg(long, value_name = "NAME")]
        project: Option<String>,
    },
    /// Forget the lines that contain TEXT, or everything with --all.
    Forget {
        text: Option<String>,
        #[arg(long, conflicts_with = "text")]
        all: bool,
        #[arg(long, value_name = "NAME")]
        project: Option<String>,
    },
}

#[derive(Subcommand)]
pub enum ProjectAction {
    /// Make a project of folders; `errand run --project NAME "…"` then works in them.
    Create {
        name: String,
        /// A folder the project's tasks may read and change (repeatable).
        #[arg(long = "folder", short = 'f', value_name = "DIR")]
        folders: Vec<PathBuf>,
        /// A folder they may only read (repeatable).
        #[arg(long = "read-only", value_name = "DIR")]
        read_only: Vec<PathBuf>,
    },
    /// List projects with their folders and where their instructions and memory are.
    List,
}

#[derive(Subcommand)]
pub enum DaemonAction {
    /// Write and start a systemd user service running `errand serve`.
    Install {
        /// The workspace's port. Default: [serve] port, else 8417.
        #[arg(long)]
        port: Option<u16>,
    },
    /// Whether the service is installed and running.
    Status,
    /// Stop and remove the service.
    Uninstall,
}

#[derive(Subcommand)]
pub enum SandboxAction {
    /// Print each confinement layer and whether this kernel enforces it.
    Check,
    /// Run a command confined as a task's run_command is, for debugging; its changes land
    /// directly, without the journal.
    Run {
        /// A folder the command may read and write (repeatable); default: none.
        #[arg(long = "folder", short = 'f', value_name = "DIR")]
        folders: Vec<PathBuf>,
        /// A folder the command may only read (repeatable).
        #[arg(long = "read-only", value_name = "DIR")]
        read_only: Vec<PathBuf>,
        /// Allow all network access.
        #[arg(long = "allow-network")]
        network: bool,
        /// Allow this host through the proxy (repeatable).
        #[arg(long = "allow-host", value_name = "HOST")]
        allow_hosts: Vec<String>,
        /// Seconds before the command and everything it started are killed.
        #[arg(long, default_value_t = 120)]
        timeout: u64,
        /// The command line, run with `sh -c`.
        #[arg(last = true, required = true)]
        command: Vec<String>,
    },
}

/// `errand run`'s arguments.
#[derive(Args)]
pub struct RunArgs {
    /// What you want done, in plain words.
    pub outcome: String,
    /// A folder the task may read and change (repeatable).
    #[arg(long = "folder", short = 'f', value_name = "DIR")]
    pub folders: Vec<PathBuf>,
    /// A folder the task may only read (repeatable).
    #[arg(long = "read-only", value_name = "DIR")]
    pub read_only: Vec<PathBuf>,
    /// ask: approve the plan and each change; auto: act, asking only for deletes and replacing files; plan: read-only.
    #[arg(long, value_parser = parse_mode)]
    pub mode: Option<Mode>,
    /// offline, scripted:PATH, anthropic:MODEL, openai:MODEL, ollama:MODEL, openai-compatible:MODEL@URL.
    #[arg(long)]
    pub model: Option<String>,
    /// Stop the task once its model calls have used this many tokens in all.
    #[arg(long, value_name = "TOKENS")]
    pub max_tokens_total: Option<u64>,
    /// Let commands (through Errand's allowlisting proxy) and web_fetch reach this host
    /// without asking (repeatable; `*.example.com` for subdomains).
    #[arg(long = "allow-host", value_name = "HOST")]
    pub allow_hosts: Vec<String>,
    /// Let commands and web_fetch use the network without limits (web_fetch still never
    /// reaches a private or loopback address: name it with `--allow-host` instead).
    #[arg(long, conflicts_with = "allow_hosts")]
    pub allow_network: bool,
    /// Where this machine cannot sandbox commands, run them unconfined anyway (their file
    /// changes are then not journaled). Without it such commands are refused.
    #[arg(long)]
    pub unsafe_no_sandbox: bool,
    /// Start the task in the background and print its id; follow it with `errand watch`.
    #[arg(long)]
    pub detach: bool,
    /// Work in a project: its folders are granted, its instructions and memory read.
    #[arg(long, value_name = "NAME")]
    pub project: Option<String>,
}

/// `errand serve`'s arguments.
#[derive(Args)]
pub struct ServeArgs {
    /// The port to listen on; 0 picks a free one. Default: [serve] port, else 8417.
    #[arg(long)]
    pub port: Option<u16>,
    /// The address to listen on. Anything but loopback makes the workspace reachable from
    /// the network (still only with the token).
    #[arg(long, default_value = "127.0.0.1")]
    pub listen: std::net::IpAddr,
    /// Open the workspace in the browser.
    #[arg(long)]
    pub open: bool,
}

/// `errand eval`'s arguments.
#[derive(Args)]
pub struct EvalArgs {
    /// The model to evaluate (a spec or profile), or `reference` for each task's scripted
    /// reference solution. Default: the configured model.
    #[arg(long)]
    pub model: Option<String>,
    /// Which tasks: a glob on their names, or several separated by commas.
    #[arg(long)]
    pub tasks: Option<String>,
    /// Run each task this many times.
    #[arg(long, default_value_t = 1)]
    pub repeat: usize,
    /// Where to write the results as JSON.
    #[arg(long, default_value = "errand-eval.json")]
    pub out: PathBuf,
    /// Stop a task that runs longer than this many seconds.
    #[arg(long, default_value_t = 900)]
    pub timeout_s: u64,
    /// List the tasks and what each covers, then exit.
    #[arg(long)]
    pub list: bool,
}

#[derive(Subcommand)]
pub enum McpAction {
    /// Add a server: `errand mcp add NAME -- COMMAND ARGS…` (stdio) or `--url URL`.
    Add {
        name: String,
        /// A server reached over streamable HTTP.
        #[arg(long, conflicts_with = "command")]
        url: Option<String>,
        /// An HTTP header for --url, as 'Key: Value' (repeatable); use ${VAR} for secrets.
        #[arg(long = "header", requires = "url")]
        headers: Vec<String>,
        /// An environment variable for the command, as KEY=VALUE (repeatable); use ${VAR}
        /// to take a secret from your environment instead of writing it down.
        #[arg(long = "env")]
        env: Vec<String>,
        /// Seconds a call may take before it is abandoned (default 60).
        #[arg(long)]
        timeout_s: Option<u64>,
        /// Run the server inside Errand's sandbox: it reaches only the task's folders and
        /// its own data folder.
        #[arg(long, conflicts_with = "url")]
        sandbox: bool,
        /// With --sandbox: no network for the server.
        #[arg(long, requires = "sandbox", conflicts_with = "allow_hosts")]
        no_network: bool,
        /// With --sandbox: the server reaches only this host (repeatable; `*.example.com`).
        #[arg(long = "allow-host", requires = "sandbox")]
        allow_hosts: Vec<String>,
        /// For --url servers whose sign-in does not register clients itself: the client id
        /// registered for Errand with its authorization server.
        #[arg(long, requires = "url")]
        client_id: Option<String>,
        /// The client's secret, if it has one; give it as '${VAR}' to keep it in your
        /// environment rather than in config.toml.
        #[arg(long, requires = "client_id")]
        client_secret: Option<String>,
        /// The command that starts the server, after `--`.
        #[arg(last = true)]
        command: Vec<String>,
    },
    /// Connect to each server and show its state, protocol version and what it offers.
    List,
    /// Remove a server from config.toml.
    Remove { name: String },
    /// Sign in to a server reached by URL (OAuth: opens your browser, comes back to Errand).
    Login {
        name: String,
        /// Ask for these scopes too (space-separated), as a server's "needs more access"
        /// error names them; the kept sign-in's scopes are kept.
        #[arg(long)]
        scope: Option<String>,
    },
    /// List one server's tools, with their effect in Errand.
    Tools { name: String },
    /// Serve Errand itself over MCP on stdin/stdout: start_task, get_task, list_tasks,
    /// approve, deny, answer, say, cancel, undo. Folders are limited to [serve] roots.
    /// (`errand serve` offers the same at /mcp over streamable HTTP.)
    Serve,
    /// Connect to a server (a URL, or a configured server's name) as a task would, list its
    /// tools and call each with example arguments: what the MCP conformance suite drives.
    /// With --tool and --repeat, time that one call instead (bench/mcp.sh).
    #[command(hide = true)]
    Exercise {
        target: String,
        #[arg(long)]
        tool: Option<String>,
        /// The tool's arguments as JSON (default: made from its schema).
        #[arg(long)]
        args: Option<String>,
        #[arg(long, default_value_t = 1)]
        repeat: usize,
        /// Answer a server's questions (elicitation) with their defaults.
        #[arg(long)]
        accept_defaults: bool,
    },
}

#[derive(Subcommand)]
pub enum TrashAction {
    /// List trashed and replaced files (the default).
    List,
    /// Put one item back where it was.
    Restore { id: i64 },
}

fn parse_mode(s: &str) -> Result<Mode, String> {
    s.parse()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum DemoKind {
    Downloads,
    Receipts,
    Notes,
    Sales,
    /// `--files` photographed receipts and their totals as CSV on stdout, for bench/ocr.sh.
    #[value(hide = true)]
    ReceiptPhotos,
}

#[derive(Subcommand)]
pub enum PluginsAction {
    /// Known marketplaces: add one from a folder or a git URL, list, remove.
    Marketplace {
        #[command(subcommand)]
        action: MarketplaceAction,
    },
    /// Install PLUGIN@MARKETPLACE, or the plugin folder at PATH.
    Install { spec: String },
    /// Installed plugins with their skills, commands, agents, hooks and MCP servers.
    List,
    /// Let tasks use an installed plugin again.
    Enable { name: String },
    /// Keep an installed plugin from tasks.
    Disable { name: String },
    /// Uninstall a plugin.
    Remove { name: String },
    /// Fetch a plugin (or all) again from its source; shows the old and new pin.
    Update { name: Option<String> },
    /// Check a plugin folder; exits 1 naming every problem.
    Validate { path: PathBuf },
    /// Let tasks on FOLDER use the skills (.claude/skills, .errand/skills) and MCP servers
    /// (.mcp.json) it holds, as they are now.
    Trust { folder: PathBuf },
    /// Stop using a folder's own skills and MCP servers.
    Untrust { folder: PathBuf },
}

#[derive(Subcommand)]
pub enum MarketplaceAction {
    /// Add a marketplace: a folder holding .claude-plugin/marketplace.json, or a git URL.
    Add { location: String },
    /// List known marketplaces, or the plugins of one.
    List { name: Option<String> },
    /// Forget a marketplace (installed plugins stay).
    Remove { name: String },
}

#[derive(Subcommand)]
pub enum SkillsAction {
    /// List the skills tasks can use.
    List,
    /// Turn a finished task into a skill of yours (run it later as `/NAME`).
    Save {
        task: String,
        name: String,
        /// The model that drafts SKILL.md (default: the task's).
        #[arg(long)]
        model: Option<String>,
        /// Save a model's draft without asking to review it first.
        #[arg(long)]
        yes: bool,
    },
    /// Run a skill's evals (evals/evals.json in its folder) through errand eval's runner.
    Test {
        name: String,
        /// A model spec or profile; default: the configured model.
        #[arg(long)]
        model: Option<String>,
        #[arg(long, default_value_t = 1)]
        repeat: usize,
        /// Stop an eval that runs longer than this many seconds.
        #[arg(long, default_value_t = 900)]
        timeout_s: u64,
    },
}
