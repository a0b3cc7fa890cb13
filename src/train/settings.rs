//! Training settings as a user gives them (flags, `leadscore.toml`), their
//! documented defaults, and the checked configuration the rest of training
//! takes.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::error::{Error, Result};
use crate::evaluate::policy::{CutoffPolicy, DEFAULT_MQL_POLICY, DEFAULT_SQL_POLICY};
use crate::model::stages::Cutoffs;
use crate::points::PointsScale;
use crate::schema::config::{ColumnOverride, ColumnsConfig, SchemaConfig, DEFAULT_MIN_FREQUENCY};
use crate::train::fit::DEFAULT_MAX_ITERATIONS;

/// Penalties tried by cross-validation by default: α on the summed log loss
/// (= 1/C in scikit-learn), strongest first so each fit warm-starts the next.
pub const DEFAULT_ALPHAS: [f64; 7] = [1e4, 1e3, 1e2, 1e1, 1.0, 1e-1, 1e-2];
/// Default number of cross-validation folds.
pub const DEFAULT_FOLDS: usize = 5;
/// Default share of rows held out.
pub const DEFAULT_HOLDOUT: f64 = 0.2;
/// Default random seed (split and folds).
pub const DEFAULT_SEED: u64 = 42;
/// Most training rows the penalty is cross-validated on: above it, a
/// stratified sample of this many rows chooses the penalty and the final fit
/// uses every row. α is the prior precision of the weights (the penalty on the
/// summed loss), so the same α carries over from the sample to all rows.
pub const DEFAULT_CV_MAX_ROWS: usize = 25_000;
/// Most one-hot levels a categorical feature keeps: the most frequent ones
/// with at least `min_frequency` rows; the rest go to `other`.
pub const DEFAULT_MAX_LEVELS: usize = 100;

/// Training settings as given by a user (flags and `leadscore.toml`),
/// before checking. Unset fields take the documented defaults.
#[derive(Debug, Clone, Default)]
pub struct TrainSettings {
    /// Label column (required here or in the config file).
    pub label: Option<String>,
    /// Label value meaning converted.
    pub positive: Option<String>,
    /// Id column.
    pub id: Option<String>,
    /// Date column (enables the time-based holdout).
    pub date: Option<String>,
    /// Columns to leave out (added to the config file's list).
    pub exclude: Vec<String>,
    /// Contents of `leadscore.toml`, if any, and its path.
    pub config_file: Option<(PathBuf, ColumnsConfig)>,
    /// Default minimum rows per categorical level.
    pub min_frequency: Option<usize>,
    /// Cross-validation folds.
    pub folds: Option<usize>,
    /// Penalties to try.
    pub alphas: Option<Vec<f64>>,
    /// Share of rows held out.
    pub holdout: Option<f64>,
    /// Seed for the split and folds.
    pub seed: Option<u64>,
    /// MQL cut-off policy.
    pub mql: Option<CutoffPolicy>,
    /// SQL cut-off policy.
    pub sql: Option<CutoffPolicy>,
    /// Iteration cap per fit.
    pub max_iterations: Option<u64>,
    /// Model name (default: the data file's stem).
    pub name: Option<String>,
    /// Points scale stored in the model (default: round(100 × p)).
    pub points: Option<PointsScale>,
    /// Default most one-hot levels per categorical (default [`DEFAULT_MAX_LEVELS`]).
    pub max_levels: Option<usize>,
    /// Most rows to cross-validate the penalty on (default [`DEFAULT_CV_MAX_ROWS`]).
    pub cv_max_rows: Option<usize>,
    /// Columns a person has checked: the leakage guard reports them but does not refuse.
    pub allow_leaky: Vec<String>,
}

/// Checked training configuration.
#[derive(Debug, Clone)]
pub struct TrainConfig {
    pub(super) schema: SchemaConfig,
    pub(super) folds: usize,
    pub(super) alphas: Vec<f64>,
    pub(super) holdout: f64,
    pub(super) seed: u64,
    pub(super) mql: CutoffPolicy,
    pub(super) sql: CutoffPolicy,
    pub(super) default_policies: bool,
    pub(super) max_iterations: u64,
    pub(super) name: Option<String>,
    pub(super) points: PointsScale,
    pub(super) cv_max_rows: usize,
    pub(super) allow_leaky: Vec<String>,
}

/// An out-of-range setting, by its library name (front ends add their own).
fn invalid(name: &str, message: impl Into<String>) -> Error {
    Error::InvalidArgument {
        name: name.into(),
        message: message.into(),
    }
}

impl TrainSettings {
    /// Validate and fill defaults.
    pub fn check(self) -> Result<TrainConfig> {
        let (source_name, file) = match self.config_file {
            Some((path, cfg)) => (path.display().to_string(), cfg),
            None => ("command line".to_string(), ColumnsConfig::default()),
        };
        let label = self.label.or(file.label).ok_or_else(|| {
            invalid(
                "label",
                "name the column that says whether a lead converted",
            )
        })?;
        let mut exclude = file.exclude;
        exclude.extend(self.exclude);
        let folds = self.folds.unwrap_or(DEFAULT_FOLDS);
        if !(2..=20).contains(&folds) {
            return Err(invalid("folds", format!("{folds} folds; use 2 to 20")));
        }
        let mut alphas = self.alphas.unwrap_or_else(|| DEFAULT_ALPHAS.to_vec());
        if alphas.is_empty() || alphas.iter().any(|a| !(a.is_finite() && *a > 0.0)) {
            return Err(invalid(
                "alphas",
                "penalties must be positive finite numbers",
            ));
        }
        alphas.sort_by(|a, b| b.total_cmp(a));
        alphas.dedup();
        let holdout = self.holdout.unwrap_or(DEFAULT_HOLDOUT);
        if !(holdout > 0.0 && holdout < 0.9) {
            return Err(invalid(
                "holdout",
                format!("{holdout}; use a share between 0 and 0.9"),
            ));
        }
        let default_policies = self.mql.is_none() && self.sql.is_none();
        let mql = self.mql.unwrap_or(DEFAULT_MQL_POLICY);
        let sql = self.sql.unwrap_or(DEFAULT_SQL_POLICY);
        if let (Some(m), Some(s)) = (mql.fixed_probability(), sql.fixed_probability()) {
            Cutoffs::new(m, s)?;
        }
        let max_iterations = self.max_iterations.unwrap_or(DEFAULT_MAX_ITERATIONS);
        if max_iterations == 0 {
            return Err(invalid("max_iterations", "must be at least 1"));
        }
        let columns: BTreeMap<String, ColumnOverride> = file.columns;
        Ok(TrainConfig {
            schema: SchemaConfig {
                label,
                positive: self.positive.or(file.positive),
                id: self.id.or(file.id),
                date: self.date.or(file.date),
                exclude,
                min_frequency: self
                    .min_frequency
                    .or(file.min_frequency)
                    .unwrap_or(DEFAULT_MIN_FREQUENCY),
                max_levels: match self.max_levels.or(file.max_levels) {
                    Some(0) => return Err(invalid("max_levels", "must be at least 1")),
                    Some(n) => n,
                    None => DEFAULT_MAX_LEVELS,
                },
                columns,
                source_name,
            },
            folds,
            alphas,
            holdout,
            seed: self.seed.unwrap_or(DEFAULT_SEED),
            mql,
            sql,
            default_policies,
            max_iterations,
            name: self.name,
            points: self.points.unwrap_or_default(),
            cv_max_rows: match self.cv_max_rows {
                Some(n) if n < 100 * folds => {
                    return Err(invalid(
                        "cv_max_rows",
                        format!("{n}; use at least {} (100 rows per fold)", 100 * folds),
                    ))
                }
                Some(n) => n,
                None => DEFAULT_CV_MAX_ROWS,
            },
            allow_leaky: self.allow_leaky,
        })
    }
}

impl TrainConfig {
    /// Cross-validation folds.
    pub fn folds(&self) -> usize {
        self.folds
    }
    /// How probabilities become points (and so where stages fall).
    pub fn points_scale(&self) -> PointsScale {
        self.points
    }
    /// MQL cut-off policy.
    pub fn mql_policy(&self) -> CutoffPolicy {
        self.mql
    }
    /// SQL cut-off policy.
    pub fn sql_policy(&self) -> CutoffPolicy {
        self.sql
    }
}
