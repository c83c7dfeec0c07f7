//! Real servers started by the tests, supervised so that none outlives the test binary:
//! each runs under a small bash watchdog that stops it when the test process is gone
//! (statics are never dropped, and a server shared by a whole test binary lives in one),
//! or when the [`Daemon`] is dropped.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Daemon {
    pub name: &'static str,
    pub port: u16,
    pub tls_port: u16,
    pub dir: PathBuf,
    watchdog: Child,
    _tmp: tempfile::TempDir,
}

impl Drop for Daemon {
    fn drop(&mut self) {
        // SIGTERM lets the watchdog's trap stop the server; SIGKILL would orphan it.
        let _ = Command::new("kill")
            .arg(self.watchdog.id().to_string())
            .status();
        let _ = self.watchdog.wait();
    }
}

impl Daemon {
    pub fn target(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    pub fn tls_target(&self) -> String {
        format!("127.0.0.1:{}", self.tls_port)
    }

    /// The server's log files, for a failing test's message.
    pub fn logs(&self) -> String {
        let mut out = String::new();
        for e in std::fs::read_dir(&self.dir).into_iter().flatten().flatten() {
            let p = e.path();
            if p.extension().is_some_and(|x| x == "log") {
                out += &format!(
                    "--- {}\n{}",
                    p.display(),
                    std::fs::read_to_string(&p).unwrap_or_default()
                );
            }
        }
        out
    }
}

/// Runs `start` (bash that starts the server in the foreground or records pids to stop
/// in `stop`) under the watchdog, then waits until both ports accept connections.
pub fn supervise(
    name: &'static str,
    tmp: tempfile::TempDir,
    port: u16,
    start: &str,
    stop: &str,
) -> Result<Daemon, String> {
    let dir = tmp.path().to_path_buf();
    let script = format!(
        "cleanup() {{ {stop}; }}\ntrap cleanup EXIT\ntrap 'exit 0' TERM INT\n{start}\n\
         while kill -0 {parent} 2>/dev/null; do sleep 0.2; done\n",
        parent = std::process::id()
    );
    std::fs::write(dir.join("supervise.sh"), &script).unwrap();
    let watchdog = Command::new("bash")
        .arg(dir.join("supervise.sh"))
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(dir.join("supervise.log")).unwrap())
        .stderr(std::fs::File::create(dir.join("supervise-err.log")).unwrap())
        .spawn()
        .map_err(|e| format!("cannot start {name}: {e}"))?;
    let mut d = Daemon {
        name,
        port,
        tls_port: port + 1,
        dir,
        watchdog,
        _tmp: tmp,
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if let Ok(Some(st)) = d.watchdog.try_wait() {
            return Err(format!("{name} exited ({st}):\n{}", d.logs()));
        }
        if greets(port) && greets(port + 1) {
            return Ok(d);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Err(format!("{name} did not listen within 20 s:\n{}", d.logs()))
}

/// The port accepts a connection (the TLS port cannot greet in plaintext).
fn greets(port: u16) -> bool {
    TcpStream::connect(("127.0.0.1", port)).is_ok()
}

/// Whether the real-server tests must run (CI) rather than skip loudly.
pub fn required() -> bool {
    std::env::var("IMAPDIAG_REQUIRE_SERVERS").as_deref() == Ok("1")
}

/// Says loudly that a real-server test did not run, or fails under `IMAPDIAG_REQUIRE_SERVERS=1`.
pub fn skip(why: &str) {
    if required() {
        panic!("IMAPDIAG_REQUIRE_SERVERS=1 but {why} (bash tests/servers/install.sh)");
    }
    eprintln!("\n*** SKIPPED: {why}; this real-server test did not run (bash tests/servers/install.sh) ***\n");
}

/// Where tests/servers/install.sh unpacks the Cyrus and Courier daemons.
pub fn unpacked() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target/real-servers/root")
}

pub fn is_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

/// A plaintext session for setting a server up (creating mailboxes, appending mail): each
/// command is sent alone and must end in OK.
pub fn admin(port: u16, commands: &[&[u8]]) -> Result<(), String> {
    let stream = TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut w = stream;
    let mut line = String::new();
    reader.read_line(&mut line).map_err(|e| e.to_string())?;
    for (i, cmd) in commands.iter().enumerate() {
        let tag = format!("s{i}");
        w.write_all(format!("{tag} ").as_bytes()).unwrap();
        w.write_all(cmd).unwrap();
        w.write_all(b"\r\n").unwrap();
        loop {
            line.clear();
            if reader.read_line(&mut line).map_err(|e| e.to_string())? == 0 {
                return Err(format!("closed during {}", String::from_utf8_lossy(cmd)));
            }
            if let Some(rest) = line.strip_prefix(&format!("{tag} ")) {
                if !rest.starts_with("OK") {
                    return Err(format!("{}: {line}", String::from_utf8_lossy(cmd)));
                }
                break;
            }
        }
    }
    let mut rest = Vec::new();
    let _ = reader
        .get_mut()
        .set_read_timeout(Some(Duration::from_millis(200)));
    let _ = reader.read_to_end(&mut rest);
    Ok(())
}
