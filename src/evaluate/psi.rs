//! The population stability index between a training histogram and new
//! counts in the same bins, with the conventional bands.

use serde::{Deserialize, Serialize};

/// A bin's share below this is raised to it before the logarithm, so an
/// empty bin on either side gives a large but finite term (the usual
/// practice; without it one empty bin makes PSI infinite).
pub const MIN_SHARE: f64 = 1e-4;

/// Below this PSI the distribution is stable.
pub const WATCH: f64 = 0.1;
/// Above this PSI the shift calls for action (usually a retrain).
pub const ACT: f64 = 0.25;

/// The conventional reading of a PSI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PsiBand {
    /// PSI < 0.1.
    Stable,
    /// 0.1 ≤ PSI ≤ 0.25.
    Watch,
    /// PSI > 0.25.
    Act,
}

impl PsiBand {
    /// The band of a PSI value.
    pub fn of(psi: f64) -> PsiBand {
        if psi < WATCH {
            PsiBand::Stable
        } else if psi <= ACT {
            PsiBand::Watch
        } else {
            PsiBand::Act
        }
    }

    /// How the band reads.
    pub fn as_str(self) -> &'static str {
        match self {
            PsiBand::Stable => "stable",
            PsiBand::Watch => "watch",
            PsiBand::Act => "act",
        }
    }
}

/// Shares of counts (all zero when the total is zero).
pub fn shares(counts: &[u64]) -> Vec<f64> {
    let total: u64 = counts.iter().sum();
    counts
        .iter()
        .map(|&c| {
            if total == 0 {
                0.0
            } else {
                c as f64 / total as f64
            }
        })
        .collect()
}

/// PSI = Σ (actualᵢ − expectedᵢ) · ln(actualᵢ / expectedᵢ) over the bins'
/// shares, each share at least [`MIN_SHARE`]. `expected` and `actual` are
/// counts in the same bins. `NaN` when either side has no rows.
pub fn psi(expected: &[u64], actual: &[u64]) -> f64 {
    let (e_total, a_total) = (expected.iter().sum::<u64>(), actual.iter().sum::<u64>());
    if e_total == 0 || a_total == 0 || expected.len() != actual.len() {
        return f64::NAN;
    }
    shares(expected)
        .into_iter()
        .zip(shares(actual))
        .map(|(e, a)| {
            let (e, a) = (e.max(MIN_SHARE), a.max(MIN_SHARE));
            (a - e) * (a / e).ln()
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_computed_example() {
        // Training 40/30/20/10 of 100, new 30/30/20/20 of 200 (shares
        // 0.15/0.15/0.1/0.1 … scaled: 60/60/40/40 is 0.3/0.3/0.2/0.2):
        // (0.3−0.4)·ln(0.3/0.4) + 0 + 0 + (0.2−0.1)·ln(0.2/0.1)
        // = 0.1·0.287682 + 0.1·0.693147 = 0.098083.
        let p = psi(&[40, 30, 20, 10], &[60, 60, 40, 40]);
        let by_hand = 0.1 * (0.4f64 / 0.3).ln() + 0.1 * 2f64.ln();
        assert!((p - by_hand).abs() < 1e-15, "{p} vs {by_hand}");
        assert!((p - 0.098_083).abs() < 1e-6);
        assert_eq!(PsiBand::of(p), PsiBand::Stable);
    }

    #[test]
    fn identical_shares_give_zero_and_empty_bins_stay_finite() {
        assert_eq!(psi(&[10, 20, 30], &[20, 40, 60]), 0.0);
        let p = psi(&[50, 50, 0], &[0, 50, 50]);
        // (1e-4 − 0.5)·ln(1e-4/0.5) twice.
        let by_hand = 2.0 * (1e-4 - 0.5) * (1e-4f64 / 0.5).ln();
        assert!((p - by_hand).abs() < 1e-12 && p.is_finite());
        assert_eq!(PsiBand::of(p), PsiBand::Act);
        assert!(psi(&[1, 2], &[0, 0]).is_nan());
    }

    #[test]
    fn bands() {
        assert_eq!(PsiBand::of(0.099), PsiBand::Stable);
        assert_eq!(PsiBand::of(0.1), PsiBand::Watch);
        assert_eq!(PsiBand::of(0.25), PsiBand::Watch);
        assert_eq!(PsiBand::of(0.2501), PsiBand::Act);
    }
}
