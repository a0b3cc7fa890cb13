//! Leads in and scores out of PostgreSQL, for teams whose leads live in a
//! database rather than in files.
//!
//! - In: `postgres://user@host:5432/crm?table=leads`, or any query
//!   (`--query "SELECT …"`), read through a cursor in batches, every value
//!   as the text PostgreSQL prints for it: the same all-text table a CSV
//!   gives, so scoring cannot tell the difference.
//! - Out: `postgres://…?table=lead_scores`, written in one transaction: the
//!   scores go to a new table, which replaces the old one only at `COMMIT`.
//!   A failure at any point — a dropped connection mid-write included —
//!   leaves the old scores as they were.

use polars::prelude::*;
use postgres::{Client, NoTls, SimpleQueryMessage};

use crate::error::{Error, Result};

/// A PostgreSQL table (or query) named by a `postgres://` URL.
#[derive(Debug, Clone, PartialEq)]
pub struct PgTarget {
    /// The connection URL without leadscore's own `table` parameter.
    connection: String,
    /// `table=…` from the URL.
    pub table: Option<String>,
    /// The URL as messages show it (password hidden).
    pub display: String,
}

/// Whether `text` names a PostgreSQL database rather than a file.
pub fn is_postgres_url(text: &str) -> bool {
    text.starts_with("postgres://") || text.starts_with("postgresql://")
}

impl PgTarget {
    /// Parse `postgres://…[?table=NAME][&other=…]`; the connection settings
    /// are checked when connecting.
    pub fn parse(url: &str) -> PgTarget {
        let (base, query) = url.split_once('?').unwrap_or((url, ""));
        let mut table = None;
        let mut kept = Vec::new();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            match pair.split_once('=') {
                Some(("table", name)) if !name.is_empty() => table = Some(name.to_string()),
                _ => kept.push(pair),
            }
        }
        let connection = if kept.is_empty() {
            base.to_string()
        } else {
            format!("{base}?{}", kept.join("&"))
        };
        PgTarget {
            display: hide_password(url),
            connection,
            table,
        }
    }

    pub(crate) fn connect(&self) -> Result<Client> {
        let mut config: postgres::Config =
            self.connection
                .parse()
                .map_err(|e: postgres::Error| Error::Database {
                    target: self.display.clone(),
                    message: format!("not a valid PostgreSQL URL: {e}"),
                })?;
        config.application_name("leadscore");
        config.connect(NoTls).map_err(|e| self.error(&e))
    }

    pub(crate) fn error(&self, e: &postgres::Error) -> Error {
        let message = match e.as_db_error() {
            Some(db) => db.message().to_string(),
            None => e.to_string(),
        };
        Error::Database {
            target: self.display.clone(),
            message,
        }
    }

    /// The table, as the error when a URL lacks it says.
    pub(crate) fn table(&self) -> Result<&str> {
        self.table.as_deref().ok_or_else(|| Error::Database {
            target: self.display.clone(),
            message: "no table: add ?table=NAME to the URL (or --query \"SELECT …\" for input)"
                .into(),
        })
    }
}

/// `user:secret@` shown as `user:***@`.
fn hide_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    match rest.split_once('@') {
        Some((user, host)) if user.contains(':') => {
            let name = user.split(':').next().unwrap_or("");
            format!("{scheme}://{name}:***@{host}")
        }
        _ => url.to_string(),
    }
}

/// A quoted name; `schema.table` quoted part by part.
pub(crate) fn quoted(name: &str) -> String {
    name.split('.')
        .map(|p| format!("\"{}\"", p.replace('"', "\"\"")))
        .collect::<Vec<_>>()
        .join(".")
}

/// The rows of a table or query, read in batches through a cursor.
pub struct PgBatches {
    target: PgTarget,
    client: Client,
    batch_rows: usize,
    rows_before: usize,
    done: bool,
}

impl PgBatches {
    /// Open a cursor over `query`, or over the URL's table.
    pub fn open(target: &PgTarget, query: Option<&str>, batch_rows: usize) -> Result<PgBatches> {
        let select = match query {
            Some(q) => q.trim().trim_end_matches(';').to_string(),
            None => format!("SELECT * FROM {}", quoted(target.table()?)),
        };
        let mut client = target.connect()?;
        client
            .batch_execute(&format!(
                "BEGIN READ ONLY; DECLARE leadscore_leads NO SCROLL CURSOR FOR {select}"
            ))
            .map_err(|e| target.error(&e))?;
        Ok(PgBatches {
            target: target.clone(),
            client,
            batch_rows: batch_rows.max(1),
            rows_before: 0,
            done: false,
        })
    }

    fn fetch(&mut self) -> Result<Option<DataFrame>> {
        let messages = self
            .client
            .simple_query(&format!(
                "FETCH FORWARD {} FROM leadscore_leads",
                self.batch_rows
            ))
            .map_err(|e| self.target.error(&e))?;
        let mut names: Vec<String> = Vec::new();
        let mut values: Vec<Vec<Option<String>>> = Vec::new();
        for message in &messages {
            if let SimpleQueryMessage::Row(row) = message {
                if names.is_empty() {
                    names = row.columns().iter().map(|c| c.name().to_string()).collect();
                    values = vec![Vec::new(); names.len()];
                }
                for (i, column) in values.iter_mut().enumerate() {
                    column.push(row.get(i).map(str::to_string));
                }
            }
        }
        if names.is_empty() {
            return Ok(None);
        }
        let height = values.first().map_or(0, Vec::len);
        let columns: Vec<Column> = names
            .iter()
            .zip(values)
            .map(|(name, v)| Column::new(name.as_str().into(), v))
            .collect();
        Ok(Some(DataFrame::new(height, columns)?))
    }
}

impl Iterator for PgBatches {
    type Item = Result<(usize, DataFrame)>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match self.fetch() {
            Ok(Some(df)) => {
                let before = self.rows_before;
                self.rows_before += df.height();
                if df.height() < self.batch_rows {
                    self.done = true;
                }
                Some(Ok((before, df)))
            }
            Ok(None) => {
                self.done = true;
                None
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

/// Scores written to a table in one transaction: a new table filled batch
/// by batch, which replaces the old one at [`finish`](Self::finish).
pub struct PgWriter {
    target: PgTarget,
    client: Client,
    table: String,
    staging: String,
    created: bool,
}

impl PgWriter {
    /// Connect and begin the transaction.
    pub fn open(target: &PgTarget) -> Result<PgWriter> {
        let table = target.table()?.to_string();
        let staging = format!("{table}_leadscore_new");
        let mut client = target.connect()?;
        client
            .batch_execute("BEGIN")
            .map_err(|e| target.error(&e))?;
        Ok(PgWriter {
            target: target.clone(),
            client,
            table,
            staging,
            created: false,
        })
    }

    /// Write one batch (its columns: the input's as text, the scores typed).
    pub fn write(&mut self, df: &DataFrame) -> Result<()> {
        if !self.created {
            let columns: Vec<String> = df
                .columns()
                .iter()
                .map(|c| format!("{} {}", quoted(c.name()), sql_type(c.dtype())))
                .collect();
            self.client
                .batch_execute(&format!(
                    "DROP TABLE IF EXISTS {staging}; CREATE TABLE {staging} ({})",
                    columns.join(", "),
                    staging = quoted(&self.staging)
                ))
                .map_err(|e| self.target.error(&e))?;
            self.created = true;
        }
        let text = copy_text(df)?;
        let mut writer = self
            .client
            .copy_in(&format!("COPY {} FROM STDIN", quoted(&self.staging)))
            .map_err(|e| self.target.error(&e))?;
        std::io::Write::write_all(&mut writer, text.as_bytes()).map_err(|e| Error::Database {
            target: self.target.display.clone(),
            message: e.to_string(),
        })?;
        writer.finish().map_err(|e| self.target.error(&e))?;
        Ok(())
    }

    /// Replace the old table with the new one and commit.
    pub fn finish(mut self) -> Result<()> {
        let short = self
            .table
            .rsplit('.')
            .next()
            .unwrap_or(&self.table)
            .to_string();
        self.client
            .batch_execute(&format!(
                "DROP TABLE IF EXISTS {table}; ALTER TABLE {staging} RENAME TO {short}; COMMIT",
                table = quoted(&self.table),
                staging = quoted(&self.staging),
                short = quoted(&short)
            ))
            .map_err(|e| self.target.error(&e))
    }
}

fn sql_type(dtype: &DataType) -> &'static str {
    match dtype {
        DataType::Float64 | DataType::Float32 => "DOUBLE PRECISION",
        DataType::Int64 | DataType::Int32 | DataType::UInt32 | DataType::UInt64 => "BIGINT",
        DataType::Boolean => "BOOLEAN",
        _ => "TEXT",
    }
}

/// A frame in COPY's text format: tab-separated, `\N` for NULL, backslash
/// escapes for backslash, tab, newline and carriage return.
fn copy_text(df: &DataFrame) -> Result<String> {
    let columns: Vec<Column> = df
        .columns()
        .iter()
        .map(|c| match c.dtype() {
            DataType::Float64 | DataType::Int64 | DataType::Boolean => Ok(c.clone()),
            _ => c.cast(&DataType::String),
        })
        .collect::<PolarsResult<_>>()?;
    let mut out = String::with_capacity(df.height() * 64);
    for row in 0..df.height() {
        for (k, column) in columns.iter().enumerate() {
            if k > 0 {
                out.push('\t');
            }
            match column.get(row)? {
                AnyValue::Null => out.push_str("\\N"),
                AnyValue::Float64(v) => out.push_str(&format!("{v:?}")),
                AnyValue::Int64(v) => out.push_str(&v.to_string()),
                AnyValue::Boolean(v) => out.push_str(if v { "t" } else { "f" }),
                AnyValue::String(s) => escape_into(&mut out, s),
                AnyValue::StringOwned(s) => escape_into(&mut out, s.as_str()),
                other => escape_into(&mut out, &other.to_string()),
            }
        }
        out.push('\n');
    }
    Ok(out)
}

pub(crate) fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_keep_the_table_apart_and_hide_the_password() {
        let t =
            PgTarget::parse("postgres://ana:s3cret@db:5432/crm?table=crm.leads&sslmode=disable");
        assert_eq!(t.table.as_deref(), Some("crm.leads"));
        assert_eq!(
            t.connection,
            "postgres://ana:s3cret@db:5432/crm?sslmode=disable"
        );
        assert_eq!(
            t.display,
            "postgres://ana:***@db:5432/crm?table=crm.leads&sslmode=disable"
        );
        assert!(is_postgres_url("postgresql://x/y"));
        assert!(!is_postgres_url("leads.csv"));
        assert_eq!(
            quoted("crm.lead \"scores\""),
            "\"crm\".\"lead \"\"scores\"\"\""
        );
    }

    #[test]
    fn copy_text_escapes_and_marks_nulls() {
        let df = DataFrame::new(
            2,
            vec![
                Column::new("t".into(), [Some("a\tb\\c\nd"), None]),
                Column::new("p".into(), [0.1f64, 2.5e-7]),
            ],
        )
        .expect("frame");
        assert_eq!(
            copy_text(&df).expect("text"),
            "a\\tb\\\\c\\nd\t0.1\n\\N\t2.5e-7\n"
        );
    }
}
