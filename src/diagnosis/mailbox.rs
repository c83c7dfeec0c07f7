//! Reading SELECT and NAMESPACE replies into report values (RFC 3501 §6.3.1, RFC 2342).

use crate::client::Exchange;
use crate::proto::{Data, RespCode, Response, Status};
use crate::report::{MailboxReport, NamespaceReport};

/// What a SELECT or EXAMINE told about the mailbox.
pub fn mailbox_report(name: &str, ex: &Exchange) -> MailboxReport {
    let mut m = MailboxReport {
        name: name.to_string(),
        ..MailboxReport::default()
    };
    for r in &ex.received {
        match r.response() {
            Response::Data(Data::Exists(n)) => m.exists = Some(*n),
            Response::Data(Data::Recent(n)) => m.recent = Some(*n),
            Response::Data(Data::Flags(f)) => m.flags = f.clone(),
            Response::Untagged(s) | Response::Tagged { status: s, .. } => apply_code(&mut m, s),
            _ => {}
        }
    }
    m
}

fn apply_code(m: &mut MailboxReport, s: &Status) {
    match &s.code {
        Some(RespCode::UidValidity(n)) => m.uidvalidity = Some(*n),
        Some(RespCode::UidNext(n)) => m.uidnext = Some(*n),
        Some(RespCode::PermanentFlags(f)) => m.permanent_flags = f.clone(),
        Some(RespCode::ReadWrite) => m.access = Some("read-write".into()),
        Some(RespCode::ReadOnly) => m.access = Some("read-only".into()),
        _ => {}
    }
}

/// The NAMESPACE reply, if the exchange carried one.
pub fn namespace_report(ex: &Exchange) -> Option<NamespaceReport> {
    ex.received.iter().find_map(|r| match r.response() {
        Response::Data(Data::Namespace(set)) => Some(NamespaceReport {
            personal: set.personal.clone(),
            other_users: set.other_users.clone(),
            shared: set.shared.clone(),
            raw: crate::proto::lines::text(crate::proto::response::first_line_bytes(&r.raw)),
            list_delimiter: None,
        }),
        _ => None,
    })
}

/// The delimiter from `LIST "" ""` (RFC 3501 §6.3.8: the reply names the hierarchy
/// delimiter and the root); `Some(None)` is a NIL delimiter (a flat server).
pub fn list_delimiter(ex: &Exchange) -> Option<Option<String>> {
    ex.received.iter().find_map(|r| match r.response() {
        Response::Data(Data::List(item)) => Some(item.delimiter.clone()),
        _ => None,
    })
}
