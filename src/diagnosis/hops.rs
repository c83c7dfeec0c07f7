//! One run: the target, then each referral followed (`--follow-referrals`), every hop
//! in the same report.

use std::time::Instant;

use super::check::{run_hop, Plan};
use super::findings as code;
use super::follow::Follow;
use super::{profile, record, referral, signs};
use crate::report::{
    Finding, Hierarchy, Hop, MailboxReport, NamespaceReport, Report, ServerInfo, Severity,
    TargetInfo, TlsInfo,
};
use crate::settings::{Security, Settings};

/// Runs `plan` against the target in `s` and reports. Never fails: what goes wrong on the
/// network or at the server is a finding.
pub async fn diagnose(s: &Settings, plan: Plan) -> Report {
    let started = Instant::now();
    let mut report = Report::empty(plan.name(), target_info(s));
    let mut follow = Follow::new(s);
    let mut current = s.clone();
    let mut via = None;
    // The hop that `server`, `tls`, `namespace` and `mailbox` describe.
    let mut shown = 0;
    for hop in 0u32.. {
        report.hops.push(hop_info(hop, &current, via.take()));
        let (steps, findings) = (report.steps.len(), report.findings.len());
        let earlier = (hop > 0).then(|| ServerView::take(&mut report));
        let tls = run_hop(&current, plan, hop, started, &mut report, &follow).await;
        label(&mut report, hop, steps, findings);
        if let Some(h) = report.hops.last_mut() {
            h.greeting = report.server.greeting.clone();
        }
        match earlier {
            // A hop that never greeted says nothing of its server: keep what the last did.
            Some(view) if report.server.greeting.is_none() => view.restore(&mut report),
            _ => shown = hop,
        }
        let Some((i, next)) = choose(&mut report, &follow, &current, hop, tls) else {
            break;
        };
        if started.elapsed() >= s.deadline {
            report.findings.push(deadline_reached(s, hop));
            break;
        }
        referral::mark_followed(&mut report, i, hop + 1);
        follow.visit(&next);
        via = Some(report.referrals[i].url.clone());
        current = next;
    }
    super::knowledge::annotate(&mut report);
    let findings = report.findings.len();
    signs::signs(&mut report);
    profile::judge(&mut report, &s.expect);
    let steps = report.steps.len();
    label(&mut report, shown, steps, findings);
    report.timing.total_ms = record::ms(started.elapsed());
    report.status = Report::derive_status(&report.findings);
    report
}

/// What describes one hop's server, set aside while the next hop runs.
struct ServerView {
    server: ServerInfo,
    tls: Option<TlsInfo>,
    namespace: Option<NamespaceReport>,
    hierarchy: Option<Hierarchy>,
    mailbox: Option<MailboxReport>,
}

impl ServerView {
    fn take(r: &mut Report) -> ServerView {
        ServerView {
            server: std::mem::take(&mut r.server),
            tls: r.tls.take(),
            namespace: r.namespace.take(),
            hierarchy: r.hierarchy.take(),
            mailbox: r.mailbox.take(),
        }
    }

    fn restore(self, r: &mut Report) {
        r.server = self.server;
        r.tls = self.tls;
        r.namespace = self.namespace;
        r.hierarchy = self.hierarchy;
        r.mailbox = self.mailbox;
    }
}

fn before_tls(url: &crate::proto::imap_url::ImapUrl) -> Finding {
    Finding::new(
        code::REFERRAL_BEFORE_TLS,
        Severity::Warning,
        format!("the referral to {} arrived before TLS and was not followed", url.authority()),
    )
    .detail("Anything received before TLS may have been forged on the path; it never chooses where the credentials go.")
    .remedy("If the server really refers users before TLS, connect to the referred server directly, over TLS.")
}

fn deadline_reached(s: &Settings, hop: u32) -> Finding {
    let mut f = Finding::new(
        code::DEADLINE_REACHED,
        Severity::Critical,
        format!(
            "the run reached --deadline ({} s) before the referral could be followed",
            s.deadline.as_secs_f64()
        ),
    )
    .remedy("The servers answered slowly; raise --deadline, or check each server alone.");
    f.hop = hop;
    f
}

pub(super) fn target_info(s: &Settings) -> TargetInfo {
    TargetInfo {
        input: s.input.clone(),
        host: s.host.clone(),
        port: s.port,
        security: s.security.name().to_string(),
        user: s.user.clone(),
    }
}

fn hop_info(hop: u32, s: &Settings, via: Option<String>) -> Hop {
    let (host, port) = s.dial();
    let dialled = (host != s.host || port != s.port).then(|| format!("{host}:{port}"));
    Hop {
        hop,
        host: s.host.clone(),
        port: s.port,
        security: s.security.name().to_string(),
        user: s.user.clone(),
        via,
        dialled,
        greeting: None,
    }
}

/// Tags the steps and findings this hop added with its number.
fn label(report: &mut Report, hop: u32, steps: usize, findings: usize) {
    for s in &mut report.steps[steps..] {
        s.hop = hop;
    }
    for f in &mut report.findings[findings..] {
        f.hop = hop;
    }
}

/// The first referral of `hop` that may be followed, with the next hop's settings. Every
/// other referral of the hop gets its outcome; a refusal adds the finding that says why.
fn choose(
    report: &mut Report,
    follow: &Follow,
    current: &Settings,
    hop: u32,
    tls: bool,
) -> Option<(usize, Settings)> {
    if !follow.enabled() {
        return None;
    }
    let mut chosen = None;
    for i in 0..report.referrals.len() {
        let r = &report.referrals[i];
        if r.hop != hop {
            continue;
        }
        // Nothing received before TLS steers the credentials, unless the user chose
        // plaintext for the whole run.
        let forgeable = !r.over_tls && current.security != Security::Plain;
        let parsed = crate::proto::imap_url::ImapUrl::parse(&r.url).ok();
        let outcome = match (&parsed, &chosen) {
            (None, _) => "not followed: the URL is malformed".to_string(),
            (Some(_), Some(_)) => "not followed: an earlier referral was followed".to_string(),
            (Some(url), None) if forgeable => {
                let mut f = before_tls(url);
                f.hop = hop;
                report.findings.push(f);
                "not followed: it arrived before TLS".to_string()
            }
            (Some(url), None) => match follow.judge(current, hop, tls, r.step.as_str(), url) {
                Ok(next) => {
                    chosen = Some((i, next));
                    continue;
                }
                Err(refusal) => {
                    let mut f = *refusal.finding;
                    f.hop = hop;
                    report.findings.push(f);
                    format!("not followed: {}", refusal.reason)
                }
            },
        };
        report.referrals[i].outcome = outcome;
    }
    chosen
}
