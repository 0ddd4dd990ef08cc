//! Which addresses a store may live at, and the resolver that enforces it.
//!
//! The check sits inside the DNS resolver reqwest connects through, so the addresses
//! checked are the addresses connected to: a name that resolves to a public address
//! once and to 127.0.0.1 the next time (DNS rebinding) is refused the second time.
//! Literal IP hosts never reach a resolver; the client checks them before each request
//! with [`is_public`].

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// True for addresses on the public internet. False for loopback, private (10/8,
/// 172.16/12, 192.168/16, fc00::/7), link-local, unspecified, multicast, broadcast,
/// CGNAT (100.64/10), documentation, benchmarking and reserved ranges, and for IPv6
/// forms that embed such an IPv4 address (mapped, compatible, NAT64, 6to4).
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    let refused = a == 0 // "this network", includes 0.0.0.0
        || a == 10
        || a == 127
        || (a == 100 && (64..=127).contains(&b)) // CGNAT 100.64/10
        || (a == 169 && b == 254) // link-local
        || (a == 172 && (16..=31).contains(&b))
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments 192.0.0/24
        || (a == 192 && b == 0 && c == 2) // TEST-NET-1
        || (a == 192 && b == 88 && c == 99) // 6to4 relay anycast
        || (a == 192 && b == 168)
        || (a == 198 && (b == 18 || b == 19)) // benchmarking 198.18/15
        || (a == 198 && b == 51 && c == 100) // TEST-NET-2
        || (a == 203 && b == 0 && c == 113) // TEST-NET-3
        || a >= 224; // multicast 224/4, reserved 240/4, broadcast
    !refused
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let s = ip.segments();
    // IPv4-mapped ::ffff:a.b.c.d: judged as the IPv4 address it is.
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_public_v4(v4);
    }
    // NAT64 well-known prefix 64:ff9b::/96 reaches the embedded IPv4 address.
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return is_public_v4(embedded_v4(s[6], s[7]));
    }
    // 6to4 2002:a.b.c.d::/48 tunnels to the embedded IPv4 address.
    if s[0] == 0x2002 {
        return is_public_v4(embedded_v4(s[1], s[2]));
    }
    // Only global unicast 2000::/3 is public at all; that excludes ::, ::1, the
    // deprecated IPv4-compatible ::a.b.c.d, 64:ff9b:1::/48, 100::/64, fc00::/7,
    // fe80::/10, fec0::/10 and ff00::/8.
    if s[0] & 0xe000 != 0x2000 {
        return false;
    }
    // 2001::/23 IETF protocol assignments (Teredo, ORCHID…), 2001:db8::/32 documentation.
    let special_2001 = s[0] == 0x2001 && (s[1] < 0x200 || s[1] == 0xdb8);
    let refused = special_2001 || (s[0] & 0xfff0) == 0x3ff0; // documentation 3fff::/20
    !refused
}

fn embedded_v4(high: u16, low: u16) -> Ipv4Addr {
    let [a, b] = high.to_be_bytes();
    let [c, d] = low.to_be_bytes();
    Ipv4Addr::new(a, b, c, d)
}

/// The resolver refused a name because it resolves to a non-public address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RefusedAddress {
    pub(crate) host: String,
    pub(crate) ip: IpAddr,
}

impl fmt::Display for RefusedAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} resolves to the non-public address {}",
            self.host, self.ip
        )
    }
}

impl std::error::Error for RefusedAddress {}

/// The name did not resolve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NameNotFound {
    pub(crate) host: String,
    pub(crate) reason: String,
}

impl fmt::Display for NameNotFound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} could not be resolved: {}", self.host, self.reason)
    }
}

impl std::error::Error for NameNotFound {}

/// Resolves with tokio (the system resolver) and refuses the whole answer if any of
/// its addresses is non-public, unless private networks are allowed (tests, and stores
/// on a private network when `WOO_ALLOW_PRIVATE_NETWORKS` is set).
#[derive(Debug, Clone, Copy)]
pub(crate) struct GuardedResolver {
    pub(crate) allow_private_networks: bool,
}

impl GuardedResolver {
    pub(crate) async fn lookup(
        self,
        host: String,
    ) -> Result<Vec<SocketAddr>, Box<dyn std::error::Error + Send + Sync>> {
        let looked_up = tokio::net::lookup_host((host.as_str(), 0))
            .await
            .map(|a| a.collect::<Vec<SocketAddr>>());
        let addrs = match looked_up {
            Ok(addrs) => addrs,
            Err(e) => {
                return Err(Box::new(NameNotFound {
                    host,
                    reason: e.to_string(),
                }))
            }
        };
        if addrs.is_empty() {
            return Err(Box::new(NameNotFound {
                host,
                reason: "no addresses".into(),
            }));
        }
        if !self.allow_private_networks {
            if let Some(bad) = addrs.iter().find(|a| !is_public(a.ip())) {
                return Err(Box::new(RefusedAddress { host, ip: bad.ip() }));
            }
        }
        Ok(addrs)
    }
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let this = *self;
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let addrs = this.lookup(host).await?;
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn public(s: &str) -> bool {
        is_public(s.parse().unwrap())
    }

    #[test]
    fn ipv4_non_public_ranges_are_refused() {
        for ip in [
            "0.0.0.0",
            "0.1.2.3",
            "10.0.0.1",
            "10.255.255.255",
            "127.0.0.1",
            "127.1.2.3",
            "100.64.0.1",
            "100.127.255.254",
            "169.254.169.254",
            "172.16.0.1",
            "172.31.255.255",
            "192.0.0.8",
            "192.0.2.1",
            "192.168.1.1",
            "198.18.0.1",
            "198.19.255.1",
            "198.51.100.7",
            "203.0.113.9",
            "224.0.0.1",
            "239.255.255.250",
            "240.0.0.1",
            "255.255.255.255",
        ] {
            assert!(!public(ip), "{ip} should be refused");
        }
    }

    #[test]
    fn ipv4_public_addresses_pass_including_range_neighbours() {
        for ip in [
            "1.1.1.1",
            "8.8.8.8",
            "93.184.216.34",
            "100.63.255.255",
            "100.128.0.1",
            "172.15.255.255",
            "172.32.0.1",
            "192.169.0.1",
            "198.20.0.1",
            "223.255.255.254",
            "11.0.0.1",
            "169.253.1.1",
        ] {
            assert!(public(ip), "{ip} should pass");
        }
    }

    #[test]
    fn ipv6_non_public_ranges_are_refused() {
        for ip in [
            "::",
            "::1",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "fec0::1",
            "ff02::1",
            "ff0e::1",
            "2001:db8::1",
            "3fff::1",
            "100::1",
            "64:ff9b:1::1",
            "2001::1",
            "::127.0.0.1",
        ] {
            assert!(!public(ip), "{ip} should be refused");
        }
    }

    #[test]
    fn ipv6_embedding_a_private_ipv4_is_judged_by_that_ipv4() {
        for ip in [
            "::ffff:127.0.0.1",
            "::ffff:10.1.2.3",
            "::ffff:169.254.169.254",
            "64:ff9b::192.168.0.1",
            "2002:7f00:1::1",
            "2002:c0a8:101::",
        ] {
            assert!(!public(ip), "{ip} should be refused");
        }
        for ip in ["::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1"] {
            assert!(public(ip), "{ip} should pass");
        }
    }

    #[test]
    fn ipv6_global_unicast_passes() {
        for ip in [
            "2606:4700:4700::1111",
            "2a00:1450:4001:80b::200e",
            "2001:4860:4860::8888",
        ] {
            assert!(public(ip), "{ip} should pass");
        }
    }

    #[tokio::test]
    async fn resolver_refuses_localhost_unless_private_networks_are_allowed() {
        let guarded = GuardedResolver {
            allow_private_networks: false,
        };
        let err = guarded
            .resolve("localhost".parse().unwrap())
            .await
            .err()
            .expect("localhost must be refused");
        let refused = err
            .downcast_ref::<RefusedAddress>()
            .expect("a RefusedAddress");
        assert!(refused.ip.is_loopback());

        let open = GuardedResolver {
            allow_private_networks: true,
        };
        let addrs: Vec<_> = open
            .resolve("localhost".parse().unwrap())
            .await
            .expect("resolves")
            .collect();
        assert!(addrs.iter().all(|a| a.ip().is_loopback()), "{addrs:?}");
    }

    #[tokio::test]
    async fn resolver_reports_unknown_names_as_not_found() {
        let guarded = GuardedResolver {
            allow_private_networks: false,
        };
        let err = guarded
            .resolve("no-such-host.invalid".parse().unwrap())
            .await
            .err()
            .expect("must fail");
        assert!(err.downcast_ref::<NameNotFound>().is_some(), "{err}");
    }
}
