//! The scripted check of the KB articles (Q311468, KB217388): connect, greeting,
//! CAPABILITY, STARTTLS, LOGIN/AUTHENTICATE, NAMESPACE, SELECT, LOGOUT.

use std::time::Instant;

use base64::Engine;

use super::findings as code;
mod flight;

use super::follow::Follow;
use super::mailbox::{list_delimiter, mailbox_report, namespace_report};
use super::record::{self, message_findings, simple_step, surprise_findings};
use super::{referral, verdicts};
use crate::client::connection::Connection;
use crate::client::{Exchange, Received, Session, Transcript};
use crate::proto::imap_url::ImapUrl;
use crate::proto::sanitize::escape_str;
use crate::proto::{Chunk, CommandBuilder, EncodedCommand, RespCode, Response, Status, StatusKind};
use crate::report::{Finding, Report, Severity, StepStatus};
use crate::secret::REDACTED;
use crate::settings::{AuthMethod, Security, Settings, StepName};

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
}

type Flow = Result<(), Stop>;

impl Run<'_, '_> {
    fn find(&mut self, f: Finding) {
        self.report.findings.push(f);
    }

    async fn execute(&mut self) -> Option<Transcript> {
        let conn = self.connect().await?;
        self.report.timing.round_trips += 1;
        if self.s.quit_after == Some(StepName::Connect) {
            return Some(conn.into_transcript());
        }
        let mut session = Session::new(conn, self.s.timeout);
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
        self.quit_after(StepName::Greeting)?;
        if self.caps.is_empty() {
            self.capability(session).await?;
        }
        self.quit_after(StepName::Capability)
    }

    async fn after_starttls(&mut self, session: &mut Session) -> Flow {
        self.quit_after(StepName::Starttls)?;
        if self.can_pipeline() {
            return self.flight(session).await;
        }
        if self.stale_caps {
            self.stale_caps = false;
            self.caps.clear();
            let _ = self.capability(session).await;
        }
        self.id(session).await?;
        self.login(session).await?;
        self.quit_after(StepName::Login)?;
        self.namespace(session).await?;
        self.quit_after(StepName::Namespace)?;
        if self.plan == Plan::Check {
            self.select(session).await?;
            self.quit_after(StepName::Select)?;
        }
        Ok(())
    }

    fn quit_after(&self, step: StepName) -> Flow {
        match self.s.quit_after {
            Some(q) if q == step => Err(Stop::Done),
            _ => Ok(()),
        }
    }

    async fn connect(&mut self) -> Option<Connection> {
        let since = Instant::now();
        let deadline = since + self.s.timeout;
        let transcript = Transcript::new(self.started, self.s.limits.max_transcript_bytes);
        let (host, port) = self.s.dial();
        match Connection::connect(host, port, deadline, self.s.limits, transcript).await {
            Ok(conn) => {
                let note = Some(format!("connected to {}", conn.peer));
                self.report
                    .steps
                    .push(simple_step("connect", StepStatus::Ok, since, note));
                Some(conn)
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

    /// The TLS handshake (implicit TLS, or after STARTTLS's OK).
    async fn tls(&mut self, session: Session, step: &str) -> Result<Session, Transcript> {
        let since = Instant::now();
        let (result, info) = session.start_tls(&self.s.host, &self.s.tls).await;
        let ok = result.is_ok();
        let note = match (&info.version, &info.verify_error) {
            (Some(v), _) => Some(format!("{v} {}", info.cipher.as_deref().unwrap_or(""))),
            (None, e) => e.clone().or(info.handshake_error.clone()),
        };
        let status = if ok && info.verified {
            StepStatus::Ok
        } else if ok {
            StepStatus::Warning
        } else {
            StepStatus::Failed
        };
        self.report
            .steps
            .push(simple_step(step, status, since, note));
        self.tls_findings(&info, ok);
        self.report.tls = Some(info);
        self.tls_active = ok;
        result
    }

    fn tls_findings(&mut self, info: &crate::report::TlsInfo, established: bool) {
        let verify = info.verify_error.clone();
        let handshake = info.handshake_error.clone().unwrap_or_default();
        match (established, verify) {
            // The verify callback named a reason and the handshake then failed on it.
            (false, Some(reason)) if !self.s.tls.insecure => self.find(
                Finding::new(code::TLS_VERIFY_FAILED, Severity::Critical, "the server's certificate did not verify")
                    .detail(reason)
                    .remedy("Install a certificate from a trusted CA that names this host, add the issuing CA with --ca-file, or continue anyway with --insecure."),
            ),
            (false, _) => self.find(
                Finding::new(code::TLS_HANDSHAKE_FAILED, Severity::Critical, "the TLS handshake failed")
                    .detail(handshake)
                    .remedy("Check that this port speaks TLS (993 implicit, 143 STARTTLS) and that the server offers a TLS version and cipher this client accepts."),
            ),
            (true, Some(reason)) => self.find(
                Finding::new(code::TLS_INSECURE, Severity::Warning, "continued although the certificate did not verify (--insecure)")
                    .detail(reason)
                    .remedy("Clients that verify certificates will refuse this server; fix the certificate."),
            ),
            (true, None) => {}
        }
        self.certificate_expiry(info);
    }

    fn certificate_expiry(&mut self, info: &crate::report::TlsInfo) {
        let Some(cert) = &info.certificate else {
            return;
        };
        if cert.days_left >= 0 && cert.days_left < i64::from(self.s.tls.cert_warn_days) {
            self.find(
                Finding::new(
                    code::CERTIFICATE_EXPIRES_SOON,
                    Severity::Warning,
                    format!("the certificate expires in {} days", cert.days_left),
                )
                .detail(format!("not after {}", cert.not_after))
                .remedy("Renew the certificate before it expires."),
            );
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
                self.find(record::read_error("greeting", &e));
                return Err(Stop::Failed);
            }
        };
        let mut step = simple_step("greeting", StepStatus::Ok, since, None);
        step.received = record::lines(&greeting.raw);
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
            self.find(
                Finding::new(code::GREETING_UNRECOGNISED, Severity::Critical, "the first line is not an IMAP greeting")
                    .detail(self.report.server.greeting.clone().unwrap_or_default())
                    .remedy("Is this port an IMAP service? (It may be POP3, SMTP, HTTP, or TLS expecting a handshake: try --security tls.)"),
            );
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

    fn take_capabilities(&mut self, s: &Status) {
        if let Some(RespCode::Capability(caps)) = &s.code {
            self.set_caps(caps.clone());
        }
    }

    fn set_caps(&mut self, caps: Vec<String>) {
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
        name: &str,
        cmd: EncodedCommand,
    ) -> Result<Exchange, Stop> {
        let ex = self.exchange_recorded(session, name, cmd).await;
        if let Some(e) = &ex.error {
            self.find(record::exchange_error(name, e));
            return Err(Stop::Failed);
        }
        Ok(ex)
    }

    async fn exchange_recorded(
        &mut self,
        session: &mut Session,
        name: &str,
        cmd: EncodedCommand,
    ) -> Exchange {
        let ex = session.run(cmd).await;
        self.record_exchange(name, &ex, None);
        ex
    }

    /// The step and the findings any response can raise; `note` says e.g. "pipelined".
    fn record_exchange(&mut self, name: &str, ex: &Exchange, note: Option<String>) {
        for r in &ex.received {
            message_findings(name, r, &mut self.report.findings);
        }
        surprise_findings(name, ex, &mut self.report.findings);
        // RFC 2221 and RFC 2193: any tagged completion may carry a REFERRAL.
        if let Some(c) = &ex.completion {
            self.referral_of(name, c);
        }
        let status = match &ex.completion {
            Some(s) if s.kind == StatusKind::Ok => StepStatus::Ok,
            _ => StepStatus::Failed,
        };
        let mut step = record::step(name, status, ex);
        step.note = note;
        self.report.steps.push(step);
    }

    async fn capability(&mut self, session: &mut Session) -> Flow {
        let tag = session.next_tag();
        let ex = self
            .exchange(
                session,
                "capability",
                CommandBuilder::new(&tag, "CAPABILITY").finish(),
            )
            .await?;
        self.judge_capability(&ex);
        Ok(())
    }

    fn judge_capability(&mut self, ex: &Exchange) {
        let caps = ex.untagged().find_map(|r| match r.response() {
            Response::Data(crate::proto::Data::Capability(c)) => Some(c.clone()),
            _ => None,
        });
        match (caps, ex.completion.as_ref()) {
            (Some(caps), Some(s)) if s.kind == StatusKind::Ok => self.set_caps(caps),
            (_, completion) => {
                let text = completion.map(|s| escape_str(&s.text)).unwrap_or_default();
                self.find(
                    Finding::new(
                        code::CAPABILITY_FAILED,
                        Severity::Warning,
                        "CAPABILITY gave no capability list",
                    )
                    .detail(text),
                );
            }
        }
    }

    /// STARTTLS when the security mode asks for it; on failure only the transcript is left.
    async fn starttls(&mut self, mut session: Session) -> Result<Session, Transcript> {
        let Security::StartTls { required } = self.s.security else {
            return Ok(session);
        };
        if self.logged_in {
            return Ok(session);
        }
        if !self.has_cap("STARTTLS") && self.s.referrals.via_tls {
            self.find(
                Finding::new(code::REFERRAL_TLS_DOWNGRADE, Severity::Critical, "the referred server offers no STARTTLS: a TLS session is not followed into plaintext")
                    .detail("The referral came over TLS; the credentials were not sent here.")
                    .remedy("Enable TLS on the referred server, or point the referral at its TLS port (RFC 2221 §5, RFC 5092 §3.2)."),
            );
            return Err(session.into_transcript());
        }
        if !self.has_cap("STARTTLS") {
            let severity = if required {
                Severity::Critical
            } else {
                Severity::Warning
            };
            self.find(
                Finding::new(code::STARTTLS_NOT_OFFERED, severity, "the server does not offer STARTTLS")
                    .remedy("Enable TLS on the server (RFC 3501 §6.2.1), or use implicit TLS on port 993 (--security tls)."),
            );
            return if required {
                Err(session.into_transcript())
            } else {
                Ok(session)
            };
        }
        let tag = session.next_tag();
        let Ok(ex) = self
            .exchange(
                &mut session,
                "starttls",
                CommandBuilder::new(&tag, "STARTTLS").finish(),
            )
            .await
        else {
            return Err(session.into_transcript());
        };
        if ex.completion.as_ref().map(|s| s.kind) != Some(StatusKind::Ok) {
            let text = ex
                .completion
                .as_ref()
                .map(|s| escape_str(&s.text))
                .unwrap_or_default();
            self.find(
                Finding::new(
                    code::STARTTLS_FAILED,
                    Severity::Critical,
                    "STARTTLS was refused",
                )
                .detail(text),
            );
            return Err(session.into_transcript());
        }
        self.injection_check(&session);
        let session = self.tls(session, "tls").await?;
        // RFC 3501 §6.2.1: what was advertised before TLS is void. The next step asks
        // again (alone, or first in the pipelined flight).
        self.stale_caps = true;
        Ok(session)
    }

    /// RFC 3501 §6.2.1: TLS starts right after the CRLF of the OK. Anything already sent
    /// beyond it came in plaintext and is dropped, never read as TLS-protected data.
    fn injection_check(&mut self, session: &Session) {
        let unread = session.unread_bytes();
        if unread > 0 {
            self.find(
                Finding::new(code::STARTTLS_INJECTION, Severity::Critical, format!("{unread} bytes arrived after STARTTLS's OK, before the TLS handshake"))
                    .detail("They were discarded, not read as part of the TLS session.")
                    .remedy("Something on the path injects plaintext into STARTTLS (CVE-2011-0411 class); check the server and any proxy."),
            );
        }
    }

    /// ID (RFC 2971) when advertised and not `--no-id`: the server's name and version
    /// are the best fingerprint there is. Sent before login: it carries no secret.
    async fn id(&mut self, session: &mut Session) -> Flow {
        if !self.s.send_id || !self.has_cap("ID") {
            return Ok(());
        }
        let tag = session.next_tag();
        let ex = self.exchange(session, "id", id_command(&tag)).await?;
        self.judge_id(&ex);
        Ok(())
    }

    fn judge_id(&mut self, ex: &Exchange) {
        let fields = ex.untagged().find_map(|r| match r.response() {
            Response::Data(crate::proto::Data::Id(f)) => Some(f.clone().unwrap_or_default()),
            _ => None,
        });
        if let Some(fields) = fields {
            self.report.server.id = Some(fields.into_iter().collect());
        }
    }

    async fn login(&mut self, session: &mut Session) -> Flow {
        if self.logged_in {
            return Ok(());
        }
        let (Some(user), Some(password)) = (self.s.user.clone(), self.s.password.clone()) else {
            return self.login_without_credentials();
        };
        self.plaintext_gate()?;
        let (name, cmd) = self.auth_command(session, &user, password.expose())?;
        let ex = self.exchange(session, name, cmd).await?;
        self.judge_login(name, &ex)
    }

    fn login_without_credentials<T>(&mut self) -> Result<T, Stop> {
        self.find(Finding::new(code::NO_CREDENTIALS, Severity::Info, "no credentials given: checked the connection only (greeting, capabilities, TLS)")
            .remedy("Give --user and the password (IMAPDIAG_PASSWORD, --password-file or the prompt) for the full check."));
        Err(Stop::Done)
    }

    /// DESIGN.md: no password in plaintext unless `--allow-plaintext-login`.
    fn plaintext_gate(&mut self) -> Flow {
        if self.tls_active {
            return Ok(());
        }
        if !self.s.allow_plaintext_login {
            self.find(
                Finding::new(code::PLAINTEXT_LOGIN_REFUSED, Severity::Critical, "imapdiag will not send the password over an unencrypted connection")
                    .remedy("Use TLS (--security tls or starttls), or pass --allow-plaintext-login on a trusted network."),
            );
            return Err(Stop::Done);
        }
        self.find(
            Finding::new(code::PLAINTEXT_LOGIN, Severity::Warning, "the password was sent without TLS (--allow-plaintext-login)")
                .remedy("Anyone on the path could read it: enable STARTTLS or implicit TLS and set LOGINDISABLED before TLS."),
        );
        Ok(())
    }

    /// LOGIN, or AUTHENTICATE PLAIN (RFC 4616) with SASL-IR (RFC 4959) when advertised;
    /// with the step name (`login` or `authenticate`).
    fn auth_command(
        &mut self,
        session: &mut Session,
        user: &str,
        password: &str,
    ) -> Result<(&'static str, EncodedCommand), Stop> {
        let plain_offered = self.has_cap("AUTH=PLAIN");
        // LOGINDISABLED before TLS says nothing about after it (RFC 3501 §6.2.3).
        let login_disabled = self.has_cap("LOGINDISABLED") && !(self.stale_caps && self.tls_active);
        let use_plain = match self.s.auth {
            AuthMethod::Plain => true,
            AuthMethod::Login => false,
            AuthMethod::Auto => plain_offered || login_disabled,
        };
        if !use_plain && login_disabled {
            self.find(
                Finding::new(code::LOGIN_DISABLED, Severity::Critical, "the server advertises LOGINDISABLED: LOGIN is not allowed here")
                    .remedy("Use TLS first (RFC 3501 §6.2.3), or --auth plain if the server offers AUTH=PLAIN."),
            );
            return Err(Stop::Done);
        }
        let tag = session.next_tag();
        let literal_plus = self.has_cap("LITERAL+");
        if !use_plain {
            let cmd = CommandBuilder::new(&tag, "LOGIN")
                .literal_plus(literal_plus)
                .astring(user)
                .secret(password)
                .finish();
            return Ok(("login", cmd));
        }
        Ok((
            "authenticate",
            plain_command(&tag, user, password, self.has_cap("SASL-IR")),
        ))
    }

    fn judge_login(&mut self, name: &str, ex: &Exchange) -> Flow {
        let Some(status) = &ex.completion else {
            return Err(Stop::Failed);
        };
        if status.kind != StatusKind::Ok {
            if status.referral_urls().is_none() {
                self.find(verdicts::login_failed(name, status));
            }
            return Err(Stop::Done);
        }
        self.logged_in = true;
        self.take_capabilities(status);
        if self.report.server.capabilities_after_login.is_none() {
            self.report.server.capabilities_after_login = Some(self.caps.clone());
        }
        if self.will_follow(name, status) {
            return Err(Stop::Done);
        }
        Ok(())
    }

    /// Records a REFERRAL code (RFC 2221, RFC 2193) with its finding; whether there was one.
    fn referral_of(&mut self, step: &str, status: &Status) -> bool {
        referral::record(self.report, self.hop, step, status)
    }

    /// With `--follow-referrals`, an OK login referral that may be followed ends this hop
    /// after LOGIN: the remaining steps run on the home server.
    fn will_follow(&self, step: &str, status: &Status) -> bool {
        let Some(urls) = status.referral_urls() else {
            return false;
        };
        self.follow.enabled()
            && urls.iter().filter_map(|u| ImapUrl::parse(u).ok()).any(|u| {
                self.follow
                    .judge(self.s, self.hop, self.tls_active, step, &u)
                    .is_ok()
            })
    }

    async fn namespace(&mut self, session: &mut Session) -> Flow {
        let advertised = self.has_cap("NAMESPACE") || self.has_cap("IMAP4rev2");
        if !advertised {
            self.namespace_not_advertised();
            if self.plan == Plan::Check {
                return Ok(());
            }
        }
        let tag = session.next_tag();
        let ex = self
            .exchange(
                session,
                "namespace",
                CommandBuilder::new(&tag, "NAMESPACE").finish(),
            )
            .await?;
        self.judge_namespace(&ex);
        if self.plan == Plan::Namespace {
            self.list_delimiter(session).await?;
        }
        Ok(())
    }

    fn namespace_not_advertised(&mut self) {
        self.find(
            Finding::new(code::NAMESPACE_NOT_ADVERTISED, Severity::Warning, "the server does not advertise NAMESPACE")
                .remedy("Clients will guess the folder prefix and delimiter (RFC 2342 §4); configure them by hand in each client."),
        );
    }

    fn judge_namespace(&mut self, ex: &Exchange) {
        self.report.namespace = namespace_report(ex);
        if let Some(f) = verdicts::namespace(self.report.namespace.as_ref(), ex.completion.as_ref())
        {
            self.find(f);
        }
    }

    /// `LIST "" ""` for the hierarchy delimiter (RFC 3501 §6.3.8); `RLIST` when the server
    /// advertises MAILBOX-REFERRALS (RFC 2193 §4.2), so a remote root is referred, not hidden.
    async fn list_delimiter(&mut self, session: &mut Session) -> Flow {
        let tag = session.next_tag();
        let (name, cmd) = self.list_command(&tag);
        let ex = self.exchange(session, name, cmd).await?;
        self.judge_list(&ex);
        Ok(())
    }

    fn list_command(&self, tag: &str) -> (&'static str, EncodedCommand) {
        let (name, verb) = if self.has_cap("MAILBOX-REFERRALS") {
            ("rlist", "RLIST")
        } else {
            ("list", "LIST")
        };
        (
            name,
            CommandBuilder::new(tag, verb)
                .astring("")
                .astring("")
                .finish(),
        )
    }

    fn judge_list(&mut self, ex: &Exchange) {
        if let (Some(ns), Some(delim)) = (self.report.namespace.as_mut(), list_delimiter(ex)) {
            ns.list_delimiter = delim;
        }
    }

    async fn select(&mut self, session: &mut Session) -> Flow {
        let tag = session.next_tag();
        let cmd = self.select_command(&tag);
        let ex = self.exchange(session, "select", cmd).await?;
        self.judge_select(&ex)
    }

    fn select_command(&self, tag: &str) -> EncodedCommand {
        CommandBuilder::new(tag, "SELECT")
            .literal_plus(self.has_cap("LITERAL+"))
            .astring(&self.s.mailbox)
            .finish()
    }

    fn judge_select(&mut self, ex: &Exchange) -> Flow {
        let mailbox = self.s.mailbox.clone();
        let Some(status) = ex.completion.clone() else {
            return Err(Stop::Failed);
        };
        if status.kind != StatusKind::Ok {
            if let Some(url) = self.login_ok_referral() {
                self.find(referral::no_replica(&mailbox, &status, &url));
            } else if status.referral_urls().is_none() {
                self.find(verdicts::select_failed(&mailbox, &status));
            }
            return Ok(());
        }
        let report = mailbox_report(&mailbox, ex);
        if report.access.as_deref() == Some("read-only") {
            self.find(Finding::new(
                code::MAILBOX_READ_ONLY,
                Severity::Info,
                format!("{} opened read-only", escape_str(&mailbox)),
            ));
        }
        self.report.mailbox = Some(report);
        Ok(())
    }

    /// The URL of a login referral answered with OK, if there was one.
    fn login_ok_referral(&self) -> Option<String> {
        self.report
            .referrals
            .iter()
            .find(|r| r.hop == self.hop && r.response == "OK" && r.step != "select")
            .map(|r| r.url.clone())
    }

    /// LOGOUT: RFC 3501 §6.1.3 expects an untagged BYE, then the tagged OK. A server that
    /// hangs up instead is noted, not failed: the diagnosis is already made.
    async fn logout(&mut self, session: &mut Session) {
        let tag = session.next_tag();
        let ex = self
            .exchange_recorded(
                session,
                "logout",
                CommandBuilder::new(&tag, "LOGOUT").finish(),
            )
            .await;
        self.judge_logout(&ex);
    }

    fn judge_logout(&mut self, ex: &Exchange) {
        let bye = ex
            .untagged()
            .any(|r| matches!(r.response(), Response::Untagged(s) if s.kind == StatusKind::Bye));
        let ok = ex.completion.as_ref().map(|s| s.kind) == Some(StatusKind::Ok);
        if !(bye && ok) {
            let detail = ex
                .error
                .as_ref()
                .map(|e| e.to_string())
                .unwrap_or_else(|| format!("BYE {bye}, OK {ok}"));
            self.find(
                Finding::new(
                    code::LOGOUT_INCOMPLETE,
                    Severity::Info,
                    "LOGOUT was not answered with BYE and OK",
                )
                .detail(detail)
                .remedy("RFC 3501 §6.1.3; harmless for most clients."),
            );
        }
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

/// `AUTHENTICATE PLAIN` with the initial response inline (SASL-IR) or after `+`.
fn plain_command(tag: &str, user: &str, password: &str, sasl_ir: bool) -> EncodedCommand {
    // RFC 4616 §2: message = [authzid] UTF8NUL authcid UTF8NUL passwd
    let response =
        base64::engine::general_purpose::STANDARD.encode(format!("\0{user}\0{password}"));
    let head = format!("{tag} AUTHENTICATE PLAIN");
    let chunks = if sasl_ir {
        vec![Chunk {
            wire: format!("{head} {response}\r\n").into_bytes(),
            shown: format!("{head} {REDACTED}\r\n").into_bytes(),
            awaits_continuation: false,
        }]
    } else {
        vec![
            Chunk {
                wire: format!("{head}\r\n").into_bytes(),
                shown: format!("{head}\r\n").into_bytes(),
                awaits_continuation: true,
            },
            Chunk {
                wire: format!("{response}\r\n").into_bytes(),
                shown: format!("{REDACTED}\r\n").into_bytes(),
                awaits_continuation: false,
            },
        ]
    };
    EncodedCommand {
        tag: tag.to_string(),
        chunks,
    }
}
