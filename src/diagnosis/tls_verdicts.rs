//! What a TLS session says about the server, as findings: one judgement for a live
//! handshake (`check`) and for a session a log describes (`analyze` of curl -v).

use super::findings as code;
use crate::client::tls::{is_obsolete_version, lacks_forward_secrecy};
use crate::report::{Finding, Severity, TlsInfo};

/// What was negotiated, judged by RFC 8996 (no TLS before 1.2) and forward secrecy.
pub fn policy(info: &TlsInfo) -> Vec<Finding> {
    let version = info.version.clone().unwrap_or_default();
    let cipher = info.cipher.clone().unwrap_or_default();
    let mut out = Vec::new();
    if is_obsolete_version(&version) {
        out.push(
            Finding::new(code::TLS_VERSION_OBSOLETE, Severity::Warning, format!("the server negotiated {version}, which RFC 8996 deprecates"))
                .remedy("Enable TLS 1.2 and 1.3 on the server and disable TLS 1.0 and 1.1; current clients refuse them."),
        );
    }
    if !cipher.is_empty() && lacks_forward_secrecy(&version, &cipher) {
        out.push(
            Finding::new(code::TLS_NO_FORWARD_SECRECY, Severity::Warning, format!("the cipher {cipher} has no forward secrecy"))
                .detail("Its key exchange is static RSA: anyone who later obtains the server's key can decrypt recorded sessions, passwords included.")
                .remedy("Prefer ECDHE (or DHE) cipher suites on the server, or TLS 1.3."),
        );
    }
    out
}

/// A certificate that expires within `warn_days`.
pub fn expiry(info: &TlsInfo, warn_days: u32) -> Option<Finding> {
    let cert = info.certificate.as_ref()?;
    // Without a known expiry date (a log that gave none) there is nothing to judge.
    cert.not_after_unix?;
    let soon = cert.days_left >= 0 && cert.days_left < i64::from(warn_days);
    soon.then(|| {
        Finding::new(
            code::CERTIFICATE_EXPIRES_SOON,
            Severity::Warning,
            format!("the certificate expires in {} days", cert.days_left),
        )
        .detail(format!("not after {}", cert.not_after))
        .remedy("Renew the certificate before it expires.")
    })
}

/// The certificate did not verify, for `reason`.
pub fn verify_failed(reason: String) -> Finding {
    Finding::new(code::TLS_VERIFY_FAILED, Severity::Critical, "the server's certificate did not verify")
        .detail(reason)
        .remedy("Install a certificate from a trusted CA that names this host, add the issuing CA with --ca-file, or continue anyway with --insecure.")
}

/// The handshake failed, for `reason`.
pub fn handshake_failed(reason: String) -> Finding {
    Finding::new(code::TLS_HANDSHAKE_FAILED, Severity::Critical, "the TLS handshake failed")
        .detail(reason)
        .remedy("Check that this port speaks TLS (993 implicit, 143 STARTTLS) and that the server offers a TLS version and cipher this client accepts.")
}
