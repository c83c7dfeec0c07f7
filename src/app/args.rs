//! The arguments turned into `Settings`: credentials and their sources, TLS, the
//! security mode, the expectations. Usage errors end here, before any connection.

use std::io::IsTerminal;
use std::time::Duration;

use anyhow::{bail, Context, Result};

use super::cli::{AuthArg, CheckArgs, ConnectArgs, ExpectArgs, QuitAfter, SecurityArg};
use imapdiag::secret::Secret;
use imapdiag::settings::{
    AuthMethod, Expect, Limits, QuitPoint, ReferralSettings, Security, Settings, TlsSettings,
};
use imapdiag::target::{parse_connect_to, Target};

/// The settings for one target. The password is asked once and kept in `known` for the
/// next target.
pub fn settings(
    conn: &ConnectArgs,
    input: &str,
    check: Option<&CheckArgs>,
    known: &mut Option<Secret>,
) -> Result<Settings> {
    let target = match Target::parse(input) {
        Ok(t) => t,
        // Never echo a TARGET that holds a password.
        Err(e @ imapdiag::target::TargetError::Password) => bail!("invalid TARGET: {e}"),
        Err(e) => bail!("invalid TARGET {input:?}: {e}"),
    };
    let security = security(conn.security, &target);
    let port = target
        .port
        .unwrap_or(if security == Security::Tls { 993 } else { 143 });
    let user = conn.user.clone().or(target.user.clone());
    if let Some(ca) = &conn.ca_file {
        check_ca_file(ca)?;
    }
    let auth = auth_method(conn.auth, target.auth.as_deref())?;
    let token = token(conn)?;
    if auth.uses_token() && token.is_none() {
        bail!(
            "--auth {} needs a token: IMAPDIAG_TOKEN or --token-file",
            auth.name().to_ascii_lowercase()
        );
    }
    if token.is_some() && user.is_none() {
        bail!("a token needs --user (or imap://USER@host): XOAUTH2 and OAUTHBEARER name the user");
    }
    // A token run asks for no password; a password run never uses a token.
    let wants_password = !(auth.uses_token() || (auth == AuthMethod::Auto && token.is_some()));
    let password = match (&user, known.clone()) {
        (_, _) if !wants_password => None,
        (Some(_), Some(p)) => Some(p),
        (Some(user), None) => {
            let p = password(conn, user)?;
            *known = Some(p.clone());
            Some(p)
        }
        (None, _) => None,
    };
    if !(conn.timeout > 0.0 && conn.timeout <= 3600.0) {
        bail!("--timeout must be between 0 and 3600 seconds");
    }
    if !(conn.deadline > 0.0 && conn.deadline <= 86400.0) {
        bail!("--deadline must be between 0 and 86400 seconds");
    }
    Ok(Settings {
        input: input.to_string(),
        host: target.host,
        port,
        security,
        user,
        password,
        token,
        auth,
        allow_plaintext_login: conn.allow_plaintext_login,
        tls: TlsSettings {
            insecure: conn.insecure,
            ca_file: conn.ca_file.clone(),
            cert_warn_days: conn.cert_warn_days,
            legacy: conn.tls_legacy,
            connector: None,
        },
        timeout: Duration::from_secs_f64(conn.timeout),
        deadline: Duration::from_secs_f64(conn.deadline),
        mailbox: check
            .and_then(|c| c.mailbox.clone())
            .or(target.mailbox)
            .unwrap_or_else(|| "INBOX".into()),
        quit_after: check.and_then(|c| c.quit_after).map(step_name),
        limits: Limits::default(),
        referrals: ReferralSettings {
            follow: conn.referrals.follow_referrals,
            trust: conn.referrals.trust_referral.clone(),
            max_hops: conn.referrals.max_referrals,
            via_tls: false,
        },
        connect_to: conn
            .connect_to
            .iter()
            .map(|c| parse_connect_to(c).with_context(|| format!("invalid --connect-to {c:?}")))
            .collect::<Result<_>>()?,
        expect: Expect::default(),
        send_id: !conn.no_id,
        pipeline: !conn.no_pipeline,
    })
}

pub fn tls_connector(s: &Settings) -> Result<imapdiag::client::tls::Connector> {
    imapdiag::client::tls::connector(&s.tls).map_err(anyhow::Error::msg)
}

/// `--auth`, or the TARGET URL's `;AUTH=` (RFC 5092 §3.2) when `--auth` is left at auto.
fn auth_method(arg: AuthArg, url: Option<&str>) -> Result<AuthMethod> {
    Ok(match (arg, url) {
        (AuthArg::Auto, None | Some("*")) => AuthMethod::Auto,
        (AuthArg::Auto, Some(m)) => AuthMethod::from_name(m).with_context(|| {
            format!("the TARGET asks for ;AUTH={m}, which imapdiag does not speak (see --auth)")
        })?,
        (AuthArg::Login, _) => AuthMethod::Login,
        (AuthArg::Plain, _) => AuthMethod::Plain,
        (AuthArg::ScramSha256, _) => AuthMethod::ScramSha256,
        (AuthArg::ScramSha1, _) => AuthMethod::ScramSha1,
        (AuthArg::Xoauth2, _) => AuthMethod::XOAuth2,
        (AuthArg::Oauthbearer, _) => AuthMethod::OAuthBearer,
        (AuthArg::Ntlm, _) => AuthMethod::Ntlm,
        (AuthArg::CramMd5, _) => AuthMethod::CramMd5,
    })
}

/// The OAuth token: `--token-file` (first line), or IMAPDIAG_TOKEN. Never a flag value.
fn token(conn: &ConnectArgs) -> Result<Option<Secret>> {
    if let Some(file) = &conn.token_file {
        return secret_file(file, "--token-file").map(Some);
    }
    match std::env::var("IMAPDIAG_TOKEN") {
        Ok(t) if !t.trim().is_empty() => Ok(Some(Secret::new(t.trim()))),
        Ok(_) | Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(_)) => bail!("IMAPDIAG_TOKEN is not valid UTF-8"),
    }
}

/// A `--ca-file` that cannot be used is the user's mistake, found before any connection
/// (not a TLS failure blamed on the server).
fn check_ca_file(path: &std::path::Path) -> Result<()> {
    let pem =
        std::fs::read(path).with_context(|| format!("cannot read --ca-file {}", path.display()))?;
    let certs = openssl::x509::X509::stack_from_pem(&pem).unwrap_or_default();
    if certs.is_empty() {
        bail!("--ca-file {} holds no PEM certificate", path.display());
    }
    Ok(())
}

/// `--expect-profile` must name a profile and `--expect-namespace` must parse: a typo in a
/// health check is a usage error, not a silent pass.
pub fn expectation(e: &ExpectArgs) -> Result<Expect> {
    if let Some(p) = &e.expect_profile {
        let known = imapdiag::profiles::by_name(p).with_context(|| {
            format!("--expect-profile {p:?}: no such profile (imapdiag profiles lists them)")
        })?;
        if known.namespace.is_none() {
            bail!("--expect-profile {p:?}: the profile has no known namespace to compare with");
        }
    }
    if let Some(raw) = &e.expect_namespace {
        if imapdiag::diagnosis::profile::parse_expected(raw).is_none() {
            bail!("--expect-namespace {raw:?} is not a NAMESPACE reply (RFC 2342), e.g. '((\"\" \"/\")) NIL NIL'");
        }
    }
    Ok(Expect {
        profile: e.expect_profile.clone(),
        namespace: e.expect_namespace.clone(),
        strict: e.strict,
    })
}

fn security(arg: SecurityArg, target: &Target) -> Security {
    match arg {
        SecurityArg::Tls => Security::Tls,
        SecurityArg::Starttls => Security::StartTls { required: true },
        SecurityArg::Plain => Security::Plain,
        SecurityArg::Auto if target.implicit_tls == Some(true) || target.port == Some(993) => {
            Security::Tls
        }
        SecurityArg::Auto => Security::StartTls { required: false },
    }
}

/// The password from --password-file, IMAPDIAG_PASSWORD, or a no-echo prompt.
pub fn password(conn: &ConnectArgs, user: &str) -> Result<Secret> {
    if let Some(file) = &conn.password_file {
        return secret_file(file, "--password-file");
    }
    match std::env::var("IMAPDIAG_PASSWORD") {
        // Set but empty (`IMAPDIAG_PASSWORD=$UNSET`) counts as not set: never sent.
        Ok(p) if p.is_empty() => {}
        Ok(p) => return Ok(Secret::new(p)),
        Err(std::env::VarError::NotUnicode(_)) => {
            bail!("IMAPDIAG_PASSWORD is not valid UTF-8; use --password-file for a password in another encoding")
        }
        Err(std::env::VarError::NotPresent) => {}
    }
    if std::io::stdin().is_terminal() && std::io::stderr().is_terminal() {
        let p = rpassword::prompt_password(format!("Password for {user}: "))
            .context("reading the password")?;
        return Ok(Secret::new(p));
    }
    bail!("no password for --user {user}: set IMAPDIAG_PASSWORD or use --password-file (no terminal to prompt on)")
}

/// Longest password line read from a file: a file that is not a password file (or
/// `/dev/zero`) is not read whole.
const MAX_PASSWORD_LINE: u64 = 4096;

/// The first line of `file` (given as `flag`), without its line ending; empty is a usage
/// error.
fn secret_file(file: &std::path::Path, flag: &str) -> Result<Secret> {
    use std::io::Read;
    let name = file.display();
    // Sized for the whole read (no reallocation leaves a copy behind) and cleared on drop.
    let mut bytes = zeroize::Zeroizing::new(Vec::with_capacity(MAX_PASSWORD_LINE as usize + 1));
    std::fs::File::open(file)
        .with_context(|| format!("cannot read {flag} {name}"))?
        .take(MAX_PASSWORD_LINE + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("cannot read {flag} {name}"))?;
    let line = bytes.split(|&b| b == b'\n').next().unwrap_or(&[]);
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    if line.len() as u64 > MAX_PASSWORD_LINE {
        bail!("{flag} {name}: the first line is longer than {MAX_PASSWORD_LINE} bytes; is it a password file?");
    }
    if line.is_empty() {
        bail!("{flag} {name}: the first line is empty");
    }
    let text = std::str::from_utf8(line)
        .map_err(|_| anyhow::anyhow!("{flag} {name}: the first line is not UTF-8"))?;
    Ok(Secret::new(text))
}

fn step_name(q: QuitAfter) -> QuitPoint {
    match q {
        QuitAfter::Connect => QuitPoint::Connect,
        QuitAfter::Greeting => QuitPoint::Greeting,
        QuitAfter::Capability => QuitPoint::Capability,
        QuitAfter::Starttls => QuitPoint::Starttls,
        QuitAfter::Login => QuitPoint::Login,
        QuitAfter::Namespace => QuitPoint::Namespace,
        QuitAfter::Select => QuitPoint::Select,
    }
}
