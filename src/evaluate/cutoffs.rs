//! Setting a model's MQL and SQL cut-offs by policy on labelled, scored leads,
//! and the lead arrival rate that capacity policies need.

use crate::error::{Error, Result};
use crate::evaluate::policy::{outcome, resolve, CutoffPolicy};
use crate::model::stages::Cutoffs;
use crate::model::CutoffChoice;
use crate::points::PointsScale;

/// Leads per second over the date column's span, when there is one.
pub fn arrival_rate(dates: Option<&[i64]>) -> Option<f64> {
    let d = dates?;
    let (min, max) = (d.iter().min()?, d.iter().max()?);
    let span = (max - min) as f64;
    (span > 0.0).then(|| d.len() as f64 / span)
}

/// Resolve MQL and SQL policies on labelled, scored leads. Each cut-off is
/// then moved onto a points boundary on `scale`, in the direction that keeps
/// its policy's promise ([`CutoffPolicy::snap`]), so "p at or above the
/// cut-off" and "points at or above the cut-off's points" pick the same
/// leads, and the outcomes stored are those of the stages leads actually get.
pub fn choose_cutoffs(
    mql: CutoffPolicy,
    sql: CutoffPolicy,
    labels: &[bool],
    probabilities: &[f64],
    arrivals_per_second: Option<f64>,
    chosen_on: String,
    scale: &PointsScale,
) -> Result<(Cutoffs, CutoffChoice)> {
    let m = resolve(mql, labels, probabilities, arrivals_per_second)?;
    let s = resolve(sql, labels, probabilities, arrivals_per_second)?;
    if s < m {
        return Err(Error::CutoffOrder {
            mql_policy: mql,
            sql_policy: sql,
            mql: m,
            sql: s,
        });
    }
    let cutoffs = Cutoffs::new(m.clamp(1e-9, 1.0 - 1e-9), s.clamp(1e-9, 1.0 - 1e-9))?.snapped_to(
        scale,
        mql.snap(),
        sql.snap(),
    )?;
    let choice = CutoffChoice {
        mql_policy: mql,
        sql_policy: sql,
        chosen_on,
        mql: outcome(labels, probabilities, cutoffs.mql()),
        sql: outcome(labels, probabilities, cutoffs.sql()),
    };
    Ok((cutoffs, choice))
}
