//! XOAUTH2 (Google's and Microsoft's format) and OAUTHBEARER (RFC 7628). A failed token
//! is answered with a `+` challenge holding a JSON error (RFC 7628 §3.2.2), which the
//! client must acknowledge before the tagged NO; the JSON is kept for the report.

use super::Mechanism;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    XOAuth2,
    OAuthBearer,
}

pub struct OAuth {
    kind: Kind,
    user: String,
    token: String,
    host: String,
    port: u16,
    /// The server's error challenge, decoded (JSON text).
    pub error: Option<String>,
}

impl OAuth {
    pub fn new(kind: Kind, user: &str, token: &str, host: &str, port: u16) -> Self {
        OAuth {
            kind,
            user: user.into(),
            token: token.into(),
            host: host.into(),
            port,
            error: None,
        }
    }
}

impl Mechanism for OAuth {
    fn name(&self) -> &'static str {
        match self.kind {
            Kind::XOAuth2 => "XOAUTH2",
            Kind::OAuthBearer => "OAUTHBEARER",
        }
    }

    fn initial(&mut self) -> Option<Vec<u8>> {
        let (user, token) = (&self.user, &self.token);
        Some(
            match self.kind {
                Kind::XOAuth2 => format!("user={user}\x01auth=Bearer {token}\x01\x01"),
                // RFC 7628 §3.1: the GS2 header names the user (`a=`, which Dovecot
                // requires), then host and port.
                Kind::OAuthBearer => format!(
                    "n,a={},\x01host={}\x01port={}\x01auth=Bearer {token}\x01\x01",
                    gs2_name(user),
                    self.host,
                    self.port
                ),
            }
            .into_bytes(),
        )
    }

    /// The only challenge after the initial response is the error; its acknowledgement is
    /// an empty response (XOAUTH2) or `%x01` (RFC 7628 §3.2.3).
    fn step(&mut self, challenge: &[u8]) -> Result<Vec<u8>, String> {
        self.error = Some(String::from_utf8_lossy(challenge).into_owned());
        Ok(match self.kind {
            Kind::XOAuth2 => Vec::new(),
            Kind::OAuthBearer => vec![0x01],
        })
    }
}

/// RFC 5801 §4: `=` and `,` in a GS2 authzid are escaped.
fn gs2_name(user: &str) -> String {
    user.replace('=', "=3D").replace(',', "=2C")
}

/// The fields of an OAuth error challenge that an administrator acts on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ErrorChallenge {
    pub status: Option<String>,
    pub scope: Option<String>,
    pub schemes: Option<String>,
}

pub fn parse_error(json: &str) -> ErrorChallenge {
    let v: serde_json::Value = serde_json::from_str(json).unwrap_or_default();
    let field = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_string);
    ErrorChallenge {
        status: field("status"),
        scope: field("scope"),
        schemes: field("schemes"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initial_responses() {
        let mut x = OAuth::new(Kind::XOAuth2, "alice@example.com", "ya29.t", "h", 993);
        assert_eq!(
            x.initial().unwrap(),
            b"user=alice@example.com\x01auth=Bearer ya29.t\x01\x01"
        );
        let mut o = OAuth::new(Kind::OAuthBearer, "a,b", "tok", "imap.example.com", 993);
        assert_eq!(
            o.initial().unwrap(),
            b"n,a=a=2Cb,\x01host=imap.example.com\x01port=993\x01auth=Bearer tok\x01\x01"
        );
        assert_eq!(o.step(br#"{"status":"invalid_token"}"#).unwrap(), vec![1]);
        assert_eq!(
            parse_error(o.error.as_deref().unwrap()).status.as_deref(),
            Some("invalid_token")
        );
    }

    /// Dovecot's XOAUTH2 failure (its challenge, base64-decoded).
    #[test]
    fn dovecot_error_challenge() {
        let e = parse_error(r#"{"status":"401","schemes":"bearer","scope":"mail"}"#);
        assert_eq!(e.status.as_deref(), Some("401"));
        assert_eq!(e.scope.as_deref(), Some("mail"));
    }
}
