//! The claims of a JWT access token (RFC 7519) that decide whether a mail server will
//! accept it, read without the signature (which only the issuer's key can check): expiry,
//! audience, scopes and the user. An opaque token (Google's `ya29.`) has none.

use base64::Engine;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Claims {
    pub iss: Option<String>,
    pub aud: Vec<String>,
    /// `exp`, seconds since the Unix epoch.
    pub exp: Option<i64>,
    /// `scp` (Microsoft, delegated), `scope` (RFC 8693), or `roles` (Microsoft, app-only).
    pub scopes: Vec<String>,
    pub roles: Vec<String>,
    /// `upn`, `preferred_username`, `email` or `sub`, whichever names the user first.
    pub user: Option<String>,
}

/// `header.payload.signature` with a JSON object as payload; `None` for anything else.
pub fn claims(token: &str) -> Option<Claims> {
    let mut parts = token.split('.');
    let (_, payload, _) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let v: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    let v = v.as_object()?;
    let text = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_string);
    let list = |k: &str| -> Vec<String> {
        match v.get(k) {
            Some(serde_json::Value::String(s)) => {
                s.split_whitespace().map(str::to_string).collect()
            }
            Some(serde_json::Value::Array(a)) => a
                .iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect(),
            _ => Vec::new(),
        }
    };
    let mut scopes = list("scp");
    scopes.extend(list("scope"));
    Some(Claims {
        iss: text("iss"),
        aud: list("aud"),
        exp: v.get("exp").and_then(|x| x.as_i64()),
        scopes,
        roles: list("roles"),
        user: ["upn", "preferred_username", "email", "sub"]
            .iter()
            .find_map(|k| text(k)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(payload: &str) -> String {
        let b = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        format!("{}.{}.sig", b(r#"{"alg":"RS256"}"#), b(payload))
    }

    #[test]
    fn microsoft_and_rfc_shapes() {
        let c = claims(&jwt(r#"{"aud":"https://outlook.office.com","scp":"IMAP.AccessAsUser.All SMTP.Send","upn":"a@contoso.com","exp":1700000000}"#)).unwrap();
        assert_eq!(c.aud, ["https://outlook.office.com"]);
        assert_eq!(c.scopes, ["IMAP.AccessAsUser.All", "SMTP.Send"]);
        assert_eq!(c.user.as_deref(), Some("a@contoso.com"));
        assert_eq!(c.exp, Some(1_700_000_000));
        let c = claims(&jwt(
            r#"{"aud":["x","y"],"roles":["IMAP.AccessAsApp"],"sub":"s"}"#,
        ))
        .unwrap();
        assert_eq!(
            (c.aud.len(), c.roles.len(), c.user.as_deref()),
            (2, 1, Some("s"))
        );
        assert!(claims("ya29.a0AfH6SM-opaque").is_none());
        assert!(claims("a.b.c.d").is_none());
    }
}
