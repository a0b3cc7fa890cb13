//! Service bodies that are not what they claim: an object where the batch
//! array belongs, field names the model does not know, repeated V2 inputs,
//! values far outside the training range, huge values quoted in warnings.

use axum::http::StatusCode;
use leadscore::server::ServerConfig;
use serde_json::{json, Value};

use crate::service::{app_with, post_json, sample_leads, send};

fn warnings_with<'a>(result: &'a Value, code: &str) -> Vec<&'a Value> {
    result["warnings"]
        .as_array()
        .expect("warnings")
        .iter()
        .filter(|w| w["code"] == code)
        .collect()
}

#[tokio::test]
async fn an_object_where_the_batch_array_belongs_is_422() {
    let app = app_with(ServerConfig::default());
    let lead = sample_leads(1).remove(0);
    let (status, _, body) = send(&app, post_json("/v1/score", &json!({"leads": lead}))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["code"], "invalid_field");
    assert_eq!(body["details"][0]["path"], "$.leads");
    assert_eq!(body["details"][0]["expected"], "an array of lead objects");
    assert_eq!(body["details"][0]["found"], "object");
}

#[tokio::test]
async fn unknown_fields_are_warned_about_with_the_closest_known_name() {
    let app = app_with(ServerConfig::default());
    let mut lead = sample_leads(1).remove(0);
    let visits = lead["website_visits"].clone();
    let map = lead.as_object_mut().expect("object");
    map.remove("website_visits");
    map.insert("Website_Visits".into(), visits.clone());
    // Full-width letters, as some input methods type them.
    map.insert("ｅｍａｉｌ＿ｏｐｅｎｓ".into(), json!(3));
    map.insert("favourite_colour".into(), json!("teal"));
    let (status, _, body) = send(&app, post_json("/v1/score", &lead)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let unknown = warnings_with(&body, "unknown_field");
    assert_eq!(unknown.len(), 3, "{body}");
    let by_field = |f: &str| {
        unknown
            .iter()
            .find(|w| w["field"] == f)
            .unwrap_or_else(|| panic!("no warning for {f}: {body}"))["message"]
            .as_str()
            .expect("message")
            .to_string()
    };
    assert!(by_field("Website_Visits").contains("did you mean 'website_visits'?"));
    assert!(by_field("ｅｍａｉｌ＿ｏｐｅｎｓ").contains("did you mean 'email_opens'?"));
    assert!(by_field("favourite_colour").contains("it is ignored"));
    // The misspelt field was not used: website_visits was imputed.
    assert!(
        warnings_with(&body, "imputed")
            .iter()
            .any(|w| w["field"] == "website_visits"),
        "{body}"
    );
    // Columns of the training data that are not features (id, label, excluded) are known.
    let plain = sample_leads(1).remove(0);
    let (_, _, body) = send(&app, post_json("/v1/score", &plain)).await;
    assert!(warnings_with(&body, "unknown_field").is_empty(), "{body}");
}

#[tokio::test]
async fn two_v2_inputs_with_one_name_are_422() {
    let app = app_with(ServerConfig::default());
    let request = json!({"inputs": [
        {"name": "website_visits", "shape": [1], "datatype": "FP64", "data": [3]},
        {"name": "industry", "shape": [1], "datatype": "BYTES", "data": ["software"]},
        {"name": "website_visits", "shape": [1], "datatype": "FP64", "data": [40]}
    ]});
    let (status, _, body) = send(&app, post_json("/v2/models/default/infer", &request)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["details"][0]["path"], "$.inputs[2].name");
    assert!(
        body["error"].as_str().expect("error").contains("inputs[0]"),
        "{body}"
    );
}

#[tokio::test]
async fn values_far_outside_the_training_range_are_clipped_and_warned_about() {
    let app = app_with(ServerConfig::default());
    let lead = sample_leads(1).remove(0);
    let mut far = lead.clone();
    far["pages_per_visit"] = json!(1e15);
    far["website_visits"] = json!(1e308);
    far["email_opens"] = json!(-40);
    let (status, _, body) = send(&app, post_json("/v1/score", &far)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let p = body["probability"].as_f64().expect("p");
    assert!(p > 0.0 && p < 1.0, "{body}");
    let fields: Vec<&str> = warnings_with(&body, "out_of_range")
        .iter()
        .map(|w| w["field"].as_str().expect("field"))
        .collect();
    assert_eq!(fields.len(), 3, "{body}");
    for f in ["pages_per_visit", "website_visits", "email_opens"] {
        assert!(fields.contains(&f), "{f}: {body}");
    }
    // Clipped: the same score as the training range's ends.
    let model: Value = serde_json::from_str(
        &std::fs::read_to_string(crate::helpers::project_file("models/default.json"))
            .expect("model"),
    )
    .expect("json");
    let range = |name: &str| {
        model["encoder"]["features"]
            .as_array()
            .expect("features")
            .iter()
            .find(|f| f["name"] == name)
            .map(|f| f["range"].clone())
            .expect("range")
    };
    let mut ends = lead.clone();
    ends["pages_per_visit"] = range("pages_per_visit")[1].clone();
    ends["website_visits"] = range("website_visits")[1].clone();
    ends["email_opens"] = range("email_opens")[0].clone();
    let (_, _, at_ends) = send(&app, post_json("/v1/score", &ends)).await;
    assert_eq!(at_ends["probability"], body["probability"], "{at_ends}");
    assert!(warnings_with(&at_ends, "out_of_range").is_empty());
}

#[tokio::test]
async fn a_huge_value_is_cut_short_in_messages() {
    let app = app_with(ServerConfig::default());
    let mut lead = sample_leads(1).remove(0);
    // Just under the default body limit of 1 MiB.
    lead["industry"] = json!("x".repeat(1_000_000));
    let (status, _, body) = send(&app, post_json("/v1/score", &lead)).await;
    assert_eq!(status, StatusCode::OK, "{body:.200}");
    let text = body.to_string();
    assert!(text.len() < 10_000, "response of {} bytes", text.len());
    let unseen = warnings_with(&body, "unseen_category");
    assert!(
        unseen[0]["message"]
            .as_str()
            .expect("message")
            .contains("(1000000 bytes)"),
        "{}",
        unseen[0]
    );
}
