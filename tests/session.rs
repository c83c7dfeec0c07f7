//! Session correctness found by trying real servers, for the shapes no installed server of
//! the matrix takes: capabilities that change at login, no NAMESPACE, RLIST refused, a
//! port that waits for TLS, a server slow throughout, and TARGET URLs (RFC 5092).

mod support;

use std::time::Duration;

use support::scripted::{serve, simple_session};
use support::{check_plain, codes, finding, imapdiag, json, stdout};

const GREETING: &[u8] = b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN LOGINDISABLED] ready\r\n";

/// RFC 3501 §7.2.1: a LOGIN OK without a CAPABILITY code leaves the list unknown until
/// it is asked again; the list from before login is never copied.
#[test]
fn capabilities_after_login_come_from_after_login() {
    let s = serve(|c| {
        simple_session(
            c,
            b"* OK [CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN] ready\r\n",
            &[(
                "CAPABILITY",
                b"* CAPABILITY IMAP4rev1 NAMESPACE IDLE\r\n{TAG} OK done\r\n",
            )],
        )
    });
    let out = check_plain(&s.target(), &[]);
    let r = json(&out);
    let before = &r["server"]["capabilities_before_login"];
    assert_eq!(before[1], "STARTTLS", "{}", stdout(&out));
    assert_eq!(
        r["server"]["capabilities_after_login"],
        serde_json::json!(["IMAP4rev1", "NAMESPACE", "IDLE"])
    );
    // NAMESPACE is judged against the list after login: no "not advertised" finding.
    assert!(
        !codes(&r).contains(&"namespace-not-advertised".to_string()),
        "{:?}",
        codes(&r)
    );
}

/// Without NAMESPACE (not advertised and answered BAD), `namespace` still gives the
/// hierarchy delimiter from `LIST "" ""`, in JSON and in text.
#[test]
fn without_namespace_the_list_delimiter_is_still_reported() {
    let s = serve(|c| {
        simple_session(
            c,
            b"* OK [CAPABILITY IMAP4rev1] ready\r\n",
            &[
                ("CAPABILITY", b"* CAPABILITY IMAP4rev1\r\n{TAG} OK done\r\n"),
                ("NAMESPACE", b"{TAG} BAD unknown command\r\n"),
                (
                    "LIST",
                    b"* LIST (\\Noselect) \".\" \"\"\r\n{TAG} OK LIST done\r\n",
                ),
            ],
        )
    });
    let args = [
        "namespace",
        &s.target(),
        "--user",
        "alice",
        "--security",
        "plain",
        "--allow-plaintext-login",
    ];
    let out = imapdiag()
        .args(args)
        .args(["--format", "json"])
        .env("IMAPDIAG_PASSWORD", "pw")
        .output()
        .unwrap();
    let r = json(&out);
    assert_eq!(r["namespace"], serde_json::Value::Null, "{}", stdout(&out));
    assert_eq!(r["hierarchy"]["delimiter"], ".");
    finding(&r, "namespace-not-advertised");
    let out = imapdiag()
        .args(args)
        .env("IMAPDIAG_PASSWORD", "pw")
        .output()
        .unwrap();
    let text = stdout(&out);
    assert!(text.contains("Hierarchy (RFC 3501 §6.3.8)"), "{text}");
    assert!(text.contains("delimiter      \".\""), "{text}");
}

/// MAILBOX-REFERRALS advertised but RLIST refused: LIST instead, and a finding.
#[test]
fn rlist_refused_falls_back_to_list() {
    let s = serve(|c| {
        simple_session(
            c,
            b"* OK [CAPABILITY IMAP4rev1 NAMESPACE MAILBOX-REFERRALS] ready\r\n",
            &[
                ("RLIST", b"{TAG} BAD unknown command\r\n"),
                (
                    "LIST",
                    b"* LIST (\\Noselect) \"/\" \"\"\r\n{TAG} OK LIST done\r\n",
                ),
                (
                    "CAPABILITY",
                    b"* CAPABILITY IMAP4rev1 NAMESPACE MAILBOX-REFERRALS\r\n{TAG} OK done\r\n",
                ),
            ],
        )
    });
    let tgt = s.target();
    for pipeline in [true, false] {
        let mut args = vec!["namespace", &tgt, "--user", "alice", "--security", "plain"];
        args.extend(["--allow-plaintext-login", "--format", "json"]);
        if !pipeline {
            args.push("--no-pipeline");
        }
        let out = imapdiag()
            .args(&args)
            .env("IMAPDIAG_PASSWORD", "pw")
            .output()
            .unwrap();
        let r = json(&out);
        let f = finding(&r, "rlist-refused");
        assert_eq!(f["severity"], "warning", "pipeline {pipeline}");
        assert_eq!(
            r["hierarchy"]["delimiter"],
            "/",
            "pipeline {pipeline}: {}",
            stdout(&out)
        );
        assert_eq!(r["namespace"]["list_delimiter"], "/");
    }
}

/// A port that accepts and waits for a TLS ClientHello: the timeout names that cause.
#[test]
fn a_silent_greeting_suggests_implicit_tls() {
    let s = serve(|c| {
        let _ = c.line();
    });
    let out = check_plain(&s.target(), &["--timeout", "1"]);
    let r = json(&out);
    assert_eq!(out.status.code(), Some(2));
    let f = finding(&r, "timeout");
    assert!(f["remedy"].as_str().unwrap().contains("imaps://"), "{f}");
    assert!(
        f["remedy"].as_str().unwrap().contains("--security tls"),
        "{f}"
    );
}

/// Replies just under the step timeout: `--deadline` bounds the whole run.
#[test]
fn the_deadline_bounds_the_whole_run() {
    let s = serve(|c| {
        c.send(b"* OK [CAPABILITY IMAP4rev1 NAMESPACE] slow\r\n");
        while let Some((tag, _)) = c.command() {
            std::thread::sleep(Duration::from_millis(900));
            if !c.send(format!("{tag} OK slowly\r\n").as_bytes()) {
                return;
            }
        }
    });
    let out = check_plain(
        &s.target(),
        &["--timeout", "1", "--deadline", "2", "--no-pipeline"],
    );
    let r = json(&out);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    // Cut short: the steps after the deadline were never sent (no timing asserted).
    let names: Vec<&str> = r["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert!(
        !names.contains(&"select") && !names.contains(&"logout"),
        "{names:?}"
    );
    let f = finding(&r, "deadline-reached");
    assert!(
        f["summary"].as_str().unwrap().contains("--deadline (2 s)"),
        "{f}"
    );
}

/// RFC 5092: `;AUTH=` chooses the mechanism and the path the mailbox to SELECT.
#[test]
fn target_urls_carry_the_mechanism_and_the_mailbox() {
    let s = serve(|c| {
        simple_session(
            c,
            b"* OK [CAPABILITY IMAP4rev1 NAMESPACE AUTH=PLAIN SASL-IR] hi\r\n",
            &[],
        )
    });
    let url = format!("imap://alice;AUTH=PLAIN@{}/Sent%20Items", s.target());
    let out = imapdiag()
        .args([
            "check",
            &url,
            "--security",
            "plain",
            "--allow-plaintext-login",
            "--format",
            "json",
        ])
        .env("IMAPDIAG_PASSWORD", "pw")
        .output()
        .unwrap();
    let r = json(&out);
    assert_eq!(r["target"]["user"], "alice", "{}", stdout(&out));
    let sent = s.lines();
    assert!(
        sent.iter()
            .any(|l| l.ends_with("AUTHENTICATE PLAIN AGFsaWNlAHB3")),
        "{sent:?}"
    );
    assert!(
        sent.iter().any(|l| l.ends_with("SELECT \"Sent Items\"")),
        "{sent:?}"
    );
    // --mailbox still wins over the URL's.
    let out = imapdiag()
        .args([
            "check",
            &url,
            "--security",
            "plain",
            "--allow-plaintext-login",
            "--mailbox",
            "Drafts",
        ])
        .env("IMAPDIAG_PASSWORD", "pw")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(s.lines().iter().any(|l| l.ends_with("SELECT Drafts")));
}

/// Colour codes are never escaped into visible `\x1b[..m` text.
#[test]
fn no_escaped_colour_codes_in_any_output_line() {
    let s = serve(|c| simple_session(c, GREETING, &[]));
    for cmd in ["check", "namespace"] {
        let out = imapdiag()
            .args([
                cmd,
                &s.target(),
                "--user",
                "alice",
                "--security",
                "plain",
                "--allow-plaintext-login",
            ])
            .args(["--auth", "plain", "--color", "always", "--transcript"])
            .env("IMAPDIAG_PASSWORD", "pw")
            .output()
            .unwrap();
        let text = stdout(&out);
        assert!(
            text.contains("\x1b["),
            "--color always gave no colour: {text}"
        );
        assert!(text.contains("compared"), "{text}");
        assert!(!text.contains("\\x1b"), "{cmd}: {text}");
    }
    let out = imapdiag()
        .args(["demo", "--color", "always"])
        .output()
        .unwrap();
    assert!(!stdout(&out).contains("\\x1b"), "{}", stdout(&out));
}
