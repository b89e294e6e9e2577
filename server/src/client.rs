//! Who a request comes from, for the per-address limits: the TCP peer, or, when the peer is
//! one of the `--trusted-proxies`, the client that proxy names (`Forwarded: for=…` or the
//! last `X-Forwarded-For` entry). An address is limited as its [`ClientKey`]: an IPv4
//! address, or an IPv6 /64 (one host usually holds a whole /64).

use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::str::FromStr;

use axum::http::HeaderMap;

/// An address range (`10.0.0.0/8`, `::1`, `fd00::/8`); a bare address is a range of one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpRange {
    net: IpAddr,
    prefix: u8,
}

impl IpRange {
    /// Whether `ip` is in the range.
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.net, canonical(ip)) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                masked(u32::from(net).into(), 32, self.prefix)
                    == masked(u32::from(ip).into(), 32, self.prefix)
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                masked(u128::from(net), 128, self.prefix)
                    == masked(u128::from(ip), 128, self.prefix)
            }
            _ => false,
        }
    }
}

fn masked(bits: u128, width: u8, prefix: u8) -> u128 {
    if prefix == 0 {
        return 0;
    }
    let mask = (u128::MAX >> (128 - width)) & !((1u128 << (width - prefix)) - 1);
    bits & mask
}

impl FromStr for IpRange {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let bad =
            || format!("{s:?} is not an IP address or CIDR range (like 10.0.0.0/8 or fd00::/8)");
        let (addr, prefix) = match s.trim().split_once('/') {
            Some((a, p)) => (a, Some(p.parse::<u8>().map_err(|_| bad())?)),
            None => (s.trim(), None),
        };
        let net = canonical(addr.parse::<IpAddr>().map_err(|_| bad())?);
        let width = if net.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(width);
        if prefix > width {
            return Err(bad());
        }
        Ok(Self { net, prefix })
    }
}

/// An IPv4-mapped IPv6 address as the IPv4 address it is.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// What the per-address limits count by: an IPv4 address, or the /64 of an IPv6 address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ClientKey(IpAddr);

impl ClientKey {
    /// The key of `ip`.
    pub fn of(ip: IpAddr) -> Self {
        match canonical(ip) {
            IpAddr::V6(v6) => {
                let net = u128::from(v6) & !((1u128 << 64) - 1);
                Self(IpAddr::V6(Ipv6Addr::from(net)))
            }
            v4 => Self(v4),
        }
    }
}

impl std::fmt::Display for ClientKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            IpAddr::V6(net) => write!(f, "{net}/64"),
            v4 => write!(f, "{v4}"),
        }
    }
}

/// The client's address, as a request extension (set for every request; see the module
/// docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr {
    /// The client's address.
    pub ip: IpAddr,
}

impl ClientAddr {
    /// The client of a request from `peer` with `headers`, trusting the forwarding headers
    /// only when `peer` is in `trusted`.
    pub fn resolve(peer: SocketAddr, headers: &HeaderMap, trusted: &[IpRange]) -> Self {
        let peer_ip = canonical(peer.ip());
        if !trusted.iter().any(|r| r.contains(peer_ip)) {
            return Self { ip: peer_ip };
        }
        let ip = forwarded_for(headers)
            .or_else(|| x_forwarded_for(headers))
            .map_or(peer_ip, canonical);
        Self { ip }
    }

    /// The key its limits count by.
    pub fn key(&self) -> ClientKey {
        ClientKey::of(self.ip)
    }
}

/// The last `for=` of the last `Forwarded` header (the one the trusted proxy added).
fn forwarded_for(headers: &HeaderMap) -> Option<IpAddr> {
    let last = headers
        .get_all("forwarded")
        .iter()
        .next_back()?
        .to_str()
        .ok()?;
    let element = last.rsplit(',').next()?;
    element.split(';').find_map(|pair| {
        let (k, v) = pair.trim().split_once('=')?;
        if !k.eq_ignore_ascii_case("for") {
            return None;
        }
        let v = v.trim_matches('"');
        // `for="[2001:db8::1]:4711"`, `for=192.0.2.60:4711` or a bare address.
        let host = match v.strip_prefix('[') {
            Some(rest) => rest.split(']').next()?,
            None => v
                .split(':')
                .next()
                .filter(|_| v.matches(':').count() <= 1)
                .unwrap_or(v),
        };
        host.parse().ok()
    })
}

/// The last entry of `X-Forwarded-For` (the address the trusted proxy saw).
fn x_forwarded_for(headers: &HeaderMap) -> Option<IpAddr> {
    let last = headers
        .get_all("x-forwarded-for")
        .iter()
        .next_back()?
        .to_str()
        .ok()?;
    last.rsplit(',').next()?.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn ranges() {
        let r: IpRange = "10.0.0.0/8".parse().unwrap();
        assert!(r.contains("10.1.2.3".parse().unwrap()));
        assert!(!r.contains("11.0.0.1".parse().unwrap()));
        assert!(r.contains("::ffff:10.0.0.1".parse().unwrap()), "mapped");
        let one: IpRange = "::1".parse().unwrap();
        assert!(one.contains("::1".parse().unwrap()));
        assert!(!one.contains("::2".parse().unwrap()));
        assert!("0.0.0.0/0"
            .parse::<IpRange>()
            .unwrap()
            .contains("1.2.3.4".parse().unwrap()));
        assert!("10.0.0.0/33".parse::<IpRange>().is_err());
        assert!("nonsense".parse::<IpRange>().is_err());
    }

    #[test]
    fn ipv6_counts_by_slash_64() {
        let a = ClientKey::of("2001:db8:1:2::1".parse().unwrap());
        let b = ClientKey::of("2001:db8:1:2:ffff::9".parse().unwrap());
        let c = ClientKey::of("2001:db8:1:3::1".parse().unwrap());
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(a.to_string(), "2001:db8:1:2::/64");
        assert_eq!(
            ClientKey::of("::ffff:1.2.3.4".parse().unwrap()),
            ClientKey::of("1.2.3.4".parse().unwrap())
        );
    }

    #[test]
    fn forwarding_headers_only_from_trusted_proxies() {
        let proxy: SocketAddr = "10.0.0.5:4000".parse().unwrap();
        let trusted = ["10.0.0.0/8".parse().unwrap()];
        let mut h = HeaderMap::new();
        h.insert(
            "x-forwarded-for",
            HeaderValue::from_static("6.6.6.6, 192.0.2.7"),
        );
        assert_eq!(
            ClientAddr::resolve(proxy, &h, &trusted).ip.to_string(),
            "192.0.2.7"
        );
        assert_eq!(
            ClientAddr::resolve(proxy, &h, &[]).ip,
            proxy.ip(),
            "untrusted"
        );
        h.insert(
            "forwarded",
            HeaderValue::from_static("for=6.6.6.6, for=\"[2001:db8::1]:4711\";proto=https"),
        );
        assert_eq!(
            ClientAddr::resolve(proxy, &h, &trusted).ip.to_string(),
            "2001:db8::1"
        );
        h.insert("forwarded", HeaderValue::from_static("for=192.0.2.60:4711"));
        assert_eq!(
            ClientAddr::resolve(proxy, &h, &trusted).ip.to_string(),
            "192.0.2.60"
        );
        let none = HeaderMap::new();
        assert_eq!(ClientAddr::resolve(proxy, &none, &trusted).ip, proxy.ip());
    }
}
