//! TARGET syntax: `host`, `host:port`, `[v6addr]:port`, and the IMAP URLs of RFC 5092
//! `imap://[user][;AUTH=mech]@host[:port][/mailbox]` (and `imaps://` for implicit TLS),
//! whose user, mechanism and mailbox are parsed as in a REFERRAL's URL.

use thiserror::Error;

use crate::proto::imap_url::{split_path, split_userinfo};
use crate::settings::ConnectTo;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub host: String,
    pub port: Option<u16>,
    /// `Some(true)` for `imaps://`, `Some(false)` for `imap://`, `None` for a bare host.
    pub implicit_tls: Option<bool>,
    pub user: Option<String>,
    /// `;AUTH=`: `*` or a SASL mechanism (RFC 5092 §3.2).
    pub auth: Option<String>,
    /// The mailbox the URL names (`imap://host/Sent`).
    pub mailbox: Option<String>,
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum TargetError {
    #[error("empty target")]
    Empty,
    #[error("unsupported scheme in {0:?}: use imap:// or imaps://")]
    Scheme(String),
    #[error("invalid port in {0:?}")]
    Port(String),
    #[error("unterminated IPv6 address in {0:?}")]
    Ipv6(String),
    #[error("invalid host in {0:?}")]
    Host(String),
    #[error("the TARGET holds a password (user:password@): shell history and ps would keep it; give it in IMAPDIAG_PASSWORD, --password-file or at the prompt")]
    Password,
    #[error("invalid IMAP URL {0:?}: {1}")]
    Url(String, String),
}

impl Target {
    pub fn parse(input: &str) -> Result<Target, TargetError> {
        let input = input.trim();
        if input.is_empty() {
            return Err(TargetError::Empty);
        }
        let (implicit_tls, rest) = match input.split_once("://") {
            Some((scheme, rest)) => match scheme.to_ascii_lowercase().as_str() {
                "imap" => (Some(false), rest),
                "imaps" => (Some(true), rest),
                _ => return Err(TargetError::Scheme(input.to_string())),
            },
            None => (None, input),
        };
        let (authority, path) = match rest.split_once('/') {
            Some((a, p)) if implicit_tls.is_some() => (a, Some(p)),
            _ => (rest.split('/').next().unwrap_or(""), None),
        };
        // RFC 5092's iuserinfo has no `:` (not even in `;AUTH=`), so one before the `@`
        // is RFC 3986's `user:password`, with or without a scheme: refused before any
        // error could quote the input.
        if authority
            .rsplit_once('@')
            .is_some_and(|(info, _)| info.contains(':'))
        {
            return Err(TargetError::Password);
        }
        let (userinfo, hostport) = match authority.rsplit_once('@') {
            Some((u, h)) if implicit_tls.is_some() => (Some(u), h),
            _ => (None, authority),
        };
        let (user, auth) = match userinfo {
            Some(u) => url_user(u, input)?,
            None => (None, None),
        };
        let mailbox = match path {
            Some(p) => split_path(p).map_err(|e| url_error(input, e))?.0,
            None => None,
        };
        let (host, port) = split_host_port(hostport, input)?;
        if host.is_empty() || host.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(TargetError::Host(input.to_string()));
        }
        Ok(Target {
            host,
            port,
            implicit_tls,
            user,
            auth,
            mailbox,
        })
    }
}

/// The user and `;AUTH=` of a URL's userinfo (one without a password).
fn url_user(info: &str, input: &str) -> Result<(Option<String>, Option<String>), TargetError> {
    split_userinfo(info).map_err(|e| url_error(input, e))
}

fn url_error(input: &str, e: crate::proto::imap_url::UrlError) -> TargetError {
    TargetError::Url(input.to_string(), e.to_string())
}

fn split_host_port(s: &str, input: &str) -> Result<(String, Option<u16>), TargetError> {
    let port = |p: &str| {
        p.parse::<u16>()
            .ok()
            .filter(|&n| n != 0)
            .ok_or_else(|| TargetError::Port(input.to_string()))
    };
    if let Some(v6) = s.strip_prefix('[') {
        let (addr, after) = v6
            .split_once(']')
            .ok_or_else(|| TargetError::Ipv6(input.to_string()))?;
        return match after {
            "" => Ok((addr.to_string(), None)),
            _ => match after.strip_prefix(':') {
                Some(p) => Ok((addr.to_string(), Some(port(p)?))),
                None => Err(TargetError::Port(input.to_string())),
            },
        };
    }
    match s.matches(':').count() {
        0 => Ok((s.to_string(), None)),
        1 => {
            let (h, p) = s.split_once(':').unwrap_or((s, ""));
            Ok((h.to_string(), Some(port(p)?)))
        }
        // A bare IPv6 address without brackets has no port.
        _ => Ok((s.to_string(), None)),
    }
}

/// `--connect-to HOST:PORT:HOST2:PORT2` (IPv6 addresses in brackets).
pub fn parse_connect_to(s: &str) -> Result<ConnectTo, TargetError> {
    let bad = || TargetError::Host(s.to_string());
    let (host, port, rest) = take_host_port(s).ok_or_else(bad)?;
    let rest = rest.strip_prefix(':').ok_or_else(bad)?;
    let (to_host, to_port, end) = take_host_port(rest).ok_or_else(bad)?;
    if !end.is_empty() {
        return Err(bad());
    }
    Ok(ConnectTo {
        host,
        port,
        to_host,
        to_port,
    })
}

/// `host:port` or `[v6]:port` at the start of `s`, and what follows.
fn take_host_port(s: &str) -> Option<(String, u16, &str)> {
    let (host, after) = match s.strip_prefix('[') {
        Some(v6) => v6.split_once(']')?,
        None => s.split_at(s.find(':')?),
    };
    let after = after.strip_prefix(':')?;
    let end = after.find(':').unwrap_or(after.len());
    let port = after[..end].parse::<u16>().ok().filter(|&p| p != 0)?;
    let ok = !host.is_empty() && !host.chars().any(|c| c.is_whitespace() || c.is_control());
    ok.then(|| (host.to_string(), port, &after[end..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connect_to_forms() {
        let c = parse_connect_to("reedlm1.reedlm1.com:143:127.0.0.1:1144").unwrap();
        assert_eq!(
            c,
            ConnectTo {
                host: "reedlm1.reedlm1.com".into(),
                port: 143,
                to_host: "127.0.0.1".into(),
                to_port: 1144
            }
        );
        let c = parse_connect_to("[::1]:993:[fe80::2]:1993").unwrap();
        assert_eq!((c.host.as_str(), c.to_host.as_str()), ("::1", "fe80::2"));
        for bad in [
            "",
            "a:1",
            "a:1:b",
            "a:x:b:2",
            "a:1:b:2:c",
            "a:0:b:2",
            ":1:b:2",
        ] {
            assert!(parse_connect_to(bad).is_err(), "{bad}");
        }
    }

    fn t(host: &str, port: Option<u16>, tls: Option<bool>, user: Option<&str>) -> Target {
        Target {
            host: host.into(),
            port,
            implicit_tls: tls,
            user: user.map(Into::into),
            auth: None,
            mailbox: None,
        }
    }

    #[test]
    fn rfc5092_auth_and_mailbox() {
        let got =
            Target::parse("imaps://alice;AUTH=PLAIN@mail.example.com:9993/Sent%20Items").unwrap();
        assert_eq!(got.user.as_deref(), Some("alice"));
        assert_eq!(got.auth.as_deref(), Some("PLAIN"));
        assert_eq!(got.port, Some(9993));
        assert_eq!(got.mailbox.as_deref(), Some("Sent Items"));
        let got = Target::parse("imap://;AUTH=*@h/").unwrap();
        assert_eq!(
            (got.user, got.auth.as_deref(), got.mailbox),
            (None, Some("*"), None)
        );
    }

    #[test]
    fn a_password_in_the_url_is_refused() {
        assert_eq!(
            Target::parse("imap://alice:secret@h"),
            Err(TargetError::Password)
        );
        assert_eq!(
            Target::parse("imaps://alice:secret;AUTH=PLAIN@h/"),
            Err(TargetError::Password)
        );
        // Without a scheme, in the `;AUTH=` part, or before an IPv6 address: the error
        // names no password either.
        for input in [
            "alice:secret@127.0.0.1",
            "alice:secret@[::1",
            "imap://alice;AUTH=%zz:secret@h",
        ] {
            assert_eq!(Target::parse(input), Err(TargetError::Password), "{input}");
        }
        // An escaped colon is part of the user name.
        assert_eq!(
            Target::parse("imap://a%3Ab@h").unwrap().user.as_deref(),
            Some("a:b")
        );
    }

    #[test]
    fn forms() {
        assert_eq!(
            Target::parse("mail.example.com").unwrap(),
            t("mail.example.com", None, None, None)
        );
        assert_eq!(
            Target::parse("127.0.0.1:1143").unwrap(),
            t("127.0.0.1", Some(1143), None, None)
        );
        assert_eq!(
            Target::parse("[::1]:993").unwrap(),
            t("::1", Some(993), None, None)
        );
        assert_eq!(Target::parse("::1").unwrap(), t("::1", None, None, None));
        assert_eq!(
            Target::parse("imaps://alice@mail.example.com").unwrap(),
            t("mail.example.com", None, Some(true), Some("alice"))
        );
        assert_eq!(
            Target::parse("IMAP://dom%2Fuser@h:144/").unwrap(),
            t("h", Some(144), Some(false), Some("dom/user"))
        );
    }

    #[test]
    fn errors() {
        assert_eq!(Target::parse(""), Err(TargetError::Empty));
        assert!(matches!(
            Target::parse("pop3://h"),
            Err(TargetError::Scheme(_))
        ));
        assert!(matches!(
            Target::parse("h:99999"),
            Err(TargetError::Port(_))
        ));
        assert!(matches!(Target::parse("h:0"), Err(TargetError::Port(_))));
        assert!(matches!(
            Target::parse("[::1:143"),
            Err(TargetError::Ipv6(_))
        ));
        assert!(matches!(
            Target::parse("imap://@"),
            Err(TargetError::Host(_))
        ));
    }
}
