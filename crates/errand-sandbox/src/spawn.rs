//! A long-running confined process with its stdin and stdout kept open: an MCP server
//! started under the same layers as `run_command` (namespaces, Landlock, seccomp, rlimits),
//! for a caller that talks to it over pipes. The caller builds the command (program,
//! arguments, environment) and spawns it (tokio's `Command::from` keeps the arming);
//! this only arms it.
use crate::SandboxError;
use crate::run::{Confinement, NetworkAccess};
use std::os::unix::process::CommandExt;
use std::path::Path;

/// Makes `command` start confined: sets HOME and TMPDIR to the confinement's scratch folder
/// (created here) and arms the confinement to be entered between fork and exec. Refuses,
/// saying what is missing, where this machine cannot enforce every layer.
pub fn confine(
    command: &mut std::process::Command,
    cwd: &Path,
    confinement: &Confinement,
) -> Result<(), SandboxError> {
    if matches!(confinement.network, NetworkAccess::Hosts(_)) {
        // The allowlisting proxy lives beside a command that ends; a server does not.
        return Err(SandboxError::Spawn(
            "a confined server's network is either on or off; a host allowlist is not available for servers yet".into(),
        ));
    }
    if !confinement.overlays.is_empty() {
        return Err(SandboxError::Spawn(
            "a confined server writes its folders directly; overlays are for commands".into(),
        ));
    }
    let (_, read_only) = crate::run::ready(confinement)?;
    let mut read_write = confinement.read_write.clone();
    read_write.push(confinement.scratch.clone());
    let (ruleset, _abi) =
        crate::rules::landlock_ruleset(&read_write, &read_only, &confinement.network)?;
    let mut prepared = crate::run::prepare(confinement, ruleset, cwd)?;
    command
        .current_dir(cwd)
        .env("HOME", &confinement.scratch)
        .env("TMPDIR", &confinement.scratch);
    // SAFETY: the closure makes only system calls on data prepared above (see `enter`).
    unsafe {
        command.pre_exec(move || crate::run::enter(&mut prepared));
    }
    Ok(())
}
