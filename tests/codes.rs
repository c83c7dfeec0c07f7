//! Every finding code is produced by at least one test: the list is read from
//! `src/diagnosis/findings.rs`, and each code must be asserted (quoted) by a test or stand in
//! a committed snapshot. The codes no other test reached are produced here.

mod support;

use std::path::Path;

use serde_json::Value;
use support::dovecot::{self, Layout};
use support::{codes, imapdiag, json, pki::pki, scripted};

/// Codes no test can reach, and why.
const UNREACHABLE: [(&str, &str); 2] = [
    (
        "internal-error",
        "a fleet task that panicked: no input makes one panic",
    ),
    (
        "io-error",
        "a socket write that fails: the kernel accepts what a test server would refuse",
    ),
];

fn finding_codes() -> Vec<String> {
    let src = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("src/diagnosis/findings.rs"),
    )
    .unwrap();
    src.lines()
        .filter(|l| l.starts_with("pub const ") && l.contains(": &str = \""))
        .filter_map(|l| l.split('"').nth(1))
        .map(str::to_string)
        .collect()
}

/// The text of every test and snapshot but this file's own list of exceptions.
fn tests_text() -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let mut text = String::new();
    for dir in [root.clone(), root.join("snapshots")] {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_file() && p.file_name().is_some_and(|n| n != "codes.rs") {
                text.push_str(&std::fs::read_to_string(p).unwrap_or_default());
            }
        }
    }
    // This file's tests count; its list of exceptions does not.
    let own = include_str!("codes.rs");
    let (before, after) = own.split_once("const UNREACHABLE").unwrap();
    text.push_str(before);
    text.push_str(after.split_once("];").unwrap().1);
    text
}

#[test]
fn every_finding_code_is_asserted_by_a_test() {
    let all = finding_codes();
    assert!(all.len() > 60, "{all:?}");
    let text = tests_text();
    let missing: Vec<&String> = all
        .iter()
        .filter(|c| !text.contains(&format!("\"{c}\"")))
        .filter(|c| !UNREACHABLE.iter().any(|(u, _)| u == c))
        .collect();
    assert!(missing.is_empty(), "codes no test asserts: {missing:?}");
    for (code, _) in UNREACHABLE {
        assert!(
            all.contains(&code.to_string()),
            "{code} is no longer a code"
        );
    }
}

fn check(target: &str, extra: &[&str]) -> Value {
    check_as(target, "plain", extra)
}

fn check_as(target: &str, security: &str, extra: &[&str]) -> Value {
    let out = imapdiag()
        .args(["check", target, "--user", "alice", "--security", security])
        .args(["--format", "json"])
        .args(extra)
        .env("IMAPDIAG_PASSWORD", "secret")
        .output()
        .unwrap();
    json(&out)
}

fn has(r: &Value, code: &str) -> bool {
    codes(r).contains(&code.to_string())
}

const PLAIN_LOGIN: [&str; 3] = ["--allow-plaintext-login", "--auth", "login"];

#[test]
fn a_refused_capability_a_read_only_inbox_and_odd_namespaces() {
    let greeting = b"* OK hi\r\n";
    let s = scripted::serve(move |c| {
        scripted::simple_session(
            c,
            greeting,
            &[
                ("CAPABILITY", b"{TAG} NO not now\r\n"),
                (
                    "SELECT",
                    b"* 2 EXISTS\r\n{TAG} OK [READ-ONLY] SELECT completed\r\n",
                ),
                (
                    "NAMESPACE",
                    b"* NAMESPACE ((\"INBOX.\" NIL)) NIL NIL\r\n{TAG} OK done\r\n",
                ),
            ],
        )
    });
    let r = check(&s.target(), &PLAIN_LOGIN);
    for code in [
        "capability-failed",
        "mailbox-read-only",
        "namespace-nil-delimiter",
        "namespace-personal-prefix",
    ] {
        assert!(has(&r, code), "{code}: {:?}", codes(&r));
    }
}

#[test]
fn starttls_not_offered_and_starttls_refused() {
    let s = scripted::serve(|c| {
        scripted::simple_session(c, b"* OK [CAPABILITY IMAP4rev1] hi\r\n", &[])
    });
    let r = check_as(&s.target(), "starttls", &[]);
    assert!(has(&r, "starttls-not-offered"), "{:?}", codes(&r));
    assert_eq!(r["status"], "critical");
    let s = scripted::serve(|c| {
        scripted::simple_session(
            c,
            b"* OK [CAPABILITY IMAP4rev1 STARTTLS] hi\r\n",
            &[("STARTTLS", b"{TAG} NO TLS is not available now\r\n")],
        )
    });
    let r = check_as(&s.target(), "starttls", &[]);
    assert!(has(&r, "starttls-failed"), "{:?}", codes(&r));
    assert!(!s.lines().iter().any(|l| l.contains("secret")));
}

#[test]
fn logindisabled_and_a_mechanism_the_server_does_not_offer() {
    let s = scripted::serve(|c| {
        scripted::simple_session(c, b"* OK [CAPABILITY IMAP4rev1 LOGINDISABLED] hi\r\n", &[])
    });
    let r = check(&s.target(), &PLAIN_LOGIN);
    assert!(has(&r, "login-disabled"), "{:?}", codes(&r));
    assert!(!s.lines().iter().any(|l| l.contains("secret")));
    let s = scripted::serve(|c| {
        scripted::simple_session(c, b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] hi\r\n", &[])
    });
    let r = check(
        &s.target(),
        &["--allow-plaintext-login", "--auth", "scram-sha-256"],
    );
    assert!(has(&r, "mechanism-not-advertised"), "{:?}", codes(&r));
}

#[test]
fn a_scram_challenge_that_cannot_be_answered_is_cancelled() {
    let s = scripted::serve(|c| {
        c.send(b"* OK [CAPABILITY IMAP4rev1 AUTH=SCRAM-SHA-256] hi\r\n");
        while let Some((tag, cmd)) = c.command() {
            match cmd.as_str() {
                "AUTHENTICATE" => {
                    // The client-first-message, then a server-first-message that is not
                    // one (RFC 5802 §7: no nonce, no salt).
                    c.send(b"+ \r\n");
                    let _client_first = c.line();
                    c.send(b"+ bm90IHNjcmFt\r\n");
                    let answer = c.line().unwrap_or_default();
                    let reply = if answer.trim() == "*" {
                        format!("{tag} BAD Authentication aborted by client\r\n")
                    } else {
                        format!("{tag} NO no\r\n")
                    };
                    c.send(reply.as_bytes());
                }
                "LOGOUT" => {
                    c.send(format!("* BYE bye\r\n{tag} OK bye\r\n").as_bytes());
                    return;
                }
                _ => {
                    c.send(format!("{tag} OK done\r\n").as_bytes());
                }
            }
        }
    });
    let r = check(
        &s.target(),
        &["--allow-plaintext-login", "--auth", "scram-sha-256"],
    );
    assert!(has(&r, "sasl-aborted"), "{:?} {:?}", codes(&r), s.lines());
    assert!(s.lines().iter().any(|l| l.trim() == "*"), "{:?}", s.lines());
}

#[test]
fn a_token_for_another_user_is_said() {
    use base64::Engine;
    let b64 = |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    let token = format!(
        "{}.{}.c2ln",
        b64(&serde_json::json!({"alg": "none", "typ": "JWT"})),
        b64(
            &serde_json::json!({"upn": "bob@example.com", "exp": 4_102_444_800u64, "aud": "https://outlook.office.com"})
        )
    );
    let s = scripted::serve(|c| {
        scripted::simple_session(
            c,
            b"* OK [CAPABILITY IMAP4rev1 AUTH=XOAUTH2 SASL-IR] hi\r\n",
            &[],
        )
    });
    let out = imapdiag()
        .args([
            "check",
            &s.target(),
            "--user",
            "alice@example.com",
            "--security",
            "plain",
        ])
        .args([
            "--allow-plaintext-login",
            "--auth",
            "xoauth2",
            "--format",
            "json",
        ])
        .env("IMAPDIAG_TOKEN", &token)
        .output()
        .unwrap();
    let r = json(&out);
    assert!(has(&r, "token-user-mismatch"), "{:?}", codes(&r));
    assert!(!String::from_utf8_lossy(&out.stdout).contains(&token));
}

#[test]
fn a_certificate_inside_the_warning_window() {
    let Some(d) = dovecot::start_default(Layout::Plain) else {
        return;
    };
    let out = imapdiag()
        .args([
            "check",
            &d.tls_target(),
            "--user",
            "alice",
            "--security",
            "tls",
        ])
        .args(["--ca-file", pki().ca_cert.to_str().unwrap()])
        .args(["--cert-warn-days", "100000", "--format", "json"])
        .env("IMAPDIAG_PASSWORD", "secret")
        .output()
        .unwrap();
    let r = json(&out);
    assert!(has(&r, "certificate-expires-soon"), "{:?}", codes(&r));
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn referral_codes_seen_in_saved_sessions() {
    let t = "S: * OK [CAPABILITY IMAP4rev1] ready\nC: a1 LOGIN alice <password>\nS: a1 NO [REFERRAL imap://alice@other.example.com/] go elsewhere\n";
    let r = json(&support::analyze_stdin(t, &[]));
    assert!(has(&r, "referral-not-advertised"), "{:?}", codes(&r));
    let t = "S: * OK The Microsoft Exchange IMAP4 service is ready.\nC: a1 LOGIN alice <password>\nS: a1 OK LOGIN completed.\nC: a2 SELECT INBOX\nS: a2 NO Microsoft.Exchange.Data.Storage.WrongServerException: Cross Server access is not allowed for mailbox\n";
    let r = json(&support::analyze_stdin(t, &[]));
    assert!(has(&r, "exchange-wrong-server"), "{:?}", codes(&r));
}
