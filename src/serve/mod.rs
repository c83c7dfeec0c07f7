//! `imapdiag serve`: an embedded IMAP server that behaves on the wire like a known
//! server (Exchange 5.5, Exchange 2000, the KB217388 referral), for the demo, for
//! client developers, and for the tests of what no installable server does.

pub mod accounts;
mod conn;
pub mod listener;
pub mod parse;
pub mod profile;
mod session;
pub mod tls;
pub mod wildcard;

pub use listener::{start, Running, ServeConfig};
pub use profile::{EmuProfile, PROFILES};
