//! Progress bars on stderr (hidden automatically when stderr is not a terminal).

use std::sync::Mutex;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use leadscore::progress::Progress;

/// Draws one bar or spinner per phase.
#[derive(Default)]
pub struct Bars {
    current: Mutex<Option<ProgressBar>>,
}

impl Progress for Bars {
    fn start(&self, phase: &str, total: u64) {
        let bar = if total > 0 {
            ProgressBar::new(total).with_style(
                ProgressStyle::with_template("{msg:30} [{bar:30}] {pos}/{len} fits, {elapsed}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
            )
        } else {
            ProgressBar::new_spinner().with_style(
                ProgressStyle::with_template(
                    "{spinner} {msg}: {human_pos} rows, {per_sec}, {elapsed}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            )
        };
        bar.set_message(phase.to_string());
        bar.enable_steady_tick(Duration::from_millis(200));
        if let Ok(mut current) = self.current.lock() {
            *current = Some(bar);
        }
    }

    fn advance(&self, steps: u64) {
        if let Ok(current) = self.current.lock() {
            if let Some(bar) = current.as_ref() {
                bar.inc(steps);
            }
        }
    }

    fn finish(&self) {
        if let Ok(mut current) = self.current.lock() {
            if let Some(bar) = current.take() {
                bar.finish_and_clear();
            }
        }
    }
}
