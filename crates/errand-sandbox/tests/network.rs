//! A host grant: the command reaches the granted host through Errand's proxy, and nothing
//! else — not another host, not a direct connection.
use errand_sandbox::{Confinement, Ending, Limits, NetworkAccess, run};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

/// A one-page HTTP server on the host's loopback; returns its port.
fn serve_hello() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { break };
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf);
            let _ = stream.write_all(
                b"HTTP/1.1 200 OK\r\ncontent-length: 15\r\nconnection: close\r\n\r\nhello from host",
            );
        }
    });
    port
}

fn confinement(root: &std::path::Path, network: NetworkAccess) -> Confinement {
    Confinement {
        read_write: vec![root.join("grant")],
        read_only: vec![],
        scratch: root.join("scratch"),
        network,
        limits: Limits {
            timeout: Duration::from_secs(20),
            ..Limits::default()
        },
        overlays: Vec::new(),
    }
}

#[test]
fn granted_hosts_go_through_the_proxy_and_nothing_else_gets_out() {
    let root = tempfile::tempdir().expect("tmp");
    let root = root.path();
    std::fs::create_dir_all(root.join("grant")).expect("grant");
    let port = serve_hello();
    let go = |network: NetworkAccess, cmd: &str| {
        run(
            cmd,
            &root.join("grant"),
            &confinement(root, network),
            &AtomicBool::new(false),
        )
        .expect("run")
    };
    let fetch = format!(
        "python3 -c \"import urllib.request;print(urllib.request.urlopen('http://localhost:{port}/',timeout=5).read().decode())\""
    );
    let granted = go(NetworkAccess::Hosts(vec!["localhost".into()]), &fetch);
    assert_eq!(granted.ending, Ending::Exited(0), "{granted:?}");
    assert!(granted.stdout.contains("hello from host"), "{granted:?}");

    let curl = go(
        NetworkAccess::Hosts(vec!["localhost".into()]),
        &format!("curl -sS --max-time 5 http://localhost:{port}/"),
    );
    assert!(curl.stdout.contains("hello from host"), "{curl:?}");

    // Another host: the proxy refuses, naming the grant.
    let other = go(NetworkAccess::Hosts(vec!["pypi.org".into()]), &fetch);
    assert_ne!(other.ending, Ending::Exited(0), "{other:?}");
    assert!(other.stderr.contains("403"), "{other:?}");
    // Around the proxy: no route, and Landlock allows only the proxy's port.
    let direct = go(
        NetworkAccess::Hosts(vec!["localhost".into()]),
        &format!("curl -sS --noproxy '*' --max-time 5 http://127.0.0.1:{port}/"),
    );
    assert_ne!(direct.ending, Ending::Exited(0), "{direct:?}");
    // Without a grant there is no proxy at all.
    let off = go(NetworkAccess::Off, &fetch);
    assert_ne!(off.ending, Ending::Exited(0), "{off:?}");
    eprintln!(
        "granted: {:?}\nother: {}\ndirect: {}\noff: {}",
        granted.stdout.trim(),
        other.stderr.lines().last().unwrap_or_default(),
        direct.stderr.trim(),
        off.stderr.lines().last().unwrap_or_default()
    );
}
