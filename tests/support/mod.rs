//! Test support shared by the integration tests: private Dovecot instances, a test PKI,
//! a scripted server for what Dovecot will not do, and helpers to run the binary.
#![allow(dead_code)]

pub mod courier;
pub mod cyrus;
pub mod daemon;
pub mod delay_proxy;
pub mod dovecot;
pub mod emulator;
pub mod fingerprints;
pub mod legacy_tls;
pub mod pki;
pub mod scripted;

use std::net::TcpListener;
use std::process::Output;

/// A port that was free a moment ago on 127.0.0.1.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Two consecutive free ports (IMAP and IMAPS of one Dovecot).
pub fn free_port_pair() -> u16 {
    loop {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let p = l.local_addr().unwrap().port();
        if p < 65535 && TcpListener::bind(("127.0.0.1", p + 1)).is_ok() {
            return p;
        }
    }
}

/// `check TARGET` as alice over plain TCP with the password allowed there: the command,
/// for a caller that adds its own flags and password.
pub fn check_plain_cmd(target: &str) -> assert_cmd::Command {
    let mut cmd = imapdiag();
    cmd.args(["check", target, "--user", "alice", "--security", "plain"])
        .arg("--allow-plaintext-login");
    cmd
}

/// `check TARGET` as alice/secret over plain TCP with LOGIN, JSON out, and `extra` flags.
pub fn check_plain(target: &str, extra: &[&str]) -> Output {
    check_plain_cmd(target)
        .args(["--auth", "login", "--format", "json"])
        .args(extra)
        .env("IMAPDIAG_PASSWORD", "secret")
        .output()
        .unwrap()
}

/// `analyze -` of `text` on standard input, JSON out, with `extra` flags.
pub fn analyze_stdin(text: &str, extra: &[&str]) -> Output {
    imapdiag()
        .args(["analyze", "-", "--format", "json"])
        .args(extra)
        .write_stdin(text)
        .output()
        .unwrap()
}

/// The finding with `code` in a JSON report; panics naming the codes there were.
pub fn finding<'a>(report: &'a serde_json::Value, code: &str) -> &'a serde_json::Value {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == code)
        .unwrap_or_else(|| panic!("no finding {code}: {:?}", codes(report)))
}

pub fn imapdiag() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("imapdiag").unwrap();
    cmd.env_remove("IMAPDIAG_PASSWORD")
        .env("NO_COLOR", "1")
        .timeout(std::time::Duration::from_secs(60));
    cmd
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", stdout(o)))
}

/// The finding codes of a JSON report.
pub fn codes(report: &serde_json::Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}
