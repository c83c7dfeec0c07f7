//! An OAuth token judged before the server is asked: its claims (when it is a JWT) say
//! whether it has expired, whom it is for, and what it may do. Microsoft 365 wants the
//! audience `https://outlook.office.com` (or `.office365.com`) with the delegated scope
//! `IMAP.AccessAsUser.All` or the application role `IMAP.AccessAsApp`; Gmail wants
//! `https://mail.google.com/`.

use std::time::{SystemTime, UNIX_EPOCH};

use super::*;
use crate::proto::sasl::jwt;
use crate::report::TokenClaims;

const MICROSOFT_AUDIENCES: [&str; 3] = [
    "https://outlook.office.com",
    "https://outlook.office365.com",
    // Exchange Online's application id.
    "00000002-0000-0ff1-ce00-000000000000",
];

impl Run<'_, '_> {
    pub(super) fn judge_token(&mut self, user: &str, token: &str) {
        let Some(c) = jwt::claims(token) else {
            return;
        };
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        let expired = c.exp.map(|exp| exp <= now);
        if let Some(a) = self.report.auth.as_mut() {
            a.token = Some(TokenClaims {
                issuer: c.iss.clone(),
                audience: c.aud.clone(),
                expires: c.exp,
                expired,
                scopes: c.scopes.clone(),
                roles: c.roles.clone(),
                user: c.user.clone(),
            });
        }
        if let (Some(true), Some(exp)) = (expired, c.exp) {
            self.find(
                Finding::new(
                    code::TOKEN_EXPIRED,
                    Severity::Critical,
                    format!("the token expired {} minutes ago", (now - exp) / 60),
                )
                .remedy(
                    "Refresh the access token (access tokens live about an hour) and run again.",
                ),
            );
        }
        if let Some(who) = c
            .user
            .as_deref()
            .filter(|w| w.contains('@') && !w.eq_ignore_ascii_case(user))
        {
            self.find(
                Finding::new(code::TOKEN_USER_MISMATCH, Severity::Warning, format!("the token is for {who}, but the login names {user}"))
                    .remedy("Log in as the user the token was issued for, or get a token for this user (a shared mailbox also needs its own permission)."),
            );
        }
        if self.is_microsoft(&c) {
            self.judge_microsoft(&c);
        } else if self.is_google(&c)
            && !c.scopes.is_empty()
            && !c.scopes.iter().any(|s| s == "https://mail.google.com/")
        {
            self.find(scope_missing("https://mail.google.com/", &c.scopes));
        }
    }

    fn is_microsoft(&self, c: &jwt::Claims) -> bool {
        let host = self.s.host.to_ascii_lowercase();
        let iss = c.iss.as_deref().unwrap_or("");
        host.ends_with("office365.com")
            || host.ends_with("outlook.com")
            || iss.contains("sts.windows.net")
            || iss.contains("login.microsoftonline.com")
    }

    fn is_google(&self, c: &jwt::Claims) -> bool {
        self.s.host.to_ascii_lowercase().ends_with("gmail.com")
            || c.iss
                .as_deref()
                .is_some_and(|i| i.contains("accounts.google.com"))
    }

    fn judge_microsoft(&mut self, c: &jwt::Claims) {
        let for_exchange = c.aud.iter().any(|a| {
            let a = a.trim_end_matches('/');
            MICROSOFT_AUDIENCES
                .iter()
                .any(|m| a.eq_ignore_ascii_case(m))
        });
        if !for_exchange {
            self.find(
                Finding::new(code::TOKEN_AUDIENCE_WRONG, Severity::Critical, format!("the token is for {}, not Exchange Online", c.aud.join(", ")))
                    .detail("Exchange Online accepts tokens whose audience is https://outlook.office.com (or https://outlook.office365.com); a Microsoft Graph token (https://graph.microsoft.com) is refused.")
                    .remedy("Request the scope https://outlook.office.com/IMAP.AccessAsUser.All (delegated) or https://outlook.office365.com/.default with the IMAP.AccessAsApp permission (application)."),
            );
        }
        let delegated = c
            .scopes
            .iter()
            .any(|s| s.eq_ignore_ascii_case("IMAP.AccessAsUser.All"));
        let app = c
            .roles
            .iter()
            .any(|r| r.eq_ignore_ascii_case("IMAP.AccessAsApp"));
        if !delegated && !app {
            self.find(scope_missing(
                "IMAP.AccessAsUser.All (or the role IMAP.AccessAsApp)",
                &[c.scopes.clone(), c.roles.clone()].concat(),
            ));
        }
    }
}

fn scope_missing(wanted: &str, has: &[String]) -> Finding {
    let has = if has.is_empty() {
        "none".to_string()
    } else {
        has.join(" ")
    };
    Finding::new(code::TOKEN_SCOPE_MISSING, Severity::Critical, format!("the token lacks the scope {wanted}"))
        .detail(format!("its scopes and roles: {has}"))
        .remedy("Grant the permission to the application, consent to it, and request a token with that scope; for application tokens, also register the service principal in Exchange (New-ServicePrincipal) and grant it the mailbox (Add-MailboxPermission).")
}
