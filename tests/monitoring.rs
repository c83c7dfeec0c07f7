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

/// `imapdiag exporter` as a child process on a port the kernel picks.
struct Exporter {
    child: std::process::Child,
    addr: String,
    log: std::sync::Arc<std::sync::Mutex<String>>,
}

impl Drop for Exporter {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn exporter(config: &std::path::Path) -> Exporter {
    use std::io::BufRead;
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("imapdiag"))
        .args(["exporter", "--listen", "127.0.0.1:0", "--config"])
        .arg(config)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut first = String::new();
    err.read_line(&mut first).unwrap();
    let addr = first
        .strip_prefix("exporter listening on ")
        .unwrap_or_else(|| panic!("exporter said {first:?}"))
        .trim()
        .to_string();
    let log = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let sink = log.clone();
    std::thread::spawn(move || {
        let mut l = String::new();
        while err.read_line(&mut l).is_ok_and(|n| n > 0) {
            sink.lock().unwrap().push_str(&l);
            l.clear();
        }
    });
    Exporter { child, addr, log }
}

/// A plain HTTP/1.0 GET (the test's client, not the exporter's server): status and body.
fn get(addr: &str, path: &str, headers: &[(&str, &str)]) -> (u16, String) {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .unwrap();
    let mut req = format!("GET {path} HTTP/1.0\r\nHost: {addr}\r\n");
    for (k, v) in headers {
        req += &format!("{k}: {v}\r\n");
    }
    s.write_all((req + "\r\n").as_bytes()).unwrap();
    let mut resp = String::new();
    s.read_to_string(&mut resp).unwrap();
    let (head, body) = resp.split_once("\r\n\r\n").unwrap_or((&resp, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (status, body.to_string())
}

/// promtool's verdict on a metrics page (`promtool check metrics` reads standard input).
fn promtool(page: &str) {
    use std::io::Write;
    let Some(promtool) = ["/usr/bin/promtool"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
    else {
        return support::daemon::skip("promtool is not installed (Debian package prometheus)");
    };
    let mut child = std::process::Command::new(promtool)
        .args(["check", "metrics"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(page.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success() && said.trim().is_empty(),
        "promtool: {said}\n{page}"
    );
}

const PASSWORD: &str = "Exp0rter-secret";

fn config_for(dir: &std::path::Path) -> std::path::PathBuf {
    let pw = dir.join("alice.pw");
    std::fs::write(&pw, format!("{PASSWORD}\n")).unwrap();
    let wrong = dir.join("wrong.pw");
    std::fs::write(&wrong, "not-the-password\n").unwrap();
    let config = dir.join("exporter.toml");
    std::fs::write(
        &config,
        format!(
            "[modules.login]\nuser = \"alice\"\npassword_file = \"{}\"\nsecurity = \"starttls\"\nca_file = \"{}\"\n\n[modules.wrong]\nuser = \"alice\"\npassword_file = \"{}\"\nca_file = \"{}\"\n\n[modules.namespace]\ncommand = \"namespace\"\nuser = \"alice\"\npassword_file = \"{}\"\nca_file = \"{}\"\n",
            pw.display(),
            pki().ca_cert.display(),
            wrong.display(),
            pki().ca_cert.display(),
            pw.display(),
            pki().ca_cert.display(),
        ),
    )
    .unwrap();
    config
}

#[test]
fn the_exporter_answers_every_page_in_a_format_promtool_accepts() {
    let Some(d) = dovecot::start(
        Layout::Exchange2000,
        vec![dovecot::User::new("alice", PASSWORD)],
    ) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let e = exporter(&config_for(dir.path()));
    let probe = |module: &str, target: &str| {
        get(
            &e.addr,
            &format!("/probe?target={target}&module={module}"),
            &[("X-Prometheus-Scrape-Timeout-Seconds", "8")],
        )
    };
    let mut pages = Vec::new();
    let (code, ok) = probe("login", &d.target());
    assert_eq!(code, 200, "{ok}");
    for line in [
        "probe_success 1",
        "probe_imap_status 0",
        "probe_tls_version_info{version=\"TLSv1.3\"} 1",
        "probe_imap_namespace_info{personal=\"\",other_users=\"NIL\",shared=\"Public Folders/\"} 1",
        "probe_imap_fingerprint_info{product=\"Dovecot\",version=\"\"} 1",
        "probe_imap_step_duration_seconds{step=\"login\",hop=\"0\"}",
        "probe_imap_round_trips ",
        "probe_ssl_earliest_cert_expiry ",
    ] {
        assert!(
            ok.contains(line) || line.contains("login") && ok.contains("step=\"authenticate\""),
            "{line} not in\n{ok}"
        );
    }
    pages.push(ok);
    let (_, wrong) = probe("wrong", &d.target());
    assert!(wrong.contains("probe_success 0"), "{wrong}");
    assert!(
        wrong.contains("probe_imap_findings{severity=\"critical\",code=\"login-failed\"} 1"),
        "{wrong}"
    );
    pages.push(wrong);
    let dead = format!("127.0.0.1:{}", support::free_port());
    let (_, dead_page) = probe("login", &dead);
    assert!(dead_page.contains("probe_success 0"), "{dead_page}");
    pages.push(dead_page);
    let (_, ns) = probe("namespace", &d.target());
    assert!(ns.contains("probe_success 1"), "{ns}");
    pages.push(ns);
    let (code, debug) = get(
        &e.addr,
        &format!("/probe?target={}&module=login&debug=true", d.target()),
        &[],
    );
    assert_eq!(code, 200);
    assert!(debug.contains("# report: "), "{debug}");
    pages.push(debug);
    let (code, own) = get(&e.addr, "/metrics", &[]);
    assert_eq!(code, 200);
    assert!(
        own.contains("imapdiag_exporter_probes_total{module=\"login\",status=\"OK\"} 2"),
        "{own}"
    );
    assert!(own.contains(&format!(
        "imapdiag_exporter_build_info{{version=\"{}\"}} 1",
        env!("CARGO_PKG_VERSION")
    )));
    pages.push(own);
    for p in &pages {
        promtool(p);
    }
    // Mistakes are HTTP 400 with a message; credentials in the URL are refused.
    for (path, says) in [
        (
            format!("/probe?target={}&module=nope", d.target()),
            "unknown module",
        ),
        (
            "/probe?module=login".to_string(),
            "target parameter is missing",
        ),
        (
            format!("/probe?target={}", d.target()),
            "module parameter is missing",
        ),
        (
            "/probe?target=pop3://x&module=login".to_string(),
            "unsupported scheme",
        ),
        (
            format!("/probe?target={}&module=login&password=x", d.target()),
            "never travel in the URL",
        ),
    ] {
        let (code, body) = get(&e.addr, &path, &[]);
        assert_eq!(code, 400, "{path}: {body}");
        assert!(body.contains(says), "{path}: {body}");
    }
    let (_, own) = get(&e.addr, "/metrics", &[]);
    assert!(
        own.contains("imapdiag_exporter_probe_errors_total 5"),
        "{own}"
    );
    // The front page lists the modules and links the last probes' reports.
    let (code, index) = get(&e.addr, "/", &[]);
    assert_eq!(code, 200);
    assert!(
        index.contains("<li>login</li>") && index.contains("<li>namespace</li>"),
        "{index}"
    );
    let (code, report) = get(&e.addr, "/report?id=1", &[]);
    assert_eq!(code, 200);
    assert!(report.contains("imapdiag check"), "{report}");
    pages.push(index);
    pages.push(report);
    for p in pages.iter().chain([&*e.log.lock().unwrap()]) {
        assert!(!p.contains(PASSWORD), "the password leaked:\n{p}");
    }
}

/// A real Prometheus scrapes the exporter with blackbox_exporter's relabelling: the target
/// goes in `__param_target`, the exporter's address in `__address__`.
#[test]
fn a_real_prometheus_scrapes_probe_success() {
    let Some(d) = dovecot::start(
        Layout::Exchange2000,
        vec![dovecot::User::new("alice", PASSWORD)],
    ) else {
        return;
    };
    if !std::path::Path::new("/usr/bin/prometheus").exists() {
        return support::daemon::skip("prometheus is not installed (Debian package prometheus)");
    }
    let dir = tempfile::tempdir().unwrap();
    let e = exporter(&config_for(dir.path()));
    let dead = format!("127.0.0.1:{}", support::free_port());
    let port = support::free_port();
    let prom = dir.path().join("prometheus.yml");
    std::fs::write(
        &prom,
        format!(
            "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n  - job_name: imap\n    metrics_path: /probe\n    params:\n      module: [login]\n    static_configs:\n      - targets: ['{}', '{dead}']\n    relabel_configs:\n      - source_labels: [__address__]\n        target_label: __param_target\n      - source_labels: [__param_target]\n        target_label: instance\n      - target_label: __address__\n        replacement: '{}'\n",
            d.target(),
            e.addr
        ),
    )
    .unwrap();
    let mut p = std::process::Command::new("/usr/bin/prometheus")
        .arg(format!("--config.file={}", prom.display()))
        .arg(format!(
            "--storage.tsdb.path={}",
            dir.path().join("data").display()
        ))
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(dir.path().join("prometheus.log")).unwrap())
        .spawn()
        .unwrap();
    let api = format!("127.0.0.1:{port}");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let mut seen = String::new();
    while std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(500));
        if std::net::TcpStream::connect(&api).is_err() {
            continue;
        }
        let (_, body) = get(&api, "/api/v1/query?query=probe_success", &[]);
        let v: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
        let results = v["data"]["result"].as_array().cloned().unwrap_or_default();
        let value = |instance: &str| {
            results
                .iter()
                .find(|r| r["metric"]["instance"] == instance)
                .map(|r| r["value"][1].as_str().unwrap_or("").to_string())
        };
        if let (Some(live), Some(down)) = (value(&d.target()), value(&dead)) {
            let _ = p.kill();
            let _ = p.wait();
            assert_eq!(live, "1", "{body}");
            assert_eq!(down, "0", "{body}");
            return;
        }
        seen = body;
    }
    let _ = p.kill();
    let _ = p.wait();
    panic!(
        "Prometheus never had both series: {seen}\n{}",
        std::fs::read_to_string(dir.path().join("prometheus.log")).unwrap_or_default()
    );
}
