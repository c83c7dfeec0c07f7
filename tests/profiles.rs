//! Server profiles: every profile recognises the real transcript it came from, the two
//! KB Q311468 replies classify as Exchange 5.5 and 2000, Dovecot with those namespaces is
//! compared correctly while it is still recognised as Dovecot, `analyze` reads the saved
//! forms (telnet, C:/S:, s_client, JSON) and stays honest about unknown servers.

mod support;

use serde_json::Value;
use support::dovecot::{self, Layout, User};
use support::{codes, emulator, finding, imapdiag, json, pki::pki, stdout};

fn fingerprint(r: &Value) -> (&str, &str) {
    let f = &r["server"]["fingerprint"];
    (
        f["profile"].as_str().unwrap_or("unknown"),
        f["confidence"].as_str().unwrap(),
    )
}

fn fixture_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/transcripts")
}

#[test]
fn every_profile_recognises_the_transcript_it_came_from() {
    let out = imapdiag()
        .args(["profiles", "--format", "json"])
        .output()
        .unwrap();
    let profiles: Vec<String> = json(&out)
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_string())
        .collect();
    assert!(profiles.len() >= 80, "{profiles:?}");
    let mut without = Vec::new();
    for name in &profiles {
        let file = fixture_dir().join(format!("{name}.txt"));
        let Ok(text) = std::fs::read_to_string(&file) else {
            without.push(name.as_str());
            continue;
        };
        assert!(text.starts_with("# source: "), "{name}: no source header");
        assert!(text.contains(&format!("# expect-profile: {name}\n")));
        let out = imapdiag()
            .args(["analyze", file.to_str().unwrap(), "--format", "json"])
            .output()
            .unwrap();
        let r = json(&out);
        assert_eq!(
            fingerprint(&r).0,
            name,
            "{name}: {}",
            r["server"]["fingerprint"]
        );
        assert!(r["server"]["fingerprint"]["conflicts"]
            .as_array()
            .unwrap()
            .is_empty());
    }
    // The rest come from sources that quote a greeting, or a pattern, but no session:
    // their quoted greetings are checked by the unit tests (`examples`).
    assert!(profiles.len() - without.len() >= 42, "{without:?}");
    assert!(without.contains(&"cyrus-altnamespace"));
}

const KB_EX55: &str = "a001 login alice PASSword\r\na001 OK LOGIN completed.\r\na002 namespace\r\n* NAMESPACE ((\"\" \"/\")) ((\"Other users/\" \"/\")) ((\"Public Folders/\" \"/\"))\r\na002 OK NAMESPACE completed.\r\n";

#[test]
fn the_two_kb_q311468_replies_compare_as_exchange_55_and_2000_but_name_no_product() {
    // The namespaces are compared with both KB replies, but their shape names no product:
    // any administrator can configure Exchange 5.5's namespaces (RFC 2342 §4).
    let r = json(&support::analyze_stdin(KB_EX55, &[]));
    assert_eq!(r["server"]["fingerprint"]["product"], Value::Null);
    assert_eq!(r["server"]["fingerprint"]["confidence"], "none");
    let compared = r["profile"]["compared"].as_array().unwrap();
    let ex55 = compared.iter().find(|c| c["profile"] == "exchange55");
    assert_eq!(ex55.unwrap()["matches"], true);
    let ex2000 = KB_EX55.replace(r#"(("Other users/" "/"))"#, "NIL");
    let out = support::analyze_stdin(&ex2000, &[]);
    let r = json(&out);
    assert_eq!(r["server"]["fingerprint"]["product"], Value::Null);
    let compared = r["profile"]["compared"].as_array().unwrap();
    let ex2000_row = compared.iter().find(|c| c["profile"] == "exchange2000");
    assert_eq!(ex2000_row.unwrap()["matches"], true);
    let ex55 = compared
        .iter()
        .find(|c| c["profile"] == "exchange55")
        .unwrap();
    assert_eq!(ex55["matches"], false);
    assert_eq!(
        ex55["differences"][0],
        r#"other users: expected (("Other users/" "/")), got NIL"#
    );
    let f = finding(&r, "namespace-other-users-missing");
    assert!(f["remedy"]
        .as_str()
        .unwrap()
        .contains("domain/delegate_account/target_alias"));
    assert!(!stdout(&out).contains("PASSword"));
    // In a CI health check, the upgrade that dropped the namespace is caught.
    let out = support::analyze_stdin(&ex2000, &["--expect-profile", "exchange55"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(codes(&json(&out)).contains(&"namespace-differs".to_string()));
    let out = support::analyze_stdin(&ex2000, &["--expect-profile", "exchange55", "--strict"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn the_kb217388_paste_is_diagnosed_without_a_server() {
    let paste = "* OK Microsoft Exchange IMAP4rev1 server version 5.5.1960.6 (reedlm4.com) ready\r\n? login DOMname/UserN/AliasN PASSword\r\n? OK [REFERRAL imap://redmond%2Freedl%2Fimapf;AUTH=*@reedlm1.reedlm1.com] LOGIN completed\r\n? Select Inbox\r\n? NO There is no replica for that mailbox on this server.\r\n";
    let out = support::analyze_stdin(paste, &[]);
    let r = json(&out);
    assert_eq!(out.status.code(), Some(2));
    for c in [
        "login-referral",
        "no-replica-after-referral",
        "referral-url-pre-sp3",
        "not-judged",
    ] {
        assert!(codes(&r).contains(&c.to_string()), "{c}: {:?}", codes(&r));
    }
    assert_eq!(r["referrals"][0]["user"], "redmond/reedl/imapf");
    assert_eq!(fingerprint(&r).0, "exchange55");
    assert_eq!(
        r["transcript"][1]["line"],
        "? login DOMname/UserN/AliasN <redacted>"
    );
    let text = imapdiag()
        .args(["analyze", "-", "--transcript"])
        .write_stdin(paste)
        .output()
        .unwrap();
    for o in [&out, &text] {
        assert!(!stdout(o).contains("PASSword"), "password shown");
    }
    assert!(stdout(&text).contains("connect to reedlm1.reedlm1.com:143 as redmond/reedl/imapf"));
}

#[test]
fn broken_lines_still_analyse_and_are_escaped() {
    let t = "S: * OK [CAPABILITY IMAP4rev1 ID] Dovecot ready.\nC: a1 NAMESPACE\nS: * NAMESPACE ((\"\" \".\")) NIL\nS: * garbage \u{1b}[2J here\nS: a1 OK done\nC: a2 SELECT INBOX\nS: a2 NO [NONEXISTENT] no such mailbox\n";
    let out = support::analyze_stdin(t, &[]);
    let r = json(&out);
    assert_eq!(out.status.code(), Some(2));
    assert!(codes(&r).contains(&"response-grammar".to_string()));
    assert!(codes(&r).contains(&"select-failed".to_string()));
    assert_eq!(fingerprint(&r).0, "dovecot");
    assert!(!stdout(&out).contains('\u{1b}'));
    let text = imapdiag()
        .args(["analyze", "-", "--transcript"])
        .write_stdin(t)
        .output()
        .unwrap();
    assert!(stdout(&text).contains("\\x1b[2J"));
}

#[test]
fn unknown_greetings_stay_unknown_and_nothing_imap_is_unknown() {
    let out = support::analyze_stdin(
        "S: * OK IMAP4 ready\nC: a1 LOGOUT\nS: * BYE\nS: a1 OK bye\n",
        &[],
    );
    let r = json(&out);
    assert_eq!(r["server"]["fingerprint"]["product"], Value::Null);
    assert_eq!(r["server"]["fingerprint"]["confidence"], "none");
    let out = support::analyze_stdin("hello, this is not a transcript\n", &[]);
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(json(&out)["status"], "unknown");
}

#[test]
fn s_client_output_and_imapdiags_own_json_are_read() {
    let s_client = "CONNECTED(00000003)\ndepth=0 CN = localhost\nverify return:1\n---\nSSL-Session:\n    Protocol  : TLSv1.3\n---\n* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ AUTH=PLAIN] Dovecot (Debian) ready.\na namespace\n* NAMESPACE ((\"\" \"/\")) NIL NIL\na OK Namespace completed (0.001 + 0.000 secs).\nDONE\n";
    let r = json(&support::analyze_stdin(s_client, &[]));
    assert_eq!(r["target"]["security"], "openssl s_client transcript");
    assert_eq!(fingerprint(&r).0, "dovecot");
    assert_eq!(r["namespace"]["raw"], r#"* NAMESPACE (("" "/")) NIL NIL"#);

    // A live report saved as JSON, analysed later, gives the same diagnosis.
    let s = emulator::serve("exchange55-referral", &[]);
    let live = imapdiag()
        .args([
            "check",
            &format!("127.0.0.1:{}", s.port),
            "-u",
            "DOMname/UserN/AliasN",
            "--insecure",
            "--format",
            "json",
        ])
        .env("IMAPDIAG_PASSWORD", "PASSword")
        .output()
        .unwrap();
    let out = support::analyze_stdin(&stdout(&live), &[]);
    let r = json(&out);
    assert_eq!(r["target"]["security"], "json transcript");
    assert_eq!(out.status.code(), Some(2));
    assert!(codes(&r).contains(&"no-replica-after-referral".to_string()));
    assert_eq!(fingerprint(&r).0, "exchange55");
}

#[test]
fn profiles_lists_and_shows_with_sources() {
    let out = imapdiag().arg("profiles").output().unwrap();
    let text = stdout(&out);
    assert!(text.contains("exchange55"));
    assert!(text.contains(r#"(("" "/")) NIL (("Public Folders/" "/")) (verified)"#));
    let out = imapdiag()
        .args(["profiles", "exchange2000"])
        .output()
        .unwrap();
    assert!(stdout(&out).contains("source             KB Q311468 (NAMESPACE)"));
    let out = imapdiag().args(["profiles", "nosuch"]).output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    let out = imapdiag()
        .args(["namespace", "127.0.0.1:1", "--expect-profile", "nosuch"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
}

fn namespace(d: &dovecot::Dovecot, extra: &[&str]) -> std::process::Output {
    let ca = pki().ca_cert.display().to_string();
    imapdiag()
        .args([
            "namespace",
            &d.target(),
            "-u",
            "alice",
            "--ca-file",
            &ca,
            "--format",
            "json",
        ])
        .args(extra)
        .env("IMAPDIAG_PASSWORD", "secret")
        .output()
        .unwrap()
}

#[test]
fn dovecot_with_exchange_namespaces_is_compared_as_exchange_but_known_as_dovecot() {
    let Some(d) = dovecot::start_default(Layout::Exchange55) else {
        return;
    };
    let out = namespace(&d, &[]);
    let r = json(&out);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert_eq!(fingerprint(&r), ("dovecot", "high"));
    assert_eq!(r["server"]["id"]["name"], "Dovecot");
    let compared = r["profile"]["compared"].as_array().unwrap();
    let by = |n: &str| compared.iter().find(|c| c["profile"] == n).unwrap().clone();
    assert_eq!(by("exchange55")["matches"], true);
    assert_eq!(by("exchange2000")["matches"], false);
    assert_eq!(r["profile"]["best"], "dovecot");

    let out = namespace(&d, &["--expect-profile", "exchange2000"]);
    assert_eq!(out.status.code(), Some(1));
    let out = namespace(
        &d,
        &[
            "--expect-namespace",
            r#"(("" "/")) (("Other users/" "/")) (("Public Folders/" "/"))"#,
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let out = namespace(&d, &["--no-id"]);
    let r = json(&out);
    assert_eq!(r["server"]["id"], Value::Null);
    assert!(!r["steps"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["name"] == "id"));
}

#[test]
fn a_dovecot_imitating_exchanges_greeting_is_still_dovecot_and_the_conflict_is_said() {
    let greeting =
        "login_greeting = Microsoft Exchange IMAP4rev1 server version 5.5.2653.23 (EXCH55) ready\n";
    let Some(d) = dovecot::start_with(
        Layout::Exchange55,
        vec![User::new("alice", "secret")],
        greeting,
    ) else {
        return;
    };
    let out = namespace(&d, &[]);
    let r = json(&out);
    assert_eq!(fingerprint(&r).0, "dovecot");
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(codes(&r).contains(&"fingerprint-conflict".to_string()));
    let conflicts = r["server"]["fingerprint"]["conflicts"].as_array().unwrap();
    assert!(conflicts[0].as_str().unwrap().starts_with(
        "Dovecot or Microsoft Exchange Server? Microsoft Exchange Server also fits (greeting"
    ));

    // Without ID, Dovecot's own replies still give it away: `Logged in`, the timing
    // suffix, and a CAPABILITY code Exchange never puts in its greeting.
    let out = namespace(&d, &["--no-id"]);
    let r = json(&out);
    let fp = &r["server"]["fingerprint"];
    assert_eq!(fp["profile"], "dovecot", "{fp}");
    assert_ne!(fp["confidence"], "high");
    assert!(codes(&r).contains(&"fingerprint-conflict".to_string()));
    let conflict = fp["conflicts"][0].as_str().unwrap();
    assert!(conflict.contains("Dovecot") && conflict.contains("Microsoft Exchange Server"));
    let evidence: Vec<&str> = fp["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["says"].as_str().unwrap())
        .collect();
    assert!(
        evidence.contains(&"the reply text is Dovecot's"),
        "{evidence:?}"
    );
}

#[test]
fn a_greeting_of_one_product_with_replies_of_another_is_a_conflict_naming_both() {
    let t = "S: * OK The Microsoft Exchange IMAP4 service is ready.\nC: a1 LOGIN alice <password>\nS: a1 OK Logged in\nC: a2 NAMESPACE\nS: * NAMESPACE ((\"\" \"/\")) NIL NIL\nS: a2 OK Namespace completed (0.001 + 0.000 secs).\n";
    let r = json(&support::analyze_stdin(t, &[]));
    let fp = &r["server"]["fingerprint"];
    let conflict = fp["conflicts"][0].as_str().unwrap_or_default();
    assert!(conflict.contains("Dovecot"), "{fp}");
    assert!(
        conflict.contains("Microsoft Exchange Server 2010-2019"),
        "{fp}"
    );
    assert!(codes(&r).contains(&"fingerprint-conflict".to_string()));
}

#[test]
fn a_product_no_profile_knows_is_reported_under_the_name_it_gives() {
    let t = "S: * OK mail.example.org Frobozz IMAP4rev1 server version 4.2.1 ready\nC: a1 LOGOUT\nS: * BYE bye\nS: a1 OK bye\n";
    let r = json(&support::analyze_stdin(t, &[]));
    let fp = &r["server"]["fingerprint"];
    assert_eq!(fp["product"], "Frobozz", "{fp}");
    assert_eq!(fp["version"], "4.2.1");
    assert_eq!(fp["profile"], Value::Null);
    assert_eq!(fp["confidence"], "low");
    assert_eq!(fp["evidence"][0]["source"], "greeting");
    assert_eq!(
        fp["evidence"][0]["line"],
        "mail.example.org Frobozz IMAP4rev1 server version 4.2.1 ready"
    );
    // ID is a field, not free text: medium confidence, and the vendor is kept.
    let t = "S: * OK IMAP4 ready\nC: a1 ID NIL\nS: * ID (\"name\" \"Frobozz\" \"vendor\" \"Zork Inc.\" \"version\" \"4.2.1\")\nS: a1 OK ID done\n";
    let r = json(&support::analyze_stdin(t, &[]));
    let fp = &r["server"]["fingerprint"];
    assert_eq!(fp["product"], "Frobozz (Zork Inc.)", "{fp}");
    assert_eq!(fp["confidence"], "medium");
    let text = imapdiag()
        .args(["analyze", "-"])
        .write_stdin(t)
        .output()
        .unwrap();
    assert!(
        stdout(&text).contains("the server names itself Frobozz (Zork Inc.); no profile knows it")
    );
}

#[test]
fn exchange_online_s_backend_server_is_decoded_into_the_report() {
    let t = "S: * OK The Microsoft Exchange IMAP4 service is ready. [RgBSADMAUAAyADgAMQBDAEEAMAAxADUANwAuAEQARQBVAFAAMgA4ADEALgBQAFIATwBEAC4ATwBVAFQATABPAE8ASwAuAEMATwBNAA==]\nC: a1 LOGOUT\nS: * BYE bye\nS: a1 OK bye\n";
    let r = json(&support::analyze_stdin(t, &[]));
    let fp = &r["server"]["fingerprint"];
    assert_eq!(fp["profile"], "exchange-online");
    assert_eq!(fp["backend"], "FR3P281CA0157.DEUP281.PROD.OUTLOOK.COM");
    let text = imapdiag()
        .args(["analyze", "-"])
        .write_stdin(t)
        .output()
        .unwrap();
    assert!(stdout(&text).contains("backend        FR3P281CA0157.DEUP281.PROD.OUTLOOK.COM"));
    // The fixture from MailKit decodes too; a greeting without the blob has no backend.
    let r = json(&support::analyze_stdin(
        "S: * OK The Microsoft Exchange IMAP4 service is ready.\n",
        &[],
    ));
    assert_eq!(r["server"]["fingerprint"]["backend"], Value::Null);
}

/// The text and JSON reports of every fixture transcript are snapshots: a change in what a
/// user reads is a visible diff of `tests/snapshots/`.
#[test]
fn every_fixture_transcript_s_reports_match_their_snapshots() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(fixture_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(files.len() >= 40, "{}", files.len());
    for file in files {
        let name = file.file_stem().unwrap().to_string_lossy().to_string();
        let relative = file.strip_prefix(root).unwrap();
        let run = |extra: &[&str]| {
            imapdiag()
                .current_dir(root)
                .arg("analyze")
                .arg(relative)
                .args(extra)
                .env("NO_COLOR", "1")
                .output()
                .unwrap()
        };
        insta::assert_json_snapshot!(format!("transcript-{name}.json"), json(&run(&["--format", "json"])), {
            ".timing" => "[timing]",
            ".**.days_left" => "[days]",
        });
        insta::assert_snapshot!(format!("transcript-{name}.txt"), stdout(&run(&[])));
    }
}
