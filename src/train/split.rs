//! Which rows train and which are held out (the newest by date, else a
//! stratified random share), and the stratified cross-validation folds.

use rand::seq::SliceRandom;
use rand::{rngs::StdRng, SeedableRng};

/// Row indices of the training part and the holdout.
#[derive(Debug, Clone)]
pub struct Split {
    /// Rows to fit on.
    pub train: Vec<usize>,
    /// Rows held out.
    pub holdout: Vec<usize>,
}

/// Newest `fraction` of rows by date when dates are given (ties broken by
/// row order), else a stratified random `fraction` of each class.
pub fn split_rows(y: &[bool], dates: Option<&[i64]>, fraction: f64, seed: u64) -> Split {
    let n = y.len();
    match dates {
        Some(d) => {
            let mut order: Vec<usize> = (0..n).collect();
            order.sort_by_key(|&r| (d[r], r));
            let n_holdout = ((n as f64) * fraction).round() as usize;
            let holdout = order.split_off(n - n_holdout.min(n));
            order.sort_unstable();
            let mut holdout = holdout;
            holdout.sort_unstable();
            Split {
                train: order,
                holdout,
            }
        }
        None => {
            let mut rng = StdRng::seed_from_u64(seed);
            let (mut train, mut holdout) = (Vec::new(), Vec::new());
            for class in [true, false] {
                let mut rows: Vec<usize> = (0..n).filter(|&r| y[r] == class).collect();
                rows.shuffle(&mut rng);
                let k = ((rows.len() as f64) * fraction).round() as usize;
                holdout.extend_from_slice(&rows[..k]);
                train.extend_from_slice(&rows[k..]);
            }
            train.sort_unstable();
            holdout.sort_unstable();
            Split { train, holdout }
        }
    }
}

/// Stratified fold assignment: each class shuffled and dealt round-robin.
pub fn stratified_folds(y: &[bool], folds: usize, seed: u64) -> Vec<usize> {
    let mut rng = StdRng::seed_from_u64(seed.wrapping_add(1));
    let mut fold_of = vec![0; y.len()];
    for class in [true, false] {
        let mut rows: Vec<usize> = (0..y.len()).filter(|&r| y[r] == class).collect();
        rows.shuffle(&mut rng);
        for (i, r) in rows.into_iter().enumerate() {
            fold_of[r] = i % folds;
        }
    }
    fold_of
}

/// At most `max_rows` of the rows, stratified by class and spread evenly
/// (every k-th row of each class after a seeded shuffle); all rows when there
/// are no more than that. Indices are sorted.
pub fn cv_sample(y: &[bool], max_rows: usize, seed: u64) -> Vec<usize> {
    if y.len() <= max_rows {
        return (0..y.len()).collect();
    }
    let mut rng = StdRng::seed_from_u64(seed.wrapping_add(2));
    let share = max_rows as f64 / y.len() as f64;
    let mut sample = Vec::with_capacity(max_rows);
    for class in [true, false] {
        let mut rows: Vec<usize> = (0..y.len()).filter(|&r| y[r] == class).collect();
        rows.shuffle(&mut rng);
        let k = ((rows.len() as f64) * share).round() as usize;
        sample.extend_from_slice(&rows[..k.min(rows.len())]);
    }
    sample.sort_unstable();
    sample
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_split_holds_out_the_newest_rows() {
        let y = vec![
            true, false, false, true, false, false, false, false, true, false,
        ];
        let dates: Vec<i64> = vec![9, 1, 8, 2, 7, 3, 6, 4, 5, 0];
        let s = split_rows(&y, Some(&dates), 0.2, 1);
        assert_eq!(s.holdout, vec![0, 2]);
        let newest_train = s.train.iter().map(|&r| dates[r]).max();
        assert!(newest_train < s.holdout.iter().map(|&r| dates[r]).min());
    }

    #[test]
    fn random_split_is_stratified_and_disjoint() {
        let y: Vec<bool> = (0..1000).map(|i| i % 10 == 0).collect();
        let s = split_rows(&y, None, 0.2, 42);
        assert_eq!(s.holdout.len(), 200);
        assert_eq!(s.holdout.iter().filter(|&&r| y[r]).count(), 20);
        let mut all: Vec<usize> = s.train.iter().chain(&s.holdout).copied().collect();
        all.sort_unstable();
        assert_eq!(all, (0..1000).collect::<Vec<_>>());
    }

    #[test]
    fn the_cv_sample_is_stratified_and_bounded() {
        let y: Vec<bool> = (0..10_000).map(|i| i % 10 == 0).collect();
        let s = cv_sample(&y, 2_000, 42);
        assert_eq!(s.len(), 2_000);
        assert_eq!(s.iter().filter(|&&r| y[r]).count(), 200);
        assert!(s.windows(2).all(|w| w[0] < w[1]), "sorted, no repeats");
        assert_eq!(
            cv_sample(&y[..500], 2_000, 42),
            (0..500).collect::<Vec<_>>()
        );
    }

    #[test]
    fn folds_are_stratified() {
        let y: Vec<bool> = (0..500).map(|i| i % 5 == 0).collect();
        let folds = stratified_folds(&y, 5, 7);
        for f in 0..5 {
            let pos = (0..500).filter(|&r| folds[r] == f && y[r]).count();
            assert_eq!(pos, 20, "fold {f}");
        }
    }
}
