//! Hostile servers and hostile clients (the rest of the cases are in tests/scripted.rs,
//! tests/referrals.rs and tests/emulator.rs). Each ends in bounded time with a finding that
//! names the problem, never a hang or a panic; server text is escaped on output.

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use support::scripted::{serve, simple_session, Conn};
use support::{check_plain, codes, emulator, finding, imapdiag, json, stderr, stdout};

const GREETING: &[u8] = b"* OK [CAPABILITY IMAP4rev1 NAMESPACE] hostile ready\r\n";

/// Answers LOGIN, then lets `namespace` answer NAMESPACE its own way.
fn after_login(c: &mut Conn, namespace: impl Fn(&mut Conn, &str)) {
    c.send(GREETING);
    while let Some((tag, cmd)) = c.command() {
        match cmd.as_str() {
            "LOGIN" => {
                c.send(format!("{tag} OK LOGIN completed\r\n").as_bytes());
            }
            "NAMESPACE" => return namespace(c, &tag),
            _ => {
                c.send(format!("{tag} BAD no\r\n").as_bytes());
            }
        }
    }
}

fn no_pipeline_check(target: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["--no-pipeline"];
    args.extend_from_slice(extra);
    check_plain(target, &args)
}

#[test]
fn a_literal_that_never_completes_times_out() {
    let s = serve(|c| {
        after_login(c, |c, _| {
            c.send(b"* NAMESPACE {500}\r\nabc");
            std::thread::sleep(Duration::from_secs(10));
        })
    });
    let started = Instant::now();
    let out = no_pipeline_check(&s.target(), &["--timeout", "2"]);
    assert!(started.elapsed() < Duration::from_secs(8));
    assert_eq!(out.status.code(), Some(2));
    assert!(codes(&json(&out)).contains(&"timeout".to_string()));
}

#[test]
fn a_connection_closed_inside_a_literal_is_named() {
    let s = serve(|c| {
        after_login(c, |c, _| {
            c.send(b"* NAMESPACE {50}\r\nabc");
        })
    });
    let out = no_pipeline_check(&s.target(), &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        codes(&json(&out)).contains(&"connection-closed".to_string()),
        "{}",
        stdout(&out)
    );
}

#[test]
fn one_byte_per_second_ends_at_the_timeout() {
    let s = serve(|c| {
        for b in GREETING {
            if !c.send(&[*b]) {
                return;
            }
            std::thread::sleep(Duration::from_secs(1));
        }
    });
    let started = Instant::now();
    let out = check_plain(&s.target(), &["--timeout", "2"]);
    assert!(started.elapsed() < Duration::from_secs(8));
    assert_eq!(out.status.code(), Some(2));
    let r = json(&out);
    assert_eq!(codes(&r), ["timeout"]);
    assert_eq!(r["steps"][1]["name"], "greeting");
}

#[test]
fn a_hundred_thousand_untagged_lines_are_counted_not_kept() {
    let s = serve(|c| {
        after_login(c, |c, tag| {
            let noise = b"* OK noise\r\n".repeat(100_000);
            c.send(&noise);
            c.send(format!("* NAMESPACE ((\"\" \"/\")) NIL NIL\r\n{tag} OK done\r\n").as_bytes());
            let _ = c.line();
        })
    });
    let out = no_pipeline_check(&s.target(), &[]);
    let r = json(&out);
    assert_eq!(out.status.code(), Some(2));
    let flood = finding(&r, "response-flood");
    assert_eq!(
        flood["summary"],
        "the server flooded namespace with 100002 responses"
    );
    // The report holds the first thousand, not a hundred thousand.
    assert!(stdout(&out).len() < 1 << 20, "{} bytes", stdout(&out).len());
}

#[test]
fn invalid_utf8_nul_and_terminal_escapes_are_escaped_everywhere() {
    let s = serve(|c| {
        simple_session(
            c,
            b"* OK [CAPABILITY IMAP4rev1 NAMESPACE] \xff\xfe \x00 \x1b]0;pwned\x07 \x1b[2J \\x1b\r\n",
            &[("LOGIN", b"{TAG} OK \x1b[31mred\x1b[0m \x9b1m\r\n")],
        )
    });
    let text = imapdiag()
        .args(["check", &s.target(), "-u", "alice", "--security", "plain"])
        .args(["--allow-plaintext-login", "--transcript"])
        .env("IMAPDIAG_PASSWORD", "secret")
        .output()
        .unwrap();
    let json_out = check_plain(&s.target(), &[]);
    assert_eq!(
        json_out.status.code(),
        Some(1),
        "WARNING: {}",
        stdout(&json_out)
    );
    for out in [&text, &json_out] {
        let bytes = &out.stdout;
        for bad in [0x1bu8, 0x07, 0x00] {
            assert!(
                !bytes.contains(&bad),
                "raw byte {bad:#x} reached the output"
            );
        }
        assert!(
            !String::from_utf8_lossy(bytes).contains('\u{9b}'),
            "C1 CSI reached the output"
        );
    }
    let t = stdout(&text);
    assert!(
        t.contains("\u{fffd}\u{fffd} \\x00 \\x1b]0;pwned\\x07 \\x1b[2J \\x1b"),
        "{t}"
    );
    assert!(t.contains("\\x1b[31mred"), "{t}");
    let r = json(&json_out);
    assert!(codes(&r).contains(&"response-grammar".to_string()));
    // The JSON is lossless: a real ESC is `\u001b` on the wire and ESC once parsed; the
    // text `\x1b` stays four characters. Bytes that are not UTF-8 are U+FFFD.
    assert_eq!(
        r["server"]["greeting"],
        "* OK [CAPABILITY IMAP4rev1 NAMESPACE] \u{fffd}\u{fffd} \u{0} \u{1b}]0;pwned\u{7} \u{1b}[2J \\x1b"
    );
    assert!(stdout(&json_out).contains(r#"\u001b]0;pwned\u0007 \u001b[2J \\x1b"#));
}

#[test]
fn duplicate_tags_are_named() {
    let s = serve(|c| {
        simple_session(
            c,
            GREETING,
            &[("LOGIN", b"{TAG} OK LOGIN completed\r\n{TAG} OK again\r\n")],
        )
    });
    for extra in [&[][..], &["--no-pipeline"][..]] {
        let out = check_plain(&s.target(), extra);
        assert_eq!(out.status.code(), Some(1), "WARNING: {}", stdout(&out));
        let r = json(&out);
        assert!(
            codes(&r).contains(&"unexpected-tag".to_string()),
            "{extra:?}: {:?}",
            codes(&r)
        );
    }
}

/// A raw client of `imapdiag serve`.
fn client(port: u16) -> (BufReader<TcpStream>, TcpStream) {
    let s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    (BufReader::new(s.try_clone().unwrap()), s)
}

fn line(r: &mut BufReader<TcpStream>) -> String {
    let mut l = String::new();
    let _ = r.read_line(&mut l);
    l
}

#[test]
fn hostile_clients_do_not_stop_the_emulator() {
    let s = emulator::serve("exchange2000", &["--idle-timeout", "2"]);
    // A literal announced at 4 GiB is refused at once.
    let (mut r, mut w) = client(s.port);
    line(&mut r);
    w.write_all(b"a1 LOGIN {4294967295}\r\n").unwrap();
    assert_eq!(
        line(&mut r),
        "* BYE Literal of 4294967295 bytes refused\r\n"
    );
    // NUL bytes, invalid UTF-8 and escapes in commands get answers, not a crash.
    let (mut r, mut w) = client(s.port);
    line(&mut r);
    w.write_all(b"a1 NOOP\x00\x1b[2J\r\na2 LOGIN \x00 \xff\r\n\x1b]0;x\x07\r\n")
        .unwrap();
    assert!(line(&mut r).starts_with("a1 BAD"));
    assert!(line(&mut r).starts_with("a2 NO"));
    assert!(line(&mut r).starts_with("* BAD"));
    // A literal that never completes is ended by the idle timeout.
    let (mut r, mut w) = client(s.port);
    line(&mut r);
    w.write_all(b"a1 LOGIN {10}\r\nabc").unwrap();
    assert_eq!(line(&mut r), "+ Ready for literal data\r\n");
    let mut rest = String::new();
    let started = Instant::now();
    let _ = r.read_to_string(&mut rest);
    assert!(started.elapsed() < Duration::from_secs(5), "{rest}");
    assert!(rest.starts_with("* BYE"), "{rest:?}");
    // And the emulator still serves a well-behaved client.
    let out = imapdiag()
        .args([
            "check",
            &format!("127.0.0.1:{}", s.port),
            "-u",
            "alice",
            "--insecure",
            "--format",
            "json",
        ])
        .env("IMAPDIAG_PASSWORD", "secret")
        .output()
        .unwrap();
    assert_eq!(json(&out)["mailbox"]["exists"], 3);
}

#[test]
fn megabyte_literals_by_the_dozen_are_counted_not_kept() {
    let s = serve(|c| {
        after_login(c, |c, tag| {
            let body = vec![b'a'; (1 << 20) - 64];
            for _ in 0..16 {
                c.send(format!("* OK {{{}}}\r\n", body.len()).as_bytes());
                c.send(&body);
                c.send(b"\r\n");
            }
            c.send(format!("{tag} OK done\r\n").as_bytes());
            let _ = c.line();
        })
    });
    let out = no_pipeline_check(&s.target(), &[]);
    let r = json(&out);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        codes(&r).contains(&"response-flood".to_string()),
        "{:?}",
        codes(&r)
    );
    assert!(
        stdout(&out).len() < 12 << 20,
        "{} bytes",
        stdout(&out).len()
    );
}

#[test]
fn tls_to_a_plaintext_port_is_a_handshake_failure_not_a_certificate_one() {
    let s = serve(|c| {
        c.send(GREETING);
        let _ = c.line();
    });
    let out = imapdiag()
        .args([
            "check",
            &s.target(),
            "--security",
            "tls",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let r = json(&out);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(codes(&r), ["tls-handshake-failed"]);
    assert_eq!(r["tls"]["verify_error"], serde_json::Value::Null);
    assert!(r["tls"]["handshake_error"].as_str().unwrap().len() > 3);
}

/// The review's attacks on the emulator: a LIST pattern exponential for a backtracking
/// matcher, one deep enough to overflow a recursive one, a client that trickles a byte at
/// a time, and password guessing. Each is bounded, and other clients are still served.
#[test]
fn the_emulator_survives_hostile_patterns_trickling_and_guessing() {
    let s = emulator::serve("exchange2000", &["--idle-timeout", "2"]);
    let (mut r, mut w) = client(s.port);
    line(&mut r);
    w.write_all(b"a1 LOGIN alice secret\r\n").unwrap();
    assert!(line(&mut r).starts_with("a1 OK"));
    let stars = format!("a2 LIST \"\" \"{}q\"\r\n", "*".repeat(60));
    w.write_all(stars.as_bytes()).unwrap();
    assert_eq!(line(&mut r), "a2 OK LIST completed.\r\n");
    let deep = "*".repeat(32_000);
    w.write_all(format!("a3 LIST \"\" {{{}+}}\r\n{deep}\r\n", deep.len()).as_bytes())
        .unwrap();
    let mut listed = 0;
    loop {
        let l = line(&mut r);
        if l.starts_with("a3 ") {
            assert!(l.starts_with("a3 OK"), "{l}");
            break;
        }
        assert!(l.starts_with("* LIST"), "{l:?}");
        listed += 1;
    }
    assert!(listed > 0);
    // A byte every 300 ms keeps no slot past the per-command deadline (2 s here).
    let (mut tr, mut tw) = client(s.port);
    line(&mut tr);
    let started = Instant::now();
    let mut bye = String::new();
    for b in b"a1 NOOP and more and more and more and more".iter() {
        if tw.write_all(&[*b]).is_err() {
            break;
        }
        std::thread::sleep(Duration::from_millis(300));
        if started.elapsed() > Duration::from_secs(4) {
            break;
        }
    }
    let _ = tr.read_to_string(&mut bye);
    assert!(bye.starts_with("* BYE Autologout"), "{bye:?}");
    // Each wrong password holds the connection before the next guess is read.
    let (mut gr, mut gw) = client(s.port);
    line(&mut gr);
    gw.write_all(b"g1 LOGIN alice guess1\r\ng2 LOGIN alice guess2\r\ng3 LOGIN alice guess3\r\n")
        .unwrap();
    let started = Instant::now();
    for tag in ["g1", "g2", "g3"] {
        assert!(line(&mut gr).starts_with(&format!("{tag} NO")));
    }
    assert!(
        started.elapsed() >= Duration::from_secs(2),
        "no delay after failed logins"
    );
    // And a well-behaved client is still served.
    let out = imapdiag()
        .args(["check", &format!("127.0.0.1:{}", s.port), "-u", "alice"])
        .args(["--insecure", "--format", "json"])
        .env("IMAPDIAG_PASSWORD", "secret")
        .output()
        .unwrap();
    assert_eq!(json(&out)["mailbox"]["exists"], 3);
}

/// 16 MiB pastes shaped to defeat a quadratic reader (a million open commands, a million
/// distinct tags, literals chained without end, half a million passwords each echoed back,
/// a JSON report of a million lines): each is
/// read in one pass and reported within the caps of a live session.
#[test]
fn analyze_reads_huge_hostile_pastes_within_the_caps() {
    let n = 16 << 20;
    let fill = |unit: &str| unit.repeat(n / unit.len() + 1)[..n - 1].to_string();
    let mut distinct = String::from("* OK hi\n");
    let mut i = 0;
    while distinct.len() < n - 64 {
        distinct += &format!("t{i} NOOP\nt{i} OK done\n");
        i += 1;
    }
    // Each login with its own password, echoed back: every echo is redacted, and the
    // passwords learned for that stay few.
    let mut guesses = String::from("S: * OK hi\n");
    let mut i = 0;
    while guesses.len() < n - 96 {
        guesses += &format!("C: g{i} LOGIN alice pw{i:07}\nS: g{i} NO bad pw{i:07}\n");
        i += 1;
    }
    let report = format!(
        "{{\"schema\":\"imapdiag.report/1\",\"transcript\":[{}{{\"dir\":\"S\",\"line\":\"* OK\"}}]}}",
        "{\"dir\":\"C\",\"line\":\"a1 NOOP\"},".repeat((n - 100) / 30)
    );
    for (shape, paste) in [
        ("open commands", fill("* OK hi\na1 NOOP\n")),
        ("distinct tags", distinct),
        ("chained literals", fill("S: * 1 FETCH {5}\n")),
        (
            "failed logins",
            fill("S: * OK hi\nC: a1 LOGIN alice pw\nS: a1 NO bad\n"),
        ),
        ("echoed guesses", guesses),
        ("json report", report),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("paste.txt");
        std::fs::write(&file, &paste).unwrap();
        let out = imapdiag()
            .args(["analyze", file.to_str().unwrap(), "--format", "json"])
            .output()
            .unwrap();
        assert!(
            matches!(out.status.code(), Some(0..=2)),
            "{shape}: {}",
            stderr(&out)
        );
        let r = json(&out);
        // 10,000 lines and the note that says the rest was cut.
        assert!(
            r["transcript"].as_array().unwrap().len() <= 10_001,
            "{shape}"
        );
        assert!(r["steps"].as_array().unwrap().len() <= 1_000, "{shape}");
        assert!(r["findings"].as_array().unwrap().len() <= 1_002, "{shape}");
        finding(&r, "transcript-truncated");
        assert!(!stdout(&out).contains("pw0"), "{shape}");
    }
}
