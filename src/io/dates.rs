//! Parsing the date column (ISO dates and date-times) to seconds since the epoch.

use std::path::Path;

use chrono::{DateTime, NaiveDate, NaiveDateTime};
use polars::prelude::DataFrame;

use super::values::text_values;
use crate::error::{Error, Result};

/// Parse a date or date-time in the formats CRMs export: `2025-03-31`,
/// `2025-03-31 14:05:00`, `2025-03-31T14:05:00`, RFC 3339 with an offset,
/// and `2025/03/31`. Returns seconds since 1970-01-01 UTC.
pub fn parse_datetime(text: &str) -> Option<i64> {
    let t = text.trim();
    if t.len() < 8 || !t.as_bytes()[0].is_ascii_digit() {
        return None;
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
        return Some(dt.timestamp());
    }
    for format in [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
    ] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(t, format) {
            return Some(dt.and_utc().timestamp());
        }
    }
    for format in ["%Y-%m-%d", "%Y/%m/%d"] {
        if let Ok(d) = NaiveDate::parse_from_str(t, format) {
            return d.and_hms_opt(0, 0, 0).map(|dt| dt.and_utc().timestamp());
        }
    }
    None
}

/// Format seconds since the epoch as an ISO date.
pub fn format_date(seconds: i64) -> String {
    DateTime::from_timestamp(seconds, 0)
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_else(|| seconds.to_string())
}

/// Parse a date column to seconds since the epoch; every row must have a date.
pub fn read_dates(df: &DataFrame, path: &Path, name: &str) -> Result<Vec<i64>> {
    let text = text_values(df.column(name)?)?;
    text.iter()
        .enumerate()
        .map(|(i, v)| {
            let v = v.unwrap_or("");
            parse_datetime(v).ok_or_else(|| Error::BadDate {
                path: path.to_path_buf(),
                column: name.to_string(),
                row: i + 1,
                value: v.to_string(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_usual_export_formats_to_the_same_instant() {
        let day = parse_datetime("2025-03-31").expect("date");
        assert_eq!(parse_datetime("2025/03/31"), Some(day));
        assert_eq!(parse_datetime("2025-03-31T00:00:00"), Some(day));
        assert_eq!(parse_datetime("2025-03-31 00:00:00"), Some(day));
        assert_eq!(parse_datetime("2025-03-31T02:00:00+02:00"), Some(day));
        assert_eq!(format_date(day), "2025-03-31");
    }

    #[test]
    fn rejects_non_dates() {
        for text in ["", "yes", "12", "2025-13-01", "31/03/2025x"] {
            assert_eq!(parse_datetime(text), None, "{text}");
        }
    }
}
