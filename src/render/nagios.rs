//! The Nagios/Icinga plugin output (Monitoring Plugins Development Guidelines, "Plugin
//! Output" and "Performance data"): a first line `IMAP <STATUS> - <summary>|<perfdata>`,
//! then one line per finding. Perfdata is `'label'=value[UOM];[warn];[crit];[min];[max]`.

use std::collections::HashMap;
use std::fmt::Write as _;

use crate::proto::sanitize::escape_str;
use crate::report::{Finding, Report, Severity, Status};

/// The service name at the start of the first line.
const SERVICE: &str = "IMAP";

/// One target's plugin output: the status line with perfdata, then the findings.
pub fn render_nagios(r: &Report, cert_warn_days: u32) -> String {
    let mut out = format!(
        "{SERVICE} {} - {}|{}\n",
        status_word(r.status),
        one_line(&summary(r)),
        perfdata(r, cert_warn_days).join(" ")
    );
    for f in shown_findings(r) {
        let _ = writeln!(out, "{}", finding_line(f));
    }
    out
}

/// Many targets: the worst status first, a count per status, then each target's status
/// line (without perfdata, which belongs to a single check) and its findings.
pub fn render_nagios_many(reports: &[Report]) -> String {
    let worst = reports
        .iter()
        .map(|r| r.status)
        .max()
        .unwrap_or(Status::Unknown);
    let count = |s: Status| reports.iter().filter(|r| r.status == s).count();
    let mut out = format!(
        "{SERVICE} {} - {} targets: {} OK, {} WARNING, {} CRITICAL, {} UNKNOWN|targets={};;;0 critical={};;;0 warning={};;;0\n",
        status_word(worst),
        reports.len(),
        count(Status::Ok),
        count(Status::Warning),
        count(Status::Critical),
        count(Status::Unknown),
        reports.len(),
        count(Status::Critical),
        count(Status::Warning),
    );
    for r in reports {
        let _ = writeln!(
            out,
            "{} {}: {}",
            status_word(r.status),
            one_line(&r.target.input),
            one_line(&summary(r))
        );
        for f in shown_findings(r) {
            let _ = writeln!(out, "  {}", finding_line(f));
        }
    }
    out
}

pub fn status_word(s: Status) -> &'static str {
    match s {
        Status::Ok => "OK",
        Status::Warning => "WARNING",
        Status::Critical => "CRITICAL",
        Status::Unknown => "UNKNOWN",
    }
}

/// The worst finding, or when all is well the product and the TLS state.
fn summary(r: &Report) -> String {
    let worst = r
        .findings
        .iter()
        .filter(|f| f.severity > Severity::Info)
        .max_by_key(|f| f.severity);
    if let Some(f) = worst {
        return format!("{} ({})", f.summary, f.code);
    }
    let product = r
        .server
        .fingerprint
        .as_ref()
        .and_then(|f| f.product.clone())
        .unwrap_or_else(|| "unknown server".into());
    let tls = match &r.tls {
        Some(t) if t.verified => format!(
            "{} {}, certificate verified",
            t.version.as_deref().unwrap_or("TLS"),
            t.cipher.as_deref().unwrap_or("")
        ),
        Some(t) => format!("{} unverified", t.version.as_deref().unwrap_or("TLS")),
        None => "no TLS".into(),
    };
    format!("{product}, {tls}")
}

/// Findings worth a line: everything but information.
fn shown_findings(r: &Report) -> impl Iterator<Item = &Finding> {
    r.findings.iter().filter(|f| f.severity > Severity::Info)
}

fn finding_line(f: &Finding) -> String {
    let severity = match f.severity {
        Severity::Critical => "CRITICAL",
        Severity::Warning => "WARNING",
        Severity::Info => "INFO",
    };
    one_line(&format!("{severity} {}: {}", f.code, f.summary))
}

/// Plugin output is line-based and `|` starts the perfdata: neither may come from a
/// server's text. Control characters are escaped as everywhere else.
fn one_line(s: &str) -> String {
    escape_str(s).replace('|', "/")
}

/// `time`, one `<step>` per step (later hops prefixed `hop<N>_`, repeats numbered),
/// `round_trips`, and `cert_days` when TLS was used.
fn perfdata(r: &Report, cert_warn_days: u32) -> Vec<String> {
    let mut out = vec![format!("time={:.3}s;;;0", r.timing.total_ms / 1000.0)];
    let mut seen: HashMap<String, u32> = HashMap::new();
    for s in &r.steps {
        let base = match s.hop {
            0 => label(s.name.as_str()),
            h => format!("hop{h}_{}", label(s.name.as_str())),
        };
        let n = seen.entry(base.clone()).or_insert(0);
        *n += 1;
        let name = if *n == 1 { base } else { format!("{base}_{n}") };
        out.push(format!("{name}={:.3}s;;;0", s.elapsed_ms / 1000.0));
    }
    out.push(format!("round_trips={};;;0", r.timing.round_trips));
    if let Some(days) = r
        .tls
        .as_ref()
        .and_then(|t| t.certificate.as_ref())
        .map(|c| c.days_left)
    {
        out.push(format!("cert_days={days};{cert_warn_days};;"));
    }
    out
}

/// A label the guidelines allow unquoted: no `=`, quotes or spaces.
fn label(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}
