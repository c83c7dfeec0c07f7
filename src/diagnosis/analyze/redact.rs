//! Passwords in a stranger's transcript: LOGIN's password and AUTHENTICATE's initial
//! response are replaced before anything is shown (DESIGN.md: secrets never leave).

use crate::secret::REDACTED;

/// `tag LOGIN user <redacted>`, `tag AUTHENTICATE MECH <redacted>`; other lines as they are.
pub fn redact_command(line: &str) -> String {
    let mut words = line.splitn(3, ' ');
    let (tag, verb, rest) = (
        words.next().unwrap_or(""),
        words.next().unwrap_or(""),
        words.next().unwrap_or(""),
    );
    match verb.to_ascii_uppercase().as_str() {
        "LOGIN" => {
            let user = first_astring(rest);
            if user.len() < rest.trim_end().len() {
                format!("{tag} {verb} {user} {REDACTED}")
            } else {
                line.to_string()
            }
        }
        "AUTHENTICATE" => match rest.split_once(' ') {
            Some((mech, _)) => format!("{tag} {verb} {mech} {REDACTED}"),
            None => line.to_string(),
        },
        _ => line.to_string(),
    }
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
    s.split(' ').next().unwrap_or("")
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
}
