//! What the user typed, turned into wire chunks: a bare command gets the next tag, a
//! tagged line goes as typed, a line ending in a literal announcement (`{n}`, `{n+}`,
//! RFC 3501 §4.3, RFC 7888) continues on the next line, and what a login sends after the
//! user name is masked while typed and never kept in history, by the one redaction rule
//! (`proto::redact`; the connection applies it to what is shown). Pure: no I/O.

use crate::proto::redact::redact_command;
use crate::proto::Chunk;

pub use crate::proto::command::COMMAND_NAMES as COMMANDS;

pub const DOT_COMMANDS: &[&str] = &[
    ".help",
    ".starttls",
    ".login",
    ".namespace",
    ".check",
    ".follow",
    ".transcript",
    ".raw",
    ".reconnect",
    ".quit",
];

/// A typed line, understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// `.name arguments`
    Dot {
        name: String,
        arg: String,
    },
    /// A chunk of an IMAP command: the first line of a command, or the continuation of
    /// one after a literal announcement.
    Chunk {
        tag: String,
        chunk: Chunk,
        /// Another line follows (this one announced a literal).
        continues: bool,
    },
    /// A line that cannot be sent as typed: why (the state is unchanged).
    Refused(String),
    Empty,
}

/// A literal being typed (RFC 3501 §4.3): its command's tag, whether it is a login's
/// secret, and the bytes still owed.
#[derive(Debug, Clone)]
struct Open {
    tag: String,
    secret: bool,
    owed: usize,
}

/// The typing state between lines: the tag counter and an unfinished command.
#[derive(Debug, Default)]
pub struct Typist {
    next: u32,
    /// The command whose literal the next line supplies, and whether it is a secret.
    open: Option<Open>,
    /// An AUTHENTICATE whose exchange is open: until its tagged completion every typed
    /// line is a SASL response (RFC 3501 §6.2.2), a secret.
    sasl: Option<String>,
    /// An IDLE in progress (RFC 2177 §3): the next line ends it with an untagged DONE.
    idle: Option<String>,
}

impl Typist {
    pub fn new(next_tag: u32) -> Self {
        Typist {
            next: next_tag,
            open: None,
            sasl: None,
            idle: None,
        }
    }

    /// The tag of the IDLE in progress, if one is.
    pub fn idling(&self) -> Option<&str> {
        self.idle.as_deref()
    }

    /// The untagged `DONE` that ends the IDLE in progress (RFC 2177 §3).
    pub fn done(&mut self) -> Option<Input> {
        let tag = self.idle.take()?;
        Some(Input::Chunk {
            tag,
            chunk: Chunk {
                wire: b"DONE\r\n".to_vec(),
                awaits_continuation: false,
            },
            continues: false,
        })
    }

    /// The tag of the AUTHENTICATE whose exchange is open, if one is.
    pub fn in_sasl(&self) -> Option<&str> {
        self.sasl.as_deref()
    }

    /// Closes the SASL exchange or the IDLE once `done` says its tag has completed.
    pub fn settle(&mut self, done: impl Fn(&str) -> bool) {
        if self.sasl.as_deref().is_some_and(&done) {
            self.sasl = None;
        }
        if self.idle.as_deref().is_some_and(&done) {
            self.idle = None;
        }
    }

    pub fn next_tag(&mut self) -> String {
        let tag = crate::proto::command::tag(self.next);
        self.next += 1;
        tag
    }

    /// Whether the next line continues a command (its prompt should say so).
    pub fn continuing(&self) -> bool {
        self.open.is_some() || self.sasl.is_some()
    }

    /// Whether the next line is a secret: a login's literal data or a SASL response
    /// (masked while typed).
    pub fn continuing_secret(&self) -> bool {
        self.sasl.is_some() || self.open.as_ref().is_some_and(|o| o.secret)
    }

    /// Abandons the literal being typed: the bytes the server was still owed.
    pub fn cancel_literal(&mut self) -> Option<usize> {
        self.open.take().map(|o| o.owed)
    }

    /// The bytes the literal being typed still needs, for the prompt.
    pub fn owed(&self) -> Option<usize> {
        self.open.as_ref().map(|o| o.owed)
    }

    /// `literal_plus`: the server advertised LITERAL+, so `{n+}` need not wait.
    pub fn line(&mut self, typed: &str, literal_plus: bool) -> Input {
        let typed = typed.trim_end_matches(['\r', '\n']);
        if let Some(tag) = self.sasl.clone() {
            return sasl_response(tag, typed);
        }
        if let Some(done) = self.done() {
            // During IDLE the only thing a client may send is DONE (RFC 2177 §3).
            return done;
        }
        if let Some(open) = self.open.take() {
            return self.literal_data(open, typed, literal_plus);
        }
        let t = typed.trim_start();
        if t.is_empty() {
            return Input::Empty;
        }
        if t.starts_with('.') {
            let (name, arg) = t.split_once(' ').unwrap_or((t, ""));
            return Input::Dot {
                name: name.to_ascii_lowercase(),
                arg: arg.trim().to_string(),
            };
        }
        if let Some(user) = login_without_password(t) {
            // A login recalled from history (kept without its password): ask for it.
            return Input::Dot {
                name: ".login".into(),
                arg: user,
            };
        }
        if is_starttls(t) {
            // STARTTLS needs the handshake right after its OK (RFC 3501 §6.2.1): the
            // dot-command does both.
            return Input::Dot {
                name: ".starttls".into(),
                arg: String::new(),
            };
        }
        let names_encoded = encode_mailbox_names(t);
        let t = names_encoded.as_str();
        let first = t.split(' ').next().unwrap_or("");
        let (tag, text) = if COMMANDS.contains(&first.to_ascii_uppercase().as_str()) {
            let tag = self.next_tag();
            let text = format!("{tag} {t}");
            (tag, text)
        } else {
            (first.to_string(), t.to_string())
        };
        let r = redact_command(&text);
        let secret = r.secret_at.is_some() || r.opens.is_some();
        if text
            .split_whitespace()
            .nth(1)
            .is_some_and(|v| v.eq_ignore_ascii_case("AUTHENTICATE"))
        {
            self.sasl = Some(tag.clone());
        }
        if text
            .split_whitespace()
            .collect::<Vec<_>>()
            .get(1..)
            .is_some_and(|w| w.len() == 1 && w[0].eq_ignore_ascii_case("IDLE"))
        {
            self.idle = Some(tag.clone());
        }
        self.chunk(tag, &text, secret, literal_plus)
    }

    /// A line typed inside a literal: data, joined to the next by CRLF, while bytes are
    /// owed; when the line reaches the count, the rest of it continues the command.
    fn literal_data(&mut self, open: Open, typed: &str, plus: bool) -> Input {
        let len = typed.len();
        let owed = open.owed;
        if len < owed {
            if len + 2 > owed {
                self.open = Some(open);
                return Input::Refused(format!(
                    "the literal needs {owed} more bytes: this line and its line end would be {}",
                    len + 2
                ));
            }
            let tag = open.tag.clone();
            self.open = Some(Open {
                owed: owed - len - 2,
                ..open
            });
            return Input::Chunk {
                tag,
                chunk: Chunk {
                    wire: format!("{typed}\r\n").into_bytes(),
                    awaits_continuation: false,
                },
                continues: true,
            };
        }
        // What follows the literal on its last line continues the command only when it
        // plainly does: it closes a list, or announces the next literal (`alice {6}`).
        // Anything else is taken for data that overflows the count.
        let fits = typed.is_char_boundary(owed) && {
            let rest = &typed[owed..];
            rest.is_empty()
                || rest.starts_with(')')
                || (rest.starts_with(' ') && announced(rest).is_some())
        };
        if !fits {
            let extra = len - owed;
            self.open = Some(open);
            return Input::Refused(format!(
                "the literal needs {owed} more bytes: this line has {extra} too many"
            ));
        }
        self.chunk(open.tag, typed, open.secret, plus)
    }

    fn chunk(&mut self, tag: String, text: &str, secret: bool, plus: bool) -> Input {
        let literal = announced_size(text);
        let continues = literal.is_some();
        if let Some((owed, _)) = literal {
            self.open = Some(Open {
                tag: tag.clone(),
                secret,
                owed,
            });
        }
        let literal = literal.map(|(_, plus)| plus);
        Input::Chunk {
            tag,
            chunk: Chunk {
                wire: format!("{text}\r\n").into_bytes(),
                awaits_continuation: literal == Some(false) || (literal == Some(true) && !plus),
            },
            continues,
        }
    }
}

/// A line typed inside a SASL exchange: sent untagged as typed (the connection shows it
/// as `<redacted>`, a lone `*` that cancels the exchange as it is).
fn sasl_response(tag: String, typed: &str) -> Input {
    Input::Chunk {
        tag,
        chunk: Chunk {
            wire: format!("{}\r\n", typed.trim()).into_bytes(),
            awaits_continuation: false,
        },
        continues: false,
    }
}

/// The line as it should look while typed: from where the one redaction rule says the
/// secret starts (a login's password, AUTHENTICATE's initial response), `*` for each
/// character, so the cursor stays where it was; a login's literal data all `*`.
pub fn masked(line: &str, literal_data: bool) -> Option<String> {
    let stars = |s: &str| "*".repeat(s.chars().count());
    if literal_data {
        return (!line.is_empty()).then(|| stars(line));
    }
    let at = secret_in_typed(line).0?;
    // `login alice {6}`: the password comes on the next line, masked there.
    if announced(&line[at..]).is_some() && !line[at..].contains(' ') {
        return Some(line.to_string());
    }
    Some(format!("{}{}", &line[..at], stars(&line[at..])))
}

/// Where the one redaction rule says a typed line's secret starts, and whether the
/// command keeps its following lines secret (a login whose arguments come as literals).
/// A bare command is read as if tagged.
fn secret_in_typed(line: &str) -> (Option<usize>, bool) {
    let first = line.split_whitespace().next().unwrap_or("");
    let (tagged, tag_len) = match COMMANDS.contains(&first.to_ascii_uppercase().as_str()) {
        true => (format!("* {line}"), 2),
        false => (line.to_string(), 0),
    };
    let r = redact_command(&tagged);
    (r.secret_at.map(|at| at - tag_len), r.opens.is_some())
}

/// `Some(true)` for `{n+}`, `Some(false)` for `{n}` at the end of the line.
fn announced(text: &str) -> Option<bool> {
    announced_size(text).map(|(_, plus)| plus)
}

/// The size of the literal announced at the end of the line, and whether it is `{n+}`.
fn announced_size(text: &str) -> Option<(usize, bool)> {
    let inner = text.strip_suffix('}')?;
    let open = inner.rfind('{')?;
    let n = &inner[open + 1..];
    let (digits, plus) = match n.strip_suffix('+') {
        Some(d) => (d, true),
        None => (n, false),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((digits.parse().ok()?, plus))
}

/// The words of a typed command without its tag (if the first word is not a command).
fn untagged(line: &str) -> Vec<&str> {
    let words: Vec<&str> = line.split_whitespace().collect();
    match words.first() {
        Some(w) if !COMMANDS.contains(&w.to_ascii_uppercase().as_str()) => words[1..].to_vec(),
        _ => words,
    }
}

/// `login USER` (tagged or not) with no password: the user.
fn login_without_password(line: &str) -> Option<String> {
    match untagged(line).as_slice() {
        [verb, user] if verb.eq_ignore_ascii_case("LOGIN") && announced(user).is_none() => {
            Some(user.trim_matches('"').to_string())
        }
        _ => None,
    }
}

/// What history keeps of a typed command: no tag (a recalled line gets a fresh one) and
/// no secret (a login keeps its user, an AUTHENTICATE its mechanism), so a recalled
/// line never sends a placeholder for a password.
pub fn history_entry(line: &str) -> Option<String> {
    let words = untagged(line);
    let verb = words.first()?.to_ascii_uppercase();
    // A line that names no command (`lgin bob hunter2`) may hold anything: not kept.
    if !COMMANDS.contains(&verb.as_str()) {
        return None;
    }
    let kept = match secret_in_typed(line) {
        (Some(at), _) => &line[..at],
        // `login {5}`: the user name comes as a literal, and with it the password.
        (None, true) => return Some(words[0].to_string()),
        (None, false) => line,
    };
    Some(untagged(kept).join(" "))
}

/// A command that takes mailbox names, typed with non-ASCII characters: those are sent in
/// modified UTF-7 (RFC 3501 §5.1.3), as servers expect names.
fn encode_mailbox_names(line: &str) -> String {
    const TAKES_NAMES: &[&str] = &[
        "SELECT",
        "EXAMINE",
        "CREATE",
        "DELETE",
        "RENAME",
        "SUBSCRIBE",
        "UNSUBSCRIBE",
        "STATUS",
        "APPEND",
        "LIST",
        "LSUB",
        "COPY",
        "MOVE",
        "UID",
    ];
    let takes_names = untagged(line)
        .first()
        .is_some_and(|v| TAKES_NAMES.contains(&v.to_ascii_uppercase().as_str()));
    if line.is_ascii() || !takes_names || line.to_ascii_uppercase().contains("SEARCH") {
        return line.to_string();
    }
    crate::proto::mutf7::encode_runs(line)
}

/// `starttls` or `tag starttls`, with nothing after it.
fn is_starttls(line: &str) -> bool {
    matches!(untagged(line).as_slice(), [w] if w.eq_ignore_ascii_case("STARTTLS"))
}

/// Whether a typed line (tagged or not) is a LOGIN or an AUTHENTICATE: a line that sends
/// a secret.
pub fn sends_secret(line: &str) -> bool {
    untagged(line)
        .first()
        .is_some_and(|w| w.eq_ignore_ascii_case("LOGIN") || w.eq_ignore_ascii_case("AUTHENTICATE"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::redact::Redactor;

    #[test]
    fn history_keeps_no_tag_and_no_secret() {
        assert_eq!(
            history_entry("a7 login alice secret").unwrap(),
            "login alice"
        );
        assert_eq!(history_entry("login alice {6}").unwrap(), "login alice");
        assert_eq!(history_entry("? login {5}").unwrap(), "login");
        assert_eq!(
            history_entry("authenticate PLAIN AGFsaWNlAHNlY3JldA==").unwrap(),
            "authenticate PLAIN"
        );
        assert_eq!(history_entry("a9 select INBOX").unwrap(), "select INBOX");
        assert_eq!(history_entry("lgin bob hunter2"), None);
        let mut t = Typist::new(1);
        assert_eq!(
            t.line("login alice", false),
            Input::Dot {
                name: ".login".into(),
                arg: "alice".into()
            }
        );
    }

    #[test]
    fn literal_lines_are_counted_in_bytes() {
        let mut r = Redactor::default();
        let mut t = Typist::new(5);
        t.line("append INBOX {19}", false);
        assert_eq!(t.owed(), Some(19));
        assert_eq!(
            shown(&mut r, &t.line("Subject: t", false)),
            "Subject: t\r\n"
        );
        assert_eq!(t.owed(), Some(7));
        t.line("", false);
        assert_eq!(t.owed(), Some(5));
        assert!(matches!(t.line("hell", false), Input::Refused(_)));
        assert!(matches!(t.line("hello there", false), Input::Refused(_)));
        assert_eq!(t.owed(), Some(5));
        assert!(matches!(
            t.line("hello", false),
            Input::Chunk {
                continues: false,
                ..
            }
        ));
        assert_eq!(t.owed(), None);
        // The rest of a command after a one-line literal: another literal, or `)`.
        shown(&mut r, &t.line("login {5}", false));
        let i = t.line("alice {6}", false);
        assert!(matches!(
            i,
            Input::Chunk {
                continues: true,
                ..
            }
        ));
        assert_eq!(shown(&mut r, &i), "<redacted>\r\n");
        assert_eq!(t.owed(), Some(6));
        assert_eq!(shown(&mut r, &t.line("secret", false)), "<redacted>\r\n");
        t.line("store 1 flags ({5}", false);
        assert!(matches!(
            t.line("\\Seen)", false),
            Input::Chunk {
                continues: false,
                ..
            }
        ));
    }

    #[test]
    fn idle_is_ended_by_an_untagged_done_whatever_is_typed() {
        let mut r = Redactor::default();
        let mut t = Typist::new(5);
        assert!(matches!(t.line("idle", false), Input::Chunk { ref tag, .. } if tag == "a005"));
        assert_eq!(t.idling(), Some("a005"));
        let done = t.line("", false);
        assert_eq!(shown(&mut r, &done), "DONE\r\n");
        assert!(matches!(done, Input::Chunk { ref tag, .. } if tag == "a005"));
        assert_eq!(t.idling(), None);
        assert_eq!(shown(&mut r, &t.line("noop", false)), "a006 noop\r\n");
        // `a7 IDLE` typed with its own tag, and IDLE's name inside another command.
        t.line("a7 IDLE", false);
        assert_eq!(t.idling(), Some("a7"));
        t.line("DONE", false);
        t.line("search subject idle", false);
        assert_eq!(t.idling(), None);
    }

    /// What the connection shows of a typed chunk: the one redaction rule, fed in order.
    fn shown(r: &mut Redactor, i: &Input) -> String {
        match i {
            Input::Chunk { chunk, .. } => String::from_utf8(r.client(&chunk.wire)).unwrap(),
            _ => panic!("{i:?}"),
        }
    }

    fn wire(i: &Input) -> String {
        match i {
            Input::Chunk { chunk, .. } => String::from_utf8(chunk.wire.clone()).unwrap(),
            _ => panic!("{i:?}"),
        }
    }

    #[test]
    fn a_sasl_exchange_takes_every_line_until_its_completion() {
        let mut r = Redactor::default();
        let mut t = Typist::new(1);
        let i = t.line("authenticate plain", false);
        assert_eq!(wire(&i), "a001 authenticate plain\r\n");
        assert_eq!(shown(&mut r, &i), "a001 authenticate plain\r\n");
        assert_eq!(t.in_sasl(), Some("a001"));
        assert!(t.continuing_secret());
        let i = t.line("AGFsaWNlAHNlY3JldA==", false);
        assert_eq!(wire(&i), "AGFsaWNlAHNlY3JldA==\r\n");
        assert_eq!(shown(&mut r, &i), "<redacted>\r\n");
        // Lines that look like commands are still responses while the exchange is open.
        let i = t.line("logout", false);
        assert_eq!(wire(&i), "logout\r\n");
        assert_eq!(shown(&mut r, &i), "<redacted>\r\n");
        assert_eq!(shown(&mut r, &t.line("*", false)), "*\r\n");
        t.settle(|tag| tag == "a001");
        r.server(b"a001 OK done\r\n");
        assert_eq!(t.in_sasl(), None);
        assert_eq!(wire(&t.line("namespace", false)), "a002 namespace\r\n");
    }

    #[test]
    fn bare_commands_get_tags_tagged_lines_go_as_typed() {
        let mut r = Redactor::default();
        let mut t = Typist::new(1);
        let i = t.line("login alice secret", false);
        assert_eq!(
            wire(&i),
            "a001 LOGIN alice secret\r\n".replace("LOGIN", "login")
        );
        assert_eq!(shown(&mut r, &i), "a001 login alice <redacted>\r\n");
        let i = t.line("? Select Inbox", false);
        assert_eq!(wire(&i), "? Select Inbox\r\n");
        let i = t.line("namespace", false);
        assert_eq!(wire(&i), "a002 namespace\r\n");
        assert_eq!(t.line("  ", false), Input::Empty);
        assert_eq!(
            t.line(".login bob", false),
            Input::Dot {
                name: ".login".into(),
                arg: "bob".into()
            }
        );
    }

    #[test]
    fn literals_continue_and_wait_unless_literal_plus() {
        let mut t = Typist::new(1);
        let i = t.line("select {5}", true);
        let Input::Chunk {
            chunk, continues, ..
        } = &i
        else {
            panic!()
        };
        assert!(*continues && chunk.awaits_continuation);
        assert!(t.continuing());
        let i = t.line("INBOX", true);
        assert_eq!(wire(&i), "INBOX\r\n");
        assert!(!t.continuing());
        let i = t.line("select {5+}", true);
        let Input::Chunk { chunk, .. } = &i else {
            panic!()
        };
        assert!(!chunk.awaits_continuation);
        t.line("INBOX", true);
        let i = t.line("select {5+}", false);
        let Input::Chunk { chunk, .. } = &i else {
            panic!()
        };
        assert!(chunk.awaits_continuation, "no LITERAL+: wait anyway");
    }

    #[test]
    fn passwords_are_masked_while_typed() {
        assert_eq!(
            masked("login alice secret", false).unwrap(),
            "login alice ******"
        );
        assert_eq!(
            masked("? LOGIN alice s e", false).unwrap(),
            "? LOGIN alice ***"
        );
        assert_eq!(
            masked("a1 authenticate plain AGFs", false).unwrap(),
            "a1 authenticate plain ****"
        );
        assert_eq!(
            masked("login alice {6}", false),
            Some("login alice {6}".into())
        );
        assert_eq!(masked("pässwörd", true).unwrap(), "********");
        assert_eq!(masked("select inbox", false), None);
        assert_eq!(masked("login alice", false), None);
    }

    #[test]
    fn a_password_literal_is_never_shown() {
        let mut r = Redactor::default();
        let mut t = Typist::new(7);
        let i = t.line("login alice {6}", false);
        // Neither the password nor its length is shown.
        assert_eq!(shown(&mut r, &i), "a007 login alice <redacted>\r\n");
        let i = t.line("secret", false);
        assert_eq!(wire(&i), "secret\r\n");
        assert_eq!(shown(&mut r, &i), "<redacted>\r\n");
        r.server(b"a007 OK done\r\n");
        let i = t.line("a8 AUTHENTICATE PLAIN AGFsaWNlAHNlY3JldA==", false);
        assert_eq!(shown(&mut r, &i), "a8 AUTHENTICATE PLAIN <redacted>\r\n");
    }
}
