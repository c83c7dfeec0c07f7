//! Monitoring: `--format nagios` checked against the Monitoring Plugins Development
//! Guidelines' grammar, and `imapdiag exporter` against promtool and a real Prometheus.

mod support;

use support::dovecot::{self, Layout};
use support::{imapdiag, pki::pki, stdout};

/// One perfdata item as the guidelines define it:
/// `'label'=value[UOM];[warn];[crit];[min];[max]`.
#[derive(Debug, PartialEq)]
struct Perf {
    label: String,
    value: f64,
    uom: String,
    warn: String,
}

/// Parses a plugin's first line: `SERVICE STATUS - text|perfdata`. Panics with the reason
/// when the line breaks the grammar.
fn parse_status_line(line: &str) -> (String, String, Vec<Perf>) {
    let head =
        regex::Regex::new(r"^(\S+) (OK|WARNING|CRITICAL|UNKNOWN) - ([^|]*)(?:\|(.*))?$").unwrap();
    let c = head
        .captures(line)
        .unwrap_or_else(|| panic!("not a plugin status line: {line:?}"));
    let perf = c.get(4).map_or("", |m| m.as_str());
    let item = regex::Regex::new(
        r"^('(?:[^']|'')+'|[^'= ]+)=(-?[0-9]+(?:\.[0-9]+)?)(s|ms|us|%|B|KB|MB|TB|c)?(?:;(@?~?[-0-9.:]*))?(?:;(@?~?[-0-9.:]*))?(?:;(-?[0-9.]*))?(?:;(-?[0-9.]*))?$",
    )
    .unwrap();
    let perfs = tokens(perf)
        .iter()
        .map(|p| {
            let m = item
                .captures(p)
                .unwrap_or_else(|| panic!("perfdata {p:?} breaks the grammar in {line:?}"));
            Perf {
                label: m[1].trim_matches('\'').to_string(),
                value: m[2].parse().unwrap(),
                uom: m.get(3).map_or("", |x| x.as_str()).to_string(),
                warn: m.get(4).map_or("", |x| x.as_str()).to_string(),
            }
        })
        .collect();
    (c[2].to_string(), c[3].to_string(), perfs)
}

/// Perfdata items are separated by spaces; a quoted label may hold spaces.
fn tokens(perf: &str) -> Vec<String> {
    let (mut out, mut cur, mut quoted) = (Vec::new(), String::new(), false);
    for c in perf.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                cur.push(c);
            }
            ' ' if !quoted => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            c => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

#[test]
fn the_grammar_parser_rejects_what_the_guidelines_reject() {
    let (status, _, p) =
        parse_status_line("IMAP OK - fine|time=0.012s;;;0 'a b'=3;5;10;0;100 round_trips=4;;;0");
    assert_eq!(status, "OK");
    assert_eq!(p.len(), 3);
    assert_eq!(p[1].label, "a b");
    for bad in [
        "IMAP FINE - x",
        "IMAP OK - x|time=fast",
        "IMAP OK - x|a b=1",
        "IMAP OK - x|t=1parsecs",
    ] {
        assert!(
            std::panic::catch_unwind(|| parse_status_line(bad)).is_err(),
            "{bad}"
        );
    }
}

#[test]
fn nagios_output_follows_the_plugin_guidelines_against_real_dovecot() {
    let Some(d) = dovecot::start_default(Layout::Exchange2000) else {
        return;
    };
    let ca = pki().ca_cert.display().to_string();
    let run = |target: &str, password: &str, extra: &[&str]| {
        imapdiag()
            .args(["check", target, "--user", "alice", "--format", "nagios"])
            .args(extra)
            .env("IMAPDIAG_PASSWORD", password)
            .output()
            .unwrap()
    };
    // Healthy: OK, the product and TLS state, perfdata for the whole check and each step.
    let out = run(&d.target(), "secret", &["--ca-file", &ca]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    let first = text.lines().next().unwrap();
    let (status, summary, perf) = parse_status_line(first);
    assert_eq!(status, "OK");
    assert!(summary.starts_with("Dovecot, TLSv1.3"), "{summary}");
    assert!(summary.ends_with("certificate verified"), "{summary}");
    let labels: Vec<&str> = perf.iter().map(|p| p.label.as_str()).collect();
    for l in [
        "time",
        "connect",
        "greeting",
        "starttls",
        "tls",
        "login",
        "namespace",
        "select",
        "logout",
        "round_trips",
        "cert_days",
    ] {
        assert!(
            labels.contains(&l) || (l == "login" && labels.contains(&"authenticate")),
            "{l} missing: {labels:?}"
        );
    }
    assert!(perf
        .iter()
        .filter(|p| p.label != "round_trips" && p.label != "cert_days")
        .all(|p| p.uom == "s"));
    let cert = perf.iter().find(|p| p.label == "cert_days").unwrap();
    assert_eq!(cert.warn, "14");
    assert!(cert.value > 300.0);
    assert_eq!(text.lines().count(), 1, "{text}");
    // Wrong password: CRITICAL naming the finding, one line per finding after it.
    let out = run(&d.target(), "wrong", &["--ca-file", &ca]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    let (status, summary, _) = parse_status_line(text.lines().next().unwrap());
    assert_eq!(status, "CRITICAL");
    assert!(summary.contains("(login-failed)"), "{summary}");
    assert!(
        text.lines()
            .any(|l| l.starts_with("CRITICAL login-failed: ")),
        "{text}"
    );
    // Untrusted certificate: CRITICAL.
    let out = run(&d.tls_target(), "secret", &["--security", "tls"]);
    let (status, summary, _) = parse_status_line(stdout(&out).lines().next().unwrap());
    assert_eq!((status.as_str(), out.status.code()), ("CRITICAL", Some(2)));
    assert!(summary.contains("tls-verify-failed"), "{summary}");
    // Many targets: the worst first, then a line per target.
    let imaps = format!("imaps://{}", d.tls_target());
    let out = imapdiag()
        .args([
            "check",
            &d.target(),
            &imaps,
            "--user",
            "alice",
            "--ca-file",
            &ca,
        ])
        .args(["--format", "nagios"])
        .env("IMAPDIAG_PASSWORD", "secret")
        .output()
        .unwrap();
    let text = stdout(&out);
    let (status, summary, perf) = parse_status_line(text.lines().next().unwrap());
    assert_eq!(
        (status.as_str(), out.status.code()),
        ("OK", Some(0)),
        "{text}"
    );
    assert_eq!(summary, "2 targets: 2 OK, 0 WARNING, 0 CRITICAL, 0 UNKNOWN");
    assert_eq!(perf[0].label, "targets");
    assert_eq!(
        text.lines()
            .filter(|l| l.starts_with("OK ") && l.contains("127.0.0.1:"))
            .count(),
        2,
        "{text}"
    );
}
