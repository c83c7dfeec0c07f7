//! Choosing how to log in, and judging a SASL exchange by what it taught: a SCRAM server
//! signature that does not verify, an OAuth error challenge, the NTLM target's names, a
//! legacy mechanism. Token claims are judged before the server is asked (`token.rs`).

use super::*;
use crate::proto::sasl::{
    cram_md5::CramMd5, ntlm::Ntlm, oauth, oauth::OAuth, scram, scram::Scram, Mechanism,
};
use crate::report::{AuthInfo, NtlmTarget};

/// How this run logs in.
pub(super) enum Login {
    /// A command that may go in a flight (LOGIN, AUTHENTICATE PLAIN), with its step name.
    Command(StepName, EncodedCommand),
    /// A SASL exchange driven challenge by challenge.
    Sasl(Sasl),
}

pub(super) enum Sasl {
    Scram(Scram),
    OAuth(OAuth),
    Ntlm(Ntlm),
    CramMd5(CramMd5),
}

impl Sasl {
    fn mechanism(&mut self) -> &mut dyn Mechanism {
        match self {
            Sasl::Scram(m) => m,
            Sasl::OAuth(m) => m,
            Sasl::Ntlm(m) => m,
            Sasl::CramMd5(m) => m,
        }
    }
}

impl Run<'_, '_> {
    /// The login, or why there is none (no credentials, no TLS, LOGINDISABLED, no
    /// mechanism for the credentials).
    pub(super) fn login_plan(&mut self, session: &mut Session) -> Result<Login, Stop> {
        let Some(user) = self.s.user.clone() else {
            return self.login_without_credentials();
        };
        let secret = match (&self.s.token, &self.s.password) {
            (Some(t), _) if self.s.auth.uses_token() || self.s.auth == AuthMethod::Auto => {
                t.clone()
            }
            (_, Some(p)) => p.clone(),
            _ => return self.login_without_credentials(),
        };
        self.plaintext_gate()?;
        let method = self.choose_method()?;
        self.report.auth = Some(AuthInfo {
            mechanism: method.name().to_string(),
            ..AuthInfo::default()
        });
        let secret = secret.expose();
        let tag = session.next_tag();
        let nonce = || random_text(24);
        Ok(match method {
            AuthMethod::Login | AuthMethod::Auto => {
                Login::Command(StepName::Login, self.login_command(&tag, &user, secret))
            }
            AuthMethod::Plain => Login::Command(
                StepName::Authenticate,
                login::plain_command(&tag, &user, secret, self.has_cap("SASL-IR")),
            ),
            AuthMethod::ScramSha256 => Login::Sasl(Sasl::Scram(Scram::new(
                scram::Hash::Sha256,
                &user,
                secret,
                &nonce(),
            ))),
            AuthMethod::ScramSha1 => Login::Sasl(Sasl::Scram(Scram::new(
                scram::Hash::Sha1,
                &user,
                secret,
                &nonce(),
            ))),
            AuthMethod::XOAuth2 | AuthMethod::OAuthBearer => {
                self.judge_token(&user, secret);
                let kind = if method == AuthMethod::XOAuth2 {
                    oauth::Kind::XOAuth2
                } else {
                    oauth::Kind::OAuthBearer
                };
                Login::Sasl(Sasl::OAuth(OAuth::new(
                    kind,
                    &user,
                    secret,
                    &self.s.host,
                    self.s.port,
                )))
            }
            AuthMethod::Ntlm => Login::Sasl(Sasl::Ntlm(Ntlm::new(
                &user,
                secret,
                random_bytes(),
                crate::proto::sasl::ntlm::filetime(
                    std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .unwrap_or_default(),
                ),
            ))),
            AuthMethod::CramMd5 => {
                self.find(
                    Finding::new(code::CRAM_MD5_USED, Severity::Warning, "logged in with CRAM-MD5, a legacy mechanism")
                        .detail("CRAM-MD5 (RFC 2195) needs the server to keep the password in a recoverable form, and a recorded exchange can be attacked offline.")
                        .remedy("Prefer SCRAM-SHA-256 (RFC 7677), or PLAIN over TLS."),
                );
                Login::Sasl(Sasl::CramMd5(CramMd5::new(&user, secret)))
            }
        })
    }

    /// `--auth`, or for auto the strongest advertised mechanism the credentials allow.
    fn choose_method(&mut self) -> Result<AuthMethod, Stop> {
        let offered = |m: AuthMethod| self.has_cap(&format!("AUTH={}", m.name()));
        // LOGINDISABLED before TLS says nothing about after it (RFC 3501 §6.2.3).
        let login_disabled = self.has_cap("LOGINDISABLED") && !(self.stale_caps && self.tls_active);
        let chosen = match self.s.auth {
            AuthMethod::Auto if self.s.token.is_some() => {
                [AuthMethod::OAuthBearer, AuthMethod::XOAuth2]
                    .into_iter()
                    .find(|m| offered(*m))
                    .unwrap_or(AuthMethod::XOAuth2)
            }
            AuthMethod::Auto => [
                AuthMethod::ScramSha256,
                AuthMethod::ScramSha1,
                AuthMethod::Plain,
            ]
            .into_iter()
            .find(|m| offered(*m))
            .unwrap_or(if login_disabled {
                AuthMethod::Plain
            } else {
                AuthMethod::Login
            }),
            m => m,
        };
        if chosen == AuthMethod::Login && login_disabled {
            self.find(
                Finding::new(code::LOGIN_DISABLED, Severity::Critical, "the server advertises LOGINDISABLED: LOGIN is not allowed here")
                    .remedy("Use TLS first (RFC 3501 §6.2.3), or a SASL mechanism the server offers (--auth)."),
            );
            return Err(Stop::Done);
        }
        if chosen != AuthMethod::Login && !offered(chosen) && !self.stale_caps {
            self.find(
                Finding::new(
                    code::MECHANISM_NOT_ADVERTISED,
                    Severity::Info,
                    format!("AUTH={} is not advertised; tried anyway", chosen.name()),
                )
                .detail(format!(
                    "advertised: {}",
                    self.caps
                        .iter()
                        .filter(|c| c.to_ascii_uppercase().starts_with("AUTH="))
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(" ")
                )),
            );
        }
        Ok(chosen)
    }

    /// Runs the SASL exchange alone, records it, and judges what it taught.
    pub(super) async fn sasl_login(&mut self, session: &mut Session, mut sasl: Sasl) -> Flow {
        let ir = self.has_cap("SASL-IR");
        let ex = session.authenticate(sasl.mechanism(), ir).await;
        let note = Some(format!("AUTHENTICATE {}", sasl.mechanism().name()));
        self.record_exchange(&StepName::Authenticate, &ex, note);
        if let Some(e) = &ex.error {
            self.failed(&StepName::Authenticate, e);
            return Err(Stop::Failed);
        }
        self.judge_sasl(&sasl, &ex);
        self.judge_login(&StepName::Authenticate, &ex)
    }

    fn judge_sasl(&mut self, sasl: &Sasl, ex: &Exchange) {
        let aborted = ex.sent.ends_with(b"*\r\n");
        match sasl {
            Sasl::Scram(m) => self.judge_scram(m),
            Sasl::OAuth(m) => self.judge_oauth(m),
            Sasl::Ntlm(m) => self.judge_ntlm(m),
            Sasl::CramMd5(_) => {}
        }
        if aborted && !self.login_explained {
            self.find(
                Finding::new(code::SASL_ABORTED, Severity::Critical, "imapdiag cancelled the SASL exchange: the server's challenge could not be answered")
                    .detail(String::from_utf8_lossy(&ex.sent).replace("\r\n", " | ")),
            );
        }
    }

    fn judge_scram(&mut self, m: &Scram) {
        let verified = match &m.verdict {
            scram::Verdict::Verified => Some(true),
            scram::Verdict::SignatureMismatch => {
                self.login_explained = true;
                self.find(
                    Finding::new(code::SCRAM_SIGNATURE_INVALID, Severity::Critical, "the server's SCRAM signature does not verify: it does not know the password it claims to check")
                        .detail("RFC 5802 §5.1: the server proves it holds the stored key derived from the password. This one could not; it may be an impostor or a proxy that fakes the exchange.")
                        .remedy("Do not trust this server with the password; check the certificate and the path to the server."),
                );
                Some(false)
            }
            _ => None,
        };
        if let Some(a) = self.report.auth.as_mut() {
            a.server_signature_verified = verified;
        }
    }

    fn judge_oauth(&mut self, m: &OAuth) {
        let Some(json) = &m.error else { return };
        self.login_explained = true;
        let e = oauth::parse_error(json);
        if let Some(a) = self.report.auth.as_mut() {
            a.oauth_error = Some(json.clone());
        }
        let said = [
            ("status", &e.status),
            ("scope", &e.scope),
            ("schemes", &e.schemes),
        ]
        .iter()
        .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k} {v}")))
        .collect::<Vec<_>>()
        .join(", ");
        self.find(
            Finding::new(code::OAUTH_TOKEN_REJECTED, Severity::Critical, format!("the server rejected the OAuth token ({said})"))
                .detail(format!("Its error challenge (RFC 7628 §3.2.2): {json}"))
                .remedy("The token is expired, for another user, for another audience, lacks the scope the server names, or was signed by an issuer the server does not trust: check the token's claims in this report and get a new one for this server's scope."),
        );
    }

    fn judge_ntlm(&mut self, m: &Ntlm) {
        let Some(t) = &m.target else { return };
        let target = NtlmTarget {
            netbios_domain: t.netbios_domain.clone(),
            netbios_computer: t.netbios_computer.clone(),
            dns_domain: t.dns_domain.clone(),
            dns_computer: t.dns_computer.clone(),
            dns_tree: t.dns_tree.clone(),
        };
        let names = [
            &t.dns_computer,
            &t.netbios_computer,
            &t.dns_domain,
            &t.netbios_domain,
        ]
        .iter()
        .filter_map(|n| n.as_deref())
        .collect::<Vec<_>>()
        .join(", ");
        self.find(
            Finding::new(code::NTLM_TARGET, Severity::Info, format!("the NTLM challenge names the backend: {names}"))
                .detail("MS-NLMP §2.2.2.1: the server's own NetBIOS and DNS names, which a load balancer or proxy in front of it does not hide."),
        );
        if let Some(a) = self.report.auth.as_mut() {
            a.ntlm_target = Some(target);
        }
    }
}

/// Characters a SCRAM nonce may hold (RFC 5802 §7: printable, no comma), from OpenSSL's
/// random generator.
fn random_text(n: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut bytes = vec![0u8; n];
    openssl::rand::rand_bytes(&mut bytes).expect("OpenSSL's random generator");
    bytes
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect()
}

fn random_bytes() -> [u8; 8] {
    let mut b = [0u8; 8];
    openssl::rand::rand_bytes(&mut b).expect("OpenSSL's random generator");
    b
}
