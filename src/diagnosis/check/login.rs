//! Logging in: the login plan (LOGIN, AUTHENTICATE PLAIN, or a SASL exchange, see
//! `sasl.rs`), the plaintext gate, and login referrals.

use super::sasl::Login;
use super::*;

impl Run<'_, '_> {
    pub(super) async fn login(&mut self, session: &mut Session) -> Flow {
        if self.logged_in {
            return Ok(());
        }
        match self.login_plan(session)? {
            Login::Command(name, cmd) => {
                let ex = self.exchange(session, &name, cmd).await?;
                self.judge_login(&name, &ex)
            }
            Login::Sasl(sasl) => self.sasl_login(session, sasl).await,
        }
    }

    pub(super) fn login_without_credentials<T>(&mut self) -> Result<T, Stop> {
        self.find(Finding::new(code::NO_CREDENTIALS, Severity::Info, "no credentials given: checked the connection only (greeting, capabilities, TLS)")
            .remedy("Give --user and the password (IMAPDIAG_PASSWORD, --password-file or the prompt) for the full check."));
        Err(Stop::Done)
    }

    /// No password in plaintext unless `--allow-plaintext-login`.
    pub(super) fn plaintext_gate(&mut self) -> Flow {
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

    /// LOGIN (the command), with the password as a literal when it needs one.
    pub(super) fn login_command(&self, tag: &str, user: &str, password: &str) -> EncodedCommand {
        CommandBuilder::new(tag, "LOGIN")
            .literal_plus(self.has_cap("LITERAL+"))
            .astring(user)
            .astring(password)
            .finish()
    }

    pub(super) fn judge_login(&mut self, name: &StepName, ex: &Exchange) -> Flow {
        let Some(status) = &ex.completion else {
            return Err(Stop::Failed);
        };
        if status.kind != StatusKind::Ok {
            // A mechanism's own finding (an OAuth error) already says why.
            if status.referral_urls().is_none() && !self.login_explained {
                self.find(verdicts::login_failed(name.as_str(), status));
            }
            return Err(Stop::Done);
        }
        self.logged_in = true;
        self.take_capabilities(status);
        // RFC 3501 §7.2.1: the list may change at login. Without a CAPABILITY code in the
        // OK, the next step asks; the list from before login is only a hint until then.
        if self.report.server.capabilities_after_login.is_none() {
            self.stale_caps = true;
        }
        if self.will_follow(name.as_str(), status) {
            return Err(Stop::Done);
        }
        Ok(())
    }

    /// Records a REFERRAL code (RFC 2221, RFC 2193) with its finding; whether there was one.
    pub(super) fn referral_of(&mut self, step: &str, status: &Status) -> bool {
        referral::record(self.report, self.hop, step, status, self.tls_active)
    }

    /// With `--follow-referrals`, an OK login referral that may be followed ends this hop
    /// after LOGIN: the remaining steps run on the home server.
    pub(super) fn will_follow(&self, step: &str, status: &Status) -> bool {
        let Some(urls) = status.referral_urls() else {
            return false;
        };
        self.follow.enabled()
            && (self.tls_active || self.s.security == Security::Plain)
            && urls.iter().filter_map(|u| ImapUrl::parse(u).ok()).any(|u| {
                self.follow
                    .judge(self.s, self.hop, self.tls_active, step, &u)
                    .is_ok()
            })
    }
}

/// `AUTHENTICATE PLAIN` with the initial response inline (SASL-IR) or after `+`.
pub(super) fn plain_command(
    tag: &str,
    user: &str,
    password: &str,
    sasl_ir: bool,
) -> EncodedCommand {
    // RFC 4616 §2: message = [authzid] UTF8NUL authcid UTF8NUL passwd
    let response =
        base64::engine::general_purpose::STANDARD.encode(format!("\0{user}\0{password}"));
    let head = format!("{tag} AUTHENTICATE PLAIN");
    let chunks = if sasl_ir {
        vec![Chunk {
            wire: format!("{head} {response}\r\n").into_bytes(),
            awaits_continuation: false,
        }]
    } else {
        vec![
            Chunk {
                wire: format!("{head}\r\n").into_bytes(),
                awaits_continuation: true,
            },
            Chunk {
                wire: format!("{response}\r\n").into_bytes(),
                awaits_continuation: false,
            },
        ]
    };
    EncodedCommand {
        tag: tag.to_string(),
        chunks,
    }
}
