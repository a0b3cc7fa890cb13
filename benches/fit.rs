//! Criterion benchmarks of the fit path, on generated leads (the generator's
//! 19 columns, skewed counts, missing values):
//! - one linfa-logistic fit on 100,000 × 60 standardised terms;
//! - choosing the penalty and fitting (`fit_rows`: encoder, cross-validation
//!   on the capped sample, warm-started final fit) on 100,000 training rows;
//! - encoding 1,000,000 rows into the design matrix.
//!
//! Run: `cargo bench -p leadscore-benches --bench fit`

use std::hint::black_box;
use std::path::Path;

use ndarray::ShapeBuilder;

use criterion::{criterion_main, Criterion, Throughput};
use leadscore::demo::generate;
use leadscore::encode::Encoder;
use leadscore::progress::NoProgress;
use leadscore::train::fit::{fit_logistic, Tolerance, DEFAULT_MAX_ITERATIONS};
use leadscore::train::{fit_rows, prepare, TrainSettings};

fn settings() -> TrainSettings {
    TrainSettings {
        label: Some("converted".into()),
        id: Some("lead_id".into()),
        date: Some("created_at".into()),
        exclude: vec!["email".into(), "job_title".into()],
        ..TrainSettings::default()
    }
}

fn benches(c: &mut Criterion) {
    let path = Path::new("generated.csv");
    let config = settings().check().expect("config");
    let big = generate(1_000_000, 5).expect("generate");
    let prepared_big = prepare(&big.frame, path, &config).expect("prepare");
    let all: Vec<usize> = (0..1_000_000).collect();
    let small = generate(100_000, 5).expect("generate");
    let prepared = prepare(&small.frame, path, &config).expect("prepare");
    let rows: Vec<usize> = (0..100_000).collect();
    let encoder = Encoder::fit(
        &prepared.schema,
        &prepared.columns,
        &rows,
        &prepared.labels,
        &[],
    );
    let x = prepared
        .design_matrix(&encoder, &rows, path)
        .expect("encode");
    let x60 = x.slice(ndarray::s![.., ..60.min(x.ncols())]).to_owned();
    let mut x60f = ndarray::Array2::<f64>::zeros((x60.nrows(), x60.ncols()).f());
    x60f.assign(&x60);
    let y: Vec<bool> = rows.iter().map(|&r| prepared.labels[r]).collect();

    let mut group = c.benchmark_group("fit_path");
    group.sample_size(10);
    group.bench_function("one_fit_100k_x_60_alpha_1", |b| {
        b.iter(|| {
            fit_logistic(
                black_box(x60f.view()),
                &y,
                1.0,
                None,
                DEFAULT_MAX_ITERATIONS,
                Tolerance::FINAL,
            )
            .expect("fit")
        })
    });
    group.bench_function("cv_and_final_fit_100k_rows", |b| {
        b.iter(|| fit_rows(black_box(&prepared), &rows, path, &config, &NoProgress).expect("fit"))
    });
    group.throughput(Throughput::Elements(1_000_000));
    group.bench_function("encode_1m_rows", |b| {
        b.iter(|| {
            let encoder = Encoder::fit(
                &prepared_big.schema,
                &prepared_big.columns,
                &all,
                &prepared_big.labels,
                &[],
            );
            prepared_big
                .design_matrix(&encoder, black_box(&all), path)
                .expect("encode")
        })
    });
    group.finish();
}

#[allow(missing_docs)] // the macro generates an undocumented function
mod group {
    use super::benches;
    criterion::criterion_group!(fit, benches);
}
use group::fit;
criterion_main!(fit);
