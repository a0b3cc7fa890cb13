//! Command-line arguments (clap structs mirroring the flags) and the one place
//! each is turned into library configuration.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use leadscore::evaluate::backtest::Every;
use leadscore::evaluate::policy::CutoffPolicy;
use leadscore::io::{NumberFormat, ReadOptions, TextEncoding};
use leadscore::points::PointsScale;
use leadscore::schema::config::ColumnsConfig;
use leadscore::train::job::{ModelDestination, TrainJob};
use leadscore::train::{TrainConfig, TrainSettings};

/// Learn which B2B leads become paying customers, and score new ones.
#[derive(Parser, Debug)]
#[command(name = "leadscore", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Fit a model on past leads and write a versioned model file.
    Train(Box<TrainArgs>),
    /// Score new leads with a saved model (CSV or Parquet in, CSV or Parquet out).
    Score(ScoreArgs),
    /// Write realistic synthetic leads with a documented ground truth.
    Generate(GenerateArgs),
    /// Show a saved model: data, decisions, penalty, holdout metrics, weights.
    Inspect(InspectArgs),
    /// Evaluate a model on labelled leads: metrics with intervals, calibration, lift, stages.
    Evaluate(EvaluateArgs),
    /// Re-set a model's MQL/SQL cut-offs by policy on labelled leads; writes a new model.
    Cutoffs(CutoffsArgs),
    /// Rolling-origin backtest: train on the past, test on each following period.
    Backtest(Box<BacktestArgs>),
    /// Put hand-set points (points.toml) next to the evidence: per-rule verdicts and a suggested scheme.
    Points(PointsArgs),
    /// Write a model as one SQL query that scores a table inside PostgreSQL, DuckDB, Spark,
    /// BigQuery or Snowflake.
    Export(ExportArgs),
    /// Compare two models on the same leads: paired tests, stage migrations, volumes, movers.
    Compare(CompareArgs),
    /// Measure how far new leads have drifted from the model's training distribution (PSI).
    Drift(DriftArgs),
    /// Join later conversions to the service's prediction log: live AUC, calibration, stages.
    Outcomes(OutcomesArgs),
}

/// `leadscore compare`
#[derive(Args, Debug)]
#[command(after_help = "Examples:
  leadscore compare --model models/default.json --model models/challenger.json \\
    --data data/leads.csv
  leadscore compare --model models/default.json --model models/challenger.json \\
    --data data/leads.csv --report compare.html --json

The first --model is A (in production), the second B (the challenger). With labelled leads:
ROC AUC, PR AUC, log loss and Brier of each, DeLong's test of the AUC difference and a paired
bootstrap interval of the log-loss difference. Always: the stage-migration matrix (lead/MQL/SQL
under A × under B), the change in MQL and SQL volumes and the leads that move most, with their
reasons under each model. Without the label column only the migrations and volumes are compared.")]
pub struct CompareArgs {
    /// Model files: A (in production), then B (the challenger).
    #[arg(long = "model", value_name = "FILE", num_args = 1, required = true)]
    pub models: Vec<PathBuf>,
    /// Leads both models score (labelled or not).
    #[arg(long, value_name = "FILE")]
    pub data: PathBuf,
    /// How to read the file.
    #[command(flatten)]
    pub read: ReadArgs,
    /// How many of the leads that change stage most to list.
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub movers: usize,
    /// Write a self-contained HTML report here.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Print the comparison as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

/// `leadscore drift`
#[derive(Args, Debug)]
#[command(after_help = "Examples:
  leadscore drift --model models/default.json --data data/leads.csv
  leadscore drift --model models/default.json --data data/leads.csv --report drift.html --json

The population stability index (PSI) of every feature and of the score, against the training
distribution the model keeps (models from format version 8 on). Bands: < 0.1 stable,
0.1-0.25 watch, > 0.25 act. Also: category levels never seen in training with their share,
how the share of each stage moved, and, when the leads carry the label, predicted against
observed conversion per score band.")]
pub struct DriftArgs {
    /// Model file (format version 8 or later).
    #[arg(long, value_name = "FILE")]
    pub model: PathBuf,
    /// New leads (the label column is optional).
    #[arg(long, value_name = "FILE")]
    pub data: PathBuf,
    /// How to read the file.
    #[command(flatten)]
    pub read: ReadArgs,
    /// Write a self-contained HTML report here.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Print the drift report as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

/// Which logged score of a lead counts.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScoresArg {
    /// The first (what the lead was routed on).
    First,
    /// The latest.
    Last,
}

/// `leadscore outcomes`
#[derive(Args, Debug)]
#[command(after_help = "Examples:
  leadscore outcomes --log-db data/predictions.sqlite --outcomes data/conversions.csv \\
    --id lead_id --label converted
  leadscore outcomes --log-db data/predictions.sqlite --outcomes data/conversions.csv \\
    --id lead_id --label converted --scores last --json

Joins the conversions to the scores leadscore-serve logged (--log-db) by lead id and reports,
per model version (served and shadow): live ROC AUC, calibration and conversion per stage.
A lead scored several times by one version counts once (its first score, or --scores last);
an id listed several times counts as converted when any row says so; logged leads without an
id and ids without an outcome are left out and counted.")]
pub struct OutcomesArgs {
    /// The prediction log: an SQLite file or postgres://…[?table=NAME].
    #[arg(long, value_name = "FILE|URL")]
    pub log_db: String,
    /// Later conversions (CSV, Parquet or Excel): an id and a label per row.
    #[arg(long, value_name = "FILE")]
    pub outcomes: PathBuf,
    /// The outcomes' id column (matched to the logged lead id).
    #[arg(long, value_name = "COLUMN")]
    pub id: String,
    /// The outcomes' label column.
    #[arg(long, value_name = "COLUMN")]
    pub label: String,
    /// The label value that means converted (default: yes/true/1 style values).
    #[arg(long, value_name = "VALUE")]
    pub positive: Option<String>,
    /// Which score of a lead scored several times counts.
    #[arg(long, value_enum, default_value = "first")]
    pub scores: ScoresArg,
    /// How to read the file.
    #[command(flatten)]
    pub read: ReadArgs,
    /// Print the report as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

/// What `leadscore export` writes.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// One SQL `SELECT` (or `CREATE VIEW` with --view).
    Sql,
}

/// `leadscore export`
#[derive(Args, Debug)]
#[command(after_help = "Examples:
  leadscore export --model models/default.json --format sql --dialect postgres \\
    --table leads --id lead_id --out score_leads.sql
  leadscore export --model models/default.json --format sql --dialect duckdb --table leads \\
    --reasons
  leadscore export --model models/default.json --format sql --dialect spark \\
    --table crm.leads --id lead_id --view lead_scores

The query reads the table once (no joins, no UDFs) and returns, per row, the id, probability,
stage and points exactly as `leadscore score` computes them: imputation, indicators, clipping,
log1p, bins, standardisation, yes/no words, levels with 'other', the sigmoid and the points.
Numeric columns must be typed as numbers (age_days dates as dates); a row `leadscore score` would refuse
(an unrecognised yes/no word, a blank required field) gets NULL scores. Tested against
PostgreSQL, DuckDB and Spark SQL; BigQuery and Snowflake SQL is parsed, not run, in the tests.")]
pub struct ExportArgs {
    /// Model file written by `leadscore train`.
    #[arg(long, value_name = "FILE")]
    pub model: PathBuf,
    /// What to write.
    #[arg(long, value_enum, default_value = "sql")]
    pub format: ExportFormat,
    /// SQL engine: postgres, duckdb, spark, bigquery or snowflake.
    #[arg(long, value_name = "ENGINE")]
    pub dialect: leadscore::export::Dialect,
    /// Table (or view) holding the leads; `schema.table` is quoted per part.
    #[arg(long, value_name = "TABLE", default_value = "leads")]
    pub table: String,
    /// Column passed through to identify each row (default: the model's id column).
    #[arg(long, value_name = "COLUMN")]
    pub id: Option<String>,
    /// Wrap the query in `CREATE VIEW NAME AS`.
    #[arg(long, value_name = "NAME")]
    pub view: Option<String>,
    /// Add the top reason labels: reason_up_1..3 and reason_down_1..3, as `leadscore score
    /// --reasons` ranks them.
    #[arg(long)]
    pub reasons: bool,
    /// Write the SQL to this file (atomically) instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// Where the leads are and what their columns mean (shared by train and backtest).
#[derive(Args, Debug)]
pub struct ColumnArgs {
    /// Past leads: CSV (any separator) or Parquet.
    #[arg(long, value_name = "FILE")]
    pub data: PathBuf,
    /// Column saying whether the lead became a customer.
    #[arg(long, value_name = "COLUMN")]
    pub label: Option<String>,
    /// Label value meaning converted (default: yes/true/1).
    #[arg(long, value_name = "VALUE")]
    pub positive: Option<String>,
    /// Id column (passed through, never a feature).
    #[arg(long, value_name = "COLUMN")]
    pub id: Option<String>,
    /// Date column: the newest leads become the holdout (time-based validation).
    #[arg(long, value_name = "COLUMN")]
    pub date: Option<String>,
    /// Column to leave out (repeatable, or comma-separated).
    #[arg(long, value_name = "COLUMN", value_delimiter = ',')]
    pub exclude: Vec<String>,
    /// Column configuration file (default: ./leadscore.toml if it exists).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// How to read the file.
    #[command(flatten)]
    pub read: ReadArgs,
    /// Minimum rows for a category level to get its own weight [default: 20].
    #[arg(long)]
    pub min_frequency: Option<usize>,
    /// Most levels a categorical column keeps (the most frequent; the rest as 'other') [default: 100].
    #[arg(long)]
    pub max_levels: Option<usize>,
    /// Train although the leakage guard suspects this column, once a person has checked it
    /// is known when a lead is scored (repeatable, or comma-separated).
    #[arg(long, value_name = "COLUMN", value_delimiter = ',')]
    pub allow_leaky: Vec<String>,
}

/// How to read a table (shared by every command that reads one).
#[derive(Args, Debug, Clone)]
pub struct ReadArgs {
    /// CSV separator (default: sniffed from the header).
    #[arg(long, value_name = "CHAR", value_parser = parse_separator)]
    pub separator: Option<u8>,
    /// Decimal mark of numbers in the file, '.' or ',' (default: sniffed; `decimal` in leadscore.toml).
    #[arg(long, value_name = "CHAR")]
    pub decimal: Option<NumberFormat>,
    /// Text encoding, e.g. windows-1252, latin1, utf-16le (default: UTF-8, or UTF-16 by its byte-order mark).
    #[arg(long, value_name = "NAME")]
    pub encoding: Option<TextEncoding>,
    /// Excel sheet to read (default: the first).
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,
}

impl ReadArgs {
    /// The read options these flags give; `leadscore.toml`'s `decimal` and
    /// `encoding` fill what the flags leave unset.
    pub fn options(&self, config: Option<&ColumnsConfig>) -> ReadOptions {
        ReadOptions {
            separator: self.separator,
            decimal: self.decimal.or(config.and_then(|c| c.decimal)),
            encoding: self.encoding.or(config.and_then(|c| c.encoding)),
            sheet: self.sheet.clone(),
        }
    }
}

/// How to fit and where the MQL/SQL cut-offs go (shared by train and backtest).
#[derive(Args, Debug)]
pub struct FitArgs {
    /// MQL cut-off policy: p:0.25, recall:0.8, precision:0.4, top:0.1 or capacity:200/week [default: top:0.3].
    #[arg(long, value_name = "POLICY")]
    pub mql: Option<CutoffPolicy>,
    /// SQL cut-off policy, as --mql [default: top:0.1].
    #[arg(long, value_name = "POLICY")]
    pub sql: Option<CutoffPolicy>,
    /// Cross-validation folds [default: 5].
    #[arg(long)]
    pub folds: Option<usize>,
    /// Penalties to try, alpha = 1/C [default: 10000,1000,100,10,1,0.1,0.01].
    #[arg(long, value_delimiter = ',')]
    pub alphas: Option<Vec<f64>>,
    /// Seed for the random split and folds [default: 42].
    #[arg(long)]
    pub seed: Option<u64>,
    /// Iteration cap per fit [default: 1000].
    #[arg(long)]
    pub max_iterations: Option<u64>,
    /// Cross-validate the penalty on a stratified sample of at most this many rows [default: 25000].
    #[arg(long)]
    pub cv_max_rows: Option<usize>,
}

/// `leadscore train`
#[derive(Args, Debug)]
#[command(after_help = "Examples:
  leadscore train --data data/leads.csv --label converted --id lead_id \\
    --date created_at --out models/leads.json
  leadscore train --data data/bank-full.csv --label y --positive yes --exclude duration \\
    --out models/bank.json
  leadscore train --data data/leads.csv --label converted --date created_at \\
    --mql recall:0.9 --sql capacity:10/week --report holdout.html --out models/leads.json
  leadscore train --data data/leads.csv --label converted --id lead_id \\
    --exclude email,job_title --out models/leads.json --json

Reads CSV (any separator; decimal commas and thousands separators sniffed, or --decimal),
Parquet and Excel (.xlsx, .xls: the first sheet, or --sheet). N/A, -, ?, null, none and
similar placeholders are missing values. Without --out the model goes to
models/NAME-TIMESTAMP.json.

Columns are inferred (numeric, yes/no, categorical); id-like and free-text columns are
excluded with a reason. Override them in leadscore.toml (./leadscore.toml or --config), e.g.
[columns.pdays] sentinel = -1, [columns.notes] exclude = true, [columns.industry]
required = true, max_levels = 50; README lists every setting.")]
pub struct TrainArgs {
    /// Data and column roles.
    #[command(flatten)]
    pub columns: ColumnArgs,
    /// Fitting and cut-offs.
    #[command(flatten)]
    pub fit: FitArgs,
    /// Share of rows held out [default: 0.2].
    #[arg(long)]
    pub holdout: Option<f64>,
    /// Where to write the model (default: MODELS_DIR/NAME-TIMESTAMP.json).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Directory for models when --out is not given.
    #[arg(long, value_name = "DIR", default_value = "models")]
    pub models_dir: PathBuf,
    /// Model name (default: the data file's name).
    #[arg(long)]
    pub name: Option<String>,
    /// Write the HTML report of the holdout evaluation here.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Use the scorecard points scale with this many points per doubling of the odds
    /// (default scale without --pdo/--base-score/--base-odds: round(100 x p)).
    #[arg(long)]
    pub pdo: Option<f64>,
    /// Scorecard base score [default: 50] …
    #[arg(long)]
    pub base_score: Option<f64>,
    /// … at these odds of converting [default: 0.1111 = 1:9 = 10%].
    #[arg(long)]
    pub base_odds: Option<f64>,
    /// Print a machine-readable summary on stdout.
    #[arg(long)]
    pub json: bool,
}

/// `leadscore evaluate`
#[derive(Args, Debug)]
#[command(after_help = "Examples:
  leadscore evaluate --model models/default.json --data data/leads.csv
  leadscore evaluate --model models/default.json --data data/leads.csv \\
    --report evaluation.html --json")]
pub struct EvaluateArgs {
    /// Model file.
    #[arg(long, value_name = "FILE")]
    pub model: PathBuf,
    /// Labelled leads (with the model's label column).
    #[arg(long, value_name = "FILE")]
    pub data: PathBuf,
    /// How to read the file.
    #[command(flatten)]
    pub read: ReadArgs,
    /// Write a self-contained HTML report here.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Print the evaluation as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

/// `leadscore cutoffs`
#[derive(Args, Debug)]
#[command(after_help = "Examples:
  leadscore cutoffs --model models/default.json --data data/leads.csv --mql recall:0.8 \\
    --sql precision:0.4 --out models/tuned.json
  leadscore cutoffs --model models/default.json --data data/leads.csv --mql top:0.3 \\
    --sql capacity:10/week --out models/capacity.json --json

Policies: p:P (a fixed probability), recall:R (highest cut-off keeping share R of the
customers), precision:P (lowest cut-off whose leads convert at least P), top:S (top share
S of leads), capacity:N/day|week|month (as many leads as sales can handle, from the arrival
rate measured on the model's date column).")]
pub struct CutoffsArgs {
    /// Model file.
    #[arg(long, value_name = "FILE")]
    pub model: PathBuf,
    /// Labelled leads to choose the cut-offs on.
    #[arg(long, value_name = "FILE")]
    pub data: PathBuf,
    /// MQL policy.
    #[arg(long, value_name = "POLICY")]
    pub mql: CutoffPolicy,
    /// SQL policy.
    #[arg(long, value_name = "POLICY")]
    pub sql: CutoffPolicy,
    /// Where to write the model with the new cut-offs.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Date column for capacity policies (default: the model's date column).
    #[arg(long, value_name = "COLUMN")]
    pub date: Option<String>,
    /// How to read the file.
    #[command(flatten)]
    pub read: ReadArgs,
    /// Print a machine-readable summary on stdout.
    #[arg(long)]
    pub json: bool,
}

/// `leadscore points`
#[derive(Args, Debug)]
#[command(after_help = "Examples:
  leadscore points --data data/leads.csv --points data/points.toml --model models/default.json
  leadscore points --data data/leads.csv --points data/points.toml --label converted \\
    --positive yes --csv suggested.csv --json
  leadscore points --data data/leads.csv --points data/points.toml \\
    --model models/default.json --report points.html

points.toml:
  mql = 50
  sql = 100
  [[rule]]
  name = \"Requested a demo\"
  when = \"demo_requested = 'yes'\"     # a SQL condition over the lead's columns
  points = 45

Conditions: = <> != < <= > >=, AND OR NOT ( ), [NOT] IN (...), [NOT] BETWEEN a AND b,
IS [NOT] NULL, [NOT] LIKE / ILIKE ('%', '_'), + - * /, LOWER UPPER TRIM LENGTH ABS COALESCE;
text in 'single quotes', names bare or \"quoted\". A blank cell never matches (IS NULL finds
it); e.g. when = \"job_level IN ('vp', 'c_level') AND email_opens >= 5\".

Scale: points = offset + factor x ln(odds), factor = PDO / ln 2, so a rule worth k points
claims the odds of converting multiply by 2^(k/PDO). The model's scale is used when it was
trained with one (train --pdo ...), else these flags; --anchor puts the hand-set MQL threshold
at the model's MQL cut-off.")]
pub struct PointsArgs {
    /// Labelled leads (CSV or Parquet).
    #[arg(long, value_name = "FILE")]
    pub data: PathBuf,
    /// The hand-set scheme.
    #[arg(long, value_name = "FILE")]
    pub points: PathBuf,
    /// A trained model to compare with (also gives the label column and the cut-offs).
    #[arg(long, value_name = "FILE")]
    pub model: Option<PathBuf>,
    /// Label column (default: the model's).
    #[arg(long, value_name = "COLUMN")]
    pub label: Option<String>,
    /// Label value meaning converted (default: the model's, or yes/true/1).
    #[arg(long, value_name = "VALUE")]
    pub positive: Option<String>,
    /// Points to double the odds [default: the model's scale, else 20].
    #[arg(long)]
    pub pdo: Option<f64>,
    /// Base score [default: the model's scale, else 50] …
    #[arg(long)]
    pub base_score: Option<f64>,
    /// … at these odds of converting [default: the model's scale, else 0.1111 = 1:9 = 10%].
    #[arg(long)]
    pub base_odds: Option<f64>,
    /// Fit the scale so the hand-set MQL threshold sits at the model's MQL cut-off (needs --model).
    #[arg(long)]
    pub anchor: bool,
    /// How to read the file.
    #[command(flatten)]
    pub read: ReadArgs,
    /// Write the suggested scheme as CSV (rule,points) here.
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
    /// Write an HTML report (a chart per rule) here.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Print everything as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

/// `leadscore backtest`
#[derive(Args, Debug)]
#[command(after_help = "Examples:
  leadscore backtest --data data/leads.csv --label converted --id lead_id \\
    --date created_at --every month
  leadscore backtest --data data/leads.csv --label converted --date created_at \\
    --every quarter --json

For each period, trains on every lead created before it and tests on the period's leads.")]
pub struct BacktestArgs {
    /// Data and column roles (--date is required).
    #[command(flatten)]
    pub columns: ColumnArgs,
    /// Fitting and cut-offs (resolved on each period's training leads).
    #[command(flatten)]
    pub fit: FitArgs,
    /// Period length: week, month or quarter.
    #[arg(long, default_value = "month")]
    pub every: Every,
    /// Skip periods with fewer earlier leads than this.
    #[arg(long, default_value_t = 500)]
    pub min_train_rows: usize,
    /// Print the table as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

/// `leadscore score`
#[derive(Args, Debug)]
#[command(after_help = "Examples:
  leadscore score --model models/default.json --input data/leads.csv --output scored.csv
  leadscore score --model models/default.json --input data/leads.csv \\
    --output scored.parquet --json
  leadscore score --model models/default.json --input data/leads.csv \\
    --output explained.csv --reasons

Columns are matched by name (order does not matter; extra columns are passed through).
Unseen categories are scored as 'other' and counted; blanks are imputed as in training;
numbers far outside the training range are scored as its nearest end and counted.
Input: CSV, Parquet or Excel; output: .csv, .tsv, .txt, .parquet or .pq.
PostgreSQL: --input postgres://USER@HOST:PORT/DB?table=leads (or with --query \"SELECT …\"),
--output postgres://USER@HOST:PORT/DB?table=lead_scores, written in one transaction: a
failure leaves the old scores.")]
pub struct ScoreArgs {
    /// Model file written by `leadscore train`.
    #[arg(long, value_name = "FILE")]
    pub model: PathBuf,
    /// Leads to score: CSV, Parquet or Excel, or postgres://…?table=NAME.
    #[arg(long, value_name = "FILE|URL")]
    pub input: PathBuf,
    /// With a postgres:// --input: score the rows of this query instead of a table.
    #[arg(long, value_name = "SQL")]
    pub query: Option<String>,
    /// Output: .csv or .parquet, or postgres://…?table=NAME (replaced in one transaction).
    #[arg(long, value_name = "FILE|URL")]
    pub output: PathBuf,
    /// How to read the file.
    #[command(flatten)]
    pub read: ReadArgs,
    /// Rows per batch (bounds memory).
    #[arg(long, default_value_t = leadscore::io::DEFAULT_BATCH_ROWS)]
    pub batch_rows: usize,
    /// Add a `reasons` column: the top 3 contributions up and down, in points relative to
    /// an average lead (on the model's scorecard scale, else the default PDO-20 scale).
    #[arg(long)]
    pub reasons: bool,
    /// Print a machine-readable summary on stdout.
    #[arg(long)]
    pub json: bool,
}

/// `leadscore generate`
#[derive(Args, Debug)]
#[command(after_help = "Example:
  leadscore generate --rows 5000 --seed 7 --out sample.csv
writes sample.csv (the same leads as data/leads.csv) and its ground truth sample.truth.json")]
pub struct GenerateArgs {
    /// Number of leads.
    #[arg(long, default_value_t = 5000)]
    pub rows: usize,
    /// Random seed.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Output file (.csv or .parquet).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Ground-truth file (default: OUT with extension .truth.json).
    #[arg(long, value_name = "FILE")]
    pub truth: Option<PathBuf>,
}

/// `leadscore inspect`
#[derive(Args, Debug)]
#[command(after_help = "Example:
  leadscore inspect --model models/default.json")]
pub struct InspectArgs {
    /// Model file.
    #[arg(long, value_name = "FILE")]
    pub model: PathBuf,
    /// Print the whole model as JSON.
    #[arg(long)]
    pub json: bool,
}

fn parse_separator(text: &str) -> Result<u8, String> {
    let sep = match text {
        "\\t" | "tab" => "\t",
        other => other,
    };
    match sep.as_bytes() {
        [b] if b.is_ascii() && *b != b'"' && *b != b'\n' => Ok(*b),
        _ => Err(format!(
            "'{text}' is not a single ASCII separator character (use e.g. ';' or '\\t')"
        )),
    }
}

impl ColumnArgs {
    /// How to read the data file, and the checked training configuration
    /// these flags (and leadscore.toml) give.
    pub fn train_config(
        &self,
        fit: &FitArgs,
        holdout: Option<f64>,
        name: Option<String>,
        points: Option<PointsScale>,
    ) -> leadscore::Result<(ReadOptions, TrainConfig)> {
        let config_file = ColumnsConfig::locate(self.config.as_deref())?;
        let read = self.read.options(config_file.as_ref().map(|(_, c)| c));
        let config = TrainSettings {
            label: self.label.clone(),
            positive: self.positive.clone(),
            id: self.id.clone(),
            date: self.date.clone(),
            exclude: self.exclude.clone(),
            config_file,
            min_frequency: self.min_frequency,
            max_levels: self.max_levels,
            folds: fit.folds,
            alphas: fit.alphas.clone(),
            holdout,
            seed: fit.seed,
            mql: fit.mql,
            sql: fit.sql,
            max_iterations: fit.max_iterations,
            cv_max_rows: fit.cv_max_rows,
            allow_leaky: self.allow_leaky.clone(),
            name,
            points,
        }
        .check()?;
        Ok((read, config))
    }
}

impl TrainArgs {
    /// The training job these flags ask for.
    pub fn job(&self) -> leadscore::Result<TrainJob> {
        let points = PointsScale::from_settings(self.pdo, self.base_score, self.base_odds)?;
        let (read, config) =
            self.columns
                .train_config(&self.fit, self.holdout, self.name.clone(), points)?;
        Ok(TrainJob {
            data: self.columns.data.clone(),
            read,
            config,
            destination: match &self.out {
                Some(file) => ModelDestination::File(file.clone()),
                None => ModelDestination::Dir(self.models_dir.clone()),
            },
            report: self.report.clone(),
        })
    }
}
