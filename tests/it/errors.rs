//! The error catalogue: every bad input gets one line naming the file, the
//! column and (where it applies) the row, and exit code 2; never a panic.

use crate::helpers::*;

fn train(dir: &std::path::Path, file: &str) -> std::process::Output {
    leadscore(
        dir,
        &[
            "train",
            "--data",
            file,
            "--label",
            "converted",
            "--out",
            "m.json",
        ],
    )
}

#[test]
fn missing_file() {
    let dir = temp_dir();
    assert_user_error(&train(dir.path(), "nope.csv"), &["nope.csv", "not found"]);
}

#[test]
fn unreadable_csv_names_the_row() {
    let dir = temp_dir();
    let mut text = small_leads(50);
    text.push_str("50,3,software,no,no,EXTRA,FIELDS\n");
    write(dir.path(), "bad.csv", &text);
    assert_user_error(
        &train(dir.path(), "bad.csv"),
        &["bad.csv", "row 51 has 7 fields but the header has 5"],
    );
}

#[test]
fn empty_file_and_header_only() {
    let dir = temp_dir();
    write(dir.path(), "empty.csv", "");
    assert_user_error(&train(dir.path(), "empty.csv"), &["empty.csv", "empty"]);
    write(dir.path(), "header.csv", "lead_id,visits,converted\n");
    assert_user_error(&train(dir.path(), "header.csv"), &["header.csv", "empty"]);
}

#[test]
fn label_column_missing() {
    let dir = temp_dir();
    write(dir.path(), "t.csv", &small_leads(60));
    let out = leadscore(dir.path(), &["train", "--data", "t.csv", "--label", "won"]);
    assert_user_error(&out, &["t.csv", "missing column(s) 'won'", "'converted'"]);
}

#[test]
fn label_not_binary_lists_the_values() {
    let dir = temp_dir();
    let text = small_leads(60).replacen(",yes\n", ",maybe\n", 1);
    write(dir.path(), "t.csv", &text);
    assert_user_error(
        &train(dir.path(), "t.csv"),
        &[
            "t.csv",
            "'converted'",
            "not binary",
            "'maybe'",
            "'no'",
            "'yes'",
        ],
    );
}

#[test]
fn only_one_class() {
    let dir = temp_dir();
    let text = small_leads(60).replace(",yes\n", ",no\n");
    write(dir.path(), "t.csv", &text);
    assert_user_error(
        &train(dir.path(), "t.csv"),
        &["t.csv", "'converted'", "only one class", "60 rows are 'no'"],
    );
}

#[test]
fn feature_column_entirely_empty_in_training() {
    let dir = temp_dir();
    let mut text = String::from("lead_id,visits,notes,converted\n");
    for i in 0..40 {
        text.push_str(&format!(
            "{i},{},,{}\n",
            i % 7,
            if i % 3 == 0 { "yes" } else { "no" }
        ));
    }
    write(dir.path(), "t.csv", &text);
    assert_user_error(
        &train(dir.path(), "t.csv"),
        &["t.csv", "'notes'", "entirely empty"],
    );
}

#[test]
fn feature_column_missing_at_scoring() {
    let dir = temp_dir();
    small_model(dir.path());
    write(dir.path(), "new.csv", "lead_id,visits,demo\n1,3,yes\n");
    let out = leadscore(
        dir.path(),
        &[
            "score", "--model", "m.json", "--input", "new.csv", "--output", "o.csv",
        ],
    );
    assert_user_error(&out, &["new.csv", "missing column(s) 'industry'"]);
    assert!(!dir.path().join("o.csv").exists());
}

#[test]
fn nan_is_missing_and_infinity_is_an_error_in_numeric_data() {
    let dir = temp_dir();
    let text = small_leads(60);
    // NaN is how pandas and numpy write a missing number: a placeholder like N/A.
    let nan = text.replacen("\n3,8,", "\n3,NaN,", 1);
    assert_ne!(nan, text);
    write(dir.path(), "nan.csv", &nan);
    assert_ok(&train(dir.path(), "nan.csv"));
    let model = std::fs::read_to_string(dir.path().join("m.json")).expect("model");
    assert!(model.contains("1 ('NaN' ×1) placeholder values read as missing"));
    let inf = text.replacen("\n3,8,", "\n3,inf,", 1);
    write(dir.path(), "inf.csv", &inf);
    assert_user_error(
        &train(dir.path(), "inf.csv"),
        &["inf.csv", "'visits'", "inf", "row 4"],
    );
}

#[test]
fn infinity_at_scoring_names_the_row_and_leaves_no_output() {
    let dir = temp_dir();
    small_model(dir.path());
    write(
        dir.path(),
        "new.csv",
        "lead_id,visits,industry,demo\n1,3,retail,yes\n2,-inf,retail,no\n",
    );
    let out = leadscore(
        dir.path(),
        &[
            "score", "--model", "m.json", "--input", "new.csv", "--output", "o.csv",
        ],
    );
    assert_user_error(&out, &["new.csv", "'visits'", "row 2", "-inf"]);
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .expect("dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("o.csv") || n.ends_with(".tmp"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "partial output left behind: {leftovers:?}"
    );
}

#[test]
fn non_numeric_text_in_a_numeric_column() {
    let dir = temp_dir();
    let text = small_leads(60).replacen("\n5,9,", "\n5,lots,", 1);
    write(dir.path(), "t.csv", &text);
    assert_user_error(
        &train(dir.path(), "t.csv"),
        &["t.csv", "'visits'", "row 6", "'lots'"],
    );

    small_model(dir.path());
    write(
        dir.path(),
        "new.csv",
        "lead_id,visits,industry,demo\n1,3,retail,yes\n2,seven,retail,no\n",
    );
    let out = leadscore(
        dir.path(),
        &[
            "score", "--model", "m.json", "--input", "new.csv", "--output", "o.csv",
        ],
    );
    assert_user_error(&out, &["new.csv", "'visits'", "row 2", "'seven'"]);
}

#[test]
fn yes_no_column_with_other_text_at_scoring() {
    let dir = temp_dir();
    small_model(dir.path());
    write(
        dir.path(),
        "new.csv",
        "lead_id,visits,industry,demo\n1,3,retail,perhaps\n",
    );
    let out = leadscore(
        dir.path(),
        &[
            "score", "--model", "m.json", "--input", "new.csv", "--output", "o.csv",
        ],
    );
    assert_user_error(&out, &["new.csv", "'demo'", "row 1", "'perhaps'"]);
}

#[test]
fn corrupt_model_file() {
    let dir = temp_dir();
    write(
        dir.path(),
        "new.csv",
        "lead_id,visits,industry,demo\n1,3,retail,yes\n",
    );
    write(dir.path(), "bad.json", "{\"format_version\": 1, \"name\": ");
    let out = leadscore(
        dir.path(),
        &[
            "score", "--model", "bad.json", "--input", "new.csv", "--output", "o.csv",
        ],
    );
    assert_user_error(&out, &["bad.json", "not a valid leadscore model"]);

    // A well-formed JSON file whose weights do not match its encoder.
    small_model(dir.path());
    let text = std::fs::read_to_string(dir.path().join("m.json")).expect("model");
    let mut model: serde_json::Value = serde_json::from_str(&text).expect("json");
    model["coefficients"].as_array_mut().expect("array").pop();
    write(dir.path(), "short.json", &model.to_string());
    let out = leadscore(
        dir.path(),
        &[
            "score",
            "--model",
            "short.json",
            "--input",
            "new.csv",
            "--output",
            "o.csv",
        ],
    );
    assert_user_error(
        &out,
        &["short.json", "not a valid leadscore model", "coefficients"],
    );
}

#[test]
fn model_with_a_broken_encoder_is_rejected_on_load() {
    let dir = temp_dir();
    small_model(dir.path());
    let text = std::fs::read_to_string(dir.path().join("m.json")).expect("model");
    let mut model: serde_json::Value = serde_json::from_str(&text).expect("json");
    let features = model["encoder"]["features"]
        .as_array_mut()
        .expect("features");
    let visits = features
        .iter_mut()
        .find(|f| f["name"] == "visits")
        .expect("visits encoder");
    visits["scale"] = serde_json::json!(0.0);
    write(dir.path(), "zero.json", &model.to_string());
    let out = leadscore(dir.path(), &["inspect", "--model", "zero.json"]);
    assert_user_error(
        &out,
        &["zero.json", "not a valid leadscore model", "'visits'"],
    );
}

#[test]
fn model_from_a_future_format() {
    let dir = temp_dir();
    small_model(dir.path());
    let text = std::fs::read_to_string(dir.path().join("m.json")).expect("model");
    let mut model: serde_json::Value = serde_json::from_str(&text).expect("json");
    model["format_version"] = serde_json::json!(99);
    write(dir.path(), "future.json", &model.to_string());
    let out = leadscore(dir.path(), &["inspect", "--model", "future.json"]);
    assert_user_error(
        &out,
        &["future.json", "format version 99", "upgrade leadscore"],
    );
}

#[test]
fn invalid_cut_offs_and_separator() {
    let dir = temp_dir();
    write(dir.path(), "t.csv", &small_leads(60));
    let out = leadscore(
        dir.path(),
        &[
            "train",
            "--data",
            "t.csv",
            "--label",
            "converted",
            "--mql",
            "1.5",
        ],
    );
    // Argument parsing errors come from clap: exit code 2 and its usual hint line.
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("--mql") && err.contains("between 0 and 1"),
        "{err}"
    );
    let out = leadscore(
        dir.path(),
        &[
            "train",
            "--data",
            "t.csv",
            "--label",
            "converted",
            "--separator",
            "ab",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("not a single ASCII separator"),
        "{}",
        stderr(&out)
    );
    let out = leadscore(
        dir.path(),
        &[
            "train",
            "--data",
            "t.csv",
            "--label",
            "converted",
            "--mql",
            "0.5",
            "--sql",
            "0.2",
        ],
    );
    assert_user_error(&out, &["--sql", "below the MQL cut-off"]);
}

#[test]
fn unknown_column_in_leadscore_toml() {
    let dir = temp_dir();
    write(dir.path(), "t.csv", &small_leads(60));
    write(
        dir.path(),
        "leadscore.toml",
        "[columns.vistis]\ntransform = \"log1p\"\n",
    );
    let out = train(dir.path(), "t.csv");
    assert_user_error(&out, &["leadscore.toml", "'vistis'", "not in t.csv"]);
}

#[test]
fn an_empty_cell_in_a_required_column_is_refused_at_scoring() {
    let dir = temp_dir();
    let text = std::fs::read_to_string(project_file("data/leads.csv")).expect("sample");
    let (header, mut rows) = parse_csv(&text);
    rows.truncate(5);
    let visits = header
        .iter()
        .position(|h| h == "website_visits")
        .expect("column");
    rows[2][visits].clear();
    let mut csv = csv_line(&header) + "\n";
    for row in &rows {
        csv.push_str(&(csv_line(row) + "\n"));
    }
    let input = write(dir.path(), "leads.csv", &csv);
    let out = leadscore(
        dir.path(),
        &[
            "score",
            "--model",
            project_file("tests/fixtures/model-v4.json")
                .to_str()
                .expect("path"),
            "--input",
            input.to_str().expect("path"),
            "--output",
            "scored.csv",
        ],
    );
    assert_user_error(&out, &["website_visits", "row 3", "required"]);
    assert!(!dir.path().join("scored.csv").exists());
}

#[test]
fn an_empty_cell_in_a_required_column_is_refused_at_training_too() {
    let dir = temp_dir();
    let text = small_leads(60);
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    // Data row 4: blank the industry.
    lines[4] = lines[4]
        .replacen(",software,", ",,", 1)
        .replacen(",retail,", ",,", 1);
    lines[4] = lines[4].replacen(",education,", ",,", 1);
    write(dir.path(), "t.csv", &(lines.join("\n") + "\n"));
    write(
        dir.path(),
        "leadscore.toml",
        "[columns.industry]\nrequired = true\n",
    );
    assert_user_error(
        &train(dir.path(), "t.csv"),
        &["t.csv", "'industry'", "row 4", "required"],
    );
    assert!(!dir.path().join("m.json").exists(), "no model written");
}

#[test]
fn overrides_that_do_not_apply_to_the_column_are_errors() {
    let dir = temp_dir();
    write(dir.path(), "t.csv", &small_leads(60));
    for (toml, needles) in [
        (
            "[columns.industry]\ntransform = \"log1p\"\n",
            &[
                "leadscore.toml",
                "columns.industry.transform",
                "categorical",
            ][..],
        ),
        (
            "[columns.visits]\nmin_frequency = 5\n",
            &["leadscore.toml", "columns.visits.min_frequency", "numeric"][..],
        ),
        (
            "[columns.visits]\nsentinel = \"n/a\"\n",
            &["leadscore.toml", "sentinel must be a number or \"none\""][..],
        ),
    ] {
        write(dir.path(), "leadscore.toml", toml);
        assert_user_error(&train(dir.path(), "t.csv"), needles);
    }
}
