//! Parity with scikit-learn on the real bank-marketing data.
//!
//! Same encoded matrix (written by leadscore), same penalty: linfa-logistic's
//! `alpha` penalises the *summed* log loss by (alpha/2)·‖w‖², exactly like
//! scikit-learn's `C` with `alpha = 1/C`. Coefficients must agree within 1e-3
//! and the holdout AUC within 0.002. The reference is computed live: this test
//! fails (it is never skipped) when python3 with scikit-learn is missing.

use std::fmt::Write as _;
use std::path::Path;

use leadscore::io::values::Origin;
use leadscore::io::{read_table, ReadOptions};
use leadscore::progress::NoProgress;
use leadscore::schema::label::read_labels;
use leadscore::train::{split_rows, train, TrainSettings};
use ndarray::Array2;

use crate::helpers::{project_file, python_reference, temp_dir};

fn write_matrix(path: &Path, x: &Array2<f64>, y: &[bool]) {
    let mut text = String::with_capacity(x.len() * 12);
    for (row, label) in x.rows().into_iter().zip(y) {
        text.push(if *label { '1' } else { '0' });
        for v in row {
            write!(text, ",{v:e}").expect("format");
        }
        text.push('\n');
    }
    std::fs::write(path, text).expect("write matrix");
}

#[test]
fn coefficients_and_auc_match_scikit_learn_on_bank_marketing() {
    let path = project_file("data/bank-full.csv");
    let frame = read_table(&path, &ReadOptions::default()).expect("reads bank-full");
    let alpha = 1.0; // = scikit-learn C 1.0
    let config = TrainSettings {
        label: Some("y".into()),
        positive: Some("yes".into()),
        exclude: vec!["duration".into()],
        alphas: Some(vec![alpha]),
        ..TrainSettings::default()
    }
    .check()
    .expect("config");
    let model = train(&frame, &path, &config, &NoProgress)
        .expect("trains")
        .model;
    assert!(model.regularisation().converged);

    let labels = read_labels(&frame, &path, "y", Some("yes"))
        .expect("labels")
        .converted;
    let split = split_rows(&labels, None, 0.2, 42);
    let origin = Origin {
        path: &path,
        rows_before: 0,
    };
    let columns = leadscore::score::batch::feature_columns(&model, &frame, origin).expect("reads");
    let x_train = model
        .encoder()
        .design_matrix(model.schema(), &columns, &split.train)
        .expect("encodes");
    let x_holdout = model
        .encoder()
        .design_matrix(model.schema(), &columns, &split.holdout)
        .expect("encodes");
    let y_train: Vec<bool> = split.train.iter().map(|&r| labels[r]).collect();
    let y_holdout: Vec<bool> = split.holdout.iter().map(|&r| labels[r]).collect();
    let dir = temp_dir();
    let (train_csv, holdout_csv) = (dir.path().join("train.csv"), dir.path().join("holdout.csv"));
    write_matrix(&train_csv, &x_train, &y_train);
    write_matrix(&holdout_csv, &x_holdout, &y_holdout);

    let c = format!("{}", 1.0 / alpha);
    let reference = python_reference(
        "tests/sklearn_parity.py",
        &[train_csv.as_os_str(), holdout_csv.as_os_str(), c.as_ref()],
    );
    let coef: Vec<f64> = reference["coef"]
        .as_array()
        .expect("coef")
        .iter()
        .map(|v| v.as_f64().expect("f64"))
        .collect();
    assert_eq!(coef.len(), model.coefficients().len());
    let mut worst = (0.0f64, String::new());
    for (c, r) in model.coefficients().iter().zip(&coef) {
        let d = (c.weight - r).abs();
        if d > worst.0 {
            worst = (d, c.term.clone());
        }
    }
    let intercept_diff =
        (model.intercept() - reference["intercept"].as_f64().expect("intercept")).abs();
    assert!(
        worst.0 <= 1e-3,
        "largest coefficient difference {} at {}",
        worst.0,
        worst.1
    );
    assert!(
        intercept_diff <= 1e-3,
        "intercept difference {intercept_diff}"
    );
    let auc_diff =
        (model.holdout().metrics.roc_auc - reference["holdout_auc"].as_f64().expect("auc")).abs();
    assert!(auc_diff <= 0.002, "holdout AUC difference {auc_diff}");
    eprintln!(
        "scikit-learn {}: max |coef diff| {:.2e} ({}), intercept diff {:.2e}, AUC diff {:.2e}",
        reference["sklearn_version"], worst.0, worst.1, intercept_diff, auc_diff
    );
}
