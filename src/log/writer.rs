//! The bounded queue and its writer thread. Scoring calls
//! [`PredictionLog::record`] once per request with that request's leads,
//! which never blocks: when the queue already holds its capacity in rows,
//! the request's records are dropped and counted. The writer takes whatever
//! is queued (up to a batch)
//! and writes it in one transaction, retrying a failed batch for a while
//! before counting its rows as failed. So every record handed to the log
//! ends up counted exactly once: written, dropped or failed.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use prometheus_client::metrics::counter::Counter;

use super::{open_store, LogRecord, LogTarget, Store};
use crate::error::Result;

/// Default records the queue holds before dropping.
pub const DEFAULT_CAPACITY: usize = 50_000;
/// Default most records per transaction.
pub const DEFAULT_BATCH_ROWS: usize = 1_000;
/// How long the writer waits after a batch smaller than a full one before
/// it looks for more: rows gather meanwhile, and requests hand them over
/// without waking a blocked writer (a futex call and a context switch per
/// request when it wakes for each).
pub const GATHER_PAUSE: Duration = Duration::from_millis(20);
/// How long a failing batch is retried before its rows count as failed.
pub const RETRY_FOR: Duration = Duration::from_secs(10);

/// How the log is set up.
#[derive(Debug, Clone)]
pub struct LogSettings {
    /// Where it goes.
    pub target: LogTarget,
    /// Records the queue holds; more are dropped and counted.
    pub capacity: usize,
    /// Most records per transaction.
    pub batch_rows: usize,
}

impl LogSettings {
    /// Default queue and batch sizes for `target`.
    pub fn new(target: LogTarget) -> LogSettings {
        LogSettings {
            target,
            capacity: DEFAULT_CAPACITY,
            batch_rows: DEFAULT_BATCH_ROWS,
        }
    }
}

/// What happened to the records handed to the log (Prometheus counters, so
/// the service exports them as they are).
#[derive(Debug, Clone, Default)]
pub struct LogCounters {
    /// Records accepted into the queue.
    pub queued: Counter,
    /// Records written to the store.
    pub written: Counter,
    /// Records dropped because the queue was full (or the writer stopped).
    pub dropped: Counter,
    /// Records lost because the store kept failing ([`RETRY_FOR`]).
    pub failed: Counter,
}

impl LogCounters {
    /// Records waiting in the queue or being written.
    pub fn pending(&self) -> u64 {
        self.queued
            .get()
            .saturating_sub(self.written.get() + self.failed.get())
    }
}

enum Message {
    /// One request's records.
    Records(Vec<LogRecord>),
    Close,
}

/// The prediction log: a bounded queue and its writer thread.
#[derive(Debug)]
pub struct PredictionLog {
    sender: Sender<Message>,
    /// Rows sent and not yet taken by the writer (the queue's fill, which
    /// `capacity` bounds; the channel itself is unbounded).
    queued_rows: Arc<AtomicUsize>,
    capacity: usize,
    closed: AtomicBool,
    counters: LogCounters,
    worker: Mutex<Option<JoinHandle<()>>>,
    target: LogTarget,
}

impl PredictionLog {
    /// Open the store (creating the file or table when absent, so a bad
    /// target fails at startup, not at the first lead) and start the writer.
    pub fn open(settings: &LogSettings, counters: LogCounters) -> Result<PredictionLog> {
        let (sender, receiver) = channel();
        let queued_rows = Arc::new(AtomicUsize::new(0));
        let worker_rows = Arc::clone(&queued_rows);
        let worker_counters = counters.clone();
        let batch_rows = settings.batch_rows.max(1);
        let target = settings.target.clone();
        // The store is opened on the writer's own thread: the PostgreSQL
        // client is synchronous and must not run inside the service's async
        // runtime. The thread reports whether it opened before writing.
        let (opened, outcome) = std::sync::mpsc::channel();
        let worker = std::thread::Builder::new()
            .name("prediction-log".into())
            .spawn(move || match open_store(&target) {
                Ok(store) => {
                    let _ = opened.send(Ok(()));
                    run(
                        store,
                        receiver,
                        &worker_rows,
                        batch_rows,
                        &worker_counters,
                        &target,
                    );
                }
                Err(e) => {
                    let _ = opened.send(Err(e));
                }
            })
            .map_err(|e| crate::Error::Database {
                target: settings.target.display(),
                message: format!("cannot start the log writer: {e}"),
            })?;
        outcome.recv().unwrap_or_else(|_| {
            Err(crate::Error::Database {
                target: settings.target.display(),
                message: "the log writer stopped while opening the log".into(),
            })
        })?;
        Ok(PredictionLog {
            sender,
            queued_rows,
            capacity: settings.capacity.max(1),
            closed: AtomicBool::new(false),
            counters,
            worker: Mutex::new(Some(worker)),
            target: settings.target.clone(),
        })
    }

    /// Hand one request's records to the log without waiting; `false` when
    /// they were dropped (the queue holds its capacity, or the log is
    /// closed), which is counted. One message per request keeps the
    /// request path to one channel send, whatever its number of leads.
    pub fn record(&self, records: Vec<LogRecord>) -> bool {
        let n = records.len();
        if n == 0 {
            return true;
        }
        let before = self.queued_rows.fetch_add(n, Ordering::AcqRel);
        if before + n > self.capacity || self.closed.load(Ordering::Acquire) {
            self.queued_rows.fetch_sub(n, Ordering::AcqRel);
            self.counters.dropped.inc_by(n as u64);
            return false;
        }
        match self.sender.send(Message::Records(records)) {
            Ok(()) => {
                self.counters.queued.inc_by(n as u64);
                true
            }
            Err(_) => {
                self.queued_rows.fetch_sub(n, Ordering::AcqRel);
                self.counters.dropped.inc_by(n as u64);
                false
            }
        }
    }

    /// The counters.
    pub fn counters(&self) -> &LogCounters {
        &self.counters
    }

    /// Where the log goes.
    pub fn target(&self) -> &LogTarget {
        &self.target
    }

    /// Write what is queued and stop the writer (waits for it). Records
    /// handed in afterwards are dropped and counted.
    pub fn close(&self) {
        self.closed.store(true, Ordering::Release);
        let worker = self.worker.lock().ok().and_then(|mut w| w.take());
        if let Some(worker) = worker {
            let _ = self.sender.send(Message::Close);
            let _ = worker.join();
        }
    }
}

impl Drop for PredictionLog {
    fn drop(&mut self) {
        self.close();
    }
}

fn run(
    mut store: Box<dyn Store>,
    receiver: Receiver<Message>,
    queued_rows: &AtomicUsize,
    batch_rows: usize,
    counters: &LogCounters,
    target: &LogTarget,
) {
    let mut batch: Vec<LogRecord> = Vec::with_capacity(batch_rows);
    let mut closing = false;
    let take = |batch: &mut Vec<LogRecord>, records: Vec<LogRecord>| {
        queued_rows.fetch_sub(records.len(), Ordering::AcqRel);
        batch.extend(records);
    };
    while !closing {
        match receiver.recv() {
            Ok(Message::Records(r)) => take(&mut batch, r),
            Ok(Message::Close) | Err(_) => closing = true,
        }
        while !closing && batch.len() < batch_rows {
            match receiver.try_recv() {
                Ok(Message::Records(r)) => take(&mut batch, r),
                Ok(Message::Close) => closing = true,
                Err(_) => break,
            }
        }
        if closing {
            // Whatever was queued before the close.
            while let Ok(Message::Records(r)) = receiver.try_recv() {
                take(&mut batch, r);
            }
        }
        for chunk in batch.chunks(batch_rows) {
            write_with_retry(store.as_mut(), chunk, counters, target);
        }
        let full = batch.len() >= batch_rows;
        batch.clear();
        if !closing && !full {
            std::thread::sleep(GATHER_PAUSE);
        }
    }
}

/// Write one batch, retrying with growing pauses for [`RETRY_FOR`]; then
/// count its rows as failed.
fn write_with_retry(
    store: &mut dyn Store,
    batch: &[LogRecord],
    counters: &LogCounters,
    target: &LogTarget,
) {
    let started = Instant::now();
    let mut pause = Duration::from_millis(50);
    loop {
        match store.write(batch) {
            Ok(()) => {
                counters.written.inc_by(batch.len() as u64);
                return;
            }
            Err(e) if started.elapsed() < RETRY_FOR => {
                tracing::warn!(log = %target, error = %e, rows = batch.len(), "prediction log write failed; retrying");
                // Sleep without consuming messages: the queue keeps filling
                // (and dropping, counted) while the store is down.
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_secs(1));
            }
            Err(e) => {
                tracing::error!(log = %target, error = %e, rows = batch.len(), "prediction log write failed; rows lost (counted in leadscore_prediction_log_failed)");
                counters.failed.inc_by(batch.len() as u64);
                return;
            }
        }
    }
}
