//! Cross-validation of the penalty: stratified folds run in parallel on the
//! available cores, each fold walking the penalties from strongest to weakest
//! with warm starts; the validation log loss decides.

use ndarray::{Array2, ArrayView2};

use super::fit::{fit_logistic, take_rows, FittedWeights, Tolerance};
use super::queue::{cores, map_on_cores};
use super::settings::TrainConfig;
use super::split::stratified_folds;
use crate::error::Result;
use crate::evaluate::metrics::log_loss;
use crate::model::CvRow;
use crate::progress::Progress;

/// A fold's path stops once a weaker penalty changes its validation log loss
/// by less than this share: the weaker penalties then give the same solution.
pub const PATH_STOP_RELATIVE_CHANGE: f64 = 1e-5;
/// A fold's path also stops once this many weaker penalties in a row have not
/// improved on its best validation log loss (the loss has turned upwards).
pub const PATH_STOP_PATIENCE: usize = 2;

/// Whether a fold's path can stop: its loss has flattened out, or has not
/// improved for [`PATH_STOP_PATIENCE`] penalties. Penalties after the stop
/// keep the last solution and its loss (leadscore does not fit them).
fn path_has_stopped(losses: &[f64]) -> bool {
    if let [.., before, last] = losses {
        if (last - before).abs() <= PATH_STOP_RELATIVE_CHANGE * before.abs() {
            return true;
        }
    }
    let best = losses
        .iter()
        .enumerate()
        .min_by(|a, b| a.1.total_cmp(b.1))
        .map_or(0, |(i, _)| i);
    losses.len() > best + PATH_STOP_PATIENCE
}

/// One fold's validation log loss, convergence and solution per penalty.
type FoldResult = Vec<(f64, bool, FittedWeights)>;

/// The cross-validation table and, per penalty, the mean of the fold
/// solutions (the warm start of the final fit).
pub(super) struct CrossValidation {
    /// One row per penalty.
    pub(super) table: Vec<CvRow>,
    /// Mean fold solution per penalty, in `table` order.
    pub(super) mean_solutions: Vec<FittedWeights>,
}

/// Validation log loss per (fold, alpha). Folds are taken from a shared queue
/// by one worker per core; within a fold each penalty warm-starts from the
/// previous one, and the path stops once the loss stops changing.
pub(super) fn cross_validate(
    x: ArrayView2<'_, f64>,
    y: &[bool],
    config: &TrainConfig,
    progress: &dyn Progress,
) -> Result<CrossValidation> {
    let fold_of = stratified_folds(y, config.folds, config.seed);
    let run_fold = |fold: usize| -> Result<FoldResult> {
        let fit_rows: Vec<usize> = (0..y.len()).filter(|&r| fold_of[r] != fold).collect();
        let val_rows: Vec<usize> = (0..y.len()).filter(|&r| fold_of[r] == fold).collect();
        let x_fit: Array2<f64> = take_rows(x, &fit_rows);
        let x_val: Array2<f64> = take_rows(x, &val_rows);
        let y_fit: Vec<bool> = fit_rows.iter().map(|&r| y[r]).collect();
        let y_val: Vec<bool> = val_rows.iter().map(|&r| y[r]).collect();
        let mut out: FoldResult = Vec::with_capacity(config.alphas.len());
        for &alpha in &config.alphas {
            let losses: Vec<f64> = out.iter().map(|(l, _, _)| *l).collect();
            if let (true, Some(last)) = (path_has_stopped(&losses), out.last().cloned()) {
                out.push(last);
                progress.advance(1);
                continue;
            }
            let fitted = fit_logistic(
                x_fit.view(),
                &y_fit,
                alpha,
                out.last().map(|(_, _, w)| w),
                config.max_iterations,
                Tolerance::CROSS_VALIDATION,
            )?;
            let loss = log_loss(&y_val, &fitted.predict(x_val.view()));
            out.push((loss, fitted.converged, fitted));
            progress.advance(1);
        }
        Ok(out)
    };
    let per_fold = map_on_cores(config.folds, cores(), run_fold)?
        .into_iter()
        .collect::<Result<Vec<_>>>()?;
    let folds = per_fold.len() as f64;
    let mut table = Vec::with_capacity(config.alphas.len());
    let mut mean_solutions = Vec::with_capacity(config.alphas.len());
    for (a, &alpha) in config.alphas.iter().enumerate() {
        let losses: Vec<f64> = per_fold.iter().map(|f| f[a].0).collect();
        let mean = losses.iter().sum::<f64>() / folds;
        let var = losses.iter().map(|l| (l - mean) * (l - mean)).sum::<f64>() / folds;
        table.push(CvRow {
            alpha,
            mean_log_loss: mean,
            std_log_loss: var.sqrt(),
            converged: per_fold.iter().all(|f| f[a].1),
        });
        let solutions: Vec<&FittedWeights> = per_fold.iter().map(|f| &f[a].2).collect();
        mean_solutions.push(FittedWeights::mean(&solutions));
    }
    Ok(CrossValidation {
        table,
        mean_solutions,
    })
}

#[cfg(test)]
mod tests {
    use super::path_has_stopped;

    #[test]
    fn the_path_stops_when_the_loss_flattens_or_turns_up() {
        assert!(!path_has_stopped(&[0.5]));
        assert!(!path_has_stopped(&[0.5, 0.4, 0.35]), "still improving");
        assert!(path_has_stopped(&[0.5, 0.4, 0.4 + 1e-7]), "flat");
        assert!(
            !path_has_stopped(&[0.5, 0.4, 0.41]),
            "one step up: patience"
        );
        assert!(path_has_stopped(&[0.5, 0.4, 0.41, 0.42]), "two steps up");
    }
}
