//! Python's IMAP clients: imaplib's `Debug` output (`  12:34.56 > b'A1 LOGIN ...'`,
//! `< b'* OK ...'`, also what imapclient logs through it) and aioimaplib's
//! (`Sending : b'...'`, `Received : b'...'`, one chunk holding several CRLF-ended lines).

use super::unescape::{quoted_tail, split_lines};
use super::Item;

pub fn imaplib_line(l: &str) -> Option<Vec<Item>> {
    let (item, body): (fn(String) -> Item, String) = if let Some(b) = after(l, "> b") {
        (Item::Client, b)
    } else {
        (Item::Server, after(l, "< b")?)
    };
    Some(split_lines(&body).into_iter().map(item).collect())
}

/// `> b'...'` at the start of the line or after a space or a colon (imapclient's logger).
fn after(l: &str, marker: &str) -> Option<String> {
    let at = l.find(marker)?;
    let before = l[..at].chars().last();
    if !matches!(before, None | Some(' ' | ':' | '\t')) {
        return None;
    }
    quoted_tail(&l[at..], marker)
}

pub fn aioimaplib_line(l: &str) -> Option<Vec<Item>> {
    let (item, body): (fn(String) -> Item, String) = if let Some(b) = quoted_tail(l, "Sending : b")
    {
        (Item::Client, b)
    } else {
        (Item::Server, quoted_tail(l, "Received : b")?)
    };
    Some(split_lines(&body).into_iter().map(item).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn imaplib_and_aioimaplib() {
        assert_eq!(
            imaplib_line("  47:21.56 > b'HJHC1 CAPABILITY'"),
            Some(vec![Item::Client("HJHC1 CAPABILITY".into())])
        );
        assert_eq!(
            imaplib_line("DEBUG:imapclient.imaplib:< b'* OK ready'"),
            Some(vec![Item::Server("* OK ready".into())])
        );
        assert_eq!(imaplib_line("  47:21.56 imaplib version 2.58"), None);
        let l = r"DEBUG    aioimaplib.aioimaplib:aioimaplib.py:340 Received : b'* CAPABILITY IMAP4rev1\r\nGEKC1 OK Logged in\r\n'";
        assert_eq!(
            aioimaplib_line(l),
            Some(vec![
                Item::Server("* CAPABILITY IMAP4rev1".into()),
                Item::Server("GEKC1 OK Logged in".into())
            ])
        );
        let l =
            r"DEBUG    aioimaplib.aioimaplib:aioimaplib.py:623 tagged status b'GEKC1 OK Logged in'";
        assert_eq!(aioimaplib_line(l), None);
    }
}
