//! The pipelined path (RFC 3501 §5.5): once the transport is up, the rest of the check goes
//! in one flight: [CAPABILITY] [ID] LOGIN NAMESPACE [LIST] [SELECT] LOGOUT. None of these
//! changes the meaning of the others; a failed login only makes the later ones fail,
//! which is judged as "after a failed login". A login that needs a continuation (a
//! literal password without LITERAL+, AUTHENTICATE without SASL-IR) goes first on its own.

use super::{code, id_command, Flow, Plan, Run, Stop};
use crate::client::session::ExchangeError;
use crate::client::{Exchange, ReadError, Session};
use crate::proto::{CommandBuilder, EncodedCommand};
use crate::report::{Finding, Severity};

impl Run<'_, '_> {
    /// `--no-pipeline`, `--quit-after` and `--follow-referrals` want one step at a time,
    /// and without credentials there is nothing to pipeline.
    pub(super) fn can_pipeline(&self) -> bool {
        let credentials = self.logged_in || (self.s.user.is_some() && self.s.password.is_some());
        self.s.pipeline && self.s.quit_after.is_none() && !self.s.referrals.follow && credentials
    }

    pub(super) async fn flight(&mut self, session: &mut Session) -> Flow {
        let mut plan: Vec<(&'static str, EncodedCommand)> = Vec::new();
        if self.stale_caps {
            plan.push((
                "capability",
                CommandBuilder::new(&session.next_tag(), "CAPABILITY").finish(),
            ));
        }
        if self.s.send_id && self.has_cap("ID") {
            plan.push(("id", id_command(&session.next_tag())));
        }
        if !self.logged_in {
            let (name, cmd) = self.credentials(session)?;
            if cmd.chunks.iter().any(|c| c.awaits_continuation) {
                let ex = self.exchange(session, name, cmd).await?;
                self.judge_login(name, &ex)?;
            } else {
                plan.push((name, cmd));
            }
        }
        plan.push((
            "namespace",
            CommandBuilder::new(&session.next_tag(), "NAMESPACE").finish(),
        ));
        if self.plan == Plan::Namespace {
            let (name, cmd) = self.list_command(&session.next_tag());
            plan.push((name, cmd));
        } else {
            plan.push(("select", self.select_command(&session.next_tag())));
        }
        plan.push((
            "logout",
            CommandBuilder::new(&session.next_tag(), "LOGOUT").finish(),
        ));
        let names: Vec<&'static str> = plan.iter().map(|(n, _)| *n).collect();
        let exs = session
            .run_flight(plan.into_iter().map(|(_, c)| c).collect())
            .await;
        self.judge_flight(&names, exs)
    }

    /// The login command, or why there is none (no credentials, no TLS, LOGINDISABLED).
    fn credentials(
        &mut self,
        session: &mut Session,
    ) -> Result<(&'static str, EncodedCommand), Stop> {
        let (Some(user), Some(password)) = (self.s.user.clone(), self.s.password.clone()) else {
            return self.login_without_credentials();
        };
        self.plaintext_gate()?;
        self.auth_command(session, &user, password.expose())
    }

    fn judge_flight(&mut self, names: &[&'static str], exs: Vec<Exchange>) -> Flow {
        let note = Some(format!("pipelined: {}", names.join(", ")));
        let mut login_ok = self.logged_in;
        let mut answered = false;
        for (name, ex) in names.iter().copied().zip(exs) {
            self.record_exchange(name, &ex, note.clone());
            if let Some(e) = &ex.error {
                self.mishandled(answered, e);
                self.find(crate::diagnosis::record::exchange_error(name, e));
                return Err(Stop::Failed);
            }
            answered = true;
            match name {
                "capability" => {
                    self.stale_caps = false;
                    self.judge_capability(&ex);
                }
                "id" => self.judge_id(&ex),
                "login" | "authenticate" => login_ok = self.judge_login(name, &ex).is_ok(),
                "namespace" if login_ok => self.judge_namespace_pipelined(&ex),
                "list" | "rlist" if login_ok => self.judge_list(&ex),
                "select" if login_ok => {
                    let _ = self.judge_select(&ex);
                }
                "logout" => self.judge_logout(&ex),
                _ => {}
            }
        }
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

    /// Earlier commands of the flight were answered, then nothing: the server does not
    /// take pipelined commands (RFC 3501 §5.5 allows them).
    fn mishandled(&mut self, answered: bool, e: &ExchangeError) {
        if answered && matches!(e, ExchangeError::Read(ReadError::Timeout)) {
            self.find(
                Finding::new(code::PIPELINING_MISHANDLED, Severity::Warning, "the server stopped answering commands sent in one flight")
                    .detail("Earlier commands of the flight were answered; the rest never were (RFC 3501 §5.5 lets clients pipeline these commands).")
                    .remedy("Clients that pipeline will hang on this server; run imapdiag with --no-pipeline to check the rest one step at a time."),
            );
        }
    }
}
