//! The prediction log: every lead the service scores, recorded off the
//! request path so that later conversions can be joined to the scores that
//! were given (`leadscore outcomes`) and two models compared on live traffic.
//!
//! The service hands each [`LogRecord`] to a [`PredictionLog`]: a bounded
//! queue drained by one writer thread in batches, each batch one transaction.
//! When the queue is full the record is dropped and counted, never waited
//! for, so a slow or unavailable database never slows scoring. The store is
//! an embedded SQLite file by default, or a PostgreSQL table
//! (`postgres://…[?table=NAME]`). [`read_log`] reads it back.

mod pg;
mod record;
mod sqlite;
mod writer;

use std::path::PathBuf;

pub use record::{LogRecord, LoggedScore, Role};
pub use writer::{
    LogCounters, LogSettings, PredictionLog, DEFAULT_BATCH_ROWS, DEFAULT_CAPACITY, RETRY_FOR,
};

use crate::error::Result;
use crate::io::postgres::{is_postgres_url, PgTarget};

/// The table the log goes into when the PostgreSQL URL names none (and the
/// SQLite file's table).
pub const DEFAULT_TABLE: &str = "leadscore_predictions";

/// Where the log lives.
#[derive(Debug, Clone, PartialEq)]
pub enum LogTarget {
    /// An SQLite database file (created with its table when absent).
    Sqlite(PathBuf),
    /// A PostgreSQL table (created when absent).
    Postgres(PgTarget),
}

impl LogTarget {
    /// `postgres://…` is PostgreSQL; anything else a SQLite file path.
    pub fn parse(text: &str) -> LogTarget {
        if is_postgres_url(text) {
            LogTarget::Postgres(PgTarget::parse(text))
        } else {
            LogTarget::Sqlite(PathBuf::from(text))
        }
    }

    /// How messages name it (password hidden).
    pub fn display(&self) -> String {
        match self {
            LogTarget::Sqlite(path) => path.display().to_string(),
            LogTarget::Postgres(pg) => pg.display.clone(),
        }
    }
}

impl std::fmt::Display for LogTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.display())
    }
}

/// A place records are written to: one batch per call, in one transaction.
trait Store: Send {
    /// Write the batch, all or nothing.
    fn write(&mut self, batch: &[LogRecord]) -> Result<()>;
}

fn open_store(target: &LogTarget) -> Result<Box<dyn Store>> {
    Ok(match target {
        LogTarget::Sqlite(path) => Box::new(sqlite::SqliteStore::open(path)?),
        LogTarget::Postgres(pg) => Box::new(pg::PgStore::open(pg.clone())?),
    })
}

/// Every logged score, oldest first.
pub fn read_log(target: &LogTarget) -> Result<Vec<LoggedScore>> {
    match target {
        LogTarget::Sqlite(path) => sqlite::read(path),
        LogTarget::Postgres(pg) => pg::read(pg),
    }
}
