//! Batch scoring: read leads (CSV or Parquet) in bounded batches, match the
//! model's columns by name, encode each row with the model's encoder, and
//! write every input column plus `probability`, `stage` and `points`.
//! The output is written to a temporary file and renamed at the end, so a
//! failed run never leaves a half-written result.

use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};

use polars::prelude::*;
use serde::Serialize;

use crate::encode::{EncodeNote, FeatureColumn};
use crate::error::{Error, Result};
use crate::io::postgres::{is_postgres_url, PgBatches, PgTarget, PgWriter};
use crate::io::values::Origin;
use crate::io::write::temp_file_beside;
use crate::io::{FileFormat, ReadOptions, TableBatches, DEFAULT_BATCH_ROWS};
use crate::model::stages::Stage;
use crate::model::{LeadScore, Model};
use crate::points::ScorecardScale;
use crate::progress::Progress;
use crate::score::reasons::{explain, ReasonError};

/// Columns added to the output.
pub const OUTPUT_COLUMNS: [&str; 4] = ["probability", "stage", "points", "reasons"];

/// Batch-scoring options.
#[derive(Debug, Clone)]
pub struct ScoreOptions {
    /// How to read the input.
    pub read: ReadOptions,
    /// Rows per batch (bounds memory).
    pub batch_rows: usize,
    /// Add a `reasons` column on this points scale.
    pub reasons: Option<ScorecardScale>,
}

impl Default for ScoreOptions {
    fn default() -> Self {
        ScoreOptions {
            read: ReadOptions::default(),
            batch_rows: DEFAULT_BATCH_ROWS,
            reasons: None,
        }
    }
}

/// What a scoring run did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ScoreSummary {
    /// Input file.
    pub input: PathBuf,
    /// Output file.
    pub output: PathBuf,
    /// Rows scored.
    pub rows: usize,
    /// Leads per stage.
    pub stages: BTreeMap<String, usize>,
    /// Per column: values never seen in training, scored as `other`.
    pub unseen_levels: BTreeMap<String, usize>,
    /// Per column: missing values imputed as in training.
    pub imputed: BTreeMap<String, usize>,
    /// Per column: numbers far outside the training range, clipped to it.
    pub out_of_range: BTreeMap<String, usize>,
    /// Input columns named like an output column, replaced in the output.
    pub replaced_columns: Vec<String>,
    /// Mean probability.
    pub mean_probability: f64,
}

/// Scores of one batch with the counts of notes per feature.
pub struct BatchScores {
    /// One score per row.
    pub scores: Vec<LeadScore>,
    /// Per feature index: unseen levels.
    pub unseen: Vec<usize>,
    /// Per feature index: imputed values.
    pub imputed: Vec<usize>,
    /// Per feature index: numbers far outside the training range.
    pub out_of_range: Vec<usize>,
}

/// Score every row of a frame. Columns are matched by name; a model column
/// absent from the frame is an error naming it.
pub fn score_frame(model: &Model, df: &DataFrame, origin: Origin<'_>) -> Result<BatchScores> {
    let schema = model.schema();
    let columns = feature_columns(model, df, origin)?;
    let n_features = columns.len();
    let mut unseen = vec![0; n_features];
    let mut imputed = vec![0; n_features];
    let mut out_of_range = vec![0; n_features];
    let mut terms = vec![0.0; model.n_terms()];
    let mut scores = Vec::with_capacity(df.height());
    for row in 0..df.height() {
        model
            .encode_lead(
                |i| columns[i].raw(row),
                &mut terms,
                |i, note| match note {
                    EncodeNote::UnseenLevel => unseen[i] += 1,
                    EncodeNote::Imputed => imputed[i] += 1,
                    EncodeNote::OutOfRange => out_of_range[i] += 1,
                },
            )
            .map_err(|(f, e)| e.at(origin.path, &schema.features[f].name, origin.row(row)))?;
        scores.push(model.score_terms(&terms));
    }
    Ok(BatchScores {
        scores,
        unseen,
        imputed,
        out_of_range,
    })
}

/// The model's feature columns of a frame, matched by name; a missing one is
/// an error naming it.
pub fn feature_columns(
    model: &Model,
    df: &DataFrame,
    origin: Origin<'_>,
) -> Result<Vec<FeatureColumn>> {
    let schema = model.schema();
    let missing: Vec<String> = schema
        .features
        .iter()
        .flat_map(|f| {
            let reference = match f.age_days.as_ref().map(|a| &a.reference) {
                Some(crate::schema::AgeReference::Column(name)) => Some(name.as_str()),
                _ => None,
            };
            std::iter::once(f.name.as_str()).chain(reference)
        })
        .filter(|name| df.column(name).is_err())
        .fold(Vec::new(), |mut names: Vec<String>, name| {
            if !names.iter().any(|n| n == name) {
                names.push(name.to_string());
            }
            names
        });
    if !missing.is_empty() {
        return Err(Error::MissingColumns {
            path: origin.path.to_path_buf(),
            columns: missing,
            available: df
                .get_column_names()
                .iter()
                .map(|s| s.to_string())
                .collect(),
        });
    }
    schema
        .features
        .iter()
        .map(|f| FeatureColumn::for_feature(df, f, origin))
        .collect()
}

/// One readable reasons cell per row: the top contributions up and down, in
/// points relative to an average lead, e.g.
/// `+25 demo_requested = yes; +9 lead_source = referral | -12 job_level = student`.
pub fn reason_cells(
    model: &Model,
    df: &DataFrame,
    origin: Origin<'_>,
    scale: &ScorecardScale,
) -> Result<Vec<String>> {
    let columns = feature_columns(model, df, origin)?;
    let mut cells = Vec::with_capacity(df.height());
    let mut values = Vec::with_capacity(columns.len());
    for row in 0..df.height() {
        values.clear();
        values.extend(columns.iter().map(|c| c.raw(row)));
        let e = explain(model, &values, scale).map_err(|e| match e {
            ReasonError::NoTermMeans => Error::InvalidArgument {
                name: "reasons".into(),
                message: e.to_string(),
            },
            ReasonError::Encode { feature, error } => error.at(
                origin.path,
                &model.schema().features[feature].name,
                origin.row(row),
            ),
        })?;
        let part = |rs: &[crate::score::reasons::Reason]| {
            rs.iter()
                .map(|r| format!("{:+.0} {}", r.points, r.label))
                .collect::<Vec<_>>()
                .join("; ")
        };
        cells.push(format!("{} | {}", part(&e.up), part(&e.down)));
    }
    Ok(cells)
}

enum Sink {
    Csv(polars::io::csv::write::BatchedWriter<File>),
    Parquet(Box<polars::io::parquet::write::BatchedWriter<File>>),
}

/// Where leads are read from or scores written to: a file (format by
/// extension) or a PostgreSQL table (`postgres://…?table=NAME`).
#[derive(Debug, Clone)]
pub enum Table {
    /// A CSV, Parquet or Excel file.
    File(PathBuf),
    /// A PostgreSQL table, or with `query`, the rows of a query.
    Postgres {
        /// The database and table.
        target: PgTarget,
        /// A query to read instead of the table (input only).
        query: Option<String>,
    },
}

impl Table {
    /// A `postgres://` URL or a file path.
    pub fn parse(text: &std::ffi::OsStr, query: Option<&str>) -> Table {
        match text.to_str().filter(|t| is_postgres_url(t)) {
            Some(url) => Table::Postgres {
                target: PgTarget::parse(url),
                query: query.map(str::to_string),
            },
            None => Table::File(PathBuf::from(text)),
        }
    }

    /// How messages name it (a file path, or the URL without its password).
    pub fn label(&self) -> PathBuf {
        match self {
            Table::File(path) => path.clone(),
            Table::Postgres { target, .. } => PathBuf::from(&target.display),
        }
    }
}

/// Score `input` into `output` (format by extension), batch by batch.
pub fn score_file(
    model: &Model,
    input: &Path,
    output: &Path,
    options: &ScoreOptions,
    progress: &dyn Progress,
) -> Result<ScoreSummary> {
    score_table(
        model,
        &Table::File(input.to_path_buf()),
        &Table::File(output.to_path_buf()),
        options,
        progress,
    )
}

/// The batches of an input table.
enum Batches {
    File(TableBatches),
    Postgres(Box<PgBatches>),
}

impl Iterator for Batches {
    type Item = Result<(usize, DataFrame)>;

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Batches::File(b) => b.next(),
            Batches::Postgres(b) => b.next(),
        }
    }
}

/// Score `input` into `output` — files or PostgreSQL tables — batch by
/// batch. A file is written to a temporary file renamed at the end; a table
/// in one transaction; either way a failure leaves the old output.
pub fn score_table(
    model: &Model,
    input_table: &Table,
    output_table: &Table,
    options: &ScoreOptions,
    progress: &dyn Progress,
) -> Result<ScoreSummary> {
    if options.batch_rows == 0 {
        return Err(Error::InvalidArgument {
            name: "batch_rows".into(),
            message: "must be at least 1".into(),
        });
    }
    let input_label = input_table.label();
    let output_label = output_table.label();
    let (input, output) = (input_label.as_path(), output_label.as_path());
    let (output_format, mut pg_sink) = match output_table {
        Table::File(path) => (Some(FileFormat::for_output(path)?), None),
        Table::Postgres { target, .. } => (None, Some(PgWriter::open(target)?)),
    };
    let (mut batches, separator) = match input_table {
        Table::File(path) => {
            let b = TableBatches::open(path, &options.read, options.batch_rows)?;
            let separator = b.separator().unwrap_or(b',');
            (Batches::File(b), separator)
        }
        Table::Postgres { target, query } => (
            Batches::Postgres(Box::new(PgBatches::open(
                target,
                query.as_deref(),
                options.batch_rows,
            )?)),
            b',',
        ),
    };
    let io = |source| Error::Io {
        path: output.to_path_buf(),
        source,
    };
    let tmp = match output_format {
        Some(_) => Some(temp_file_beside(output)?),
        None => None,
    };
    let mut sink: Option<Sink> = None;
    let mut summary = ScoreSummary {
        input: input.to_path_buf(),
        output: output.to_path_buf(),
        ..ScoreSummary::default()
    };
    let names: Vec<String> = model.schema().feature_names().map(str::to_string).collect();
    let mut unseen = vec![0usize; names.len()];
    let mut imputed = vec![0usize; names.len()];
    let mut out_of_range = vec![0usize; names.len()];
    let mut stage_counts = [0usize; 3];
    let mut probability_sum = 0.0;
    progress.start("scoring", 0);
    for batch in &mut batches {
        let (rows_before, mut df) = batch?;
        let origin = Origin {
            path: input,
            rows_before,
        };
        let scored = score_frame(model, &df, origin)?;
        for (total, n) in unseen.iter_mut().zip(&scored.unseen) {
            *total += n;
        }
        for (total, n) in imputed.iter_mut().zip(&scored.imputed) {
            *total += n;
        }
        for (total, n) in out_of_range.iter_mut().zip(&scored.out_of_range) {
            *total += n;
        }
        for s in &scored.scores {
            stage_counts[s.stage as usize] += 1;
            probability_sum += s.probability;
        }
        for name in OUTPUT_COLUMNS
            .into_iter()
            .filter(|n| *n != "reasons" || options.reasons.is_some())
        {
            if df.column(name).is_ok() {
                df.drop_in_place(name)?;
                if rows_before == 0 {
                    summary.replaced_columns.push(name.to_string());
                }
            }
        }
        let n = scored.scores.len();
        df.with_column(Column::new(
            "probability".into(),
            scored
                .scores
                .iter()
                .map(|s| s.probability)
                .collect::<Vec<f64>>(),
        ))?;
        df.with_column(Column::new(
            "stage".into(),
            scored
                .scores
                .iter()
                .map(|s| s.stage.as_str())
                .collect::<Vec<&str>>(),
        ))?;
        df.with_column(Column::new(
            "points".into(),
            scored.scores.iter().map(|s| s.points).collect::<Vec<i64>>(),
        ))?;
        if let Some(scale) = &options.reasons {
            let cells = reason_cells(model, &df, origin, scale)?;
            df.with_column(Column::new("reasons".into(), cells))?;
        }
        // The writers need every column in the same chunk layout.
        df.rechunk_mut_par();
        if let (None, Some(tmp), Some(format)) = (&sink, &tmp, output_format) {
            let file = tmp.reopen().map_err(io)?;
            let schema = df.schema();
            sink = Some(match format {
                FileFormat::Csv | FileFormat::Excel => Sink::Csv(
                    CsvWriter::new(file)
                        .include_header(true)
                        .with_separator(separator)
                        .batched(schema)?,
                ),
                FileFormat::Parquet => {
                    Sink::Parquet(Box::new(ParquetWriter::new(file).batched(schema)?))
                }
            });
        }
        match (sink.as_mut(), pg_sink.as_mut()) {
            (Some(Sink::Csv(w)), _) => w.write_batch(&df)?,
            (Some(Sink::Parquet(w)), _) => w.write_batch(&df)?,
            (None, Some(pg)) => pg.write(&df)?,
            (None, None) => {}
        }
        summary.rows += n;
        progress.advance(n as u64);
    }
    progress.finish();
    if summary.rows == 0 {
        return Err(Error::EmptyFile {
            path: input.to_path_buf(),
        });
    }
    match sink {
        Some(Sink::Csv(mut w)) => w.finish()?,
        Some(Sink::Parquet(w)) => {
            w.finish()?;
        }
        None => {}
    }
    if let Some(tmp) = tmp {
        tmp.as_file().sync_all().map_err(io)?;
        tmp.persist(output).map_err(|e| io(e.error))?;
    }
    if let Some(pg) = pg_sink {
        pg.finish()?;
    }
    for stage in Stage::ALL {
        summary
            .stages
            .insert(stage.as_str().to_string(), stage_counts[stage as usize]);
    }
    for (i, name) in names.iter().enumerate() {
        if unseen[i] > 0 {
            summary.unseen_levels.insert(name.clone(), unseen[i]);
        }
        if imputed[i] > 0 {
            summary.imputed.insert(name.clone(), imputed[i]);
        }
        if out_of_range[i] > 0 {
            summary.out_of_range.insert(name.clone(), out_of_range[i]);
        }
    }
    summary.mean_probability = probability_sum / summary.rows.max(1) as f64;
    Ok(summary)
}

/// Score a labelled table with a model: the outcomes (read with the model's
/// label column and converted value) and the probabilities, row by row.
pub fn score_labelled(model: &Model, df: &DataFrame, path: &Path) -> Result<(Vec<bool>, Vec<f64>)> {
    let schema = model.schema();
    let labels =
        crate::schema::label::read_labels(df, path, &schema.label, Some(&schema.positive))?;
    let origin = Origin {
        path,
        rows_before: 0,
    };
    let scored = score_frame(model, df, origin)?;
    Ok((
        labels.converted,
        scored.scores.iter().map(|s| s.probability).collect(),
    ))
}
