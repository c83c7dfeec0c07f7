//! The client core: TCP, TLS and STARTTLS, the transcript tap, tags and commands.
//! It knows nothing of reports, findings, colours or clap.

pub mod connection;
mod flight;
pub mod open;
pub mod session;
pub mod tap;
pub mod tls;

pub use connection::{Connection, Message, ReadError};
pub use session::{Exchange, Received, Session};
pub use tap::{Direction, Transcript, WireEvent};
