//! A throwaway test CA and a server certificate for `localhost` / 127.0.0.1 signed by it,
//! made once per test binary. Not in the system trust store: verification fails unless
//! the CA is given with --ca-file.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use openssl::asn1::Asn1Time;
use openssl::bn::{BigNum, MsbOption};
use openssl::hash::MessageDigest;
use openssl::pkey::{PKey, Private};
use openssl::rsa::Rsa;
use openssl::x509::extension::{BasicConstraints, SubjectAlternativeName};
use openssl::x509::{X509NameBuilder, X509};

pub struct Pki {
    pub dir: PathBuf,
    pub ca_cert: PathBuf,
    pub server_cert: PathBuf,
    pub server_key: PathBuf,
    _tmp: tempfile::TempDir,
}

pub fn pki() -> &'static Pki {
    static PKI: OnceLock<Pki> = OnceLock::new();
    PKI.get_or_init(make)
}

fn key() -> PKey<Private> {
    PKey::from_rsa(Rsa::generate(2048).unwrap()).unwrap()
}

fn cert(cn: &str, key: &PKey<Private>, issuer: Option<(&X509, &PKey<Private>)>, ca: bool) -> X509 {
    let mut name = X509NameBuilder::new().unwrap();
    name.append_entry_by_text("CN", cn).unwrap();
    let name = name.build();
    let mut b = X509::builder().unwrap();
    b.set_version(2).unwrap();
    let mut serial = BigNum::new().unwrap();
    serial.rand(64, MsbOption::MAYBE_ZERO, false).unwrap();
    b.set_serial_number(&serial.to_asn1_integer().unwrap())
        .unwrap();
    b.set_subject_name(&name).unwrap();
    b.set_pubkey(key).unwrap();
    b.set_not_before(&Asn1Time::days_from_now(0).unwrap())
        .unwrap();
    b.set_not_after(&Asn1Time::days_from_now(365).unwrap())
        .unwrap();
    if ca {
        b.append_extension(BasicConstraints::new().critical().ca().build().unwrap())
            .unwrap();
    } else {
        let san = SubjectAlternativeName::new()
            .dns("localhost")
            .ip("127.0.0.1")
            .build(&b.x509v3_context(issuer.map(|i| &**i.0), None))
            .unwrap();
        b.append_extension(san).unwrap();
    }
    match issuer {
        Some((icert, ikey)) => {
            b.set_issuer_name(icert.subject_name()).unwrap();
            b.sign(ikey, MessageDigest::sha256()).unwrap();
        }
        None => {
            b.set_issuer_name(&name).unwrap();
            b.sign(key, MessageDigest::sha256()).unwrap();
        }
    }
    b.build()
}

fn make() -> Pki {
    let tmp = tempfile::Builder::new()
        .prefix("imapdiag-pki")
        .tempdir()
        .unwrap();
    let dir = tmp.path().to_path_buf();
    let ca_key = key();
    let ca = cert("imapdiag test CA", &ca_key, None, true);
    let server_key = key();
    let server = cert("localhost", &server_key, Some((&ca, &ca_key)), false);
    let write = |name: &str, bytes: Vec<u8>| -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    };
    let ca_cert = write("ca.pem", ca.to_pem().unwrap());
    let server_cert = write("server.pem", server.to_pem().unwrap());
    let server_key = write("server.key", server_key.private_key_to_pem_pkcs8().unwrap());
    allow_read(&dir);
    Pki {
        dir,
        ca_cert,
        server_cert,
        server_key,
        _tmp: tmp,
    }
}

/// Dovecot reads the key as root before dropping privileges, but keep the files readable.
fn allow_read(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
}
