//! One lead given as named JSON fields (the service's shape of input): how a
//! JSON value becomes a raw value for each kind of feature, and the full
//! scoring result — probability, stage, points, reasons, warnings — computed
//! by the same [`Model::encode_lead`] and [`Model::score_terms`] as batch
//! scoring, so a lead gets a bit-identical probability either way.
//!
//! Accepted JSON per feature kind (anything else is a [`FieldProblem`]):
//! - numeric: a number, or a string holding one (CRMs often send numbers as
//!   text); `null`, `""` or an absent field is missing;
//! - yes/no: `true`/`false`, `0`/`1`, or a yes/no word (`"yes"`, `"no"`, `"true"` …);
//! - categorical: a string (numbers and booleans are matched by their text);
//! - a date scored as its age in days (`age_days`): a date string, with the
//!   reference date field (the model's date column) beside it when the model
//!   counts to the lead's own date.

use serde::Serialize;
use serde_json::Value;

use crate::encode::age::{age_of, AgeError};
use crate::encode::{EncodeError, EncodeNote, FeatureEncoder, RawValue, OTHER_LEVEL};
use std::collections::HashSet;

use crate::io::values::{clean_text, quoted};
use crate::model::stages::Stage;
use crate::model::Model;
use crate::schema::{AgeDays, AgeReference, FeatureKind};
use crate::score::reasons::{top_reasons, Reason};

/// The JSON type a feature of `kind` expects, as named in errors and in the
/// model description.
pub fn json_type(kind: FeatureKind) -> &'static str {
    match kind {
        FeatureKind::Numeric => "number",
        FeatureKind::Boolean => "boolean",
        FeatureKind::Categorical => "string",
    }
}

/// Why one field of a lead cannot be scored.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct FieldProblem {
    /// The field (feature) name.
    pub field: String,
    /// The JSON type the model expects for it.
    pub expected: &'static str,
    /// What was found, e.g. `string "many"` or `object`.
    pub found: String,
    /// The problem in words.
    pub message: String,
}

/// What a warning is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WarningCode {
    /// The field was absent or null and was imputed as in training.
    Imputed,
    /// A category the model never saw in training; scored as `other`.
    UnseenCategory,
    /// A number far outside the training range; scored as the nearest end of it.
    OutOfRange,
    /// A field that is no column of the training data (ignored); the message
    /// suggests the closest field name the model knows.
    UnknownField,
}

/// Something the caller should know about how a lead was scored.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct LeadWarning {
    /// The field concerned.
    pub field: String,
    /// What kind of warning.
    pub code: WarningCode,
    /// The warning in words.
    pub message: String,
}

/// The largest contributions up and down, in points relative to an average
/// training lead.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Reasons {
    /// Points of an average training lead.
    pub base_points: f64,
    /// Contributions that raise the score, largest first.
    pub up: Vec<Reason>,
    /// Contributions that lower the score, most negative first.
    pub down: Vec<Reason>,
}

/// The score of one lead with everything a caller needs to act on it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ScoredLead {
    /// Probability of becoming a paying customer.
    pub probability: f64,
    /// Funnel stage from the model's MQL/SQL cut-offs.
    pub stage: Stage,
    /// Points on the model's points scale.
    pub points: i64,
    /// Why: the top factors up and down (`null` for models trained before
    /// format version 3, which lack the training means reasons need).
    pub reasons: Option<Reasons>,
    /// Imputed fields and unseen categories.
    pub warnings: Vec<LeadWarning>,
}

/// Describe a JSON value for an error message, e.g. `string "many"` or `object`.
pub fn describe_json(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("boolean {b}"),
        Value::Number(n) => format!("number {n}"),
        Value::String(s) if s.chars().count() > 40 => {
            format!("string \"{}…\"", s.chars().take(40).collect::<String>())
        }
        Value::String(s) => format!("string \"{s}\""),
        Value::Array(_) => "array".into(),
        Value::Object(_) => "object".into(),
    }
}

/// Turn a JSON value into the raw value a feature of `kind` encodes, or say
/// why it cannot be one. Only the JSON type is checked here; whether a string
/// holds a number or a yes/no word is the encoder's job.
pub fn raw_value(kind: FeatureKind, value: Option<&Value>) -> Result<RawValue<'_>, String> {
    let Some(value) = value else {
        return Ok(RawValue::Missing);
    };
    let raw = match (kind, value) {
        (_, Value::Null) => RawValue::Missing,
        (_, Value::String(s)) => clean_text(Some(s)).map_or(RawValue::Missing, RawValue::Text),
        (_, Value::Number(n)) => RawValue::Number(n.as_f64().ok_or("a number out of range")?),
        (FeatureKind::Numeric, Value::Bool(_)) => return Err(describe_json(value)),
        (_, Value::Bool(b)) => RawValue::Bool(*b),
        (_, Value::Array(_) | Value::Object(_)) => return Err(describe_json(value)),
    };
    Ok(raw)
}

/// A date field (and its reference) as an age in days; `None` when blank.
fn age_value(
    age: &AgeDays,
    name: &str,
    json: Option<&Value>,
    reference: Option<(&str, Option<&Value>)>,
) -> Result<Option<f64>, FieldProblem> {
    let text = |field: &str, value: Option<&Value>| -> Result<Option<String>, FieldProblem> {
        match value {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(FieldProblem {
                field: field.to_string(),
                expected: "string",
                found: describe_json(other),
                message: format!("expected a date string, found {}", describe_json(other)),
            }),
        }
    };
    let date = text(name, json)?;
    let (reference_name, reference) = match reference {
        Some((field, value)) => (field, text(field, value)?),
        None => ("", None),
    };
    age_of(age, date.as_deref(), reference.as_deref()).map_err(|e| {
        let (field, value) = match &e {
            AgeError::BadDate(v) => (name, v.clone()),
            AgeError::BadReference { value, .. } => (reference_name, value.clone()),
        };
        FieldProblem {
            field: field.to_string(),
            expected: "string",
            found: format!("string \"{}\"", quoted(&value)),
            message: format!("expected a date: {e}"),
        }
    })
}

/// Score one lead whose field values are given by name: `field(name)`
/// returns the JSON value of that field, `None` if absent.
/// `with_reasons` adds the top factors when the model can explain itself.
/// Every problem is reported (not only the first), each naming its field.
pub fn score_fields<'v>(
    model: &Model,
    mut field: impl FnMut(&str) -> Option<&'v Value>,
    with_reasons: bool,
) -> Result<ScoredLead, Vec<FieldProblem>> {
    let features = model.encoder().features();
    let specs = &model.schema().features;
    let mut values = Vec::with_capacity(features.len());
    let mut problems = Vec::new();
    for (feature, spec) in features.iter().zip(specs) {
        let json = field(feature.name());
        if let Some(age) = &spec.age_days {
            let reference = match &age.reference {
                AgeReference::Column(name) => Some((name.as_str(), field(name))),
                AgeReference::Fixed(_) => None,
            };
            match age_value(age, feature.name(), json, reference) {
                Ok(v) => values.push(v.map_or(RawValue::Missing, RawValue::Number)),
                Err(problem) => {
                    problems.push(problem);
                    values.push(RawValue::Missing);
                }
            }
            continue;
        }
        match raw_value(feature.kind(), json) {
            Ok(raw) => values.push(raw),
            Err(found) => {
                problems.push(FieldProblem {
                    field: feature.name().to_string(),
                    expected: json_type(feature.kind()),
                    message: format!("expected a {}, found {found}", json_type(feature.kind())),
                    found,
                });
                values.push(RawValue::Missing);
            }
        }
    }
    let mut terms = vec![0.0; model.n_terms()];
    let mut notes = Vec::new();
    let encoded = problems.is_empty()
        && model
            .encode_lead(|i| values[i], &mut terms, |i, n| notes.push((i, n)))
            .is_ok();
    if !encoded {
        for (i, error) in model.lead_errors(|i| values[i]) {
            let name = features[i].name();
            if problems.iter().all(|p| p.field != name) {
                let found = field(name).map_or("nothing".into(), describe_json);
                problems.push(encode_problem(&features[i], error, found));
            }
        }
        problems.sort_by_key(|p| features.iter().position(|f| f.name() == p.field));
        return Err(problems);
    }
    let score = model.score_terms(&terms);
    let warnings = notes
        .into_iter()
        .map(|(i, note)| warning(&features[i], note, values[i]))
        .collect();
    let scale = model.points_scale().scorecard().unwrap_or_default();
    let reasons = if with_reasons {
        top_reasons(model, &values, &terms, &scale)
            .ok()
            .map(|(base_points, up, down)| Reasons {
                base_points,
                up,
                down,
            })
    } else {
        None
    };
    Ok(ScoredLead {
        probability: score.probability,
        stage: score.stage,
        points: score.points,
        reasons,
        warnings,
    })
}

fn encode_problem(feature: &FeatureEncoder, error: EncodeError, found: String) -> FieldProblem {
    let expected = json_type(feature.kind());
    let message = match &error {
        EncodeError::Required => "the model requires this field; it was absent or null".into(),
        other => other.to_string(),
    };
    FieldProblem {
        field: feature.name().to_string(),
        expected,
        found,
        message,
    }
}

/// The field names a model knows: its features and every other column of its
/// training data (id, date, label, excluded columns), which callers may send
/// along without a warning. Built once per loaded model.
#[derive(Debug, Clone, Default)]
pub struct KnownFields {
    names: HashSet<String>,
    features: Vec<String>,
}

impl KnownFields {
    /// The names `model` knows.
    pub fn of(model: &Model) -> KnownFields {
        let schema = model.schema();
        let features: Vec<String> = schema.feature_names().map(str::to_string).collect();
        let mut names: HashSet<String> = features.iter().cloned().collect();
        names.insert(schema.label.clone());
        names.extend(schema.id.iter().cloned());
        names.extend(schema.date.iter().cloned());
        names.extend(schema.excluded.iter().map(|e| e.column.clone()));
        KnownFields { names, features }
    }

    /// Whether `name` is a column of the training data.
    pub fn contains(&self, name: &str) -> bool {
        self.names.contains(name)
    }

    /// An `unknown_field` warning for every name that is no column of the
    /// training data, with the closest feature name when one is close.
    pub fn warnings<'a>(&self, names: impl IntoIterator<Item = &'a str>) -> Vec<LeadWarning> {
        names
            .into_iter()
            .filter(|n| !self.contains(n))
            .map(|name| {
                let hint = match self.closest(name) {
                    Some(known) => format!("; did you mean '{known}'?"),
                    None => "; it is ignored".to_string(),
                };
                LeadWarning {
                    field: crate::io::values::shortened(name),
                    code: WarningCode::UnknownField,
                    message: format!("{} is not a field of this model{hint}", quoted(name)),
                }
            })
            .collect()
    }

    /// The feature whose name is nearest to `name` (case, full-width letters
    /// and separators aside), if it is within a third of the name's length.
    fn closest(&self, name: &str) -> Option<&str> {
        let wanted = fold_name(name);
        self.features
            .iter()
            .map(|f| (strsim::levenshtein(&wanted, &fold_name(f)), f))
            .filter(|(d, f)| *d * 3 <= f.chars().count().max(3))
            .min_by_key(|(d, _)| *d)
            .map(|(_, f)| f.as_str())
    }
}

/// A field name for matching: full-width forms to ASCII, lower case, with
/// spaces, dashes and dots as underscores.
fn fold_name(name: &str) -> String {
    name.trim()
        .chars()
        .map(|c| match c as u32 {
            0xFF01..=0xFF5E => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            0x3000 => ' ',
            _ => c,
        })
        .map(|c| match c {
            ' ' | '-' | '.' => '_',
            c => c.to_ascii_lowercase(),
        })
        .flat_map(char::to_lowercase)
        .collect()
}

fn shown(value: RawValue<'_>) -> String {
    match value {
        RawValue::Text(t) => t.to_string(),
        RawValue::Number(v) => v.to_string(),
        RawValue::Bool(b) => b.to_string(),
        RawValue::Missing => String::new(),
    }
}

fn warning(feature: &FeatureEncoder, note: EncodeNote, value: RawValue<'_>) -> LeadWarning {
    let field = feature.name().to_string();
    match note {
        EncodeNote::Imputed => {
            let how = match feature {
                FeatureEncoder::Numeric(e) => {
                    format!("imputed with the training median {}", e.median())
                }
                FeatureEncoder::Boolean(_) => "scored as in training for a missing yes/no".into(),
                FeatureEncoder::Categorical(_) => {
                    "scored as in training for a missing category".into()
                }
            };
            LeadWarning {
                field,
                code: WarningCode::Imputed,
                message: format!("absent or empty; {how}"),
            }
        }
        EncodeNote::UnseenLevel => LeadWarning {
            field,
            code: WarningCode::UnseenCategory,
            message: format!(
                "{} was not seen in training; scored as '{OTHER_LEVEL}'",
                quoted(&shown(value))
            ),
        },
        EncodeNote::OutOfRange => {
            let range = match feature {
                FeatureEncoder::Numeric(e) => e.range(),
                _ => None,
            };
            let (lo, hi) = range.unwrap_or((f64::NAN, f64::NAN));
            LeadWarning {
                field,
                code: WarningCode::OutOfRange,
                message: format!(
                    "{} is far outside the training range {lo} to {hi}; scored as {}",
                    shown(value),
                    if matches!(value, RawValue::Number(v) if v < lo) {
                        lo
                    } else {
                        hi
                    }
                ),
            }
        }
    }
}
