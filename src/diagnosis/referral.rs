//! Referrals: RFC 2221 login referrals (a greeting `BYE`, a tagged `OK` or `NO` to LOGIN or
//! AUTHENTICATE) and RFC 2193 mailbox referrals (a tagged `NO` to SELECT and friends).
//! Each URL is recorded decoded (RFC 5092) with a finding that explains it; [`Follow`]
//! decides whether a referral may be followed under the rules of `follow`.

use super::findings as code;
use crate::proto::imap_url::ImapUrl;
use crate::proto::{Status, StatusKind};
use crate::report::{Finding, Referral, Report, Severity, StepName};

/// Records every URL of a REFERRAL code in `status`, with one finding for the code and
/// one per malformed URL. Returns whether there was a referral.
pub fn record(report: &mut Report, hop: u32, step: &str, status: &Status, over_tls: bool) -> bool {
    let Some(urls) = status.referral_urls() else {
        return false;
    };
    report.findings.push(explain(step, status, urls));
    for url in urls {
        let parsed = ImapUrl::parse(url);
        if let Err(e) = &parsed {
            report.findings.push(malformed(url, e));
        }
        report
            .referrals
            .push(referral(hop, step, status, url, parsed, over_tls));
    }
    true
}

fn referral(
    hop: u32,
    step: &str,
    status: &Status,
    url: &str,
    parsed: Result<ImapUrl, crate::proto::imap_url::UrlError>,
    over_tls: bool,
) -> Referral {
    let (ok, error) = match parsed {
        Ok(u) => (Some(u), None),
        Err(e) => (None, Some(e.to_string())),
    };
    Referral {
        hop,
        step: StepName::from(step),
        response: status.kind,
        url: url.to_string(),
        user: ok.as_ref().and_then(|u| u.user.clone()),
        auth: ok.as_ref().and_then(|u| u.auth.clone()),
        host: ok.as_ref().map(|u| u.host.clone()),
        port: ok.as_ref().map(|u| u.port),
        mailbox: ok.as_ref().and_then(|u| u.mailbox.clone()),
        error,
        over_tls,
        followed: false,
        outcome: "not followed: --follow-referrals not given".into(),
    }
}

/// `host:port as user` of a URL, for findings.
pub fn describe(url: &str) -> String {
    match ImapUrl::parse(url) {
        Ok(u) => match &u.user {
            Some(user) => format!("{} as {}", u.authority(), user),
            None => format!("{} as the same user", u.authority()),
        },
        Err(_) => url.to_string(),
    }
}

fn explain(step: &str, status: &Status, urls: &[String]) -> Finding {
    let whom = urls
        .iter()
        .map(|u| describe(u))
        .collect::<Vec<_>>()
        .join(", ");
    let f = match (step, status.kind) {
        ("greeting", _) => Finding::new(code::GREETING_REFERRAL, Severity::Critical, format!("the server sends every client elsewhere: {whom}"))
            .remedy("RFC 2221 §4.2: point clients at the referred server, or follow it with --follow-referrals."),
        (_, StatusKind::Ok) => Finding::new(code::LOGIN_REFERRAL, Severity::Warning, format!("logged in, but this is not the user's home server: {whom}"))
            .remedy("RFC 2221 §4.1: only public folders are here. Point the client at the referred server, logging in as the user in the URL (KB217388)."),
        (s, _) if is_login_step(s) => Finding::new(code::LOGIN_REFERRAL, Severity::Critical, format!("login refused with a referral: {whom}"))
            .remedy("RFC 2221 §4.1: this server holds no mailboxes for the user. Connect to the referred server as the URL's user, or follow it with --follow-referrals."),
        _ => Finding::new(code::MAILBOX_REFERRAL, Severity::Critical, format!("the mailbox is on another server: {whom}"))
            .remedy("RFC 2193 §4: open the mailbox on the referred server; clients without MAILBOX-REFERRALS support cannot."),
    };
    f.detail(format!(
        "{} [REFERRAL {}] {}",
        status.kind.as_str(),
        urls.join(" "),
        status.text
    ))
}

fn malformed(url: &str, e: &crate::proto::imap_url::UrlError) -> Finding {
    Finding::new(
        code::REFERRAL_URL_MALFORMED,
        Severity::Warning,
        format!("the referral URL is malformed: {e}"),
    )
    .detail(url)
    .remedy("RFC 5092 §6 gives the IMAP URL syntax; clients cannot follow this referral.")
}

/// KB217388: after `OK [REFERRAL]` the mailbox is not on this server; say where it is.
pub fn no_replica(mailbox: &str, status: &Status, url: &str) -> Finding {
    Finding::new(
        code::NO_REPLICA_AFTER_REFERRAL,
        Severity::Critical,
        format!(
            "SELECT {} failed because the login was referred elsewhere",
            mailbox
        ),
    )
    .detail(format!(
        "{} {} (after the login referral to {})",
        status.kind.as_str(),
        status.text,
        url
    ))
    .remedy(format!(
        "The mailbox lives on the referred server: connect to {} (KB217388), or run with --follow-referrals.",
        describe(url)
    ))
}

/// Marks referral `i` as followed to `hop` and softens its finding: the run went on, but
/// clients that do not follow referrals still fail here.
pub fn mark_followed(report: &mut Report, i: usize, hop: u32) {
    let r = &mut report.referrals[i];
    r.followed = true;
    r.outcome = format!("followed to hop {hop}");
    let r = &report.referrals[i];
    let Some(f) = report.findings.iter_mut().find(|f| raised(f, r)) else {
        return;
    };
    f.severity = f.severity.min(Severity::Warning);
    let followed = format!("Followed to hop {hop} (--follow-referrals).");
    f.detail = Some(match f.detail.take() {
        Some(d) => format!("{d}. {followed}"),
        None => followed,
    });
}

/// Whether `f` is the finding that `explain` raised for referral `r`: the same hop, the
/// code its step gives, and the URL in the `[REFERRAL ...]` it quotes.
fn raised(f: &Finding, r: &Referral) -> bool {
    let code = match &r.step {
        StepName::Greeting => code::GREETING_REFERRAL,
        s if s.is_login() => code::LOGIN_REFERRAL,
        _ => code::MAILBOX_REFERRAL,
    };
    f.hop == r.hop
        && f.code == code
        && f.detail.as_deref().is_some_and(|d| {
            d.split_once("[REFERRAL ")
                .is_some_and(|(_, urls)| urls.split([' ', ']']).any(|u| u == r.url))
        })
}

/// The URL of the first login referral answered with OK at `hop` (any hop for `None`):
/// the user logged in to a server that is not their home (KB217388).
pub fn login_ok_referral(report: &Report, hop: Option<u32>) -> Option<String> {
    report
        .referrals
        .iter()
        .filter(|r| hop.is_none_or(|h| r.hop == h))
        .find(|r| r.response == StatusKind::Ok && is_login_step(r.step.as_str()))
        .map(|r| r.url.clone())
}

/// A referral at these steps is a login referral (RFC 2221): the server sends the user
/// elsewhere as a whole. At any other step it is a mailbox referral (RFC 2193).
pub fn is_login_step(step: &str) -> bool {
    match StepName::from(step) {
        StepName::Greeting => true,
        s => s.is_login(),
    }
}
