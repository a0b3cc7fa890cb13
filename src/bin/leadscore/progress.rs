//! Progress on stderr: bars on a terminal; one `progress:` line when a phase
//! starts and one when it ends (with its time) otherwise, so a long job in a
//! log or a pipe is never silent.

use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};
use leadscore::progress::Progress;

/// Draws one bar or spinner per phase, or writes lines.
pub struct Bars {
    terminal: bool,
    current: Mutex<Option<(String, Instant, ProgressBar)>>,
}

impl Default for Bars {
    fn default() -> Self {
        Bars {
            terminal: std::io::stderr().is_terminal(),
            current: Mutex::new(None),
        }
    }
}

impl Progress for Bars {
    fn start(&self, phase: &str, total: u64) {
        let bar = if !self.terminal {
            eprintln!("progress: {phase}");
            ProgressBar::hidden()
        } else if total > 0 {
            ProgressBar::new(total).with_style(
                ProgressStyle::with_template("{msg:30} [{bar:30}] {pos}/{len} fits, {elapsed}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
            )
        } else {
            ProgressBar::new_spinner().with_style(
                ProgressStyle::with_template("{spinner} {msg}, {elapsed}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            )
        };
        bar.set_message(phase.to_string());
        if self.terminal {
            bar.enable_steady_tick(Duration::from_millis(200));
        }
        if let Ok(mut current) = self.current.lock() {
            *current = Some((phase.to_string(), Instant::now(), bar));
        }
    }

    fn advance(&self, steps: u64) {
        if let Ok(current) = self.current.lock() {
            if let Some((_, _, bar)) = current.as_ref() {
                bar.inc(steps);
            }
        }
    }

    fn finish(&self) {
        if let Ok(mut current) = self.current.lock() {
            if let Some((phase, started, bar)) = current.take() {
                bar.finish_and_clear();
                if !self.terminal {
                    eprintln!(
                        "progress: {phase}: done in {:.1} s",
                        started.elapsed().as_secs_f64()
                    );
                }
            }
        }
    }
}
