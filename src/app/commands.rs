//! What each subcommand does once its arguments are read: serve, exporter, analyze,
//! profiles, check (one target or a fleet), namespace.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{bail, Context, Result};

use super::cli::{AnalyzeArgs, CheckArgs, FormatArg, OutputArgs, ProfilesArgs, ServeArgs};
use imapdiag::diagnosis::{diagnose, Plan};
use imapdiag::settings::Settings;

use super::args::{expectation, settings, tls_connector};
use super::output::{emit, set_color, write_out};

pub fn serve(args: &ServeArgs) -> Result<ExitCode> {
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
        trace: args.trace,
    };
    let runtime = super::runtime::multi_thread()?;
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

pub fn exporter(args: &super::cli::ExporterArgs) -> Result<ExitCode> {
    use imapdiag::exporter::{bind, config::Config, serve, Exporter};
    let config = Config::load(&args.config).map_err(anyhow::Error::msg)?;
    let exporter =
        Exporter::new(config, usize::from(args.max_probes)).map_err(anyhow::Error::msg)?;
    colored::control::set_override(false);
    let runtime = super::runtime::multi_thread()?;
    runtime.block_on(async {
        let listener = bind(args.listen)
            .await
            .with_context(|| format!("cannot listen on {}", args.listen))?;
        eprintln!("exporter listening on {}", listener.local_addr()?);
        serve(listener, exporter).await?;
        Ok(ExitCode::SUCCESS)
    })
}

pub fn analyze(args: &AnalyzeArgs) -> Result<ExitCode> {
    let expect = expectation(&args.expect)?;
    use imapdiag::diagnosis::analyze::{self, rawlog, Reading};
    let (name, bytes) = read_input(&args.file)?;
    let mut text = lossy_text(bytes);
    let mut how = Reading::by_name(&args.format_in).unwrap_or_default();
    let forced = how == Reading::Rawlog;
    let pair = rawlog::other_half(&args.file).filter(|_| forced || how == Reading::Guess);
    if pair.is_some() || forced {
        let other = match &pair {
            Some(other) => lossy_text(read_input(other)?.1),
            None => String::new(),
        };
        text = rawlog::merge(&args.file, &text, &other);
        how = Reading::Rawlog;
    }
    let connection = args.connection.as_deref();
    let report = analyze::analyze_connection(&text, &name, how, connection, &expect);
    emit(&report, &args.output, super::cli::CERT_WARN_DAYS)
}

/// Text with invalid UTF-8 replaced; valid input is moved, not copied (a 16 MiB paste
/// stays one 16 MiB buffer).
fn lossy_text(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
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

pub fn profiles(args: &ProfilesArgs) -> Result<ExitCode> {
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
pub fn check(args: &CheckArgs) -> Result<ExitCode> {
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
    let runtime = super::runtime::multi_thread()?;
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
    Ok(worst.into())
}

pub fn diagnose_and_render(
    settings: Settings,
    output: &OutputArgs,
    plan: Plan,
) -> Result<ExitCode> {
    set_color(output.color);
    let runtime = super::runtime::current_thread()?;
    let report = runtime.block_on(diagnose(&settings, plan));
    emit(&report, output, settings.tls.cert_warn_days)
}
