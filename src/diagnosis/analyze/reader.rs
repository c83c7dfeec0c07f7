//! Reading a saved session: a telnet paste (client lines such as `a001 login ...` or
//! `? login ...` mixed with server lines, with or without local echo), `C:`/`S:`
//! transcripts (imapdiag's own text transcript included), `openssl s_client` output, and
//! imapdiag's JSON report. Pure: text in, lines out; what it cannot place is skipped and
//! counted, never fatal.

use super::redact::{opens_sasl, redact_command};
use crate::proto::command::COMMAND_NAMES;

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
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Session {
    /// `json`, `C:/S:`, `telnet` or `openssl s_client`.
    pub format: String,
    pub lines: Vec<Line>,
    /// Lines that were neither client nor server (telnet and s_client chatter).
    pub skipped: usize,
}

/// Largest input read, and largest literal joined: a stranger's file stays bounded.
pub const MAX_INPUT: usize = 16 << 20;
const MAX_LITERAL: usize = 1 << 20;

pub fn read(text: &str) -> Session {
    let mut s = read_lines(text);
    redact(&mut s.lines);
    s
}

fn read_lines(text: &str) -> Session {
    let text = &text[..floor_char_boundary(text, MAX_INPUT)];
    if text.trim_start().starts_with('{') {
        if let Some(s) = from_json(text) {
            return s;
        }
    }
    let raw: Vec<&str> = text.lines().collect();
    if raw.iter().any(|l| prefixed(l).is_some()) {
        return prefixed_session(&raw);
    }
    plain_session(&raw)
}

/// Every client line leaves the reader redacted: LOGIN's password, AUTHENTICATE's initial
/// response, and every client line of a SASL exchange until its tagged completion.
fn redact(lines: &mut [Line]) {
    let mut sasl: Option<String> = None;
    for l in lines {
        match l.dir {
            Dir::Client if sasl.is_some() => l.text = crate::secret::REDACTED.to_string(),
            Dir::Client => {
                sasl = opens_sasl(&l.text).map(str::to_string);
                l.text = redact_command(&l.text);
            }
            Dir::Server => {
                let first = l.text.split_whitespace().next();
                if sasl.is_some() && first == sasl.as_deref() {
                    sasl = None;
                }
            }
        }
    }
}

fn floor_char_boundary(s: &str, max: usize) -> usize {
    let mut i = max.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// imapdiag's JSON report: its `transcript` (client and server lines, notes dropped).
fn from_json(text: &str) -> Option<Session> {
    let v: serde_json::Value = serde_json::from_str(text).ok()?;
    if !v["schema"].as_str()?.starts_with("imapdiag.report/") {
        return None;
    }
    let mut s = Session {
        format: "json".into(),
        ..Session::default()
    };
    for w in v["transcript"].as_array()? {
        let line = w["line"].as_str().unwrap_or("").to_string();
        match w["dir"].as_str() {
            Some("C") => s.lines.push(Line {
                dir: Dir::Client,
                text: line,
            }),
            Some("S") => s.lines.push(Line {
                dir: Dir::Server,
                text: line,
            }),
            _ => s.skipped += 1,
        }
    }
    Some(s)
}

/// `C: ...` / `S: ...`, optionally after a time offset (`  0.021 C: ...`).
fn prefixed(line: &str) -> Option<(Dir, &str)> {
    let t = line.trim_start();
    let t = match t.split_once(' ') {
        Some((time, rest)) if time.parse::<f64>().is_ok() => rest.trim_start(),
        _ => t,
    };
    let (dir, rest) = match t.get(..2)? {
        "C:" | "c:" => (Dir::Client, &t[2..]),
        "S:" | "s:" => (Dir::Server, &t[2..]),
        _ => return None,
    };
    Some((dir, rest.strip_prefix(' ').unwrap_or(rest)))
}

fn prefixed_session(raw: &[&str]) -> Session {
    let mut s = Session {
        format: "C:/S:".into(),
        ..Session::default()
    };
    for l in raw {
        match prefixed(l) {
            Some((dir, text)) => s.lines.push(Line {
                dir,
                text: text.to_string(),
            }),
            None => s.skipped += 1,
        }
    }
    s.lines = join_literals(std::mem::take(&mut s.lines));
    s
}

/// A telnet paste or s_client output: nothing before the greeting counts; after it, a
/// line is the server's when it starts with `*` or `+` or completes a tag the client
/// used, the client's when it starts with a tag and a command word.
fn plain_session(raw: &[&str]) -> Session {
    // Nothing before the greeting counts; a paste without one (KB Q311468 shows only the
    // commands and replies) is read from the top.
    let start = raw.iter().position(|l| is_greeting(l)).or(Some(0));
    let s_client = raw.iter().any(|l| {
        l.starts_with("CONNECTED(")
            || l.contains("BEGIN CERTIFICATE")
            || l.starts_with("SSL-Session:")
    });
    let mut s = Session {
        format: if s_client {
            "openssl s_client"
        } else {
            "telnet"
        }
        .into(),
        skipped: start.unwrap_or(raw.len()),
        ..Session::default()
    };
    let mut tags: Vec<String> = Vec::new();
    let mut last_client: Option<String> = None;
    for l in raw.iter().skip(start.unwrap_or(raw.len())) {
        let l = l.trim_end_matches('\r');
        match classify(l, &tags) {
            Some(Dir::Client) => {
                // Local echo shows a typed line twice; keep one.
                if last_client.as_deref() == Some(l) {
                    continue;
                }
                tags.extend(l.split_whitespace().next().map(str::to_string));
                last_client = Some(l.to_string());
                s.lines.push(Line {
                    dir: Dir::Client,
                    text: l.to_string(),
                });
            }
            Some(Dir::Server) => {
                last_client = None;
                s.lines.push(Line {
                    dir: Dir::Server,
                    text: l.to_string(),
                });
            }
            None => s.skipped += 1,
        }
    }
    s.lines = join_literals(std::mem::take(&mut s.lines));
    s
}

fn is_greeting(l: &str) -> bool {
    let u = l.trim_start().to_ascii_uppercase();
    u.starts_with("* OK") || u.starts_with("* PREAUTH") || u.starts_with("* BYE")
}

fn classify(l: &str, tags: &[String]) -> Option<Dir> {
    let t = l.trim_start();
    if t.starts_with("* ") || t == "+" || t.starts_with("+ ") {
        return Some(Dir::Server);
    }
    let mut words = t.split_whitespace();
    let (tag, word) = (words.next()?, words.next().unwrap_or(""));
    let upper = word.to_ascii_uppercase();
    let is_status = matches!(upper.as_str(), "OK" | "NO" | "BAD");
    if is_status && tags.iter().any(|x| x == tag) {
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

/// A server line ending in `{n}` continues over the next lines until n bytes (CRLF
/// counted) have been read (RFC 3501 §4.3), up to a cap.
fn join_literals(lines: Vec<Line>) -> Vec<Line> {
    let mut out: Vec<Line> = Vec::with_capacity(lines.len());
    let mut owed = 0usize;
    for l in lines {
        if owed > 0 && l.dir == Dir::Server {
            if let Some(last) = out.last_mut() {
                last.text.push_str("\r\n");
                last.text.push_str(&l.text);
                owed = owed.saturating_sub(l.text.len() + 2);
                if owed == 0 {
                    owed = literal_len(&last.text).unwrap_or(0);
                }
                continue;
            }
        }
        owed = match l.dir {
            Dir::Server => literal_len(&l.text).unwrap_or(0),
            Dir::Client => 0,
        };
        out.push(l);
    }
    out
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
