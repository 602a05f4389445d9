//! Where a request may go: http(s) URLs only, and no private, loopback or otherwise
//! internal address unless the person named that host in the task's grant. A page could
//! otherwise make the model read the router's admin page or a cloud's metadata service.
use crate::WebError;
use errand_core::Network;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use url::Url;

/// A URL checked for its scheme, split into what the grant and the policy look at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub url: Url,
    /// Lower case, without brackets.
    pub host: String,
    /// The port the connection uses.
    pub port: u16,
    /// The port as written, when it is not the scheme's own.
    pub explicit_port: Option<u16>,
}

impl Target {
    pub fn parse(text: &str) -> Result<Target, WebError> {
        let url = Url::parse(text.trim())
            .map_err(|e| WebError::BadUrl(format!("`{}` is not a URL: {e}", text.trim())))?;
        Target::of(url)
    }

    pub fn of(url: Url) -> Result<Target, WebError> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(WebError::BadUrl(format!(
                "only http and https URLs can be fetched, not `{}:`",
                url.scheme()
            )));
        }
        let host = match url.host() {
            Some(url::Host::Domain(name)) => name.trim_end_matches('.').to_ascii_lowercase(),
            Some(url::Host::Ipv4(ip)) => ip.to_string(),
            Some(url::Host::Ipv6(ip)) => ip.to_string(),
            None => return Err(WebError::BadUrl(format!("`{url}` names no host"))),
        };
        let port = url
            .port_or_known_default()
            .ok_or_else(|| WebError::BadUrl(format!("`{url}` has no port")))?;
        Ok(Target {
            explicit_port: url.port(),
            host,
            port,
            url,
        })
    }

    /// The host as a URL writes it, with the port when it is not the scheme's own: what
    /// rules and grants match (`docs.rs`, `127.0.0.1:8080`, `[::1]:8080`).
    pub fn authority(&self) -> String {
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        match self.explicit_port {
            Some(port) => format!("{host}:{port}"),
            None => host,
        }
    }

    pub fn granted(&self, network: &Network) -> bool {
        network.covers(&self.host, self.explicit_port)
    }

    /// The host named in the grant itself (not through a wildcard or "all hosts").
    pub fn named(&self, network: &Network) -> bool {
        network.names(&self.host, self.explicit_port)
    }

    /// The host's address when it is written as one.
    pub fn literal_ip(&self) -> Option<IpAddr> {
        self.host.parse().ok()
    }
}

/// Why an address is not on the public internet, or `None` when it is.
pub fn internal(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => internal_v4(v4),
        IpAddr::V6(v6) => internal_v6(v6),
    }
}

fn internal_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, ..] = ip.octets();
    if ip.is_loopback() {
        Some("a loopback address")
    } else if ip.is_private() {
        Some("a private address")
    } else if ip.is_link_local() {
        Some("a link-local address")
    } else if a == 100 && (64..128).contains(&b) {
        Some("a carrier-grade NAT address")
    } else if ip.is_multicast() {
        Some("a multicast address")
    } else if ip.is_unspecified() || a == 0 {
        Some("an unspecified address")
    } else if ip.is_broadcast() || a >= 240 {
        Some("a reserved address")
    } else if a == 192 && b == 0 && ip.octets()[2] == 0 {
        Some("an IETF protocol address")
    } else if a == 198 && (b == 18 || b == 19) {
        Some("a benchmarking address")
    } else {
        None
    }
}

fn internal_v6(ip: Ipv6Addr) -> Option<&'static str> {
    // An IPv4 address in IPv6 clothing (`::ffff:127.0.0.1`, or the old `::127.0.0.1`)
    // reaches the IPv4 host: judge that one.
    if let Some(v4) = ip.to_ipv4_mapped() {
        return internal_v4(v4);
    }
    let segments = ip.segments();
    if ip.is_loopback() {
        Some("a loopback address")
    } else if ip.is_unspecified() {
        Some("an unspecified address")
    } else if segments[..6] == [0, 0, 0, 0, 0, 0] {
        // `::a.b.c.d`, IPv4-compatible (deprecated, still routed by some stacks).
        internal_v4(Ipv4Addr::from(
            ((segments[6] as u32) << 16) | segments[7] as u32,
        ))
        .or(Some("an IPv4-compatible address"))
    } else if segments[0] & 0xfe00 == 0xfc00 {
        Some("a unique-local address")
    } else if segments[0] & 0xffc0 == 0xfe80 {
        Some("a link-local address")
    } else if segments[0] & 0xffc0 == 0xfec0 {
        Some("a site-local address")
    } else if ip.is_multicast() {
        Some("a multicast address")
    } else if segments[0] == 0x64 && segments[1] == 0xff9b {
        // NAT64 carries an IPv4 address in the last 32 bits.
        internal_v4(Ipv4Addr::from(
            ((segments[6] as u32) << 16) | segments[7] as u32,
        ))
    } else if segments[0] == 0x2001 && segments[1] == 0x0db8 {
        Some("a documentation address")
    } else {
        None
    }
}

/// Refuses `ip` for `target` when it is internal and the host is not named in the grant.
pub fn check_ip(target: &Target, ip: IpAddr, network: &Network) -> Result<(), WebError> {
    match internal(ip) {
        Some(kind) if !target.named(network) => Err(WebError::Internal {
            host: target.authority(),
            ip,
            kind,
        }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("an address")
    }

    #[test]
    fn internal_addresses_are_recognised_in_both_families() {
        for internal_ip in [
            "127.0.0.1",
            "127.255.0.9",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "100.127.255.254",
            "224.0.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "::1",
            "::",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::ffff:169.254.169.254",
            "::127.0.0.1",
            "64:ff9b::a00:1",
        ] {
            assert!(internal(ip(internal_ip)).is_some(), "{internal_ip}");
        }
        for public in [
            "93.184.216.34",
            "1.1.1.1",
            "172.32.0.1",
            "100.128.0.1",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
        ] {
            assert_eq!(internal(ip(public)), None, "{public}");
        }
        assert_eq!(internal(ip("::ffff:127.0.0.1")), Some("a loopback address"));
    }

    #[test]
    fn only_http_and_https_and_the_authority_keeps_a_port_only_when_written() {
        let t = Target::parse("https://Docs.RS/serde/").expect("url");
        assert_eq!(
            (t.host.as_str(), t.port, t.authority()),
            ("docs.rs", 443, "docs.rs".into())
        );
        let t = Target::parse("http://127.0.0.1:8080/a").expect("url");
        assert_eq!(t.authority(), "127.0.0.1:8080");
        let t = Target::parse("http://[::1]:9/").expect("url");
        assert_eq!((t.host.as_str(), t.authority()), ("::1", "[::1]:9".into()));
        for bad in [
            "file:///etc/passwd",
            "ftp://example.com/",
            "javascript:alert(1)",
            "nope",
        ] {
            assert!(Target::parse(bad).is_err(), "{bad}");
        }
        let err = Target::parse("file:///etc/passwd").expect_err("refused");
        assert!(err.to_string().contains("only http and https"), "{err}");
    }

    #[test]
    fn an_internal_address_needs_the_host_named_in_the_grant() {
        let t = Target::parse("http://127.0.0.1:8080/").expect("url");
        let loopback = ip("127.0.0.1");
        assert!(check_ip(&t, loopback, &Network::Off).is_err());
        assert!(
            check_ip(&t, loopback, &Network::All).is_err(),
            "all is not a name"
        );
        assert!(check_ip(&t, loopback, &Network::Hosts(vec!["127.0.0.1".into()])).is_ok());
        assert!(check_ip(&t, loopback, &Network::Hosts(vec!["127.0.0.1:8080".into()])).is_ok());
        let named = Target::parse("http://intranet.example.com/").expect("url");
        let wildcard = Network::Hosts(vec!["*.example.com".into()]);
        assert!(check_ip(&named, ip("10.0.0.5"), &wildcard).is_err());
        assert!(check_ip(&named, ip("93.184.216.34"), &wildcard).is_ok());
        let message = check_ip(&t, loopback, &Network::Off)
            .expect_err("refused")
            .to_string();
        assert!(message.contains("--allow-host 127.0.0.1:8080"), "{message}");
    }
}
