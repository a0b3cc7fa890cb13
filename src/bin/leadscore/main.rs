//! `leadscore`: the analyst's CLI. Parses flags, calls one library job per
//! command, prints its result; an error is one line, exit code 2 (bad input) or 1.

mod args;
mod progress;

use std::process::ExitCode;

use anyhow::Result;
use clap::Parser;
use serde::Serialize;

use args::{Cli, Command};
use leadscore::evaluate::job::{backtest_file, evaluate_file, recut, CutoffsJob};
use leadscore::model::artifact;
use leadscore::points::job::{PointsJob, ScaleChoice};
use leadscore::score::batch::{score_table, ScoreOptions, Table};
use leadscore::{demo, evaluate, model, points, score, train};

fn main() -> ExitCode {
    restore_sigpipe();
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            let library = err.downcast_ref::<leadscore::Error>();
            let flag = library
                .and_then(leadscore::Error::setting)
                .map(|setting| format!("--{}: ", setting.replace('_', "-")))
                .unwrap_or_default();
            let hint = library
                .and_then(hint)
                .map(|hint| format!(" ({hint})"))
                .unwrap_or_default();
            eprintln!("error: {flag}{err:#}{hint}");
            if library.is_some_and(leadscore::Error::is_user_error) {
                ExitCode::from(2)
            } else {
                ExitCode::from(1)
            }
        }
    }
}

/// `leadscore inspect … | head -1` must end quietly when `head` closes the
/// pipe, as other Unix tools do, not panic in `println!`: Rust ignores
/// SIGPIPE by default, so restore the default action (end the process).
fn restore_sigpipe() {
    #[cfg(unix)]
    // SAFETY: called first thing in main, before any thread exists; setting a
    // signal's disposition to the default has no other effect.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// The flag that fixes a library error, when there is one.
fn hint(err: &leadscore::Error) -> Option<String> {
    use leadscore::Error as E;
    match err {
        E::LabelNotBinary { .. } | E::AmbiguousPositive { .. } => {
            Some("pass --positive VALUE to name the converted value".into())
        }
        E::ColumnAllMissing { column, .. } => Some(format!("--exclude {column} leaves it out")),
        E::MalformedCsv { .. } => Some("pass --separator CHAR if the separator is wrong".into()),
        E::NoBacktestPeriod { .. } => Some("lower --min-train-rows or shorten --every".into()),
        _ => None,
    }
}

fn print_json<T: Serialize>(value: &T) -> Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

fn run(command: Command) -> Result<()> {
    match command {
        Command::Train(a) => {
            let outcome = train::job::run(&a.job()?, &*progress::reporter())?;
            if a.json {
                print_json(&outcome.summary())
            } else {
                print!("{}", outcome.text());
                Ok(())
            }
        }
        Command::Score(a) => {
            let model = artifact::load(&a.model)?;
            let options = ScoreOptions {
                reasons: a
                    .reasons
                    .then(|| model.points_scale().scorecard().unwrap_or_default()),
                read: a.read.options(None),
                batch_rows: a.batch_rows,
            };
            let input = Table::parse(a.input.as_os_str(), a.query.as_deref());
            if a.query.is_some() && !matches!(input, Table::Postgres { .. }) {
                return Err(leadscore::Error::InvalidArgument {
                    name: "query".into(),
                    message: "reads from PostgreSQL: give --input postgres://…".into(),
                }
                .into());
            }
            let output = Table::parse(a.output.as_os_str(), None);
            let summary = score_table(&model, &input, &output, &options, &*progress::reporter())?;
            if a.json {
                print_json(&summary)
            } else {
                let mut out = String::new();
                score::text::score_text(&mut out, &summary, &model);
                print!("{out}");
                Ok(())
            }
        }
        Command::Generate(a) => {
            let outcome = demo::job::generate_files(a.rows, a.seed, &a.out, a.truth.as_deref())?;
            println!("{outcome}");
            Ok(())
        }
        Command::Export(a) => {
            let model = artifact::load(&a.model)?;
            let args::ExportFormat::Sql = a.format;
            let sql = leadscore::export::select(
                &model,
                &leadscore::export::SqlOptions {
                    dialect: a.dialect,
                    table: a.table.clone(),
                    id: a.id.clone().or_else(|| model.schema().id.clone()),
                    view: a.view.clone(),
                    reasons: a.reasons,
                },
            )
            .map_err(leadscore::Error::from)?;
            match &a.out {
                Some(path) => {
                    leadscore::io::write::write_atomically(path, sql.as_bytes())?;
                    eprintln!("wrote {} ({} SQL)", path.display(), a.dialect);
                }
                None => print!("{sql}"),
            }
            Ok(())
        }
        Command::Compare(a) => {
            let [model_a, model_b] = <[_; 2]>::try_from(a.models).map_err(|given| {
                leadscore::Error::InvalidArgument {
                    name: "model".into(),
                    message: format!("give exactly two models (A, then B); got {}", given.len()),
                }
            })?;
            let (comparison, _) =
                evaluate::compare::compare_files(&evaluate::compare::CompareJob {
                    model_a,
                    model_b,
                    data: a.data,
                    read: a.read.options(None),
                    movers: a.movers,
                    report: a.report.clone(),
                })?;
            if a.json {
                return print_json(&comparison);
            }
            let mut out = String::new();
            evaluate::text::comparison_text(&mut out, &comparison);
            print!("{out}");
            if let Some(report) = &a.report {
                println!("report    {}", report.display());
            }
            Ok(())
        }
        Command::Drift(a) => {
            let drift = evaluate::drift::drift_file(
                &a.model,
                &a.data,
                &a.read.options(None),
                a.report.as_deref(),
            )?;
            if a.json {
                return print_json(&drift);
            }
            let mut out = String::new();
            evaluate::text::drift_text(&mut out, &drift);
            print!("{out}");
            if let Some(report) = &a.report {
                println!("report    {}", report.display());
            }
            Ok(())
        }
        Command::Outcomes(a) => {
            use evaluate::outcomes::{outcomes, outcomes_text, OutcomesJob, WhichScore};
            let report = outcomes(&OutcomesJob {
                log: leadscore::log::LogTarget::parse(&a.log_db),
                outcomes: a.outcomes,
                read: a.read.options(None),
                id: a.id,
                label: a.label,
                positive: a.positive,
                scores: match a.scores {
                    args::ScoresArg::First => WhichScore::First,
                    args::ScoresArg::Last => WhichScore::Last,
                },
            })?;
            if a.json {
                return print_json(&report);
            }
            let mut out = String::new();
            outcomes_text(&mut out, &report);
            print!("{out}");
            Ok(())
        }
        Command::Inspect(a) => {
            let model = artifact::load(&a.model)?;
            if a.json {
                print_json(&model)
            } else {
                let mut out = String::new();
                model::text::model_text(&mut out, &model, &a.model);
                print!("{out}");
                Ok(())
            }
        }
        Command::Evaluate(a) => {
            let read = a.read.options(None);
            let outcome = evaluate_file(&a.model, &a.data, &read, a.report.as_deref())?;
            if a.json {
                return print_json(&outcome.evaluation);
            }
            let mut out = String::new();
            evaluate::text::evaluation_text(&mut out, &outcome.evaluation);
            print!("{out}");
            if let Some(report) = &outcome.report_path {
                println!("report    {}", report.display());
            }
            Ok(())
        }
        Command::Cutoffs(a) => {
            let updated = recut(&CutoffsJob {
                model: a.model,
                data: a.data,
                read: a.read.options(None),
                mql: a.mql,
                sql: a.sql,
                date: a.date,
                out: a.out.clone(),
            })?;
            if a.json {
                return print_json(&serde_json::json!({
                    "model": a.out,
                    "cutoffs": updated.cutoffs(),
                    "choice": updated.cutoff_choice(),
                }));
            }
            let mut out = String::new();
            model::text::cutoff_text(&mut out, &updated);
            print!("{out}");
            println!("model     {}", a.out.display());
            Ok(())
        }
        Command::Backtest(a) => {
            let (read, config) = a.columns.train_config(&a.fit, None, None, None)?;
            let rows = backtest_file(
                &a.columns.data,
                &read,
                &config,
                a.every,
                a.min_train_rows,
                &*progress::reporter(),
            )?;
            if a.json {
                return print_json(&rows);
            }
            let mut out = String::new();
            evaluate::text::backtest_text(&mut out, &rows);
            print!("{out}");
            Ok(())
        }
        Command::Points(a) => {
            let outcome = points::job::run(&PointsJob {
                data: a.data.clone(),
                read: a.read.options(None),
                points: a.points.clone(),
                model: a.model.clone(),
                label: a.label.clone(),
                positive: a.positive.clone(),
                scale: ScaleChoice::from_settings(a.anchor, a.pdo, a.base_score, a.base_odds),
                csv: a.csv.clone(),
                report: a.report.clone(),
            })?;
            if a.json {
                return print_json(&outcome.comparison);
            }
            print!("{}", outcome.text());
            if let Some(report) = &a.report {
                println!("report written to {}", report.display());
            }
            if let Some(csv) = &a.csv {
                println!("suggested scheme written to {}", csv.display());
            }
            Ok(())
        }
    }
}
