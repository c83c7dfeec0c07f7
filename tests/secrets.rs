//! DESIGN.md: secrets never leave. One test runs every command and output format with a
//! known password (LOGIN, AUTHENTICATE PLAIN with and without SASL-IR, a password sent as
//! a literal, the shell's history and saved transcript, error messages, JSON, JSON Lines,
//! `analyze` of a transcript that contains it, the emulator's log) and looks for the
//! password and its base64 forms in everything imapdiag wrote.

#![cfg(unix)]

mod support;

use std::process::{Command, Output};

use base64::Engine;
use rexpect::session::{spawn_with_options, Options};
use support::dovecot::{self, Layout, User};
use support::scripted::serve;
use support::{emulator, imapdiag, pki::pki};

const ASCII: &str = "Zq9-s3cret-Pw";
const EIGHT_BIT: &str = "pässwörd-Zq9";

fn forbidden() -> Vec<String> {
    let b64 = |s: String| base64::engine::general_purpose::STANDARD.encode(s);
    let mut out = Vec::new();
    for p in [ASCII, EIGHT_BIT] {
        out.push(p.to_string());
        out.push(b64(p.to_string()));
        for user in ["alice", "eve"] {
            out.push(b64(format!("\0{user}\0{p}")));
        }
    }
    out
}

/// Everything a run wrote, as text.
fn all(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn run(args: &[&str], password: &str, stdin: Option<&str>) -> String {
    let mut cmd = imapdiag();
    cmd.args(args).env("IMAPDIAG_PASSWORD", password);
    if let Some(input) = stdin {
        cmd.write_stdin(input);
    }
    all(&cmd.output().unwrap())
}

#[test]
fn no_password_or_sasl_response_appears_in_any_output() {
    let Some(d) = dovecot::start(
        Layout::Exchange55,
        vec![User::new("alice", ASCII), User::new("eve", EIGHT_BIT)],
    ) else {
        return;
    };
    let ca = pki().ca_cert.display().to_string();
    let dir = tempfile::tempdir().unwrap();
    let t = d.target();
    let mut seen: Vec<(String, String)> = Vec::new();
    let mut note = |what: &str, text: String| seen.push((what.to_string(), text));

    for format in ["text", "json"] {
        let base = [
            "check",
            &t,
            "--ca-file",
            &ca,
            "--format",
            format,
            "--transcript",
        ];
        note(
            "check PLAIN SASL-IR",
            run(&[&base[..], &["-u", "alice"]].concat(), ASCII, None),
        );
        note(
            "check LOGIN",
            run(
                &[&base[..], &["-u", "alice", "--auth", "login"]].concat(),
                ASCII,
                None,
            ),
        );
        note(
            "check literal",
            run(
                &[
                    &base[..],
                    &["-u", "eve", "--auth", "login", "--no-pipeline"],
                ]
                .concat(),
                EIGHT_BIT,
                None,
            ),
        );
        note(
            "wrong password",
            run(
                &[&base[..], &["-u", "alice"]].concat(),
                "Zq9-s3cret-Pw-wrong",
                None,
            ),
        );
        note(
            "namespace",
            run(
                &[
                    "namespace",
                    &t,
                    "-u",
                    "alice",
                    "--ca-file",
                    &ca,
                    "--format",
                    format,
                ],
                ASCII,
                None,
            ),
        );
    }
    let file = dir.path().join("pw");
    std::fs::write(&file, format!("{ASCII}\n")).unwrap();
    note(
        "password file",
        run(
            &[
                "check",
                &t,
                "-u",
                "alice",
                "--ca-file",
                &ca,
                "--password-file",
                file.to_str().unwrap(),
            ],
            "",
            None,
        ),
    );
    note(
        "fleet",
        run(
            &[
                "check",
                &t,
                &t,
                "-u",
                "alice",
                "--ca-file",
                &ca,
                "--format",
                "json",
            ],
            ASCII,
            None,
        ),
    );

    // AUTHENTICATE PLAIN without SASL-IR: the response goes after the server's +.
    let no_ir = serve(|c| {
        c.send(b"* OK [CAPABILITY IMAP4rev1 NAMESPACE AUTH=PLAIN] ready\r\n");
        while let Some((tag, cmd)) = c.command() {
            let reply = match cmd.as_str() {
                "AUTHENTICATE" => {
                    c.send(b"+ \r\n");
                    let _ = c.line();
                    format!("{tag} OK done\r\n")
                }
                "LOGOUT" => format!("* BYE\r\n{tag} OK bye\r\n"),
                _ => format!("{tag} OK done\r\n"),
            };
            c.send(reply.as_bytes());
        }
    });
    let plain = [
        "check",
        &no_ir.target(),
        "-u",
        "alice",
        "--security",
        "plain",
        "--allow-plaintext-login",
        "--transcript",
    ];
    note("PLAIN after +", run(&plain, ASCII, None));
    note(
        "PLAIN after + json",
        run(&[&plain[..], &["--format", "json"]].concat(), ASCII, None),
    );
    assert!(
        no_ir
            .lines()
            .iter()
            .any(|l| l
                == &base64::engine::general_purpose::STANDARD.encode(format!("\0alice\0{ASCII}"))),
        "the test must send the secret for real: {:?}",
        no_ir.lines()
    );

    // The shell: script mode, its saved transcript, and the interactive history.
    let saved = dir.path().join("transcript.txt");
    let script = format!(
        "login alice {ASCII}\n? login eve {{{}}}\n{EIGHT_BIT}\n.transcript save {}\n",
        EIGHT_BIT.len(),
        saved.display()
    );
    note(
        "shell script",
        run(&["shell", &t, "--ca-file", &ca], ASCII, Some(&script)),
    );
    note("saved transcript", std::fs::read_to_string(&saved).unwrap());
    let history = dir.path().join("history");
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("imapdiag"));
    cmd.args(["shell", &t, "--ca-file", &ca])
        .env("NO_COLOR", "1")
        .env("IMAPDIAG_HISTORY", &history)
        .env_remove("IMAPDIAG_PASSWORD");
    let mut p = spawn_with_options(cmd, Options::new().timeout_ms(Some(15_000))).unwrap();
    // Everything the terminal showed, the typed lines as echoed included.
    let mut screen = p.exp_string("127.0.0.1> ").unwrap();
    // An ASCII password as a literal: rexpect reads the screen byte by byte, so an 8-bit
    // password would not be found in it even if it were shown.
    p.send_line(&format!("a10 login alice {{{}}}", ASCII.len()))
        .unwrap();
    screen += &p.exp_string("S: + ").unwrap();
    p.send_line(ASCII).unwrap();
    screen += &p.exp_string("a10 OK").unwrap();
    let stars = format!("..{} bytes> {}", ASCII.len(), "*".repeat(ASCII.len()));
    assert!(
        screen.contains(&stars),
        "the literal was not masked: {screen}"
    );
    // Already logged in, so these are refused; what matters is how they were shown.
    p.send_line(&format!("login alice {ASCII}")).unwrap();
    screen += &p.exp_string("S: a003 ").unwrap();
    let ir = base64::engine::general_purpose::STANDARD.encode(format!("\0alice\0{ASCII}"));
    p.send_line(&format!("a9 authenticate plain {ir}")).unwrap();
    screen += &p.exp_string("S: a9 ").unwrap();
    p.send_control('d').unwrap();
    screen += &p.exp_eof().unwrap();
    assert!(
        screen.contains("login alice *************"),
        "not masked: {screen}"
    );
    note("interactive shell", screen);
    note("history", std::fs::read_to_string(&history).unwrap());

    // A two-step AUTHENTICATE in the shell: the response typed at the `+` is a secret in
    // script mode, on screen, in history and in the saved transcript.
    let ir = base64::engine::general_purpose::STANDARD.encode(format!("\0alice\0{ASCII}"));
    let saved2 = dir.path().join("sasl-transcript.txt");
    let script = format!(
        "authenticate plain\n{ir}\nnamespace\n.transcript save {}\n",
        saved2.display()
    );
    let out = run(&["shell", &t, "--ca-file", &ca], "", Some(&script));
    assert!(
        out.contains("S: * NAMESPACE"),
        "the exchange did not complete: {out}"
    );
    assert!(out.contains("C: <redacted>"), "{out}");
    note("shell script SASL", out);
    note(
        "saved SASL transcript",
        std::fs::read_to_string(&saved2).unwrap(),
    );
    let history2 = dir.path().join("history2");
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("imapdiag"));
    cmd.args(["shell", &t, "--ca-file", &ca])
        .env("NO_COLOR", "1")
        .env("IMAPDIAG_HISTORY", &history2)
        .env_remove("IMAPDIAG_PASSWORD");
    let mut p = spawn_with_options(cmd, Options::new().timeout_ms(Some(15_000))).unwrap();
    let mut screen = p.exp_string("127.0.0.1> ").unwrap();
    p.send_line("authenticate plain").unwrap();
    screen += &p.exp_string("S: + ").unwrap();
    p.send_line(&ir).unwrap();
    screen += &p.exp_string("OK").unwrap();
    p.send_line("namespace").unwrap();
    screen += &p.exp_string("S: a004 OK").unwrap();
    p.send_control('d').unwrap();
    screen += &p.exp_eof().unwrap();
    // Masked while typed (the forbidden-strings check below proves it never showed).
    assert!(screen.contains("..> ****"), "not masked: {screen}");
    note("interactive SASL", screen);
    note("SASL history", std::fs::read_to_string(&history2).unwrap());

    // A server that echoes the password and the SASL response back.
    let echo = format!("{{TAG}} NO LOGIN alice {ASCII} failed ({ir})\r\n");
    let echo: &'static [u8] = Box::leak(echo.into_bytes().into_boxed_slice());
    let echoing = serve(move |c| {
        support::scripted::simple_session(
            c,
            b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR] echo\r\n",
            &[("LOGIN", echo), ("AUTHENTICATE", echo)],
        )
    });
    for auth in ["login", "plain"] {
        for format in ["text", "json"] {
            let args = [
                "check",
                &echoing.target(),
                "-u",
                "alice",
                "--security",
                "plain",
                "--allow-plaintext-login",
                "--auth",
                auth,
                "--transcript",
                "--format",
                format,
            ];
            note("echoing server", run(&args, ASCII, None));
        }
    }

    // analyze of pastes with irregular spacing.
    for paste in [
        format!("* OK ready\n   a001 LOGIN alice {ASCII}\na001 OK done\n"),
        format!("* OK ready\na001\tLOGIN\talice\t{ASCII}\na001 OK done\n"),
        format!("S: * OK ready\nC:  a001  LOGIN alice {ASCII}\nS: a001 OK done\n"),
        format!("S: * OK ready\nC: a1 AUTHENTICATE PLAIN\nS: +\nC: {ir}\nS: a1 OK done\n"),
    ] {
        note(
            "analyze spacing",
            run(&["analyze", "-", "--transcript"], "", Some(&paste)),
        );
        note(
            "analyze spacing",
            run(&["analyze", "-", "--format", "json"], "", Some(&paste)),
        );
    }

    // analyze of transcripts that contain the password, in each form it reads.
    let telnet = format!("* OK ready\r\na1 login alice {ASCII}\r\na1 OK done\r\na2 LOGIN eve {{12}}\r\n+ go\r\n{EIGHT_BIT}\r\na2 OK done\r\n");
    let cs = format!(
        "S: * OK ready\nC: a1 AUTHENTICATE PLAIN {}\nS: a1 OK done\n",
        base64::engine::general_purpose::STANDARD.encode(format!("\0alice\0{ASCII}"))
    );
    for (what, input) in [("analyze telnet", telnet), ("analyze C:/S:", cs)] {
        note(
            what,
            run(&["analyze", "-", "--transcript"], "", Some(&input)),
        );
        note(
            what,
            run(&["analyze", "-", "--format", "json"], "", Some(&input)),
        );
    }

    // The emulator's log, with a users file holding the password.
    let users = dir.path().join("users");
    std::fs::write(&users, format!("alice:{ASCII}\n")).unwrap();
    let s = emulator::serve("exchange2000", &["--users", users.to_str().unwrap()]);
    note(
        "check against serve",
        run(
            &[
                "check",
                &format!("127.0.0.1:{}", s.port),
                "-u",
                "alice",
                "--insecure",
                "--transcript",
            ],
            ASCII,
            None,
        ),
    );
    note("serve log", s.log());

    assert!(seen.len() > 20);
    for (what, text) in &seen {
        for secret in forbidden() {
            assert!(!text.contains(&secret), "{what} shows {secret:?}:\n{text}");
        }
    }
}

/// OAuth tokens are secrets like passwords: absent from text, JSON, Nagios output and the
/// transcript, in their raw form and in the base64 of the SASL initial response, also when
/// the server rejects them.
#[test]
fn no_token_appears_in_any_output() {
    use support::dovecot::oauth_token;
    let s = emulator::serve("office365", &[]);
    let g = emulator::serve("gmail", &[]);
    let ms = oauth_token(
        "alice",
        serde_json::json!({"iss": "https://sts.windows.net/t/", "upn": "alice@contoso.com", "aud": "https://outlook.office.com", "scp": "SMTP.Send"}),
    );
    let google = oauth_token(
        "alice",
        serde_json::json!({"iss": "https://accounts.google.com", "email": "alice@gmail.com", "scope": "openid"}),
    );
    let b64 = |s: String| base64::engine::general_purpose::STANDARD.encode(s);
    for (port, user, token) in [
        (s.port, "alice@contoso.com", &ms),
        (g.port, "alice@gmail.com", &google),
    ] {
        let mut forbidden = vec![token.clone()];
        forbidden.push(b64(format!("user={user}\x01auth=Bearer {token}\x01\x01")));
        let target = format!("127.0.0.1:{port}");
        for format in ["text", "json", "nagios"] {
            for auth in ["xoauth2", "auto"] {
                let out = imapdiag()
                    .args([
                        "check",
                        &target,
                        "--user",
                        user,
                        "--insecure",
                        "--transcript",
                    ])
                    .args(["--auth", auth, "--format", format])
                    .env("IMAPDIAG_TOKEN", token)
                    .output()
                    .unwrap();
                let text = all(&out);
                assert!(
                    text.contains(user) || format == "nagios",
                    "{format}: {text}"
                );
                for f in &forbidden {
                    assert!(
                        !text.contains(f.as_str()),
                        "{format} {auth} shows the token:\n{text}"
                    );
                }
            }
        }
    }
}
