//! Rolling-origin backtest: for each period (week, month or quarter) train on
//! every lead created before the period and test on the period's leads. This
//! is how an analyst sees drift and decides when to retrain.

use std::path::Path;

use chrono::{DateTime, Datelike, Duration, NaiveDate};
use polars::prelude::DataFrame;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::evaluate::cutoffs::{arrival_rate, choose_cutoffs};
use crate::evaluate::metrics::Metrics;
use crate::evaluate::policy::outcome;
use crate::io::dates::format_date;
use crate::progress::{NoProgress, Progress};
use crate::train::{fit_rows, prepare, TrainConfig};

/// Length of a backtest period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Every {
    /// ISO weeks (Monday to Sunday).
    Week,
    /// Calendar months.
    Month,
    /// Calendar quarters.
    Quarter,
}

impl std::str::FromStr for Every {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "week" => Ok(Every::Week),
            "month" => Ok(Every::Month),
            "quarter" => Ok(Every::Quarter),
            other => Err(Error::InvalidArgument {
                name: "every".into(),
                message: format!("'{other}' is not a period; use week, month or quarter"),
            }),
        }
    }
}

impl Every {
    /// First day of the period containing `seconds` (UTC), as seconds.
    fn period_start(self, seconds: i64) -> i64 {
        let date = DateTime::from_timestamp(seconds, 0)
            .map(|d| d.date_naive())
            .unwrap_or_default();
        let start = match self {
            Every::Week => date - Duration::days(i64::from(date.weekday().num_days_from_monday())),
            Every::Month => NaiveDate::from_ymd_opt(date.year(), date.month(), 1).unwrap_or(date),
            Every::Quarter => {
                NaiveDate::from_ymd_opt(date.year(), (date.month() - 1) / 3 * 3 + 1, 1)
                    .unwrap_or(date)
            }
        };
        start
            .and_hms_opt(0, 0, 0)
            .map_or(seconds, |d| d.and_utc().timestamp())
    }

    fn label(self, start: i64) -> String {
        let date = DateTime::from_timestamp(start, 0)
            .map(|d| d.date_naive())
            .unwrap_or_default();
        match self {
            Every::Week => format!("week of {}", date.format("%Y-%m-%d")),
            Every::Month => date.format("%Y-%m").to_string(),
            Every::Quarter => format!("{}-Q{}", date.year(), (date.month() - 1) / 3 + 1),
        }
    }
}

/// One tested period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BacktestRow {
    /// The period, e.g. `2025-03`.
    pub period: String,
    /// First day of the period (seconds since the epoch, UTC).
    pub period_start: i64,
    /// Creation time of the newest training lead (always before `period_start`).
    pub newest_training_lead: i64,
    /// Leads trained on.
    pub train_rows: usize,
    /// Leads tested.
    pub test_rows: usize,
    /// Conversion rate in the period.
    pub base_rate: f64,
    /// Penalty chosen by cross-validation on the training leads.
    pub alpha: f64,
    /// ROC AUC, PR AUC, log loss and Brier in the period.
    pub metrics: Metrics,
    /// MQL cut-off (resolved on the training leads).
    pub mql_cutoff: f64,
    /// Precision of MQL-or-above leads in the period.
    pub mql_precision: f64,
    /// Recall of MQL-or-above leads in the period.
    pub mql_recall: f64,
    /// SQL cut-off.
    pub sql_cutoff: f64,
    /// Precision of SQL leads in the period.
    pub sql_precision: f64,
    /// Recall of SQL leads in the period.
    pub sql_recall: f64,
}

/// Run the backtest. Periods whose training part is smaller than
/// `min_train_rows` (or cannot be cross-validated) are skipped.
pub fn backtest(
    df: &DataFrame,
    path: &Path,
    config: &TrainConfig,
    every: Every,
    min_train_rows: usize,
    progress: &dyn Progress,
) -> Result<Vec<BacktestRow>> {
    let prepared = prepare(df, path, config)?;
    let dates = prepared
        .dates
        .as_ref()
        .ok_or_else(|| Error::InvalidArgument {
            name: "date".into(),
            message: "a backtest needs a date column".into(),
        })?;
    let mut starts: Vec<i64> = dates.iter().map(|&d| every.period_start(d)).collect();
    starts.sort_unstable();
    starts.dedup();
    let folds = config.folds();
    progress.start("backtesting periods", starts.len() as u64);
    let mut rows = Vec::new();
    for (k, &start) in starts.iter().enumerate() {
        progress.advance(1);
        let end = starts.get(k + 1).copied().unwrap_or(i64::MAX);
        let train: Vec<usize> = (0..dates.len()).filter(|&r| dates[r] < start).collect();
        let test: Vec<usize> = (0..dates.len())
            .filter(|&r| dates[r] >= start && dates[r] < end)
            .collect();
        let train_pos = train.iter().filter(|&&r| prepared.labels[r]).count();
        if train.len() < min_train_rows
            || train_pos < folds
            || train.len() - train_pos < folds
            || test.is_empty()
        {
            continue;
        }
        let fitted = fit_rows(&prepared, &train, path, config, &NoProgress)?;
        let y_train: Vec<bool> = train.iter().map(|&r| prepared.labels[r]).collect();
        let p_train = fitted.predict(&prepared, &train, path)?;
        let train_dates: Vec<i64> = train.iter().map(|&r| dates[r]).collect();
        let (cutoffs, _) = choose_cutoffs(
            config.mql_policy(),
            config.sql_policy(),
            &y_train,
            &p_train,
            arrival_rate(Some(&train_dates)),
            "training leads".into(),
            &config.points_scale(),
        )?;
        let y_test: Vec<bool> = test.iter().map(|&r| prepared.labels[r]).collect();
        let p_test = fitted.predict(&prepared, &test, path)?;
        let metrics = Metrics::compute(&y_test, &p_test);
        let mql = outcome(&y_test, &p_test, cutoffs.mql());
        let sql = outcome(&y_test, &p_test, cutoffs.sql());
        rows.push(BacktestRow {
            period: every.label(start),
            period_start: start,
            newest_training_lead: train_dates.iter().copied().max().unwrap_or(i64::MIN),
            train_rows: train.len(),
            test_rows: test.len(),
            base_rate: metrics.positives as f64 / metrics.rows.max(1) as f64,
            alpha: fitted.alpha,
            metrics,
            mql_cutoff: cutoffs.mql(),
            mql_precision: mql.precision,
            mql_recall: mql.recall,
            sql_cutoff: cutoffs.sql(),
            sql_precision: sql.precision,
            sql_recall: sql.recall,
        });
    }
    progress.finish();
    if rows.is_empty() {
        return Err(Error::NoBacktestPeriod {
            path: path.to_path_buf(),
            min_train_rows,
            folds,
        });
    }
    Ok(rows)
}

/// The first day of a period as an ISO date (for printing).
pub fn period_start_date(row: &BacktestRow) -> String {
    format_date(row.period_start)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(y: i32, m: u32, d: u32) -> i64 {
        NaiveDate::from_ymd_opt(y, m, d)
            .and_then(|d| d.and_hms_opt(13, 30, 0))
            .map(|d| d.and_utc().timestamp())
            .expect("valid")
    }

    #[test]
    fn periods_start_where_the_calendar_says() {
        let t = ts(2025, 5, 15); // a Thursday
        assert_eq!(format_date(Every::Month.period_start(t)), "2025-05-01");
        assert_eq!(format_date(Every::Quarter.period_start(t)), "2025-04-01");
        assert_eq!(format_date(Every::Week.period_start(t)), "2025-05-12");
        assert_eq!(
            Every::Quarter.label(Every::Quarter.period_start(t)),
            "2025-Q2"
        );
    }
}
