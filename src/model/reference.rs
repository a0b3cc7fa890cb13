//! The training distribution a model keeps (format 8): for every feature a
//! histogram of the training part's values, the histogram of the training
//! part's scores and its stage counts. `leadscore drift` and the service's
//! rolling PSI measure new leads against it; nothing refits it later.
//!
//! Bins: a numeric feature with at most [`MAX_DISTINCT_BINS`] distinct values
//! gets one bin per value; otherwise about ten quantile bins (the scorecard
//! bins of [`Bins::quantile`]), plus a bin for missing values. A yes/no
//! feature has yes, no and missing. A categorical feature has the encoder's
//! own buckets: one per kept level (`(missing)` among them when it was
//! common) and `other` for rare and unseen levels. The score has quantile
//! bins of the probability.

use serde::{Deserialize, Serialize};

use crate::encode::bins::Bins;
use crate::encode::{FeatureColumn, FeatureEncoder, LevelBucket, RawValue, OTHER_LEVEL};
use crate::model::stages::Stage;

/// A numeric feature with at most this many distinct training values gets
/// one bin per value.
pub const MAX_DISTINCT_BINS: usize = 10;

/// The training distribution stored in a model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingReference {
    /// What the histograms count: `"training part"` (the rows the weights
    /// were fitted on).
    pub rows_from: String,
    /// Rows counted.
    pub rows: u64,
    /// One histogram per feature, in schema order.
    pub features: Vec<FeatureHistogram>,
    /// The probability's histogram.
    pub score: NumericHistogram,
    /// Leads per stage (lead, MQL, SQL) under the model's cut-offs.
    pub stages: [u64; 3],
}

/// The histogram of one feature.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureHistogram {
    /// The feature (input column).
    pub feature: String,
    /// Its bins and counts.
    #[serde(flatten)]
    pub bins: HistogramBins,
}

/// Bins and counts of one feature, by kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum HistogramBins {
    /// A number: value bins and missing.
    Numeric(NumericHistogram),
    /// Yes/no.
    Boolean {
        /// Rows with yes.
        yes: u64,
        /// Rows with no.
        no: u64,
        /// Rows with no value.
        missing: u64,
    },
    /// The encoder's buckets: kept levels, then `other`.
    Categorical {
        /// Kept levels (the encoder's order), then [`OTHER_LEVEL`].
        levels: Vec<String>,
        /// Rows per entry of `levels`.
        counts: Vec<u64>,
    },
}

/// Quantile (or distinct-value) bins of a number and their counts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NumericHistogram {
    /// Lower ends of every bin but the first, increasing: bin `j` holds
    /// `[edges[j-1], edges[j])`.
    pub edges: Vec<f64>,
    /// Rows per bin (`edges.len() + 1` of them).
    pub counts: Vec<u64>,
    /// Rows without a value.
    pub missing: u64,
}

impl NumericHistogram {
    /// Bins of `values` (missing ones counted apart) and their counts.
    pub fn fit(values: impl Iterator<Item = Option<f64>>) -> NumericHistogram {
        let mut missing = 0;
        let present: Vec<f64> = values
            .filter_map(|v| {
                missing += u64::from(v.is_none());
                v.filter(|v| v.is_finite())
            })
            .collect();
        let edges = histogram_edges(&present);
        let mut histogram = NumericHistogram {
            counts: vec![0; edges.len() + 1],
            edges,
            missing,
        };
        for v in present {
            let j = histogram.bin(v);
            histogram.counts[j] += 1;
        }
        histogram
    }

    /// The bin of a value.
    pub fn bin(&self, v: f64) -> usize {
        self.edges.partition_point(|&e| e <= v)
    }

    /// Counts of new values in these bins, missing last.
    pub fn count(&self, values: impl Iterator<Item = Option<f64>>) -> Vec<u64> {
        let mut counts = vec![0; self.counts.len() + 1];
        for v in values {
            match v {
                Some(v) if v.is_finite() => counts[self.bin(v)] += 1,
                _ => counts[self.counts.len()] += 1,
            }
        }
        counts
    }

    /// Training counts, missing last (the layout of [`count`](Self::count)).
    pub fn with_missing(&self) -> Vec<u64> {
        let mut counts = self.counts.clone();
        counts.push(self.missing);
        counts
    }

    /// How each bin of [`with_missing`](Self::with_missing) reads.
    pub fn labels(&self) -> Vec<String> {
        let number = crate::encode::bins::number;
        let mut labels: Vec<String> = (0..self.counts.len())
            .map(
                |j| match (j.checked_sub(1).map(|i| self.edges[i]), self.edges.get(j)) {
                    (None, None) => "all values".to_string(),
                    (None, Some(hi)) => format!("< {}", number(*hi)),
                    (Some(lo), None) => format!(">= {}", number(lo)),
                    (Some(lo), Some(hi)) => format!("{} to < {}", number(lo), number(*hi)),
                },
            )
            .collect();
        labels.push("(missing)".into());
        labels
    }
}

/// Bin edges for `values`: one bin per distinct value when there are at most
/// [`MAX_DISTINCT_BINS`]; else the scorecard's quantile bins; else (heavy
/// ties) the distinct deciles.
fn histogram_edges(values: &[f64]) -> Vec<f64> {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mut distinct = sorted.clone();
    distinct.dedup();
    if distinct.len() <= MAX_DISTINCT_BINS {
        return distinct.into_iter().skip(1).collect();
    }
    if let Some(bins) = Bins::quantile(values) {
        return bins.edges().to_vec();
    }
    let n = sorted.len();
    let mut edges: Vec<f64> = (1..10)
        .map(|k| sorted[n * k / 10])
        .filter(|&e| e > sorted[0])
        .collect();
    edges.dedup();
    if edges.is_empty() {
        edges.push(distinct[1]);
    }
    edges
}

impl HistogramBins {
    /// The histogram of one feature's training rows.
    pub fn fit(encoder: &FeatureEncoder, column: &FeatureColumn, rows: &[usize]) -> HistogramBins {
        match encoder {
            FeatureEncoder::Numeric(_) => HistogramBins::Numeric(NumericHistogram::fit(
                rows.iter().map(|&r| number(column.raw(r))),
            )),
            FeatureEncoder::Boolean(_) => {
                let [yes, no, missing] = count_booleans(rows.iter().map(|&r| column.raw(r)));
                HistogramBins::Boolean { yes, no, missing }
            }
            FeatureEncoder::Categorical(e) => {
                let mut levels = e.levels().to_vec();
                levels.push(OTHER_LEVEL.to_string());
                let mut counts = vec![0; levels.len()];
                for &r in rows {
                    counts[bucket_index(e, column.raw(r))] += 1;
                }
                HistogramBins::Categorical { levels, counts }
            }
        }
    }

    /// Training counts per bin, in the layout [`count`](Self::count) gives.
    pub fn expected(&self) -> Vec<u64> {
        match self {
            HistogramBins::Numeric(h) => h.with_missing(),
            HistogramBins::Boolean { yes, no, missing } => vec![*yes, *no, *missing],
            HistogramBins::Categorical { counts, .. } => counts.clone(),
        }
    }

    /// How each bin reads.
    pub fn labels(&self) -> Vec<String> {
        match self {
            HistogramBins::Numeric(h) => h.labels(),
            HistogramBins::Boolean { .. } => vec!["yes".into(), "no".into(), "(missing)".into()],
            HistogramBins::Categorical { levels, .. } => levels.clone(),
        }
    }

    /// Counts of new values (raw, as the encoder reads them) in these bins.
    pub fn count<'a>(
        &self,
        encoder: &FeatureEncoder,
        values: impl Iterator<Item = RawValue<'a>>,
    ) -> Vec<u64> {
        match (self, encoder) {
            (HistogramBins::Numeric(h), _) => h.count(values.map(number)),
            (HistogramBins::Boolean { .. }, _) => count_booleans(values).to_vec(),
            (HistogramBins::Categorical { levels, .. }, FeatureEncoder::Categorical(e)) => {
                let mut counts = vec![0; levels.len()];
                for v in values {
                    counts[bucket_index(e, v).min(levels.len() - 1)] += 1;
                }
                counts
            }
            (HistogramBins::Categorical { levels, .. }, _) => {
                // A model whose check passed never pairs these; count all as other.
                let mut counts = vec![0; levels.len()];
                counts[levels.len() - 1] = values.count() as u64;
                counts
            }
        }
    }

    /// Whether these bins fit `encoder` (kind and, for levels, the buckets).
    pub fn fits(&self, encoder: &FeatureEncoder) -> bool {
        match (self, encoder) {
            (HistogramBins::Numeric(h), FeatureEncoder::Numeric(_)) => {
                h.counts.len() == h.edges.len() + 1
                    && h.edges.iter().all(|e| e.is_finite())
                    && h.edges.windows(2).all(|w| w[0] < w[1])
            }
            (HistogramBins::Boolean { .. }, FeatureEncoder::Boolean(_)) => true,
            (HistogramBins::Categorical { levels, counts }, FeatureEncoder::Categorical(e)) => {
                counts.len() == levels.len()
                    && levels.len() == e.levels().len() + 1
                    && levels.iter().zip(e.levels()).all(|(a, b)| a == b)
            }
            _ => false,
        }
    }
}

fn number(value: RawValue<'_>) -> Option<f64> {
    match value {
        RawValue::Number(v) => Some(v),
        _ => None,
    }
}

fn count_booleans<'a>(values: impl Iterator<Item = RawValue<'a>>) -> [u64; 3] {
    let mut counts = [0; 3];
    for v in values {
        counts[match v {
            RawValue::Bool(true) => 0,
            RawValue::Bool(false) => 1,
            _ => 2,
        }] += 1;
    }
    counts
}

fn bucket_index(e: &crate::encode::CategoricalEncoder, value: RawValue<'_>) -> usize {
    match e.bucket(value) {
        LevelBucket::Kept(i) => i,
        LevelBucket::Other { .. } => e.levels().len(),
    }
}

impl TrainingReference {
    /// The reference of the training part: `rows` of `columns` (one per
    /// encoder feature), with the model's `probabilities` and `stages` of
    /// those rows (same order as `rows`).
    pub fn build(
        features: &[FeatureEncoder],
        columns: &[FeatureColumn],
        rows: &[usize],
        probabilities: &[f64],
        stages: impl Iterator<Item = Stage>,
    ) -> TrainingReference {
        let mut stage_counts = [0; 3];
        for s in stages {
            stage_counts[s as usize] += 1;
        }
        TrainingReference {
            rows_from: "training part".into(),
            rows: rows.len() as u64,
            features: features
                .iter()
                .zip(columns)
                .map(|(encoder, column)| FeatureHistogram {
                    feature: encoder.name().to_string(),
                    bins: HistogramBins::fit(encoder, column, rows),
                })
                .collect(),
            score: NumericHistogram::fit(probabilities.iter().map(|&p| Some(p))),
            stages: stage_counts,
        }
    }

    /// Whether the reference lines up with `features` (same names, in
    /// order, with bins of the right kind).
    pub fn fits(&self, features: &[FeatureEncoder]) -> bool {
        self.features.len() == features.len()
            && self
                .features
                .iter()
                .zip(features)
                .all(|(h, e)| h.feature == e.name() && h.bins.fits(e))
            && self.score.counts.len() == self.score.edges.len() + 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn few_distinct_values_get_one_bin_each_and_missing_its_own() {
        let values = [Some(0.0), Some(1.0), Some(1.0), None, Some(3.0), Some(0.0)];
        let h = NumericHistogram::fit(values.into_iter());
        assert_eq!(h.edges, vec![1.0, 3.0]);
        assert_eq!(h.counts, vec![2, 2, 1]);
        assert_eq!(h.missing, 1);
        assert_eq!(
            h.count([Some(-5.0), Some(2.0), None, Some(9.0)].into_iter()),
            vec![1, 1, 1, 1]
        );
        assert_eq!(h.labels(), vec!["< 1", "1 to < 3", ">= 3", "(missing)"]);
    }

    #[test]
    fn many_distinct_values_get_about_ten_quantile_bins() {
        let values: Vec<Option<f64>> = (0..1000).map(|i| Some(f64::from(i))).collect();
        let h = NumericHistogram::fit(values.into_iter());
        assert_eq!(h.counts.len(), 10);
        assert!(h.counts.iter().all(|&c| c == 100), "{:?}", h.counts);
    }

    #[test]
    fn heavy_ties_still_split_off_the_rest() {
        // 97% zeros: no quantile bin of 5% can be cut, but the rest is not lumped.
        let mut values = vec![Some(0.0); 970];
        values.extend((1..=30).map(|i| Some(f64::from(i))));
        let h = NumericHistogram::fit(values.into_iter());
        assert_eq!(h.edges, vec![1.0]);
        assert_eq!(h.counts, vec![970, 30]);
    }
}
