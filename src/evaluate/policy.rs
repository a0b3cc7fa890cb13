//! Cut-off policies: how the MQL and SQL probability cut-offs are chosen from
//! labelled, scored leads (`p:0.25`, `recall:0.8`, `precision:0.4`,
//! `top:0.1`, `capacity:200/week`), and what a cut-off gives on those leads.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Seconds per capacity period.
const DAY: f64 = 86_400.0;

/// A period for capacity policies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    /// Per day.
    Day,
    /// Per week.
    Week,
    /// Per month (30.44 days).
    Month,
}

impl Period {
    fn seconds(self) -> f64 {
        match self {
            Period::Day => DAY,
            Period::Week => 7.0 * DAY,
            Period::Month => 30.436_875 * DAY,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Period::Day => "day",
            Period::Week => "week",
            Period::Month => "month",
        }
    }
}

/// How to choose one cut-off: `p:0.25`, `recall:0.8`, `precision:0.4`,
/// `top:0.1` or `capacity:200/week`. Made only by parsing (or
/// [`CutoffPolicy::fixed`]), so every value in it is in range.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CutoffPolicy(Rule);

/// Default MQL policy: the top 30% of leads by probability. Funnels commonly
/// qualify a quarter to a third of leads for marketing follow-up; volume is
/// what teams plan around, and the summary shows the precision and recall it
/// buys on the holdout.
pub const DEFAULT_MQL_POLICY: CutoffPolicy = CutoffPolicy(Rule::Top(0.3));
/// Default SQL policy: the top 10% of leads, the list a sales team can work
/// personally. A share policy always resolves and always lies above the MQL
/// cut-off.
pub const DEFAULT_SQL_POLICY: CutoffPolicy = CutoffPolicy(Rule::Top(0.1));

pub use crate::model::stages::Snap;

/// The checked rule inside a [`CutoffPolicy`].
#[derive(Debug, Clone, Copy, PartialEq)]
enum Rule {
    /// A fixed probability.
    Probability(f64),
    /// The highest cut-off that still captures this share of eventual customers.
    Recall(f64),
    /// The lowest cut-off whose leads at or above it convert at least this often.
    Precision(f64),
    /// The top share of leads.
    Top(f64),
    /// As many leads as sales can handle per period, from the arrival rate.
    Capacity {
        /// Leads per period.
        leads: f64,
        /// The period.
        per: Period,
    },
}

impl CutoffPolicy {
    /// A fixed probability cut-off, strictly between 0 and 1.
    pub fn fixed(p: f64) -> Result<Self> {
        share("probability", &p.to_string(), &format!("p:{p}"))
            .map(|p| CutoffPolicy(Rule::Probability(p)))
    }

    /// Which way a cut-off this policy resolves to moves onto a points
    /// boundary without breaking the policy's promise: down (more leads) for a
    /// fixed probability or a recall floor; up (fewer leads) for a precision
    /// floor, a share or a capacity, which must not be exceeded.
    pub fn snap(&self) -> Snap {
        match self.0 {
            Rule::Probability(_) | Rule::Recall(_) => Snap::Down,
            Rule::Precision(_) | Rule::Top(_) | Rule::Capacity { .. } => Snap::Up,
        }
    }

    /// The share of leads, for `top:` policies.
    pub fn top_share(&self) -> Option<f64> {
        match self.0 {
            Rule::Top(share) => Some(share),
            _ => None,
        }
    }

    /// The probability, when the policy is a fixed one.
    pub fn fixed_probability(&self) -> Option<f64> {
        match self.0 {
            Rule::Probability(p) => Some(p),
            _ => None,
        }
    }
}

fn share(name: &str, text: &str, policy: &str) -> Result<f64> {
    let v: f64 = text.trim().parse().map_err(|_| Error::InvalidArgument {
        name: "cut-off policy".into(),
        message: format!("'{policy}': {name} must be a number, found '{text}'"),
    })?;
    let in_range = (v > 0.0 && v < 1.0) || (name == "recall" && v == 1.0);
    if !in_range {
        return Err(Error::InvalidArgument {
            name: "cut-off policy".into(),
            message: format!("'{policy}': {name} must be between 0 and 1, found {v}"),
        });
    }
    Ok(v)
}

impl FromStr for CutoffPolicy {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self> {
        let t = text.trim();
        let bad = || {
            Error::InvalidArgument {
            name: "cut-off policy".into(),
            message: format!(
                "'{t}' is not a policy; use p:0.25, recall:0.8, precision:0.4, top:0.1 or capacity:200/week"
            ),
        }
        };
        let (kind, value) = match t.split_once(':') {
            Some(kv) => kv,
            // A bare number is a probability, as in the first version of --mql.
            None => ("p", t),
        };
        match kind.trim().to_ascii_lowercase().as_str() {
            "p" | "probability" => Ok(CutoffPolicy(Rule::Probability(share(
                "probability",
                value,
                t,
            )?))),
            "recall" => Ok(CutoffPolicy(Rule::Recall(share("recall", value, t)?))),
            "precision" => Ok(CutoffPolicy(Rule::Precision(share("precision", value, t)?))),
            "top" => Ok(CutoffPolicy(Rule::Top(share("top", value, t)?))),
            "capacity" => {
                let (n, per) = value.split_once('/').ok_or_else(bad)?;
                let leads: f64 = n.trim().parse().map_err(|_| bad())?;
                if !(leads.is_finite() && leads > 0.0) {
                    return Err(Error::InvalidArgument {
                        name: "cut-off policy".into(),
                        message: format!("'{t}': capacity must be a positive number of leads"),
                    });
                }
                let per = match per.trim().to_ascii_lowercase().as_str() {
                    "day" => Period::Day,
                    "week" => Period::Week,
                    "month" => Period::Month,
                    _ => return Err(bad()),
                };
                Ok(CutoffPolicy(Rule::Capacity { leads, per }))
            }
            _ => Err(bad()),
        }
    }
}

impl fmt::Display for CutoffPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Rule::Probability(p) => write!(f, "p:{p}"),
            Rule::Recall(r) => write!(f, "recall:{r}"),
            Rule::Precision(p) => write!(f, "precision:{p}"),
            Rule::Top(s) => write!(f, "top:{s}"),
            Rule::Capacity { leads, per } => write!(f, "capacity:{leads}/{}", per.name()),
        }
    }
}

impl TryFrom<String> for CutoffPolicy {
    type Error = Error;
    fn try_from(s: String) -> Result<Self> {
        s.parse()
    }
}

impl From<CutoffPolicy> for String {
    fn from(p: CutoffPolicy) -> String {
        p.to_string()
    }
}

/// What a cut-off gives on labelled leads.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CutoffOutcome {
    /// The probability cut-off.
    pub cutoff: f64,
    /// Leads at or above it.
    pub volume: usize,
    /// Their share of all leads.
    pub share: f64,
    /// Share of them that converted (precision = their conversion rate);
    /// NaN, written as `null`, when no lead is at or above the cut-off.
    #[serde(with = "undefined_as_null")]
    pub precision: f64,
    /// Share of all converters at or above it.
    pub recall: f64,
}

/// A rate that is undefined (NaN) when nothing is counted: `null` in JSON,
/// read back as NaN, so a model whose cut-off admits no holdout lead loads.
mod undefined_as_null {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
        if v.is_finite() {
            s.serialize_f64(*v)
        } else {
            s.serialize_none()
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::NAN))
    }
}

/// Outcome of cut-off `t` on `(labels, probabilities)`.
pub fn outcome(labels: &[bool], probabilities: &[f64], t: f64) -> CutoffOutcome {
    let total_pos = labels.iter().filter(|l| **l).count();
    let (mut volume, mut pos) = (0usize, 0usize);
    for (&y, &p) in labels.iter().zip(probabilities) {
        if p >= t {
            volume += 1;
            pos += usize::from(y);
        }
    }
    CutoffOutcome {
        cutoff: t,
        volume,
        share: volume as f64 / labels.len().max(1) as f64,
        precision: if volume > 0 {
            pos as f64 / volume as f64
        } else {
            f64::NAN
        },
        recall: if total_pos > 0 {
            pos as f64 / total_pos as f64
        } else {
            f64::NAN
        },
    }
}

/// Resolve a policy to a probability cut-off on labelled leads.
/// `arrivals_per_second` is the lead arrival rate measured from the date
/// column (needed by capacity policies only).
pub fn resolve(
    policy: CutoffPolicy,
    labels: &[bool],
    probabilities: &[f64],
    arrivals_per_second: Option<f64>,
) -> Result<f64> {
    let err = |message: String| Error::InvalidArgument {
        name: format!("cut-off policy {policy}"),
        message,
    };
    if let Rule::Probability(p) = policy.0 {
        return Ok(p);
    }
    let n = labels.len();
    if n == 0 {
        return Err(err("there are no leads to choose a cut-off on".into()));
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| probabilities[b].total_cmp(&probabilities[a]));
    let sorted: Vec<f64> = order.iter().map(|&i| probabilities[i]).collect();
    let top_share = |share: f64| -> f64 {
        let k = ((share * n as f64).ceil() as usize).clamp(1, n);
        sorted[k - 1]
    };
    let total_pos = labels.iter().filter(|l| **l).count();
    match policy.0 {
        Rule::Probability(p) => Ok(p),
        Rule::Top(share) => Ok(top_share(share)),
        Rule::Capacity { leads, per } => {
            let rate = arrivals_per_second.filter(|r| *r > 0.0).ok_or_else(|| {
                err("capacity needs a date column covering more than one instant".into())
            })?;
            let arrivals_per_period = rate * per.seconds();
            Ok(top_share((leads / arrivals_per_period).min(1.0)))
        }
        Rule::Recall(r) => {
            if total_pos == 0 {
                return Err(err("no lead converted, so recall is undefined".into()));
            }
            let needed = (r * total_pos as f64).ceil() as usize;
            let mut pos = 0;
            for &i in &order {
                pos += usize::from(labels[i]);
                if pos >= needed {
                    return Ok(probabilities[i]);
                }
            }
            Ok(sorted[n - 1])
        }
        Rule::Precision(target) => {
            // Precision at each distinct threshold from the highest down; the
            // last threshold that reaches the target is the lowest one.
            let mut best: Option<f64> = None;
            let mut best_reached = 0.0f64;
            let (mut volume, mut pos) = (0usize, 0usize);
            let mut i = 0;
            while i < n {
                let mut j = i;
                while j < n && sorted[j] == sorted[i] {
                    volume += 1;
                    pos += usize::from(labels[order[j]]);
                    j += 1;
                }
                let precision = pos as f64 / volume as f64;
                best_reached = best_reached.max(precision);
                if precision >= target {
                    best = Some(sorted[i]); // keeps the lowest threshold as we go down
                }
                i = j;
            }
            best.ok_or_else(|| {
                err(format!(
                    "no cut-off reaches precision {target}: the best any cut-off gives on these leads is {best_reached:.3}"
                ))
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Ten leads, scores 0.95 .. 0.05; converters at ranks 1, 2, 4, 7.
    fn leads() -> (Vec<bool>, Vec<f64>) {
        let probs: Vec<f64> = (0..10).map(|i| 0.95 - 0.1 * i as f64).collect();
        let labels = vec![
            true, true, false, true, false, false, true, false, false, false,
        ];
        (labels, probs)
    }

    #[test]
    fn parses_and_prints_every_policy() {
        for text in [
            "p:0.25",
            "recall:0.8",
            "precision:0.4",
            "top:0.1",
            "capacity:200/week",
            "capacity:15/day",
        ] {
            let p: CutoffPolicy = text.parse().expect(text);
            assert_eq!(p.to_string(), text);
        }
        assert_eq!(
            "0.3".parse::<CutoffPolicy>().expect("bare"),
            CutoffPolicy(Rule::Probability(0.3))
        );
    }

    #[test]
    fn rejects_invalid_policies() {
        for text in [
            "recall:1.5",
            "precision:0",
            "top:-0.1",
            "p:1",
            "capacity:0/week",
            "capacity:5/year",
            "magic:1",
            "recall:x",
        ] {
            assert!(text.parse::<CutoffPolicy>().is_err(), "{text}");
        }
    }

    #[test]
    fn recall_picks_the_highest_cut_off_capturing_the_share() {
        let (y, p) = leads();
        // 3 of 4 converters are at ranks 1, 2, 4: cut-off = score at rank 4.
        let t = resolve(CutoffPolicy(Rule::Recall(0.75)), &y, &p, None).expect("resolves");
        assert!((t - 0.65).abs() < 1e-12);
        let o = outcome(&y, &p, t);
        assert_eq!((o.volume, o.recall), (4, 0.75));
    }

    #[test]
    fn precision_picks_the_lowest_cut_off_reaching_it() {
        let (y, p) = leads();
        // Precision at top-k: 1, 1, .67, .75, .6, .5, .57, .5, .44, .4
        let t = resolve(CutoffPolicy(Rule::Precision(0.55)), &y, &p, None).expect("resolves");
        assert!((t - 0.35).abs() < 1e-12, "top 7 convert 4/7 = 0.57: {t}");
        let e = resolve(CutoffPolicy(Rule::Precision(0.99)), &y, &p, None);
        assert!(e.is_ok(), "top 2 convert 100%");
        let y0 = vec![
            false, true, false, false, false, false, false, false, false, true,
        ];
        let err =
            resolve(CutoffPolicy(Rule::Precision(0.6)), &y0, &p, None).expect_err("unreachable");
        assert!(err.to_string().contains("best any cut-off gives"), "{err}");
    }

    #[test]
    fn top_and_capacity_follow_volume() {
        let (y, p) = leads();
        assert!(
            (resolve(CutoffPolicy(Rule::Top(0.3)), &y, &p, None).expect("top") - 0.75).abs()
                < 1e-12
        );
        // 10 leads over 5 weeks = 2 per week; capacity 1/week = top half.
        let rate = 10.0 / (5.0 * 7.0 * DAY);
        let t = resolve(
            CutoffPolicy(Rule::Capacity {
                leads: 1.0,
                per: Period::Week,
            }),
            &y,
            &p,
            Some(rate),
        )
        .expect("cap");
        assert!((t - 0.55).abs() < 1e-12);
        assert!(resolve(
            CutoffPolicy(Rule::Capacity {
                leads: 1.0,
                per: Period::Week
            }),
            &y,
            &p,
            None
        )
        .is_err());
    }
}
