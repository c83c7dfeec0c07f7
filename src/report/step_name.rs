//! The name of a step: a stage of the connection, or the IMAP command it sent. The check's
//! steps are known names; `analyze` names any command a log shows by its verb. In the JSON
//! it is the lower-case string it always was.

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::{Serialize, Serializer};

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum StepName {
    Connect,
    Greeting,
    Capability,
    Starttls,
    Tls,
    Id,
    Login,
    Authenticate,
    Namespace,
    /// `LIST "" ""`: the hierarchy delimiter when there is no NAMESPACE (RFC 3501 §6.3.8).
    List,
    /// RLIST, for a server that refers mailboxes (RFC 2193 §5).
    Rlist,
    Select,
    Examine,
    Logout,
    /// Any other command, by its verb in lower case (`noop`, `fetch`); `?` when a log
    /// does not show it.
    Command(String),
}

const KNOWN: &[(&str, StepName)] = &[
    ("connect", StepName::Connect),
    ("greeting", StepName::Greeting),
    ("capability", StepName::Capability),
    ("starttls", StepName::Starttls),
    ("tls", StepName::Tls),
    ("id", StepName::Id),
    ("login", StepName::Login),
    ("authenticate", StepName::Authenticate),
    ("namespace", StepName::Namespace),
    ("list", StepName::List),
    ("rlist", StepName::Rlist),
    ("select", StepName::Select),
    ("examine", StepName::Examine),
    ("logout", StepName::Logout),
];

impl StepName {
    /// The name as the report writes it; any case is read.
    pub fn from_name(name: &str) -> StepName {
        let lower = name.to_ascii_lowercase();
        KNOWN
            .iter()
            .find(|(n, _)| *n == lower)
            .map_or(StepName::Command(lower), |(_, s)| s.clone())
    }

    pub fn as_str(&self) -> &str {
        match self {
            StepName::Command(verb) => verb,
            known => KNOWN
                .iter()
                .find(|(_, s)| s == known)
                .map_or("?", |(n, _)| n),
        }
    }

    /// LOGIN or AUTHENTICATE: the steps that log in (RFC 3501 §6.2).
    pub fn is_login(&self) -> bool {
        matches!(self, StepName::Login | StepName::Authenticate)
    }

    /// SELECT or EXAMINE: the steps that open a mailbox (RFC 3501 §6.3.1, §6.3.2).
    pub fn opens_mailbox(&self) -> bool {
        matches!(self, StepName::Select | StepName::Examine)
    }
}

impl From<&str> for StepName {
    fn from(name: &str) -> StepName {
        StepName::from_name(name)
    }
}

impl PartialEq<&str> for StepName {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl std::fmt::Display for StepName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

impl Serialize for StepName {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// A string in the schema, as before the type existed: `analyze` may name any command.
impl JsonSchema for StepName {
    fn schema_name() -> Cow<'static, str> {
        String::schema_name()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        String::json_schema(generator)
    }

    fn inline_schema() -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_verbs_are_kept() {
        for (name, step) in KNOWN {
            assert_eq!(StepName::from_name(name), *step);
            assert_eq!(step.as_str(), *name);
        }
        assert_eq!(StepName::from("NOOP"), StepName::Command("noop".into()));
        assert_eq!(StepName::from("?").as_str(), "?");
        assert!(StepName::Authenticate.is_login() && !StepName::Select.is_login());
        assert_eq!(
            serde_json::to_string(&StepName::Rlist).unwrap(),
            "\"rlist\""
        );
    }
}
