//! Thunderbird's `MOZ_LOG=IMAP:5`: `...:CreateNewLineFromSocket: <server line>` and
//! `...:SendData: <client line>`; a command Thunderbird hid is logged as `Logging
//! suppressed for this command (it probably contained authentication information)`.

use super::Item;
use crate::secret::REDACTED;

const SUPPRESSED: &str = "Logging suppressed for this command";

/// The connection a line belongs to: `7f4ebca40600` in `I/IMAP 7f4ebca40600:host:...`.
pub fn connection(l: &str) -> Option<&str> {
    let (_, rest) = l.split_once("I/IMAP ")?;
    let id = rest.split(':').next()?;
    (!id.is_empty() && id.bytes().all(|b| b.is_ascii_hexdigit())).then_some(id)
}

pub fn line(l: &str) -> Option<Vec<Item>> {
    if let Some((_, s)) = l.split_once(":CreateNewLineFromSocket: ") {
        return Some(vec![Item::Server(
            s.trim_end_matches(['\r', '\n']).to_string(),
        )]);
    }
    let (_, c) = l.split_once(":SendData: ")?;
    let c = c.trim_end_matches(['\r', '\n']);
    let text = if c.starts_with(SUPPRESSED) {
        REDACTED.to_string()
    } else {
        c.to_string()
    };
    Some(vec![Item::Client(text)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thunderbird_lines() {
        let s = "2024-02-08 12:38:01.556226 UTC - [Parent 223737: IMAP]: I/IMAP 7f4ebca40600:mail.ghagl.se:S-INBOX:CreateNewLineFromSocket: 108 OK IDLE completed";
        assert_eq!(
            line(s),
            Some(vec![Item::Server("108 OK IDLE completed".into())])
        );
        let c = "2024-02-08 12:38:01.503779 UTC - [Parent 223737: IMAP]: I/IMAP 7f4ebca40600:mail.ghagl.se:S-INBOX:SendData: DONE";
        assert_eq!(line(c), Some(vec![Item::Client("DONE".into())]));
        let hidden = "... I/IMAP 7f:host:NA:SendData: Logging suppressed for this command (it probably contained authentication information)";
        assert_eq!(line(hidden), Some(vec![Item::Client(REDACTED.into())]));
        assert_eq!(
            line("... I/IMAP 7f:host:S-INBOX:ProcessCurrentURL: entering"),
            None
        );
        assert_eq!(connection(s), Some("7f4ebca40600"));
        assert_eq!(connection("D/IMAP SetConnectionStatus(0x0)"), None);
    }
}
