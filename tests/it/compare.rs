//! `leadscore compare`: DeLong's test against an independent NumPy
//! implementation (run live) to 1e-9, the migration matrix against counting
//! the two `leadscore score` outputs, the movers, the report, the unlabelled
//! mode and bad arguments.

use std::collections::HashMap;
use std::path::Path;

use serde_json::Value;

use crate::helpers::{
    assert_ok, assert_user_error, column, leadscore, parse_csv, project_file, python_reference,
    stdout, temp_dir, write,
};

fn path(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// `leadscore score` of `data` with `model`: (stage, probability) per row.
fn scored(dir: &Path, model: &Path, data: &Path, name: &str) -> Vec<(String, f64)> {
    let out = dir.join(name);
    assert_ok(&leadscore(
        dir,
        &[
            "score",
            "--model",
            path(model),
            "--input",
            path(data),
            "--output",
            path(&out),
        ],
    ));
    let (header, rows) = parse_csv(&std::fs::read_to_string(&out).expect("scored"));
    let stages = column(&header, &rows, "stage");
    let probabilities = column(&header, &rows, "probability");
    stages
        .iter()
        .zip(probabilities)
        .map(|(s, p)| (s.to_string(), p.parse().expect("a probability")))
        .collect()
}

fn compare_json(dir: &Path, data: &Path, extra: &[&str]) -> Value {
    let a = project_file("models/default.json");
    let b = project_file("models/challenger.json");
    let mut args = vec![
        "compare",
        "--model",
        path(&a),
        "--model",
        path(&b),
        "--data",
        path(data),
        "--json",
    ];
    args.extend_from_slice(extra);
    let out = leadscore(dir, &args);
    assert_ok(&out);
    serde_json::from_str(&stdout(&out)).expect("compare --json prints JSON")
}

#[test]
fn delong_matches_numpy_and_migrations_match_independent_counting() {
    let dir = temp_dir();
    let data = project_file("data/leads.csv");
    let c = compare_json(dir.path(), &data, &["--report", "compare.html"]);

    let a = scored(
        dir.path(),
        &project_file("models/default.json"),
        &data,
        "a.csv",
    );
    let b = scored(
        dir.path(),
        &project_file("models/challenger.json"),
        &data,
        "b.csv",
    );
    let (header, rows) = parse_csv(&std::fs::read_to_string(&data).expect("data"));
    let labels: Vec<bool> = column(&header, &rows, "converted")
        .iter()
        .map(|v| *v == "yes")
        .collect();

    // DeLong against the NumPy reference on the same probabilities.
    let mut table = String::from("label,a,b\n");
    for ((y, (_, pa)), (_, pb)) in labels.iter().zip(&a).zip(&b) {
        table.push_str(&format!("{},{pa:?},{pb:?}\n", u8::from(*y)));
    }
    let input = write(dir.path(), "pairs.csv", &table);
    let reference = python_reference("tests/delong_reference.py", &[input.as_os_str()]);
    let ours = &c["roc_auc"];
    for (key, tolerance) in [
        ("auc_a", 1e-9),
        ("auc_b", 1e-9),
        ("variance", 1e-9),
        ("z", 1e-6),
        ("p_value", 1e-9),
    ] {
        let (x, r) = (
            ours[key].as_f64().expect("ours"),
            reference[key].as_f64().expect("reference"),
        );
        assert!(
            (x - r).abs() <= tolerance,
            "{key}: leadscore {x} vs NumPy {r}"
        );
    }
    assert!(
        (ours["difference"].as_f64().expect("d")
            - (reference["auc_b"].as_f64().expect("b") - reference["auc_a"].as_f64().expect("a")))
        .abs()
            < 1e-9
    );

    // Migration cells against counting the two score files.
    let mut counts: HashMap<(String, String), (usize, usize)> = HashMap::new();
    for ((y, (sa, _)), (sb, _)) in labels.iter().zip(&a).zip(&b) {
        let cell = counts.entry((sa.clone(), sb.clone())).or_default();
        cell.0 += 1;
        cell.1 += usize::from(*y);
    }
    let cells = c["migration"].as_array().expect("cells");
    assert_eq!(cells.len(), 9);
    let mut total = 0;
    for cell in cells {
        let key = (
            cell["from"].as_str().expect("from").to_string(),
            cell["to"].as_str().expect("to").to_string(),
        );
        let (n, k) = counts.get(&key).copied().unwrap_or_default();
        assert_eq!(cell["leads"].as_u64(), Some(n as u64), "{key:?}");
        assert_eq!(cell["converted"].as_u64(), Some(k as u64), "{key:?}");
        total += n;
    }
    assert_eq!(total, 5000);
    let at_least = |s: &[(String, f64)], stages: &[&str]| {
        s.iter()
            .filter(|(x, _)| stages.contains(&x.as_str()))
            .count() as u64
    };
    assert_eq!(
        c["mql_or_above"]["a"].as_u64(),
        Some(at_least(&a, &["MQL", "SQL"]))
    );
    assert_eq!(c["sql"]["b"].as_u64(), Some(at_least(&b, &["SQL"])));
    let changed = a.iter().zip(&b).filter(|(x, z)| x.0 != z.0).count();
    assert_eq!(c["changed_stage"].as_u64(), Some(changed as u64));

    // Movers: stage changed, most steps first, with reasons under both.
    let movers = c["movers"].as_array().expect("movers");
    assert_eq!(movers.len(), 10.min(changed));
    let rank = |s: &Value| -> i64 {
        match s.as_str() {
            Some("lead") => 0,
            Some("MQL") => 1,
            _ => 2,
        }
    };
    let steps: Vec<i64> = movers
        .iter()
        .map(|m| (rank(&m["a"]["stage"]) - rank(&m["b"]["stage"])).abs())
        .collect();
    assert!(steps.iter().all(|s| *s > 0) && steps.windows(2).all(|w| w[0] >= w[1]));
    for m in movers {
        let row = m["row"].as_u64().expect("row") as usize - 1;
        assert_eq!(m["id"].as_str(), Some(rows[row][0].as_str()), "id of row");
        assert_eq!(m["a"]["stage"].as_str(), Some(a[row].0.as_str()));
        assert!(!m["reasons_a"].as_array().expect("a").is_empty());
        assert!(!m["reasons_b"].as_array().expect("b").is_empty());
    }
    let verdict = c["verdict"].as_array().expect("verdict");
    assert!(
        verdict[0]
            .as_str()
            .is_some_and(|v| v.contains("ranks better") || v.contains("no evidence")),
        "{verdict:?}"
    );
    let report = std::fs::read_to_string(dir.path().join("compare.html")).expect("report");
    assert!(report.contains("Stage migration") && report.contains("<svg"));
}

#[test]
fn without_labels_only_migrations_and_volumes_are_compared() {
    let dir = temp_dir();
    let text = std::fs::read_to_string(project_file("data/leads.csv")).expect("data");
    let unlabelled: String = text
        .lines()
        .map(|l| l.rsplit_once(',').map_or(l, |(head, _)| head).to_string() + "\n")
        .collect();
    let data = write(dir.path(), "new.csv", &unlabelled);
    let c = compare_json(dir.path(), &data, &[]);
    assert_eq!(c["labelled"], Value::Bool(false));
    assert!(c["roc_auc"].is_null() && c["log_loss"].is_null());
    assert!(c["models"][0]["metrics"].is_null());
    assert!(c["migration"][0]["converted"].is_null());
    assert!(c["verdict"][0]
        .as_str()
        .is_some_and(|v| v.contains("no 'converted' column")));
    let leads: u64 = c["migration"]
        .as_array()
        .expect("cells")
        .iter()
        .map(|m| m["leads"].as_u64().expect("n"))
        .sum();
    assert_eq!(leads, 5000);
}

#[test]
fn compare_needs_exactly_two_models() {
    let dir = temp_dir();
    let a = project_file("models/default.json");
    let data = project_file("data/leads.csv");
    let out = leadscore(
        dir.path(),
        &["compare", "--model", path(&a), "--data", path(&data)],
    );
    assert_user_error(&out, &["--model", "exactly two models"]);
}
