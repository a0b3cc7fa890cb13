//! Categorical features: one-hot over the levels seen at least
//! `min_frequency` times in training; rarer and unseen levels share an
//! explicit `other` term.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use super::{EncodeError, EncodeNote, FeatureColumn, RawValue};
use crate::schema::FeatureSpec;

/// The level that missing values get when they were common in training.
pub const MISSING_LEVEL: &str = "(missing)";
/// The level for rare and unseen values.
pub const OTHER_LEVEL: &str = "other";

/// A fitted categorical encoder. Terms: `name=level` for every kept level
/// (most frequent first), then `name=other`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CategoricalEncoder {
    /// Input column.
    name: String,
    /// Levels with their own term, most frequent first.
    levels: Vec<String>,
    /// Training rows per kept level (same order as `levels`).
    level_counts: Vec<usize>,
    /// Levels seen in training but too rare for their own term (they go to `other`
    /// without an "unseen" warning).
    rare_levels: Vec<String>,
    /// Training rows that went to `other`.
    other_count: usize,
    #[serde(skip)]
    index: OnceLock<HashMap<String, usize>>,
}

impl CategoricalEncoder {
    /// Input column.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// Levels with their own term, most frequent first.
    pub fn levels(&self) -> &[String] {
        &self.levels
    }
    /// Training rows per kept level (same order as `levels`).
    pub fn level_counts(&self) -> &[usize] {
        &self.level_counts
    }
    /// Levels seen in training but too rare for their own term.
    pub fn rare_levels(&self) -> &[String] {
        &self.rare_levels
    }
    /// Training rows that went to `other`.
    pub fn other_count(&self) -> usize {
        self.other_count
    }

    /// Fit on the training rows.
    pub fn fit(spec: &FeatureSpec, column: &FeatureColumn, rows: &[usize]) -> Self {
        // Counted by borrowed text: only the distinct levels are copied.
        let mut counts: HashMap<std::borrow::Cow<'_, str>, usize> = HashMap::new();
        for &row in rows {
            *counts.entry(level_text(column.raw(row))).or_default() += 1;
        }
        let mut sorted: Vec<(String, usize)> = counts
            .into_iter()
            .map(|(level, n)| (level.into_owned(), n))
            .collect();
        sorted.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let cap = spec.max_levels.unwrap_or(usize::MAX);
        let mut kept_so_far = 0;
        let (kept, rare): (Vec<_>, Vec<_>) = sorted.into_iter().partition(|(level, n)| {
            let keep = *n >= spec.min_frequency.max(1) && level != OTHER_LEVEL && kept_so_far < cap;
            kept_so_far += usize::from(keep);
            keep
        });
        let other_count = rare.iter().map(|(_, n)| n).sum();
        let mut rare_levels: Vec<String> = rare.into_iter().map(|(l, _)| l).collect();
        rare_levels.sort();
        CategoricalEncoder {
            name: spec.name.clone(),
            levels: kept.iter().map(|(l, _)| l.clone()).collect(),
            level_counts: kept.iter().map(|(_, n)| *n).collect(),
            rare_levels,
            other_count,
            index: OnceLock::new(),
        }
    }

    fn index(&self) -> &HashMap<String, usize> {
        self.index.get_or_init(|| {
            self.levels
                .iter()
                .enumerate()
                .map(|(i, l)| (l.clone(), i))
                .collect()
        })
    }

    /// Number of terms.
    pub fn n_terms(&self) -> usize {
        self.levels.len() + 1
    }

    /// Term names.
    pub fn term_names(&self) -> Vec<String> {
        self.levels
            .iter()
            .map(|l| format!("{}={l}", self.name))
            .chain(std::iter::once(format!("{}={OTHER_LEVEL}", self.name)))
            .collect()
    }

    /// Encode one value.
    pub fn encode(
        &self,
        value: RawValue<'_>,
        out: &mut [f64],
    ) -> Result<Option<EncodeNote>, EncodeError> {
        out.fill(0.0);
        let (slot, note) = match self.bucket(value) {
            LevelBucket::Kept(i) => (i, None),
            LevelBucket::Other { seen } => {
                let note = if value == RawValue::Missing {
                    Some(EncodeNote::Imputed)
                } else if seen {
                    None
                } else {
                    Some(EncodeNote::UnseenLevel)
                };
                (self.levels.len(), note)
            }
        };
        out[slot] = 1.0;
        Ok(note)
    }

    /// Where a value goes: its kept level, or `other` (saying whether
    /// training saw it as a rare level).
    pub fn bucket(&self, value: RawValue<'_>) -> LevelBucket {
        let level = level_text(value);
        match self.index().get(level.as_ref()) {
            Some(&i) => LevelBucket::Kept(i),
            None => LevelBucket::Other {
                seen: self
                    .rare_levels
                    .binary_search_by(|l| l.as_str().cmp(level.as_ref()))
                    .is_ok(),
            },
        }
    }

    /// The level text of a value as the encoder reads it (trimmed; blanks
    /// are `(missing)`).
    pub fn level_of<'a>(&self, value: RawValue<'a>) -> std::borrow::Cow<'a, str> {
        level_text(value)
    }
}

/// Where a categorical value goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LevelBucket {
    /// A kept level (its index in [`CategoricalEncoder::levels`]).
    Kept(usize),
    /// `other`; `seen` when it is one of training's rare levels.
    Other {
        /// Seen in training (as a rare level).
        seen: bool,
    },
}

/// The level a raw value belongs to: its trimmed text, `(missing)` for blanks.
fn level_text(value: RawValue<'_>) -> std::borrow::Cow<'_, str> {
    match value {
        RawValue::Missing => MISSING_LEVEL.into(),
        RawValue::Text(t) => t.trim().into(),
        RawValue::Number(v) => format!("{v}").into(),
        RawValue::Bool(b) => b.to_string().into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::FeatureKind;
    use polars::prelude::*;

    #[test]
    fn max_levels_keeps_the_most_frequent_and_sends_the_rest_to_other_quietly() {
        let values = ["a", "a", "a", "b", "b", "c", "c", "c", "c", "d", "d"];
        let col = FeatureColumn::Texts(StringChunked::new("x".into(), &values));
        let spec = FeatureSpec {
            name: "x".into(),
            kind: FeatureKind::Categorical,
            transform: None,
            sentinel: None,
            min_frequency: 2,
            max_levels: Some(2),
            reason: String::new(),
            required: false,
            age_days: None,
        };
        let e = CategoricalEncoder::fit(&spec, &col, &(0..values.len()).collect::<Vec<_>>());
        assert_eq!(e.term_names(), vec!["x=c", "x=a", "x=other"]);
        assert_eq!(e.other_count(), 4);
        let mut out = [0.0; 3];
        assert_eq!(
            e.encode(RawValue::Text("d"), &mut out),
            Ok(None),
            "seen: no warning"
        );
        assert_eq!(out, [0.0, 0.0, 1.0]);
    }

    #[test]
    fn rare_and_unseen_levels_go_to_other_and_only_unseen_warns() {
        let values = ["a", "a", "a", "b", "b", "b", "c"];
        let col = FeatureColumn::Texts(StringChunked::new("x".into(), &values));
        let spec = FeatureSpec {
            name: "x".into(),
            kind: FeatureKind::Categorical,
            transform: None,
            sentinel: None,
            min_frequency: 2,
            max_levels: None,
            reason: String::new(),
            required: false,
            age_days: None,
        };
        let e = CategoricalEncoder::fit(&spec, &col, &(0..7).collect::<Vec<_>>());
        assert_eq!(e.term_names(), vec!["x=a", "x=b", "x=other"]);
        let mut out = [0.0; 3];
        assert_eq!(e.encode(RawValue::Text("b"), &mut out), Ok(None));
        assert_eq!(out, [0.0, 1.0, 0.0]);
        assert_eq!(e.encode(RawValue::Text("c"), &mut out), Ok(None));
        assert_eq!(out, [0.0, 0.0, 1.0]);
        assert_eq!(
            e.encode(RawValue::Text("zzz"), &mut out),
            Ok(Some(EncodeNote::UnseenLevel))
        );
        assert_eq!(out, [0.0, 0.0, 1.0]);
        assert_eq!(
            e.encode(RawValue::Missing, &mut out),
            Ok(Some(EncodeNote::Imputed))
        );
    }
}
