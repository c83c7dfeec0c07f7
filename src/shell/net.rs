//! The shell's connection task: writes what the user sends, reads what the server says
//! whenever it says it, and holds a chunk after a synchronising literal until the
//! server's `+` (RFC 3501 §7.5). A tagged NO or BAD instead of `+` drops the rest of
//! that command.

use std::collections::VecDeque;
use std::sync::mpsc::SyncSender as Sender;
use std::time::{Duration, Instant};

use tokio::sync::mpsc::UnboundedReceiver;

use super::open::{tls_failure, tls_note};
use crate::client::connection::Connection;
use crate::client::{open, Exchange, Received, Session};
use crate::proto::response::parse;
use crate::proto::{Chunk, Data, Response, StatusKind};
use crate::settings::Settings;

pub enum Out {
    Chunk {
        tag: String,
        chunk: Chunk,
    },
    /// `tag STARTTLS`, then the handshake right after the OK.
    StartTls {
        tag: String,
    },
    /// Send the transcript so far as an [`Event::Transcript`].
    Transcript,
    Close,
}

pub enum Event {
    Received(Received),
    /// What was written, secrets redacted.
    Sent(Vec<u8>),
    /// A note from the shell about the connection (TLS up, bytes discarded).
    Note(String),
    /// The connection ended; the text says why.
    Closed(String),
    /// The transcript at the end (secrets redacted), for `.transcript save`.
    Transcript(Vec<u8>),
    /// A response to the shell's own LIST after login: its names, for completion only.
    Learned(Received),
}

/// An idle interactive session waits this long for the server; it is the server's idle
/// timeout (30 minutes in RFC 3501 §5.4) that normally ends it.
const IDLE: Duration = Duration::from_secs(3600);

/// `learn_names`: after a login, list the mailboxes for completion (interactive mode).
pub async fn run(
    mut conn: Connection,
    mut rx: UnboundedReceiver<Out>,
    tx: Sender<Event>,
    s: Settings,
    learn_names: bool,
) {
    let mut background = Background {
        enabled: learn_names,
        pending: false,
    };
    let mut queue: VecDeque<(String, Chunk)> = VecDeque::new();
    let mut waiting: Option<(String, Hold)> = None;
    // The tag of a LOGIN being written, until its last chunk.
    let mut login: Option<String> = None;
    loop {
        while waiting.is_none() {
            let Some((tag, chunk)) = queue.pop_front() else {
                break;
            };
            let shown = match conn.write(&chunk.wire, Instant::now() + s.timeout).await {
                Ok(shown) => shown,
                Err(e) => {
                    let _ = tx.send(Event::Closed(format!("write failed: {e}")));
                    return;
                }
            };
            if starts_login(&tag, &chunk.wire) {
                login = Some(tag.clone());
            }
            if tag == BACKGROUND_TAG {
                // Nothing else is in flight while it runs: every LIST reply is its own.
                waiting = Some((tag, Hold::Completion));
                continue;
            }
            let _ = tx.send(Event::Sent(shown));
            if chunk.awaits_continuation {
                waiting = Some((tag, Hold::Continuation));
            } else if login.as_deref() == Some(tag.as_str()) {
                // Nothing goes after a login until it completes: Courier starts a new
                // process after it and Cyrus may start a security layer, and what was
                // sent meanwhile is lost (RFC 3501 §6.2.3, §5.5).
                login = None;
                waiting = Some((tag, Hold::Completion));
            }
        }
        tokio::select! {
            out = rx.recv() => match out {
                Some(Out::Chunk { tag, chunk }) => queue.push_back((tag, chunk)),
                Some(Out::StartTls { tag }) => {
                    conn = match starttls(conn, &tag, &tx, &s).await {
                        Some(c) => c,
                        None => return,
                    };
                }
                Some(Out::Transcript) => {
                    let _ = tx.send(Event::Transcript(transcript_text(&conn.transcript)));
                }
                Some(Out::Close) | None => break,
            },
            msg = conn.read_message(Instant::now() + IDLE) => {
                let msg = match msg {
                    Ok(m) => m,
                    Err(e) => {
                        let _ = tx.send(Event::Closed(e.to_string()));
                        return;
                    }
                };
                let r = Received { parsed: parse(&msg.raw, false), raw: msg.raw, bare_lf: msg.bare_lf };
                if let Some(list) = background.after_login(&r, &waiting) {
                    queue.push_front(list);
                }
                settle(&r, &mut waiting, &mut queue);
                let event = match background.owns(&r) {
                    true => Event::Learned(r),
                    false => Event::Received(r),
                };
                let _ = tx.send(event);
            }
        }
    }
}

/// The tag of the shell's own LIST after login (the typist's tags are `a001`...).
const BACKGROUND_TAG: &str = "bg1";

/// The shell's own `LIST "" "*"` after a login, so that mailbox names complete before the
/// user lists them; its replies are learned, not shown.
struct Background {
    enabled: bool,
    pending: bool,
}

impl Background {
    /// The LIST to send first, when `r` is the OK that completes a held login.
    fn after_login(
        &mut self,
        r: &Received,
        waiting: &Option<(String, Hold)>,
    ) -> Option<(String, Chunk)> {
        let Response::Tagged { tag, status } = r.response() else {
            return None;
        };
        let login_ok = matches!(waiting, Some((held, Hold::Completion)) if held == tag && held != BACKGROUND_TAG)
            && status.kind == StatusKind::Ok;
        if !self.enabled || !login_ok {
            return None;
        }
        self.enabled = false;
        self.pending = true;
        let chunk = Chunk {
            wire: format!("{BACKGROUND_TAG} LIST \"\" \"*\"\r\n").into_bytes(),
            awaits_continuation: false,
        };
        Some((BACKGROUND_TAG.to_string(), chunk))
    }

    /// Whether `r` answers the background LIST (and ends it when it is its completion).
    fn owns(&mut self, r: &Received) -> bool {
        if !self.pending {
            return false;
        }
        match r.response() {
            Response::Data(Data::List(_)) => true,
            Response::Tagged { tag, .. } if tag == BACKGROUND_TAG => {
                self.pending = false;
                true
            }
            _ => false,
        }
    }
}

/// What the queue waits for before it sends more.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Hold {
    /// The `+` that invites a synchronising literal.
    Continuation,
    /// The tagged completion of a login.
    Completion,
}

/// Whether `wire` is the first line of a LOGIN with this tag.
fn starts_login(tag: &str, wire: &[u8]) -> bool {
    let text = String::from_utf8_lossy(wire);
    let mut words = text.split_whitespace();
    words.next() == Some(tag)
        && words
            .next()
            .is_some_and(|w| w.eq_ignore_ascii_case("LOGIN"))
}

/// `+` releases a held literal; the held command's tagged completion releases the queue
/// (and drops the rest of a command whose literal was refused).
fn settle(
    r: &Received,
    waiting: &mut Option<(String, Hold)>,
    queue: &mut VecDeque<(String, Chunk)>,
) {
    match (r.response(), waiting.as_ref()) {
        (Response::Continuation { .. }, Some((_, Hold::Continuation))) => *waiting = None,
        (Response::Tagged { tag, .. }, Some((held, _))) if held == tag => {
            queue.retain(|(t, _)| t != tag);
            *waiting = None;
        }
        _ => {}
    }
}

/// `.starttls` in a session: the one opener's STARTTLS, its lines shown once it is over.
async fn starttls(
    conn: Connection,
    tag: &str,
    tx: &Sender<Event>,
    s: &Settings,
) -> Option<Connection> {
    let session = Session::new(conn, s.timeout);
    let handshake = match open::starttls(session, tag, s).await {
        open::StartTls::Refused { session, exchange } => {
            let lost = exchange.error.as_ref().map(|e| e.to_string());
            show(tx, exchange);
            if let Some(why) = lost {
                let _ = tx.send(Event::Closed(why));
                return None;
            }
            return Some(session.into_parts().0);
        }
        open::StartTls::Upgraded {
            exchange,
            discarded,
            handshake,
        } => {
            show(tx, exchange);
            if discarded > 0 {
                let _ = tx.send(Event::Note(format!(
                    "{discarded} bytes arrived after STARTTLS's OK in plaintext and were discarded"
                )));
            }
            handshake
        }
    };
    match handshake.session {
        Ok(session) => {
            let _ = tx.send(Event::Note(tls_note(&handshake.info)));
            Some(session.into_parts().0)
        }
        Err(_) => {
            let _ = tx.send(Event::Closed(tls_failure(&handshake.info)));
            None
        }
    }
}

/// What an exchange wrote and read, as events.
fn show(tx: &Sender<Event>, exchange: Exchange) {
    let _ = tx.send(Event::Sent(exchange.sent));
    for r in exchange.received {
        let _ = tx.send(Event::Received(r));
    }
}

/// `C:`/`S:` lines, client secrets already redacted by the tap, server text escaped.
pub fn transcript_text(t: &crate::client::Transcript) -> Vec<u8> {
    let mut out = String::new();
    for e in t.events() {
        let dir = match e.dir {
            crate::client::Direction::Client => "C:",
            crate::client::Direction::Server => "S:",
            crate::client::Direction::Note => "* ",
        };
        for line in crate::proto::lines::lines(&e.bytes) {
            // A saved transcript is read with `cat`: escaped like the screen.
            let line = crate::proto::sanitize::escape_str(&line);
            out.push_str(&format!("{dir} {line}\n"));
        }
    }
    out.into_bytes()
}
