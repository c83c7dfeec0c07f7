//! The command-line contract: exit status for usage errors, the published JSON Schema,
//! and the generated completions and man pages.

mod support;

use support::{imapdiag, scripted, stderr, stdout};

#[test]
fn usage_errors_exit_unknown() {
    for args in [
        vec![],
        vec!["check"],
        vec!["check", "h", "--bogus"],
        vec!["check", "pop3://h"],
        vec!["check", "h:70000"],
        vec!["check", "h", "--timeout", "0"],
        vec!["check", "h", "--security", "ssl"],
    ] {
        let out = imapdiag().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(3), "{args:?}: {}", stderr(&out));
        assert!(!stderr(&out).is_empty());
    }
}

#[test]
fn help_and_version_exit_zero() {
    let out = imapdiag().arg("--help").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).contains("0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN"));
    let out = imapdiag().arg("--version").output().unwrap();
    assert_eq!(
        stdout(&out),
        format!("imapdiag {}\n", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn a_user_without_a_password_source_is_a_clear_error() {
    let out = imapdiag()
        .args(["check", "127.0.0.1:1", "--user", "alice"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(stderr(&out)
        .contains("no password for --user alice: set IMAPDIAG_PASSWORD or use --password-file"));
}

const COMMITTED_SCHEMA: &str = include_str!("schema/report.schema.json");

/// The committed schema, not one generated from the same types the reports come from: a
/// renamed or retyped field fails here until the committed file says so.
fn schema_validator() -> jsonschema::Validator {
    let schema: serde_json::Value = serde_json::from_str(COMMITTED_SCHEMA).unwrap();
    jsonschema::validator_for(&schema).expect("a valid JSON Schema")
}

/// `imapdiag schema` is the committed file: a change to the report is a visible diff of
/// `tests/schema/report.schema.json` (fields are added, never renamed).
#[test]
fn the_published_schema_is_the_committed_one() {
    let out = imapdiag().arg("schema").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let generated = String::from_utf8(out.stdout).unwrap();
    let first_difference = generated
        .lines()
        .zip(COMMITTED_SCHEMA.lines())
        .position(|(a, b)| a != b);
    assert!(
        generated == COMMITTED_SCHEMA,
        "the report's schema changed (first at line {first_difference:?}): review it, then run `imapdiag schema > tests/schema/report.schema.json`"
    );
}

#[test]
fn real_reports_validate_against_the_published_schema() {
    let validator = schema_validator();
    let ok = scripted::serve(|c| {
        scripted::simple_session(c, b"* OK [CAPABILITY IMAP4rev1 NAMESPACE] hi\r\n", &[])
    });
    let closed = format!("127.0.0.1:{}", support::free_port());
    let runs = [
        vec![
            "check".to_string(),
            ok.target(),
            "--user".into(),
            "a".into(),
            "--security".into(),
            "plain".into(),
            "--allow-plaintext-login".into(),
        ],
        vec![
            "namespace".to_string(),
            ok.target(),
            "--user".into(),
            "a".into(),
            "--security".into(),
            "plain".into(),
            "--allow-plaintext-login".into(),
        ],
        vec!["check".to_string(), closed],
    ];
    for args in runs {
        let out = imapdiag()
            .args(&args)
            .args(["--format", "json"])
            .env("IMAPDIAG_PASSWORD", "pw")
            .output()
            .unwrap();
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&report)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{args:?}: {errors:?}");
        // A schema that accepts anything would pass the above; it must reject a broken report.
        let mut broken = report.clone();
        broken["status"] = serde_json::json!("fine");
        assert!(!validator.is_valid(&broken));
    }
}

/// completions/ and man/ are generated from the clap definition and committed; this
/// fails when they are stale. Regenerate with `cargo run -- gen-assets .`.
#[test]
fn committed_completions_and_man_pages_are_current() {
    let dir = tempfile::tempdir().unwrap();
    let out = imapdiag()
        .arg("gen-assets")
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for sub in ["completions", "man"] {
        let fresh = dir.path().join(sub);
        let mut names: Vec<_> = std::fs::read_dir(&fresh)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        names.sort();
        assert!(names.len() >= 3, "{sub}: {names:?}");
        for name in names {
            let want = std::fs::read(fresh.join(&name)).unwrap();
            let have = std::fs::read(root.join(sub).join(&name)).unwrap_or_default();
            assert!(
                want == have,
                "{sub}/{} is stale: run `cargo run -- gen-assets .`",
                name.to_string_lossy()
            );
        }
    }
}

/// The user's own mistakes are usage errors found before any connection: a scripted
/// server counts the connections they would have made (none).
#[test]
fn mistakes_are_usage_errors_before_any_connection() {
    let s = scripted::serve(|c| {
        c.send(b"* OK ready\r\n");
    });
    let t = s.target();
    let empty = tempfile::NamedTempFile::new().unwrap();
    let comments = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(comments.path(), "# nothing here\n\n").unwrap();
    let not_pem = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(not_pem.path(), "not a certificate\n").unwrap();
    let pw = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(pw.path(), "secret\n").unwrap();
    let url_with_password = format!("imap://alice:secret@{t}");
    let gssapi = format!("imap://alice;AUTH=GSSAPI@{t}");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["check", &t, "--ca-file", "/nonexistent/ca.pem"],
            "cannot read --ca-file",
        ),
        (
            vec!["check", &t, "--ca-file", not_pem.path().to_str().unwrap()],
            "holds no PEM certificate",
        ),
        (vec!["namespace", &t], "namespace needs a login"),
        (
            vec!["check", &t, "--password-file", pw.path().to_str().unwrap()],
            "--password-file needs --user",
        ),
        (
            vec!["check", "--targets", empty.path().to_str().unwrap()],
            "names no target",
        ),
        (
            vec!["check", "--targets", comments.path().to_str().unwrap()],
            "names no target",
        ),
        (vec!["check", &url_with_password], "holds a password"),
        (vec!["check", &gssapi], ";AUTH=GSSAPI"),
    ];
    for (args, says) in cases {
        let out = imapdiag()
            .args(&args)
            .env("IMAPDIAG_PASSWORD", "secret")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(3), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(says), "{args:?}: {}", stderr(&out));
        assert!(
            !stderr(&out).contains("secret"),
            "{args:?}: {}",
            stderr(&out)
        );
    }
    assert!(s.lines().is_empty(), "connected anyway: {:?}", s.lines());
    assert_eq!(s.connections(), 0);
}

/// `imapdiag schema | head -1`: the reader went away; no panic, no backtrace.
#[test]
fn a_closed_stdout_ends_quietly() {
    use std::process::{Command, Stdio};
    for args in [
        &["schema"][..],
        &["profiles"],
        &["demo"],
        &["serve", "--list-profiles"],
    ] {
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("imapdiag"))
            .args(args)
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).is_empty(), "{args:?}: {}", stderr(&out));
    }
}

/// Password sources that cannot be right are usage errors, never sent: an empty file or
/// first line, a file that is not a password file (read bounded), a non-UTF-8 variable.
#[test]
fn password_sources_that_cannot_be_right_are_usage_errors() {
    use std::os::unix::ffi::OsStrExt;
    let s = scripted::serve(|c| {
        c.send(b"* OK ready\r\n");
    });
    let empty_line = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(empty_line.path(), "\nsecret\n").unwrap();
    let cases = [
        ("/dev/null", "the first line is empty"),
        (
            empty_line.path().to_str().unwrap(),
            "the first line is empty",
        ),
        ("/dev/zero", "the first line is longer than 4096 bytes"),
    ];
    for (file, says) in cases {
        for flag in ["--password-file", "--token-file"] {
            let out = imapdiag()
                .args(["check", &s.target(), "-u", "alice", flag, file])
                .output()
                .unwrap();
            let err = stderr(&out);
            assert_eq!(out.status.code(), Some(3), "{flag} {file}: {err}");
            assert!(err.contains(&format!("{flag} {file}: {says}")), "{err}");
        }
    }
    let out = imapdiag()
        .args(["check", &s.target(), "-u", "alice"])
        .env("IMAPDIAG_PASSWORD", std::ffi::OsStr::from_bytes(b"\xffpw"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(
        stderr(&out).contains("IMAPDIAG_PASSWORD is not valid UTF-8"),
        "{}",
        stderr(&out)
    );
    assert_eq!(s.connections(), 0);
}
