//! Parsing the date column to seconds since the epoch: ISO dates and
//! date-times, and the day-first (`31-03-2025`, `31.03.2025`) and month-first
//! (`03/31/2025`) dates spreadsheets write, whose order is decided per column.

use std::path::Path;

use chrono::{DateTime, NaiveDate, NaiveDateTime};
use polars::prelude::DataFrame;

use super::values::text_values;
use crate::error::{Error, Result};

/// Which number comes first in a `dd-mm-yyyy` / `mm/dd/yyyy` style date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayMonth {
    /// `31-03-2025`, `31/03/2025`, `31.03.2025`.
    DayFirst,
    /// `03/31/2025`, `03-31-2025`.
    MonthFirst,
}

/// The two leading numbers of a `a-b-yyyy` date (separators `-`, `/`, `.`),
/// with an optional time after a space or `T`; `None` for other text.
fn leading_pair(t: &str) -> Option<(u32, u32, &str)> {
    let date = t.split([' ', 'T']).next()?;
    let mut parts = date.split(['-', '/', '.']);
    let (a, b, y) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some()
        || y.len() != 4
        || !(1..=2).contains(&a.len())
        || !(1..=2).contains(&b.len())
        || ![a, b, y]
            .iter()
            .all(|p| p.bytes().all(|c| c.is_ascii_digit()))
    {
        return None;
    }
    Some((a.parse().ok()?, b.parse().ok()?, y))
}

/// Parse a `dd-mm-yyyy` or `mm/dd/yyyy` style date in the given order
/// (optionally with `HH:MM[:SS]` after a space or `T`).
pub fn parse_day_month(text: &str, order: DayMonth) -> Option<i64> {
    let t = text.trim();
    let (a, b, y) = leading_pair(t)?;
    let (day, month) = match order {
        DayMonth::DayFirst => (a, b),
        DayMonth::MonthFirst => (b, a),
    };
    let date = NaiveDate::from_ymd_opt(y.parse().ok()?, month, day)?;
    let time = t.split([' ', 'T']).nth(1);
    let seconds = match time {
        None => 0,
        Some(time) => {
            let time = chrono::NaiveTime::parse_from_str(time, "%H:%M:%S")
                .or_else(|_| chrono::NaiveTime::parse_from_str(time, "%H:%M"))
                .ok()?;
            i64::from(chrono::Timelike::num_seconds_from_midnight(&time))
        }
    };
    date.and_hms_opt(0, 0, 0)
        .map(|dt| dt.and_utc().timestamp() + seconds)
}

/// The order a column's `a-b-yyyy` dates are written in: day first when a
/// leading number is above 12, month first when a second one is; `Ok(None)`
/// when no value decides (every day is 12 or less). Values in both orders
/// are not dates: the error holds the two values that disagree.
pub fn day_month_order<'a>(
    values: impl IntoIterator<Item = &'a str>,
) -> std::result::Result<Option<DayMonth>, (String, String)> {
    let (mut day_first, mut month_first): (Option<&str>, Option<&str>) = (None, None);
    for v in values {
        if let Some((a, b, _)) = leading_pair(v.trim()) {
            if a > 12 && day_first.is_none() {
                day_first = Some(v);
            }
            if b > 12 && month_first.is_none() {
                month_first = Some(v);
            }
        }
    }
    match (day_first, month_first) {
        (Some(d), Some(m)) => Err((d.to_string(), m.to_string())),
        (Some(_), None) => Ok(Some(DayMonth::DayFirst)),
        (None, Some(_)) => Ok(Some(DayMonth::MonthFirst)),
        (None, None) => Ok(None),
    }
}

/// Whether text is a date in any format leadscore reads (either order for
/// `a-b-yyyy` dates): what schema inference needs to recognise a date column.
pub fn looks_like_date(text: &str) -> bool {
    parse_datetime(text).is_some()
        || parse_day_month(text, DayMonth::DayFirst).is_some()
        || parse_day_month(text, DayMonth::MonthFirst).is_some()
}

/// Parse a date or date-time in the formats CRMs export: `2025-03-31`,
/// `2025-03-31 14:05:00`, `2025-03-31T14:05:00`, RFC 3339 with an offset,
/// and `2025/03/31`. Returns seconds since 1970-01-01 UTC. Day-first and
/// month-first dates need their column's order: see [`read_dates`].
pub fn parse_datetime(text: &str) -> Option<i64> {
    let t = text.trim();
    if t.len() < 8 || !t.as_bytes()[0].is_ascii_digit() {
        return None;
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
        return Some(dt.timestamp());
    }
    // A four-digit year first: chrono's %Y would read `04-09-12` as the year 4.
    let b = t.as_bytes();
    if !(b[..4].iter().all(u8::is_ascii_digit) && matches!(b[4], b'-' | b'/')) {
        return None;
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

/// The day/month order of a column's `dd-mm-yyyy` / `mm/dd/yyyy` dates:
/// `None` when it has none (ISO dates need no order); an error when its
/// values do not decide, or contradict each other.
pub fn column_order<'a>(
    values: impl Iterator<Item = &'a str>,
    path: &Path,
    name: &str,
) -> Result<Option<DayMonth>> {
    let values: Vec<&str> = values.collect();
    let needs_order = values
        .iter()
        .copied()
        .find(|v| parse_datetime(v).is_none() && leading_pair(v.trim()).is_some());
    Ok(match needs_order {
        None => None,
        Some(example) => match day_month_order(values.iter().copied()) {
            Ok(Some(order)) => Some(order),
            Ok(None) => {
                return Err(Error::AmbiguousDates {
                    path: path.to_path_buf(),
                    column: name.to_string(),
                    detail: format!(
                        "'{}' could be day-first or month-first, and no date in the column has a day above 12 to decide",
                        example.trim()
                    ),
                })
            }
            Err((day_first, month_first)) => {
                return Err(Error::AmbiguousDates {
                    path: path.to_path_buf(),
                    column: name.to_string(),
                    detail: format!(
                        "'{}' is day-first but '{}' is month-first",
                        day_first.trim(),
                        month_first.trim()
                    ),
                })
            }
        },
    })
}

/// Parse a date as [`parse_datetime`] does, or in the column's day/month order.
pub fn parse_date(text: &str, order: Option<DayMonth>) -> Option<i64> {
    parse_datetime(text).or_else(|| order.and_then(|o| parse_day_month(text, o)))
}

/// Parse a date column to seconds since the epoch; every row must have a
/// date. `dd-mm-yyyy` and `mm/dd/yyyy` style dates are read in the order the
/// column shows (a day above 12 decides); a column where no value decides is
/// an error, since reading `04-09-2012` as April or September would silently
/// reorder the leads in time.
pub fn read_dates(df: &DataFrame, path: &Path, name: &str) -> Result<Vec<i64>> {
    let text = text_values(df.column(name)?)?;
    let order = column_order(text.iter().flatten(), path, name)?;
    text.iter()
        .enumerate()
        .map(|(i, v)| {
            let v = v.unwrap_or("");
            let parsed = parse_date(v, order);
            parsed.ok_or_else(|| Error::BadDate {
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
        assert_eq!(parse_datetime("2025/3/31"), Some(day));
        assert_eq!(parse_datetime("2025-03-31T00:00:00"), Some(day));
        assert_eq!(parse_datetime("2025-03-31 00:00:00"), Some(day));
        assert_eq!(parse_datetime("2025-03-31T02:00:00+02:00"), Some(day));
        assert_eq!(format_date(day), "2025-03-31");
    }

    #[test]
    fn day_first_and_month_first_dates_follow_their_column() {
        let day = parse_datetime("2012-09-04").expect("date");
        assert_eq!(parse_day_month("04-09-2012", DayMonth::DayFirst), Some(day));
        assert_eq!(parse_day_month("04.09.2012", DayMonth::DayFirst), Some(day));
        assert_eq!(
            parse_day_month("09/04/2012", DayMonth::MonthFirst),
            Some(day)
        );
        assert_eq!(
            parse_day_month("9/4/2012 13:30", DayMonth::MonthFirst),
            Some(day + 13 * 3600 + 30 * 60)
        );
        assert_eq!(parse_day_month("31-02-2012", DayMonth::DayFirst), None);
        assert_eq!(
            day_month_order(["04-09-2012", "25-12-2012"]),
            Ok(Some(DayMonth::DayFirst))
        );
        assert_eq!(
            day_month_order(["09/04/2012", "12/25/2012"]),
            Ok(Some(DayMonth::MonthFirst))
        );
        assert_eq!(day_month_order(["04-09-2012", "01-02-2013"]), Ok(None));
        assert!(day_month_order(["25-12-2012", "12-25-2012"]).is_err());
        assert!(looks_like_date("04-09-2012") && looks_like_date("12/25/2012"));
        assert!(!looks_like_date("04-09-12") && !looks_like_date("1-2-3-2012"));
    }

    #[test]
    fn rejects_non_dates() {
        for text in ["", "yes", "12", "2025-13-01", "31/03/2025x"] {
            assert_eq!(parse_datetime(text), None, "{text}");
        }
    }
}
