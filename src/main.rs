//! The `imapdiag` binary: arguments → settings → diagnosis → report → renderer → exit.
#![forbid(unsafe_code)]

mod app;

use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::Parser;

use app::args::{expectation, password, settings, tls_connector};
use app::cli::{Cli, Command};
use app::commands::{analyze, check, diagnose_and_render, exporter, profiles, serve};
use app::output::{set_color, write_out};
use imapdiag::diagnosis::Plan;
use imapdiag::report::Status;

fn main() -> ExitCode {
    imapdiag::secret::protect_process();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                Status::Unknown.into()
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("imapdiag: {e:#}");
            Status::Unknown.into()
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
            Ok(imapdiag::shell::run(settings, args.ignore_no).into())
        }
        Command::Profiles(args) => profiles(&args),
        Command::Serve(args) => serve(&args),
        Command::Exporter(args) => exporter(&args),
        Command::Demo { color } => {
            set_color(color);
            let runtime = app::runtime::current_thread()?;
            let outcome = runtime
                .block_on(imapdiag::demo::run())
                .map_err(anyhow::Error::msg)?;
            write_out(&outcome.text)?;
            Ok(match outcome.passed == outcome.total {
                true => Status::Ok.into(),
                false => Status::Critical.into(),
            })
        }
        Command::Schema => {
            let schema = serde_json::to_string_pretty(&imapdiag::report::json_schema())?;
            write_out(&(schema + "\n"))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::GenAssets { dir } => {
            app::cli::generate_assets(&dir)
                .with_context(|| format!("writing assets to {}", dir.display()))?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
