//! What differs between the SQL engines leadscore exports to: quoting of
//! names and of text, type names, and how a number is written so the engine
//! reads it as the same IEEE double leadscore computes with.

use std::fmt;
use std::str::FromStr;

/// A SQL engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// PostgreSQL (13 or later).
    Postgres,
    /// DuckDB (and MotherDuck).
    Duckdb,
    /// Spark SQL (Databricks, EMR).
    Spark,
    /// Google BigQuery (GoogleSQL).
    Bigquery,
    /// Snowflake.
    Snowflake,
}

impl Dialect {
    /// Every dialect, in the order `--help` lists them.
    pub const ALL: [Dialect; 5] = [
        Dialect::Postgres,
        Dialect::Duckdb,
        Dialect::Spark,
        Dialect::Bigquery,
        Dialect::Snowflake,
    ];

    /// The name `--dialect` takes.
    pub fn name(self) -> &'static str {
        match self {
            Dialect::Postgres => "postgres",
            Dialect::Duckdb => "duckdb",
            Dialect::Spark => "spark",
            Dialect::Bigquery => "bigquery",
            Dialect::Snowflake => "snowflake",
        }
    }

    /// A column or table name, quoted: `"name"` (PostgreSQL, DuckDB,
    /// Snowflake) or `` `name` `` (Spark, BigQuery). A dotted name
    /// (`crm.leads`) is quoted part by part.
    pub fn ident(self, name: &str) -> String {
        name.split('.')
            .map(|part| self.column(part))
            .collect::<Vec<_>>()
            .join(".")
    }

    /// One column name, quoted whole (a dot in it is part of the name).
    pub fn column(self, name: &str) -> String {
        match self {
            Dialect::Postgres | Dialect::Duckdb | Dialect::Snowflake => {
                format!("\"{}\"", name.replace('"', "\"\""))
            }
            Dialect::Spark => format!("`{}`", name.replace('`', "``")),
            Dialect::Bigquery => format!("`{}`", name.replace('\\', "\\\\").replace('`', "\\`")),
        }
    }

    /// A text literal. PostgreSQL and DuckDB take backslashes literally and
    /// double a quote; Spark, BigQuery and Snowflake read backslash escapes,
    /// so backslashes and quotes are escaped with one.
    pub fn text(self, value: &str) -> String {
        match self {
            Dialect::Postgres | Dialect::Duckdb => format!("'{}'", value.replace('\'', "''")),
            Dialect::Spark | Dialect::Bigquery | Dialect::Snowflake => {
                let mut out = String::with_capacity(value.len() + 2);
                out.push('\'');
                for c in value.chars() {
                    match c {
                        '\\' => out.push_str("\\\\"),
                        '\'' => out.push_str("\\'"),
                        '\n' => out.push_str("\\n"),
                        '\r' => out.push_str("\\r"),
                        '\t' => out.push_str("\\t"),
                        c => out.push(c),
                    }
                }
                out.push('\'');
                out
            }
        }
    }

    /// A text of these code points, written with the engine's character
    /// function so no control character lands in the SQL file.
    pub fn characters(self, code_points: &[u32]) -> String {
        match self {
            Dialect::Bigquery => format!(
                "CODE_POINTS_TO_STRING([{}])",
                code_points
                    .iter()
                    .map(u32::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            _ => code_points
                .iter()
                .map(|c| format!("CHR({c})"))
                .collect::<Vec<_>>()
                .join(" || "),
        }
    }

    /// Seconds since 1970-01-01 of a DATE or TIMESTAMP value, as a double
    /// (Spark reads timestamps in its session time zone: run it in UTC, as
    /// leadscore counts).
    pub fn epoch_seconds(self, value: &str) -> String {
        match self {
            Dialect::Postgres => {
                format!("CAST(EXTRACT(EPOCH FROM CAST({value} AS TIMESTAMP)) AS DOUBLE PRECISION)")
            }
            Dialect::Duckdb => format!("EPOCH(CAST({value} AS TIMESTAMP))"),
            Dialect::Spark => format!("CAST(UNIX_TIMESTAMP(CAST({value} AS TIMESTAMP)) AS DOUBLE)"),
            Dialect::Bigquery => format!("CAST(UNIX_SECONDS(TIMESTAMP({value})) AS FLOAT64)"),
            Dialect::Snowflake => {
                format!("CAST(DATE_PART(EPOCH_SECOND, CAST({value} AS TIMESTAMP_NTZ)) AS DOUBLE)")
            }
        }
    }

    /// The double-precision type.
    pub fn double(self) -> &'static str {
        match self {
            Dialect::Postgres => "DOUBLE PRECISION",
            Dialect::Bigquery => "FLOAT64",
            Dialect::Duckdb | Dialect::Spark | Dialect::Snowflake => "DOUBLE",
        }
    }

    /// The text type.
    pub fn string(self) -> &'static str {
        match self {
            Dialect::Postgres => "TEXT",
            Dialect::Duckdb | Dialect::Snowflake => "VARCHAR",
            Dialect::Spark | Dialect::Bigquery => "STRING",
        }
    }

    /// A number as a double: written in full (Rust's shortest round-trip
    /// form) and cast, since most engines read `0.1` as an exact decimal and
    /// would then compute in decimals, not in doubles as leadscore does.
    pub fn number(self, v: f64) -> String {
        format!("CAST({v:?} AS {})", self.double())
    }
}

impl fmt::Display for Dialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Dialect {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Dialect::ALL
            .into_iter()
            .find(|d| d.name().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| {
                format!(
                    "unknown SQL dialect '{s}'; use one of {}",
                    Dialect::ALL.map(Dialect::name).join(", ")
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_text_are_quoted_for_each_engine() {
        assert_eq!(Dialect::Postgres.column("a\"b"), "\"a\"\"b\"");
        assert_eq!(Dialect::Spark.column("a`b"), "`a``b`");
        assert_eq!(Dialect::Bigquery.column("a`b"), "`a\\`b`");
        assert_eq!(Dialect::Postgres.ident("crm.leads"), "\"crm\".\"leads\"");
        assert_eq!(Dialect::Postgres.text("O'Brien \\ Co"), "'O''Brien \\ Co'");
        assert_eq!(
            Dialect::Snowflake.text("O'Brien \\ Co"),
            "'O\\'Brien \\\\ Co'"
        );
        assert_eq!(Dialect::Duckdb.number(0.1), "CAST(0.1 AS DOUBLE)");
        assert_eq!(
            Dialect::Postgres.number(-2.5e-7),
            "CAST(-2.5e-7 AS DOUBLE PRECISION)"
        );
        assert_eq!("DuckDB".parse::<Dialect>(), Ok(Dialect::Duckdb));
        assert!("oracle".parse::<Dialect>().is_err());
    }
}
