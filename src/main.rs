//! The `imapdiag` binary: arguments → settings → diagnosis → report → renderer → exit.
#![forbid(unsafe_code)]

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use clap::Parser;

use imapdiag::cli::{
    AnalyzeArgs, AuthArg, CheckArgs, Cli, ColorArg, Command, ConnectArgs, ExpectArgs, FormatArg,
    OutputArgs, ProfilesArgs, QuitAfter, SecurityArg, ServeArgs,
};
use imapdiag::diagnosis::{diagnose, Plan};
use imapdiag::render::{render, Format, TextOptions};
use imapdiag::secret::Secret;
use imapdiag::settings::{
    AuthMethod, Expect, Limits, ReferralSettings, Security, Settings, StepName, TlsSettings,
};
use imapdiag::target::{parse_connect_to, Target};

/// UNKNOWN in the Nagios convention: imapdiag could not judge.
const EXIT_UNKNOWN: u8 = 3;

fn main() -> ExitCode {
    imapdiag::secret::protect_process();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(EXIT_UNKNOWN)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("imapdiag: {e:#}");
            ExitCode::from(EXIT_UNKNOWN)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Check(args) => check(&args),
        Command::Namespace(args) => {
            let mut settings = settings(&args.conn, &args.target, None, &mut None)?;
            if settings.user.is_none() {
                bail!("namespace needs a login: give --user (or imap://USER@host)");
            }
            settings.tls.connector = Some(tls_connector(&settings)?);
            settings.expect = expectation(&args.expect)?;
            diagnose_and_render(settings, &args.output, Plan::Namespace)
        }
        Command::Analyze(args) => analyze(&args),
        Command::Shell(args) => {
            let mut settings = settings(&args.conn, &args.target, None, &mut None)?;
            // Without --user, `.login USER` in a script still finds the password.
            if settings.password.is_none()
                && (args.conn.password_file.is_some()
                    || std::env::var_os("IMAPDIAG_PASSWORD").is_some_and(|v| !v.is_empty()))
            {
                settings.password = Some(password(&args.conn, "")?);
            }
            set_color(args.color);
            let code = imapdiag::shell::run(settings, args.ignore_no);
            Ok(ExitCode::from(code as u8))
        }
        Command::Profiles(args) => profiles(&args),
        Command::Serve(args) => serve(&args),
        Command::Exporter(args) => exporter(&args),
        Command::Demo { color } => {
            set_color(color);
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            let outcome = runtime
                .block_on(imapdiag::demo::run())
                .map_err(anyhow::Error::msg)?;
            write_out(&outcome.text)?;
            Ok(if outcome.passed == outcome.total {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(2)
            })
        }
        Command::Schema => {
            let schema = serde_json::to_string_pretty(&imapdiag::report::json_schema())?;
            write_out(&(schema + "\n"))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::GenAssets { dir } => {
            imapdiag::cli::generate_assets(&dir)
                .with_context(|| format!("writing assets to {}", dir.display()))?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn serve(args: &ServeArgs) -> Result<ExitCode> {
    if args.list_profiles {
        let mut text = String::new();
        for p in imapdiag::serve::PROFILES {
            text += &format!(
                "{:<20} {}\n{:<20} source: {}\n",
                p.name, p.summary, "", p.source
            );
        }
        write_out(&text)?;
        return Ok(ExitCode::SUCCESS);
    }
    let profile = imapdiag::serve::profile::by_name(&args.profile).with_context(|| {
        format!(
            "unknown profile {:?}; --list-profiles shows them",
            args.profile
        )
    })?;
    let accounts = match &args.users {
        Some(path) => imapdiag::serve::accounts::load(path).map_err(anyhow::Error::msg)?,
        None => imapdiag::serve::accounts::builtin(),
    };
    let tls = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => {
            imapdiag::serve::tls::from_files(cert, key).map_err(anyhow::Error::msg)?
        }
        _ => imapdiag::serve::tls::generated()?,
    };
    if args.max_connections == 0 || args.idle_timeout == 0 {
        bail!("--max-connections and --idle-timeout must be at least 1");
    }
    let config = imapdiag::serve::ServeConfig {
        profile,
        listen: args.listen,
        home_listen: args.home_listen,
        accounts,
        tls: std::sync::Arc::new(tls),
        max_connections: args.max_connections,
        idle_timeout: Duration::from_secs(args.idle_timeout),
        max_line: 8192,
        log: true,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let running = imapdiag::serve::start(config)
            .await
            .context("cannot listen")?;
        eprintln!(
            "serve[{}] listening on {} ({})",
            profile.name, running.addr, profile.summary
        );
        if let Some((addr, home)) = running.home {
            eprintln!("serve[{}] home server listening on {addr}", home.name);
        }
        tokio::signal::ctrl_c()
            .await
            .context("waiting for Ctrl-C")?;
        eprintln!("serve[{}] stopping", profile.name);
        Ok(ExitCode::SUCCESS)
    })
}

fn exporter(args: &imapdiag::cli::ExporterArgs) -> Result<ExitCode> {
    use imapdiag::exporter::{bind, config::Config, serve, Exporter};
    let config = Config::load(&args.config).map_err(anyhow::Error::msg)?;
    let exporter =
        Exporter::new(config, usize::from(args.max_probes)).map_err(anyhow::Error::msg)?;
    colored::control::set_override(false);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let listener = bind(args.listen)
            .await
            .with_context(|| format!("cannot listen on {}", args.listen))?;
        eprintln!("exporter listening on {}", listener.local_addr()?);
        serve(listener, exporter).await?;
        Ok(ExitCode::SUCCESS)
    })
}

fn analyze(args: &AnalyzeArgs) -> Result<ExitCode> {
    let expect = expectation(&args.expect)?;
    use imapdiag::diagnosis::analyze::{self, rawlog, Reading};
    let (name, bytes) = read_input(&args.file)?;
    let mut text = String::from_utf8_lossy(&bytes).into_owned();
    let mut how = Reading::by_name(&args.format_in).unwrap_or_default();
    let forced = how == Reading::Rawlog;
    let pair = rawlog::other_half(&args.file).filter(|_| forced || how == Reading::Guess);
    if pair.is_some() || forced {
        let other = match &pair {
            Some(other) => String::from_utf8_lossy(&read_input(other)?.1).into_owned(),
            None => String::new(),
        };
        text = rawlog::merge(&args.file, &text, &other);
        how = Reading::Rawlog;
    }
    let report = analyze::analyze(&text, &name, how, &expect);
    emit(&report, &args.output, imapdiag::cli::CERT_WARN_DAYS)
}

/// The file (or standard input for `-`), at most MAX_INPUT bytes.
fn read_input(file: &std::path::Path) -> Result<(String, Vec<u8>)> {
    use std::io::Read;
    let limit = imapdiag::diagnosis::analyze::MAX_INPUT as u64;
    let mut bytes = Vec::new();
    let name = file.display().to_string();
    if name == "-" {
        std::io::stdin().take(limit + 1).read_to_end(&mut bytes)?;
    } else {
        std::fs::File::open(file)
            .with_context(|| format!("cannot read {name}"))?
            .take(limit + 1)
            .read_to_end(&mut bytes)
            .with_context(|| format!("cannot read {name}"))?;
    }
    if bytes.len() as u64 > limit {
        bail!(
            "{name} is larger than {} MiB; cut it to the session in question",
            limit >> 20
        );
    }
    Ok((name, bytes))
}

fn profiles(args: &ProfilesArgs) -> Result<ExitCode> {
    let all = imapdiag::profiles::all();
    let chosen: Vec<&imapdiag::profiles::Profile> = match &args.name {
        Some(n) => vec![
            &imapdiag::profiles::by_name(n)
                .with_context(|| format!("no profile {n:?} (imapdiag profiles lists them)"))?
                .profile,
        ],
        None => all.iter().map(|k| &k.profile).collect(),
    };
    let text = match args.format {
        FormatArg::Json => serde_json::to_string_pretty(&chosen)? + "\n",
        FormatArg::Nagios => bail!("profiles has no Nagios output; use --format text or json"),
        FormatArg::Text if args.name.is_some() => imapdiag::render::profile_text(chosen[0]),
        FormatArg::Text => imapdiag::render::profiles_table(&chosen),
    };
    write_out(&text)?;
    Ok(ExitCode::SUCCESS)
}

/// `check`: one target gives the full report; several (or `--targets`) run at once.
fn check(args: &CheckArgs) -> Result<ExitCode> {
    let mut inputs = args.target.clone();
    if let Some(file) = &args.targets {
        inputs.extend(targets_file(file)?);
    }
    let expect = expectation(&args.expect)?;
    let mut password = None;
    let mut all = Vec::with_capacity(inputs.len());
    // One TLS connector for the whole run: the trust store is read once, not per target.
    let mut connector = None;
    for t in &inputs {
        let mut s = settings(&args.conn, t, Some(args), &mut password)?;
        let shared = match &connector {
            Some(c) => c,
            None => connector.insert(tls_connector(&s)?),
        };
        s.tls.connector = Some(shared.clone());
        if s.user.is_none() && args.conn.password_file.is_some() {
            bail!("--password-file needs --user (or imap://USER@host): whose password is it?");
        }
        s.expect = expect.clone();
        all.push(s);
    }
    if all.len() == 1 && args.targets.is_none() {
        let only = all.pop().context("no target")?;
        return diagnose_and_render(only, &args.output, Plan::Check);
    }
    fleet(all, args)
}

/// One target per line; `#` starts a comment.
fn targets_file(file: &std::path::Path) -> Result<Vec<String>> {
    let (name, bytes) = read_input(file)?;
    let text = String::from_utf8(bytes).with_context(|| format!("{name} is not UTF-8"))?;
    let targets: Vec<String> = text
        .lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    if targets.is_empty() {
        bail!("--targets {name} names no target");
    }
    Ok(targets)
}

/// Many targets: JSON Lines as each finishes, or a summary table; the worst status exits.
fn fleet(all: Vec<Settings>, args: &CheckArgs) -> Result<ExitCode> {
    set_color(args.output.color);
    let json = matches!(args.output.format, FormatArg::Json);
    let nagios = matches!(args.output.format, FormatArg::Nagios);
    let progress = imapdiag::render::progress(all.len() as u64);
    let mut reports = Vec::new();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let mut rows = Vec::new();
    let mut worst = imapdiag::report::Status::Ok;
    let mut stdout = std::io::stdout().lock();
    let mut failed_write = None;
    runtime.block_on(imapdiag::diagnosis::diagnose_each(
        all,
        Plan::Check,
        usize::from(args.jobs),
        |i, report| {
            worst = worst.max(report.status);
            if let Some(p) = &progress {
                p.inc(1);
            }
            if json {
                let line = serde_json::to_string(&report).unwrap_or_default();
                if let Err(e) = writeln!(stdout, "{line}") {
                    failed_write.get_or_insert(e);
                }
            } else if nagios {
                // Only what the plugin output shows is kept: status, target, findings.
                let mut kept = report;
                kept.transcript.clear();
                kept.steps.clear();
                reports.push((i, kept));
            } else {
                rows.push(imapdiag::render::SummaryRow::of(i, &report));
            }
        },
    ));
    if let Some(p) = progress {
        p.finish_and_clear();
    }
    drop(stdout);
    match failed_write {
        Some(e) if e.kind() != std::io::ErrorKind::BrokenPipe => return Err(e.into()),
        _ => {}
    }
    if nagios {
        reports.sort_by_key(|(i, _)| *i);
        let reports: Vec<_> = reports.into_iter().map(|(_, r)| r).collect();
        write_out(&imapdiag::render::render_nagios_many(&reports))?;
    } else if !json {
        rows.sort_by_key(|r| r.index);
        write_out(&imapdiag::render::summary_table(&rows))?;
    }
    write_out("")?;
    Ok(ExitCode::from(worst.exit_code() as u8))
}

fn diagnose_and_render(settings: Settings, output: &OutputArgs, plan: Plan) -> Result<ExitCode> {
    set_color(output.color);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let report = runtime.block_on(diagnose(&settings, plan));
    emit(&report, output, settings.tls.cert_warn_days)
}

/// Renders one report; `cert_warn_days` is the threshold the Nagios perfdata states.
fn emit(
    report: &imapdiag::report::Report,
    output: &OutputArgs,
    cert_warn_days: u32,
) -> Result<ExitCode> {
    set_color(output.color);
    let format = match output.format {
        FormatArg::Text => Format::Text,
        FormatArg::Json => Format::Json,
        FormatArg::Nagios => Format::Nagios { cert_warn_days },
    };
    let text = render(
        report,
        format,
        &TextOptions {
            transcript: output.transcript,
        },
    );
    write_out(&text)?;
    Ok(ExitCode::from(report.status.exit_code() as u8))
}

/// Writes to standard output. A reader that went away (`| head -1`) ends the output
/// quietly: what was judged still decides the exit status.
fn write_out(text: &str) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

/// `--color auto` honours NO_COLOR (no-color.org), TERM=dumb and output that is not a terminal.
fn set_color(choice: ColorArg) {
    let on = match choice {
        ColorArg::Always => true,
        ColorArg::Never => false,
        ColorArg::Auto => {
            let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
            let dumb = std::env::var("TERM").is_ok_and(|t| t == "dumb");
            !no_color && !dumb && std::io::stdout().is_terminal()
        }
    };
    colored::control::set_override(on);
}

/// The settings for one target. The password is asked once and kept in `known` for the
/// next target.
fn settings(
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

fn tls_connector(s: &Settings) -> Result<imapdiag::client::tls::Connector> {
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
        return password_file(file).map(Some).map_err(|e| {
            anyhow::anyhow!(
                "{}",
                e.to_string().replace("--password-file", "--token-file")
            )
        });
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
fn expectation(e: &ExpectArgs) -> Result<Expect> {
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
fn password(conn: &ConnectArgs, user: &str) -> Result<Secret> {
    if let Some(file) = &conn.password_file {
        return password_file(file);
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

/// The first line of `file`, without its line ending; empty is a usage error.
fn password_file(file: &std::path::Path) -> Result<Secret> {
    use std::io::Read;
    let name = file.display();
    let mut bytes = Vec::new();
    std::fs::File::open(file)
        .with_context(|| format!("cannot read --password-file {name}"))?
        .take(MAX_PASSWORD_LINE + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("cannot read --password-file {name}"))?;
    let line = bytes.split(|&b| b == b'\n').next().unwrap_or(&[]);
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    if line.len() as u64 > MAX_PASSWORD_LINE {
        bail!("--password-file {name}: the first line is longer than {MAX_PASSWORD_LINE} bytes; is it a password file?");
    }
    if line.is_empty() {
        bail!("--password-file {name}: the first line is empty");
    }
    let text = String::from_utf8(line.to_vec())
        .map_err(|_| anyhow::anyhow!("--password-file {name}: the first line is not UTF-8"))?;
    Ok(Secret::new(text))
}

fn step_name(q: QuitAfter) -> StepName {
    match q {
        QuitAfter::Connect => StepName::Connect,
        QuitAfter::Greeting => StepName::Greeting,
        QuitAfter::Capability => StepName::Capability,
        QuitAfter::Starttls => StepName::Starttls,
        QuitAfter::Login => StepName::Login,
        QuitAfter::Namespace => StepName::Namespace,
        QuitAfter::Select => StepName::Select,
    }
}
