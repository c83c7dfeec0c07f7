//! A session: tags (`a001`, `a002`, ...), commands sent chunk by chunk (waiting for `+`
//! where a synchronising literal needs it, RFC 3501 §7.5), and responses read until the
//! command's tagged completion, which is recognised even on lines the codec rejects.

use std::io;
use std::time::{Duration, Instant};

use super::connection::{Connection, ReadError};
use super::tap::Transcript;
use super::tls::Negotiated;
use crate::proto::response::{self, Parsed};
use crate::proto::{EncodedCommand, Response, Status};
use crate::settings::TlsSettings;

/// One message as received, with its interpretation.
#[derive(Debug, Clone)]
pub struct Received {
    pub raw: Vec<u8>,
    pub parsed: Parsed,
    pub bare_lf: bool,
}

impl Received {
    pub fn response(&self) -> &Response {
        &self.parsed.response
    }
}

#[derive(Debug)]
pub enum ExchangeError {
    Read(ReadError),
    Write(io::Error),
    /// Sent in a flight whose earlier commands were answered, then nothing came for it
    /// within the flight's grace (see `Session::run_flight`).
    Lost,
}

impl std::fmt::Display for ExchangeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExchangeError::Read(e) => write!(f, "{e}"),
            ExchangeError::Write(e) => write!(f, "write failed: {e}"),
            ExchangeError::Lost => write!(f, "not answered (sent in a flight)"),
        }
    }
}

/// Something the server did that the command did not call for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Surprise {
    /// A tagged response whose tag is not the command's.
    ForeignTag(String),
    /// A `+` continuation request while nothing waited for one.
    Continuation,
}

/// A command and everything the server said until it completed (or failed to).
#[derive(Debug)]
pub struct Exchange {
    pub tag: String,
    /// What was sent, secrets redacted.
    pub sent: Vec<u8>,
    pub received: Vec<Received>,
    pub completion: Option<Status>,
    pub error: Option<ExchangeError>,
    pub surprises: Vec<Surprise>,
    pub elapsed: Duration,
    /// Responses beyond [`MAX_KEPT`] or [`MAX_KEPT_BYTES`] (counted, not kept: a flooding
    /// server stays bounded).
    pub dropped: usize,
    /// Bytes of the responses kept.
    pub kept_bytes: usize,
}

/// Responses kept per command; a server that sends more is flooding.
pub const MAX_KEPT: usize = 1000;
/// Bytes of responses kept per command (a message alone may reach `Limits::max_message_bytes`).
pub const MAX_KEPT_BYTES: usize = 4 << 20;
/// Surprises kept per command.
const MAX_SURPRISES: usize = 16;

impl Exchange {
    /// A command just sent (`sent` shows it with secrets redacted), nothing received yet.
    pub fn new(tag: &str, sent: Vec<u8>) -> Exchange {
        Exchange {
            tag: tag.to_string(),
            sent,
            received: Vec::new(),
            completion: None,
            error: None,
            surprises: Vec::new(),
            elapsed: Duration::ZERO,
            dropped: 0,
            kept_bytes: 0,
        }
    }

    /// Keeps `r` unless the command already holds [`MAX_KEPT`] responses. A tagged
    /// completion is always kept.
    pub fn keep(&mut self, r: Received) {
        let tagged = matches!(r.response(), Response::Tagged { .. });
        let room =
            self.received.len() < MAX_KEPT && self.kept_bytes + r.raw.len() <= MAX_KEPT_BYTES;
        if room || tagged {
            self.kept_bytes += r.raw.len();
            self.received.push(r);
        } else {
            self.dropped += 1;
        }
    }

    pub fn surprise(&mut self, s: Surprise) {
        if self.surprises.len() < MAX_SURPRISES {
            self.surprises.push(s);
        }
    }

    /// Untagged data and status responses received during the command.
    pub fn untagged(&self) -> impl Iterator<Item = &Received> {
        self.received
            .iter()
            .filter(|r| !matches!(r.response(), Response::Tagged { .. }))
    }
}

pub struct Session {
    conn: Connection,
    next_tag: u32,
    pub timeout: Duration,
    /// The end of the whole run (`--deadline`): no step waits past it.
    pub until: Option<Instant>,
    /// Tags of lost commands: a late completion for one is kept, not a surprise.
    retired: Vec<String>,
    /// Flights of commands that waited for an answer (see `report::Timing`).
    pub round_trips: u32,
}

impl Session {
    pub fn new(conn: Connection, timeout: Duration) -> Self {
        Session {
            conn,
            next_tag: 1,
            timeout,
            until: None,
            retired: Vec::new(),
            round_trips: 0,
        }
    }

    /// When a step started at `start` must be over: its timeout, or the run's end.
    pub fn step_deadline(&self, start: Instant) -> Instant {
        let own = start + self.timeout;
        self.until.map_or(own, |u| own.min(u))
    }

    /// Credentials that may be sent on this session: never kept as received.
    pub fn know(&mut self, known: crate::proto::known_secrets::KnownSecrets) {
        self.conn.redactor = crate::proto::redact::Redactor::knowing(known);
    }

    /// Tags whose commands were given up on; their late answers are expected.
    pub fn retire(&mut self, tags: impl IntoIterator<Item = String>) {
        self.retired.extend(tags);
    }

    pub fn next_tag(&mut self) -> String {
        let tag = crate::proto::command::tag(self.next_tag);
        self.next_tag += 1;
        tag
    }

    pub fn into_transcript(self) -> Transcript {
        self.conn.into_transcript()
    }

    pub(crate) fn conn_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }

    /// The connection and the number of the next tag, for a caller that drives the
    /// connection itself (the shell).
    pub fn into_parts(self) -> (Connection, u32) {
        (self.conn, self.next_tag)
    }

    pub fn unread_bytes(&self) -> u64 {
        self.conn.unread_bytes()
    }

    /// The address connected to.
    pub fn peer(&self) -> &str {
        &self.conn.peer
    }

    /// Reads the greeting (RFC 3501 §7.1: the first message of every connection).
    pub async fn read_greeting(&mut self) -> Result<Received, ReadError> {
        self.round_trips += 1;
        let deadline = self.step_deadline(Instant::now());
        let msg = self.conn.read_message(deadline).await?;
        let parsed = response::parse(&msg.raw, true);
        Ok(Received {
            raw: msg.raw,
            parsed,
            bare_lf: msg.bare_lf,
        })
    }

    /// Sends `cmd` and reads until its tagged completion, an error, or the timeout.
    pub async fn run(&mut self, cmd: EncodedCommand) -> Exchange {
        let started = Instant::now();
        let deadline = self.step_deadline(started);
        let mut ex = Exchange::new(&cmd.tag, Vec::new());
        self.send_and_await(&cmd, deadline, &mut ex).await;
        ex.elapsed = started.elapsed();
        ex
    }

    async fn send_and_await(&mut self, cmd: &EncodedCommand, deadline: Instant, ex: &mut Exchange) {
        let last = cmd.chunks.len().saturating_sub(1);
        for (i, chunk) in cmd.chunks.iter().enumerate() {
            if !self.send(&chunk.wire, deadline, ex).await {
                return;
            }
            // A non-synchronising literal (RFC 7888) goes on without waiting.
            if !chunk.awaits_continuation && i != last {
                continue;
            }
            self.round_trips += 1;
            if !self
                .read_until(deadline, ex, chunk.awaits_continuation)
                .await
            {
                return;
            }
        }
    }

    /// Reads messages into `ex`. Returns true when the next chunk may be sent (a wanted
    /// continuation arrived); false when the command is over, one way or another.
    async fn read_until(
        &mut self,
        deadline: Instant,
        ex: &mut Exchange,
        want_continuation: bool,
    ) -> bool {
        loop {
            let msg = match self.conn.read_message(deadline).await {
                Ok(msg) => msg,
                Err(e) => {
                    ex.error = Some(ExchangeError::Read(e));
                    return false;
                }
            };
            let parsed = response::parse(&msg.raw, false);
            let received = Received {
                raw: msg.raw,
                parsed,
                bare_lf: msg.bare_lf,
            };
            let verdict = classify(&received.parsed.response, &ex.tag, want_continuation);
            let verdict = match verdict {
                Next::Surprise(Surprise::ForeignTag(t)) if self.retired.contains(&t) => Next::Keep,
                v => v,
            };
            ex.keep(received);
            match verdict {
                Next::Continue => return true,
                Next::Done(status) => {
                    ex.completion = Some(status);
                    return false;
                }
                Next::Surprise(s) => ex.surprise(s),
                Next::Keep => {}
            }
        }
    }

    /// `tag AUTHENTICATE <mech>` driven by `mech` (RFC 3501 §6.2.2): the initial response
    /// inline when `sasl_ir` (RFC 4959), each `+` challenge answered by the mechanism, `*`
    /// when it refuses to go on. Every response is a secret: shown as `<redacted>`, and
    /// scrubbed from whatever the server sends back.
    pub async fn authenticate(
        &mut self,
        mech: &mut dyn crate::proto::sasl::Mechanism,
        sasl_ir: bool,
    ) -> Exchange {
        use base64::Engine;
        let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
        let tag = self.next_tag();
        let started = Instant::now();
        let deadline = self.step_deadline(started);
        let head = format!("{tag} AUTHENTICATE {}", mech.name());
        let mut pending = mech.initial();
        let wire = match pending.take_if(|_| sasl_ir) {
            // RFC 4959: an empty initial response is sent as `=`.
            Some(ir) if ir.is_empty() => format!("{head} =\r\n"),
            Some(ir) => format!("{head} {}\r\n", b64(&ir)),
            None => format!("{head}\r\n"),
        };
        let mut ex = Exchange::new(&tag, Vec::new());
        if !self.send(wire.as_bytes(), deadline, &mut ex).await {
            return ex;
        }
        self.round_trips += 1;
        for _ in 0..MAX_SASL_STEPS {
            if !self.read_until(deadline, &mut ex, true).await {
                break;
            }
            let challenge = last_challenge(&ex);
            let answer = match pending.take() {
                Some(ir) => Ok(ir),
                None => mech.step(&challenge),
            };
            let wire = match &answer {
                Ok(r) if r.is_empty() => String::new(),
                Ok(r) => b64(r),
                Err(_) => "*".to_string(),
            };
            if !self
                .send(format!("{wire}\r\n").as_bytes(), deadline, &mut ex)
                .await
            {
                break;
            }
            self.round_trips += 1;
        }
        ex.elapsed = started.elapsed();
        ex
    }

    /// Writes `wire` for `ex`, which keeps what was shown; false when the write failed.
    async fn send(&mut self, wire: &[u8], deadline: Instant, ex: &mut Exchange) -> bool {
        match self.conn.write(wire, deadline).await {
            Ok(shown) => {
                ex.sent.extend_from_slice(&shown);
                true
            }
            Err(e) => {
                ex.error = Some(ExchangeError::Write(e));
                false
            }
        }
    }

    /// Upgrades the connection to TLS, keeping the tag sequence.
    pub async fn start_tls(
        self,
        host: &str,
        settings: &TlsSettings,
    ) -> (Result<Session, Transcript>, Negotiated) {
        let deadline = self.step_deadline(Instant::now());
        let Session {
            conn,
            next_tag,
            timeout,
            until,
            retired,
            round_trips,
        } = self;
        let (conn, info) = conn.start_tls(host, settings, deadline).await;
        let session = conn.map(|conn| Session {
            conn,
            next_tag,
            timeout,
            until,
            retired,
            round_trips: round_trips + 1,
        });
        (session, info)
    }
}

/// Challenges answered at most in one AUTHENTICATE: every mechanism here needs three.
const MAX_SASL_STEPS: usize = 8;

/// The last `+` challenge received, base64-decoded (an empty or undecodable one is empty).
fn last_challenge(ex: &Exchange) -> Vec<u8> {
    use base64::Engine;
    ex.received
        .iter()
        .rev()
        .find_map(|r| match r.response() {
            Response::Continuation { text } => Some(
                base64::engine::general_purpose::STANDARD
                    .decode(text.trim())
                    .unwrap_or_default(),
            ),
            _ => None,
        })
        .unwrap_or_default()
}

enum Next {
    Continue,
    Done(Status),
    Surprise(Surprise),
    Keep,
}

fn classify(response: &Response, tag: &str, want_continuation: bool) -> Next {
    match response {
        Response::Tagged { tag: t, status } if t == tag => Next::Done(status.clone()),
        Response::Tagged { tag: t, .. } => Next::Surprise(Surprise::ForeignTag(t.clone())),
        Response::Continuation { .. } if want_continuation => Next::Continue,
        Response::Continuation { .. } => Next::Surprise(Surprise::Continuation),
        _ => Next::Keep,
    }
}
