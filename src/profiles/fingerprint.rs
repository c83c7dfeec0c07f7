//! Which server is this? Each profile scores the evidence the session left: the greeting
//! text, ID fields (RFC 2971), capability tokens only it sends, and a distinctive
//! NAMESPACE reply. The best score above a threshold names the product; below it the
//! server stays unknown rather than being forced into a wrong profile.

use std::collections::BTreeMap;

use super::{all, Known};
use crate::proto::sanitize::escape_str;
use crate::proto::{NamespaceSet, Status};
use crate::report::{Evidence, Fingerprint};

/// What a session (or a saved transcript) showed about the server.
#[derive(Debug, Default)]
pub struct Observed<'a> {
    /// The greeting line as received (`* OK ...`).
    pub greeting: Option<&'a str>,
    pub capabilities: Vec<&'a str>,
    pub id: Option<&'a BTreeMap<String, Option<String>>>,
    pub namespace: Option<&'a NamespaceSet>,
}

const GREETING: i32 = 50;
const ID: i32 = 70;
const MARK: i32 = 30;
const NAMESPACE_DISTINCT: i32 = 40;
const NAMESPACE_COMMON: i32 = 10;
const CAPABILITY_CODE_MISMATCH: i32 = -25;
/// Below this nothing is claimed.
const KNOWN: i32 = 30;

struct Score<'k> {
    known: &'k Known,
    points: i32,
    strong: bool,
    version: Option<String>,
    evidence: Vec<Evidence>,
}

pub fn fingerprint(seen: &Observed) -> Fingerprint {
    let mut scores: Vec<Score> = all().iter().map(|k| score(k, seen)).collect();
    scores.sort_by_key(|s| std::cmp::Reverse(s.points));
    let Some(best) = scores.first().filter(|s| s.points >= KNOWN) else {
        return Fingerprint {
            confidence: "none".into(),
            ..Fingerprint::default()
        };
    };
    let conflicts = conflicts(best, &scores[1..]);
    let confidence = match best.points {
        p if p >= 90 => "high",
        p if p >= 50 => "medium",
        _ => "low",
    };
    Fingerprint {
        product: Some(best.known.profile.product.clone()),
        version: best
            .version
            .clone()
            .or_else(|| best.known.profile.version.clone()),
        profile: Some(best.known.profile.name.clone()),
        confidence: confidence.into(),
        evidence: best.evidence.clone(),
        conflicts,
    }
}

fn score<'k>(known: &'k Known, seen: &Observed) -> Score<'k> {
    let mut s = Score {
        known,
        points: 0,
        strong: false,
        version: None,
        evidence: Vec::new(),
    };
    greeting(&mut s, seen);
    id(&mut s, seen);
    marks(&mut s, seen);
    namespace(&mut s, seen);
    s
}

fn add(s: &mut Score, points: i32, source: &str, line: &str, says: String) {
    s.points += points;
    s.evidence.push(Evidence {
        source: source.into(),
        line: escape_str(line),
        profile: s.known.profile.name.clone(),
        says,
    });
}

fn greeting(s: &mut Score, seen: &Observed) {
    let Some(line) = seen.greeting else { return };
    let status = line.strip_prefix("* ").and_then(Status::parse);
    let text = status.as_ref().map(|st| st.text.as_str()).unwrap_or(line);
    let has_caps = status
        .as_ref()
        .and_then(|st| st.code_raw.as_deref())
        .is_some_and(|c| c.to_ascii_uppercase().starts_with("CAPABILITY"));
    let product = s.known.profile.product.clone();
    if let Some(caps) = s.known.greeting.iter().find_map(|r| r.captures(text)) {
        s.version = caps.name("version").map(|v| v.as_str().to_string());
        s.strong = true;
        add(
            s,
            GREETING,
            "greeting",
            line,
            format!("the greeting text is {product}'s"),
        );
    }
    if s.known.profile.greeting_has_capability == Some(false) && has_caps && s.points > 0 {
        add(
            s,
            CAPABILITY_CODE_MISMATCH,
            "greeting",
            line,
            format!("{product} never puts a CAPABILITY code in its greeting"),
        );
    }
}

fn id(s: &mut Score, seen: &Observed) {
    let Some(fields) = seen.id else { return };
    let field = |k: &str| {
        fields
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(k))
            .and_then(|(_, v)| v.clone())
    };
    let Some(name) = field("name") else { return };
    if s.known.id_name.iter().any(|r| r.is_match(&name)) {
        s.strong = true;
        s.version = field("version")
            .map(|v| v.trim().to_string())
            .or(s.version.take());
        let says = format!("ID names {}", s.known.profile.product);
        add(s, ID, "id", &format!("name {name:?}"), says);
    }
}

fn marks(s: &mut Score, seen: &Observed) {
    let marks = &s.known.profile.capability_marks;
    let found = seen.capabilities.iter().find(|c| {
        marks
            .iter()
            .any(|m| m.eq_ignore_ascii_case(c) && is_exact_case(m, c))
    });
    if let Some(token) = found {
        s.strong = true;
        let says = format!("only {} advertises {token}", s.known.profile.product);
        add(s, MARK, "capability", token, says);
    }
}

/// `IMAP4REV1` (UW) is a mark only in that spelling; other marks match any case.
fn is_exact_case(mark: &str, token: &str) -> bool {
    mark != "IMAP4REV1" || token == mark
}

fn namespace(s: &mut Score, seen: &Observed) {
    let (Some(actual), Some(expected)) = (seen.namespace, &s.known.namespace) else {
        return;
    };
    if s.known.profile.namespace_evidence.as_deref() != Some("verified") || actual != expected {
        return;
    }
    let points = if expected.other_users.is_some() || expected.shared.is_some() {
        NAMESPACE_DISTINCT
    } else {
        NAMESPACE_COMMON
    };
    let line = super::format_set(actual);
    let says = format!("the namespaces are {}'s", s.known.profile.product);
    add(s, points, "namespace", &line, says);
}

/// Strong evidence for another product family than the best one's.
fn conflicts(best: &Score, rest: &[Score]) -> Vec<String> {
    rest.iter()
        .filter(|s| s.strong && s.known.profile.family != best.known.profile.family)
        .map(|s| {
            let said: Vec<String> = s
                .evidence
                .iter()
                .filter(|e| !e.says.contains("never"))
                .map(|e| format!("{}: {}", e.source, e.says))
                .collect();
            format!(
                "{} also fits ({})",
                s.known.profile.product,
                said.join("; ")
            )
        })
        .collect()
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
            namespace: None,
        });
        assert_eq!(f.profile.as_deref(), Some("dovecot"));
        assert_eq!(f.conflicts.len(), 1, "{:?}", f.conflicts);
        assert!(f.conflicts[0].starts_with("Microsoft Exchange Server also fits"));
    }
}
