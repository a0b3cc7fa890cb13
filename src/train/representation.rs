//! Each numeric feature's representation, chosen by evidence on the training
//! part: the plain line, `log1p` (non-negative features), quantile bins and
//! monotone bins are each fitted alone (a logistic regression on the
//! feature's own terms, its missing and sentinel indicators included) in
//! stratified k-fold cross-validation, and the lowest mean validation log
//! loss wins; a candidate must beat a simpler one by more than
//! [`SIMPLER_WINS_WITHIN`] of its loss. Bins are fitted inside each fold, so
//! the labels a monotone merge reads are never the ones it is judged on.
//! `transform` in `leadscore.toml` skips the contest.
//!
//! A per-feature contest cannot see how features overlap, so [`super::fit_rows`]
//! then cross-validates the whole model with plain values as well (at the
//! chosen design's best penalty and its two neighbours), and keeps whichever
//! has the lower log loss.

use super::newton::{fit, Grouped};
use super::prepare::Prepared;
use super::queue::{cores, map_on_cores};
use super::settings::TrainConfig;
use super::split::{cv_sample, stratified_folds};
use crate::encode::choice::{CandidateScore, ChoiceBasis, RepresentationChoice};
use crate::encode::{FeatureColumn, NumericEncoder};
use crate::error::Result;
use crate::evaluate::metrics::log_loss;
use crate::schema::{FeatureKind, FeatureSpec, Transform};

/// The contest runs on a stratified sample of at most this many training rows.
pub const MAX_ROWS: usize = 50_000;
/// Penalty of the one-feature fits (α = 1/C on the summed log loss): enough
/// to pin down one-hot bins beside the intercept, negligible otherwise.
const ALPHA: f64 = 1.0;
/// Candidates in order of preference; a later one must lower the loss by
/// more than this share to win over an earlier one.
pub const SIMPLER_WINS_WITHIN: f64 = 1e-4;
const CANDIDATES: [Transform; 4] = [
    Transform::None,
    Transform::Log1p,
    Transform::MonotoneBins,
    Transform::Bins,
];

/// The representation of every feature (`None` for features that are not
/// numeric), decided on `rows` of the prepared table.
pub fn choose(
    prepared: &Prepared,
    rows: &[usize],
    config: &TrainConfig,
) -> Result<Vec<Option<RepresentationChoice>>> {
    let y: Vec<bool> = rows.iter().map(|&r| prepared.labels[r]).collect();
    let sample: Vec<usize> = cv_sample(&y, MAX_ROWS, config.seed)
        .into_iter()
        .map(|i| rows[i])
        .collect();
    let y_sample: Vec<bool> = sample.iter().map(|&r| prepared.labels[r]).collect();
    let fold_of = stratified_folds(&y_sample, config.folds, config.seed);
    let contest = Contest::new(&prepared.labels, rows, &sample, &fold_of, config.folds);
    let features = &prepared.schema.features;
    map_on_cores(features.len(), cores(), |i| {
        contest.decide(&features[i], &prepared.columns[i])
    })
}

/// The rows and folds every feature's contest uses.
struct Contest<'a> {
    /// Every row's label.
    labels: &'a [bool],
    /// All training rows (the final representation is fitted on these).
    rows: &'a [usize],
    /// Per fold: the sample rows fitted on, the rows validated on and their labels.
    folds: Vec<Fold>,
}

/// One fold of the cross-validation sample.
struct Fold {
    fit_rows: Vec<usize>,
    y_fit: Vec<bool>,
    val_rows: Vec<usize>,
    y_val: Vec<bool>,
}

impl<'a> Contest<'a> {
    /// Split `sample` (row indices) into `folds` by `fold_of` (per sample
    /// position), once for every feature and candidate.
    fn new(
        labels: &'a [bool],
        rows: &'a [usize],
        sample: &[usize],
        fold_of: &[usize],
        folds: usize,
    ) -> Contest<'a> {
        let folds = (0..folds)
            .map(|fold| {
                let (mut val_rows, mut fit_rows) = (Vec::new(), Vec::new());
                for (&row, &f) in sample.iter().zip(fold_of) {
                    if f == fold {
                        val_rows.push(row);
                    } else {
                        fit_rows.push(row);
                    }
                }
                let labels_of = |rows: &[usize]| rows.iter().map(|&r| labels[r]).collect();
                Fold {
                    y_fit: labels_of(&fit_rows),
                    y_val: labels_of(&val_rows),
                    fit_rows,
                    val_rows,
                }
            })
            .collect();
        Contest {
            labels,
            rows,
            folds,
        }
    }
}

impl Contest<'_> {
    fn decide(&self, spec: &FeatureSpec, column: &FeatureColumn) -> Option<RepresentationChoice> {
        if spec.kind != FeatureKind::Numeric {
            return None;
        }
        if let Some(chosen) = spec.transform {
            return Some(RepresentationChoice {
                chosen,
                basis: ChoiceBasis::Configured,
                candidates: Vec::new(),
            });
        }
        let mut candidates = Vec::new();
        for transform in CANDIDATES {
            if transform == Transform::Log1p && !non_negative(spec, column, self.rows) {
                continue;
            }
            let bins = if transform.is_binned() {
                let whole = NumericEncoder::fit(spec, column, self.rows, self.labels, transform);
                if whole.transform() != transform {
                    continue;
                }
                whole.bins().map(|b| b.len())
            } else {
                None
            };
            if let Some(cv_log_loss) = self.cv_log_loss(spec, column, transform) {
                candidates.push(CandidateScore {
                    transform,
                    cv_log_loss,
                    bins,
                });
            }
        }
        let mut best: Option<&CandidateScore> = None;
        for c in &candidates {
            if best.is_none_or(|b| c.cv_log_loss < b.cv_log_loss * (1.0 - SIMPLER_WINS_WITHIN)) {
                best = Some(c);
            }
        }
        let chosen = best.map_or(Transform::None, |b| b.transform);
        Some(RepresentationChoice {
            chosen,
            basis: ChoiceBasis::CrossValidation,
            candidates,
        })
    }

    /// Mean validation log loss of the feature alone under `transform`;
    /// `None` when some fold cannot fit it.
    fn cv_log_loss(
        &self,
        spec: &FeatureSpec,
        column: &FeatureColumn,
        transform: Transform,
    ) -> Option<f64> {
        let mut total = 0.0;
        for fold in &self.folds {
            let encoder = NumericEncoder::fit(spec, column, &fold.fit_rows, self.labels, transform);
            if encoder.transform() != transform || !encoder.is_usable() {
                return None;
            }
            let p = encoder.n_terms();
            let encode = |rows: &[usize]| -> Option<Vec<f64>> {
                let mut x = vec![0.0; rows.len() * p];
                for (out, &r) in x.chunks_exact_mut(p).zip(rows) {
                    encoder.encode(column.raw(r), out).ok()?;
                }
                Some(x)
            };
            let fitted = fit(
                &Grouped::pool(p, &encode(&fold.fit_rows)?, &fold.y_fit),
                ALPHA,
            );
            let x_val = encode(&fold.val_rows)?;
            let predicted: Vec<f64> = x_val.chunks_exact(p).map(|t| fitted.predict(t)).collect();
            total += log_loss(&fold.y_val, &predicted);
        }
        Some(total / self.folds.len() as f64)
    }
}

/// Whether every regular training value is at least 0 (log1p's candidates).
fn non_negative(spec: &FeatureSpec, column: &FeatureColumn, rows: &[usize]) -> bool {
    rows.iter().all(|&r| match column.raw(r) {
        crate::encode::RawValue::Number(v) => v >= 0.0 || Some(v) == spec.sentinel,
        _ => true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::FeatureSpec;
    use rand::{rngs::StdRng, Rng, SeedableRng};

    fn spec() -> FeatureSpec {
        FeatureSpec {
            name: "x".into(),
            kind: FeatureKind::Numeric,
            transform: None,
            sentinel: None,
            min_frequency: 0,
            max_levels: None,
            reason: String::new(),
            required: false,
            age_days: None,
        }
    }

    /// A contest over `values` whose labels follow `logit(v)`.
    fn decide(values: &[f64], logit: impl Fn(f64) -> f64) -> RepresentationChoice {
        let mut rng = StdRng::seed_from_u64(11);
        let labels: Vec<bool> = values
            .iter()
            .map(|&v| rng.gen::<f64>() < crate::encode::sigmoid(logit(v)))
            .collect();
        let rows: Vec<usize> = (0..values.len()).collect();
        let fold_of = stratified_folds(&labels, 5, 7);
        let contest = Contest::new(&labels, &rows, &rows, &fold_of, 5);
        let column = FeatureColumn::Numbers(values.iter().copied().map(Some).collect());
        contest.decide(&spec(), &column).expect("numeric")
    }

    #[test]
    fn the_evidence_picks_the_shape_the_labels_follow() {
        let mut rng = StdRng::seed_from_u64(5);
        // A heavy-tailed count whose effect is logarithmic.
        let counts: Vec<f64> = (0..20_000)
            .map(|_| (rng.gen::<f64>().powi(4) * 500.0).floor())
            .collect();
        let log = decide(&counts, |v| -2.0 + 1.2 * v.ln_1p());
        assert_eq!(log.chosen, Transform::Log1p, "{}", log.describe(None));
        // An age whose effect is U-shaped: only free bins can follow it.
        let ages: Vec<f64> = (0..20_000)
            .map(|_| rng.gen_range(18.0f64..80.0).floor())
            .collect();
        let u = decide(&ages, |v| -1.0 + ((v - 48.0) / 12.0).powi(2) * 0.8 - 1.0);
        assert_eq!(u.chosen, Transform::Bins, "{}", u.describe(None));
        // A plain linear effect on a symmetric value: the line.
        let plain: Vec<f64> = (0..20_000).map(|_| rng.gen_range(-3.0f64..3.0)).collect();
        let line = decide(&plain, |v| -1.0 + 0.8 * v);
        assert_eq!(line.chosen, Transform::None, "{}", line.describe(None));
        assert!(
            line.candidates
                .iter()
                .all(|c| c.transform != Transform::Log1p),
            "log1p is no candidate for negative values"
        );
        assert_eq!(line.basis, ChoiceBasis::CrossValidation);
    }
}
