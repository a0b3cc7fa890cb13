//! The log in an embedded SQLite file (the default): WAL journal, one
//! transaction per batch.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{params, Connection};

use super::record::parse_stage;
use super::{LogRecord, LoggedScore, Role, Store, DEFAULT_TABLE};
use crate::error::{Error, Result};

/// How long one write waits for another connection's lock before failing
/// (and being retried by the writer).
const BUSY_TIMEOUT: Duration = Duration::from_millis(500);

fn error(path: &Path, e: &rusqlite::Error) -> Error {
    Error::Database {
        target: path.display().to_string(),
        message: format!("SQLite: {e}"),
    }
}

fn schema() -> String {
    format!(
        "CREATE TABLE IF NOT EXISTS {DEFAULT_TABLE} (
            seq INTEGER PRIMARY KEY,
            logged_at TEXT NOT NULL,
            model TEXT NOT NULL,
            model_version TEXT NOT NULL,
            role TEXT NOT NULL,
            request TEXT NOT NULL,
            lead_id TEXT,
            probability REAL NOT NULL,
            stage TEXT NOT NULL,
            points INTEGER NOT NULL,
            reasons TEXT,
            fields TEXT
        );
        CREATE INDEX IF NOT EXISTS {DEFAULT_TABLE}_lead_id ON {DEFAULT_TABLE} (lead_id);"
    )
}

/// An open SQLite log.
pub struct SqliteStore {
    path: PathBuf,
    connection: Connection,
}

impl SqliteStore {
    /// Open (or create) the file and its table.
    pub fn open(path: &Path) -> Result<SqliteStore> {
        let connection = Connection::open(path).map_err(|e| error(path, &e))?;
        connection
            .busy_timeout(BUSY_TIMEOUT)
            .and_then(|()| {
                connection.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;")
            })
            .and_then(|()| connection.execute_batch(&schema()))
            .map_err(|e| error(path, &e))?;
        Ok(SqliteStore {
            path: path.to_path_buf(),
            connection,
        })
    }
}

impl Store for SqliteStore {
    fn write(&mut self, batch: &[LogRecord]) -> Result<()> {
        let path = self.path.clone();
        let fail = |e: rusqlite::Error| error(&path, &e);
        let tx = self.connection.transaction().map_err(fail)?;
        {
            let mut insert = tx
                .prepare_cached(&format!(
                    "INSERT INTO {DEFAULT_TABLE} (logged_at, model, model_version, role, request, lead_id, probability, stage, points, reasons, fields)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
                ))
                .map_err(fail)?;
            for r in batch {
                insert
                    .execute(params![
                        &*r.logged_at,
                        &*r.model,
                        &*r.model_version,
                        r.role.as_str(),
                        r.request,
                        r.lead_id,
                        r.probability,
                        r.stage.as_str(),
                        r.points,
                        r.reasons_json(),
                        r.fields
                    ])
                    .map_err(fail)?;
            }
        }
        tx.commit().map_err(fail)
    }
}

/// Every logged score in `path`, oldest first.
pub fn read(path: &Path) -> Result<Vec<LoggedScore>> {
    if !path.exists() {
        return Err(Error::Database {
            target: path.display().to_string(),
            message: "no such prediction log (leadscore-serve --log-db FILE writes one)".into(),
        });
    }
    let connection = Connection::open(path).map_err(|e| error(path, &e))?;
    let mut query = connection
        .prepare(&format!(
            "SELECT seq, logged_at, model, model_version, role, lead_id, probability, stage, points
             FROM {DEFAULT_TABLE} ORDER BY seq"
        ))
        .map_err(|e| error(path, &e))?;
    let rows = query
        .query_map([], |row| {
            Ok((
                row.get::<_, i64>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, String>(3)?,
                row.get::<_, String>(4)?,
                row.get::<_, Option<String>>(5)?,
                row.get::<_, f64>(6)?,
                row.get::<_, String>(7)?,
                row.get::<_, i64>(8)?,
            ))
        })
        .map_err(|e| error(path, &e))?;
    let mut scores = Vec::new();
    for row in rows {
        let (seq, logged_at, model, model_version, role, lead_id, probability, stage, points) =
            row.map_err(|e| error(path, &e))?;
        scores.push(checked(
            &path.display().to_string(),
            seq,
            (logged_at, model, model_version, lead_id),
            (&role, probability, &stage, points),
        )?);
    }
    Ok(scores)
}

/// A row read back, its role and stage checked.
pub(super) fn checked(
    target: &str,
    seq: i64,
    (logged_at, model, model_version, lead_id): (String, String, String, Option<String>),
    (role, probability, stage, points): (&str, f64, &str, i64),
) -> Result<LoggedScore> {
    let bad = |what: &str, value: &str| Error::Database {
        target: target.to_string(),
        message: format!(
            "log row {seq}: unknown {what} '{value}' (not a leadscore prediction log?)"
        ),
    };
    Ok(LoggedScore {
        seq,
        logged_at,
        model,
        model_version,
        role: Role::parse(role).ok_or_else(|| bad("role", role))?,
        lead_id,
        probability,
        stage: parse_stage(stage).ok_or_else(|| bad("stage", stage))?,
        points,
    })
}
