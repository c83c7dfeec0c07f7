//! Redaction by value: a server that echoes a credential back (`NO LOGIN alice hunter2`,
//! the base64 of a SASL response in an error text) must not make it reach an output. The
//! client knows its secrets, so every received message is scrubbed of each of their forms
//! before anything keeps it.

use base64::Engine;

use crate::secret::REDACTED;

/// The byte strings that give a secret away, longest first (so that a base64 form is
/// replaced whole, not around a raw form inside it).
#[derive(Debug, Clone, Default)]
pub struct KnownSecrets {
    forms: Vec<Vec<u8>>,
}

/// A raw value shorter than this is not searched for: it would match ordinary words. Its
/// encoded forms are still searched.
pub const MIN_RAW_LEN: usize = 3;

impl KnownSecrets {
    /// The forms of `password` as sent for `user`: the value, its quoted-string escape
    /// (RFC 3501 §4.3), its base64, and the base64 of the SASL PLAIN message (RFC 4616).
    pub fn add_password(&mut self, user: Option<&str>, password: &str) {
        if password.is_empty() {
            return;
        }
        let b64 = |b: &[u8]| {
            base64::engine::general_purpose::STANDARD
                .encode(b)
                .into_bytes()
        };
        if password.len() >= MIN_RAW_LEN {
            self.push(password.as_bytes().to_vec());
            let quoted = password.replace('\\', "\\\\").replace('"', "\\\"");
            self.push(quoted.into_bytes());
        }
        self.push(b64(password.as_bytes()));
        if let Some(user) = user {
            self.push(b64(format!("\0{user}\0{password}").as_bytes()));
            self.push(b64(format!("{user}\0{user}\0{password}").as_bytes()));
        }
    }

    /// A secret given as bytes (a token, a SASL response): itself and its base64.
    pub fn add_bytes(&mut self, secret: &[u8]) {
        if secret.len() >= MIN_RAW_LEN {
            self.push(secret.to_vec());
        }
        if !secret.is_empty() {
            self.push(
                base64::engine::general_purpose::STANDARD
                    .encode(secret)
                    .into_bytes(),
            );
        }
    }

    fn push(&mut self, form: Vec<u8>) {
        if !self.forms.contains(&form) {
            self.forms.push(form);
            self.forms.sort_by_key(|f| std::cmp::Reverse(f.len()));
        }
    }

    pub fn is_empty(&self) -> bool {
        self.forms.is_empty()
    }

    /// `bytes` with every form replaced by `<redacted>`; `None` when nothing matched.
    pub fn scrub(&self, bytes: &[u8]) -> Option<Vec<u8>> {
        let mut out: Option<Vec<u8>> = None;
        for form in &self.forms {
            let current = out.as_deref().unwrap_or(bytes);
            if let Some(replaced) = replace_all(current, form) {
                out = Some(replaced);
            }
        }
        out
    }
}

fn replace_all(hay: &[u8], needle: &[u8]) -> Option<Vec<u8>> {
    let first = find(hay, needle, 0)?;
    let mut out = Vec::with_capacity(hay.len());
    let mut from = 0;
    let mut at = Some(first);
    while let Some(i) = at {
        out.extend_from_slice(&hay[from..i]);
        out.extend_from_slice(REDACTED.as_bytes());
        from = i + needle.len();
        at = find(hay, needle, from);
    }
    out.extend_from_slice(&hay[from..]);
    Some(out)
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| i + from)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known() -> KnownSecrets {
        let mut k = KnownSecrets::default();
        k.add_password(Some("alice"), "hunter\"2");
        k
    }

    #[test]
    fn every_form_is_scrubbed() {
        let k = known();
        let echo = b"a1 NO LOGIN alice \"hunter\\\"2\" rejected; hunter\"2 aHVudGVyIjI= AGFsaWNlAGh1bnRlciIy\r\n";
        let out = String::from_utf8(k.scrub(echo).unwrap()).unwrap();
        assert_eq!(
            out,
            "a1 NO LOGIN alice \"<redacted>\" rejected; <redacted> <redacted> <redacted>\r\n"
        );
    }

    #[test]
    fn untouched_text_is_not_copied_and_short_passwords_only_by_encoding() {
        assert!(known().scrub(b"* OK ready\r\n").is_none());
        let mut k = KnownSecrets::default();
        k.add_password(Some("a"), "pw");
        assert!(k.scrub(b"* OK pwd is fine\r\n").is_none());
        assert!(k.scrub(b"* NO cHc=\r\n").is_some());
    }
}
