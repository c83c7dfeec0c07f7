//! Diagnoses: drive the client core through scripted checks and produce a [`Report`].
//! Nothing here prints; a server problem is a finding, never an `Err`.

mod check;
pub mod findings;
mod follow;
mod hops;
mod mailbox;
pub mod profile;
mod record;
mod referral;
mod signs;

pub use check::Plan;
pub use follow::same_domain;
pub use hops::diagnose;
