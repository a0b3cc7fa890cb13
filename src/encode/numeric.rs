//! Numeric features: median imputation with a missing indicator, an optional
//! sentinel indicator, then either a line (the value as it is or after log1p,
//! standardised) or one 0/1 term per bin.

use serde::{Deserialize, Serialize};

use super::bins::{number, Bins};
use super::choice::RepresentationChoice;
use super::{EncodeError, EncodeNote, FeatureColumn, RawValue};
use crate::io::values::{parse_number, NumberParse};
use crate::schema::{FeatureSpec, Transform};

/// A fitted numeric encoder. Terms: `name` (standardised) or one term per
/// bin (`name 5–9`), then `name=missing` when training had missing values,
/// then `name=<sentinel>` when the column has a "not applicable" code. A
/// missing value or the sentinel falls in the median's bin, and its indicator
/// carries the difference, as on the line.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NumericEncoder {
    /// Input column.
    name: String,
    /// Representation: a line (`none`, `log1p`) or bins.
    transform: Transform,
    /// The bins, when binned (format version 7).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    bins: Option<Bins>,
    /// How the representation was decided, with the evidence (format version 7).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    choice: Option<RepresentationChoice>,
    /// "Not applicable" code, encoded by its own indicator.
    sentinel: Option<f64>,
    /// Median of the regular training values (raw units), used to impute.
    median: f64,
    /// Mean of the transformed, imputed training values.
    mean: f64,
    /// Standard deviation (population) of the same; 1 when constant.
    scale: f64,
    /// Whether the encoder has a `name=missing` term.
    missing_indicator: bool,
    /// Smallest and largest regular training value (raw units). Scoring clips
    /// values to this range and notes values far outside it. Absent in models
    /// before format version 5, which neither clip nor note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    range: Option<(f64, f64)>,
}

impl NumericEncoder {
    /// Input column.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// Representation: a line (`none`, `log1p`) or bins.
    pub fn transform(&self) -> Transform {
        self.transform
    }
    /// The bins, when binned.
    pub fn bins(&self) -> Option<&Bins> {
        self.bins.as_ref()
    }
    /// How the representation was decided (models from format version 7).
    pub fn choice(&self) -> Option<&RepresentationChoice> {
        self.choice.as_ref()
    }
    /// Record how the representation was decided (while training).
    pub fn with_choice(mut self, choice: RepresentationChoice) -> Self {
        self.choice = Some(choice);
        self
    }
    /// "Not applicable" code, encoded by its own indicator.
    pub fn sentinel(&self) -> Option<f64> {
        self.sentinel
    }
    /// Median of the regular training values (raw units), used to impute.
    pub fn median(&self) -> f64 {
        self.median
    }
    /// Mean of the transformed, imputed training values.
    pub fn mean(&self) -> f64 {
        self.mean
    }
    /// Standard deviation (population) of the same; 1 when constant.
    pub fn scale(&self) -> f64 {
        self.scale
    }
    /// Whether the encoder has a `name=missing` term.
    pub fn missing_indicator(&self) -> bool {
        self.missing_indicator
    }
    /// Smallest and largest regular training value (raw units), when stored.
    pub fn range(&self) -> Option<(f64, f64)> {
        self.range
    }

    /// Whether a value lies far outside the training range: below zero when
    /// training never was, or beyond either end by more than the range's width
    /// or its largest magnitude, whichever is larger (at least 1), so a few
    /// more visits than the busiest training lead is not news, 10¹⁵ is.
    pub fn is_far_outside(&self, v: f64) -> bool {
        let Some((lo, hi)) = self.range else {
            return false;
        };
        let width = (hi - lo).max(hi.abs().max(lo.abs())).max(1.0);
        (lo >= 0.0 && v < 0.0) || v < lo - width || v > hi + width
    }

    /// Fit on the training rows as `transform` says. `converted` holds every
    /// row's label (indexed like `column`); only monotone bins read it. A
    /// binned representation the values cannot support (fewer than three
    /// quantile bins of 5%) falls back to the plain line; the caller compares
    /// [`transform`](Self::transform) with what it asked for.
    pub fn fit(
        spec: &FeatureSpec,
        column: &FeatureColumn,
        rows: &[usize],
        converted: &[bool],
        transform: Transform,
    ) -> Self {
        let mut regular = Vec::with_capacity(rows.len());
        let mut regular_labels = Vec::new();
        let mut missing = false;
        for &row in rows {
            match column.raw(row) {
                RawValue::Number(v) if Some(v) == spec.sentinel => {}
                RawValue::Number(v) => {
                    regular.push(v);
                    if transform == Transform::MonotoneBins {
                        regular_labels.push(converted[row]);
                    }
                }
                _ => missing = true,
            }
        }
        let range = regular
            .iter()
            .fold(None, |r: Option<(f64, f64)>, &v| match r {
                None => Some((v, v)),
                Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
            });
        let bins = match transform {
            Transform::Bins => Bins::quantile(&regular),
            Transform::MonotoneBins => Bins::monotone(&regular, &regular_labels),
            Transform::None | Transform::Log1p => None,
        };
        let transform = if transform.is_binned() && bins.is_none() {
            Transform::None
        } else {
            transform
        };
        let median = median(&mut regular).unwrap_or(0.0);
        let mut encoder = NumericEncoder {
            name: spec.name.clone(),
            transform,
            bins,
            choice: None,
            sentinel: spec.sentinel,
            median,
            mean: 0.0,
            scale: 1.0,
            missing_indicator: missing,
            range,
        };
        if transform.is_binned() {
            return encoder;
        }
        let transformed: Vec<f64> = rows
            .iter()
            .map(|&row| match column.raw(row) {
                RawValue::Number(v) if Some(v) != spec.sentinel => encoder.transformed(v),
                _ => encoder.transformed(median),
            })
            .collect();
        let n = transformed.len().max(1) as f64;
        let mean = transformed.iter().sum::<f64>() / n;
        let var = transformed
            .iter()
            .map(|t| (t - mean) * (t - mean))
            .sum::<f64>()
            / n;
        encoder.mean = mean;
        encoder.scale = if var.sqrt() > 1e-12 { var.sqrt() } else { 1.0 };
        encoder
    }

    fn transformed(&self, v: f64) -> f64 {
        match self.transform {
            Transform::Log1p => v.ln_1p(),
            Transform::None | Transform::Bins | Transform::MonotoneBins => v,
        }
    }

    /// Whether median, mean and scale are finite and the scale positive.
    pub fn is_usable(&self) -> bool {
        self.median.is_finite()
            && self.mean.is_finite()
            && self.scale.is_finite()
            && self.scale > 0.0
    }

    /// Terms of the value itself: one for a line, one per bin.
    pub fn n_value_terms(&self) -> usize {
        self.bins.as_ref().map_or(1, Bins::len)
    }

    /// Number of terms.
    pub fn n_terms(&self) -> usize {
        self.n_value_terms()
            + usize::from(self.missing_indicator)
            + usize::from(self.sentinel.is_some())
    }

    /// The label of a value's bin (`5–9`), when binned.
    pub fn bin_label(&self, v: f64) -> Option<String> {
        self.bins.as_ref().map(|b| b.label(b.index(v)))
    }

    /// Term names.
    pub fn term_names(&self) -> Vec<String> {
        let mut names = match &self.bins {
            Some(bins) => (0..bins.len())
                .map(|j| format!("{} {}", self.name, bins.label(j)))
                .collect(),
            None => vec![self.name.clone()],
        };
        if self.missing_indicator {
            names.push(format!("{}=missing", self.name));
        }
        if let Some(s) = self.sentinel {
            names.push(format!("{}={s}", self.name));
        }
        names
    }

    /// Encode one value.
    pub fn encode(
        &self,
        value: RawValue<'_>,
        out: &mut [f64],
    ) -> Result<Option<EncodeNote>, EncodeError> {
        let number = match value {
            RawValue::Number(v) if v.is_finite() => Some(v),
            RawValue::Number(v) => return Err(EncodeError::NonFinite(v.to_string())),
            RawValue::Missing => None,
            RawValue::Bool(b) => Some(f64::from(u8::from(b))),
            RawValue::Text(t) => match parse_number(t) {
                NumberParse::Value(v) => Some(v),
                NumberParse::Missing => None,
                NumberParse::NonFinite => return Err(EncodeError::NonFinite(t.to_string())),
                NumberParse::NotANumber => return Err(EncodeError::NotANumber(t.to_string())),
            },
        };
        let is_sentinel = number.is_some() && number == self.sentinel;
        let mut note = number.is_none().then_some(EncodeNote::Imputed);
        let raw = match number {
            Some(v) if !is_sentinel => {
                if self.is_far_outside(v) {
                    note = Some(EncodeNote::OutOfRange);
                }
                match self.range {
                    Some((lo, hi)) => v.clamp(lo, hi),
                    None => v,
                }
            }
            _ => self.median,
        };
        if self.transform == Transform::Log1p && raw <= -1.0 {
            return Err(EncodeError::OutOfDomain(raw));
        }
        let mut k = match &self.bins {
            Some(bins) => {
                let value_terms = &mut out[..bins.len()];
                value_terms.fill(0.0);
                value_terms[bins.index(raw)] = 1.0;
                bins.len()
            }
            None => {
                out[0] = (self.transformed(raw) - self.mean) / self.scale;
                1
            }
        };
        if self.missing_indicator {
            out[k] = if number.is_none() { 1.0 } else { 0.0 };
            k += 1;
        }
        if self.sentinel.is_some() {
            out[k] = if is_sentinel { 1.0 } else { 0.0 };
        }
        Ok(note)
    }

    /// The log-odds change per raw unit for a weight `beta` on the standardised
    /// term (per unit of `ln(1 + x)` when log1p-transformed); `None` when
    /// binned (each bin has its own weight).
    pub fn per_unit(&self, beta: f64) -> Option<f64> {
        (!self.transform.is_binned()).then(|| beta / self.scale)
    }

    /// How a raw value reads in a reason: `website_visits = 7 (bin 5–9)`.
    pub fn describe_value(&self, v: f64) -> String {
        match self.bin_label(v).filter(|_| Some(v) != self.sentinel) {
            Some(bin) => format!("{} = {} (bin {bin})", self.name, number(v)),
            None => format!("{} = {}", self.name, number(v)),
        }
    }
}

/// Median of the values (sorts them); `None` when empty.
pub fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    // Selection, not a sort: linear time on millions of training rows.
    let n = values.len();
    let (below, upper, _) = values.select_nth_unstable_by(n / 2, f64::total_cmp);
    let upper = *upper;
    Some(if n % 2 == 1 {
        upper
    } else {
        let lower = below.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        (lower + upper) / 2.0
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_even_and_empty_samples() {
        assert_eq!(median(&mut [5.0, 1.0, 3.0]), Some(3.0));
        assert_eq!(median(&mut [4.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert_eq!(median(&mut [7.0]), Some(7.0));
        assert_eq!(median(&mut []), None);
    }
    use crate::schema::FeatureKind;

    fn spec(transform: Transform, sentinel: Option<f64>) -> FeatureSpec {
        FeatureSpec {
            name: "visits".into(),
            kind: FeatureKind::Numeric,
            transform: Some(transform),
            sentinel,
            min_frequency: 0,
            max_levels: None,
            reason: String::new(),
            required: false,
            age_days: None,
        }
    }

    fn fit(spec: &FeatureSpec, column: &FeatureColumn, rows: &[usize]) -> NumericEncoder {
        let converted = vec![false; column.len()];
        NumericEncoder::fit(
            spec,
            column,
            rows,
            &converted,
            spec.transform.unwrap_or_default(),
        )
    }

    #[test]
    fn bins_encode_one_hot_with_the_indicators_beside_them() {
        // 0..=99 ten times each, a sentinel -1 and a gap: quantile bins of 10%.
        let mut values: Vec<Option<f64>> = (0..1000).map(|i| Some(f64::from(i % 100))).collect();
        values.push(Some(-1.0));
        values.push(None);
        let col = FeatureColumn::Numbers(values);
        let rows: Vec<usize> = (0..col.len()).collect();
        let e = fit(&spec(Transform::Bins, Some(-1.0)), &col, &rows);
        assert_eq!(e.transform(), Transform::Bins);
        assert_eq!(e.n_terms(), 10 + 2);
        let names = e.term_names();
        assert_eq!(names[0], "visits <= 9");
        assert_eq!(names[1], "visits 10–19");
        assert_eq!(names[9], "visits >= 90");
        assert_eq!(names[10..], ["visits=missing", "visits=-1"]);
        assert_eq!(e.per_unit(1.0), None);
        let mut out = [0.0; 12];
        assert_eq!(e.encode(RawValue::Number(15.0), &mut out), Ok(None));
        assert_eq!(out.iter().sum::<f64>(), 1.0);
        assert_eq!(out[1], 1.0);
        // Missing: the median's bin (49.5 -> 40–49) and the indicator.
        assert_eq!(e.median(), 49.5);
        e.encode(RawValue::Missing, &mut out).expect("imputes");
        assert_eq!((out[4], out[10], out[11]), (1.0, 1.0, 0.0));
        assert_eq!(out.iter().sum::<f64>(), 2.0);
        e.encode(RawValue::Number(-1.0), &mut out)
            .expect("sentinel");
        assert_eq!((out[4], out[10], out[11]), (1.0, 0.0, 1.0));
        assert_eq!(e.describe_value(15.0), "visits = 15 (bin 10–19)");
        assert_eq!(e.describe_value(-1.0), "visits = -1");
        // Too few distinct values for bins: the plain line.
        let few = FeatureColumn::Numbers([Some(0.0), Some(1.0)].repeat(100));
        let plain = fit(
            &spec(Transform::Bins, None),
            &few,
            &(0..200).collect::<Vec<_>>(),
        );
        assert_eq!(plain.transform(), Transform::None);
        assert_eq!(plain.term_names(), ["visits"]);
    }

    #[test]
    fn standardises_like_scikit_learn_standard_scaler() {
        // StandardScaler().fit([[1],[2],[3],[4]]) -> mean 2.5, scale sqrt(1.25)
        let col = FeatureColumn::Numbers(vec![Some(1.0), Some(2.0), Some(3.0), Some(4.0)]);
        let e = fit(&spec(Transform::None, None), &col, &[0, 1, 2, 3]);
        assert_eq!(e.mean, 2.5);
        assert!((e.scale - 1.25f64.sqrt()).abs() < 1e-15);
        let mut out = [0.0];
        e.encode(RawValue::Number(4.0), &mut out).expect("encodes");
        assert!((out[0] - 1.5 / 1.25f64.sqrt()).abs() < 1e-15);
    }

    #[test]
    fn imputes_median_and_flags_missing_and_sentinel() {
        let col = FeatureColumn::Numbers(vec![Some(-1.0), None, Some(3.0), Some(5.0), Some(10.0)]);
        let e = fit(&spec(Transform::None, Some(-1.0)), &col, &[0, 1, 2, 3, 4]);
        assert_eq!(e.median, 5.0);
        assert_eq!(
            e.term_names(),
            vec!["visits", "visits=missing", "visits=-1"]
        );
        let mut out = [0.0; 3];
        assert_eq!(
            e.encode(RawValue::Missing, &mut out),
            Ok(Some(EncodeNote::Imputed))
        );
        assert_eq!(out[1..], [1.0, 0.0]);
        e.encode(RawValue::Number(-1.0), &mut out)
            .expect("sentinel");
        assert_eq!(out[1..], [0.0, 1.0]);
        assert!((out[0] - (5.0 - e.mean) / e.scale).abs() < 1e-15);
    }

    #[test]
    fn clips_to_the_training_range_and_notes_values_far_outside_it() {
        let col = FeatureColumn::Numbers(vec![Some(0.0), Some(10.0), Some(4.0), Some(-1.0)]);
        let e = fit(&spec(Transform::None, Some(-1.0)), &col, &[0, 1, 2, 3]);
        assert_eq!(e.range(), Some((0.0, 10.0)));
        let (mut at_max, mut beyond) = ([0.0; 2], [0.0; 2]);
        assert_eq!(e.encode(RawValue::Number(10.0), &mut at_max), Ok(None));
        // Just past the range: clipped, not worth a note.
        assert_eq!(e.encode(RawValue::Number(15.0), &mut beyond), Ok(None));
        assert_eq!(beyond, at_max);
        assert_eq!(
            e.encode(RawValue::Number(1e308), &mut beyond),
            Ok(Some(EncodeNote::OutOfRange))
        );
        assert_eq!(beyond, at_max);
        // Negative where training never was; the sentinel is not a value.
        assert_eq!(
            e.encode(RawValue::Number(-40.0), &mut beyond),
            Ok(Some(EncodeNote::OutOfRange))
        );
        assert_eq!(e.encode(RawValue::Number(-1.0), &mut beyond), Ok(None));
    }

    #[test]
    fn rejects_text_and_values_outside_log1p() {
        let col = FeatureColumn::Numbers(vec![Some(0.0), Some(9.0)]);
        let e = fit(&spec(Transform::Log1p, None), &col, &[0, 1]);
        let mut out = [0.0];
        assert!(matches!(
            e.encode(RawValue::Text("many"), &mut out),
            Err(EncodeError::NotANumber(_))
        ));
        // Clipped to the training range (0 to 9) before log1p, so never out of its domain.
        assert_eq!(
            e.encode(RawValue::Number(-2.0), &mut out),
            Ok(Some(EncodeNote::OutOfRange))
        );
        assert!(matches!(
            e.encode(RawValue::Number(f64::NAN), &mut out),
            Err(EncodeError::NonFinite(_))
        ));
    }
}
