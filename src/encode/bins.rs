//! Bins of a numeric feature, in the scorecard tradition: quantile bins of
//! the training values, optionally merged until the conversion rate rises or
//! falls monotonically from bin to bin (pool adjacent violators). Each bin is
//! one 0/1 term, so the points sheet shows points per bin
//! (`website_visits 5–9: +14 points`).

use serde::{Deserialize, Serialize};

/// Quantile binning aims at this many bins.
pub const TARGET_BINS: usize = 10;
/// A bin holds at least this share of the training values...
pub const MIN_BIN_SHARE: f64 = 0.05;
/// ...and at least this many of them.
pub const MIN_BIN_ROWS: usize = 25;

/// Fitted bins: `edges` are the lower ends of every bin but the first, in
/// increasing order, so bin `j` holds the values in `[edges[j-1], edges[j])`
/// (the first bin everything below `edges[0]`, the last everything from
/// `edges[last]` up).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bins {
    edges: Vec<f64>,
    /// Whether every training value was a whole number (labels then read
    /// `5–9` instead of `5 to < 10`).
    integer: bool,
}

impl Bins {
    /// Quantile bins of `values` (finite, any order): about [`TARGET_BINS`]
    /// bins of equal count, cut only between distinct values, none holding
    /// fewer than [`MIN_BIN_SHARE`] of the values or [`MIN_BIN_ROWS`]. `None`
    /// when that leaves fewer than three bins (a step or two says no more
    /// than a line).
    pub fn quantile(values: &[f64]) -> Option<Bins> {
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        let n = sorted.len();
        let min_rows = ((n as f64 * MIN_BIN_SHARE).ceil() as usize).max(MIN_BIN_ROWS);
        let target = (n / TARGET_BINS).max(min_rows);
        let integer = sorted.iter().all(|v| v.fract() == 0.0);
        let mut edges = Vec::new();
        let mut in_bin = 0;
        for (i, &v) in sorted.iter().enumerate() {
            in_bin += 1;
            let next = sorted.get(i + 1);
            if let Some(&next) = next {
                if next > v && in_bin >= target && n - (i + 1) >= min_rows {
                    edges.push(if integer { next } else { round_edge(v, next) });
                    in_bin = 0;
                }
            }
        }
        (edges.len() >= 2).then_some(Bins { edges, integer })
    }

    /// Quantile bins of `values` merged by pool-adjacent-violators until the
    /// conversion rate (from `converted`, one per value) is monotone across
    /// them, in whichever direction fits the data better (higher binomial
    /// likelihood). `None` when quantile bins are not possible or the merge
    /// leaves a single bin.
    pub fn monotone(values: &[f64], converted: &[bool]) -> Option<Bins> {
        let quantile = Bins::quantile(values)?;
        let mut stats = vec![(0.0f64, 0.0f64); quantile.len()];
        for (&v, &c) in values.iter().zip(converted) {
            let s = &mut stats[quantile.index(v)];
            s.0 += 1.0;
            s.1 += f64::from(u8::from(c));
        }
        let best = [true, false]
            .into_iter()
            .map(|increasing| pool_adjacent_violators(&stats, increasing))
            .max_by(|a, b| log_likelihood(a).total_cmp(&log_likelihood(b)))?;
        let edges: Vec<f64> = best
            .iter()
            .skip(1)
            .map(|block| quantile.edges[block.first - 1])
            .collect();
        (!edges.is_empty()).then_some(Bins {
            edges,
            integer: quantile.integer,
        })
    }

    /// Number of bins.
    pub fn len(&self) -> usize {
        self.edges.len() + 1
    }

    /// Always false: fitted bins have at least two bins.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Lower ends of every bin but the first.
    pub fn edges(&self) -> &[f64] {
        &self.edges
    }

    /// The bin of a value.
    pub fn index(&self, v: f64) -> usize {
        self.edges.partition_point(|&e| e <= v)
    }

    /// How bin `j` reads: `<= 4`, `5–9`, `= 12`, `>= 20` for whole numbers,
    /// `< 0.5`, `0.5 to < 2`, `>= 2` otherwise.
    pub fn label(&self, j: usize) -> String {
        let last = self.edges.len();
        let (lo, hi) = (
            j.checked_sub(1).map(|i| self.edges[i]),
            self.edges.get(j).copied(),
        );
        match (lo, hi) {
            (None, Some(hi)) if self.integer => format!("<= {}", number(hi - 1.0)),
            (None, Some(hi)) => format!("< {}", number(hi)),
            (Some(lo), None) => format!(">= {}", number(lo)),
            (Some(lo), Some(hi)) if self.integer && hi - 1.0 == lo => format!("= {}", number(lo)),
            (Some(lo), Some(hi)) if self.integer => {
                format!("{}–{}", number(lo), number(hi - 1.0))
            }
            (Some(lo), Some(hi)) => format!("{} to < {}", number(lo), number(hi)),
            (None, None) => {
                debug_assert!(last == 0);
                "all".into()
            }
        }
    }
}

/// The edge between two adjacent distinct values `below < above`: the
/// number with the fewest significant digits in `(below, above]`, so labels
/// read `0.02 to < 14.55` rather than `0.038034542 to < 14.59072178`; every
/// training value stays in the same bin as with `above` itself.
fn round_edge(below: f64, above: f64) -> f64 {
    let middle = below + (above - below) / 2.0;
    for digits in 1..=17 {
        let rounded: f64 = format!("{:.*e}", digits - 1, middle)
            .parse()
            .unwrap_or(above);
        if rounded > below && rounded <= above {
            return rounded;
        }
    }
    above
}

/// A number as a label shows it: whole numbers without a fraction.
pub fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.0}")
    } else {
        format!("{v}")
    }
}

/// A run of adjacent bins merged into one.
#[derive(Debug, Clone, Copy)]
struct Block {
    /// First quantile bin in the block.
    first: usize,
    rows: f64,
    converted: f64,
}

impl Block {
    fn rate(&self) -> f64 {
        self.converted / self.rows
    }
}

/// Merge adjacent bins (rows, converted) until the rate never falls
/// (`increasing`) or never rises.
fn pool_adjacent_violators(stats: &[(f64, f64)], increasing: bool) -> Vec<Block> {
    let mut blocks: Vec<Block> = Vec::with_capacity(stats.len());
    for (first, &(rows, converted)) in stats.iter().enumerate() {
        let mut block = Block {
            first,
            rows,
            converted,
        };
        while let Some(prev) = blocks.last() {
            let violates = if increasing {
                prev.rate() >= block.rate()
            } else {
                prev.rate() <= block.rate()
            };
            if !violates {
                break;
            }
            block = Block {
                first: prev.first,
                rows: prev.rows + block.rows,
                converted: prev.converted + block.converted,
            };
            blocks.pop();
        }
        blocks.push(block);
    }
    blocks
}

/// Binomial log likelihood of the blocks' rates.
fn log_likelihood(blocks: &[Block]) -> f64 {
    blocks
        .iter()
        .map(|b| {
            let p = b.rate();
            let term = |k: f64, q: f64| if k > 0.0 { k * q.ln() } else { 0.0 };
            term(b.converted, p) + term(b.rows - b.converted, 1.0 - p)
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantile_bins_cut_between_distinct_values_only() {
        // 0 holds 60% of the values: it is one bin however many it could make.
        let mut values = vec![0.0; 600];
        values.extend((1..=400).map(|v| f64::from(v % 40 + 1)));
        let bins = Bins::quantile(&values).expect("bins");
        assert_eq!(bins.edges()[0], 1.0);
        assert_eq!(bins.index(0.0), 0);
        assert_eq!(bins.index(1.0), 1);
        assert_eq!(bins.index(-5.0), 0, "below the range: the first bin");
        assert_eq!(bins.index(1e9), bins.len() - 1, "above: the last");
        // Every bin holds at least 5% of the values.
        let mut counts = vec![0; bins.len()];
        for v in &values {
            counts[bins.index(*v)] += 1;
        }
        assert!(counts.iter().all(|&c| c >= 50), "{counts:?}");
        assert_eq!(counts.iter().sum::<usize>(), 1000);
        assert_eq!(bins.label(0), "<= 0");
        assert_eq!(
            bins.label(bins.len() - 1),
            format!(">= {}", bins.edges().last().expect("edges"))
        );
    }

    #[test]
    fn fractional_edges_are_the_shortest_numbers_between_two_values() {
        assert_eq!(round_edge(0.0, 0.038034542), 0.02);
        assert_eq!(round_edge(14.5, 14.59072178), 14.55);
        assert_eq!(
            round_edge(0.1, 0.2),
            0.2,
            "0.15 rounds to 0.2, which is allowed"
        );
        assert_eq!(round_edge(-3.25, -3.0), -3.0);
        let values: Vec<f64> = (0..1000).map(|i| f64::from(i) / 7.0).collect();
        let bins = Bins::quantile(&values).expect("bins");
        for e in bins.edges() {
            assert!(e.to_string().len() <= 6, "short edge: {e}");
        }
    }

    #[test]
    fn too_few_distinct_values_give_no_bins() {
        assert_eq!(Bins::quantile(&[1.0, 2.0, 1.0, 2.0].repeat(100)), None);
        assert_eq!(Bins::quantile(&[3.0; 500]), None);
        assert_eq!(
            Bins::quantile(&(0..40).map(f64::from).collect::<Vec<_>>()),
            None,
            "too few rows"
        );
    }

    #[test]
    fn labels_read_as_whole_numbers_or_half_open_ranges() {
        let whole = Bins {
            edges: vec![5.0, 10.0, 11.0],
            integer: true,
        };
        let labels: Vec<String> = (0..4).map(|j| whole.label(j)).collect();
        assert_eq!(labels, ["<= 4", "5–9", "= 10", ">= 11"]);
        let fractional = Bins {
            edges: vec![0.5, 2.0],
            integer: false,
        };
        let labels: Vec<String> = (0..3).map(|j| fractional.label(j)).collect();
        assert_eq!(labels, ["< 0.5", "0.5 to < 2", ">= 2"]);
    }

    #[test]
    fn monotone_bins_pool_the_violators() {
        // Rate rises with the value except one dip: the dip is pooled away.
        let mut values = Vec::new();
        let mut converted = Vec::new();
        for v in 0..1000u32 {
            let decile = (v / 100) as usize;
            let rate = [1, 2, 3, 4, 2, 5, 6, 7, 8, 9][decile];
            values.push(f64::from(v));
            converted.push(v % 10 < rate);
        }
        let bins = Bins::monotone(&values, &converted).expect("bins");
        let mut stats = vec![(0usize, 0usize); bins.len()];
        for (v, c) in values.iter().zip(&converted) {
            let s = &mut stats[bins.index(*v)];
            s.0 += 1;
            s.1 += usize::from(*c);
        }
        let rates: Vec<f64> = stats.iter().map(|(n, k)| *k as f64 / *n as f64).collect();
        assert!(rates.windows(2).all(|w| w[0] < w[1]), "{rates:?}");
        // Deciles 3 to 5 (rates 0.3, 0.4, 0.2) pool into one bin at 0.3: 8 bins.
        assert_eq!(
            bins.edges(),
            [100.0, 200.0, 500.0, 600.0, 700.0, 800.0, 900.0]
        );
        // A falling rate is followed the other way.
        let falling: Vec<bool> = converted.iter().rev().copied().collect();
        let down = Bins::monotone(&values, &falling).expect("bins");
        assert_eq!(down.len(), 8);
    }
}
