//! The binary's own modules: the command line (clap), the subcommands, the arguments
//! turned into settings, output and runtimes. The library knows none of them.

pub mod args;
pub mod cli;
pub mod commands;
pub mod output;
pub mod runtime;
