//! Reason codes for one lead: each feature's contribution in points relative
//! to an average training lead, `factor × Σ β (x − mean)` over the feature's
//! terms, with labels people read (`demo_requested = yes`,
//! `pricing_page_views = 4`). The base (the average lead's points) plus all
//! contributions equals the lead's points. Used by the CLI and the service.

use serde::{Deserialize, Serialize};

use crate::encode::bins::number;
use crate::encode::{EncodeError, FeatureEncoder, RawValue};
use crate::model::Model;
use crate::points::ScorecardScale;

/// How many reasons up and down are reported.
pub const TOP_REASONS: usize = 3;

/// One feature's contribution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Reason {
    /// The feature (input column).
    pub feature: String,
    /// Human-readable value, e.g. `demo_requested = yes`.
    pub label: String,
    /// Points relative to an average lead.
    pub points: f64,
}

/// The explanation of one lead's score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Explanation {
    /// Points of an average training lead.
    pub base_points: f64,
    /// Points of this lead (= base + every contribution).
    pub points: f64,
    /// The largest positive contributions, largest first.
    pub up: Vec<Reason>,
    /// The largest negative contributions, most negative first.
    pub down: Vec<Reason>,
    /// Every feature's contribution, in schema order.
    pub all: Vec<Reason>,
}

/// Why reason codes cannot be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ReasonError {
    /// The model file predates term means (format version < 3); retrain it.
    #[error("the model has no term means (format version < 3); retrain it to get reason codes")]
    NoTermMeans,
    /// A value cannot be encoded.
    #[error("feature {feature}: {error}")]
    Encode {
        /// Feature index in schema order.
        feature: usize,
        /// What is wrong.
        error: EncodeError,
    },
}

fn describe(name: &str, value: RawValue<'_>) -> String {
    match value {
        RawValue::Missing => format!("{name} is missing"),
        RawValue::Number(v) => format!("{name} = {}", number(v)),
        RawValue::Bool(b) => format!("{name} = {}", if b { "yes" } else { "no" }),
        RawValue::Text(t) => format!("{name} = {}", crate::io::values::shortened(t.trim())),
    }
}

/// The label of feature `i`: its value, the bin it falls in when binned
/// (`website_visits = 7 (bin 5–9)`), and whether a number was clipped to the
/// training range.
fn label(model: &Model, i: usize, value: RawValue<'_>) -> String {
    let feature = &model.encoder().features()[i];
    let age = model.schema().features[i].age_days.as_ref();
    let text = match (feature, value, age) {
        (FeatureEncoder::Numeric(e), RawValue::Number(v), Some(age)) => format!(
            "{} {} days before {}{}",
            e.name(),
            number(v),
            age.reference.describe(),
            e.bin_label(v)
                .map(|b| format!(" (bin {b})"))
                .unwrap_or_default()
        ),
        (FeatureEncoder::Numeric(e), RawValue::Number(v), None) => e.describe_value(v),
        (_, RawValue::Missing, Some(age)) => format!(
            "{} has no age (it or {} is blank)",
            feature.name(),
            age.reference.describe()
        ),
        _ => describe(feature.name(), value),
    };
    let clipped = match (feature, value) {
        (FeatureEncoder::Numeric(e), RawValue::Number(v)) if !e.transform().is_binned() => e
            .range()
            .map(|(lo, hi)| v.clamp(lo, hi))
            .filter(|c| *c != v && Some(v) != e.sentinel()),
        _ => None,
    };
    match clipped {
        Some(c) => format!("{text} (scored as {}, the training range's end)", number(c)),
        None => text,
    }
}

/// Explain one lead given its raw values in schema order.
pub fn explain(
    model: &Model,
    values: &[RawValue<'_>],
    scale: &ScorecardScale,
) -> Result<Explanation, ReasonError> {
    if model.term_means().len() != model.n_terms() {
        return Err(ReasonError::NoTermMeans);
    }
    let mut terms = vec![0.0; model.n_terms()];
    model
        .encode_lead(|i| values[i], &mut terms, |_, _| {})
        .map_err(|(feature, error)| ReasonError::Encode { feature, error })?;
    explain_encoded(model, values, &terms, scale)
}

/// Explain one lead already encoded by [`Model::encode_lead`]: `values` are
/// its raw values in schema order (for the labels), `terms` their encoding.
fn explain_encoded(
    model: &Model,
    values: &[RawValue<'_>],
    terms: &[f64],
    scale: &ScorecardScale,
) -> Result<Explanation, ReasonError> {
    let (base_points, contributions) = contributions(model, terms, scale);
    let reason = |i: usize| reason(model, values, &contributions, i);
    let (up, down) = top(&contributions);
    Ok(Explanation {
        base_points,
        points: scale.points_of_log_odds(model.log_odds(terms)),
        up: up.into_iter().map(reason).collect(),
        down: down.into_iter().map(reason).collect(),
        all: (0..contributions.len()).map(reason).collect(),
    })
}

/// The top reasons up and down of one encoded lead, without the full list
/// (labels are written only for the reasons returned): what the service sends.
pub fn top_reasons(
    model: &Model,
    values: &[RawValue<'_>],
    terms: &[f64],
    scale: &ScorecardScale,
) -> Result<(f64, Vec<Reason>, Vec<Reason>), ReasonError> {
    if model.term_means().len() != model.n_terms() {
        return Err(ReasonError::NoTermMeans);
    }
    let (base_points, contributions) = contributions(model, terms, scale);
    let (up, down) = top(&contributions);
    let reason = |i: usize| reason(model, values, &contributions, i);
    Ok((
        base_points,
        up.into_iter().map(reason).collect(),
        down.into_iter().map(reason).collect(),
    ))
}

/// The average lead's points and each feature's contribution in points
/// (schema order). The model must have term means.
fn contributions(model: &Model, terms: &[f64], scale: &ScorecardScale) -> (f64, Vec<f64>) {
    let means = model.term_means();
    let coefficients = model.coefficients();
    let features = model.encoder().features();
    let mut points = Vec::with_capacity(features.len());
    let mut offset = 0;
    for feature in features {
        let width = feature.n_terms();
        let delta: f64 = (offset..offset + width)
            .map(|k| coefficients[k].weight * (terms[k] - means[k]))
            .sum();
        points.push(scale.points_of_weight(delta));
        offset += width;
    }
    let average_log_odds = model.intercept()
        + coefficients
            .iter()
            .zip(means)
            .map(|(c, m)| c.weight * m)
            .sum::<f64>();
    (scale.points_of_log_odds(average_log_odds), points)
}

/// Indices of the largest positive contributions (largest first) and the
/// most negative ones (most negative first), at most [`TOP_REASONS`] each;
/// ties keep schema order.
fn top(points: &[f64]) -> (Vec<usize>, Vec<usize>) {
    let mut up: Vec<usize> = (0..points.len()).filter(|&i| points[i] > 0.0).collect();
    up.sort_by(|&a, &b| points[b].total_cmp(&points[a]));
    up.truncate(TOP_REASONS);
    let mut down: Vec<usize> = (0..points.len()).filter(|&i| points[i] < 0.0).collect();
    down.sort_by(|&a, &b| points[a].total_cmp(&points[b]));
    down.truncate(TOP_REASONS);
    (up, down)
}

fn reason(model: &Model, values: &[RawValue<'_>], points: &[f64], i: usize) -> Reason {
    let name = model.encoder().features()[i].name();
    Reason {
        feature: name.to_string(),
        label: label(model, i, values[i]),
        points: points[i],
    }
}
