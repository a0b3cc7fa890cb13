//! Training: checked configuration → schema → split → encoder → penalty chosen
//! by stratified k-fold cross-validation → final fit on the training part →
//! holdout metrics → [`Model`].

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ndarray::{Array2, ArrayView2};
use polars::prelude::*;
use rand::seq::SliceRandom;
use rand::{rngs::StdRng, SeedableRng};

use crate::data::{text_values, Origin};
use crate::dates::{format_date, parse_datetime};
use crate::encode::{EncodeError, Encoder, FeatureColumn};
use crate::error::{Error, Result};
use crate::evaluate::{evaluate, Evaluation};
use crate::fit::{fit_logistic, take_rows, FittedWeights, Tolerance, DEFAULT_MAX_ITERATIONS};
use crate::label::read_labels;
use crate::metrics::log_loss;
use crate::model::{
    CutoffChoice, CvRow, Holdout, Model, ModelParts, PointsScale, Regularisation, TrainingCard,
};
use crate::policy::{outcome, resolve, CutoffPolicy};
use crate::progress::Progress;
use crate::schema::{
    infer_schema, ColumnOverride, ColumnsConfig, Schema, SchemaConfig, DEFAULT_MIN_FREQUENCY,
};
use crate::stages::{Cutoffs, DEFAULT_MQL, DEFAULT_SQL};

/// Penalties tried by cross-validation by default: α on the summed log loss
/// (= 1/C in scikit-learn), strongest first so each fit warm-starts the next.
pub const DEFAULT_ALPHAS: [f64; 7] = [1e4, 1e3, 1e2, 1e1, 1.0, 1e-1, 1e-2];
/// Default MQL policy: the top 30% of leads by probability. Funnels commonly
/// qualify a quarter to a third of leads for marketing follow-up; volume is
/// what teams plan around, and the summary shows the precision and recall it
/// buys on the holdout.
pub const DEFAULT_MQL_POLICY: CutoffPolicy = CutoffPolicy::Top(0.3);
/// Default SQL policy: the top 10% of leads, the list a sales team can work
/// personally. A share policy always resolves and always lies above the MQL
/// cut-off.
pub const DEFAULT_SQL_POLICY: CutoffPolicy = CutoffPolicy::Top(0.1);
/// Default number of cross-validation folds.
pub const DEFAULT_FOLDS: usize = 5;
/// Default share of rows held out.
pub const DEFAULT_HOLDOUT: f64 = 0.2;
/// Default random seed (split and folds).
pub const DEFAULT_SEED: u64 = 42;

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
}

/// Checked training configuration.
#[derive(Debug, Clone)]
pub struct TrainConfig {
    schema: SchemaConfig,
    folds: usize,
    alphas: Vec<f64>,
    holdout: f64,
    seed: u64,
    mql: CutoffPolicy,
    sql: CutoffPolicy,
    default_policies: bool,
    max_iterations: u64,
    name: Option<String>,
    points: PointsScale,
}

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
                "--label",
                "name the column that says whether a lead converted (--label COLUMN)",
            )
        })?;
        let mut exclude = file.exclude;
        exclude.extend(self.exclude);
        let folds = self.folds.unwrap_or(DEFAULT_FOLDS);
        if !(2..=20).contains(&folds) {
            return Err(invalid("--folds", format!("{folds} folds; use 2 to 20")));
        }
        let mut alphas = self.alphas.unwrap_or_else(|| DEFAULT_ALPHAS.to_vec());
        if alphas.is_empty() || alphas.iter().any(|a| !(a.is_finite() && *a > 0.0)) {
            return Err(invalid(
                "--alphas",
                "penalties must be positive finite numbers",
            ));
        }
        alphas.sort_by(|a, b| b.total_cmp(a));
        alphas.dedup();
        let holdout = self.holdout.unwrap_or(DEFAULT_HOLDOUT);
        if !(holdout > 0.0 && holdout < 0.9) {
            return Err(invalid(
                "--holdout",
                format!("{holdout}; use a share between 0 and 0.9"),
            ));
        }
        let default_policies = self.mql.is_none() && self.sql.is_none();
        let mql = self.mql.unwrap_or(DEFAULT_MQL_POLICY);
        let sql = self.sql.unwrap_or(DEFAULT_SQL_POLICY);
        if let (CutoffPolicy::Probability(m), CutoffPolicy::Probability(s)) = (mql, sql) {
            Cutoffs::new(m, s)?;
        }
        let max_iterations = self.max_iterations.unwrap_or(DEFAULT_MAX_ITERATIONS);
        if max_iterations == 0 {
            return Err(invalid("--max-iterations", "must be at least 1"));
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
        })
    }
}

impl TrainConfig {
    /// Cross-validation folds.
    pub fn folds(&self) -> usize {
        self.folds
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

/// A training table turned into typed columns: schema, labels, dates and one
/// [`FeatureColumn`] per feature. Shared by [`train`] and the backtest.
pub struct Prepared {
    /// The inferred schema (with the label's converted value filled in).
    pub schema: Schema,
    /// Converted or not, per row.
    pub labels: Vec<bool>,
    /// Seconds since the epoch per row, when a date column was given.
    pub dates: Option<Vec<i64>>,
    /// Feature values, in schema order.
    pub columns: Vec<FeatureColumn>,
}

/// Infer the schema and read labels, dates and feature columns.
pub fn prepare(df: &DataFrame, path: &Path, config: &TrainConfig) -> Result<Prepared> {
    let mut schema = infer_schema(df, path, &config.schema)?;
    let labels = read_labels(df, path, &schema.label, config.schema.positive.as_deref())?;
    schema.positive = labels.positive.clone();
    let origin = Origin {
        path,
        rows_before: 0,
    };
    let dates = match &schema.date {
        Some(name) => Some(read_dates(df, path, name)?),
        None => None,
    };
    let columns = schema
        .features
        .iter()
        .map(|f| FeatureColumn::read(df.column(&f.name)?, &f.name, f.kind, origin))
        .collect::<Result<Vec<_>>>()?;
    Ok(Prepared {
        schema,
        labels: labels.converted,
        dates,
        columns,
    })
}

/// A model fitted on some rows: its encoder, weights and penalty choice.
pub struct FittedRows {
    /// Encoder fitted on those rows.
    pub encoder: Encoder,
    /// Weights oriented on conversion.
    pub weights: FittedWeights,
    /// Chosen penalty.
    pub alpha: f64,
    /// Cross-validation table.
    pub cv: Vec<CvRow>,
    /// Mean of every encoded term over the training rows (the "average lead").
    pub term_means: Vec<f64>,
}

impl FittedRows {
    /// Conversion probabilities for `rows` of the prepared table.
    pub fn predict(&self, prepared: &Prepared, rows: &[usize], path: &Path) -> Result<Vec<f64>> {
        let x = self
            .encoder
            .design_matrix(&prepared.columns, rows)
            .map_err(|(f, row, e)| encode_error_to_error(path, &prepared.schema, f, row, e))?;
        Ok(self.weights.predict(x.view()))
    }
}

/// Fit the encoder and the penalised logistic regression on `rows`, choosing
/// the penalty by stratified k-fold cross-validation on those rows.
pub fn fit_rows(
    prepared: &Prepared,
    rows: &[usize],
    path: &Path,
    config: &TrainConfig,
    progress: &dyn Progress,
) -> Result<FittedRows> {
    let y: Vec<bool> = rows.iter().map(|&r| prepared.labels[r]).collect();
    let positives = y.iter().filter(|c| **c).count();
    if positives < config.folds || y.len() - positives < config.folds {
        return Err(Error::TooFewRows {
            path: path.to_path_buf(),
            detail: format!(
                "the training part has {positives} converted and {} other leads; {}-fold cross-validation needs at least {} of each",
                y.len() - positives,
                config.folds,
                config.folds
            ),
        });
    }
    let encoder = Encoder::fit(&prepared.schema, &prepared.columns, rows);
    let x = encoder
        .design_matrix(&prepared.columns, rows)
        .map_err(|(f, row, e)| encode_error_to_error(path, &prepared.schema, f, row, e))?;
    let total = (config.folds * config.alphas.len() + 1) as u64;
    progress.start("cross-validating the penalty", total);
    let cv = cross_validate(x.view(), &y, config, progress)?;
    let alpha = cv
        .iter()
        .filter(|r| r.mean_log_loss.is_finite())
        .min_by(|a, b| a.mean_log_loss.total_cmp(&b.mean_log_loss))
        .map(|r| r.alpha)
        .unwrap_or(1.0);
    let weights = fit_logistic(
        x.view(),
        &y,
        alpha,
        None,
        config.max_iterations,
        Tolerance::FINAL,
    )?;
    progress.advance(1);
    progress.finish();
    let term_means = x
        .mean_axis(ndarray::Axis(0))
        .map(|m| m.to_vec())
        .unwrap_or_default();
    Ok(FittedRows {
        encoder,
        weights,
        alpha,
        cv,
        term_means,
    })
}

/// A trained model and its evaluation on the holdout.
pub struct Trained {
    /// The model (what gets saved).
    pub model: Model,
    /// The full holdout evaluation (for the summary and the report).
    pub holdout: Evaluation,
    /// Holdout outcomes (for the report's score distribution).
    pub holdout_labels: Vec<bool>,
    /// Holdout probabilities.
    pub holdout_probabilities: Vec<f64>,
}

/// Leads per second over the date column's span, when there is one.
pub fn arrival_rate(dates: Option<&[i64]>) -> Option<f64> {
    let d = dates?;
    let (min, max) = (d.iter().min()?, d.iter().max()?);
    let span = (max - min) as f64;
    (span > 0.0).then(|| d.len() as f64 / span)
}

/// Resolve MQL and SQL policies on labelled, scored leads.
pub fn choose_cutoffs(
    mql: CutoffPolicy,
    sql: CutoffPolicy,
    labels: &[bool],
    probabilities: &[f64],
    arrivals_per_second: Option<f64>,
    chosen_on: String,
) -> Result<(Cutoffs, CutoffChoice)> {
    let m = resolve(mql, labels, probabilities, arrivals_per_second)?;
    let s = resolve(sql, labels, probabilities, arrivals_per_second)?;
    if s < m {
        return Err(Error::InvalidArgument {
            name: "--sql".into(),
            message: format!(
                "SQL policy {sql} gives cut-off {s:.4}, below the MQL cut-off {m:.4} from {mql}; choose a stricter SQL policy"
            ),
        });
    }
    let cutoffs = Cutoffs::new(m.clamp(1e-9, 1.0 - 1e-9), s.clamp(1e-9, 1.0 - 1e-9))?;
    let choice = CutoffChoice {
        mql_policy: mql,
        sql_policy: sql,
        chosen_on,
        mql: outcome(labels, probabilities, cutoffs.mql()),
        sql: outcome(labels, probabilities, cutoffs.sql()),
    };
    Ok((cutoffs, choice))
}

/// Train a model on a table read from `path`.
pub fn train(
    df: &DataFrame,
    path: &Path,
    config: &TrainConfig,
    progress: &dyn Progress,
) -> Result<Trained> {
    let mut warnings = Vec::new();
    let prepared = prepare(df, path, config)?;
    let y = &prepared.labels;
    let dates = prepared.dates.as_deref();
    let split = split_rows(y, dates, config.holdout, config.seed);
    let y_holdout: Vec<bool> = split.holdout.iter().map(|&r| y[r]).collect();
    let pos_holdout = y_holdout.iter().filter(|c| **c).count();
    if pos_holdout == 0 || pos_holdout == y_holdout.len() {
        warnings.push(format!(
            "the holdout ({} rows) has only one class, so ROC AUC is undefined there",
            y_holdout.len()
        ));
    }
    let fitted = fit_rows(&prepared, &split.train, path, config, progress)?;
    if fitted.cv.iter().any(|r| !r.converged) {
        warnings.push("some cross-validation fits did not converge within the iteration cap; raise --max-iterations".into());
    }
    if !fitted.weights.converged {
        warnings.push(format!(
            "the final fit did not converge (gradient norm {:.3e}); raise --max-iterations",
            fitted.weights.gradient_norm
        ));
    }
    let p_holdout = fitted.predict(&prepared, &split.holdout, path)?;
    let chosen_on = format!("holdout ({} leads)", y_holdout.len());
    let (cutoffs, choice) = match choose_cutoffs(
        config.mql,
        config.sql,
        &y_holdout,
        &p_holdout,
        arrival_rate(dates),
        chosen_on,
    ) {
        Ok(chosen) => chosen,
        Err(e) if config.default_policies => {
            warnings.push(format!(
                "default cut-off policies could not be applied on the holdout ({e}); using MQL {DEFAULT_MQL} and SQL {DEFAULT_SQL}"
            ));
            let fixed = Cutoffs::default();
            let choice = CutoffChoice {
                mql_policy: CutoffPolicy::Probability(DEFAULT_MQL),
                sql_policy: CutoffPolicy::Probability(DEFAULT_SQL),
                chosen_on: "fallback".into(),
                mql: outcome(&y_holdout, &p_holdout, fixed.mql()),
                sql: outcome(&y_holdout, &p_holdout, fixed.sql()),
            };
            (fixed, choice)
        }
        Err(e) => return Err(e),
    };
    let evaluation = evaluate(&y_holdout, &p_holdout, cutoffs, config.points);
    let first_last = dates.map(|d| {
        let min = d.iter().copied().min().unwrap_or(0);
        let max = d.iter().copied().max().unwrap_or(0);
        (format_date(min), format_date(max))
    });
    let from_date = dates
        .and_then(|d| split.holdout.iter().map(|&r| d[r]).min())
        .map(format_date);
    let name = config.name.clone().unwrap_or_else(|| {
        path.file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "model".into())
    });
    let positives = y.iter().filter(|c| **c).count();
    let training = TrainingCard {
        data_file: path
            .file_name()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default(),
        data_sha256: crate::data::sha256_file(path)?,
        rows: y.len(),
        positives,
        rows_train: split.train.len(),
        positives_train: split.train.iter().filter(|&&r| y[r]).count(),
        date_range: first_last,
        warnings,
    };
    let model = Model::new(ModelParts {
        name,
        training,
        schema: prepared.schema,
        encoder: fitted.encoder,
        weights: fitted.weights.weights.to_vec(),
        intercept: fitted.weights.intercept,
        regularisation: Regularisation {
            alpha: fitted.alpha,
            c: 1.0 / fitted.alpha,
            folds: config.folds,
            cv: fitted.cv,
            converged: fitted.weights.converged,
            gradient_norm: fitted.weights.gradient_norm,
        },
        holdout: Holdout {
            split: if dates.is_some() {
                "time".into()
            } else {
                "stratified random".into()
            },
            fraction: config.holdout,
            from_date,
            metrics: evaluation.metrics,
        },
        cutoffs,
        cutoff_choice: Some(choice),
        term_means: fitted.term_means,
        points: config.points,
    });
    Ok(Trained {
        model,
        holdout: evaluation,
        holdout_labels: y_holdout,
        holdout_probabilities: p_holdout,
    })
}

/// Turn an encoding failure at (feature, row) into a user-facing error.
pub fn encode_error_to_error(
    path: &Path,
    schema: &Schema,
    feature: usize,
    row: usize,
    e: EncodeError,
) -> Error {
    let column = schema.features[feature].name.clone();
    let path = path.to_path_buf();
    let row = row + 1;
    match e {
        EncodeError::NotANumber(value) => Error::NonNumeric {
            path,
            column,
            row,
            value,
        },
        EncodeError::NonFinite(value) => Error::NonFinite {
            path,
            column,
            row,
            value,
        },
        EncodeError::NotBoolean(value) => Error::NotBoolean {
            path,
            column,
            row,
            value,
        },
        EncodeError::Required => Error::MissingRequired { path, column, row },
        EncodeError::OutOfDomain(value) => Error::OutOfDomain {
            path,
            column,
            row,
            value,
        },
    }
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

/// Row indices of the training part and the holdout.
#[derive(Debug, Clone)]
pub struct Split {
    /// Rows to fit on.
    pub train: Vec<usize>,
    /// Rows held out.
    pub holdout: Vec<usize>,
}

/// Newest `fraction` of rows by date when dates are given (ties broken by
/// row order), else a stratified random `fraction` of each class.
pub fn split_rows(y: &[bool], dates: Option<&[i64]>, fraction: f64, seed: u64) -> Split {
    let n = y.len();
    match dates {
        Some(d) => {
            let mut order: Vec<usize> = (0..n).collect();
            order.sort_by_key(|&r| (d[r], r));
            let n_holdout = ((n as f64) * fraction).round() as usize;
            let holdout = order.split_off(n - n_holdout.min(n));
            order.sort_unstable();
            let mut holdout = holdout;
            holdout.sort_unstable();
            Split {
                train: order,
                holdout,
            }
        }
        None => {
            let mut rng = StdRng::seed_from_u64(seed);
            let (mut train, mut holdout) = (Vec::new(), Vec::new());
            for class in [true, false] {
                let mut rows: Vec<usize> = (0..n).filter(|&r| y[r] == class).collect();
                rows.shuffle(&mut rng);
                let k = ((rows.len() as f64) * fraction).round() as usize;
                holdout.extend_from_slice(&rows[..k]);
                train.extend_from_slice(&rows[k..]);
            }
            train.sort_unstable();
            holdout.sort_unstable();
            Split { train, holdout }
        }
    }
}

/// Stratified fold assignment: each class shuffled and dealt round-robin.
pub fn stratified_folds(y: &[bool], folds: usize, seed: u64) -> Vec<usize> {
    let mut rng = StdRng::seed_from_u64(seed.wrapping_add(1));
    let mut fold_of = vec![0; y.len()];
    for class in [true, false] {
        let mut rows: Vec<usize> = (0..y.len()).filter(|&r| y[r] == class).collect();
        rows.shuffle(&mut rng);
        for (i, r) in rows.into_iter().enumerate() {
            fold_of[r] = i % folds;
        }
    }
    fold_of
}

/// One fold's (validation log loss, converged) per penalty.
type FoldResult = Vec<(f64, bool)>;

/// Validation log loss per (fold, alpha), folds run in parallel on the
/// available cores; within a fold each penalty warm-starts from the previous.
fn cross_validate(
    x: ArrayView2<'_, f64>,
    y: &[bool],
    config: &TrainConfig,
    progress: &dyn Progress,
) -> Result<Vec<CvRow>> {
    let fold_of = stratified_folds(y, config.folds, config.seed);
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(config.folds);
    let run_fold = |fold: usize| -> Result<FoldResult> {
        let fit_rows: Vec<usize> = (0..y.len()).filter(|&r| fold_of[r] != fold).collect();
        let val_rows: Vec<usize> = (0..y.len()).filter(|&r| fold_of[r] == fold).collect();
        let x_fit: Array2<f64> = take_rows(x, &fit_rows);
        let x_val: Array2<f64> = take_rows(x, &val_rows);
        let y_fit: Vec<bool> = fit_rows.iter().map(|&r| y[r]).collect();
        let y_val: Vec<bool> = val_rows.iter().map(|&r| y[r]).collect();
        let mut previous: Option<FittedWeights> = None;
        let mut out = Vec::with_capacity(config.alphas.len());
        for &alpha in &config.alphas {
            let fitted = fit_logistic(
                x_fit.view(),
                &y_fit,
                alpha,
                previous.as_ref(),
                config.max_iterations,
                Tolerance::CROSS_VALIDATION,
            )?;
            out.push((
                log_loss(&y_val, &fitted.predict(x_val.view())),
                fitted.converged,
            ));
            previous = Some(fitted);
            progress.advance(1);
        }
        Ok(out)
    };
    let results: Vec<Result<FoldResult>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let run_fold = &run_fold;
                scope.spawn(move || {
                    (t..config.folds)
                        .step_by(threads)
                        .map(|fold| (fold, run_fold(fold)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let mut by_fold: Vec<(usize, Result<FoldResult>)> = handles
            .into_iter()
            .flat_map(|h| {
                h.join().unwrap_or_else(|_| {
                    vec![(
                        0,
                        Err(Error::Fit("a cross-validation worker panicked".into())),
                    )]
                })
            })
            .collect();
        by_fold.sort_by_key(|(f, _)| *f);
        by_fold.into_iter().map(|(_, r)| r).collect()
    });
    let per_fold = results.into_iter().collect::<Result<Vec<_>>>()?;
    Ok(config
        .alphas
        .iter()
        .enumerate()
        .map(|(a, &alpha)| {
            let losses: Vec<f64> = per_fold.iter().map(|f| f[a].0).collect();
            let mean = losses.iter().sum::<f64>() / losses.len() as f64;
            let var =
                losses.iter().map(|l| (l - mean) * (l - mean)).sum::<f64>() / losses.len() as f64;
            CvRow {
                alpha,
                mean_log_loss: mean,
                std_log_loss: var.sqrt(),
                converged: per_fold.iter().all(|f| f[a].1),
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_split_holds_out_the_newest_rows() {
        let y = vec![
            true, false, false, true, false, false, false, false, true, false,
        ];
        let dates: Vec<i64> = vec![9, 1, 8, 2, 7, 3, 6, 4, 5, 0];
        let s = split_rows(&y, Some(&dates), 0.2, 1);
        assert_eq!(s.holdout, vec![0, 2]);
        let newest_train = s.train.iter().map(|&r| dates[r]).max();
        assert!(newest_train < s.holdout.iter().map(|&r| dates[r]).min());
    }

    #[test]
    fn random_split_is_stratified_and_disjoint() {
        let y: Vec<bool> = (0..1000).map(|i| i % 10 == 0).collect();
        let s = split_rows(&y, None, 0.2, 42);
        assert_eq!(s.holdout.len(), 200);
        assert_eq!(s.holdout.iter().filter(|&&r| y[r]).count(), 20);
        let mut all: Vec<usize> = s.train.iter().chain(&s.holdout).copied().collect();
        all.sort_unstable();
        assert_eq!(all, (0..1000).collect::<Vec<_>>());
    }

    #[test]
    fn folds_are_stratified() {
        let y: Vec<bool> = (0..500).map(|i| i % 5 == 0).collect();
        let folds = stratified_folds(&y, 5, 7);
        for f in 0..5 {
            let pos = (0..500).filter(|&r| folds[r] == f && y[r]).count();
            assert_eq!(pos, 20, "fold {f}");
        }
    }
}
