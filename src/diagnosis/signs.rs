//! Lines that name a known problem wherever they appear in a session
//! (Microsoft's KB articles and the knowledge base's sources, `diagnosis/knowledge/errors.json`).

use super::findings as code;
use crate::report::{Finding, Report, Severity};

pub fn signs(report: &mut Report) {
    let lines: Vec<String> = report
        .steps
        .iter()
        .flat_map(|s| s.received.iter().cloned())
        .collect();
    if let Some(l) = lines
        .iter()
        .find(|l| l.contains("User is authenticated but not connected"))
    {
        report.findings.push(
            Finding::new(code::EXCHANGE_NOT_CONNECTED, Severity::Critical, "Exchange accepted the login but cannot open the mailbox")
                .detail(l.clone())
                .remedy("Exchange 2010 and later, Exchange Online: the password may be wrong (the login is accepted anyway), or the account lacks FullAccess to the delegated or shared mailbox (Add-MailboxPermission), or use XOAUTH2 with user=shared@domain."),
        );
    }
    if let Some(l) = lines.iter().find(|l| {
        l.contains("WrongServerException") || l.contains("Cross Server access is not allowed")
    }) {
        report.findings.push(
            Finding::new(code::EXCHANGE_WRONG_SERVER, Severity::Critical, "the Exchange front end could not reach the mailbox's back end")
                .detail(proxy_fields(l))
                .remedy("The modern form of \"no replica\": retry later; check where the (shared) mailbox is homed and the permissions on it."),
        );
    }
    referral_signs(report);
}

/// `Proxy=` and `MailboxBE=` from the malformed response code (ruby/net-imap issue 597).
fn proxy_fields(line: &str) -> String {
    let fields: Vec<&str> = line
        .split([' ', ']'])
        .filter(|w| w.starts_with("Proxy=") || w.starts_with("MailboxBE="))
        .collect();
    if fields.is_empty() {
        line.to_string()
    } else {
        fields.join(" ")
    }
}

fn referral_signs(report: &mut Report) {
    let caps: Vec<String> = report
        .server
        .capabilities_before_login
        .iter()
        .chain(report.server.capabilities_after_login.iter().flatten())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let mut found = Vec::new();
    for r in &report.referrals {
        let login = super::referral::is_login_step(r.step.as_str());
        let cap = if login {
            "LOGIN-REFERRALS"
        } else {
            "MAILBOX-REFERRALS"
        };
        // RFC 2221 §3, RFC 2193 §3: a server that sends referrals MUST advertise them.
        if r.step != "greeting" && !caps.is_empty() && !caps.iter().any(|c| c == cap) {
            found.push(
                Finding::new(code::REFERRAL_NOT_ADVERTISED, Severity::Warning, format!("a referral came from a server that does not advertise {cap}"))
                    .detail(r.url.clone())
                    .remedy("Clients that check the capability (Angus Mail, for one) ignore the referral; the server should advertise it."),
            );
        }
        let parsed = crate::proto::imap_url::ImapUrl::parse(&r.url);
        if parsed.is_ok_and(|u| !u.trailing_slash) {
            found.push(
                Finding::new(code::REFERRAL_URL_PRE_SP3, Severity::Info, "the referral URL has no \"/\" after the server: Exchange 5.5 before SP3")
                    .detail(r.url.clone())
                    .remedy("RFC 2192 required the slash (RFC 5092 made it optional); old clients reject the URL. Upgrade the server (KB Q236788)."),
            );
        }
    }
    found.dedup_by(|a, b| a.code == b.code);
    report.findings.extend(found);
}
