//! Command-line arguments (clap structs mirroring the flags) and the one place
//! each is turned into library configuration.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};

use leadscore::data::{read_table, ReadOptions};
use leadscore::schema::ColumnsConfig;
use leadscore::score::{score_file, ScoreOptions};
use leadscore::train::{train, TrainSettings};
use leadscore::{artifact, generate};

use crate::output;
use crate::progress::Bars;

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
}

/// `leadscore train`
#[derive(Args, Debug)]
#[command(after_help = "Examples:
  leadscore train --data data/leads.csv --label converted --id lead_id --date created_at
  leadscore train --data data/bank-full.csv --label y --positive yes --exclude duration
  leadscore train --data leads.parquet --label won --config leadscore.toml --out models/prod.json --json

Columns are inferred (numeric, yes/no, categorical); id-like and free-text columns are
excluded with a warning. Override per column in leadscore.toml (read from the current
directory when present, or --config):
  [columns.website_visits]
  transform = \"log1p\"      # or \"none\"
  [columns.pdays]
  sentinel = -1            # a 'not applicable' code, or \"none\"
  [columns.notes]
  exclude = true")]
pub struct TrainArgs {
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
    /// CSV separator (default: sniffed from the header).
    #[arg(long, value_name = "CHAR", value_parser = parse_separator)]
    pub separator: Option<u8>,
    /// Where to write the model (default: MODELS_DIR/NAME-TIMESTAMP.json).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Directory for models when --out is not given.
    #[arg(long, value_name = "DIR", default_value = "models")]
    pub models_dir: PathBuf,
    /// Model name (default: the data file's name).
    #[arg(long)]
    pub name: Option<String>,
    /// MQL probability cut-off [default: 0.15].
    #[arg(long, value_name = "P")]
    pub mql: Option<f64>,
    /// SQL probability cut-off [default: 0.35].
    #[arg(long, value_name = "P")]
    pub sql: Option<f64>,
    /// Cross-validation folds [default: 5].
    #[arg(long)]
    pub folds: Option<usize>,
    /// Penalties to try, alpha = 1/C [default: 10000,1000,100,10,1,0.1,0.01].
    #[arg(long, value_delimiter = ',')]
    pub alphas: Option<Vec<f64>>,
    /// Share of rows held out [default: 0.2].
    #[arg(long)]
    pub holdout: Option<f64>,
    /// Seed for the random split and folds [default: 42].
    #[arg(long)]
    pub seed: Option<u64>,
    /// Minimum rows for a category level to get its own weight [default: 20].
    #[arg(long)]
    pub min_frequency: Option<usize>,
    /// Iteration cap per fit [default: 1000].
    #[arg(long)]
    pub max_iterations: Option<u64>,
    /// Print a machine-readable summary on stdout.
    #[arg(long)]
    pub json: bool,
}

/// `leadscore score`
#[derive(Args, Debug)]
#[command(after_help = "Examples:
  leadscore score --model models/default.json --input data/leads.csv --output scored.csv
  leadscore score --model models/default.json --input new.parquet --output scored.parquet --json

Columns are matched by name (order does not matter; extra columns are passed through).
Unseen categories are scored as 'other' and counted; blanks are imputed as in training.")]
pub struct ScoreArgs {
    /// Model file written by `leadscore train`.
    #[arg(long, value_name = "FILE")]
    pub model: PathBuf,
    /// Leads to score: CSV or Parquet.
    #[arg(long, value_name = "FILE")]
    pub input: PathBuf,
    /// Output file: .csv or .parquet.
    #[arg(long, value_name = "FILE")]
    pub output: PathBuf,
    /// CSV separator of the input (default: sniffed); the output uses the same.
    #[arg(long, value_name = "CHAR", value_parser = parse_separator)]
    pub separator: Option<u8>,
    /// Rows per batch (bounds memory).
    #[arg(long, default_value_t = leadscore::data::DEFAULT_BATCH_ROWS)]
    pub batch_rows: usize,
    /// Print a machine-readable summary on stdout.
    #[arg(long)]
    pub json: bool,
}

/// `leadscore generate`
#[derive(Args, Debug)]
#[command(after_help = "Example:
  leadscore generate --rows 5000 --seed 7 --out data/leads.csv
writes data/leads.csv and its ground truth data/leads.truth.json")]
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

/// Run `train`.
pub fn run_train(a: TrainArgs) -> Result<()> {
    let config_path = a.config.clone().or_else(|| {
        let default = PathBuf::from("leadscore.toml");
        default.exists().then_some(default)
    });
    let config_file = match config_path {
        Some(path) => {
            let cfg = ColumnsConfig::from_file(&path)?;
            Some((path, cfg))
        }
        None => None,
    };
    let config = TrainSettings {
        label: a.label,
        positive: a.positive,
        id: a.id,
        date: a.date,
        exclude: a.exclude,
        config_file,
        min_frequency: a.min_frequency,
        folds: a.folds,
        alphas: a.alphas,
        holdout: a.holdout,
        seed: a.seed,
        mql: a.mql,
        sql: a.sql,
        max_iterations: a.max_iterations,
        name: a.name,
    }
    .check()?;
    let frame = read_table(
        &a.data,
        &ReadOptions {
            separator: a.separator,
        },
    )?;
    let model = train(&frame, &a.data, &config, &Bars::default())?;
    let out = a.out.unwrap_or_else(|| {
        let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
        a.models_dir.join(format!("{}-{stamp}.json", model.name()))
    });
    artifact::save(&model, &out)?;
    if a.json {
        output::print_json(&output::train_summary(&model, &out))?;
    } else {
        output::print_train(&model, &out);
    }
    Ok(())
}

/// Run `score`.
pub fn run_score(a: ScoreArgs) -> Result<()> {
    let model = artifact::load(&a.model)?;
    if a.batch_rows == 0 {
        anyhow::bail!(leadscore::Error::InvalidArgument {
            name: "--batch-rows".into(),
            message: "must be at least 1".into()
        });
    }
    let options = ScoreOptions {
        read: ReadOptions {
            separator: a.separator,
        },
        batch_rows: a.batch_rows,
    };
    let summary = score_file(&model, &a.input, &a.output, &options, &Bars::default())?;
    if a.json {
        output::print_json(&summary)?;
    } else {
        output::print_score(&summary, &model);
    }
    Ok(())
}

/// Run `generate`.
pub fn run_generate(a: GenerateArgs) -> Result<()> {
    if a.rows == 0 {
        anyhow::bail!(leadscore::Error::InvalidArgument {
            name: "--rows".into(),
            message: "must be at least 1".into()
        });
    }
    let mut generated = generate::generate(a.rows, a.seed)?;
    generate::write_table(&mut generated.frame, &a.out)?;
    let truth_path = a.truth.unwrap_or_else(|| truth_path_for(&a.out));
    let json = serde_json::to_vec_pretty(&generated.truth).context("serialising the truth")?;
    artifact::write_atomically(&truth_path, &json)?;
    let converted = generated.true_probability.iter().sum::<f64>() / a.rows as f64;
    println!(
        "wrote {} leads to {} (expected conversion rate {:.1}%) and the ground truth to {}",
        a.rows,
        a.out.display(),
        100.0 * converted,
        truth_path.display()
    );
    Ok(())
}

fn truth_path_for(out: &Path) -> PathBuf {
    out.with_extension("truth.json")
}

/// Run `inspect`.
pub fn run_inspect(a: InspectArgs) -> Result<()> {
    let model = artifact::load(&a.model)?;
    if a.json {
        output::print_json(&model)?;
    } else {
        output::print_model(&model, &a.model);
    }
    Ok(())
}
