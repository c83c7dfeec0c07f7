//! imapflow's logger (pino): one JSON object per line, the IMAP line in `msg` and its
//! direction in `src` (`s` server, `c` client). Other log records are its own.

use serde_json::Value;

use super::unescape::split_lines;
use super::Item;

/// Longest JSON record parsed: a log line, not a document.
const MAX_RECORD: usize = 1 << 20;

pub fn line(l: &str) -> Option<Vec<Item>> {
    let t = l.trim();
    if !(t.starts_with('{') && t.ends_with('}')) || t.len() > MAX_RECORD {
        return None;
    }
    let v: Value = serde_json::from_str(t).ok()?;
    let msg = v.get("msg")?.as_str()?;
    let item: fn(String) -> Item = match v.get("src")?.as_str()? {
        "s" => Item::Server,
        "c" => Item::Client,
        _ => return None,
    };
    Some(split_lines(msg).into_iter().map(item).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn imapflow_records() {
        let s = r#"{"level":20,"time":1676290000000,"pid":1,"component":"imap-connection","cid":"x1","src":"s","msg":"* OK [CAPABILITY IMAP4rev1] Dovecot ready.","lo":1}"#;
        assert_eq!(
            line(s),
            Some(vec![Item::Server(
                "* OK [CAPABILITY IMAP4rev1] Dovecot ready.".into()
            )])
        );
        let c = r#"{"level":20,"src":"c","msg":"1 ID (\"name\" \"imapflow\")"}"#;
        assert_eq!(
            line(c),
            Some(vec![Item::Client("1 ID (\"name\" \"imapflow\")".into())])
        );
        assert_eq!(line(r#"{"level":30,"msg":"Connection established"}"#), None);
        assert_eq!(line("{not json}"), None);
    }
}
