//! `imapdiag analyze`: diagnose a saved session without a server. The same report,
//! findings and exit status as a live check, from what the transcript shows, and a
//! finding that says what it could not judge.

pub mod formats;
pub mod rawlog;
mod reader;
mod replay;
mod tls;

pub use reader::{each_line, read, Dir, Line, Reading, Session, Summary, MAX_INPUT};

use super::{profile, signs};
use crate::report::{InputInfo, Report, Status, TargetInfo};
use crate::settings::Expect;

/// Analyses `text` (the contents of `input`, a file name or `-`) in one pass: each line is
/// replayed as it is read, so time and memory stay in proportion to the input, and the
/// report is capped as a live one is.
pub fn analyze(text: &str, input: &str, how: Reading, expect: &Expect) -> Report {
    analyze_connection(text, input, how, None, expect)
}

/// [`analyze`] of one connection of a log that interleaves several (`--connection`).
pub fn analyze_connection(
    text: &str,
    input: &str,
    how: Reading,
    connection: Option<&str>,
    expect: &Expect,
) -> Report {
    let mut replay = replay::Replay::new(Report::empty("analyze", target(input, "")));
    let summary = each_line(text, how, connection, &mut |l| replay.line(&l));
    replay.finish();
    let completed = std::mem::take(&mut replay.completed);
    let mut report = replay.report;
    report.target = target(input, &summary.format);
    report.tls = tls::from_facts(&summary.tls);
    if let Some(info) = &report.tls {
        report.findings.extend(tls::findings(info));
    }
    report.input = Some(InputInfo {
        format: summary.format.clone(),
        lines: summary.lines,
        skipped: summary.skipped,
        connection: summary.connection.clone(),
        connections: summary.connections.clone(),
    });
    for r in &mut report.referrals {
        r.outcome =
            "not followed: a saved transcript (run imapdiag check --follow-referrals)".into();
    }
    let had_greeting = report.server.greeting.is_some();
    super::knowledge::annotate(&mut report);
    signs::signs(&mut report);
    profile::judge(&mut report, expect);
    report.findings.extend(replay::not_judged(
        &completed,
        had_greeting,
        report.tls.is_some(),
    ));
    report.status = if summary.server_lines == 0 && report.tls.is_none() {
        // Nothing a server said: imapdiag could not judge.
        Status::Unknown
    } else {
        Report::derive_status(&report.findings)
    };
    report
}

fn target(input: &str, format: &str) -> TargetInfo {
    TargetInfo {
        input: input.to_string(),
        host: String::new(),
        port: 0,
        security: format!("{format} transcript"),
        user: None,
    }
}
