//! `--format text`: sections, aligned, coloured when the terminal allows. The report holds
//! raw text; every string in it is escaped here, before it is coloured, so no server's
//! control character or terminal escape reaches the terminal.

use crate::report::WireDir;
use std::fmt::Write;

use colored::{ColoredString, Colorize};

use crate::proto::sanitize::escape_str;
use crate::proto::NamespaceDescr;
use crate::report::{Finding, Fingerprint, Report, Severity, Status, Step, StepName, StepStatus};

#[derive(Debug, Clone, Default)]
pub struct TextOptions {
    /// Show the C:/S: lines with time offsets.
    pub transcript: bool,
}

pub fn render_text(r: &Report, opts: &TextOptions) -> String {
    let mut out = String::new();
    header(&mut out, r);
    server(&mut out, r);
    tls(&mut out, r);
    auth(&mut out, r);
    steps(&mut out, r);
    namespace(&mut out, r);
    mailbox(&mut out, r);
    referrals(&mut out, r);
    findings(&mut out, &r.findings, r.hops.len());
    if opts.transcript {
        transcript(&mut out, r);
    }
    let _ = writeln!(
        out,
        "\n{} (exit {})",
        status_word(r.status),
        r.status.exit_code()
    );
    out
}

/// The plugin word of `nagios::status_word`, in its colour.
fn status_word(s: Status) -> ColoredString {
    let word = super::nagios::status_word(s);
    match s {
        Status::Ok => word.green().bold(),
        Status::Warning => word.yellow().bold(),
        Status::Critical => word.red().bold(),
        Status::Unknown => word.magenta().bold(),
    }
}

fn section(out: &mut String, title: &str) {
    let _ = writeln!(out, "\n{}", title.bold());
}

fn field(out: &mut String, key: &str, value: &str) {
    let _ = writeln!(out, "  {:<14} {}", key.dimmed(), value);
}

fn header(out: &mut String, r: &Report) {
    let t = &r.target;
    let user = t
        .user
        .as_deref()
        .map(|u| format!(" as {}", escape_str(u)))
        .unwrap_or_default();
    if r.command == "analyze" {
        let _ = writeln!(
            out,
            "imapdiag analyze {} ({}{}): {}",
            escape_str(&t.input),
            t.security,
            connection(r),
            status_word(r.status)
        );
        return;
    }
    let _ = writeln!(
        out,
        "imapdiag {} {}:{} ({}){}: {}",
        r.command,
        escape_str(&t.host),
        t.port,
        t.security,
        user,
        status_word(r.status)
    );
}

/// `, connection conn35196978 of 2` when `analyze` read one of several.
fn connection(r: &Report) -> String {
    let Some(input) = &r.input else {
        return String::new();
    };
    match &input.connection {
        Some(c) => format!(
            ", connection {} of {}",
            escape_str(c),
            input.connections.len()
        ),
        None => String::new(),
    }
}

fn server(out: &mut String, r: &Report) {
    section(out, "Server");
    let s = &r.server;
    field(
        out,
        "greeting",
        &escape_str(s.greeting.as_deref().unwrap_or("(none)")),
    );
    if !s.capabilities_before_login.is_empty() {
        field(
            out,
            "capabilities",
            &escape_str(&s.capabilities_before_login.join(" ")),
        );
    }
    if let Some(after) = &s.capabilities_after_login {
        field(out, "after login", &escape_str(&after.join(" ")));
    }
    if let Some(id) = &s.id {
        let pairs: Vec<String> = id
            .iter()
            .map(|(k, v)| format!("{k}={}", v.as_deref().unwrap_or("NIL")))
            .collect();
        field(out, "id", &escape_str(&pairs.join(" ")));
    }
    if let Some(fp) = &s.fingerprint {
        fingerprint(out, fp);
    }
}

fn fingerprint(out: &mut String, fp: &Fingerprint) {
    // Escape what the server named, then colour: never the other way round.
    let product = match (&fp.product, &fp.version) {
        (Some(p), Some(v)) => escape_str(&format!("{p} {v} ({} confidence)", fp.confidence)),
        (Some(p), None) => escape_str(&format!("{p} ({} confidence)", fp.confidence)),
        (None, _) => "unknown: no known profile matches".dimmed().to_string(),
    };
    field(out, "product", &product);
    if let Some(b) = &fp.backend {
        field(out, "backend", &escape_str(b));
    }
    for (i, e) in fp.evidence.iter().enumerate() {
        let key = if i == 0 { "evidence" } else { "" };
        let against = if e.against { "against: " } else { "" };
        field(
            out,
            key,
            &escape_str(&format!("{against}{}: {}", e.source, e.says)),
        );
    }
    for c in &fp.conflicts {
        field(out, "conflict", &escape_str(c).yellow().to_string());
    }
}

fn tls(out: &mut String, r: &Report) {
    let Some(t) = &r.tls else { return };
    section(out, "TLS");
    let version = format!(
        "{} {}",
        t.version.as_deref().unwrap_or("-"),
        t.cipher.as_deref().unwrap_or("")
    );
    field(out, "protocol", &escape_str(version.trim()));
    let verified = match (&t.verify_error, t.verified) {
        (_, true) => "yes".green().to_string(),
        (Some(e), false) => format!("{}: {}", "no".red(), escape_str(e)),
        (None, false) => "no".red().to_string(),
    };
    field(out, "verified", &verified);
    if let Some(h) = &t.handshake_error {
        field(out, "handshake", &escape_str(h));
    }
    if let Some(c) = &t.certificate {
        field(out, "subject", &escape_str(&c.subject));
        field(out, "issuer", &escape_str(&c.issuer));
        field(
            out,
            "not after",
            &format!("{} ({} days)", c.not_after, c.days_left),
        );
        field(out, "names", &escape_str(&c.san.join(", ")));
    }
}

/// The login: the mechanism, the token's claims, and what SCRAM or NTLM taught.
fn auth(out: &mut String, r: &Report) {
    let Some(a) = &r.auth else { return };
    section(out, "Authentication");
    field(out, "mechanism", &escape_str(&a.mechanism));
    if let Some(t) = &a.token {
        let expiry = match (t.expires, t.expired) {
            (Some(exp), Some(true)) => format!("{exp} (Unix time), {}", "expired".red()),
            (Some(exp), _) => format!("{exp} (Unix time), valid"),
            _ => "none given".into(),
        };
        field(
            out,
            "token user",
            &escape_str(t.user.as_deref().unwrap_or("-")),
        );
        field(out, "audience", &escape_str(&t.audience.join(", ")));
        field(
            out,
            "scopes",
            &escape_str(&[t.scopes.clone(), t.roles.clone()].concat().join(" ")),
        );
        field(out, "expires", &expiry);
        if let Some(iss) = &t.issuer {
            field(out, "issuer", &escape_str(iss));
        }
    }
    match a.server_signature_verified {
        Some(true) => field(out, "server proof", &"verified (SCRAM)".green().to_string()),
        Some(false) => field(
            out,
            "server proof",
            &"did not verify (SCRAM)".red().to_string(),
        ),
        None => {}
    }
    if let Some(n) = &a.ntlm_target {
        let names = [
            &n.dns_computer,
            &n.netbios_computer,
            &n.dns_domain,
            &n.netbios_domain,
        ]
        .iter()
        .filter_map(|x| x.as_deref())
        .collect::<Vec<_>>()
        .join(", ");
        field(out, "NTLM target", &escape_str(&names));
    }
    if let Some(e) = &a.oauth_error {
        field(out, "OAuth error", &escape_str(e));
    }
}

fn step_mark(s: StepStatus) -> ColoredString {
    match s {
        StepStatus::Ok => "ok  ".green(),
        StepStatus::Warning => "warn".yellow(),
        StepStatus::Failed => "FAIL".red().bold(),
        StepStatus::Unknown => "?   ".dimmed(),
    }
}

fn steps(out: &mut String, r: &Report) {
    section(out, "Steps");
    for s in &r.steps {
        if r.hops.len() > 1 && s.name == StepName::Connect {
            hop_header(out, r, s.hop);
        }
        step_line(out, s);
    }
}

/// `hop 1: host:port as user (referred by URL)`, shown when a referral was followed.
fn hop_header(out: &mut String, r: &Report, hop: u32) {
    let Some(h) = r.hops.iter().find(|h| h.hop == hop) else {
        return;
    };
    let user = h
        .user
        .as_deref()
        .map(|u| format!(" as {}", escape_str(u)))
        .unwrap_or_default();
    let via = h
        .via
        .as_deref()
        .map(|v| format!(", referred by {}", escape_str(v)))
        .unwrap_or_default();
    let dialled = h
        .dialled
        .as_deref()
        .map(|d| format!(", dialled {}", escape_str(d)))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "  {} {}:{} ({}){user}{via}{dialled}",
        format!("hop {hop}:").bold(),
        escape_str(&h.host),
        h.port,
        h.security
    );
}

fn step_line(out: &mut String, s: &Step) {
    let last = s
        .received
        .last()
        .map(String::as_str)
        .or(s.note.as_deref())
        .unwrap_or("");
    let _ = writeln!(
        out,
        "  {} {:<12} {:>9.1} ms  {}",
        step_mark(s.status),
        s.name,
        s.elapsed_ms,
        escape_str(last)
    );
}

fn ns_class(list: &Option<Vec<NamespaceDescr>>) -> String {
    match list {
        None => "NIL".dimmed().to_string(),
        Some(list) => list
            .iter()
            .map(|d| {
                let delim = d
                    .delimiter
                    .as_deref()
                    .map(|c| format!("{:?}", c))
                    .unwrap_or_else(|| "NIL".into());
                let ext = d
                    .extensions
                    .iter()
                    .map(|e| format!(" {}={}", e.key, e.values.join(",")))
                    .collect::<String>();
                escape_str(&format!("prefix {:?}  delimiter {delim}{ext}", d.prefix))
            })
            .collect::<Vec<_>>()
            .join("; "),
    }
}

fn namespace(out: &mut String, r: &Report) {
    let Some(ns) = &r.namespace else {
        hierarchy(out, r);
        return;
    };
    section(out, "Namespace (RFC 2342)");
    field(out, "personal", &ns_class(&ns.personal));
    field(out, "other users", &ns_class(&ns.other_users));
    field(out, "shared", &ns_class(&ns.shared));
    field(out, "raw", &escape_str(&ns.raw));
    if let Some(d) = &ns.list_delimiter {
        field(out, "LIST delimiter", &escape_str(&format!("{d:?}")));
    }
    let Some(p) = &r.profile else { return };
    for (i, c) in p.compared.iter().enumerate() {
        let key = if i == 0 { "compared" } else { "" };
        let verdict = if c.matches {
            "matches".green().to_string()
        } else {
            "differs".yellow().to_string()
        };
        // Escape the words, not the colour codes around them.
        let line = format!(
            "{:<18} {verdict}  {} ({})",
            escape_str(&c.profile),
            escape_str(&c.product),
            escape_str(&c.evidence)
        );
        field(out, key, &line);
        for d in &c.differences {
            field(out, "", &format!("  {}", escape_str(d)));
        }
    }
}

/// Without a NAMESPACE reply, the delimiter from `LIST "" ""` is what clients have.
fn hierarchy(out: &mut String, r: &Report) {
    let Some(h) = &r.hierarchy else { return };
    section(out, "Hierarchy (RFC 3501 §6.3.8)");
    let delimiter = h
        .delimiter
        .as_deref()
        .map_or("NIL (flat)".to_string(), |d| format!("{d:?}"));
    field(out, "delimiter", &escape_str(&delimiter));
    field(out, "from", "LIST \"\" \"\" (no NAMESPACE reply)");
}

fn mailbox(out: &mut String, r: &Report) {
    let Some(m) = &r.mailbox else { return };
    section(out, &format!("Mailbox {}", escape_str(&m.name)));
    let num = |n: Option<u32>| n.map(|n| n.to_string()).unwrap_or_else(|| "-".into());
    field(
        out,
        "messages",
        &format!("{} exists, {} recent", num(m.exists), num(m.recent)),
    );
    field(
        out,
        "uidvalidity",
        &format!("{} (uidnext {})", num(m.uidvalidity), num(m.uidnext)),
    );
    field(
        out,
        "access",
        &escape_str(m.access.as_deref().unwrap_or("-")),
    );
    field(out, "flags", &escape_str(&m.flags.join(" ")));
}

fn referrals(out: &mut String, r: &Report) {
    if r.referrals.is_empty() {
        return;
    }
    section(out, "Referrals (RFC 2221, RFC 2193)");
    for f in &r.referrals {
        let line = format!("{} {} {}", f.step, f.response.as_str(), f.url);
        let _ = writeln!(out, "  {}", escape_str(&line));
        match (&f.host, &f.error) {
            (Some(host), _) => {
                let port = f.port.unwrap_or(143);
                let user = f.user.as_deref().unwrap_or("(the same user)");
                field(out, "server", &escape_str(&format!("{host}:{port}")));
                field(out, "user", &escape_str(user));
                field(
                    out,
                    "auth",
                    &escape_str(f.auth.as_deref().unwrap_or("(any)")),
                );
                if let Some(m) = &f.mailbox {
                    field(out, "mailbox", &escape_str(m));
                }
            }
            (None, Some(e)) => field(out, "malformed", &escape_str(e)),
            (None, None) => {}
        }
        field(out, "outcome", &escape_str(&f.outcome));
    }
}

fn severity_word(s: Severity) -> ColoredString {
    match s {
        Severity::Info => "info    ".blue(),
        Severity::Warning => "WARNING ".yellow().bold(),
        Severity::Critical => "CRITICAL".red().bold(),
    }
}

fn findings(out: &mut String, list: &[Finding], hops: usize) {
    section(out, "Findings");
    if list.is_empty() {
        let _ = writeln!(out, "  none: every step passed");
    }
    for f in list {
        let hop = if hops > 1 {
            format!(" (hop {})", f.hop)
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "  {} {} {}{hop}",
            severity_word(f.severity),
            f.code.bold(),
            escape_str(&f.summary)
        );
        if let Some(d) = &f.detail {
            let _ = writeln!(out, "           {}", escape_str(d));
        }
        if let Some(rem) = &f.remedy {
            let _ = writeln!(out, "           {} {}", "fix:".cyan(), escape_str(rem));
        }
    }
}

fn transcript(out: &mut String, r: &Report) {
    section(out, "Transcript");
    let mut hop = 0;
    for w in &r.transcript {
        if w.hop != hop {
            hop = w.hop;
            let _ = writeln!(out, "  {}", format!("--- hop {hop} ---").dimmed());
        }
        let dir = match w.dir {
            WireDir::Client => "C:".cyan(),
            WireDir::Server => "S:".normal(),
            WireDir::Note => "* ".dimmed(),
        };
        let line = escape_str(&w.line);
        let _ = writeln!(out, "  {:>9.3} {} {}", w.t_ms / 1000.0, dir, line);
    }
}
