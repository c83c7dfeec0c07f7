//! Logging in: LOGIN or AUTHENTICATE PLAIN, the plaintext gate, and login referrals.

use super::*;

impl Run<'_, '_> {
    pub(super) async fn login(&mut self, session: &mut Session) -> Flow {
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

    pub(super) fn login_without_credentials<T>(&mut self) -> Result<T, Stop> {
        self.find(Finding::new(code::NO_CREDENTIALS, Severity::Info, "no credentials given: checked the connection only (greeting, capabilities, TLS)")
            .remedy("Give --user and the password (IMAPDIAG_PASSWORD, --password-file or the prompt) for the full check."));
        Err(Stop::Done)
    }

    /// DESIGN.md: no password in plaintext unless `--allow-plaintext-login`.
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

    /// LOGIN, or AUTHENTICATE PLAIN (RFC 4616) with SASL-IR (RFC 4959) when advertised;
    /// with the step name (`login` or `authenticate`).
    pub(super) fn auth_command(
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

    pub(super) fn judge_login(&mut self, name: &str, ex: &Exchange) -> Flow {
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
        // RFC 3501 §7.2.1: the list may change at login. Without a CAPABILITY code in the
        // OK, the next step asks; the list from before login is only a hint until then.
        if self.report.server.capabilities_after_login.is_none() {
            self.stale_caps = true;
        }
        if self.will_follow(name, status) {
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
