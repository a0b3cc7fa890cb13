//! The Open Inference Protocol (KServe V2) adapter, so ML clients that speak
//! it can score leads: inputs are named tensors, one per lead field (shape
//! `[N]` or `[N, 1]`); outputs are `probability` (FP64), `stage` (BYTES) and
//! `points` (INT64). Scoring is the same library call as `/v1/score`.

mod types;

pub use types::*;

use axum::extract::{Path, State};
use axum::Json;
use serde::Deserialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::score::lead::{json_type, score_fields};
use crate::server::error::{ApiError, ErrorBody, ErrorDetail};
use crate::server::extract::JsonBody;
use crate::server::state::AppState;
use crate::server::v1::{find_model, invalid_fields};

/// Output tensors this server produces.
pub const OUTPUTS: [(&str, &str); 3] = [
    ("probability", "FP64"),
    ("stage", "BYTES"),
    ("points", "INT64"),
];

/// The tensor datatypes of the Open Inference Protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum Datatype {
    /// Boolean.
    Bool,
    /// Unsigned 8-bit integer.
    Uint8,
    /// Unsigned 16-bit integer.
    Uint16,
    /// Unsigned 32-bit integer.
    Uint32,
    /// Unsigned 64-bit integer.
    Uint64,
    /// Signed 8-bit integer.
    Int8,
    /// Signed 16-bit integer.
    Int16,
    /// Signed 32-bit integer.
    Int32,
    /// Signed 64-bit integer.
    Int64,
    /// 16-bit float.
    Fp16,
    /// 32-bit float.
    Fp32,
    /// 64-bit float.
    Fp64,
    /// Bytes (text).
    Bytes,
}

/// Server metadata.
#[utoipa::path(get, path = "/v2", tag = "open inference protocol", responses((status = 200, body = ServerMetadata)))]
pub async fn server_metadata() -> Json<ServerMetadata> {
    Json(ServerMetadata {
        name: "leadscore".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        extensions: Vec::new(),
    })
}

/// The server is up.
#[utoipa::path(get, path = "/v2/health/live", operation_id = "v2_live", tag = "open inference protocol", responses((status = 200, body = HealthStatus)))]
pub async fn live() -> Json<HealthStatus> {
    Json(HealthStatus {
        live: Some(true),
        ready: None,
    })
}

/// A model is loaded.
#[utoipa::path(get, path = "/v2/health/ready", operation_id = "v2_ready", tag = "open inference protocol", responses((status = 200, body = HealthStatus)))]
pub async fn ready(State(state): State<AppState>) -> Json<HealthStatus> {
    Json(HealthStatus {
        live: None,
        ready: Some(state.models().get(None).is_some()),
    })
}

/// The model is loaded and can score.
#[utoipa::path(get, path = "/v2/models/{name}/ready", tag = "open inference protocol",
    params(("name" = String, Path, description = "Model name")),
    responses((status = 200, body = HealthStatus), (status = 404, body = ErrorBody)),
    security((), ("bearer" = [])))]
pub async fn model_ready(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<Json<HealthStatus>, ApiError> {
    find_model(&state.models(), Some(&name))?;
    Ok(Json(HealthStatus {
        live: None,
        ready: Some(true),
    }))
}

fn datatype_of(kind: crate::schema::FeatureKind) -> &'static str {
    match json_type(kind) {
        "number" => "FP64",
        "boolean" => "BOOL",
        _ => "BYTES",
    }
}

/// Inputs and outputs of a model.
#[utoipa::path(get, path = "/v2/models/{name}", tag = "open inference protocol",
    params(("name" = String, Path, description = "Model name")),
    responses((status = 200, body = ModelMetadata), (status = 404, body = ErrorBody)),
    security((), ("bearer" = [])))]
pub async fn model_metadata(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<Json<ModelMetadata>, ApiError> {
    let served = find_model(&state.models(), Some(&name))?;
    Ok(Json(ModelMetadata {
        name: served.name.clone(),
        versions: vec![served.version.clone()],
        platform: "leadscore_logistic".into(),
        inputs: served
            .model
            .feature_kinds()
            .map(|(name, kind)| TensorMetadata {
                name: name.to_string(),
                datatype: datatype_of(kind).into(),
                shape: vec![-1],
            })
            .collect(),
        outputs: OUTPUTS
            .iter()
            .map(|(name, datatype)| TensorMetadata {
                name: (*name).into(),
                datatype: (*datatype).into(),
                shape: vec![-1],
            })
            .collect(),
    }))
}

/// Flatten nested row-major data into `out`.
fn flatten<'v>(value: &'v Value, out: &mut Vec<&'v Value>) {
    match value {
        Value::Array(items) => items.iter().for_each(|v| flatten(v, out)),
        other => out.push(other),
    }
}

/// Check one input tensor and return its values, one per lead.
/// `shape` comes from the client: it is checked against the batch limit
/// before anything is sized by it.
fn input_values<'v>(
    j: usize,
    input: &'v InferInput,
    rows: &mut Option<usize>,
    max_batch: usize,
) -> Result<Vec<&'v Value>, ApiError> {
    let at = format!("$.inputs[{j}]");
    let n = match input.shape.as_slice() {
        [n] | [n, 1] if *n >= 0 => *n as usize,
        _ => {
            return Err(ApiError::shape(
                format!("{at}.shape"),
                "[N] or [N, 1] (one value per lead)",
                format!("{:?}", input.shape),
            ))
        }
    };
    if n > max_batch {
        return Err(ApiError::TooManyLeads {
            count: n,
            limit: max_batch,
        });
    }
    let mut values = Vec::with_capacity(n);
    flatten(&input.data, &mut values);
    if values.len() != n {
        return Err(ApiError::shape(
            format!("{at}.data"),
            &format!("{n} values (shape {:?})", input.shape),
            format!("{} values", values.len()),
        ));
    }
    match rows {
        Some(r) if *r != n => {
            return Err(ApiError::shape(
                format!("{at}.shape"),
                &format!("{r} rows like the first input"),
                format!("{n} rows"),
            ))
        }
        _ => *rows = Some(n),
    }
    Ok(values)
}

/// Score leads sent as V2 tensors.
#[utoipa::path(post, path = "/v2/models/{name}/infer", tag = "open inference protocol",
    params(("name" = String, Path, description = "Model name")),
    request_body = InferRequest,
    responses(
        (status = 200, body = InferResponse),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)),
    security((), ("bearer" = [])))]
pub async fn infer(
    State(state): State<AppState>,
    Path(name): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Json<InferResponse>, ApiError> {
    let served = find_model(&state.models(), Some(&name))?;
    let request: InferRequest = serde_path_to_error::deserialize(&body).map_err(|e| {
        let path = e.path().to_string();
        let path = if path == "." {
            "$".to_string()
        } else {
            format!("$.{path}")
        };
        ApiError::InvalidFields {
            message: format!("{path}: {}", e.inner()),
            details: vec![ErrorDetail {
                path,
                expected: None,
                found: None,
                message: e.inner().to_string(),
            }],
        }
    })?;
    let wanted: Vec<OutputName> = match &request.outputs {
        None => OutputName::ALL.to_vec(),
        Some(list) => list.iter().map(|o| o.name).collect(),
    };
    let mut rows = None;
    let max_batch = state.config().max_batch();
    let mut columns = Vec::with_capacity(request.inputs.len());
    for (j, input) in request.inputs.iter().enumerate() {
        if let Some((first, _, _)) = columns.iter().find(|(_, name, _)| *name == input.name) {
            return Err(ApiError::shape(
                format!("$.inputs[{j}].name"),
                &format!(
                    "a name used once (inputs[{first}] is also named '{}')",
                    input.name
                ),
                format!("a second input named '{}'", input.name),
            ));
        }
        let values = input_values(j, input, &mut rows, max_batch)?;
        columns.push((j, input.name.as_str(), values));
    }
    // No inputs, or inputs of shape [0]: an empty batch with empty outputs.
    let n = rows.unwrap_or(0);
    // Each input column by name (features and an age's reference date).
    let model = &served.model;
    let by_name: std::collections::HashMap<&str, usize> = columns
        .iter()
        .enumerate()
        .map(|(k, (_, name, _))| (*name, k))
        .collect();
    let mut results = Vec::with_capacity(n);
    let mut details = Vec::new();
    let logging = state.lifecycle().logging();
    for row in 0..n {
        let lead = score_fields(
            model,
            |name| by_name.get(name).map(|c| columns[*c].2[row]),
            logging,
        );
        match lead {
            Ok(r) => results.push(r),
            Err(problems) => {
                for p in problems {
                    let path = match by_name.get(p.field.as_str()).map(|k| columns[*k].0) {
                        Some(j) => format!("$.inputs[{j}].data[{row}]"),
                        None => format!("$.inputs (no input named '{}')", p.field),
                    };
                    details.push(ErrorDetail {
                        path,
                        expected: Some(p.expected.to_string()),
                        found: Some(p.found),
                        message: format!("{}: {}", p.field, p.message),
                    });
                }
            }
        }
    }
    if !details.is_empty() {
        return Err(invalid_fields(details, n));
    }
    state
        .metrics()
        .count_leads(&served.name, results.iter().map(|r| r.stage));
    // The log takes each lead as an object of the inputs it keeps (the id,
    // or every field with --log-fields), built only when logging.
    let lifecycle = state.lifecycle();
    let logged: Vec<_> = columns
        .iter()
        .filter(|(_, name, _)| lifecycle.logs_field(&served, name))
        .collect();
    let leads: Vec<serde_json::Map<String, Value>> = if logging {
        (0..n)
            .map(|row| {
                logged
                    .iter()
                    .map(|(_, name, values)| (name.to_string(), Value::clone(values[row])))
                    .collect()
            })
            .collect()
    } else {
        Vec::new()
    };
    let keys: Vec<String> = leads.iter().map(|_| lifecycle.key()).collect();
    // V2 outputs carry no reasons: they move into the log.
    lifecycle.observe(
        &served,
        crate::log::Role::Served,
        &keys,
        &mut results,
        true,
        |i| leads.get(i),
    );
    let outputs = wanted
        .into_iter()
        .map(|output| InferOutput {
            name: output.name().to_string(),
            datatype: output.datatype().to_string(),
            shape: vec![n],
            data: results
                .iter()
                .map(|r| match output {
                    OutputName::Probability => Value::from(r.probability),
                    OutputName::Stage => Value::from(r.stage.as_str()),
                    OutputName::Points => Value::from(r.points),
                })
                .collect(),
        })
        .collect();
    Ok(Json(InferResponse {
        model_name: served.name.clone(),
        model_version: served.version.clone(),
        id: request.id,
        outputs,
    }))
}
