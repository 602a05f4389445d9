//! The allowlisting HTTP proxy a command with a host grant talks to. Its listening socket
//! is made inside the command's network namespace (on that namespace's loopback) and
//! handed out over a socket pair, so the proxy serves the sandbox while connecting out from
//! the host's network: the command itself can reach nothing else.
use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream, ToSocketAddrs};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

/// The port the proxy listens on inside the sandbox.
pub const PROXY_PORT: u16 = 3128;
const MAX_HEAD: usize = 16 * 1024;

/// Whether `host` is in `allowed` (`*.example.com` also allows `example.com`).
/// Points `command` at the allowlisting proxy inside its namespace, and drops the
/// exemptions a parent environment might carry.
pub fn point_at_proxy(command: &mut std::process::Command) {
    let url = format!("http://127.0.0.1:{PROXY_PORT}");
    for var in [
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "http_proxy",
        "https_proxy",
        "ALL_PROXY",
    ] {
        command.env(var, &url);
    }
    command.env_remove("NO_PROXY").env_remove("no_proxy");
}

pub fn host_allowed(host: &str, allowed: &[String]) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    allowed.iter().any(|pattern| {
        let pattern = pattern.trim().to_ascii_lowercase();
        match pattern.strip_prefix("*.") {
            Some(domain) => host == domain || host.ends_with(&format!(".{domain}")),
            None => host == pattern,
        }
    })
}

/// A running proxy; `stop` ends it.
pub struct Proxy {
    listener: TcpListener,
    thread: Option<JoinHandle<()>>,
}

impl Proxy {
    /// Serves connections on `listener` (a socket inside the sandbox's namespace).
    pub fn serve(listener: TcpListener, allowed: Vec<String>) -> Proxy {
        let allowed = Arc::new(allowed);
        let accepting = listener.try_clone();
        let thread = accepting.ok().map(|accepting| {
            std::thread::spawn(move || {
                for client in accepting.incoming() {
                    let Ok(client) = client else { break };
                    let allowed = allowed.clone();
                    std::thread::spawn(move || {
                        if let Err(e) = handle(client, &allowed) {
                            tracing::debug!(error = %e, "proxy connection ended");
                        }
                    });
                }
            })
        });
        Proxy { listener, thread }
    }

    pub fn stop(mut self) {
        // Wakes the blocked accept.
        // SAFETY: shutting down a socket we own.
        unsafe {
            libc::shutdown(self.listener.as_raw_fd(), libc::SHUT_RDWR);
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Receives the listening socket the child sends over `channel` (SCM_RIGHTS).
pub fn receive_listener(channel: &OwnedFd, wait: Duration) -> io::Result<TcpListener> {
    let fd = channel.as_raw_fd();
    let mut poll = libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: one valid pollfd.
    let ready = unsafe { libc::poll(&mut poll, 1, wait.as_millis() as libc::c_int) };
    if ready <= 0 {
        return Err(io::Error::other(
            "the sandbox did not hand over its proxy socket",
        ));
    }
    let mut byte = [0u8; 1];
    let mut iov = libc::iovec {
        iov_base: byte.as_mut_ptr().cast(),
        iov_len: 1,
    };
    let mut space = [0u8; 64];
    // SAFETY: msghdr over buffers that outlive the call.
    let received = unsafe {
        let mut msg: libc::msghdr = std::mem::zeroed();
        msg.msg_iov = &mut iov;
        msg.msg_iovlen = 1;
        msg.msg_control = space.as_mut_ptr().cast();
        msg.msg_controllen = space.len();
        if libc::recvmsg(fd, &mut msg, libc::MSG_CMSG_CLOEXEC) <= 0 {
            return Err(io::Error::last_os_error());
        }
        let cmsg = libc::CMSG_FIRSTHDR(&msg);
        if cmsg.is_null()
            || (*cmsg).cmsg_level != libc::SOL_SOCKET
            || (*cmsg).cmsg_type != libc::SCM_RIGHTS
        {
            return Err(io::Error::other("no socket arrived from the sandbox"));
        }
        std::ptr::read_unaligned(libc::CMSG_DATA(cmsg) as *const RawFd)
    };
    // SAFETY: the kernel just gave us this descriptor.
    Ok(unsafe { TcpListener::from_raw_fd(received) })
}

/// In the child, inside the new network namespace: loopback up, a listener on it, sent to
/// the parent over `channel`. Only system calls.
///
/// # Safety
/// Call in the forked child before `exec`.
pub unsafe fn hand_over_listener(channel: RawFd) -> bool {
    // SAFETY: plain system calls on local buffers.
    unsafe {
        let sock = libc::socket(libc::AF_INET, libc::SOCK_STREAM | libc::SOCK_CLOEXEC, 0);
        if sock < 0 {
            return false;
        }
        let mut ifr: libc::ifreq = std::mem::zeroed();
        for (i, b) in b"lo\0".iter().enumerate() {
            ifr.ifr_name[i] = *b as libc::c_char;
        }
        ifr.ifr_ifru.ifru_flags = (libc::IFF_UP | libc::IFF_LOOPBACK | libc::IFF_RUNNING) as i16;
        if libc::ioctl(sock, libc::SIOCSIFFLAGS, &ifr) != 0 {
            libc::close(sock);
            return false;
        }
        let addr = libc::sockaddr_in {
            sin_family: libc::AF_INET as libc::sa_family_t,
            sin_port: PROXY_PORT.to_be(),
            sin_addr: libc::in_addr {
                s_addr: u32::from_ne_bytes([127, 0, 0, 1]),
            },
            sin_zero: [0; 8],
        };
        if libc::bind(
            sock,
            (&addr as *const libc::sockaddr_in).cast(),
            std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t,
        ) != 0
            || libc::listen(sock, 64) != 0
        {
            libc::close(sock);
            return false;
        }
        let mut byte = [0u8; 1];
        let mut iov = libc::iovec {
            iov_base: byte.as_mut_ptr().cast(),
            iov_len: 1,
        };
        let mut space = [0u8; 64];
        let mut msg: libc::msghdr = std::mem::zeroed();
        msg.msg_iov = &mut iov;
        msg.msg_iovlen = 1;
        msg.msg_control = space.as_mut_ptr().cast();
        msg.msg_controllen = libc::CMSG_SPACE(std::mem::size_of::<RawFd>() as u32) as usize;
        let cmsg = libc::CMSG_FIRSTHDR(&msg);
        (*cmsg).cmsg_level = libc::SOL_SOCKET;
        (*cmsg).cmsg_type = libc::SCM_RIGHTS;
        (*cmsg).cmsg_len = libc::CMSG_LEN(std::mem::size_of::<RawFd>() as u32) as usize;
        std::ptr::write_unaligned(libc::CMSG_DATA(cmsg) as *mut RawFd, sock);
        let sent = libc::sendmsg(channel, &msg, 0) > 0;
        // The parent holds it now; the command must not inherit it.
        libc::close(sock);
        sent
    }
}

fn handle(mut client: TcpStream, allowed: &[String]) -> io::Result<()> {
    client.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    let end = loop {
        let n = client.read(&mut buf)?;
        if n == 0 {
            return Ok(());
        }
        head.extend_from_slice(&buf[..n]);
        if let Some(pos) = head.windows(4).position(|w| w == b"\r\n\r\n") {
            break pos + 4;
        }
        if head.len() > MAX_HEAD {
            return reply(&mut client, 431, "request head too large");
        }
    };
    client.set_read_timeout(None)?;
    let text = String::from_utf8_lossy(&head[..end]).into_owned();
    let mut lines = text.split("\r\n");
    let first = lines.next().unwrap_or_default();
    let mut parts = first.split_whitespace();
    let (method, target, version) = (
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or("HTTP/1.1"),
    );
    let (host, port, origin_form) = if method.eq_ignore_ascii_case("CONNECT") {
        let (host, port) = split_host_port(target, 443);
        (host, port, None)
    } else if let Some(rest) = target.strip_prefix("http://") {
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        };
        let (host, port) = split_host_port(authority, 80);
        (host, port, Some(path.to_string()))
    } else {
        return reply(
            &mut client,
            400,
            "errand's proxy takes CONNECT or absolute http:// requests",
        );
    };
    if !host_allowed(&host, allowed) {
        return reply(
            &mut client,
            403,
            &format!(
                "errand: {host} is not in this task's network grant; the person can allow it with --allow-host {host}"
            ),
        );
    }
    let Some(address) = (host.as_str(), port)
        .to_socket_addrs()
        .ok()
        .and_then(|mut a| a.next())
    else {
        return reply(&mut client, 502, &format!("cannot resolve {host}"));
    };
    let mut upstream = match TcpStream::connect_timeout(&address, Duration::from_secs(10)) {
        Ok(s) => s,
        Err(e) => {
            return reply(
                &mut client,
                502,
                &format!("cannot reach {host}:{port}: {e}"),
            );
        }
    };
    match origin_form {
        None => client.write_all(b"HTTP/1.1 200 Connection Established\r\n\r\n")?,
        Some(path) => {
            let mut forwarded = format!("{method} {path} {version}\r\n");
            for line in lines.filter(|l| !l.is_empty()) {
                if !line.to_ascii_lowercase().starts_with("proxy-") {
                    forwarded.push_str(line);
                    forwarded.push_str("\r\n");
                }
            }
            forwarded.push_str("\r\n");
            upstream.write_all(forwarded.as_bytes())?;
            upstream.write_all(&head[end..])?;
        }
    }
    relay(client, upstream)
}

fn relay(client: TcpStream, upstream: TcpStream) -> io::Result<()> {
    let (mut client_read, mut upstream_write) = (client.try_clone()?, upstream.try_clone()?);
    let up = std::thread::spawn(move || {
        let _ = io::copy(&mut client_read, &mut upstream_write);
        let _ = upstream_write.shutdown(Shutdown::Write);
    });
    let (mut upstream_read, mut client_write) = (upstream, client);
    let _ = io::copy(&mut upstream_read, &mut client_write);
    let _ = client_write.shutdown(Shutdown::Write);
    let _ = up.join();
    Ok(())
}

fn split_host_port(authority: &str, default: u16) -> (String, u16) {
    // [v6]:port, host:port, host
    if let Some(rest) = authority.strip_prefix('[')
        && let Some((host, tail)) = rest.split_once(']')
    {
        let port = tail.strip_prefix(':').and_then(|p| p.parse().ok());
        return (host.to_string(), port.unwrap_or(default));
    }
    match authority.rsplit_once(':') {
        Some((host, port)) if port.parse::<u16>().is_ok() => {
            (host.to_string(), port.parse().unwrap_or(default))
        }
        _ => (authority.to_string(), default),
    }
}

fn reply(client: &mut TcpStream, status: u16, message: &str) -> io::Result<()> {
    let reason = match status {
        400 => "Bad Request",
        403 => "Forbidden",
        431 => "Request Header Fields Too Large",
        _ => "Bad Gateway",
    };
    let body = format!("{message}\n");
    write!(
        client,
        "HTTP/1.1 {status} {reason}\r\ncontent-type: text/plain\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allowlists_match_hosts_and_subdomains_only() {
        let allowed = vec!["pypi.org".to_string(), "*.github.com".to_string()];
        assert!(host_allowed("pypi.org", &allowed));
        assert!(host_allowed("PyPI.org.", &allowed));
        assert!(host_allowed("api.github.com", &allowed));
        assert!(host_allowed("github.com", &allowed));
        assert!(!host_allowed("evilgithub.com", &allowed));
        assert!(!host_allowed("pypi.org.evil.com", &allowed));
        assert_eq!(
            split_host_port("example.com:8443", 443),
            ("example.com".into(), 8443)
        );
        assert_eq!(split_host_port("[::1]:80", 443), ("::1".into(), 80));
        assert_eq!(
            split_host_port("example.com", 443),
            ("example.com".into(), 443)
        );
    }
}
