//! The emulator's certificate: given with --tls-cert/--tls-key, or generated (self-signed,
//! for localhost, 127.0.0.1 and the host names the profiles' referrals name) at start.

use std::path::Path;

use openssl::asn1::Asn1Time;
use openssl::bn::{BigNum, MsbOption};
use openssl::error::ErrorStack;
use openssl::hash::MessageDigest;
use openssl::pkey::{PKey, Private};
use openssl::rsa::Rsa;
use openssl::ssl::{SslAcceptor, SslFiletype, SslMethod};
use openssl::x509::extension::SubjectAlternativeName;
use openssl::x509::{X509NameBuilder, X509};

/// An acceptor and the PEM of its certificate (which a client may add as a trust anchor).
pub struct ServerTls {
    pub acceptor: SslAcceptor,
    pub cert_pem: Vec<u8>,
}

pub fn from_files(cert: &Path, key: &Path) -> Result<ServerTls, String> {
    let mut b =
        SslAcceptor::mozilla_intermediate_v5(SslMethod::tls_server()).map_err(|e| e.to_string())?;
    b.set_certificate_chain_file(cert)
        .map_err(|e| format!("--tls-cert {}: {e}", cert.display()))?;
    b.set_private_key_file(key, SslFiletype::PEM)
        .map_err(|e| format!("--tls-key {}: {e}", key.display()))?;
    let cert_pem = std::fs::read(cert).map_err(|e| e.to_string())?;
    Ok(ServerTls {
        acceptor: b.build(),
        cert_pem,
    })
}

pub fn generated() -> Result<ServerTls, ErrorStack> {
    let key = PKey::from_rsa(Rsa::generate(2048)?)?;
    let cert = self_signed(&key)?;
    let mut b = SslAcceptor::mozilla_intermediate_v5(SslMethod::tls_server())?;
    b.set_private_key(&key)?;
    b.set_certificate(&cert)?;
    Ok(ServerTls {
        acceptor: b.build(),
        cert_pem: cert.to_pem()?,
    })
}

fn self_signed(key: &PKey<Private>) -> Result<X509, ErrorStack> {
    let mut name = X509NameBuilder::new()?;
    name.append_entry_by_text("CN", "localhost")?;
    name.append_entry_by_text("O", "imapdiag emulator")?;
    let name = name.build();
    let mut b = X509::builder()?;
    b.set_version(2)?;
    let mut serial = BigNum::new()?;
    serial.rand(64, MsbOption::MAYBE_ZERO, false)?;
    let serial = serial.to_asn1_integer()?;
    b.set_serial_number(&serial)?;
    b.set_subject_name(&name)?;
    b.set_issuer_name(&name)?;
    b.set_pubkey(key)?;
    let (from, to) = (Asn1Time::days_from_now(0)?, Asn1Time::days_from_now(365)?);
    b.set_not_before(&from)?;
    b.set_not_after(&to)?;
    let san = SubjectAlternativeName::new()
        .dns("localhost")
        // KB217388's home server, played by the referral profile's second listener, so a
        // client that follows the referral (with --connect-to) can verify it.
        .dns("reedlm1.reedlm1.com")
        .ip("127.0.0.1")
        .ip("::1")
        .build(&b.x509v3_context(None, None))?;
    b.append_extension(san)?;
    b.sign(key, MessageDigest::sha256())?;
    Ok(b.build())
}
