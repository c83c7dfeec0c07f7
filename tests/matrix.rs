//! The real-server matrix: Dovecot 2.3, Cyrus IMAP 3.6 in both namespace modes and
//! Courier-IMAP 5.0, each started once for this test binary on 127.0.0.1, each checked over
//! STARTTLS and implicit TLS: `check` exits 0, `namespace` shows the server's exact
//! NAMESPACE reply, the shell's script mode logs in (and IDLEs and appends a multi-line
//! literal; typed ahead of a login, a command waits for it), the fingerprint names the product
//! with no conflict, and no step takes a second.

mod support;

use std::sync::OnceLock;

use serde_json::Value;
use support::daemon::Daemon;
use support::dovecot::{self, Dovecot, Layout};
use support::fingerprints::{self, Case, Outcome};
use support::{codes, courier, cyrus, imapdiag, json, pki::pki, stdout};

/// One server of the matrix, with what it must show.
struct Server {
    name: &'static str,
    /// The profile the fingerprint must name.
    profile: &'static str,
    /// The fingerprint's product.
    product: &'static str,
    /// The arguments of its NAMESPACE reply, as the server sends them.
    namespace: &'static str,
    target: String,
    tls_target: String,
}

enum Running {
    Dovecot(Dovecot),
    Other(Daemon),
}

/// Starts every server of the matrix once; those that cannot run here were reported by
/// the harness (a failure under `IMAPDIAG_REQUIRE_SERVERS=1`).
fn matrix() -> &'static Vec<(Server, Running)> {
    static ALL: OnceLock<Vec<(Server, Running)>> = OnceLock::new();
    ALL.get_or_init(|| {
        let mut all = Vec::new();
        if let Some(d) = dovecot::start_default(Layout::Plain) {
            deliver(&d);
            all.push(server(
                "dovecot",
                "dovecot",
                "Dovecot",
                r#"(("" "/")) NIL NIL"#,
                Running::Dovecot(d),
            ));
        }
        let cyrus = [
            (
                cyrus::Mode::Standard,
                "cyrus-standard",
                r#"(("INBOX." ".")) (("user." ".")) (("" "."))"#,
            ),
            (
                cyrus::Mode::Alternate,
                "cyrus-alternate",
                r#"(("" "/")) (("Other Users/" "/")) (("Shared Folders/" "/"))"#,
            ),
        ];
        for (mode, name, ns) in cyrus {
            if let Some(d) = cyrus::start(mode) {
                all.push(server(name, "cyrus", "Cyrus IMAP", ns, Running::Other(d)));
            }
        }
        if let Some(d) = courier::start() {
            let ns = r##"(("INBOX." ".")) NIL (("#shared." ".")("shared." "."))"##;
            all.push(server(
                "courier",
                "courier",
                "Courier-IMAP",
                ns,
                Running::Other(d),
            ));
        }
        all
    })
}

/// One message in alice's INBOX, as the other servers of the matrix have.
fn deliver(d: &Dovecot) {
    let new = d.dir.join("home/alice/Maildir/new/1.imapdiag");
    std::fs::write(
        &new,
        "From: bob@localhost\r\nSubject: hello\r\n\r\nhello\r\n",
    )
    .unwrap();
    let _ = std::process::Command::new("chown")
        .args(["-R", "--reference"])
        .arg(d.dir.join("home/alice/Maildir"))
        .arg(&new)
        .status();
}

fn server(
    name: &'static str,
    profile: &'static str,
    product: &'static str,
    namespace: &'static str,
    r: Running,
) -> (Server, Running) {
    let (target, tls_target) = match &r {
        Running::Dovecot(d) => (d.target(), d.tls_target()),
        Running::Other(d) => (d.target(), d.tls_target()),
    };
    let s = Server {
        name,
        profile,
        product,
        namespace,
        target,
        tls_target,
    };
    (s, r)
}

fn logs(r: &Running) -> String {
    match r {
        Running::Dovecot(d) => d.log(),
        Running::Other(d) => d.logs(),
    }
}

/// (label, target, security) for both ways in.
fn ways(s: &Server) -> [(&'static str, String, &'static str); 2] {
    [
        ("starttls", s.target.clone(), "starttls"),
        ("tls", s.tls_target.clone(), "tls"),
    ]
}

fn run(cmd: &str, target: &str, security: &str, extra: &[&str]) -> std::process::Output {
    imapdiag()
        .args([cmd, target, "--user", "alice", "--security", security])
        .args([
            "--ca-file",
            pki().ca_cert.to_str().unwrap(),
            "--format",
            "json",
        ])
        .args(extra)
        .env("IMAPDIAG_PASSWORD", "secret")
        .output()
        .unwrap()
}

fn slow_steps(report: &Value) -> Vec<String> {
    report["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["elapsed_ms"].as_f64().unwrap_or(0.0) >= 1000.0)
        .map(|s| format!("{} {}ms", s["name"], s["elapsed_ms"]))
        .collect()
}

#[test]
fn check_is_ok_on_every_server_both_ways_with_the_product_named_and_no_slow_step() {
    for (s, r) in matrix() {
        for (way, target, security) in ways(s) {
            let out = run("check", &target, security, &[]);
            let report = json(&out);
            let at = format!("{} over {way}: {}\n{}", s.name, stdout(&out), logs(r));
            assert_eq!(out.status.code(), Some(0), "{at}");
            assert_eq!(report["status"], "ok", "{at}");
            assert_eq!(
                report["server"]["fingerprint"]["product"], s.product,
                "{at}"
            );
            assert!(
                !codes(&report).contains(&"fingerprint-conflict".to_string()),
                "{at}"
            );
            assert!(
                slow_steps(&report).is_empty(),
                "{:?} {at}",
                slow_steps(&report)
            );
            let names: Vec<&str> = report["steps"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s["name"].as_str().unwrap())
                .collect();
            for step in ["login", "namespace", "select", "logout"] {
                assert!(
                    names.contains(&step) || (step == "login" && names.contains(&"authenticate")),
                    "{step} missing: {names:?} {at}"
                );
            }
            assert_eq!(report["mailbox"]["exists"], 1, "{at}");
            // The TLS step records the handshake's own time, after STARTTLS too.
            let tls = report["steps"]
                .as_array()
                .unwrap()
                .iter()
                .find(|s| s["name"] == "tls");
            assert!(
                tls.is_some_and(|t| t["elapsed_ms"].as_f64() > Some(0.0)),
                "{at}"
            );
            // LOGIN or AUTHENTICATE PLAIN (Cyrus): neither the password nor its SASL
            // message is in the report or its transcript.
            let shown = stdout(&out);
            assert!(
                !shown.contains("secret") && !shown.contains(PLAIN_B64),
                "{at}"
            );
        }
    }
}

/// SASL PLAIN's message for alice/secret (RFC 4616), as a client sends it.
const PLAIN_B64: &str = "AGFsaWNlAHNlY3JldA==";

/// The certificate each server presents (over STARTTLS and implicit TLS alike) is judged
/// the same: inside the warning window it is a WARNING, exit 1, with the days left in
/// the report.
#[test]
fn a_certificate_inside_the_warning_window_is_a_warning_on_every_server() {
    for (s, r) in matrix() {
        for (way, target, security) in ways(s) {
            let out = run("check", &target, security, &["--cert-warn-days", "100000"]);
            let report = json(&out);
            let at = format!("{} over {way}: {}\n{}", s.name, stdout(&out), logs(r));
            assert!(
                codes(&report).contains(&"certificate-expires-soon".to_string()),
                "{at}"
            );
            assert_eq!(out.status.code(), Some(1), "{at}");
            assert_eq!(report["status"], "warning", "{at}");
        }
    }
}

#[test]
fn namespace_shows_each_server_s_exact_reply_both_ways() {
    for (s, r) in matrix() {
        for (way, target, security) in ways(s) {
            let out = run("namespace", &target, security, &[]);
            let report = json(&out);
            let at = format!("{} over {way}: {}\n{}", s.name, stdout(&out), logs(r));
            assert_eq!(out.status.code(), Some(0), "{at}");
            assert_eq!(
                report["namespace"]["raw"],
                format!("* NAMESPACE {}", s.namespace),
                "{at}"
            );
            assert!(slow_steps(&report).is_empty(), "{at}");
        }
    }
}

#[test]
fn the_shell_script_mode_logs_in_lists_namespaces_and_selects_on_every_server() {
    for (s, r) in matrix() {
        for (way, target, security) in ways(s) {
            let out = imapdiag()
                .args(["shell", &target, "--security", security])
                .args(["--ca-file", pki().ca_cert.to_str().unwrap()])
                .write_stdin("login alice secret\nnamespace\nselect INBOX\n")
                .output()
                .unwrap();
            let text = stdout(&out);
            let at = format!("{} over {way}: {text}\n{}", s.name, logs(r));
            assert_eq!(out.status.code(), Some(0), "{at}");
            assert!(
                text.contains(&format!("S: * NAMESPACE {}", s.namespace)),
                "{at}"
            );
            assert!(text.contains("S: * 1 EXISTS"), "{at}");
            assert!(!text.contains("secret"), "{at}");
        }
        // STARTTLS typed in a plaintext session goes through the same opener.
        let out = imapdiag()
            .args(["shell", &s.target, "--security", "plain"])
            .args(["--ca-file", pki().ca_cert.to_str().unwrap()])
            .write_stdin(
                "starttls
login alice secret
namespace
",
            )
            .output()
            .unwrap();
        let text = stdout(&out);
        let at = format!(
            "{} typed STARTTLS: {text}
{}",
            s.name,
            logs(r)
        );
        assert_eq!(out.status.code(), Some(0), "{at}");
        assert!(text.contains("* TLS TLSv1."), "{at}");
        assert!(
            text.contains(&format!("S: * NAMESPACE {}", s.namespace)),
            "{at}"
        );
        assert!(!text.contains("secret"), "{at}");
    }
}

/// The fingerprint harness: every sourced transcript and every live server, through the
/// fingerprinter. No product may be named wrong, each mark a profile claims unique (greeting,
/// ID, capability, reply text) may fire for its own product only, and of the servers that
/// name themselves at least 95% are named right. Prints the figures the README quotes.
#[test]
fn fingerprints_are_never_wrong_over_every_sourced_transcript_and_the_live_matrix() {
    let mut cases = fingerprints::sourced();
    for (s, _) in matrix() {
        for (way, target, security) in ways(s) {
            cases.push(Case {
                name: format!("live {} over {way}", s.name),
                expected: Some(s.profile),
                label: s.product.to_string(),
                names_itself: true,
                report: json(&run("check", &target, security, &[])),
            });
        }
    }
    let foreign: Vec<String> = cases
        .iter()
        .flat_map(|c| {
            fingerprints::foreign_claims(c)
                .into_iter()
                .map(move |f| format!("{}: {f}", c.name))
        })
        .collect();
    let wrong: Vec<String> = cases
        .iter()
        .filter_map(|c| match fingerprints::outcome(c) {
            Outcome::Wrong(w) => Some(format!("{} ({}) named {w}", c.name, c.label)),
            _ => None,
        })
        .collect();
    let missed: Vec<String> = cases
        .iter()
        .filter(|c| c.names_itself && fingerprints::outcome(c) != Outcome::Right)
        .map(|c| format!("{} ({})", c.name, c.label))
        .collect();
    let (named, wrong_n, selfnamed, recalled) = fingerprints::figures(&cases);
    println!(
        "fingerprints over {} cases ({} live): {wrong_n} wrong of {named} named; {recalled} of {selfnamed} self-naming servers named right ({:.1}%)",
        cases.len(),
        matrix().len() * 2,
        100.0 * recalled as f64 / selfnamed as f64
    );
    println!("not named right: {missed:#?}");
    assert!(
        foreign.is_empty(),
        "marks claimed unique fire elsewhere: {foreign:#?}"
    );
    assert!(wrong.is_empty(), "{wrong:#?}");
    assert!(recalled * 100 >= selfnamed * 95, "{missed:#?}");
}

/// The shell's IDLE (untagged DONE) and a multi-line APPEND counted in bytes, in script
/// mode, on every server.
#[test]
fn the_shell_idles_and_appends_a_multi_line_literal_on_every_server() {
    for (s, r) in matrix() {
        // A new mailbox under the personal namespace, so INBOX keeps its one message.
        let mailbox = if s.namespace.starts_with(r#"(("INBOX."#) {
            "INBOX.Multi"
        } else {
            "Multi"
        };
        let script = format!(
            "login alice secret\nselect INBOX\nidle\nDONE\ncreate {mailbox}\n\
             append {mailbox} {{19}}\nSubject: t\n\nhello\nstatus {mailbox} (MESSAGES)\n"
        );
        let out = imapdiag()
            .args(["shell", &s.target, "--security", "starttls"])
            .args(["--ca-file", pki().ca_cert.to_str().unwrap()])
            .write_stdin(script)
            .output()
            .unwrap();
        let text = stdout(&out);
        let at = format!("{}: {text}\n{}", s.name, logs(r));
        assert_eq!(out.status.code(), Some(0), "{at}");
        let wire: Vec<&str> = text.lines().filter(|l| l.starts_with("C: ")).collect();
        assert!(wire.contains(&"C: DONE"), "{at}");
        assert!(text.contains("S: a005 OK"), "IDLE completed: {at}");
        // Courier quotes the name in STATUS, the others do not.
        assert!(
            text.contains(&format!("S: * STATUS {mailbox} (MESSAGES 1)"))
                || text.contains(&format!("S: * STATUS \"{mailbox}\" (MESSAGES 1)")),
            "{at}"
        );
    }
}

/// In the interactive shell, a command typed ahead of the login's completion waits for
/// it: Courier restarts after a login and Cyrus may start a security layer, and either
/// would lose a command pipelined past it.
#[cfg(unix)]
#[test]
fn a_command_typed_ahead_of_a_login_is_answered_on_every_server() {
    use rexpect::session::{spawn_with_options, Options};
    for (s, r) in matrix() {
        let dir = tempfile::tempdir().unwrap();
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("imapdiag"));
        cmd.args(["shell", &s.target, "--security", "starttls"])
            .args(["--ca-file", pki().ca_cert.to_str().unwrap()])
            .env("NO_COLOR", "1")
            .env("TERM", "xterm")
            .env("IMAPDIAG_HISTORY", dir.path().join("history"));
        let opts = Options::new()
            .timeout_ms(Some(15_000))
            .strip_ansi_escape_codes(true);
        let mut p = spawn_with_options(cmd, opts).unwrap();
        p.exp_string("127.0.0.1> ").unwrap();
        p.send("login alice secret\rselect INBOX\r").unwrap();
        p.flush().unwrap();
        let seen = p
            .exp_string("S: a004 OK")
            .unwrap_or_else(|e| panic!("{}: {e:?}\n{}", s.name, logs(r)));
        let completed = seen.find("S: a003 OK").expect("login completed");
        let sent = seen.find("C: a004 select INBOX").expect("select sent");
        assert!(completed < sent, "{}: {seen}", s.name);
        assert!(!seen.contains("secret"), "{}: {seen}", s.name);
    }
}

/// `analyze` of what a live check wrote (its JSON report, its `--transcript`) gives the
/// live verdict: the same status and the same findings, on every server both ways. One
/// judgement for a session off the wire and one off a page.
#[test]
fn analyze_of_a_live_report_or_transcript_agrees_with_the_live_check() {
    for (s, r) in matrix() {
        for (way, target, security) in ways(s) {
            let live_out = run("check", &target, security, &[]);
            let live = json(&live_out);
            let at = format!("{} over {way}\n{}", s.name, logs(r));
            let from_json = support::analyze_stdin(&stdout(&live_out), &[]);
            let transcript = imapdiag()
                .args([
                    "check",
                    &target,
                    "--user",
                    "alice",
                    "--security",
                    security,
                    "--ca-file",
                    pki().ca_cert.to_str().unwrap(),
                    "--transcript",
                ])
                .env("IMAPDIAG_PASSWORD", "secret")
                .output()
                .unwrap();
            let shown = stdout(&transcript);
            assert!(
                !shown.contains("secret") && !shown.contains(PLAIN_B64),
                "{at}"
            );
            let from_text = support::analyze_stdin(&shown, &[]);
            for (how, out) in [("json", &from_json), ("transcript", &from_text)] {
                let a = json(out);
                let judged = |r: &Value| -> Vec<String> {
                    codes(r)
                        .into_iter()
                        .filter(|c| c != "not-judged" && !c.starts_with("tls-"))
                        .collect()
                };
                assert_eq!(
                    a["status"],
                    live["status"],
                    "{how} {at}\n{:?}\n{}",
                    codes(&a),
                    a["steps"]
                );
                assert_eq!(judged(&a), judged(&live), "{how} {at}\n{}", stdout(out));
                assert_eq!(
                    a["server"]["fingerprint"]["product"], live["server"]["fingerprint"]["product"],
                    "{how} {at}"
                );
                assert_eq!(
                    a["namespace"]["raw"], live["namespace"]["raw"],
                    "{how} {at}"
                );
            }
        }
    }
}
