//! What servers' error texts and response codes mean: the error texts administrators
//! search for (`errors.json`, each with the threads where it was seen, its causes and its
//! remedies in order of likelihood), and RFC 5530's response codes. One pass over a
//! finished report explains every refusal in it, for the live check and `analyze` alike;
//! the shell asks [`explain`] line by line.

use std::sync::LazyLock;

use regex::Regex;
use serde::Deserialize;

use crate::proto::{RespCode, Status, StatusKind};
use crate::report::{Finding, Report, Severity};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub id: String,
    pattern: String,
    /// Only when the greeting matches this too (a product-specific text).
    #[serde(default)]
    greeting: Option<String>,
    pub product: Option<String>,
    pub summary: String,
    pub causes: Vec<String>,
    pub remedies: Vec<String>,
    pub sources: Vec<String>,
}

struct Compiled {
    entry: Entry,
    pattern: Regex,
    greeting: Option<Regex>,
}

static ERRORS: LazyLock<Vec<Compiled>> = LazyLock::new(|| {
    let entries: Vec<Entry> =
        serde_json::from_str(include_str!("errors.json")).expect("errors.json is valid");
    entries
        .into_iter()
        .map(|entry| Compiled {
            pattern: Regex::new(&entry.pattern).expect("a valid pattern"),
            greeting: entry
                .greeting
                .as_deref()
                .map(|g| Regex::new(g).expect("a valid pattern")),
            entry,
        })
        .collect()
});

/// Every entry, for `imapdiag` to list and the tests to check.
pub fn entries() -> impl Iterator<Item = &'static Entry> {
    ERRORS.iter().map(|c| &c.entry)
}

/// The entry whose text this status carries, given the session's greeting.
pub fn lookup(text: &str, greeting: Option<&str>) -> Option<&'static Entry> {
    ERRORS
        .iter()
        .find(|c| {
            c.pattern.is_match(text.trim())
                && c.greeting
                    .as_ref()
                    .is_none_or(|g| greeting.is_some_and(|t| g.is_match(t)))
        })
        .map(|c| &c.entry)
}

/// RFC 5530 §3's response codes: what each means and what to do.
pub fn response_code(name: &str) -> Option<(&'static str, &'static str)> {
    Some(match name {
        "UNAVAILABLE" => ("a temporary failure: the server or a backend it needs is unavailable", "Retry later; this is not a problem with the credentials."),
        "AUTHENTICATIONFAILED" => ("the credentials were wrong, or this way of logging in is not allowed", "Check the user name form and the password (or token), and whether the account may use IMAP."),
        "AUTHORIZATIONFAILED" => ("authenticated, but not allowed to act as the authorization identity", "Check the delegation or proxy rights of the user for the mailbox named."),
        "EXPIRED" => ("the credentials have expired", "Change the password or renew the token."),
        "PRIVACYREQUIRED" => ("the operation needs a secure (TLS) connection", "Use STARTTLS or implicit TLS."),
        "CONTACTADMIN" => ("the account needs an administrator's attention", "Contact the mail administrator; the account may be locked or need setup."),
        "NOPERM" => ("the user has no permission for this mailbox or operation", "Check the mailbox's access control list (GETACL, MYRIGHTS)."),
        "INUSE" => ("the resource is in use by another session", "Retry later, or close the other session that holds it."),
        "EXPUNGEISSUED" => ("another session expunged messages this one still refers to", "Issue NOOP and re-read the mailbox."),
        "CORRUPTION" => ("the server found corrupted data", "Have the administrator repair the mailbox (a server-side index or storage problem)."),
        "SERVERBUG" => ("the server hit a bug", "Report it with the transcript to the server's maintainers."),
        "CLIENTBUG" => ("the server thinks the client erred (it went on anyway)", "Check the command in the transcript against the RFC."),
        "CANNOT" => ("the operation can never succeed on this server", "Change the request (a forbidden mailbox name, an unsupported operation)."),
        "LIMIT" => ("a server limit was reached", "Reduce the request: fewer connections, smaller messages or sets."),
        "OVERQUOTA" => ("the quota is exceeded", "Free space or raise the quota."),
        "ALREADYEXISTS" => ("the target already exists", "Use another name, or the existing one."),
        "NONEXISTENT" => ("the target does not exist", "LIST the mailboxes and use an existing name (with the NAMESPACE prefix)."),
        _ => return None,
    })
}

/// One line of explanation for a status, for the shell: the known error first, then the
/// response code.
pub fn explain(status: &Status, greeting: Option<&str>) -> Option<String> {
    if let Some(e) = refusal(status)
        .then(|| lookup(&status.text, greeting))
        .flatten()
    {
        let cause = e
            .causes
            .first()
            .map(|c| format!("; most often: {c}"))
            .unwrap_or_default();
        return Some(format!("{}{cause}", e.summary));
    }
    if status.code == Some(RespCode::Alert) {
        // RFC 3501 §7.1: the text MUST be presented to the user.
        return Some("[ALERT] the text above is the server's alert for the user (RFC 3501 §7.1); it often names the fix itself (an app password, a locked account, a migration).".into());
    }
    let name = code_name(status)?;
    response_code(&name).map(|(meaning, remedy)| format!("[{name}] {meaning}. {remedy}"))
}

/// Adds a finding for each known error text and each RFC 5530 code among the server lines
/// of the report's transcript (once each; a BYE that belongs to no command included).
pub fn annotate(report: &mut Report) {
    let greeting = report.server.greeting.clone();
    let mut found: Vec<Finding> = Vec::new();
    for line in report
        .transcript
        .iter()
        .filter(|w| w.dir == crate::report::WireDir::Server)
    {
        let Some(status) = status_of(&line.line) else {
            continue;
        };
        let mut push = |f: Finding| {
            if !found
                .iter()
                .chain(&report.findings)
                .any(|o| o.code == f.code)
            {
                found.push(f.at_hop(line.hop));
            }
        };
        if refusal(&status) {
            if let Some(e) = lookup(&status.text, greeting.as_deref()) {
                push(known(e));
            }
        }
        if let Some(name) = code_name(&status) {
            if let Some((meaning, remedy)) = response_code(&name) {
                push(
                    Finding::new(
                        &format!("rfc5530-{}", name.to_ascii_lowercase()),
                        Severity::Info,
                        format!("[{name}]: {meaning}"),
                    )
                    .detail(line.line.clone())
                    .remedy(remedy),
                );
            }
        }
    }
    report.findings.extend(found);
}

fn known(e: &Entry) -> Finding {
    let causes = e
        .causes
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{}. {c}", i + 1))
        .collect::<Vec<_>>()
        .join(" ");
    Finding::new(
        &format!("known-{}", e.id),
        Severity::Info,
        e.summary.clone(),
    )
    .detail(format!(
        "Known causes, most likely first: {causes} Seen in: {}.",
        e.sources.join(", ")
    ))
    .remedy(e.remedies.join(" Then: "))
}

/// A refusal or an alert: what the knowledge base explains.
fn refusal(s: &Status) -> bool {
    matches!(s.kind, StatusKind::No | StatusKind::Bad | StatusKind::Bye)
        || matches!(s.code, Some(RespCode::Alert))
}

fn code_name(s: &Status) -> Option<String> {
    match &s.code {
        Some(RespCode::Other { name, .. }) => Some(name.clone()),
        _ => None,
    }
}

/// The status of a response line as shown in a step (`tag OK ...`, `* NO ...`).
fn status_of(line: &str) -> Option<Status> {
    let (_tag, rest) = line.split_once(' ')?;
    Status::parse(rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_knowledge_base_has_thirty_sourced_entries_with_unique_ids() {
        let all: Vec<&Entry> = entries().collect();
        assert!(all.len() >= 30, "{}", all.len());
        for e in &all {
            assert!(
                !e.sources.is_empty() && !e.causes.is_empty() && !e.remedies.is_empty(),
                "{}",
                e.id
            );
            assert_eq!(all.iter().filter(|o| o.id == e.id).count(), 1, "{}", e.id);
        }
    }

    #[test]
    fn an_alert_is_explained_in_the_shell() {
        let s = Status::parse("OK [ALERT] Your mailbox moves tonight").unwrap();
        assert!(explain(&s, None)
            .unwrap()
            .starts_with("[ALERT] the text above is the server's alert"));
        // A known text with an ALERT is explained by its entry first.
        let gmail = Status::parse("NO [ALERT] Application-specific password required: https://support.google.com/accounts/answer/185833 (Failure)").unwrap();
        assert!(!explain(&gmail, None).unwrap().starts_with("[ALERT]"));
    }

    #[test]
    fn texts_from_the_threads_are_recognised() {
        for (text, id) in [
            ("User is authenticated but not connected.", "m365-authenticated-not-connected"),
            ("[ALERT] Application-specific password required: https://support.google.com/accounts/answer/185833 (Failure)", "gmail-app-password-required"),
            ("[PRIVACYREQUIRED] Plaintext authentication disallowed on non-secure (SSL/TLS) connections.", "dovecot-plaintext-disallowed"),
            ("Command Argument Error. 11", "exchange-command-argument-error"),
            ("LOGIN failed.", "m365-login-failed"),
        ] {
            assert_eq!(lookup(text, None).map(|e| e.id.as_str()), Some(id), "{text}");
        }
        // Product-specific: iCloud's text only with iCloud's greeting.
        assert!(lookup("Authentication failed", None).is_none());
        assert!(lookup(
            "Authentication failed",
            Some("* OK [CAPABILITY st11p00mm-iscream022 XAPPLEPUSHSERVICE] iSCREAM ready")
        )
        .is_some());
    }
}
