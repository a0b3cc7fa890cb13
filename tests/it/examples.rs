//! Every example in `--help` and in README runs as written on the bundled
//! data, and the JSON README shows for its curl command is the service's real
//! answer to it.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::Value;

use crate::helpers::{leadscore, project_file, stdout, temp_dir};
use crate::service::{app_with, post_json, send};

/// A folder laid out like the project for the examples: `data/` and `models/`.
fn project_copy() -> tempfile::TempDir {
    let dir = temp_dir();
    for folder in ["data", "models"] {
        std::fs::create_dir(dir.path().join(folder)).expect("dir");
        for entry in std::fs::read_dir(project_file(folder)).expect("folder") {
            let path = entry.expect("entry").path();
            if path.is_file() {
                std::fs::copy(
                    &path,
                    dir.path()
                        .join(folder)
                        .join(path.file_name().expect("name")),
                )
                .expect("copy");
            }
        }
    }
    dir
}

/// The example command lines a `--help` text shows: lines that start with
/// `program`, joined with the lines they continue onto (a trailing `\`).
fn help_examples(program: &str, help: &str) -> Vec<String> {
    let mut examples = Vec::new();
    let mut lines = help.lines().map(str::trim);
    while let Some(line) = lines.next() {
        if !line.starts_with(&format!("{program} ")) {
            continue;
        }
        let mut command = line.to_string();
        while let Some(head) = command.strip_suffix('\\') {
            command = format!("{} {}", head.trim_end(), lines.next().unwrap_or("").trim());
        }
        examples.push(command);
    }
    examples
}

fn run_cli_line(dir: &Path, line: &str) {
    let words: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(words[0], "leadscore", "{line}");
    let out = leadscore(dir, &words[1..]);
    assert!(
        out.status.success(),
        "example failed: {line}\nstdout:\n{}\nstderr:\n{}",
        stdout(&out),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn every_help_example_of_the_cli_runs_as_written() {
    let dir = project_copy();
    let mut ran = 0;
    for command in [
        "generate", "train", "inspect", "score", "evaluate", "cutoffs", "backtest", "points",
        "export", "compare", "drift", "outcomes",
    ] {
        let help = stdout(&leadscore(dir.path(), &[command, "--help"]));
        let examples = help_examples("leadscore", &help);
        assert!(
            !examples.is_empty(),
            "`leadscore {command} --help` shows no example:\n{help}"
        );
        for line in examples {
            run_cli_line(dir.path(), &line);
            ran += 1;
        }
    }
    assert!(ran >= 21, "only {ran} examples found");
}

/// Command lines of README's code blocks that run leadscore on the bundled
/// data (synopsis lines with FILE/COLUMN placeholders or [options] are not examples).
fn readme_examples() -> Vec<String> {
    let readme = std::fs::read_to_string(project_file("README.md")).expect("README");
    let mut lines = Vec::new();
    for line in readme.lines() {
        let code = line.strip_prefix("    ").map(str::trim);
        let Some(code) = code else { continue };
        for part in code.split("&&").map(str::trim) {
            let part = part
                .strip_prefix("cargo run --release -- ")
                .map(|rest| format!("leadscore {rest}"))
                .unwrap_or_else(|| part.to_string());
            let placeholder = part.contains('[')
                || part.contains('|')
                || part.contains('…')
                || part.split_whitespace().any(|w| {
                    w.len() > 1
                        && w.chars()
                            .all(|c| c.is_ascii_uppercase() || c == '_' || c == ',')
                });
            if part.starts_with("leadscore ") && !placeholder {
                lines.push(part);
            }
        }
    }
    lines
}

#[test]
fn every_readme_example_of_the_cli_runs_as_written() {
    let dir = project_copy();
    let examples = readme_examples();
    assert!(examples.len() >= 8, "{examples:?}");
    assert!(
        examples[0].starts_with("leadscore train") && examples[1].starts_with("leadscore score"),
        "the quick start comes first: {examples:?}"
    );
    for line in &examples {
        run_cli_line(dir.path(), line);
    }
    // The quick start scores with the model it trained, and keeps models/ tidy.
    assert!(examples[1].contains(
        examples[0]
            .split("--out ")
            .nth(1)
            .unwrap_or("?")
            .split(' ')
            .next()
            .unwrap_or("?")
    ));
}

/// Start `leadscore-serve` as an example line gives it (environment
/// assignments first, comments after `#` dropped) in `dir`, and assert it
/// listens. Tests listen on 127.0.0.1 only, on a free port: `--addr` is the one change.
fn assert_serve_example_starts(dir: &Path, line: &str) {
    let line = line.split('#').next().unwrap_or("");
    let words: Vec<&str> = line.split_whitespace().collect();
    let at = words
        .iter()
        .position(|w| *w == "leadscore-serve")
        .expect("a leadscore-serve line");
    let mut command = Command::new(env!("CARGO_BIN_EXE_leadscore-serve"));
    for assignment in &words[..at] {
        let (k, v) = assignment.split_once('=').expect("VAR=value");
        command.env(k, v);
    }
    let mut args = Vec::new();
    let mut rest = words[at + 1..].iter();
    while let Some(w) = rest.next() {
        if *w == "--addr" {
            rest.next();
        } else {
            args.push(*w);
        }
    }
    let mut child = command
        .args(&args)
        .env("LEADSCORE_ADDR", "127.0.0.1:0")
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts");
    let stderr = child.stderr.take().expect("stderr");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for l in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(l);
        }
    });
    let mut listening = false;
    let mut seen = Vec::new();
    while let Ok(l) = rx.recv_timeout(Duration::from_secs(30)) {
        listening = l.contains("listening on http://127.0.0.1:");
        seen.push(l);
        if listening {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(listening, "{line} did not start:\n{}", seen.join("\n"));
}

/// Lines that run `leadscore-serve`, possibly after `VAR=value` assignments.
fn serve_lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| {
            let words: Vec<&str> = l.split_whitespace().collect();
            words
                .iter()
                .position(|w| *w == "leadscore-serve")
                .is_some_and(|at| words[..at].iter().all(|w| w.contains('=')))
        })
        .map(str::to_string)
        .collect()
}

#[test]
fn every_example_of_the_service_starts_it() {
    let dir = project_copy();
    let help = String::from_utf8_lossy(
        &Command::new(env!("CARGO_BIN_EXE_leadscore-serve"))
            .arg("--help")
            .output()
            .expect("runs")
            .stdout,
    )
    .into_owned();
    let from_help = serve_lines(&help);
    assert!(from_help.len() >= 3, "{help}");
    let readme = std::fs::read_to_string(project_file("README.md")).expect("README");
    let from_readme: Vec<String> = readme
        .lines()
        .filter(|l| l.starts_with("    "))
        .flat_map(serve_lines)
        .collect();
    assert!(from_readme.len() >= 3, "{from_readme:?}");
    for line in from_help.iter().chain(&from_readme) {
        assert_serve_example_starts(dir.path(), line);
    }
}

/// Each `curl … /v1/score … -d '{…}'` in README, with the JSON block that follows it.
fn readme_curl_answers() -> Vec<(Value, Value)> {
    let readme = std::fs::read_to_string(project_file("README.md")).expect("README");
    let mut pairs = Vec::new();
    let mut body: Option<Value> = None;
    let mut json_block: Option<String> = None;
    for line in readme.lines() {
        if let Some(block) = json_block.as_mut() {
            if line.trim() == "```" {
                let expected = serde_json::from_str(block).expect("README's JSON block parses");
                if let Some(request) = body.take() {
                    pairs.push((request, expected));
                }
                json_block = None;
            } else {
                block.push_str(line);
                block.push('\n');
            }
            continue;
        }
        if line.trim() == "```json" {
            json_block = Some(String::new());
        } else if let Some(data) = line.split("-d '").nth(1) {
            let data = data.trim_end().trim_end_matches('\'');
            body = Some(serde_json::from_str(data).expect("README's curl body parses"));
        }
    }
    pairs
}

#[tokio::test]
async fn readme_shows_the_real_answer_to_its_curl_command() {
    let pairs = readme_curl_answers();
    assert!(
        !pairs.is_empty(),
        "README shows no curl command with its answer"
    );
    let app = app_with(leadscore::server::ServerConfig::default());
    for (request, expected) in pairs {
        let (status, _, answer) = send(&app, post_json("/v1/score", &request)).await;
        assert_eq!(status, axum::http::StatusCode::OK, "{answer}");
        assert_eq!(answer, expected, "README's answer to {request} is stale");
    }
}
