//! Passwords in a stranger's transcript: LOGIN's password and AUTHENTICATE's initial
//! response are replaced before anything is shown (secrets never leave).

use crate::secret::REDACTED;

/// `tag LOGIN user <redacted>`, `tag AUTHENTICATE MECH <redacted>`; other lines as they
/// are. Words are split on any run of spaces or tabs, as the reader splits them to
/// classify the line, so irregular spacing never hides a LOGIN from this rule.
pub fn redact_command(line: &str) -> String {
    let (tag, rest) = next_word(line);
    let (verb, rest) = next_word(rest);
    let rest = rest.trim_start_matches([' ', '\t']);
    match verb.to_ascii_uppercase().as_str() {
        "LOGIN" => {
            let user = first_astring(rest);
            if user.len() < rest.trim_end().len() {
                format!("{tag} {verb} {user} {REDACTED}")
            } else {
                line.to_string()
            }
        }
        "AUTHENTICATE" => match next_word(rest) {
            (mech, more) if !more.trim().is_empty() => format!("{tag} {verb} {mech} {REDACTED}"),
            _ => line.to_string(),
        },
        _ => line.to_string(),
    }
}

/// Whether a client line opens a SASL exchange whose continuation lines are secrets
/// (RFC 3501 §6.2.2); the tag that ends it.
pub fn opens_sasl(line: &str) -> Option<&str> {
    let (tag, rest) = next_word(line);
    let (verb, _) = next_word(rest);
    verb.eq_ignore_ascii_case("AUTHENTICATE").then_some(tag)
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
            redact_command("? login DOMname/UserN/AliasN PASSword"),
            "? login DOMname/UserN/AliasN <redacted>"
        );
        assert_eq!(
            redact_command(r#"a1 LOGIN "CORP\\j \"x\"" "p w""#),
            r#"a1 LOGIN "CORP\\j \"x\"" <redacted>"#
        );
        assert_eq!(
            redact_command("a2 AUTHENTICATE PLAIN AGFsaWNlAHNlY3JldA=="),
            "a2 AUTHENTICATE PLAIN <redacted>"
        );
        assert_eq!(
            redact_command("a3 AUTHENTICATE PLAIN"),
            "a3 AUTHENTICATE PLAIN"
        );
        assert_eq!(redact_command("a4 select inbox"), "a4 select inbox");
        assert_eq!(redact_command("a5 LOGIN {5}"), "a5 LOGIN {5}");
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
            let out = redact_command(line);
            assert!(!out.contains("hunter2"), "{line:?} gave {out:?}");
            assert!(out.contains("alice"), "{line:?} gave {out:?}");
        }
        assert!(
            !redact_command("  a2\tAUTHENTICATE  PLAIN   AGFsaWNlAGh1bnRlcjI=").contains("AGFs")
        );
    }
}
