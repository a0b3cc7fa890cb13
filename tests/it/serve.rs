//! `leadscore-serve` as a child process on 127.0.0.1, port 0, for the tests
//! that need the real binary (signals, the prediction log's writer thread).

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// A running `leadscore-serve`, killed when dropped.
pub struct Serve {
    pub child: Child,
    pub addr: SocketAddr,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Serve {
    /// Start with `args` (plus a free port and text logs) and the
    /// environment variables `env`; wait for the address it prints. Its
    /// other log lines go to the test's stderr (shown when a test fails).
    pub fn start_with(args: &[&str], env: &[(&str, &str)]) -> Serve {
        let mut command = Command::new(env!("CARGO_BIN_EXE_leadscore-serve"));
        command
            .args(args)
            .args([
                "--addr",
                "127.0.0.1:0",
                "--log-format",
                "text",
                "--log-level",
                "warn,leadscore_serve=info",
            ])
            .env_remove("LEADSCORE_API_TOKEN")
            .env_remove("LEADSCORE_ADMIN_TOKEN")
            .env_remove("LEADSCORE_LOG_DB")
            .env_remove("RUST_LOG");
        for (k, v) in env {
            command.env(k, v);
        }
        let mut child = command
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("leadscore-serve starts");
        let stderr = child.stderr.take().expect("stderr");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                match line.split("listening on http://").nth(1) {
                    Some(rest) => {
                        let _ = tx.send(rest.split_whitespace().next().unwrap_or("").to_string());
                    }
                    None => eprintln!("leadscore-serve: {line}"),
                }
            }
        });
        let addr = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("the server prints its address");
        Serve {
            child,
            addr: addr.parse().expect("an address"),
        }
    }

    /// Start with `args` and no tokens.
    pub fn start(args: &[&str]) -> Serve {
        Serve::start_with(args, &[])
    }

    /// SIGTERM, and wait: requests in flight finish and the prediction log
    /// is flushed before the process ends; it must exit 0.
    pub fn stop(mut self) {
        // SAFETY: sending a signal to our own child process.
        unsafe {
            libc::kill(self.child.id() as i32, libc::SIGTERM);
        }
        let status = self.child.wait().expect("the server exits");
        assert!(status.success(), "leadscore-serve exit: {status:?}");
    }
}
