//! `imapdiag profiles`: the table, and one profile whole.

use std::fmt::Write;

use crate::profiles::Profile;
use crate::proto::sanitize::escape_str;

pub fn profiles_table(list: &[&Profile]) -> String {
    let mut out = format!("{:<24} {:<46} {}\n", "PROFILE", "PRODUCT", "NAMESPACE");
    for p in list {
        let ns = match (&p.namespace, &p.namespace_evidence) {
            (Some(n), Some(e)) => format!("{n} ({e})"),
            _ => "-".into(),
        };
        let _ = writeln!(out, "{:<24} {:<46} {}", p.name, p.product, escape_str(&ns));
    }
    let _ = writeln!(
        out,
        "\n{} profiles; `imapdiag profiles NAME` shows one with its sources and quirks.",
        list.len()
    );
    out
}

pub fn profile_text(p: &Profile) -> String {
    let mut out = String::new();
    let mut field = |k: &str, v: &str| {
        let _ = writeln!(out, "{k:<18} {}", escape_str(v));
    };
    field("profile", &p.name);
    field("product", &p.product);
    field("version", p.version.as_deref().unwrap_or("-"));
    field("family", &p.family);
    for g in &p.greeting {
        field("greeting pattern", g);
    }
    for n in &p.id_name {
        field("ID name pattern", n);
    }
    if !p.capability_marks.is_empty() {
        field("capability marks", &p.capability_marks.join(" "));
    }
    for r in &p.replies {
        field("reply pattern", r);
    }
    if !p.codes.is_empty() {
        field("response codes", &p.codes.join(" "));
    }
    for e in &p.examples {
        field("quoted greeting", e);
    }
    let ns = match (&p.namespace, &p.namespace_evidence) {
        (Some(n), Some(e)) => format!("{n} ({e})"),
        _ => "unknown".into(),
    };
    field("namespace", &ns);
    field("other users", p.other_users.as_deref().unwrap_or("-"));
    for q in &p.quirks {
        field("quirk", q);
    }
    for s in &p.sources {
        field("source", s);
    }
    out
}
