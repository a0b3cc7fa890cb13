//! Hand-set points against the evidence: verdicts on generated data with a
//! known truth, the suggested scheme on a holdout, malformed points files,
//! and reason codes that add up.

use std::path::Path;

use leadscore::encode::RawValue;
use leadscore::evaluate::metrics::roc_auc;
use leadscore::io::{read_table, ReadOptions};
use leadscore::points::compare::compare;
use leadscore::points::rules::{
    evaluate_rules, hand_set_scores, judge_rules, suggested_scores, PointsScheme, Verdict,
};
use leadscore::points::ScorecardScale;

use crate::helpers::*;

fn labels_of(frame: &polars::prelude::DataFrame) -> Vec<bool> {
    frame
        .column("converted")
        .expect("label")
        .str()
        .expect("text")
        .iter()
        .map(|v| v == Some("yes"))
        .collect()
}

#[test]
fn verdicts_follow_the_ground_truth() {
    let dir = temp_dir();
    let mut generated = leadscore::demo::generate(20_000, 21).expect("generate");
    let path = dir.path().join("g.csv");
    leadscore::io::write::write_table(&mut generated.frame, &path).expect("write");
    let frame = read_table(&path, &ReadOptions::default()).expect("read");
    let scale = ScorecardScale::default();
    let truth_points = |log_odds: f64| scale.points_of_weight(log_odds).round();
    // contact_form (+0.8) and webinar_attended (+0.4) are drawn independently of
    // everything else, so their marginal effects are the truth up to mild
    // attenuation from the omitted predictors.
    let text = format!(
        "mql = 50\nsql = 100\n\
         [[rule]]\nname = \"Contact form\"\nwhen = \"contact_form = 'yes'\"\npoints = {}\n\
         [[rule]]\nname = \"Webinar\"\nwhen = \"webinar_attended = 'yes'\"\npoints = {}\n\
         [[rule]]\nname = \"eBook\"\nwhen = \"ebook_downloaded = 'yes'\"\npoints = {}\n\
         [[rule]]\nname = \"Student\"\nwhen = \"job_level = 'student'\"\npoints = 0\n\
         [[rule]]\nname = \"Never\"\nwhen = \"email_opens < 0\"\npoints = 30\n\
         [[rule]]\nname = \"Contact form again\"\nwhen = \"contact_form = 'yes' AND email_opens >= 0\"\npoints = 5\n",
        truth_points(0.8),
        truth_points(0.4),
        4.0 * truth_points(0.3),
    );
    let points = write(dir.path(), "points.toml", &text);
    let scheme = PointsScheme::from_file(&points).expect("valid scheme");
    let labels = labels_of(&frame);
    let hits = evaluate_rules(&frame, &scheme, &points).expect("conditions evaluate");
    let report = judge_rules(&scheme, &hits, &labels, &scale).expect("refit");
    let verdicts: Vec<(String, Verdict)> = report
        .rules
        .iter()
        .map(|r| (r.name.clone(), r.verdict))
        .collect();
    let summary = report
        .rules
        .iter()
        .map(|r| format!("{}: {} ({})", r.name, r.verdict, r.note))
        .collect::<Vec<_>>()
        .join("\n");
    assert_eq!(
        verdicts,
        vec![
            ("Contact form".to_string(), Verdict::Supported),
            ("Webinar".to_string(), Verdict::Supported),
            ("eBook".to_string(), Verdict::OverValued),
            ("Student".to_string(), Verdict::OverValued),
            ("Never".to_string(), Verdict::NoEvidence),
            ("Contact form again".to_string(), Verdict::NoEvidence),
        ],
        "{summary}"
    );
    assert!(report.rules[5].note.contains("'Contact form'"), "{summary}");
    assert!(report.rules[4].note.contains("never matches"), "{summary}");
}

/// Every condition, points.toml's and a wider set, gives the same matches as
/// DuckDB's SQL on the same leads (with blanks injected), so the evaluator's
/// SQL is SQL: three-valued logic, IN with NULL, LIKE, BETWEEN, arithmetic.
#[test]
fn conditions_match_what_duckdb_says() {
    let dir = temp_dir();
    let text = std::fs::read_to_string(project_file("data/leads.csv")).expect("leads");
    let (header, mut rows) = parse_csv(&text);
    rows.truncate(3000);
    let at = |name: &str| header.iter().position(|h| h == name).expect("column");
    let (opens, level) = (at("email_opens"), at("job_level"));
    let mut csv = csv_line(&header) + "\n";
    for (i, cells) in rows.iter_mut().enumerate() {
        if i % 7 == 3 {
            cells[opens].clear();
        }
        if i % 11 == 5 {
            cells[level].clear();
        }
        csv += &(csv_line(cells) + "\n");
    }
    let data = write(dir.path(), "leads.csv", &csv);
    let scheme = PointsScheme::from_file(&project_file("data/points.toml")).expect("scheme");
    let mut conditions: Vec<String> = scheme.rules.iter().map(|r| r.when.clone()).collect();
    conditions.extend(
        [
            "email_opens >= 5 AND NOT (demo_requested = 'yes' OR contact_form = 'yes')",
            "NOT email_opens < 5",
            "email_opens IS NULL OR job_level IS NULL",
            "job_level NOT IN ('vp', 'director')",
            "job_level NOT IN ('vp', NULL)",
            "job_level IN ('vp', NULL)",
            "email_opens BETWEEN 3 AND 8",
            "email_opens NOT BETWEEN 3 AND 8",
            "website_visits * pages_per_visit > 20 - email_clicks",
            "-time_on_site_min < -10.5",
            "job_title LIKE '%Director%'",
            "job_title NOT LIKE 'Head of _r%'",
            "job_title ILIKE '%head%'",
            "LOWER(industry) <> industry OR UPPER(country) = 'US'",
            "LENGTH(job_title) > 25",
            "COALESCE(email_opens, 100) > 50",
            "created_at >= '2024-06-01' AND created_at < '2024-07-01'",
            "industry > 'm'",
            "ABS(email_opens - 10) <= 2",
            "email_opens <> 5 OR job_level = 'vp'",
        ]
        .map(String::from),
    );
    let listed = write(
        dir.path(),
        "conditions.json",
        &serde_json::to_string(&conditions).expect("json"),
    );
    let reference = python_reference(
        "tests/duckdb_conditions.py",
        &[data.as_os_str(), listed.as_os_str()],
    );
    let frame = read_table(&data, &ReadOptions::default()).expect("read");
    assert_eq!(frame.height(), 3000);
    for (i, condition) in conditions.iter().enumerate() {
        let ours = leadscore::points::condition::Condition::parse(condition)
            .and_then(|c| c.matches(&frame))
            .unwrap_or_else(|e| panic!("{condition}: {e}"));
        let theirs: Vec<bool> = reference[i]
            .as_array()
            .expect("rows")
            .iter()
            .map(|v| v.as_bool().expect("bool"))
            .collect();
        let differ = ours.iter().zip(&theirs).filter(|(a, b)| a != b).count();
        assert_eq!(
            differ, 0,
            "{condition}: {differ} of 3000 leads differ from DuckDB"
        );
        let hits = ours.iter().filter(|h| **h).count();
        // The wider set is written to match some leads (points.toml's own
        // rules may match none, like "Bounced email" on this sample).
        let written_here = i >= scheme.rules.len();
        assert!(
            hits > 0 || !written_here || condition.contains("NOT IN ('vp', NULL)"),
            "{condition} matches no lead, so it tests nothing"
        );
    }
}

#[test]
fn suggested_scheme_ranks_a_holdout_at_least_as_well_as_the_hand_set_one() {
    let data = project_file("data/leads.csv");
    let frame = read_table(&data, &ReadOptions::default()).expect("data");
    let scheme = PointsScheme::from_file(&project_file("data/points.toml")).expect("scheme");
    // The file is in creation order: fit on the oldest 80%, judge on the newest 20%.
    let n = frame.height();
    let cut = n * 4 / 5;
    let (train, holdout) = (frame.slice(0, cut), frame.slice(cut as i64, n - cut));
    let scale = ScorecardScale::default();
    let train_hits = evaluate_rules(&train, &scheme, &data).expect("rules");
    let report = judge_rules(&scheme, &train_hits, &labels_of(&train), &scale).expect("refit");
    let holdout_hits = evaluate_rules(&holdout, &scheme, &data).expect("rules");
    let y = labels_of(&holdout);
    let hand = roc_auc(
        &y,
        &hand_set_scores(&scheme, &holdout_hits, holdout.height()),
    );
    let suggested = roc_auc(
        &y,
        &suggested_scores(&report, &holdout_hits, holdout.height()),
    );
    assert!(
        suggested >= hand,
        "suggested AUC {suggested:.4} < hand-set {hand:.4}"
    );
}

#[test]
fn points_command_compares_and_exports_the_suggested_scheme() {
    let dir = temp_dir();
    let out = leadscore(
        dir.path(),
        &[
            "points",
            "--data",
            project_file("data/leads.csv").to_str().expect("p"),
            "--points",
            project_file("data/points.toml").to_str().expect("p"),
            "--model",
            project_file("models/default.json").to_str().expect("p"),
            "--csv",
            "suggested.csv",
            "--report",
            "points.html",
            "--json",
        ],
    );
    assert_ok(&out);
    let c: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("json");
    let hand = c["hand_set"]["roc_auc"].as_f64().expect("auc");
    let model = c["model"]["roc_auc"].as_f64().expect("auc");
    assert!(
        model > hand,
        "the model ranks better than the hand-set guesses: {model} vs {hand}"
    );
    let verdict = |name: &str| {
        c["rules"]["rules"]
            .as_array()
            .expect("rules")
            .iter()
            .find(|r| r["name"] == name)
            .expect("rule")["verdict"]
            .clone()
    };
    assert_eq!(verdict("Downloaded an eBook"), "over-valued");
    assert_eq!(verdict("Bounced email"), "no-evidence");
    assert!(c["scorecard"].as_array().expect("scorecard").len() > 40);
    let csv = std::fs::read_to_string(dir.path().join("suggested.csv")).expect("csv");
    assert!(
        csv.starts_with("rule,points\n\"Requested a demo\","),
        "{csv}"
    );
    assert_eq!(csv.lines().count(), 12);
    let html = std::fs::read_to_string(dir.path().join("points.html")).expect("report");
    assert_eq!(html.matches("<svg").count(), 11, "one chart per rule");
    for title in [
        "How each scheme ranks these leads",
        "Requested a demo",
        "over-valued",
        "Suggested scheme",
        "points sheet",
    ] {
        assert!(html.contains(title), "report lacks '{title}'");
    }
}

#[test]
fn malformed_points_files_name_the_rule() {
    let dir = temp_dir();
    let data = project_file("data/leads.csv");
    let run = |name: &str, text: &str| {
        write(dir.path(), name, text);
        leadscore(
            dir.path(),
            &[
                "points",
                "--data",
                data.to_str().expect("p"),
                "--points",
                name,
                "--label",
                "converted",
            ],
        )
    };
    let rule = |when: &str| {
        format!(
            "mql = 50\nsql = 100\n[[rule]]\nname = \"Bad one\"\nwhen = \"{when}\"\npoints = 10\n"
        )
    };
    assert_user_error(&run("syntax.toml", "mql = 50\nsql = \n"), &["syntax.toml"]);
    assert_user_error(
        &run("unknown.toml", &rule("pricing_views >= 1")),
        &["unknown.toml", "rule 'Bad one'", "pricing_views"],
    );
    assert_user_error(
        &run("parse.toml", &rule("demo_requested = = 'yes'")),
        &["parse.toml", "rule 'Bad one'", "cannot parse"],
    );
    assert_user_error(
        &run("type.toml", &rule("website_visits + 1")),
        &["type.toml", "rule 'Bad one'", "not true/false"],
    );
    assert_user_error(&run("order.toml", "mql = 100\nsql = 50\n[[rule]]\nname = \"x\"\nwhen = \"contact_form = 'yes'\"\npoints = 1\n"), &["order.toml", "sql >= mql"]);
    assert_user_error(
        &run("empty.toml", "mql = 1\nsql = 2\nrule = []\n"),
        &["empty.toml", "no [[rule]]"],
    );
}

#[test]
fn reason_codes_add_up_to_the_leads_points() {
    let model =
        leadscore::model::artifact::load(&project_file("models/default.json")).expect("model");
    let data = project_file("data/leads.csv");
    let frame = read_table(&data, &ReadOptions::default())
        .expect("data")
        .slice(0, 200);
    let origin = leadscore::io::values::Origin {
        path: Path::new("leads.csv"),
        rows_before: 0,
    };
    let columns = leadscore::score::batch::feature_columns(&model, &frame, origin).expect("reads");
    let scale = ScorecardScale::default();
    for row in 0..frame.height() {
        let values: Vec<RawValue<'_>> = columns.iter().map(|c| c.raw(row)).collect();
        let e = leadscore::score::reasons::explain(&model, &values, &scale).expect("explains");
        let sum: f64 = e.base_points + e.all.iter().map(|r| r.points).sum::<f64>();
        assert!(
            (sum - e.points).abs() < 1e-9,
            "row {row}: {sum} vs {}",
            e.points
        );
        assert!(e.up.len() <= 3 && e.down.len() <= 3);
        assert!(e.up.windows(2).all(|w| w[0].points >= w[1].points));
        assert!(e.down.iter().all(|r| r.points < 0.0));
    }
    // A lead who requested a demo has it among the reasons up, labelled readably.
    let row = (0..frame.height())
        .find(|&r| {
            matches!(
                columns
                    .iter()
                    .zip(&model.schema().features)
                    .find(|(_, f)| f.name == "demo_requested")
                    .map(|(c, _)| c.raw(r)),
                Some(RawValue::Bool(true))
            )
        })
        .expect("a demo request in the first 200 leads");
    let values: Vec<RawValue<'_>> = columns.iter().map(|c| c.raw(row)).collect();
    let e = leadscore::score::reasons::explain(&model, &values, &scale).expect("explains");
    assert!(
        e.up.iter().any(|r| r.label == "demo_requested = yes"),
        "{:?}",
        e.up
    );
    // Models from before format 3 have no term means: a clear error, not a panic.
    let v2 = leadscore::model::artifact::load(&project_file("tests/fixtures/model-v2.json"))
        .expect("v2");
    assert!(leadscore::score::reasons::explain(&v2, &values, &scale).is_err());
    let _ = compare; // the library entry point used by the CLI
}

#[test]
fn the_models_scorecard_scale_gives_the_points_everywhere() {
    let dir = temp_dir();
    let data = project_file("data/leads.csv");
    let data = data.to_str().expect("path");
    let out = leadscore(
        dir.path(),
        &[
            "train",
            "--data",
            data,
            "--label",
            "converted",
            "--id",
            "lead_id",
            "--date",
            "created_at",
            "--pdo",
            "20",
            "--base-score",
            "600",
            "--base-odds",
            "0.02",
            "--out",
            "sc.json",
        ],
    );
    assert_ok(&out);
    assert!(
        stdout(&out).contains("20 points double the odds"),
        "{}",
        stdout(&out)
    );
    assert_ok(&leadscore(
        dir.path(),
        &[
            "score",
            "--model",
            "sc.json",
            "--input",
            data,
            "--output",
            "scored.csv",
        ],
    ));
    let (header, rows) =
        parse_csv(&std::fs::read_to_string(dir.path().join("scored.csv")).expect("scored"));
    let factor = 20.0 / std::f64::consts::LN_2;
    for (p, points) in column(&header, &rows, "probability")
        .iter()
        .zip(column(&header, &rows, "points"))
    {
        let p: f64 = p.parse().expect("p");
        let expected = (600.0 + factor * ((p / (1.0 - p)).ln() - 0.02f64.ln())).round() as i64;
        assert_eq!(points.parse::<i64>().expect("points"), expected, "p = {p}");
    }
    // `leadscore points` reads the same scale from the model.
    let out = leadscore(
        dir.path(),
        &[
            "points",
            "--data",
            data,
            "--points",
            project_file("data/points.toml").to_str().expect("p"),
            "--model",
            "sc.json",
            "--json",
        ],
    );
    assert_ok(&out);
    let c: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("json");
    assert_eq!(c["scale"]["base_score"], 600.0);
    assert_eq!(c["scale"]["base_odds"], 0.02);
}

#[test]
fn score_can_explain_every_lead() {
    let dir = temp_dir();
    let data = project_file("data/leads.csv");
    let model = project_file("models/default.json");
    let out = leadscore(
        dir.path(),
        &[
            "score",
            "--model",
            model.to_str().expect("p"),
            "--input",
            data.to_str().expect("p"),
            "--output",
            "explained.csv",
            "--reasons",
        ],
    );
    assert_ok(&out);
    let (header, rows) =
        parse_csv(&std::fs::read_to_string(dir.path().join("explained.csv")).expect("out"));
    assert_eq!(header.last().map(String::as_str), Some("reasons"));
    let reasons = column(&header, &rows, "reasons");
    let demo = column(&header, &rows, "demo_requested");
    assert!(
        reasons.iter().all(|r| r.contains(" | ")),
        "up | down in every row"
    );
    let explained_demos = reasons
        .iter()
        .zip(&demo)
        .filter(|(r, d)| **d == "yes" && r.contains("demo_requested = yes"))
        .count();
    let demos = demo.iter().filter(|d| **d == "yes").count();
    assert!(
        explained_demos * 10 >= demos * 9,
        "a demo request is among the top reasons for most demo leads: {explained_demos}/{demos}"
    );
}

#[test]
fn an_explicit_scale_flag_wins_over_the_models_scale_even_at_its_default() {
    let dir = temp_dir();
    let data = project_file("data/leads.csv");
    let data = data.to_str().expect("path");
    let points = project_file("data/points.toml");
    let points = points.to_str().expect("path");
    assert_ok(&leadscore(
        dir.path(),
        &[
            "train",
            "--data",
            data,
            "--label",
            "converted",
            "--id",
            "lead_id",
            "--date",
            "created_at",
            "--pdo",
            "40",
            "--out",
            "pdo40.json",
        ],
    ));
    let pdo_of = |extra: &[&str]| -> f64 {
        let mut args = vec![
            "points",
            "--data",
            data,
            "--points",
            points,
            "--model",
            "pdo40.json",
            "--json",
        ];
        args.extend_from_slice(extra);
        let out = leadscore(dir.path(), &args);
        assert_ok(&out);
        let json: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("json");
        json["scale"]["pdo"].as_f64().expect("pdo")
    };
    assert_eq!(pdo_of(&[]), 40.0, "without flags the model's scale is used");
    assert_eq!(
        pdo_of(&["--pdo", "20"]),
        20.0,
        "--pdo 20 is given, so it wins although 20 is the default"
    );
}
