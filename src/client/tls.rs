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
use openssl::ssl::{SslConnector, SslMethod, SslVerifyMode, SslVersion};
use openssl::x509::{X509NameRef, X509Ref, X509VerifyResult, X509};
use tokio::net::TcpStream;
use tokio_openssl::SslStream;

use crate::settings::TlsSettings;

/// What a handshake negotiated and saw, whether or not it completed. The report writes
/// it as its TLS section (`report::TlsInfo`); here it is only facts.
#[derive(Debug, Clone, Default)]
pub struct Negotiated {
    pub version: Option<String>,
    pub cipher: Option<String>,
    /// True when the certificate chain and the host name verified.
    pub verified: bool,
    /// Why certificate verification failed (chain, name, validity), if it did.
    pub verify_error: Option<String>,
    /// Why the handshake failed, when it did; apart from `verify_error` so a protocol
    /// failure after the certificate was seen is not taken for a verification failure.
    pub handshake_error: Option<String>,
    pub certificate: Option<PeerCertificate>,
}

/// The server's leaf certificate, as read during the handshake.
#[derive(Debug, Clone, Default)]
pub struct PeerCertificate {
    pub subject: String,
    pub issuer: String,
    pub not_after: String,
    /// Whole days from now until `not_after` (negative once expired).
    pub days_left: i64,
    /// `not_after` as seconds since the Unix epoch.
    pub not_after_unix: Option<i64>,
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
    pub info: Negotiated,
}

/// The client's TLS configuration, shared by every connection of a run: the trust roots
/// (the platform's, and `--ca-file`) and the protocol policy. The platform's store is read
/// on the first handshake, once per run, and not at all by a run that never starts TLS.
#[derive(Clone)]
pub struct Connector {
    ca_file: Option<std::path::PathBuf>,
    legacy: bool,
    built: Arc<std::sync::OnceLock<Result<SslConnector, String>>>,
}

impl std::fmt::Debug for Connector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Connector")
    }
}

impl Connector {
    fn get(&self) -> Result<SslConnector, String> {
        self.built
            .get_or_init(|| build(self.ca_file.as_deref(), self.legacy))
            .clone()
    }
}

/// The run's connector; an unusable `--ca-file` is reported now, before any connection.
pub fn connector(settings: &TlsSettings) -> Result<Connector, String> {
    if let Some(ca) = &settings.ca_file {
        let pem = std::fs::read(ca)
            .map_err(|e| format!("cannot load --ca-file {}: {e}", ca.display()))?;
        if X509::stack_from_pem(&pem).map_or(true, |certs| certs.is_empty()) {
            return Err(format!(
                "cannot load --ca-file {}: no PEM certificate in it",
                ca.display()
            ));
        }
    }
    Ok(Connector {
        ca_file: settings.ca_file.clone(),
        legacy: settings.legacy,
        built: Arc::default(),
    })
}

/// Builds the connector: OpenSSL's default verify paths, the platform's root store
/// (rustls-native-certs: Windows' and macOS' stores, the probed bundle elsewhere), the
/// `--ca-file` anchors, and TLS 1.2 or later unless `--tls-legacy` (RFC 8996).
fn build(ca_file: Option<&std::path::Path>, legacy: bool) -> Result<SslConnector, String> {
    let mut builder = SslConnector::builder(SslMethod::tls_client()).map_err(|e| e.to_string())?;
    for der in rustls_native_certs::load_native_certs().certs {
        if let Ok(cert) = X509::from_der(&der) {
            // A root already in OpenSSL's store is a duplicate, not an error.
            let _ = builder.cert_store_mut().add_cert(cert);
        }
    }
    if let Some(ca) = ca_file {
        builder
            .set_ca_file(ca)
            .map_err(|e| format!("cannot load --ca-file {}: {e}", ca.display()))?;
    }
    if legacy {
        // Exchange 2000/2003-era servers: TLS 1.0 and SHA-1/RSA-1024 certificates.
        builder.set_security_level(0);
        builder
            .set_cipher_list("DEFAULT:@SECLEVEL=0")
            .map_err(|e| e.to_string())?;
        builder
            .set_min_proto_version(Some(SslVersion::TLS1))
            .map_err(|e| e.to_string())?;
    } else {
        builder
            .set_min_proto_version(Some(SslVersion::TLS1_2))
            .map_err(|e| e.to_string())?;
    }
    Ok(builder.build())
}

/// Performs the client handshake for `host` over `tcp`.
pub async fn handshake(tcp: TcpStream, host: &str, settings: &TlsSettings) -> Handshake {
    let observed = Arc::new(Mutex::new(Observed::default()));
    let stream = match new_stream(tcp, host, settings, observed.clone()) {
        Ok(mut stream) => match Pin::new(&mut stream).connect().await {
            Ok(()) => Ok(stream),
            Err(e) => Err(handshake_failure(&e)),
        },
        Err(e) => Err(e),
    };
    let observed = std::mem::take(&mut *observed.lock().unwrap_or_else(|e| e.into_inner()));
    let mut info = Negotiated {
        verified: stream.is_ok() && observed.first_error.is_none(),
        verify_error: observed.first_error,
        certificate: observed.leaf.as_deref().map(certificate_info),
        ..Negotiated::default()
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
    let built;
    let connector = match &settings.connector {
        Some(c) => c,
        None => {
            built = connector(settings)?;
            &built
        }
    };
    let mut ssl = connector
        .get()?
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
            let result = ctx.error();
            seen.first_error = Some(format!(
                "{}: {} (certificate depth {})",
                category(result),
                result.error_string(),
                ctx.error_depth()
            ));
        }
        ok || insecure
    });
    SslStream::new(ssl, tcp).map_err(|e| e.to_string())
}

/// The reasons an administrator acts on differently: who signed it, which names it
/// carries, when it is valid, and whether it is too weak. By OpenSSL's verify result codes
/// (`X509_V_ERR_*` of x509_vfy.h), never by the words of their messages.
fn category(result: X509VerifyResult) -> &'static str {
    match result.as_raw() {
        // HOSTNAME_MISMATCH, EMAIL_MISMATCH, IP_ADDRESS_MISMATCH
        62..=64 => "name mismatch",
        // CERT_NOT_YET_VALID, CERT_HAS_EXPIRED, CRL_NOT_YET_VALID, CRL_HAS_EXPIRED
        9..=12 => "outside its validity period",
        // UNABLE_TO_GET_ISSUER_CERT, ..._LOCALLY, DEPTH_ZERO_SELF_SIGNED_CERT,
        // SELF_SIGNED_CERT_IN_CHAIN, UNABLE_TO_VERIFY_LEAF_SIGNATURE, CERT_UNTRUSTED
        2 | 18..=21 | 27 => "untrusted issuer",
        // EE_KEY_TOO_SMALL, CA_KEY_TOO_SMALL, CA_MD_TOO_WEAK
        66..=68 => "too weak for this client's security level",
        _ => "verification failed",
    }
}

/// A failed handshake in words that say what is wrong, from the reason codes of OpenSSL's
/// error stack (`SSL_R_*` of sslerr.h): an old protocol version or signature algorithm is
/// named as such, with `--tls-legacy` as the way on.
fn handshake_failure(e: &openssl::ssl::Error) -> String {
    let reasons: Vec<i32> = e
        .ssl_error()
        .map(|stack| stack.errors().iter().map(|x| x.reason_code()).collect())
        .unwrap_or_default();
    let too_old = |code: &i32| {
        matches!(
            code,
            // UNSUPPORTED_PROTOCOL, NO_PROTOCOLS_AVAILABLE, TLSV1_ALERT_PROTOCOL_VERSION,
            // NO_SUITABLE_SIGNATURE_ALGORITHM, LEGACY_SIGALG_DISALLOWED_OR_UNSUPPORTED,
            // DH_KEY_TOO_SMALL, NO_SHARED_CIPHER, WRONG_SIGNATURE_TYPE
            258 | 191 | 1070 | 118 | 333 | 394 | 193 | 370
        )
    };
    if reasons.iter().any(too_old) {
        return format!("{LEGACY_PREFIX}: {e}");
    }
    e.to_string()
}

/// How a handshake refused for an old protocol version, cipher or signature algorithm is
/// reported (the diagnosis matches on it to name the cause).
pub const LEGACY_PREFIX: &str =
    "the server offers only a protocol version, cipher or signature algorithm that is too old (TLS < 1.2, RFC 8996)";

/// Whether a negotiated cipher lacks forward secrecy: TLS 1.3 suites always have it; before
/// TLS 1.3 only the (EC)DHE key exchanges do.
pub fn lacks_forward_secrecy(version: &str, cipher: &str) -> bool {
    version != "TLSv1.3" && !(cipher.starts_with("ECDHE-") || cipher.starts_with("DHE-"))
}

/// Versions RFC 8996 deprecates.
pub fn is_obsolete_version(version: &str) -> bool {
    matches!(version, "SSLv3" | "TLSv1" | "TLSv1.1")
}

fn certificate_info(cert: &X509Ref) -> PeerCertificate {
    let days_left = Asn1Time::days_from_now(0)
        .ok()
        .and_then(|now| now.diff(cert.not_after()).ok())
        .map(|d| i64::from(d.days))
        .unwrap_or(0);
    let not_after_unix = Asn1Time::from_unix(0)
        .ok()
        .and_then(|epoch| epoch.diff(cert.not_after()).ok())
        .map(|d| i64::from(d.days) * 86_400 + i64::from(d.secs));
    PeerCertificate {
        subject: name(cert.subject_name()),
        issuer: name(cert.issuer_name()),
        not_after: cert.not_after().to_string(),
        days_left,
        not_after_unix,
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
