//! Many targets at once (`check` with several TARGETs or `--targets`): at most `jobs`
//! diagnoses in flight, each report handed over as soon as it is done, none kept, so
//! memory stays flat however long the list.

use std::collections::HashMap;

use tokio::task::JoinSet;

use super::findings as code;
use super::hops::target_info;
use super::{diagnose, Plan};
use crate::report::{Finding, Report, Severity, Status, TargetInfo};
use crate::settings::Settings;

/// Runs `plan` on every target, calling `done(index, report)` in completion order.
pub async fn diagnose_each<F: FnMut(usize, Report)>(
    all: Vec<Settings>,
    plan: Plan,
    jobs: usize,
    mut done: F,
) {
    let mut running = JoinSet::new();
    let mut who: HashMap<tokio::task::Id, (usize, TargetInfo)> = HashMap::new();
    let mut pending = all.into_iter().enumerate();
    loop {
        while running.len() < jobs.max(1) {
            let Some((i, s)) = pending.next() else { break };
            let info = target_info(&s);
            let handle = running.spawn(async move { (i, diagnose(&s, plan).await) });
            who.insert(handle.id(), (i, info));
        }
        match running.join_next_with_id().await {
            Some(Ok((id, (i, report)))) => {
                who.remove(&id);
                done(i, report);
            }
            // A diagnosis that panicked is still a result: UNKNOWN, and said why.
            Some(Err(e)) => {
                if let Some((i, info)) = who.remove(&e.id()) {
                    done(i, crashed(plan, info, &e.to_string()));
                }
            }
            None => break,
        }
    }
}

fn crashed(plan: Plan, info: TargetInfo, why: &str) -> Report {
    let mut r = Report::empty(plan.name(), info);
    r.findings.push(
        Finding::new(
            code::INTERNAL_ERROR,
            Severity::Critical,
            "imapdiag failed on this target",
        )
        .detail(why.to_string())
        .remedy("A bug in imapdiag: please report it with this target's transcript."),
    );
    r.status = Status::Unknown;
    r
}
