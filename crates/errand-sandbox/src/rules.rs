//! What a confined command may touch: the Landlock ruleset and the seccomp filter, built in
//! the parent (where allocating is safe) and applied in the child just before `exec`.
use crate::SandboxError;
use landlock::{
    ABI, Access, AccessFs, AccessNet, BitFlags, PathBeneath, PathFd, Ruleset, RulesetAttr,
    RulesetCreated, RulesetCreatedAttr, Scope,
};
use seccompiler::{BpfProgram, SeccompAction, SeccompFilter, SeccompRule};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// System locations every command may read and run (never write).
const SYSTEM_READ: &[&str] = &["/usr", "/bin", "/sbin", "/lib", "/lib64", "/lib32", "/opt"];
/// In `/etc`, everything but these: password hashes, sudo rules, host keys, private TLS keys.
const ETC_SECRETS: &[&str] = &[
    "shadow",
    "shadow-",
    "gshadow",
    "gshadow-",
    "sudoers",
    "sudoers.d",
    "ssh",
    "security",
    "credstore",
    "credstore.encrypted",
    "machine-id",
];
/// Devices a shell command expects.
const DEVICES: &[&str] = &[
    "/dev/null",
    "/dev/zero",
    "/dev/full",
    "/dev/random",
    "/dev/urandom",
];

/// Paths a command's toolchain lives in, from `PATH`: each directory, and for version
/// managers that put shims on `PATH` (pyenv, rbenv) their whole root, which the shims run.
pub fn toolchain_paths(path_var: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for dir in std::env::split_paths(path_var) {
        if !dir.is_absolute() || !dir.is_dir() {
            continue;
        }
        if dir.file_name().is_some_and(|n| n == "shims")
            && let Some(root) = dir.parent()
            && root.join("versions").is_dir()
        {
            out.push(root.to_path_buf());
        }
        out.push(dir);
    }
    out
}

/// `/etc` entry by entry, leaving out the secrets; `/etc/ssl` too, without its private
/// keys (its certificates and `openssl.cnf` are what TLS clients and Node need to start).
fn etc_entries() -> Vec<PathBuf> {
    let entries = |dir: &str, secrets: &[&str]| -> Vec<PathBuf> {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return Vec::new();
        };
        entries
            .flatten()
            .filter(|e| {
                let name = e.file_name();
                !secrets.iter().any(|s| name == *s)
            })
            .map(|e| e.path())
            .collect()
    };
    let mut secrets = ETC_SECRETS.to_vec();
    secrets.push("ssl");
    let mut found = entries("/etc", &secrets);
    found.extend(entries("/etc/ssl", &["private"]));
    found
}

/// The ruleset for one command. Paths that do not exist are skipped (a system without
/// `/lib32`), but a granted folder that cannot be opened is an error.
pub fn landlock_ruleset(
    read_write: &[PathBuf],
    read_only: &[PathBuf],
    network: &crate::NetworkAccess,
) -> Result<(RulesetCreated, i32), SandboxError> {
    let abi = ABI::V7;
    let fail = |e: landlock::RulesetError| SandboxError::Landlock(e.to_string());
    // The newest ABI this crate knows; on older kernels it degrades to what they enforce,
    // and `errand sandbox check` says which that is.
    let mut ruleset = Ruleset::default()
        .handle_access(AccessFs::from_all(abi))
        .map_err(fail)?
        // No signals to, and no abstract unix sockets of, processes outside the sandbox.
        .scope(Scope::AbstractUnixSocket | Scope::Signal)
        .map_err(fail)?;
    if *network != crate::NetworkAccess::All {
        // TCP bind and connect are refused but for the proxy's port, when there is one.
        ruleset = ruleset
            .handle_access(AccessNet::from_all(abi))
            .map_err(fail)?;
    }
    let mut created = ruleset.create().map_err(fail)?;
    if matches!(network, crate::NetworkAccess::Hosts(_)) {
        created = created
            .add_rule(landlock::NetPort::new(
                crate::proxy::PROXY_PORT,
                AccessNet::ConnectTcp,
            ))
            .map_err(|e| SandboxError::Landlock(e.to_string()))?;
    }
    let read: BitFlags<AccessFs> = AccessFs::from_read(abi);
    let file_rw: BitFlags<AccessFs> = AccessFs::ReadFile | AccessFs::WriteFile;
    let mut system: Vec<PathBuf> = SYSTEM_READ.iter().map(PathBuf::from).collect();
    system.extend(etc_entries());
    for path in system.iter().filter(|p| p.exists()) {
        created = add(created, path, read, false)?;
    }
    for path in DEVICES.iter().map(Path::new).filter(|p| p.exists()) {
        created = add(created, path, file_rw, false)?;
    }
    for path in read_only {
        created = add(created, path, read, true)?;
    }
    for path in read_write {
        created = add(created, path, AccessFs::from_all(abi), true)?;
    }
    Ok((created, landlock_abi()))
}

/// Full access beneath `path`, which must exist.
pub fn allow_all(created: RulesetCreated, path: &Path) -> Result<RulesetCreated, SandboxError> {
    add(created, path, AccessFs::from_all(ABI::V7), true)
}

fn add(
    created: RulesetCreated,
    path: &Path,
    access: BitFlags<AccessFs>,
    required: bool,
) -> Result<RulesetCreated, SandboxError> {
    let fd = match PathFd::new(path) {
        Ok(fd) => fd,
        Err(_) if !required => return Ok(created),
        Err(e) => {
            return Err(SandboxError::Path(format!(
                "cannot open {} for the sandbox: {e}",
                path.display()
            )));
        }
    };
    // A rule on a file may only carry file rights.
    let access = if path.is_dir() {
        access
    } else {
        access & AccessFs::from_file(ABI::V7)
    };
    created
        .add_rule(PathBeneath::new(fd, access))
        .map_err(|e| SandboxError::Landlock(e.to_string()))
}

fn landlock_abi() -> i32 {
    crate::check::check().landlock_abi
}

/// System calls a shell command has no business making. Refused with EPERM, which tools
/// report as "Operation not permitted"; `clone3` gets ENOSYS so libc falls back to `clone`,
/// whose namespace flags the filter can see.
pub fn seccomp_programs() -> Result<Vec<BpfProgram>, SandboxError> {
    static COMPILED: std::sync::OnceLock<Result<Vec<BpfProgram>, String>> =
        std::sync::OnceLock::new();
    COMPILED
        .get_or_init(|| compile_seccomp().map_err(|e| e.to_string()))
        .clone()
        .map_err(SandboxError::Seccomp)
}

fn compile_seccomp() -> Result<Vec<BpfProgram>, SandboxError> {
    let denied: &[i64] = &[
        libc::SYS_ptrace,
        libc::SYS_process_vm_readv,
        libc::SYS_process_vm_writev,
        libc::SYS_mount,
        libc::SYS_umount2,
        libc::SYS_pivot_root,
        libc::SYS_chroot,
        libc::SYS_fsopen,
        libc::SYS_fsmount,
        libc::SYS_fsconfig,
        libc::SYS_fspick,
        libc::SYS_move_mount,
        libc::SYS_open_tree,
        libc::SYS_mount_setattr,
        libc::SYS_unshare,
        libc::SYS_setns,
        libc::SYS_kexec_load,
        libc::SYS_kexec_file_load,
        libc::SYS_bpf,
        libc::SYS_keyctl,
        libc::SYS_add_key,
        libc::SYS_request_key,
        libc::SYS_perf_event_open,
        libc::SYS_init_module,
        libc::SYS_finit_module,
        libc::SYS_delete_module,
        libc::SYS_reboot,
        libc::SYS_swapon,
        libc::SYS_swapoff,
        libc::SYS_acct,
        libc::SYS_quotactl,
        libc::SYS_syslog,
        libc::SYS_userfaultfd,
        libc::SYS_open_by_handle_at,
        libc::SYS_name_to_handle_at,
        libc::SYS_kcmp,
        libc::SYS_fanotify_init,
        libc::SYS_settimeofday,
        libc::SYS_clock_settime,
        libc::SYS_clock_adjtime,
        libc::SYS_adjtimex,
        libc::SYS_iopl,
        libc::SYS_ioperm,
        libc::SYS_lookup_dcookie,
        libc::SYS_vhangup,
        libc::SYS_personality,
        // io_uring runs file and socket operations the filter never sees.
        libc::SYS_io_uring_setup,
        libc::SYS_io_uring_enter,
        libc::SYS_io_uring_register,
    ];
    let seccomp = |e: seccompiler::BackendError| SandboxError::Seccomp(e.to_string());
    let arch: seccompiler::TargetArch = std::env::consts::ARCH.try_into().map_err(seccomp)?;
    let mut rules: BTreeMap<i64, Vec<SeccompRule>> =
        denied.iter().map(|nr| (*nr, Vec::new())).collect();
    // `clone` is how processes and threads start; with a namespace flag it is an escape.
    let mut clone_rules = Vec::new();
    for flag in [
        libc::CLONE_NEWUSER,
        libc::CLONE_NEWNS,
        libc::CLONE_NEWPID,
        libc::CLONE_NEWNET,
        libc::CLONE_NEWIPC,
        libc::CLONE_NEWUTS,
        libc::CLONE_NEWCGROUP,
    ] {
        let flag = flag as u64;
        let condition = seccompiler::SeccompCondition::new(
            0,
            seccompiler::SeccompCmpArgLen::Qword,
            seccompiler::SeccompCmpOp::MaskedEq(flag),
            flag,
        )
        .map_err(seccomp)?;
        clone_rules.push(SeccompRule::new(vec![condition]).map_err(seccomp)?);
    }
    rules.insert(libc::SYS_clone, clone_rules);
    let deny = SeccompFilter::new(
        rules,
        SeccompAction::Allow,
        SeccompAction::Errno(libc::EPERM as u32),
        arch,
    )
    .map_err(seccomp)?;
    // `clone3` passes its flags in memory the filter cannot read: ENOSYS makes libc fall
    // back to `clone`, which the filter above checks.
    let clone3 = SeccompFilter::new(
        BTreeMap::from([(libc::SYS_clone3, Vec::new())]),
        SeccompAction::Allow,
        SeccompAction::Errno(libc::ENOSYS as u32),
        arch,
    )
    .map_err(seccomp)?;
    Ok(vec![
        deny.try_into().map_err(seccomp)?,
        clone3.try_into().map_err(seccomp)?,
    ])
}
