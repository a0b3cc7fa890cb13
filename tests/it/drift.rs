//! `leadscore drift`: a shifted feature and new levels are caught with exact
//! shares, untouched features stay stable, every reported PSI is the sum of
//! its reported bins, labelled leads get calibration per band, the report
//! renders, and a model older than format 8 gets a clear error.

use serde_json::Value;

use crate::helpers::{
    assert_ok, assert_user_error, csv_line, leadscore, parse_csv, project_file, stdout, temp_dir,
    write,
};

/// `leadscore drift --json` of the bundled model on `data`.
pub fn drift_json(dir: &std::path::Path, data: &std::path::Path, extra: &[&str]) -> Value {
    let model = project_file("models/default.json");
    let mut args = vec![
        "drift",
        "--model",
        model.to_str().expect("utf-8"),
        "--data",
        data.to_str().expect("utf-8"),
        "--json",
    ];
    args.extend_from_slice(extra);
    let out = leadscore(dir, &args);
    assert_ok(&out);
    serde_json::from_str(&stdout(&out)).expect("drift --json prints JSON")
}

fn feature<'a>(d: &'a Value, name: &str) -> &'a Value {
    d["features"]
        .as_array()
        .expect("features")
        .iter()
        .find(|f| f["name"] == name)
        .unwrap_or_else(|| panic!("no feature {name}"))
}

/// PSI recomputed from the reported shares (floor 1e-4, as documented).
fn psi_of_bins(f: &Value) -> f64 {
    f["bins"]
        .as_array()
        .expect("bins")
        .iter()
        .map(|b| {
            let e = b["training"].as_f64().expect("t").max(1e-4);
            let a = b["new"].as_f64().expect("n").max(1e-4);
            (a - e) * (a / e).ln()
        })
        .sum()
}

#[test]
fn shifted_features_and_new_levels_are_caught_and_the_rest_is_stable() {
    let dir = temp_dir();
    let text = std::fs::read_to_string(project_file("data/leads.csv")).expect("data");
    let (header, rows) = parse_csv(&text);
    let visits = header
        .iter()
        .position(|h| h == "website_visits")
        .expect("visits");
    let industry = header
        .iter()
        .position(|h| h == "industry")
        .expect("industry");
    // Every lead's visits tripled; every fourth lead from a new industry.
    let mut shifted = csv_line(&header) + "\n";
    let mut new_industry = 0;
    for (i, row) in rows.iter().enumerate() {
        let mut row = row.clone();
        let v: f64 = row[visits].parse().expect("visits");
        row[visits] = format!("{}", v * 3.0);
        if i % 4 == 0 {
            row[industry] = "space mining".into();
            new_industry += 1;
        }
        shifted.push_str(&(csv_line(&row) + "\n"));
    }
    let data = write(dir.path(), "shifted.csv", &shifted);
    let d = drift_json(dir.path(), &data, &["--report", "drift.html"]);

    let v = feature(&d, "website_visits");
    assert_eq!(v["band"], "act", "{v}");
    let i = feature(&d, "industry");
    let levels = i["new_levels"].as_array().expect("levels");
    assert_eq!(levels[0]["level"], "space mining");
    assert_eq!(levels[0]["leads"].as_u64(), Some(new_industry));
    assert!(
        (levels[0]["share"].as_f64().expect("share") - new_industry as f64 / 5000.0).abs() < 1e-12
    );
    // Untouched features of the same leads stay stable.
    for name in ["email_opens", "pricing_page_views", "lead_source"] {
        assert_eq!(feature(&d, name)["band"], "stable", "{name}");
    }
    for f in d["features"]
        .as_array()
        .expect("f")
        .iter()
        .chain([&d["score"]])
    {
        let psi = f["psi"].as_f64().expect("psi");
        assert!((psi - psi_of_bins(f)).abs() < 1e-12, "{}: {psi}", f["name"]);
    }
    // Features come largest PSI first; stage shares add up.
    let psis: Vec<f64> = d["features"]
        .as_array()
        .expect("f")
        .iter()
        .map(|f| f["psi"].as_f64().expect("psi"))
        .collect();
    assert!(psis.windows(2).all(|w| w[0] >= w[1]));
    let new_share: f64 = d["stages"]
        .as_array()
        .expect("stages")
        .iter()
        .map(|s| s["new"].as_f64().expect("new"))
        .sum();
    assert!((new_share - 1.0).abs() < 1e-12);
    assert!(d["verdict"]
        .as_array()
        .expect("verdict")
        .iter()
        .any(|l| l.as_str().is_some_and(|l| l.contains("website_visits"))));
    // Labelled leads: predicted against observed per band, every lead counted.
    let bands = d["calibration"].as_array().expect("calibration");
    let leads: u64 = bands.iter().map(|b| b["leads"].as_u64().expect("n")).sum();
    assert_eq!(leads, 5000);
    let report = std::fs::read_to_string(dir.path().join("drift.html")).expect("report");
    assert!(report.contains("Population stability") && report.contains("<svg"));
}

#[test]
fn a_model_before_format_8_says_drift_needs_a_retrained_model() {
    let dir = temp_dir();
    let model = project_file("tests/fixtures/model-v7.json");
    let data = project_file("data/leads.csv");
    let out = leadscore(
        dir.path(),
        &[
            "drift",
            "--model",
            model.to_str().expect("utf-8"),
            "--data",
            data.to_str().expect("utf-8"),
        ],
    );
    assert_user_error(
        &out,
        &[
            "model-v7.json",
            "format version 7",
            "no training distribution",
            "retrain",
        ],
    );
}
