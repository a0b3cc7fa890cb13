//! Work spread over the cores: one scoped worker per core takes the next
//! index from a shared queue, so uneven items (a fold whose path stops late,
//! a feature with many distinct values) keep both cores busy.

use std::sync::atomic::{AtomicUsize, Ordering};

use crate::error::{Error, Result};

/// `work(i)` for every `i` in `0..n`, on at most `threads` workers; the
/// results in index order. A worker that panics is [`Error::WorkerPanicked`].
pub(super) fn map_on_cores<T: Send>(
    n: usize,
    threads: usize,
    work: impl Fn(usize) -> T + Sync,
) -> Result<Vec<T>> {
    let next = AtomicUsize::new(0);
    let mut done: Vec<(usize, T)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads.clamp(1, n.max(1)))
            .map(|_| {
                let (next, work) = (&next, &work);
                scope.spawn(move || {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= n {
                            return done;
                        }
                        done.push((i, work(i)));
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().map_err(|_| Error::WorkerPanicked))
            .collect::<Result<Vec<_>>>()
            .map(|lists| lists.into_iter().flatten().collect())
    })?;
    done.sort_by_key(|(i, _)| *i);
    Ok(done.into_iter().map(|(_, t)| t).collect())
}

/// The cores to use.
pub(super) fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

#[cfg(test)]
mod tests {
    use super::map_on_cores;

    #[test]
    fn results_come_back_in_index_order() {
        let squares = map_on_cores(10, 3, |i| i * i).expect("no panic");
        assert_eq!(squares, (0..10).map(|i| i * i).collect::<Vec<_>>());
        assert_eq!(
            map_on_cores(0, 2, |i| i).expect("empty"),
            Vec::<usize>::new()
        );
    }
}
