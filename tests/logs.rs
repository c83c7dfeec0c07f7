//! `analyze` of what people paste: client logs from public issue threads
//! (`tests/fixtures/logs/*.txt`, each with `# source:` and `# format:` headers, secrets and
//! addresses replaced by placeholders). Each is read in its format, judged, and its text and
//! JSON reports are snapshots (`tests/snapshots/`). A known password goes through every
//! format and comes out nowhere.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use support::{codes, imapdiag, json, stdout};

fn logs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/logs")
}

fn fixtures() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(logs_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    files
}

fn header(text: &str, key: &str) -> Option<String> {
    let prefix = format!("# {key}: ");
    text.lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .map(str::to_string)
}

/// `analyze FILE` from the repository's root, so the report names the file the same on
/// every checkout.
fn analyze(file: &Path, extra: &[&str]) -> std::process::Output {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    imapdiag()
        .current_dir(root)
        .arg("analyze")
        .arg(file.strip_prefix(root).unwrap_or(file))
        .args(extra)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

#[test]
fn every_log_is_read_in_its_format_and_its_reports_match_their_snapshots() {
    let mut per_format: BTreeMap<String, usize> = BTreeMap::new();
    for file in fixtures() {
        let text = std::fs::read_to_string(&file).unwrap();
        let name = file.file_stem().unwrap().to_string_lossy().to_string();
        assert!(
            header(&text, "source").is_some(),
            "{name}: no # source: header"
        );
        let format = header(&text, "format").expect("a # format: header");
        *per_format.entry(format.clone()).or_default() += 1;
        let out = analyze(&file, &["--format", "json"]);
        let r = json(&out);
        assert_eq!(r["input"]["format"], format, "{name}");
        // Something was read: IMAP lines, or (s_client that never got a greeting) TLS.
        let read = r["input"]["lines"].as_u64().unwrap() > 0 || !r["tls"].is_null();
        assert!(read, "{name}");
        insta::assert_json_snapshot!(format!("{name}.json"), r, {
            ".timing" => "[timing]",
            ".**.days_left" => "[days]",
        });
        let text_out = stdout(&analyze(&file, &[]));
        insta::assert_snapshot!(format!("{name}.txt"), text_out);
    }
    println!("fixtures per format: {per_format:?}");
    // Dovecot rawlogs come from a real Dovecot in `a_real_dovecot_rawlog_...` below.
    for format in [
        "C:/S:",
        "MailKit",
        "curl -v",
        "node-imap",
        "imapflow",
        "python imaplib",
        "aioimaplib",
        "Thunderbird IMAP:5",
        "K-9 Mail",
        "rust-imap",
        "telnet",
        "openssl s_client",
    ] {
        assert!(
            per_format.get(format).is_some_and(|n| *n >= 1),
            "no fixture of {format}: {per_format:?}"
        );
    }
}

/// Each fixture that had a password or token names its placeholder in `# password:`; it
/// is in no output: the text, the JSON, or the redacted transcript.
#[test]
fn no_fixture_s_password_survives() {
    let mut checked = 0;
    for file in fixtures() {
        let text = std::fs::read_to_string(&file).unwrap();
        let Some(secret) = header(&text, "password") else {
            continue;
        };
        let body: String = text
            .lines()
            .filter(|l| !l.starts_with("# "))
            .collect::<Vec<_>>()
            .join("\n");
        assert!(
            body.contains(&secret),
            "{}: the secret is not in the log",
            file.display()
        );
        for extra in [&[][..], &["--format", "json"], &["--transcript"]] {
            let out = stdout(&analyze(&file, extra));
            assert!(
                !out.contains(&secret),
                "{} {extra:?}: {secret} shown",
                file.display()
            );
        }
        checked += 1;
    }
    assert!(checked >= 5, "{checked}");
}

/// One LOGIN, an AUTHENTICATE with its continuation, in each format's own shape.
fn session_in(format: &str, password: &str, blob: &str) -> String {
    let lines = [
        (
            'S',
            "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] Dovecot ready.".to_string(),
        ),
        ('C', format!("a1 LOGIN alice {password}")),
        (
            'S',
            "a1 NO [AUTHENTICATIONFAILED] Authentication failed.".to_string(),
        ),
        ('C', "a2 AUTHENTICATE PLAIN".to_string()),
        ('S', "+ ".to_string()),
        ('C', blob.to_string()),
        ('S', "a2 OK Logged in".to_string()),
    ];
    let mut out = String::new();
    for (i, (dir, l)) in lines.iter().enumerate() {
        let client = *dir == 'C';
        let js = l.replace('\\', "\\\\").replace('\'', "\\'");
        let py = js.clone();
        let json_msg = serde_json::to_string(l).unwrap();
        let row = match format {
            "cs" => format!("{dir}: {l}"),
            "mailkit" => format!("{}{dir}: {l}", if i == 0 { "Connected to imaps://mail.example.com:993/\n" } else { "" }),
            "rust-imap" => format!("{}: {l}", if client { "client" } else { "server" }),
            "curl" => format!("{} {l}", if client { ">" } else { "<" }),
            "node-imap" => format!("{} '{js}'", if client { "=>" } else { "<=" }),
            "imapflow" => format!(r#"{{"level":20,"src":"{}","msg":{json_msg}}}"#, if client { "c" } else { "s" }),
            "imaplib" => format!("  12:34.56 {} b'{py}'", if client { ">" } else { "<" }),
            "aioimaplib" => format!("DEBUG:aioimaplib.aioimaplib:{} : b'{py}\\r\\n'", if client { "Sending" } else { "Received" }),
            "thunderbird" => format!("2024-02-08 12:34:52.609924 UTC - [Parent 1: IMAP]: I/IMAP 7f:mail.example.com:NA:{}: {l}", if client { "SendData" } else { "CreateNewLineFromSocket" }),
            "k9" if client => format!("V ImapConnection: conn1>>> {l}"),
            "k9" => {
                let (tag, rest) = l.split_once(' ').unwrap();
                let tag = if tag == "*" { "null" } else { tag };
                let words: Vec<&str> = rest.split(' ').filter(|w| !w.is_empty()).collect();
                format!("V ImapResponseParser: conn1<<<#{tag}# [{}]", words.join(", "))
            }
            "telnet" => l.to_string(),
            other => panic!("{other}"),
        };
        out.push_str(&row);
        out.push('\n');
    }
    out
}

#[test]
fn a_known_password_goes_through_every_format_and_comes_out_nowhere() {
    let password = "Hunter2-Zebra-77";
    // PLAIN's message for alice with the password, as a client sends it.
    let blob = "AGFsaWNlAEh1bnRlcjItWmVicmEtNzc=";
    for format in [
        "cs",
        "mailkit",
        "rust-imap",
        "curl",
        "node-imap",
        "imapflow",
        "imaplib",
        "aioimaplib",
        "thunderbird",
        "k9",
        "telnet",
    ] {
        let log = session_in(format, password, blob);
        for extra in [&[][..], &["--format", "json"], &["--transcript"]] {
            let out = imapdiag()
                .args(["analyze", "-", "--format-in", format])
                .args(extra)
                .write_stdin(log.clone())
                .output()
                .unwrap();
            let shown = stdout(&out);
            assert!(!shown.contains(password), "{format} {extra:?}: {shown}");
            assert!(!shown.contains(blob), "{format} {extra:?}: {shown}");
        }
        let r = json(&support::analyze_stdin(&log, &[]));
        assert_eq!(
            r["server"]["fingerprint"]["product"], "Dovecot",
            "{format}: {log}"
        );
        assert!(
            codes(&r).contains(&"login-failed".to_string()),
            "{format}: {:?}",
            codes(&r)
        );
    }
}

#[test]
fn the_microsoft_365_logs_are_explained() {
    let r = json(&analyze(
        &logs_dir().join("mailkit-1496-m365-not-connected.txt"),
        &["--format", "json"],
    ));
    let c = codes(&r);
    assert!(
        c.contains(&"known-m365-authenticated-not-connected".to_string()),
        "{c:?}"
    );
    assert_eq!(r["status"], "critical");
    assert_eq!(
        r["server"]["fingerprint"]["backend"],
        "FR0P281CA0041.DEUP281.PROD.OUTLOOK.COM"
    );
    let text = stdout(&analyze(
        &logs_dir().join("mailkit-1496-m365-not-connected.txt"),
        &[],
    ));
    assert!(
        text.contains("User is authenticated but not connected"),
        "{text}"
    );
}

#[test]
fn curl_s_own_lines_are_not_imap_and_its_tls_lines_fill_the_tls_section() {
    let log = "*   Trying 192.0.2.1:993...\n* Connected to imap.example.com (192.0.2.1) port 993 (#0)\n* SSL connection using TLSv1.2 / ECDHE-RSA-AES256-GCM-SHA384\n* Server certificate:\n*  subject: CN=imap.example.com\n*  expire date: Oct 23 23:59:59 2022 GMT\n*  issuer: C=US; O=DigiCert Inc; CN=DigiCert Cloud Services CA-1\n*  SSL certificate verify result: unable to get local issuer certificate (20), continuing anyway.\n< * OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] Dovecot ready.\n> A001 CAPABILITY\n< * CAPABILITY IMAP4rev1 AUTH=PLAIN\n< A001 OK Pre-login capabilities listed, post-login capabilities have more.\n> A002 LOGIN alice hunter2\n< A002 NO [AUTHENTICATIONFAILED] Authentication failed.\n* Connection #0 to host imap.example.com left intact\n";
    let out = support::analyze_stdin(log, &[]);
    let r = json(&out);
    assert_eq!(r["input"]["format"], "curl -v");
    assert_eq!(r["input"]["lines"], 6);
    assert_eq!(r["tls"]["version"], "TLSv1.2");
    assert_eq!(r["tls"]["verified"], false);
    assert_eq!(r["tls"]["certificate"]["subject"], "CN=imap.example.com");
    assert_eq!(r["tls"]["certificate"]["not_after_unix"], 1666569599);
    let c = codes(&r);
    assert!(c.contains(&"tls-verify-failed".to_string()), "{c:?}");
    assert!(c.contains(&"login-failed".to_string()), "{c:?}");
    assert!(!stdout(&out).contains("hunter2"));
}

/// The same unquoted LIST delimiter is the server's fault in a C:/S: transcript and the
/// log's in K-9's, which rebuilds each response from its parsed list.
#[test]
fn the_grammar_of_a_line_k9_rebuilt_is_not_judged() {
    let k9 = "01-07 19:08:58.810 26970 30173 V ImapConnection: conn4673923>>> 2 LIST \"\" \"*\"\n\
              01-07 19:08:58.823 26970 26990 V ImapResponseParser: conn4673923<<<#null# [LIST, [\\HasNoChildren], /, INBOX]\n\
              01-07 19:08:58.823 26970 26990 V ImapResponseParser: conn4673923<<<#2# [OK, done]\n";
    let cs =
        "S: * OK ready\nC: 2 LIST \"\" \"*\"\nS: * LIST (\\HasNoChildren) / INBOX\nS: 2 OK done\n";
    for (log, format, judged) in [(k9, "K-9 Mail", false), (cs, "C:/S:", true)] {
        let out = support::analyze_stdin(log, &[]);
        let r = json(&out);
        assert_eq!(r["input"]["format"], format);
        let c = codes(&r);
        assert_eq!(
            c.contains(&"response-grammar".to_string()),
            judged,
            "{format}: {c:?}"
        );
    }
}

#[test]
fn format_in_forces_a_reader_and_nothing_imap_exits_3() {
    // A C:/S: transcript read as telnet has no IMAP line where it expects one.
    let cs = "S: * OK Dovecot ready.\nC: a1 NOOP\nS: a1 OK done\n";
    let out = imapdiag()
        .args(["analyze", "-", "--format-in", "telnet", "--format", "json"])
        .write_stdin(cs)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stdout(&out));
    assert_eq!(json(&out)["input"]["format"], "telnet");
    let out = support::analyze_stdin(cs, &[]);
    assert_eq!(json(&out)["input"]["format"], "C:/S:");
    assert_eq!(out.status.code(), Some(0));
    // /etc/passwd names commands (`list`, `login`) but no server ever spoke.
    let passwd = "root:x:0:0:root:/root:/bin/bash\nlist:x:38:38:Mailing List Manager:/var/list:/usr/sbin/nologin\nirc:x:39:39:ircd:/run/ircd:/usr/sbin/nologin\n";
    let out = support::analyze_stdin(passwd, &[]);
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(json(&out)["status"], "unknown");
}

#[test]
fn a_dovecot_rawlog_pair_is_merged_and_judged() {
    let dir = tempdir();
    let stem = dir.join("20240101-120000-1234");
    std::fs::write(stem.with_extension("in"), "1704110400.100000 a1 CAPABILITY\n1704110400.200000 a2 LOGIN alice hunter2\n1704110400.300000 a3 NAMESPACE\n").unwrap();
    std::fs::write(stem.with_extension("out"), "1704110400.000000 * OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] Dovecot ready.\n1704110400.150000 * CAPABILITY IMAP4rev1 AUTH=PLAIN\n1704110400.160000 a1 OK Pre-login capabilities listed, post-login capabilities have more.\n1704110400.250000 a2 OK Logged in\n1704110400.350000 * NAMESPACE ((\"\" \"/\")) NIL NIL\n1704110400.360000 a3 OK Namespace completed (0.001 + 0.000 secs).\n").unwrap();
    for half in ["in", "out"] {
        let out = imapdiag()
            .args([
                "analyze",
                stem.with_extension(half).to_str().unwrap(),
                "--format",
                "json",
            ])
            .output()
            .unwrap();
        let r = json(&out);
        assert_eq!(r["input"]["format"], "Dovecot rawlog");
        assert_eq!(r["namespace"]["raw"], "* NAMESPACE ((\"\" \"/\")) NIL NIL");
        assert_eq!(r["server"]["fingerprint"]["product"], "Dovecot");
        assert!(!stdout(&out).contains("hunter2"));
        assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    }
}

fn tempdir() -> PathBuf {
    let d = std::env::temp_dir().join(format!("imapdiag-logs-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A real Dovecot writes a rawlog of a real `imapdiag check` (its pre-login rawlog, which
/// covers the greeting, ID and the login); `analyze` of its `.in` half reads the pair and
/// agrees with the live check on what it shows.
#[test]
fn a_real_dovecot_rawlog_analyses_as_the_live_check_did() {
    use support::dovecot::{self, Layout, User};
    // Relative to the login processes' directory (`$base_dir/login`, their chroot when
    // Dovecot runs as root), and writable by their user.
    let extra = "service imap-login {\n  executable = imap-login -R rawlogs\n}\n";
    let Some(d) = dovecot::start_with(Layout::Plain, vec![User::new("alice", "secret")], extra)
    else {
        return;
    };
    let dir = d.dir.join("run/login/rawlogs");
    std::fs::create_dir_all(&dir).unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
    }
    let live = json(&support::check_plain(&d.target(), &[]));
    assert_ne!(live["status"], "critical", "{live}\n{}", d.log());
    // The readiness probes made pairs too; the check's is the one with a LOGIN.
    let session = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            p.extension().is_some_and(|e| e == "in")
                && std::fs::read_to_string(p)
                    .unwrap_or_default()
                    .contains("LOGIN")
        })
        .unwrap_or_else(|| panic!("no rawlog of the login\n{}", d.log()));
    let files = [session];
    let out = imapdiag()
        .args(["analyze", files[0].to_str().unwrap(), "--format", "json"])
        .output()
        .unwrap();
    let r = json(&out);
    assert_eq!(r["input"]["format"], "Dovecot rawlog");
    assert_eq!(r["server"]["fingerprint"]["product"], "Dovecot");
    // The pre-login rawlog ends with the LOGIN command: its tagged OK comes from the
    // post-login process, which writes its own rawlog. The login is left unjudged, never
    // failed.
    let login = r["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "login")
        .cloned();
    assert_eq!(login.unwrap()["status"], "unknown", "{}", stdout(&out));
    assert_eq!(r["status"], "ok");
    let greeting = &live["server"]["greeting"];
    assert_eq!(&r["server"]["greeting"], greeting);
    assert_eq!(
        r["steps"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["status"] == "failed")
            .count(),
        0,
        "{}",
        stdout(&out)
    );
    assert!(!stdout(&out).contains("secret"));
}

/// K-9 Mail logs two connections interleaved (k9-4426: `conn4673923` sends COMPRESS while
/// `conn35196978` answers the login): one is read, the busiest unless `--connection` names
/// another, and the other's lines are skipped, not mixed into its session.
#[test]
fn a_log_of_interleaved_connections_is_read_one_connection_at_a_time() {
    let file = logs_dir().join("k9-4426-gmail.txt");
    let r = json(&analyze(&file, &["--format", "json"]));
    assert_eq!(r["input"]["connection"], "conn35196978");
    assert_eq!(
        r["input"]["connections"],
        serde_json::json!(["conn4673923", "conn35196978"])
    );
    let sent: Vec<&str> = r["transcript"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["dir"] == "C")
        .map(|w| w["line"].as_str().unwrap())
        .collect();
    assert_eq!(sent, ["3 COMPRESS DEFLATE"], "conn35196978's own COMPRESS");
    let other = json(&analyze(
        &file,
        &["--connection", "conn4673923", "--format", "json"],
    ));
    assert_eq!(other["input"]["connection"], "conn4673923");
    assert_eq!(other["server"]["greeting"], serde_json::Value::Null);
    assert!(
        other["transcript"]
            .as_array()
            .unwrap()
            .iter()
            .all(|w| w["dir"] == "C"),
        "conn4673923 shows no server line: {other}"
    );
    let text = stdout(&analyze(&file, &[]));
    assert!(
        text.contains("(K-9 Mail transcript, connection conn35196978 of 2)"),
        "{text}"
    );
}
