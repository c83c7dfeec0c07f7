//! imapdiag: an IMAP diagnostic client.
//!
//! Layers, each importing only those below it (the README's "Architecture"):
//! `proto` (pure) ← `client` (I/O) ← `diagnosis` (produces a [`report::Report`]) ← `render`.
#![forbid(unsafe_code)]

pub mod client;
pub mod demo;
pub mod diagnosis;
pub mod exporter;
pub mod net;
pub mod profiles;
pub mod proto;
pub mod render;
pub mod report;
pub mod secret;
pub mod serve;
pub mod settings;
pub mod shell;
pub mod target;
