//! `curl -v`: `< ` is the server, `> ` the client, `* ` curl's own information, which is
//! never taken for IMAP; its TLS lines (`* SSL connection using TLSv1.3 / ...`, the
//! certificate summary, the verify result) feed the TLS section. `{ ` / `} ` mark data.

use super::{Item, TlsFact};

pub fn line(l: &str) -> Option<Vec<Item>> {
    if let Some(s) = l.strip_prefix("< ") {
        return Some(vec![Item::Server(s.to_string())]);
    }
    if let Some(c) = l.strip_prefix("> ") {
        return Some(vec![Item::Client(c.to_string())]);
    }
    let info = l.strip_prefix("* ")?;
    Some(tls(info).map(Item::Tls).into_iter().collect())
}

/// `* Connected to`, `*   Trying`: only curl starts lines so.
pub fn signature(l: &str) -> bool {
    l.starts_with("*   Trying ") || l.starts_with("* Connected to ")
}

fn tls(info: &str) -> Option<TlsFact> {
    let t = info.trim_start();
    if let Some(rest) = t.strip_prefix("SSL connection using ") {
        let mut parts = rest.split(" / ");
        let version = parts.next()?.trim().to_string();
        let cipher = parts.next().unwrap_or("").trim().to_string();
        return Some(TlsFact::Protocol { version, cipher });
    }
    let field = |k: &str| t.strip_prefix(k).map(|v| v.trim().to_string());
    if let Some(v) = field("subject:") {
        return Some(TlsFact::Subject(v));
    }
    if let Some(v) = field("issuer:") {
        return Some(TlsFact::Issuer(v));
    }
    if let Some(v) = field("expire date:") {
        return Some(TlsFact::Expires(v));
    }
    if t.starts_with("SSL certificate verify ok") {
        return Some(TlsFact::Verified);
    }
    let problem =
        field("SSL certificate problem:").or_else(|| field("SSL certificate verify result:"));
    problem.map(TlsFact::VerifyFailed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn curl_lines() {
        assert_eq!(
            line("< * OK ready"),
            Some(vec![Item::Server("* OK ready".into())])
        );
        assert_eq!(
            line("> A001 CAPABILITY"),
            Some(vec![Item::Client("A001 CAPABILITY".into())])
        );
        assert_eq!(line("* Connected to x (1.2.3.4) port 993"), Some(vec![]));
        assert_eq!(
            line("* SSL connection using TLSv1.3 / TLS_AES_256_GCM_SHA384 / X25519 / RSASSA-PSS"),
            Some(vec![Item::Tls(TlsFact::Protocol {
                version: "TLSv1.3".into(),
                cipher: "TLS_AES_256_GCM_SHA384".into()
            })])
        );
        assert_eq!(
            line("*  expire date: Mar  1 12:00:00 2025 GMT"),
            Some(vec![Item::Tls(TlsFact::Expires(
                "Mar  1 12:00:00 2025 GMT".into()
            ))])
        );
        assert_eq!(line("{ [5 bytes data]"), None);
        assert_eq!(line("hello"), None);
    }
}
