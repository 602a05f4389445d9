//! Running one command confined. The child of `spawn` enters new user, mount, IPC, UTS and
//! network namespaces, maps its own uid, and forks again so the command is PID 1 of a new
//! PID namespace; that grandchild sets its limits, Landlock and seccomp, and execs. When
//! the intermediate is killed (timeout, cancel), the command dies with it (PDEATHSIG), and
//! with PID 1 gone the kernel kills every process it started.
use crate::SandboxError;
use crate::output::Capture;
use std::ffi::CString;
use std::io::Read;
use std::os::fd::AsRawFd;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Bounds on one command.
#[derive(Debug, Clone)]
pub struct Limits {
    pub timeout: Duration,
    /// Address space, bytes.
    pub memory_bytes: u64,
    pub cpu_seconds: u64,
    /// Processes the command may add (a fork bomb stops here).
    pub processes: u64,
    /// Largest file the command may write.
    pub file_bytes: u64,
    /// Output kept per stream: the head and the tail, the middle counted.
    pub output_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            timeout: Duration::from_secs(120),
            memory_bytes: 4 << 30,
            cpu_seconds: 300,
            processes: 256,
            file_bytes: 1 << 30,
            output_bytes: 32 * 1024,
        }
    }
}

/// Where and how a command runs.
#[derive(Debug, Clone)]
pub struct Confinement {
    pub read_write: Vec<PathBuf>,
    pub read_only: Vec<PathBuf>,
    /// A per-task directory for temporary files; HOME and TMPDIR point here.
    pub scratch: PathBuf,
    pub network: NetworkAccess,
    pub limits: Limits,
    /// Read-write grants the command sees through an overlay: its writes and deletions
    /// land in `upper`, and the caller applies them afterwards (journaled, undoable).
    pub overlays: Vec<Overlay>,
}

/// What a command may reach on the network.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum NetworkAccess {
    /// Nothing: a network namespace of its own, and Landlock refuses every TCP connect.
    #[default]
    Off,
    /// These hosts only, through the allowlisting proxy (`HTTP(S)_PROXY` is set).
    Hosts(Vec<String>),
    /// The machine's network.
    All,
}

#[derive(Debug, Clone)]
pub struct Overlay {
    pub grant: PathBuf,
    /// Empty directories on one filesystem, outside every grant.
    pub upper: PathBuf,
    pub work: PathBuf,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ending {
    Exited(i32),
    Signalled(i32),
    TimedOut,
    Cancelled,
}

#[derive(Debug, Clone)]
pub struct Outcome {
    pub ending: Ending,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
}

/// What the child needs, prepared before `fork` so it only makes system calls.
pub(crate) struct Prepared {
    uid_map: CString,
    gid_map: CString,
    setgroups: CString,
    uid_map_path: CString,
    gid_map_path: CString,
    setgroups_path: CString,
    limits: Vec<(libc::__rlimit_resource_t, u64)>,
    landlock: Option<landlock::RulesetCreated>,
    /// (mount point, options) per overlay.
    overlays: Vec<(CString, CString)>,
    overlaid_grants: Vec<PathBuf>,
    /// Entered again after the overlays are mounted: a directory entered before still
    /// points at what lies beneath them.
    cwd: CString,
    /// The pids cgroup's `cgroup.procs`, joined first.
    cgroup_procs: Option<CString>,
    unshare_flags: libc::c_int,
    /// The child's end of the socket pair the proxy's listener is handed over on.
    proxy_channel: Option<std::os::fd::RawFd>,
    seccomp: Vec<seccompiler::BpfProgram>,
}

impl Prepared {
    /// The child's end of the socket pair the proxy's listener is handed over on.
    pub(crate) fn set_proxy_channel(&mut self, fd: std::os::fd::RawFd) {
        self.proxy_channel = Some(fd);
    }
}

/// Runs `command` with `sh -c` in `cwd`, confined. `cancel` stops it from outside.
pub fn run(
    command: &str,
    cwd: &Path,
    confinement: &Confinement,
    cancel: &AtomicBool,
) -> Result<Outcome, SandboxError> {
    let (path_var, read_only) = ready(confinement)?;
    // Rules name inodes: an overlaid grant's rule must be made on the overlay, once it is
    // mounted, in the child.
    let mut read_write: Vec<PathBuf> = confinement
        .read_write
        .iter()
        .filter(|g| !confinement.overlays.iter().any(|o| &o.grant == *g))
        .cloned()
        .collect();
    read_write.push(confinement.scratch.clone());
    let (ruleset, _abi) =
        crate::rules::landlock_ruleset(&read_write, &read_only, &confinement.network)?;
    let mut prepared = prepare(confinement, ruleset, cwd)?;
    // Dropped (and removed) after the command and everything it started are gone.
    let cgroup = crate::cgroup::PidsCgroup::create(confinement.limits.processes);
    prepared.cgroup_procs = cgroup
        .as_ref()
        .and_then(|c| CString::new(c.procs().as_os_str().as_encoded_bytes()).ok());

    // The proxy's listener is made in the child's namespace and sent back on this pair.
    let channel = match &confinement.network {
        NetworkAccess::Hosts(_) => Some(socket_pair()?),
        _ => None,
    };
    prepared.proxy_channel = channel.as_ref().map(|(_, child)| child.as_raw_fd());
    let mut cmd = Command::new("/bin/sh");
    cmd.env_clear();
    if matches!(confinement.network, NetworkAccess::Hosts(_)) {
        crate::proxy::point_at_proxy(&mut cmd);
    }
    cmd.arg("-c")
        .arg(command)
        .current_dir(cwd)
        .env("PATH", &path_var)
        .env("HOME", &confinement.scratch)
        .env("TMPDIR", &confinement.scratch)
        .env(
            "LANG",
            std::env::var("LANG").unwrap_or_else(|_| "C.UTF-8".into()),
        )
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // SAFETY: the closure makes only system calls on data prepared above (see `enter`).
    unsafe {
        cmd.pre_exec(move || enter(&mut prepared));
    }
    let start = Instant::now();
    let mut child = cmd
        .spawn()
        .map_err(|e| SandboxError::Spawn(format!("cannot start the command: {e}")))?;
    let proxy = match (channel, &confinement.network) {
        (Some((parent_end, child_end)), NetworkAccess::Hosts(hosts)) => {
            drop(child_end);
            match crate::proxy::receive_listener(&parent_end, Duration::from_secs(5)) {
                Ok(listener) => Some(crate::proxy::Proxy::serve(listener, hosts.clone())),
                Err(e) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(SandboxError::Spawn(format!("network proxy: {e}")));
                }
            }
        }
        _ => None,
    };
    let limit = confinement.limits.output_bytes;
    let stdout = child.stdout.take().map(|s| read_bounded(s, limit));
    let stderr = child.stderr.take().map(|s| read_bounded(s, limit));
    let ending = wait(
        &mut child,
        true,
        start,
        confinement.limits.timeout,
        cancel,
        // The command is PID 1 of its namespace and dies with its parent; so does
        // everything it started.
        |child| {
            let _ = child.kill();
        },
    )?;
    let collect = |h: Option<std::thread::JoinHandle<String>>| {
        h.and_then(|h| h.join().ok()).unwrap_or_default()
    };
    if let Some(proxy) = proxy {
        proxy.stop();
    }
    Ok(Outcome {
        ending,
        stdout: collect(stdout),
        stderr: collect(stderr),
        elapsed: start.elapsed(),
    })
}

pub(crate) fn socket_pair() -> Result<(std::os::fd::OwnedFd, std::os::fd::OwnedFd), SandboxError> {
    use std::os::fd::FromRawFd;
    let mut fds = [0; 2];
    // SAFETY: socketpair fills two descriptors we then own.
    let ok = unsafe {
        libc::socketpair(
            libc::AF_UNIX,
            libc::SOCK_STREAM | libc::SOCK_CLOEXEC,
            0,
            fds.as_mut_ptr(),
        )
    } == 0;
    if !ok {
        return Err(SandboxError::Spawn(format!(
            "socketpair: {}",
            std::io::Error::last_os_error()
        )));
    }
    // SAFETY: both were just created and are ours alone.
    Ok(unsafe {
        (
            std::os::fd::OwnedFd::from_raw_fd(fds[0]),
            std::os::fd::OwnedFd::from_raw_fd(fds[1]),
        )
    })
}

fn read_bounded(
    mut stream: impl Read + Send + 'static,
    limit: usize,
) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut capture = Capture::new(limit);
        let mut buf = [0u8; 16 * 1024];
        while let Ok(n) = stream.read(&mut buf) {
            if n == 0 {
                break;
            }
            capture.push(&buf[..n]);
        }
        capture.finish()
    })
}

/// What every confined start needs first: every layer enforced here (else a refusal naming
/// what is missing), the scratch folder made, and the read-only paths with the toolchain's.
pub(crate) fn ready(confinement: &Confinement) -> Result<(String, Vec<PathBuf>), SandboxError> {
    let report = crate::check();
    if !report.complete() {
        return Err(SandboxError::Unavailable(report.missing().join(", ")));
    }
    std::fs::create_dir_all(&confinement.scratch).map_err(|e| {
        SandboxError::Path(format!(
            "cannot create {}: {e}",
            confinement.scratch.display()
        ))
    })?;
    let path_var = std::env::var("PATH").unwrap_or_else(|_| "/usr/bin:/bin".into());
    let mut read_only = confinement.read_only.clone();
    read_only.extend(crate::rules::toolchain_paths(&path_var));
    Ok((path_var, read_only))
}

pub(crate) fn prepare(
    confinement: &Confinement,
    ruleset: landlock::RulesetCreated,
    cwd: &Path,
) -> Result<Prepared, SandboxError> {
    let cstring = |s: String| CString::new(s).map_err(|e| SandboxError::Path(e.to_string()));
    // SAFETY: getuid/getgid cannot fail.
    let (uid, gid) = unsafe { (libc::getuid(), libc::getgid()) };
    let limits = &confinement.limits;
    // Counted per user namespace, so this bounds the command alone (root is exempt by the
    // kernel; the pids cgroup covers it where one can be made).
    let processes = limits.processes;
    Ok(Prepared {
        uid_map: cstring(format!("{uid} {uid} 1"))?,
        gid_map: cstring(format!("{gid} {gid} 1"))?,
        setgroups: cstring("deny".into())?,
        uid_map_path: cstring("/proc/self/uid_map".into())?,
        gid_map_path: cstring("/proc/self/gid_map".into())?,
        setgroups_path: cstring("/proc/self/setgroups".into())?,
        limits: vec![
            (libc::RLIMIT_AS, limits.memory_bytes),
            (libc::RLIMIT_CPU, limits.cpu_seconds),
            (libc::RLIMIT_NPROC, processes),
            (libc::RLIMIT_FSIZE, limits.file_bytes),
            (libc::RLIMIT_CORE, 0),
        ],
        landlock: Some(ruleset),
        cgroup_procs: None,
        unshare_flags: libc::CLONE_NEWUSER
            | libc::CLONE_NEWNS
            | libc::CLONE_NEWPID
            | libc::CLONE_NEWIPC
            | libc::CLONE_NEWUTS
            | if confinement.network == NetworkAccess::All {
                0
            } else {
                libc::CLONE_NEWNET
            },
        proxy_channel: None,
        cwd: CString::new(cwd.as_os_str().as_encoded_bytes())
            .map_err(|e| SandboxError::Path(e.to_string()))?,
        overlaid_grants: confinement
            .overlays
            .iter()
            .map(|o| o.grant.clone())
            .collect(),
        overlays: confinement
            .overlays
            .iter()
            .map(overlay_options)
            .collect::<Result<_, _>>()?,
        seccomp: crate::rules::seccomp_programs()?,
    })
}

fn overlay_options(o: &Overlay) -> Result<(CString, CString), SandboxError> {
    let text = |p: &Path| -> Result<String, SandboxError> {
        let s = p
            .to_str()
            .ok_or_else(|| SandboxError::Path(format!("{} is not valid UTF-8", p.display())))?;
        // The option string separates with `,` and `:`; such names cannot be passed.
        if s.contains([',', ':', '\\']) {
            return Err(SandboxError::Path(format!(
                "{s} holds `,`, `:` or `\\`, which an overlay mount cannot take; rename it to run commands in it"
            )));
        }
        Ok(s.to_string())
    };
    let grant = text(&o.grant)?;
    let options = format!(
        "lowerdir={grant},upperdir={},workdir={},userxattr",
        text(&o.upper)?,
        text(&o.work)?
    );
    let c = |s: String| CString::new(s).map_err(|e| SandboxError::Path(e.to_string()));
    Ok((c(grant)?, c(options)?))
}

fn write_file(path: &CString, content: &std::ffi::CStr) -> bool {
    // SAFETY: plain syscalls on valid, NUL-terminated buffers.
    unsafe {
        let fd = libc::open(path.as_ptr(), libc::O_WRONLY | libc::O_CLOEXEC);
        if fd < 0 {
            return false;
        }
        let bytes = content.to_bytes();
        let written = libc::write(fd, bytes.as_ptr().cast(), bytes.len());
        libc::close(fd);
        written == bytes.len() as isize
    }
}

/// Runs in the forked child, before `exec`. Only system calls: no allocation, no locks.
pub(crate) fn enter(p: &mut Prepared) -> std::io::Result<()> {
    let err = std::io::Error::last_os_error;
    // SAFETY: each call is a plain system call; the intermediate process below only waits
    // and exits.
    unsafe {
        if let Some(procs) = &p.cgroup_procs
            && !write_file(procs, c"0")
        {
            return Err(err());
        }
        if libc::unshare(p.unshare_flags) != 0 {
            return Err(err());
        }
        if !write_file(&p.setgroups_path, &p.setgroups)
            || !write_file(&p.uid_map_path, &p.uid_map)
            || !write_file(&p.gid_map_path, &p.gid_map)
        {
            return Err(err());
        }
        if let Some(channel) = p.proxy_channel
            && !crate::proxy::hand_over_listener(channel)
        {
            return Err(std::io::Error::other("cannot start the proxy's listener"));
        }
        for (target, options) in &p.overlays {
            if libc::mount(
                c"overlay".as_ptr(),
                target.as_ptr(),
                c"overlay".as_ptr(),
                0,
                options.as_ptr().cast(),
            ) != 0
            {
                return Err(err());
            }
        }
        if libc::chdir(p.cwd.as_ptr()) != 0 {
            return Err(err());
        }
        let pid = libc::fork();
        if pid < 0 {
            return Err(err());
        }
        if pid > 0 {
            // The intermediate: hold no pipe the spawner waits on, wait, pass the status on.
            libc::close_range(3, u32::MAX, 0);
            let mut status = 0;
            while libc::waitpid(pid, &mut status, 0) < 0 {
                if *libc::__errno_location() != libc::EINTR {
                    libc::_exit(127);
                }
            }
            if libc::WIFEXITED(status) {
                libc::_exit(libc::WEXITSTATUS(status));
            }
            libc::_exit(128 + libc::WTERMSIG(status));
        }
        // PID 1 of the new namespace (its parent is outside, so getppid() says 0): dies
        // when the intermediate does.
        if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
            libc::_exit(137);
        }
        // Mounts made here stay here.
        libc::mount(
            std::ptr::null(),
            c"/".as_ptr(),
            std::ptr::null(),
            libc::MS_REC | libc::MS_PRIVATE,
            std::ptr::null(),
        );
        libc::sethostname(c"errand-sandbox".as_ptr(), 14);
        drop_capabilities();
        for (resource, value) in &p.limits {
            let limit = libc::rlimit {
                rlim_cur: *value,
                rlim_max: *value,
            };
            if libc::setrlimit(*resource, &limit) != 0 {
                return Err(err());
            }
        }
    }
    if let Some(mut ruleset) = p.landlock.take() {
        // The one place the child allocates (a path buffer per rule): glibc's malloc is
        // safe after fork, and nothing else in this process runs any more.
        for grant in &p.overlaid_grants {
            ruleset = crate::rules::allow_all(ruleset, grant)
                .map_err(|e| std::io::Error::other(e.to_string()))?;
        }
        let status = ruleset
            .restrict_self()
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        // Never run a command believing it confined when the kernel enforced nothing.
        if status.ruleset == landlock::RulesetStatus::NotEnforced {
            return Err(std::io::Error::other("landlock enforced nothing"));
        }
    }
    for program in &p.seccomp {
        seccompiler::apply_filter(program).map_err(|e| std::io::Error::other(e.to_string()))?;
    }
    Ok(())
}

/// Runs `command` with no confinement at all (the person's explicit choice where the
/// sandbox cannot be set up): the same timeout, cancel and output bounds, and the whole
/// process group killed when it stops.
pub fn run_unconfined(
    command: &str,
    cwd: &Path,
    limits: &Limits,
    cancel: &AtomicBool,
) -> Result<Outcome, SandboxError> {
    let mut cmd = Command::new("/bin/sh");
    cmd.arg("-c")
        .arg(command)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // SAFETY: setsid is a plain system call.
    unsafe {
        cmd.pre_exec(|| {
            if libc::setsid() < 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let start = Instant::now();
    let mut child = cmd
        .spawn()
        .map_err(|e| SandboxError::Spawn(format!("cannot start the command: {e}")))?;
    let stdout = child
        .stdout
        .take()
        .map(|s| read_bounded(s, limits.output_bytes));
    let stderr = child
        .stderr
        .take()
        .map(|s| read_bounded(s, limits.output_bytes));
    let ending = wait(&mut child, false, start, limits.timeout, cancel, |child| {
        // SAFETY: signals the command's own process group.
        unsafe {
            libc::kill(-(child.id() as libc::pid_t), libc::SIGKILL);
        }
    })?;
    let collect = |h: Option<std::thread::JoinHandle<String>>| {
        h.and_then(|h| h.join().ok()).unwrap_or_default()
    };
    Ok(Outcome {
        ending,
        stdout: collect(stdout),
        stderr: collect(stderr),
        elapsed: start.elapsed(),
    })
}

/// Leaves the command no capability, even as uid 0 inside its namespace: root is not
/// given them back on `exec`, and none can be regained.
///
/// # Safety
/// Plain system calls; call in the child before `exec`.
unsafe fn drop_capabilities() {
    const SECBIT_NOROOT: libc::c_ulong = 1 << 0;
    const SECBIT_NOROOT_LOCKED: libc::c_ulong = 1 << 1;
    const SECBIT_NO_SETUID_FIXUP: libc::c_ulong = 1 << 2;
    const SECBIT_NO_SETUID_FIXUP_LOCKED: libc::c_ulong = 1 << 3;
    const SECBIT_NO_CAP_AMBIENT_RAISE: libc::c_ulong = 1 << 6;
    const SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED: libc::c_ulong = 1 << 7;
    // SAFETY: prctl and capset with valid arguments.
    unsafe {
        libc::prctl(
            libc::PR_SET_SECUREBITS,
            SECBIT_NOROOT
                | SECBIT_NOROOT_LOCKED
                | SECBIT_NO_SETUID_FIXUP
                | SECBIT_NO_SETUID_FIXUP_LOCKED
                | SECBIT_NO_CAP_AMBIENT_RAISE
                | SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED,
        );
        libc::prctl(
            libc::PR_CAP_AMBIENT,
            libc::PR_CAP_AMBIENT_CLEAR_ALL,
            0,
            0,
            0,
        );
        for cap in 0..64 {
            libc::prctl(libc::PR_CAPBSET_DROP, cap, 0, 0, 0);
        }
        #[repr(C)]
        struct Header {
            version: u32,
            pid: i32,
        }
        #[repr(C)]
        struct Data {
            effective: u32,
            permitted: u32,
            inheritable: u32,
        }
        const LINUX_CAPABILITY_VERSION_3: u32 = 0x2008_0522;
        let header = Header {
            version: LINUX_CAPABILITY_VERSION_3,
            pid: 0,
        };
        let data = [
            Data {
                effective: 0,
                permitted: 0,
                inheritable: 0,
            },
            Data {
                effective: 0,
                permitted: 0,
                inheritable: 0,
            },
        ];
        libc::syscall(libc::SYS_capset, &header, data.as_ptr());
    }
}

/// Waits for `child` to end, or stops it (with `stop`) at the timeout or on cancel. Woken
/// by the child's exit through a pidfd, so a quick command costs no polling delay.
fn wait(
    child: &mut std::process::Child,
    // The sandbox's intermediate reports a signal as 128 + its number.
    relayed: bool,
    start: Instant,
    timeout: Duration,
    cancel: &AtomicBool,
    stop: impl Fn(&mut std::process::Child),
) -> Result<Ending, SandboxError> {
    // SAFETY: pidfd_open on our own child; the descriptor is closed below.
    let pidfd = unsafe { libc::syscall(libc::SYS_pidfd_open, child.id() as libc::pid_t, 0) };
    let pidfd = i32::try_from(pidfd).unwrap_or(-1);
    let ending = loop {
        if let Some(status) = child
            .try_wait()
            .map_err(|e| SandboxError::Spawn(e.to_string()))?
        {
            break match (status.code(), status.signal()) {
                (Some(code), _) if relayed && code >= 128 => Ending::Signalled(code - 128),
                (Some(code), _) => Ending::Exited(code),
                (None, Some(signal)) => Ending::Signalled(signal),
                _ => Ending::Exited(-1),
            };
        }
        let halt = if cancel.load(Ordering::Relaxed) {
            Some(Ending::Cancelled)
        } else if start.elapsed() > timeout {
            Some(Ending::TimedOut)
        } else {
            None
        };
        if let Some(ending) = halt {
            stop(child);
            let _ = child.wait();
            break ending;
        }
        if pidfd >= 0 {
            let mut poll = libc::pollfd {
                fd: pidfd,
                events: libc::POLLIN,
                revents: 0,
            };
            // SAFETY: one valid pollfd; a timeout keeps cancel and the deadline checked.
            unsafe { libc::poll(&mut poll, 1, 20) };
        } else {
            std::thread::sleep(Duration::from_millis(2));
        }
    };
    if pidfd >= 0 {
        // SAFETY: closing the descriptor opened above.
        unsafe { libc::close(pidfd) };
    }
    Ok(ending)
}
