//! A long-running confined process with its stdin and stdout kept open: an MCP server
//! started under the same layers as `run_command` (namespaces, Landlock, seccomp, rlimits),
//! for a caller that talks to it over pipes. The caller builds the command (program,
//! arguments, environment) and spawns it (tokio's `Command::from` keeps the arming);
//! this only arms it.
use crate::SandboxError;
use crate::run::{Confinement, NetworkAccess};
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::time::Duration;

/// Makes `command` start confined: sets HOME and TMPDIR to the confinement's scratch folder
/// (created here) and arms the confinement to be entered between fork and exec. Refuses,
/// saying what is missing, where this machine cannot enforce every layer. With a host
/// allowlist, the command's proxy is returned to be started once the command has been
/// spawned ([`PendingProxy::start`]); it lives as long as the [`ServerProxy`] is kept.
pub fn confine(
    command: &mut std::process::Command,
    cwd: &Path,
    confinement: &Confinement,
) -> Result<Option<PendingProxy>, SandboxError> {
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
    let pending = match &confinement.network {
        NetworkAccess::Hosts(hosts) => {
            let (parent, child) = crate::run::socket_pair()?;
            prepared.set_proxy_channel(child.as_raw_fd());
            crate::proxy::point_at_proxy(command);
            Some(PendingProxy {
                parent,
                child,
                hosts: hosts.clone(),
            })
        }
        _ => None,
    };
    command
        .current_dir(cwd)
        .env("HOME", &confinement.scratch)
        .env("TMPDIR", &confinement.scratch);
    // SAFETY: the closure makes only system calls on data prepared above (see `enter`).
    unsafe {
        command.pre_exec(move || crate::run::enter(&mut prepared));
    }
    Ok(pending)
}

/// The allowlisting proxy of a confined command, to start after the command is spawned:
/// the command makes the proxy's listener inside its own network namespace and hands it
/// over.
pub struct PendingProxy {
    parent: OwnedFd,
    child: OwnedFd,
    hosts: Vec<String>,
}

impl PendingProxy {
    /// Waits (up to 5 s) for the spawned command's listener and serves it.
    pub fn start(self) -> Result<ServerProxy, SandboxError> {
        drop(self.child);
        let listener = crate::proxy::receive_listener(&self.parent, Duration::from_secs(5))
            .map_err(|e| SandboxError::Spawn(format!("network proxy: {e}")))?;
        Ok(ServerProxy(Some(crate::proxy::Proxy::serve(
            listener, self.hosts,
        ))))
    }
}

/// A running proxy for a long-lived confined command; stopped when dropped.
pub struct ServerProxy(Option<crate::proxy::Proxy>);

impl Drop for ServerProxy {
    fn drop(&mut self) {
        if let Some(proxy) = self.0.take() {
            proxy.stop();
        }
    }
}
