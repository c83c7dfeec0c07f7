//! CRAM-MD5 (RFC 2195): `user SP hex(HMAC-MD5(password, challenge))`. Legacy: the server
//! must store the password in a recoverable form, and a recorded exchange can be attacked
//! offline; it is reported as such.

use hmac::{Hmac, Mac};
use md5::Md5;

use super::{hex, Mechanism};

pub struct CramMd5 {
    user: String,
    password: String,
}

impl CramMd5 {
    pub fn new(user: &str, password: &str) -> Self {
        CramMd5 {
            user: user.into(),
            password: password.into(),
        }
    }
}

impl Mechanism for CramMd5 {
    fn name(&self) -> &'static str {
        "CRAM-MD5"
    }

    fn initial(&mut self) -> Option<Vec<u8>> {
        None
    }

    fn step(&mut self, challenge: &[u8]) -> Result<Vec<u8>, String> {
        let mut mac =
            Hmac::<Md5>::new_from_slice(self.password.as_bytes()).map_err(|e| e.to_string())?;
        mac.update(challenge);
        let digest = hex(&mac.finalize().into_bytes());
        Ok(format!("{} {digest}", self.user).into_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 2195 §2's example.
    #[test]
    fn rfc2195_example() {
        let mut m = CramMd5::new("tim", "tanstaaftanstaaf");
        let r = m
            .step(b"<1896.697170952@postoffice.reston.mci.net>")
            .unwrap();
        assert_eq!(r, b"tim b913a602c7eda7a495b4e6e7334d3890");
    }
}
