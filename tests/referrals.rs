//! Referrals (RFC 2221, RFC 2193): real Dovecot login referrals, followed to a second
//! instance and looping between two; Exchange's OK referral and "no replica" from the
//! emulator; what no server sends (BYE referral, malformed URL, referral into another
//! domain or into plaintext) from scripted servers.

mod support;

use serde_json::Value;
use support::dovecot::{self, Dovecot, Layout, User};
use support::emulator;
use support::scripted::{serve, simple_session};
use support::{codes, finding, imapdiag, json, pki::pki, stdout};

fn ca() -> String {
    pki().ca_cert.display().to_string()
}

/// `check TARGET --user USER` with JSON output and `extra` flags.
fn check(target: &str, user: &str, password: &str, extra: &[&str]) -> std::process::Output {
    imapdiag()
        .args(["check", target, "--user", user, "--format", "json"])
        .args(extra)
        .env("IMAPDIAG_PASSWORD", password)
        .output()
        .unwrap()
}

fn severity_of<'a>(r: &'a Value, code: &str) -> &'a str {
    finding(r, code)["severity"].as_str().unwrap()
}

fn steps_of(r: &Value, hop: u64) -> Vec<String> {
    r["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["hop"] == hop)
        .map(|s| {
            format!(
                "{} {}",
                s["name"].as_str().unwrap(),
                s["status"].as_str().unwrap()
            )
        })
        .collect()
}

fn wire(r: &Value) -> Vec<String> {
    r["transcript"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            format!(
                "{} {}",
                w["dir"].as_str().unwrap(),
                w["line"].as_str().unwrap()
            )
        })
        .collect()
}

/// Two Dovecot instances; `a_users` and `b_users` are given each other's ports.
fn pair(
    a_users: impl Fn(u16) -> Vec<User>,
    b_users: impl Fn(u16) -> Vec<User>,
) -> Option<(Dovecot, Dovecot)> {
    let a = dovecot::start_default(Layout::Plain)?;
    let b = dovecot::start_default(Layout::Plain)?;
    a.set_users(&a_users(b.port));
    b.set_users(&b_users(a.port));
    Some((a, b))
}

fn referral_to(name: &'static str, port: u16, dest: &str) -> User {
    User {
        name,
        password: "secret",
        extra: format!("nologin host=127.0.0.1 port={port} destuser={dest}"),
    }
}

#[test]
fn dovecot_login_referral_is_decoded_then_followed_to_the_second_instance() {
    let Some((a, b)) = pair(
        |b| {
            vec![
                User::new("alice", "secret"),
                referral_to("moved", b, "alice"),
            ]
        },
        |_| vec![User::new("alice", "secret")],
    ) else {
        return;
    };
    let url = format!("imap://alice;AUTH=PLAIN@127.0.0.1:{}/", b.port);

    let out = check(&a.target(), "moved", "secret", &["--ca-file", &ca()]);
    let r = json(&out);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    let referral_line = format!("S a004 NO [REFERRAL {url}] Try this server instead.");
    assert!(wire(&r).contains(&referral_line), "{:#?}", wire(&r));
    let f = &r["referrals"][0];
    assert_eq!(f["step"], "authenticate");
    assert_eq!(f["response"], "NO");
    assert_eq!(f["url"], url.as_str());
    assert_eq!(f["user"], "alice");
    assert_eq!(f["auth"], "PLAIN");
    assert_eq!(f["host"], "127.0.0.1");
    assert_eq!(f["port"], b.port);
    assert_eq!(f["followed"], false);
    assert_eq!(f["outcome"], "not followed: --follow-referrals not given");
    assert_eq!(severity_of(&r, "login-referral"), "critical");
    assert_eq!(r["hops"].as_array().unwrap().len(), 1);

    let out = check(
        &a.target(),
        "moved",
        "secret",
        &["--ca-file", &ca(), "--follow-referrals"],
    );
    let r = json(&out);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert_eq!(r["referrals"][0]["followed"], true);
    assert_eq!(r["referrals"][0]["outcome"], "followed to hop 1");
    assert_eq!(severity_of(&r, "login-referral"), "warning");
    let softened = finding(&r, "login-referral")["detail"].as_str().unwrap();
    assert!(
        softened.ends_with(". Followed to hop 1 (--follow-referrals)."),
        "{softened}"
    );
    let hop = &r["hops"][1];
    assert_eq!(
        (&hop["host"], &hop["port"], &hop["user"], &hop["security"]),
        (
            &Value::from("127.0.0.1"),
            &Value::from(b.port),
            &Value::from("alice"),
            &Value::from("starttls")
        )
    );
    assert_eq!(hop["via"], url.as_str());
    assert_eq!(
        steps_of(&r, 1),
        [
            "connect ok",
            "greeting ok",
            "starttls ok",
            "tls ok",
            "capability ok",
            "id ok",
            "authenticate ok",
            "namespace ok",
            "select ok",
            "logout ok"
        ]
    );
    assert_eq!(r["mailbox"]["name"], "INBOX");
    assert_eq!(r["tls"]["verified"], true);
    assert!(!stdout(&out).contains("secret"), "password leaked");
    assert!(b.log().contains("user=<alice>"), "{}", b.log());
}

#[test]
fn dovecot_referral_loop_stops_at_once_and_the_hop_limit_holds() {
    let Some((a, b)) = pair(
        |b| vec![referral_to("loop", b, "loop")],
        |a| vec![referral_to("loop", a, "loop")],
    ) else {
        return;
    };
    let flags = ["--ca-file", &ca(), "--follow-referrals"];
    let out = check(&a.target(), "loop", "secret", &flags);
    let r = json(&out);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    assert_eq!(r["hops"].as_array().unwrap().len(), 2);
    assert_eq!(r["hops"][1]["port"], b.port);
    assert_eq!(severity_of(&r, "referral-loop"), "critical");
    assert_eq!(
        r["referrals"][1]["outcome"],
        "not followed: it loops back to hop 0"
    );
    // The first referral was followed, so its own finding is softened; the loop is not.
    assert_eq!(r["referrals"][0]["followed"], true);

    let mut limited = flags.to_vec();
    limited.extend(["--max-referrals", "1"]);
    let r = json(&check(&a.target(), "loop", "secret", &limited));
    assert_eq!(r["hops"].as_array().unwrap().len(), 2);
    assert!(codes(&r).contains(&"referral-hop-limit".to_string()));
    assert!(!codes(&r).contains(&"referral-loop".to_string()));

    let out = check(
        &a.target(),
        "loop",
        "secret",
        &["--follow-referrals", "--max-referrals", "11"],
    );
    assert_eq!(
        out.status.code(),
        Some(3),
        "more than 10 hops is a usage error"
    );
}

#[test]
fn a_tls_session_is_not_followed_into_plaintext() {
    let plain = serve(|c| {
        simple_session(
            c,
            b"* OK [CAPABILITY IMAP4rev1 NAMESPACE] no TLS here\r\n",
            &[],
        )
    });
    let Some(a) = dovecot::start(Layout::Plain, vec![]) else {
        return;
    };
    a.set_users(&[referral_to("away", plain.port, "alice")]);
    let out = check(
        &a.target(),
        "away",
        "secret",
        &[
            "--ca-file",
            &ca(),
            "--follow-referrals",
            "--allow-plaintext-login",
        ],
    );
    let r = json(&out);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    assert_eq!(severity_of(&r, "referral-tls-downgrade"), "critical");
    assert_eq!(r["hops"][1]["security"], "starttls");
    // It was reached (its greeting is in the report), but nothing was sent to it.
    assert_eq!(
        r["hops"][1]["greeting"],
        "* OK [CAPABILITY IMAP4rev1 NAMESPACE] no TLS here"
    );
    assert!(
        plain.lines().is_empty(),
        "sent in plaintext: {:?}",
        plain.lines()
    );
}

#[test]
fn kb217388_is_explained_then_followed_only_when_trusted() {
    let s = emulator::serve("exchange55-referral", &[]);
    let target = format!("127.0.0.1:{}", s.port);
    let base = ["--insecure"];
    let out = check(&target, "DOMname/UserN/AliasN", "PASSword", &base);
    let r = json(&out);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    let w = wire(&r);
    for line in [
        "S * OK Microsoft Exchange IMAP4rev1 server version 5.5.1960.6 (reedlm4.com) ready",
        "C a004 LOGIN DOMname/UserN/AliasN <redacted>",
        "S a004 OK [REFERRAL imap://redmond%2Freedl%2Fimapf;AUTH=*@reedlm1.reedlm1.com] LOGIN completed",
        // a005 is the CAPABILITY asked after login (RFC 3501 §7.2.1).
        "C a007 SELECT INBOX",
        "S a007 NO There is no replica for that mailbox on this server.",
    ] {
        assert!(w.contains(&line.to_string()), "{line} not in {w:#?}");
    }
    let f = &r["referrals"][0];
    assert_eq!(f["user"], "redmond/reedl/imapf");
    assert_eq!(f["auth"], "*");
    assert_eq!(
        (&f["host"], &f["port"]),
        (&Value::from("reedlm1.reedlm1.com"), &Value::from(143))
    );
    assert_eq!(f["mailbox"], Value::Null);
    assert_eq!(severity_of(&r, "login-referral"), "warning");
    assert_eq!(severity_of(&r, "no-replica-after-referral"), "critical");
    let no_replica = finding(&r, "no-replica-after-referral");
    assert!(no_replica["remedy"]
        .as_str()
        .unwrap()
        .contains("connect to reedlm1.reedlm1.com:143 as redmond/reedl/imapf"));

    // Asked to follow, but the home server is outside 127.0.0.1's domain.
    let out = check(
        &target,
        "DOMname/UserN/AliasN",
        "PASSword",
        &["--insecure", "--follow-referrals"],
    );
    let r = json(&out);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(severity_of(&r, "referral-untrusted"), "warning");
    assert!(r["referrals"][0]["outcome"]
        .as_str()
        .unwrap()
        .contains("--trust-referral reedlm1.reedlm1.com"));

    // Trusted, with the home server's name pointed at the emulator's second listener.
    let connect_to = format!("reedlm1.reedlm1.com:143:127.0.0.1:{}", s.home);
    let out = check(
        &target,
        "DOMname/UserN/AliasN",
        "PASSword",
        &[
            "--insecure",
            "--follow-referrals",
            "--trust-referral",
            "reedlm1.reedlm1.com",
            "--connect-to",
            &connect_to,
        ],
    );
    let r = json(&out);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(!codes(&r).contains(&"no-replica-after-referral".to_string()));
    assert_eq!(r["hops"][1]["dialled"], format!("127.0.0.1:{}", s.home));
    assert_eq!(r["hops"][1]["user"], "redmond/reedl/imapf");
    assert_eq!(r["mailbox"]["exists"], 5);
    assert!(wire(&r).contains(&"C a004 LOGIN redmond/reedl/imapf <redacted>".to_string()));
    assert!(!steps_of(&r, 0).iter().any(|s| s.starts_with("select")));
}

#[test]
fn text_report_decodes_the_referral() {
    let s = emulator::serve("exchange55-referral", &[]);
    let out = imapdiag()
        .args([
            "check",
            &format!("127.0.0.1:{}", s.port),
            "-u",
            "DOMname/UserN/AliasN",
            "--insecure",
        ])
        .env("IMAPDIAG_PASSWORD", "PASSword")
        .output()
        .unwrap();
    let text = stdout(&out);
    for line in [
        "  login OK imap://redmond%2Freedl%2Fimapf;AUTH=*@reedlm1.reedlm1.com",
        "  server         reedlm1.reedlm1.com:143",
        "  user           redmond/reedl/imapf",
        "  outcome        not followed: --follow-referrals not given",
    ] {
        assert!(text.contains(line), "{line:?} not in:\n{text}");
    }
}

#[test]
fn mailbox_referral_is_followed_with_the_urls_mailbox_and_rlist_is_used() {
    let dir = tempfile::tempdir().unwrap();
    let users = dir.path().join("users");
    std::fs::write(&users, "user:pw:INBOX=1,REMOTE=3\n").unwrap();
    let users = users.to_str().unwrap();
    let first = emulator::serve("mailbox-referral", &["--users", users]);
    let second = emulator::serve("exchange55", &["--users", users]);
    let connect_to = format!("SERVER2:143:127.0.0.1:{}", second.port);
    let out = check(
        &format!("127.0.0.1:{}", first.port),
        "user",
        "pw",
        &[
            "--insecure",
            "--mailbox",
            "REMOTE",
            "--follow-referrals",
            "--trust-referral",
            "server2",
            "--trust-referral",
            "SERVER3",
            "--connect-to",
            &connect_to,
        ],
    );
    let r = json(&out);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert_eq!(r["referrals"][0]["mailbox"], "REMOTE");
    assert_eq!(r["referrals"][0]["outcome"], "followed to hop 1");
    assert_eq!(
        r["referrals"][1]["outcome"],
        "not followed: an earlier referral was followed"
    );
    assert_eq!(severity_of(&r, "mailbox-referral"), "warning");
    assert_eq!(r["mailbox"]["name"], "REMOTE");
    assert_eq!(r["mailbox"]["exists"], 3);

    // The namespace command asks RLIST when MAILBOX-REFERRALS is advertised.
    let out = imapdiag()
        .args([
            "namespace",
            &format!("127.0.0.1:{}", second.port),
            "-u",
            "user",
            "--insecure",
            "--format",
            "json",
        ])
        .env("IMAPDIAG_PASSWORD", "pw")
        .output()
        .unwrap();
    let r = json(&out);
    assert!(
        wire(&r).contains(&"C a007 RLIST \"\" \"\"".to_string()),
        "{:#?}",
        wire(&r)
    );
    assert_eq!(r["namespace"]["list_delimiter"], "/");
}

#[test]
fn greeting_bye_referral_is_followed_to_the_named_server() {
    let home = serve(|c| simple_session(c, b"* OK [CAPABILITY IMAP4rev1 NAMESPACE] home\r\n", &[]));
    let bye = format!(
        "* BYE [REFERRAL imap://127.0.0.1:{}/] Try the other server\r\n",
        home.port
    );
    let away = serve(move |c| {
        c.send(bye.as_bytes());
    });
    let flags = ["--security", "plain", "--allow-plaintext-login"];
    let out = check(&away.target(), "alice", "secret", &flags);
    let r = json(&out);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(codes(&r), ["greeting-referral"]);
    assert_eq!(r["referrals"][0]["response"], "BYE");
    assert!(home.lines().is_empty());

    let mut follow = flags.to_vec();
    follow.push("--follow-referrals");
    let out = check(&away.target(), "alice", "secret", &follow);
    let r = json(&out);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert_eq!(severity_of(&r, "greeting-referral"), "warning");
    assert_eq!(r["hops"][1]["port"], home.port);
    assert!(
        home.lines()
            .contains(&"a001 LOGIN alice secret".to_string()),
        "{:?}",
        home.lines()
    );
    assert_eq!(r["mailbox"]["exists"], 2);
}

#[test]
fn a_malformed_referral_url_is_quoted_and_not_followed() {
    let s = serve(|c| {
        simple_session(
            c,
            b"* OK [CAPABILITY IMAP4rev1 NAMESPACE] ready\r\n",
            &[(
                "LOGIN",
                b"{TAG} NO [REFERRAL imap://alice@mail.example.com:99999/INBOX] moved\r\n",
            )],
        )
    });
    let out = check(
        &s.target(),
        "alice",
        "secret",
        &[
            "--security",
            "plain",
            "--allow-plaintext-login",
            "--follow-referrals",
        ],
    );
    let r = json(&out);
    assert_eq!(out.status.code(), Some(2));
    let f = finding(&r, "referral-url-malformed");
    assert_eq!(f["detail"], "imap://alice@mail.example.com:99999/INBOX");
    assert_eq!(r["referrals"][0]["error"], "invalid port \"99999\"");
    assert_eq!(r["referrals"][0]["host"], Value::Null);
    assert_eq!(
        r["referrals"][0]["outcome"],
        "not followed: the URL is malformed"
    );
    assert_eq!(r["hops"].as_array().unwrap().len(), 1);
}

#[test]
fn a_referral_into_another_domain_never_receives_the_login() {
    let other = serve(|c| {
        simple_session(
            c,
            b"* OK [CAPABILITY IMAP4rev1 NAMESPACE] elsewhere\r\n",
            &[],
        )
    });
    let s = serve(|c| {
        simple_session(
            c,
            b"* OK [CAPABILITY IMAP4rev1 NAMESPACE] ready\r\n",
            &[(
                "LOGIN",
                b"{TAG} NO [REFERRAL imap://alice@imap.elsewhere.example/] moved\r\n",
            )],
        )
    });
    let connect_to = format!("imap.elsewhere.example:143:127.0.0.1:{}", other.port);
    let mut flags = vec![
        "--security",
        "plain",
        "--allow-plaintext-login",
        "--follow-referrals",
        "--connect-to",
        &connect_to,
    ];
    let out = check(&s.target(), "alice", "secret", &flags);
    let r = json(&out);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(severity_of(&r, "login-referral"), "critical");
    assert_eq!(severity_of(&r, "referral-untrusted"), "warning");
    assert!(
        other.lines().is_empty(),
        "the other domain saw {:?}",
        other.lines()
    );

    // The same run with the host trusted does reach it: the test above can fail.
    flags.extend(["--trust-referral", "imap.elsewhere.example"]);
    let out = check(&s.target(), "alice", "secret", &flags);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(other.lines().iter().any(|l| l.contains("LOGIN alice")));
}

/// A followed referral whose server cannot be reached: the report still describes the
/// server that was reached, and each finding names the hop where it was seen.
#[test]
fn a_failing_later_hop_keeps_what_the_earlier_hop_showed() {
    let Some(a) = dovecot::start_default(Layout::Plain) else {
        return;
    };
    let dead = support::free_port();
    a.set_users(&[
        User::new("alice", "secret"),
        referral_to("moved", dead, "alice"),
    ]);
    let out = check(
        &a.target(),
        "moved",
        "secret",
        &["--ca-file", &ca(), "--follow-referrals"],
    );
    let r = json(&out);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    assert_eq!(r["hops"].as_array().unwrap().len(), 2);
    assert_eq!(r["hops"][1]["greeting"], Value::Null);
    let greeting = r["server"]["greeting"].as_str().unwrap_or_default();
    assert!(
        greeting.contains("Dovecot"),
        "server block erased: {}",
        r["server"]
    );
    assert_eq!(r["tls"]["verified"], true);
    assert_eq!(r["server"]["fingerprint"]["product"], "Dovecot");
    assert_eq!(finding(&r, "connect-failed")["hop"], 1);
    assert_eq!(finding(&r, "login-referral")["hop"], 0);
    for f in r["findings"].as_array().unwrap() {
        assert!(f["hop"] == 0 || f["hop"] == 1, "{f}");
    }
}
