//! Criterion benchmarks of the service's scoring path without the network:
//! one JSON lead through `lead::score_fields` (with and without reasons),
//! and whole `POST /v1/score` requests (1 lead, 100 leads) through the
//! router with `oneshot` — JSON parsing, scoring, serialising. The bundled
//! model and sample leads. The load over TCP is `benches/serve_load.sh`.
//!
//! Run: `cargo bench -p leadscore-benches --bench service`

use std::hint::black_box;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use criterion::{criterion_main, Criterion, Throughput};
use leadscore::model::artifact;
use leadscore::score::lead::score_fields;
use leadscore::server::{router, AppState, ModelSource, ServerConfig};
use serde_json::{json, Map, Value};
use tower::ServiceExt;

/// The first `n` sample leads without quoted cells, as JSON objects
/// (numbers as numbers).
fn sample_leads(n: usize) -> Vec<Value> {
    let text = std::fs::read_to_string(leadscore_benches::project_file("data/leads.csv"))
        .expect("data/leads.csv");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    lines
        .filter(|line| !line.contains('"'))
        .take(n)
        .map(|line| {
            let mut lead = Map::new();
            for (name, cell) in header.iter().zip(line.split(',')) {
                let value = match cell.parse::<f64>() {
                    _ if cell.is_empty() => Value::Null,
                    Ok(x) => json!(x),
                    Err(_) => json!(cell),
                };
                lead.insert((*name).to_string(), value);
            }
            Value::Object(lead)
        })
        .collect()
}

fn benches(c: &mut Criterion) {
    let model_path = leadscore_benches::project_file("models/default.json");
    let model = artifact::load(&model_path).expect("bundled model");
    let leads = sample_leads(100);
    let lead = leads[0].as_object().expect("object").clone();

    let mut group = c.benchmark_group("service");
    group.throughput(Throughput::Elements(1));
    group.bench_function("score_fields_with_reasons", |b| {
        b.iter(|| score_fields(black_box(&model), |name| lead.get(name), true).expect("scores"))
    });
    group.bench_function("score_fields_without_reasons", |b| {
        b.iter(|| score_fields(black_box(&model), |name| lead.get(name), false).expect("scores"))
    });

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let state = AppState::load(
        ModelSource::File(model_path.to_path_buf()),
        ServerConfig::default(),
    )
    .expect("state");
    let app = router(state);
    let request = |body: String| {
        Request::post("/v1/score")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body))
            .expect("request")
    };
    for (name, body, n) in [
        ("post_v1_score_1_lead", leads[0].to_string(), 1u64),
        (
            "post_v1_score_100_leads",
            json!({ "leads": leads }).to_string(),
            100,
        ),
    ] {
        group.throughput(Throughput::Elements(n));
        group.bench_function(name, |b| {
            b.iter(|| {
                runtime.block_on(async {
                    let response = app
                        .clone()
                        .oneshot(request(body.clone()))
                        .await
                        .expect("infallible");
                    assert_eq!(response.status(), StatusCode::OK);
                    axum::body::to_bytes(response.into_body(), usize::MAX)
                        .await
                        .expect("body")
                })
            })
        });
    }
    group.finish();
}

#[allow(missing_docs)] // the macro generates an undocumented function
mod group {
    use super::benches;
    criterion::criterion_group!(service, benches);
}
use group::service;
criterion_main!(service);
