//! The bounded queue and its writer thread. Scoring calls
//! [`PredictionLog::record`], which never blocks: a full queue drops the
//! record and counts it. The writer takes whatever is queued (up to a batch)
//! and writes it in one transaction, retrying a failed batch for a while
//! before counting its rows as failed. So every record handed to the log
//! ends up counted exactly once: written, dropped or failed.

use std::sync::mpsc::{sync_channel, Receiver, SyncSender, TrySendError};
use std::sync::Mutex;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use prometheus_client::metrics::counter::Counter;

use super::{open_store, LogRecord, LogTarget, Store};
use crate::error::Result;

/// Default records the queue holds before dropping.
pub const DEFAULT_CAPACITY: usize = 50_000;
/// Default most records per transaction.
pub const DEFAULT_BATCH_ROWS: usize = 1_000;
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
    Record(Box<LogRecord>),
    Close,
}

/// The prediction log: a bounded queue and its writer thread.
#[derive(Debug)]
pub struct PredictionLog {
    sender: SyncSender<Message>,
    counters: LogCounters,
    worker: Mutex<Option<JoinHandle<()>>>,
    target: LogTarget,
}

impl PredictionLog {
    /// Open the store (creating the file or table when absent, so a bad
    /// target fails at startup, not at the first lead) and start the writer.
    pub fn open(settings: &LogSettings, counters: LogCounters) -> Result<PredictionLog> {
        let (sender, receiver) = sync_channel(settings.capacity.max(1));
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
                    run(store, receiver, batch_rows, &worker_counters, &target);
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
            counters,
            worker: Mutex::new(Some(worker)),
            target: settings.target.clone(),
        })
    }

    /// Hand a record to the log without waiting; `false` when it was dropped
    /// (queue full or log closed), which is counted.
    pub fn record(&self, record: LogRecord) -> bool {
        match self.sender.try_send(Message::Record(Box::new(record))) {
            Ok(()) => {
                self.counters.queued.inc();
                true
            }
            Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => {
                self.counters.dropped.inc();
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
        let worker = self.worker.lock().ok().and_then(|mut w| w.take());
        if let Some(worker) = worker {
            // Blocks while the queue is full: the writer is draining it.
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
    batch_rows: usize,
    counters: &LogCounters,
    target: &LogTarget,
) {
    let mut batch: Vec<LogRecord> = Vec::with_capacity(batch_rows);
    let mut closing = false;
    while !closing {
        match receiver.recv() {
            Ok(Message::Record(r)) => batch.push(*r),
            Ok(Message::Close) | Err(_) => closing = true,
        }
        while !closing && batch.len() < batch_rows {
            match receiver.try_recv() {
                Ok(Message::Record(r)) => batch.push(*r),
                Ok(Message::Close) => closing = true,
                Err(_) => break,
            }
        }
        if closing {
            // Whatever was queued before the close.
            while let Ok(Message::Record(r)) = receiver.try_recv() {
                batch.push(*r);
            }
        }
        for chunk in batch.chunks(batch_rows) {
            write_with_retry(store.as_mut(), chunk, counters, target);
        }
        batch.clear();
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
