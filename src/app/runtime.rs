//! The tokio runtimes the subcommands run on: one place to build them.

use anyhow::Result;
use tokio::runtime::{Builder, Runtime};

/// For a single session (the demo, one check).
pub fn current_thread() -> Result<Runtime> {
    Ok(Builder::new_current_thread().enable_all().build()?)
}

/// For servers and fleets: two workers, the CI machine's cores.
pub fn multi_thread() -> Result<Runtime> {
    Ok(Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?)
}
