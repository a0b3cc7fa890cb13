//! A feature's values for a batch of rows, typed once per column so encoding a
//! row does no parsing.

use polars::prelude::*;

use super::age::{age_of, AgeError};
use super::RawValue;
use crate::error::{Error, Result};
use crate::io::values::{boolean_values, clean_text, numeric_values, text_values, Origin};
use crate::schema::{AgeReference, FeatureKind, FeatureSpec};

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
    /// Read the column of `spec` from a table: its values as [`read`](Self::read)
    /// gives them, or, for an `age_days` feature, each lead's age in days
    /// (which needs the reference column too). Errors name the file, column
    /// and row.
    pub fn for_feature(df: &DataFrame, spec: &FeatureSpec, origin: Origin<'_>) -> Result<Self> {
        let Some(age) = &spec.age_days else {
            return Self::read(df.column(&spec.name)?, &spec.name, spec.kind, origin);
        };
        let dates = text_values(df.column(&spec.name)?)?;
        let references = match &age.reference {
            AgeReference::Column(name) => Some(text_values(df.column(name)?)?),
            AgeReference::Fixed(_) => None,
        };
        let references: Option<Vec<Option<&str>>> = references.as_ref().map(|r| r.iter().collect());
        let mut ages = Vec::with_capacity(dates.len());
        for (i, date) in dates.iter().enumerate() {
            let reference = references.as_ref().and_then(|r| r[i]);
            let row = origin.row(i);
            ages.push(age_of(age, date, reference).map_err(|e| match e {
                AgeError::BadDate(value) => Error::BadDate {
                    path: origin.path.to_path_buf(),
                    column: spec.name.clone(),
                    row,
                    value,
                },
                AgeError::BadReference { column, value } => Error::BadDate {
                    path: origin.path.to_path_buf(),
                    column,
                    row,
                    value,
                },
            })?);
        }
        Ok(FeatureColumn::Numbers(ages))
    }

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
