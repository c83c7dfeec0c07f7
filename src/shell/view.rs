//! How server output looks in the shell: each line escaped (server text is untrusted) and
//! coloured by kind; after a NAMESPACE reply or a REFERRAL code, a line that says what it
//! means. Pure: values in, strings out.

use colored::Colorize;

use crate::client::Received;
use crate::profiles::{self, format_class};
use crate::proto::imap_url::ImapUrl;
use crate::proto::sanitize::escape_bytes;
use crate::proto::{Data, NamespaceSet, Response, Status, StatusKind};

/// The server's message, one display line per wire line, coloured by kind.
pub fn server_lines(r: &Received) -> Vec<String> {
    let paint = |s: String| -> String {
        match r.response() {
            Response::Continuation { .. } => s.cyan().to_string(),
            Response::Tagged { status, .. } => by_status(status, s),
            Response::Untagged(status) | Response::Greeting(status) => by_status(status, s),
            Response::Unrecognised { .. } => s.red().to_string(),
            _ => s,
        }
    };
    r.raw
        .split_inclusive(|&b| b == b'\n')
        .map(|l| {
            let l = l.strip_suffix(b"\n").unwrap_or(l);
            paint(escape_bytes(l.strip_suffix(b"\r").unwrap_or(l)))
        })
        .collect()
}

fn by_status(s: &Status, line: String) -> String {
    match s.kind {
        StatusKind::Ok | StatusKind::Preauth => line.green().to_string(),
        StatusKind::No => line.yellow().to_string(),
        StatusKind::Bad => line.red().bold().to_string(),
        StatusKind::Bye => line.magenta().to_string(),
    }
}

/// The meaning of a NAMESPACE reply or a REFERRAL code, if the message carries one.
pub fn interpret(r: &Received) -> Option<String> {
    match r.response() {
        Response::Data(Data::Namespace(ns)) => Some(namespace(ns)),
        Response::Data(Data::List(item)) | Response::Data(Data::Lsub(item))
            if item.mailbox.contains('&') =>
        {
            // RFC 3501 §5.1.3: names travel in modified UTF-7.
            let decoded = crate::proto::mutf7::decode(&item.mailbox)?;
            (decoded != item.mailbox)
                .then(|| format!("= {} is \"{decoded}\" (modified UTF-7)", item.mailbox))
        }
        Response::Tagged { status, .. }
        | Response::Untagged(status)
        | Response::Greeting(status) => referral(status).or_else(|| {
            // RFC 5530 codes and the error texts administrators search for.
            crate::diagnosis::knowledge::explain(status, None)
                .map(|e| format!("= {}", crate::proto::sanitize::escape_str(&e)))
        }),
        _ => None,
    }
}

fn namespace(ns: &NamespaceSet) -> String {
    let matching: Vec<String> = profiles::all()
        .iter()
        .filter(|k| k.namespace.as_ref() == Some(ns))
        .map(|k| format!("{} ({})", k.profile.name, k.profile.product))
        .collect();
    let classes = format!(
        "personal {}, other users {}, shared {}",
        format_class(&ns.personal),
        format_class(&ns.other_users),
        format_class(&ns.shared)
    );
    let verdict = match matching.as_slice() {
        [] => "matches no known profile".to_string(),
        list => format!("as {}", list.join(", ")),
    };
    let hint = if ns.other_users.is_none() {
        "; no other users' namespace (KB Q311468)"
    } else {
        ""
    };
    format!("= namespaces: {classes}: {verdict}{hint}")
}

fn referral(s: &Status) -> Option<String> {
    let urls = s.referral_urls()?;
    let parts: Vec<String> = urls
        .iter()
        .map(|u| match ImapUrl::parse(u) {
            Ok(p) => format!(
                "{} as {}{}",
                p.authority(),
                p.user.as_deref().unwrap_or("the same user"),
                p.mailbox
                    .as_deref()
                    .map(|m| format!(", mailbox {m}"))
                    .unwrap_or_default()
            ),
            Err(e) => format!("{} (malformed: {e})", escape_bytes(u.as_bytes())),
        })
        .collect();
    let meaning = match s.kind {
        StatusKind::Ok => {
            "logged in, but this is not your home server: only public folders are here (RFC 2221)"
        }
        StatusKind::Bye => "this server sends everyone elsewhere (RFC 2221 §4.2)",
        _ => "refused here; the server names where to go (RFC 2221, RFC 2193)",
    };
    Some(format!(
        "= referral to {}: {meaning}. .follow goes there.",
        escape_bytes(parts.join("; ").as_bytes())
    ))
}

/// Mailbox names from LIST, LSUB, RLIST and RLSUB replies, for completion.
pub fn mailbox_name(r: &Received) -> Option<String> {
    match r.response() {
        Response::Data(Data::List(item)) | Response::Data(Data::Lsub(item)) => {
            Some(item.mailbox.clone())
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::response::parse;

    fn rx(line: &str) -> Received {
        let raw = format!("{line}\r\n").into_bytes();
        Received {
            parsed: parse(&raw, false),
            raw,
            bare_lf: false,
        }
    }

    #[test]
    fn namespace_and_referral_lines_say_what_they_mean() {
        colored::control::set_override(false);
        let n = interpret(&rx(
            r#"* NAMESPACE (("" "/")) NIL (("Public Folders/" "/"))"#,
        ))
        .unwrap();
        assert_eq!(
            n,
            r#"= namespaces: personal (("" "/")), other users NIL, shared (("Public Folders/" "/")): as exchange2000 (Microsoft Exchange 2000 Server), exchange2003 (Microsoft Exchange Server 2003); no other users' namespace (KB Q311468)"#
        );
        let r = interpret(&rx("? OK [REFERRAL imap://redmond%2Freedl%2Fimapf;AUTH=*@reedlm1.reedlm1.com] LOGIN completed")).unwrap();
        assert!(r.starts_with("= referral to reedlm1.reedlm1.com:143 as redmond/reedl/imapf: logged in, but this is not your home server"), "{r}");
        assert_eq!(server_lines(&rx("* OK \u{1b}[2J")), ["* OK \\x1b[2J"]);
    }
}
