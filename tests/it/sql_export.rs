//! `leadscore export --format sql` run inside real engines — DuckDB (the
//! Python package), Spark SQL (pyspark in local mode on the machine's Java)
//! and PostgreSQL (the Debian server, started here on a free port with a
//! temporary data directory) — on the bundled leads and on a file of edge
//! cases, against `leadscore score` on the same rows: probabilities within
//! 1e-9, stages and points identical. BigQuery and Snowflake cannot run
//! here; their SQL is parsed by sqlglot.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use crate::helpers::*;
use crate::pg::Postgres;

/// What one row scored: probability, stage, points, and the reason labels
/// up then down.
type Scores = HashMap<String, (f64, String, i64, Vec<String>)>;

/// Training leads whose levels need escaping (quotes, a backslash, Unicode,
/// a leading space), with a sentinel code, blanks and a skewed amount.
fn edge_training(rows: usize) -> String {
    let segments = [
        "O'Brien & \"Sons\"",
        "back\\slash",
        "naïve – ünicode",
        " leading space",
        "plain",
    ];
    let mut text = String::from("lead_id,visits,pdays,segment,trial,amount,converted\n");
    for i in 0..rows {
        let visits = if i % 17 == 0 {
            String::new()
        } else {
            ((i * 7) % 23).to_string()
        };
        let pdays = if i % 6 == 0 {
            -1
        } else {
            ((i * 13) % 300) as i64
        };
        let segment = segments[i % segments.len()];
        let trial = ["yes", "no", "", "Yes", "no"][i % 5];
        let amount = ((i * 7919) % 1000) as f64 / 10.0 * if i % 9 == 0 { 40.0 } else { 1.0 };
        let score = (i * 7) % 23
            + usize::from(segment.starts_with('O')) * 8
            + usize::from(trial.eq_ignore_ascii_case("yes")) * 6
            + usize::from(pdays == -1) * 5
            + (i * 37) % 11;
        let converted = if score > 24 { "yes" } else { "no" };
        text.push_str(&format!(
            "L{i},{visits},{pdays},{},{trial},{amount},{converted}\n",
            csv_field(segment)
        ));
    }
    text
}

/// A CSV field, quoted when it needs to be.
fn csv_field(value: &str) -> String {
    if value.contains([',', '"']) || value.starts_with(' ') {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_string()
    }
}

/// The edge model's leads to score: training rows, then blanks, unseen and
/// padded levels, placeholders, the sentinel, extreme and negative values.
fn edge_scoring() -> String {
    let mut text: String = edge_training(300);
    for row in [
        "E1,,,,,,",
        "E2,5,-1,brand new level,YES,12.5,",
        "E3,1e12,10,\"  O'Brien & \"\"Sons\"\"  \",n/a,1e9,",
        "E4,-5,300,N/A, no ,-3,",
        "E5,3,7,\"back\\slash\",maybe,0,",
        "E6,22,-1,other,t,99999,",
        "E7,0,0,naïve – ünicode,F,0.05,",
    ] {
        text.push_str(row);
        text.push('\n');
    }
    text
}

/// `leadscore score --reasons` on `data` with the model `m.json` in `dir`.
fn scored_by_leadscore(dir: &Path, data: &str, id: &str) -> Scores {
    let out = leadscore(
        dir,
        &[
            "score",
            "--model",
            "m.json",
            "--input",
            data,
            "--output",
            "ours.csv",
            "--reasons",
        ],
    );
    assert_ok(&out);
    let text = std::fs::read_to_string(dir.join("ours.csv")).expect("scores");
    let (header, rows) = parse_csv(&text);
    let ids = column(&header, &rows, id);
    let p = column(&header, &rows, "probability");
    let stage = column(&header, &rows, "stage");
    let points = column(&header, &rows, "points");
    let reasons = column(&header, &rows, "reasons");
    (0..rows.len())
        .map(|i| {
            (
                ids[i].to_string(),
                (
                    p[i].parse().expect("probability"),
                    stage[i].to_string(),
                    points[i].parse().expect("points"),
                    reason_labels(reasons[i]),
                ),
            )
        })
        .collect()
}

/// The labels of a reasons cell (`+25 label; +9 label | -12 label`), up then
/// down, each side padded to three with empty strings.
fn reason_labels(cell: &str) -> Vec<String> {
    let (up, down) = cell.split_once(" | ").expect("up | down");
    let mut labels = Vec::new();
    for side in [up, down] {
        let mut these: Vec<String> = side
            .split("; ")
            .filter(|r| !r.is_empty())
            .map(|r| r.split_once(' ').expect("points label").1.to_string())
            .collect();
        these.resize(3, String::new());
        labels.extend(these);
    }
    labels
}

/// Every row agrees: probability within 1e-9, the same stage and points.
/// Rows leadscore refuses are absent from `ours`; the engine gives them NULL.
fn assert_agree(engine: &str, ours: &Scores, theirs: &[Value]) {
    assert_eq!(theirs.len(), ours.len(), "{engine}: one row per lead");
    for row in theirs {
        let id = row[0].as_str().expect("id").to_string();
        let (p, stage, points, reasons) = &ours[&id];
        let q = row[1].as_f64().unwrap_or(f64::NAN);
        assert!((p - q).abs() <= 1e-9, "{engine}, {id}: {p} vs {q}");
        assert_eq!(row[2].as_str(), Some(stage.as_str()), "{engine}, {id}");
        assert_eq!(row[3].as_i64(), Some(*points), "{engine}, {id}");
        let theirs: Vec<String> = (4..10)
            .map(|k| row[k].as_str().unwrap_or("").to_string())
            .collect();
        assert_eq!(&theirs, reasons, "{engine}, {id}: reason labels");
    }
}

/// Export `dir/m.json` for `dialect` to `dir/q.sql`.
fn export(dir: &Path, dialect: &str, id: &str) -> PathBuf {
    let out = leadscore(
        dir,
        &[
            "export",
            "--model",
            "m.json",
            "--format",
            "sql",
            "--dialect",
            dialect,
            "--table",
            "leads",
            "--id",
            id,
            "--reasons",
            "--out",
            "q.sql",
        ],
    );
    assert_ok(&out);
    dir.join("q.sql")
}

/// The column types of a CSV header: `numeric` columns DOUBLE, `dates` DATE,
/// the rest text.
fn types(header: &str, numeric: &[&str], dates: &[&str]) -> Value {
    let map: serde_json::Map<String, Value> = header
        .split(',')
        .map(|c| {
            let kind = if numeric.contains(&c) {
                "DOUBLE"
            } else if dates.contains(&c) {
                "DATE"
            } else {
                "VARCHAR"
            };
            (c.to_string(), json!(kind))
        })
        .collect();
    Value::Object(map)
}

/// Leads with a signup date scored as its age in days up to the lead's
/// `created_at` (ISO dates, so every engine loads them as DATE), with blank
/// signups, and with `blank_reference`, blank lead dates too (scoring only:
/// training needs every lead's date).
fn dated_leads(rows: usize, blank_reference: bool) -> String {
    let start = chrono::NaiveDate::from_ymd_opt(2024, 1, 1).expect("date");
    let mut text = String::from("lead_id,created_at,signup_date,visits,converted\n");
    for i in 0..rows {
        let created = start + chrono::Days::new((i * 366 / rows) as u64);
        let age = (i * 7919) % 400;
        let signup = created - chrono::Days::new(age as u64);
        let visits = (i * 31) % 13;
        let won =
            (age as f64 / 400.0 + visits as f64 / 30.0 + ((i * 37) % 100) as f64 / 100.0) > 1.1;
        let (created, signup) = match i % 50 {
            7 => (created.to_string(), String::new()),
            8 if blank_reference => (String::new(), signup.to_string()),
            _ => (created.to_string(), signup.to_string()),
        };
        text.push_str(&format!(
            "D{i},{created},{signup},{visits},{}\n",
            if won { "yes" } else { "no" }
        ));
    }
    text
}

const SAMPLE_NUMERIC: [&str; 6] = [
    "website_visits",
    "pages_per_visit",
    "time_on_site_min",
    "pricing_page_views",
    "email_opens",
    "email_clicks",
];
const EDGE_NUMERIC: [&str; 3] = ["visits", "pdays", "amount"];

/// The three cases: the bundled model on the sample, a model of the edge
/// training file (bins configured for `amount`) on the edge rows, and a
/// model with a date scored as its age (`age_days`).
fn cases(dir: &Path) -> Vec<(PathBuf, &'static str, Value)> {
    let sample = dir.join("sample");
    std::fs::create_dir_all(&sample).expect("dir");
    std::fs::copy(project_file("models/default.json"), sample.join("m.json")).expect("model");
    std::fs::copy(project_file("data/leads.csv"), sample.join("leads.csv")).expect("data");
    let header = sample_header();
    let edge = dir.join("edge");
    std::fs::create_dir_all(&edge).expect("dir");
    write(&edge, "train.csv", &edge_training(2000));
    write(
        &edge,
        "leadscore.toml",
        "[columns.amount]\ntransform = \"bins\"\n",
    );
    assert_ok(&leadscore(
        &edge,
        &[
            "train",
            "--data",
            "train.csv",
            "--label",
            "converted",
            "--id",
            "lead_id",
            "--config",
            "leadscore.toml",
            "--out",
            "m.json",
        ],
    ));
    write(&edge, "leads.csv", &edge_scoring());
    let dated = dir.join("dated");
    std::fs::create_dir_all(&dated).expect("dir");
    write(&dated, "train.csv", &dated_leads(2000, false));
    write(
        &dated,
        "leadscore.toml",
        "[columns.signup_date]\nage_days = true\n",
    );
    assert_ok(&leadscore(
        &dated,
        &[
            "train",
            "--data",
            "train.csv",
            "--label",
            "converted",
            "--id",
            "lead_id",
            "--date",
            "created_at",
            "--config",
            "leadscore.toml",
            "--out",
            "m.json",
        ],
    ));
    write(&dated, "leads.csv", &dated_leads(400, true));
    vec![
        (sample, "lead_id", types(&header, &SAMPLE_NUMERIC, &[])),
        (
            edge,
            "lead_id",
            types(
                "lead_id,visits,pdays,segment,trial,amount,converted",
                &EDGE_NUMERIC,
                &[],
            ),
        ),
        (
            dated,
            "lead_id",
            types(
                "lead_id,created_at,signup_date,visits,converted",
                &["visits"],
                &["created_at", "signup_date"],
            ),
        ),
    ]
}

/// Rows of `leads.csv` that leadscore refuses one by one (E5's 'maybe') are
/// scored here without them; the engine must give them NULL.
fn without_refused(ours: &mut Scores, theirs: &mut Vec<Value>) {
    theirs.retain(|row| {
        let refused = row[1].is_null();
        if refused {
            assert!(row[2].is_null() && row[3].is_null(), "{row}");
            assert_eq!(
                row[0], "E5",
                "only the unrecognised yes/no word is refused: {row}"
            );
        }
        !refused
    });
    ours.retain(|id, _| id != "E5");
}

/// Export for `dialect` and run the query in an engine driven by a Python
/// script of `tests/sql/` (it loads `leads.csv` with the column types and
/// prints the rows); every row agrees with `leadscore score`.
fn agrees_in_python_engine(dialect: &str, script: &str) {
    let dir = temp_dir();
    for (case, id, types) in cases(dir.path()) {
        let query = export(&case, dialect, id);
        write(&case, "types.json", &types.to_string());
        let theirs = python_reference(
            script,
            &[
                case.join("leads.csv").as_os_str(),
                query.as_os_str(),
                case.join("types.json").as_os_str(),
            ],
        );
        let mut theirs = theirs.as_array().expect("rows").clone();
        let mut ours = score_without_refused(&case, id);
        without_refused(&mut ours, &mut theirs);
        assert_agree(dialect, &ours, &theirs);
    }
}

#[test]
fn duckdb_scores_the_table_as_leadscore_does() {
    agrees_in_python_engine("duckdb", "tests/sql/duckdb_score.py");
}

#[test]
fn spark_sql_in_local_mode_scores_the_table_as_leadscore_does() {
    agrees_in_python_engine("spark", "tests/sql/spark_score.py");
}

#[test]
fn bigquery_and_snowflake_sql_parses() {
    // Neither engine can run here: the SQL is at least parsed by sqlglot for
    // each dialect, with every level that needs escaping in it.
    let dir = temp_dir();
    for (case, id, _) in cases(dir.path()) {
        for dialect in ["bigquery", "snowflake", "postgres", "duckdb", "spark"] {
            let query = export(&case, dialect, id);
            let parsed = python_reference(
                "tests/sql/parse_sql.py",
                &[std::ffi::OsStr::new(dialect), query.as_os_str()],
            );
            assert_eq!(parsed["statements"], 1, "{dialect}: {parsed}");
            assert_eq!(
                parsed["selects"], 5,
                "{dialect}: five nested SELECTs (with --reasons): {parsed}"
            );
        }
    }
}

/// `leadscore score` on `leads.csv` minus the row it refuses (E5, whose
/// yes/no word is unrecognised: scoring stops at it with its row named).
fn score_without_refused(case: &Path, id: &str) -> Scores {
    let text = std::fs::read_to_string(case.join("leads.csv")).expect("leads");
    let kept: String = text
        .lines()
        .filter(|l| !l.starts_with("E5,"))
        .map(|l| format!("{l}\n"))
        .collect();
    write(case, "kept.csv", &kept);
    if text.contains("\nE5,") {
        let refused = leadscore(
            case,
            &[
                "score",
                "--model",
                "m.json",
                "--input",
                "leads.csv",
                "--output",
                "x.csv",
            ],
        );
        assert_user_error(&refused, &["trial", "maybe"]);
    }
    scored_by_leadscore(case, "kept.csv", id)
}

#[test]
fn postgres_scores_the_table_as_leadscore_does() {
    let dir = temp_dir();
    let pg = Postgres::start();
    for (case, id, types) in cases(dir.path()) {
        let columns: Vec<String> = types
            .as_object()
            .expect("types")
            .iter()
            .map(|(name, kind)| {
                let kind = match kind.as_str() {
                    Some("DOUBLE") => "DOUBLE PRECISION",
                    Some("DATE") => "DATE",
                    _ => "TEXT",
                };
                format!("\"{name}\" {kind}")
            })
            .collect();
        // serde_json's map keeps the keys sorted; the file's order is the header's.
        let header = std::fs::read_to_string(case.join("leads.csv"))
            .expect("leads")
            .lines()
            .next()
            .expect("header")
            .to_string();
        let ordered: Vec<String> = header
            .split(',')
            .map(|name| {
                columns
                    .iter()
                    .find(|c| c.starts_with(&format!("\"{name}\" ")))
                    .expect("typed")
                    .clone()
            })
            .collect();
        pg.psql(&format!(
            "DROP TABLE IF EXISTS leads; CREATE TABLE leads ({});",
            ordered.join(", ")
        ));
        pg.psql(&format!(
            "\\copy leads FROM '{}' WITH (FORMAT csv, HEADER true)",
            case.join("leads.csv").display()
        ));
        let query = std::fs::read_to_string(export(&case, "postgres", id)).expect("sql");
        let output = pg.psql(&query);
        let mut theirs: Vec<Value> = output
            .lines()
            .map(|line| {
                let f: Vec<&str> = line.split('\t').collect();
                let text = |s: &str| if s.is_empty() { Value::Null } else { json!(s) };
                let mut row = vec![json!(f[0])];
                row.push(f[1].parse::<f64>().map_or(Value::Null, |p| json!(p)));
                row.push(text(f[2]));
                row.push(f[3].parse::<i64>().map_or(Value::Null, |p| json!(p)));
                // psql prints a NULL as nothing: the missing reasons of a row.
                row.extend((4..10).map(|k| text(f.get(k).copied().unwrap_or(""))));
                Value::Array(row)
            })
            .collect();
        let mut ours = score_without_refused(&case, id);
        without_refused(&mut ours, &mut theirs);
        assert_agree("postgres", &ours, &theirs);
    }
}
