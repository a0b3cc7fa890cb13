//! Funnel stages: the MQL and SQL probability cut-offs and the mapping from a
//! conversion probability to `lead`, `MQL` or `SQL`.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Fallback MQL cut-off, used when the default policies cannot be resolved
/// (e.g. a holdout with one class): a lead at least 1.5× as likely to convert
/// as a typical B2B base rate of ~10% is worth marketing's nurture effort.
pub const DEFAULT_MQL: f64 = 0.15;
/// Fallback SQL cut-off: a lead that converts one time in three is worth a
/// sales call.
pub const DEFAULT_SQL: f64 = 0.35;

/// A funnel stage.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    PartialOrd,
    Ord,
    utoipa::ToSchema,
)]
pub enum Stage {
    /// Below the MQL cut-off.
    #[serde(rename = "lead")]
    Lead,
    /// Marketing-qualified.
    #[serde(rename = "MQL")]
    Mql,
    /// Sales-qualified.
    #[serde(rename = "SQL")]
    Sql,
}

impl Stage {
    /// All stages, lowest first.
    pub const ALL: [Stage; 3] = [Stage::Lead, Stage::Mql, Stage::Sql];

    /// The label used in files and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Lead => "lead",
            Stage::Mql => "MQL",
            Stage::Sql => "SQL",
        }
    }
}

impl std::fmt::Display for Stage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The MQL and SQL probability cut-offs; `0 < mql <= sql < 1` always holds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawCutoffs")]
pub struct Cutoffs {
    mql: f64,
    sql: f64,
}

#[derive(Deserialize)]
struct RawCutoffs {
    mql: f64,
    sql: f64,
}

impl TryFrom<RawCutoffs> for Cutoffs {
    type Error = Error;
    fn try_from(raw: RawCutoffs) -> Result<Self> {
        Cutoffs::new(raw.mql, raw.sql)
    }
}

impl Default for Cutoffs {
    fn default() -> Self {
        Cutoffs {
            mql: DEFAULT_MQL,
            sql: DEFAULT_SQL,
        }
    }
}

impl Cutoffs {
    /// Checked constructor: both strictly between 0 and 1, MQL not above SQL.
    pub fn new(mql: f64, sql: f64) -> Result<Self> {
        for (name, p) in [("mql", mql), ("sql", sql)] {
            if !(p > 0.0 && p < 1.0) {
                return Err(Error::InvalidArgument {
                    name: name.into(),
                    message: format!("{p} is not a probability strictly between 0 and 1"),
                });
            }
        }
        if mql > sql {
            return Err(Error::InvalidArgument {
                name: "sql".into(),
                message: format!(
                    "SQL cut-off {sql} is below the MQL cut-off {mql}; SQL must be at least MQL"
                ),
            });
        }
        Ok(Cutoffs { mql, sql })
    }

    /// MQL cut-off.
    pub fn mql(&self) -> f64 {
        self.mql
    }

    /// SQL cut-off.
    pub fn sql(&self) -> f64 {
        self.sql
    }

    /// The stage of a probability: SQL if p ≥ sql, MQL if p ≥ mql, else lead.
    pub fn stage(&self, probability: f64) -> Stage {
        if probability >= self.sql {
            Stage::Sql
        } else if probability >= self.mql {
            Stage::Mql
        } else {
            Stage::Lead
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_include_their_cut_off() {
        let c = Cutoffs::new(0.2, 0.5).expect("valid");
        assert_eq!(c.stage(0.1999), Stage::Lead);
        assert_eq!(c.stage(0.2), Stage::Mql);
        assert_eq!(c.stage(0.4999), Stage::Mql);
        assert_eq!(c.stage(0.5), Stage::Sql);
    }

    #[test]
    fn rejects_out_of_range_and_inverted_cut_offs() {
        assert!(Cutoffs::new(0.0, 0.5).is_err());
        assert!(Cutoffs::new(0.2, 1.0).is_err());
        assert!(Cutoffs::new(f64::NAN, 0.5).is_err());
        assert!(Cutoffs::new(0.6, 0.5).is_err());
        assert!(serde_json::from_str::<Cutoffs>(r#"{"mql":0.6,"sql":0.5}"#).is_err());
    }
}
