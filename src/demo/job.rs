//! The `generate` job: synthetic leads and their ground truth written
//! atomically, side by side.

use std::fmt;
use std::path::{Path, PathBuf};

use super::generate;
use crate::error::{Error, Result};
use crate::io::write::{write_atomically, write_table};

/// What a generate job wrote.
#[derive(Debug, Clone)]
pub struct GenerateOutcome {
    /// Leads written.
    pub rows: usize,
    /// The table (CSV or Parquet by extension).
    pub out: PathBuf,
    /// The ground truth (JSON).
    pub truth: PathBuf,
    /// Mean true conversion probability.
    pub expected_conversion_rate: f64,
}

/// The truth file beside `out`: same name with `.truth.json`.
pub fn truth_path_for(out: &Path) -> PathBuf {
    out.with_extension("truth.json")
}

/// Generate `rows` leads with `seed`; write them to `out` and the truth to
/// `truth` (default: beside `out`).
pub fn generate_files(
    rows: usize,
    seed: u64,
    out: &Path,
    truth: Option<&Path>,
) -> Result<GenerateOutcome> {
    if rows == 0 {
        return Err(Error::InvalidArgument {
            name: "rows".into(),
            message: "must be at least 1".into(),
        });
    }
    let mut generated = generate(rows, seed)?;
    write_table(&mut generated.frame, out)?;
    let truth = truth.map_or_else(|| truth_path_for(out), Path::to_path_buf);
    let json = serde_json::to_vec_pretty(&generated.truth).map_err(|e| Error::Io {
        path: truth.clone(),
        source: e.into(),
    })?;
    write_atomically(&truth, &json)?;
    Ok(GenerateOutcome {
        rows,
        out: out.to_path_buf(),
        truth,
        expected_conversion_rate: generated.true_probability.iter().sum::<f64>() / rows as f64,
    })
}

impl fmt::Display for GenerateOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "wrote {} leads to {} (expected conversion rate {:.1}%) and the ground truth to {}",
            self.rows,
            self.out.display(),
            100.0 * self.expected_conversion_rate,
            self.truth.display()
        )
    }
}
