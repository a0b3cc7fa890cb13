//! Paired tests between two models scored on the same leads: DeLong's test
//! of the ROC AUC difference (DeLong, DeLong & Clarke-Pearson 1988, in the
//! fast midrank form of Sun & Xu 2014) and a paired bootstrap interval of the
//! mean log-loss difference.

use serde::Serialize;

/// The two-sided 95% normal quantile.
const Z95: f64 = 1.959_963_984_540_054;

/// DeLong's paired test of `AUC(b) − AUC(a)`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PairedAuc {
    /// ROC AUC of the first model.
    pub auc_a: f64,
    /// ROC AUC of the second model.
    pub auc_b: f64,
    /// `auc_b − auc_a`.
    pub difference: f64,
    /// DeLong's variance of the difference.
    pub variance: f64,
    /// `difference / sqrt(variance)` (0 when the variance is 0 and the
    /// difference too).
    pub z: f64,
    /// Two-sided p-value of "no difference".
    pub p_value: f64,
    /// 95% interval of the difference (normal, from DeLong's variance).
    pub ci95: (f64, f64),
}

/// Midranks of `values` (1-based; ties share the mean of their ranks), as
/// `scipy.stats.rankdata(method="average")`.
pub fn midranks(values: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut ranks = vec![0.0; values.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j < order.len() && values[order[j]] == values[order[i]] {
            j += 1;
        }
        // Ranks i+1 ..= j share their mean.
        let mean = (i + 1 + j) as f64 / 2.0;
        for &k in &order[i..j] {
            ranks[k] = mean;
        }
        i = j;
    }
    ranks
}

/// The structural components of one model's AUC: `V10` per positive and
/// `V01` per negative (their means are the AUC).
fn components(labels: &[bool], scores: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let positives: Vec<f64> = labels
        .iter()
        .zip(scores)
        .filter(|(y, _)| **y)
        .map(|(_, s)| *s)
        .collect();
    let negatives: Vec<f64> = labels
        .iter()
        .zip(scores)
        .filter(|(y, _)| !**y)
        .map(|(_, s)| *s)
        .collect();
    let (m, n) = (positives.len() as f64, negatives.len() as f64);
    let all: Vec<f64> = positives.iter().chain(&negatives).copied().collect();
    let combined = midranks(&all);
    let within_pos = midranks(&positives);
    let within_neg = midranks(&negatives);
    let v10 = within_pos
        .iter()
        .enumerate()
        .map(|(i, r)| (combined[i] - r) / n)
        .collect();
    let v01 = within_neg
        .iter()
        .enumerate()
        .map(|(j, r)| 1.0 - (combined[positives.len() + j] - r) / m)
        .collect();
    (v10, v01)
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

/// Sample covariance (denominator `len − 1`).
fn covariance(a: &[f64], b: &[f64]) -> f64 {
    let (ma, mb) = (mean(a), mean(b));
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - ma) * (y - mb))
        .sum::<f64>()
        / (a.len() as f64 - 1.0)
}

/// DeLong's test of the AUC difference of two models scored on the same
/// leads. `None` with fewer than two leads of either class.
pub fn delong_paired(labels: &[bool], scores_a: &[f64], scores_b: &[f64]) -> Option<PairedAuc> {
    let m = labels.iter().filter(|y| **y).count();
    let n = labels.len() - m;
    if m < 2 || n < 2 {
        return None;
    }
    let (a10, a01) = components(labels, scores_a);
    let (b10, b01) = components(labels, scores_b);
    let (auc_a, auc_b) = (mean(&a10), mean(&b10));
    let (m, n) = (m as f64, n as f64);
    let var_a = covariance(&a10, &a10) / m + covariance(&a01, &a01) / n;
    let var_b = covariance(&b10, &b10) / m + covariance(&b01, &b01) / n;
    let cov_ab = covariance(&a10, &b10) / m + covariance(&a01, &b01) / n;
    let variance = (var_a + var_b - 2.0 * cov_ab).max(0.0);
    let difference = auc_b - auc_a;
    let sd = variance.sqrt();
    let z = if sd > 0.0 {
        difference / sd
    } else if difference == 0.0 {
        0.0
    } else {
        difference.signum() * f64::INFINITY
    };
    Some(PairedAuc {
        auc_a,
        auc_b,
        difference,
        variance,
        z,
        p_value: two_sided_p(z),
        ci95: (difference - Z95 * sd, difference + Z95 * sd),
    })
}

/// Two-sided p-value of a standard normal statistic: `erfc(|z| / √2)`.
pub fn two_sided_p(z: f64) -> f64 {
    libm::erfc(z.abs() / std::f64::consts::SQRT_2)
}

/// A percentile bootstrap interval of a mean difference.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PairedInterval {
    /// The mean of the per-lead differences.
    pub difference: f64,
    /// 95% percentile interval over the resamples.
    pub ci95: (f64, f64),
    /// Resamples drawn.
    pub resamples: usize,
}

/// Paired bootstrap of the mean of per-lead differences (`b − a` of a
/// per-lead loss): `resamples` resamples of the leads with replacement,
/// seeded, each resample its own generator.
pub fn paired_bootstrap(differences: &[f64], resamples: usize, seed: u64) -> PairedInterval {
    use rand::{rngs::SmallRng, Rng, SeedableRng};
    let n = differences.len();
    let difference = if n == 0 { f64::NAN } else { mean(differences) };
    if n == 0 || resamples == 0 {
        return PairedInterval {
            difference,
            ci95: (f64::NAN, f64::NAN),
            resamples: 0,
        };
    }
    let one = |r: usize| -> f64 {
        let mut rng =
            SmallRng::seed_from_u64(seed ^ (r as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        (0..n)
            .map(|_| differences[rng.gen_range(0..n)])
            .sum::<f64>()
            / n as f64
    };
    let threads = std::thread::available_parallelism()
        .map_or(1, |t| t.get())
        .min(resamples);
    let mut means: Vec<f64> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let one = &one;
                scope.spawn(move || (t..resamples).step_by(threads).map(one).collect::<Vec<_>>())
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    });
    means.sort_by(f64::total_cmp);
    PairedInterval {
        difference,
        ci95: (
            super::metrics::quantile(&means, 0.025),
            super::metrics::quantile(&means, 0.975),
        ),
        resamples: means.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn midranks_share_ties() {
        assert_eq!(midranks(&[3.0, 1.0, 3.0, 2.0]), vec![3.5, 1.0, 3.5, 2.0]);
    }

    #[test]
    fn one_model_against_itself_has_no_difference() {
        let labels = [true, false, true, false, false, true];
        let s = [0.9, 0.2, 0.6, 0.7, 0.1, 0.4];
        let t = delong_paired(&labels, &s, &s).expect("two classes");
        assert_eq!(t.difference, 0.0);
        assert_eq!(t.p_value, 1.0);
        assert!((t.auc_a - crate::evaluate::metrics::roc_auc(&labels, &s)).abs() < 1e-15);
    }

    #[test]
    fn hand_computed_variance() {
        // Positives a: 0.8, 0.6; negatives 0.7, 0.2. V10 = (1/2, 1), V01 = (1/2, 1)
        // for a; b ranks perfectly: all components 1. AUC_a = 0.75, AUC_b = 1.
        // Var(V10_a) = Var(V01_a) = 0.125 (n − 1 denominator), b constant:
        // variance = 0.125/2 + 0.125/2 = 0.125.
        let labels = [true, true, false, false];
        let a = [0.8, 0.6, 0.7, 0.2];
        let b = [0.9, 0.8, 0.3, 0.1];
        let t = delong_paired(&labels, &a, &b).expect("two classes");
        assert!((t.auc_a - 0.75).abs() < 1e-15 && (t.auc_b - 1.0).abs() < 1e-15);
        assert!((t.variance - 0.125).abs() < 1e-15, "{}", t.variance);
        assert!((t.z - 0.25 / 0.125f64.sqrt()).abs() < 1e-12);
    }

    #[test]
    fn normal_tail() {
        // scipy.stats.norm.sf(1.959963984540054) * 2 = 0.05
        assert!((two_sided_p(Z95) - 0.05).abs() < 1e-12);
        assert!((two_sided_p(3.0) - 0.002_699_796_063_260_2).abs() < 1e-15);
    }

    #[test]
    fn bootstrap_interval_brackets_the_mean() {
        let d: Vec<f64> = (0..500).map(|i| f64::from(i % 7) - 3.0 + 0.1).collect();
        let b = paired_bootstrap(&d, 500, 7);
        assert!(b.ci95.0 < b.difference && b.difference < b.ci95.1, "{b:?}");
        assert_eq!(b, paired_bootstrap(&d, 500, 7), "seeded");
    }
}
