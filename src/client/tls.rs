//! TLS with OpenSSL: verified by default, and when verification fails the reason is kept
//! (and, with `--insecure`, the session goes on in the same connection so the report can
//! show what the server offered).
//!
//! The design card named tokio-native-tls; on Linux it wraps the same OpenSSL but hides
//! what a diagnosis needs: the negotiated protocol version and cipher, and the verify
//! result of a handshake that was allowed to continue. So the `openssl` crate is used
//! directly.

use std::net::IpAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use openssl::asn1::Asn1Time;
use openssl::ssl::{SslConnector, SslMethod, SslVerifyMode};
use openssl::x509::{X509NameRef, X509Ref, X509};
use schemars::JsonSchema;
use serde::Serialize;
use tokio::net::TcpStream;
use tokio_openssl::SslStream;

use crate::settings::TlsSettings;

#[derive(Debug, Clone, Default, Serialize, JsonSchema)]
pub struct TlsInfo {
    pub version: Option<String>,
    pub cipher: Option<String>,
    /// True when the certificate chain and the host name verified.
    pub verified: bool,
    /// Why certificate verification failed (chain, name, validity), if it did.
    pub verify_error: Option<String>,
    /// Why the handshake failed, when it did; apart from `verify_error` so a protocol
    /// failure after the certificate was seen is not taken for a verification failure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handshake_error: Option<String>,
    pub certificate: Option<CertificateInfo>,
}

#[derive(Debug, Clone, Default, Serialize, JsonSchema)]
pub struct CertificateInfo {
    pub subject: String,
    pub issuer: String,
    pub not_after: String,
    /// Whole days from now until `not_after` (negative once expired).
    pub days_left: i64,
    pub san: Vec<String>,
}

/// What the verify callback saw, kept even when the handshake fails.
#[derive(Default)]
struct Observed {
    first_error: Option<String>,
    leaf: Option<X509>,
}

/// The handshake's result: a stream when it completed, and what was learnt either way.
pub struct Handshake {
    pub stream: Result<SslStream<TcpStream>, String>,
    pub info: TlsInfo,
}

/// Performs the client handshake for `host` over `tcp`.
pub async fn handshake(tcp: TcpStream, host: &str, settings: &TlsSettings) -> Handshake {
    let observed = Arc::new(Mutex::new(Observed::default()));
    let stream = match new_stream(tcp, host, settings, observed.clone()) {
        Ok(mut stream) => match Pin::new(&mut stream).connect().await {
            Ok(()) => Ok(stream),
            Err(e) => Err(e.to_string()),
        },
        Err(e) => Err(e),
    };
    let observed = std::mem::take(&mut *observed.lock().unwrap_or_else(|e| e.into_inner()));
    let mut info = TlsInfo {
        verified: stream.is_ok() && observed.first_error.is_none(),
        verify_error: observed.first_error,
        certificate: observed.leaf.as_deref().map(certificate_info),
        ..TlsInfo::default()
    };
    if let Ok(s) = &stream {
        let ssl = s.ssl();
        info.version = Some(ssl.version_str().to_string());
        info.cipher = ssl.current_cipher().map(|c| c.name().to_string());
        if info.certificate.is_none() {
            info.certificate = ssl.peer_certificate().as_deref().map(certificate_info);
        }
    }
    Handshake { stream, info }
}

fn new_stream(
    tcp: TcpStream,
    host: &str,
    settings: &TlsSettings,
    observed: Arc<Mutex<Observed>>,
) -> Result<SslStream<TcpStream>, String> {
    let mut builder = SslConnector::builder(SslMethod::tls_client()).map_err(|e| e.to_string())?;
    if let Some(ca) = &settings.ca_file {
        builder
            .set_ca_file(ca)
            .map_err(|e| format!("cannot load --ca-file {}: {e}", ca.display()))?;
    }
    let mut ssl = builder
        .build()
        .configure()
        .and_then(|c| c.into_ssl(host))
        .map_err(|e| e.to_string())?;
    let insecure = settings.insecure;
    // RFC 3501 §11.1: the server's identity is checked against the certificate; OpenSSL
    // does the chain and host-name checks, this callback only records what failed.
    ssl.set_verify_callback(SslVerifyMode::PEER, move |ok, ctx| {
        let mut seen = observed.lock().unwrap_or_else(|e| e.into_inner());
        if ctx.error_depth() == 0 && seen.leaf.is_none() {
            seen.leaf = ctx.current_cert().map(|c| c.to_owned());
        }
        if !ok && seen.first_error.is_none() {
            let reason = ctx.error().error_string();
            seen.first_error = Some(format!(
                "{}: {reason} (certificate depth {})",
                category(reason),
                ctx.error_depth()
            ));
        }
        ok || insecure
    });
    SslStream::new(ssl, tcp).map_err(|e| e.to_string())
}

/// The three reasons an administrator acts on differently (issue #2): who signed it,
/// which names it carries, and when it is valid.
fn category(reason: &str) -> &'static str {
    let r = reason.to_ascii_lowercase();
    if r.contains("mismatch") {
        "name mismatch"
    } else if r.contains("expired") || r.contains("not yet valid") {
        "outside its validity period"
    } else if r.contains("issuer")
        || r.contains("self-signed")
        || r.contains("self signed")
        || r.contains("untrusted")
    {
        "untrusted issuer"
    } else {
        "verification failed"
    }
}

fn certificate_info(cert: &X509Ref) -> CertificateInfo {
    let days_left = Asn1Time::days_from_now(0)
        .ok()
        .and_then(|now| now.diff(cert.not_after()).ok())
        .map(|d| i64::from(d.days))
        .unwrap_or(0);
    CertificateInfo {
        subject: name(cert.subject_name()),
        issuer: name(cert.issuer_name()),
        not_after: cert.not_after().to_string(),
        days_left,
        san: subject_alt_names(cert),
    }
}

fn name(n: &X509NameRef) -> String {
    n.entries()
        .map(|e| {
            let key = e.object().nid().short_name().unwrap_or("?");
            let value = e.data().to_string().unwrap_or_default();
            format!("{key}={value}")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn subject_alt_names(cert: &X509Ref) -> Vec<String> {
    let Some(names) = cert.subject_alt_names() else {
        return Vec::new();
    };
    names
        .iter()
        .filter_map(|n| {
            if let Some(dns) = n.dnsname() {
                return Some(format!("DNS:{dns}"));
            }
            let ip = n.ipaddress()?;
            let addr: IpAddr = match ip.len() {
                4 => <[u8; 4]>::try_from(ip).ok()?.into(),
                16 => <[u8; 16]>::try_from(ip).ok()?.into(),
                _ => return None,
            };
            Some(format!("IP:{addr}"))
        })
        .collect()
}
