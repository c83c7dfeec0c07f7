//! `cargo bench --bench monitoring`: what today's monitoring tools report on the same lab
//! cases, side by side: monitoring-plugins' `check_imap` (Debian `monitoring-plugins-basic`),
//! blackbox_exporter's TCP prober with the IMAP STARTTLS query/response script of its
//! example configuration, the same script extended with a LOGIN line, and imapdiag. The
//! README's comparison table comes from here.
//!
//! Needs Dovecot, monitoring-plugins-basic and prometheus-blackbox-exporter.

#[path = "../tests/support/mod.rs"]
mod support;

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::Duration;

use support::dovecot::{self, Layout, User};
use support::emulator;
use support::pki::pki;

const CHECK_IMAP: &str = "/usr/lib/nagios/plugins/check_imap";
const BLACKBOX: &str = "/usr/bin/prometheus-blackbox-exporter";

struct Case {
    name: &'static str,
    host_port: String,
    user: &'static str,
    password: &'static str,
    trust: Trust,
}

/// What each tool is told to trust, the same for all of them.
#[derive(Clone, Copy)]
enum Trust {
    /// The test CA (`--ca-file`, blackbox's `ca_file`).
    Ca,
    /// Nothing beyond the system's roots: the test certificate does not verify.
    System,
    /// Verification off (`--insecure`, `insecure_skip_verify`): the emulator's certificate
    /// is generated at start.
    Insecure,
}

fn main() {
    let d = dovecot::start(
        Layout::Exchange2000,
        vec![User::new("alice", "secret"), User::new("moved", "secret")],
    )
    .expect("dovecot is needed (apt-get install dovecot-imapd)");
    d.set_users(&[
        User::new("alice", "secret"),
        User {
            name: "moved",
            password: "secret",
            extra: format!("nologin host=127.0.0.1 port={} destuser=alice", d.port),
        },
    ]);
    let emu = emulator::serve("exchange55-referral", &[]);
    let cases = [
        Case {
            name: "healthy",
            host_port: d.target(),
            user: "alice",
            password: "secret",
            trust: Trust::Ca,
        },
        Case {
            name: "wrong password",
            host_port: d.target(),
            user: "alice",
            password: "wrong",
            trust: Trust::Ca,
        },
        Case {
            name: "untrusted certificate",
            host_port: d.target(),
            user: "alice",
            password: "secret",
            trust: Trust::System,
        },
        Case {
            name: "login referral (RFC 2221)",
            host_port: d.target(),
            user: "moved",
            password: "secret",
            trust: Trust::Ca,
        },
        Case {
            name: "no replica after referral (KB217388)",
            host_port: format!("127.0.0.1:{}", emu.port),
            user: "DOMname/UserN/AliasN",
            password: "PASSword",
            trust: Trust::Insecure,
        },
    ];
    let dir = tempfile::tempdir().unwrap();
    let blackbox = Blackbox::start(dir.path(), &cases);
    println!("| case | check_imap | blackbox_exporter, example imap_starttls | blackbox_exporter, script with LOGIN | imapdiag check |");
    println!("|---|---|---|---|---|");
    for (i, c) in cases.iter().enumerate() {
        println!(
            "| {} | {} | {} | {} | {} |",
            c.name,
            check_imap(c),
            blackbox.probe(&c.host_port, &format!("starttls_{i}")),
            blackbox.probe(&c.host_port, &format!("login_{i}")),
            imapdiag(c)
        );
    }
}

fn check_imap(c: &Case) -> String {
    let (host, port) = c.host_port.split_once(':').unwrap();
    let out = Command::new(CHECK_IMAP)
        .args(["-H", host, "-p", port])
        .output()
        .expect("check_imap (apt-get install monitoring-plugins-basic)");
    let line = String::from_utf8_lossy(&out.stdout);
    let status = line.split(" - ").next().unwrap_or("").trim().to_string();
    format!("{status} (exit {})", out.status.code().unwrap_or(-1))
}

fn imapdiag(c: &Case) -> String {
    let ca = pki().ca_cert.display().to_string();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_imapdiag"));
    cmd.args(["check", &c.host_port, "--user", c.user, "--format", "json"])
        .env("IMAPDIAG_PASSWORD", c.password);
    match c.trust {
        Trust::Ca => {
            cmd.args(["--ca-file", &ca]);
        }
        Trust::Insecure => {
            cmd.arg("--insecure");
        }
        Trust::System => {}
    }
    let out = cmd.output().expect("imapdiag");
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    let worst: Vec<&str> = r["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["severity"] == "critical" || f["severity"] == "warning")
        .filter_map(|f| f["code"].as_str())
        .collect();
    format!(
        "{} (exit {}): {}",
        r["status"].as_str().unwrap_or("?").to_uppercase(),
        out.status.code().unwrap_or(-1),
        if worst.is_empty() {
            format!(
                "{}, TLS verified {}",
                r["server"]["fingerprint"]["product"]
                    .as_str()
                    .unwrap_or("unknown"),
                r["tls"]["verified"]
            )
        } else {
            worst.join(", ")
        }
    )
}

struct Blackbox {
    child: std::process::Child,
    addr: String,
}

impl Drop for Blackbox {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Blackbox {
    /// Two modules per case, each with the case's trust: `starttls_N` is the example
    /// configuration's `imap_starttls` (greeting with STARTTLS, STARTTLS, CAPABILITY);
    /// `login_N` sends the case's LOGIN after STARTTLS and expects its OK.
    fn start(dir: &std::path::Path, cases: &[Case]) -> Blackbox {
        std::fs::write(dir.join("blackbox.yml"), config(cases)).unwrap();
        let port = support::free_port();
        let child = Command::new(BLACKBOX)
            .arg(format!(
                "--config.file={}",
                dir.join("blackbox.yml").display()
            ))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("blackbox_exporter (apt-get install prometheus-blackbox-exporter)");
        let addr = format!("127.0.0.1:{port}");
        for _ in 0..100 {
            if std::net::TcpStream::connect(&addr).is_ok() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Blackbox { child, addr }
    }

    fn probe(&self, target: &str, module: &str) -> String {
        let body = http(
            &self.addr,
            "GET",
            &format!("/probe?target={target}&module={module}"),
        );
        let success = body
            .lines()
            .find_map(|l| l.strip_prefix("probe_success "))
            .unwrap_or("?")
            .trim()
            .to_string();
        format!("probe_success {success}")
    }
}

fn config(cases: &[Case]) -> String {
    let mut yml = String::from("modules:\n");
    for (i, c) in cases.iter().enumerate() {
        let tls = match c.trust {
            Trust::Ca => format!("ca_file: {}", pki().ca_cert.display()),
            Trust::System => "insecure_skip_verify: false".to_string(),
            Trust::Insecure => "insecure_skip_verify: true".to_string(),
        };
        let start = "        - expect: \"OK.*STARTTLS\"\n        - send: \". STARTTLS\"\n        - expect: \"OK\"\n        - starttls: true\n";
        yml += &format!(
            "  starttls_{i}:\n    prober: tcp\n    timeout: 5s\n    tcp:\n      query_response:\n{start}        - send: \". capability\"\n        - expect: \"CAPABILITY IMAP4rev1\"\n      tls_config:\n        {tls}\n"
        );
        yml += &format!(
            "  login_{i}:\n    prober: tcp\n    timeout: 5s\n    tcp:\n      query_response:\n{start}        - send: \". LOGIN {} {}\"\n        - expect: \"^\\\\. OK\"\n      tls_config:\n        {tls}\n",
            c.user, c.password
        );
    }
    yml
}

fn http(addr: &str, method: &str, path: &str) -> String {
    let Ok(mut s) = std::net::TcpStream::connect(addr) else {
        return String::new();
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(20)));
    let _ = s.write_all(
        format!("{method} {path} HTTP/1.0\r\nHost: {addr}\r\nContent-Length: 0\r\n\r\n").as_bytes(),
    );
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    out
}
