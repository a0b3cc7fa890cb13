//! The analysts' notebooks (issue 16) run top to bottom on the bundled data
//! with this build's binaries, headless (nbclient through
//! scripts/run_notebooks.py); a cell that raises fails the test with the
//! notebook, the cell and the error. The committed notebooks stay small.

use std::path::Path;
use std::process::Command;

use crate::helpers::project_file;

#[test]
fn every_notebook_runs_top_to_bottom_on_the_bundled_data() {
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_leadscore"))
        .parent()
        .expect("the binaries' folder");
    let out = Command::new("python3")
        .arg(project_file("scripts/run_notebooks.py"))
        .env("LEADSCORE_BIN", bin_dir)
        .output()
        .expect("python3 runs (README's test command installs nbclient and ipykernel)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "notebooks failed:\n{stdout}\n{stderr}"
    );
    let mut names: Vec<String> = std::fs::read_dir(project_file("notebooks"))
        .expect("notebooks/")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".ipynb"))
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "01_train_and_evaluate.ipynb",
            "02_points_vs_learned.ipynb",
            "03_scoring_service.ipynb",
            "04_retrain_compare_drift.ipynb",
            "sample_vs_truth.ipynb"
        ]
    );
    for name in &names {
        assert!(
            stdout.contains(&format!("ok {name}:")),
            "{name} did not run:\n{stdout}"
        );
        let size = std::fs::metadata(project_file(&format!("notebooks/{name}")))
            .expect("notebook")
            .len();
        assert!(
            size < 256 * 1024,
            "{name} is {size} bytes: clear its outputs"
        );
    }
}
