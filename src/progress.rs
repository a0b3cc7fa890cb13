//! Progress reporting, decoupled from any terminal library: the library calls
//! these hooks, the CLI draws bars.

/// Receives progress of long-running work. Implementations must be cheap and
/// thread-safe (cross-validation folds report from worker threads).
pub trait Progress: Sync {
    /// A new phase starts with `total` steps (0 when unknown).
    fn start(&self, phase: &str, total: u64);
    /// `steps` more steps of the current phase are done.
    fn advance(&self, steps: u64);
    /// The current phase is done.
    fn finish(&self);
}

/// Reports nothing.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn start(&self, _phase: &str, _total: u64) {}
    fn advance(&self, _steps: u64) {}
    fn finish(&self) {}
}

/// One phase of long work: started when made, finished when dropped, so a
/// phase that ends with an error is closed too.
pub struct Phase<'a> {
    progress: &'a dyn Progress,
}

impl<'a> Phase<'a> {
    /// Start `phase` with `total` steps (0 when unknown).
    pub fn start(progress: &'a dyn Progress, phase: &str, total: u64) -> Phase<'a> {
        progress.start(phase, total);
        Phase { progress }
    }
}

impl Drop for Phase<'_> {
    fn drop(&mut self) {
        self.progress.finish();
    }
}

/// Writes one line to stderr when a phase starts and one, with its time, when
/// it ends: progress for logs and pipes, where bars would be noise.
#[derive(Debug, Default)]
pub struct Lines {
    current: std::sync::Mutex<Option<(String, std::time::Instant)>>,
}

impl Progress for Lines {
    fn start(&self, phase: &str, _total: u64) {
        eprintln!("progress: {phase}");
        if let Ok(mut current) = self.current.lock() {
            *current = Some((phase.to_string(), std::time::Instant::now()));
        }
    }

    fn advance(&self, _steps: u64) {}

    fn finish(&self) {
        if let Ok(mut current) = self.current.lock() {
            if let Some((phase, started)) = current.take() {
                let seconds = started.elapsed().as_secs_f64();
                eprintln!("progress: {phase}: done in {seconds:.1} s");
            }
        }
    }
}
