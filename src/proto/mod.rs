//! The pure protocol layer: bytes in, values out. No I/O, no tokio.

pub mod command;
pub mod imap_url;
pub mod known_secrets;
pub mod lines;
pub mod mutf7;
pub mod namespace_lenient;
pub mod redact;
pub mod resp_text;
pub mod response;
pub mod sanitize;
pub mod sasl;

pub use command::{Chunk, CommandBuilder, EncodedCommand};
pub use resp_text::{RespCode, Status, StatusKind};
pub use response::{Data, ListItem, NamespaceDescr, NamespaceSet, Response};
