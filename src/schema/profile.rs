//! One scan of a column's values (numbers, yes/no words, levels, dates) and
//! the statistics inference decides by: sequential ids, sentinel codes.

use std::collections::{HashMap, HashSet};

use polars::prelude::*;

use crate::error::Result;
use crate::io::values::{
    clean_text, is_missing_token, parse_bool_word, parse_number, quoted, NumberParse,
};

/// Values commonly used as "not applicable" codes in numeric columns.
const SENTINEL_CANDIDATES: [f64; 8] = [-1.0, -9.0, -99.0, -999.0, 99.0, 999.0, 9999.0, 99999.0];

/// What a scan of a column's values found.
pub(super) struct ColumnProfile {
    pub(super) non_null: usize,
    pub(super) numbers: Vec<Option<f64>>,
    /// First row (0-based) whose text is not a number, with the text.
    pub(super) first_text: Option<(usize, String, NumberParse)>,
    pub(super) text_count: usize,
    pub(super) bool_words: HashSet<bool>,
    pub(super) all_bool_words: bool,
    pub(super) levels: HashMap<String, usize>,
    /// Level counts over every other row (to see whether levels grow with rows).
    pub(super) half_levels: HashMap<String, usize>,
    pub(super) all_dates: bool,
    /// Missing-value placeholders (`N/A`, `-` …) read as missing, by their text.
    pub(super) placeholders: HashMap<String, usize>,
}

impl ColumnProfile {
    /// Cells holding a number.
    pub(super) fn numeric_count(&self) -> usize {
        self.non_null - self.text_count
    }

    /// The most frequent values that are not numbers, as `'many' ×12, 'lots' ×3`.
    pub(super) fn non_numeric_examples(&self) -> String {
        let mut texts: Vec<(&String, &usize)> = self
            .levels
            .iter()
            .filter(|(v, _)| !matches!(parse_number(v), NumberParse::Value(_)))
            .collect();
        texts.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        counted(texts.into_iter().take(3))
    }

    /// The placeholders read as missing, as `41 ('N/A' ×40, '-' ×1)`; `None` when there were none.
    pub(super) fn placeholder_summary(&self) -> Option<String> {
        let total: usize = self.placeholders.values().sum();
        if total == 0 {
            return None;
        }
        let mut tokens: Vec<(&String, &usize)> = self.placeholders.iter().collect();
        tokens.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        Some(format!("{total} ({})", counted(tokens.into_iter().take(4))))
    }
}

fn counted<'a>(values: impl Iterator<Item = (&'a String, &'a usize)>) -> String {
    values
        .map(|(v, n)| format!("{} ×{n}", quoted(v)))
        .collect::<Vec<_>>()
        .join(", ")
}

pub(super) fn profile(column: &Column) -> Result<ColumnProfile> {
    let series = column.as_materialized_series();
    let numeric_dtype = series.dtype().is_primitive_numeric();
    let text = series.cast(&DataType::String)?;
    let text = text.str()?;
    let mut p = ColumnProfile {
        non_null: 0,
        numbers: Vec::with_capacity(text.len()),
        first_text: None,
        text_count: 0,
        bool_words: HashSet::new(),
        all_bool_words: true,
        levels: HashMap::new(),
        half_levels: HashMap::new(),
        all_dates: !numeric_dtype,
        placeholders: HashMap::new(),
    };
    for (i, value) in text.iter().enumerate() {
        if let Some(v) = value.filter(|v| is_missing_token(v)) {
            *p.placeholders.entry(v.trim().to_string()).or_default() += 1;
        }
        let Some(value) = clean_text(value) else {
            p.numbers.push(None);
            continue;
        };
        p.non_null += 1;
        match parse_number(value) {
            NumberParse::Value(x) => p.numbers.push(Some(x)),
            other => {
                p.numbers.push(None);
                p.text_count += 1;
                if p.first_text.is_none() {
                    p.first_text = Some((i, value.to_string(), other));
                }
            }
        }
        match parse_bool_word(value) {
            Some(b) => {
                p.bool_words.insert(b);
            }
            None => p.all_bool_words = false,
        }
        if p.all_dates && !crate::io::dates::looks_like_date(value) {
            p.all_dates = false;
        }
        if i % 2 == 0 {
            if let Some(n) = p.half_levels.get_mut(value) {
                *n += 1;
            } else if p.half_levels.len() <= 100_000 {
                p.half_levels.insert(value.to_string(), 1);
            }
        }
        if let Some(n) = p.levels.get_mut(value) {
            *n += 1;
        } else if p.levels.len() <= 100_000 {
            p.levels.insert(value.to_string(), 1);
        }
    }
    Ok(p)
}

/// Whole numbers, distinct in every row, packed into a range no wider than
/// twice the row count: a record number, not a measurement (revenue figures
/// are distinct too, but spread far wider).
pub(super) fn is_sequential_id(p: &ColumnProfile) -> bool {
    if p.non_null < 20 || p.levels.len() != p.non_null {
        return false;
    }
    let values = p.numbers.iter().flatten();
    if !values.clone().all(|v| v.fract() == 0.0) {
        return false;
    }
    let (min, max) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(*v), hi.max(*v))
    });
    max - min < 2.0 * p.non_null as f64
}

/// A "not applicable" code: one of the usual sentinel values, lying outside
/// the range of every other value (below all of them for negative codes, more
/// than twice the largest for positive ones), in at least 5% of rows.
pub(super) fn detect_sentinel(values: &[f64]) -> Option<f64> {
    for s in SENTINEL_CANDIDATES {
        let count = values.iter().filter(|v| **v == s).count();
        if count == 0 || count * 20 < values.len() || count == values.len() {
            continue;
        }
        let others = values.iter().copied().filter(|v| *v != s);
        let outside = if s < 0.0 {
            others.fold(f64::INFINITY, f64::min) >= 0.0
        } else {
            others.fold(f64::NEG_INFINITY, f64::max) * 2.0 < s
        };
        if outside {
            return Some(s);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile_of(values: &[f64]) -> ColumnProfile {
        ColumnProfile {
            non_null: values.len(),
            numbers: values.iter().map(|v| Some(*v)).collect(),
            first_text: None,
            text_count: 0,
            bool_words: HashSet::new(),
            all_bool_words: false,
            levels: values.iter().map(|v| (v.to_string(), 1)).collect(),
            half_levels: HashMap::new(),
            all_dates: false,
            placeholders: HashMap::new(),
        }
    }

    #[test]
    fn record_numbers_are_ids_but_distinct_measurements_are_not() {
        let ids: Vec<f64> = (1000..1050).map(f64::from).collect();
        assert!(is_sequential_id(&profile_of(&ids)));
        let revenue: Vec<f64> = (0..50).map(|i| f64::from(i) * 7919.0 + 13.0).collect();
        assert!(!is_sequential_id(&profile_of(&revenue)));
        assert!(
            !is_sequential_id(&profile_of(&ids[..10])),
            "too few rows to tell"
        );
    }

    #[test]
    fn sentinels_must_lie_outside_the_other_values() {
        let mut pdays = vec![-1.0; 80];
        pdays.extend((0..20).map(f64::from));
        assert_eq!(detect_sentinel(&pdays), Some(-1.0));
        let mut codes = vec![999.0; 90];
        codes.extend((0..10).map(f64::from));
        assert_eq!(detect_sentinel(&codes), Some(999.0));
        let mut genuine = vec![-1.0; 10];
        genuine.extend((-5..5).map(f64::from));
        assert_eq!(
            detect_sentinel(&genuine),
            None,
            "-1 inside the range is a value"
        );
    }
}
