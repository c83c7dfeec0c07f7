//! imapflow's logger (pino): one JSON object per line, the IMAP line in `msg` and its
//! direction in `src` (`s` server, `c` client). Other log records are its own. imapflow
//! 1.0 logged its own commands with `src: "s"` too; such a line is told by its shape, a
//! tag and a command name (RFC 3501 §2.2.1).

use serde_json::Value;

use super::unescape::split_lines;
use super::Item;
use crate::proto::command::COMMAND_NAMES;

/// Longest JSON record parsed: a log line, not a document.
const MAX_RECORD: usize = 1 << 20;

/// The connection a record belongs to: its `cid`.
pub fn connection(l: &str) -> Option<&str> {
    let (_, rest) = l.split_once("\"cid\":\"")?;
    rest.split('"').next().filter(|id| !id.is_empty())
}

pub fn line(l: &str) -> Option<Vec<Item>> {
    let t = l.trim();
    if !(t.starts_with('{') && t.ends_with('}')) || t.len() > MAX_RECORD {
        return None;
    }
    let v: Value = serde_json::from_str(t).ok()?;
    let msg = v.get("msg")?.as_str()?;
    let from_server = match v.get("src")?.as_str()? {
        "s" => true,
        "c" => false,
        _ => return None,
    };
    let item = |l: String| match from_server && !is_command(&l) {
        true => Item::Server(l),
        false => Item::Client(l),
    };
    Some(split_lines(msg).into_iter().map(item).collect())
}

/// `1 ID (...)`: a tag, then a command name.
fn is_command(line: &str) -> bool {
    let mut words = line.split_whitespace();
    let (Some(tag), Some(word)) = (words.next(), words.next()) else {
        return false;
    };
    let word = word.to_ascii_uppercase();
    !matches!(tag, "*" | "+") && COMMAND_NAMES.contains(&word.as_str())
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
        let old = r#"{"level":20,"src":"s","msg":"1 ID (\"name\" \"imapflow\")"}"#;
        assert_eq!(
            line(old),
            Some(vec![Item::Client("1 ID (\"name\" \"imapflow\")".into())])
        );
        let ok = r#"{"level":20,"src":"s","msg":"1 OK ID completed"}"#;
        assert_eq!(
            line(ok),
            Some(vec![Item::Server("1 OK ID completed".into())])
        );
        assert_eq!(line("{not json}"), None);
    }
}
