//! IMAP URLs (RFC 5092 §11, accepting the RFC 2192 forms and Exchange 5.5's URLs without
//! the trailing slash, KB Q236788): the argument of a REFERRAL code (RFC 2221 §5).
//!
//! `imap://redmond%2Freedl%2Fimapf;AUTH=*@reedlm1.reedlm1.com` is the user
//! `redmond/reedl/imapf` (NT domain / account / alias), any mechanism, at
//! `reedlm1.reedlm1.com` port 143.

use serde::Serialize;
use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ImapUrl {
    /// The percent-decoded user (`enc-user`), if the URL names one.
    pub user: Option<String>,
    /// `*` or a SASL mechanism from `;AUTH=` (RFC 5092 §3.2).
    pub auth: Option<String>,
    pub host: String,
    /// 143 when the URL gives none (RFC 5092 §1).
    pub port: u16,
    /// The percent-decoded mailbox, if any.
    pub mailbox: Option<String>,
    pub uidvalidity: Option<u32>,
    /// Whatever follows the mailbox (`;UID=`, `?search`), undecoded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rest: Option<String>,
    /// RFC 2192 required the `/` after the server; RFC 5092 made it optional.
    pub trailing_slash: bool,
}

#[derive(Debug, Clone, Error, PartialEq, Eq)]
pub enum UrlError {
    #[error("not an imap:// URL")]
    Scheme,
    #[error("no host")]
    NoHost,
    #[error("the host {0:?} has characters a host name cannot have")]
    BadHost(String),
    #[error("invalid port {0:?}")]
    BadPort(String),
    #[error("empty ;AUTH= mechanism")]
    EmptyAuth,
    #[error("invalid ;UIDVALIDITY= {0:?}")]
    BadUidValidity(String),
}

impl ImapUrl {
    pub fn parse(url: &str) -> Result<ImapUrl, UrlError> {
        let rest = strip_prefix_ci(url, "imap://").ok_or(UrlError::Scheme)?;
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], Some(&rest[i + 1..])),
            None => (rest, None),
        };
        let (userinfo, hostport) = match authority.rfind('@') {
            Some(i) => (Some(&authority[..i]), &authority[i + 1..]),
            None => (None, authority),
        };
        let (user, auth) = userinfo
            .map(split_userinfo)
            .transpose()?
            .unwrap_or((None, None));
        let (host, port) = host_port(hostport)?;
        let (mailbox, uidvalidity, rest) = path
            .map(split_path)
            .transpose()?
            .unwrap_or((None, None, None));
        Ok(ImapUrl {
            user,
            auth,
            host,
            port,
            mailbox,
            uidvalidity,
            rest,
            trailing_slash: path.is_some(),
        })
    }

    /// `host:port` for display and connecting (IPv6 in brackets).
    pub fn authority(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

/// `iuserinfo = enc-user [iauth] / [enc-user] iauth`, `iauth = ";AUTH=" ("*" / enc-auth-type)`.
pub(crate) fn split_userinfo(info: &str) -> Result<(Option<String>, Option<String>), UrlError> {
    let lower = info.to_ascii_lowercase();
    let (user, auth) = match lower.find(";auth=") {
        Some(i) => (&info[..i], Some(&info[i + 6..])),
        None => (info, None),
    };
    if auth == Some("") {
        return Err(UrlError::EmptyAuth);
    }
    let user = (!user.is_empty()).then(|| percent_decode(user));
    Ok((user, auth.map(percent_decode)))
}

fn host_port(s: &str) -> Result<(String, u16), UrlError> {
    let (host, port) = if let Some(v6) = s.strip_prefix('[') {
        let (h, after) = v6
            .split_once(']')
            .ok_or_else(|| UrlError::BadHost(s.to_string()))?;
        (h, after.strip_prefix(':'))
    } else {
        match s.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (s, None),
        }
    };
    if host.is_empty() {
        return Err(UrlError::NoHost);
    }
    let v6 = s.starts_with('[');
    let ok =
        |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '.' || c == '_' || (v6 && c == ':');
    if !host.chars().all(ok) {
        return Err(UrlError::BadHost(host.to_string()));
    }
    let port = match port {
        None => 143,
        Some(p) => p
            .parse::<u16>()
            .ok()
            .filter(|&n| n != 0)
            .ok_or_else(|| UrlError::BadPort(p.to_string()))?,
    };
    Ok((host.to_string(), port))
}

pub(crate) type PathParts = (Option<String>, Option<u32>, Option<String>);

/// `enc-mailbox [";UIDVALIDITY=" nz-number] [rest]`.
pub(crate) fn split_path(path: &str) -> Result<PathParts, UrlError> {
    let (mailbox, mut rest) = match path.find([';', '?']) {
        Some(i) => (&path[..i], Some(&path[i..])),
        None => (path, None),
    };
    let mut uidvalidity = None;
    if let Some(r) = rest.and_then(|r| strip_prefix_ci(r, ";UIDVALIDITY=")) {
        let end = r.find(['/', ';', '?']).unwrap_or(r.len());
        let n = r[..end]
            .parse::<u32>()
            .ok()
            .filter(|&n| n != 0)
            .ok_or_else(|| UrlError::BadUidValidity(r[..end].to_string()))?;
        uidvalidity = Some(n);
        rest = Some(&r[end..]).filter(|s| !s.is_empty());
    }
    let mailbox = (!mailbox.is_empty()).then(|| percent_decode(mailbox));
    Ok((mailbox, uidvalidity, rest.map(str::to_string)))
}

/// Everything but RFC 3986's unreserved characters is escaped in a URL's user.
const USER_ESCAPED: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// `enc-user` (RFC 5092 §3.2): the user with `/`, `;`, `@` and the rest percent-encoded.
pub fn encode_user(user: &str) -> String {
    percent_encoding::utf8_percent_encode(user, USER_ESCAPED).to_string()
}

/// Decodes `%XX` escapes (RFC 3986 §2.1); malformed escapes stay as they are.
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kb217388_referral() {
        let u =
            ImapUrl::parse("imap://redmond%2Freedl%2Fimapf;AUTH=*@reedlm1.reedlm1.com").unwrap();
        assert_eq!(u.user.as_deref(), Some("redmond/reedl/imapf"));
        assert_eq!(u.auth.as_deref(), Some("*"));
        assert_eq!((u.host.as_str(), u.port), ("reedlm1.reedlm1.com", 143));
        assert!(!u.trailing_slash);
    }

    #[test]
    fn rfc2221_and_2193_examples() {
        let u = ImapUrl::parse("IMAP://user;AUTH=*@SERVER2/").unwrap();
        assert_eq!(
            (u.user.as_deref(), u.host.as_str(), u.trailing_slash),
            (Some("user"), "SERVER2", true)
        );
        let u = ImapUrl::parse("IMAP://user;AUTH=*@SERVER2/REMOTE").unwrap();
        assert_eq!(u.mailbox.as_deref(), Some("REMOTE"));
        let u = ImapUrl::parse("imap://MIKE@SERVER2/").unwrap();
        assert_eq!((u.user.as_deref(), u.auth.as_deref()), (Some("MIKE"), None));
    }

    #[test]
    fn dovecot_referral_with_port_and_ipv6() {
        let u = ImapUrl::parse("imap://alice;AUTH=PLAIN@127.0.0.1:1143/").unwrap();
        assert_eq!((u.auth.as_deref(), u.port), (Some("PLAIN"), 1143));
        let u = ImapUrl::parse("imap://u@[::1]:993/INBOX;UIDVALIDITY=785799047/;UID=12").unwrap();
        assert_eq!(u.host, "::1");
        assert_eq!(u.authority(), "[::1]:993");
        assert_eq!(u.uidvalidity, Some(785799047));
        assert_eq!(u.rest.as_deref(), Some("/;UID=12"));
    }

    #[test]
    fn malformed_urls() {
        // KB Q236788: pre-SP3 Exchange 5.5 wrote the domain where the host belongs.
        assert!(matches!(
            ImapUrl::parse("imap://server;AUTH=*domain"),
            Err(UrlError::BadHost(_))
        ));
        assert_eq!(ImapUrl::parse("http://x/"), Err(UrlError::Scheme));
        assert_eq!(ImapUrl::parse("imap://user@/"), Err(UrlError::NoHost));
        assert!(matches!(
            ImapUrl::parse("imap://h:99999/"),
            Err(UrlError::BadPort(_))
        ));
        assert_eq!(
            ImapUrl::parse("imap://u;AUTH=@h/"),
            Err(UrlError::EmptyAuth)
        );
    }

    proptest::proptest! {
        #[test]
        fn never_panics(s in "\\PC*") {
            let _ = ImapUrl::parse(&s);
            let _ = ImapUrl::parse(&format!("imap://{s}"));
        }

        #[test]
        fn encoded_users_round_trip(user in "[a-zA-Z0-9/\\\\@:; %]{1,20}", host in "[a-z][a-z0-9.-]{0,20}", port in 1u16..) {
            let enc = encode_user(&user);
            let u = ImapUrl::parse(&format!("imap://{enc};AUTH=*@{host}:{port}/")).unwrap();
            proptest::prop_assert_eq!(u.user.as_deref(), Some(user.as_str()));
            proptest::prop_assert_eq!(u.host, host);
            proptest::prop_assert_eq!(u.port, port);
        }
    }
}
