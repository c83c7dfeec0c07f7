//! Authentication as servers do it today, against a real Dovecot that offers SCRAM-SHA-1,
//! SCRAM-SHA-256, CRAM-MD5, and XOAUTH2 and OAUTHBEARER with locally validated JWTs
//! (`passdb oauth2`, `introspection_mode = local`): every mechanism logs in, and a bad
//! password or token fails with an explained finding. No password or token in any output.

mod support;

use std::sync::OnceLock;

use support::dovecot::{self, oauth_token, Dovecot};
use support::{codes, finding, imapdiag, json, pki::pki, stdout};

fn server() -> Option<&'static Dovecot> {
    static D: OnceLock<Option<Dovecot>> = OnceLock::new();
    D.get_or_init(dovecot::start_oauth).as_ref()
}

fn check(
    d: &Dovecot,
    auth: &str,
    password: Option<&str>,
    token: Option<&str>,
) -> std::process::Output {
    let mut cmd = imapdiag();
    cmd.args([
        "check",
        &d.target(),
        "--user",
        "alice",
        "--auth",
        auth,
        "--format",
        "json",
    ])
    .args(["--ca-file", pki().ca_cert.to_str().unwrap()]);
    if let Some(p) = password {
        cmd.env("IMAPDIAG_PASSWORD", p);
    }
    if let Some(t) = token {
        cmd.env("IMAPDIAG_TOKEN", t);
    }
    cmd.output().unwrap()
}

fn no_secret(out: &std::process::Output, secrets: &[&str]) {
    let all = format!("{}{}", stdout(out), String::from_utf8_lossy(&out.stderr));
    for s in secrets {
        assert!(!all.contains(s), "{s} leaked:\n{all}");
    }
}

#[test]
fn scram_and_cram_md5_log_in_and_scram_verifies_the_server() {
    let Some(d) = server() else { return };
    for (auth, mech) in [
        ("scram-sha-256", "SCRAM-SHA-256"),
        ("scram-sha-1", "SCRAM-SHA-1"),
        ("cram-md5", "CRAM-MD5"),
        ("auto", "SCRAM-SHA-256"),
    ] {
        let out = check(d, auth, Some("secret"), None);
        let r = json(&out);
        let expected = if auth == "cram-md5" { 1 } else { 0 };
        assert_eq!(
            out.status.code(),
            Some(expected),
            "{auth}: {}\n{}",
            stdout(&out),
            d.log()
        );
        assert_eq!(r["auth"]["mechanism"], mech, "{auth}");
        if mech.starts_with("SCRAM") {
            assert_eq!(r["auth"]["server_signature_verified"], true, "{auth}");
        } else {
            assert_eq!(finding(&r, "cram-md5-used")["severity"], "warning");
        }
        assert_eq!(r["mailbox"]["name"], "INBOX");
        no_secret(&out, &["secret"]);
        let out = check(d, auth, Some("wrong-password"), None);
        assert_eq!(out.status.code(), Some(2), "{auth}: {}", stdout(&out));
        assert!(
            codes(&json(&out)).contains(&"login-failed".to_string()),
            "{auth}"
        );
        no_secret(&out, &["wrong-password"]);
    }
}

#[test]
fn oauth_tokens_log_in_and_a_bad_token_gives_the_decoded_failure() {
    let Some(d) = server() else { return };
    let good = oauth_token("alice", serde_json::json!({}));
    for (auth, mech) in [
        ("xoauth2", "XOAUTH2"),
        ("oauthbearer", "OAUTHBEARER"),
        ("auto", "OAUTHBEARER"),
    ] {
        let out = check(d, auth, None, Some(&good));
        let r = json(&out);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{auth}: {}\n{}",
            stdout(&out),
            d.log()
        );
        assert_eq!(r["auth"]["mechanism"], mech);
        assert_eq!(r["auth"]["token"]["user"], "alice");
        assert_eq!(r["auth"]["token"]["expired"], false);
        no_secret(&out, &[&good]);
    }
    let expired = oauth_token(
        "alice",
        serde_json::json!({"exp": 1_000_000_000, "iat": 999_999_000}),
    );
    let wrong_scope = oauth_token("alice", serde_json::json!({"scope": "calendar"}));
    for (token, extra) in [(&expired, Some("token-expired")), (&wrong_scope, None)] {
        for (auth, status) in [("xoauth2", "401"), ("oauthbearer", "invalid_token")] {
            let out = check(d, auth, None, Some(token));
            let r = json(&out);
            assert_eq!(out.status.code(), Some(2), "{auth}: {}", stdout(&out));
            let f = finding(&r, "oauth-token-rejected");
            assert!(
                f["summary"]
                    .as_str()
                    .unwrap()
                    .contains(&format!("status {status}")),
                "{f}"
            );
            assert!(
                !codes(&r).contains(&"login-failed".to_string()),
                "{:?}",
                codes(&r)
            );
            if let Some(code) = extra {
                finding(&r, code);
            }
            no_secret(&out, &[token]);
        }
    }
}

#[test]
fn a_token_mechanism_without_a_token_is_a_usage_error() {
    let out = imapdiag()
        .args([
            "check",
            "127.0.0.1:1",
            "--user",
            "alice",
            "--auth",
            "xoauth2",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("needs a token"));
}

/// NTLM as Exchange ran it, against the emulator's Exchange profiles (which advertise
/// AUTH=NTLM and check the NTLMv2 response against their users).
#[test]
fn ntlm_logs_in_to_the_exchange_profiles_and_names_the_backend() {
    for (profile, computer) in [
        ("exchange55", "exch55.example.com"),
        ("exchange2000", "exch2k.example.com"),
    ] {
        let s = support::emulator::serve(profile, &[]);
        let run = |password: &str| {
            imapdiag()
                .args([
                    "check",
                    &format!("127.0.0.1:{}", s.port),
                    "--user",
                    "EXAMPLE\\alice",
                ])
                .args(["--auth", "ntlm", "--insecure", "--format", "json"])
                .env("IMAPDIAG_PASSWORD", password)
                .output()
                .unwrap()
        };
        let out = run("secret");
        let r = json(&out);
        assert_eq!(r["auth"]["mechanism"], "NTLM", "{}", stdout(&out));
        assert_eq!(r["auth"]["ntlm_target"]["dns_computer"], computer);
        assert_eq!(r["auth"]["ntlm_target"]["netbios_domain"], "EXAMPLE");
        assert!(finding(&r, "ntlm-target")["summary"]
            .as_str()
            .unwrap()
            .contains(computer));
        assert!(
            r["steps"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s["name"] == "authenticate" && s["status"] == "ok"),
            "{}",
            stdout(&out)
        );
        assert_eq!(r["mailbox"]["name"], "INBOX");
        no_secret(&out, &["secret"]);
        let out = run("wrong");
        assert_eq!(out.status.code(), Some(2));
        assert!(codes(&json(&out)).contains(&"login-failed".to_string()));
    }
}

fn emulator_check(
    profile: &support::emulator::Serve,
    user: &str,
    env: (&str, &str),
) -> std::process::Output {
    imapdiag()
        .args([
            "check",
            &format!("127.0.0.1:{}", profile.port),
            "--user",
            user,
        ])
        .args(["--insecure", "--format", "json"])
        .env(env.0, env.1)
        .output()
        .unwrap()
}

/// Microsoft 365's best-known failure: a token without the IMAP scope is accepted by
/// AUTHENTICATE, then every command is "not connected". imapdiag names the missing scope
/// before the server is asked, and explains the server's answer with its known causes.
#[test]
fn microsoft_365_authenticated_but_not_connected_is_explained() {
    let s = support::emulator::serve("office365", &[]);
    let no_scope = oauth_token(
        "alice",
        serde_json::json!({"iss": "https://sts.windows.net/72f988bf-0000-0000-0000-000000000000/", "upn": "alice@example.com", "aud": "https://outlook.office.com", "scp": "SMTP.Send"}),
    );
    let out = emulator_check(&s, "alice@example.com", ("IMAPDIAG_TOKEN", &no_scope));
    let r = json(&out);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    assert_eq!(r["auth"]["mechanism"], "XOAUTH2");
    assert!(finding(&r, "token-scope-missing")["summary"]
        .as_str()
        .unwrap()
        .contains("IMAP.AccessAsUser.All"));
    let known = finding(&r, "known-m365-authenticated-not-connected");
    assert!(known["detail"]
        .as_str()
        .unwrap()
        .contains("github.com/jstedfast/MailKit/issues/1494"));
    let wire: Vec<String> = r["transcript"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["line"].as_str().unwrap().to_string())
        .collect();
    assert!(
        wire.iter()
            .any(|l| l.ends_with("OK AUTHENTICATE completed.")),
        "{wire:?}"
    );
    assert!(
        wire.iter()
            .any(|l| l.ends_with("BAD User is authenticated but not connected.")),
        "{wire:?}"
    );
    no_secret(&out, &[&no_scope]);
    // With the scope, the same login reaches the mailbox.
    let scoped = oauth_token(
        "alice",
        serde_json::json!({"iss": "https://sts.windows.net/72f988bf-0000-0000-0000-000000000000/", "upn": "alice@example.com", "aud": "https://outlook.office.com", "scp": "IMAP.AccessAsUser.All"}),
    );
    let out = emulator_check(&s, "alice@example.com", ("IMAPDIAG_TOKEN", &scoped));
    let r = json(&out);
    assert_eq!(r["mailbox"]["name"], "INBOX", "{}", stdout(&out));
    assert!(
        !codes(&r).iter().any(|c| c.starts_with("token-")),
        "{:?}",
        codes(&r)
    );
    // A Graph token is named as such before the server is asked.
    let graph = oauth_token(
        "alice",
        serde_json::json!({"iss": "https://sts.windows.net/72f988bf-0000-0000-0000-000000000000/", "upn": "alice@example.com", "aud": "https://graph.microsoft.com", "scp": "Mail.Read"}),
    );
    let r = json(&emulator_check(
        &s,
        "alice@example.com",
        ("IMAPDIAG_TOKEN", &graph),
    ));
    finding(&r, "token-audience-wrong");
    // A password: basic authentication is refused.
    let r = json(&emulator_check(
        &s,
        "alice",
        ("IMAPDIAG_PASSWORD", "secret"),
    ));
    assert!(
        codes(&r).contains(&"login-failed".to_string()),
        "{:?}",
        codes(&r)
    );
    finding(&r, "known-m365-authenticate-failed");
}

#[test]
fn gmail_wants_an_app_password_or_a_token_with_its_scope() {
    let s = support::emulator::serve("gmail", &[]);
    let r = json(&emulator_check(
        &s,
        "alice",
        ("IMAPDIAG_PASSWORD", "secret"),
    ));
    finding(&r, "known-gmail-app-password-required");
    let good = oauth_token(
        "alice",
        serde_json::json!({"iss": "https://accounts.google.com", "email": "alice@gmail.com", "scope": "https://mail.google.com/"}),
    );
    let out = emulator_check(&s, "alice@gmail.com", ("IMAPDIAG_TOKEN", &good));
    let r = json(&out);
    assert_eq!(r["auth"]["mechanism"], "OAUTHBEARER", "{}", stdout(&out));
    assert_eq!(r["mailbox"]["name"], "INBOX", "{}", stdout(&out));
    let wrong = oauth_token(
        "alice",
        serde_json::json!({"iss": "https://accounts.google.com", "email": "alice@gmail.com", "scope": "https://www.googleapis.com/auth/calendar"}),
    );
    let out = emulator_check(&s, "alice@gmail.com", ("IMAPDIAG_TOKEN", &wrong));
    let r = json(&out);
    let f = finding(&r, "oauth-token-rejected");
    assert!(
        f["summary"]
            .as_str()
            .unwrap()
            .contains("scope https://mail.google.com/"),
        "{f}"
    );
    finding(&r, "token-scope-missing");
    finding(&r, "rfc5530-authenticationfailed");
    no_secret(&out, &[&wrong, &good]);
}

/// A server that claims to check the password but cannot prove it (its SCRAM signature
/// is wrong): CRITICAL, whatever it answers afterwards.
#[test]
fn a_scram_server_signature_that_does_not_verify_is_critical() {
    use base64::Engine;
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    let s = support::scripted::serve(move |c| {
        c.send(b"* OK [CAPABILITY IMAP4rev1 NAMESPACE AUTH=SCRAM-SHA-256 SASL-IR] impostor\r\n");
        let Some(line) = c.line() else { return };
        let tag = line.split(' ').next().unwrap_or("").to_string();
        let first = base64::engine::general_purpose::STANDARD
            .decode(line.rsplit(' ').next().unwrap_or(""))
            .unwrap_or_default();
        let nonce = String::from_utf8_lossy(&first)
            .split("r=")
            .nth(1)
            .unwrap_or("")
            .to_string();
        c.send(
            format!(
                "+ {}\r\n",
                b64(&format!("r={nonce}server,s=c2FsdHNhbHQ=,i=4096"))
            )
            .as_bytes(),
        );
        let _ = c.line();
        c.send(
            format!(
                "+ {}\r\n",
                b64("v=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")
            )
            .as_bytes(),
        );
        let _ = c.line();
        c.send(format!("{tag} OK logged in\r\n").as_bytes());
        while c.line().is_some() {}
    });
    let out = support::check_plain_cmd(&s.target())
        .args(["--format", "json", "--timeout", "2"])
        .env("IMAPDIAG_PASSWORD", "secret")
        .output()
        .unwrap();
    let r = json(&out);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    assert_eq!(r["auth"]["mechanism"], "SCRAM-SHA-256");
    assert_eq!(r["auth"]["server_signature_verified"], false);
    assert_eq!(
        finding(&r, "scram-server-signature-invalid")["severity"],
        "critical"
    );
    // The exchange was cancelled, not completed with the forged proof accepted.
    assert!(s.lines().iter().any(|l| l == "*"), "{:?}", s.lines());
}

/// The text report shows the login: mechanism, the token's claims, the NTLM target.
#[test]
fn the_text_report_shows_the_authentication() {
    let s = support::emulator::serve("office365", &[]);
    let token = oauth_token(
        "alice",
        serde_json::json!({"iss": "https://sts.windows.net/t/", "upn": "alice@example.com", "aud": "https://outlook.office.com", "scp": "SMTP.Send"}),
    );
    let out = imapdiag()
        .args([
            "check",
            &format!("127.0.0.1:{}", s.port),
            "--user",
            "alice@example.com",
            "--insecure",
        ])
        .env("IMAPDIAG_TOKEN", &token)
        .output()
        .unwrap();
    let text = stdout(&out);
    for line in [
        "mechanism      XOAUTH2",
        "token user     alice@example.com",
        "audience       https://outlook.office.com",
        "scopes         SMTP.Send",
    ] {
        assert!(text.contains(line), "{line:?} not in\n{text}");
    }
    let e = support::emulator::serve("exchange2000", &[]);
    let out = imapdiag()
        .args([
            "check",
            &format!("127.0.0.1:{}", e.port),
            "--user",
            "alice",
            "--auth",
            "ntlm",
            "--insecure",
        ])
        .env("IMAPDIAG_PASSWORD", "secret")
        .output()
        .unwrap();
    assert!(
        stdout(&out).contains("NTLM target    exch2k.example.com, EXCH2K, example.com, EXAMPLE"),
        "{}",
        stdout(&out)
    );
}

/// A pasted Microsoft 365 log (MailKit #1496) is explained offline, and the shell explains
/// a known refusal on its interpretation line.
#[test]
fn analyze_and_the_shell_explain_known_error_texts() {
    let fixture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/logs/mailkit-1496-m365-not-connected.txt"
    );
    let out = imapdiag()
        .args(["analyze", fixture, "--format", "json"])
        .output()
        .unwrap();
    let r = json(&out);
    let f = finding(&r, "known-m365-authenticated-not-connected");
    assert!(
        f["detail"]
            .as_str()
            .unwrap()
            .contains("IMAP.AccessAsUser.All"),
        "{f}"
    );
    finding(&r, "known-exchange-connection-closed");
    let s = support::emulator::serve("gmail", &[]);
    let out = imapdiag()
        .args(["shell", &format!("127.0.0.1:{}", s.port), "--insecure"])
        .write_stdin("login alice secret\n")
        .output()
        .unwrap();
    let text = stdout(&out);
    assert!(text.contains("= Gmail wants an app password: the account has two-step verification; most often: two-step verification is on"), "{text}");
}
