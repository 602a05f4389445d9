//! What this kernel lets an unprivileged process enforce, probed without side effects on
//! the caller: each probe that changes process state runs in a throwaway child.

/// One confinement layer and whether it is available here.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Layer {
    pub name: &'static str,
    pub available: bool,
    pub detail: String,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Enforcement {
    /// The Landlock ABI version the kernel offers; 0 when Landlock is off.
    pub landlock_abi: i32,
    pub layers: Vec<Layer>,
}

impl Enforcement {
    /// Everything `run_command` relies on is there.
    pub fn complete(&self) -> bool {
        self.layers.iter().all(|l| l.available)
    }

    /// The layers that are missing, by name.
    pub fn missing(&self) -> Vec<&'static str> {
        self.layers
            .iter()
            .filter(|l| !l.available)
            .map(|l| l.name)
            .collect()
    }
}

/// What this machine enforces, probed once per process (the kernel does not change).
pub fn check() -> Enforcement {
    static PROBED: std::sync::OnceLock<Enforcement> = std::sync::OnceLock::new();
    PROBED.get_or_init(probe).clone()
}

/// Probes the kernel: a few syscalls and two short-lived children. `ERRAND_SANDBOX=off`
/// reports every layer missing, to see (and test) what Errand does on such a machine.
fn probe() -> Enforcement {
    if std::env::var("ERRAND_SANDBOX").is_ok_and(|v| v == "off") {
        let off = |name| Layer {
            name,
            available: false,
            detail: "treated as missing: ERRAND_SANDBOX=off".to_string(),
        };
        return Enforcement {
            landlock_abi: 0,
            layers: vec![off("landlock"), off("namespaces"), off("seccomp")],
        };
    }
    let abi = landlock_abi();
    let landlock = Layer {
        name: "landlock",
        available: abi >= 1,
        detail: match abi {
            a if a >= 6 => {
                format!("ABI {a}: files, TCP bind/connect, signals and abstract sockets scoped")
            }
            a if a >= 4 => format!("ABI {a}: files, and TCP bind/connect"),
            a if a >= 1 => format!("ABI {a}: files only (TCP rules need ABI 4)"),
            _ => "not enabled in this kernel (needs Linux 5.13+ with landlock in the LSM list)"
                .to_string(),
        },
    };
    let userns = probe_in_child(|| unsafe {
        // A user namespace first, so the others need no privileges.
        libc::unshare(
            libc::CLONE_NEWUSER
                | libc::CLONE_NEWNS
                | libc::CLONE_NEWPID
                | libc::CLONE_NEWIPC
                | libc::CLONE_NEWUTS
                | libc::CLONE_NEWNET,
        ) == 0
    });
    let namespaces = Layer {
        name: "namespaces",
        available: userns,
        detail: if userns {
            "user, PID, mount, IPC, UTS and network namespaces".to_string()
        } else {
            "unprivileged user namespaces are disabled (sysctl kernel.unprivileged_userns_clone \
             or user.max_user_namespaces)"
                .to_string()
        },
    };
    let seccomp = probe_in_child(|| unsafe {
        const SECCOMP_GET_ACTION_AVAIL: libc::c_ulong = 2;
        const SECCOMP_RET_ERRNO: u32 = 0x0005_0000;
        let action = SECCOMP_RET_ERRNO;
        libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0
            && libc::syscall(
                libc::SYS_seccomp,
                SECCOMP_GET_ACTION_AVAIL,
                0,
                &action as *const u32,
            ) == 0
    });
    let seccomp = Layer {
        name: "seccomp",
        available: seccomp,
        detail: if seccomp {
            "seccomp-bpf filters with no_new_privs".to_string()
        } else {
            "seccomp is not available".to_string()
        },
    };
    Enforcement {
        landlock_abi: abi,
        layers: vec![landlock, namespaces, seccomp],
    }
}

fn landlock_abi() -> i32 {
    const LANDLOCK_CREATE_RULESET_VERSION: libc::c_uint = 1;
    // SAFETY: with a null attribute and the VERSION flag the call only reports the ABI.
    let abi = unsafe {
        libc::syscall(
            libc::SYS_landlock_create_ruleset,
            std::ptr::null::<libc::c_void>(),
            0usize,
            LANDLOCK_CREATE_RULESET_VERSION,
        )
    };
    i32::try_from(abi).unwrap_or(0).max(0)
}

/// Runs `probe` in a forked child, so whatever it changes dies with it.
fn probe_in_child(probe: fn() -> bool) -> bool {
    // SAFETY: the child only makes raw syscalls and exits; it touches no locks.
    unsafe {
        let pid = libc::fork();
        if pid < 0 {
            return false;
        }
        if pid == 0 {
            libc::_exit(if probe() { 0 } else { 1 });
        }
        let mut status = 0;
        if libc::waitpid(pid, &mut status, 0) != pid {
            return false;
        }
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_report_names_every_layer() {
        let report = check();
        let names: Vec<&str> = report.layers.iter().map(|l| l.name).collect();
        assert_eq!(names, ["landlock", "namespaces", "seccomp"]);
        assert_eq!(report.layers[0].available, report.landlock_abi >= 1);
        assert!(report.layers.iter().all(|l| !l.detail.is_empty()));
    }
}
