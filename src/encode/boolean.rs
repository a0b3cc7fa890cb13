//! Yes/no features: 0/1, with a missing indicator when training had blanks.

use serde::{Deserialize, Serialize};

use super::{EncodeError, EncodeNote, FeatureColumn, RawValue};
use crate::io::values::parse_bool_word;
use crate::schema::FeatureSpec;

/// A fitted yes/no encoder. Terms: `name` (1 for yes), then `name=missing`
/// when training had missing values (a missing value encodes as 0 plus the
/// indicator).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BooleanEncoder {
    /// Input column.
    name: String,
    /// Whether the encoder has a `name=missing` term.
    missing_indicator: bool,
}

impl BooleanEncoder {
    /// Input column.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// Whether the encoder has a `name=missing` term.
    pub fn missing_indicator(&self) -> bool {
        self.missing_indicator
    }

    /// Fit on the training rows.
    pub fn fit(spec: &FeatureSpec, column: &FeatureColumn, rows: &[usize]) -> Self {
        let missing_indicator = rows.iter().any(|&r| column.raw(r) == RawValue::Missing);
        BooleanEncoder {
            name: spec.name.clone(),
            missing_indicator,
        }
    }

    /// Number of terms.
    pub fn n_terms(&self) -> usize {
        1 + usize::from(self.missing_indicator)
    }

    /// Term names.
    pub fn term_names(&self) -> Vec<String> {
        let mut names = vec![self.name.clone()];
        if self.missing_indicator {
            names.push(format!("{}=missing", self.name));
        }
        names
    }

    /// Encode one value.
    pub fn encode(
        &self,
        value: RawValue<'_>,
        out: &mut [f64],
    ) -> Result<Option<EncodeNote>, EncodeError> {
        let flag = match value {
            RawValue::Missing => None,
            RawValue::Bool(b) => Some(b),
            RawValue::Number(v) if v == 0.0 || v == 1.0 => Some(v == 1.0),
            RawValue::Number(v) => return Err(EncodeError::NotBoolean(v.to_string())),
            RawValue::Text(t) => match parse_bool_word(t) {
                Some(b) => Some(b),
                None => return Err(EncodeError::NotBoolean(t.to_string())),
            },
        };
        out[0] = if flag == Some(true) { 1.0 } else { 0.0 };
        if self.missing_indicator {
            out[1] = if flag.is_none() { 1.0 } else { 0.0 };
        }
        Ok(flag.is_none().then_some(EncodeNote::Imputed))
    }
}
