//! The service through its router (`tower::ServiceExt::oneshot`): every
//! endpoint and every error, plus train/serve parity with `leadscore score`.

use std::path::Path;
use std::time::Duration;

use axum::body::Body;
use axum::http::{header, HeaderMap, Request, StatusCode};
use axum::Router;
use leadscore::server::{router, AppState, ModelSource, ServerConfig, ServerSettings, Token};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use tower::ServiceExt;

use crate::helpers::{assert_ok, leadscore, parse_csv, project_file, temp_dir, write};

/// The bundled model, served with `config`.
pub fn app_with(config: ServerConfig) -> Router {
    let source = ModelSource::File(project_file("models/default.json"));
    router(AppState::load(source, config).expect("the bundled model loads"))
}

fn app() -> Router {
    app_with(ServerConfig::default())
}

/// The first `n` leads of `data/leads.csv` as JSON objects: numbers as JSON
/// numbers, other text as strings, empty cells as null (label and id kept:
/// they are extra fields the service must ignore).
pub fn sample_leads(n: usize) -> Vec<Value> {
    let text = std::fs::read_to_string(project_file("data/leads.csv")).expect("sample data");
    let (header, rows) = parse_csv(&text);
    rows.iter()
        .take(n)
        .map(|row| {
            let mut lead = Map::new();
            for (name, cell) in header.iter().zip(row) {
                let value = if cell.is_empty() {
                    Value::Null
                } else if let Ok(x) = cell.parse::<f64>() {
                    json!(x)
                } else {
                    json!(cell)
                };
                lead.insert(name.clone(), value);
            }
            Value::Object(lead)
        })
        .collect()
}

/// Send a request; return status, headers and the body as JSON (or as a JSON
/// string when it is not JSON).
pub async fn send(app: &Router, request: Request<Body>) -> (StatusCode, HeaderMap, Value) {
    let response = app.clone().oneshot(request).await.expect("infallible");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("body");
    let body = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
    (status, headers, body)
}

pub fn post_json(uri: &str, body: &Value) -> Request<Body> {
    Request::post(uri)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .expect("request")
}

fn get(uri: &str) -> Request<Body> {
    Request::get(uri).body(Body::empty()).expect("request")
}

/// `POST /v1/admin/reload`, with a bearer token when given.
fn reload_request(token: Option<&str>) -> Request<Body> {
    let mut request = Request::post("/v1/admin/reload");
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    request.body(Body::empty()).expect("request")
}

/// The element of a JSON array whose `key` equals `value`.
fn item<'a>(array: &'a Value, key: &str, value: &str) -> &'a Value {
    array
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {array}"))
        .iter()
        .find(|v| v[key] == value)
        .unwrap_or_else(|| panic!("no element with {key} = {value} in {array}"))
}

/// Send a request that must fail with `status` and `code` in the one error
/// shape; return the error body.
async fn rejected(app: &Router, request: Request<Body>, status: StatusCode, code: &str) -> Value {
    let (s, _, body) = send(app, request).await;
    assert_error(s, &body, status, code);
    body
}

/// Assert the one error shape: `error` text, `code`, `status` equal to the HTTP status.
fn assert_error(status: StatusCode, body: &Value, expected: StatusCode, code: &str) {
    assert_eq!(status, expected, "{body}");
    assert_eq!(body["code"], code, "{body}");
    assert_eq!(body["status"], expected.as_u16(), "{body}");
    assert!(
        body["error"].as_str().is_some_and(|e| !e.is_empty()),
        "{body}"
    );
}

fn file_version(path: &Path) -> String {
    let bytes = std::fs::read(path).expect("model file");
    format!("{:x}", Sha256::digest(&bytes))[..12].to_string()
}

#[tokio::test]
async fn one_lead_gets_probability_stage_points_reasons_and_the_model_version() {
    let lead = sample_leads(1).remove(0);
    let (status, _, body) = send(&app(), post_json("/v1/score", &lead)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let p = body["probability"].as_f64().expect("probability");
    assert!(p > 0.0 && p < 1.0, "{body}");
    assert!(["lead", "MQL", "SQL"].contains(&body["stage"].as_str().expect("stage")));
    assert_eq!(body["points"].as_i64(), Some((100.0 * p).round() as i64));
    let reasons = &body["reasons"];
    assert!(!reasons["up"].as_array().expect("up").is_empty(), "{body}");
    assert!(
        !reasons["down"].as_array().expect("down").is_empty(),
        "{body}"
    );
    assert_eq!(
        body["warnings"],
        json!([]),
        "a complete lead has no warnings"
    );
    assert_eq!(body["model"]["name"], "default");
    assert_eq!(
        body["model"]["version"],
        file_version(&project_file("models/default.json"))
    );
}

#[tokio::test]
async fn a_batch_is_scored_in_order_and_equals_single_requests() {
    let app = app();
    let leads = sample_leads(5);
    let (status, _, batch) = send(&app, post_json("/v1/score", &json!({"leads": leads}))).await;
    assert_eq!(status, StatusCode::OK, "{batch}");
    let results = batch["results"].as_array().expect("results");
    assert_eq!(results.len(), 5);
    for (lead, result) in leads.iter().zip(results) {
        let (_, _, one) = send(&app, post_json("/v1/score", lead)).await;
        assert_eq!(one["probability"], result["probability"]);
        assert_eq!(one["stage"], result["stage"]);
    }
    assert!(batch["model"]["version"].is_string());
}

#[tokio::test]
async fn field_order_and_extra_fields_do_not_change_the_score() {
    let app = app();
    let lead = sample_leads(1).remove(0);
    let mut reordered: Vec<(String, Value)> = lead
        .as_object()
        .expect("object")
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    reordered.reverse();
    let mut other = Map::new();
    other.insert("utm_campaign".into(), json!({"nested": [1, 2]}));
    for (k, v) in reordered {
        other.insert(k, v);
    }
    let (_, _, a) = send(&app, post_json("/v1/score", &lead)).await;
    let (status, _, b) = send(&app, post_json("/v1/score", &Value::Object(other))).await;
    assert_eq!(status, StatusCode::OK, "{b}");
    assert_eq!(a["probability"], b["probability"]);
}

#[tokio::test]
async fn missing_fields_are_imputed_and_unseen_categories_warned() {
    let mut lead = sample_leads(1).remove(0);
    let fields = lead.as_object_mut().expect("object");
    fields.remove("website_visits");
    fields.insert("pricing_page_views".into(), Value::Null);
    fields.insert("industry".into(), json!("Underwater Basket Weaving"));
    let (status, _, body) = send(&app(), post_json("/v1/score", &lead)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let warnings = &body["warnings"];
    let find = |field: &str| item(warnings, "field", field);
    assert_eq!(find("website_visits")["code"], "imputed");
    assert!(find("website_visits")["message"]
        .as_str()
        .expect("message")
        .contains("median"));
    assert_eq!(find("pricing_page_views")["code"], "imputed");
    assert_eq!(find("industry")["code"], "unseen_category");
    assert!(find("industry")["message"]
        .as_str()
        .expect("message")
        .contains("Underwater Basket Weaving"));
    assert_eq!(warnings.as_array().map(Vec::len), Some(3), "{body}");
}

#[tokio::test]
async fn wrong_types_are_422_with_json_path_and_expected_type() {
    let app = app();
    let mut lead = sample_leads(1).remove(0);
    lead["website_visits"] = json!("many");
    lead["demo_requested"] = json!("perhaps");
    lead["industry"] = json!({"name": "software"});
    lead["email_opens"] = json!(true);
    let body = rejected(
        &app,
        post_json("/v1/score", &lead),
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_field",
    )
    .await;
    let details = &body["details"];
    let find = |path: &str| item(details, "path", path);
    assert_eq!(find("$.website_visits")["expected"], "number");
    assert_eq!(find("$.website_visits")["found"], "string \"many\"");
    assert_eq!(find("$.demo_requested")["expected"], "boolean");
    assert_eq!(find("$.industry")["expected"], "string");
    assert_eq!(find("$.industry")["found"], "object");
    assert_eq!(find("$.email_opens")["expected"], "number");
    assert_eq!(details.as_array().map(Vec::len), Some(4), "{body}");

    // In a batch the path names the lead.
    let mut leads = sample_leads(3);
    leads[2]["company_size"] = json!([1, 2]);
    leads[1] = json!("not a lead");
    let body = rejected(
        &app,
        post_json("/v1/score", &json!({"leads": leads})),
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_field",
    )
    .await;
    let paths: Vec<&str> = body["details"]
        .as_array()
        .expect("details")
        .iter()
        .filter_map(|d| d["path"].as_str())
        .collect();
    assert_eq!(paths, ["$.leads[1]", "$.leads[2].company_size"], "{body}");

    // NaN cannot be sent as JSON, but text that parses to infinity can.
    let mut lead = sample_leads(1).remove(0);
    lead["time_on_site_min"] = json!("inf");
    let body = rejected(
        &app,
        post_json("/v1/score", &lead),
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_field",
    )
    .await;
    assert_eq!(body["details"][0]["path"], "$.time_on_site_min");
}

#[tokio::test]
async fn a_required_field_that_is_missing_is_refused_not_imputed() {
    let dir = temp_dir();
    let mut model: Value = serde_json::from_str(
        &std::fs::read_to_string(project_file("models/default.json")).expect("model"),
    )
    .expect("json");
    for feature in model["schema"]["features"]
        .as_array_mut()
        .expect("features")
    {
        if feature["name"] == "company_size" {
            feature["required"] = json!(true);
        }
    }
    let path = write(dir.path(), "strict.json", &model.to_string());
    let app =
        router(AppState::load(ModelSource::File(path), ServerConfig::default()).expect("loads"));
    let mut lead = sample_leads(1).remove(0);
    lead.as_object_mut().expect("object").remove("company_size");
    lead["website_visits"] = Value::Null;
    let body = rejected(
        &app,
        post_json("/v1/score", &lead),
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_field",
    )
    .await;
    assert_eq!(body["details"][0]["path"], "$.company_size", "{body}");
    assert!(
        body["error"].as_str().expect("error").contains("requires"),
        "{body}"
    );
    assert_eq!(
        body["details"].as_array().expect("details").len(),
        1,
        "only the required one"
    );

    let (status, _, detail) = send(&app, get("/v1/models/strict")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        item(&detail["fields"], "name", "company_size")["required"],
        true
    );
}

#[tokio::test]
async fn bad_bodies_get_4xx_in_the_one_error_shape() {
    let app = app_with(
        ServerSettings {
            max_body_bytes: 4096,
            max_batch: 3,
            ..ServerSettings::default()
        }
        .check()
        .expect("valid settings"),
    );
    let raw = |content_type: Option<&str>, body: &str| {
        let mut r = Request::post("/v1/score");
        if let Some(ct) = content_type {
            r = r.header(header::CONTENT_TYPE, ct);
        }
        r.body(Body::from(body.to_string())).expect("request")
    };
    let big = format!("{{\"notes\": \"{}\"}}", "x".repeat(5000));
    let one = &sample_leads(1)[0];
    // (request, status, code, text the message must contain)
    let cases = [
        (
            raw(Some("application/json"), "{\"industry\": "),
            StatusCode::BAD_REQUEST,
            "malformed_json",
            "line 1",
        ),
        (
            raw(Some("text/plain"), "{}"),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "text/plain",
        ),
        (
            raw(None, "{}"),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "no Content-Type",
        ),
        (
            raw(Some("application/json"), &big),
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            "4096",
        ),
        (
            post_json("/v1/score", &json!({"leads": sample_leads(4)})),
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_many_leads",
            "limit is 3",
        ),
        (
            post_json("/v1/score", &json!([1, 2])),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
            "$",
        ),
        (
            post_json("/v1/score?model=nope", one),
            StatusCode::NOT_FOUND,
            "unknown_model",
            "default",
        ),
        (
            post_json("/v1/score?reasons=maybe", one),
            StatusCode::BAD_REQUEST,
            "invalid_query",
            "reasons",
        ),
        (
            get("/v1/nothing-here"),
            StatusCode::NOT_FOUND,
            "not_found",
            "/v1/nothing-here",
        ),
        (
            get("/v1/score"),
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "GET",
        ),
    ];
    for (request, status, code, needle) in cases {
        let b = rejected(&app, request, status, code).await;
        assert!(
            b["error"].as_str().expect("error").contains(needle),
            "{needle}: {b}"
        );
    }
    let b = rejected(
        &app,
        post_json("/v1/score", &json!([1, 2])),
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_field",
    )
    .await;
    assert_eq!(b["details"][0]["path"], "$");
    // An empty batch (a CRM job with nothing new) is not an error.
    let (s, _, b) = send(&app, post_json("/v1/score", &json!({"leads": []}))).await;
    assert_eq!((s, &b["results"]), (StatusCode::OK, &json!([])), "{b}");
    // A deeply nested body is an error, not a stack overflow.
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let app_big = app_with(ServerConfig::default());
    rejected(
        &app_big,
        raw(Some("application/json"), &deep),
        StatusCode::BAD_REQUEST,
        "malformed_json",
    )
    .await;
}

#[tokio::test]
async fn reasons_can_be_left_out_and_the_model_chosen_by_name() {
    let lead = &sample_leads(1)[0];
    let (s, _, b) = send(
        &app(),
        post_json("/v1/score?model=default&reasons=false", lead),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["reasons"], Value::Null);
}

#[tokio::test]
async fn model_endpoints_describe_fields_cutoffs_metrics_and_weights() {
    let app = app();
    let (s, _, list) = send(&app, get("/v1/models")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(list["default"], "default");
    assert_eq!(list["models"][0]["name"], "default");
    assert_eq!(list["models"][0]["fields"], 15);
    let (s, _, m) = send(&app, get("/v1/models/default")).await;
    assert_eq!(s, StatusCode::OK, "{m}");
    let fields = &m["fields"];
    assert_eq!(fields.as_array().map(Vec::len), Some(15));
    let industry = item(fields, "name", "industry");
    assert_eq!(industry["type"], "string");
    assert!(industry["levels"]
        .as_array()
        .expect("levels")
        .iter()
        .any(|l| l == "software"));
    let visits = item(fields, "name", "website_visits");
    assert_eq!(visits["type"], "number");
    assert_eq!(visits["transform"], "log1p");
    assert!(visits["imputed_with"].is_number());
    let demo = item(fields, "name", "demo_requested");
    assert_eq!(demo["type"], "boolean");
    let (mql, sql) = (m["cutoffs"]["mql"].as_f64(), m["cutoffs"]["sql"].as_f64());
    assert!(mql.is_some() && mql <= sql, "{m}");
    assert!(m["holdout"]["metrics"]["roc_auc"].as_f64().expect("auc") > 0.6);
    assert!(m["coefficients"].as_array().expect("coefficients").len() > 15);
    assert_eq!(m["version"], list["models"][0]["version"]);
    rejected(
        &app,
        get("/v1/models/unknown"),
        StatusCode::NOT_FOUND,
        "unknown_model",
    )
    .await;
}

#[tokio::test]
async fn health_and_readiness() {
    let app = app();
    let (s, _, b) = send(&app, get("/healthz")).await;
    assert_eq!((s, b["status"].as_str()), (StatusCode::OK, Some("ok")));
    let (s, _, b) = send(&app, get("/readyz")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(b["status"], "ready");
    assert_eq!(b["default_model"]["name"], "default");
    for path in ["/v2/health/live", "/v2/health/ready", "/v2"] {
        let (s, _, b) = send(&app, get(path)).await;
        assert_eq!(s, StatusCode::OK, "{path}: {b}");
    }
}

#[tokio::test]
async fn metrics_count_requests_latency_leads_by_stage_and_model_versions() {
    let app = app();
    let leads = sample_leads(20);
    let (s, _, scored) = send(&app, post_json("/v1/score", &json!({"leads": leads}))).await;
    assert_eq!(s, StatusCode::OK);
    let _ = send(&app, get("/v1/nothing")).await;
    let response = app
        .clone()
        .oneshot(get("/metrics"))
        .await
        .expect("infallible");
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers()[header::CONTENT_TYPE]
        .to_str()
        .expect("ascii")
        .starts_with("application/openmetrics-text"));
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("body");
    let text = String::from_utf8(bytes.to_vec()).expect("utf-8");
    assert!(
        text.contains(
            r#"leadscore_http_requests_total{route="/v1/score",method="POST",status="200"} 1"#
        ),
        "{text}"
    );
    assert!(
        text.contains(
            r#"leadscore_http_requests_total{route="unmatched",method="GET",status="404"} 1"#
        ),
        "{text}"
    );
    assert!(
        text.contains(
            r#"leadscore_http_request_duration_seconds_bucket{le="+Inf",route="/v1/score"} 1"#
        ) || text.contains(
            r#"leadscore_http_request_duration_seconds_bucket{route="/v1/score",le="+Inf"} 1"#
        ),
        "{text}"
    );
    let mut by_stage = std::collections::HashMap::<&str, u64>::new();
    for r in scored["results"].as_array().expect("results") {
        *by_stage
            .entry(r["stage"].as_str().expect("stage"))
            .or_default() += 1;
    }
    for (stage, n) in by_stage {
        let line =
            format!(r#"leadscore_leads_scored_total{{model="default",stage="{stage}"}} {n}"#);
        assert!(text.contains(&line), "missing {line}\n{text}");
    }
    let version = file_version(&project_file("models/default.json"));
    assert!(
        text.contains(&format!(
            r#"leadscore_model_info{{model="default",version="{version}""#
        )),
        "{text}"
    );
}

#[tokio::test]
async fn openapi_document_lists_every_route_and_schema() {
    let (s, _, doc) = send(&app(), get("/openapi.json")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        doc["openapi"].as_str().expect("version").starts_with("3."),
        "{doc}"
    );
    let paths = doc["paths"].as_object().expect("paths");
    for (path, method) in [
        ("/v1/score", "post"),
        ("/v1/models", "get"),
        ("/v1/models/{name}", "get"),
        ("/v1/admin/reload", "post"),
        ("/healthz", "get"),
        ("/readyz", "get"),
        ("/metrics", "get"),
        ("/openapi.json", "get"),
        ("/v2", "get"),
        ("/v2/health/live", "get"),
        ("/v2/health/ready", "get"),
        ("/v2/models/{name}", "get"),
        ("/v2/models/{name}/ready", "get"),
        ("/v2/models/{name}/infer", "post"),
    ] {
        assert!(paths[path][method].is_object(), "{method} {path} missing");
    }
    assert_eq!(
        paths.len(),
        14,
        "a route without documentation: {:?}",
        paths.keys()
    );
    let schemas = doc["components"]["schemas"].as_object().expect("schemas");
    for name in [
        "ErrorBody",
        "ScoredLead",
        "ScoreReply",
        "InferRequest",
        "InferResponse",
        "ModelDetail",
    ] {
        assert!(schemas.contains_key(name), "schema {name} missing");
    }
    // A batch body is also a valid lead object: any of, not one of.
    assert_eq!(
        schemas["ScoreRequest"]["anyOf"].as_array().map(Vec::len),
        Some(2),
        "{}",
        schemas["ScoreRequest"]
    );
    // The Lead schema lists the default model's fields with their JSON types.
    let lead = &schemas["Lead"]["properties"];
    assert_eq!(
        lead.as_object().expect("properties").len(),
        15,
        "{}",
        schemas["Lead"]
    );
    assert_eq!(lead["website_visits"]["type"], json!(["number", "null"]));
    assert_eq!(
        lead["website_visits"]["exclusiveMinimum"].as_f64(),
        Some(-1.0),
        "log1p domain"
    );
    assert!(
        lead["pages_per_visit"].get("exclusiveMinimum").is_none(),
        "not log-transformed"
    );
    assert_eq!(lead["demo_requested"]["type"], json!(["boolean", "null"]));
    assert_eq!(lead["industry"]["type"], json!(["string", "null"]));
    assert!(lead["industry"]["description"]
        .as_str()
        .expect("text")
        .contains("software"));
    // Every $ref points at a schema that exists.
    fn refs(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                if let Some(Value::String(r)) = m.get("$ref") {
                    out.push(r.clone());
                }
                m.values().for_each(|x| refs(x, out));
            }
            Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
            _ => {}
        }
    }
    let mut all = Vec::new();
    refs(&doc, &mut all);
    assert!(!all.is_empty());
    for r in all {
        let name = r.trim_start_matches("#/components/schemas/");
        assert!(schemas.contains_key(name), "dangling $ref {r}");
    }
}

#[tokio::test]
async fn openapi_document_passes_an_independent_validator() {
    let (_, _, doc) = send(&app(), get("/openapi.json")).await;
    let dir = temp_dir();
    let path = write(dir.path(), "openapi.json", &doc.to_string());
    let result = crate::helpers::python_reference("tests/openapi_validate.py", &[path.as_os_str()]);
    assert_eq!(result["valid"], true);
}

fn v2_request(leads: &[Value], fields: &[&str]) -> Value {
    let inputs: Vec<Value> = fields
        .iter()
        .map(|f| {
            let data: Vec<Value> = leads.iter().map(|l| l[*f].clone()).collect();
            let datatype = if data.iter().all(|v| v.is_number() || v.is_null()) {
                "FP64"
            } else {
                "BYTES"
            };
            json!({"name": f, "shape": [leads.len()], "datatype": datatype, "data": data})
        })
        .collect();
    json!({"id": "req-1", "inputs": inputs})
}

const FIELDS: [&str; 15] = [
    "industry",
    "company_size",
    "country",
    "job_level",
    "lead_source",
    "website_visits",
    "pages_per_visit",
    "time_on_site_min",
    "pricing_page_views",
    "email_opens",
    "email_clicks",
    "ebook_downloaded",
    "webinar_attended",
    "demo_requested",
    "contact_form",
];

#[tokio::test]
async fn kserve_v2_infer_matches_v1_scores_bit_for_bit() {
    let app = app();
    let leads = sample_leads(25);
    let (s, _, v2) = send(
        &app,
        post_json("/v2/models/default/infer", &v2_request(&leads, &FIELDS)),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v2}");
    assert_eq!(v2["model_name"], "default");
    assert_eq!(v2["id"], "req-1");
    assert_eq!(
        v2["model_version"],
        file_version(&project_file("models/default.json"))
    );
    let output = |name: &str| item(&v2["outputs"], "name", name);
    assert_eq!(output("probability")["datatype"], "FP64");
    assert_eq!(output("probability")["shape"], json!([25]));
    assert_eq!(output("stage")["datatype"], "BYTES");
    assert_eq!(output("points")["datatype"], "INT64");
    let (_, _, v1) = send(&app, post_json("/v1/score", &json!({"leads": leads}))).await;
    for (k, r) in v1["results"]
        .as_array()
        .expect("results")
        .iter()
        .enumerate()
    {
        let a = r["probability"].as_f64().expect("p");
        let b = output("probability")["data"][k].as_f64().expect("p");
        assert_eq!(a.to_bits(), b.to_bits(), "lead {k}");
        assert_eq!(r["stage"], output("stage")["data"][k]);
    }
    // Only the outputs asked for; nested [N, 1] data is accepted.
    let mut request = v2_request(&leads[..2], &["industry", "website_visits"]);
    request["inputs"][1]["shape"] = json!([2.0, 1]);
    let visits = request["inputs"][1]["data"].clone();
    request["inputs"][1]["data"] = json!([[visits[0]], [visits[1]]]);
    request["outputs"] = json!([{"name": "stage"}]);
    let (s, _, b) = send(&app, post_json("/v2/models/default/infer", &request)).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["outputs"].as_array().expect("outputs").len(), 1);
    assert_eq!(b["outputs"][0]["name"], "stage");

    let (s, _, meta) = send(&app, get("/v2/models/default")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(meta["inputs"].as_array().expect("inputs").len(), 15);
    assert_eq!(meta["versions"][0], v2["model_version"]);
    let (s, _, ready) = send(&app, get("/v2/models/default/ready")).await;
    assert_eq!((s, ready["ready"].as_bool()), (StatusCode::OK, Some(true)));
}

#[tokio::test]
async fn kserve_v2_errors_use_the_error_shape_with_a_string_error() {
    let app = app();
    let leads = sample_leads(3);
    let mut bad_shape = v2_request(&leads, &["industry", "website_visits"]);
    bad_shape["inputs"][1]["shape"] = json!([4]);
    let b = rejected(
        &app,
        post_json("/v2/models/default/infer", &bad_shape),
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_field",
    )
    .await;
    assert_eq!(b["details"][0]["path"], "$.inputs[1].data");
    let mut bad_value = v2_request(&leads, &["industry", "website_visits"]);
    bad_value["inputs"][1]["data"][2] = json!("lots");
    let b = rejected(
        &app,
        post_json("/v2/models/default/infer", &bad_value),
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_field",
    )
    .await;
    assert_eq!(b["details"][0]["path"], "$.inputs[1].data[2]");
    // A huge declared shape is refused before anything is sized by it
    // (regression: schemathesis found an allocation of 1.5 TB aborting the server).
    let mut huge = v2_request(&leads, &["industry"]);
    huge["inputs"][0]["shape"] = json!([194_127_493_738u64]);
    rejected(
        &app,
        post_json("/v2/models/default/infer", &huge),
        StatusCode::PAYLOAD_TOO_LARGE,
        "too_many_leads",
    )
    .await;
    let mut bad_parameters = v2_request(&leads, &["industry"]);
    bad_parameters["parameters"] = json!("fast");
    let b = rejected(
        &app,
        post_json("/v2/models/default/infer", &bad_parameters),
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_field",
    )
    .await;
    assert_eq!(b["details"][0]["path"], "$.parameters", "{b}");
    let mut bad_output = v2_request(&leads, &["industry"]);
    bad_output["outputs"] = json!([{"name": "logits"}]);
    let b = rejected(
        &app,
        post_json("/v2/models/default/infer", &bad_output),
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_field",
    )
    .await;
    assert_eq!(b["details"][0]["path"], "$.outputs[0].name", "{b}");
    let b = rejected(
        &app,
        post_json("/v2/models/default/infer", &json!({"inputs": "x"})),
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_field",
    )
    .await;
    assert_eq!(b["details"][0]["path"], "$.inputs", "{b}");
    rejected(
        &app,
        post_json("/v2/models/nope/infer", &v2_request(&leads, &["industry"])),
        StatusCode::NOT_FOUND,
        "unknown_model",
    )
    .await;
}

#[tokio::test]
async fn bearer_tokens_guard_scoring_and_admin_endpoints() {
    let app = app_with(
        ServerSettings {
            api_token: Some(Token::new("score-secret").expect("token")),
            admin_token: Some(Token::new("admin-secret").expect("token")),
            ..ServerSettings::default()
        }
        .check()
        .expect("valid settings"),
    );
    let lead = &sample_leads(1)[0];
    let with = |mut r: Request<Body>, token: &str| {
        r.headers_mut().insert(
            header::AUTHORIZATION,
            format!("Bearer {token}").parse().expect("header"),
        );
        r
    };
    let (s, h, b) = send(&app, post_json("/v1/score", lead)).await;
    assert_error(s, &b, StatusCode::UNAUTHORIZED, "unauthorized");
    assert_eq!(b["error"], "unauthorized", "401 without details");
    assert_eq!(h[header::WWW_AUTHENTICATE], "Bearer");
    rejected(
        &app,
        with(post_json("/v1/score", lead), "wrong"),
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;
    let (s, _, _) = send(&app, with(post_json("/v1/score", lead), "admin-secret")).await;
    assert_eq!(
        s,
        StatusCode::UNAUTHORIZED,
        "the admin token is not a scoring token"
    );
    let (s, _, b) = send(&app, with(post_json("/v1/score", lead), "score-secret")).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    for path in ["/v1/models", "/v1/models/default", "/v2/models/default"] {
        let (s, _, _) = send(&app, get(path)).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{path}");
    }
    for path in [
        "/healthz",
        "/readyz",
        "/metrics",
        "/openapi.json",
        "/v2/health/ready",
    ] {
        let (s, _, _) = send(&app, get(path)).await;
        assert_eq!(s, StatusCode::OK, "{path} stays open");
    }
    let (s, _, _) = send(&app, reload_request(None)).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, _, _) = send(&app, reload_request(Some("score-secret"))).await;
    assert_eq!(
        s,
        StatusCode::UNAUTHORIZED,
        "the scoring token is not an admin token"
    );
    let (s, _, b) = send(&app, reload_request(Some("admin-secret"))).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["reloaded"], true);

    // Without an admin token the admin endpoint is disabled.
    rejected(
        &self::app(),
        reload_request(None),
        StatusCode::FORBIDDEN,
        "admin_disabled",
    )
    .await;
}

#[tokio::test]
async fn reload_swaps_a_good_model_and_keeps_the_old_one_on_a_bad_file() {
    let dir = temp_dir();
    let original = std::fs::read_to_string(project_file("models/default.json")).expect("model");
    let path = write(dir.path(), "default.json", &original);
    write(
        dir.path(),
        "v3.json",
        &std::fs::read_to_string(project_file("tests/fixtures/model-v3.json")).expect("fixture"),
    );
    let state = AppState::load(
        ModelSource::Dir {
            dir: dir.path().to_path_buf(),
            default: "default".into(),
        },
        ServerSettings {
            admin_token: Some(Token::new("a").expect("token")),
            ..ServerSettings::default()
        }
        .check()
        .expect("valid settings"),
    )
    .expect("loads");
    let app = router(state.clone());
    let lead = &sample_leads(1)[0];
    let (_, _, before) = send(&app, post_json("/v1/score", lead)).await;
    let old_version = before["model"]["version"]
        .as_str()
        .expect("version")
        .to_string();
    let (_, _, list) = send(&app, get("/v1/models")).await;
    assert_eq!(list["models"].as_array().expect("models").len(), 2);

    // A good new file: same weights, stricter cut-offs.
    let mut changed: Value = serde_json::from_str(&original).expect("json");
    changed["cutoffs"] = json!({"mql": 0.5, "sql": 0.9});
    std::fs::write(&path, changed.to_string()).expect("write");
    let (s, _, b) = send(&app, reload_request(Some("a"))).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let new_version = file_version(&path);
    let entry = item(&b["models"], "name", "default");
    assert_eq!(entry["version"], new_version);
    assert_eq!(entry["previous_version"], old_version);
    let (_, _, after) = send(&app, post_json("/v1/score", lead)).await;
    assert_eq!(after["model"]["version"], new_version);
    assert_eq!(after["probability"], before["probability"], "same weights");
    assert_eq!(
        after["stage"], "lead",
        "p < 0.5 is a lead under the new cut-offs"
    );

    // A broken file: the reload fails and the previous model keeps serving.
    std::fs::write(&path, "{\"format_version\": 4, \"truncated\": ").expect("write");
    let b = rejected(
        &app,
        reload_request(Some("a")),
        StatusCode::UNPROCESSABLE_ENTITY,
        "reload_failed",
    )
    .await;
    assert!(
        b["error"].as_str().expect("error").contains("default.json"),
        "{b}"
    );
    let (s, _, still) = send(&app, post_json("/v1/score", lead)).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(still["model"]["version"], new_version);
    // The direct call reports the same.
    assert!(state.reload().await.is_err());
    let (_, _, metrics) = send(&app, get("/metrics")).await;
    let text = metrics.as_str().expect("text");
    assert!(
        text.contains(r#"leadscore_model_reloads_total{outcome="ok"} 1"#),
        "{text}"
    );
    assert!(
        text.contains(r#"leadscore_model_reloads_total{outcome="error"} 2"#),
        "{text}"
    );
}

/// A request body that never finishes.
struct StalledBody;

impl axum::body::HttpBody for StalledBody {
    type Data = axum::body::Bytes;
    type Error = std::convert::Infallible;
    fn poll_frame(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        std::task::Poll::Pending
    }
}

#[tokio::test]
async fn slow_requests_time_out_and_wait_for_a_concurrency_slot() {
    let app = app_with(
        ServerSettings {
            timeout: Duration::from_millis(300),
            max_concurrency: 1,
            ..ServerSettings::default()
        }
        .check()
        .expect("valid settings"),
    );
    let stalled = || {
        Request::post("/v1/score")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::new(StalledBody))
            .expect("request")
    };
    // Alone, a stalled request times out in the error shape.
    rejected(&app, stalled(), StatusCode::SERVICE_UNAVAILABLE, "timeout").await;
    // While it holds the only slot, a second request waits for it: it is
    // answered only once the first has timed out (at 300 ms) and let go.
    let first = tokio::spawn({
        let app = app.clone();
        async move { send(&app, stalled()).await }
    });
    tokio::time::sleep(Duration::from_millis(50)).await;
    // The probes sit outside the limits: they answer at once while the only
    // slot is held (a saturated service is alive and ready, not dead).
    for probe in ["/healthz", "/readyz", "/v2/health/live", "/v2/health/ready"] {
        let started = std::time::Instant::now();
        let (s, _, _) = send(&app, get(probe)).await;
        assert_eq!(s, StatusCode::OK, "{probe}");
        assert!(
            started.elapsed() < Duration::from_millis(100),
            "{probe} waited for the slot: {:?}",
            started.elapsed()
        );
    }
    let waited = std::time::Instant::now();
    let (s, _, _) = send(&app, get("/v1/models")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        waited.elapsed() >= Duration::from_millis(150),
        "the second request did not wait for the slot: {:?}",
        waited.elapsed()
    );
    let (s, _, b) = first.await.expect("joined");
    assert_error(s, &b, StatusCode::SERVICE_UNAVAILABLE, "timeout");
    // Two stalled requests: the queued one times out while waiting.
    let first = tokio::spawn({
        let app = app.clone();
        async move { send(&app, stalled()).await }
    });
    tokio::time::sleep(Duration::from_millis(50)).await;
    let second = tokio::spawn({
        let app = app.clone();
        async move { send(&app, stalled()).await }
    });
    for task in [first, second] {
        let (s, _, b) = task.await.expect("joined");
        assert_error(s, &b, StatusCode::SERVICE_UNAVAILABLE, "timeout");
    }
}

#[test]
fn service_and_batch_scoring_give_bit_identical_probabilities() {
    let dir = temp_dir();
    let text = std::fs::read_to_string(project_file("data/leads.csv")).expect("sample");
    let n = 300;
    let lines: Vec<&str> = text.lines().take(n + 1).collect();
    let input = write(dir.path(), "leads.csv", &(lines.join("\n") + "\n"));
    let out = leadscore(
        dir.path(),
        &[
            "score",
            "--model",
            project_file("models/default.json").to_str().expect("utf-8"),
            "--input",
            input.to_str().expect("utf-8"),
            "--output",
            "scored.csv",
        ],
    );
    assert_ok(&out);
    let scored = std::fs::read_to_string(dir.path().join("scored.csv")).expect("scored");
    let (header, rows) = parse_csv(&scored);
    let p_col = header
        .iter()
        .position(|h| h == "probability")
        .expect("probability");
    let batch: Vec<f64> = rows
        .iter()
        .map(|r| r[p_col].parse().expect("number"))
        .collect();
    assert_eq!(batch.len(), n);

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let leads = sample_leads(n);
    let (s, _, body) = runtime.block_on(send(
        &app_with(ServerConfig::default()),
        post_json("/v1/score", &json!({"leads": leads})),
    ));
    assert_eq!(s, StatusCode::OK);
    let served: Vec<f64> = body["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| r["probability"].as_f64().expect("p"))
        .collect();
    for (k, (a, b)) in batch.iter().zip(&served).enumerate() {
        assert_eq!(
            a.to_bits(),
            b.to_bits(),
            "lead {k}: batch {a} vs service {b}"
        );
    }
    // The leads above were sent with numbers as JSON numbers; numbers sent as
    // text (as some CRMs do) score the same.
    let as_text: Vec<Value> = sample_leads(20)
        .into_iter()
        .map(|mut l| {
            for v in l.as_object_mut().expect("object").values_mut() {
                if let Some(x) = v.as_f64() {
                    *v = json!(x.to_string());
                }
            }
            l
        })
        .collect();
    let (_, _, body) = runtime.block_on(send(
        &app_with(ServerConfig::default()),
        post_json("/v1/score", &json!({"leads": as_text})),
    ));
    for (k, r) in body["results"]
        .as_array()
        .expect("results")
        .iter()
        .enumerate()
    {
        assert_eq!(
            r["probability"].as_f64().map(f64::to_bits),
            Some(batch[k].to_bits())
        );
    }
}

#[tokio::test]
async fn kserve_v2_infer_logs_the_lead_id_and_its_fields_only_when_asked() {
    let dir = temp_dir();
    let leads = sample_leads(10);
    let mut fields: Vec<&str> = FIELDS.to_vec();
    fields.push("lead_id");
    for log_fields in [false, true] {
        let db = dir.path().join(format!("v2-{log_fields}.sqlite"));
        let lifecycle = leadscore::server::lifecycle::LifecycleSettings {
            log: Some(leadscore::log::LogSettings::new(
                leadscore::log::LogTarget::Sqlite(db.clone()),
            )),
            log_id: Some("lead_id".into()),
            log_fields,
            ..Default::default()
        };
        let state = AppState::load_with(
            ModelSource::File(project_file("models/default.json")),
            ServerConfig::default(),
            &lifecycle,
        )
        .expect("loads");
        let app = router(state.clone());
        let (s, _, body) = send(
            &app,
            post_json("/v2/models/default/infer", &v2_request(&leads, &fields)),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{body}");
        state.lifecycle().log().expect("a log").close();
        let connection = rusqlite::Connection::open(&db).expect("open");
        let rows: Vec<(Option<String>, Option<String>)> = connection
            .prepare("SELECT lead_id, fields FROM leadscore_predictions ORDER BY seq")
            .expect("query")
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .expect("rows")
            .map(|r| r.expect("row"))
            .collect();
        assert_eq!(rows.len(), leads.len());
        for ((id, logged), lead) in rows.iter().zip(&leads) {
            assert_eq!(id.as_deref(), lead["lead_id"].as_str());
            match logged {
                Some(text) => {
                    assert!(log_fields, "fields logged without --log-fields");
                    let v: Value = serde_json::from_str(text).expect("json");
                    assert_eq!(v.as_object().expect("object").len(), fields.len());
                    assert_eq!(v["website_visits"], lead["website_visits"]);
                }
                None => assert!(!log_fields, "--log-fields logged no fields"),
            }
        }
    }
}
