//! Criterion benchmarks of the core pipeline on realistic synthetic leads
//! (the generator's 19 columns, skewed counts, missing values):
//! reading a CSV export, scoring a batch (encode + dot + sigmoid per row),
//! and training (5-fold CV over 7 penalties + final fit).
//!
//! Run: `cargo bench -p leadscore-benches --bench pipeline`

use std::hint::black_box;
use std::path::Path;

use criterion::{criterion_main, Criterion, Throughput};
use leadscore::demo::generate;
use leadscore::io::values::Origin;
use leadscore::io::write::write_table;
use leadscore::io::{read_table, ReadOptions};
use leadscore::progress::NoProgress;
use leadscore::score::batch::score_frame;
use leadscore::train::{train, TrainSettings};

fn settings() -> TrainSettings {
    TrainSettings {
        label: Some("converted".into()),
        id: Some("lead_id".into()),
        date: Some("created_at".into()),
        ..TrainSettings::default()
    }
}

fn benches(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("leads.csv");
    let rows = 100_000;
    let mut generated = generate(rows, 5).expect("generate");
    write_table(&mut generated.frame, &path).expect("write");
    let frame = read_table(&path, &ReadOptions::default()).expect("read");
    let config = settings().check().expect("config");
    let model = train(&frame, &path, &config, &NoProgress)
        .expect("train")
        .model;

    let mut group = c.benchmark_group("pipeline_100k_leads");
    group.sample_size(10);
    group.throughput(Throughput::Elements(rows as u64));
    group.bench_function("read_csv", |b| {
        b.iter(|| read_table(black_box(&path), &ReadOptions::default()).expect("read"))
    });
    group.bench_function("score_frame", |b| {
        b.iter(|| {
            let origin = Origin {
                path: Path::new("leads.csv"),
                rows_before: 0,
            };
            score_frame(black_box(&model), black_box(&frame), origin).expect("score")
        })
    });
    group.bench_function("train_cv_7_penalties", |b| {
        b.iter(|| train(black_box(&frame), &path, &config, &NoProgress).expect("train"))
    });
    group.finish();
}

#[allow(missing_docs)] // the macro generates an undocumented function
mod group {
    use super::benches;
    criterion::criterion_group!(pipeline, benches);
}
use group::pipeline;
criterion_main!(pipeline);
