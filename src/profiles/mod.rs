//! Server profiles: what each known IMAP server says (greeting, capabilities, ID,
//! NAMESPACE), where that knowledge comes from, and its known quirks. The facts are data
//! (`profiles.json`, every entry naming its sources) so a new build or banner needs no
//! code change. Pure: no I/O.

mod backend;
mod compare;
mod fingerprint;
pub mod self_named;

use std::sync::OnceLock;

use regex::Regex;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::proto::namespace_lenient;
use crate::proto::NamespaceSet;

pub use compare::{compare, format_class, format_set};
pub use fingerprint::{claims, fingerprint, is_exact_case, reply_text, shares_a_word, Observed};

/// One entry of `profiles.json`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
pub struct Profile {
    pub name: String,
    pub product: String,
    pub version: Option<String>,
    /// Profiles of one product line share a family (`exchange`, `cyrus`, ...).
    pub family: String,
    pub sources: Vec<String>,
    /// Regular expressions over the greeting's text (after any `[CODE]`); a capture named
    /// `version` gives the version.
    pub greeting: Vec<String>,
    /// Regular expressions over the `name` field of the ID reply (RFC 2971).
    #[serde(default)]
    pub id_name: Vec<String>,
    /// Capability tokens that only this server sends.
    pub capability_marks: Vec<String>,
    /// Regular expressions over response texts (tagged completions, BYE, BAD and NO, after
    /// any `[CODE]`) that only this server writes. Case-sensitive: `SELECT Completed.` and
    /// `SELECT completed.` are two products.
    #[serde(default)]
    pub replies: Vec<String>,
    /// Response-code atoms (RFC 3501 §7.1) only this server sends.
    #[serde(default)]
    pub codes: Vec<String>,
    /// Whether its greeting carries a `[CAPABILITY ...]` code; `null` when it varies.
    pub greeting_has_capability: Option<bool>,
    /// The NAMESPACE reply's arguments in its default configuration.
    pub namespace: Option<String>,
    /// `verified` (seen in a real session) or `inferred`.
    pub namespace_evidence: Option<String>,
    /// How to reach another user's mailbox on this server.
    pub other_users: Option<String>,
    pub quirks: Vec<String>,
    /// Greetings quoted by the sources, verbatim: each must name this profile.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub examples: Vec<String>,
}

/// A profile with its patterns compiled.
#[derive(Debug)]
pub struct Known {
    pub profile: Profile,
    greeting: Vec<Regex>,
    id_name: Vec<Regex>,
    replies: Vec<Regex>,
    pub namespace: Option<NamespaceSet>,
}

const DATA: &str = include_str!("profiles.json");

/// Every profile, compiled once. A malformed entry is a bug caught by the unit tests.
pub fn all() -> &'static [Known] {
    static ALL: OnceLock<Vec<Known>> = OnceLock::new();
    ALL.get_or_init(|| {
        let list: Vec<Profile> = serde_json::from_str(DATA).unwrap_or_default();
        list.into_iter().filter_map(compile).collect()
    })
}

fn compile(profile: Profile) -> Option<Known> {
    let regexes = |list: &[String], flags: &str| -> Option<Vec<Regex>> {
        list.iter()
            .map(|r| Regex::new(&format!("{flags}{r}")).ok())
            .collect()
    };
    let namespace = match &profile.namespace {
        Some(raw) => Some(namespace_lenient::parse(raw)?),
        None => None,
    };
    Some(Known {
        greeting: regexes(&profile.greeting, "(?i)")?,
        id_name: regexes(&profile.id_name, "(?i)")?,
        replies: regexes(&profile.replies, "")?,
        namespace,
        profile,
    })
}

/// A profile made on the spot (e.g. from `--expect-namespace`), for comparisons.
pub fn ad_hoc(name: &str, source: &str, namespace: NamespaceSet) -> Known {
    Known {
        profile: Profile {
            name: name.into(),
            product: format!("namespace given with {source}"),
            version: None,
            family: name.into(),
            sources: vec![source.into()],
            greeting: Vec::new(),
            id_name: Vec::new(),
            capability_marks: Vec::new(),
            replies: Vec::new(),
            codes: Vec::new(),
            greeting_has_capability: None,
            namespace: Some(compare::format_set(&namespace)),
            namespace_evidence: Some("given".into()),
            other_users: None,
            quirks: Vec::new(),
            examples: Vec::new(),
        },
        greeting: Vec::new(),
        id_name: Vec::new(),
        replies: Vec::new(),
        namespace: Some(namespace),
    }
}

pub fn by_name(name: &str) -> Option<&'static Known> {
    all()
        .iter()
        .find(|k| k.profile.name.eq_ignore_ascii_case(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_entry_compiles_and_names_its_sources() {
        let raw: Vec<Profile> = serde_json::from_str(DATA).unwrap();
        assert_eq!(all().len(), raw.len(), "an entry failed to compile");
        let mut names: Vec<&str> = raw.iter().map(|p| p.name.as_str()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), raw.len(), "duplicate profile names");
        for p in &raw {
            assert!(!p.sources.is_empty(), "{} has no source", p.name);
            assert_eq!(
                p.namespace.is_some(),
                p.namespace_evidence.is_some(),
                "{}",
                p.name
            );
        }
    }

    #[test]
    fn every_quoted_greeting_names_its_own_profile() {
        let quoted = all().iter().flat_map(|k| {
            let name = &k.profile.name;
            k.profile.examples.iter().map(move |e| (name, e))
        });
        for (name, example) in quoted {
            let f = fingerprint(&Observed {
                greeting: Some(example),
                ..Observed::default()
            });
            assert_eq!(f.profile.as_ref(), Some(name), "{example}");
        }
    }

    #[test]
    fn there_are_at_least_80_profiles() {
        assert!(all().len() >= 80, "{}", all().len());
    }

    #[test]
    fn the_kb_namespaces_are_exact() {
        let ns = |n: &str| by_name(n).unwrap().profile.namespace.clone().unwrap();
        assert_eq!(
            ns("exchange55"),
            r#"(("" "/")) (("Other users/" "/")) (("Public Folders/" "/"))"#
        );
        assert_eq!(
            ns("exchange2000"),
            r#"(("" "/")) NIL (("Public Folders/" "/"))"#
        );
    }
}
