//! Origins (`scheme://host[:port]`): the server's public ones, which decide which `Host`
//! values it answers and which pages may open its WebSocket, and their defaults.
//!
//! The server never derives its own origin from a request: a page on `evil.example` whose
//! name resolves to 127.0.0.1 (DNS rebinding) sends `Host: evil.example`, which is then
//! neither a public host nor, as `Origin`, a public origin.

use std::fmt;
use std::net::{IpAddr, SocketAddr};

use url::Url;

/// One web origin, normalised as browsers send it in `Origin` (lower case, no default port).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// `http` or `https`.
    scheme: &'static str,
    /// The host as a URL spells it (a name in lower case, an IPv6 address in brackets).
    host: String,
    /// The port, explicit or the scheme's default.
    port: u16,
}

impl Origin {
    /// Parses `http(s)://host[:port]`, with or without a trailing `/`; anything else (a path,
    /// a query, user info, another scheme, `null`) is refused.
    pub fn parse(s: &str) -> Result<Self, String> {
        let url = Url::parse(s).map_err(|e| format!("{s:?} is not an origin: {e}"))?;
        let scheme = match url.scheme() {
            "http" => "http",
            "https" => "https",
            _ => {
                return Err(format!(
                    "{s:?} is not an origin: the scheme must be http or https"
                ))
            }
        };
        let bare = url.path() == "/"
            && url.query().is_none()
            && url.fragment().is_none()
            && url.username().is_empty()
            && url.password().is_none();
        match (url.host_str(), url.port_or_known_default()) {
            (Some(host), Some(port)) if bare => Ok(Self {
                scheme,
                host: host.to_owned(),
                port,
            }),
            _ => Err(format!(
                "{s:?} is not an origin: expected scheme://host[:port], like https://chat.example.com"
            )),
        }
    }

    /// The origin of `ip:port` under `scheme`.
    fn of(scheme: &'static str, ip: IpAddr, port: u16) -> Self {
        let host = match ip {
            IpAddr::V4(ip) => ip.to_string(),
            IpAddr::V6(ip) => format!("[{ip}]"),
        };
        Self { scheme, host, port }
    }

    /// Whether a request's `Host` (`host[:port]`, the port defaulting to the scheme's) names
    /// this origin's host and port. The host is compared as spelled, ASCII case aside (a
    /// browser sends it as the URL parser wrote it); any other spelling is refused.
    pub fn serves_host(&self, host: &str) -> bool {
        let (name, port) = match host.strip_prefix('[') {
            // `[v6]` or `[v6]:port`.
            Some(rest) => match rest.find(']') {
                Some(end) => host.split_at(end + 2),
                None => return false,
            },
            None => host.rfind(':').map_or((host, ""), |i| host.split_at(i)),
        };
        let port = match port {
            "" => Some(if self.scheme == "https" { 443 } else { 80 }),
            p => p
                .strip_prefix(':')
                .filter(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|p| p.parse::<u16>().ok()),
        };
        port == Some(self.port) && name.eq_ignore_ascii_case(&self.host)
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let default = if self.scheme == "https" { 443 } else { 80 };
        write!(f, "{}://{}", self.scheme, self.host)?;
        if self.port != default {
            write!(f, ":{}", self.port)?;
        }
        Ok(())
    }
}

/// The public origins of a server bound to `bound`: `configured` if any; else, on a loopback
/// address, the bound port under `127.0.0.1`, `localhost` and the bound address itself
/// (`https` with TLS). On any other address `configured` may not be empty: the host names
/// users reach the server at are not the interface's address.
pub fn public_origins(
    configured: &[Origin],
    bound: SocketAddr,
    tls: bool,
) -> anyhow::Result<Vec<Origin>> {
    if !configured.is_empty() {
        return Ok(configured.to_vec());
    }
    anyhow::ensure!(
        bound.ip().is_loopback(),
        "listening on {bound}, which is not a loopback address, needs --public-origin \
         (PARLEY_PUBLIC_ORIGIN): the origin users reach Parley at, e.g. \
         https://chat.example.com (comma-separated if several)"
    );
    let scheme = if tls { "https" } else { "http" };
    let port = bound.port();
    let mut origins = vec![
        Origin::of(scheme, [127, 0, 0, 1].into(), port),
        Origin {
            scheme,
            host: "localhost".into(),
            port,
        },
    ];
    let own = Origin::of(scheme, bound.ip(), port);
    if !origins.contains(&own) {
        origins.push(own);
    }
    Ok(origins)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin(s: &str) -> Origin {
        Origin::parse(s).unwrap()
    }

    #[test]
    fn origins_parse_normalised_and_refuse_anything_else() {
        assert_eq!(
            origin("HTTPS://Chat.Example.com:443/").to_string(),
            "https://chat.example.com"
        );
        assert_eq!(
            origin("http://127.0.0.1:8080").to_string(),
            "http://127.0.0.1:8080"
        );
        assert_eq!(origin("http://[::1]:3000").to_string(), "http://[::1]:3000");
        for bad in [
            "null",
            "chat.example.com",
            "ftp://chat.example.com",
            "https://chat.example.com/app",
            "https://chat.example.com/?a",
            "https://bob@chat.example.com",
            "",
        ] {
            assert!(Origin::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn hosts_match_by_name_and_port() {
        let o = origin("https://chat.example.com");
        for good in [
            "chat.example.com",
            "CHAT.example.com",
            "chat.example.com:443",
        ] {
            assert!(o.serves_host(good), "{good}");
        }
        for bad in [
            "evil.example",
            "chat.example.com:444",
            "chat.example.com.evil.example",
            "evil.example/chat.example.com",
            "evil.example@chat.example.com",
            "chat.example.com/",
            "chat.example.com:",
            "chat.example.com:+443",
            "chat.example.com:99999",
            ":443",
            "",
        ] {
            assert!(!o.serves_host(bad), "{bad}");
        }
        let local = origin("http://127.0.0.1:3000");
        assert!(local.serves_host("127.0.0.1:3000"));
        assert!(!local.serves_host("127.0.0.1"), "port 80 is another origin");
        let v6 = origin("http://[::1]:3000");
        assert!(v6.serves_host("[::1]:3000"));
        for bad in [
            "[::1]",
            "[::1]3000",
            "[::1",
            "::1:3000",
            "[::1]:",
            "[::1]:+3000",
        ] {
            assert!(!v6.serves_host(bad), "{bad}");
        }
    }

    #[test]
    fn loopback_defaults_and_a_required_origin_elsewhere() {
        let names = |v: Vec<Origin>| v.iter().map(Origin::to_string).collect::<Vec<_>>();
        let got = public_origins(&[], "127.0.0.1:4321".parse().unwrap(), false).unwrap();
        assert_eq!(
            names(got),
            ["http://127.0.0.1:4321", "http://localhost:4321"]
        );
        let got = public_origins(&[], "[::1]:443".parse().unwrap(), true).unwrap();
        assert_eq!(
            names(got),
            ["https://127.0.0.1", "https://localhost", "https://[::1]"]
        );
        let given = [origin("https://chat.example.com")];
        let got = public_origins(&given, "127.0.0.1:3000".parse().unwrap(), false).unwrap();
        assert_eq!(names(got), ["https://chat.example.com"], "no defaults then");
        let got = public_origins(&given, "0.0.0.0:443".parse().unwrap(), true).unwrap();
        assert_eq!(names(got), ["https://chat.example.com"]);
        let err = public_origins(&[], "0.0.0.0:3000".parse().unwrap(), false).unwrap_err();
        assert!(err.to_string().contains("--public-origin"), "{err}");
    }
}
