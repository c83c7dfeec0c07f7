//! `imapdiag serve` and `imapdiag demo`: the KB lines byte for byte, hostile clients,
//! the connection limit and the idle timeout.

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use support::emulator::serve;
use support::{codes, imapdiag, json, stdout};

struct Client {
    r: BufReader<TcpStream>,
    w: TcpStream,
}

impl Client {
    fn connect(port: u16) -> Client {
        let s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        Client {
            w: s.try_clone().unwrap(),
            r: BufReader::new(s),
        }
    }

    fn line(&mut self) -> String {
        let mut l = String::new();
        self.r.read_line(&mut l).unwrap();
        l
    }

    fn say(&mut self, bytes: &[u8]) {
        self.w.write_all(bytes).unwrap();
    }
}

#[test]
fn kb217388_session_byte_for_byte() {
    let s = serve("exchange55-referral", &[]);
    let mut c = Client::connect(s.port);
    assert_eq!(
        c.line(),
        "* OK Microsoft Exchange IMAP4rev1 server version 5.5.1960.6 (reedlm4.com) ready\r\n"
    );
    c.say(b"? login DOMname/UserN/AliasN PASSword\r\n");
    assert_eq!(c.line(), "? OK [REFERRAL imap://redmond%2Freedl%2Fimapf;AUTH=*@reedlm1.reedlm1.com] LOGIN completed\r\n");
    c.say(b"? Select Inbox\r\n");
    assert_eq!(
        c.line(),
        "? NO There is no replica for that mailbox on this server.\r\n"
    );

    // The second listener plays the home server, where the same mailbox opens.
    let mut home = Client::connect(s.home);
    assert_eq!(home.line(), "* OK Microsoft Exchange IMAP4rev1 server version 5.5.1960.6 (reedlm1.reedlm1.com) ready\r\n");
    home.say(b"? login redmond/reedl/imapf PASSword\r\n? Select Inbox\r\n");
    assert_eq!(home.line(), "? OK LOGIN completed\r\n");
    let mut select = Vec::new();
    loop {
        let l = home.line();
        select.push(l.clone());
        if l.starts_with("? ") {
            break;
        }
    }
    assert!(select.contains(&"* 5 EXISTS\r\n".to_string()), "{select:?}");
    assert_eq!(
        select.last().unwrap(),
        "? OK [READ-WRITE] SELECT completed.\r\n"
    );
}

#[test]
fn q311468_namespace_lines_byte_for_byte() {
    for (profile, line) in [
        ("exchange55", "* NAMESPACE ((\"\" \"/\")) ((\"Other users/\" \"/\")) ((\"Public Folders/\" \"/\"))\r\n"),
        ("exchange2000", "* NAMESPACE ((\"\" \"/\")) NIL ((\"Public Folders/\" \"/\"))\r\n"),
    ] {
        let s = serve(profile, &[]);
        let mut c = Client::connect(s.port);
        c.line();
        c.say(b"a001 login alice secret\r\na002 namespace\r\n");
        assert_eq!(c.line(), "a001 OK LOGIN completed\r\n");
        assert_eq!(c.line(), line);
        assert_eq!(c.line(), "a002 OK NAMESPACE completed.\r\n");
    }
}

#[test]
fn demo_exits_zero_and_shows_the_matches_and_the_decoded_referral() {
    let out = imapdiag().arg("demo").output().unwrap();
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("demo: 5/5 scenarios behaved as the KB articles describe"),
        "{text}"
    );
    assert!(
        text.contains("=== 5. Microsoft 365: authenticated but not connected: as the KB describes")
    );
    assert!(
        text.contains("S: a008 BAD User is authenticated but not connected."),
        "{text}"
    );
    assert!(text.contains(r#"  raw            * NAMESPACE (("" "/")) (("Other users/" "/")) (("Public Folders/" "/"))"#));
    assert!(
        text.contains(r#"  raw            * NAMESPACE (("" "/")) NIL (("Public Folders/" "/"))"#)
    );
    assert!(text.contains("the user's home server is reedlm1.reedlm1.com:143 and the user there is redmond/reedl/imapf"));
    assert!(text.contains("S: a004 OK [REFERRAL imap://redmond%2Freedl%2Fimapf;AUTH=*@reedlm1.reedlm1.com] LOGIN completed"));
    assert!(text.contains("connect to reedlm1.reedlm1.com:143 as redmond/reedl/imapf"));
    assert!(text.contains("  outcome        followed to hop 1"));
    assert!(text.contains("  hop 1: reedlm1.reedlm1.com:143 (starttls) as redmond/reedl/imapf"));
    assert!(!text.contains("PASSword"), "the demo printed a password");
}

#[test]
fn garbage_endless_lines_and_dropped_clients_do_not_stop_the_server() {
    let s = serve("exchange55", &[]);
    let mut c = Client::connect(s.port);
    c.line();
    c.say(b"\x00\xff\x1b[2J\r\n");
    assert_eq!(
        c.line(),
        "* BAD Protocol Error: \"Tag not found in command\".\r\n"
    );
    c.say(b"a1 FROBNICATE\r\n");
    assert_eq!(
        c.line(),
        "a1 BAD Protocol Error: \"Unidentifiable command specified\".\r\n"
    );
    c.say(b"a2 NAMESPACE\r\n");
    assert_eq!(
        c.line(),
        "a2 BAD NAMESPACE command received in invalid state.\r\n"
    );

    let mut endless = Client::connect(s.port);
    endless.line();
    let chunk = vec![b'x'; 4096];
    for _ in 0..4 {
        endless.say(&chunk);
    }
    assert_eq!(endless.line(), "* BYE Line longer than 8192 bytes\r\n");
    let mut rest = Vec::new();
    assert_eq!(
        endless.r.read_to_end(&mut rest).unwrap_or(0),
        0,
        "the connection stayed open"
    );

    let mut huge = Client::connect(s.port);
    huge.line();
    huge.say(b"a1 LOGIN alice {4294967295}\r\n");
    assert_eq!(huge.line(), "* BYE Literal of 4294967295 bytes refused\r\n");

    // A client that disconnects in the middle of a literal.
    let mut dropped = Client::connect(s.port);
    dropped.line();
    dropped.say(b"a1 LOGIN alice {10}\r\n");
    assert_eq!(dropped.line(), "+ Ready for literal data\r\n");
    dropped.say(b"sec");
    drop(dropped);

    let mut next = Client::connect(s.port);
    assert!(next.line().starts_with("* OK Microsoft Exchange IMAP4rev1"));
    next.say(b"a1 LOGIN alice {6}\r\n");
    assert_eq!(next.line(), "+ Ready for literal data\r\n");
    next.say(b"secret\r\n");
    assert_eq!(next.line(), "a1 OK LOGIN completed\r\n");
}

#[test]
fn connection_limit_and_idle_timeout_hold() {
    let s = serve(
        "exchange55",
        &["--max-connections", "1", "--idle-timeout", "1"],
    );
    let mut first = Client::connect(s.port);
    assert!(first.line().starts_with("* OK"));
    let mut second = Client::connect(s.port);
    assert_eq!(
        second.line(),
        "* BYE Too many connections, try again later\r\n"
    );
    let started = Instant::now();
    assert_eq!(first.line(), "* BYE Autologout; idle for too long\r\n");
    assert!(started.elapsed() < Duration::from_secs(5));
    std::thread::sleep(Duration::from_millis(100));
    let mut third = Client::connect(s.port);
    assert!(third.line().starts_with("* OK"), "the slot was not freed");
}

#[test]
fn check_recognises_greeting_and_mailbox_referrals() {
    let s = serve("greeting-referral", &[]);
    let r = json(
        &imapdiag()
            .args([
                "check",
                &format!("127.0.0.1:{}", s.port),
                "--format",
                "json",
            ])
            .output()
            .unwrap(),
    );
    assert_eq!(codes(&r), ["greeting-referral"]);
    assert_eq!(r["referrals"][0]["url"], "IMAP://user;AUTH=*@SERVER2/");
    assert_eq!(r["referrals"][0]["response"], "BYE");

    let s = serve("mailbox-referral", &[]);
    let out = imapdiag()
        .args([
            "check",
            &format!("127.0.0.1:{}", s.port),
            "--user",
            "alice",
            "--insecure",
            "--mailbox",
            "REMOTE",
            "--format",
            "json",
        ])
        .env("IMAPDIAG_PASSWORD", "secret")
        .output()
        .unwrap();
    let r = json(&out);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        codes(&r),
        ["tls-insecure", "mailbox-referral", "known-quirks"]
    );
    let urls: Vec<&str> = r["referrals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["url"].as_str().unwrap())
        .collect();
    assert_eq!(
        urls,
        [
            "IMAP://user;AUTH=*@SERVER2/REMOTE",
            "IMAP://user;AUTH=*@SERVER3/REMOTE"
        ]
    );
}

#[test]
fn authenticate_plain_and_users_file() {
    let dir = tempfile::tempdir().unwrap();
    let users = dir.path().join("users");
    std::fs::write(&users, "# test users\ncarol:c4r0l:INBOX=7,Archive=2\n").unwrap();
    let s = serve("exchange2000", &["--users", users.to_str().unwrap()]);
    let mut c = Client::connect(s.port);
    c.line();
    c.say(b"a1 AUTHENTICATE PLAIN\r\n");
    assert_eq!(c.line(), "+ \r\n");
    c.say(b"AGNhcm9sAGM0cjBs\r\n");
    assert_eq!(c.line(), "a1 OK LOGIN completed\r\n");
    c.say(b"a2 LIST \"\" *\r\n");
    assert_eq!(c.line(), "* LIST (\\HasNoChildren) \"/\" Archive\r\n");
    assert_eq!(c.line(), "* LIST (\\HasNoChildren) \"/\" INBOX\r\n");
    assert_eq!(c.line(), "a2 OK LIST completed.\r\n");
    c.say(b"a3 STATUS Archive (MESSAGES)\r\n");
    assert_eq!(c.line(), "* STATUS Archive (MESSAGES 2)\r\n");
    assert_eq!(c.line(), "a3 OK STATUS completed.\r\n");
}

/// `serve --trace` logs both directions through the one redaction rule: a LOGIN's
/// password, a password sent as a literal and an AUTHENTICATE response never reach the
/// log, and a control character is escaped.
#[test]
fn the_trace_shows_every_line_but_no_secret() {
    let s = serve("exchange2000", &["--trace"]);
    let mut c = Client::connect(s.port);
    c.line();
    c.say(b"a1 LOGIN alice hunter2\r\n");
    c.line();
    c.say(b"a2 LOGIN alice {7}\r\n");
    assert!(c.line().starts_with("+ "));
    c.say(b"swordfi\r\n");
    c.line();
    c.say(b"a3 AUTHENTICATE PLAIN\r\n");
    assert!(c.line().starts_with('+'));
    c.say(b"AGFsaWNlAHMzY3IzdA==\r\n");
    c.line();
    c.say(b"a4 NOOP \x1b[2J\r\n");
    c.line();
    c.say(b"a5 LOGOUT\r\n");
    c.line();
    let deadline = Instant::now() + Duration::from_secs(10);
    while !s.log().contains("C: a5 LOGOUT") && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let log = s.log();
    let peer = c.w.local_addr().unwrap();
    for line in [
        format!("] {peer} C: a1 LOGIN alice <redacted>"),
        format!("] {peer} C: a2 LOGIN alice <redacted>"),
        format!("] {peer} C: <redacted>"),
        format!("] {peer} C: a3 AUTHENTICATE PLAIN"),
        format!("] {peer} C: a4 NOOP \\x1b[2J"),
        format!("] {peer} S: * OK"),
    ] {
        assert!(log.contains(&line), "{line:?} not in:\n{log}");
    }
    for secret in ["hunter2", "swordfi", "AGFsaWNlAHMzY3IzdA==", "{7}", "\x1b"] {
        assert!(!log.contains(secret), "{secret:?} in:\n{log}");
    }
}

/// What `serve --trace` logged of a whole check is itself something `analyze` reads (as
/// C:/S: lines): the same product, the same steps, and still no password.
#[test]
fn analyze_reads_the_trace_of_a_check() {
    let s = serve("exchange2000", &["--trace"]);
    let live = support::check_plain(&format!("127.0.0.1:{}", s.port), &[]);
    let live = json(&live);
    let deadline = Instant::now() + Duration::from_secs(10);
    while !s.log().contains(" closed") && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let dir = tempfile::tempdir().unwrap();
    let trace = dir.path().join("trace.log");
    std::fs::write(&trace, s.log()).unwrap();
    let out = imapdiag()
        .args(["analyze", trace.to_str().unwrap(), "--format", "json"])
        .output()
        .unwrap();
    let r = json(&out);
    assert_eq!(r["input"]["format"], "C:/S:");
    assert_eq!(
        r["server"]["fingerprint"]["profile"],
        live["server"]["fingerprint"]["profile"]
    );
    let steps = |r: &serde_json::Value| -> Vec<String> {
        r["steps"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["name"] != "connect")
            .map(|s| format!("{} {}", s["name"].as_str().unwrap(), s["status"]))
            .collect()
    };
    assert_eq!(steps(&r), steps(&live), "{}", stdout(&out));
    assert!(!stdout(&out).contains("secret") && !s.log().contains("secret"));
}
