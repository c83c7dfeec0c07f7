//! The one redaction rule. Every line that crosses a connection, live (the check, the
//! shell) or pasted (`analyze`), goes through a [`Redactor`] in the order it crossed:
//! LOGIN's password (RFC 3501 §6.2.3), AUTHENTICATE's initial response (RFC 4959) and
//! every client line of a SASL exchange (§6.2.2) or of a LOGIN whose arguments come as
//! literals (§4.3) leave as `<redacted>`, and every server line is scrubbed of the secrets
//! seen or known so far. Pure: no I/O.

use std::collections::VecDeque;

use base64::Engine;

use crate::proto::command::{quoted, COMMAND_NAMES};
use crate::proto::known_secrets::KnownSecrets;
use crate::secret::REDACTED;

/// What a client command line gives away, and how it is shown.
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
    /// Where the secret starts in the line: what is typed from there on is masked.
    pub secret_at: Option<usize>,
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
        secret_at: None,
    };
    match verb.to_ascii_uppercase().as_str() {
        "LOGIN" => {
            let user = first_astring(rest);
            let password = rest[user.len()..].trim_matches([' ', '\t']);
            let opens = is_literal(rest.trim_end()).then_some(tag);
            if password.is_empty() {
                return Redacted { opens, ..as_is };
            }
            // A literal's size is a hint to the password's length: hidden too.
            Redacted {
                shown: format!("{tag} {verb} {user} {REDACTED}"),
                secret: (!is_literal(password)).then_some(password),
                opens,
                secret_at: Some(offset(
                    line,
                    rest[user.len()..].trim_start_matches([' ', '\t']),
                )),
            }
        }
        "AUTHENTICATE" => match next_word(rest) {
            (mech, more) if !more.trim().is_empty() => Redacted {
                shown: format!("{tag} {verb} {mech} {REDACTED}"),
                secret: Some(more.trim()),
                opens: Some(tag),
                secret_at: Some(offset(line, more.trim_start_matches([' ', '\t']))),
            },
            _ => Redacted {
                opens: Some(tag),
                ..as_is
            },
        },
        _ => as_is,
    }
}

/// Whether a command line gives a secret away or keeps the following lines secret.
fn carries_secret(r: &Redacted) -> bool {
    r.secret_at.is_some() || r.opens.is_some()
}

/// Whether the second word of a line is an IMAP command's name (RFC 3501 §6).
fn is_command(line: &str) -> bool {
    let verb = next_word(next_word(line).1).0.to_ascii_uppercase();
    COMMAND_NAMES.contains(&verb.as_str())
}

/// Where `tail`, a suffix of `line`, starts in it.
fn offset(line: &str, tail: &str) -> usize {
    line.len() - tail.len()
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

/// How many of the latest secrets the client lines gave away are scrubbed from what the
/// server says: it echoes one in its reply to the command that sent it, and a paste of a
/// million guesses must not make every line scrubbed of a million passwords.
const RECENT_SECRETS: usize = 4;

/// A client line as it may be shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown {
    pub text: String,
    /// The line is data for the open command (SASL, a literal; RFC 3501 §7.5), not a
    /// command.
    pub data: bool,
}

/// The redaction state of one session, fed every line in the order it crossed.
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    /// The tag of an AUTHENTICATE, or a LOGIN with a literal, whose exchange is open: its
    /// client lines are secrets until its tagged completion.
    open: Option<String>,
    /// The server's last line asked for a continuation (RFC 3501 §7.5).
    continued: bool,
    /// The last client line was a command this rule knows carries no secret: a
    /// continuation the server then asks for is its data (APPEND's literal, IDLE's DONE),
    /// shown. After anything else (a line not understood) the data stays secret.
    plain_command: bool,
    /// Secrets the caller knows (the live check's password and token).
    given: KnownSecrets,
    /// The last secrets the client lines gave away, and their forms.
    recent: VecDeque<(Option<String>, String)>,
    known: KnownSecrets,
}

impl Redactor {
    /// A session whose own credentials are known beforehand: scrubbed from every server
    /// line even before a client line gives them away.
    pub fn knowing(given: KnownSecrets) -> Self {
        Redactor {
            known: given.clone(),
            given,
            ..Default::default()
        }
    }

    /// A client line without its ending, as it may be shown.
    pub fn client_line(&mut self, line: &str) -> Shown {
        let continued = std::mem::take(&mut self.continued);
        if self.open.is_some() {
            return self.sasl_data(line);
        }
        // Data for a command that carries no secret, unless the line is itself one
        // that does: a paste's client and server lines are told apart by guessing.
        if continued && self.plain_command && !carries_secret(&redact_command(line)) {
            return Shown {
                text: line.to_string(),
                data: true,
            };
        }
        if continued {
            // A continuation of a command this session did not show, or of one that
            // carries a secret: the line may be anything.
            return self.secret_data(line);
        }
        let r = redact_command(line);
        self.open = r.opens.map(str::to_string);
        self.plain_command = !carries_secret(&r) && is_command(line);
        if let Some(secret) = r.secret {
            self.learn(secret);
        }
        Shown {
            text: r.shown,
            data: false,
        }
    }

    /// The bytes a client wrote (one or more CRLF-ended lines), as they may be shown.
    pub fn client(&mut self, wire: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(wire.len());
        for piece in wire.split_inclusive(|&b| b == b'\n') {
            let body = piece.strip_suffix(b"\n").unwrap_or(piece);
            let body = body.strip_suffix(b"\r").unwrap_or(body);
            let ending = &piece[body.len()..];
            let text = String::from_utf8_lossy(body);
            let shown = self.client_line(&text);
            // Bytes that are not UTF-8 are kept as they were unless the line was redacted.
            match shown.text == text {
                true => out.extend_from_slice(body),
                false => out.extend_from_slice(shown.text.as_bytes()),
            }
            out.extend_from_slice(ending);
        }
        out
    }

    /// A server message (its first line decides; literals ride along), scrubbed of every
    /// known secret; `None` when it holds none.
    pub fn server(&mut self, raw: &[u8]) -> Option<Vec<u8>> {
        let first = raw.split(|&b| b == b' ' || b == b'\r' || b == b'\n').next();
        self.continued = first == Some(b"+");
        if self.open.as_deref().map(str::as_bytes) == first {
            self.open = None;
        }
        self.scrub(raw)
    }

    /// `bytes` with every known secret replaced; `None` when nothing matched.
    pub fn scrub(&self, bytes: &[u8]) -> Option<Vec<u8>> {
        self.known.scrub(bytes)
    }

    /// A client line inside a SASL exchange or a LOGIN literal: the secret it carries
    /// becomes known; a lone `*` (the client cancels, RFC 3501 §6.2.2) and an empty
    /// response carry none and are shown.
    fn sasl_data(&mut self, line: &str) -> Shown {
        let value = line.trim();
        if value == "*" || value.is_empty() {
            return Shown {
                text: line.to_string(),
                data: true,
            };
        }
        self.secret_data(line)
    }

    fn secret_data(&mut self, line: &str) -> Shown {
        self.learn(line.trim());
        Shown {
            text: REDACTED.to_string(),
            data: true,
        }
    }

    /// A password or SASL response as a command line wrote it: its value, and the
    /// password inside a SASL PLAIN message (RFC 4616), become known.
    fn learn(&mut self, written: &str) {
        let value = unquote(written);
        self.remember(None, &value);
        let decoded = base64::engine::general_purpose::STANDARD.decode(value.as_bytes());
        let Some(decoded) = decoded.ok().and_then(|d| String::from_utf8(d).ok()) else {
            return;
        };
        let mut parts = decoded.split('\0');
        match (parts.next(), parts.next(), parts.next()) {
            (Some(_), Some(user), Some(password)) => self.remember(Some(user), password),
            // A SASL response as the mechanism wrote it (SCRAM's client-final message).
            _ => self.remember(None, &decoded),
        }
    }

    fn remember(&mut self, user: Option<&str>, password: &str) {
        let entry = (user.map(str::to_string), password.to_string());
        if self.recent.contains(&entry) {
            return;
        }
        if self.recent.len() == RECENT_SECRETS {
            self.recent.pop_front();
        }
        self.recent.push_back(entry);
        self.rebuild();
    }

    fn rebuild(&mut self) {
        self.known = self.given.clone();
        for (user, password) in &self.recent {
            self.known.add_password(user.as_deref(), password);
        }
    }
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

    /// Feeds `C: ` and `S: ` lines in order; what the client lines show.
    fn session(r: &mut Redactor, lines: &[&str]) -> Vec<String> {
        let mut shown = Vec::new();
        for l in lines {
            match l.split_at(3) {
                ("C: ", line) => shown.push(r.client_line(line).text),
                (_, line) => {
                    if let Some(clean) = r.server(line.as_bytes()) {
                        shown.push(format!("S: {}", String::from_utf8(clean).unwrap()));
                    }
                }
            }
        }
        shown
    }

    #[test]
    fn a_login_literal_hides_the_password_and_its_length_until_the_completion() {
        let mut r = Redactor::default();
        let shown = session(
            &mut r,
            &[
                "C: a1 LOGIN alice {7}",
                "S: + go on",
                "C: hunter2",
                "S: a1 NO [AUTHENTICATIONFAILED] hunter2 is wrong",
                "C: a2 SELECT {5}",
                "S: + go on",
                "C: INBOX",
            ],
        );
        assert_eq!(
            shown,
            [
                "a1 LOGIN alice <redacted>",
                "<redacted>",
                "S: a1 NO [AUTHENTICATIONFAILED] <redacted> is wrong",
                "a2 SELECT {5}",
                "INBOX"
            ]
        );
    }

    #[test]
    fn every_sasl_line_is_secret_but_the_cancel() {
        let mut r = Redactor::default();
        let shown = session(
            &mut r,
            &[
                "C: a1 AUTHENTICATE PLAIN",
                "S: +",
                "C: AGFsaWNlAGh1bnRlcjI=",
                "S: + again",
                "C: a2 LOGOUT",
                "S: + again",
                "C: *",
                "S: a1 BAD cancelled",
                "C: a3 NOOP",
            ],
        );
        assert_eq!(
            shown,
            [
                "a1 AUTHENTICATE PLAIN",
                "<redacted>",
                "<redacted>",
                "*",
                "a3 NOOP"
            ]
        );
        // The PLAIN message's password is known now: an echo of it is scrubbed.
        assert_eq!(r.scrub(b"* NO hunter2").unwrap(), b"* NO <redacted>");
    }

    #[test]
    fn a_login_after_a_continuation_is_still_a_login() {
        // Found by the fuzzer: a telnet paste where a LOGIN is followed by lines taken
        // for continuations, then by another LOGIN.
        let mut r = Redactor::default();
        let shown = session(
            &mut r,
            &[
                "C: a1 LOGIN user first",
                "S: + what",
                "C: a1 LOGIN user Sekr1tPw",
                "C: a2 APPEND INBOX {5}",
                "S: + go",
                "C: a3 LOGIN user again",
            ],
        );
        // A line after a `+` that is not plainly data is hidden whole.
        assert_eq!(
            shown,
            [
                "a1 LOGIN user <redacted>",
                "<redacted>",
                "a2 APPEND INBOX {5}",
                "<redacted>"
            ]
        );
    }

    #[test]
    fn a_sasl_response_is_scrubbed_decoded_too() {
        use base64::Engine;
        let proof = "c=biws,r=nonce,p=cHJvb2Y=";
        let b64 = base64::engine::general_purpose::STANDARD.encode(proof);
        let mut r = Redactor::default();
        session(&mut r, &["C: a1 AUTHENTICATE SCRAM-SHA-256", "S: + abc"]);
        assert_eq!(r.client_line(&b64).text, REDACTED);
        let echo = format!("a1 NO {proof} and {b64}");
        let clean = r.server(echo.as_bytes()).unwrap();
        assert_eq!(clean, b"a1 NO <redacted> and <redacted>");
    }

    #[test]
    fn a_continuation_of_a_command_never_seen_is_secret() {
        let mut r = Redactor::default();
        let shown = session(&mut r, &["S: + go on", "C: whatever this is"]);
        assert_eq!(shown, ["<redacted>"]);
        // IDLE's DONE answers a continuation of a command that was shown (RFC 2177 §3).
        let shown = session(&mut r, &["C: a9 IDLE", "S: + idling", "C: DONE"]);
        assert_eq!(shown, ["a9 IDLE", "DONE"]);
    }

    #[test]
    fn wire_bytes_keep_one_shown_line_per_line_and_the_secrets_given() {
        use crate::proto::known_secrets::KnownSecrets;
        let mut given = KnownSecrets::default();
        given.add_password(Some("alice"), "s3cret-token");
        let mut r = Redactor::knowing(given);
        let shown = r.client(b"a1 LOGIN alice {7+}\r\nhunter2\r\n");
        assert_eq!(shown, b"a1 LOGIN alice <redacted>\r\n<redacted>\r\n");
        assert_eq!(
            r.server(b"* OK s3cret-token\r\n").unwrap(),
            b"* OK <redacted>\r\n"
        );
        // Until the login completes, what follows it may be its data: all hidden.
        assert_eq!(r.client(b"a2 NOOP \xff\r\n"), b"<redacted>\r\n");
        r.server(b"a1 OK\r\n");
        assert_eq!(r.client(b"a3 NOOP \xff\r\n"), b"a3 NOOP \xff\r\n");
    }
}
