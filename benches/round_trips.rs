//! `cargo bench --bench round_trips`: what the README's performance figures come from.
//!
//! 1. Round trips per check: a real Dovecot behind a proxy that adds 50 ms each way, and
//!    imapdiag, python's imaplib and curl doing the same steps; elapsed ÷ RTT.
//! 2. Many targets: 100 and 1,000 checks against two local Dovecot instances, checks per
//!    second and peak memory (GNU time's maximum resident set size).
//! 3. Start-up: `--version` and a check of a closed local port.
//!
//! Needs Dovecot (apt-get install dovecot-imapd); curl and python3 are used when present.

#[path = "../tests/support/mod.rs"]
mod support;

use std::process::{Command, Output};
use std::time::{Duration, Instant};

use support::delay_proxy::DelayProxy;
use support::dovecot::{self, Dovecot, Layout, User};
use support::pki::pki;

const ONE_WAY: Duration = Duration::from_millis(50);
const RTT_MS: f64 = 100.0;
const RUNS: usize = 5;
/// Dovecot's default of 10 connections per user and address would refuse a fleet run.
const MANY: &str = "protocol imap {\n  mail_max_userip_connections = 1000\n}\n";

fn main() {
    let start = |layout| {
        dovecot::start_with(layout, vec![User::new("alice", "secret")], MANY)
            .expect("dovecot is needed for the benchmark (apt-get install dovecot-imapd)")
    };
    let a = start(Layout::Exchange2000);
    let b = start(Layout::Exchange55);
    round_trips(&a);
    many_targets(&a, &b);
    start_up();
}

fn imapdiag() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_imapdiag"));
    c.env("IMAPDIAG_PASSWORD", "secret").env("NO_COLOR", "1");
    c
}

fn ca() -> String {
    pki().ca_cert.display().to_string()
}

/// Median wall time of `runs` runs, in ms; every run must succeed.
fn median_ms(runs: usize, mut cmd: impl FnMut() -> Command) -> f64 {
    let mut times: Vec<f64> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            let out = cmd().output().expect("run");
            let ms = t.elapsed().as_secs_f64() * 1000.0;
            assert!(
                ok(&out),
                "failed: {}{}",
                stdout(&out),
                String::from_utf8_lossy(&out.stderr)
            );
            ms
        })
        .collect();
    times.sort_by(|x, y| x.total_cmp(y));
    times[times.len() / 2]
}

fn ok(out: &Output) -> bool {
    matches!(out.status.code(), Some(0 | 1))
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn have(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[derive(Clone, Copy)]
enum Mode {
    Plain,
    StartTls,
    Tls,
}

impl Mode {
    fn name(self) -> &'static str {
        match self {
            Mode::Plain => "plain",
            Mode::StartTls => "STARTTLS",
            Mode::Tls => "implicit TLS",
        }
    }

    /// The minimum over this transport (TLS 1.3) for a client that waits for LOGIN's
    /// completion before sending more (RFC 3501 §5.5): the greeting and two flights, plus
    /// one for the handshake, plus one for STARTTLS itself.
    fn minimum(self) -> u32 {
        match self {
            Mode::Plain => 3,
            Mode::Tls => 4,
            Mode::StartTls => 5,
        }
    }
}

fn round_trips(d: &Dovecot) {
    let plain = DelayProxy::start(d.port, ONE_WAY);
    let tls = DelayProxy::start(d.tls_port, ONE_WAY);
    println!("## Round trips per check (RTT {RTT_MS} ms added by a delaying proxy; median of {RUNS} runs)\n");
    println!("| transport | minimum | imapdiag check | python imaplib (LOGIN, NAMESPACE, SELECT, LOGOUT) | curl (NAMESPACE) |");
    println!("|---|---|---|---|---|");
    for mode in [Mode::Plain, Mode::StartTls, Mode::Tls] {
        let port = match mode {
            Mode::Tls => tls.port,
            _ => plain.port,
        };
        let ours = median_ms(RUNS, || imapdiag_check(mode, port));
        let py = have("python3").then(|| median_ms(RUNS, || python(mode, port)));
        let curl = have("curl").then(|| median_ms(RUNS, || curl(mode, port)));
        let cell = |ms: Option<f64>| match ms {
            Some(ms) => format!("{:.1} ({ms:.0} ms)", ms / RTT_MS),
            None => "not installed".into(),
        };
        println!(
            "| {} | {} | {} | {} | {} |",
            mode.name(),
            mode.minimum(),
            cell(Some(ours)),
            cell(py),
            cell(curl)
        );
    }
    println!();
}

fn imapdiag_check(mode: Mode, port: u16) -> Command {
    let mut c = imapdiag();
    c.args([
        "check",
        &format!("127.0.0.1:{port}"),
        "--user",
        "alice",
        "--ca-file",
        &ca(),
        "--format",
        "json",
    ]);
    match mode {
        Mode::Plain => c.args(["--security", "plain", "--allow-plaintext-login"]),
        Mode::StartTls => c.args(["--security", "starttls"]),
        Mode::Tls => c.args(["--security", "tls"]),
    };
    c
}

fn python(mode: Mode, port: u16) -> Command {
    let connect = match mode {
        Mode::Plain => format!("m = imaplib.IMAP4('127.0.0.1', {port})"),
        Mode::StartTls => {
            format!("m = imaplib.IMAP4('127.0.0.1', {port}); m.starttls(ssl_context=ctx)")
        }
        Mode::Tls => format!("m = imaplib.IMAP4_SSL('127.0.0.1', {port}, ssl_context=ctx)"),
    };
    let script = format!(
        "import imaplib, ssl\nctx = ssl.create_default_context(cafile={:?})\n{connect}\nm.login('alice', 'secret')\nm.namespace()\nm.select('INBOX')\nm.logout()\n",
        ca()
    );
    let mut c = Command::new("python3");
    c.args(["-c", &script]);
    c
}

fn curl(mode: Mode, port: u16) -> Command {
    let mut c = Command::new("curl");
    c.args([
        "-s",
        "-u",
        "alice:secret",
        "-X",
        "NAMESPACE",
        "--cacert",
        &ca(),
    ]);
    match mode {
        Mode::Plain => c.arg(format!("imap://127.0.0.1:{port}/")),
        Mode::StartTls => c.args(["--ssl-reqd", &format!("imap://127.0.0.1:{port}/")]),
        Mode::Tls => c.arg(format!("imaps://127.0.0.1:{port}/")),
    };
    c
}

fn many_targets(a: &Dovecot, b: &Dovecot) {
    println!("## Many targets (`check --targets FILE --jobs 32 --format json`, STARTTLS, two local Dovecot instances)\n");
    println!("| targets | wall time | checks per second | peak memory (max RSS) |");
    println!("|---|---|---|---|");
    let dir = tempfile::tempdir().unwrap();
    for n in [100usize, 1000] {
        let list = dir.path().join(format!("targets-{n}"));
        let lines: Vec<String> = (0..n)
            .map(|i| if i % 2 == 0 { a.target() } else { b.target() })
            .collect();
        std::fs::write(&list, lines.join("\n")).unwrap();
        let t = Instant::now();
        let out = Command::new("/usr/bin/time")
            .args(["-f", "maxrss_kb=%M"])
            .arg(env!("CARGO_BIN_EXE_imapdiag"))
            .args([
                "check",
                "--targets",
                list.to_str().unwrap(),
                "--jobs",
                "32",
                "--user",
                "alice",
            ])
            .args(["--ca-file", &ca(), "--format", "json"])
            .env("IMAPDIAG_PASSWORD", "secret")
            .output()
            .expect("/usr/bin/time");
        let secs = t.elapsed().as_secs_f64();
        let reports = stdout(&out)
            .lines()
            .filter(|l| l.contains("\"status\":\"ok\""))
            .count();
        assert_eq!(
            reports,
            n,
            "every check must pass: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let rss = String::from_utf8_lossy(&out.stderr)
            .lines()
            .find_map(|l| l.strip_prefix("maxrss_kb=").map(str::to_string))
            .and_then(|k| k.trim().parse::<f64>().ok())
            .unwrap_or(0.0);
        println!(
            "| {n} | {secs:.1} s | {:.0} | {:.1} MB |",
            n as f64 / secs,
            rss / 1024.0
        );
    }
    println!();
}

fn start_up() {
    const N: usize = 20;
    let port = support::free_port();
    let version = mean_ms(N, || {
        let mut c = imapdiag();
        c.arg("--version");
        c
    });
    let closed = mean_ms(N, || {
        let mut c = imapdiag();
        c.args(["check", &format!("127.0.0.1:{port}"), "--format", "json"]);
        c
    });
    println!("## Start-up (mean of {N} runs)\n");
    println!("| command | time |");
    println!("|---|---|");
    println!("| `imapdiag --version` | {version:.1} ms |");
    println!(
        "| `imapdiag check 127.0.0.1:CLOSED` (connection refused, CRITICAL) | {closed:.1} ms |"
    );
}

fn mean_ms(n: usize, mut cmd: impl FnMut() -> Command) -> f64 {
    let t = Instant::now();
    for _ in 0..n {
        cmd().output().expect("run");
    }
    t.elapsed().as_secs_f64() * 1000.0 / n as f64
}
