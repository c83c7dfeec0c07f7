//! Diagnoses: drive the client core through scripted checks and produce a [`Report`].
//! Nothing here prints; a server problem is a finding, never an `Err`.

mod check;
pub mod findings;
mod mailbox;
mod record;

pub use check::{diagnose, Plan};
