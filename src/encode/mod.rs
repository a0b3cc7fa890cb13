//! Fitted encoders: turn raw lead values into model terms. One implementation,
//! used by training, batch scoring and the service, so they cannot drift apart.
//!
//! Every feature encodes one [`RawValue`] at a time into a slice of the term
//! buffer; the batch path calls the same code per row as the service does per
//! request, which is what makes their probabilities bit-identical.

pub mod age;
pub mod bins;
mod boolean;
mod categorical;
pub mod choice;
mod column;
mod error;
mod numeric;

pub use bins::Bins;
pub use boolean::BooleanEncoder;
pub use categorical::{CategoricalEncoder, LevelBucket, MISSING_LEVEL, OTHER_LEVEL};
pub use column::FeatureColumn;
pub use error::EncodeError;
pub use numeric::NumericEncoder;

use ndarray::{Array2, ShapeBuilder};
use serde::{Deserialize, Serialize};

use crate::schema::{FeatureKind, FeatureSpec, Schema};
use choice::RepresentationChoice;

/// One raw value of one feature, from a file cell or a JSON field.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RawValue<'a> {
    /// Empty cell, null, or absent field.
    Missing,
    /// A number.
    Number(f64),
    /// A boolean.
    Bool(bool),
    /// Text.
    Text(&'a str),
}

/// Something worth telling the user about one encoded value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EncodeNote {
    /// The value was missing and was imputed as in training.
    Imputed,
    /// A category never seen in training; encoded as `other`.
    UnseenLevel,
    /// A number far outside the training range; clipped to it.
    OutOfRange,
}

/// The fitted encoder of one feature.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FeatureEncoder {
    /// Numeric feature.
    Numeric(NumericEncoder),
    /// Yes/no feature.
    Boolean(BooleanEncoder),
    /// Categorical feature.
    Categorical(CategoricalEncoder),
}

impl FeatureEncoder {
    /// Fit the encoder of `spec` on the training rows of its column;
    /// `converted` holds every row's label. A numeric feature takes the
    /// representation of `choice`, else the one `spec` configures, else the
    /// plain line.
    pub fn fit(
        spec: &FeatureSpec,
        column: &FeatureColumn,
        rows: &[usize],
        converted: &[bool],
        choice: Option<&RepresentationChoice>,
    ) -> FeatureEncoder {
        match spec.kind {
            FeatureKind::Numeric => {
                let transform = choice
                    .map(|c| c.chosen)
                    .or(spec.transform)
                    .unwrap_or_default();
                let encoder = NumericEncoder::fit(spec, column, rows, converted, transform);
                FeatureEncoder::Numeric(match choice {
                    Some(c) => encoder.with_choice(c.clone()),
                    None => encoder,
                })
            }
            FeatureKind::Boolean => {
                FeatureEncoder::Boolean(BooleanEncoder::fit(spec, column, rows))
            }
            FeatureKind::Categorical => {
                FeatureEncoder::Categorical(CategoricalEncoder::fit(spec, column, rows))
            }
        }
    }

    /// The input column this encoder reads.
    pub fn name(&self) -> &str {
        match self {
            FeatureEncoder::Numeric(e) => e.name(),
            FeatureEncoder::Boolean(e) => e.name(),
            FeatureEncoder::Categorical(e) => e.name(),
        }
    }

    /// The feature's kind.
    pub fn kind(&self) -> FeatureKind {
        match self {
            FeatureEncoder::Numeric(_) => FeatureKind::Numeric,
            FeatureEncoder::Boolean(_) => FeatureKind::Boolean,
            FeatureEncoder::Categorical(_) => FeatureKind::Categorical,
        }
    }

    /// Names of the terms this feature produces, in order.
    pub fn term_names(&self) -> Vec<String> {
        match self {
            FeatureEncoder::Numeric(e) => e.term_names(),
            FeatureEncoder::Boolean(e) => e.term_names(),
            FeatureEncoder::Categorical(e) => e.term_names(),
        }
    }

    /// Number of terms.
    pub fn n_terms(&self) -> usize {
        match self {
            FeatureEncoder::Numeric(e) => e.n_terms(),
            FeatureEncoder::Boolean(e) => e.n_terms(),
            FeatureEncoder::Categorical(e) => e.n_terms(),
        }
    }

    /// Encode one value as [`encode`](Self::encode) does, refusing a missing
    /// value when `spec` marks the feature required. Training, batch scoring
    /// and the service all go through here.
    pub fn encode_checked(
        &self,
        spec: &FeatureSpec,
        value: RawValue<'_>,
        out: &mut [f64],
    ) -> Result<Option<EncodeNote>, EncodeError> {
        if spec.required && value == RawValue::Missing {
            return Err(EncodeError::Required);
        }
        self.encode(value, out)
    }

    /// Encode one value into `out` (exactly [`n_terms`](Self::n_terms) long).
    pub fn encode(
        &self,
        value: RawValue<'_>,
        out: &mut [f64],
    ) -> Result<Option<EncodeNote>, EncodeError> {
        match self {
            FeatureEncoder::Numeric(e) => e.encode(value, out),
            FeatureEncoder::Boolean(e) => e.encode(value, out),
            FeatureEncoder::Categorical(e) => e.encode(value, out),
        }
    }
}

/// The fitted encoder of a whole lead: one [`FeatureEncoder`] per feature.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Encoder {
    features: Vec<FeatureEncoder>,
}

impl Encoder {
    /// Fit every feature of `schema` on the training rows; `converted`
    /// holds every row's label, `choices` one entry per feature (numeric
    /// features with a decided representation; see [`FeatureEncoder::fit`]).
    pub fn fit(
        schema: &Schema,
        columns: &[FeatureColumn],
        rows: &[usize],
        converted: &[bool],
        choices: &[Option<RepresentationChoice>],
    ) -> Encoder {
        let features = schema
            .features
            .iter()
            .zip(columns)
            .enumerate()
            .map(|(i, (spec, column))| {
                let choice = choices.get(i).and_then(Option::as_ref);
                FeatureEncoder::fit(spec, column, rows, converted, choice)
            })
            .collect();
        Encoder { features }
    }

    /// The per-feature encoders, in term order.
    pub fn features(&self) -> &[FeatureEncoder] {
        &self.features
    }

    /// All term names, in the order of the model's weights.
    pub fn term_names(&self) -> Vec<String> {
        self.features.iter().flat_map(|f| f.term_names()).collect()
    }

    /// Total number of terms.
    pub fn n_terms(&self) -> usize {
        self.features.iter().map(FeatureEncoder::n_terms).sum()
    }

    /// Encode `rows` of the feature columns into a column-major design matrix
    /// (the layout linfa-logistic fits fastest). A missing value of a feature
    /// the schema marks required is refused, as when scoring. Errors carry the
    /// feature index and the row index within `columns`.
    pub fn design_matrix(
        &self,
        schema: &Schema,
        columns: &[FeatureColumn],
        rows: &[usize],
    ) -> Result<Array2<f64>, (usize, usize, EncodeError)> {
        let mut x = Array2::<f64>::zeros((rows.len(), self.n_terms()).f());
        let mut buffer = vec![0.0; self.features.iter().map(|f| f.n_terms()).max().unwrap_or(0)];
        let mut offset = 0;
        for (f, ((encoder, column), spec)) in self
            .features
            .iter()
            .zip(columns)
            .zip(&schema.features)
            .enumerate()
        {
            let width = encoder.n_terms();
            let out = &mut buffer[..width];
            for (i, &row) in rows.iter().enumerate() {
                encoder
                    .encode_checked(spec, column.raw(row), out)
                    .map_err(|e| (f, row, e))?;
                for (k, v) in out.iter().enumerate() {
                    x[[i, offset + k]] = *v;
                }
            }
            offset += width;
        }
        Ok(x)
    }
}

/// Logistic function, written once so every path computes it identically.
pub fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}
