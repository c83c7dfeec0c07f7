//! The report: everything a diagnosis found, in the shape of the JSON contract (`tests/schema/report.schema.json`)
//! (`imapdiag.report/1`). Field names are stable: add, never rename.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Serialize;

use crate::proto::{NamespaceDescr, StatusKind};

mod step_name;
mod tls;
pub use step_name::StepName;
pub use tls::{CertificateInfo, TlsInfo};

pub const SCHEMA: &str = "imapdiag.report/1";

/// Overall verdict, ordered so that the worst is the largest (Nagios plugin convention).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Ok,
    Warning,
    Critical,
    Unknown,
}

/// The one exit-status type: the process ends with its report's status, as a Nagios
/// plugin does; a run that could not judge (a usage error, a failed start) is UNKNOWN.
impl From<Status> for std::process::ExitCode {
    fn from(s: Status) -> Self {
        std::process::ExitCode::from(s.exit_code() as u8)
    }
}

impl Status {
    /// The process exit status: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.
    pub fn exit_code(self) -> i32 {
        match self {
            Status::Ok => 0,
            Status::Warning => 1,
            Status::Critical => 2,
            Status::Unknown => 3,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Critical,
}

/// A diagnosis with a stable kebab-case `code` that CI can match on.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Finding {
    pub code: String,
    pub severity: Severity,
    pub summary: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remedy: Option<String>,
    /// The connection it came from: 0 is the target, 1.. the referrals followed.
    pub hop: u32,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Report {
    pub schema: String,
    /// The subcommand that produced it: `check`, `namespace`, ...
    pub command: String,
    pub target: TargetInfo,
    pub status: Status,
    pub server: ServerInfo,
    pub tls: Option<TlsInfo>,
    /// Every connection made: the target first, then each referral followed. `server`,
    /// `tls`, `namespace` and `mailbox` describe the last hop that got that far.
    pub hops: Vec<Hop>,
    pub steps: Vec<Step>,
    /// How the login went: the mechanism, and what it taught (token claims, NTLM target).
    pub auth: Option<AuthInfo>,
    pub namespace: Option<NamespaceReport>,
    /// The hierarchy delimiter from `LIST "" ""` (RFC 3501 §6.3.8), whenever it was asked:
    /// with no NAMESPACE reply, it is all a client has.
    pub hierarchy: Option<Hierarchy>,
    pub mailbox: Option<MailboxReport>,
    /// The namespace comparison; `null` when no NAMESPACE reply was seen.
    pub profile: Option<ProfileReport>,
    pub referrals: Vec<Referral>,
    pub findings: Vec<Finding>,
    /// Every line sent and received, in order, with its time offset. Secrets redacted.
    pub transcript: Vec<WireLine>,
    pub timing: Timing,
    /// `analyze` only: what it read (`curl -v`, `MailKit`, `Thunderbird IMAP:5`, `telnet`,
    /// ...) and how many lines were not IMAP (the log's own, other programs').
    pub input: Option<InputInfo>,
}

/// What `analyze` read.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct InputInfo {
    /// The format read, guessed or given with `--format-in`.
    pub format: String,
    /// Lines read as IMAP.
    pub lines: usize,
    /// Lines skipped: the log's own, other programs' mixed in, and other connections'.
    pub skipped: usize,
    /// The connection read, when the log interleaves several (Thunderbird, K-9 Mail,
    /// imapflow): the busiest, or the one `--connection` named.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection: Option<String>,
    /// Every connection the log names, in the order first seen, when it names several.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub connections: Vec<String>,
}

/// One connection of the run (every hop is reported).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Hop {
    pub hop: u32,
    pub host: String,
    pub port: u16,
    /// `tls`, `starttls` or `plain`.
    pub security: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// The referral URL that led here; absent for the target itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
    /// The address dialled when `--connect-to` redirected it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dialled: Option<String>,
    /// This hop's greeting line, as received (raw: renderers escape it).
    pub greeting: Option<String>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct TargetInfo {
    /// The TARGET as given on the command line.
    pub input: String,
    pub host: String,
    pub port: u16,
    /// `tls`, `starttls` or `plain`: what the connection was meant to use.
    pub security: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, JsonSchema)]
pub struct ServerInfo {
    /// The greeting line as received. Report text is raw: a control character stays one
    /// (`\u001b` in JSON) and renderers escape it; bytes that are not UTF-8 are U+FFFD.
    pub greeting: Option<String>,
    pub capabilities_before_login: Vec<String>,
    pub capabilities_after_login: Option<Vec<String>>,
    pub id: Option<BTreeMap<String, Option<String>>>,
    pub fingerprint: Option<Fingerprint>,
}

/// Which server this is, how sure, and which line said so.
#[derive(Debug, Clone, Default, Serialize, JsonSchema)]
pub struct Fingerprint {
    /// `null` when nothing known matched: the server stays unknown.
    pub product: Option<String>,
    pub version: Option<String>,
    /// The matched profile's name (`imapdiag profiles`).
    pub profile: Option<String>,
    /// `high`, `medium`, `low`, or `none` for an unknown server.
    pub confidence: String,
    pub evidence: Vec<Evidence>,
    /// Evidence that points at another product (a server imitating another's greeting).
    pub conflicts: Vec<String>,
    /// The backend server Exchange Online names in its greeting's trailing `[base64]`
    /// (UTF-16LE), e.g. `FR3P281CA0157.DEUP281.PROD.OUTLOOK.COM`: Microsoft support asks
    /// for it.
    pub backend: Option<String>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Evidence {
    /// `greeting`, `capability`, `id` or `reply`.
    pub source: String,
    /// The line or token that said it.
    pub line: String,
    /// The profile it points at (or against, for negative evidence); `none` for a product
    /// that named itself and has no profile.
    pub profile: String,
    pub says: String,
    /// Counter-evidence: it lowers the confidence in the profile.
    pub against: bool,
}

/// The server's namespaces side by side with profiles (RFC 2342).
#[derive(Debug, Clone, Default, Serialize, JsonSchema)]
pub struct ProfileReport {
    /// The fingerprinted profile, if any.
    pub best: Option<String>,
    /// `--expect-profile`, or `--expect-namespace` as `custom`.
    pub expected: Option<String>,
    pub compared: Vec<Comparison>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Comparison {
    pub profile: String,
    pub product: String,
    /// The profile's NAMESPACE arguments.
    pub namespace: String,
    /// `verified` or `inferred` (how the profile's namespace is known).
    pub evidence: String,
    pub matches: bool,
    /// One line per class that differs: `other users: expected (...), got NIL`.
    pub differences: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum StepStatus {
    Ok,
    Warning,
    Failed,
    /// `analyze`: the log ends before the command's completion; nothing is judged.
    Unknown,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Step {
    pub name: StepName,
    pub status: StepStatus,
    pub elapsed_ms: f64,
    pub sent: Vec<String>,
    pub received: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    pub hop: u32,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct NamespaceReport {
    pub personal: Option<Vec<NamespaceDescr>>,
    pub other_users: Option<Vec<NamespaceDescr>>,
    pub shared: Option<Vec<NamespaceDescr>>,
    /// The `* NAMESPACE` line as received.
    pub raw: String,
    /// The hierarchy delimiter from `LIST "" ""` (RFC 3501 §6.3.8), when asked.
    pub list_delimiter: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, JsonSchema)]
pub struct AuthInfo {
    /// `LOGIN` (the command) or the SASL mechanism.
    pub mechanism: String,
    /// The OAuth token's claims (JWT only; the signature is not checked).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<TokenClaims>,
    /// SCRAM: whether the server's signature verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_signature_verified: Option<bool>,
    /// NTLM: the names the server's CHALLENGE gave (the real backend).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ntlm_target: Option<NtlmTarget>,
    /// XOAUTH2/OAUTHBEARER: the server's error challenge, decoded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oauth_error: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, JsonSchema)]
pub struct TokenClaims {
    pub issuer: Option<String>,
    pub audience: Vec<String>,
    /// Seconds since the Unix epoch.
    pub expires: Option<i64>,
    pub expired: Option<bool>,
    pub scopes: Vec<String>,
    pub roles: Vec<String>,
    pub user: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, JsonSchema)]
pub struct NtlmTarget {
    pub netbios_domain: Option<String>,
    pub netbios_computer: Option<String>,
    pub dns_domain: Option<String>,
    pub dns_computer: Option<String>,
    pub dns_tree: Option<String>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Hierarchy {
    /// `null` for a flat server (a NIL delimiter).
    pub delimiter: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, JsonSchema)]
pub struct MailboxReport {
    pub name: String,
    pub exists: Option<u32>,
    pub recent: Option<u32>,
    pub uidvalidity: Option<u32>,
    pub uidnext: Option<u32>,
    pub flags: Vec<String>,
    pub permanent_flags: Vec<String>,
    /// `read-write` or `read-only`, from the tagged OK's response code.
    pub access: Option<String>,
}

/// A REFERRAL response code (RFC 2221, RFC 2193) with its URL decoded (RFC 5092).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Referral {
    /// The hop whose server sent it.
    pub hop: u32,
    /// The step whose response carried it.
    pub step: StepName,
    /// `OK`, `NO` or `BYE`.
    pub response: StatusKind,
    /// The URL as received (raw: renderers escape it).
    pub url: String,
    /// The percent-decoded user of the URL; absent means "the same user".
    pub user: Option<String>,
    /// `*` or a SASL mechanism (`;AUTH=`).
    pub auth: Option<String>,
    pub host: Option<String>,
    pub port: Option<u16>,
    pub mailbox: Option<String>,
    /// Why the URL could not be parsed; the other URL fields are then null.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Whether it arrived inside a TLS session. One that did not may have been forged on
    /// the path, and is never followed with credentials.
    pub over_tls: bool,
    pub followed: bool,
    /// What imapdiag did with it: `followed to hop N`, or `not followed: why`.
    pub outcome: String,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct WireLine {
    pub hop: u32,
    pub t_ms: f64,
    /// `C` (client), `S` (server) or `*` (a note from imapdiag, e.g. the TLS handshake).
    pub dir: WireDir,
    /// The line without its CRLF, raw (client secrets already redacted).
    pub line: String,
}

/// Who a transcript line is from; in the JSON `C`, `S` or `*` as always.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, JsonSchema)]
pub enum WireDir {
    #[serde(rename = "C")]
    Client,
    #[serde(rename = "S")]
    Server,
    /// A note from imapdiag (the TLS handshake, a truncation).
    #[serde(rename = "*")]
    Note,
}

impl WireDir {
    /// The direction a saved report's `dir` names; `None` for anything else.
    pub fn from_code(code: &str) -> Option<WireDir> {
        match code {
            "C" => Some(WireDir::Client),
            "S" => Some(WireDir::Server),
            "*" => Some(WireDir::Note),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, JsonSchema)]
pub struct Timing {
    pub total_ms: f64,
    /// Times imapdiag waited for the network: TCP connect, TLS handshake, and each flight
    /// of commands awaiting an answer (the greeting counts as one).
    pub round_trips: u32,
}

impl Report {
    /// A report with nothing found yet (status UNKNOWN until derived).
    pub fn empty(command: &str, target: TargetInfo) -> Report {
        Report {
            schema: SCHEMA.to_string(),
            command: command.to_string(),
            target,
            status: Status::Unknown,
            server: ServerInfo::default(),
            tls: None,
            hops: Vec::new(),
            steps: Vec::new(),
            auth: None,
            namespace: None,
            hierarchy: None,
            mailbox: None,
            profile: None,
            referrals: Vec::new(),
            findings: Vec::new(),
            transcript: Vec::new(),
            timing: Timing::default(),
            input: None,
        }
    }

    /// The worst finding decides; a report with no findings is OK.
    pub fn derive_status(findings: &[Finding]) -> Status {
        match findings.iter().map(|f| f.severity).max() {
            Some(Severity::Critical) => Status::Critical,
            Some(Severity::Warning) => Status::Warning,
            _ => Status::Ok,
        }
    }
}

/// The JSON Schema of [`Report`], as printed by `imapdiag schema`.
pub fn json_schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(Report)).unwrap_or_default()
}

impl Finding {
    pub fn new(code: &str, severity: Severity, summary: impl Into<String>) -> Self {
        Finding {
            code: code.to_string(),
            severity,
            summary: summary.into(),
            detail: None,
            remedy: None,
            hop: 0,
        }
    }

    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    pub fn remedy(mut self, remedy: impl Into<String>) -> Self {
        self.remedy = Some(remedy.into());
        self
    }

    /// The connection it came from (0 the target, 1.. each referral followed).
    pub fn at_hop(mut self, hop: u32) -> Self {
        self.hop = hop;
        self
    }
}
