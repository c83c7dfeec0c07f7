//! The security review's attacks, replayed by hostile servers on 127.0.0.1: a forged
//! PREAUTH, referrals that arrive before TLS, and servers that echo the password. Each
//! test counts what every server received and asserts that no credential went where none
//! may go, and that no output shows one.

mod support;

use support::dovecot::{self, Layout, User};
use support::scripted::{serve, simple_session, Scripted};
use support::{codes, finding, imapdiag, json, pki::pki, stdout};

const PASSWORD: &str = "Tr0ub4dor&3";
/// base64("\0alice\0Tr0ub4dor&3"), the SASL PLAIN response.
const PLAIN_B64: &str = "AGFsaWNlAFRyMHViNGRvciYz";

/// Whether a server received the password in any form.
fn got_password(s: &Scripted) -> bool {
    let all = s.lines().join("\n");
    all.contains(PASSWORD) || all.contains(PLAIN_B64)
}

fn run(args: &[&str]) -> std::process::Output {
    imapdiag()
        .args(args)
        .args(["--user", "alice", "--format", "json"])
        .env("IMAPDIAG_PASSWORD", PASSWORD)
        .output()
        .unwrap()
}

#[test]
fn a_forged_preauth_in_plaintext_ends_the_run_unless_plaintext_was_chosen() {
    let s = serve(|c| {
        c.send(b"* PREAUTH [CAPABILITY IMAP4rev1 NAMESPACE STARTTLS] forged\r\n");
        while c.line().is_some() {}
    });
    let t = s.target();
    for args in [
        vec!["check", &t, "--security", "starttls"],
        vec!["check", &t],
        vec!["namespace", &t, "--security", "starttls"],
    ] {
        let out = run(&args);
        let r = json(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stdout(&out));
        assert_eq!(finding(&r, "preauth-before-tls")["severity"], "critical");
        assert!(!codes(&r).contains(&"greeting-preauth".to_string()));
    }
    assert!(
        s.lines().is_empty(),
        "sent after a plaintext PREAUTH: {:?}",
        s.lines()
    );
    // The user who chose plaintext gets the pre-authenticated session.
    let out = run(&["check", &t, "--security", "plain", "--timeout", "1"]);
    assert!(codes(&json(&out)).contains(&"greeting-preauth".to_string()));
    assert!(!got_password(&s));
}

#[test]
fn a_preauth_on_a_referral_hop_after_tls_is_a_downgrade() {
    let Some(d) = dovecot::start_default(Layout::Plain) else {
        return;
    };
    let hop = serve(|c| {
        c.send(b"* PREAUTH [CAPABILITY IMAP4rev1 NAMESPACE] forged\r\n");
        while c.line().is_some() {}
    });
    d.set_users(&[User {
        name: "alice",
        password: "secret",
        extra: format!("nologin host=127.0.0.1 port={} destuser=alice", hop.port),
    }]);
    let ca = pki().ca_cert.display().to_string();
    let out = imapdiag()
        .args(["check", &d.target(), "--user", "alice", "--ca-file", &ca])
        .args(["--follow-referrals", "--format", "json"])
        .env("IMAPDIAG_PASSWORD", "secret")
        .output()
        .unwrap();
    let r = json(&out);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    assert_eq!(r["referrals"][0]["over_tls"], true);
    let f = finding(&r, "referral-tls-downgrade");
    assert_eq!(f["hop"], 1);
    assert!(
        hop.lines().is_empty(),
        "sent to the PREAUTH hop: {:?}",
        hop.lines()
    );
}

/// The attacker's server, in the target's own domain, that a forged referral names.
fn attacker() -> Scripted {
    serve(|c| simple_session(c, b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] evil\r\n", &[]))
}

#[test]
fn a_referral_in_a_plaintext_greeting_never_steers_the_credentials() {
    let evil = attacker();
    let url = format!("imap://alice@127.0.0.1:{}/", evil.port);
    let bye = format!("* BYE [REFERRAL {url}] moved\r\n").into_bytes();
    let s = serve(move |c| {
        c.send(&bye);
    });
    let out = run(&[
        "check",
        &s.target(),
        "--follow-referrals",
        "--allow-plaintext-login",
    ]);
    let r = json(&out);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    assert_eq!(r["referrals"][0]["over_tls"], false);
    assert_eq!(
        r["referrals"][0]["outcome"],
        "not followed: it arrived before TLS"
    );
    finding(&r, "referral-before-tls");
    assert_eq!(evil.connections(), 0);
    assert!(!got_password(&evil));
}

#[test]
fn a_referral_answering_starttls_never_steers_the_credentials() {
    let evil = attacker();
    let url = format!("imap://alice@127.0.0.1:{}/", evil.port);
    let s = serve(move |c| {
        c.send(b"* OK [CAPABILITY IMAP4rev1 STARTTLS] hi\r\n");
        if let Some((tag, _)) = c.command() {
            c.send(format!("{tag} NO [REFERRAL {url}] use the other server\r\n").as_bytes());
        }
        while c.line().is_some() {}
    });
    let out = run(&[
        "check",
        &s.target(),
        "--security",
        "starttls",
        "--follow-referrals",
    ]);
    let r = json(&out);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    finding(&r, "referral-before-tls");
    assert_eq!(evil.connections(), 0);
    assert!(!got_password(&s) && !got_password(&evil));
}

/// A server that echoes the password (raw, quoted, or as the SASL blob): redacted by value
/// in text, JSON and the transcript.
#[test]
fn an_echoed_password_is_redacted_in_every_output() {
    let echo = format!(
        "{{TAG}} NO [AUTHENTICATIONFAILED] LOGIN alice {PASSWORD} failed (\"{PASSWORD}\", {PLAIN_B64})\r\n"
    );
    let echo: &'static [u8] = Box::leak(echo.into_bytes().into_boxed_slice());
    let s = serve(move |c| {
        simple_session(
            c,
            b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR] echo\r\n",
            &[("LOGIN", echo), ("AUTHENTICATE", echo)],
        )
    });
    for auth in ["login", "plain"] {
        for format in ["json", "text"] {
            let out = support::check_plain_cmd(&s.target())
                .args(["--auth", auth, "--transcript", "--format", format])
                .env("IMAPDIAG_PASSWORD", PASSWORD)
                .output()
                .unwrap();
            let text = stdout(&out);
            assert_eq!(out.status.code(), Some(2), "{text}");
            assert!(
                text.contains("<redacted> failed"),
                "{auth} {format}: {text}"
            );
            assert!(
                !text.contains(PASSWORD) && !text.contains(PLAIN_B64),
                "{auth} {format}: {text}"
            );
        }
    }
}

/// `analyze` of pastes whose spacing is irregular, and of a two-step AUTHENTICATE: the
/// password and the SASL response appear in no output.
#[test]
fn analyze_redacts_whatever_the_spacing() {
    let greeting = "* OK [CAPABILITY IMAP4rev1 NAMESPACE AUTH=PLAIN] ready";
    let pastes = [
        format!("{greeting}\n   a001 LOGIN alice {PASSWORD}\na001 OK done\n"),
        format!("{greeting}\na001  LOGIN alice {PASSWORD}\na001 OK done\n"),
        format!("{greeting}\na001\tLOGIN\talice\t{PASSWORD}\na001 OK done\n"),
        format!("S: {greeting}\nC:  a001 LOGIN alice {PASSWORD}\nS: a001 OK done\n"),
        format!("S: {greeting}\nC: a001  LOGIN  alice  {PASSWORD}\nS: a001 OK done\n"),
        format!("S: {greeting}\nC: a1 AUTHENTICATE PLAIN\nS: +\nC: {PLAIN_B64}\nS: a1 OK done\n"),
        format!("S: {greeting}\nC: a1 AUTHENTICATE PLAIN\nS: + \nC:   {PLAIN_B64}  \nS: a1 NO [AUTHENTICATIONFAILED] no\nC: a2 LOGOUT\n"),
    ];
    analyze_each(&pastes, |text| {
        text.contains("alice") || text.contains("<redacted>")
    });
}

/// `analyze` of pastes whose server echoes the password or the SASL response back (in a
/// tagged or untagged text, after LOGIN, AUTHENTICATE with an initial response, a two-step
/// AUTHENTICATE, or a LOGIN literal whose `+` the log left out): the echo is redacted by
/// value, as a live check redacts it.
#[test]
fn analyze_redacts_a_password_the_server_echoed() {
    let greeting = "S: * OK [CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR] ready";
    let pastes = [
        format!("{greeting}\nC: a1 LOGIN alice {PASSWORD}\nS: a1 NO [AUTHENTICATIONFAILED] bad password {PASSWORD}\n"),
        format!("{greeting}\nC: a1 LOGIN alice \"{PASSWORD}\"\nS: * BAD echo: a1 LOGIN alice \"{PASSWORD}\"\nS: a1 NO no\n"),
        format!("{greeting}\nC: a1 AUTHENTICATE PLAIN {PLAIN_B64}\nS: a1 NO bad response {PLAIN_B64}\n"),
        format!("{greeting}\nC: a1 AUTHENTICATE PLAIN\nS: +\nC: {PLAIN_B64}\nS: a1 BAD garbage {PLAIN_B64}\n"),
        format!("{greeting}\nC: a1 LOGIN alice {{11}}\nC: {PASSWORD}\nS: a1 NO no such password {PASSWORD}\n"),
        format!("{greeting}\nC: a1 LOGIN alice {PASSWORD}\nS: a1 OK done\nC: a2 SELECT INBOX\nS: a2 NO [{PASSWORD}] odd\n"),
    ];
    analyze_each(&pastes, |text| text.contains("<redacted>"));
}

/// `analyze --transcript` of each paste, as text and as JSON: `shown` holds of the output,
/// and neither the password nor the SASL response is in it.
fn analyze_each(pastes: &[String], shown: impl Fn(&str) -> bool) {
    for paste in pastes {
        for format in ["text", "json"] {
            let out = imapdiag()
                .args(["analyze", "-", "--transcript", "--format", format])
                .write_stdin(paste.clone())
                .output()
                .unwrap();
            let text = stdout(&out);
            assert!(shown(&text), "{paste:?} {format}: {text}");
            assert!(
                !text.contains(PASSWORD) && !text.contains(PLAIN_B64),
                "{paste:?} {format}: {text}"
            );
        }
    }
}

/// A TLS 1.0 server with a static-RSA cipher: refused by default with a finding that says
/// why (not "untrusted issuer"), and checked with --tls-legacy, every weakness a WARNING.
#[test]
fn tls_1_0_is_named_as_too_old_and_checked_with_tls_legacy() {
    let port = support::legacy_tls::serve();
    let target = format!("127.0.0.1:{port}");
    let ca = pki().ca_cert.display().to_string();
    let base = ["check", &target, "--security", "tls", "--ca-file", &ca];
    let out = run(&base);
    let r = json(&out);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    let f = finding(&r, "tls-too-old");
    assert!(
        f["remedy"].as_str().unwrap().contains("--tls-legacy"),
        "{f}"
    );
    assert!(
        !codes(&r).contains(&"tls-verify-failed".to_string()),
        "{:?}",
        codes(&r)
    );
    let mut legacy = base.to_vec();
    legacy.push("--tls-legacy");
    let out = run(&legacy);
    let r = json(&out);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert_eq!(r["tls"]["version"], "TLSv1");
    assert_eq!(r["tls"]["verified"], true);
    for code in [
        "tls-legacy-allowed",
        "tls-version-obsolete",
        "tls-no-forward-secrecy",
    ] {
        assert_eq!(finding(&r, code)["severity"], "warning", "{code}");
    }
    assert!(finding(&r, "tls-version-obsolete")["summary"]
        .as_str()
        .unwrap()
        .contains("RFC 8996"));
}

/// Core dumps would hold the password: the process marks itself non-dumpable. The kernel
/// shows it in /proc: a non-dumpable process's files there belong to root, not to the
/// user it runs as. Run as `nobody` (needs root to switch), a long-lived `serve` shows it.
#[test]
fn the_process_is_not_dumpable() {
    use std::os::unix::fs::MetadataExt;
    if !support::daemon::is_root() {
        return support::daemon::skip("the dumpable check switches to nobody (needs root)");
    }
    let mut child = std::process::Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(assert_cmd::cargo::cargo_bin("imapdiag"))
        .args([
            "serve",
            "--profile",
            "exchange2000",
            "--listen",
            "127.0.0.1:0",
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    let mut err = std::io::BufReader::new(child.stderr.take().unwrap());
    std::io::BufRead::read_line(&mut err, &mut first).unwrap();
    assert!(first.contains("listening on"), "{first}");
    let owner = std::fs::metadata(format!("/proc/{}/environ", child.id()))
        .unwrap()
        .uid();
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(
        owner, 0,
        "/proc files of a dumpable process belong to its user"
    );
}
