//! The exporter's configuration: a TOML file of modules, one table each, as
//! blackbox_exporter's `modules:` map. A module says how to probe (credentials by file,
//! never by value; security; expectations); the target comes with each probe.
//!
//! ```toml
//! [modules.login]
//! user = "monitor"
//! password_file = "/etc/imapdiag/monitor.pw"
//! security = "starttls"
//! ca_file = "/etc/ssl/certs/corp-ca.pem"
//! mailbox = "INBOX"
//! expect_profile = "dovecot"
//! timeout = 10
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::diagnosis::Plan;
use crate::secret::Secret;
use crate::settings::{Expect, Security, Settings, TlsSettings};
use crate::target::Target;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub modules: BTreeMap<String, Module>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Module {
    /// `check` (default) or `namespace`.
    #[serde(default)]
    pub command: Option<String>,
    pub user: Option<String>,
    /// The password's file (its first line); read at each probe, so it may be rotated.
    pub password_file: Option<PathBuf>,
    /// `auto` (default), `starttls`, `tls` or `plain`.
    #[serde(default)]
    pub security: Option<String>,
    pub ca_file: Option<PathBuf>,
    pub mailbox: Option<String>,
    pub expect_profile: Option<String>,
    pub expect_namespace: Option<String>,
    /// Seconds per step (default 10); the scrape's own timeout bounds the whole probe.
    pub timeout: Option<f64>,
    #[serde(default)]
    pub allow_plaintext_login: bool,
    #[serde(default)]
    pub tls_legacy: bool,
}

impl Config {
    /// Reads and checks the file: every module must be usable before the listener starts.
    pub fn load(path: &Path) -> Result<Config, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let config: Config =
            toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        if config.modules.is_empty() {
            return Err(format!("{}: no [modules.NAME] table", path.display()));
        }
        for (name, m) in &config.modules {
            m.check().map_err(|e| format!("module {name}: {e}"))?;
        }
        Ok(config)
    }
}

impl Module {
    fn check(&self) -> Result<(), String> {
        self.plan()?;
        security(self.security.as_deref(), None)?;
        if self.password_file.is_some() && self.user.is_none() {
            return Err("password_file needs user".into());
        }
        if self.plan()? == Plan::Namespace && self.user.is_none() {
            return Err("command = \"namespace\" needs user".into());
        }
        if let Some(f) = &self.password_file {
            self.password(f)?;
        }
        if let Some(t) = self.timeout {
            if !(t > 0.0 && t <= 3600.0) {
                return Err("timeout must be between 0 and 3600 seconds".into());
            }
        }
        Ok(())
    }

    pub fn plan(&self) -> Result<Plan, String> {
        match self.command.as_deref() {
            None | Some("check") => Ok(Plan::Check),
            Some("namespace") => Ok(Plan::Namespace),
            Some(other) => Err(format!("command {other:?}: use \"check\" or \"namespace\"")),
        }
    }

    fn password(&self, file: &Path) -> Result<Secret, String> {
        let text = std::fs::read_to_string(file)
            .map_err(|e| format!("cannot read password_file {}: {e}", file.display()))?;
        let line = text.lines().next().unwrap_or("");
        if line.is_empty() {
            return Err(format!(
                "password_file {}: the first line is empty",
                file.display()
            ));
        }
        Ok(Secret::new(line))
    }

    /// The settings of one probe of `target`, bounded by `deadline` (the scrape's timeout).
    pub fn settings(&self, target: &str, deadline: Duration) -> Result<Settings, String> {
        let t = Target::parse(target).map_err(|e| format!("target {target:?}: {e}"))?;
        let security = security(self.security.as_deref(), Some(&t))?;
        let port = t
            .port
            .unwrap_or(if security == Security::Tls { 993 } else { 143 });
        let password = match &self.password_file {
            Some(f) => Some(self.password(f)?),
            None => None,
        };
        let step = Duration::from_secs_f64(self.timeout.unwrap_or(crate::settings::TIMEOUT_SECS))
            .min(deadline);
        let mailbox = self.mailbox.clone().or(t.mailbox);
        Ok(Settings {
            user: self.user.clone().or(t.user),
            password,
            allow_plaintext_login: self.allow_plaintext_login,
            tls: TlsSettings {
                ca_file: self.ca_file.clone(),
                legacy: self.tls_legacy,
                ..TlsSettings::verified()
            },
            timeout: step,
            deadline,
            mailbox: mailbox.unwrap_or_else(|| "INBOX".into()),
            expect: Expect {
                profile: self.expect_profile.clone(),
                namespace: self.expect_namespace.clone(),
                strict: false,
            },
            ..Settings::new(target, &t.host, port, security)
        })
    }
}

/// As `--security`: `auto` is implicit TLS for `imaps://` or port 993, else STARTTLS when
/// offered.
fn security(word: Option<&str>, target: Option<&Target>) -> Result<Security, String> {
    let implicit = target.is_some_and(|t| t.implicit_tls == Some(true) || t.port == Some(993));
    match word.unwrap_or("auto") {
        "auto" if implicit => Ok(Security::Tls),
        "auto" => Ok(Security::StartTls { required: false }),
        "starttls" => Ok(Security::StartTls { required: true }),
        "tls" => Ok(Security::Tls),
        "plain" => Ok(Security::Plain),
        other => Err(format!(
            "security {other:?}: use auto, starttls, tls or plain"
        )),
    }
}
