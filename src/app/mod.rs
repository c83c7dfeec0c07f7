//! The binary's own modules: the command line (clap), the subcommands, the arguments
//! turned into settings, output and runtimes. The library knows none of them.

pub mod args;
pub mod cli;
pub mod commands;
pub mod output;
pub mod runtime;

/// UNKNOWN in the Nagios convention: imapdiag could not judge.
pub const EXIT_UNKNOWN: u8 = 3;
