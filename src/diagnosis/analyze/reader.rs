//! Reading a saved session: a telnet paste (client lines such as `a001 login ...` or
//! `? login ...` mixed with server lines, with or without local echo), `openssl s_client`
//! output, imapdiag's JSON report, and the client logs of `formats` (`C:`/`S:`, curl -v,
//! MailKit, node-imap, imapflow, Python's imaplib and aioimaplib, Thunderbird, K-9 Mail,
//! rust-imap). Pure: text in, lines out, one at a time and in one pass over the input, so a
//! stranger's file costs time and memory in proportion to it; what it cannot place is
//! skipped and counted, never fatal. Every client line leaves it redacted.

use crate::report::WireDir;
use std::collections::HashSet;

use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::formats::{self, s_client, Format, Item, TlsFact};
use crate::proto::command::COMMAND_NAMES;
use crate::proto::redact::Redactor;

/// Who sent a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dir {
    Client,
    Server,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub dir: Dir,
    /// The line without its ending; a server message with literals keeps them joined by CRLF.
    pub text: String,
    /// A client line that answers the server's continuation request (RFC 3501 §7.5): data
    /// for the open command (SASL, a literal), not a command. Set by the reader alone.
    pub data: bool,
    /// A server line the log rebuilt from the client's parsed form (K-9 Mail), not the
    /// bytes the server sent.
    pub rebuilt: bool,
}

impl Line {
    /// A line as the log shows it; only the reader marks continuation data.
    fn new(dir: Dir, text: String) -> Line {
        Line {
            dir,
            text,
            data: false,
            rebuilt: false,
        }
    }
}

/// What a whole read found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// `json`, `telnet`, `openssl s_client`, or a client log format's name (`curl -v`).
    pub format: String,
    /// Lines given to the caller.
    pub lines: usize,
    /// Of those, the server's: a file with none has nothing IMAP to judge.
    pub server_lines: usize,
    /// Lines that were neither client nor server (the log's own lines, other programs').
    pub skipped: usize,
    /// What the log said about TLS (curl's `* ` lines).
    pub tls: Vec<TlsFact>,
    /// The connection read, when the log interleaves several (or one was asked for).
    pub connection: Option<String>,
    /// Every connection the log names, in the order first seen, when one was chosen.
    pub connections: Vec<String>,
}

/// How to read: guess, or a name `--format-in` gave (`formats::NAMES`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Reading {
    #[default]
    Guess,
    Json,
    Plain,
    Lines(Format),
    /// A Dovecot rawlog pair, merged into `C:`/`S:` lines (`rawlog::merge`).
    Rawlog,
}

impl Reading {
    /// `--format-in NAME`; `None` for a name no reader has.
    pub fn by_name(name: &str) -> Option<Reading> {
        match name.to_ascii_lowercase().as_str() {
            "auto" => Some(Reading::Guess),
            "json" => Some(Reading::Json),
            "telnet" | "s_client" | "openssl" => Some(Reading::Plain),
            "rawlog" => Some(Reading::Rawlog),
            other => formats::by_name(other).map(Reading::Lines),
        }
    }
}

/// All the lines of a read, for callers that want them at once (tests, small inputs).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Session {
    pub format: String,
    pub lines: Vec<Line>,
    pub skipped: usize,
}

/// Largest input read, and largest literal joined: a stranger's file stays bounded.
pub const MAX_INPUT: usize = 16 << 20;
const MAX_LITERAL: usize = 1 << 20;
/// Tags remembered to recognise the server's completions in a telnet paste; past this the
/// shape of a tagged status line alone decides.
const MAX_TAGS: usize = 10_000;

pub fn read(text: &str) -> Session {
    let mut lines = Vec::new();
    let summary = each_line(text, Reading::Guess, None, &mut |l| lines.push(l));
    Session {
        format: summary.format,
        lines,
        skipped: summary.skipped,
    }
}

/// Reads `text` and gives each line to `f` as soon as it is complete. In a log that
/// interleaves connections, only one is read: `connection`, or the busiest.
pub fn each_line(
    text: &str,
    how: Reading,
    connection: Option<&str>,
    f: &mut dyn FnMut(Line),
) -> Summary {
    let text = &text[..floor_char_boundary(text, MAX_INPUT)];
    let mut sink = Sink::new(f);
    let how = match how {
        Reading::Guess if is_json_report(text) => Reading::Json,
        // s_client's own lines can look like another log's (`> openssl s_client ...`).
        Reading::Guess if s_client::is_s_client(text) => Reading::Plain,
        Reading::Guess => formats::detect(text).map_or(Reading::Plain, Reading::Lines),
        chosen => chosen,
    };
    let mut tls = Vec::new();
    let mut chosen = Chosen::default();
    let format = match how {
        Reading::Json if from_json(text, &mut sink) => "json",
        Reading::Lines(format) => {
            chosen = choose(text, format, connection);
            tls = log_lines(text, format, &chosen, &mut sink);
            format.name()
        }
        Reading::Rawlog => {
            log_lines(text, Format::Cs, &chosen, &mut sink);
            "Dovecot rawlog"
        }
        _ => {
            let name = plain_lines(text, &mut sink);
            if name == "openssl s_client" {
                tls = text.lines().take(2_000).filter_map(s_client::tls).collect();
            }
            name
        }
    };
    sink.flush();
    Summary {
        format: format.into(),
        lines: sink.count,
        server_lines: sink.server,
        skipped: sink.skipped,
        tls,
        connection: chosen.judged,
        connections: chosen.all,
    }
}

/// Connections told apart in one log; more are read as the last.
const MAX_CONNECTIONS: usize = 64;

/// Which of a log's connections is read.
#[derive(Debug, Default)]
struct Chosen {
    /// `None`: every line is read (one connection, or a format that names none).
    judged: Option<String>,
    all: Vec<String>,
}

/// Thunderbird, K-9 Mail and imapflow use several connections at once and log them
/// interleaved; one session's replay cannot judge their lines together. The one asked
/// for is read, else the one with the most lines (the first of equals).
fn choose(text: &str, format: Format, wanted: Option<&str>) -> Chosen {
    let mut seen: Vec<(&str, usize)> = Vec::new();
    for id in text.lines().filter_map(|l| format.connection(l)) {
        match seen.iter().position(|(s, _)| *s == id) {
            Some(i) => seen[i].1 += 1,
            None if seen.len() < MAX_CONNECTIONS => seen.push((id, 1)),
            None => {}
        }
    }
    if seen.len() < 2 && wanted.is_none() {
        return Chosen::default();
    }
    let busiest = seen.iter().rev().max_by_key(|(_, n)| *n).map(|(id, _)| *id);
    Chosen {
        judged: wanted.or(busiest).map(str::to_string),
        all: seen.iter().map(|(id, _)| id.to_string()).collect(),
    }
}

/// A client log, line by line: its IMAP lines go on (those of the chosen connection), the
/// rest is counted.
fn log_lines(text: &str, format: Format, chosen: &Chosen, sink: &mut Sink) -> Vec<TlsFact> {
    let mut tls = Vec::new();
    for l in text.lines() {
        let other = |judged: &String| format.connection(l).is_some_and(|id| id != judged);
        if chosen.judged.as_ref().is_some_and(other) {
            sink.skipped += 1;
            continue;
        }
        let items = format.line(l.trim_end_matches('\r')).unwrap_or_default();
        if items.is_empty() {
            sink.skipped += 1;
        }
        for item in items {
            match item {
                Item::Client(text) => sink.push(Line::new(Dir::Client, text)),
                Item::Server(text) => sink.push(Line {
                    rebuilt: format.lossy(),
                    ..Line::new(Dir::Server, text)
                }),
                Item::Tls(fact) if tls.len() < 64 => tls.push(fact),
                Item::Tls(_) => {}
            }
        }
    }
    tls
}

fn floor_char_boundary(s: &str, max: usize) -> usize {
    let mut i = max.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Where lines go: literals are joined (RFC 3501 §4.3), client lines redacted, and the
/// result handed on.
struct Sink<'f> {
    emit: &'f mut dyn FnMut(Line),
    /// A server line whose literal is still owed bytes.
    pending: Option<Line>,
    owed: usize,
    /// The one redaction rule, as the live check and the shell apply it.
    redactor: Redactor,
    count: usize,
    server: usize,
    skipped: usize,
}

impl<'f> Sink<'f> {
    fn new(emit: &'f mut dyn FnMut(Line)) -> Self {
        Sink {
            emit,
            pending: None,
            owed: 0,
            redactor: Redactor::default(),
            count: 0,
            server: 0,
            skipped: 0,
        }
    }

    fn push(&mut self, l: Line) {
        if self.owed > 0 && l.dir == Dir::Server {
            if let Some(p) = self.pending.as_mut() {
                p.text.push_str("\r\n");
                p.text.push_str(&l.text);
                self.owed = self.owed.saturating_sub(l.text.len() + 2);
                // A message may carry several literals, but not without end.
                if self.owed == 0 && p.text.len() <= 2 * MAX_LITERAL {
                    self.owed = literal_len(&p.text).unwrap_or(0);
                }
                return;
            }
        }
        self.flush();
        self.owed = match l.dir {
            Dir::Server => literal_len(&l.text).unwrap_or(0),
            Dir::Client => 0,
        };
        if self.owed > 0 {
            self.pending = Some(l);
        } else {
            self.give(l);
        }
    }

    fn flush(&mut self) {
        if let Some(p) = self.pending.take() {
            self.give(p);
        }
        self.owed = 0;
    }

    /// Client lines leave redacted and server lines scrubbed, by the one rule
    /// (`proto::redact`).
    fn give(&mut self, mut l: Line) {
        match l.dir {
            Dir::Client => {
                let shown = self.redactor.client_line(&l.text);
                l.text = shown.text;
                l.data = shown.data;
            }
            Dir::Server => {
                self.server += 1;
                if let Some(clean) = self.redactor.server(l.text.as_bytes()) {
                    l.text = String::from_utf8_lossy(&clean).into_owned();
                }
            }
        }
        self.count += 1;
        (self.emit)(l);
    }
}

/// imapdiag's own JSON report, recognised by its schema near the start.
fn is_json_report(text: &str) -> bool {
    let t = text.trim_start();
    let head = &t[..floor_char_boundary(t, 256)];
    t.starts_with('{') && head.contains("\"imapdiag.report/")
}

/// The report's `transcript` (client and server lines, notes skipped), read element by
/// element without building the document. False when it is not such a report.
fn from_json(text: &str, sink: &mut Sink) -> bool {
    let mut de = serde_json::Deserializer::from_str(text);
    serde::Deserializer::deserialize_map(&mut de, ReportVisitor { sink }).unwrap_or(false)
}

struct ReportVisitor<'s, 'f> {
    sink: &'s mut Sink<'f>,
}

impl<'de> Visitor<'de> for ReportVisitor<'_, '_> {
    type Value = bool;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an imapdiag report")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
        let mut ours = false;
        while let Some(key) = map.next_key::<std::borrow::Cow<str>>()? {
            match key.as_ref() {
                "schema" => ours = map.next_value::<String>()?.starts_with("imapdiag.report/"),
                "transcript" if ours => map.next_value_seed(TranscriptSeed {
                    sink: &mut *self.sink,
                })?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(ours)
    }
}

struct TranscriptSeed<'s, 'f> {
    sink: &'s mut Sink<'f>,
}

#[derive(serde::Deserialize)]
struct WireIn {
    dir: String,
    line: String,
}

impl<'de> DeserializeSeed<'de> for TranscriptSeed<'_, '_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for TranscriptSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a transcript")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(w) = seq.next_element::<WireIn>()? {
            match WireDir::from_code(&w.dir) {
                Some(WireDir::Client) => self.sink.push(Line::new(Dir::Client, w.line)),
                Some(WireDir::Server) => self.sink.push(Line::new(Dir::Server, w.line)),
                _ => self.sink.skipped += 1,
            }
        }
        Ok(())
    }
}

/// A telnet paste or s_client output: nothing before the greeting counts; after it, a
/// line is the server's when it starts with `*` or `+` or completes a tag the client
/// used, the client's when it starts with a tag and a command word.
fn plain_lines(text: &str, sink: &mut Sink) -> &'static str {
    // Nothing before the greeting counts; a paste without one (KB Q311468 shows only the
    // commands and replies) is read from the top.
    let s_client = s_client::is_s_client(text);
    // s_client without a greeting never reached IMAP: all its lines are its own.
    let start = match text.lines().position(is_greeting) {
        Some(at) => at,
        None if s_client => usize::MAX,
        None => 0,
    };
    sink.skipped += start.min(text.lines().count());
    let mut tags: HashSet<&str> = HashSet::new();
    let mut last_client: Option<&str> = None;
    for l in text.lines().skip(start) {
        // Indentation is the paste's (a code block, a quote), not the protocol's.
        let l = l.trim_end_matches('\r').trim_start();
        match classify(l, &tags) {
            Some(Dir::Client) => {
                // Local echo shows a typed line twice; keep one.
                if last_client == Some(l) {
                    continue;
                }
                if tags.len() < MAX_TAGS {
                    tags.extend(l.split_whitespace().next());
                }
                last_client = Some(l);
                sink.push(Line::new(Dir::Client, l.to_string()));
            }
            Some(Dir::Server) => {
                last_client = None;
                sink.push(Line::new(Dir::Server, l.to_string()));
            }
            None => sink.skipped += 1,
        }
    }
    if s_client {
        "openssl s_client"
    } else {
        "telnet"
    }
}

fn is_greeting(l: &str) -> bool {
    let u = l.trim_start().to_ascii_uppercase();
    u.starts_with("* OK") || u.starts_with("* PREAUTH") || u.starts_with("* BYE")
}

fn classify(l: &str, tags: &HashSet<&str>) -> Option<Dir> {
    let t = l.trim_start();
    if t.starts_with("* ") || t == "+" || t.starts_with("+ ") {
        return Some(Dir::Server);
    }
    let mut words = t.split_whitespace();
    let (tag, word) = (words.next()?, words.next().unwrap_or(""));
    let upper = word.to_ascii_uppercase();
    let is_status = matches!(upper.as_str(), "OK" | "NO" | "BAD");
    if is_status && tags.contains(tag) {
        return Some(Dir::Server);
    }
    if !tag.is_empty() && COMMAND_NAMES.contains(&upper.as_str()) {
        return Some(Dir::Client);
    }
    // A tagged status for a command whose line was not echoed.
    if is_status && !tag.is_empty() && tag.len() <= 16 {
        return Some(Dir::Server);
    }
    None
}

fn literal_len(text: &str) -> Option<usize> {
    let inner = text.strip_suffix('}')?;
    let open = inner.rfind('{')?;
    let n: usize = inner[open + 1..].trim_end_matches('+').parse().ok()?;
    (n <= MAX_LITERAL).then_some(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dirs(s: &Session) -> Vec<(Dir, &str)> {
        s.lines.iter().map(|l| (l.dir, l.text.as_str())).collect()
    }

    #[test]
    fn telnet_paste_with_noise_and_echo() {
        let paste = "Trying 10.0.0.5...\r\nConnected to exch.\r\nEscape character is '^]'.\r\n* OK Microsoft Exchange IMAP4rev1 server version 5.5.2653.23 (EXCH55) ready\r\na001 login alice secret\r\na001 login alice secret\r\na001 OK LOGIN completed.\r\na002 namespace\r\n* NAMESPACE ((\"\" \"/\")) NIL NIL\r\na002 OK NAMESPACE completed.\r\nConnection closed by foreign host.\r\n";
        let s = read(paste);
        assert_eq!(s.format, "telnet");
        assert_eq!(
            dirs(&s),
            [
                (
                    Dir::Server,
                    "* OK Microsoft Exchange IMAP4rev1 server version 5.5.2653.23 (EXCH55) ready"
                ),
                (Dir::Client, "a001 login alice <redacted>"),
                (Dir::Server, "a001 OK LOGIN completed."),
                (Dir::Client, "a002 namespace"),
                (Dir::Server, "* NAMESPACE ((\"\" \"/\")) NIL NIL"),
                (Dir::Server, "a002 OK NAMESPACE completed."),
            ]
        );
        assert_eq!(s.skipped, 4);
    }

    #[test]
    fn cs_transcripts_with_times_and_literals() {
        let t = "  0.001 S: * OK ready\n  0.002 C: a1 LIST \"\" \"\"\n  0.003 S: * LIST () \"/\" {5}\n  0.003 S: INBOX\n  0.004 S: a1 OK done\n";
        let s = read(t);
        assert_eq!(s.format, "C:/S:");
        assert_eq!(s.lines[2].text, "* LIST () \"/\" {5}\r\nINBOX");
        assert_eq!(s.lines.len(), 4);
    }

    #[test]
    fn a_line_that_answers_a_continuation_is_redacted() {
        // LOGIN's password as a synchronizing literal (RFC 3501 §4.3), and Horde's way of
        // writing an AUTHENTICATE that this reader does not recognise as one.
        let t = "S: * OK hi\nC: a1 LOGIN alice {7}\nS: + Ready\nC: hunter2\nS: a1 OK done\nC: 2 [INITIAL CLIENT RESPONSE (username: bob)]\nS: +\nC: AGJvYgBzM2NyM3Q=\nS: 2 OK Logged in\n";
        let s = read(t);
        let shown: Vec<&str> = s.lines.iter().map(|l| l.text.as_str()).collect();
        assert!(!shown.contains(&"hunter2"), "{shown:?}");
        assert!(!shown.contains(&"AGJvYgBzM2NyM3Q="), "{shown:?}");
        assert_eq!(
            shown
                .iter()
                .filter(|l| **l == crate::secret::REDACTED)
                .count(),
            2
        );
    }

    #[test]
    fn s_client_output_starts_at_the_greeting() {
        let t = "CONNECTED(00000003)\ndepth=0 CN = localhost\n---\nSSL-Session:\n    Protocol  : TLSv1.3\n---\n* OK [CAPABILITY IMAP4rev1] Dovecot ready.\n? login alice x\n? OK Logged in\n";
        let s = read(t);
        assert_eq!(s.format, "openssl s_client");
        assert_eq!(s.lines.len(), 3);
    }

    #[test]
    fn json_reports_and_garbage() {
        let j = r#"{"schema":"imapdiag.report/1","transcript":[{"dir":"S","line":"* OK hi"},{"dir":"*","line":"TLS"},{"dir":"C","line":"a001 NOOP"}]}"#;
        let s = read(j);
        assert_eq!(s.format, "json");
        assert_eq!(s.lines.len(), 2);
        assert!(read("\u{0}\u{1b}[2J{}{}{999999999999}\n").lines.is_empty());
    }

    proptest::proptest! {
        #[test]
        fn never_panics(s in "\\PC*") {
            let _ = read(&s);
        }
    }
}
