//! A feature's values for a batch of rows, typed once per column so encoding a
//! row does no parsing.

use polars::prelude::*;

use super::RawValue;
use crate::error::Result;
use crate::io::values::{boolean_values, clean_text, numeric_values, text_values, Origin};
use crate::schema::FeatureKind;

/// One feature's values for a batch of rows.
pub enum FeatureColumn {
    /// Numeric values.
    Numbers(Vec<Option<f64>>),
    /// Yes/no values.
    Bools(Vec<Option<bool>>),
    /// Text values (categorical).
    Texts(StringChunked),
}

impl FeatureColumn {
    /// Convert a polars column to the representation `kind` needs. Errors name
    /// the file, column and row.
    pub fn read(
        column: &Column,
        name: &str,
        kind: FeatureKind,
        origin: Origin<'_>,
    ) -> Result<Self> {
        Ok(match kind {
            FeatureKind::Numeric => FeatureColumn::Numbers(numeric_values(column, name, origin)?),
            FeatureKind::Boolean => FeatureColumn::Bools(boolean_values(column, name, origin)?),
            // One chunk: a row lookup in a many-chunk array scans the chunks
            // (a file read in batches has one per batch).
            FeatureKind::Categorical => {
                FeatureColumn::Texts(text_values(column)?.rechunk().into_owned())
            }
        })
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        match self {
            FeatureColumn::Numbers(v) => v.len(),
            FeatureColumn::Bools(v) => v.len(),
            FeatureColumn::Texts(v) => v.len(),
        }
    }

    /// True when there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The raw value at `row`.
    pub fn raw(&self, row: usize) -> RawValue<'_> {
        match self {
            FeatureColumn::Numbers(v) => v[row].map_or(RawValue::Missing, RawValue::Number),
            FeatureColumn::Bools(v) => v[row].map_or(RawValue::Missing, RawValue::Bool),
            FeatureColumn::Texts(v) => {
                clean_text(v.get(row)).map_or(RawValue::Missing, RawValue::Text)
            }
        }
    }
}
