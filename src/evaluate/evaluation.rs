//! Evaluation of a model on labelled leads: headline metrics with a bootstrap
//! interval, calibration, lift and gain by decile, conversion by score band,
//! and the stage table. Pure functions of `(labels, probabilities, cut-offs)`.

use serde::{Deserialize, Serialize};

use crate::evaluate::metrics::{
    calibration_table, expected_calibration_error, ks_statistic, pr_curve, roc_auc_bootstrap,
    roc_curve, CalibrationBin, Metrics,
};
use crate::model::stages::{Cutoffs, Stage};
use crate::points::PointsScale;

/// Bootstrap resamples for the ROC AUC interval.
pub const BOOTSTRAP_RESAMPLES: usize = 1000;
/// Seed of the bootstrap (fixed so reports are reproducible).
pub const BOOTSTRAP_SEED: u64 = 20_240_101;

/// One decile of leads ranked by probability (decile 1 = highest scores).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DecileRow {
    /// 1 = top 10% of scores.
    pub decile: usize,
    /// Leads in the decile.
    pub leads: usize,
    /// Converted leads in the decile.
    pub converted: usize,
    /// Lowest probability in the decile.
    pub min_probability: f64,
    /// Conversion rate in the decile.
    pub conversion_rate: f64,
    /// Conversion rate over the base rate.
    pub lift: f64,
    /// Share of all converters in deciles 1..=this one.
    pub cumulative_gain: f64,
    /// Conversion rate of deciles 1..=this one over the base rate.
    pub cumulative_lift: f64,
}

/// Conversion by band of points.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BandRow {
    /// Lowest points in the band.
    pub from_points: i64,
    /// Highest points in the band.
    pub to_points: i64,
    /// Leads in the band.
    pub leads: usize,
    /// Converted leads.
    pub converted: usize,
    /// Conversion rate.
    pub conversion_rate: f64,
}

/// One funnel stage on labelled leads.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct StageRow {
    /// The stage.
    pub stage: Stage,
    /// Leads in this stage.
    pub leads: usize,
    /// Their share of all leads.
    pub share: f64,
    /// Conversion rate within the stage.
    pub conversion_rate: f64,
    /// Conversion rate of leads at this stage or above (for `lead`: all leads).
    pub precision: f64,
    /// Share of all converters at this stage or above.
    pub recall: f64,
    /// Precision over the base rate.
    pub lift: f64,
}

/// Everything `leadscore evaluate` reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    /// ROC AUC, PR AUC, log loss, Brier.
    pub metrics: Metrics,
    /// What the reader should know before trusting the figures (e.g. the
    /// leads are the model's own training file).
    pub warnings: Vec<String>,
    /// 95% percentile-bootstrap interval of the ROC AUC.
    pub roc_auc_ci95: (f64, f64),
    /// Kolmogorov-Smirnov statistic.
    pub ks: f64,
    /// Base conversion rate.
    pub base_rate: f64,
    /// Expected calibration error over the reliability table.
    pub expected_calibration_error: f64,
    /// Reliability table (10 equal-width bins, empty bins dropped).
    pub calibration: Vec<CalibrationBin>,
    /// Lift and gain by decile.
    pub deciles: Vec<DecileRow>,
    /// Conversion by band of 10 points.
    pub bands: Vec<BandRow>,
    /// The stage table.
    pub stages: Vec<StageRow>,
    /// The cut-offs used for the stage table.
    pub cutoffs: Cutoffs,
    /// ROC curve points `(false positive rate, true positive rate)`, every
    /// threshold (serialised as `[x, y]` pairs thinned to at most
    /// [`JSON_CURVE_POINTS`]).
    #[serde(serialize_with = "thinned")]
    pub roc: Vec<(f64, f64)>,
    /// Precision-recall curve points `(recall, precision)`, every threshold
    /// (serialised as [`Evaluation::roc`] is).
    #[serde(serialize_with = "thinned")]
    pub pr: Vec<(f64, f64)>,
}

/// Most points per curve in JSON output: evenly spaced along the curve
/// with both ends kept, enough to draw it and small for a million leads.
pub const JSON_CURVE_POINTS: usize = 501;

/// A curve as `[x, y]` pairs, thinned to [`JSON_CURVE_POINTS`].
fn thinned<S: serde::Serializer>(points: &[(f64, f64)], s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeSeq;
    let n = points.len();
    let keep = n.min(JSON_CURVE_POINTS);
    let mut seq = s.serialize_seq(Some(keep))?;
    for k in 0..keep {
        let i = if keep < 2 {
            0
        } else {
            k * (n - 1) / (keep - 1)
        };
        seq.serialize_element(&[points[i].0, points[i].1])?;
    }
    seq.end()
}

/// Evaluate probabilities against outcomes.
pub fn evaluate(
    labels: &[bool],
    probabilities: &[f64],
    cutoffs: Cutoffs,
    points: PointsScale,
) -> Evaluation {
    let n = labels.len();
    let positives = labels.iter().filter(|l| **l).count();
    let base_rate = positives as f64 / n.max(1) as f64;
    let calibration = calibration_table(labels, probabilities, 10);
    Evaluation {
        metrics: Metrics::compute(labels, probabilities),
        warnings: Vec::new(),
        roc_auc_ci95: roc_auc_bootstrap(
            labels,
            probabilities,
            BOOTSTRAP_RESAMPLES,
            0.95,
            BOOTSTRAP_SEED,
        ),
        ks: ks_statistic(labels, probabilities),
        base_rate,
        expected_calibration_error: expected_calibration_error(&calibration),
        calibration,
        deciles: deciles(labels, probabilities, base_rate),
        bands: bands(labels, probabilities, points),
        stages: stage_table(labels, probabilities, cutoffs, points, base_rate),
        cutoffs,
        roc: roc_curve(labels, probabilities),
        pr: pr_curve(labels, probabilities),
    }
}

fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 {
        a / b
    } else {
        f64::NAN
    }
}

fn deciles(labels: &[bool], probabilities: &[f64], base_rate: f64) -> Vec<DecileRow> {
    let n = labels.len();
    let total_pos = labels.iter().filter(|l| **l).count();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| probabilities[b].total_cmp(&probabilities[a]));
    let mut rows = Vec::with_capacity(10);
    let (mut cum_leads, mut cum_pos) = (0usize, 0usize);
    for d in 0..10 {
        let (start, end) = (d * n / 10, (d + 1) * n / 10);
        if start == end {
            continue;
        }
        let slice = &order[start..end];
        let converted = slice.iter().filter(|&&i| labels[i]).count();
        cum_leads += slice.len();
        cum_pos += converted;
        let rate = converted as f64 / slice.len() as f64;
        rows.push(DecileRow {
            decile: d + 1,
            leads: slice.len(),
            converted,
            min_probability: probabilities[slice[slice.len() - 1]],
            conversion_rate: rate,
            lift: ratio(rate, base_rate),
            cumulative_gain: ratio(cum_pos as f64, total_pos as f64),
            cumulative_lift: ratio(cum_pos as f64 / cum_leads as f64, base_rate),
        });
    }
    rows
}

fn bands(labels: &[bool], probabilities: &[f64], points: PointsScale) -> Vec<BandRow> {
    let mut by_band: std::collections::BTreeMap<i64, (usize, usize)> =
        std::collections::BTreeMap::new();
    for (&y, &p) in labels.iter().zip(probabilities) {
        let band = points.points(p).div_euclid(10) * 10;
        let entry = by_band.entry(band).or_default();
        entry.0 += 1;
        entry.1 += usize::from(y);
    }
    by_band
        .into_iter()
        .map(|(from, (leads, converted))| BandRow {
            from_points: from,
            to_points: from + 9,
            leads,
            converted,
            conversion_rate: ratio(converted as f64, leads as f64),
        })
        .collect()
}

/// Per stage: volume, share, conversion, and precision/recall/lift of the
/// stage "or above".
pub fn stage_table(
    labels: &[bool],
    probabilities: &[f64],
    cutoffs: Cutoffs,
    points: PointsScale,
    base_rate: f64,
) -> Vec<StageRow> {
    let n = labels.len();
    let total_pos = labels.iter().filter(|l| **l).count();
    let mut leads = [0usize; 3];
    let mut pos = [0usize; 3];
    for (&y, &p) in labels.iter().zip(probabilities) {
        let s = cutoffs.stage(&points, p) as usize;
        leads[s] += 1;
        pos[s] += usize::from(y);
    }
    Stage::ALL
        .iter()
        .map(|&stage| {
            let s = stage as usize;
            let above_leads: usize = leads[s..].iter().sum();
            let above_pos: usize = pos[s..].iter().sum();
            let precision = ratio(above_pos as f64, above_leads as f64);
            StageRow {
                stage,
                leads: leads[s],
                share: ratio(leads[s] as f64, n as f64),
                conversion_rate: ratio(pos[s] as f64, leads[s] as f64),
                precision,
                recall: ratio(above_pos as f64, total_pos as f64),
                lift: ratio(precision, base_rate),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deciles_rank_by_score_and_gain_reaches_one() {
        let probs: Vec<f64> = (0..100).map(|i| i as f64 / 100.0).collect();
        let labels: Vec<bool> = (0..100).map(|i| i >= 80).collect();
        let d = deciles(&labels, &probs, 0.2);
        assert_eq!(d.len(), 10);
        assert_eq!(
            (d[0].converted, d[1].converted, d[2].converted),
            (10, 10, 0)
        );
        assert!((d[0].lift - 5.0).abs() < 1e-12);
        assert!((d[1].cumulative_gain - 1.0).abs() < 1e-12);
        assert!((d[9].cumulative_gain - 1.0).abs() < 1e-12);
        assert!((d[9].cumulative_lift - 1.0).abs() < 1e-12);
    }

    #[test]
    fn stage_table_counts_and_rates() {
        let cutoffs = Cutoffs::new(0.3, 0.6).expect("valid");
        let probs = [0.1, 0.2, 0.35, 0.5, 0.7, 0.9];
        let labels = [false, true, false, true, true, true];
        let t = stage_table(
            &labels,
            &probs,
            cutoffs,
            PointsScale::ProbabilityTimes100,
            4.0 / 6.0,
        );
        assert_eq!([t[0].leads, t[1].leads, t[2].leads], [2, 2, 2]);
        assert_eq!(t[2].precision, 1.0);
        assert_eq!(t[2].recall, 0.5);
        assert_eq!(t[1].precision, 0.75);
        assert_eq!(t[1].recall, 0.75);
        assert_eq!(t[1].conversion_rate, 0.5);
        assert_eq!(t[0].recall, 1.0);
    }
}
