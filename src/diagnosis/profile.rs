//! After the session: who the server is (fingerprint), its namespaces against the matched
//! profile, Exchange 5.5 and 2000 and what the user expects, and the findings that follow
//! (KB Q311468 and the vendors' documentation). Shared by live checks and `analyze`.

use super::findings as code;
use crate::profiles::{self, compare, fingerprint, Known, Observed};
use crate::proto::namespace_lenient;
use crate::proto::NamespaceSet;
use crate::report::{Comparison, Finding, ProfileReport, Report, Severity};
use crate::settings::Expect;

/// Fills `server.fingerprint` and `profile`, and adds the profile findings.
pub fn judge(report: &mut Report, expect: &Expect) {
    let ns = namespace_set(report);
    let fp = {
        let caps = capabilities(report);
        fingerprint(&Observed {
            greeting: report.server.greeting.as_deref(),
            capabilities: caps.iter().map(String::as_str).collect(),
            id: report.server.id.as_ref(),
            replies: replies(report),
        })
    };
    if !fp.conflicts.is_empty() {
        report.findings.push(
            Finding::new(code::FINGERPRINT_CONFLICT, Severity::Warning, format!("the evidence points at more than one product; the best match is {}", fp.product.clone().unwrap_or_default()))
                .detail(fp.conflicts.join(". "))
                .remedy("A server that imitates another's greeting (or a proxy in front of another server) confuses clients that switch on the product: trust the capabilities and ID over the greeting."),
        );
    }
    let best = fp.profile.as_deref().and_then(profiles::by_name);
    report.server.fingerprint = Some(fp);
    if let Some(best) = best {
        quirks(report, best);
    }
    let Some(ns) = ns else { return };
    report.profile = Some(comparisons(&ns, best, expect));
    namespace_findings(report, &ns, best, expect);
}

fn capabilities(report: &Report) -> Vec<String> {
    let s = &report.server;
    let mut caps = s.capabilities_before_login.clone();
    caps.extend(s.capabilities_after_login.iter().flatten().cloned());
    caps
}

/// The first server's lines after its greeting (the fingerprinter keeps the status
/// responses among them): referral hops are other servers.
fn replies(report: &Report) -> Vec<&str> {
    report
        .steps
        .iter()
        .filter(|s| s.hop == 0)
        .flat_map(|s| &s.received)
        .map(String::as_str)
        .filter(|l| Some(*l) != report.server.greeting.as_deref())
        .collect()
}

fn namespace_set(report: &Report) -> Option<NamespaceSet> {
    report.namespace.as_ref().map(|n| NamespaceSet {
        personal: n.personal.clone(),
        other_users: n.other_users.clone(),
        shared: n.shared.clone(),
    })
}

/// The matched profile, Exchange 5.5 and 2000 (the KB Q311468 pair) and the expected one.
fn comparisons(ns: &NamespaceSet, best: Option<&Known>, expect: &Expect) -> ProfileReport {
    let mut names: Vec<&str> = Vec::new();
    names.extend(best.map(|b| b.profile.name.as_str()));
    names.extend(expect.profile.as_deref());
    names.extend(["exchange55", "exchange2000"]);
    let mut compared: Vec<Comparison> = Vec::new();
    for name in names {
        let k = profiles::by_name(name);
        if compared
            .iter()
            .any(|c| Some(c.profile.as_str()) == k.map(|k| k.profile.name.as_str()))
        {
            continue;
        }
        compared.extend(k.and_then(|k| compare(ns, k)));
    }
    compared.extend(custom(ns, expect));
    ProfileReport {
        best: best.map(|b| b.profile.name.clone()),
        expected: expect
            .profile
            .clone()
            .or(expect.namespace.as_ref().map(|_| "custom".to_string())),
        compared,
    }
}

/// `--expect-namespace RAW` as a profile of its own.
fn custom(ns: &NamespaceSet, expect: &Expect) -> Option<Comparison> {
    let raw = expect.namespace.as_deref()?;
    let set = parse_expected(raw)?;
    let known = profiles::ad_hoc("custom", "--expect-namespace", set);
    compare(ns, &known)
}

/// The arguments of a NAMESPACE reply, with or without the leading `* NAMESPACE`.
pub fn parse_expected(raw: &str) -> Option<NamespaceSet> {
    let t = raw.trim();
    let t = t.strip_prefix("* ").unwrap_or(t);
    let t = match t.get(..9) {
        Some(w) if w.eq_ignore_ascii_case("NAMESPACE") => &t[9..],
        _ => t,
    };
    namespace_lenient::parse(t.trim())
}

fn namespace_findings(
    report: &mut Report,
    ns: &NamespaceSet,
    best: Option<&Known>,
    expect: &Expect,
) {
    expectation(report, expect);
    if ns.other_users.is_none() {
        let how = best
            .and_then(|b| b.profile.other_users.clone())
            .or_else(|| lookalike_advice(report))
            .unwrap_or_else(|| "Ask the administrator how delegated mailboxes are reached on this server (RFC 2342 §5: the other users' namespace is NIL).".into());
        report.findings.push(
            Finding::new(
                code::NAMESPACE_OTHER_USERS_MISSING,
                Severity::Info,
                "no other users' namespace: other people's mailboxes are not listed (KB Q311468)",
            )
            .remedy(how),
        );
    }
    if let Some(p) = ns.personal.iter().flatten().find(|d| !d.prefix.is_empty()) {
        report.findings.push(
            Finding::new(code::NAMESPACE_PERSONAL_PREFIX, Severity::Info, format!("personal folders live under the prefix {:?}", p.prefix))
                .remedy("Clients that ignore NAMESPACE must have their IMAP path prefix set to it, or they create folders beside INBOX instead of under it."),
        );
    }
}

/// For a server no evidence names: the advice of a profile whose namespaces it matches,
/// said as a comparison, never as a claim about the product.
fn lookalike_advice(report: &Report) -> Option<String> {
    let p = report.profile.as_ref()?;
    let (c, how) = p.compared.iter().filter(|c| c.matches).find_map(|c| {
        let how = profiles::by_name(&c.profile)?.profile.other_users.clone()?;
        Some((c, how))
    })?;
    Some(format!(
        "The namespaces are like {}'s; if this is {}: {how}",
        c.product, c.product
    ))
}

/// `--expect-profile` / `--expect-namespace`: a difference is a WARNING, CRITICAL with
/// `--strict` (a CI health check that catches an upgrade dropping a namespace).
fn expectation(report: &mut Report, expect: &Expect) {
    let Some(p) = &report.profile else { return };
    let wanted = p.expected.as_deref();
    let Some(c) = p
        .compared
        .iter()
        .find(|c| Some(c.profile.as_str()) == wanted)
    else {
        return;
    };
    if c.matches {
        return;
    }
    let severity = if expect.strict {
        Severity::Critical
    } else {
        Severity::Warning
    };
    let f = Finding::new(
        code::NAMESPACE_DIFFERS,
        severity,
        format!("the namespaces differ from the expected {}", c.product),
    )
    .detail(c.differences.join("; "))
    .remedy(format!("Expected {}. Clients configured for it will not find the folders they expect; check the server's namespace configuration or the expectation.", c.namespace));
    report.findings.push(f);
}

/// Known quirks of the matched product, and the Exchange answers that name a problem.
fn quirks(report: &mut Report, best: &Known) {
    if !best.profile.quirks.is_empty() {
        report.findings.push(
            Finding::new(
                code::KNOWN_QUIRKS,
                Severity::Info,
                format!("known quirks of {}", best.profile.product),
            )
            .detail(best.profile.quirks.join(" "))
            .remedy(format!("Sources: {}.", best.profile.sources.join("; "))),
        );
    }
}
