//! A saved session replayed into a report: each client command and the server lines up to
//! its tagged completion become an exchange, judged by the same rules as a live check.

use super::reader::{Dir, Line};
use crate::client::session::{Exchange, Received};
use crate::diagnosis::findings as code;
use crate::diagnosis::mailbox::{mailbox_report, namespace_report};
use crate::diagnosis::record::{self, message_findings};
use crate::diagnosis::{referral, verdicts};
use crate::proto::response::parse;
use crate::proto::{Data, RespCode, Response, Status, StatusKind};
use crate::report::WireDir;
use crate::report::{Finding, Report, Severity, StepName, StepStatus, WireLine};

/// A command waiting for its tagged completion.
struct Open {
    ex: Exchange,
    verb: String,
}

pub struct Replay {
    pub report: Report,
    open: Vec<Open>,
    greeting_seen: bool,
    logged_in: bool,
    /// The verbs `not_judged` asks about whose completion was seen.
    pub completed: Vec<String>,
    /// Bytes put in the report's transcript; capped like a live session's.
    wire_bytes: usize,
    /// Bytes of the steps kept.
    step_bytes: usize,
    /// What the caps below left out, counted.
    dropped: Dropped,
    /// Untagged responses no command of the log was open for (a log that starts
    /// mid-session): kept for the step of the completion that follows, or their own.
    orphans: Option<Exchange>,
}

#[derive(Default)]
struct Dropped {
    steps: usize,
    open: usize,
    findings: usize,
    wire: bool,
}

/// The live defaults (`Limits::max_transcript_bytes`, the tap's 10,000 messages).
const MAX_WIRE: usize = 4 << 20;
const MAX_WIRE_LINES: usize = 10_000;
/// Steps and findings kept, commands waiting for a completion, and the bytes of the steps:
/// a long or hostile paste is judged on all of it but reported in part.
const MAX_STEPS: usize = 1_000;
const MAX_FINDINGS: usize = 1_000;
const MAX_OPEN: usize = 64;
const MAX_STEP_BYTES: usize = 4 << 20;

impl Replay {
    pub fn new(report: Report) -> Self {
        Replay {
            report,
            open: Vec::new(),
            greeting_seen: false,
            logged_in: false,
            completed: Vec::new(),
            wire_bytes: 0,
            step_bytes: 0,
            dropped: Dropped::default(),
            orphans: None,
        }
    }

    /// Untagged responses no command was open for become a step of their own.
    fn flush_orphans(&mut self) {
        if let Some(ex) = self.orphans.take() {
            let mut step = record::step("untagged", StepStatus::Unknown, &ex);
            step.note = Some("responses to a command the log does not show".into());
            self.push_step(step);
        }
    }

    fn push_step(&mut self, step: crate::report::Step) {
        let bytes: usize = step
            .sent
            .iter()
            .chain(&step.received)
            .map(String::len)
            .sum();
        if self.report.steps.len() >= MAX_STEPS || self.step_bytes + bytes > MAX_STEP_BYTES {
            self.dropped.steps += 1;
            return;
        }
        self.step_bytes += bytes;
        self.report.steps.push(step);
    }

    /// Findings beyond the cap are counted, not kept.
    fn cap_findings(&mut self) {
        let f = &mut self.report.findings;
        if f.len() > MAX_FINDINGS {
            self.dropped.findings += f.len() - MAX_FINDINGS;
            f.truncate(MAX_FINDINGS);
        }
    }

    pub fn line(&mut self, l: &Line) {
        match l.dir {
            Dir::Client => {
                // A log that starts mid-session has no greeting: a later BYE is not one.
                self.greeting_seen = true;
                self.client(&l.text, l.data)
            }
            Dir::Server if !self.greeting_seen && is_greeting(&l.text) => self.greeting(l),
            Dir::Server if !self.greeting_seen && is_other_protocol(&l.text) => {
                self.other_protocol(&l.text)
            }
            Dir::Server => self.server(l),
        }
    }

    /// Commands left without a completion (the paste ended) still become steps, unjudged:
    /// the log stopped, not necessarily the server.
    pub fn finish(&mut self) {
        self.flush_orphans();
        for open in std::mem::take(&mut self.open) {
            let name = open.verb.to_ascii_lowercase();
            let mut step = record::step(&name, StepStatus::Unknown, &open.ex);
            step.note = Some("no completion in the log".into());
            self.push_step(step);
        }
        let d = &self.dropped;
        if d.steps + d.open + d.findings > 0 || d.wire {
            self.report.findings.push(
                Finding::new(code::TRANSCRIPT_TRUNCATED, Severity::Info, "the transcript is longer than a report keeps")
                    .detail(format!(
                        "counted and left out: {} steps, {} commands that never completed, {} findings{}",
                        d.steps, d.open, d.findings,
                        if d.wire { ", and wire lines past the transcript's cap" } else { "" }
                    ))
                    .remedy("Cut the file to the session in question for the full detail."),
            );
        }
    }

    fn wire(&mut self, dir: WireDir, line: &str) {
        if self.wire_bytes > MAX_WIRE {
            return;
        }
        self.wire_bytes += line.len();
        if self.wire_bytes > MAX_WIRE || self.report.transcript.len() >= MAX_WIRE_LINES {
            self.wire_bytes = MAX_WIRE + 1;
            self.dropped.wire = true;
            self.report.transcript.push(WireLine {
                hop: 0,
                t_ms: 0.0,
                dir: WireDir::Note,
                line: format!("transcript truncated after {MAX_WIRE} bytes"),
            });
            return;
        }
        for l in line.split("\r\n") {
            if self.report.transcript.len() >= MAX_WIRE_LINES {
                self.dropped.wire = true;
                break;
            }
            self.report.transcript.push(WireLine {
                hop: 0,
                t_ms: 0.0,
                dir,
                line: l.to_string(),
            });
        }
    }

    /// A command, or (`data`) what answers the server's continuation request.
    fn client(&mut self, text: &str, data: bool) {
        if let Some(open) = self.open.last_mut().filter(|_| data) {
            // A SASL response or a literal, redacted by the reader.
            open.ex
                .sent
                .extend_from_slice(format!("{text}\r\n").as_bytes());
            self.wire(WireDir::Client, text);
            return;
        }
        self.flush_orphans();
        let mut words = text.split(' ');
        let tag = words.next().unwrap_or("").to_string();
        let verb = words.next().unwrap_or("").to_ascii_uppercase();
        self.wire(WireDir::Client, text);
        if self.open.len() >= MAX_OPEN {
            self.open.remove(0);
            self.dropped.open += 1;
        }
        self.open.push(Open {
            ex: exchange(&tag, format!("{text}\r\n").into_bytes()),
            verb,
        });
    }

    /// An SMTP, POP3, HTTP or SSH server where the IMAP greeting should be.
    fn other_protocol(&mut self, text: &str) {
        self.greeting_seen = true;
        self.wire(WireDir::Server, text);
        let mut step = record::simple_step(
            "greeting",
            StepStatus::Failed,
            std::time::Instant::now(),
            None,
        );
        step.elapsed_ms = 0.0;
        step.received = vec![text.to_string()];
        self.report.server.greeting = Some(text.to_string());
        self.report
            .findings
            .push(verdicts::greeting_unrecognised(text));
        self.push_step(step);
    }

    fn greeting(&mut self, l: &Line) {
        self.greeting_seen = true;
        self.wire(WireDir::Server, &l.text);
        let r = received(l, true);
        let mut step =
            record::simple_step("greeting", StepStatus::Ok, std::time::Instant::now(), None);
        step.elapsed_ms = 0.0;
        step.received = crate::proto::lines::lines(&r.raw);
        self.report.server.greeting = step.received.first().cloned();
        message_findings("greeting", &r, &mut self.report.findings);
        if let Response::Greeting(s) = r.response() {
            self.take_caps(s);
            if s.kind == StatusKind::Bye {
                step.status = StepStatus::Failed;
                if !referral::record(&mut self.report, 0, "greeting", s, false) {
                    self.report.findings.push(verdicts::greeting_bye(s));
                }
            }
            self.logged_in = s.kind == StatusKind::Preauth;
        }
        self.push_step(step);
        self.cap_findings();
    }

    fn server(&mut self, l: &Line) {
        // A paste that starts after the greeting (KB Q311468 shows only the commands).
        self.greeting_seen = true;
        self.wire(WireDir::Server, &l.text);
        let r = received(l, false);
        let tagged = match r.response() {
            Response::Tagged { tag, status } => Some((tag.clone(), status.clone())),
            _ => None,
        };
        self.data(&r);
        let Some((tag, status)) = tagged else {
            // A server answers pipelined commands in order (RFC 3501 §5.5): an untagged
            // response belongs to the oldest command still open.
            match self.open.first_mut() {
                Some(open) => open.ex.keep(r),
                None => self
                    .orphans
                    .get_or_insert_with(|| exchange("*", Vec::new()))
                    .keep(r),
            }
            return;
        };
        let mut open = match self.open.iter().rposition(|o| o.ex.tag == tag) {
            Some(i) => self.open.remove(i),
            // No client line (telnet without echo): name the step from the server's text;
            // the untagged responses before it were its own.
            None => Open {
                ex: self
                    .orphans
                    .take()
                    .map(|mut ex| {
                        ex.tag = tag.clone();
                        ex
                    })
                    .unwrap_or_else(|| exchange(&tag, Vec::new())),
                verb: inferred_verb(&status.text),
            },
        };
        open.ex.keep(r);
        open.ex.completion = Some(status);
        self.complete(open);
    }

    /// Untagged data that tells about the server wherever it comes.
    fn data(&mut self, r: &Received) {
        match r.response() {
            Response::Data(Data::Capability(caps)) => self.set_caps(caps.clone()),
            Response::Data(Data::Id(fields)) => {
                self.report.server.id =
                    Some(fields.clone().unwrap_or_default().into_iter().collect());
            }
            _ => {}
        }
    }

    fn take_caps(&mut self, s: &Status) {
        if let Some(RespCode::Capability(caps)) = &s.code {
            self.set_caps(caps.clone());
        }
    }

    fn set_caps(&mut self, caps: Vec<String>) {
        if self.logged_in {
            self.report.server.capabilities_after_login = Some(caps);
        } else {
            self.report.server.capabilities_before_login = caps;
        }
    }

    fn complete(&mut self, open: Open) {
        let name = open.verb.to_ascii_lowercase();
        let ex = open.ex;
        for r in &ex.received {
            message_findings(&name, r, &mut self.report.findings);
        }
        record::surprise_findings(&name, &ex, &mut self.report.findings);
        let Some(status) = ex.completion.clone() else {
            return;
        };
        let ok = status.kind == StatusKind::Ok;
        let status_mark = if ok {
            StepStatus::Ok
        } else {
            StepStatus::Failed
        };
        self.push_step(record::step(&name, status_mark, &ex));
        let referred = referral::record(&mut self.report, 0, &name, &status, false);
        let judged = ["login", "authenticate", "namespace", "select", "examine"];
        if judged.contains(&name.as_str()) && !self.completed.contains(&name) {
            self.completed.push(name.clone());
        }
        self.judge(&name, &ex, &status, referred);
        self.cap_findings();
    }

    fn judge(&mut self, name: &str, ex: &Exchange, status: &Status, referred: bool) {
        match StepName::from(name) {
            s if s.is_login() => self.login(name, status, referred),
            s if s.opens_mailbox() => self.select(ex, status, referred),
            StepName::Namespace => {
                self.report.namespace = namespace_report(ex);
                let f = verdicts::namespace(self.report.namespace.as_ref(), Some(status));
                self.report.findings.extend(f);
            }
            _ => {}
        }
    }

    fn login(&mut self, name: &str, status: &Status, referred: bool) {
        if status.kind != StatusKind::Ok {
            if !referred {
                self.report
                    .findings
                    .push(verdicts::login_failed(name, status));
            }
            return;
        }
        self.logged_in = true;
        self.take_caps(status);
    }

    fn select(&mut self, ex: &Exchange, status: &Status, referred: bool) {
        let mailbox = select_argument(&ex.sent);
        if status.kind == StatusKind::Ok {
            self.report.mailbox = Some(mailbox_report(&mailbox, ex));
            return;
        }
        let ok_referral = referral::login_ok_referral(&self.report, None);
        match ok_referral {
            Some(url) => self
                .report
                .findings
                .push(referral::no_replica(&mailbox, status, &url)),
            None if !referred => self
                .report
                .findings
                .push(verdicts::select_failed(&mailbox, status)),
            None => {}
        }
    }
}

/// A first line of SMTP (`220 `), POP3 (`+OK`, `-ERR`), HTTP or SSH.
fn is_other_protocol(text: &str) -> bool {
    ["220 ", "220-", "+OK", "-ERR", "HTTP/", "SSH-"]
        .iter()
        .any(|p| text.starts_with(p))
}

fn is_greeting(text: &str) -> bool {
    let u = text.to_ascii_uppercase();
    let status = ["* OK", "* PREAUTH", "* BYE"]
        .iter()
        .any(|p| u.starts_with(p));
    status && !is_mailbox_code(&u)
}

/// `* OK [UIDVALIDITY ...]` and the like answer a SELECT (RFC 3501 §7.1): a log that starts
/// there starts after the greeting.
fn is_mailbox_code(upper: &str) -> bool {
    let Some(code) = upper.strip_prefix("* OK [") else {
        return false;
    };
    [
        "PERMANENTFLAGS",
        "UIDVALIDITY",
        "UIDNEXT",
        "UNSEEN",
        "HIGHESTMODSEQ",
        "READ-WRITE",
        "READ-ONLY",
        "NOMODSEQ",
        "MAILBOXID",
    ]
    .iter()
    .any(|c| code.starts_with(c))
}

fn exchange(tag: &str, sent: Vec<u8>) -> Exchange {
    Exchange::new(tag, sent)
}

/// A server line as received; the grammar of a line the log rebuilt is the log's, so it
/// is not judged.
fn received(l: &Line, greeting: bool) -> Received {
    let raw = format!("{}\r\n", l.text).into_bytes();
    let mut parsed = parse(&raw, greeting);
    if l.rebuilt {
        parsed.nonconforming = None;
    }
    Received {
        parsed,
        raw,
        bare_lf: false,
    }
}

/// Exchange and others name the command in their completion text (`LOGIN completed`).
fn inferred_verb(text: &str) -> String {
    let first = text.split(' ').next().unwrap_or("").to_ascii_uppercase();
    let known = [
        "LOGIN",
        "AUTHENTICATE",
        "SELECT",
        "EXAMINE",
        "NAMESPACE",
        "CAPABILITY",
        "LOGOUT",
        "LIST",
        "ID",
    ];
    if known.contains(&first.as_str()) {
        first
    } else if text.contains("no replica") {
        // KB217388's answer to SELECT after a login referral names no command.
        "SELECT".into()
    } else {
        "UNKNOWN".into()
    }
}

/// The mailbox argument of a `tag SELECT mailbox` line, unquoted.
fn select_argument(sent: &[u8]) -> String {
    let line = String::from_utf8_lossy(sent);
    let arg = line.trim_end().splitn(3, ' ').nth(2).unwrap_or("").trim();
    match arg.strip_prefix('"').and_then(|a| a.strip_suffix('"')) {
        Some(q) => q.replace("\\\"", "\"").replace("\\\\", "\\"),
        None if arg.is_empty() => "INBOX".into(),
        None => arg.to_string(),
    }
}

/// What a transcript cannot show, said as one finding.
pub fn not_judged(completed: &[String], had_greeting: bool, had_tls: bool) -> Option<Finding> {
    let mut gaps = Vec::new();
    if !had_tls {
        gaps.push("TLS and the certificate (the log does not show the handshake)".to_string());
    }
    if !had_greeting {
        gaps.push("the greeting (none in the transcript)".into());
    }
    let saw = |v: &[&str]| completed.iter().any(|c| v.contains(&c.as_str()));
    if !saw(&["login", "authenticate"]) {
        gaps.push("the login (no LOGIN or AUTHENTICATE completed)".into());
    }
    if !saw(&["namespace"]) {
        gaps.push("the namespaces (no NAMESPACE reply)".into());
    }
    if !saw(&["select", "examine"]) {
        gaps.push("opening a mailbox (no SELECT)".into());
    }
    Some(
        Finding::new(
            code::NOT_JUDGED,
            Severity::Info,
            "a saved transcript cannot show everything",
        )
        .detail(format!("not judged: {}", gaps.join("; ")))
        .remedy("Run imapdiag check against the server for what the transcript lacks."),
    )
}
