//! Funnel stages: the MQL and SQL probability cut-offs and the mapping from a
//! conversion probability to `lead`, `MQL` or `SQL`.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::points::PointsScale;

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

    /// The cut-offs in points on `scale`: the points of each cut-off
    /// probability. Stages follow from points alone (see [`PointCutoffs`]).
    pub fn in_points(&self, scale: &PointsScale) -> PointCutoffs {
        PointCutoffs {
            mql: scale.points(self.mql),
            sql: scale.points(self.sql),
        }
    }

    /// Each cut-off moved onto a points boundary on `scale` (never by a whole
    /// point), so that `p >= cut-off` holds exactly for the leads whose points
    /// reach the cut-off's points: [`Snap::Down`] to the first probability
    /// with the cut-off's points, [`Snap::Up`] to the first with the next
    /// points (unless it is on a boundary already). SQL stays at or above MQL.
    pub fn snapped_to(&self, scale: &PointsScale, mql: Snap, sql: Snap) -> Result<Cutoffs> {
        let m = snap(scale, self.mql, mql);
        let s = snap(scale, self.sql, sql).max(m);
        Cutoffs::new(m, s)
    }

    /// The stage of a probability on `scale`: from its points, so that a CRM
    /// rule on points reproduces the stages exactly.
    pub fn stage(&self, scale: &PointsScale, probability: f64) -> Stage {
        self.in_points(scale).stage(scale.points(probability))
    }
}

/// Which way a cut-off moves onto a points boundary (see [`Cutoffs::snapped_to`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Snap {
    /// To the first probability with the cut-off's points: more leads.
    Down,
    /// To the first probability with the next points: fewer leads.
    Up,
}

/// The first probability whose points on `scale` are `k`, between `floor`
/// and `ceiling` (found by bisection: rounding decides the boundary).
fn first_with_points(scale: &PointsScale, k: i64, floor: f64, ceiling: f64) -> f64 {
    let (mut lo, mut hi) = (floor, ceiling);
    let guess = scale.probability_at_points(k as f64 - 0.5);
    if guess > lo && guess < hi {
        if scale.points(guess) >= k {
            hi = guess;
        } else {
            lo = guess;
        }
    }
    for _ in 0..200 {
        if hi - lo <= f64::EPSILON * hi {
            break;
        }
        let mid = lo + (hi - lo) / 2.0;
        if scale.points(mid) >= k {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    hi
}

fn snap(scale: &PointsScale, p: f64, direction: Snap) -> f64 {
    let k = scale.points(p);
    let start = if scale.points(1e-12) >= k {
        1e-12
    } else {
        first_with_points(scale, k, 1e-12, p)
    };
    match direction {
        Snap::Down => start,
        Snap::Up if start == p => p,
        Snap::Up => {
            let top = 1.0 - 1e-12;
            if scale.points(top) <= k {
                p
            } else {
                first_with_points(scale, k + 1, p, top)
            }
        }
    }
}

/// The MQL and SQL cut-offs in points: a lead is SQL at `sql` points or
/// more, MQL at `mql` points or more, else a lead. Because points are the
/// rounded, monotone image of the probability, every lead at or above a
/// probability cut-off is in its stage; leads a fraction of a point below it
/// share its points and so its stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PointCutoffs {
    /// Points from which a lead is an MQL.
    pub mql: i64,
    /// Points from which a lead is an SQL.
    pub sql: i64,
}

impl PointCutoffs {
    /// The stage of a lead with these points.
    pub fn stage(&self, points: i64) -> Stage {
        if points >= self.sql {
            Stage::Sql
        } else if points >= self.mql {
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
    fn stages_include_their_cut_off_and_follow_from_points() {
        let scale = PointsScale::ProbabilityTimes100;
        let c = Cutoffs::new(0.2, 0.5).expect("valid");
        assert_eq!(c.stage(&scale, 0.1949), Stage::Lead);
        assert_eq!(c.stage(&scale, 0.2), Stage::Mql);
        assert_eq!(c.stage(&scale, 0.4949), Stage::Mql);
        assert_eq!(c.stage(&scale, 0.5), Stage::Sql);
        // A cut-off inside a point: every lead with that many points shares the stage.
        let c = Cutoffs::new(0.123, 0.5).expect("valid");
        assert_eq!(c.in_points(&scale), PointCutoffs { mql: 12, sql: 50 });
        for p in [0.115, 0.12, 0.1229, 0.123, 0.1249] {
            assert_eq!(
                (scale.points(p), c.stage(&scale, p)),
                (12, Stage::Mql),
                "p = {p}"
            );
        }
        assert_eq!(c.stage(&scale, 0.1149), Stage::Lead);
        let down = c.snapped_to(&scale, Snap::Down, Snap::Down).expect("valid");
        assert!((down.mql() - 0.115).abs() < 1e-12, "{}", down.mql());
        assert_eq!(scale.points(down.mql()), 12);
        assert!(scale.points(down.mql() - 1e-9) < 12);
        assert_eq!(down.in_points(&scale), c.in_points(&scale));
        let up = c.snapped_to(&scale, Snap::Up, Snap::Up).expect("valid");
        assert!((up.mql() - 0.125).abs() < 1e-12, "{}", up.mql());
        assert_eq!(up.in_points(&scale), PointCutoffs { mql: 13, sql: 51 });
        // On a boundary already: unchanged.
        let again = up.snapped_to(&scale, Snap::Up, Snap::Up).expect("valid");
        assert_eq!(again, up);
        // The scorecard scale: the boundary found is exact to rounding.
        let card = PointsScale::Scorecard(crate::points::ScorecardScale::default());
        let s = c.snapped_to(&card, Snap::Down, Snap::Up).expect("valid");
        let (km, ks) = (card.points(0.123), card.points(0.5));
        assert_eq!(card.points(s.mql()), km);
        assert!(card.points(s.mql() * (1.0 - 1e-9)) < km);
        // Up: the first probability with the next points.
        assert_eq!(card.points(s.sql()), ks + 1);
        assert_eq!(card.points(s.sql() * (1.0 - 1e-9)), ks);
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
