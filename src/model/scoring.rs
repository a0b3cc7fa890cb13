//! Scoring encoded leads: one lead's raw values into the term buffer (the one
//! encoder, refusing a missing required value), then log-odds, probability,
//! stage and points.

use serde::Serialize;

use super::Model;
use crate::encode::{sigmoid, EncodeError, EncodeNote, RawValue};
use crate::model::stages::Stage;

/// The score of one lead.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LeadScore {
    /// Probability of converting.
    pub probability: f64,
    /// Funnel stage from the model's cut-offs.
    pub stage: Stage,
    /// Points on the model's points scale.
    pub points: i64,
}

impl Model {
    /// Number of encoded terms (the length of the buffer [`encode_lead`](Self::encode_lead) fills).
    pub fn n_terms(&self) -> usize {
        self.coefficients.len()
    }

    /// Encode one lead into `terms` (length [`n_terms`](Self::n_terms)).
    /// `value(i)` gives the raw value of feature `i` (in schema order);
    /// `on_note(i, note)` is called for imputed values and unseen levels.
    /// Stops at the first value that cannot be encoded.
    pub fn encode_lead<'a>(
        &self,
        mut value: impl FnMut(usize) -> RawValue<'a>,
        terms: &mut [f64],
        mut on_note: impl FnMut(usize, EncodeNote),
    ) -> Result<(), (usize, EncodeError)> {
        let mut offset = 0;
        for (i, feature) in self.encoder.features().iter().enumerate() {
            let width = feature.n_terms();
            let note = self
                .encode_feature(i, value(i), &mut terms[offset..offset + width])
                .map_err(|e| (i, e))?;
            if let Some(note) = note {
                on_note(i, note);
            }
            offset += width;
        }
        Ok(())
    }

    /// Every value of one lead that cannot be encoded (not only the first),
    /// in schema order; empty when [`encode_lead`](Self::encode_lead) succeeds.
    pub fn lead_errors<'a>(
        &self,
        mut value: impl FnMut(usize) -> RawValue<'a>,
    ) -> Vec<(usize, EncodeError)> {
        let features = self.encoder.features();
        let mut scratch = vec![0.0; features.iter().map(|f| f.n_terms()).max().unwrap_or(0)];
        features
            .iter()
            .enumerate()
            .filter_map(|(i, f)| {
                self.encode_feature(i, value(i), &mut scratch[..f.n_terms()])
                    .err()
                    .map(|e| (i, e))
            })
            .collect()
    }

    /// Encode feature `i`, refusing a missing value when the schema marks it required.
    fn encode_feature(
        &self,
        i: usize,
        raw: RawValue<'_>,
        out: &mut [f64],
    ) -> Result<Option<EncodeNote>, EncodeError> {
        self.encoder.features()[i].encode_checked(&self.schema.features[i], raw, out)
    }

    /// Log-odds of converting for encoded terms.
    pub fn log_odds(&self, terms: &[f64]) -> f64 {
        self.coefficients
            .iter()
            .zip(terms)
            .fold(self.intercept, |z, (c, t)| z + c.weight * t)
    }

    /// Score encoded terms: probability, stage and points.
    pub fn score_terms(&self, terms: &[f64]) -> LeadScore {
        let probability = sigmoid(self.log_odds(terms));
        let points = self.points.points(probability);
        LeadScore {
            probability,
            stage: self.cutoffs.in_points(&self.points).stage(points),
            points,
        }
    }
}
