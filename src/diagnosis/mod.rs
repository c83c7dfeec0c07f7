//! Diagnoses: drive the client core through scripted checks and produce a [`Report`].
//! Nothing here prints; a server problem is a finding, never an `Err`.

pub mod analyze;
mod check;
pub mod findings;
mod fleet;
pub mod follow;
mod hops;
pub mod knowledge;
pub(crate) mod mailbox;
pub mod profile;
pub(crate) mod record;
pub(crate) mod referral;
mod signs;
pub mod tls_verdicts;
pub(crate) mod verdicts;

pub use check::Plan;
pub use fleet::diagnose_each;
pub use follow::same_domain;
pub use hops::diagnose;
