//! What no installable server does: grammar slips, endless lines, huge literals, silence,
//! injected plaintext, stray tags, hostile text. Each must end in bounded time with a
//! finding that names the problem, never a hang or a panic.

mod support;

use std::time::{Duration, Instant};

use support::scripted::{serve, simple_session, Conn};
use support::{check_plain, check_plain_cmd, codes, imapdiag, json, stdout};

const GREETING: &[u8] = b"* OK [CAPABILITY IMAP4rev1 NAMESPACE] scripted ready\r\n";

#[test]
fn a_garbage_line_is_reported_and_the_session_goes_on() {
    let s = serve(|c| {
        simple_session(
            c,
            GREETING,
            &[(
                "NAMESPACE",
                b"* \x00\xff((garbage\r\n* NAMESPACE ((\"\" \"/\")) NIL NIL\r\n{TAG} OK done\r\n",
            )],
        )
    });
    let out = check_plain(&s.target(), &[]);
    let r = json(&out);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert_eq!(
        codes(&r),
        [
            "plaintext-login",
            "response-grammar",
            "namespace-other-users-missing"
        ]
    );
    assert_eq!(
        r["findings"][1]["detail"],
        "does not match the RFC 3501 response grammar: * \u{0}\u{fffd}((garbage"
    );
    assert_eq!(r["namespace"]["raw"], r#"* NAMESPACE (("" "/")) NIL NIL"#);
    assert_eq!(r["mailbox"]["exists"], 2);
    assert_eq!(r["mailbox"]["uidvalidity"], 42);
}

#[test]
fn a_tagged_completion_the_codec_rejects_still_completes_the_command() {
    let s = serve(|c| {
        simple_session(
            c,
            GREETING,
            &[(
                "NAMESPACE",
                b"* NAMESPACE ((\"\" \"/\")) NIL NIL\r\n{TAG} ok \r\n",
            )],
        )
    });
    let started = Instant::now();
    let out = check_plain(&s.target(), &["--timeout", "5"]);
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "waited for a completion that had arrived"
    );
    let r = json(&out);
    assert_eq!(
        codes(&r),
        [
            "plaintext-login",
            "response-grammar",
            "namespace-other-users-missing"
        ]
    );
    let ns = r["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "namespace")
        .unwrap();
    assert_eq!(ns["status"], "ok");
    // a002 is the CAPABILITY asked after login (the LOGIN OK carried none).
    assert_eq!(ns["received"][1], "a003 ok ");
    assert_eq!(r["mailbox"]["access"], "read-write");
}

#[test]
fn an_endless_line_ends_with_response_too_long() {
    let s = serve(|c| {
        c.send(GREETING);
        let chunk = vec![b'x'; 64 * 1024];
        while c.send(&chunk) {}
    });
    let out = check_plain(&s.target(), &["--timeout", "30"]);
    let r = json(&out);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(codes(&r), ["plaintext-login", "response-too-long"]);
    assert!(r["findings"][1]["summary"]
        .as_str()
        .unwrap()
        .contains("exceeded the 1048576-byte limit"));
}

#[test]
fn a_huge_literal_announcement_is_refused_at_once() {
    let s = serve(|c| {
        simple_session(
            c,
            GREETING,
            &[("SELECT", b"* 1 FETCH (BODY[] {4294967295}\r\nabc")],
        )
    });
    let started = Instant::now();
    let out = check_plain(&s.target(), &["--timeout", "20"]);
    assert!(started.elapsed() < Duration::from_secs(10));
    let r = json(&out);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        codes(&r),
        [
            "plaintext-login",
            "response-too-long",
            "namespace-other-users-missing"
        ]
    );
    assert!(r["findings"][1]["summary"]
        .as_str()
        .unwrap()
        .contains("a literal of 4294967295 bytes was announced"));
}

#[test]
fn a_silent_server_times_out() {
    let s = serve(|c| {
        let _ = c.line();
    });
    let started = Instant::now();
    let out = imapdiag()
        .args(["check", &s.target(), "--timeout", "1", "--format", "json"])
        .output()
        .unwrap();
    assert!(started.elapsed() < Duration::from_secs(5));
    let r = json(&out);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(codes(&r), ["timeout"]);
    assert_eq!(r["steps"][1]["name"], "greeting");
    assert_eq!(r["steps"][1]["status"], "failed");
}

#[test]
fn a_closed_port_is_critical_within_the_timeout() {
    let port = support::free_port();
    let started = Instant::now();
    let out = imapdiag()
        .args([
            "check",
            &format!("127.0.0.1:{port}"),
            "--timeout",
            "3",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert!(started.elapsed() < Duration::from_secs(3));
    let r = json(&out);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(codes(&r), ["connect-failed"]);
    assert_eq!(r["status"], "critical");
    assert_eq!(r["schema"], "imapdiag.report/1");
    // Nothing was said, so nothing is named (and no profile had to be loaded).
    assert_eq!(r["server"]["fingerprint"]["confidence"], "none");
    assert!(r["server"]["fingerprint"]["product"].is_null());
    assert!(r["findings"][0]["detail"]
        .as_str()
        .unwrap()
        .contains("refused"));

    let text = imapdiag()
        .args(["check", &format!("127.0.0.1:{port}")])
        .output()
        .unwrap();
    assert!(stdout(&text).contains("CRITICAL connect-failed cannot connect to 127.0.0.1:"));
}

#[test]
fn injected_plaintext_after_starttls_ok_is_reported_not_read() {
    let s = serve(|c| {
        c.send(b"* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n");
        if let Some((tag, _)) = c.command() {
            c.send(
                format!(
                    "{tag} OK Begin TLS\r\n* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] injected\r\n"
                )
                .as_bytes(),
            );
            let _ = c.line();
        }
    });
    let out = imapdiag()
        .args(["check", &s.target(), "--timeout", "3", "--format", "json"])
        .output()
        .unwrap();
    let r = json(&out);
    assert_eq!(out.status.code(), Some(2));
    let codes = codes(&r);
    assert_eq!(codes[0], "starttls-plaintext-injection");
    assert!(r["findings"][0]["summary"]
        .as_str()
        .unwrap()
        .starts_with("49 bytes arrived after STARTTLS's OK"));
    assert!(
        !r["transcript"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["line"].as_str().unwrap().contains("injected")),
        "injected bytes were read as server data"
    );
}

#[test]
fn a_stray_tag_and_an_unasked_continuation_are_findings() {
    let s = serve(|c| {
        simple_session(c, GREETING, &[("NAMESPACE", b"zz9 OK stray\r\n+ go on\r\n* NAMESPACE ((\"\" \"/\")) NIL NIL\r\n{TAG} OK done\r\n")])
    });
    let r = json(&check_plain(&s.target(), &[]));
    assert_eq!(
        codes(&r),
        [
            "plaintext-login",
            "unexpected-tag",
            "unexpected-continuation",
            "namespace-other-users-missing"
        ]
    );
}

#[test]
fn greeting_bye_and_non_imap_greetings_are_critical() {
    let bye = serve(|c| {
        c.send(b"* BYE Too many connections from your IP\r\n");
    });
    let r = json(
        &imapdiag()
            .args(["check", &bye.target(), "--format", "json"])
            .output()
            .unwrap(),
    );
    assert_eq!(codes(&r), ["greeting-bye"]);
    assert_eq!(
        r["findings"][0]["detail"],
        "Too many connections from your IP"
    );

    let pop = serve(|c| {
        c.send(b"+OK POP3 server ready\r\n");
    });
    let r = json(
        &imapdiag()
            .args(["check", &pop.target(), "--format", "json"])
            .output()
            .unwrap(),
    );
    assert_eq!(codes(&r), ["greeting-unrecognised"]);
    assert_eq!(r["status"], "critical");
}

#[test]
fn terminal_escapes_from_the_server_are_escaped_in_text() {
    let s = serve(|c| simple_session(c, b"* OK \x1b]0;pwned\x07\x1b[2J hello\r\n", &[]));
    let out = imapdiag()
        .args(["check", &s.target(), "--transcript"])
        .output()
        .unwrap();
    let text = stdout(&out);
    assert!(
        !text.contains('\x1b') && !text.contains('\x07'),
        "raw escape reached the terminal"
    );
    assert!(
        text.contains(r"* OK \x1b]0;pwned\x07\x1b[2J hello"),
        "{text}"
    );
}

#[test]
fn bare_lf_line_endings_are_a_finding() {
    let s = serve(|c| simple_session(c, b"* OK [CAPABILITY IMAP4rev1] lf only\n", &[]));
    let r = json(
        &imapdiag()
            .args(["check", &s.target(), "--format", "json"])
            .output()
            .unwrap(),
    );
    assert!(
        codes(&r).contains(&"bare-lf".to_string()),
        "{:?}",
        codes(&r)
    );
}

#[test]
fn backslash_logins_arrive_quoted_and_slash_logins_as_atoms() {
    let s = serve(|c| simple_session(c, GREETING, &[]));
    for (user, wire) in [
        (r"dom\user\alias", r#"a001 LOGIN "dom\\user\\alias" secret"#),
        ("DOM/user/alias", "a001 LOGIN DOM/user/alias secret"),
    ] {
        let out = imapdiag()
            .args([
                "check",
                &s.target(),
                "--user",
                user,
                "--security",
                "plain",
                "--allow-plaintext-login",
                "--quit-after",
                "login",
            ])
            .env("IMAPDIAG_PASSWORD", "secret")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
        assert!(s.lines().contains(&wire.to_string()), "{:?}", s.lines());
    }
}

#[test]
fn sync_literal_waits_for_the_continuation() {
    // An 8-bit password needs a literal; the server must say "+" before it is sent.
    let s = serve(|c: &mut Conn| {
        c.send(GREETING);
        let Some(line) = c.line() else { return };
        assert!(line.ends_with("{9}"), "{line}");
        c.send(b"+ Ready for literal\r\n");
        let rest = c.line().unwrap();
        assert_eq!(rest, "pässword");
        c.send(b"a001 NO [AUTHENTICATIONFAILED] nope\r\n");
    });
    let out = check_plain_cmd(&s.target())
        .args(["--format", "json"])
        .env("IMAPDIAG_PASSWORD", "pässword")
        .output()
        .unwrap();
    let r = json(&out);
    assert_eq!(
        codes(&r),
        [
            "plaintext-login",
            "login-failed",
            "logout-incomplete",
            "rfc5530-authenticationfailed"
        ]
    );
    assert_eq!(r["findings"][1]["detail"], "nope");
    assert_eq!(r["findings"][2]["severity"], "info");
}

#[test]
fn commands_go_in_two_flights_and_a_server_that_drops_the_second_is_judged_one_at_a_time() {
    // RFC 3501 §6.2.2: nothing follows LOGIN in its flight; the rest goes after its OK.
    let s = serve(|c| simple_session(c, GREETING, &[]));
    let out = check_plain(&s.target(), &[]);
    let r = json(&out);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let note = |name: &str| {
        r["steps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == name)
            .unwrap()["note"]
            .clone()
    };
    assert_eq!(note("login"), "pipelined: login");
    assert_eq!(
        note("namespace"),
        "pipelined: capability, namespace, select, logout"
    );
    assert_eq!(
        r["timing"]["round_trips"], 4,
        "connect, greeting, two flights"
    );
    let sent: Vec<String> = s.lines();
    let login = sent.iter().position(|l| l.contains("LOGIN")).unwrap();
    assert_eq!(sent.len(), login + 5, "{sent:?}");

    // A server that answers LOGIN and loses everything sent with the next flight.
    let lossy = serve(|c| {
        c.send(GREETING);
        let Some((tag, _)) = c.command() else { return };
        c.send(format!("{tag} OK LOGIN completed\r\n").as_bytes());
        std::thread::sleep(Duration::from_millis(300));
        c.discard_buffered();
        simple_session(c, b"", &[]);
    });
    let started = Instant::now();
    let out = check_plain(&lossy.target(), &["--timeout", "8"]);
    assert!(
        started.elapsed() < Duration::from_secs(7),
        "waited out the timeout"
    );
    let r = json(&out);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let lost = support::finding(&r, "pipelining-mishandled");
    assert_eq!(lost["severity"], "info");
    assert_eq!(
        lost["summary"],
        "CAPABILITY, NAMESPACE, SELECT, LOGOUT sent together after login went unanswered; imapdiag sent them again one at a time"
    );
    assert!(lost["detail"].as_str().unwrap().contains("RFC 3501 §5.5"));
    assert!(!lost["remedy"].as_str().unwrap().contains("--timeout"));
    assert_eq!(r["namespace"]["raw"], r#"* NAMESPACE (("" "/")) NIL NIL"#);
    assert_eq!(r["mailbox"]["exists"], 2);
}

type Overrides = &'static [(&'static str, &'static [u8])];

/// The scripted servers' reports are a contract too: text (with the transcript) and JSON
/// snapshots, the port and the timings replaced.
#[test]
fn scripted_reports_are_snapshots() {
    let cases: &[(&str, &'static [u8], Overrides)] = &[
        ("healthy", GREETING, &[]),
        ("garbage-line", GREETING, &[("NAMESPACE", b"* \x00\xff((garbage\r\n* NAMESPACE ((\"\" \"/\")) NIL NIL\r\n{TAG} OK done\r\n")]),
        ("stray-tag", GREETING, &[("NAMESPACE", b"zz9 OK stray\r\n+ go on\r\n* NAMESPACE ((\"\" \"/\")) NIL NIL\r\n{TAG} OK done\r\n")]),
        ("bare-lf", b"* OK [CAPABILITY IMAP4rev1 NAMESPACE] lf only\n", &[]),
        ("alert-and-escapes", b"* OK [ALERT] \x1b[2J maintenance at 22:00 \\x1b\r\n", &[]),
        ("login-refused", GREETING, &[("LOGIN", b"{TAG} NO [AUTHENTICATIONFAILED] Authentication failed.\r\n")]),
        ("greeting-bye", b"* BYE Too many connections from your IP\r\n", &[]),
    ];
    for &(name, greeting, overrides) in cases {
        let s = serve(move |c| simple_session(c, greeting, overrides));
        let port = format!(":{}", s.port);
        let json_out = check_plain(&s.target(), &[]);
        let text = stdout(&json_out).replace(&port, ":[port]");
        let r: serde_json::Value = serde_json::from_str(&text).unwrap();
        insta::assert_json_snapshot!(format!("scripted-{name}.json"), r, {
            ".timing" => "[timing]",
            ".**.elapsed_ms" => "[ms]",
            ".**.t_ms" => "[ms]",
            ".target.port" => "[port]",
            ".hops[].port" => "[port]",
        });
        let text_out = check_plain_cmd(&s.target())
            .args(["--auth", "login", "--transcript"])
            .env("IMAPDIAG_PASSWORD", "secret")
            .output()
            .unwrap();
        insta::assert_snapshot!(
            format!("scripted-{name}.txt"),
            timeless(&stdout(&text_out).replace(&port, ":[port]"))
        );
    }
}

/// Step times (`12.3 ms`) and transcript offsets (`0.012`) vary from run to run.
fn timeless(text: &str) -> String {
    let step = regex::Regex::new(r"\d+\.\d ms").unwrap();
    let offset = regex::Regex::new(r"(?m)^(\s+)\d+\.\d{3} ").unwrap();
    let text = step.replace_all(text, "[ms]");
    offset.replace_all(&text, "$1[t] ").into_owned()
}
