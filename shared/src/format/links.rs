//! Links: which targets are allowed, bare addresses found in text (by `linkify`), and links
//! whose text pretends to be another address.

use linkify::{LinkFinder, LinkKind};

use super::{outline, Inline, Link};

/// The target of `[text](dest)`, if it may be one: `http:`, `https:` or `mailto:` (any case),
/// or a `www.` host (made `https:`). Anything else (`javascript:`, `data:`, relative paths) is
/// not a link.
pub(super) fn safe_href(dest: &str) -> Option<String> {
    if dest.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return None;
    }
    let lower = dest.to_ascii_lowercase();
    let allowed = ["http://", "https://", "mailto:"]
        .iter()
        .any(|scheme| lower.starts_with(scheme) && lower.len() > scheme.len());
    if allowed {
        Some(dest.to_owned())
    } else if lower.starts_with("www.") && lower.len() > 4 {
        Some(format!("https://{dest}"))
    } else {
        None
    }
}

/// Whether a link showing `children` must also show `href`: its text holds an address, and
/// not the one it goes to.
pub(super) fn reveals(children: &[Inline], href: &str) -> bool {
    let mut shown = String::new();
    outline::plain_inlines(children, &mut shown);
    let looks_like_address = finder().links(&shown).next().is_some();
    looks_like_address && bare(&shown) != bare(href)
}

/// An address without its scheme, a leading `www.` or a trailing `/`, in lower case: what a
/// reader compares.
fn bare(address: &str) -> String {
    let a = address.trim().to_ascii_lowercase();
    let a = ["https://", "http://", "mailto:"]
        .iter()
        .find_map(|s| a.strip_prefix(s))
        .unwrap_or(&a);
    let a = a.strip_prefix("www.").unwrap_or(a);
    a.trim_end_matches('/').to_owned()
}

/// Finds URLs (with or without a scheme) and e-mail addresses.
fn finder() -> LinkFinder {
    let mut f = LinkFinder::new();
    f.url_must_have_scheme(false);
    f.kinds(&[LinkKind::Url, LinkKind::Email]);
    f
}

/// `inlines` with the bare addresses in their text made links: `http(s)://` URLs, `www.`
/// hosts and e-mail addresses (other schemes and bare domains stay text).
pub(super) fn autolink(inlines: Vec<Inline>) -> Vec<Inline> {
    if !inlines
        .iter()
        .any(|i| matches!(i, Inline::Text(t) if may_hold_address(t)))
    {
        return inlines; // Most messages: nothing to look for.
    }
    let finder = finder();
    let mut out = Vec::with_capacity(inlines.len());
    for inline in inlines {
        let Inline::Text(text) = inline else {
            out.push(inline);
            continue;
        };
        let mut at = 0;
        for found in finder.links(&text) {
            let Some(href) = autolink_href(found.as_str(), found.kind()) else {
                continue;
            };
            if at < found.start() {
                out.push(Inline::Text(text[at..found.start()].to_owned()));
            }
            out.push(Inline::Link(Link {
                href,
                children: vec![Inline::Text(found.as_str().to_owned())],
                reveal: false,
            }));
            at = found.end();
        }
        if at < text.len() {
            out.push(Inline::Text(text[at..].to_owned()));
        }
    }
    out
}

/// Whether `t` may hold an address worth looking for.
fn may_hold_address(t: &str) -> bool {
    t.contains("://") || t.contains('@') || t.to_ascii_lowercase().contains("www.")
}

/// The target of an address found in text, if it becomes a link.
fn autolink_href(found: &str, kind: &LinkKind) -> Option<String> {
    let lower = found.to_ascii_lowercase();
    match kind {
        LinkKind::Email => Some(format!("mailto:{found}")),
        LinkKind::Url if lower.starts_with("http://") || lower.starts_with("https://") => {
            Some(found.to_owned())
        }
        LinkKind::Url if lower.starts_with("www.") => Some(format!("https://{found}")),
        _ => None,
    }
}
