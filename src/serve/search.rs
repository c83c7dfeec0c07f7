//! SEARCH keys (RFC 3501 §6.4.4) over the selected mailbox, and sequence sets
//! (§9 `sequence-set`) for message numbers and UIDs.

use super::fetch::{header, split};
use super::parse::Token;
use super::store::Message;

/// `1:*,3,5:7` against the largest number in use (`*`); empty when malformed.
pub fn sequence_set(text: &str, max: u32) -> Option<Vec<(u32, u32)>> {
    let num = |s: &str| {
        if s == "*" {
            Some(max)
        } else {
            s.parse::<u32>().ok().filter(|n| *n > 0)
        }
    };
    text.split(',')
        .map(|r| {
            let (a, b) = r.split_once(':').unwrap_or((r, r));
            let (a, b) = (num(a)?, num(b)?);
            Some((a.min(b), a.max(b)))
        })
        .collect()
}

pub fn contains(set: &[(u32, u32)], n: u32) -> bool {
    set.iter().any(|(a, b)| (*a..=*b).contains(&n))
}

#[derive(Debug, Clone)]
pub enum Key {
    All,
    Flag(String, bool),
    Keyword(String, bool),
    Header(String, String),
    Body(String),
    Text(String),
    Larger(usize),
    Smaller(usize),
    Internal(std::cmp::Ordering, (u32, u32, u32)),
    Sent(std::cmp::Ordering, (u32, u32, u32)),
    /// `On`: the date equals.
    InternalOn((u32, u32, u32)),
    SentOn((u32, u32, u32)),
    Seq(Vec<(u32, u32)>),
    Uid(Vec<(u32, u32)>),
    Not(Box<Key>),
    Or(Box<Key>, Box<Key>),
    And(Vec<Key>),
}

/// Parses the keys of a SEARCH (all of them must match); `max_seq` and `max_uid` resolve `*`.
pub fn parse(tokens: &[Token], max_seq: u32, max_uid: u32) -> Option<Key> {
    let mut p = Parser {
        t: tokens,
        i: 0,
        max_seq,
        max_uid,
    };
    if p.peek_word().is_some_and(|w| w == "CHARSET") {
        p.i += 2;
    }
    let mut keys = Vec::new();
    while p.i < tokens.len() {
        keys.push(p.key()?);
    }
    Some(Key::And(keys))
}

struct Parser<'a> {
    t: &'a [Token],
    i: usize,
    max_seq: u32,
    max_uid: u32,
}

impl Parser<'_> {
    fn peek_word(&self) -> Option<String> {
        match self.t.get(self.i)? {
            Token::Atom(a) => Some(a.to_ascii_uppercase()),
            _ => None,
        }
    }

    fn text(&mut self) -> Option<String> {
        let v = self.t.get(self.i)?.as_text()?;
        self.i += 1;
        Some(v)
    }

    fn date(&mut self) -> Option<(u32, u32, u32)> {
        parse_date(&self.text()?)
    }

    fn key(&mut self) -> Option<Key> {
        if matches!(self.t.get(self.i)?, Token::Open) {
            self.i += 1;
            let mut keys = Vec::new();
            while !matches!(self.t.get(self.i)?, Token::Close) {
                keys.push(self.key()?);
            }
            self.i += 1;
            return Some(Key::And(keys));
        }
        let word = self.text()?;
        let upper = word.to_ascii_uppercase();
        use std::cmp::Ordering::*;
        Some(match upper.as_str() {
            "ALL" => Key::All,
            "ANSWERED" | "DELETED" | "DRAFT" | "FLAGGED" | "SEEN" => Key::Flag(flag(&upper), true),
            "UNANSWERED" | "UNDELETED" | "UNDRAFT" | "UNFLAGGED" | "UNSEEN" => {
                Key::Flag(flag(&upper[2..]), false)
            }
            "NEW" => Key::Flag("\\Seen".into(), false),
            "OLD" | "RECENT" => Key::All,
            "KEYWORD" => Key::Keyword(self.text()?, true),
            "UNKEYWORD" => Key::Keyword(self.text()?, false),
            "FROM" | "TO" | "CC" | "BCC" | "SUBJECT" => Key::Header(upper.clone(), self.text()?),
            "HEADER" => Key::Header(self.text()?, self.text()?),
            "BODY" => Key::Body(self.text()?),
            "TEXT" => Key::Text(self.text()?),
            "LARGER" => Key::Larger(self.text()?.parse().ok()?),
            "SMALLER" => Key::Smaller(self.text()?.parse().ok()?),
            "BEFORE" => Key::Internal(Less, self.date()?),
            "SINCE" => Key::Internal(Greater, self.date()?),
            "ON" => Key::InternalOn(self.date()?),
            "SENTBEFORE" => Key::Sent(Less, self.date()?),
            "SENTSINCE" => Key::Sent(Greater, self.date()?),
            "SENTON" => Key::SentOn(self.date()?),
            "UID" => Key::Uid(sequence_set(&self.text()?, self.max_uid)?),
            "NOT" => Key::Not(Box::new(self.key()?)),
            "OR" => Key::Or(Box::new(self.key()?), Box::new(self.key()?)),
            _ => Key::Seq(sequence_set(&word, self.max_seq)?),
        })
    }
}

fn flag(word: &str) -> String {
    let w = word.to_ascii_lowercase();
    format!("\\{}{}", w[..1].to_ascii_uppercase(), &w[1..])
}

/// Whether message number `seq` matches.
pub fn matches(key: &Key, seq: u32, m: &Message) -> bool {
    let has = |s: &str, needle: &str| {
        s.to_ascii_lowercase()
            .contains(&needle.to_ascii_lowercase())
    };
    match key {
        Key::All => true,
        Key::Flag(f, want) | Key::Keyword(f, want) => m.has_flag(f) == *want,
        Key::Header(name, s) => header(&m.raw, name).is_some_and(|v| has(&v, s)),
        Key::Body(s) => has(split(&m.raw).1, s),
        Key::Text(s) => has(&m.raw, s),
        Key::Larger(n) => m.raw.len() > *n,
        Key::Smaller(n) => m.raw.len() < *n,
        // SINCE is "on or after" (RFC 3501 §6.4.4).
        Key::Internal(ord, d) => {
            internal(m).is_some_and(|x| x.cmp(d) == *ord || (ord.is_gt() && x == *d))
        }
        Key::Sent(ord, d) => sent(m).is_some_and(|x| x.cmp(d) == *ord || (ord.is_gt() && x == *d)),
        Key::InternalOn(d) => internal(m) == Some(*d),
        Key::SentOn(d) => sent(m) == Some(*d),
        Key::Seq(set) => contains(set, seq),
        Key::Uid(set) => contains(set, m.uid),
        Key::Not(k) => !matches(k, seq, m),
        Key::Or(a, b) => matches(a, seq, m) || matches(b, seq, m),
        Key::And(keys) => keys.iter().all(|k| matches(k, seq, m)),
    }
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// `1-Feb-1994` (RFC 3501 `date`) as (year, month, day).
pub fn parse_date(s: &str) -> Option<(u32, u32, u32)> {
    let s = s.trim_matches('"');
    let mut p = s.splitn(3, '-');
    let day = p.next()?.trim().parse().ok()?;
    let month = p.next()?;
    let month = MONTHS.iter().position(|m| m.eq_ignore_ascii_case(month))? as u32 + 1;
    let year = p.next()?.get(..4)?.parse().ok()?;
    Some((year, month, day))
}

fn internal(m: &Message) -> Option<(u32, u32, u32)> {
    parse_date(m.internal_date.split_whitespace().next()?)
}

/// The Date header (`Mon, 30 Nov 2026 12:00:00 +0000`) as (year, month, day).
fn sent(m: &Message) -> Option<(u32, u32, u32)> {
    let v = header(&m.raw, "Date")?;
    let v = v
        .split_once(',')
        .map_or(v.as_str(), |x| x.1)
        .trim()
        .to_string();
    let mut w = v.split_whitespace();
    let day = w.next()?.parse().ok()?;
    let month = w.next()?;
    let month = MONTHS.iter().position(|m| m.eq_ignore_ascii_case(month))? as u32 + 1;
    let year = w.next()?.parse().ok()?;
    Some((year, month, day))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn atoms(s: &str) -> Vec<Token> {
        s.split(' ')
            .map(|w| match w {
                "(" => Token::Open,
                ")" => Token::Close,
                w if w.starts_with('"') => Token::Str(w.trim_matches('"').as_bytes().to_vec()),
                w => Token::Atom(w.into()),
            })
            .collect()
    }

    fn msg(uid: u32, flags: &[&str]) -> Message {
        Message {
            uid,
            flags: flags.iter().map(|f| f.to_string()).collect(),
            internal_date: "30-Nov-2026 12:00:00 +0000".into(),
            raw: "Date: Mon, 30 Nov 2026 12:00:00 +0000\r\nFrom: Bob <bob@example.com>\r\nSubject: Hello\r\n\r\nbody text\r\n".into(),
        }
    }

    #[test]
    fn sets() {
        assert_eq!(sequence_set("1:*", 5), Some(vec![(1, 5)]));
        assert_eq!(sequence_set("4:2,7", 9), Some(vec![(2, 4), (7, 7)]));
        assert_eq!(sequence_set("0", 9), None);
    }

    #[test]
    fn keys() {
        let m = msg(3, &["\\Seen"]);
        let k = |s: &str| parse(&atoms(s), 5, 9).unwrap();
        assert!(matches(&k("ALL"), 1, &m));
        assert!(matches(&k("SEEN FROM \"bob\" SUBJECT \"hell\""), 1, &m));
        assert!(!matches(&k("UNSEEN"), 1, &m));
        assert!(matches(&k("OR UNSEEN UID 3"), 1, &m));
        assert!(matches(
            &k("NOT ( FLAGGED ) BODY \"text\" SINCE 1-Nov-2026 SENTON 30-Nov-2026"),
            1,
            &m
        ));
        assert!(!matches(&k("BEFORE 30-Nov-2026"), 1, &m));
        assert!(matches(&k("CHARSET UTF-8 2:4"), 2, &m));
        assert!(parse(&atoms("FROM"), 1, 1).is_none());
    }
}
