//! `imapdiag check` and `imapdiag namespace` against a real Dovecot over TCP and TLS.

mod support;

use support::dovecot::{self, Layout};
use support::{codes, imapdiag, json, pki::pki, stdout};

const EX55: &str = r#"* NAMESPACE (("" "/")) (("Other users/" "/")) (("Public Folders/" "/"))"#;
const EX2000: &str = r#"* NAMESPACE (("" "/")) NIL (("Public Folders/" "/"))"#;

fn ca() -> String {
    pki().ca_cert.display().to_string()
}

#[test]
fn full_check_over_starttls_is_ok() {
    let Some(d) = dovecot::start_default(Layout::Exchange55) else {
        return;
    };
    let out = imapdiag()
        .args([
            "check",
            &d.target(),
            "--user",
            "alice",
            "--ca-file",
            &ca(),
            "--format",
            "json",
        ])
        .env("IMAPDIAG_PASSWORD", "secret")
        .output()
        .unwrap();
    let r = json(&out);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert_eq!(r["status"], "ok");
    assert_eq!(r["target"]["security"], "starttls");
    let steps: Vec<&str> = r["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        steps,
        [
            "connect",
            "greeting",
            "starttls",
            "tls",
            "capability",
            "id",
            "authenticate",
            "namespace",
            "select",
            "logout"
        ]
    );
    assert_eq!(r["tls"]["verified"], true);
    assert_eq!(r["namespace"]["raw"], EX55);
    assert_eq!(r["mailbox"]["access"], "read-write");
    assert_eq!(r["mailbox"]["exists"], 0);
    assert!(r["server"]["greeting"]
        .as_str()
        .unwrap()
        .starts_with("* OK [CAPABILITY IMAP4rev1"));
    assert!(
        !stdout(&out).contains("secret"),
        "password leaked: {}",
        stdout(&out)
    );
}

fn check(target: &str, extra: &[&str], password: &str) -> std::process::Output {
    let mut args = vec!["check", target, "--user", "alice", "--format", "json"];
    args.extend_from_slice(extra);
    imapdiag()
        .args(&args)
        .env("IMAPDIAG_PASSWORD", password)
        .output()
        .unwrap()
}

#[test]
fn full_check_over_implicit_tls_is_ok() {
    let Some(d) = dovecot::start_default(Layout::Plain) else {
        return;
    };
    let ca = ca();
    let out = check(
        &d.tls_target(),
        &["--security", "tls", "--ca-file", &ca],
        "secret",
    );
    let r = json(&out);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(r["tls"]["version"].as_str().unwrap().starts_with("TLSv1."));
    assert_eq!(r["tls"]["certificate"]["subject"], "CN=localhost");
    assert_eq!(r["tls"]["certificate"]["issuer"], "CN=imapdiag test CA");
    assert_eq!(
        r["tls"]["certificate"]["san"],
        serde_json::json!(["DNS:localhost", "IP:127.0.0.1"])
    );
    assert!(r["tls"]["certificate"]["days_left"].as_i64().unwrap() >= 364);
    assert_eq!(r["steps"][1]["name"], "tls");
    assert_eq!(r["namespace"]["raw"], r#"* NAMESPACE (("" "/")) NIL NIL"#);
}

#[test]
fn imaps_url_on_the_tls_port_means_implicit_tls() {
    let Some(d) = dovecot::start_default(Layout::Plain) else {
        return;
    };
    let target = format!("imaps://alice@127.0.0.1:{}", d.tls_port);
    let out = imapdiag()
        .args(["check", &target, "--ca-file", &ca(), "--format", "json"])
        .env("IMAPDIAG_PASSWORD", "secret")
        .output()
        .unwrap();
    let r = json(&out);
    assert_eq!(r["status"], "ok", "{}", stdout(&out));
    assert_eq!(r["target"]["security"], "tls");
    assert_eq!(r["target"]["user"], "alice");
}

#[test]
fn full_check_over_plain_needs_permission_and_warns() {
    let Some(d) = dovecot::start_default(Layout::Plain) else {
        return;
    };
    let refused = check(&d.target(), &["--security", "plain"], "secret");
    assert_eq!(refused.status.code(), Some(2));
    assert_eq!(codes(&json(&refused)), ["plaintext-login-refused"]);
    assert!(
        !d.log().contains("Login: user=<alice>"),
        "a password went out in plaintext"
    );

    let out = check(
        &d.target(),
        &[
            "--security",
            "plain",
            "--allow-plaintext-login",
            "--auth",
            "login",
        ],
        "secret",
    );
    let r = json(&out);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert_eq!(
        codes(&r),
        ["plaintext-login", "namespace-other-users-missing"]
    );
    assert!(r["tls"].is_null());
    let login = r["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "login")
        .unwrap();
    assert_eq!(
        login["sent"],
        serde_json::json!(["a002 LOGIN alice <redacted>"])
    );
    assert!(login["received"][0]
        .as_str()
        .unwrap()
        .starts_with("a002 OK [CAPABILITY IMAP4rev1"));
    assert_eq!(r["mailbox"]["name"], "INBOX");
}

#[test]
fn wrong_password_is_critical_with_the_server_text() {
    let Some(d) = dovecot::start_default(Layout::Plain) else {
        return;
    };
    let out = check(&d.target(), &["--ca-file", &ca()], "wrong-password");
    let r = json(&out);
    assert_eq!(out.status.code(), Some(2));
    let f = &r["findings"][0];
    assert_eq!(f["code"], "login-failed");
    assert_eq!(f["severity"], "critical");
    assert_eq!(f["detail"], "Authentication failed.");
    let last = r["steps"].as_array().unwrap().last().unwrap();
    assert_eq!(last["name"], "logout");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("wrong-password"));
}

#[test]
fn untrusted_certificate_is_critical_then_insecure_warns_then_ca_file_passes() {
    let Some(d) = dovecot::start_default(Layout::Plain) else {
        return;
    };
    let untrusted = check(&d.tls_target(), &["--security", "tls"], "secret");
    let r = json(&untrusted);
    assert_eq!(untrusted.status.code(), Some(2));
    assert_eq!(codes(&r), ["tls-verify-failed"]);
    assert!(r["tls"]["verify_error"]
        .as_str()
        .unwrap()
        .starts_with("untrusted issuer: unable to get local issuer certificate"));
    assert_eq!(r["tls"]["certificate"]["issuer"], "CN=imapdiag test CA");
    assert!(
        !r["steps"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["name"] == "authenticate"),
        "logged in over an unverified TLS session"
    );

    let insecure = check(
        &d.tls_target(),
        &["--security", "tls", "--insecure"],
        "secret",
    );
    let r = json(&insecure);
    assert_eq!(insecure.status.code(), Some(1));
    assert_eq!(codes(&r), ["tls-insecure", "namespace-other-users-missing"]);
    assert_eq!(r["tls"]["verified"], false);
    assert_eq!(r["mailbox"]["access"], "read-write");

    let trusted = check(
        &d.tls_target(),
        &["--security", "tls", "--ca-file", &ca()],
        "secret",
    );
    assert_eq!(trusted.status.code(), Some(0), "{}", stdout(&trusted));
}

#[test]
fn certificate_name_mismatch_is_reported_as_such() {
    let Some(d) = dovecot::start_default(Layout::Plain) else {
        return;
    };
    // The certificate names localhost and 127.0.0.1; the IMAPS listener also answers on
    // 127.0.0.2 (loopback), a name the certificate does not carry.
    let target = format!("127.0.0.2:{}", d.tls_port);
    let out = check(
        &target,
        &["--security", "tls", "--ca-file", &ca()],
        "secret",
    );
    let r = json(&out);
    assert_eq!(codes(&r), ["tls-verify-failed"], "{}", stdout(&out));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        r["tls"]["verify_error"]
            .as_str()
            .unwrap()
            .starts_with("name mismatch"),
        "{}",
        r["tls"]
    );
}

#[test]
fn exchange_namespace_replies_are_shown_exactly() {
    for (layout, raw, other) in [
        (Layout::Exchange55, EX55, true),
        (Layout::Exchange2000, EX2000, false),
    ] {
        let Some(d) = dovecot::start_default(layout) else {
            return;
        };
        let out = imapdiag()
            .args([
                "namespace",
                &d.target(),
                "--user",
                "alice",
                "--ca-file",
                &ca(),
                "--format",
                "json",
            ])
            .env("IMAPDIAG_PASSWORD", "secret")
            .output()
            .unwrap();
        let r = json(&out);
        assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
        assert_eq!(r["namespace"]["raw"], raw);
        assert_eq!(
            r["namespace"]["personal"],
            serde_json::json!([{"prefix": "", "delimiter": "/"}])
        );
        assert_eq!(
            r["namespace"]["shared"],
            serde_json::json!([{"prefix": "Public Folders/", "delimiter": "/"}])
        );
        let expected_other = if other {
            serde_json::json!([{"prefix": "Other users/", "delimiter": "/"}])
        } else {
            serde_json::Value::Null
        };
        assert_eq!(r["namespace"]["other_users"], expected_other);
        assert_eq!(r["namespace"]["list_delimiter"], "/");

        let text = imapdiag()
            .args([
                "namespace",
                &d.target(),
                "--user",
                "alice",
                "--ca-file",
                &ca(),
            ])
            .env("IMAPDIAG_PASSWORD", "secret")
            .output()
            .unwrap();
        let text = stdout(&text);
        assert!(
            text.contains(&format!("  raw            {raw}\n")),
            "{text}"
        );
        let other_line = if other {
            r#"  other users    prefix "Other users/"  delimiter "/""#
        } else {
            "  other users    NIL"
        };
        assert!(text.contains(other_line), "{text}");
    }
}

#[test]
fn select_of_a_missing_mailbox_is_critical() {
    let Some(d) = dovecot::start_default(Layout::Plain) else {
        return;
    };
    let out = check(
        &d.target(),
        &["--ca-file", &ca(), "--mailbox", "No Such/Box"],
        "secret",
    );
    let r = json(&out);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        codes(&r),
        [
            "select-failed",
            "known-dovecot-mailbox-doesnt-exist",
            "namespace-other-users-missing"
        ]
    );
    let select = r["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "select")
        .unwrap();
    assert_eq!(select["sent"][0], r#"a006 SELECT "No Such/Box""#);
    // Dovecot appends timings "(0.004 + 0.000 secs)."
    assert!(
        select["received"][0]
            .as_str()
            .unwrap()
            .starts_with("a006 NO Mailbox doesn't exist: No Such/Box ("),
        "{select}"
    );
}

#[test]
fn quit_after_and_connection_only() {
    let Some(d) = dovecot::start_default(Layout::Plain) else {
        return;
    };
    let out = imapdiag()
        .args(["check", &d.target(), "--ca-file", &ca(), "--format", "json"])
        .output()
        .unwrap();
    let r = json(&out);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(codes(&r), ["no-credentials"]);
    assert_eq!(r["tls"]["verified"], true);
    let names: Vec<&str> = r["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "connect",
            "greeting",
            "starttls",
            "tls",
            "capability",
            "id",
            "logout"
        ]
    );

    let out = check(&d.target(), &["--quit-after", "greeting"], "secret");
    let names: Vec<String> = json(&out)["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ["connect", "greeting"]);
}

#[test]
fn password_never_appears_in_any_output() {
    let Some(d) = dovecot::start(
        Layout::Plain,
        vec![
            dovecot::User::new("alice", "Pa55-w0rd!"),
            dovecot::User::new("eve", "pässwörd"),
        ],
    ) else {
        return;
    };
    let plain_b64 = "AGFsaWNlAFBhNTUtdzByZCE="; // base64("\0alice\0Pa55-w0rd!")
    let runs: Vec<Vec<&str>> = vec![
        vec!["check", "--format", "json"],
        vec!["check", "--format", "text", "--transcript"],
        vec!["check", "--auth", "login", "--transcript"],
        vec!["namespace", "--format", "json"],
        vec![
            "check",
            "--security",
            "plain",
            "--allow-plaintext-login",
            "--transcript",
        ],
    ];
    let ca = ca();
    for args in runs {
        let (cmd, rest) = args.split_first().unwrap();
        let out = imapdiag()
            .arg(cmd)
            .arg(d.target())
            .args(["--user", "alice", "--ca-file", &ca])
            .args(rest)
            .env("IMAPDIAG_PASSWORD", "Pa55-w0rd!")
            .output()
            .unwrap();
        let all = format!("{}{}", stdout(&out), support::stderr(&out));
        assert!(out.status.code().unwrap() <= 1, "{args:?}: {all}");
        assert!(
            !all.contains("Pa55-w0rd!") && !all.contains(plain_b64),
            "{args:?} leaked the password:\n{all}"
        );
        assert!(
            all.contains("<redacted>"),
            "{args:?}: nothing shows what was sent:\n{all}"
        );
    }
    // A password with 8-bit characters goes as a literal; neither it nor its length shows.
    let out = imapdiag()
        .args([
            "check",
            &d.target(),
            "--user",
            "eve",
            "--auth",
            "login",
            "--ca-file",
            &ca,
            "--transcript",
        ])
        .env("IMAPDIAG_PASSWORD", "pässwörd")
        .output()
        .unwrap();
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        !text.contains("pässwörd") && !text.contains("{10"),
        "{text}"
    );
    assert!(text.contains("C: a004 LOGIN eve <redacted>"), "{text}");
}

#[test]
fn password_file_is_read_and_wrong_file_is_unknown() {
    let Some(d) = dovecot::start_default(Layout::Plain) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("pw");
    std::fs::write(&file, "secret\n").unwrap();
    let out = imapdiag()
        .args([
            "check",
            &d.target(),
            "--user",
            "alice",
            "--ca-file",
            &ca(),
            "--password-file",
        ])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let out = imapdiag()
        .args([
            "check",
            &d.target(),
            "--user",
            "alice",
            "--password-file",
            "/nonexistent/pw",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(support::stderr(&out).contains("cannot read --password-file /nonexistent/pw"));
}

#[test]
fn many_targets_at_once_give_json_lines_a_table_and_the_worst_status() {
    let (Some(a), Some(b)) = (
        dovecot::start_default(Layout::Exchange55),
        dovecot::start_default(Layout::Exchange2000),
    ) else {
        return;
    };
    let closed = format!("127.0.0.1:{}", support::free_port());
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("targets");
    std::fs::write(
        &list,
        format!("# the fleet\n{}\n\n{}   # second\n", a.target(), b.target()),
    )
    .unwrap();
    let ca = ca();
    let run = |format: &str, jobs: &str| {
        imapdiag()
            .args([
                "check",
                &closed,
                "--targets",
                list.to_str().unwrap(),
                "--user",
                "alice",
            ])
            .args(["--ca-file", &ca, "--jobs", jobs, "--format", format])
            .env("IMAPDIAG_PASSWORD", "secret")
            .output()
            .unwrap()
    };
    let out = run("json", "2");
    assert_eq!(out.status.code(), Some(2), "the worst status wins");
    let lines: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    let status_of =
        |t: &str| lines.iter().find(|r| r["target"]["input"] == t).unwrap()["status"].clone();
    assert_eq!(status_of(&a.target()), "ok");
    assert_eq!(status_of(&b.target()), "ok");
    assert_eq!(status_of(&closed), "critical");

    let out = run("text", "1");
    let text = stdout(&out);
    assert!(text.starts_with("TARGET"), "{text}");
    assert!(
        text.contains("3 targets: 2 ok, 0 warning, 1 critical, 0 unknown"),
        "{text}"
    );
    let order: Vec<&str> = text
        .lines()
        .skip(1)
        .take(3)
        .map(|l| l.split(' ').next().unwrap())
        .collect();
    assert_eq!(
        order,
        [closed.as_str(), a.target().as_str(), b.target().as_str()],
        "input order"
    );
    assert!(!text.contains("secret"));
}
