//! Many targets in text: a progress bar on stderr while they run (when it is a terminal),
//! then one line per target.

use std::fmt::Write;
use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressStyle};

use crate::proto::sanitize::escape_str;
use crate::report::{Report, Severity, Status};

/// What the table keeps of a report: a few short strings, not the report.
#[derive(Debug, Clone)]
pub struct SummaryRow {
    pub index: usize,
    pub target: String,
    pub status: Status,
    pub product: String,
    pub finding: String,
    pub ms: f64,
}

impl SummaryRow {
    pub fn of(index: usize, r: &Report) -> SummaryRow {
        let worst = r
            .findings
            .iter()
            .filter(|f| f.severity > Severity::Info)
            .max_by_key(|f| f.severity)
            .map(|f| f.code.clone())
            .unwrap_or_default();
        let product = r
            .server
            .fingerprint
            .as_ref()
            .and_then(|f| f.product.as_deref())
            .map_or_else(|| "-".into(), escape_str);
        SummaryRow {
            index,
            target: escape_str(&r.target.input),
            status: r.status,
            product,
            finding: worst,
            ms: r.timing.total_ms,
        }
    }
}

pub fn summary_table(rows: &[SummaryRow]) -> String {
    let width = rows
        .iter()
        .map(|r| r.target.len())
        .max()
        .unwrap_or(6)
        .max(6);
    let mut out = format!(
        "{:<width$}  {:<8}  {:>8}  {:<30}  {}\n",
        "TARGET", "STATUS", "MS", "PRODUCT", "WORST FINDING"
    );
    for r in rows {
        let status = format!("{:?}", r.status).to_uppercase();
        let _ = writeln!(
            out,
            "{:<width$}  {:<8}  {:>8.0}  {:<30}  {}",
            r.target, status, r.ms, r.product, r.finding
        );
    }
    let count = |s: Status| rows.iter().filter(|r| r.status == s).count();
    let _ = writeln!(
        out,
        "\n{} targets: {} ok, {} warning, {} critical, {} unknown",
        rows.len(),
        count(Status::Ok),
        count(Status::Warning),
        count(Status::Critical),
        count(Status::Unknown)
    );
    out
}

/// A progress bar on stderr, only when stderr is a terminal.
pub fn progress(total: u64) -> Option<ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::new(total);
    if let Ok(style) =
        ProgressStyle::with_template("{bar:40} {pos}/{len} targets checked ({elapsed})")
    {
        bar.set_style(style);
    }
    Some(bar)
}
