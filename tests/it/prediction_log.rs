//! The service's prediction log as a real process on 127.0.0.1: a 20-second
//! loopback load while another connection holds the SQLite database locked
//! (and, against a real PostgreSQL, with every insert slowed by a trigger):
//! every scored lead is either in the log or counted as dropped, exactly.
//! Shadow scoring logs both models under one key with the challenger's
//! `leadscore score` probabilities, and `leadscore outcomes` joins repeated
//! and missing ids as it says.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::drift::drift_json;
use crate::helpers::{
    assert_ok, column, leadscore, parse_csv, project_file, stdout, temp_dir, write,
};
use crate::pg::Postgres;
use crate::serve::Serve;
use crate::service::sample_leads;

/// One keep-alive HTTP/1.1 connection.
struct Conn {
    stream: TcpStream,
}

impl Conn {
    fn open(addr: SocketAddr) -> Conn {
        let stream = TcpStream::connect(addr).expect("connect");
        stream.set_nodelay(true).expect("nodelay");
        Conn { stream }
    }

    fn send(&mut self, method: &str, path: &str, body: &str) -> (u16, String) {
        let request = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        self.stream.write_all(request.as_bytes()).expect("write");
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") {
            self.stream.read_exact(&mut byte).expect("response head");
            head.push(byte[0]);
        }
        let head = String::from_utf8_lossy(&head).into_owned();
        let status = head
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .expect("status");
        let length: usize = head
            .lines()
            .find_map(|l| {
                let (k, v) = l.split_once(':')?;
                k.eq_ignore_ascii_case("content-length")
                    .then(|| v.trim().parse().ok())?
            })
            .expect("content-length");
        let mut body = vec![0u8; length];
        self.stream.read_exact(&mut body).expect("body");
        (status, String::from_utf8_lossy(&body).into_owned())
    }
}

/// A counter or gauge from /metrics (`name` without `_total`).
fn metric(addr: SocketAddr, name: &str) -> u64 {
    let (status, text) = Conn::open(addr).send("GET", "/metrics", "");
    assert_eq!(status, 200);
    text.lines()
        .find_map(|l| {
            let rest = l.strip_prefix(name)?;
            let rest = rest.strip_prefix("_total").unwrap_or(rest);
            rest.strip_prefix(' ')?.trim().parse::<f64>().ok()
        })
        .unwrap_or_else(|| panic!("{name} in /metrics:\n{text}")) as u64
}

struct Accounting {
    scored: u64,
    queued: u64,
    written: u64,
    dropped: u64,
    failed: u64,
}

/// Drive `addr` with 4 keep-alive clients for `seconds`, 10 leads per
/// request; run `during` on the side at the start. Then wait until the log
/// has nothing pending and read its counters.
fn load(addr: SocketAddr, seconds: u64, during: impl FnOnce() + Send + 'static) -> Accounting {
    let leads = sample_leads(500);
    let bodies: Arc<Vec<String>> = Arc::new(
        leads
            .chunks(10)
            .map(|c| json!({ "leads": c }).to_string())
            .collect(),
    );
    let scored = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let side = std::thread::spawn(during);
    let clients: Vec<_> = (0..4)
        .map(|k| {
            let (bodies, scored, stop) = (bodies.clone(), scored.clone(), stop.clone());
            std::thread::spawn(move || {
                let mut conn = Conn::open(addr);
                let mut i = k;
                while !stop.load(Ordering::Relaxed) {
                    let (status, body) = conn.send("POST", "/v1/score", &bodies[i % bodies.len()]);
                    assert_eq!(status, 200, "{body}");
                    let v: Value = serde_json::from_str(&body).expect("json");
                    let n = v["results"].as_array().expect("results").len();
                    scored.fetch_add(n as u64, Ordering::Relaxed);
                    i += 4;
                }
            })
        })
        .collect();
    std::thread::sleep(Duration::from_secs(seconds));
    stop.store(true, Ordering::Relaxed);
    for c in clients {
        c.join().expect("client");
    }
    side.join().expect("side");
    let start = Instant::now();
    while metric(addr, "leadscore_prediction_log_pending") > 0 {
        assert!(start.elapsed() < Duration::from_secs(60), "the log drains");
        std::thread::sleep(Duration::from_millis(100));
    }
    Accounting {
        scored: scored.load(Ordering::Relaxed),
        queued: metric(addr, "leadscore_prediction_log_queued"),
        written: metric(addr, "leadscore_prediction_log_written"),
        dropped: metric(addr, "leadscore_prediction_log_dropped"),
        failed: metric(addr, "leadscore_prediction_log_failed"),
    }
}

fn check(a: &Accounting, rows_in_log: u64) {
    eprintln!(
        "scored {} queued {} written {} dropped {} failed {} rows {}",
        a.scored, a.queued, a.written, a.dropped, a.failed, rows_in_log
    );
    assert!(a.scored > 10_000, "a real load: {} leads", a.scored);
    assert_eq!(
        a.queued + a.dropped,
        a.scored,
        "every scored lead is queued or dropped"
    );
    assert_eq!(
        a.written + a.failed,
        a.queued,
        "every queued lead is written or failed"
    );
    assert_eq!(a.failed, 0, "the store recovered within the retry window");
    assert_eq!(
        rows_in_log, a.written,
        "the log holds exactly what it says it wrote"
    );
    assert!(
        a.dropped > 0,
        "the slow database forced drops: the test would not see them otherwise"
    );
}

#[test]
fn a_locked_sqlite_log_under_20_seconds_of_load_loses_nothing_uncounted() {
    let dir = temp_dir();
    let db = dir.path().join("predictions.sqlite");
    let model = project_file("models/default.json");
    let server = Serve::start(&[
        "--model",
        model.to_str().expect("utf-8"),
        "--log-db",
        db.to_str().expect("utf-8"),
        "--log-queue",
        "2000",
    ]);
    let locked = db.clone();
    let accounting = load(server.addr, 20, move || {
        // Another process holds the database for 4 s: the writer's
        // transactions fail and are retried; the queue fills and drops.
        std::thread::sleep(Duration::from_secs(3));
        let connection = rusqlite::Connection::open(&locked).expect("open");
        connection.execute_batch("BEGIN EXCLUSIVE").expect("lock");
        std::thread::sleep(Duration::from_secs(4));
        connection.execute_batch("COMMIT").expect("unlock");
    });
    server.stop();
    let connection = rusqlite::Connection::open(&db).expect("open");
    let rows: u64 = connection
        .query_row("SELECT count(*) FROM leadscore_predictions", [], |r| {
            r.get(0)
        })
        .expect("count");
    check(&accounting, rows);
    let (with_id, with_reasons, with_fields): (u64, u64, u64) = connection
        .query_row(
            "SELECT count(lead_id), count(reasons), count(fields) FROM leadscore_predictions",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .expect("columns");
    assert_eq!((with_id, with_reasons, with_fields), (rows, rows, 0));
}

#[test]
fn a_slow_postgresql_log_loses_nothing_uncounted() {
    let pg = Postgres::start();
    pg.psql(
        "CREATE FUNCTION slow() RETURNS trigger AS $$ BEGIN PERFORM pg_sleep(0.002); RETURN NEW; END $$ LANGUAGE plpgsql;",
    );
    let model = project_file("models/default.json");
    let url = pg.url("table=live_scores");
    let server = Serve::start(&[
        "--model",
        model.to_str().expect("utf-8"),
        "--log-db",
        &url,
        "--log-queue",
        "2000",
    ]);
    // The table exists once the server started; every row inserted now takes 2 ms.
    pg.psql(
        "CREATE TRIGGER slow BEFORE INSERT ON live_scores FOR EACH ROW EXECUTE FUNCTION slow();",
    );
    let accounting = load(server.addr, 8, || {});
    server.stop();
    let rows: u64 = pg
        .psql("SELECT count(*) FROM live_scores")
        .trim()
        .parse()
        .expect("count");
    check(&accounting, rows);
}

/// role, request key, lead id, probability, fields.
type LoggedRow = (String, String, Option<String>, f64, Option<String>);

#[test]
fn shadow_scores_are_logged_beside_the_served_ones_and_outcomes_join_them() {
    let dir = temp_dir();
    let models = dir.path().join("models");
    std::fs::create_dir(&models).expect("dir");
    for name in ["default", "challenger"] {
        std::fs::copy(
            project_file(&format!("models/{name}.json")),
            models.join(format!("{name}.json")),
        )
        .expect("copy");
    }
    let db = dir.path().join("p.sqlite");
    let server = Serve::start(&[
        "--models-dir",
        models.to_str().expect("utf-8"),
        "--shadow",
        "challenger",
        "--log-db",
        db.to_str().expect("utf-8"),
        "--log-fields",
    ]);
    let leads = sample_leads(60);
    let mut conn = Conn::open(server.addr);
    // 60 leads one by one, the first 20 again, 5 without their id.
    let mut sent = leads.clone();
    sent.extend(leads[..20].iter().cloned());
    for lead in &leads[..5] {
        let mut anonymous = lead.clone();
        anonymous.as_object_mut().expect("object").remove("lead_id");
        sent.push(anonymous);
    }
    let mut answered = Vec::new();
    for lead in &sent {
        let (status, body) = conn.send("POST", "/v1/score", &lead.to_string());
        assert_eq!(status, 200, "{body}");
        let v: Value = serde_json::from_str(&body).expect("json");
        assert_eq!(v["model"]["name"], "default", "the default model answers");
        answered.push(v["probability"].as_f64().expect("p"));
    }
    drop(conn);
    server.stop();

    let connection = rusqlite::Connection::open(&db).expect("open");
    let mut query = connection
        .prepare("SELECT role, request, lead_id, probability, fields FROM leadscore_predictions ORDER BY seq")
        .expect("query");
    let rows: Vec<LoggedRow> = query
        .query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .expect("rows")
        .map(|r| r.expect("row"))
        .collect();
    let served: Vec<_> = rows.iter().filter(|r| r.0 == "served").collect();
    let shadow: Vec<_> = rows.iter().filter(|r| r.0 == "shadow").collect();
    assert_eq!((served.len(), shadow.len()), (sent.len(), sent.len()));
    for (s, p) in served.iter().zip(&answered) {
        assert_eq!(s.3, *p, "the logged probability is the one answered");
        assert!(
            s.4.as_deref().is_some_and(|f| f.contains("website_visits")),
            "--log-fields"
        );
    }
    let shadow_by_key: HashMap<&str, f64> = shadow.iter().map(|r| (r.1.as_str(), r.3)).collect();
    assert!(
        served
            .iter()
            .all(|s| shadow_by_key.contains_key(s.1.as_str())),
        "one key for both"
    );

    // The challenger's shadow scores are `leadscore score`'s.
    let data = project_file("data/leads.csv");
    let text = std::fs::read_to_string(&data).expect("data");
    let first: String = text.lines().take(61).map(|l| format!("{l}\n")).collect();
    let input = write(dir.path(), "first.csv", &first);
    assert_ok(&leadscore(
        dir.path(),
        &[
            "score",
            "--model",
            models.join("challenger.json").to_str().expect("utf-8"),
            "--input",
            input.to_str().expect("utf-8"),
            "--output",
            "challenger.csv",
        ],
    ));
    let (header, scored) =
        parse_csv(&std::fs::read_to_string(dir.path().join("challenger.csv")).expect("csv"));
    let ids = column(&header, &scored, "lead_id");
    let probabilities = column(&header, &scored, "probability");
    for (s, lead) in served.iter().zip(&sent).take(60) {
        let id = lead["lead_id"].as_str().expect("id");
        assert_eq!(s.2.as_deref(), Some(id));
        let k = ids.iter().position(|i| *i == id).expect("scored");
        let p: f64 = probabilities[k].parse().expect("p");
        assert!((shadow_by_key[s.1.as_str()] - p).abs() < 1e-12, "{id}");
    }

    // Outcomes: ids repeated (once disagreeing) and one blank.
    let (h, r) = parse_csv(&text);
    let converted = column(&h, &r, "converted");
    let lead_ids = column(&h, &r, "lead_id");
    let mut outcomes = String::from("lead_id,converted\n");
    for k in 0..60 {
        outcomes.push_str(&format!("{},{}\n", lead_ids[k], converted[k]));
    }
    outcomes.push_str(&format!("{},{}\n", lead_ids[0], converted[0]));
    outcomes.push_str(",yes\n");
    write(dir.path(), "outcomes.csv", &outcomes);
    let out = leadscore(
        dir.path(),
        &[
            "outcomes",
            "--log-db",
            db.to_str().expect("utf-8"),
            "--outcomes",
            "outcomes.csv",
            "--id",
            "lead_id",
            "--label",
            "converted",
            "--json",
        ],
    );
    assert_ok(&out);
    let o: Value = serde_json::from_str(&stdout(&out)).expect("json");
    assert_eq!(
        o["logged_without_id"].as_u64(),
        Some(10),
        "5 served + 5 shadow"
    );
    assert_eq!(o["outcome_rows_without_id"].as_u64(), Some(1));
    assert_eq!(o["repeated_outcome_ids"].as_u64(), Some(1));
    let versions = o["versions"].as_array().expect("versions");
    assert_eq!(versions.len(), 2);
    // The served model's live AUC from its first score per lead, by pair counting.
    let y: Vec<bool> = (0..60).map(|k| converted[k] == "yes").collect();
    let p = &answered[..60];
    let (mut wins, mut pairs) = (0.0, 0.0);
    for i in (0..60).filter(|&i| y[i]) {
        for j in (0..60).filter(|&j| !y[j]) {
            pairs += 1.0;
            wins += if p[i] > p[j] {
                1.0
            } else if p[i] == p[j] {
                0.5
            } else {
                0.0
            };
        }
    }
    let v = versions
        .iter()
        .find(|v| v["role"] == "served")
        .expect("served");
    assert_eq!(
        (v["leads"].as_u64(), v["joined"].as_u64()),
        (Some(60), Some(60))
    );
    assert_eq!(
        v["converted"].as_u64(),
        Some(y.iter().filter(|c| **c).count() as u64)
    );
    let auc = v["metrics"]["roc_auc"].as_f64().expect("auc");
    assert!(
        (auc - wins / pairs).abs() < 1e-12,
        "{auc} vs {}",
        wins / pairs
    );
    let stage_leads: u64 = v["stages"]
        .as_array()
        .expect("stages")
        .iter()
        .map(|s| s["leads"].as_u64().expect("n"))
        .sum();
    assert_eq!(stage_leads, 60);
    assert!(versions
        .iter()
        .any(|v| v["role"] == "shadow" && v["model"] == "challenger"));
}

/// `leadscore_score_psi{model,version}` from /metrics.
fn rolling_psi(addr: SocketAddr) -> (f64, u64) {
    let (status, text) = Conn::open(addr).send("GET", "/metrics", "");
    assert_eq!(status, 200);
    let value = |prefix: &str| {
        text.lines()
            .find_map(|l| {
                l.strip_prefix(prefix)?
                    .rsplit_once(' ')?
                    .1
                    .trim()
                    .parse::<f64>()
                    .ok()
            })
            .unwrap_or_else(|| panic!("{prefix} in /metrics:\n{text}"))
    };
    (
        value("leadscore_score_psi{"),
        value("leadscore_score_psi_window_leads{") as u64,
    )
}

#[test]
fn the_rolling_psi_in_metrics_is_drifts_score_psi_over_the_same_leads() {
    let dir = temp_dir();
    let model = project_file("models/default.json");
    let server = Serve::start(&[
        "--model",
        model.to_str().expect("utf-8"),
        "--psi-window",
        "3000",
    ]);
    // 5,000 leads in batches of 100: the window keeps the last 3,000.
    let leads = sample_leads(5000);
    let mut conn = Conn::open(server.addr);
    for chunk in leads.chunks(100) {
        let (status, body) = conn.send("POST", "/v1/score", &json!({ "leads": chunk }).to_string());
        assert_eq!(status, 200, "{body}");
    }
    drop(conn);
    let (live, window) = rolling_psi(server.addr);
    server.stop();
    assert_eq!(window, 3000);

    let text = std::fs::read_to_string(project_file("data/leads.csv")).expect("data");
    let mut lines = text.lines();
    let mut last: String = lines.next().expect("header").to_string() + "\n";
    for line in lines.skip(2000) {
        last.push_str(line);
        last.push('\n');
    }
    let data = write(dir.path(), "last.csv", &last);
    let drift = drift_json(dir.path(), &data, &[]);
    assert_eq!(drift["leads"], 3000);
    let offline = drift["score"]["psi"].as_f64().expect("psi");
    assert!(
        (live - offline).abs() < 1e-9,
        "/metrics {live} against drift {offline}"
    );
    // And the window moved: the whole file's PSI is a different figure.
    let whole = drift_json(dir.path(), &project_file("data/leads.csv"), &[]);
    assert!((whole["score"]["psi"].as_f64().expect("psi") - offline).abs() > 1e-6);
}
