//! Judgements a live check and `analyze` share: what a greeting BYE, a refused login, a
//! failed SELECT or a NAMESPACE reply mean, as findings with remedies.

use super::findings as code;
use crate::proto::Status;
use crate::report::{Finding, NamespaceReport, Severity};

pub fn greeting_bye(s: &Status) -> Finding {
    Finding::new(code::GREETING_BYE, Severity::Critical, "the server refused the connection with BYE")
        .detail(s.text.clone())
        .remedy("RFC 3501 §7.1.5: the server will not accept this client now; read the text, check connection limits and access rules.")
}

/// A login answered NO or BAD without a referral.
pub fn login_failed(step: &str, s: &Status) -> Finding {
    Finding::new(code::LOGIN_FAILED, Severity::Critical, format!("{} was rejected: {}", step.to_uppercase(), s.kind.as_str()))
        .detail(s.text.clone())
        .remedy("Check the user name form the server expects (user, user@domain, DOMAIN/user/alias on Exchange) and the password.")
}

pub fn select_failed(mailbox: &str, s: &Status) -> Finding {
    Finding::new(
        code::SELECT_FAILED,
        Severity::Critical,
        format!("SELECT {} failed: {}", mailbox, s.kind.as_str()),
    )
    .detail(s.text.clone())
    .remedy("Check that the mailbox exists (LIST) and that this user may open it.")
}

/// A NIL delimiter in a reply, or no reply at all.
pub fn namespace(ns: Option<&NamespaceReport>, completion: Option<&Status>) -> Option<Finding> {
    let Some(ns) = ns else {
        let text = completion
            .map(|s| format!("{} {}", s.kind.as_str(), s.text))
            .unwrap_or_default();
        return Some(
            Finding::new(
                code::NAMESPACE_FAILED,
                Severity::Warning,
                "NAMESPACE gave no namespace reply",
            )
            .detail(text)
            .remedy("Clients fall back to guessing the personal prefix; set it by hand."),
        );
    };
    let nil: Vec<String> = [&ns.personal, &ns.other_users, &ns.shared]
        .into_iter()
        .flatten()
        .flatten()
        .filter(|d| d.delimiter.is_none())
        .map(|d| format!("{:?}", d.prefix))
        .collect();
    (!nil.is_empty()).then(|| {
        Finding::new(code::NAMESPACE_NIL_DELIMITER, Severity::Warning, "a namespace has no hierarchy delimiter (NIL)")
            .detail(format!("prefixes: {}", nil.join(", ")))
            .remedy("Folders cannot be nested there; clients that assume a delimiter may fail to create subfolders.")
    })
}

/// The first line is another protocol's or nothing IMAP (RFC 3501 §7.1: the greeting is an
/// untagged OK, PREAUTH or BYE).
pub fn greeting_unrecognised(line: &str) -> Finding {
    Finding::new(code::GREETING_UNRECOGNISED, Severity::Critical, "the first line is not an IMAP greeting")
        .detail(line.to_string())
        .remedy("Is this port an IMAP service? (It may be POP3, SMTP, HTTP, or TLS expecting a handshake: try --security tls.)")
}
