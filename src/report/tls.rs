//! The TLS section of the report: what the handshake negotiated and what the certificate
//! says. The client core learns these facts (`client::tls::Negotiated`); the report owns
//! how they are written, so the JSON schema is defined here alone.

use schemars::JsonSchema;
use serde::Serialize;

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
    /// `not_after` as seconds since the Unix epoch.
    pub not_after_unix: Option<i64>,
    pub san: Vec<String>,
}
