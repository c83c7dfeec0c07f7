//! Passwords in a stranger's transcript: LOGIN's password and AUTHENTICATE's initial
//! response are replaced before anything is shown (secrets never leave).

use crate::proto::command::quoted;
use crate::secret::REDACTED;

/// What a client line of a stranger's transcript gives away, and how it is shown.
pub struct Redacted<'a> {
    /// `tag LOGIN user <redacted>`, `tag AUTHENTICATE MECH <redacted>`; other lines as
    /// they are.
    pub shown: String,
    /// The secret as the line wrote it: LOGIN's password, AUTHENTICATE's initial response.
    pub secret: Option<&'a str>,
    /// The tag of a command whose following client lines are secrets until its tagged
    /// completion, whether or not the log shows the server's `+`: AUTHENTICATE
    /// (RFC 3501 §6.2.2) and a LOGIN whose password comes as a literal (§4.3).
    pub opens: Option<&'a str>,
}

/// Words are split on any run of spaces or tabs, as the reader splits them to classify the
/// line, so irregular spacing never hides a LOGIN from this rule.
pub fn redact_command(line: &str) -> Redacted<'_> {
    let (tag, rest) = next_word(line);
    let (verb, rest) = next_word(rest);
    let rest = rest.trim_start_matches([' ', '\t']);
    let as_is = Redacted {
        shown: line.to_string(),
        secret: None,
        opens: None,
    };
    match verb.to_ascii_uppercase().as_str() {
        "LOGIN" => {
            let user = first_astring(rest);
            let password = rest[user.len()..].trim_matches([' ', '\t']);
            let opens = is_literal(rest.trim_end()).then_some(tag);
            if password.is_empty() {
                return Redacted { opens, ..as_is };
            }
            Redacted {
                shown: format!("{tag} {verb} {user} {REDACTED}"),
                secret: (!is_literal(password)).then_some(password),
                opens,
            }
        }
        "AUTHENTICATE" => match next_word(rest) {
            (mech, more) if !more.trim().is_empty() => Redacted {
                shown: format!("{tag} {verb} {mech} {REDACTED}"),
                secret: Some(more.trim()),
                opens: Some(tag),
            },
            _ => Redacted {
                opens: Some(tag),
                ..as_is
            },
        },
        _ => as_is,
    }
}

/// Whether a line ends with a literal's announcement, `{n}` or `{n+}` (RFC 7888).
fn is_literal(s: &str) -> bool {
    s.ends_with('}') && s.rfind('{').is_some()
}

/// A quoted string's value (RFC 3501 §4.3); anything else as it is.
pub fn unquote(s: &str) -> std::borrow::Cow<'_, str> {
    match s.strip_prefix('"').and_then(|b| quoted(&mut b.chars())) {
        Some(value) => value.into(),
        None => s.into(),
    }
}

/// The first word (after any spaces or tabs) and what follows it.
fn next_word(s: &str) -> (&str, &str) {
    let s = s.trim_start_matches([' ', '\t']);
    let end = s.find([' ', '\t']).unwrap_or(s.len());
    (&s[..end], &s[end..])
}

/// The first argument: a quoted string (with `\"` escapes), a literal marker, or an atom.
fn first_astring(s: &str) -> &str {
    if let Some(body) = s.strip_prefix('"') {
        let mut escaped = false;
        for (i, c) in body.char_indices() {
            match (escaped, c) {
                (false, '\\') => escaped = true,
                (false, '"') => return &s[..i + 2],
                _ => escaped = false,
            }
        }
        return s;
    }
    s.split([' ', '\t']).next().unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_go_usernames_stay() {
        assert_eq!(
            redact_command("? login DOMname/UserN/AliasN PASSword").shown,
            "? login DOMname/UserN/AliasN <redacted>"
        );
        assert_eq!(
            redact_command(r#"a1 LOGIN "CORP\\j \"x\"" "p w""#).shown,
            r#"a1 LOGIN "CORP\\j \"x\"" <redacted>"#
        );
        assert_eq!(
            redact_command("a2 AUTHENTICATE PLAIN AGFsaWNlAHNlY3JldA==").shown,
            "a2 AUTHENTICATE PLAIN <redacted>"
        );
        assert_eq!(
            redact_command("a3 AUTHENTICATE PLAIN").shown,
            "a3 AUTHENTICATE PLAIN"
        );
        assert_eq!(redact_command("a4 select inbox").shown, "a4 select inbox");
        assert_eq!(redact_command("a5 LOGIN {5}").shown, "a5 LOGIN {5}");
    }

    #[test]
    fn irregular_spacing_hides_nothing() {
        for line in [
            "   a001 LOGIN alice hunter2",
            " a001 LOGIN alice hunter2",
            "a001  LOGIN alice hunter2",
            "a001\tLOGIN alice hunter2",
            "a001 LOGIN  alice   hunter2",
            "a001 login\talice\thunter2",
        ] {
            let out = redact_command(line).shown;
            assert!(!out.contains("hunter2"), "{line:?} gave {out:?}");
            assert!(out.contains("alice"), "{line:?} gave {out:?}");
        }
        assert!(
            !redact_command("  a2\tAUTHENTICATE  PLAIN   AGFsaWNlAGh1bnRlcjI=")
                .shown
                .contains("AGFs")
        );
    }

    #[test]
    fn the_secret_as_written_and_what_stays_open() {
        let r = redact_command("a1 LOGIN alice \"p w\"");
        assert_eq!((r.secret, r.opens), (Some("\"p w\""), None));
        assert_eq!(unquote(r.secret.unwrap()), "p w");
        assert_eq!(unquote(r#""a\"b\\c""#), r#"a"b\c"#);
        let r = redact_command("a2 LOGIN alice {7}");
        assert_eq!((r.secret, r.opens), (None, Some("a2")));
        let r = redact_command("a3 LOGIN {5}");
        assert_eq!((r.shown.as_str(), r.opens), ("a3 LOGIN {5}", Some("a3")));
        let r = redact_command("a4 AUTHENTICATE PLAIN AGFsaWNl");
        assert_eq!((r.secret, r.opens), (Some("AGFsaWNl"), Some("a4")));
        let r = redact_command("a5 SELECT {5}");
        assert_eq!((r.secret, r.opens), (None, None));
    }
}
