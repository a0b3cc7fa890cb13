//! Cross-validation of the penalty: stratified folds run in parallel on the
//! available cores, each fold walking the penalties from strongest to weakest
//! with warm starts; the validation log loss decides.

use ndarray::{Array2, ArrayView2};

use super::fit::{fit_logistic, take_rows, FittedWeights, Tolerance};
use super::settings::TrainConfig;
use super::split::stratified_folds;
use crate::error::{Error, Result};
use crate::evaluate::metrics::log_loss;
use crate::model::CvRow;
use crate::progress::Progress;

/// One fold's (validation log loss, converged) per penalty.
type FoldResult = Vec<(f64, bool)>;

/// Validation log loss per (fold, alpha), folds run in parallel on the
/// available cores; within a fold each penalty warm-starts from the previous.
pub(super) fn cross_validate(
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
                h.join()
                    .unwrap_or_else(|_| vec![(0, Err(Error::WorkerPanicked))])
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
