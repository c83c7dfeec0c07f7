//! `imapdiag serve`: an embedded IMAP server that behaves on the wire like a known
//! server (Exchange 5.5, Exchange 2000, the KB217388 referral), for the demo, for
//! client developers, and for the tests of what no installable server does.

pub mod accounts;
mod conn;
mod fetch;
pub mod listener;
pub mod parse;
pub mod profile;
mod search;
mod selected;
mod session;
pub mod store;
pub mod tls;
pub mod wildcard;

pub use listener::{start, Running, ServeConfig};
pub use profile::{EmuProfile, PROFILES};
