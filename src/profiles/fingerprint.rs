//! Which server is this? A product is named only on evidence that identifies one (the
//! greeting text, ID fields (RFC 2971), response texts and capability tokens that only it
//! sends), never on the shape of its namespaces, which any administrator can configure
//! (RFC 2342 §4): those are compared, not fingerprinted. Counter-evidence lowers the
//! confidence; strong evidence for another product is a conflict naming both. A server no
//! profile knows but which names itself is reported under its own name, without a profile.

use std::collections::BTreeMap;

use super::backend::backend_server;
use super::self_named::{self, SelfNamed};
use super::{all, Known};
use crate::proto::Status;
use crate::report::{Evidence, Fingerprint};

/// What a session (or a saved transcript) showed about the server.
#[derive(Debug, Default)]
pub struct Observed<'a> {
    /// The greeting line as received (`* OK ...`).
    pub greeting: Option<&'a str>,
    pub capabilities: Vec<&'a str>,
    pub id: Option<&'a BTreeMap<String, Option<String>>>,
    /// The server's status responses after the greeting, tagged or not
    /// (`a1 OK Logged in`, `* BYE ...`), as received.
    pub replies: Vec<&'a str>,
}

impl Observed<'_> {
    fn is_empty(&self) -> bool {
        self.greeting.is_none()
            && self.capabilities.is_empty()
            && self.id.is_none()
            && self.replies.is_empty()
    }
}

const GREETING: i32 = 50;
const ID: i32 = 70;
const MARK: i32 = 30;
const REPLY: i32 = 40;
/// At most this many different reply texts count for one profile.
const REPLIES_COUNTED: usize = 2;
const CAPABILITY_CODE_MISMATCH: i32 = -25;
/// Below this nothing is claimed.
const KNOWN: i32 = 30;

struct Score<'k> {
    known: &'k Known,
    points: i32,
    version: Option<String>,
    evidence: Vec<Evidence>,
}

impl Score<'_> {
    /// Evidence that identifies the product (not counter-evidence).
    fn strong(&self) -> bool {
        self.evidence.iter().any(|e| !e.against)
    }

    fn said(&self) -> String {
        let said: Vec<String> = self
            .evidence
            .iter()
            .filter(|e| !e.against)
            .map(|e| format!("{}: {}", e.source, e.says))
            .collect();
        said.join("; ")
    }
}

/// What was seen, parsed once for every profile: the greeting's text and code, and each
/// reply's text and code.
struct Parsed<'a> {
    seen: &'a Observed<'a>,
    greeting_text: Option<String>,
    greeting_has_caps: bool,
    replies: Vec<Reply<'a>>,
}

struct Reply<'a> {
    line: &'a str,
    text: String,
    /// The atom of its response code (`UIDNEXT` of `* OK [UIDNEXT 2] ...`).
    code: Option<String>,
}

impl<'a> Parsed<'a> {
    fn of(seen: &'a Observed<'a>) -> Self {
        let status = seen
            .greeting
            .and_then(|g| g.strip_prefix("* "))
            .and_then(Status::parse);
        let greeting_has_caps = status
            .as_ref()
            .and_then(|st| st.code_raw.as_deref())
            .is_some_and(|c| c.to_ascii_uppercase().starts_with("CAPABILITY"));
        let greeting_text = match status {
            Some(st) => Some(st.text),
            None => seen.greeting.map(str::to_string),
        };
        let replies = seen.replies.iter().filter_map(|l| reply(l)).collect();
        Parsed {
            seen,
            greeting_text,
            greeting_has_caps,
            replies,
        }
    }
}

fn reply(line: &str) -> Option<Reply<'_>> {
    let (_tag, rest) = line.split_once(' ')?;
    let st = Status::parse(rest)?;
    let code = st
        .code_raw
        .as_deref()
        .and_then(|c| c.split_whitespace().next())
        .map(str::to_ascii_uppercase);
    Some(Reply {
        line,
        text: st.text,
        code,
    })
}

pub fn fingerprint(seen: &Observed) -> Fingerprint {
    if seen.is_empty() {
        // A server that never answered (refused, timed out) gives nothing to score: the
        // profiles are not even loaded.
        return nothing_named();
    }
    let parsed = Parsed::of(seen);
    let mut scores: Vec<Score> = all().iter().map(|k| score(k, &parsed)).collect();
    scores.sort_by_key(|s| std::cmp::Reverse(s.points));
    let backend = parsed.greeting_text.as_deref().and_then(backend_server);
    let named = self_named(&parsed);
    let mut fp = match scores.first().filter(|s| s.points >= KNOWN && s.strong()) {
        Some(best) => profiled(best, &scores[1..], named.as_ref()),
        None => match named {
            Some(n) => unprofiled(n, &scores),
            None => nothing_named(),
        },
    };
    fp.backend = backend;
    fp
}

fn nothing_named() -> Fingerprint {
    Fingerprint {
        confidence: "none".into(),
        ..Fingerprint::default()
    }
}

/// Every profile's identifying evidence in what was seen: the tests use it to check that
/// each mark claimed unique fires for its own product only.
pub fn claims(seen: &Observed) -> Vec<(&'static Known, Vec<Evidence>)> {
    let parsed = Parsed::of(seen);
    all()
        .iter()
        .map(|k| {
            let s = score(k, &parsed);
            let said = s.evidence.into_iter().filter(|e| !e.against).collect();
            (k, said)
        })
        .filter(|(_, said): &(_, Vec<Evidence>)| !said.is_empty())
        .collect()
}

fn profiled(best: &Score, rest: &[Score], named: Option<&SelfNamed>) -> Fingerprint {
    let mut conflicts = conflicts(best, rest);
    conflicts.extend(named.and_then(|n| names_another(best, n)));
    let doubted = !conflicts.is_empty() || best.evidence.iter().any(|e| e.against);
    Fingerprint {
        product: Some(best.known.profile.product.clone()),
        version: best
            .version
            .clone()
            .or_else(|| best.known.profile.version.clone()),
        profile: Some(best.known.profile.name.clone()),
        confidence: confidence(best.points, doubted).into(),
        evidence: best.evidence.clone(),
        conflicts,
        backend: None,
    }
}

/// A product no profile knows, under the name it gave itself.
fn unprofiled(n: SelfNamed, scores: &[Score]) -> Fingerprint {
    let conflicts = scores
        .iter()
        .filter(|s| s.strong() && !shares_a_word(&s.known.profile.product, &n.product))
        .map(|s| conflict_text(&n.product, &s.known.profile.product, &s.said()))
        .collect::<Vec<_>>();
    let base = if n.source == "id" { "medium" } else { "low" };
    let confidence = if conflicts.is_empty() { base } else { "low" };
    Fingerprint {
        evidence: vec![Evidence {
            source: n.source.into(),
            line: n.line.clone(),
            profile: "none".into(),
            says: format!("the server names itself {}; no profile knows it", n.product),
            against: false,
        }],
        product: Some(n.product),
        version: n.version,
        profile: None,
        confidence: confidence.into(),
        conflicts,
        backend: None,
    }
}

fn confidence(points: i32, doubted: bool) -> &'static str {
    let level = match points {
        p if p >= 90 => 2,
        p if p >= 50 => 1,
        _ => 0,
    };
    match level - i32::from(doubted) {
        l if l >= 2 => "high",
        1 => "medium",
        _ => "low",
    }
}

fn score<'k>(known: &'k Known, seen: &Parsed) -> Score<'k> {
    let mut s = Score {
        known,
        points: 0,
        version: None,
        evidence: Vec::new(),
    };
    greeting(&mut s, seen);
    id(&mut s, seen);
    marks(&mut s, seen);
    replies(&mut s, seen);
    codes(&mut s, seen);
    s
}

fn add(s: &mut Score, points: i32, source: &str, line: &str, says: String) {
    s.points += points;
    s.evidence.push(Evidence {
        source: source.into(),
        line: line.into(),
        profile: s.known.profile.name.clone(),
        says,
        against: points < 0,
    });
}

fn greeting(s: &mut Score, seen: &Parsed) {
    let (Some(line), Some(text)) = (seen.seen.greeting, seen.greeting_text.as_deref()) else {
        return;
    };
    let has_caps = seen.greeting_has_caps;
    let product = s.known.profile.product.clone();
    let Some(caps) = s.known.greeting.iter().find_map(|r| r.captures(text)) else {
        return;
    };
    s.version = caps.name("version").map(|v| v.as_str().to_string());
    let says = format!("the greeting text is {product}'s");
    add(s, GREETING, "greeting", line, says);
    if s.known.profile.greeting_has_capability == Some(false) && has_caps {
        let says = format!("the greeting carries a CAPABILITY code, which {product} never sends");
        add(s, CAPABILITY_CODE_MISMATCH, "greeting", line, says);
    }
}

fn id(s: &mut Score, seen: &Parsed) {
    let Some(fields) = seen.seen.id else { return };
    let field = |k: &str| {
        fields
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(k))
            .and_then(|(_, v)| v.clone())
    };
    let Some(name) = field("name") else { return };
    if s.known.id_name.iter().any(|r| r.is_match(&name)) {
        s.version = field("version")
            .map(|v| v.trim().to_string())
            .or(s.version.take());
        let says = format!("ID names {}", s.known.profile.product);
        add(s, ID, "id", &format!("name {name:?}"), says);
    }
}

fn marks(s: &mut Score, seen: &Parsed) {
    let marks = &s.known.profile.capability_marks;
    let found = seen.seen.capabilities.iter().find(|c| {
        marks
            .iter()
            .any(|m| m.eq_ignore_ascii_case(c) && is_exact_case(m, c))
    });
    if let Some(token) = found {
        let says = format!("only {} advertises {token}", s.known.profile.product);
        add(s, MARK, "capability", token, says);
    }
}

/// `IMAP4REV1` (UW) is a mark only in that spelling; other marks match any case.
pub fn is_exact_case(mark: &str, token: &str) -> bool {
    mark != "IMAP4REV1" || token == mark
}

/// Response texts only this product writes (`Logged in`, Dovecot's `(0.001 + 0.000 secs)`).
fn replies(s: &mut Score, seen: &Parsed) {
    let mut counted = 0;
    for pattern in &s.known.replies {
        let hit = seen.replies.iter().find(|r| pattern.is_match(&r.text));
        if let Some(r) = hit {
            let says = format!("the reply text is {}'s", s.known.profile.product);
            add(s, REPLY, "reply", r.line, says);
            counted += 1;
        }
        if counted == REPLIES_COUNTED {
            return;
        }
    }
}

/// Response codes only this product sends (RFC 3501 §7.1 leaves the set open: Cyrus's
/// `[URLMECH ...]` after SELECT, Courier's `[MYRIGHTS ...]`).
fn codes(s: &mut Score, seen: &Parsed) {
    let wanted = &s.known.profile.codes;
    let hit = seen.replies.iter().find_map(|r| {
        let atom = r.code.as_deref()?;
        wanted
            .iter()
            .any(|w| w.eq_ignore_ascii_case(atom))
            .then_some((r.line, atom))
    });
    if let Some((line, atom)) = hit {
        let says = format!(
            "only {} sends the [{atom}] response code",
            s.known.profile.product
        );
        add(s, MARK, "reply", line, says);
    }
}

/// The human-readable text of a status response, without tag, status and code.
pub fn reply_text(line: &str) -> Option<String> {
    reply(line).map(|r| r.text)
}

/// The self-named product, from ID first (a field), else the greeting (free text).
fn self_named(seen: &Parsed) -> Option<SelfNamed> {
    seen.seen.id.and_then(self_named::from_id).or_else(|| {
        seen.greeting_text
            .as_deref()
            .and_then(self_named::from_greeting)
    })
}

/// Strong evidence for another product family than the best one's.
fn conflicts(best: &Score, rest: &[Score]) -> Vec<String> {
    let product = &best.known.profile.product;
    rest.iter()
        .filter(|s| s.strong() && s.known.profile.family != best.known.profile.family)
        .map(|s| conflict_text(product, &s.known.profile.product, &s.said()))
        .collect()
}

/// A profile named on capabilities or replies alone, while the server calls itself
/// something else in its greeting or ID.
fn names_another(best: &Score, n: &SelfNamed) -> Option<String> {
    let identified = best
        .evidence
        .iter()
        .any(|e| !e.against && (e.source == "greeting" || e.source == "id"));
    let product = &best.known.profile.product;
    if identified || shares_a_word(product, &n.product) {
        return None;
    }
    let said = format!("{}: the server names itself {}", n.source, n.product);
    Some(conflict_text(product, &n.product, &said))
}

fn conflict_text(best: &str, other: &str, said: &str) -> String {
    format!("{best} or {other}? {other} also fits ({said})")
}

/// Two product names that share a word of three letters or more (`Microsoft Exchange`,
/// `Microsoft Exchange Server 2010-2019`).
pub fn shares_a_word(a: &str, b: &str) -> bool {
    let words = |s: &str| -> Vec<String> {
        s.split(|c: char| !c.is_alphanumeric())
            .filter(|w| w.len() >= 3)
            .map(str::to_lowercase)
            .collect()
    };
    let b = words(b);
    words(a).iter().any(|w| b.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn greeting_only(line: &str) -> Fingerprint {
        fingerprint(&Observed {
            greeting: Some(line),
            ..Observed::default()
        })
    }

    #[test]
    fn exchange_greetings_give_product_and_build() {
        let f = greeting_only(
            "* OK Microsoft Exchange IMAP4rev1 server version 5.5.2653.23 (EXCH55) ready",
        );
        assert_eq!(f.profile.as_deref(), Some("exchange55"));
        assert_eq!(f.version.as_deref(), Some("5.5.2653.23"));
        let f = greeting_only(
            "* OK Microsoft Exchange 2000 IMAP4rev1 server version 6.0.6249.0 (EXCH2K) ready.",
        );
        assert_eq!(f.profile.as_deref(), Some("exchange2000"));
        let f = greeting_only("* OK The Microsoft Exchange IMAP4 service is ready. [TQBXAEgAUABSADIAMQBDAEEAMAAwADYAMAA=]");
        assert_eq!(f.profile.as_deref(), Some("exchange-online"));
        let f = greeting_only("* OK The Microsoft Exchange IMAP4 service is ready.");
        assert_eq!(f.profile.as_deref(), Some("exchange2010"));
    }

    #[test]
    fn unknown_greetings_stay_unknown() {
        for g in [
            "* OK IMAP4 ready",
            "* OK [CAPABILITY IMAP4rev1] mail.example.com ready",
            "* OK",
        ] {
            let f = greeting_only(g);
            assert_eq!(f.product, None, "{g}");
            assert_eq!(f.confidence, "none");
        }
    }

    #[test]
    fn a_dovecot_imitating_exchange_is_dovecot_with_a_conflict() {
        let id: BTreeMap<String, Option<String>> =
            [("name".to_string(), Some("Dovecot".to_string()))].into();
        let f = fingerprint(&Observed {
            greeting: Some("* OK [CAPABILITY IMAP4rev1 ID] Microsoft Exchange IMAP4rev1 server version 5.5.2653.23 (EXCH55) ready"),
            capabilities: vec!["IMAP4rev1", "ID"],
            id: Some(&id),
            replies: Vec::new(),
        });
        assert_eq!(f.profile.as_deref(), Some("dovecot"));
        assert_eq!(f.conflicts.len(), 1, "{:?}", f.conflicts);
        assert!(f.conflicts[0].starts_with("Dovecot or Microsoft Exchange Server?"));
    }
}
