//! The TLS section of a report from what a log said about the session (curl's `* SSL
//! connection using ...` and certificate summary, s_client's chain and session block), and
//! the same verdicts a live check gives.

use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime};

use super::formats::TlsFact;
use crate::diagnosis::tls_verdicts;
use crate::report::{CertificateInfo, Finding, TlsInfo};
use crate::settings::CERT_WARN_DAYS;

/// The session the facts describe; `None` when the log said nothing about TLS.
pub fn from_facts(facts: &[TlsFact]) -> Option<TlsInfo> {
    if facts.is_empty() {
        return None;
    }
    let mut info = TlsInfo::default();
    let mut cert = CertificateInfo::default();
    for f in facts {
        match f {
            TlsFact::Protocol { version, cipher } => {
                info.version = Some(version.clone());
                info.cipher = Some(cipher.clone()).filter(|c| !c.is_empty());
            }
            TlsFact::Version(v) => info.version = Some(v.clone()),
            TlsFact::Cipher(c) => info.cipher = Some(c.clone()),
            TlsFact::HandshakeFailed(e) => info.handshake_error = Some(e.clone()),
            TlsFact::Subject(s) => cert.subject = s.clone(),
            TlsFact::Issuer(s) => cert.issuer = s.clone(),
            TlsFact::Expires(s) => expires(&mut cert, s),
            TlsFact::Verified => info.verified = true,
            TlsFact::VerifyFailed(r) => {
                info.verified = false;
                info.verify_error = Some(r.clone());
            }
        }
    }
    if info.handshake_error.is_some() {
        // A verify result printed after a failed handshake verified nothing.
        info.verified = false;
    }
    if !cert.subject.is_empty() || !cert.not_after.is_empty() {
        info.certificate = Some(cert);
    }
    Some(info)
}

/// The live check's verdicts on the session a log described.
pub fn findings(info: &TlsInfo) -> Vec<Finding> {
    if let Some(e) = &info.handshake_error {
        return vec![tls_verdicts::handshake_failed(e.clone())];
    }
    let mut out = tls_verdicts::policy(info);
    out.extend(tls_verdicts::expiry(info, CERT_WARN_DAYS));
    out.extend(info.verify_error.clone().map(tls_verdicts::verify_failed));
    out
}

/// curl's `expire date: Mar  1 12:00:00 2025 GMT`.
fn expires(cert: &mut CertificateInfo, text: &str) {
    cert.not_after = text.to_string();
    let squeezed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let Some(stamp) = squeezed.strip_suffix(" GMT") else {
        return;
    };
    let format = format_description!(
        "[month repr:short] [day padding:none] [hour]:[minute]:[second] [year]"
    );
    let Ok(when) = PrimitiveDateTime::parse(stamp, format) else {
        return;
    };
    let unix = when.assume_utc().unix_timestamp();
    cert.not_after_unix = Some(unix);
    let now = OffsetDateTime::now_utc().unix_timestamp();
    cert.days_left = (unix - now).div_euclid(86_400);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn curl_facts_make_a_tls_section() {
        let info = from_facts(&[
            TlsFact::Protocol {
                version: "TLSv1.3".into(),
                cipher: "TLS_AES_256_GCM_SHA384".into(),
            },
            TlsFact::Subject("CN=imap.example.com".into()),
            TlsFact::Expires("Mar  1 12:00:00 2025 GMT".into()),
            TlsFact::Verified,
        ])
        .unwrap();
        assert_eq!(info.version.as_deref(), Some("TLSv1.3"));
        assert!(info.verified);
        let cert = info.certificate.unwrap();
        assert_eq!(cert.not_after_unix, Some(1_740_830_400));
        assert!(cert.days_left < 0);
        assert!(from_facts(&[]).is_none());
        let failed = from_facts(&[TlsFact::VerifyFailed(
            "unable to get local issuer certificate".into(),
        )])
        .unwrap();
        let codes: Vec<String> = findings(&failed).into_iter().map(|f| f.code).collect();
        assert_eq!(codes, ["tls-verify-failed"]);
    }
}
