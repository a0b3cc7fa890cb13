//! A model as one SQL `SELECT`: the encoder, the linear score, the points
//! and the stages written as expressions over one table, so the engine that
//! holds the leads scores them in one pass (no joins, no UDFs).
//!
//! Every term is computed as leadscore computes it — the same doubles in
//! the same order: median imputation and missing indicators, sentinel
//! indicators, clipping to the training range, `ln(1 + x)`, standardisation,
//! bins, yes/no words, one-hot levels with `other` and `(missing)`, the
//! intercept-first sum of `weight × term`, the sigmoid, the points rounded
//! half away from zero, and the stages from the points cut-offs. A row
//! `leadscore score` would refuse (an unrecognised yes/no word, a blank
//! required field) gets NULL scores instead.

use std::fmt::Write as _;

use super::dialect::Dialect;
use super::reasons;
use super::ExportError;
use crate::encode::{
    BooleanEncoder, CategoricalEncoder, FeatureEncoder, NumericEncoder, MISSING_LEVEL,
};
use crate::io::values::MISSING_TOKENS;
use crate::model::Model;
use crate::points::PointsScale;
use crate::schema::{AgeReference, Transform};

/// Yes/no words leadscore accepts (`parse_bool_word`), lower case.
const YES_WORDS: [&str; 5] = ["yes", "y", "true", "t", "1"];
const NO_WORDS: [&str; 5] = ["no", "n", "false", "f", "0"];
/// Whitespace trimmed from text values, as code points (Rust's `trim` takes
/// all Unicode white space; these are the ones exports hold): space, tab,
/// line feed, carriage return, vertical tab, form feed, no-break space.
const TRIMMED: [u32; 7] = [32, 9, 10, 13, 11, 12, 160];

/// What to export.
#[derive(Debug, Clone)]
pub struct SqlOptions {
    /// Target engine.
    pub dialect: Dialect,
    /// Table (or view) holding the leads; `schema.table` is quoted per part.
    pub table: String,
    /// Column passed through to identify each row.
    pub id: Option<String>,
    /// Wrap the query in `CREATE VIEW name AS`.
    pub view: Option<String>,
    /// Add the top reason labels (`reason_up_1` … `reason_down_3`).
    pub reasons: bool,
}

/// The `SELECT` (or `CREATE VIEW`) that scores every row of the table.
pub fn select(model: &Model, options: &SqlOptions) -> Result<String, ExportError> {
    let d = options.dialect;
    let mut terms = Vec::new();
    let mut refused = Vec::new();
    // Per feature: its contribution in points and its label (for --reasons).
    let mut explained: Vec<(String, String)> = Vec::new();
    if options.reasons && !reasons::explainable(model) {
        return Err(ExportError::NoTermMeans);
    }
    let factor = model
        .points_scale()
        .scorecard()
        .unwrap_or_default()
        .factor();
    let mut k = 0;
    for (encoder, spec) in model
        .encoder()
        .features()
        .iter()
        .zip(&model.schema().features)
    {
        let weights: Vec<f64> = model.coefficients()[k..k + encoder.n_terms()]
            .iter()
            .map(|c| c.weight)
            .collect();
        k += encoder.n_terms();
        let column = d.column(&spec.name);
        // A numeric feature's value: the typed column, or a date's age in days.
        let value = match &spec.age_days {
            Some(age) => {
                let reference = match &age.reference {
                    AgeReference::Column(name) => d.epoch_seconds(&d.column(name)),
                    AgeReference::Fixed(seconds) => d.number(*seconds as f64),
                };
                format!(
                    "(({reference} - {}) / {})",
                    d.epoch_seconds(&column),
                    d.number(86_400.0)
                )
            }
            None => format!("CAST({column} AS {})", d.double()),
        };
        if spec.required {
            refused.push(match encoder {
                FeatureEncoder::Numeric(_) => format!("{value} IS NULL"),
                _ => missing_word(d, &column),
            });
        }
        let first_term = terms.len();
        match encoder {
            FeatureEncoder::Numeric(e) => numeric_terms(d, &value, e, &weights, &mut terms),
            FeatureEncoder::Boolean(e) => {
                boolean_terms(d, &column, e, &weights, &mut terms, &mut refused)
            }
            FeatureEncoder::Categorical(e) => terms.push(categorical_term(d, &column, e, &weights)),
        }
        if options.reasons {
            let own = terms[first_term..].join(" + ");
            let mean = reasons::mean_part(model, k - encoder.n_terms(), encoder);
            let contribution = format!("{} * (({own}) - {})", d.number(factor), d.number(mean));
            let name = &spec.name;
            let label = match encoder {
                FeatureEncoder::Numeric(e) => reasons::numeric_label(
                    d,
                    name,
                    &value,
                    e,
                    spec.age_days.as_ref().map(|a| a.reference.describe()),
                ),
                FeatureEncoder::Boolean(_) => reasons::boolean_label(
                    d,
                    name,
                    &missing_word(d, &column),
                    &format!(
                        "LOWER({}) IN ({})",
                        trimmed(d, &column),
                        list(d, &YES_WORDS)
                    ),
                ),
                FeatureEncoder::Categorical(_) => reasons::categorical_label(
                    d,
                    name,
                    &missing_word(d, &column),
                    &trimmed(d, &column),
                ),
            };
            explained.push((contribution, label));
        }
    }
    let mut z = d.number(model.intercept());
    for term in &terms {
        let _ = write!(z, "\n      + {term}");
    }
    if !refused.is_empty() {
        z = format!(
            "CASE WHEN {} THEN NULL ELSE {z} END",
            refused
                .iter()
                .map(|r| format!("({r})"))
                .collect::<Vec<_>>()
                .join(" OR ")
        );
    }
    let id = options
        .id
        .as_ref()
        .map(|id| format!("{}, ", d.column(id)))
        .unwrap_or_default();
    let one = d.number(1.0);
    let probability = format!(
        "CASE WHEN z >= 0 THEN {one} / ({one} + EXP(-z)) ELSE EXP(z) / ({one} + EXP(z)) END"
    );
    let points = points_expr(d, model.points_scale());
    let cut = model.cutoffs().in_points(&model.points_scale());
    let mut sql = String::new();
    let _ = writeln!(
        sql,
        "-- leadscore model '{}' (format {}, trained {}): {} SQL, one pass over {}.",
        model.name().replace('\n', " "),
        model.format_version(),
        model.trained_at(),
        d.name(),
        options.table.replace('\n', " ")
    );
    if let Some(view) = &options.view {
        let _ = writeln!(sql, "CREATE VIEW {} AS", d.ident(view));
    }
    let reason_names: Vec<String> = if options.reasons {
        ["up", "down"]
            .iter()
            .flat_map(|side| (1..=reasons::TOP).map(move |k| format!("reason_{side}_{k}")))
            .collect()
    } else {
        Vec::new()
    };
    let reasons_out: String = reason_names.iter().map(|n| format!(", {n}")).collect();
    let (inner, scored_extra) = if options.reasons {
        let n = explained.len();
        let columns: String = explained
            .iter()
            .enumerate()
            .map(|(f, (c, l))| format!(",\n        {c} AS c{f},\n        {l} AS l{f}"))
            .collect();
        let passed: String = (0..n).map(|f| format!(", c{f}, l{f}")).collect();
        let ranks = reasons::ranks(n).join(",\n        ");
        let inner = format!(
            "SELECT {id}z{passed},\n        {ranks}\n      FROM (\n        SELECT {id}{z} AS z{columns}\n        FROM {table}\n      ) AS terms",
            table = d.ident(&options.table)
        );
        let extra: String = reasons::reason_columns(n)
            .into_iter()
            .map(|c| format!(",\n      {c}"))
            .collect();
        (inner, extra)
    } else {
        (
            format!(
                "SELECT {id}{z} AS z\n      FROM {}",
                d.ident(&options.table)
            ),
            String::new(),
        )
    };
    let _ = write!(
        sql,
        "SELECT {id}probability,
  CASE WHEN points IS NULL THEN NULL WHEN points >= {sql_cut} THEN 'SQL' WHEN points >= {mql_cut} THEN 'MQL' ELSE 'lead' END AS stage,
  points{reasons_out}
FROM (
  SELECT {id}probability, {points} AS points{reasons_out}
  FROM (
    SELECT {id}{probability} AS probability{scored_extra}
    FROM (
      {inner}
    ) AS log_odds
  ) AS scored
) AS pointed",
        sql_cut = cut.sql,
        mql_cut = cut.mql,
    );
    sql.push_str(";\n");
    Ok(sql)
}

/// The text of a column, trimmed as leadscore trims it.
fn trimmed(d: Dialect, column: &str) -> String {
    let chars = d.characters(&TRIMMED);
    let text = format!("CAST({column} AS {})", d.string());
    match d {
        Dialect::Postgres | Dialect::Spark => format!("TRIM(BOTH {chars} FROM {text})"),
        Dialect::Duckdb | Dialect::Bigquery | Dialect::Snowflake => {
            format!("TRIM({text}, {chars})")
        }
    }
}

/// Whether a text value is missing: NULL, blank, or a placeholder (`N/A` …).
fn missing_word(d: Dialect, column: &str) -> String {
    let t = trimmed(d, column);
    format!(
        "{column} IS NULL OR {t} = '' OR LOWER({t}) IN ({})",
        list(d, &MISSING_TOKENS)
    )
}

fn list(d: Dialect, words: &[&str]) -> String {
    words
        .iter()
        .map(|w| d.text(w))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A numeric feature's terms: the line or the bins, then the missing and
/// sentinel indicators. Numbers must be typed numbers in the table.
fn numeric_terms(
    d: Dialect,
    value: &str,
    e: &NumericEncoder,
    weights: &[f64],
    terms: &mut Vec<String>,
) {
    let value = value.to_string();
    let not_regular = match e.sentinel() {
        Some(s) => format!("{value} IS NULL OR {value} = {}", d.number(s)),
        None => format!("{value} IS NULL"),
    };
    let clipped = match e.range() {
        Some((lo, hi)) => format!(
            "LEAST(GREATEST({value}, {}), {})",
            d.number(lo),
            d.number(hi)
        ),
        None => value.clone(),
    };
    let raw = format!(
        "(CASE WHEN {not_regular} THEN {} ELSE {clipped} END)",
        d.number(e.median())
    );
    let mut k = 0;
    match e.bins() {
        Some(bins) => {
            let mut case = String::from("(CASE");
            for (j, edge) in bins.edges().iter().enumerate() {
                let _ = write!(
                    case,
                    " WHEN {raw} < {} THEN {}",
                    d.number(*edge),
                    d.number(weights[j])
                );
            }
            let _ = write!(case, " ELSE {} END)", d.number(weights[bins.len() - 1]));
            terms.push(case);
            k += bins.len();
        }
        None => {
            let transformed = match e.transform() {
                Transform::Log1p => format!("LN({} + {raw})", d.number(1.0)),
                _ => raw.clone(),
            };
            terms.push(format!(
                "{} * (({transformed} - {}) / {})",
                d.number(weights[0]),
                d.number(e.mean()),
                d.number(e.scale())
            ));
            k += 1;
        }
    }
    if e.missing_indicator() {
        terms.push(format!(
            "(CASE WHEN {value} IS NULL THEN {} ELSE {} END)",
            d.number(weights[k]),
            d.number(0.0)
        ));
        k += 1;
    }
    if let Some(s) = e.sentinel() {
        terms.push(format!(
            "(CASE WHEN {value} = {} THEN {} ELSE {} END)",
            d.number(s),
            d.number(weights[k]),
            d.number(0.0)
        ));
    }
}

/// A yes/no feature's terms; a word leadscore does not accept refuses the row.
fn boolean_terms(
    d: Dialect,
    column: &str,
    e: &BooleanEncoder,
    weights: &[f64],
    terms: &mut Vec<String>,
    refused: &mut Vec<String>,
) {
    let word = format!("LOWER({})", trimmed(d, column));
    let missing = missing_word(d, column);
    let yes = format!("{word} IN ({})", list(d, &YES_WORDS));
    let no = format!("{word} IN ({})", list(d, &NO_WORDS));
    terms.push(format!(
        "(CASE WHEN {missing} THEN {zero} WHEN {yes} THEN {} ELSE {zero} END)",
        d.number(weights[0]),
        zero = d.number(0.0)
    ));
    if e.missing_indicator() {
        terms.push(format!(
            "(CASE WHEN {missing} THEN {} ELSE {} END)",
            d.number(weights[1]),
            d.number(0.0)
        ));
    }
    refused.push(format!("NOT ({missing}) AND NOT ({yes}) AND NOT ({no})"));
}

/// A categorical feature's term: the weight of its level, `(missing)` for
/// blanks when training kept that level, `other` for the rest.
fn categorical_term(d: Dialect, column: &str, e: &CategoricalEncoder, weights: &[f64]) -> String {
    let other = weights[e.levels().len()];
    let missing_weight = e
        .levels()
        .iter()
        .position(|l| l == MISSING_LEVEL)
        .map_or(other, |i| weights[i]);
    let level = trimmed(d, column);
    let mut case = format!(
        "(CASE WHEN {} THEN {}",
        missing_word(d, column),
        d.number(missing_weight)
    );
    for (i, l) in e.levels().iter().enumerate() {
        let _ = write!(
            case,
            " WHEN {level} = {} THEN {}",
            d.text(l),
            d.number(weights[i])
        );
    }
    let _ = write!(case, " ELSE {} END)", d.number(other));
    case
}

/// Points from `probability`, rounded half away from zero as leadscore rounds.
fn points_expr(d: Dialect, scale: PointsScale) -> String {
    let x = match scale {
        PointsScale::ProbabilityTimes100 => format!("{} * probability", d.number(100.0)),
        PointsScale::Scorecard(s) => {
            let q = format!(
                "LEAST(GREATEST(probability, {}), {})",
                d.number(1e-15),
                d.number(1.0 - 1e-15)
            );
            format!(
                "({} + {} * LN({q} / ({} - {q})))",
                d.number(s.offset()),
                d.number(s.factor()),
                d.number(1.0)
            )
        }
    };
    let a = format!("ABS({x})");
    format!(
        "CAST(SIGN({x}) * (CASE WHEN {a} - FLOOR({a}) >= {half} THEN FLOOR({a}) + {one} ELSE FLOOR({a}) END) AS BIGINT)",
        half = d.number(0.5),
        one = d.number(1.0)
    )
}
