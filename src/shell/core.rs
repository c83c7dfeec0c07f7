//! The shell's state shared by its two faces (the interactive prompt and script mode):
//! the connection task, the printer thread that shows server output as it arrives, and
//! what the output taught (mailbox names, the last referral, completions).

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use colored::Colorize;
use tokio::sync::mpsc::UnboundedSender;

use super::input::Typist;
use super::net::{self, Event, Out};
use super::open::{self, has};
use super::view;
use crate::proto::sanitize::{escape_bytes, escape_str};
use crate::proto::{Chunk, Data, Response, Status, StatusKind};
use crate::settings::Settings;

/// What the printer thread learnt; the main thread waits on it.
#[derive(Default)]
pub struct State {
    pub mailboxes: BTreeSet<String>,
    /// The last REFERRAL code: its status and first URL.
    pub referral: Option<(Status, String)>,
    pub done: HashMap<String, StatusKind>,
    pub closed: Option<String>,
    pub transcript: Option<Vec<u8>>,
    pub raw: bool,
    pub caps: Vec<String>,
    /// Tagged NO or BAD answers seen (script mode's exit status).
    pub refusals: u32,
    /// The server said BYE: its closing the connection is expected.
    pub bye: bool,
    /// Continuation requests (`+`) seen: a SASL exchange's turn comes back to the client.
    pub continuations: u64,
}

#[derive(Default)]
pub struct Shared {
    pub state: Mutex<State>,
    pub cv: Condvar,
}

impl Shared {
    pub fn with<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        let mut g = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let out = f(&mut g);
        self.cv.notify_all();
        out
    }

    /// Waits for `tag`'s completion, the connection's end, or the timeout.
    pub fn wait_for(&self, tag: &str, timeout: Duration) -> Result<StatusKind, String> {
        self.wait_until(tag, timeout, |s| s.done.get(tag).copied())
    }

    /// Waits until `tag` completed or a continuation request newer than `seen` arrived.
    pub fn wait_turn(&self, tag: &str, seen: u64, timeout: Duration) -> Result<(), String> {
        self.wait_until(tag, timeout, |s| {
            (s.done.contains_key(tag) || s.continuations > seen).then_some(())
        })
    }

    /// Waits until `ready` gives a value, the connection closes, or `timeout` passes.
    fn wait_until<T>(
        &self,
        tag: &str,
        timeout: Duration,
        ready: impl Fn(&State) -> Option<T>,
    ) -> Result<T, String> {
        let deadline = Instant::now() + timeout;
        let mut g = self.state.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if let Some(v) = ready(&g) {
                return Ok(v);
            }
            if let Some(why) = &g.closed {
                return Err(format!("connection closed: {why}"));
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(format!("no answer to {tag} within {} s", timeout.as_secs()));
            }
            g = self
                .cv
                .wait_timeout(g, left)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    pub fn wait_transcript(&self, timeout: Duration) -> Option<Vec<u8>> {
        let deadline = Instant::now() + timeout;
        let mut g = self.state.lock().unwrap_or_else(|e| e.into_inner());
        while g.transcript.is_none() && g.closed.is_none() {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return None;
            }
            g = self
                .cv
                .wait_timeout(g, left)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
        g.transcript.take()
    }
}

/// Where lines go: above the prompt, or standard output in script mode.
pub type Sink = Box<dyn FnMut(String) + Send>;

pub struct Core {
    pub settings: Settings,
    pub rt: tokio::runtime::Runtime,
    pub shared: Arc<Shared>,
    pub typist: Typist,
    pub tls: bool,
    out: Option<UnboundedSender<Out>>,
    printer: Option<JoinHandle<()>>,
    make_sink: Box<dyn Fn() -> Sink>,
    /// The password given to `.login` (or the command line), for `.check` and `.follow`.
    pub password: Option<crate::secret::Secret>,
    /// List the mailboxes after a login, for completion (the interactive shell).
    pub learn_names: bool,
}

impl Core {
    pub fn new(settings: Settings, make_sink: Box<dyn Fn() -> Sink>) -> std::io::Result<Core> {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()?;
        Ok(Core {
            password: settings.password.clone(),
            settings,
            rt,
            shared: Arc::default(),
            typist: Typist::new(1),
            tls: false,
            out: None,
            printer: None,
            make_sink,
            learn_names: false,
        })
    }

    pub fn say(&self, line: &str) {
        (self.make_sink)()(line.to_string());
    }

    /// Connects (again), shows the greeting, and starts the connection task and printer.
    pub fn connect(&mut self) -> Result<(), String> {
        self.close();
        let opened = self.rt.block_on(open::open(&self.settings))?;
        let mut sink = (self.make_sink)();
        for n in &opened.notes {
            sink(format!("* {}", n).dimmed().to_string());
        }
        show(&mut sink, &self.shared, &opened.greeting);
        self.tls = opened.tls;
        self.typist = Typist::new(opened.next_tag);
        self.shared.with(|s| {
            *s = State {
                raw: s.raw,
                ..State::default()
            };
            s.caps = opened.caps.clone();
        });
        let (otx, orx) = tokio::sync::mpsc::unbounded_channel();
        // Bounded: when the terminal is slower than a flooding server, the connection task
        // waits for the printer instead of queueing the whole flood in memory.
        let (etx, erx) = std::sync::mpsc::sync_channel(EVENTS_IN_FLIGHT);
        self.rt.spawn(net::run(
            opened.conn,
            orx,
            etx,
            self.settings.clone(),
            self.learn_names,
        ));
        let shared = self.shared.clone();
        self.printer = Some(std::thread::spawn(move || printer(erx, shared, sink)));
        self.out = Some(otx);
        Ok(())
    }

    pub fn connected(&self) -> bool {
        self.out.is_some() && self.shared.with(|s| s.closed.is_none())
    }

    /// Ends the typist's SASL exchange once its completion has arrived.
    pub fn settle(&mut self) {
        let shared = self.shared.clone();
        self.typist
            .settle(|tag| shared.with(|s| s.done.contains_key(tag)));
    }

    /// A typed LOGIN or AUTHENTICATE outside TLS follows `.login`'s rule: refused unless
    /// `--allow-plaintext-login`. Says why when it refuses.
    pub fn refuses_plaintext_secret(&self, line: &str) -> bool {
        let fresh = !self.typist.continuing() && self.typist.idling().is_none();
        let refused = fresh
            && !self.tls
            && !self.settings.allow_plaintext_login
            && super::input::sends_secret(line);
        if refused {
            self.say("* not sending a password without TLS: starttls first, or start with --allow-plaintext-login");
        }
        refused
    }

    /// Ends an IDLE in progress with DONE, when `line` is not itself the DONE (or the
    /// empty line) that would end it; returns the IDLE's tag when it sent the DONE.
    pub fn end_idle_before(&mut self, line: &str) -> Option<String> {
        self.typist.idling()?;
        let t = line.trim();
        if t.is_empty() || t.eq_ignore_ascii_case("DONE") {
            return None;
        }
        self.end_idle()
    }

    /// Sends DONE for the IDLE in progress (RFC 2177 §3); its tag, if there was one.
    pub fn end_idle(&mut self) -> Option<String> {
        let Some(super::input::Input::Chunk { tag, chunk, .. }) = self.typist.done() else {
            return None;
        };
        self.send_chunk(&tag, chunk);
        Some(tag)
    }

    pub fn literal_plus(&self) -> bool {
        self.shared.with(|s| has(&s.caps, "LITERAL+"))
    }

    pub fn send(&self, out: Out) -> bool {
        self.out.as_ref().is_some_and(|o| o.send(out).is_ok())
    }

    pub fn send_chunk(&self, tag: &str, chunk: Chunk) -> bool {
        // A tag typed again (`?` every time, as in KB217388) waits for its new completion.
        self.shared.with(|s| s.done.remove(tag));
        self.send(Out::Chunk {
            tag: tag.to_string(),
            chunk,
        })
    }

    /// Ends the connection task and lets the printer finish what it has.
    pub fn close(&mut self) {
        if let Some(out) = self.out.take() {
            let _ = out.send(Out::Close);
        }
        if let Some(p) = self.printer.take() {
            let _ = p.join();
        }
    }
}

/// Events (server responses, sent lines) waiting for the printer.
const EVENTS_IN_FLIGHT: usize = 1024;

/// At most this many tagged completions are remembered.
const MAX_PENDING_TAGS: usize = 10_000;

/// At most this many mailbox names are kept for completion.
const MAX_MAILBOX_NAMES: usize = 10_000;

/// Prints every event as it arrives and records what later commands need.
fn printer(events: std::sync::mpsc::Receiver<Event>, shared: Arc<Shared>, mut sink: Sink) {
    for e in events {
        match e {
            Event::Received(r) => show(&mut sink, &shared, &r),
            Event::Sent(shown) => {
                for l in crate::proto::lines::lines(&shown) {
                    sink(format!("C: {}", escape_str(&l)).dimmed().to_string());
                }
            }
            Event::Note(n) => sink(
                format!("* {}", escape_bytes(n.as_bytes()))
                    .dimmed()
                    .to_string(),
            ),
            Event::Transcript(t) => shared.with(|s| s.transcript = Some(t)),
            Event::Learned(r) => shared.with(|s| remember_name(s, &r)),
            Event::Closed(why) => {
                let line = if shared.with(|s| s.bye) {
                    "* the server closed the connection after BYE"
                        .dimmed()
                        .to_string()
                } else {
                    format!("* connection closed: {why}; .reconnect connects again")
                        .red()
                        .to_string()
                };
                sink(line);
                shared.with(|s| s.closed = Some(why));
            }
        }
    }
    shared.with(|s| {
        s.closed.get_or_insert_with(|| "closed".into());
    });
}

fn show(sink: &mut Sink, shared: &Shared, r: &crate::client::Received) {
    for l in view::server_lines(r) {
        sink(format!("S: {l}"));
    }
    let raw = shared.with(|s| {
        learn(s, r);
        s.raw
    });
    if !raw {
        if let Some(i) = view::interpret(r) {
            // The interpretation quotes the server's text: escaped as the S: lines are.
            sink(crate::proto::sanitize::escape_str(&i).bold().to_string());
        }
    }
}

/// Names for completion: bounded, and never one that would put a control character (a
/// terminal escape) on the command line.
fn remember_name(s: &mut State, r: &crate::client::Received) {
    if let Some(m) = view::mailbox_name(r) {
        if s.mailboxes.len() < MAX_MAILBOX_NAMES && !m.chars().any(char::is_control) {
            s.mailboxes.insert(m);
        }
    }
}

fn learn(s: &mut State, r: &crate::client::Received) {
    remember_name(s, r);
    let status = match r.response() {
        Response::Continuation { .. } => {
            s.continuations += 1;
            None
        }
        Response::Data(Data::Capability(c)) => {
            s.caps = c.clone();
            None
        }
        Response::Tagged { tag, status } => {
            // Completions nobody waits for any more are dropped beyond the cap (a server
            // can send tagged lines for tags the shell never used).
            if s.done.len() >= MAX_PENDING_TAGS {
                s.done.clear();
            }
            s.done.insert(tag.clone(), status.kind);
            if matches!(status.kind, StatusKind::No | StatusKind::Bad) {
                s.refusals += 1;
            }
            Some(status)
        }
        Response::Untagged(status) | Response::Greeting(status) => {
            s.bye |= status.kind == StatusKind::Bye;
            Some(status)
        }
        _ => None,
    };
    if let Some(st) = status {
        if let Some(crate::proto::RespCode::Capability(c)) = &st.code {
            s.caps = c.clone();
        }
        if let Some(url) = st.referral_urls().and_then(|u| u.first()) {
            s.referral = Some((st.clone(), url.clone()));
        }
    }
}
