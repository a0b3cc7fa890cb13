//! A real PostgreSQL 15 server for the tests that claim one: started on a
//! free port of 127.0.0.1 with a temporary data directory, stopped when
//! dropped.

use std::path::PathBuf;
use std::process::Command;

/// A PostgreSQL server on a free port with a temporary data directory,
/// stopped when dropped.
pub struct Postgres {
    bin: PathBuf,
    data: tempfile::TempDir,
    /// The port it listens on (127.0.0.1).
    pub port: u16,
}

impl Postgres {
    /// Start a server (initdb as the postgres user when we are root).
    pub fn start() -> Postgres {
        let bin = PathBuf::from("/usr/lib/postgresql/15/bin");
        assert!(
            bin.join("initdb").exists(),
            "PostgreSQL 15 is needed (.ci/run installs postgresql-15)"
        );
        let data = tempfile::tempdir().expect("temp dir");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("free port");
        let pg = Postgres { bin, data, port };
        if is_root() {
            // initdb refuses root: the cluster belongs to the postgres user.
            let status = Command::new("chown")
                .args(["-R", "postgres"])
                .arg(pg.data.path())
                .status()
                .expect("chown");
            assert!(status.success());
        }
        let cluster = pg.data.path().join("cluster");
        pg.run_as_owner(
            "initdb",
            &[
                "-D",
                &cluster.to_string_lossy(),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C",
            ],
        );
        pg.run_as_owner(
            "pg_ctl",
            &[
                "-D",
                &cluster.to_string_lossy(),
                "-l",
                &pg.data.path().join("log").to_string_lossy(),
                "-o",
                &format!(
                    "-p {} -c listen_addresses=127.0.0.1 -k {}",
                    pg.port,
                    pg.data.path().display()
                ),
                "-w",
                "start",
            ],
        );
        pg
    }

    /// Run a server program as the cluster's owner (postgres when we are root).
    fn as_owner(&self, program: &str, args: &[&str]) -> std::io::Result<std::process::Output> {
        let path = self.bin.join(program);
        if is_root() {
            Command::new("runuser")
                .args(["-u", "postgres", "--"])
                .arg(&path)
                .args(args)
                .output()
        } else {
            Command::new(&path).args(args).output()
        }
    }

    /// A `postgres://` URL of its `postgres` database, with `params` (`table=…`).
    pub fn url(&self, params: &str) -> String {
        format!(
            "postgres://postgres@127.0.0.1:{}/postgres?{params}",
            self.port
        )
    }

    /// psql connected to the server's `postgres` database.
    fn client(&self) -> Command {
        let mut psql = Command::new(self.bin.join("psql"));
        psql.args(["-h", "127.0.0.1", "-p", &self.port.to_string()])
            .args(["-U", "postgres", "-d", "postgres", "-v", "ON_ERROR_STOP=1"]);
        psql
    }

    /// A psql session that reads statements from its standard input.
    pub fn session(&self) -> std::process::Child {
        self.client()
            .arg("-q")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("psql runs")
    }

    fn run_as_owner(&self, program: &str, args: &[&str]) {
        let out = self.as_owner(program, args).expect("runs");
        assert!(
            out.status.success(),
            "{program} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Run SQL with psql; unaligned output, fields separated by a tab.
    pub fn psql(&self, sql: &str) -> String {
        let out = self
            .client()
            .args(["-At", "-F", "\t", "-c", sql])
            .output()
            .expect("psql runs");
        assert!(
            out.status.success(),
            "psql failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let cluster = self.data.path().join("cluster");
        let _ = self.as_owner(
            "pg_ctl",
            &["-D", &cluster.to_string_lossy(), "-m", "immediate", "stop"],
        );
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}
