//! `imapdiag demo`: the KB articles' sessions replayed against the embedded emulator, with
//! one line of narrative each. Works on a fresh machine with no server installed.

use std::fmt::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::diagnosis::{diagnose, Plan};
use crate::proto::imap_url::ImapUrl;
use crate::render::{render_text, TextOptions};
use crate::report::Report;
use crate::secret::Secret;
use crate::serve::profile::{by_name, KB217388_URL};
use crate::serve::{accounts, start, tls, Running, ServeConfig};
use crate::settings::{ConnectTo, Security, Settings, TlsSettings};

pub const KB_EX55: &str =
    r#"* NAMESPACE (("" "/")) (("Other users/" "/")) (("Public Folders/" "/"))"#;
pub const KB_EX2000: &str = r#"* NAMESPACE (("" "/")) NIL (("Public Folders/" "/"))"#;

/// What the demo printed, and whether every scenario behaved as the KBs describe.
pub struct Outcome {
    pub text: String,
    pub passed: usize,
    pub total: usize,
}

struct Demo {
    ca_file: PathBuf,
    out: String,
    passed: usize,
    total: usize,
}

pub async fn run() -> Result<Outcome, String> {
    let server_tls = Arc::new(tls::generated().map_err(|e| e.to_string())?);
    // A private directory with a random name (mode 0700): no predictable path in /tmp
    // that a planted symlink could redirect.
    let dir = tempfile::Builder::new()
        .prefix("imapdiag-demo")
        .tempdir()
        .map_err(|e| format!("cannot create a temporary directory: {e}"))?;
    let ca_file = dir.path().join("ca.pem");
    std::fs::write(&ca_file, &server_tls.cert_pem)
        .map_err(|e| format!("{}: {e}", ca_file.display()))?;
    let mut demo = Demo {
        ca_file: ca_file.clone(),
        out: String::new(),
        passed: 0,
        total: 0,
    };
    let result = demo.scenarios(server_tls).await;
    drop(dir);
    result?;
    let _ = writeln!(
        demo.out,
        "\ndemo: {}/{} scenarios behaved as the KB articles describe",
        demo.passed, demo.total
    );
    Ok(Outcome {
        text: demo.out,
        passed: demo.passed,
        total: demo.total,
    })
}

async fn emulator(profile: &str, tls: &Arc<tls::ServerTls>) -> Result<Running, String> {
    let profile = by_name(profile).ok_or_else(|| format!("no profile {profile}"))?;
    let any = "127.0.0.1:0".parse().map_err(|e| format!("{e}"))?;
    let cfg = ServeConfig {
        profile,
        listen: any,
        home_listen: any,
        accounts: accounts::builtin(),
        tls: tls.clone(),
        max_connections: 8,
        idle_timeout: Duration::from_secs(30),
        max_line: 8192,
        log: false,
        trace: false,
    };
    start(cfg)
        .await
        .map_err(|e| format!("cannot start the emulator: {e}"))
}

/// A JWT as Azure AD issues them for a delegated Exchange Online token, but with only
/// SMTP.Send: its signature is a placeholder (the emulator, like imapdiag, reads claims).
fn unscoped_token() -> String {
    use base64::Engine;
    let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    let exp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() + 3600);
    let claims = format!(
        r#"{{"iss":"https://sts.windows.net/contoso/","aud":"https://outlook.office.com","upn":"alice@contoso.com","scp":"SMTP.Send","exp":{exp}}}"#
    );
    format!(
        "{}.{}.signature",
        b64(r#"{"alg":"RS256","typ":"JWT"}"#),
        b64(&claims)
    )
}

impl Demo {
    async fn scenarios(&mut self, server_tls: Arc<tls::ServerTls>) -> Result<(), String> {
        let ex55 = emulator("exchange55", &server_tls).await?;
        let ex2000 = emulator("exchange2000", &server_tls).await?;
        let referral = emulator("exchange55-referral", &server_tls).await?;
        let office365 = emulator("office365", &server_tls).await?;
        self.namespace_scenarios(&ex55, &ex2000).await;
        self.referral_scenarios(&referral).await?;
        self.office365_scenario(&office365).await;
        Ok(())
    }

    /// Today's version of KB217388's puzzle: a login that succeeds and then fails.
    async fn office365_scenario(&mut self, office365: &Running) {
        let mut s = self.settings(office365.addr.port(), "alice@contoso.com", "");
        s.password = None;
        s.token = Some(Secret::new(unscoped_token()));
        let r = diagnose(&s, Plan::Check).await;
        let has = |code: &str| r.findings.iter().any(|f| f.code == code);
        let ok = has("token-scope-missing") && has("known-m365-authenticated-not-connected");
        let narrative = "XOAUTH2 with a token for alice that lacks IMAP.AccessAsUser.All: Microsoft 365 answers OK AUTHENTICATE completed., then every command \"BAD User is authenticated but not connected.\" imapdiag reads the token's claims before the server is asked, names the missing scope, and lists the error's known causes with the threads where they were seen.";
        self.scenario(
            "Microsoft 365: authenticated but not connected",
            &r,
            ok,
            narrative,
            true,
        );
    }

    fn settings(&self, port: u16, user: &str, password: &str) -> Settings {
        let target = format!("127.0.0.1:{port}");
        let security = Security::StartTls { required: true };
        Settings {
            user: Some(user.into()),
            password: Some(Secret::new(password)),
            tls: TlsSettings {
                ca_file: Some(self.ca_file.clone()),
                ..TlsSettings::verified()
            },
            ..Settings::new(&target, "127.0.0.1", port, security)
        }
    }

    fn scenario(
        &mut self,
        title: &str,
        report: &Report,
        passed: bool,
        narrative: &str,
        transcript: bool,
    ) {
        self.total += 1;
        self.passed += usize::from(passed);
        let mark = if passed {
            "as the KB describes"
        } else {
            "NOT as the KB describes"
        };
        let _ = writeln!(self.out, "\n=== {}. {title}: {mark}", self.total);
        let _ = writeln!(self.out, "{narrative}\n");
        self.out
            .push_str(&render_text(report, &TextOptions { transcript }));
    }

    async fn namespace_scenarios(&mut self, ex55: &Running, ex2000: &Running) {
        let r = diagnose(
            &self.settings(ex55.addr.port(), "alice", "secret"),
            Plan::Namespace,
        )
        .await;
        let ns = r.namespace.as_ref();
        let ok = ns.is_some_and(|n| n.raw == KB_EX55 && n.other_users.is_some());
        self.scenario(
            "Exchange 5.5 NAMESPACE (KB Q311468)",
            &r,
            ok,
            "Exchange 5.5 lists other users' mailboxes under \"Other users/\".",
            false,
        );

        let r = diagnose(
            &self.settings(ex2000.addr.port(), "alice", "secret"),
            Plan::Namespace,
        )
        .await;
        let ok = r
            .namespace
            .as_ref()
            .is_some_and(|n| n.raw == KB_EX2000 && n.other_users.is_none());
        let narrative = "Exchange 2000 answers NIL for other users: another user's mailbox is reached by logging in as domain/user/alias instead.";
        self.scenario(
            "Exchange 2000 NAMESPACE (KB Q311468)",
            &r,
            ok,
            narrative,
            false,
        );
    }

    async fn referral_scenarios(&mut self, referral: &Running) -> Result<(), String> {
        let r = diagnose(
            &self.settings(referral.addr.port(), "DOMname/UserN/AliasN", "PASSword"),
            Plan::Check,
        )
        .await;
        let url = r
            .referrals
            .first()
            .map(|f| f.url.clone())
            .unwrap_or_default();
        let has = |code: &str| r.findings.iter().any(|f| f.code == code);
        let ok = url == KB217388_URL && has("login-referral") && has("no-replica-after-referral");
        let decoded = ImapUrl::parse(&url).map_err(|e| format!("referral URL {url:?}: {e}"))?;
        let user = decoded.user.clone().unwrap_or_default();
        let narrative = format!(
            "LOGIN succeeds with OK [REFERRAL ...]: the user's home server is {} and the user there is {user}; SELECT INBOX then finds no replica here.",
            decoded.authority()
        );
        self.scenario(
            "Exchange 5.5 login referral (KB217388)",
            &r,
            ok,
            &narrative,
            true,
        );

        let Some((home, _)) = referral.home else {
            return Err("the referral profile has no home server".into());
        };
        let mut s = self.settings(referral.addr.port(), "DOMname/UserN/AliasN", "PASSword");
        s.referrals.follow = true;
        s.referrals.trust = vec![decoded.host.clone()];
        s.connect_to = vec![ConnectTo {
            host: decoded.host.clone(),
            port: decoded.port,
            to_host: home.ip().to_string(),
            to_port: home.port(),
        }];
        let r = diagnose(&s, Plan::Check).await;
        let ok = r.hops.len() == 2
            && r.referrals.first().is_some_and(|f| f.followed)
            && r.status == crate::report::Status::Warning
            && r.mailbox.as_ref().and_then(|m| m.exists) == Some(5);
        let narrative = format!(
            "--follow-referrals --trust-referral {host} --connect-to {host}:{port}:{home}: the same login, followed to {} as {user}, where INBOX opens.",
            decoded.authority(),
            host = decoded.host,
            port = decoded.port,
        );
        self.scenario(
            "Following the referral to the home server",
            &r,
            ok,
            &narrative,
            false,
        );
        Ok(())
    }
}
