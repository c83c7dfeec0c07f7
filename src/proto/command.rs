//! Encoding client commands (RFC 3501 §9): every argument goes out as an atom, a quoted
//! string or a literal, whichever its bytes need, so `DOMAIN/user/alias` and
//! `domain\user\alias` logins reach the server with their meaning intact (§1.4 of the
//! research notes: a bare backslash is a syntax error).

/// One piece of a command that can be written before the server must answer.
///
/// After a chunk whose `awaits_continuation` is set, the client waits for the server's
/// `+` (a synchronising literal, RFC 3501 §7.5) before it writes the next chunk. What a
/// transcript shows of it is the connection's business (`proto::redact`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk {
    /// The bytes that go to the server.
    pub wire: Vec<u8>,
    pub awaits_continuation: bool,
}

/// A command, tagged and encoded, ready for the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodedCommand {
    pub tag: String,
    pub chunks: Vec<Chunk>,
}

impl EncodedCommand {
    /// All the bytes of the command, chunk after chunk.
    pub fn wire(&self) -> Vec<u8> {
        self.chunks.iter().flat_map(|c| c.wire.clone()).collect()
    }
}

/// Builds one command: `CommandBuilder::new("a001", "LOGIN").astring(..).astring(..).finish()`.
#[derive(Debug)]
pub struct CommandBuilder {
    tag: String,
    chunks: Vec<Chunk>,
    wire: Vec<u8>,
    literal_plus: bool,
}

impl CommandBuilder {
    /// `name` is written as given (it is ours, never user data).
    pub fn new(tag: &str, name: &str) -> Self {
        CommandBuilder {
            tag: tag.to_string(),
            chunks: Vec::new(),
            wire: format!("{tag} {name}").into_bytes(),
            literal_plus: false,
        }
    }

    /// Use non-synchronising literals `{n+}` (RFC 7888) when a literal is needed.
    pub fn literal_plus(mut self, on: bool) -> Self {
        self.literal_plus = on;
        self
    }

    /// Appends ` text` exactly as given: for atoms and syntax we produce ourselves.
    pub fn raw(mut self, text: &str) -> Self {
        self.wire.push(b' ');
        self.wire.extend_from_slice(text.as_bytes());
        self
    }

    /// Appends an `astring` argument in the lightest form its bytes allow.
    pub fn astring(mut self, value: &str) -> Self {
        let value = value.as_bytes();
        self.wire.push(b' ');
        match classify(value) {
            Form::Atom => self.wire.extend_from_slice(value),
            Form::Quoted => self.wire.extend_from_slice(&quote(value)),
            Form::Literal => {
                let plus = if self.literal_plus { "+" } else { "" };
                let announce = format!("{{{}{plus}}}\r\n", value.len());
                self.wire.extend_from_slice(announce.as_bytes());
                self.cut_chunk(!self.literal_plus);
                self.wire.extend_from_slice(value);
            }
        }
        self
    }

    pub fn finish(mut self) -> EncodedCommand {
        self.wire.extend_from_slice(b"\r\n");
        self.cut_chunk(false);
        EncodedCommand {
            tag: self.tag,
            chunks: self.chunks,
        }
    }

    fn cut_chunk(&mut self, awaits_continuation: bool) {
        self.chunks.push(Chunk {
            wire: std::mem::take(&mut self.wire),
            awaits_continuation,
        });
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Form {
    Atom,
    Quoted,
    Literal,
}

/// RFC 3501 §9: `astring = 1*ASTRING-CHAR / string`; a quoted string holds any TEXT-CHAR
/// (7-bit, no NUL, CR or LF); anything else needs a literal.
fn classify(value: &[u8]) -> Form {
    if !value.is_empty() && value.iter().all(|&b| is_astring_char(b)) {
        Form::Atom
    } else if value.iter().all(|&b| is_text_char(b)) {
        Form::Quoted
    } else {
        Form::Literal
    }
}

/// The tag of the `n`th command (`a001`, `a002`, ...): RFC 3501 §2.2.1 asks only that
/// tags be unique; the shell and the checks number theirs alike.
pub fn tag(n: u32) -> String {
    format!("a{n:03}")
}

/// An `astring` as text: an atom when it can be one, otherwise a quoted string. For
/// values that cannot need a literal (the emulator's own mailbox names).
pub fn astring_text(value: &str) -> String {
    match classify(value.as_bytes()) {
        Form::Atom => value.to_string(),
        _ => quoted_text(value),
    }
}

/// `value` as a quoted string (RFC 3501 §4.3), `\` and `"` escaped.
pub fn quoted_text(value: &str) -> String {
    String::from_utf8_lossy(&quote(value.as_bytes())).into_owned()
}

/// The value of a quoted string (RFC 3501 §4.3) whose opening `"` was read: up to the
/// closing quote, `\\` escapes undone. `None` when it never closes.
pub fn quoted(chars: &mut impl Iterator<Item = char>) -> Option<String> {
    let mut out = String::new();
    loop {
        match chars.next()? {
            '"' => return Some(out),
            '\\' => out.push(chars.next()?),
            c => out.push(c),
        }
    }
}

/// ASTRING-CHAR = ATOM-CHAR / "]"; ATOM-CHAR excludes `( ) { SP CTL % * " \ ]`.
pub fn is_astring_char(b: u8) -> bool {
    b.is_ascii_graphic() && !b"(){%*\"\\".contains(&b)
}

fn is_text_char(b: u8) -> bool {
    b.is_ascii() && !matches!(b, 0 | b'\r' | b'\n')
}

fn quote(value: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(value.len() + 2);
    out.push(b'"');
    for &b in value {
        if b == b'"' || b == b'\\' {
            out.push(b'\\');
        }
        out.push(b);
    }
    out.push(b'"');
    out
}

/// Command names of RFC 3501, RFC 9051 and the extensions a diagnosis meets (RFC 2193's
/// RLIST/RLSUB, RFC 2342, RFC 2971, RFC 2177, RFC 5161, RFC 2087, RFC 4314, RFC 6851).
pub const COMMAND_NAMES: &[&str] = &[
    "CAPABILITY",
    "NOOP",
    "LOGOUT",
    "STARTTLS",
    "AUTHENTICATE",
    "LOGIN",
    "SELECT",
    "EXAMINE",
    "CREATE",
    "DELETE",
    "RENAME",
    "SUBSCRIBE",
    "UNSUBSCRIBE",
    "LIST",
    "LSUB",
    "RLIST",
    "RLSUB",
    "STATUS",
    "APPEND",
    "CHECK",
    "CLOSE",
    "UNSELECT",
    "EXPUNGE",
    "SEARCH",
    "FETCH",
    "STORE",
    "COPY",
    "MOVE",
    "UID",
    "NAMESPACE",
    "ID",
    "IDLE",
    "DONE",
    "ENABLE",
    "GETQUOTA",
    "GETQUOTAROOT",
    "GETACL",
    "MYRIGHTS",
    "XLIST",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn wire(cmd: &EncodedCommand) -> String {
        String::from_utf8(cmd.wire()).unwrap()
    }

    /// What a transcript shows: the one redaction rule applied to the wire.
    fn shown(cmd: &EncodedCommand) -> String {
        let shown = crate::proto::redact::Redactor::default().client(&cmd.wire());
        String::from_utf8(shown).unwrap()
    }

    #[test]
    fn exchange_slash_login_is_an_atom() {
        let cmd = CommandBuilder::new("a001", "LOGIN")
            .astring("DOMname/UserN/AliasN")
            .astring("PASSword")
            .finish();
        assert_eq!(wire(&cmd), "a001 LOGIN DOMname/UserN/AliasN PASSword\r\n");
        assert_eq!(
            shown(&cmd),
            "a001 LOGIN DOMname/UserN/AliasN <redacted>\r\n"
        );
    }

    #[test]
    fn backslash_login_is_quoted_with_escapes() {
        let cmd = CommandBuilder::new("a1", "LOGIN")
            .astring(r"domain\user\alias")
            .astring("p w")
            .finish();
        assert_eq!(
            wire(&cmd),
            "a1 LOGIN \"domain\\\\user\\\\alias\" \"p w\"\r\n"
        );
        assert_eq!(
            shown(&cmd),
            "a1 LOGIN \"domain\\\\user\\\\alias\" <redacted>\r\n"
        );
    }

    #[test]
    fn eight_bit_password_goes_as_a_synchronising_literal() {
        let cmd = CommandBuilder::new("a1", "LOGIN")
            .astring("alice")
            .astring("pässword")
            .finish();
        assert_eq!(cmd.chunks.len(), 2);
        assert!(cmd.chunks[0].awaits_continuation);
        assert_eq!(cmd.chunks[0].wire, b"a1 LOGIN alice {9}\r\n");
        assert_eq!(cmd.chunks[1].wire, "pässword\r\n".as_bytes());
        // Neither the password nor its length is shown.
        assert_eq!(shown(&cmd), "a1 LOGIN alice <redacted>\r\n<redacted>\r\n");
    }

    #[test]
    fn literal_plus_does_not_wait() {
        let cmd = CommandBuilder::new("a1", "SELECT")
            .literal_plus(true)
            .astring("Ünï")
            .finish();
        assert!(!cmd.chunks[0].awaits_continuation);
        assert_eq!(wire(&cmd), "a1 SELECT {5+}\r\nÜnï\r\n");
    }

    #[test]
    fn empty_string_is_quoted() {
        let cmd = CommandBuilder::new("a1", "LIST")
            .astring("")
            .astring("")
            .finish();
        assert_eq!(wire(&cmd), "a1 LIST \"\" \"\"\r\n");
    }
}
