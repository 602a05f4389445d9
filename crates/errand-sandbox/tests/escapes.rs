//! The escape battery: every command here tries to get out of the sandbox, and each must be
//! stopped, by the layer named beside it. Prints a table of what stopped what with
//! `cargo test -p errand-sandbox --test escapes -- --nocapture`.
use errand_sandbox::{Confinement, Ending, Limits, Outcome, run};
use std::io::Read;
use std::net::TcpListener;
use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

struct Case {
    command: String,
    /// Which layer should stop it.
    layer: &'static str,
    /// True when the outcome shows the attempt failed.
    blocked: fn(&Outcome) -> bool,
}

fn failed(o: &Outcome) -> bool {
    o.ending != Ending::Exited(0)
}

/// A python one-liner printing a raw syscall's result: -1 means refused.
fn syscall(nr: i64, args: &str) -> String {
    format!(
        "python3 -c \"import ctypes;l=ctypes.CDLL(None,use_errno=True);r=l.syscall({nr}{args});print('result',r,ctypes.get_errno())\""
    )
}

fn refused_syscall(o: &Outcome) -> bool {
    o.stdout.contains("result -1 1") || o.stdout.contains("result -1 38")
}

fn case(command: impl Into<String>, layer: &'static str) -> Case {
    Case {
        command: command.into(),
        layer,
        blocked: failed,
    }
}

#[test]
fn thirty_escapes_are_each_blocked() {
    let root = tempfile::tempdir().expect("tmp");
    let root = root.path();
    let grant = root.join("grant");
    let home = root.join("home");
    std::fs::create_dir_all(home.join(".ssh")).expect("ssh");
    std::fs::create_dir_all(home.join(".aws")).expect("aws");
    std::fs::create_dir_all(&grant).expect("grant");
    std::fs::write(home.join(".ssh/id_rsa"), "PRIVATE KEY canary").expect("key");
    std::fs::write(home.join(".aws/credentials"), "aws canary").expect("aws");
    std::fs::write(root.join("canary.txt"), "outside canary").expect("canary");
    let data_dir = root.join("errand-data");
    std::fs::create_dir_all(&data_dir).expect("data");
    std::fs::write(data_dir.join("errand.db"), "data canary").expect("db");
    std::os::unix::fs::symlink(root.join("canary.txt"), grant.join("link-out")).expect("link");

    // A server on the host's loopback that must never see a connection.
    let server = TcpListener::bind("127.0.0.1:0").expect("bind");
    server.set_nonblocking(true).expect("nonblocking");
    let port = server.local_addr().expect("addr").port();
    // A process outside that `kill -9 -1` must not reach.
    let mut bystander = std::process::Command::new("sleep")
        .arg("60")
        .spawn()
        .expect("sleep");

    let key = home.join(".ssh/id_rsa");
    let me = std::process::id();
    let cases = vec![
        case(
            format!("cat {}", key.display()),
            "landlock: outside the grants",
        ),
        case(
            format!("cat {}/.aws/credentials", home.display()),
            "landlock",
        ),
        case(
            format!("cat {}", root.join("canary.txt").display()),
            "landlock",
        ),
        case(
            "cat link-out",
            "landlock: a symlink out of the grant resolves outside",
        ),
        case(
            format!("cat {}/errand.db", data_dir.display()),
            "landlock: Errand's data",
        ),
        case("ls /root", "landlock: the home folder"),
        case("cat /root/.ssh/id_rsa", "landlock"),
        case("cat /etc/shadow", "landlock: secrets left out of /etc"),
        case(
            format!("echo x > {}/planted", root.display()),
            "landlock: write outside",
        ),
        case("touch /usr/bin/evil", "landlock: system is read-only"),
        case("echo x > /etc/errand-evil", "landlock"),
        case("cat /proc/1/environ", "landlock: /proc is not granted"),
        case("cat /proc/self/environ", "landlock"),
        case("ls /var/run/docker.sock /run/docker.sock", "landlock"),
        case("mount -t tmpfs none /tmp", "seccomp: mount"),
        case("unshare -U true", "seccomp: unshare"),
        case("unshare -n true", "seccomp: unshare"),
        case("chroot / true", "seccomp: chroot"),
        Case {
            command: syscall(libc::SYS_ptrace, &format!(",16,{me},0,0")),
            layer: "seccomp: ptrace of the parent",
            blocked: refused_syscall,
        },
        Case {
            command: syscall(libc::SYS_keyctl, ",0,0,0,0"),
            layer: "seccomp: keyctl",
            blocked: refused_syscall,
        },
        Case {
            command: syscall(libc::SYS_bpf, ",0,0,0"),
            layer: "seccomp: bpf",
            blocked: refused_syscall,
        },
        Case {
            command: syscall(libc::SYS_perf_event_open, ",0,0,-1,-1,0"),
            layer: "seccomp: perf_event_open",
            blocked: refused_syscall,
        },
        Case {
            command: syscall(libc::SYS_init_module, ",0,0,0"),
            layer: "seccomp: module loading",
            blocked: refused_syscall,
        },
        Case {
            command: syscall(libc::SYS_kexec_load, ",0,0,0,0"),
            layer: "seccomp: kexec",
            blocked: refused_syscall,
        },
        Case {
            command: syscall(libc::SYS_setns, ",0,0"),
            layer: "seccomp: setns",
            blocked: refused_syscall,
        },
        Case {
            command: syscall(libc::SYS_io_uring_setup, ",1,0"),
            layer: "seccomp: io_uring",
            blocked: refused_syscall,
        },
        Case {
            command: syscall(libc::SYS_sethostname, ",b'x',1"),
            layer: "capabilities dropped",
            blocked: refused_syscall,
        },
        case(
            format!("curl -sS --max-time 3 http://127.0.0.1:{port}/"),
            "network namespace: no loopback to the host",
        ),
        case(
            "curl -sS --max-time 3 http://1.1.1.1/",
            "network namespace: no route out",
        ),
        case(
            format!(
                "python3 -c \"import socket;socket.create_connection(('127.0.0.1',{port}),3)\""
            ),
            "landlock TCP + network namespace",
        ),
        case(
            "python3 -c \"import socket;s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM);s.sendto(b'x',('8.8.8.8',53))\"",
            "network namespace: UDP",
        ),
        case(
            format!("kill -9 {me}"),
            "PID namespace: the host's processes are not visible",
        ),
    ];

    let confinement = Confinement {
        read_write: vec![grant.clone()],
        read_only: vec![],
        scratch: root.join("scratch"),
        network: errand_sandbox::NetworkAccess::Off,
        limits: Limits {
            timeout: Duration::from_secs(20),
            ..Limits::default()
        },
        overlays: Vec::new(),
    };
    let mut failures = Vec::new();
    eprintln!("{:<70} {:<8} stopped by", "command", "outcome");
    for c in &cases {
        let o = run(&c.command, &grant, &confinement, &AtomicBool::new(false)).expect("run");
        let blocked = (c.blocked)(&o);
        let evidence = o.stderr.lines().next().unwrap_or(o.stdout.trim());
        let short: String = c.command.chars().take(68).collect();
        eprintln!(
            "{short:<70} {:<8} {} — {}",
            if blocked { "blocked" } else { "ESCAPED" },
            c.layer,
            evidence.chars().take(90).collect::<String>()
        );
        let leaked = ["canary", "PRIVATE KEY"]
            .iter()
            .any(|s| o.stdout.contains(s));
        if !blocked || leaked {
            failures.push(format!("{}: {o:?}", c.command));
        }
    }

    // Bounded: a fork bomb, a 10 GB write, kill -9 -1.
    let tight = Confinement {
        limits: Limits {
            timeout: Duration::from_secs(5),
            file_bytes: 10 << 20,
            ..Limits::default()
        },
        ..confinement.clone()
    };
    // PID 1 stays up for two seconds while the bomb runs into the process limit.
    let bomb = run(
        "bomb() { bomb | bomb & }; bomb; sleep 2; echo still-here",
        &grant,
        &tight,
        &AtomicBool::new(false),
    )
    .expect("bomb");
    eprintln!(
        "fork bomb: {:?} after {:?}; {}",
        bomb.ending,
        bomb.elapsed,
        bomb.stderr.lines().next().unwrap_or_default()
    );
    assert!(
        bomb.elapsed < Duration::from_secs(10),
        "the fork bomb was stopped"
    );
    assert!(
        bomb.stderr.contains("fork") || bomb.ending == Ending::TimedOut,
        "the bomb hit the process limit: {bomb:?}"
    );
    let big = run(
        "head -c 10000000000 /dev/zero > big.bin",
        &grant,
        &tight,
        &AtomicBool::new(false),
    )
    .expect("big");
    let size = std::fs::metadata(grant.join("big.bin"))
        .map(|m| m.len())
        .unwrap_or(0);
    eprintln!("10 GB write: {:?}, file {size} bytes", big.ending);
    assert!(failed(&big) && size <= 10 << 20, "{big:?}, {size}");
    let kill_all = run(
        "kill -9 -1; echo survived",
        &grant,
        &confinement,
        &AtomicBool::new(false),
    )
    .expect("kill");
    eprintln!("kill -9 -1: {:?}", kill_all.ending);
    assert!(
        bystander.try_wait().expect("bystander").is_none(),
        "kill -9 -1 reached a process outside"
    );
    let _ = bystander.kill();
    let _ = bystander.wait();

    let mut buf = [0u8; 1];
    let touched = server.accept().map(|(mut s, _)| s.read(&mut buf)).is_ok();
    assert!(!touched, "the host's loopback server got a connection");
    assert!(!Path::new(&root.join("planted")).exists());
    assert!(cases.len() >= 30, "{} cases", cases.len());
    assert!(failures.is_empty(), "escaped:\n{}", failures.join("\n"));
}
