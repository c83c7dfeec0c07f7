//! The pipelined path (RFC 3501 §5.5), in the two flights every real server survives.
//! Nothing follows STARTTLS, LOGIN or AUTHENTICATE in the same flight: after those the
//! server may start a TLS or SASL security layer, or (Courier's imaplogin) hand the
//! connection to another process, and input already sent is lost (RFC 3501 §6.2.2,
//! RFC 4959 §5). So:
//!
//! 1. before login: [CAPABILITY] [ID] LOGIN/AUTHENTICATE;
//! 2. after its OK: [CAPABILITY] NAMESPACE [LIST/RLIST] [SELECT] [LOGOUT].
//!
//! A login that needs a continuation (a literal password without LITERAL+, AUTHENTICATE
//! without SASL-IR) goes alone after the first flight. When the second flight is answered
//! in part and then not at all, the rest is sent again one command at a time and the
//! server is judged on that.

use std::time::Duration;

use super::sasl::Login;
use super::{code, id_command, Flow, Plan, Run, Stop};
use crate::client::session::ExchangeError;
use crate::client::{Exchange, Session};
use crate::proto::{CommandBuilder, EncodedCommand};
use crate::report::{Finding, Severity, StepName};

/// Silence after part of a flight was answered before the rest counts as lost. Loopback
/// servers answer in milliseconds; a slow one only costs a command sent twice.
const GRACE: Duration = Duration::from_secs(2);

type Planned = Vec<(StepName, EncodedCommand)>;

impl Run<'_, '_> {
    /// `--no-pipeline`, `--quit-after` and `--follow-referrals` want one step at a time,
    /// and without credentials there is nothing to pipeline.
    pub(super) fn can_pipeline(&self) -> bool {
        let secret = self.s.password.is_some() || self.s.token.is_some();
        let credentials = self.logged_in || (self.s.user.is_some() && secret);
        self.s.pipeline && self.s.quit_after.is_none() && !self.s.referrals.follow && credentials
    }

    pub(super) async fn flight(&mut self, session: &mut Session) -> Flow {
        self.login_flight(session).await?;
        self.after_login_flight(session).await
    }

    /// Flight 1: [CAPABILITY] [ID] and the login, which ends it.
    async fn login_flight(&mut self, session: &mut Session) -> Flow {
        let mut plan: Planned = Vec::new();
        if self.stale_caps {
            plan.push((StepName::Capability, simple(session, "CAPABILITY")));
        }
        if self.s.send_id && self.has_cap("ID") {
            plan.push((StepName::Id, id_command(&session.next_tag())));
        }
        if self.logged_in {
            return self.fly(session, plan, None).await;
        }
        match self.login_plan(session)? {
            Login::Command(name, cmd) if !cmd.chunks.iter().any(|c| c.awaits_continuation) => {
                plan.push((name, cmd));
                self.fly(session, plan, None).await
            }
            Login::Command(name, cmd) => {
                self.fly(session, plan, None).await?;
                let ex = self.exchange(session, &name, cmd).await?;
                self.judge_login(&name, &ex)
            }
            // A SASL exchange needs the server's challenges: it goes alone.
            Login::Sasl(sasl) => {
                self.fly(session, plan, None).await?;
                self.sasl_login(session, sasl).await
            }
        }
    }

    /// Flight 2, after the login's OK. RLIST may be refused (then LIST follows it alone),
    /// so LOGOUT waits for it.
    async fn after_login_flight(&mut self, session: &mut Session) -> Flow {
        let mut plan: Planned = Vec::new();
        if self.stale_caps {
            plan.push((StepName::Capability, simple(session, "CAPABILITY")));
        }
        plan.push((StepName::Namespace, simple(session, "NAMESPACE")));
        let mut logout = true;
        if self.plan == Plan::Namespace {
            let (name, cmd) = self.list_command(&session.next_tag());
            logout = name != StepName::Rlist;
            plan.push((name, cmd));
        } else {
            plan.push((StepName::Select, self.select_command(&session.next_tag())));
        }
        if logout {
            plan.push((StepName::Logout, simple(session, "LOGOUT")));
        }
        self.fly(session, plan, Some(GRACE)).await?;
        if self.plan == Plan::Namespace && !logout {
            self.list_fallback(session).await?;
        }
        Ok(())
    }

    /// Sends one flight and judges it; lost commands are sent again one at a time.
    async fn fly(&mut self, session: &mut Session, plan: Planned, grace: Option<Duration>) -> Flow {
        if plan.is_empty() {
            return Ok(());
        }
        let names: Vec<StepName> = plan.iter().map(|(n, _)| n.clone()).collect();
        let exs = session
            .run_flight(plan.into_iter().map(|(_, c)| c).collect(), grace)
            .await;
        let lost: Vec<(StepName, String)> = names
            .iter()
            .zip(&exs)
            .filter(|(_, ex)| matches!(ex.error, Some(ExchangeError::Lost)))
            .map(|(n, ex)| (n.clone(), ex.tag.clone()))
            .collect();
        let listed: Vec<&str> = names.iter().map(StepName::as_str).collect();
        let note = Some(format!("pipelined: {}", listed.join(", ")));
        for (name, ex) in names.iter().zip(exs) {
            if matches!(ex.error, Some(ExchangeError::Lost)) {
                continue;
            }
            self.judge_flown(name, &ex, note.clone())?;
        }
        if lost.is_empty() {
            return Ok(());
        }
        self.lost(&lost);
        session.retire(lost.iter().map(|(_, t)| t.clone()));
        self.one_at_a_time(session, &lost).await
    }

    /// Records and judges one exchange of a flight; a failed read stops the sequence.
    fn judge_flown(&mut self, name: &StepName, ex: &Exchange, note: Option<String>) -> Flow {
        self.record_exchange(name, ex, note);
        if let Some(e) = &ex.error {
            self.failed(name, e);
            return Err(Stop::Failed);
        }
        self.judge_step(name, ex)
    }

    /// The verdict of one step, wherever it ran (in a flight or alone).
    fn judge_step(&mut self, name: &StepName, ex: &Exchange) -> Flow {
        match name {
            StepName::Capability => self.judge_capability(ex),
            StepName::Id => self.judge_id(ex),
            s if s.is_login() => return self.judge_login(s, ex),
            StepName::Namespace => self.judge_namespace_pipelined(ex),
            StepName::List | StepName::Rlist => self.judge_list(ex),
            StepName::Select => {
                let _ = self.judge_select(ex);
            }
            StepName::Logout => {
                self.judge_logout(ex);
                return Err(Stop::LoggedOut);
            }
            _ => {}
        }
        Ok(())
    }

    /// Commands a flight lost, sent again alone with fresh tags.
    async fn one_at_a_time(&mut self, session: &mut Session, lost: &[(StepName, String)]) -> Flow {
        for (name, _) in lost {
            let cmd = match name {
                StepName::Select => self.select_command(&session.next_tag()),
                StepName::List | StepName::Rlist => self.list_command(&session.next_tag()).1,
                StepName::Id => id_command(&session.next_tag()),
                other => simple(session, &other.as_str().to_ascii_uppercase()),
            };
            let ex = self.exchange(session, name, cmd).await?;
            self.judge_step(name, &ex)?;
        }
        Ok(())
    }

    /// Reports what was lost as what it is: the server's handling of pipelined commands,
    /// which the result above does not depend on.
    fn lost(&mut self, lost: &[(StepName, String)]) {
        let names: Vec<String> = lost
            .iter()
            .map(|(n, _)| n.as_str().to_ascii_uppercase())
            .collect();
        self.find(
            Finding::new(
                code::PIPELINING_MISHANDLED,
                Severity::Info,
                format!("{} sent together after login went unanswered; imapdiag sent them again one at a time", names.join(", ")),
            )
            .detail(format!(
                "Earlier commands of the same flight were answered, then nothing came for {} s. RFC 3501 §5.5 lets a client send these commands without waiting; the verdicts above come from the commands sent again alone.",
                GRACE.as_secs()
            ))
            .remedy("Nothing to fix for ordinary clients, which send one command at a time after login; a client that pipelines may stall on this server."),
        );
    }

    /// After the flight that ended with RLIST: LIST if it was refused, then LOGOUT.
    async fn list_fallback(&mut self, session: &mut Session) -> Flow {
        let refused = self
            .report
            .steps
            .iter()
            .rev()
            .find(|s| s.name == StepName::Rlist)
            .is_some_and(|s| s.status != crate::report::StepStatus::Ok);
        if refused {
            self.list_after_rlist(session).await?;
        }
        let logout = simple(session, "LOGOUT");
        let ex = self
            .exchange_recorded(session, &StepName::Logout, logout)
            .await;
        self.judge_logout(&ex);
        Err(Stop::LoggedOut)
    }

    /// NAMESPACE went out before the capabilities after login were known.
    fn judge_namespace_pipelined(&mut self, ex: &Exchange) {
        let advertised = self.has_cap("NAMESPACE") || self.has_cap("IMAP4rev2");
        if !advertised {
            self.namespace_not_advertised();
            if ex.completion.as_ref().map(|s| s.kind) != Some(crate::proto::StatusKind::Ok) {
                return;
            }
        }
        self.judge_namespace(ex);
    }
}

/// A command with no arguments, on the session's next tag.
fn simple(session: &mut Session, verb: &str) -> EncodedCommand {
    CommandBuilder::new(&session.next_tag(), verb).finish()
}
