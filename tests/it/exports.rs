//! Real CRM exports: placeholders, thousands separators and decimal commas,
//! ragged rows, repeated columns, values far outside the training range,
//! Excel workbooks, other text encodings, misnamed files and output paths.
//! Each case either reads as the user meant or fails with one line naming
//! the file, row or column; none is silently different.

use std::path::Path;

use serde_json::Value;

use crate::helpers::*;

/// `small_leads` with `visits` changed by `cell(row, visits)`, as CSV text
/// with `separator`.
fn leads_with(rows: usize, separator: char, cell: impl Fn(usize, &str) -> String) -> String {
    let text = small_leads(rows);
    let mut out = String::new();
    for (i, line) in text.lines().enumerate() {
        let mut fields: Vec<String> = line.split(',').map(str::to_string).collect();
        if i > 0 {
            fields[1] = cell(i - 1, &fields[1]);
        }
        let joined = fields
            .iter()
            .map(|f| {
                if f.contains(separator) || f.contains('"') {
                    format!("\"{}\"", f.replace('"', "\"\""))
                } else {
                    f.clone()
                }
            })
            .collect::<Vec<_>>()
            .join(&separator.to_string());
        out.push_str(&joined);
        out.push('\n');
    }
    out
}

/// Train on `file` into `dir/m.json`; return the model file's JSON.
fn train_json(dir: &Path, file: &str, extra: &[&str]) -> Value {
    let mut args = vec![
        "train",
        "--data",
        file,
        "--label",
        "converted",
        "--id",
        "lead_id",
        "--out",
        "m.json",
        "--json",
    ];
    args.extend_from_slice(extra);
    let out = leadscore(dir, &args);
    assert_ok(&out);
    let summary: Value = serde_json::from_str(&stdout(&out)).expect("train --json");
    assert_eq!(summary["model_path"], "m.json");
    model(dir)
}

/// A feature's declaration (kind, reason …) in a model file's schema.
fn feature<'a>(model: &'a Value, name: &str) -> &'a Value {
    model["schema"]["features"]
        .as_array()
        .expect("features")
        .iter()
        .find(|f| f["name"] == name)
        .unwrap_or_else(|| panic!("no feature {name} in {}", model["schema"]["features"]))
}

fn model(dir: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("m.json")).expect("model"))
        .expect("json")
}

fn coefficients(model: &Value) -> Vec<(String, f64)> {
    model["coefficients"]
        .as_array()
        .expect("coefficients")
        .iter()
        .map(|c| {
            (
                c["term"].as_str().unwrap_or("").to_string(),
                c["weight"].as_f64().unwrap_or(f64::NAN),
            )
        })
        .collect()
}

#[test]
fn placeholders_are_missing_values_and_counted() {
    let dir = temp_dir();
    let tokens = [
        "N/A", "n/a", "NA", "#N/A", "-", "--", "?", "null", "None", "(blank)", " NaN ",
    ];
    // 77 of 300 rows (26%) hold a placeholder: far past any share that once made it categorical.
    let text = leads_with(300, ',', |i, v| {
        if i % 4 == 1 && i < 308 {
            tokens[i % tokens.len()].to_string()
        } else {
            v.to_string()
        }
    });
    write(dir.path(), "t.csv", &text);
    let summary = train_json(dir.path(), "t.csv", &[]);
    let visits = feature(&summary, "visits");
    assert_eq!(visits["kind"], "numeric", "{visits}");
    let reason = visits["reason"].as_str().expect("reason");
    assert!(
        reason.contains("75 (") && reason.contains("placeholder values read as missing"),
        "{reason}"
    );
    let terms: Vec<String> = coefficients(&model(dir.path()))
        .into_iter()
        .map(|c| c.0)
        .collect();
    assert!(terms.contains(&"visits=missing".to_string()), "{terms:?}");
}

#[test]
fn infinities_in_a_numeric_column_are_an_error_with_the_row() {
    let dir = temp_dir();
    for bad in ["inf", "1e400", "-Infinity"] {
        let text = leads_with(200, ',', |i, v| {
            if i % 16 == 5 {
                bad.to_string()
            } else {
                v.to_string()
            }
        });
        write(dir.path(), "t.csv", &text);
        let out = leadscore(
            dir.path(),
            &["train", "--data", "t.csv", "--label", "converted"],
        );
        assert_user_error(
            &out,
            &["t.csv", "'visits'", "row 6", bad.trim_start_matches('-')],
        );
    }
}

#[test]
fn thousands_separators_are_numbers() {
    let dir = temp_dir();
    let plain = leads_with(200, ',', |i, _| format!("{}", 1000 + i * 37));
    let grouped = leads_with(200, ',', |i, _| {
        let v = 1000 + i * 37;
        format!("{},{:03}", v / 1000, v % 1000)
    });
    write(dir.path(), "plain.csv", &plain);
    write(dir.path(), "grouped.csv", &grouped);
    let a = train_json(dir.path(), "plain.csv", &[]);
    let model_a = coefficients(&model(dir.path()));
    let b = train_json(dir.path(), "grouped.csv", &[]);
    assert_eq!(
        feature(&b, "visits")["kind"],
        "numeric",
        "{}",
        feature(&b, "visits")
    );
    assert_eq!(feature(&a, "visits")["kind"], feature(&b, "visits")["kind"]);
    assert_eq!(coefficients(&model(dir.path())), model_a);
}

#[test]
fn decimal_commas_are_sniffed_and_can_be_set() {
    let dir = temp_dir();
    let dot = leads_with(200, ',', |i, _| format!("{}.{}", 1000 + i * 37, i % 10));
    let comma = leads_with(200, ';', |i, _| {
        let v = 1000 + i * 37;
        format!("{}.{:03},{}", v / 1000, v % 1000, i % 10)
    });
    write(dir.path(), "dot.csv", &dot);
    write(dir.path(), "european.csv", &comma);
    train_json(dir.path(), "dot.csv", &[]);
    let reference = coefficients(&model(dir.path()));
    let sniffed = train_json(dir.path(), "european.csv", &[]);
    assert_eq!(feature(&sniffed, "visits")["kind"], "numeric");
    assert_eq!(coefficients(&model(dir.path())), reference);
    train_json(dir.path(), "european.csv", &["--decimal", ","]);
    assert_eq!(coefficients(&model(dir.path())), reference);

    // Whole numbers grouped as 1.234 read two ways: refused until the mark is named.
    let ambiguous = leads_with(200, ';', |i, _| format!("{}.{:03}", 1 + i % 9, i % 1000));
    write(dir.path(), "ambiguous.csv", &ambiguous);
    let out = leadscore(
        dir.path(),
        &["train", "--data", "ambiguous.csv", "--label", "converted"],
    );
    assert_user_error(&out, &["ambiguous.csv", "'visits'", "row 1", "--decimal"]);
    write(dir.path(), "leadscore.toml", "decimal = \",\"\n");
    let summary = train_json(dir.path(), "ambiguous.csv", &[]);
    assert_eq!(feature(&summary, "visits")["kind"], "numeric");
    let range = &model(dir.path())["encoder"]["features"][0]["range"];
    assert_eq!(
        range,
        &serde_json::json!([1000.0, 9197.0]),
        "1.234 read as 1234"
    );
}

#[test]
fn a_column_mixing_numbers_and_words_says_why() {
    let dir = temp_dir();
    // 13% words: categorical, and the reason says so with the counts.
    let words = ["many", "lots"];
    let mixed = leads_with(300, ',', |i, v| {
        if i % 8 == 3 {
            words[(i / 8) % 3 / 2].to_string()
        } else {
            v.to_string()
        }
    });
    write(dir.path(), "mixed.csv", &mixed);
    let summary = train_json(dir.path(), "mixed.csv", &[]);
    let visits = feature(&summary, "visits");
    assert_eq!(visits["kind"], "categorical");
    let reason = visits["reason"].as_str().expect("reason");
    assert!(reason.contains("87% of its values are numbers"), "{reason}");
    assert!(
        reason.contains("non-numeric values: 'many' ×26, 'lots' ×12"),
        "{reason}"
    );
    // 5% words: a data error, named with the row and the values.
    let few = leads_with(300, ',', |i, v| {
        if i % 20 == 7 {
            "many".into()
        } else {
            v.to_string()
        }
    });
    write(dir.path(), "few.csv", &few);
    let out = leadscore(
        dir.path(),
        &["train", "--data", "few.csv", "--label", "converted"],
    );
    assert_user_error(
        &out,
        &["few.csv", "'visits'", "95% numbers", "row 8", "'many' ×15"],
    );
}

#[test]
fn short_and_long_rows_are_errors_naming_the_row() {
    let dir = temp_dir();
    let mut text = small_leads(60);
    text.push_str("60,3,software,no\n");
    write(dir.path(), "short.csv", &text);
    let out = leadscore(
        dir.path(),
        &["train", "--data", "short.csv", "--label", "converted"],
    );
    assert_user_error(
        &out,
        &["short.csv", "row 61 has 4 fields but the header has 5"],
    );
    let mut text = small_leads(60);
    text.push_str("60,3,software,no,no,EXTRA\n");
    write(dir.path(), "long.csv", &text);
    let out = leadscore(
        dir.path(),
        &["train", "--data", "long.csv", "--label", "converted"],
    );
    assert_user_error(
        &out,
        &["long.csv", "row 61 has 6 fields but the header has 5"],
    );
    // Scoring refuses them too, naming the row.
    small_model(dir.path());
    let out = leadscore(
        dir.path(),
        &[
            "score",
            "--model",
            "m.json",
            "--input",
            "short.csv",
            "--output",
            "s.csv",
        ],
    );
    assert_user_error(&out, &["short.csv", "row 61 has 4 fields"]);
    assert!(!dir.path().join("s.csv").exists());
}

#[test]
fn repeated_column_names_are_an_error_naming_both_positions() {
    let dir = temp_dir();
    let text = small_leads(60).replacen(
        "lead_id,visits,industry,demo,converted",
        "lead_id,industry,visits,industry,converted",
        1,
    );
    write(dir.path(), "dup.csv", &text);
    let out = leadscore(
        dir.path(),
        &["train", "--data", "dup.csv", "--label", "converted"],
    );
    assert_user_error(&out, &["dup.csv", "'industry'", "columns 2 and 4"]);
}

#[test]
fn values_far_outside_the_training_range_are_clipped_and_counted() {
    let dir = temp_dir();
    let leads = std::fs::read_to_string(project_file("data/leads.csv")).expect("sample");
    write(dir.path(), "leads.csv", &leads);
    assert_ok(&leadscore(
        dir.path(),
        &[
            "train",
            "--data",
            "leads.csv",
            "--label",
            "converted",
            "--id",
            "lead_id",
            "--date",
            "created_at",
            "--out",
            "m.json",
        ],
    ));
    let model = model(dir.path());
    let features = model["encoder"]["features"].as_array().expect("features");
    let pages = features
        .iter()
        .find(|f| f["name"] == "pages_per_visit")
        .expect("pages_per_visit");
    let max = pages["range"][1].as_f64().expect("range stored");
    // Three leads: the first at the training maximum, then far outside.
    let (header, rows) = parse_csv(&leads);
    let at = |name: &str| header.iter().position(|h| h == name).expect("column");
    let mut text = csv_line(&header) + "\n";
    for (k, value) in [max.to_string(), "1e15".into(), "1e308".into()]
        .iter()
        .enumerate()
    {
        let mut row = rows[0].clone();
        row[at("pages_per_visit")] = value.clone();
        if k == 2 {
            row[at("email_opens")] = "-40".into();
        }
        text.push_str(&(csv_line(&row) + "\n"));
    }
    write(dir.path(), "odd.csv", &text);
    let out = leadscore(
        dir.path(),
        &[
            "score", "--model", "m.json", "--input", "odd.csv", "--output", "s.csv", "--json",
        ],
    );
    assert_ok(&out);
    let summary: Value = serde_json::from_str(&stdout(&out)).expect("json");
    assert_eq!(summary["out_of_range"]["pages_per_visit"], 2, "{summary}");
    assert_eq!(summary["out_of_range"]["email_opens"], 1, "{summary}");
    let scored = std::fs::read_to_string(dir.path().join("s.csv")).expect("scores");
    let (h, r) = parse_csv(&scored);
    let p: Vec<f64> = column(&h, &r, "probability")
        .iter()
        .map(|v| v.parse().expect("p"))
        .collect();
    assert!(
        p.iter().all(|p| p.is_finite() && *p > 0.0 && *p < 1.0),
        "{p:?}"
    );
    assert_eq!(p[0], p[1], "1e15 is scored as the training maximum");
    let text_out = leadscore(
        dir.path(),
        &[
            "score", "--model", "m.json", "--input", "odd.csv", "--output", "s.csv",
        ],
    );
    assert!(
        stdout(&text_out)
            .contains("2 value(s) of 'pages_per_visit' lie far outside the training range"),
        "{}",
        stdout(&text_out)
    );
}

#[test]
fn output_paths_that_would_lose_or_mislabel_data_are_refused() {
    let dir = temp_dir();
    small_model(dir.path());
    let out = leadscore(
        dir.path(),
        &[
            "score",
            "--model",
            "m.json",
            "--input",
            "train.csv",
            "--output",
            "out.xlsx",
        ],
    );
    assert_user_error(&out, &["out.xlsx", "cannot write '.xlsx'", ".csv"]);
    assert!(!dir.path().join("out.xlsx").exists());
    let kept = write(dir.path(), "kept.csv", "precious\n");
    let mut perms = std::fs::metadata(&kept).expect("meta").permissions();
    perms.set_readonly(true);
    std::fs::set_permissions(&kept, perms).expect("chmod");
    let out = leadscore(
        dir.path(),
        &[
            "score",
            "--model",
            "m.json",
            "--input",
            "train.csv",
            "--output",
            "kept.csv",
        ],
    );
    assert_user_error(&out, &["kept.csv", "read-only"]);
    assert_eq!(std::fs::read_to_string(&kept).expect("kept"), "precious\n");
}

#[test]
fn excel_workbooks_read_like_the_same_csv() {
    let dir = temp_dir();
    let leads = std::fs::read_to_string(project_file("data/leads.csv")).expect("sample");
    let first: String = leads.lines().take(1201).map(|l| format!("{l}\n")).collect();
    write(dir.path(), "first.csv", &first);
    let args = |file: &'static str| {
        vec![
            "train",
            "--data",
            file,
            "--label",
            "converted",
            "--positive",
            "yes",
            "--id",
            "lead_id",
            "--date",
            "created_at",
            "--out",
            "m.json",
        ]
    };
    assert_ok(&leadscore(dir.path(), &args("first.csv")));
    let reference = coefficients(&model(dir.path()));
    for workbook in ["leads-export.xlsx", "leads-export.xls"] {
        std::fs::copy(
            project_file(&format!("tests/fixtures/{workbook}")),
            dir.path().join(workbook),
        )
        .expect("copy");
        let file: &'static str = Box::leak(workbook.to_string().into_boxed_str());
        assert_ok(&leadscore(dir.path(), &args(file)));
        assert_eq!(coefficients(&model(dir.path())), reference, "{workbook}");
        let out = leadscore(
            dir.path(),
            &[
                "score", "--model", "m.json", "--input", file, "--output", "s.csv", "--json",
            ],
        );
        assert_ok(&out);
        let out = leadscore(
            dir.path(),
            &[
                "score", "--model", "m.json", "--input", file, "--sheet", "Summary", "--output",
                "s.csv",
            ],
        );
        assert_user_error(
            &out,
            &[workbook, "no sheet named 'Summary'", "'Contacts', 'About'"],
        );
    }
    // A workbook, a small zip or a Parquet file misnamed .csv is named for what it is.
    std::fs::write(
        dir.path().join("tiny.csv"),
        b"PK\x05\x06\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0",
    )
    .expect("write");
    let out = leadscore(
        dir.path(),
        &["train", "--data", "tiny.csv", "--label", "converted"],
    );
    assert_user_error(&out, &["tiny.csv", "zip archive", "not CSV text"]);
    std::fs::copy(
        project_file("tests/fixtures/leads-export.xlsx"),
        dir.path().join("export.csv"),
    )
    .expect("copy");
    let out = leadscore(
        dir.path(),
        &["train", "--data", "export.csv", "--label", "converted"],
    );
    assert_user_error(&out, &["export.csv", "Excel workbook (.xlsx)", "rename it"]);
    assert_ok(&leadscore(
        dir.path(),
        &[
            "score",
            "--model",
            "m.json",
            "--input",
            "first.csv",
            "--output",
            "p.parquet",
        ],
    ));
    std::fs::rename(dir.path().join("p.parquet"), dir.path().join("p.csv")).expect("rename");
    let out = leadscore(
        dir.path(),
        &["train", "--data", "p.csv", "--label", "converted"],
    );
    assert_user_error(&out, &["p.csv", "a Parquet file", ".parquet"]);
}

#[test]
fn utf16_and_windows_1252_exports() {
    let dir = temp_dir();
    let text = small_leads(200).replace("retail", "São Paulo retail");
    write(dir.path(), "utf8.csv", &text);
    train_json(dir.path(), "utf8.csv", &[]);
    let reference = coefficients(&model(dir.path()));
    let utf16: Vec<u8> = std::iter::once(0xFEFFu16)
        .chain(text.encode_utf16())
        .flat_map(u16::to_le_bytes)
        .collect();
    std::fs::write(dir.path().join("utf16.csv"), utf16).expect("write");
    train_json(dir.path(), "utf16.csv", &[]);
    assert_eq!(coefficients(&model(dir.path())), reference);
    // Latin-1: 'ã' is one byte. Refused with the row and the fix, then read with it.
    let latin1: Vec<u8> = text.chars().map(|c| c as u32 as u8).collect();
    std::fs::write(dir.path().join("latin1.csv"), latin1).expect("write");
    let out = leadscore(
        dir.path(),
        &["train", "--data", "latin1.csv", "--label", "converted"],
    );
    assert_user_error(
        &out,
        &[
            "latin1.csv",
            "row 2 is not UTF-8",
            "0xE3",
            "São",
            "--encoding windows-1252",
        ],
    );
    train_json(dir.path(), "latin1.csv", &["--encoding", "windows-1252"]);
    assert_eq!(coefficients(&model(dir.path())), reference);
    assert!(
        reference
            .iter()
            .any(|(t, _)| t == "industry=São Paulo retail"),
        "{reference:?}"
    );
}

#[test]
fn label_values_match_whatever_their_case() {
    let dir = temp_dir();
    let text = small_leads(200);
    let mut out = String::new();
    for (i, line) in text.lines().enumerate() {
        let (rest, label) = line.rsplit_once(',').expect("label");
        let label = match (i % 3, label) {
            (_, "converted") => "converted".to_string(),
            (0, l) => l.to_uppercase(),
            (1, l) => format!(" {}", capitalise(l)),
            (_, l) => l.to_string(),
        };
        out.push_str(&format!("{rest},{label}\n"));
    }
    write(dir.path(), "cased.csv", &out);
    write(dir.path(), "plain.csv", &text);
    train_json(dir.path(), "plain.csv", &[]);
    let reference = coefficients(&model(dir.path()));
    train_json(dir.path(), "cased.csv", &["--positive", "yes"]);
    assert_eq!(coefficients(&model(dir.path())), reference);
    train_json(dir.path(), "cased.csv", &[]);
    assert_eq!(coefficients(&model(dir.path())), reference);
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

#[test]
fn a_closed_pipe_ends_the_cli_quietly() {
    use std::process::{Command, Stdio};
    for args in [
        vec!["inspect", "--model", "models/default.json"],
        vec!["inspect", "--model", "models/default.json", "--json"],
    ] {
        // The reading end is closed before leadscore writes: `| head -1` after its line.
        let (reader, writer) = std::io::pipe().expect("pipe");
        drop(reader);
        let out = Command::new(env!("CARGO_BIN_EXE_leadscore"))
            .args(&args)
            .current_dir(project_file(""))
            .stdout(Stdio::from(writer))
            .stderr(Stdio::piped())
            .output()
            .expect("runs");
        assert_ne!(out.status.code(), Some(101), "{}", stderr(&out));
        assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
        assert!(stderr(&out).is_empty(), "quiet: {}", stderr(&out));
    }
}

#[test]
fn stale_temporary_files_are_cleaned_up_and_never_served() {
    let dir = temp_dir();
    let models = dir.path().join("models");
    std::fs::create_dir(&models).expect("dir");
    std::fs::copy(
        project_file("models/default.json"),
        models.join("default.json"),
    )
    .expect("copy");
    // A SIGKILL mid-write leaves a complete temporary model behind.
    let stale = models.join(".leadscore-AbC123.tmp");
    std::fs::copy(project_file("models/default.json"), &stale).expect("copy");
    let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    std::fs::File::options()
        .write(true)
        .open(&stale)
        .expect("open")
        .set_modified(hour_ago)
        .expect("mtime");
    let fresh = models.join(".leadscore-Fresh1.tmp");
    std::fs::write(&fresh, "in progress").expect("write");
    std::fs::copy(
        project_file("models/default.json"),
        models.join(".hidden.json"),
    )
    .expect("copy");
    let registry = leadscore::server::Registry::load(&leadscore::server::ModelSource::Dir {
        dir: models.clone(),
        default: "default".into(),
    })
    .expect("loads");
    assert_eq!(registry.names(), vec!["default".to_string()]);
    write(dir.path(), "train.csv", &small_leads(200));
    assert_ok(&leadscore(
        dir.path(),
        &[
            "train",
            "--data",
            "train.csv",
            "--label",
            "converted",
            "--out",
            "models/new.json",
        ],
    ));
    assert!(
        !stale.exists(),
        "the stale temporary file is removed on the next save"
    );
    assert!(
        fresh.exists(),
        "a recent one may be another write in progress"
    );
}

#[test]
fn evaluating_on_the_training_file_says_so() {
    let dir = temp_dir();
    write(dir.path(), "other.csv", &small_leads(199));
    small_model(dir.path());
    let out = leadscore(
        dir.path(),
        &[
            "evaluate",
            "--model",
            "m.json",
            "--data",
            "train.csv",
            "--report",
            "e.html",
        ],
    );
    assert_ok(&out);
    let html = std::fs::read_to_string(dir.path().join("e.html")).expect("report");
    assert!(
        html.contains("<strong>Warning:</strong> train.csv is the file this model was trained on"),
        "the report says so too"
    );
    assert!(
        stdout(&out).contains("warning: train.csv is the file this model was trained on"),
        "{}",
        stdout(&out)
    );
    let out = leadscore(
        dir.path(),
        &[
            "evaluate",
            "--model",
            "m.json",
            "--data",
            "other.csv",
            "--json",
        ],
    );
    assert_ok(&out);
    let json: Value = serde_json::from_str(&stdout(&out)).expect("json");
    assert_eq!(json["warnings"], serde_json::json!([]));
}

#[test]
fn stages_follow_from_points_alone() {
    let dir = temp_dir();
    let out = leadscore(
        dir.path(),
        &[
            "score",
            "--model",
            &project_file("models/default.json").to_string_lossy(),
            "--input",
            &project_file("data/leads.csv").to_string_lossy(),
            "--output",
            "s.csv",
        ],
    );
    assert_ok(&out);
    let (h, r) = parse_csv(&std::fs::read_to_string(dir.path().join("s.csv")).expect("scores"));
    let points: Vec<i64> = column(&h, &r, "points")
        .iter()
        .map(|p| p.parse().expect("points"))
        .collect();
    let stages = column(&h, &r, "stage");
    let mut stage_of = std::collections::BTreeMap::new();
    for (p, s) in points.iter().zip(&stages) {
        let previous = stage_of.insert(*p, *s);
        assert!(
            previous.is_none_or(|prev| prev == *s),
            "{p} points are both {prev:?} and {s}",
            prev = previous
        );
    }
    let model: Value = serde_json::from_str(
        &std::fs::read_to_string(project_file("models/default.json")).expect("model"),
    )
    .expect("json");
    let summary = stdout(&out);
    let mql = (100.0 * model["cutoffs"]["mql"].as_f64().expect("mql")).round() as i64;
    assert!(
        summary.contains(&format!("MQL at {mql} points")),
        "{summary}"
    );
    for (p, s) in &stage_of {
        assert_eq!(*p >= mql, *s != "lead", "{p} points: {s}");
    }
}

#[test]
fn a_rule_that_never_matches_is_no_evidence_and_claims_nothing() {
    let dir = temp_dir();
    write(dir.path(), "t.csv", &small_leads(300));
    write(
        dir.path(),
        "points.toml",
        "mql = 10\nsql = 30\n[[rule]]\nname = \"Never\"\nwhen = \"visits > 1000\"\npoints = 25\n",
    );
    let out = leadscore(
        dir.path(),
        &[
            "points",
            "--data",
            "t.csv",
            "--points",
            "points.toml",
            "--label",
            "converted",
        ],
    );
    assert_ok(&out);
    let text = stdout(&out);
    assert!(!text.contains("NaN"), "{text}");
    assert!(text.contains("cannot reproduce"), "{text}");
    assert!(!text.contains("thresholds reproduce"), "{text}");
}

#[test]
fn day_first_and_month_first_dates_are_dates() {
    let dir = temp_dir();
    // 300 distinct days from 2012-01-01, written dd-mm-yyyy: once excluded as free text.
    let day = |i: usize| {
        chrono::NaiveDate::from_ymd_opt(2012, 1, 1).expect("date") + chrono::Days::new(i as u64)
    };
    let text = small_leads_plus(300, "signup", |i, _| day(i).format("%d-%m-%Y").to_string());
    write(dir.path(), "dmy.csv", &text);
    let model = train_json(dir.path(), "dmy.csv", &[]);
    let excluded = model["schema"]["excluded"].as_array().expect("excluded");
    let signup = excluded
        .iter()
        .find(|e| e["column"] == "signup")
        .expect("signup excluded");
    assert!(
        signup["reason"]
            .as_str()
            .expect("reason")
            .starts_with("looks like a date"),
        "{signup}"
    );
    // As the date column: the newest 20% by the day-first reading are the holdout.
    train_json(dir.path(), "dmy.csv", &["--date", "signup"]);
    let iso = small_leads_plus(300, "signup", |i, _| day(i).format("%Y-%m-%d").to_string());
    write(dir.path(), "iso.csv", &iso);
    let by_dmy = model_after(dir.path(), "dmy.csv");
    let by_iso = model_after(dir.path(), "iso.csv");
    assert_eq!(by_dmy["holdout"], by_iso["holdout"]);
    assert_eq!(coefficients(&by_dmy), coefficients(&by_iso));
    let us = small_leads_plus(300, "signup", |i, _| day(i).format("%m/%d/%Y").to_string());
    write(dir.path(), "us.csv", &us);
    assert_eq!(
        coefficients(&model_after(dir.path(), "us.csv")),
        coefficients(&by_iso)
    );
    // No day above 12 decides the order: an error, not a guess.
    let early = small_leads_plus(300, "signup", |i, _| {
        format!("{:02}-{:02}-2012", 1 + i % 12, 1 + i / 30)
    });
    write(dir.path(), "early.csv", &early);
    let out = leadscore(
        dir.path(),
        &[
            "train",
            "--data",
            "early.csv",
            "--label",
            "converted",
            "--date",
            "signup",
        ],
    );
    assert_user_error(
        &out,
        &["early.csv", "'signup'", "day-first or month-first", "ISO"],
    );
}

/// Train with `signup` as the date column; the model file's JSON.
fn model_after(dir: &Path, file: &str) -> Value {
    train_json(dir, file, &["--date", "signup"])
}
