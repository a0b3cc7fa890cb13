//! Helpers shared by leadscore's criterion benchmarks (the benchmarks are the
//! `[[bench]]` targets of this package).

use std::path::PathBuf;

/// A file of the leadscore project (`data/leads.csv`, `models/default.json`),
/// wherever cargo runs the benchmark from.
pub fn project_file(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(relative)
}
