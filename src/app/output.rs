//! Where a report goes: rendered in the chosen format to standard output, colour decided
//! once, and a closed stdout ending quietly.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use anyhow::Result;

use super::cli::{ColorArg, FormatArg, OutputArgs};
use imapdiag::render::{render, Format, TextOptions};

/// Renders one report; `cert_warn_days` is the threshold the Nagios perfdata states.
pub fn emit(
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
    Ok(report.status.into())
}

/// Writes to standard output. A reader that went away (`| head -1`) ends the output
/// quietly: what was judged still decides the exit status.
pub fn write_out(text: &str) -> Result<()> {
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
pub fn set_color(choice: ColorArg) {
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
