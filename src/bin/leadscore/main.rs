//! `leadscore`: the analyst's command line. Parses arguments, calls the
//! library, prints summaries; errors become one line and exit code 2 (bad
//! input) or 1 (internal failure).

mod args;
mod output;
mod progress;

use std::process::ExitCode;

use clap::Parser;

use args::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Train(a) => args::run_train(*a),
        Command::Score(a) => args::run_score(a),
        Command::Generate(a) => args::run_generate(a),
        Command::Inspect(a) => args::run_inspect(a),
        Command::Evaluate(a) => args::run_evaluate(a),
        Command::Cutoffs(a) => args::run_cutoffs(a),
        Command::Backtest(a) => args::run_backtest(*a),
        Command::Points(a) => args::run_points(a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            let user_error = err
                .downcast_ref::<leadscore::Error>()
                .is_some_and(leadscore::Error::is_user_error);
            eprintln!("error: {err:#}");
            if user_error {
                ExitCode::from(2)
            } else {
                ExitCode::from(1)
            }
        }
    }
}
