//! A server that no profile knows may still say what it is: in ID's `name`, `vendor` and
//! `version` fields (RFC 2971 §3.3), or in its greeting's free text (RFC 3501 §7.1:
//! `resp-text`), in shapes such as "<name> IMAP4rev1 server version <v> ready",
//! "<name> IMAP4 Server Release <v>", "... (<name> <v>)" or "Welcome to <name>". This
//! module reads those names; it never guesses from anything else, so a greeting that names
//! nothing ("IMAP4 ready", a host name) names nothing here either.

use std::collections::BTreeMap;

/// A product a server named itself, with the text that named it.
#[derive(Debug, Clone, PartialEq)]
pub struct SelfNamed {
    pub product: String,
    pub version: Option<String>,
    /// `id` or `greeting`.
    pub source: &'static str,
    pub line: String,
}

/// The ID reply's `name` (with `vendor` when the name does not already carry it).
pub fn from_id(fields: &BTreeMap<String, Option<String>>) -> Option<SelfNamed> {
    let field = |k: &str| {
        fields
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(k))
            .and_then(|(_, v)| v.as_deref())
            .map(str::trim)
            .filter(|v| !v.is_empty())
    };
    let name = field("name")?;
    let product = match field("vendor") {
        Some(v) if !name.to_lowercase().contains(&v.to_lowercase()) => format!("{name} ({v})"),
        _ => name.to_string(),
    };
    Some(SelfNamed {
        product,
        version: field("version").map(str::to_string),
        source: "id",
        line: format!("name {name:?}"),
    })
}

/// The product named in a greeting's text (after any `[CODE]`), if it names one.
pub fn from_greeting(text: &str) -> Option<SelfNamed> {
    let named = parenthesised(text)
        .into_iter()
        .find_map(|inner| read(inner, true))
        .or_else(|| read(&without_parentheses(text), false))?;
    Some(SelfNamed {
        product: named.0,
        version: named.1,
        source: "greeting",
        line: text.to_string(),
    })
}

/// Words that say "IMAP server" and nothing about which one.
const ANCHORS: &[&str] = &[
    "imap",
    "imap4",
    "imap4rev1",
    "imap4rev2",
    "imaprev1",
    "imap4server",
    "imap4proxy",
    "imapd",
    "ready",
];
/// Words besides the anchors that are never part of a product's name.
const GENERIC: &[&str] = &[
    "the", "welcome", "to", "server", "service", "is", "at", "on", "for", "proxy", "ok", "version",
    "release", "running", "and", "hello", "your", "with",
];
/// Words that may sit inside a name but are not one on their own.
const WEAK: &[&str] = &["mail", "system", "messaging", "access", "email", "connect"];

/// Reads "<name> [version] <anchor> ..." or "<anchor> <name> ...". Inside parentheses a
/// name followed by a version is enough, as in "(NPlex 2.0.085)".
fn read(text: &str, inner: bool) -> Option<(String, Option<String>)> {
    let words: Vec<&str> = text
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| matches!(c, ',' | ';' | ':' | '!')))
        .map(|w| w.trim_end_matches('.'))
        .filter(|w| !w.is_empty())
        .collect();
    let anchor = words.iter().position(|w| is_anchor(w));
    let welcome = words
        .windows(2)
        .position(|p| p[0].eq_ignore_ascii_case("welcome") && p[1].eq_ignore_ascii_case("to"));
    let (name, version) = match (welcome, anchor) {
        (Some(w), _) => name_from(&words[w + 2..]),
        (None, Some(0)) => name_from(&words[1..]),
        (None, Some(a)) => name_from(&words[..a]),
        (None, None) if inner => match name_from(&words) {
            (name, Some(v)) => (name, Some(v)),
            _ => return None,
        },
        (None, None) => return None,
    };
    let name = name?;
    let version = version.or_else(|| anchor.and_then(|a| version_after(&words[a..])));
    Some((name, version))
}

/// Name words from the start of `words` (after host names, generic and lower-case words,
/// which are host names more often than products) until a generic word; a version token
/// right after them is the version.
fn name_from(words: &[&str]) -> (Option<String>, Option<String>) {
    let words: Vec<&str> = words
        .iter()
        .copied()
        .skip_while(|w| is_generic(w) || is_host(w) || !w.chars().any(char::is_uppercase))
        .collect();
    let len = words
        .iter()
        .position(|w| is_generic(w) || is_version(w) || is_host(w) || !starts_alpha(w))
        .unwrap_or(words.len());
    let name = &words[..len.min(4)];
    let version = words.get(len).filter(|w| is_version(w)).map(|v| clean(v));
    let named = name.iter().any(|w| !is_weak(w) && w.len() >= 2);
    (named.then(|| name.join(" ")), version)
}

/// `version 5.5.2448.8`, `Release 9.0.1FP9`, `v2.3.13`, or a bare version token.
fn version_after(words: &[&str]) -> Option<String> {
    words.iter().find(|w| is_version(w)).map(|v| clean(v))
}

fn clean(v: &str) -> String {
    let v = v.strip_prefix("ver-").unwrap_or(v);
    v.strip_prefix(['v', 'V'])
        .filter(|r| r.starts_with(|c: char| c.is_ascii_digit()))
        .unwrap_or(v)
        .to_string()
}

fn is_anchor(w: &str) -> bool {
    ANCHORS.iter().any(|a| a.eq_ignore_ascii_case(w))
}

fn is_generic(w: &str) -> bool {
    is_anchor(w) || GENERIC.iter().any(|g| g.eq_ignore_ascii_case(w))
}

fn is_weak(w: &str) -> bool {
    WEAK.iter().any(|g| g.eq_ignore_ascii_case(w))
}

fn starts_alpha(w: &str) -> bool {
    w.starts_with(|c: char| c.is_alphabetic())
}

/// `5.5.2448.8`, `v2.3.13-Invoca`, `9.0.1FP9`, `vM.5.00.00.09`, `ver-1.0.0`: digits with
/// a dot, after an optional `v`.
fn is_version(w: &str) -> bool {
    let w = clean(w);
    let w = w.strip_prefix("M.").unwrap_or(&w);
    w.starts_with(|c: char| c.is_ascii_digit()) && w.contains('.')
}

/// `mail.example.com`, `[::1]`: a lower-case dotted word with a letter, or an address. A
/// product may carry a dot (`Outlook.com`, `David.fx`), but then it is not all lower case;
/// an all-digit dotted word is read as a version.
fn is_host(w: &str) -> bool {
    let dotted = w.contains('.')
        && w.chars().any(|c| c.is_ascii_lowercase())
        && !w.chars().any(char::is_uppercase)
        && !is_version(w);
    dotted || w.contains("::") || w.starts_with('[')
}

/// The text inside each top-level pair of parentheses.
fn parenthesised(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut start) = (0usize, 0usize);
    for (i, c) in text.char_indices() {
        match c {
            '(' => {
                if depth == 0 {
                    start = i + 1;
                }
                depth += 1;
            }
            ')' if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    out.push(&text[start..i]);
                }
            }
            _ => {}
        }
    }
    out
}

fn without_parentheses(text: &str) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    for c in text.chars() {
        match c {
            '(' => depth += 1,
            ')' if depth > 0 => depth -= 1,
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(text: &str) -> Option<(String, Option<String>)> {
        from_greeting(text).map(|n| (n.product, n.version))
    }

    fn pair(p: &str, v: Option<&str>) -> Option<(String, Option<String>)> {
        Some((p.to_string(), v.map(str::to_string)))
    }

    #[test]
    fn greetings_that_name_their_product() {
        let cases = [
            ("Microsoft Exchange IMAP4rev1 server version 5.5.2448.8 (newexch.cti2.com) ready", "Microsoft Exchange", Some("5.5.2448.8")),
            ("Domino IMAP4 Server Release 9.0.1FP9 ready Fri, 14 Dec 2018 08:38:25 +0100", "Domino", Some("9.0.1FP9")),
            ("svwall.zoho.com IMAP4 Server (Zoho Mail IMAP4rev1 Server version 1.0)", "Zoho Mail", Some("1.0")),
            ("IMAP4 server ready (NPlex 2.0.085)", "NPlex", Some("2.0.085")),
            ("Kerio Connect 8.0.2 IMAP4rev1 server ready", "Kerio Connect", Some("8.0.2")),
            ("IceWarp 12.0.4.0 RHEL7 x64 IMAP4rev1 Tue, 22 May 2018 14:06:46 +0000", "IceWarp", Some("12.0.4.0")),
            ("imap.ecs.soton.ac.uk Cyrus IMAP v2.3.13-Invoca-RPM-2.3.13-1.0.JKF server ready", "Cyrus", Some("2.3.13-Invoca-RPM-2.3.13-1.0.JKF")),
            ("Dovecot (Ubuntu) ready.", "Dovecot", None),
            ("Welcome to MailEnable IMAP4 Server", "MailEnable", None),
            ("Yandex IMAP4rev1 at mail-imap-production-171.sas.yp-c.yandex.net:993 ready to talk", "Yandex", None),
            ("IMAP4rev1 Server GreenMail v2.0.0 ready", "GreenMail", Some("2.0.0")),
            ("Mirapoint IMAP4PROXY 1.0 server ready", "Mirapoint", Some("1.0")),
            ("Outlook.com IMAP4rev1 server version 17.4.0.0 ready (BLU451-IMAP411)", "Outlook.com", Some("17.4.0.0")),
        ];
        for (text, product, version) in cases {
            assert_eq!(named(text), pair(product, version), "{text}");
        }
    }

    #[test]
    fn greetings_that_name_nothing() {
        for text in [
            "IMAP4 ready",
            "IMAP4rev1 Hello",
            "IMAP4rev1 Service Ready",
            "mail.example.com ready",
            "IMAP server ready (P2 TLSv1.2:ECDHE-RSA-AES256-GCM-SHA384)",
            "IMAP4 server ready (6.0.021)",
            "(2428B47-26126cfe23cd) p00-iscream-f9f7bf749-qjr87",
            "xyz.example.com IMAP4rev1 2007f.404 at Wed, 27 Mar 2019 09:40:23 -0400 (EDT)",
            "Welcome.",
            "",
            "ready",
        ] {
            assert_eq!(named(text), None, "{text}");
        }
    }

    #[test]
    fn id_names_and_vendors() {
        let id: BTreeMap<String, Option<String>> = [
            ("name".to_string(), Some("RZimapd".to_string())),
            ("vendor".to_string(), Some("Strato GmbH".to_string())),
        ]
        .into();
        let n = from_id(&id).unwrap();
        assert_eq!(n.product, "RZimapd (Strato GmbH)");
        let id: BTreeMap<String, Option<String>> = [
            ("NAME".to_string(), Some("Zimbra".to_string())),
            ("VERSION".to_string(), Some("8.6.0_GA_1153".to_string())),
        ]
        .into();
        let n = from_id(&id).unwrap();
        assert_eq!(
            (n.product.as_str(), n.version.as_deref()),
            ("Zimbra", Some("8.6.0_GA_1153"))
        );
        assert_eq!(from_id(&BTreeMap::new()), None);
    }
}
