//! A date column scored as its age in days (`age_days = true`): counted up
//! to the lead's own date, or to the newest date of the column; the same age
//! and probability from `leadscore score` and from the service; a date after
//! the lead's own date refused by the leakage guard.

use leadscore::server::{router, AppState, ModelSource, ServerConfig};
use serde_json::{json, Value};

use crate::helpers::*;
use crate::service::{post_json, send};

/// Leads arriving over 2024 whose signup date (day-first, as spreadsheets
/// write it) lies 0 to 400 days before; older signups convert more. With
/// `after`, that share of rows has a signup after the lead's own date.
fn dated_leads(rows: usize, after: usize) -> String {
    let start = chrono::NaiveDate::from_ymd_opt(2024, 1, 1).expect("date");
    let mut text = String::from("lead_id,created_at,signup_date,visits,converted\n");
    for i in 0..rows {
        let created = start + chrono::Days::new((i * 366 / rows) as u64);
        let age = (i * 7919) % 400;
        let signup = if i % 100 < after {
            created + chrono::Days::new(5 + (i % 20) as u64)
        } else {
            created - chrono::Days::new(age as u64)
        };
        let visits = (i * 31) % 13;
        let won =
            (age as f64 / 400.0 + visits as f64 / 30.0 + ((i * 37) % 100) as f64 / 100.0) > 1.1;
        text.push_str(&format!(
            "L{i},{},{},{visits},{}\n",
            created.format("%Y-%m-%d"),
            signup.format("%d-%m-%Y"),
            if won { "yes" } else { "no" }
        ));
    }
    text
}

fn train(dir: &std::path::Path, extra: &[&str]) -> std::process::Output {
    write(
        dir,
        "leadscore.toml",
        "[columns.signup_date]\nage_days = true\n",
    );
    let mut args = vec![
        "train",
        "--data",
        "dated.csv",
        "--label",
        "converted",
        "--id",
        "lead_id",
        "--config",
        "leadscore.toml",
        "--out",
        "m.json",
        "--json",
    ];
    args.extend_from_slice(extra);
    leadscore(dir, &args)
}

#[tokio::test]
async fn a_date_scores_as_its_age_in_days_the_same_in_batch_and_service() {
    let dir = temp_dir();
    write(dir.path(), "dated.csv", &dated_leads(2000, 0));
    let out = train(dir.path(), &["--date", "created_at"]);
    assert_ok(&out);
    let summary: Value = serde_json::from_str(&stdout(&out)).expect("summary");
    assert!(
        summary["features"]
            .as_array()
            .expect("features")
            .iter()
            .any(|f| f == "signup_date"),
        "{summary}"
    );
    let model_text = std::fs::read_to_string(dir.path().join("m.json")).expect("model");
    let model: Value = serde_json::from_str(&model_text).expect("json");
    let spec = model["schema"]["features"]
        .as_array()
        .expect("features")
        .iter()
        .find(|f| f["name"] == "signup_date")
        .expect("signup_date is a feature");
    assert_eq!(spec["kind"], "numeric");
    assert_eq!(spec["age_days"]["reference"]["column"], "created_at");
    assert_eq!(spec["age_days"]["order"], "day_first");
    assert!(spec["reason"]
        .as_str()
        .expect("reason")
        .contains("the lead's created_at"));
    // Older signups convert more: the age's effect is positive.
    let weight: f64 = model["coefficients"]
        .as_array()
        .expect("coefficients")
        .iter()
        .filter(|c| c["feature"] == "signup_date")
        .map(|c| c["weight"].as_f64().expect("weight"))
        .next()
        .expect("a weight");
    let transform = model["encoder"]["features"]
        .as_array()
        .expect("encoders")
        .iter()
        .find(|f| f["name"] == "signup_date")
        .map(|f| f["transform"].clone())
        .expect("encoder");
    if transform == "none" || transform == "log1p" {
        assert!(weight > 0.0, "{weight}");
    }

    // Batch: 30 days old at the lead's date.
    let text = score_with_reasons(
        dir.path(),
        "lead_id,created_at,signup_date,visits\nN1,2025-03-31,01-03-2025,4\nN2,,01-03-2025,4\n",
    );
    assert!(
        text.contains("signup_date has no age (it or created_at is blank)"),
        "{text}"
    );
    let (header, rows) = parse_csv(&text);
    let p_batch: f64 = column(&header, &rows, "probability")[0].parse().expect("p");
    assert!(
        column(&header, &rows, "reasons")[0].contains("signup_date 30 days before created_at"),
        "{text}"
    );

    // The service: the same lead, the same probability, bit for bit.
    let app = router(
        AppState::load(
            ModelSource::File(dir.path().join("m.json")),
            ServerConfig::default(),
        )
        .expect("loads"),
    );
    let lead = json!({"created_at": "2025-03-31", "signup_date": "01-03-2025", "visits": 4});
    let (status, _, answer) = send(&app, post_json("/v1/score", &lead)).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["probability"].as_f64(), Some(p_batch), "{answer}");
    assert_eq!(
        answer["warnings"],
        json!([]),
        "created_at is a known field: {answer}"
    );
    // A bad reference date is the reference field's 422.
    let bad = json!({"created_at": "someday", "signup_date": "01-03-2025", "visits": 4});
    let (status, _, answer) = send(&app, post_json("/v1/score", &bad)).await;
    assert_eq!(status, 422, "{answer}");
    assert_eq!(answer["details"][0]["path"], "$.created_at", "{answer}");
    // Without the reference, the age is imputed and said so.
    let (status, _, answer) = send(
        &app,
        post_json("/v1/score", &json!({"signup_date": "01-03-2025"})),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    assert!(
        answer["warnings"].to_string().contains("signup_date"),
        "{answer}"
    );
}

#[test]
fn without_a_date_column_ages_count_to_the_newest_date() {
    let dir = temp_dir();
    write(dir.path(), "dated.csv", &dated_leads(1500, 0));
    let out = train(dir.path(), &[]);
    assert_ok(&out);
    let model: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("m.json")).expect("model"))
            .expect("json");
    let spec = model["schema"]["features"]
        .as_array()
        .expect("features")
        .iter()
        .find(|f| f["name"] == "signup_date")
        .expect("feature")
        .clone();
    let fixed = spec["age_days"]["reference"]["fixed"]
        .as_i64()
        .expect("fixed date");
    let newest = dated_leads(1500, 0)
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').nth(2))
        .filter_map(|d| chrono::NaiveDate::parse_from_str(d, "%d-%m-%Y").ok())
        .max()
        .expect("dates");
    assert_eq!(
        fixed,
        newest
            .and_hms_opt(0, 0, 0)
            .expect("midnight")
            .and_utc()
            .timestamp()
    );
    assert!(spec["reason"]
        .as_str()
        .expect("reason")
        .contains("the newest date"));
}

#[test]
fn a_date_after_the_leads_own_date_is_refused_as_leakage() {
    let dir = temp_dir();
    // 5% of signups fall after the lead arrived: filled in later.
    write(dir.path(), "dated.csv", &dated_leads(2000, 5));
    let out = train(dir.path(), &["--date", "created_at"]);
    assert_user_error(
        &out,
        &["signup_date", "after their created_at", "--allow-leaky"],
    );
    let allowed = train(
        dir.path(),
        &["--date", "created_at", "--allow-leaky", "signup_date"],
    );
    assert_ok(&allowed);
    let model: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("m.json")).expect("model"))
            .expect("json");
    let findings = model["training"]["leakage"].to_string();
    assert!(findings.contains("date_after_reference"), "{findings}");
}
