//! K-9 Mail / Thunderbird for Android logcat: `ImapConnection: conn123>>> 3 LOGIN ...` from
//! the client, and the server's responses as K-9 parsed them,
//! `ImapResponseParser: conn123<<<#2# [OK, [READ-WRITE], Select completed]`: the tag
//! between `#` (`null` untagged, `+` a continuation) and the response as a list. The list is
//! written back as IMAP: a list right after a status word is a response code (`[...]`),
//! any other a parenthesised list; an empty element is `""`, and NAMESPACE's strings are
//! quoted again (RFC 2342 §5). The original spacing and quoting are lost, so the grammar of
//! these lines is not judged.

use super::Item;

/// The connection a line belongs to: `conn35196978` before `>>>` or `<<<`.
pub fn connection(l: &str) -> Option<&str> {
    let at = l.find(">>>").or_else(|| l.find("<<<"))?;
    let start = l[..at].rfind("conn")?;
    let id = &l[start..at];
    id[4..].bytes().all(|b| b.is_ascii_digit()).then_some(id)
}

pub fn line(l: &str) -> Option<Vec<Item>> {
    if let Some((_, c)) = l.split_once(">>> ").filter(|(b, _)| b.contains("conn")) {
        return Some(vec![Item::Client(c.trim_end().to_string())]);
    }
    let (before, rest) = l.split_once("<<<#")?;
    if !before.contains("conn") {
        return None;
    }
    let (tag, list) = rest.split_once("# ")?;
    let tag = match tag {
        "null" => "*",
        t => t,
    };
    let inner = list.trim().strip_prefix('[')?.strip_suffix(']')?;
    let elements = split_top(inner);
    let quote = elements
        .first()
        .is_some_and(|e| e.eq_ignore_ascii_case("NAMESPACE"));
    let words = written(&elements, quote);
    let line = if tag == "+" {
        format!("+ {words}")
    } else {
        format!("{tag} {words}")
    };
    Some(vec![Item::Server(line.trim_end().to_string())])
}

/// The elements of a `[a, [b, c], d]` list body, split at top-level commas.
fn split_top(s: &str) -> Vec<&str> {
    if s.trim().is_empty() {
        return Vec::new();
    }
    let (mut out, mut depth, mut start) = (Vec::new(), 0i32, 0usize);
    for (i, c) in s.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => depth -= 1,
            ',' if depth == 0 => {
                out.push(s[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(s[start..].trim());
    out
}

/// The elements as IMAP; `quote` writes the leaves inside lists as quoted strings.
fn written(elements: &[&str], quote: bool) -> String {
    let mut out: Vec<String> = Vec::new();
    for (i, e) in elements.iter().enumerate() {
        let Some(inner) = e.strip_prefix('[').and_then(|x| x.strip_suffix(']')) else {
            out.push(leaf(e, quote && i > 0));
            continue;
        };
        let after_status = i > 0
            && matches!(
                elements[i - 1].to_ascii_uppercase().as_str(),
                "OK" | "NO" | "BAD" | "BYE" | "PREAUTH"
            );
        let inside = split_top(inner);
        if after_status {
            out.push(format!("[{}]", written(&inside, false)));
        } else {
            let body: Vec<String> = inside
                .iter()
                .map(|x| match x.starts_with('[') {
                    true => written(&[x], quote),
                    false => leaf(x, quote),
                })
                .collect();
            out.push(format!("({})", body.join(" ")));
        }
    }
    out.join(" ")
}

fn leaf(e: &str, quote: bool) -> String {
    match (e.is_empty(), quote && !e.eq_ignore_ascii_case("NIL")) {
        (true, _) => "\"\"".to_string(),
        (false, true) => format!("\"{e}\""),
        (false, false) => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn k9_lines() {
        let c =
            "01-07 19:08:58.810 26970 30173 V ImapConnection: conn4673923>>> 3 COMPRESS DEFLATE";
        assert_eq!(
            line(c),
            Some(vec![Item::Client("3 COMPRESS DEFLATE".into())])
        );
        assert_eq!(connection(c), Some("conn4673923"));
        assert_eq!(connection("D ImapConnection: Saving [NAMESPACE]"), None);
        let s = "01-07 19:08:58.823 26970 26990 V ImapResponseParser: conn35196978<<<#2# [OK, spamaccount@gmail.com authenticated (Success)]";
        assert_eq!(
            line(s),
            Some(vec![Item::Server(
                "2 OK spamaccount@gmail.com authenticated (Success)".into()
            )])
        );
        let s = "V ImapResponseParser: conn1<<<#null# [CAPABILITY, IMAP4rev1, IDLE]";
        assert_eq!(
            line(s),
            Some(vec![Item::Server("* CAPABILITY IMAP4rev1 IDLE".into())])
        );
        let s = "V ImapResponseParser: conn1<<<#5# [OK, [READ-WRITE], Select completed]";
        assert_eq!(
            line(s),
            Some(vec![Item::Server(
                "5 OK [READ-WRITE] Select completed".into()
            )])
        );
        let s = "V ImapResponseParser: conn1<<<#null# [FLAGS, [\\Answered, \\Seen]]";
        assert_eq!(
            line(s),
            Some(vec![Item::Server("* FLAGS (\\Answered \\Seen)".into())])
        );
        let s = "V/k9      (23954): conn1111723056<<<#null# [NAMESPACE, [[, /]], NIL, NIL]";
        assert_eq!(
            line(s),
            Some(vec![Item::Server(
                "* NAMESPACE ((\"\" \"/\")) NIL NIL".into()
            )])
        );
        let s = "V ImapResponseParser: conn1<<<#null# [OK, [PERMANENTFLAGS, []], Ok]";
        assert_eq!(
            line(s),
            Some(vec![Item::Server("* OK [PERMANENTFLAGS ()] Ok".into())])
        );
        assert_eq!(line("D ImapConnection: useCompression: true"), None);
    }
}
