//! `imapdiag shell` in a pseudo-terminal against a real Dovecot (line editing, tags,
//! literals, completion, interpretation, history, Ctrl-D), and script mode end to end.

#![cfg(unix)]

mod support;

use std::process::Command;

use rexpect::session::{spawn_with_options, Options, PtySession};
use support::dovecot::{self, Dovecot, Layout};
use support::{imapdiag, pki::pki, stdout};

const TIMEOUT_MS: u64 = 15_000;

/// Waits for the first prompt and logs in as alice (the login is the session's a003).
fn logged_in(p: &mut PtySession) {
    p.exp_string("127.0.0.1> ").unwrap();
    p.send_line("login alice secret").unwrap();
    p.exp_string("a003 OK").unwrap();
}

fn shell(d: &Dovecot, history: &std::path::Path) -> PtySession {
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("imapdiag"));
    cmd.args([
        "shell",
        &d.target(),
        "--ca-file",
        pki().ca_cert.to_str().unwrap(),
    ])
    .env("NO_COLOR", "1")
    .env("TERM", "xterm")
    .env("IMAPDIAG_HISTORY", history)
    .env_remove("IMAPDIAG_PASSWORD");
    let opts = Options::new()
        .timeout_ms(Some(TIMEOUT_MS))
        .strip_ansi_escape_codes(true);
    spawn_with_options(cmd, opts).unwrap()
}

#[test]
fn the_interactive_shell_edits_tags_sends_literals_completes_and_explains() {
    let Some(d) = dovecot::start_default(Layout::Exchange2000) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let history = dir.path().join("history");
    let mut p = shell(&d, &history);
    p.exp_string("TLS").unwrap();
    p.exp_string("Dovecot (Debian) ready.").unwrap();
    p.exp_string("127.0.0.1> ").unwrap();

    // Auto-tagging, and the password never echoed back.
    p.send_line("login alice secret").unwrap();
    p.exp_string("C: a003 login alice <redacted>").unwrap();
    p.exp_string("a003 OK").unwrap();

    // Backspace edits the line before it is sent.
    p.send("namespacx").unwrap();
    p.send("\x7f").unwrap();
    p.send_line("e").unwrap();
    p.exp_string("C: a004 namespace").unwrap();
    p.exp_string(r#"S: * NAMESPACE (("" "/")) NIL (("Public Folders/" "/"))"#)
        .unwrap();
    p.exp_string("= namespaces: personal").unwrap();
    p.exp_string("as exchange2000 (Microsoft Exchange 2000 Server)")
        .unwrap();

    // A synchronising literal waits for the server's +.
    p.send_line("create {8}").unwrap();
    p.exp_string("S: + OK").unwrap();
    p.send_line("Projects").unwrap();
    p.exp_string("a005 OK").unwrap();

    // Mailbox names seen in LIST complete with Tab.
    p.send_line(r#"list "" *"#).unwrap();
    p.exp_string("a006 OK").unwrap();
    p.send("select Proj\t").unwrap();
    p.send_line("").unwrap();
    p.exp_string("C: a007 select Projects").unwrap();
    p.exp_string("a007 OK [READ-WRITE]").unwrap();

    // Ctrl-C clears the line; Ctrl-D logs out and leaves.
    p.send("garbage").unwrap();
    p.send_control('c').unwrap();
    p.exp_string("garbage").unwrap();
    p.exp_string("127.0.0.1> ").unwrap();
    p.send_control('d').unwrap();
    p.exp_string("C: a008 LOGOUT").unwrap();
    p.exp_string("a008 OK").unwrap();
    p.exp_eof().unwrap();

    let h = std::fs::read_to_string(&history).unwrap();
    // Kept without its password (and without a placeholder that would be sent).
    assert!(h.lines().any(|l| l == "login alice"), "{h}");
    assert!(!h.contains("<redacted>"), "{h}");
    assert!(h.contains("namespace"), "{h}");
    assert!(
        !h.contains("secret"),
        "the password reached the history file: {h}"
    );
    assert!(
        !h.contains("garbage"),
        "a cleared line reached the history: {h}"
    );
}

#[test]
fn a_password_typed_as_a_literal_is_neither_shown_nor_kept() {
    let Some(d) = dovecot::start_default(Layout::Plain) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let history = dir.path().join("history");
    let mut p = shell(&d, &history);
    // Everything the terminal showed, the typed lines as echoed included.
    let mut screen = p.exp_string("127.0.0.1> ").unwrap();
    p.send_line("? login alice {6}").unwrap();
    screen += &p.exp_string("S: + OK").unwrap();
    p.send_line("secret").unwrap();
    screen += &p.exp_string("? OK").unwrap();
    p.send_line(".quit").unwrap();
    screen += &p.exp_eof().unwrap();
    assert!(screen.contains("C: <redacted>"), "{screen}");
    assert!(!screen.contains("secret"), "{screen}");
    let h = std::fs::read_to_string(&history).unwrap();
    assert!(!h.contains("secret"), "{h}");
}

fn script(d: &Dovecot, lines: &str, extra: &[&str]) -> std::process::Output {
    imapdiag()
        .args([
            "shell",
            &d.target(),
            "--ca-file",
            pki().ca_cert.to_str().unwrap(),
        ])
        .args(extra)
        .write_stdin(lines)
        .output()
        .unwrap()
}

#[test]
fn script_mode_runs_each_command_to_completion_and_exits_with_the_session_status() {
    let Some(d) = dovecot::start_default(Layout::Exchange55) else {
        return;
    };
    let ok = script(
        &d,
        "login alice secret\nnamespace\nselect INBOX\nlogout\n",
        &[],
    );
    let text = stdout(&ok);
    assert_eq!(ok.status.code(), Some(0), "{text}");
    let order: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("C: ") || l.starts_with("S: a0"))
        .collect();
    assert_eq!(order[0], "C: a003 login alice <redacted>");
    assert!(order[1].starts_with("S: a003 OK"), "{order:?}");
    assert_eq!(order[2], "C: a004 namespace");
    assert!(text.contains("= namespaces: personal ((\"\" \"/\")), other users ((\"Other users/\" \"/\")), shared ((\"Public Folders/\" \"/\")): as exchange55"));
    assert!(!text.contains("secret"));

    let bad = script(&d, "login alice secret\nselect Nowhere\n", &[]);
    assert_eq!(bad.status.code(), Some(2), "{}", stdout(&bad));
    assert!(
        stdout(&bad).contains("C: a005 LOGOUT"),
        "logged out at the end"
    );
    let tolerated = script(&d, "login alice secret\nselect Nowhere\n", &["--ignore-no"]);
    assert_eq!(tolerated.status.code(), Some(0));

    // .login takes the password from IMAPDIAG_PASSWORD; .transcript saves it redacted.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("t.txt");
    let saved = imapdiag()
        .args([
            "shell",
            &d.target(),
            "--ca-file",
            pki().ca_cert.to_str().unwrap(),
        ])
        .env("IMAPDIAG_PASSWORD", "secret")
        .write_stdin(format!(
            ".login alice\n.namespace\n.transcript save {}\n",
            file.display()
        ))
        .output()
        .unwrap();
    assert_eq!(saved.status.code(), Some(0), "{}", stdout(&saved));
    let t = std::fs::read_to_string(&file).unwrap();
    assert!(t.contains("C: a003 LOGIN alice <redacted>"), "{t}");
    assert!(t.contains("S: * NAMESPACE"), "{t}");
    assert!(!t.contains("secret"));
}

#[test]
fn a_refused_certificate_and_a_closed_port_end_the_shell_clearly() {
    let Some(d) = dovecot::start_default(Layout::Plain) else {
        return;
    };
    let out = imapdiag()
        .args(["shell", &d.target()])
        .write_stdin("noop\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stdout(&out).contains("TLS failed: untrusted issuer"),
        "{}",
        stdout(&out)
    );
    let port = support::free_port();
    let out = imapdiag()
        .args(["shell", &format!("127.0.0.1:{port}")])
        .write_stdin("noop\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stdout(&out).contains("cannot connect to 127.0.0.1"));
}

#[test]
fn a_dropped_connection_is_reported_and_reconnect_offered() {
    let s = support::scripted::serve(|c| {
        c.send(b"* OK [CAPABILITY IMAP4rev1] ready\r\n");
        // Read one command, then hang up without answering.
        let _ = c.line();
    });
    let out = imapdiag()
        .args(["shell", &s.target(), "--security", "plain"])
        .write_stdin("noop\nnoop\n")
        .output()
        .unwrap();
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(
        text.contains(
            "* connection closed: the server closed the connection; .reconnect connects again"
        ),
        "{text}"
    );
}

/// RFC 2177 in script mode: IDLE waits for the `+`, DONE goes untagged, a command after
/// IDLE ends it first, and the end of the script ends it before LOGOUT.
#[test]
fn script_mode_idles_and_ends_idle_untagged() {
    let Some(d) = dovecot::start_default(Layout::Exchange2000) else {
        return;
    };
    let out = script(
        &d,
        "login alice secret\nselect INBOX\nidle\nDONE\nidle\nnoop\nidle\n",
        &[],
    );
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    // Dovecot's completions end with timings: `OK Idle completed (0.001 + 0.001 secs).`
    let wire: Vec<String> = text
        .lines()
        .filter(|l| l.starts_with("C: ") || l.starts_with("S: a0") || l.starts_with("S: +"))
        .map(|l| match l.split_once(" (") {
            Some((head, _)) if l.ends_with("secs).") => format!("{head}."),
            _ => l.to_string(),
        })
        .collect();
    assert_eq!(
        wire[4..17],
        [
            "C: a005 idle",
            "S: + idling",
            "C: DONE",
            "S: a005 OK Idle completed.",
            "C: a006 idle",
            "S: + idling",
            "C: DONE",
            "S: a006 OK Idle completed.",
            "C: a007 noop",
            "S: a007 OK NOOP completed.",
            "C: a008 idle",
            "S: + idling",
            // The end of the script: DONE, then LOGOUT at once (RFC 2177 §3 allows it).
            "C: DONE",
        ],
        "{text}"
    );
    // IDLE's completion may be shown before or after LOGOUT is written: both are sent
    // without waiting, so which the screen shows first is a race, not a behaviour.
    let mut end = wire[17..].to_vec();
    assert_eq!(
        end.pop().as_deref(),
        Some("S: a009 OK Logout completed."),
        "{text}"
    );
    end.sort();
    assert_eq!(
        end,
        ["C: a009 LOGOUT", "S: a008 OK Idle completed."],
        "{text}"
    );
}

/// The interactive shell: the prompt shows the IDLE, and DONE, an empty line or Ctrl-C
/// ends it untagged.
#[test]
fn the_interactive_shell_ends_idle_with_done_enter_or_ctrl_c() {
    let Some(d) = dovecot::start_default(Layout::Exchange2000) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut p = shell(&d, &dir.path().join("history"));
    logged_in(&mut p);
    p.send_line("select INBOX").unwrap();
    p.exp_string("a004 OK").unwrap();
    for (n, end) in [(5, "DONE"), (6, ""), (7, "\x03")] {
        p.send_line("idle").unwrap();
        p.exp_string("S: + idling").unwrap();
        p.exp_string("idle (Enter, DONE or Ctrl-C ends it)> ")
            .unwrap();
        if end == "\x03" {
            p.send_control('c').unwrap();
        } else {
            p.send_line(end).unwrap();
        }
        p.exp_string("C: DONE")
            .unwrap_or_else(|e| panic!("{n}: {e:?}"));
        p.exp_string(&format!("S: a00{n} OK Idle completed"))
            .unwrap();
    }
    p.send_line("noop").unwrap();
    p.exp_string("a008 OK NOOP completed").unwrap();
}

/// A multi-line literal: typed lines are its data joined by CRLF, the prompt shows the
/// bytes still owed, a line that would overflow the count is refused, and the line that
/// completes the count completes the command.
#[test]
fn a_multi_line_append_is_sent_byte_exact() {
    let Some(d) = dovecot::start_default(Layout::Exchange2000) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut p = shell(&d, &dir.path().join("history"));
    logged_in(&mut p);
    p.send_line("create Multi").unwrap();
    p.exp_string("a004 OK").unwrap();
    p.send_line("append Multi {19}").unwrap();
    p.exp_string("S: + OK").unwrap();
    p.exp_string("..19 bytes> ").unwrap();
    p.send_line("Subject: t").unwrap();
    p.exp_string("..7 bytes> ").unwrap();
    p.send_line("").unwrap();
    p.exp_string("..5 bytes> ").unwrap();
    p.send_line("hello there").unwrap();
    p.exp_string("* not sent: the literal needs 5 more bytes: this line has 6 too many")
        .unwrap();
    p.exp_string("..5 bytes> ").unwrap();
    p.send_line("hello").unwrap();
    p.exp_string("S: a005 OK [APPENDUID ").unwrap();
    p.exp_string("127.0.0.1> ").unwrap();
    p.send_line("examine Multi").unwrap();
    p.exp_string("S: * 1 EXISTS").unwrap();
    p.exp_string("a006 OK").unwrap();
    p.send_line("fetch 1 (RFC822.SIZE BODY[TEXT])").unwrap();
    p.exp_string("S: * 1 FETCH (RFC822.SIZE 19 BODY[TEXT] {5}")
        .unwrap();
    p.exp_string("a007 OK").unwrap();
}

#[test]
fn script_mode_sends_a_multi_line_literal() {
    let Some(d) = dovecot::start_default(Layout::Exchange55) else {
        return;
    };
    let out = script(
        &d,
        "login alice secret\ncreate Scripted\nappend Scripted {19}\nSubject: t\n\nhello\nstatus Scripted (MESSAGES)\n",
        &[],
    );
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("S: * STATUS Scripted (MESSAGES 1)"), "{text}");
    let bad = script(&d, "login alice secret\nappend INBOX {3}\nhello\n", &[]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stdout(&bad)
            .contains("* not sent: the literal needs 3 more bytes: this line has 2 too many"),
        "{}",
        stdout(&bad)
    );
}

/// A pasted block of lines (bracketed paste) is sent line by line, each tagged.
#[test]
fn pasted_lines_are_each_sent_tagged() {
    let Some(d) = dovecot::start_default(Layout::Exchange2000) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut p = shell(&d, &dir.path().join("history"));
    logged_in(&mut p);
    p.send("\x1b[200~create Paste1\ncreate Paste2\r\ncreate Paste3\x1b[201~\r")
        .unwrap();
    p.flush().unwrap();
    let seen = p.exp_string("S: a006 OK Create completed").unwrap();
    for (tag, name) in [("a004", "Paste1"), ("a005", "Paste2"), ("a006", "Paste3")] {
        assert!(seen.contains(&format!("C: {tag} create {name}")), "{seen}");
    }
    assert!(
        seen.contains("S: a004 OK Create completed")
            && seen.contains("S: a005 OK Create completed")
    );
}

/// Script mode logs in with the credentials it was given; a typed STARTTLS does the
/// handshake; a typed login over plaintext is refused as `.login` refuses it.
#[test]
fn script_mode_logs_in_and_typed_starttls_upgrades() {
    let Some(d) = dovecot::start_default(Layout::Exchange55) else {
        return;
    };
    let ca = pki().ca_cert.to_str().unwrap().to_string();
    let out = imapdiag()
        .args(["shell", &d.target(), "--ca-file", &ca, "--user", "alice"])
        .env("IMAPDIAG_PASSWORD", "secret")
        .write_stdin("select INBOX\n")
        .output()
        .unwrap();
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("C: a003 LOGIN alice <redacted>"), "{text}");
    assert!(text.contains("S: a004 OK [READ-WRITE]"), "{text}");
    assert!(!text.contains("secret"));

    let plain = [
        "shell",
        &d.target(),
        "--ca-file",
        &ca,
        "--security",
        "plain",
    ];
    let refused = imapdiag()
        .args(plain)
        .write_stdin("login alice secret\n")
        .output()
        .unwrap();
    let text = stdout(&refused);
    assert_eq!(refused.status.code(), Some(2), "{text}");
    assert!(
        text.contains("* not sending a password without TLS"),
        "{text}"
    );
    assert!(
        !text.contains("C: a001 login") && !text.contains("secret"),
        "{text}"
    );

    let upgraded = imapdiag()
        .args(plain)
        .write_stdin("starttls\nlogin alice secret\nlogout\n")
        .output()
        .unwrap();
    let text = stdout(&upgraded);
    assert_eq!(upgraded.status.code(), Some(0), "{text}");
    assert!(
        text.contains("S: a001 OK Begin TLS negotiation now."),
        "{text}"
    );
    assert!(text.contains("C: a003 login alice <redacted>"), "{text}");
    assert!(text.contains("S: a003 OK"), "{text}");
}

/// TERM=dumb: no redrawing above the prompt, but the shell works.
#[test]
fn a_dumb_terminal_still_gets_a_shell() {
    let Some(d) = dovecot::start_default(Layout::Exchange2000) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("imapdiag"));
    cmd.args([
        "shell",
        &d.target(),
        "--ca-file",
        pki().ca_cert.to_str().unwrap(),
    ])
    .env("NO_COLOR", "1")
    .env("TERM", "dumb")
    .env("IMAPDIAG_HISTORY", dir.path().join("history"))
    .env_remove("IMAPDIAG_PASSWORD");
    let opts = Options::new()
        .timeout_ms(Some(TIMEOUT_MS))
        .strip_ansi_escape_codes(true);
    let mut p = spawn_with_options(cmd, opts).unwrap();
    p.exp_string("Dovecot (Debian) ready.").unwrap();
    p.send_line("capability").unwrap();
    p.exp_string("S: * CAPABILITY IMAP4rev1").unwrap();
    p.exp_string("a003 OK").unwrap();
    // Plain line mode: the shell itself never shows the password back.
    p.send_line("login alice secret").unwrap();
    p.exp_string("C: a004 login alice <redacted>").unwrap();
    p.exp_string("a004 OK").unwrap();
    p.send_line("logout").unwrap();
    p.exp_string("a005 OK").unwrap();
}

/// `imapdiag shell ... | head -2`: the closed pipe ends nothing badly.
#[test]
fn a_closed_stdout_ends_script_mode_quietly() {
    let Some(d) = dovecot::start_default(Layout::Exchange2000) else {
        return;
    };
    let cmd = format!(
        "printf 'capability\\nnoop\\nnoop\\nlogout\\n' | {} shell {} --ca-file {} | head -2",
        assert_cmd::cargo::cargo_bin("imapdiag").display(),
        d.target(),
        pki().ca_cert.display()
    );
    let out = Command::new("bash")
        .args(["-o", "pipefail", "-c", &cmd])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 2);
}

/// Terminal escapes in the server's text reach neither the terminal nor completion: the
/// interpretation line escapes them as the S: lines do.
#[test]
fn server_escapes_are_escaped_in_interpretation_lines() {
    let s = support::scripted::serve(|c| {
        c.send(b"* OK [CAPABILITY IMAP4rev1 NAMESPACE] ready\r\n");
        while let Some((tag, cmd)) = c.command() {
            match cmd.as_str() {
                "NAMESPACE" => {
                    c.send(b"* NAMESPACE ((\"\x1b[31mX/\" \"/\")) NIL NIL\r\n");
                    c.send(format!("{tag} OK done\r\n").as_bytes());
                }
                "LOGOUT" => {
                    c.send(format!("* BYE\r\n{tag} OK bye\r\n").as_bytes());
                    return;
                }
                _ => {
                    c.send(format!("{tag} OK\r\n").as_bytes());
                }
            }
        }
    });
    let out = imapdiag()
        .args(["shell", &s.target(), "--security", "plain"])
        .env("NO_COLOR", "1")
        .write_stdin("namespace\n")
        .output()
        .unwrap();
    let text = stdout(&out);
    assert!(!text.contains('\x1b'), "{text:?}");
    assert!(
        text.contains("= namespaces: personal ((\"\\x1b[31mX/\" \"/\"))"),
        "{text}"
    );
}

/// History keeps commands without tags or passwords; a recalled login asks for the
/// password instead of sending a placeholder.
#[test]
fn a_recalled_login_asks_for_the_password() {
    let Some(d) = dovecot::start_default(Layout::Exchange2000) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let history = dir.path().join("history");
    let mut p = shell(&d, &history);
    logged_in(&mut p);
    p.send_line("a9 select INBOX").unwrap();
    p.exp_string("a9 OK").unwrap();
    p.send_line("lgin bob hunter2").unwrap();
    p.exp_string("BAD").unwrap();
    p.send_line(".quit").unwrap();
    p.exp_eof().unwrap();
    let h = std::fs::read_to_string(&history).unwrap();
    let entries: Vec<&str> = h.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(entries, ["login alice", "select INBOX", ".quit"], "{h}");

    let mut p = shell(&d, &history);
    p.exp_string("127.0.0.1> ").unwrap();
    // Up three times: `login alice`, recalled; Enter asks for the password.
    p.send("\x1b[A\x1b[A\x1b[A").unwrap();
    p.send_line("").unwrap();
    p.exp_string("Password for alice: ").unwrap();
    p.send_line("secret").unwrap();
    p.exp_string("C: a003 LOGIN alice <redacted>").unwrap();
    p.exp_string("a003 OK").unwrap();
}

/// Ctrl-C cancels a SASL exchange with `*` and abandons a literal by closing the
/// connection; INBOX completes before any LIST.
#[test]
fn ctrl_c_cancels_sasl_and_literals_and_inbox_completes() {
    let Some(d) = dovecot::start_default(Layout::Exchange2000) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut p = shell(&d, &dir.path().join("history"));
    p.exp_string("127.0.0.1> ").unwrap();
    p.send_line("authenticate plain").unwrap();
    p.exp_string("S: +").unwrap();
    p.send_control('c').unwrap();
    p.exp_string("C: *").unwrap();
    p.exp_string("S: a003 BAD").unwrap();
    p.send_line("login alice secret").unwrap();
    p.exp_string("a004 OK").unwrap();
    p.send("select IN\t").unwrap();
    p.send_line("").unwrap();
    p.exp_string("C: a005 select INBOX").unwrap();
    p.exp_string("a005 OK").unwrap();
    p.send_line("append INBOX {10}").unwrap();
    p.exp_string("..10 bytes> ").unwrap();
    p.send_control('c').unwrap();
    p.exp_string("* the server still expects 10 bytes of the literal and IMAP cannot cancel one")
        .unwrap();
}

/// Lines typed ahead, before the first is answered, are each sent in order, each tagged.
#[test]
fn typed_ahead_lines_are_each_sent_tagged() {
    let Some(d) = dovecot::start_default(Layout::Exchange2000) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut p = shell(&d, &dir.path().join("history"));
    logged_in(&mut p);
    p.send("create Ahead1\rcreate Ahead2\rcreate Ahead3\r")
        .unwrap();
    p.flush().unwrap();
    let seen = p.exp_string("S: a006 OK Create completed").unwrap();
    for (tag, name) in [("a004", "Ahead1"), ("a005", "Ahead2"), ("a006", "Ahead3")] {
        assert!(seen.contains(&format!("C: {tag} create {name}")), "{seen}");
    }
}

/// A command typed ahead of a login's completion waits for it: servers lose what is
/// pipelined past a login (Courier restarts, Cyrus may start a security layer).
#[test]
fn a_command_typed_after_login_waits_for_its_completion() {
    let Some(d) = dovecot::start_default(Layout::Exchange2000) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut p = shell(&d, &dir.path().join("history"));
    p.exp_string("127.0.0.1> ").unwrap();
    p.send("login alice secret\rselect INBOX\r").unwrap();
    p.flush().unwrap();
    let seen = p.exp_string("S: a004 OK [READ-WRITE]").unwrap();
    let completed = seen.find("S: a003 OK").expect("login completed");
    let sent = seen.find("C: a004 select INBOX").expect("select sent");
    assert!(
        completed < sent,
        "select went before the login completed: {seen}"
    );
}

/// The password prompt masks what is typed, and Ctrl-C there cancels the login instead
/// of killing the shell.
#[test]
fn ctrl_c_at_the_password_prompt_cancels_the_login() {
    let Some(d) = dovecot::start_default(Layout::Exchange2000) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut p = shell(&d, &dir.path().join("history"));
    p.exp_string("127.0.0.1> ").unwrap();
    p.send_line(".login alice").unwrap();
    p.exp_string("Password for alice: ").unwrap();
    p.send("sec").unwrap();
    p.send_control('c').unwrap();
    p.exp_string("* no password").unwrap();
    p.send_line(".login alice").unwrap();
    p.exp_string("Password for alice: ").unwrap();
    p.send_line("secret").unwrap();
    let screen = p.exp_string("a003 OK").unwrap();
    assert!(
        screen.contains("******") && !screen.contains("secret"),
        "{screen}"
    );
    p.send_line("noop").unwrap();
    p.exp_string("a004 OK").unwrap();
}

/// Tab completes inside a quoted name, and UID's subcommands.
#[test]
fn completion_inside_quotes_and_after_uid() {
    let Some(d) = dovecot::start_default(Layout::Exchange2000) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut p = shell(&d, &dir.path().join("history"));
    logged_in(&mut p);
    p.send_line("create \"Sent Items\"").unwrap();
    p.exp_string("a004 OK").unwrap();
    p.send_line("list \"\" *").unwrap();
    p.exp_string("a005 OK").unwrap();
    p.send("select \"Sent I\t").unwrap();
    p.send_line("").unwrap();
    p.exp_string("C: a006 select \"Sent Items\"").unwrap();
    p.exp_string("a006 OK").unwrap();
    p.send("uid fe\t").unwrap();
    p.send_line(" 1:* FLAGS").unwrap();
    p.exp_string("C: a007 uid fetch 1:* FLAGS").unwrap();
    p.exp_string("a007 OK").unwrap();
}

/// A typed non-ASCII mailbox name goes in modified UTF-7, and a listed one is shown
/// decoded beside the raw name (RFC 3501 §5.1.3).
#[test]
fn non_ascii_mailbox_names_in_modified_utf7() {
    let Some(d) = dovecot::start_default(Layout::Exchange2000) else {
        return;
    };
    let out = script(
        &d,
        "login alice secret\ncreate Entwürfe\nlist \"\" Entw*\n",
        &[],
    );
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("C: a004 create Entw&APw-rfe"), "{text}");
    assert!(text.contains("\"/\" Entw&APw-rfe"), "{text}");
    assert!(
        text.contains("= Entw&APw-rfe is \"Entwürfe\" (modified UTF-7)"),
        "{text}"
    );
}

/// After a login the shell lists the mailboxes itself, unseen, so that names complete
/// before the user's own LIST.
#[test]
fn names_complete_after_login_without_a_list() {
    let Some(d) = dovecot::start_default(Layout::Exchange2000) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let history = dir.path().join("history");
    let mut p = shell(&d, &history);
    logged_in(&mut p);
    p.send_line("create Zeta/Deep").unwrap();
    p.exp_string("a004 OK").unwrap();
    p.send_line(".quit").unwrap();
    p.exp_eof().unwrap();

    let mut p = shell(&d, &history);
    p.exp_string("127.0.0.1> ").unwrap();
    p.send_line("login alice secret").unwrap();
    let mut screen = p.exp_string("a003 OK").unwrap();
    p.send("select Zeta/D\t").unwrap();
    p.send_line("").unwrap();
    screen += &p.exp_string("C: a004 select Zeta/Deep").unwrap();
    screen += &p.exp_string("a004 OK").unwrap();
    assert!(
        !screen.contains("bg1"),
        "the shell's own LIST was shown: {screen}"
    );
}

/// A server flooding 20,000 stray completions and 300,000 LIST lines into the interactive
/// shell: every line is shown, and the connection waits for the terminal instead of
/// queueing the flood in memory.
#[test]
fn a_flood_into_the_interactive_shell_stays_bounded() {
    const LINES: usize = 300_000;
    let s = support::scripted::serve(|c| {
        c.send(b"* OK [CAPABILITY IMAP4rev1] ready\r\n");
        while let Some((tag, cmd)) = c.command() {
            if cmd == "LIST" {
                let mut flood = Vec::with_capacity(LINES * 48);
                // Completions of tags the shell never used, which it must not keep forever.
                for i in 0..20_000 {
                    flood.extend(format!("x{i} OK stray\r\n").bytes());
                }
                for i in 0..LINES {
                    flood.extend(
                        format!("* LIST () \"/\" \"Folder {i:06} with a name\"\r\n").bytes(),
                    );
                }
                c.send(&flood);
            }
            c.send(format!("{tag} OK done\r\n").as_bytes());
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("imapdiag"));
    cmd.args(["shell", &s.target(), "--security", "plain"])
        .env("NO_COLOR", "1")
        .env("TERM", "xterm")
        .env("IMAPDIAG_HISTORY", dir.path().join("history"));
    let opts = Options::new()
        .timeout_ms(Some(180_000))
        .strip_ansi_escape_codes(true);
    let mut p = spawn_with_options(cmd, opts).unwrap();
    p.exp_string("127.0.0.1> ").unwrap();
    p.send_line("list \"\" *").unwrap();
    p.exp_string("Folder 299999 with a name").unwrap();
    p.exp_string("S: a001 OK done").unwrap();
    let pid = Command::new("pgrep")
        .args(["-f", &format!("imapdiag shell {}", s.target())])
        .output()
        .unwrap();
    let pid = String::from_utf8_lossy(&pid.stdout).trim().to_string();
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let peak_kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap();
    assert!(peak_kb < 64 * 1024, "peak memory {peak_kb} kB");
}
