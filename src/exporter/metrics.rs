//! A report in the Prometheus text exposition format (version 0.0.4), with
//! blackbox_exporter's metric names where they mean the same thing.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::report::{Report, Severity, Status};

/// The page of one probe.
pub fn probe_page(r: &Report, duration_s: f64) -> String {
    let mut m = Metrics::default();
    let success = matches!(r.status, Status::Ok | Status::Warning);
    m.gauge(
        "probe_success",
        "Whether the probe succeeded (status OK or WARNING).",
        &[],
        f64::from(u8::from(success)),
    );
    m.gauge(
        "probe_duration_seconds",
        "How long the probe took.",
        &[],
        duration_s,
    );
    m.gauge(
        "probe_imap_status",
        "The check's status: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.",
        &[],
        f64::from(r.status.exit_code()),
    );
    steps(&mut m, r);
    m.gauge(
        "probe_imap_round_trips",
        "Round trips the check needed.",
        &[],
        f64::from(r.timing.round_trips),
    );
    tls(&mut m, r);
    findings(&mut m, r);
    info(&mut m, r);
    m.finish()
}

/// Seconds per step; a step that ran twice on a hop (CAPABILITY before and after login) is
/// summed, so each series appears once.
fn steps(m: &mut Metrics, r: &Report) {
    let mut per: BTreeMap<(u32, &str), f64> = BTreeMap::new();
    for s in &r.steps {
        *per.entry((s.hop, s.name.as_str())).or_default() += s.elapsed_ms / 1000.0;
    }
    let help = "Seconds each step took, per hop (0 is the target, 1.. each referral followed).";
    if per.is_empty() {
        m.declare("probe_imap_step_duration_seconds", help);
    }
    for ((hop, step), secs) in per {
        let hop = hop.to_string();
        m.gauge(
            "probe_imap_step_duration_seconds",
            help,
            &[("step", step), ("hop", &hop)],
            secs,
        );
    }
}

fn tls(m: &mut Metrics, r: &Report) {
    let Some(t) = &r.tls else { return };
    if let Some(unix) = t.certificate.as_ref().and_then(|c| c.not_after_unix) {
        m.gauge(
            "probe_ssl_earliest_cert_expiry",
            "The server certificate's expiry, as a Unix time.",
            &[],
            unix as f64,
        );
    }
    if let Some(v) = &t.version {
        m.gauge(
            "probe_tls_version_info",
            "The negotiated TLS version.",
            &[("version", v)],
            1.0,
        );
    }
}

fn findings(m: &mut Metrics, r: &Report) {
    let mut per: BTreeMap<(&str, &str), f64> = BTreeMap::new();
    for f in &r.findings {
        let severity = match f.severity {
            Severity::Critical => "critical",
            Severity::Warning => "warning",
            Severity::Info => "info",
        };
        *per.entry((severity, f.code.as_str())).or_default() += 1.0;
    }
    let help = "Findings of the check, by severity and stable code.";
    if per.is_empty() {
        m.declare("probe_imap_findings", help);
    }
    for ((severity, code), n) in per {
        m.gauge(
            "probe_imap_findings",
            help,
            &[("severity", severity), ("code", code)],
            n,
        );
    }
}

fn info(m: &mut Metrics, r: &Report) {
    if let Some(ns) = &r.namespace {
        let class = |c: &Option<Vec<crate::proto::NamespaceDescr>>| match c {
            None => "NIL".to_string(),
            Some(v) => v
                .iter()
                .map(|d| d.prefix.clone())
                .collect::<Vec<_>>()
                .join(","),
        };
        let (p, o, s) = (
            class(&ns.personal),
            class(&ns.other_users),
            class(&ns.shared),
        );
        m.gauge(
            "probe_imap_namespace_info",
            "The NAMESPACE prefixes (RFC 2342), NIL when absent.",
            &[("personal", &p), ("other_users", &o), ("shared", &s)],
            1.0,
        );
    }
    if let Some(fp) = &r.server.fingerprint {
        let product = fp.product.as_deref().unwrap_or("unknown");
        let version = fp.version.as_deref().unwrap_or("");
        m.gauge(
            "probe_imap_fingerprint_info",
            "The server product imapdiag recognised.",
            &[("product", product), ("version", version)],
            1.0,
        );
    }
    for rf in &r.referrals {
        let host = rf.host.as_deref().unwrap_or("");
        let user = rf.user.as_deref().unwrap_or("");
        m.gauge(
            "probe_imap_referral_info",
            "A REFERRAL the server sent (RFC 2221, RFC 2193).",
            &[("host", host), ("user", user)],
            1.0,
        );
    }
}

/// Metric families in the order first seen, each with its HELP and TYPE once; a series
/// given twice keeps the first value.
#[derive(Default)]
pub struct Metrics {
    families: Vec<Family>,
}

struct Family {
    name: String,
    help: String,
    kind: &'static str,
    series: Vec<(String, f64)>,
}

impl Metrics {
    /// A gauge family with its HELP and TYPE, with or without series.
    pub fn declare(&mut self, name: &str, help: &str) -> usize {
        self.family(name, help, "gauge")
    }

    fn family(&mut self, name: &str, help: &str, kind: &'static str) -> usize {
        match self.families.iter().position(|f| f.name == name) {
            Some(i) => i,
            None => {
                self.families.push(Family {
                    name: name.into(),
                    help: help.into(),
                    kind,
                    series: Vec::new(),
                });
                self.families.len() - 1
            }
        }
    }

    pub fn gauge(&mut self, name: &str, help: &str, labels: &[(&str, &str)], value: f64) {
        let i = self.family(name, help, "gauge");
        self.series(i, labels, value);
    }

    pub fn counter(&mut self, name: &str, help: &str, labels: &[(&str, &str)], value: f64) {
        let i = self.family(name, help, "counter");
        self.series(i, labels, value);
    }

    fn series(&mut self, i: usize, labels: &[(&str, &str)], value: f64) {
        let name = self.families[i].name.clone();
        let labels = labels
            .iter()
            .map(|(k, v)| format!("{k}=\"{}\"", escape_label(v)))
            .collect::<Vec<_>>()
            .join(",");
        let series = if labels.is_empty() {
            name
        } else {
            format!("{name}{{{labels}}}")
        };
        let family = &mut self.families[i].series;
        if !family.iter().any(|(s, _)| *s == series) {
            family.push((series, value));
        }
    }

    pub fn finish(self) -> String {
        let mut out = String::new();
        for f in self.families {
            let _ = writeln!(out, "# HELP {} {}", f.name, f.help);
            let _ = writeln!(out, "# TYPE {} {}", f.name, f.kind);
            for (s, v) in f.series {
                let _ = writeln!(out, "{s} {}", number(v));
            }
        }
        out
    }
}

/// The exposition format escapes `\`, `"` and line feeds in label values; other control
/// characters from a server are escaped too, so no page carries a terminal escape.
fn escape_label(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for c in v.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {
                let _ = write!(out, "\\\\x{:02x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(escape_label("a\"b\\c\nd\u{1b}"), "a\\\"b\\\\c\\nd\\\\x1b");
    }

    #[test]
    fn families_once_series_once() {
        let mut m = Metrics::default();
        m.gauge("x", "X.", &[("a", "1")], 1.0);
        m.gauge("x", "X.", &[("a", "2")], 2.5);
        m.gauge("x", "X.", &[("a", "1")], 9.0);
        assert_eq!(
            m.finish(),
            "# HELP x X.\n# TYPE x gauge\nx{a=\"1\"} 1\nx{a=\"2\"} 2.5\n"
        );
    }
}
