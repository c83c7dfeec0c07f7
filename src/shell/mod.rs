//! `imapdiag shell`: the interactive IMAP session that replaces telnet (and, when standard
//! input is not a terminal, a script runner like `imtest -f`).

mod core;
mod dot;
pub mod input;
mod net;
mod open;
mod repl;
mod script;
mod view;

use std::io::IsTerminal;

use crate::report::Status;
use crate::settings::Settings;

/// Runs the shell; returns the exit status.
pub fn run(settings: Settings, ignore_no: bool) -> Status {
    if std::io::stdin().is_terminal() {
        repl::run(settings)
    } else {
        script::run(settings, ignore_no)
    }
}
