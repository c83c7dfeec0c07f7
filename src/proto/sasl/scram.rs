//! SCRAM-SHA-1 and SCRAM-SHA-256 (RFC 5802, RFC 7677), without channel binding (`n,,`).
//! The server's signature is verified: a server that cannot prove it knows the password's
//! derived key is not the one the password was set on.

use base64::Engine;
use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::{Digest, Sha256};

use super::Mechanism;

/// The hash a SCRAM variant uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hash {
    Sha1,
    Sha256,
}

/// Iteration counts above this are refused: a hostile server could make the client spin.
pub const MAX_ITERATIONS: u32 = 1_000_000;

/// What the exchange established about the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Not got that far.
    Pending,
    /// The server's signature (`v=`) verified.
    Verified,
    /// `v=` did not match: the server does not know the password's derived key.
    SignatureMismatch,
    /// The server answered `e=` (RFC 5802 §7).
    ServerError(String),
}

pub struct Scram {
    hash: Hash,
    user: String,
    password: String,
    client_nonce: String,
    /// `client-first-message-bare`, `server-first-message` and the final message without
    /// proof, kept for the AuthMessage.
    first_bare: String,
    server_signature: Option<Vec<u8>>,
    pub verdict: Verdict,
    /// The iteration count the server asked for.
    pub iterations: Option<u32>,
}

impl Scram {
    /// `client_nonce` must be fresh and random for each exchange (RFC 5802 §5.1).
    pub fn new(hash: Hash, user: &str, password: &str, client_nonce: &str) -> Self {
        Scram {
            hash,
            user: user.into(),
            password: password.into(),
            client_nonce: client_nonce.into(),
            first_bare: String::new(),
            server_signature: None,
            verdict: Verdict::Pending,
            iterations: None,
        }
    }

    fn server_first(&mut self, msg: &str) -> Result<Vec<u8>, String> {
        let attrs = attributes(msg);
        if let Some(e) = attrs.get("e") {
            self.verdict = Verdict::ServerError(e.to_string());
            return Err(format!("the server refused: e={e}"));
        }
        let nonce = attrs
            .get("r")
            .ok_or("no nonce (r=) in the server's first message")?;
        if !nonce.starts_with(&self.client_nonce) || nonce.len() == self.client_nonce.len() {
            return Err("the server's nonce does not extend the client's (RFC 5802 §5.1)".into());
        }
        let salt = b64d(attrs.get("s").ok_or("no salt (s=)")?)?;
        let iterations: u32 = attrs
            .get("i")
            .and_then(|i| i.parse().ok())
            .ok_or("no iteration count (i=)")?;
        self.iterations = Some(iterations);
        if iterations == 0 || iterations > MAX_ITERATIONS {
            return Err(format!(
                "iteration count {iterations} refused (1 to {MAX_ITERATIONS})"
            ));
        }
        let salted = self.salted_password(&salt, iterations);
        let without_proof = format!("c=biws,r={nonce}");
        let auth_message = format!("{},{msg},{without_proof}", self.first_bare);
        let client_key = self.hmac(&salted, b"Client Key");
        let stored_key = self.digest(&client_key);
        let signature = self.hmac(&stored_key, auth_message.as_bytes());
        let proof: Vec<u8> = client_key
            .iter()
            .zip(&signature)
            .map(|(a, b)| a ^ b)
            .collect();
        let server_key = self.hmac(&salted, b"Server Key");
        self.server_signature = Some(self.hmac(&server_key, auth_message.as_bytes()));
        Ok(format!("{without_proof},p={}", b64e(&proof)).into_bytes())
    }

    fn server_final(&mut self, msg: &str) -> Result<Vec<u8>, String> {
        let attrs = attributes(msg);
        if let Some(e) = attrs.get("e") {
            self.verdict = Verdict::ServerError(e.to_string());
            return Ok(Vec::new());
        }
        let got = b64d(attrs.get("v").ok_or("no server signature (v=)")?)?;
        if Some(&got) == self.server_signature.as_ref() {
            self.verdict = Verdict::Verified;
            Ok(Vec::new())
        } else {
            self.verdict = Verdict::SignatureMismatch;
            Err("the server's signature does not verify".into())
        }
    }

    fn salted_password(&self, salt: &[u8], iterations: u32) -> Vec<u8> {
        match self.hash {
            Hash::Sha1 => {
                let mut out = [0u8; 20];
                pbkdf2::pbkdf2_hmac::<Sha1>(self.password.as_bytes(), salt, iterations, &mut out);
                out.to_vec()
            }
            Hash::Sha256 => {
                let mut out = [0u8; 32];
                pbkdf2::pbkdf2_hmac::<Sha256>(self.password.as_bytes(), salt, iterations, &mut out);
                out.to_vec()
            }
        }
    }

    fn hmac(&self, key: &[u8], data: &[u8]) -> Vec<u8> {
        match self.hash {
            Hash::Sha1 => {
                let mut m = Hmac::<Sha1>::new_from_slice(key).expect("HMAC takes any key");
                m.update(data);
                m.finalize().into_bytes().to_vec()
            }
            Hash::Sha256 => {
                let mut m = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key");
                m.update(data);
                m.finalize().into_bytes().to_vec()
            }
        }
    }

    fn digest(&self, data: &[u8]) -> Vec<u8> {
        match self.hash {
            Hash::Sha1 => Sha1::digest(data).to_vec(),
            Hash::Sha256 => Sha256::digest(data).to_vec(),
        }
    }
}

impl Mechanism for Scram {
    fn name(&self) -> &'static str {
        match self.hash {
            Hash::Sha1 => "SCRAM-SHA-1",
            Hash::Sha256 => "SCRAM-SHA-256",
        }
    }

    fn initial(&mut self) -> Option<Vec<u8>> {
        self.first_bare = format!("n={},r={}", saslname(&self.user), self.client_nonce);
        Some(format!("n,,{}", self.first_bare).into_bytes())
    }

    fn step(&mut self, challenge: &[u8]) -> Result<Vec<u8>, String> {
        let msg = std::str::from_utf8(challenge).map_err(|_| "a challenge that is not UTF-8")?;
        if self.server_signature.is_none() {
            self.server_first(msg)
        } else {
            self.server_final(msg)
        }
    }
}

/// RFC 5802 §5.1: `=` and `,` in a user name are escaped.
fn saslname(user: &str) -> String {
    user.replace('=', "=3D").replace(',', "=2C")
}

/// `a=v,b=w`: split on commas, then on the first `=` only (a nonce may contain `=`).
fn attributes(msg: &str) -> std::collections::HashMap<&str, &str> {
    msg.split(',').filter_map(|a| a.split_once('=')).collect()
}

fn b64e(b: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(b)
}

fn b64d(s: &str) -> Result<Vec<u8>, String> {
    base64::engine::general_purpose::STANDARD
        .decode(s)
        .map_err(|_| format!("invalid base64 {s:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 5802 §5's SCRAM-SHA-1 example.
    #[test]
    fn rfc5802_example() {
        let mut m = Scram::new(Hash::Sha1, "user", "pencil", "fyko+d2lbbFgONRv9qkxdawL");
        assert_eq!(
            m.initial().unwrap(),
            b"n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL"
        );
        let r = m
            .step(b"r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096")
            .unwrap();
        assert_eq!(
            String::from_utf8(r).unwrap(),
            "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts="
        );
        m.step(b"v=rmF9pqV8S7suAoZWja4dJRkFsKQ=").unwrap();
        assert_eq!(m.verdict, Verdict::Verified);
    }

    /// RFC 7677 §3's SCRAM-SHA-256 example.
    #[test]
    fn rfc7677_example() {
        let mut m = Scram::new(Hash::Sha256, "user", "pencil", "rOprNGfwEbeRWgbNEkqO");
        m.initial();
        let r = m
            .step(b"r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096")
            .unwrap();
        assert_eq!(
            String::from_utf8(r).unwrap(),
            "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="
        );
        assert!(m
            .step(b"v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")
            .is_ok());
        assert_eq!(m.verdict, Verdict::Verified);
    }

    #[test]
    fn a_wrong_signature_a_foreign_nonce_and_huge_iterations_are_refused() {
        let mut m = Scram::new(Hash::Sha1, "user", "pencil", "fyko+d2lbbFgONRv9qkxdawL");
        m.initial();
        m.step(b"r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096")
            .unwrap();
        assert!(m.step(b"v=AAAAAAAAAAAAAAAAAAAAAAAAAAA=").is_err());
        assert_eq!(m.verdict, Verdict::SignatureMismatch);
        let mut m = Scram::new(Hash::Sha1, "user", "pencil", "abc");
        m.initial();
        assert!(m.step(b"r=xyz123,s=QSXCR+Q6sek8bf92,i=4096").is_err());
        let mut m = Scram::new(Hash::Sha1, "user", "pencil", "abc");
        m.initial();
        assert!(m.step(b"r=abcdef,s=QSXCR+Q6sek8bf92,i=4000000000").is_err());
    }

    #[test]
    fn names_are_escaped_and_attributes_split_on_the_first_equals() {
        assert_eq!(saslname("a=b,c"), "a=3Db=2Cc");
        let a = attributes("r=ab=c\"`\\,s=xx==,i=1");
        assert_eq!(a["r"], "ab=c\"`\\");
        assert_eq!(a["s"], "xx==");
    }
}
