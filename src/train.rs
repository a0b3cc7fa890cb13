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
use crate::fit::{fit_logistic, take_rows, FittedWeights, Tolerance, DEFAULT_MAX_ITERATIONS};
use crate::label::read_labels;
use crate::metrics::{log_loss, Metrics};
use crate::model::{CvRow, Holdout, Model, ModelParts, Regularisation, TrainingCard};
use crate::progress::Progress;
use crate::schema::{
    infer_schema, ColumnOverride, ColumnsConfig, Schema, SchemaConfig, DEFAULT_MIN_FREQUENCY,
};
use crate::stages::{Cutoffs, DEFAULT_MQL, DEFAULT_SQL};

/// Penalties tried by cross-validation by default: α on the summed log loss
/// (= 1/C in scikit-learn), strongest first so each fit warm-starts the next.
pub const DEFAULT_ALPHAS: [f64; 7] = [1e4, 1e3, 1e2, 1e1, 1.0, 1e-1, 1e-2];
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
    /// MQL cut-off.
    pub mql: Option<f64>,
    /// SQL cut-off.
    pub sql: Option<f64>,
    /// Iteration cap per fit.
    pub max_iterations: Option<u64>,
    /// Model name (default: the data file's stem).
    pub name: Option<String>,
}

/// Checked training configuration.
#[derive(Debug, Clone)]
pub struct TrainConfig {
    schema: SchemaConfig,
    folds: usize,
    alphas: Vec<f64>,
    holdout: f64,
    seed: u64,
    cutoffs: Cutoffs,
    max_iterations: u64,
    name: Option<String>,
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
        let cutoffs = Cutoffs::new(
            self.mql.unwrap_or(DEFAULT_MQL),
            self.sql.unwrap_or(DEFAULT_SQL),
        )?;
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
            cutoffs,
            max_iterations,
            name: self.name,
        })
    }
}

/// Train a model on a table read from `path`.
pub fn train(
    df: &DataFrame,
    path: &Path,
    config: &TrainConfig,
    progress: &dyn Progress,
) -> Result<Model> {
    let mut warnings = Vec::new();
    let mut schema = infer_schema(df, path, &config.schema)?;
    let labels = read_labels(df, path, &schema.label, config.schema.positive.as_deref())?;
    schema.positive = labels.positive.clone();
    let y = &labels.converted;
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

    let split = split_rows(y, dates.as_deref(), config.holdout, config.seed);
    let train_rows = split.train;
    let holdout_rows = split.holdout;
    let y_train: Vec<bool> = train_rows.iter().map(|&r| y[r]).collect();
    let y_holdout: Vec<bool> = holdout_rows.iter().map(|&r| y[r]).collect();
    let pos_train = y_train.iter().filter(|c| **c).count();
    if pos_train < config.folds || y_train.len() - pos_train < config.folds {
        return Err(Error::TooFewRows {
            path: path.to_path_buf(),
            detail: format!(
                "the training part has {pos_train} converted and {} other leads; {}-fold cross-validation needs at least {} of each",
                y_train.len() - pos_train,
                config.folds,
                config.folds
            ),
        });
    }
    let pos_holdout = y_holdout.iter().filter(|c| **c).count();
    if pos_holdout == 0 || pos_holdout == y_holdout.len() {
        warnings.push(format!(
            "the holdout ({} rows) has only one class, so ROC AUC is undefined there",
            y_holdout.len()
        ));
    }

    let encoder = Encoder::fit(&schema, &columns, &train_rows);
    let encode_error =
        |(f, row, e): (usize, usize, EncodeError)| encode_error_to_error(path, &schema, f, row, e);
    let x_train = encoder
        .design_matrix(&columns, &train_rows)
        .map_err(encode_error)?;
    let x_holdout = encoder
        .design_matrix(&columns, &holdout_rows)
        .map_err(encode_error)?;

    let total = (config.folds * config.alphas.len() + 1) as u64;
    progress.start("cross-validating the penalty", total);
    let cv = cross_validate(x_train.view(), &y_train, config, progress)?;
    let best = cv
        .iter()
        .filter(|r| r.mean_log_loss.is_finite())
        .min_by(|a, b| a.mean_log_loss.total_cmp(&b.mean_log_loss))
        .map(|r| r.alpha)
        .unwrap_or(1.0);
    if cv.iter().any(|r| !r.converged) {
        warnings.push("some cross-validation fits did not converge within the iteration cap; raise --max-iterations".into());
    }
    let fitted = fit_logistic(
        x_train.view(),
        &y_train,
        best,
        None,
        config.max_iterations,
        Tolerance::FINAL,
    )?;
    progress.advance(1);
    progress.finish();
    if !fitted.converged {
        warnings.push(format!(
            "the final fit did not converge (gradient norm {:.3e}); raise --max-iterations",
            fitted.gradient_norm
        ));
    }

    let p_holdout = fitted.predict(x_holdout.view());
    let metrics = Metrics::compute(&y_holdout, &p_holdout);
    let first_last = dates.as_ref().map(|d| {
        let min = d.iter().copied().min().unwrap_or(0);
        let max = d.iter().copied().max().unwrap_or(0);
        (format_date(min), format_date(max))
    });
    let from_date = dates
        .as_ref()
        .and_then(|d| holdout_rows.iter().map(|&r| d[r]).min())
        .map(format_date);
    let name = config.name.clone().unwrap_or_else(|| {
        path.file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "model".into())
    });
    let training = TrainingCard {
        data_file: path
            .file_name()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default(),
        data_sha256: crate::data::sha256_file(path)?,
        rows: y.len(),
        positives: labels.positives(),
        rows_train: y_train.len(),
        positives_train: pos_train,
        date_range: first_last,
        warnings,
    };
    Ok(Model::new(ModelParts {
        name,
        training,
        schema,
        encoder,
        weights: fitted.weights.to_vec(),
        intercept: fitted.intercept,
        regularisation: Regularisation {
            alpha: best,
            c: 1.0 / best,
            folds: config.folds,
            cv,
            converged: fitted.converged,
            gradient_norm: fitted.gradient_norm,
        },
        holdout: Holdout {
            split: if dates.is_some() {
                "time".into()
            } else {
                "stratified random".into()
            },
            fraction: config.holdout,
            from_date,
            metrics,
        },
        cutoffs: config.cutoffs,
    }))
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
        EncodeError::OutOfDomain(value) => Error::OutOfDomain {
            path,
            column,
            row,
            value,
        },
    }
}

fn read_dates(df: &DataFrame, path: &Path, name: &str) -> Result<Vec<i64>> {
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
