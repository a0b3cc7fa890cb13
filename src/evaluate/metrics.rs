//! Pure metric functions on `(labels, probabilities)`, matching scikit-learn's
//! definitions: `roc_auc_score`, `average_precision_score`, `log_loss`,
//! `brier_score_loss`.

use serde::{Deserialize, Serialize};

/// Probabilities are clipped to `[EPS, 1 - EPS]` in the log loss, as
/// scikit-learn does with float64 machine epsilon.
const EPS: f64 = f64::EPSILON;

/// The headline metrics of a scored, labelled set of leads.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    /// Rows scored.
    pub rows: usize,
    /// Converted rows.
    pub positives: usize,
    /// Area under the ROC curve (ties count one half).
    pub roc_auc: f64,
    /// Average precision (area under the precision-recall curve, step-wise).
    pub pr_auc: f64,
    /// Mean negative log-likelihood.
    pub log_loss: f64,
    /// Mean squared error of the probability.
    pub brier: f64,
}

impl Metrics {
    /// Compute all metrics. `labels` and `probabilities` have the same length.
    pub fn compute(labels: &[bool], probabilities: &[f64]) -> Metrics {
        Metrics {
            rows: labels.len(),
            positives: labels.iter().filter(|l| **l).count(),
            roc_auc: roc_auc(labels, probabilities),
            pr_auc: average_precision(labels, probabilities),
            log_loss: log_loss(labels, probabilities),
            brier: brier(labels, probabilities),
        }
    }
}

/// Indices sorted by descending score.
fn order_desc(scores: &[f64]) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..scores.len()).collect();
    idx.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    idx
}

/// Cumulative (true positives, false positives) at each distinct score
/// threshold, highest threshold first: the one walk behind every ranking
/// metric. `weight(i)` is row i's weight (1 normally; bootstrap counts).
fn cumulative_counts(
    order: &[usize],
    labels: &[bool],
    scores: &[f64],
    weight: impl Fn(usize) -> f64,
) -> Vec<(f64, f64)> {
    let mut counts = Vec::new();
    let (mut tp, mut fp) = (0.0, 0.0);
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j < order.len() && scores[order[j]] == scores[order[i]] {
            let w = weight(order[j]);
            if labels[order[j]] {
                tp += w;
            } else {
                fp += w;
            }
            j += 1;
        }
        counts.push((tp, fp));
        i = j;
    }
    counts
}

/// Area under the ROC curve from cumulative counts (trapezoids, so tied
/// scores count one half, as in the Mann-Whitney statistic).
fn auc_from_counts(counts: &[(f64, f64)]) -> f64 {
    let Some(&(n_pos, n_neg)) = counts.last() else {
        return f64::NAN;
    };
    if n_pos == 0.0 || n_neg == 0.0 {
        return f64::NAN;
    }
    let (mut area, mut prev) = (0.0, (0.0, 0.0));
    for &(tp, fp) in counts {
        area += (fp - prev.1) * (tp + prev.0) / 2.0;
        prev = (tp, fp);
    }
    area / (n_pos * n_neg)
}

/// ROC AUC with tied scores counting one half. `NaN` when only one class is present.
pub fn roc_auc(labels: &[bool], scores: &[f64]) -> f64 {
    auc_from_counts(&cumulative_counts(
        &order_desc(scores),
        labels,
        scores,
        |_| 1.0,
    ))
}

/// Average precision as scikit-learn defines it: Σ (Rₙ − Rₙ₋₁) Pₙ over
/// distinct score thresholds, highest first. `NaN` without positives.
pub fn average_precision(labels: &[bool], scores: &[f64]) -> f64 {
    let curve = pr_curve(labels, scores);
    if curve.is_empty() {
        return f64::NAN;
    }
    let mut previous_recall = 0.0;
    curve.iter().fold(0.0, |ap, &(recall, precision)| {
        let step = (recall - previous_recall) * precision;
        previous_recall = recall;
        ap + step
    })
}

/// Mean log loss with probabilities clipped to `[ε, 1 − ε]`.
pub fn log_loss(labels: &[bool], probabilities: &[f64]) -> f64 {
    let n = labels.len().max(1) as f64;
    labels
        .iter()
        .zip(probabilities)
        .map(|(&y, &p)| {
            let p = p.clamp(EPS, 1.0 - EPS);
            if y {
                -p.ln()
            } else {
                -(1.0 - p).ln()
            }
        })
        .sum::<f64>()
        / n
}

/// Brier score: mean of (p − y)².
pub fn brier(labels: &[bool], probabilities: &[f64]) -> f64 {
    let n = labels.len().max(1) as f64;
    labels
        .iter()
        .zip(probabilities)
        .map(|(&y, &p)| {
            let d = p - f64::from(u8::from(y));
            d * d
        })
        .sum::<f64>()
        / n
}

/// Kolmogorov-Smirnov statistic between the score distributions of converted
/// and other leads: max over thresholds of |TPR − FPR| (equals
/// `scipy.stats.ks_2samp(...).statistic`). `NaN` with one class.
pub fn ks_statistic(labels: &[bool], scores: &[f64]) -> f64 {
    roc_curve(labels, scores)
        .iter()
        .map(|(fpr, tpr)| (tpr - fpr).abs())
        .fold(f64::NAN, f64::max)
}

/// ROC curve points `(false positive rate, true positive rate)` at every
/// distinct threshold, from (0, 0) to (1, 1). Empty with one class.
pub fn roc_curve(labels: &[bool], scores: &[f64]) -> Vec<(f64, f64)> {
    let counts = cumulative_counts(&order_desc(scores), labels, scores, |_| 1.0);
    let Some(&(n_pos, n_neg)) = counts.last() else {
        return Vec::new();
    };
    if n_pos == 0.0 || n_neg == 0.0 {
        return Vec::new();
    }
    std::iter::once((0.0, 0.0))
        .chain(counts.iter().map(|&(tp, fp)| (fp / n_neg, tp / n_pos)))
        .collect()
}

/// Precision-recall curve points `(recall, precision)` at every distinct
/// threshold, highest threshold first. Empty without positives.
pub fn pr_curve(labels: &[bool], scores: &[f64]) -> Vec<(f64, f64)> {
    let counts = cumulative_counts(&order_desc(scores), labels, scores, |_| 1.0);
    let n_pos = counts.last().map_or(0.0, |c| c.0);
    if n_pos == 0.0 {
        return Vec::new();
    }
    counts
        .iter()
        .map(|&(tp, fp)| (tp / n_pos, tp / (tp + fp)))
        .collect()
}

/// Percentile bootstrap interval of the ROC AUC: `resamples` resamples of
/// the rows with replacement (seeded), the `(1 − level)/2` and
/// `(1 + level)/2` quantiles. The rows are sorted once; each resample costs
/// one weighted pass over them.
pub fn roc_auc_bootstrap(
    labels: &[bool],
    scores: &[f64],
    resamples: usize,
    level: f64,
    seed: u64,
) -> (f64, f64) {
    use rand::{rngs::SmallRng, Rng, SeedableRng};
    let n = labels.len();
    if n == 0 || resamples == 0 {
        return (f64::NAN, f64::NAN);
    }
    let order = order_desc(scores);
    // Tie groups of the sorted scores, found once: (start, end) in `order`.
    let mut groups = Vec::new();
    let mut i = 0;
    while i < n {
        let mut j = i;
        while j < n && scores[order[j]] == scores[order[i]] {
            j += 1;
        }
        groups.push((i, j));
        i = j;
    }
    // Resample r draws from its own seeded generator, so the interval does not
    // depend on how the resamples are spread over the cores.
    let one = |r: usize, weight: &mut Vec<u32>| -> f64 {
        let mut rng =
            SmallRng::seed_from_u64(seed ^ (r as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        weight.iter_mut().for_each(|w| *w = 0);
        for _ in 0..n {
            weight[rng.gen_range(0..n)] += 1;
        }
        let (mut tp, mut fp, mut area) = (0.0f64, 0.0f64, 0.0f64);
        for &(a, b) in &groups {
            let (prev_tp, prev_fp) = (tp, fp);
            for &k in &order[a..b] {
                let w = f64::from(weight[k]);
                if labels[k] {
                    tp += w;
                } else {
                    fp += w;
                }
            }
            area += (fp - prev_fp) * (tp + prev_tp) / 2.0;
        }
        area / (tp * fp)
    };
    let threads = std::thread::available_parallelism()
        .map_or(1, |t| t.get())
        .min(resamples);
    let mut aucs: Vec<f64> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let one = &one;
                scope.spawn(move || {
                    let mut weight = vec![0u32; n];
                    (t..resamples)
                        .step_by(threads)
                        .map(|r| one(r, &mut weight))
                        .collect::<Vec<f64>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    });
    aucs.retain(|a| a.is_finite());
    if aucs.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    aucs.sort_by(f64::total_cmp);
    (
        quantile(&aucs, (1.0 - level) / 2.0),
        quantile(&aucs, (1.0 + level) / 2.0),
    )
}

/// Linear-interpolation quantile of sorted values (numpy's default).
pub(crate) fn quantile(sorted: &[f64], q: f64) -> f64 {
    let pos = q * (sorted.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
}

/// One bin of a reliability table.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CalibrationBin {
    /// Lower edge of the probability bin.
    pub lower: f64,
    /// Upper edge.
    pub upper: f64,
    /// Mean predicted probability in the bin.
    pub mean_predicted: f64,
    /// Observed conversion rate in the bin.
    pub observed_rate: f64,
    /// Leads in the bin.
    pub count: usize,
}

/// Reliability table with `n_bins` equal-width bins over [0, 1], exactly as
/// scikit-learn's `calibration_curve(strategy="uniform")`: edges
/// `i × (1/n_bins)`, a probability on an inner edge goes to the lower bin,
/// empty bins are dropped.
pub fn calibration_table(
    labels: &[bool],
    probabilities: &[f64],
    n_bins: usize,
) -> Vec<CalibrationBin> {
    let step = 1.0 / n_bins as f64;
    let inner: Vec<f64> = (1..n_bins).map(|i| i as f64 * step).collect();
    let mut sums = vec![0.0; n_bins];
    let mut trues = vec![0.0; n_bins];
    let mut counts = vec![0usize; n_bins];
    for (&y, &p) in labels.iter().zip(probabilities) {
        let bin = inner.partition_point(|edge| *edge < p);
        sums[bin] += p;
        trues[bin] += f64::from(u8::from(y));
        counts[bin] += 1;
    }
    (0..n_bins)
        .filter(|&b| counts[b] > 0)
        .map(|b| CalibrationBin {
            lower: b as f64 * step,
            upper: if b + 1 == n_bins {
                1.0
            } else {
                (b + 1) as f64 * step
            },
            mean_predicted: sums[b] / counts[b] as f64,
            observed_rate: trues[b] / counts[b] as f64,
            count: counts[b],
        })
        .collect()
}

/// Expected calibration error: Σ (count / n) × |observed − predicted| over bins.
pub fn expected_calibration_error(bins: &[CalibrationBin]) -> f64 {
    let n: usize = bins.iter().map(|b| b.count).sum();
    bins.iter()
        .map(|b| b.count as f64 / n.max(1) as f64 * (b.observed_rate - b.mean_predicted).abs())
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expected values from scikit-learn 1.9.1:
    // y = [0,0,1,1,0,1,0,1], p = [0.1,0.4,0.35,0.8,0.4,0.9,0.2,0.4]
    // roc_auc_score -> 0.8125; average_precision_score -> 0.8166666666666667
    // log_loss -> 0.4555965297311108; brier_score_loss -> 0.15031250000000002
    const Y: [bool; 8] = [false, false, true, true, false, true, false, true];
    const P: [f64; 8] = [0.1, 0.4, 0.35, 0.8, 0.4, 0.9, 0.2, 0.4];

    #[test]
    fn roc_auc_counts_ties_as_half() {
        assert!((roc_auc(&Y, &P) - 0.8125).abs() < 1e-12);
    }

    #[test]
    fn average_precision_matches_scikit_learn_step_definition() {
        assert!((average_precision(&Y, &P) - 0.816_666_666_666_666_7).abs() < 1e-12);
    }

    #[test]
    fn log_loss_and_brier() {
        assert!((brier(&Y, &P) - 0.150_312_500_000_000_02).abs() < 1e-12);
        assert!((log_loss(&Y, &P) - 0.455_596_529_731_110_8).abs() < 1e-12);
    }

    #[test]
    fn single_class_auc_is_nan() {
        assert!(roc_auc(&[true, true], &[0.1, 0.2]).is_nan());
    }
}
