//! The log in a PostgreSQL table: created when absent, one `COPY` in one
//! transaction per batch; a dropped connection is re-opened on the next try.

use postgres::Client;

use super::sqlite::checked;
use super::{LogRecord, LoggedScore, Store, DEFAULT_TABLE};
use crate::error::{Error, Result};
use crate::io::postgres::{escape_into, quoted, PgTarget};

const COLUMNS: &str =
    "logged_at, model, model_version, role, request, lead_id, probability, stage, points, reasons, fields";

/// An open PostgreSQL log.
pub struct PgStore {
    target: PgTarget,
    table: String,
    client: Option<Client>,
}

fn table_of(target: &PgTarget) -> String {
    target
        .table
        .clone()
        .unwrap_or_else(|| DEFAULT_TABLE.to_string())
}

impl PgStore {
    /// Connect and create the table when absent.
    pub fn open(target: PgTarget) -> Result<PgStore> {
        let table = table_of(&target);
        let mut client = target.connect()?;
        let short = table.rsplit('.').next().unwrap_or(&table);
        client
            .batch_execute(&format!(
                "CREATE TABLE IF NOT EXISTS {t} (
                    seq BIGSERIAL PRIMARY KEY,
                    logged_at TIMESTAMPTZ NOT NULL,
                    model TEXT NOT NULL,
                    model_version TEXT NOT NULL,
                    role TEXT NOT NULL,
                    request TEXT NOT NULL,
                    lead_id TEXT,
                    probability DOUBLE PRECISION NOT NULL,
                    stage TEXT NOT NULL,
                    points BIGINT NOT NULL,
                    reasons JSONB,
                    fields JSONB
                );
                CREATE INDEX IF NOT EXISTS {index} ON {t} (lead_id);",
                t = quoted(&table),
                index = quoted(&format!("{short}_lead_id"))
            ))
            .map_err(|e| target.error(&e))?;
        Ok(PgStore {
            target,
            table,
            client: Some(client),
        })
    }
}

/// The batch as `COPY … FROM STDIN` text.
fn copy_text(batch: &[LogRecord]) -> String {
    let mut out = String::with_capacity(batch.len() * 160);
    let text = |out: &mut String, value: Option<&str>| match value {
        Some(v) => escape_into(out, v),
        None => out.push_str("\\N"),
    };
    for r in batch {
        for (k, value) in [
            Some(&*r.logged_at),
            Some(&*r.model),
            Some(&*r.model_version),
            Some(r.role.as_str()),
            Some(r.request.as_str()),
            r.lead_id.as_deref(),
        ]
        .into_iter()
        .enumerate()
        {
            if k > 0 {
                out.push('\t');
            }
            text(&mut out, value);
        }
        out.push_str(&format!(
            "\t{:?}\t{}\t{}\t",
            r.probability,
            r.stage.as_str(),
            r.points
        ));
        text(&mut out, r.reasons_json().as_deref());
        out.push('\t');
        text(&mut out, r.fields.as_deref());
        out.push('\n');
    }
    out
}

impl Store for PgStore {
    fn write(&mut self, batch: &[LogRecord]) -> Result<()> {
        let client = match &mut self.client {
            Some(c) if !c.is_closed() => c,
            _ => self.client.insert(self.target.connect()?),
        };
        let target = &self.target;
        let io = |e: std::io::Error| Error::Database {
            target: target.display.clone(),
            message: e.to_string(),
        };
        let mut tx = client.transaction().map_err(|e| target.error(&e))?;
        let mut writer = tx
            .copy_in(&format!(
                "COPY {} ({COLUMNS}) FROM STDIN",
                quoted(&self.table)
            ))
            .map_err(|e| target.error(&e))?;
        std::io::Write::write_all(&mut writer, copy_text(batch).as_bytes()).map_err(io)?;
        writer.finish().map_err(|e| target.error(&e))?;
        tx.commit().map_err(|e| target.error(&e))
    }
}

/// Every logged score in the table, oldest first.
pub fn read(target: &PgTarget) -> Result<Vec<LoggedScore>> {
    let table = table_of(target);
    let mut client = target.connect()?;
    let rows = client
        .query(
            &format!(
                "SELECT seq, to_char(logged_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'),
                        model, model_version, role, lead_id, probability, stage, points
                 FROM {} ORDER BY seq",
                quoted(&table)
            ),
            &[],
        )
        .map_err(|e| target.error(&e))?;
    rows.iter()
        .map(|row| {
            let get = |e: postgres::Error| target.error(&e);
            checked(
                &target.display,
                row.try_get(0).map_err(get)?,
                (
                    row.try_get(1).map_err(get)?,
                    row.try_get(2).map_err(get)?,
                    row.try_get(3).map_err(get)?,
                    row.try_get(5).map_err(get)?,
                ),
                (
                    row.try_get::<_, &str>(4).map_err(get)?,
                    row.try_get(6).map_err(get)?,
                    row.try_get::<_, &str>(7).map_err(get)?,
                    row.try_get(8).map_err(get)?,
                ),
            )
        })
        .collect()
}
