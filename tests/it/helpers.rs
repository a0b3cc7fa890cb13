//! Shared helpers: run the CLI, temporary files, small labelled tables.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A file of the project (the tests never read `../shared`).
pub fn project_file(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

/// Run the `leadscore` binary with `args` in `dir`.
pub fn leadscore(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_leadscore"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the leadscore binary runs")
}

/// Stdout as text.
pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Stderr as text.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Assert the command succeeded, showing its output otherwise.
pub fn assert_ok(out: &Output) {
    assert!(
        out.status.success(),
        "expected success, got {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        stdout(out),
        stderr(out)
    );
}

/// Assert a user error: exit code 2, one `error:` line naming every needle,
/// and no panic.
pub fn assert_user_error(out: &Output, needles: &[&str]) {
    let err = stderr(out);
    assert_eq!(
        out.status.code(),
        Some(2),
        "exit code; stderr:\n{err}\nstdout:\n{}",
        stdout(out)
    );
    assert!(!err.contains("panicked"), "panicked:\n{err}");
    // Progress lines (written when stderr is not a terminal) are not the error.
    let lines: Vec<&str> = err
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with("progress: "))
        .collect();
    assert_eq!(lines.len(), 1, "one line expected:\n{err}");
    assert!(lines[0].starts_with("error: "), "{err}");
    for needle in needles {
        assert!(
            err.contains(needle),
            "stderr should mention {needle:?}:\n{err}"
        );
    }
}

/// A fresh temporary directory.
pub fn temp_dir() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

/// Write text to `dir/name` and return the path.
pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write test file");
    path
}

/// A small, valid training table as CSV text: `rows` leads where visits and a
/// demo request raise conversion. Deterministic.
pub fn small_leads(rows: usize) -> String {
    let mut text = String::from("lead_id,visits,industry,demo,converted\n");
    for i in 0..rows {
        let visits = (i * 7) % 13;
        let industry = ["software", "retail", "education"][i % 3];
        let demo = if i % 4 == 0 { "yes" } else { "no" };
        let converted = if (visits > 8 && i % 2 == 0) || (demo == "yes" && i % 3 == 0) {
            "yes"
        } else {
            "no"
        };
        text.push_str(&format!("{i},{visits},{industry},{demo},{converted}\n"));
    }
    text
}

/// `small_leads(rows)` with one more column `name`, whose cell for lead `i`
/// is `cell(i, converted)`.
pub fn small_leads_plus(rows: usize, name: &str, cell: impl Fn(usize, bool) -> String) -> String {
    let mut out = String::new();
    for (i, line) in small_leads(rows).lines().enumerate() {
        let extra = if i == 0 {
            name.to_string()
        } else {
            cell(i - 1, line.ends_with(",yes"))
        };
        out.push_str(&format!("{line},{extra}\n"));
    }
    out
}

/// A model of `small_leads(200)` (written to `dir/train.csv`) in `dir/m.json`.
pub fn small_model(dir: &Path) {
    write(dir, "train.csv", &small_leads(200));
    assert_ok(&leadscore(
        dir,
        &[
            "train",
            "--data",
            "train.csv",
            "--label",
            "converted",
            "--out",
            "m.json",
        ],
    ));
}

/// Parse a comma-separated CSV (quoted fields allowed, no newlines inside
/// quotes) into header and rows.
pub fn parse_csv(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut lines = text.lines().filter(|l| !l.is_empty());
    let header = split_csv_line(lines.next().unwrap_or(""));
    let rows = lines.map(split_csv_line).collect();
    (header, rows)
}

/// Split one CSV line into unquoted fields.
pub fn split_csv_line(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut in_quotes = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if in_quotes && chars.peek() == Some(&'"') => {
                chars.next();
                fields.last_mut().expect("field").push('"');
            }
            '"' => in_quotes = !in_quotes,
            ',' if !in_quotes => fields.push(String::new()),
            c => fields.last_mut().expect("field").push(c),
        }
    }
    fields
}

/// Join fields into one CSV line, quoting where needed.
pub fn csv_line(fields: &[String]) -> String {
    fields
        .iter()
        .map(|f| {
            if f.contains(',') || f.contains('"') {
                format!("\"{}\"", f.replace('"', "\"\""))
            } else {
                f.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// The values of `column` in a parsed CSV.
pub fn column<'a>(header: &[String], rows: &'a [Vec<String>], column: &str) -> Vec<&'a str> {
    let i = header
        .iter()
        .position(|h| h == column)
        .unwrap_or_else(|| panic!("column {column} in {header:?}"));
    rows.iter().map(|r| r[i].as_str()).collect()
}

/// Run a Python reference script from `tests/` and parse the JSON it prints.
/// Fails (never skips) when python3 or scikit-learn is missing.
pub fn python_reference(script: &str, args: &[&std::ffi::OsStr]) -> serde_json::Value {
    let out = Command::new("python3")
        .arg(project_file(script))
        .args(args)
        .output()
        .expect("python3 must be installed (CI: .ci/run installs scikit-learn)");
    assert!(
        out.status.success(),
        "python reference script {script} failed (scripts/test.sh installs the Python tools it needs):\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON from the reference script")
}

/// Score `leads` (CSV text) with `dir/m.json` and `--reasons`; the output CSV text.
pub fn score_with_reasons(dir: &Path, leads: &str) -> String {
    write(dir, "new.csv", leads);
    let scored = leadscore(
        dir,
        &[
            "score",
            "--model",
            "m.json",
            "--input",
            "new.csv",
            "--output",
            "s.csv",
            "--reasons",
        ],
    );
    assert_ok(&scored);
    std::fs::read_to_string(dir.join("s.csv")).expect("scores")
}

/// The header line of `data/leads.csv`.
pub fn sample_header() -> String {
    std::fs::read_to_string(project_file("data/leads.csv"))
        .expect("sample data")
        .lines()
        .next()
        .expect("a header")
        .to_string()
}
