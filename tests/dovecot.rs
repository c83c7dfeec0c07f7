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
