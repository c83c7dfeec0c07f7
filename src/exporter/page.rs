//! The exporter's front page: its modules, and the last probes with links to their
//! reports. Everything from a request or a server is HTML-escaped.

use std::fmt::Write as _;
use std::time::SystemTime;

pub struct Row<'a> {
    pub id: u64,
    pub module: &'a str,
    pub target: &'a str,
    pub status: &'a str,
    pub at: SystemTime,
}

pub fn index(modules: &[&str], recent: &[Row]) -> String {
    let mut out = String::from(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>imapdiag exporter</title></head><body>\n<h1>imapdiag exporter</h1>\n<p>Probe with <code>/probe?target=HOST[:PORT]&amp;module=NAME</code> (add <code>&amp;debug=true</code> for the report as comments); the exporter's own metrics are at <a href=\"/metrics\">/metrics</a>.</p>\n<h2>Modules</h2>\n<ul>\n",
    );
    for m in modules {
        let _ = writeln!(out, "<li>{}</li>", html(m));
    }
    out += "</ul>\n<h2>Last probes</h2>\n<table>\n<tr><th>when (Unix time)</th><th>module</th><th>target</th><th>status</th><th>report</th></tr>\n";
    for r in recent {
        let when =
            r.at.duration_since(SystemTime::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0);
        let _ = writeln!(
            out,
            "<tr><td>{when}</td><td>{}</td><td>{}</td><td>{}</td><td><a href=\"/report?id={}\">report</a></td></tr>",
            html(r.module),
            html(r.target),
            html(r.status),
            r.id
        );
    }
    out += "</table>\n</body></html>\n";
    out
}

fn html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}
