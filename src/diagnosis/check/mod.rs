//! The scripted check of the KB articles (Q311468, KB217388): connect, greeting,
//! CAPABILITY, STARTTLS, LOGIN/AUTHENTICATE, NAMESPACE, SELECT, LOGOUT.

use std::time::Instant;

use base64::Engine;

use super::findings as code;
mod flight;
mod login;
mod sasl;
mod steps;
mod tls;
mod token;

use super::follow::Follow;
use super::mailbox::{list_delimiter, mailbox_report, namespace_report};
use super::record::{self, message_findings, simple_step, surprise_findings};
use super::{referral, verdicts};
use crate::client::{Exchange, Received, Session, Transcript};
use crate::proto::imap_url::ImapUrl;
use crate::proto::{Chunk, CommandBuilder, EncodedCommand, RespCode, Response, Status, StatusKind};
use crate::report::{Finding, Report, Severity, StepName, StepStatus};
use crate::settings::{AuthMethod, QuitPoint, Security, Settings};

/// Which scripted sequence to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plan {
    /// The full check: ... NAMESPACE, SELECT, LOGOUT.
    Check,
    /// Log in, NAMESPACE, `LIST "" ""`, LOGOUT.
    Namespace,
}

impl Plan {
    pub fn name(self) -> &'static str {
        match self {
            Plan::Check => "check",
            Plan::Namespace => "namespace",
        }
    }
}

/// Runs `plan` as hop `hop` into `report`; returns whether the session ended up over TLS.
/// `follow` says whether an OK login referral will be followed (then SELECT is left to
/// the home server).
pub async fn run_hop(
    s: &Settings,
    plan: Plan,
    hop: u32,
    started: Instant,
    report: &mut Report,
    follow: &Follow<'_>,
) -> bool {
    let mut run = Run {
        s,
        plan,
        hop,
        started,
        report,
        follow,
        caps: Vec::new(),
        stale_caps: false,
        tls_active: false,
        logged_in: false,
        login_explained: false,
    };
    let transcript = run.execute().await;
    if let Some(t) = &transcript {
        let lines = record::wire_lines(t, hop);
        run.report.transcript.extend(lines);
    }
    run.tls_active
}

/// Why the sequence stopped early.
enum Stop {
    /// A step failed; the connection may be unusable.
    Failed,
    /// `--quit-after` or nothing more to do: end politely.
    Done,
    /// LOGOUT was already sent (the pipelined flight ends with it).
    LoggedOut,
}

struct Run<'a, 'f> {
    s: &'a Settings,
    plan: Plan,
    hop: u32,
    started: Instant,
    report: &'a mut Report,
    follow: &'a Follow<'f>,
    caps: Vec<String>,
    /// TLS voided the capabilities; `caps` still holds the pre-TLS list as a hint.
    stale_caps: bool,
    tls_active: bool,
    logged_in: bool,
    /// A mechanism's own finding explains a failed login (no generic login-failed then).
    login_explained: bool,
}

type Flow = Result<(), Stop>;

impl Run<'_, '_> {
    fn find(&mut self, f: Finding) {
        self.report.findings.push(f);
    }

    async fn execute(&mut self) -> Option<Transcript> {
        let mut session = self.connect().await?;
        self.report.timing.round_trips += 1;
        if self.s.quit_after == Some(QuitPoint::Connect) {
            return Some(session.into_transcript());
        }
        session.until = Some(self.started + self.s.deadline);
        if self.s.security == Security::Tls {
            session = match self.tls(session, "tls").await {
                Ok(session) => session,
                Err(transcript) => return Some(transcript),
            };
        }
        let session = self.sequence(session).await;
        self.report.timing.round_trips += session.as_ref().map(|s| s.round_trips).unwrap_or(0);
        Some(match session {
            Ok(session) => session.into_transcript(),
            Err(transcript) => transcript,
        })
    }

    /// The steps after the transport is up. Returns the session (or, if STARTTLS
    /// consumed and lost it, its transcript).
    async fn sequence(&mut self, mut session: Session) -> Result<Session, Transcript> {
        if self.before_starttls(&mut session).await.is_err() {
            return Ok(session);
        }
        let mut session = self.starttls(session).await?;
        let end = self.after_starttls(&mut session).await;
        if !matches!(end, Err(Stop::Failed | Stop::LoggedOut)) {
            self.logout(&mut session).await;
        }
        Ok(session)
    }

    async fn before_starttls(&mut self, session: &mut Session) -> Flow {
        self.greeting(session).await?;
        self.quit_after(QuitPoint::Greeting)?;
        if self.caps.is_empty() {
            self.capability(session).await?;
        }
        self.quit_after(QuitPoint::Capability)
    }

    async fn after_starttls(&mut self, session: &mut Session) -> Flow {
        self.quit_after(QuitPoint::Starttls)?;
        if self.can_pipeline() {
            return self.flight(session).await;
        }
        if self.stale_caps {
            self.caps.clear();
            let _ = self.capability(session).await;
        }
        self.id(session).await?;
        self.login(session).await?;
        self.quit_after(QuitPoint::Login)?;
        if self.stale_caps {
            self.capability(session).await?;
        }
        self.namespace(session).await?;
        self.quit_after(QuitPoint::Namespace)?;
        if self.plan == Plan::Check {
            self.select(session).await?;
            self.quit_after(QuitPoint::Select)?;
        }
        Ok(())
    }

    fn quit_after(&self, step: QuitPoint) -> Flow {
        match self.s.quit_after {
            Some(q) if q == step => Err(Stop::Done),
            _ => Ok(()),
        }
    }

    async fn connect(&mut self) -> Option<Session> {
        let since = Instant::now();
        let deadline = (since + self.s.timeout).min(self.started + self.s.deadline);
        let (host, port) = self.s.dial();
        match crate::client::open::connect(self.s, self.started, deadline).await {
            Ok(session) => {
                let note = Some(format!("connected to {}", session.peer()));
                self.report
                    .steps
                    .push(simple_step("connect", StepStatus::Ok, since, note));
                Some(session)
            }
            Err(e) => {
                self.report.steps.push(simple_step(
                    "connect",
                    StepStatus::Failed,
                    since,
                    Some(e.to_string()),
                ));
                self.find(
                    Finding::new(code::CONNECT_FAILED, Severity::Critical, format!("cannot connect to {host}:{port}"))
                        .detail(e.to_string())
                        .remedy("Check the host name, the port (143 for IMAP with STARTTLS, 993 for implicit TLS), that the service runs, and firewalls between."),
                );
                None
            }
        }
    }

    async fn greeting(&mut self, session: &mut Session) -> Flow {
        let since = Instant::now();
        let greeting = match session.read_greeting().await {
            Ok(g) => g,
            Err(e) => {
                self.report.steps.push(simple_step(
                    "greeting",
                    StepStatus::Failed,
                    since,
                    Some(e.to_string()),
                ));
                self.failed(
                    &StepName::Greeting,
                    &crate::client::session::ExchangeError::Read(e),
                );
                return Err(Stop::Failed);
            }
        };
        let mut step = simple_step("greeting", StepStatus::Ok, since, None);
        step.received = crate::proto::lines::lines(&greeting.raw);
        self.report.server.greeting = step.received.first().cloned();
        if matches!(greeting.response(), Response::Greeting(_)) {
            message_findings("greeting", &greeting, &mut self.report.findings);
        }
        let flow = self.judge_greeting(&greeting, &mut step.status);
        self.report.steps.push(step);
        flow
    }

    fn judge_greeting(&mut self, g: &Received, status: &mut StepStatus) -> Flow {
        let Response::Greeting(s) = g.response() else {
            *status = StepStatus::Failed;
            let line = self.report.server.greeting.clone().unwrap_or_default();
            self.find(verdicts::greeting_unrecognised(&line));
            return Err(Stop::Failed);
        };
        self.take_capabilities(s);
        match s.kind {
            StatusKind::Bye => {
                *status = StepStatus::Failed;
                // A BYE with a referral is explained by the referral's finding.
                if self.referral_of("greeting", s) {
                    return Err(Stop::Failed);
                }
                self.find(verdicts::greeting_bye(s));
                Err(Stop::Failed)
            }
            StatusKind::Preauth if !self.tls_active && self.s.security != Security::Plain => {
                *status = StepStatus::Failed;
                self.find(self.preauth_before_tls());
                Err(Stop::Failed)
            }
            StatusKind::Preauth => {
                self.logged_in = true;
                self.find(Finding::new(
                    code::GREETING_PREAUTH,
                    Severity::Info,
                    "the connection is pre-authenticated (PREAUTH): no login needed",
                ));
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// RFC 3501 §6.2.1: STARTTLS is only valid before authentication, so a PREAUTH in
    /// plaintext makes TLS impossible; anyone on the path can forge one to downgrade the
    /// session. Nothing more is sent.
    fn preauth_before_tls(&self) -> Finding {
        let (c, summary) = if self.s.referrals.via_tls {
            (code::REFERRAL_TLS_DOWNGRADE, "the referred server greeted with PREAUTH in plaintext: a TLS session is not followed into plaintext")
        } else {
            (
                code::PREAUTH_BEFORE_TLS,
                "the server greeted with PREAUTH in plaintext, so STARTTLS is no longer possible",
            )
        };
        Finding::new(c, Severity::Critical, summary)
            .detail("RFC 3501 §6.2.1 allows STARTTLS only before authentication. A PREAUTH greeting without TLS may have been forged on the path; imapdiag sent nothing more.")
            .remedy("Connect with implicit TLS (imaps://, --security tls), or pass --security plain if this pre-authenticated plaintext service is intended (e.g. a local socket proxy).")
    }

    fn take_capabilities(&mut self, s: &Status) {
        if let Some(RespCode::Capability(caps)) = &s.code {
            self.set_caps(caps.clone());
        }
    }

    fn set_caps(&mut self, caps: Vec<String>) {
        self.stale_caps = false;
        if self.logged_in {
            self.report.server.capabilities_after_login = Some(caps.clone());
        } else {
            self.report.server.capabilities_before_login = caps.clone();
        }
        self.caps = caps;
    }

    fn has_cap(&self, name: &str) -> bool {
        self.caps.iter().any(|c| c.eq_ignore_ascii_case(name))
    }

    /// Sends a command and records the step with the common findings; an exchange that
    /// ended without its tagged completion stops the sequence.
    async fn exchange(
        &mut self,
        session: &mut Session,
        name: &StepName,
        cmd: EncodedCommand,
    ) -> Result<Exchange, Stop> {
        let ex = self.exchange_recorded(session, name, cmd).await;
        if let Some(e) = &ex.error {
            self.failed(name, e);
            return Err(Stop::Failed);
        }
        Ok(ex)
    }

    /// The finding for a step that ended without its completion; a timeout that the
    /// run's `--deadline` caused says so.
    fn failed(&mut self, name: &StepName, e: &crate::client::session::ExchangeError) {
        use crate::client::{connection::ReadError, session::ExchangeError};
        let out_of_time = Instant::now() >= self.started + self.s.deadline;
        if out_of_time
            && matches!(
                e,
                ExchangeError::Read(ReadError::Timeout) | ExchangeError::Lost
            )
        {
            self.find(
                Finding::new(code::DEADLINE_REACHED, Severity::Critical, format!("{name}: the run reached --deadline ({} s)", self.s.deadline.as_secs_f64()))
                    .remedy("Each step answered within --timeout, but all of them together took too long: the server is slow throughout. Raise --deadline to see the rest."),
            );
        } else {
            self.find(record::exchange_error(name.as_str(), e));
        }
    }

    async fn exchange_recorded(
        &mut self,
        session: &mut Session,
        name: &StepName,
        cmd: EncodedCommand,
    ) -> Exchange {
        let ex = session.run(cmd).await;
        self.record_exchange(name, &ex, None);
        ex
    }

    /// The step and the findings any response can raise; `note` says e.g. "pipelined".
    fn record_exchange(&mut self, name: &StepName, ex: &Exchange, note: Option<String>) {
        for r in &ex.received {
            message_findings(name.as_str(), r, &mut self.report.findings);
        }
        surprise_findings(name.as_str(), ex, &mut self.report.findings);
        // RFC 2221 and RFC 2193: any tagged completion may carry a REFERRAL.
        if let Some(c) = &ex.completion {
            self.referral_of(name.as_str(), c);
        }
        let status = match &ex.completion {
            Some(s) if s.kind == StatusKind::Ok => StepStatus::Ok,
            _ => StepStatus::Failed,
        };
        let mut step = record::step(name.as_str(), status, ex);
        step.note = note;
        self.report.steps.push(step);
    }
}

/// `ID` (RFC 2971) naming this client.
fn id_command(tag: &str) -> EncodedCommand {
    CommandBuilder::new(tag, "ID")
        .raw(concat!(
            "(\"name\" \"imapdiag\" \"version\" \"",
            env!("CARGO_PKG_VERSION"),
            "\")"
        ))
        .finish()
}
