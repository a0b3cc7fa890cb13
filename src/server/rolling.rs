//! Rolling PSI of the score: per served model, the last N probabilities it
//! gave, counted in the bins of its training score histogram, so `/metrics`
//! shows whether live traffic still looks like training.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use crate::evaluate::psi::psi;
use crate::model::reference::NumericHistogram;

/// Default leads in the window.
pub const DEFAULT_WINDOW: usize = 1000;

/// One model's window.
#[derive(Debug)]
struct Window {
    version: String,
    reference: NumericHistogram,
    bins: VecDeque<u16>,
    counts: Vec<u64>,
}

/// A model's rolling PSI now.
#[derive(Debug, Clone, PartialEq)]
pub struct RollingPsi {
    /// Model name.
    pub model: String,
    /// Model version.
    pub version: String,
    /// Leads in the window.
    pub leads: usize,
    /// PSI of their scores against training.
    pub psi: f64,
}

/// The windows of every served model that has a training distribution.
#[derive(Debug)]
pub struct RollingScores {
    window: usize,
    models: Mutex<HashMap<String, Window>>,
}

impl RollingScores {
    /// Windows of `window` leads (at least 1).
    pub fn new(window: usize) -> RollingScores {
        RollingScores {
            window: window.max(1),
            models: Mutex::new(HashMap::new()),
        }
    }

    /// Add the probabilities `model` (at `version`, with training score
    /// histogram `reference`) just gave. A new version starts a new window.
    pub fn observe(
        &self,
        model: &str,
        version: &str,
        reference: &NumericHistogram,
        probabilities: impl Iterator<Item = f64>,
    ) {
        let Ok(mut models) = self.models.lock() else {
            return;
        };
        if !models.contains_key(model) {
            models.insert(
                model.to_string(),
                Window {
                    version: String::new(),
                    reference: reference.clone(),
                    bins: VecDeque::new(),
                    counts: Vec::new(),
                },
            );
        }
        let Some(window) = models.get_mut(model) else {
            return;
        };
        if window.version != version {
            *window = Window {
                version: version.to_string(),
                reference: reference.clone(),
                bins: VecDeque::with_capacity(self.window),
                counts: vec![0; reference.counts.len()],
            };
        }
        for p in probabilities {
            let bin = window.reference.bin(p);
            if window.bins.len() == self.window {
                if let Some(old) = window.bins.pop_front() {
                    window.counts[usize::from(old)] -= 1;
                }
            }
            window.bins.push_back(bin as u16);
            window.counts[bin] += 1;
        }
    }

    /// Every window's PSI now.
    pub fn snapshot(&self) -> Vec<RollingPsi> {
        let Ok(models) = self.models.lock() else {
            return Vec::new();
        };
        models
            .iter()
            .map(|(name, w)| RollingPsi {
                model: name.clone(),
                version: w.version.clone(),
                leads: w.bins.len(),
                psi: psi(&w.reference.counts, &w.counts),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference() -> NumericHistogram {
        NumericHistogram {
            edges: vec![0.1, 0.2, 0.5],
            counts: vec![40, 30, 20, 10],
            missing: 0,
        }
    }

    #[test]
    fn the_window_keeps_the_last_leads_and_matches_psi_by_hand() {
        let r = RollingScores::new(10);
        // 20 old leads all in the top bin, then 10 spread 3/3/2/2: only
        // the last 10 count.
        r.observe("m", "v1", &reference(), std::iter::repeat_n(0.9, 20));
        let spread = [0.05, 0.05, 0.05, 0.15, 0.15, 0.15, 0.3, 0.3, 0.7, 0.7];
        r.observe("m", "v1", &reference(), spread.into_iter());
        let s = r.snapshot();
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].leads, 10);
        let by_hand = psi(&[40, 30, 20, 10], &[3, 3, 2, 2]);
        assert!((s[0].psi - by_hand).abs() < 1e-15);
        // A new version restarts the window.
        r.observe("m", "v2", &reference(), [0.9].into_iter());
        assert_eq!(r.snapshot()[0].leads, 1);
    }
}
