//! `openssl s_client`'s own lines about the TLS session, before the server's greeting:
//! the chain block (` 0 s:CN = host` in OpenSSL 3, ` 0 s:/CN=host` before), the verify
//! result, the negotiated protocol and cipher, and a handshake that failed.

use super::TlsFact;

/// What one s_client line says about TLS, if anything.
pub fn tls(line: &str) -> Option<TlsFact> {
    let t = line.trim();
    let field = |k: &str| t.strip_prefix(k).map(|v| v.trim().to_string());
    if let Some(v) = field("0 s:") {
        return Some(TlsFact::Subject(v.trim_start_matches('/').to_string()));
    }
    if let Some(v) = field("Protocol  :").or_else(|| field("Protocol :")) {
        return Some(TlsFact::Version(v));
    }
    if let Some(v) = field("Cipher    :").or_else(|| field("Cipher :")) {
        return (v != "0000" && v != "(NONE)").then_some(TlsFact::Cipher(v));
    }
    if let Some(v) = field("Verify return code:") {
        return Some(match v.split_once(' ') {
            Some(("0", _)) => TlsFact::Verified,
            _ => TlsFact::VerifyFailed(v),
        });
    }
    if let Some(v) = t.strip_prefix("verify error:") {
        return Some(TlsFact::VerifyFailed(v.to_string()));
    }
    // `...:error:0A000102:SSL routines:ssl_choose_client_version:unsupported protocol:...`
    let routine = t.split_once(":SSL routines:")?.1;
    Some(TlsFact::HandshakeFailed(
        routine.split(':').take(2).collect::<Vec<_>>().join(": "),
    ))
}

/// The first line of the chain's leaf (` 0 s:...`) also names the issuer on the next
/// line (`   i:...`); the issuer line alone cannot be told from another certificate's.
pub fn is_s_client(text: &str) -> bool {
    text.lines().take(2_000).any(|l| {
        l.starts_with("CONNECTED(")
            || l.contains("BEGIN CERTIFICATE")
            || l.starts_with("SSL-Session:")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s_client_tls_lines() {
        assert_eq!(
            tls(" 0 s:CN = imap.gmail.com"),
            Some(TlsFact::Subject("CN = imap.gmail.com".into()))
        );
        assert_eq!(
            tls(" 0 s:/CN=redacted.com"),
            Some(TlsFact::Subject("CN=redacted.com".into()))
        );
        assert_eq!(
            tls("    Protocol  : TLSv1.2"),
            Some(TlsFact::Version("TLSv1.2".into()))
        );
        assert_eq!(tls("    Cipher    : 0000"), None);
        assert_eq!(
            tls("    Verify return code: 0 (ok)"),
            Some(TlsFact::Verified)
        );
        assert_eq!(
            tls("verify error:num=19:self signed certificate in certificate chain"),
            Some(TlsFact::VerifyFailed(
                "num=19:self signed certificate in certificate chain".into()
            ))
        );
        assert_eq!(
            tls("008CD6FE01000000:error:0A000102:SSL routines:ssl_choose_client_version:unsupported protocol:ssl/statem/statem_lib.c:2352:"),
            Some(TlsFact::HandshakeFailed("ssl_choose_client_version: unsupported protocol".into()))
        );
        assert_eq!(tls("* OK Dovecot ready."), None);
    }
}
