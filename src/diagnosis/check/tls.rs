//! STARTTLS (RFC 3501 §6.2.1), the TLS handshake, and what they tell about the server.

use super::*;
use crate::client::open;
use crate::diagnosis::tls_verdicts;

impl Run<'_, '_> {
    /// The TLS handshake (implicit TLS, or after STARTTLS's OK).
    pub(super) async fn tls(
        &mut self,
        session: Session,
        step: &str,
    ) -> Result<Session, Transcript> {
        let handshake = crate::client::open::tls(session, self.s).await;
        self.judge_handshake(step, handshake)
    }

    /// The TLS step and its findings; the session over TLS, or what is left of it.
    fn judge_handshake(
        &mut self,
        step: &str,
        handshake: crate::client::open::Handshake,
    ) -> Result<Session, Transcript> {
        let mut step = simple_step(step, StepStatus::Ok, Instant::now(), None);
        step.elapsed_ms = record::ms(handshake.elapsed);
        let result = handshake.session;
        let info = record::tls(handshake.info);
        let ok = result.is_ok();
        let note = match (&info.version, &info.verify_error) {
            (Some(v), _) => Some(format!("{v} {}", info.cipher.as_deref().unwrap_or(""))),
            (None, e) => e.clone().or(info.handshake_error.clone()),
        };
        step.status = if ok && info.verified {
            StepStatus::Ok
        } else if ok {
            StepStatus::Warning
        } else {
            StepStatus::Failed
        };
        step.note = note;
        self.report.steps.push(step);
        self.tls_findings(&info, ok);
        self.report.tls = Some(info);
        self.tls_active = ok;
        result
    }

    pub(super) fn tls_findings(&mut self, info: &crate::report::TlsInfo, established: bool) {
        let verify = info.verify_error.clone();
        let handshake = info.handshake_error.clone().unwrap_or_default();
        match (established, verify) {
            // An old protocol or algorithm ends the handshake whatever the certificate.
            (false, _) if handshake.starts_with(crate::client::tls::LEGACY_PREFIX) => self.find(
                Finding::new(code::TLS_TOO_OLD, Severity::Critical, "the server's TLS is too old for this client: TLS 1.0/1.1, a cipher or a signature algorithm that OpenSSL refuses by default")
                    .detail(handshake)
                    .remedy("Upgrade the server to TLS 1.2 or later (RFC 8996). To check an Exchange 2000/2003-era server as it is, run again with --tls-legacy."),
            ),
            // The verify callback named a reason and the handshake then failed on it.
            (false, Some(reason)) if !self.s.tls.insecure => {
                self.find(tls_verdicts::verify_failed(reason))
            }
            (false, _) => self.find(tls_verdicts::handshake_failed(handshake)),
            (true, Some(reason)) => self.find(
                Finding::new(code::TLS_INSECURE, Severity::Warning, "continued although the certificate did not verify (--insecure)")
                    .detail(reason)
                    .remedy("Clients that verify certificates will refuse this server; fix the certificate."),
            ),
            (true, None) => {}
        }
        if established {
            self.tls_policy(info);
        }
        self.certificate_expiry(info);
    }

    /// What was negotiated (RFC 8996, forward secrecy), and `--tls-legacy` said.
    fn tls_policy(&mut self, info: &crate::report::TlsInfo) {
        if self.s.tls.legacy {
            self.find(
                Finding::new(code::TLS_LEGACY_ALLOWED, Severity::Warning, "TLS 1.0/1.1 and weak algorithms were allowed (--tls-legacy)")
                    .remedy("Only for checking servers that cannot be upgraded yet; clients with current defaults will refuse what this run accepted."),
            );
        }
        for f in tls_verdicts::policy(info) {
            self.find(f);
        }
    }

    pub(super) fn certificate_expiry(&mut self, info: &crate::report::TlsInfo) {
        if let Some(f) = tls_verdicts::expiry(info, self.s.tls.cert_warn_days) {
            self.find(f);
        }
    }

    /// STARTTLS when the security mode asks for it; on failure only the transcript is left.
    pub(super) async fn starttls(&mut self, mut session: Session) -> Result<Session, Transcript> {
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
        let (exchange, discarded, handshake) = match open::starttls(session, &tag, self.s).await {
            open::StartTls::Refused { session, exchange } => {
                self.starttls_refused(&exchange);
                return Err(session.into_transcript());
            }
            open::StartTls::Upgraded {
                exchange,
                discarded,
                handshake,
            } => (exchange, discarded, handshake),
        };
        self.record_exchange(&StepName::Starttls, &exchange, None);
        self.injection_check(discarded);
        let session = self.judge_handshake("tls", *handshake)?;
        // RFC 3501 §6.2.1: what was advertised before TLS is void. The next step asks
        // again (alone, or first in the pipelined flight).
        self.stale_caps = true;
        Ok(session)
    }

    /// RFC 3501 §6.2.1: TLS starts right after the CRLF of the OK. Anything already sent
    /// beyond it came in plaintext and is dropped, never read as TLS-protected data.
    pub(super) fn injection_check(&mut self, unread: u64) {
        if unread > 0 {
            self.find(
                Finding::new(code::STARTTLS_INJECTION, Severity::Critical, format!("{unread} bytes arrived after STARTTLS's OK, before the TLS handshake"))
                    .detail("They were discarded, not read as part of the TLS session.")
                    .remedy("Something on the path injects plaintext into STARTTLS (CVE-2011-0411 class); check the server and any proxy."),
            );
        }
    }

    /// STARTTLS got no OK: the step, and why.
    fn starttls_refused(&mut self, ex: &Exchange) {
        self.record_exchange(&StepName::Starttls, ex, None);
        if let Some(e) = &ex.error {
            self.failed(&StepName::Starttls, e);
            return;
        }
        let text = ex
            .completion
            .as_ref()
            .map(|s| s.text.clone())
            .unwrap_or_default();
        self.find(
            Finding::new(
                code::STARTTLS_FAILED,
                Severity::Critical,
                "STARTTLS was refused",
            )
            .detail(text),
        );
    }
}
