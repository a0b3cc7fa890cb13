//! `leadscore score` reading from and writing to a real PostgreSQL server:
//! a table or a query in, a table out, the same scores as from the file;
//! and a connection dropped mid-write leaves the old scores.

use std::io::Write as _;
use std::time::{Duration, Instant};

use crate::helpers::*;
use crate::pg::Postgres;

/// `data/leads.csv` as the table `leads` (every column text, as a CRM sync
/// often leaves them).
fn load_sample(pg: &Postgres) {
    let header = sample_header();
    let columns: Vec<String> = header.split(',').map(|c| format!("\"{c}\" TEXT")).collect();
    pg.psql(&format!(
        "DROP TABLE IF EXISTS leads; CREATE TABLE leads ({});",
        columns.join(", ")
    ));
    pg.psql(&format!(
        "\\copy leads FROM '{}' WITH (FORMAT csv, HEADER true)",
        project_file("data/leads.csv").display()
    ));
}

/// `lead_id<TAB>probability<TAB>stage<TAB>points` per row of `lead_scores`, sorted.
fn scores_in_db(pg: &Postgres) -> Vec<String> {
    let mut rows: Vec<String> = pg
        .psql("SELECT lead_id, probability, stage, points FROM lead_scores")
        .lines()
        .map(str::to_string)
        .collect();
    rows.sort();
    rows
}

#[test]
fn scores_a_table_into_a_table_as_from_the_file() {
    let pg = Postgres::start();
    load_sample(&pg);
    let dir = temp_dir();
    let model = project_file("models/default.json");
    let model = model.to_str().expect("path");
    let out = leadscore(
        dir.path(),
        &[
            "score",
            "--model",
            model,
            "--input",
            &pg.url("table=leads"),
            "--output",
            &pg.url("table=lead_scores"),
        ],
    );
    assert_ok(&out);
    // The same leads from the file.
    let file = leadscore(
        dir.path(),
        &[
            "score",
            "--model",
            model,
            "--input",
            project_file("data/leads.csv").to_str().expect("path"),
            "--output",
            "file.csv",
        ],
    );
    assert_ok(&file);
    let text = std::fs::read_to_string(dir.path().join("file.csv")).expect("scores");
    let (header, rows) = parse_csv(&text);
    let mut expected: Vec<String> = (0..rows.len())
        .map(|i| {
            ["lead_id", "probability", "stage", "points"]
                .map(|c| column(&header, &rows, c)[i])
                .join("\t")
        })
        .collect();
    expected.sort();
    assert_eq!(
        scores_in_db(&pg),
        expected,
        "bit-identical probabilities, same stages and points"
    );
    // Every input column is kept beside the scores.
    let columns =
        pg.psql("SELECT count(*) FROM information_schema.columns WHERE table_name = 'lead_scores'");
    assert_eq!(columns.trim(), (header.len()).to_string());

    // A query instead of a table.
    let software = leadscore(
        dir.path(),
        &[
            "score",
            "--model",
            model,
            "--input",
            &pg.url(""),
            "--query",
            "SELECT * FROM leads WHERE industry = 'software'",
            "--output",
            &pg.url("table=software_scores"),
        ],
    );
    assert_ok(&software);
    let n = pg.psql("SELECT count(*) FROM software_scores");
    let expected_n = column(&header, &rows, "industry")
        .iter()
        .filter(|i| **i == "software")
        .count();
    assert_eq!(n.trim(), expected_n.to_string());

    // A missing table is a clear error naming the URL, exit 2.
    let missing = leadscore(
        dir.path(),
        &[
            "score",
            "--model",
            model,
            "--input",
            &pg.url("table=no_such_table"),
            "--output",
            "x.csv",
        ],
    );
    assert_user_error(&missing, &["no_such_table", "does not exist"]);
}

#[test]
fn a_connection_dropped_mid_write_leaves_the_old_scores() {
    let pg = Postgres::start();
    load_sample(&pg);
    let dir = temp_dir();
    let old_model = project_file("models/default.json");
    assert_ok(&leadscore(
        dir.path(),
        &[
            "score",
            "--model",
            old_model.to_str().expect("path"),
            "--input",
            &pg.url("table=leads"),
            "--output",
            &pg.url("table=lead_scores"),
        ],
    ));
    let before = scores_in_db(&pg);
    assert_eq!(before.len(), 5000);

    // A reader holds the old table: the new scores are all copied, then the
    // swap waits for its lock, mid-transaction.
    let mut reader = pg.session();
    let stdin = reader.stdin.as_mut().expect("stdin");
    writeln!(stdin, "BEGIN; SELECT count(*) FROM lead_scores;").expect("psql");
    stdin.flush().expect("psql");
    let new_model = project_file("tests/fixtures/model-v7.json");
    let writer = std::process::Command::new(env!("CARGO_BIN_EXE_leadscore"))
        .current_dir(dir.path())
        .args([
            "score",
            "--model",
            new_model.to_str().expect("path"),
            "--input",
        ])
        .arg(pg.url("table=leads"))
        .arg("--output")
        .arg(pg.url("table=lead_scores"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("leadscore runs");
    let waiting = "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'leadscore' AND wait_event_type = 'Lock'";
    let started = Instant::now();
    while pg.psql(waiting).trim() != "1" {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "leadscore never reached the swap"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    // The staging table holds the new scores, uncommitted: drop the connection now.
    pg.psql(&format!("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'leadscore' AND wait_event_type = 'Lock'; {waiting}"));
    let out = writer.wait_with_output().expect("leadscore ends");
    writeln!(reader.stdin.as_mut().expect("stdin"), "COMMIT;").expect("psql");
    drop(reader.stdin.take());
    reader.wait().expect("psql ends");

    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("table=lead_scores"),
        "names the output: {stderr}"
    );
    assert_eq!(scores_in_db(&pg), before, "the old scores are untouched");
    let staging =
        pg.psql("SELECT count(*) FROM pg_tables WHERE tablename = 'lead_scores_leadscore_new'");
    assert_eq!(staging.trim(), "0", "nothing half-written is left");
}
