//! `--format json`: the report object, schema `imapdiag.report/1`.

use crate::report::Report;

pub fn render_json(report: &Report) -> String {
    let mut out = serde_json::to_string_pretty(report).unwrap_or_else(|e| {
        // Serialising plain data cannot fail; if it ever does, still emit valid JSON.
        serde_json::json!({"schema": crate::report::SCHEMA, "status": "unknown", "error": e.to_string()}).to_string()
    });
    out.push('\n');
    out
}
