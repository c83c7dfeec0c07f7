//! Renderers take a finished [`Report`] and return text; they never touch the network.

mod json;
mod nagios;
mod profiles;
mod summary;
mod text;

pub use json::render_json;
pub use nagios::{render_nagios, render_nagios_many, status_word};
pub use profiles::{profile_text, profiles_table};
pub use summary::{progress, summary_table, SummaryRow};
pub use text::{render_text, TextOptions};

use crate::report::Report;

/// The output formats of `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
    /// The Nagios/Icinga plugin output; the certificate's warning threshold in days.
    Nagios {
        cert_warn_days: u32,
    },
}

pub fn render(report: &Report, format: Format, opts: &TextOptions) -> String {
    match format {
        Format::Text => render_text(report, opts),
        Format::Json => render_json(report),
        Format::Nagios { cert_warn_days } => render_nagios(report, cert_warn_days),
    }
}
