//! The one definition of the command line (clap derive). Help, the man pages in `man/`
//! and the completions in `completions/` are generated from it.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "imapdiag",
    version,
    about = "IMAP diagnostics: scripted checks, namespaces, referrals, with the raw wire shown",
    long_about = "imapdiag runs the checks a mail administrator used to type into telnet: \
                  greeting, CAPABILITY, STARTTLS, LOGIN, NAMESPACE, SELECT, LOGOUT. It shows \
                  the raw wire and explains it.\n\nExit status (Nagios plugin convention): \
                  0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (usage or internal error).",
    after_help = "The password comes from IMAPDIAG_PASSWORD, --password-file, or a prompt; no flag takes it."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The scripted check: connect, greeting, CAPABILITY, STARTTLS, login, NAMESPACE, SELECT, LOGOUT
    Check(CheckArgs),
    /// Log in, ask NAMESPACE and `LIST "" ""`, and show each namespace class
    Namespace(NamespaceArgs),
    /// An interactive IMAP session that replaces telnet; reads a script when stdin is not a terminal
    Shell(ShellArgs),
    /// Diagnose a saved session (telnet paste, C:/S: lines, openssl s_client output, imapdiag JSON) without a server
    Analyze(AnalyzeArgs),
    /// List the known server profiles, or show one
    Profiles(ProfilesArgs),
    /// Run an embedded IMAP server that behaves like a known server (Exchange 5.5, 2000, ...)
    Serve(ServeArgs),
    /// A Prometheus exporter: GET /probe?target=HOST&module=NAME runs one check (blackbox_exporter's model)
    Exporter(ExporterArgs),
    /// Run the KB checks against the embedded server; works with nothing installed
    Demo {
        /// auto honours NO_COLOR, TERM=dumb and output that is not a terminal
        #[arg(long, value_enum, default_value_t = ColorArg::Auto)]
        color: ColorArg,
    },
    /// Print the JSON Schema of the report that --format json writes
    Schema,
    /// Write the shell completions and man pages (for packagers and the project's own tests)
    #[command(hide = true)]
    GenAssets {
        /// The directory that receives completions/ and man/
        dir: PathBuf,
    },
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// One or more of: host, host:port, [v6addr]:port, imap://[user@]host[:port], imaps://[user@]host[:port]
    #[arg(value_name = "TARGET", required_unless_present = "targets")]
    pub target: Vec<String>,
    /// Read targets from FILE, one per line (# starts a comment); - is standard input
    #[arg(long, value_name = "FILE")]
    pub targets: Option<PathBuf>,
    /// Targets checked at once
    #[arg(long, default_value_t = 32, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub jobs: u16,
    #[command(flatten)]
    pub conn: ConnectArgs,
    /// The mailbox to SELECT [default: the TARGET URL's mailbox, else INBOX]
    #[arg(long, value_name = "NAME")]
    pub mailbox: Option<String>,
    /// Stop after this step
    #[arg(long, value_enum, value_name = "STEP")]
    pub quit_after: Option<QuitAfter>,
    #[command(flatten)]
    pub expect: ExpectArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
#[command(next_help_heading = "Expectations (for health checks)")]
pub struct ExpectArgs {
    /// The namespaces must be those of this profile (`imapdiag profiles`); a difference is a WARNING
    #[arg(long, value_name = "PROFILE")]
    pub expect_profile: Option<String>,
    /// The namespaces must be these, e.g. '(("" "/")) (("Other users/" "/")) (("Public Folders/" "/"))'
    #[arg(long, value_name = "RAW", conflicts_with = "expect_profile")]
    pub expect_namespace: Option<String>,
    /// A difference from the expectation is CRITICAL instead of a WARNING
    #[arg(long)]
    pub strict: bool,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The server to emulate (--list-profiles shows them)
    #[arg(long, default_value = "exchange55", value_name = "PROFILE")]
    pub profile: String,
    /// List the emulator profiles and exit
    #[arg(long)]
    pub list_profiles: bool,
    /// Address to listen on; anything but loopback must be given explicitly
    #[arg(long, default_value = "127.0.0.1:1143", value_name = "ADDR")]
    pub listen: std::net::SocketAddr,
    /// Where the home server of a referral profile listens
    #[arg(long, default_value = "127.0.0.1:1144", value_name = "ADDR")]
    pub home_listen: std::net::SocketAddr,
    /// Users and mailboxes: lines `user:password[:Mailbox=SOURCE,...[:HOME]]`; SOURCE is a
    /// message count, a directory of .eml files or an mbox file; HOME the referral's user
    #[arg(long, value_name = "FILE")]
    pub users: Option<PathBuf>,
    /// PEM certificate chain for STARTTLS (a self-signed one is generated otherwise)
    #[arg(long, value_name = "PEM", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key for --tls-cert
    #[arg(long, value_name = "PEM", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Connections served at once; more are refused with BYE
    #[arg(long, default_value_t = 64, value_name = "N")]
    pub max_connections: usize,
    /// Seconds a client may stay silent before it is logged out
    #[arg(long, default_value_t = 60, value_name = "SECONDS")]
    pub idle_timeout: u64,
    /// Log every protocol line, both ways, on standard error (passwords redacted)
    #[arg(long)]
    pub trace: bool,
}

#[derive(Debug, Args)]
pub struct ShellArgs {
    /// host, host:port, [v6addr]:port, imap://[user@]host[:port] or imaps://[user@]host[:port]
    #[arg(value_name = "TARGET")]
    pub target: String,
    #[command(flatten)]
    pub conn: ConnectArgs,
    /// Script mode: NO and BAD answers do not make the exit status CRITICAL
    #[arg(long)]
    pub ignore_no: bool,
    /// auto honours NO_COLOR, TERM=dumb and output that is not a terminal
    #[arg(long, value_enum, default_value_t = ColorArg::Auto)]
    pub color: ColorArg,
}

#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// The transcript or client log; - or nothing reads standard input. A Dovecot rawlog
    /// is given as its .in or .out file; the other half is read beside it
    #[arg(value_name = "FILE", default_value = "-")]
    pub file: PathBuf,
    /// Read FILE as this format instead of guessing: cs, mailkit, curl, node-imap,
    /// imapflow, imaplib (imapclient), aioimaplib, thunderbird, k9, rust-imap, rawlog,
    /// json, telnet, s_client or auto
    #[arg(long, value_name = "NAME", default_value = "auto", value_parser = clap::builder::PossibleValuesParser::new(imapdiag::diagnosis::analyze::formats::NAMES))]
    pub format_in: String,
    /// In a log of several interleaved connections (Thunderbird, K-9 Mail, imapflow),
    /// read this one (the report lists them) instead of the busiest
    #[arg(long, value_name = "ID")]
    pub connection: Option<String>,
    #[command(flatten)]
    pub expect: ExpectArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct ExporterArgs {
    /// Address to listen on (loopback unless another address is given)
    #[arg(long, default_value = "127.0.0.1:9143", value_name = "ADDR")]
    pub listen: std::net::SocketAddr,
    /// TOML file of modules: [modules.NAME] with user, password_file, security, ca_file,
    /// mailbox, expect_profile, expect_namespace, timeout
    #[arg(long, value_name = "FILE")]
    pub config: PathBuf,
    /// Probes run at once; more wait for a slot until their scrape's timeout
    #[arg(long, default_value_t = 16, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub max_probes: u16,
}

#[derive(Debug, Args)]
pub struct ProfilesArgs {
    /// Show this profile whole (sources, patterns, namespace, quirks)
    #[arg(value_name = "NAME")]
    pub name: Option<String>,
    #[arg(long, value_enum, default_value_t = FormatArg::Text)]
    pub format: FormatArg,
}

#[derive(Debug, Args)]
pub struct NamespaceArgs {
    /// host, host:port, [v6addr]:port, imap://[user@]host[:port] or imaps://[user@]host[:port]
    #[arg(value_name = "TARGET")]
    pub target: String,
    #[command(flatten)]
    pub conn: ConnectArgs,
    #[command(flatten)]
    pub expect: ExpectArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `--cert-warn-days`'s default.
pub use imapdiag::settings::{CERT_WARN_DAYS, DEADLINE_SECS, TIMEOUT_SECS};

#[derive(Debug, Args)]
pub struct ConnectArgs {
    /// auto: implicit TLS for imaps:// or port 993, otherwise STARTTLS when offered
    #[arg(long, value_enum, default_value_t = SecurityArg::Auto)]
    pub security: SecurityArg,
    /// The user to log in as (also taken from imap://user@host)
    #[arg(long, short = 'u', value_name = "USER")]
    pub user: Option<String>,
    /// Read the password from the first line of FILE
    #[arg(long, value_name = "FILE")]
    pub password_file: Option<PathBuf>,
    /// auto: OAUTHBEARER or XOAUTH2 with a token; SCRAM-SHA-256, SCRAM-SHA-1, PLAIN or
    /// LOGIN with a password, the first advertised
    #[arg(long, value_enum, default_value_t = AuthArg::Auto)]
    pub auth: AuthArg,
    /// Read an OAuth 2.0 access token from the first line of FILE (also IMAPDIAG_TOKEN)
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,
    /// Allow sending the password over a connection without TLS
    #[arg(long)]
    pub allow_plaintext_login: bool,
    /// Continue when the certificate does not verify (reported as a WARNING)
    #[arg(long)]
    pub insecure: bool,
    /// Allow TLS 1.0/1.1 and weak keys and ciphers (OpenSSL security level 0), for
    /// Exchange 2000/2003-era servers; reported as a WARNING
    #[arg(long)]
    pub tls_legacy: bool,
    /// Trust the CA certificates in this PEM file too
    #[arg(long, value_name = "PEM")]
    pub ca_file: Option<PathBuf>,
    /// Warn when the certificate expires within this many days
    #[arg(long, default_value_t = CERT_WARN_DAYS, value_name = "DAYS")]
    pub cert_warn_days: u32,
    /// Seconds allowed for the connection and for each step
    #[arg(long, default_value_t = TIMEOUT_SECS, value_name = "SECONDS")]
    pub timeout: f64,
    /// Seconds allowed for the whole run, referrals included
    #[arg(long, default_value_t = DEADLINE_SECS, value_name = "SECONDS")]
    pub deadline: f64,
    /// Dial HOST2:PORT2 whenever HOST:PORT is to be reached (TLS still verifies HOST), as curl's option; repeatable
    #[arg(long, value_name = "HOST:PORT:HOST2:PORT2")]
    pub connect_to: Vec<String>,
    /// Do not send ID (RFC 2971), which otherwise names the server for the fingerprint
    #[arg(long)]
    pub no_id: bool,
    /// Send one command at a time instead of pipelining them after login (RFC 3501 §5.5)
    #[arg(long)]
    pub no_pipeline: bool,
    #[command(flatten)]
    pub referrals: ReferralArgs,
}

#[derive(Debug, Args)]
#[command(next_help_heading = "Referrals (RFC 2221, RFC 2193)")]
pub struct ReferralArgs {
    /// Follow REFERRAL codes: reconnect to the referred server and run the remaining steps there
    #[arg(long)]
    pub follow_referrals: bool,
    /// A host outside the target's domain that may receive the credentials when a referral is followed; repeatable
    #[arg(long, value_name = "HOST")]
    pub trust_referral: Vec<String>,
    /// Referrals followed at most, one after another (1 to 10)
    #[arg(long, default_value_t = 5, value_name = "N", value_parser = clap::value_parser!(u8).range(1..=10))]
    pub max_referrals: u8,
}

#[derive(Debug, Args)]
pub struct OutputArgs {
    #[arg(long, value_enum, default_value_t = FormatArg::Text)]
    pub format: FormatArg,
    /// auto honours NO_COLOR, TERM=dumb and output that is not a terminal
    #[arg(long, value_enum, default_value_t = ColorArg::Auto)]
    pub color: ColorArg,
    /// Show the wire lines (C: and S:) with time offsets in text output
    #[arg(long)]
    pub transcript: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SecurityArg {
    Auto,
    Starttls,
    Tls,
    Plain,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AuthArg {
    /// The strongest advertised mechanism the credentials allow
    Auto,
    /// The LOGIN command
    Login,
    Plain,
    #[value(name = "scram-sha-256")]
    ScramSha256,
    #[value(name = "scram-sha-1")]
    ScramSha1,
    Xoauth2,
    Oauthbearer,
    Ntlm,
    #[value(name = "cram-md5")]
    CramMd5,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    Text,
    Json,
    /// The Nagios/Icinga plugin line with perfdata, then one line per finding
    Nagios,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorArg {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum QuitAfter {
    Connect,
    Greeting,
    Capability,
    Starttls,
    Login,
    Namespace,
    Select,
}

/// Writes completions for every supported shell and the man pages under `dir`.
pub fn generate_assets(dir: &std::path::Path) -> std::io::Result<()> {
    use clap::CommandFactory;
    use clap_complete::Shell;
    let completions = dir.join("completions");
    let man = dir.join("man");
    std::fs::create_dir_all(&completions)?;
    std::fs::create_dir_all(&man)?;
    for shell in [
        Shell::Bash,
        Shell::Zsh,
        Shell::Fish,
        Shell::PowerShell,
        Shell::Elvish,
    ] {
        clap_complete::generate_to(shell, &mut Cli::command(), "imapdiag", &completions)?;
    }
    clap_mangen::generate_to(Cli::command(), &man)
}
