//! The steps after login and around it: CAPABILITY, ID, NAMESPACE, LIST, SELECT, LOGOUT.

use super::*;

impl Run<'_, '_> {
    pub(super) async fn capability(&mut self, session: &mut Session) -> Flow {
        let tag = session.next_tag();
        let ex = self
            .exchange(
                session,
                &StepName::Capability,
                CommandBuilder::new(&tag, "CAPABILITY").finish(),
            )
            .await?;
        self.judge_capability(&ex);
        Ok(())
    }

    pub(super) fn judge_capability(&mut self, ex: &Exchange) {
        let caps = ex.untagged().find_map(|r| match r.response() {
            Response::Data(crate::proto::Data::Capability(c)) => Some(c.clone()),
            _ => None,
        });
        match (caps, ex.completion.as_ref()) {
            (Some(caps), Some(s)) if s.kind == StatusKind::Ok => self.set_caps(caps),
            (_, completion) => {
                let text = completion.map(|s| s.text.clone()).unwrap_or_default();
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

    /// ID (RFC 2971) when advertised and not `--no-id`: the server's name and version
    /// are the best fingerprint there is. Sent before login: it carries no secret.
    pub(super) async fn id(&mut self, session: &mut Session) -> Flow {
        if !self.s.send_id || !self.has_cap("ID") {
            return Ok(());
        }
        let tag = session.next_tag();
        let ex = self
            .exchange(session, &StepName::Id, id_command(&tag))
            .await?;
        self.judge_id(&ex);
        Ok(())
    }

    pub(super) fn judge_id(&mut self, ex: &Exchange) {
        let fields = ex.untagged().find_map(|r| match r.response() {
            Response::Data(crate::proto::Data::Id(f)) => Some(f.clone().unwrap_or_default()),
            _ => None,
        });
        if let Some(fields) = fields {
            self.report.server.id = Some(fields.into_iter().collect());
        }
    }

    pub(super) async fn namespace(&mut self, session: &mut Session) -> Flow {
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
                &StepName::Namespace,
                CommandBuilder::new(&tag, "NAMESPACE").finish(),
            )
            .await?;
        self.judge_namespace(&ex);
        if self.plan == Plan::Namespace {
            self.list_delimiter(session).await?;
        }
        Ok(())
    }

    pub(super) fn namespace_not_advertised(&mut self) {
        self.find(
            Finding::new(code::NAMESPACE_NOT_ADVERTISED, Severity::Warning, "the server does not advertise NAMESPACE")
                .remedy("Clients will guess the folder prefix and delimiter (RFC 2342 §4); configure them by hand in each client."),
        );
    }

    pub(super) fn judge_namespace(&mut self, ex: &Exchange) {
        self.report.namespace = namespace_report(ex);
        if let Some(f) = verdicts::namespace(self.report.namespace.as_ref(), ex.completion.as_ref())
        {
            self.find(f);
        }
    }

    /// `LIST "" ""` for the hierarchy delimiter (RFC 3501 §6.3.8); `RLIST` when the server
    /// advertises MAILBOX-REFERRALS (RFC 2193 §4.2), so a remote root is referred, not hidden.
    pub(super) async fn list_delimiter(&mut self, session: &mut Session) -> Flow {
        let tag = session.next_tag();
        let (name, cmd) = self.list_command(&tag);
        let ex = self.exchange(session, &name, cmd).await?;
        self.judge_list(&ex);
        if name == StepName::Rlist && ex.completion.as_ref().map(|s| s.kind) != Some(StatusKind::Ok)
        {
            self.list_after_rlist(session).await?;
        }
        Ok(())
    }

    /// RLIST was refused although MAILBOX-REFERRALS was advertised: LIST instead.
    pub(super) async fn list_after_rlist(&mut self, session: &mut Session) -> Flow {
        self.find(
            Finding::new(code::RLIST_REFUSED, Severity::Warning, "the server advertises MAILBOX-REFERRALS but refused RLIST")
                .remedy("RFC 2193 §4.2 defines RLIST for servers that advertise MAILBOX-REFERRALS; clients that use it will fail. imapdiag used LIST instead."),
        );
        let tag = session.next_tag();
        let cmd = CommandBuilder::new(&tag, "LIST")
            .astring("")
            .astring("")
            .finish();
        let ex = self.exchange(session, &StepName::List, cmd).await?;
        self.judge_list(&ex);
        Ok(())
    }

    pub(super) fn list_command(&self, tag: &str) -> (StepName, EncodedCommand) {
        let (name, verb) = if self.has_cap("MAILBOX-REFERRALS") {
            (StepName::Rlist, "RLIST")
        } else {
            (StepName::List, "LIST")
        };
        (
            name,
            CommandBuilder::new(tag, verb)
                .astring("")
                .astring("")
                .finish(),
        )
    }

    pub(super) fn judge_list(&mut self, ex: &Exchange) {
        let Some(delimiter) = list_delimiter(ex) else {
            return;
        };
        if let Some(ns) = self.report.namespace.as_mut() {
            ns.list_delimiter = delimiter.clone();
        }
        self.report.hierarchy = Some(crate::report::Hierarchy { delimiter });
    }

    pub(super) async fn select(&mut self, session: &mut Session) -> Flow {
        let tag = session.next_tag();
        let cmd = self.select_command(&tag);
        let ex = self.exchange(session, &StepName::Select, cmd).await?;
        self.judge_select(&ex)
    }

    pub(super) fn select_command(&self, tag: &str) -> EncodedCommand {
        CommandBuilder::new(tag, "SELECT")
            .literal_plus(self.has_cap("LITERAL+"))
            .astring(&self.s.mailbox)
            .finish()
    }

    pub(super) fn judge_select(&mut self, ex: &Exchange) -> Flow {
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
                format!("{} opened read-only", mailbox),
            ));
        }
        self.report.mailbox = Some(report);
        Ok(())
    }

    /// The URL of a login referral answered with OK, if there was one.
    pub(super) fn login_ok_referral(&self) -> Option<String> {
        referral::login_ok_referral(self.report, Some(self.hop))
    }

    /// LOGOUT: RFC 3501 §6.1.3 expects an untagged BYE, then the tagged OK. A server that
    /// hangs up instead is noted, not failed: the diagnosis is already made.
    pub(super) async fn logout(&mut self, session: &mut Session) {
        let tag = session.next_tag();
        let ex = self
            .exchange_recorded(
                session,
                &StepName::Logout,
                CommandBuilder::new(&tag, "LOGOUT").finish(),
            )
            .await;
        self.judge_logout(&ex);
    }

    pub(super) fn judge_logout(&mut self, ex: &Exchange) {
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
