//! `leadscore-serve` as a real process on 127.0.0.1, port 0: scoring over
//! HTTP, reload by admin endpoint and SIGHUP (good and bad model files), and
//! a SIGTERM that lets the request in flight finish before exiting.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::helpers::{project_file, temp_dir, write};
use crate::serve::Serve;
use crate::service::sample_leads;

fn start(models_dir: &Path) -> Serve {
    Serve::start_with(
        &["--models-dir", models_dir.to_str().expect("utf-8")],
        &[("LEADSCORE_ADMIN_TOKEN", "admin-secret")],
    )
}

/// Write a whole HTTP/1.1 request.
fn request_bytes(method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> String {
    let mut text = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
    for (k, v) in headers {
        text.push_str(&format!("{k}: {v}\r\n"));
    }
    text.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    text
}

/// Read a response to the end; return status and body as JSON (or as a string).
fn read_response(stream: &mut TcpStream) -> (u16, Value) {
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("response");
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").expect("a response head");
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status");
    let body = serde_json::from_str(body).unwrap_or(Value::String(body.to_string()));
    (status, body)
}

fn http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, Value) {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .expect("timeout");
    stream
        .write_all(request_bytes(method, path, headers, body).as_bytes())
        .expect("send");
    read_response(&mut stream)
}

const JSON: (&str, &str) = ("Content-Type", "application/json");
const ADMIN: (&str, &str) = ("Authorization", "Bearer admin-secret");

fn signal(server: &Serve, name: &str) {
    let status = Command::new("kill")
        .args([&format!("-{name}"), &server.child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
}

#[test]
fn the_real_server_scores_reloads_and_drains_on_sigterm() {
    let dir = temp_dir();
    let original = std::fs::read_to_string(project_file("models/default.json")).expect("model");
    let model_path = write(dir.path(), "default.json", &original);
    let mut server = start(dir.path());
    let lead = sample_leads(1).remove(0).to_string();

    // Score.
    let (status, first) = http(server.addr, "POST", "/v1/score", &[JSON], &lead);
    assert_eq!(status, 200, "{first}");
    let version_1 = first["model"]["version"]
        .as_str()
        .expect("version")
        .to_string();

    // Reload with a good file (new cut-offs) through the admin endpoint.
    let mut changed: Value = serde_json::from_str(&original).expect("json");
    changed["cutoffs"] = json!({"mql": 0.5, "sql": 0.9});
    std::fs::write(&model_path, changed.to_string()).expect("write");
    let (status, body) = http(server.addr, "POST", "/v1/admin/reload", &[ADMIN], "");
    assert_eq!(status, 200, "{body}");
    let (_, second) = http(server.addr, "POST", "/v1/score", &[JSON], &lead);
    let version_2 = second["model"]["version"]
        .as_str()
        .expect("version")
        .to_string();
    assert_ne!(version_1, version_2);
    assert_eq!(second["probability"], first["probability"]);

    // A bad file: the reload answers with the error, the old model serves on.
    std::fs::write(&model_path, "not a model").expect("write");
    let (status, body) = http(server.addr, "POST", "/v1/admin/reload", &[ADMIN], "");
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["code"], "reload_failed");
    let (status, third) = http(server.addr, "POST", "/v1/score", &[JSON], &lead);
    assert_eq!(status, 200);
    assert_eq!(third["model"]["version"], version_2.as_str());

    // SIGHUP reloads too: back to the original file.
    std::fs::write(&model_path, &original).expect("write");
    signal(&server, "HUP");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (_, now) = http(server.addr, "POST", "/v1/score", &[JSON], &lead);
        if now["model"]["version"] == version_1.as_str() {
            break;
        }
        assert!(Instant::now() < deadline, "SIGHUP did not reload: {now}");
        std::thread::sleep(Duration::from_millis(50));
    }

    // SIGTERM while a request is in flight: it still gets its answer.
    let request = request_bytes("POST", "/v1/score", &[JSON], &lead);
    let (head, rest) = request.split_at(request.len() - lead.len() / 2);
    let mut in_flight = TcpStream::connect(server.addr).expect("connect");
    in_flight
        .set_read_timeout(Some(Duration::from_secs(20)))
        .expect("timeout");
    in_flight
        .write_all(head.as_bytes())
        .expect("send the first part");
    std::thread::sleep(Duration::from_millis(200));
    signal(&server, "TERM");
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        server.child.try_wait().expect("wait").is_none(),
        "the server exited with a request in flight"
    );
    in_flight.write_all(rest.as_bytes()).expect("send the rest");
    let (status, body) = read_response(&mut in_flight);
    assert_eq!(status, 200, "{body}");
    assert!(body["probability"].is_number(), "{body}");
    let deadline = Instant::now() + Duration::from_secs(10);
    let exit = loop {
        if let Some(status) = server.child.try_wait().expect("wait") {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "the server did not stop after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(exit.success(), "exit status {exit:?}");
    // New connections are refused once it has stopped.
    assert!(TcpStream::connect(server.addr).is_err());
}

#[test]
fn startup_errors_are_one_line_and_exit_code_2() {
    let dir = temp_dir();
    write(dir.path(), "other.json", "{}");
    let out = Command::new(env!("CARGO_BIN_EXE_leadscore-serve"))
        .args([
            "--models-dir",
            dir.path().to_str().expect("utf-8"),
            "--addr",
            "127.0.0.1:0",
        ])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("other.json"), "{err}");
    let out = Command::new(env!("CARGO_BIN_EXE_leadscore-serve"))
        .args(["--model", "no/such/model.json", "--addr", "127.0.0.1:0"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no/such/model.json"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}
