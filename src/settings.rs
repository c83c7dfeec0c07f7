//! What a run needs, decided once from the arguments by `main` (only `main`
//! turns arguments into settings). The diagnosis and the client core read these.

/// Days before a certificate's expiry that make a WARNING (`--cert-warn-days`).
pub const CERT_WARN_DAYS: u32 = 14;
/// Seconds a step may take (`--timeout`), and the whole run (`--deadline`).
pub const TIMEOUT_SECS: f64 = 10.0;
pub const DEADLINE_SECS: f64 = 60.0;

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
    /// The strongest advertised mechanism the credentials allow: with a token
    /// OAUTHBEARER, then XOAUTH2; with a password SCRAM-SHA-256, SCRAM-SHA-1, PLAIN, then
    /// LOGIN.
    Auto,
    Login,
    Plain,
    ScramSha256,
    ScramSha1,
    XOAuth2,
    OAuthBearer,
    Ntlm,
    CramMd5,
}

impl AuthMethod {
    /// The SASL name (`AUTH=` capability), or `LOGIN` for the command.
    pub fn name(self) -> &'static str {
        match self {
            AuthMethod::Auto => "auto",
            AuthMethod::Login => "LOGIN",
            AuthMethod::Plain => "PLAIN",
            AuthMethod::ScramSha256 => "SCRAM-SHA-256",
            AuthMethod::ScramSha1 => "SCRAM-SHA-1",
            AuthMethod::XOAuth2 => "XOAUTH2",
            AuthMethod::OAuthBearer => "OAUTHBEARER",
            AuthMethod::Ntlm => "NTLM",
            AuthMethod::CramMd5 => "CRAM-MD5",
        }
    }

    pub fn uses_token(self) -> bool {
        matches!(self, AuthMethod::XOAuth2 | AuthMethod::OAuthBearer)
    }

    /// By its SASL name (as in `;AUTH=` of an IMAP URL).
    pub fn from_name(name: &str) -> Option<AuthMethod> {
        [
            AuthMethod::Plain,
            AuthMethod::ScramSha256,
            AuthMethod::ScramSha1,
            AuthMethod::XOAuth2,
            AuthMethod::OAuthBearer,
            AuthMethod::Ntlm,
            AuthMethod::CramMd5,
        ]
        .into_iter()
        .find(|m| m.name().eq_ignore_ascii_case(name))
    }
}

/// The steps of the scripted check, in order; `--quit-after` names one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum QuitPoint {
    Connect,
    Greeting,
    Capability,
    Starttls,
    Login,
    Namespace,
    Select,
    Logout,
}

impl QuitPoint {
    pub fn as_str(self) -> &'static str {
        match self {
            QuitPoint::Connect => "connect",
            QuitPoint::Greeting => "greeting",
            QuitPoint::Capability => "capability",
            QuitPoint::Starttls => "starttls",
            QuitPoint::Login => "login",
            QuitPoint::Namespace => "namespace",
            QuitPoint::Select => "select",
            QuitPoint::Logout => "logout",
        }
    }
}

#[derive(Debug, Clone)]
pub struct TlsSettings {
    /// Continue after a verification failure (reported as a finding).
    pub insecure: bool,
    pub ca_file: Option<PathBuf>,
    pub cert_warn_days: u32,
    /// `--tls-legacy`: allow TLS 1.0/1.1 and OpenSSL's security level 0.
    pub legacy: bool,
    /// Built once per run from the fields above; built on use when absent.
    pub connector: Option<crate::client::tls::Connector>,
}

impl TlsSettings {
    /// Verified TLS 1.2 or later against the platform's roots: what nothing else said.
    pub fn verified() -> Self {
        TlsSettings {
            insecure: false,
            ca_file: None,
            cert_warn_days: CERT_WARN_DAYS,
            legacy: false,
            connector: None,
        }
    }
}

/// Caps that keep a hostile server from exhausting memory or time (everything is
/// bounded).
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
    /// An OAuth 2.0 access token (`IMAPDIAG_TOKEN`, `--token-file`) for XOAUTH2 and
    /// OAUTHBEARER.
    pub token: Option<Secret>,
    pub auth: AuthMethod,
    pub allow_plaintext_login: bool,
    pub tls: TlsSettings,
    /// Per step, and for the TCP connect.
    pub timeout: Duration,
    /// The whole run, every hop included (`--deadline`).
    pub deadline: Duration,
    pub mailbox: String,
    pub quit_after: Option<QuitPoint>,
    pub limits: Limits,
    pub referrals: ReferralSettings,
    /// `--connect-to`: dial another address for a host and port (the name is still the
    /// one TLS verifies), as curl's option of the same name.
    pub connect_to: Vec<ConnectTo>,
    pub expect: Expect,
    /// Send ID (RFC 2971) when the server advertises it; `--no-id` turns it off.
    pub send_id: bool,
    /// Send the commands after the transport is up in one flight (RFC 3501 §5.5);
    /// `--no-pipeline` turns it off.
    pub pipeline: bool,
}

/// What the namespaces should be (`--expect-profile`, `--expect-namespace`, `--strict`).
#[derive(Debug, Clone, Default)]
pub struct Expect {
    /// A profile name (`imapdiag profiles`).
    pub profile: Option<String>,
    /// The arguments of a NAMESPACE reply.
    pub namespace: Option<String>,
    /// A difference is CRITICAL rather than a WARNING.
    pub strict: bool,
}

impl Settings {
    /// A run against `host:port` with every option at its default, as the command line
    /// would make it before any flag or credential: callers set what differs.
    pub fn new(input: &str, host: &str, port: u16, security: Security) -> Settings {
        Settings {
            input: input.to_string(),
            host: host.to_string(),
            port,
            security,
            user: None,
            password: None,
            token: None,
            auth: AuthMethod::Auto,
            allow_plaintext_login: false,
            tls: TlsSettings::verified(),
            timeout: Duration::from_secs_f64(TIMEOUT_SECS),
            deadline: Duration::from_secs_f64(DEADLINE_SECS),
            mailbox: "INBOX".into(),
            quit_after: None,
            limits: Limits::default(),
            referrals: ReferralSettings::default(),
            connect_to: Vec::new(),
            expect: Expect::default(),
            send_id: true,
            pipeline: true,
        }
    }

    /// Every form of the credentials a session of this run may send.
    pub fn known_secrets(&self) -> crate::proto::known_secrets::KnownSecrets {
        let mut k = crate::proto::known_secrets::KnownSecrets::default();
        if let Some(p) = &self.password {
            k.add_password(self.user.as_deref(), p.expose());
        }
        if let Some(t) = &self.token {
            k.add_bytes(t.expose().as_bytes());
        }
        k
    }

    /// The address to dial for this target: a `--connect-to` entry, or the target itself.
    pub fn dial(&self) -> (&str, u16) {
        self.connect_to
            .iter()
            .find(|c| c.host.eq_ignore_ascii_case(&self.host) && c.port == self.port)
            .map(|c| (c.to_host.as_str(), c.to_port))
            .unwrap_or((self.host.as_str(), self.port))
    }
}

/// Hard ceiling of `--max-referrals` (never more than 10 hops).
pub const MAX_REFERRAL_HOPS: u8 = 10;

/// How referrals are followed (RFC 2221, RFC 2193, RFC 5092 §3.2's warning about
/// credentials).
#[derive(Debug, Clone)]
pub struct ReferralSettings {
    /// `--follow-referrals`; off by default.
    pub follow: bool,
    /// `--trust-referral HOST`: hosts outside the target's domain that may receive the
    /// credentials.
    pub trust: Vec<String>,
    /// `--max-referrals`: hops after the first connection.
    pub max_hops: u8,
    /// Set on a hop that follows a referral from a TLS session: its STARTTLS is required
    /// and its absence is a refused downgrade, not a plain missing feature.
    pub via_tls: bool,
}

impl Default for ReferralSettings {
    fn default() -> Self {
        ReferralSettings {
            follow: false,
            trust: Vec::new(),
            max_hops: 5,
            via_tls: false,
        }
    }
}

/// One `--connect-to HOST:PORT:HOST2:PORT2`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectTo {
    pub host: String,
    pub port: u16,
    pub to_host: String,
    pub to_port: u16,
}
