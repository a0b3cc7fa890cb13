//! The Open Inference Protocol's messages: metadata, health, infer requests
//! and responses, as serde and OpenAPI types.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::{Datatype, OUTPUTS};

/// A tensor's name, type and shape (`-1`: any length).
#[derive(Debug, Serialize, ToSchema)]
pub struct TensorMetadata {
    /// Tensor name (for inputs: the lead field).
    pub name: String,
    /// V2 datatype.
    pub datatype: String,
    /// Shape; `-1` is the batch dimension.
    pub shape: Vec<i64>,
}

/// `GET /v2/models/{name}` body.
#[derive(Debug, Serialize, ToSchema)]
pub struct ModelMetadata {
    /// Model name.
    pub name: String,
    /// Served version (one).
    pub versions: Vec<String>,
    /// Platform.
    pub platform: String,
    /// One input per lead field.
    pub inputs: Vec<TensorMetadata>,
    /// probability, stage, points.
    pub outputs: Vec<TensorMetadata>,
}

/// `GET /v2` body.
#[derive(Debug, Serialize, ToSchema)]
pub struct ServerMetadata {
    /// Server name.
    pub name: String,
    /// Server version.
    pub version: String,
    /// Protocol extensions supported (none).
    pub extensions: Vec<String>,
}

/// Liveness / readiness body.
#[derive(Debug, Serialize, ToSchema)]
pub struct HealthStatus {
    /// Live (for `/v2/health/live`) or ready.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub live: Option<bool>,
    /// Ready (for `/v2/health/ready` and `/v2/models/{name}/ready`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ready: Option<bool>,
}

/// One input tensor of an inference request.
#[derive(Debug, Deserialize, ToSchema)]
pub struct InferInput {
    /// The lead field it carries.
    pub name: String,
    /// `[N]` or `[N, 1]`.
    #[serde(deserialize_with = "whole_numbers")]
    #[schema(min_items = 1, max_items = 2)]
    pub shape: Vec<i64>,
    /// V2 datatype (`BYTES` for text, `FP64`, `INT64`, `BOOL`, ...); the
    /// values themselves are checked against the field's kind.
    pub datatype: Datatype,
    /// Values, flat or nested, row-major; `null` is a missing value.
    #[schema(value_type = Vec<Object>)]
    pub data: Value,
    /// Ignored.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub parameters: Option<serde_json::Map<String, Value>>,
}

/// Whole numbers, also when written as `4.0` (JSON Schema's `integer` allows it).
fn whole_numbers<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<i64>, D::Error> {
    use serde::de::Error;
    Vec::<f64>::deserialize(d)?
        .into_iter()
        .map(|x| {
            if x.fract() == 0.0 && x.abs() < 9.0e18 {
                Ok(x as i64)
            } else {
                Err(D::Error::custom(format!("{x} is not a whole number")))
            }
        })
        .collect()
}

/// The outputs this server produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum OutputName {
    /// Probability of converting (FP64).
    Probability,
    /// Funnel stage: lead, MQL or SQL (BYTES).
    Stage,
    /// Points on the model's scale (INT64).
    Points,
}

impl OutputName {
    pub(super) const ALL: [OutputName; 3] = [
        OutputName::Probability,
        OutputName::Stage,
        OutputName::Points,
    ];

    pub(super) fn name(self) -> &'static str {
        OUTPUTS[self as usize].0
    }

    pub(super) fn datatype(self) -> &'static str {
        OUTPUTS[self as usize].1
    }
}

/// An output asked for by name.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RequestedOutput {
    /// `probability`, `stage` or `points`.
    pub name: OutputName,
}

/// `POST /v2/models/{name}/infer` body.
#[derive(Debug, Deserialize, ToSchema)]
pub struct InferRequest {
    /// Echoed in the response.
    #[serde(default)]
    pub id: Option<String>,
    /// Ignored.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub parameters: Option<serde_json::Map<String, Value>>,
    /// One tensor per lead field; fields not sent are imputed (unless required).
    pub inputs: Vec<InferInput>,
    /// Outputs wanted (default: all three).
    #[serde(default)]
    pub outputs: Option<Vec<RequestedOutput>>,
}

/// One output tensor.
#[derive(Debug, Serialize, ToSchema)]
pub struct InferOutput {
    /// `probability`, `stage` or `points`.
    pub name: String,
    /// Its V2 datatype.
    pub datatype: String,
    /// `[N]`.
    pub shape: Vec<usize>,
    /// The values.
    #[schema(value_type = Vec<Object>)]
    pub data: Vec<Value>,
}

/// `POST /v2/models/{name}/infer` response.
#[derive(Debug, Serialize, ToSchema)]
pub struct InferResponse {
    /// Model name.
    pub model_name: String,
    /// Model version (file SHA-256 prefix).
    pub model_version: String,
    /// The request's id, if it had one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The outputs.
    pub outputs: Vec<InferOutput>,
}
