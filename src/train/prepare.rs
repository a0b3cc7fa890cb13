//! Preparation: infer the schema, read the labels and dates, and type every
//! feature column once, so the fits never parse text.

use std::path::Path;

use ndarray::Array2;
use polars::prelude::DataFrame;

use super::settings::TrainConfig;
use crate::encode::{Encoder, FeatureColumn};
use crate::error::Result;
use crate::io::dates::read_dates;
use crate::io::values::Origin;
use crate::schema::infer::infer_schema;
use crate::schema::label::read_labels;
use crate::schema::Schema;

/// A training table turned into typed columns: schema, labels, dates and one
/// [`FeatureColumn`] per feature. Shared by [`super::train`] and the backtest.
pub struct Prepared {
    /// The inferred schema (with the label's converted value filled in).
    pub schema: Schema,
    /// Converted or not, per row.
    pub labels: Vec<bool>,
    /// Seconds since the epoch per row, when a date column was given.
    pub dates: Option<Vec<i64>>,
    /// Feature values, in schema order.
    pub columns: Vec<FeatureColumn>,
}

/// Infer the schema and read labels, dates and feature columns.
pub fn prepare(df: &DataFrame, path: &Path, config: &TrainConfig) -> Result<Prepared> {
    let mut schema = infer_schema(df, path, &config.schema)?;
    let labels = read_labels(df, path, &schema.label, config.schema.positive.as_deref())?;
    schema.positive = labels.positive.clone();
    let origin = Origin {
        path,
        rows_before: 0,
    };
    let dates = match &schema.date {
        Some(name) => Some(read_dates(df, path, name)?),
        None => None,
    };
    let columns = schema
        .features
        .iter()
        .map(|f| FeatureColumn::for_feature(df, f, origin))
        .collect::<Result<Vec<_>>>()?;
    Ok(Prepared {
        schema,
        labels: labels.converted,
        dates,
        columns,
    })
}

impl Prepared {
    /// Encode `rows` into a column-major design matrix with a fitted encoder.
    /// A bad value or an empty required cell is an error naming the row.
    pub fn design_matrix(
        &self,
        encoder: &Encoder,
        rows: &[usize],
        path: &Path,
    ) -> Result<Array2<f64>> {
        encoder
            .design_matrix(&self.schema, &self.columns, rows)
            .map_err(|(f, row, e)| e.at(path, &self.schema.features[f].name, row + 1))
    }
}
