//! What a run needs, decided once from the arguments by `main` (DESIGN.md: "Only `main`
//! turns arguments into settings"). The diagnosis and the client core read these.

use std::path::PathBuf;
use std::time::Duration;

use crate::secret::Secret;

/// How the connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// TLS from the first byte (port 993, `imaps://`).
    Tls,
    /// STARTTLS (RFC 3501 §6.2.1); `required: false` continues in plaintext when the
    /// server does not offer it (and says so).
    StartTls {
        required: bool,
    },
    Plain,
}

impl Security {
    pub fn name(self) -> &'static str {
        match self {
            Security::Tls => "tls",
            Security::StartTls { .. } => "starttls",
            Security::Plain => "plain",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMethod {
    /// AUTHENTICATE PLAIN when advertised, LOGIN otherwise.
    Auto,
    Login,
    Plain,
}

/// The steps of the scripted check, in order; `--quit-after` names one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum StepName {
    Connect,
    Greeting,
    Capability,
    Starttls,
    Login,
    Namespace,
    Select,
    Logout,
}

impl StepName {
    pub fn as_str(self) -> &'static str {
        match self {
            StepName::Connect => "connect",
            StepName::Greeting => "greeting",
            StepName::Capability => "capability",
            StepName::Starttls => "starttls",
            StepName::Login => "login",
            StepName::Namespace => "namespace",
            StepName::Select => "select",
            StepName::Logout => "logout",
        }
    }
}

#[derive(Debug, Clone)]
pub struct TlsSettings {
    /// Continue after a verification failure (reported as a finding).
    pub insecure: bool,
    pub ca_file: Option<PathBuf>,
    pub cert_warn_days: u32,
}

/// Caps that keep a hostile server from exhausting memory or time (DESIGN.md, "Bounded
/// everything").
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest message (a line and its literals) kept; a larger one ends the session.
    pub max_message_bytes: u32,
    /// Bytes of wire kept for the transcript; past this it says "truncated".
    pub max_transcript_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_message_bytes: 1 << 20,
            max_transcript_bytes: 4 << 20,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Settings {
    /// The TARGET as typed.
    pub input: String,
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub user: Option<String>,
    pub password: Option<Secret>,
    pub auth: AuthMethod,
    pub allow_plaintext_login: bool,
    pub tls: TlsSettings,
    /// Per step, and for the TCP connect.
    pub timeout: Duration,
    pub mailbox: String,
    pub quit_after: Option<StepName>,
    pub limits: Limits,
}
