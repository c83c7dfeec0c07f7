//! `imapdiag serve` as a child process on ports the kernel picks.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

pub struct Serve {
    child: Child,
    /// Everything the emulator logged on stderr.
    log: std::sync::Arc<std::sync::Mutex<String>>,
    pub port: u16,
    /// The home listener of a referral profile (0 otherwise).
    pub home: u16,
}

impl Serve {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `imapdiag serve` on ports the kernel picks, read back from its log lines
/// (`serve[P] listening on ADDR ...`), so parallel tests never race for a port.
pub fn serve(profile: &str, extra: &[&str]) -> Serve {
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("imapdiag"))
        .args([
            "serve",
            "--profile",
            profile,
            "--listen",
            "127.0.0.1:0",
            "--home-listen",
            "127.0.0.1:0",
        ])
        .args(extra)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut log = BufReader::new(child.stderr.take().unwrap());
    let port_of = |line: &str| -> u16 {
        let addr = line
            .split(" listening on ")
            .nth(1)
            .unwrap()
            .split_whitespace()
            .next()
            .unwrap();
        addr.parse::<std::net::SocketAddr>().unwrap().port()
    };
    let mut line = String::new();
    log.read_line(&mut line).unwrap();
    assert!(line.contains(" listening on "), "serve said: {line}");
    let port = port_of(&line);
    let mut home = 0;
    if profile.ends_with("-referral") && profile.starts_with("exchange") {
        line.clear();
        log.read_line(&mut line).unwrap();
        home = port_of(&line);
    }
    // Keep draining the log so the server never blocks on a full pipe.
    let kept = std::sync::Arc::new(std::sync::Mutex::new(line));
    let sink = kept.clone();
    std::thread::spawn(move || {
        let mut l = String::new();
        while log.read_line(&mut l).is_ok_and(|n| n > 0) {
            sink.lock().unwrap().push_str(&l);
            l.clear();
        }
    });
    Serve {
        child,
        log: kept,
        port,
        home,
    }
}
