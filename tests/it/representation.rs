//! Numeric representations chosen by evidence: a U-shaped effect gets bins
//! (points per bin in the model, the reasons and the service), a
//! logarithmic one log1p, a straight one the plain line; `transform` in
//! `leadscore.toml` wins; the choice and its evidence are in the summary,
//! the card and the model.

use serde_json::Value;

use crate::helpers::*;

/// Leads whose conversion follows an age with a U-shaped effect, a count
/// with a logarithmic effect and a score with a straight one (a fixed
/// pseudo-random stream, so the file is the same on every run).
fn shaped_leads(rows: usize) -> String {
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut uniform = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut text = String::from("lead_id,age,visits,score,converted\n");
    for i in 0..rows {
        let age = (18.0 + 62.0 * uniform()).floor();
        let visits = (uniform().powi(4) * 400.0).floor();
        let score = 10.0 * uniform() - 5.0;
        let logit = -2.2 + 1.1 * ((age - 48.0) / 15.0).powi(2) - 0.9 + 0.8 * f64::ln_1p(visits)
            - 1.2
            + 0.4 * score;
        let p = 1.0 / (1.0 + (-logit).exp());
        let won = uniform() < p;
        text.push_str(&format!(
            "L{i},{age},{visits},{score:.3},{}\n",
            if won { "yes" } else { "no" }
        ));
    }
    text
}

/// Train on `rows` shaped leads with `extra` arguments; the JSON summary.
fn train_shaped(dir: &std::path::Path, rows: usize, extra: &[&str]) -> Value {
    write(dir, "shaped.csv", &shaped_leads(rows));
    let mut args = vec![
        "train",
        "--data",
        "shaped.csv",
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
    serde_json::from_str(&stdout(&out)).expect("json summary")
}

fn representation<'a>(summary: &'a Value, feature: &str) -> &'a Value {
    summary["representations"]
        .as_array()
        .expect("representations")
        .iter()
        .find(|r| r["feature"] == feature)
        .unwrap_or_else(|| panic!("no representation for {feature}: {summary}"))
}

#[test]
fn each_numeric_feature_gets_the_shape_its_evidence_supports() {
    let dir = temp_dir();
    let summary = train_shaped(dir.path(), 6000, &[]);
    assert_eq!(summary["format_version"], leadscore::model::FORMAT_VERSION);
    let age = representation(&summary, "age");
    assert_eq!(age["chosen"], "bins", "{age}");
    assert_eq!(age["basis"], "cross_validation");
    let candidates: Vec<&str> = age["candidates"]
        .as_array()
        .expect("candidates")
        .iter()
        .map(|c| c["transform"].as_str().expect("name"))
        .collect();
    assert_eq!(candidates, ["none", "log1p", "monotone_bins", "bins"]);
    let losses: Vec<f64> = age["candidates"]
        .as_array()
        .expect("candidates")
        .iter()
        .map(|c| c["cv_log_loss"].as_f64().expect("loss"))
        .collect();
    assert!(
        losses[3] < losses[0] && losses[3] < losses[2],
        "free bins follow a U better than a line or a monotone step: {losses:?}"
    );
    assert_eq!(representation(&summary, "visits")["chosen"], "log1p");
    assert_eq!(representation(&summary, "score")["chosen"], "none");
    let check = &summary["representation_check"];
    assert_eq!(check["kept_chosen"], true, "{check}");
    assert!(check["chosen_cv_log_loss"].as_f64() < check["plain_cv_log_loss"].as_f64());

    // The model: one weight per bin, named by its range.
    let model: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("m.json")).expect("model"))
            .expect("json");
    let age_terms: Vec<&str> = model["coefficients"]
        .as_array()
        .expect("coefficients")
        .iter()
        .filter(|c| c["feature"] == "age")
        .map(|c| c["term"].as_str().expect("term"))
        .collect();
    let edges = age["bin_edges"].as_array().expect("edges").len();
    assert_eq!(age_terms.len(), edges + 1, "{age_terms:?}");
    assert!(age_terms[0].starts_with("age <= "), "{age_terms:?}");
    assert!(age_terms.last().expect("last").starts_with("age >= "));
    // The youngest and the oldest bins convert more than the middle ones: the U.
    let weight = |term: &str| {
        model["coefficients"]
            .as_array()
            .expect("coefficients")
            .iter()
            .find(|c| c["term"] == term)
            .and_then(|c| c["weight"].as_f64())
            .expect("weight")
    };
    let middle = weight(age_terms[age_terms.len() / 2]);
    assert!(weight(age_terms[0]) > middle && weight(age_terms[age_terms.len() - 1]) > middle);

    // The card prints the choice and the evidence.
    let card = leadscore(dir.path(), &["inspect", "--model", "m.json"]);
    assert_ok(&card);
    let text = stdout(&card);
    assert!(text.contains("representation: bins ("), "{text}");
    assert!(
        text.contains("representations: whole-model cross-validated log loss"),
        "{text}"
    );

    // Reasons name the bin a lead falls in.
    let text = score_with_reasons(
        dir.path(),
        "lead_id,age,visits,score\nN1,19,3,1.5\nN2,50,0,-2\n",
    );
    assert!(text.contains("age = 19 (bin "), "{text}");
}

#[test]
fn a_configured_transform_wins_over_the_evidence() {
    let dir = temp_dir();
    write(
        dir.path(),
        "leadscore.toml",
        "[columns.age]\ntransform = \"none\"\n[columns.score]\ntransform = \"monotone_bins\"\n",
    );
    let summary = train_shaped(dir.path(), 3000, &["--config", "leadscore.toml"]);
    let age = representation(&summary, "age");
    assert_eq!(age["chosen"], "none");
    assert_eq!(age["basis"], "configured");
    assert_eq!(age["candidates"].as_array().map(Vec::len), Some(0));
    let score = representation(&summary, "score");
    assert_eq!(score["chosen"], "monotone_bins", "{score}");
    assert!(score["bin_edges"].as_array().is_some_and(|e| !e.is_empty()));
}
