//! `imapdiag analyze`: diagnose a saved session without a server. The same report,
//! findings and exit status as a live check, from what the transcript shows, and a
//! finding that says what it could not judge.

mod reader;
mod redact;
mod replay;

pub use reader::{read, Dir, Line, Session, MAX_INPUT};

use super::{profile, signs};
use crate::report::{Report, Status, TargetInfo};
use crate::settings::Expect;

/// Analyses `text` (the contents of `input`, a file name or `-`).
pub fn analyze(text: &str, input: &str, expect: &Expect) -> Report {
    let session = read(text);
    let mut report = Report::empty("analyze", target(input, &session));
    let mut replay = replay::Replay::new(report);
    for l in &session.lines {
        replay.line(l);
    }
    replay.finish();
    let completed = std::mem::take(&mut replay.completed);
    report = replay.report;
    for r in &mut report.referrals {
        r.outcome =
            "not followed: a saved transcript (run imapdiag check --follow-referrals)".into();
    }
    let had_greeting = report.server.greeting.is_some();
    signs::signs(&mut report);
    profile::judge(&mut report, expect);
    report
        .findings
        .extend(replay::not_judged(&completed, had_greeting));
    report.status = if session.lines.is_empty() {
        // Nothing IMAP in it: imapdiag could not judge.
        Status::Unknown
    } else {
        Report::derive_status(&report.findings)
    };
    report
}

fn target(input: &str, s: &Session) -> TargetInfo {
    TargetInfo {
        input: input.to_string(),
        host: String::new(),
        port: 0,
        security: format!("{} transcript", s.format),
        user: None,
    }
}
