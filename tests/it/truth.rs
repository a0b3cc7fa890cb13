//! Generated data with a known truth: the fitted model recovers the true
//! effects and ranks holdout leads almost as well as the true model.
//!
//! Tolerance: each estimate must lie within 4 standard errors of the truth,
//! the standard errors taken from the inverse of the penalised Hessian
//! (Fisher information) at the fitted solution on the training rows. Under
//! the normal approximation a correct estimator misses 4 SE with probability
//! 6e-5 per term; a sign flip, a wrong per-unit scale or a biased encoder
//! misses by many SE. The test also checks the SEs are small (< 0.25), so it
//! cannot pass by being vague.

use std::collections::BTreeMap;
use std::path::Path;

use leadscore::demo::{generate, TrueEffect};
use leadscore::encode::{FeatureColumn, FeatureEncoder};
use leadscore::evaluate::metrics::roc_auc;
use leadscore::io::values::Origin;
use leadscore::progress::NoProgress;
use leadscore::schema::config::{ColumnOverride, ColumnsConfig};
use leadscore::schema::Transform;
use leadscore::train::{split_rows, train, TrainSettings};
use linfa_linalg::cholesky::InverseC;
use ndarray::Array2;

#[test]
fn recovers_the_true_effects_and_ranks_like_the_true_model() {
    let rows = 100_000;
    let mut generated = generate(rows, 11).expect("generates");
    let dir = crate::helpers::temp_dir();
    let path = dir.path().join("truth.csv");
    leadscore::io::write::write_table(&mut generated.frame, &path).expect("writes");
    let frame = leadscore::io::read_table(&path, &Default::default()).expect("reads");

    // Declare the true transforms so the model's terms are the truth's terms.
    let mut columns = BTreeMap::new();
    for (name, effect) in &generated.truth.effects {
        if let TrueEffect::Numeric { transform, .. } = effect {
            let transform = if transform == "log1p" {
                Transform::Log1p
            } else {
                Transform::None
            };
            columns.insert(
                name.clone(),
                ColumnOverride {
                    transform: Some(transform),
                    ..Default::default()
                },
            );
        }
    }
    let config = TrainSettings {
        label: Some("converted".into()),
        id: Some("lead_id".into()),
        date: Some("created_at".into()),
        config_file: Some((
            Path::new("truth-transforms").to_path_buf(),
            ColumnsConfig {
                columns,
                ..Default::default()
            },
        )),
        ..TrainSettings::default()
    }
    .check()
    .expect("valid config");
    let model = train(&frame, &path, &config, &NoProgress)
        .expect("trains")
        .model;
    assert!(model.regularisation().converged);

    // Rebuild the training design matrix exactly as training did.
    let labels: Vec<bool> = frame
        .column("converted")
        .expect("label")
        .str()
        .expect("text")
        .iter()
        .map(|v| v == Some("yes"))
        .collect();
    let dates: Vec<i64> = frame
        .column("created_at")
        .expect("date")
        .str()
        .expect("text")
        .iter()
        .map(|v| leadscore::io::dates::parse_datetime(v.expect("date")).expect("parses"))
        .collect();
    let split = split_rows(&labels, Some(&dates), 0.2, 42);
    let origin = Origin {
        path: &path,
        rows_before: 0,
    };
    let feature_columns: Vec<FeatureColumn> = model
        .schema()
        .features
        .iter()
        .map(|f| {
            FeatureColumn::read(
                frame.column(&f.name).expect("column"),
                &f.name,
                f.kind,
                origin,
            )
            .expect("reads")
        })
        .collect();
    let x = model
        .encoder()
        .design_matrix(model.schema(), &feature_columns, &split.train)
        .expect("encodes");
    let cov = covariance(
        &x,
        model.coefficients().iter().map(|c| c.weight).collect(),
        model.intercept(),
        model.regularisation().alpha,
    );

    let index: BTreeMap<&str, usize> = model
        .coefficients()
        .iter()
        .enumerate()
        .map(|(i, c)| (c.term.as_str(), i))
        .collect();
    let weight = |term: &str| model.coefficients()[index[term]].weight;
    let mut checked = 0;
    let mut report = Vec::new();
    let mut check = |what: String, estimate: f64, truth: f64, se: f64| {
        assert!(
            se < 0.25,
            "{what}: standard error {se} too large for a meaningful check"
        );
        let ok = (estimate - truth).abs() <= 4.0 * se;
        report.push(format!(
            "{what}: estimate {estimate:+.3}, truth {truth:+.3}, SE {se:.3}{}",
            if ok { "" } else { "  <-- MISS" }
        ));
        checked += 1;
        ok
    };
    let mut all_ok = true;
    for encoder in model.encoder().features() {
        let name = encoder.name();
        let Some(effect) = generated.truth.effects.get(name) else {
            continue;
        };
        match (encoder, effect) {
            (
                FeatureEncoder::Numeric(e),
                TrueEffect::Numeric {
                    log_odds_per_unit, ..
                },
            ) => {
                let k = index[name];
                all_ok &= check(
                    name.to_string(),
                    e.per_unit(weight(name)).expect("configured as a line"),
                    *log_odds_per_unit,
                    cov[[k, k]].sqrt() / e.scale(),
                );
            }
            (FeatureEncoder::Boolean(_), TrueEffect::Boolean { log_odds_if_yes }) => {
                let k = index[name];
                all_ok &= check(
                    name.to_string(),
                    weight(name),
                    *log_odds_if_yes,
                    cov[[k, k]].sqrt(),
                );
            }
            (
                FeatureEncoder::Categorical(e),
                TrueEffect::Categorical {
                    reference,
                    log_odds,
                    ..
                },
            ) => {
                let r_term = format!("{name}={reference}");
                let r = index[r_term.as_str()];
                for level in e.levels() {
                    let Some(truth) = log_odds.get(level) else {
                        continue;
                    };
                    if level == reference {
                        continue;
                    }
                    let term = format!("{name}={level}");
                    let k = index[term.as_str()];
                    let var = cov[[k, k]] + cov[[r, r]] - 2.0 * cov[[k, r]];
                    all_ok &= check(
                        format!("{term} vs {reference}"),
                        weight(&term) - weight(&r_term),
                        truth - log_odds[reference],
                        var.sqrt(),
                    );
                }
            }
            (encoder, effect) => panic!(
                "{name}: model kind {:?} but truth {effect:?}",
                encoder.kind()
            ),
        }
    }
    assert!(
        checked >= 35,
        "checked only {checked} effects:\n{}",
        report.join("\n")
    );
    assert!(
        all_ok,
        "effects outside 4 SE of the truth:\n{}",
        report.join("\n")
    );

    // Holdout ranking: within 0.01 AUC of the true probabilities on the same rows.
    let y_holdout: Vec<bool> = split.holdout.iter().map(|&r| labels[r]).collect();
    let p_true: Vec<f64> = split
        .holdout
        .iter()
        .map(|&r| generated.true_probability[r])
        .collect();
    let true_auc = roc_auc(&y_holdout, &p_true);
    let model_auc = model.holdout().metrics.roc_auc;
    eprintln!(
        "{}\nholdout AUC: model {model_auc:.4}, true model {true_auc:.4}",
        report.join("\n")
    );
    assert!(
        (model_auc - true_auc).abs() <= 0.01,
        "model holdout AUC {model_auc:.4} vs true model {true_auc:.4}"
    );
}

/// Inverse of the penalised Hessian of Σ log-loss + (α/2)‖w‖² at (w, b);
/// the intercept is the last row/column.
fn covariance(x: &Array2<f64>, w: Vec<f64>, b: f64, alpha: f64) -> Array2<f64> {
    let (n, p) = x.dim();
    let w = ndarray::Array1::from(w);
    let z = x.dot(&w);
    let mut xt = Array2::<f64>::ones((n, p + 1));
    xt.slice_mut(ndarray::s![.., ..p]).assign(x);
    let weights: Vec<f64> = z
        .iter()
        .map(|z| {
            let q = leadscore::encode::sigmoid(z + b);
            q * (1.0 - q)
        })
        .collect();
    let mut weighted = xt.clone();
    for (mut row, wi) in weighted.rows_mut().into_iter().zip(&weights) {
        row.mapv_inplace(|v| v * wi);
    }
    let mut h = xt.t().dot(&weighted);
    for k in 0..p {
        h[[k, k]] += alpha;
    }
    h.invc().expect("penalised Hessian is positive definite")
}
