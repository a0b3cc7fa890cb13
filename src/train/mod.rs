//! Training: checked settings → preparation (schema, labels, typed columns)
//! → split → encoder → penalty chosen by stratified k-fold cross-validation →
//! final fit on the training part → holdout metrics and cut-offs → [`Model`].

mod cv;
pub mod fit;
pub mod job;
pub mod leakage;
mod newton;
pub mod prepare;
mod queue;
pub mod representation;
pub mod settings;
pub mod split;
pub mod summary;

use std::path::Path;

use polars::prelude::DataFrame;

pub use prepare::{prepare, Prepared};
pub use settings::{TrainConfig, TrainSettings};
pub use split::{split_rows, stratified_folds, Split};

use crate::encode::choice::{ChoiceBasis, RepresentationChoice};
use crate::encode::Encoder;
use crate::error::{Error, Result};
use crate::evaluate::cutoffs::{arrival_rate, choose_cutoffs};
use crate::evaluate::evaluation::{evaluate, Evaluation};
use crate::evaluate::policy::{outcome, CutoffPolicy};
use crate::io::dates::format_date;
use crate::io::sha256_file;
use crate::model::reference::TrainingReference;
use crate::model::stages::{Cutoffs, DEFAULT_MQL, DEFAULT_SQL};
use crate::model::{
    CutoffChoice, CvRow, DesignCheck, Holdout, Model, ModelParts, Regularisation, TrainingCard,
};
use crate::progress::Phase;
use crate::progress::Progress;
use cv::{cross_validate, CrossValidation};
use fit::{fit_logistic, take_rows, FittedWeights, Tolerance};
use split::cv_sample;

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
    /// The whole-model check of the representation choices, when one ran.
    pub representations: Option<DesignCheck>,
    /// The fitted model's probability of every row in `rows` (same order).
    pub probabilities: Vec<f64>,
}

impl FittedRows {
    /// Conversion probabilities for `rows` of the prepared table.
    pub fn predict(&self, prepared: &Prepared, rows: &[usize], path: &Path) -> Result<Vec<f64>> {
        let x = prepared.design_matrix(&self.encoder, rows, path)?;
        Ok(self.weights.predict(x.view()))
    }
}

/// Each warm-start stage of the final fit uses this many times the rows of the
/// one before (from the cross-validation sample up to all rows).
const FINAL_FIT_GROWTH: usize = 4;

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
            converted: positives,
            others: y.len() - positives,
            folds: config.folds,
        });
    }
    let choices = {
        let _phase = Phase::start(
            progress,
            "choosing each numeric feature's representation by cross-validation",
            0,
        );
        representation::choose(prepared, rows, config)?
    };
    let plain = plain_alternative(&choices);
    let cv_rows = cv_sample(&y, config.cv_max_rows, config.seed);
    let check_fits = if plain.is_some() {
        config.folds * CHECK_PENALTIES
    } else {
        0
    };
    let _cv_phase = Phase::start(
        progress,
        &format!(
            "cross-validating the penalty{} on {} of {} rows",
            if plain.is_some() {
                " (and plain values, for the whole-model check)"
            } else {
                ""
            },
            cv_rows.len(),
            y.len()
        ),
        (config.folds * config.alphas.len() + check_fits) as u64,
    );
    let (encoder, x) = encode_design(prepared, rows, &choices, path)?;
    let cv = cross_validate_design(x.view(), &y, &cv_rows, config, progress)?;
    let (encoder, x, cv, representations) = match plain {
        None => (encoder, x, cv, None),
        Some(plain_choices) => {
            // Plain values at the chosen design's best penalty and its two
            // neighbours: a plain design that needs a penalty two steps away
            // is a different model, not a near miss.
            let best = best_index(&cv);
            let around = TrainConfig {
                alphas: config.alphas[best.saturating_sub(1)..(best + 2).min(config.alphas.len())]
                    .to_vec(),
                ..config.clone()
            };
            let (plain_encoder, plain_x) = encode_design(prepared, rows, &plain_choices, path)?;
            let plain_cv = cross_validate_design(plain_x.view(), &y, &cv_rows, &around, progress)?;
            let (chosen_loss, plain_loss) = (best_loss(&cv), best_loss(&plain_cv));
            let kept_chosen = chosen_loss <= plain_loss;
            let check = Some(DesignCheck {
                chosen_cv_log_loss: chosen_loss,
                plain_cv_log_loss: plain_loss,
                kept_chosen,
            });
            if kept_chosen {
                (encoder, x, cv, check)
            } else {
                // Plain values won: their whole penalty path, for the table
                // and the final fit's warm start.
                let plain_cv =
                    cross_validate_design(plain_x.view(), &y, &cv_rows, config, progress)?;
                (plain_encoder, plain_x, plain_cv, check)
            }
        }
    };
    drop(_cv_phase);
    let best = best_index(&cv);
    let alpha = cv.table.get(best).map_or(config.alphas[0], |r| r.alpha);
    let weights = {
        let _phase = Phase::start(
            progress,
            &format!("final fit on {} rows (alpha {alpha})", y.len()),
            0,
        );
        // Warm-started from the mean fold solution at the chosen penalty, then
        // refined on stratified samples four times larger each time: most
        // iterations run on the cheap small samples, the full data only
        // polishes a solution that is already within its sampling noise.
        let mut start = cv.mean_solutions.get(best).cloned();
        let mut stage_rows = cv_rows.len().saturating_mul(FINAL_FIT_GROWTH);
        while stage_rows.saturating_mul(2) <= y.len() {
            let rows = cv_sample(&y, stage_rows, config.seed);
            let y_stage: Vec<bool> = rows.iter().map(|&r| y[r]).collect();
            let fitted = fit_logistic(
                take_rows(x.view(), &rows).view(),
                &y_stage,
                alpha,
                start.as_ref(),
                config.max_iterations,
                Tolerance::CROSS_VALIDATION,
            )?;
            start = Some(fitted);
            stage_rows = stage_rows.saturating_mul(FINAL_FIT_GROWTH);
        }
        fit_logistic(
            x.view(),
            &y,
            alpha,
            start.as_ref(),
            config.max_iterations,
            Tolerance::FINAL,
        )?
    };
    let cv = cv.table;
    let probabilities = weights.predict(x.view());
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
        representations,
        probabilities,
    })
}

/// The same choices with plain values wherever cross-validation chose
/// something else; `None` when nothing differs.
fn plain_alternative(
    choices: &[Option<RepresentationChoice>],
) -> Option<Vec<Option<RepresentationChoice>>> {
    let differs = |c: &RepresentationChoice| {
        c.basis == ChoiceBasis::CrossValidation && c.chosen != crate::schema::Transform::None
    };
    if !choices.iter().flatten().any(differs) {
        return None;
    }
    Some(
        choices
            .iter()
            .map(|c| {
                c.as_ref().map(|c| {
                    if differs(c) {
                        RepresentationChoice {
                            chosen: crate::schema::Transform::None,
                            basis: ChoiceBasis::WholeModel,
                            candidates: c.candidates.clone(),
                        }
                    } else {
                        c.clone()
                    }
                })
            })
            .collect(),
    )
}

/// Penalties the whole-model check tries plain values at: the chosen
/// design's best and its neighbours.
const CHECK_PENALTIES: usize = 3;

/// The penalty with the lowest finite mean validation log loss (the first
/// when none is finite).
fn best_index(cv: &CrossValidation) -> usize {
    cv.table
        .iter()
        .enumerate()
        .filter(|(_, r)| r.mean_log_loss.is_finite())
        .min_by(|a, b| a.1.mean_log_loss.total_cmp(&b.1.mean_log_loss))
        .map_or(0, |(i, _)| i)
}

/// The lowest finite mean validation log loss over the penalties.
fn best_loss(cv: &CrossValidation) -> f64 {
    cv.table
        .get(best_index(cv))
        .map_or(f64::INFINITY, |r| r.mean_log_loss)
}

/// The encoder fitted with `choices` and the design matrix of `rows`.
fn encode_design(
    prepared: &Prepared,
    rows: &[usize],
    choices: &[Option<RepresentationChoice>],
    path: &Path,
) -> Result<(Encoder, ndarray::Array2<f64>)> {
    let encoder = Encoder::fit(
        &prepared.schema,
        &prepared.columns,
        rows,
        &prepared.labels,
        choices,
    );
    let x = prepared.design_matrix(&encoder, rows, path)?;
    Ok((encoder, x))
}

/// The penalty's cross-validation on `cv_rows` (positions in `y`) of `x`.
fn cross_validate_design(
    x: ndarray::ArrayView2<'_, f64>,
    y: &[bool],
    cv_rows: &[usize],
    config: &TrainConfig,
    progress: &dyn Progress,
) -> Result<CrossValidation> {
    if cv_rows.len() == y.len() {
        cross_validate(x, y, config, progress)
    } else {
        let y_cv: Vec<bool> = cv_rows.iter().map(|&r| y[r]).collect();
        cross_validate(take_rows(x, cv_rows).view(), &y_cv, config, progress)
    }
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

/// Train a model on a table read from `path`.
pub fn train(
    df: &DataFrame,
    path: &Path,
    config: &TrainConfig,
    progress: &dyn Progress,
) -> Result<Trained> {
    let mut warnings = Vec::new();
    let prepared = {
        let _phase = Phase::start(progress, "inferring the schema and reading the columns", 0);
        prepare(df, path, config)?
    };
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
    let leakage = leakage::check(
        &prepared.schema,
        &prepared.columns,
        y,
        &split.train,
        &config.allow_leaky,
    );
    if leakage.iter().any(|f| f.refused) {
        return Err(Error::LeakageSuspected {
            path: path.to_path_buf(),
            findings: leakage
                .iter()
                .filter(|f| f.refused)
                .map(|f| format!("'{}': {}", f.column, f.evidence))
                .collect(),
        });
    }
    for f in &leakage {
        warnings.push(format!(
            "possible leakage in '{}'{}: {}",
            f.column,
            if f.rule == leakage::LeakRule::Name {
                ""
            } else {
                " (allowed by --allow-leaky)"
            },
            f.evidence
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
    let _evaluating = Phase::start(
        progress,
        &format!("evaluating on the holdout ({} rows)", split.holdout.len()),
        0,
    );
    let p_holdout = fitted.predict(&prepared, &split.holdout, path)?;
    let chosen_on = format!("holdout ({} leads)", y_holdout.len());
    let (cutoffs, choice) = match choose_cutoffs(
        config.mql,
        config.sql,
        &y_holdout,
        &p_holdout,
        arrival_rate(dates),
        chosen_on,
        &config.points,
    ) {
        Ok(chosen) => chosen,
        Err(e) if config.default_policies => {
            warnings.push(format!(
                "default cut-off policies could not be applied on the holdout ({e}); using MQL {DEFAULT_MQL} and SQL {DEFAULT_SQL}"
            ));
            let fixed = Cutoffs::default().snapped_to(
                &config.points,
                crate::model::stages::Snap::Down,
                crate::model::stages::Snap::Down,
            )?;
            let choice = CutoffChoice {
                mql_policy: CutoffPolicy::fixed(fixed.mql())?,
                sql_policy: CutoffPolicy::fixed(fixed.sql())?,
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
    let reference = TrainingReference::build(
        fitted.encoder.features(),
        &prepared.columns,
        &split.train,
        &fitted.probabilities,
        fitted
            .probabilities
            .iter()
            .map(|&p| cutoffs.stage(&config.points, p)),
    );
    let training = TrainingCard {
        data_file: path
            .file_name()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default(),
        data_sha256: sha256_file(path)?,
        rows: y.len(),
        positives,
        rows_train: split.train.len(),
        positives_train: split.train.iter().filter(|&&r| y[r]).count(),
        date_range: first_last,
        warnings,
        leakage: Some(leakage),
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
            representations: fitted.representations,
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
        reference: Some(reference),
    });
    Ok(Trained {
        model,
        holdout: evaluation,
        holdout_labels: y_holdout,
        holdout_probabilities: p_holdout,
    })
}
