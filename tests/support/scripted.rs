//! A scripted IMAP server on 127.0.0.1 for what no installable server does: broken
//! lines, hostile behaviour, Exchange's exact answers. Each connection runs `script`,
//! which reads client lines and writes whatever bytes the test wants.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;

/// What the client sent, line by line, across all connections.
pub type Log = Arc<Mutex<Vec<String>>>;

pub struct Scripted {
    pub port: u16,
    pub log: Log,
    accepted: Arc<std::sync::atomic::AtomicUsize>,
}

/// A connection as the script sees it.
pub struct Conn {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
    log: Log,
}

impl Conn {
    pub fn send(&mut self, bytes: &[u8]) -> bool {
        self.writer
            .write_all(bytes)
            .and_then(|_| self.writer.flush())
            .is_ok()
    }

    /// Next client line without CRLF; `None` at EOF.
    pub fn line(&mut self) -> Option<String> {
        let mut buf = Vec::new();
        match self.reader.read_until(b'\n', &mut buf) {
            Ok(0) | Err(_) => None,
            Ok(_) => {
                let l = String::from_utf8_lossy(&buf)
                    .trim_end_matches(['\r', '\n'])
                    .to_string();
                self.log.lock().unwrap().push(l.clone());
                Some(l)
            }
        }
    }

    /// Drops whatever the client sent beyond the last line read (a server that loses
    /// pipelined commands).
    pub fn discard_buffered(&mut self) {
        let n = self.reader.buffer().len();
        self.reader.consume(n);
        // And what already waits in the socket.
        use std::io::Read;
        let stream = self.reader.get_mut();
        let _ = stream.set_read_timeout(Some(std::time::Duration::from_millis(50)));
        let mut sink = [0u8; 4096];
        while matches!(stream.read(&mut sink), Ok(n) if n > 0) {}
        let _ = stream.set_read_timeout(None);
    }

    /// Reads the next line and returns its tag and upper-cased command word.
    pub fn command(&mut self) -> Option<(String, String)> {
        let l = self.line()?;
        let mut parts = l.splitn(3, ' ');
        let tag = parts.next().unwrap_or("").to_string();
        let cmd = parts.next().unwrap_or("").to_ascii_uppercase();
        Some((tag, cmd))
    }
}

/// Serves `script` on every accepted connection, in a thread each.
pub fn serve<F>(script: F) -> Scripted
where
    F: Fn(&mut Conn) + Send + Sync + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let log: Log = Arc::default();
    let script = Arc::new(script);
    let l2 = log.clone();
    let accepted: Arc<std::sync::atomic::AtomicUsize> = Arc::default();
    let counter = accepted.clone();
    thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let script = script.clone();
            let log = l2.clone();
            thread::spawn(move || {
                let writer = stream.try_clone().unwrap();
                let mut conn = Conn {
                    reader: BufReader::new(stream),
                    writer,
                    log,
                };
                script(&mut conn);
            });
        }
    });
    Scripted {
        port,
        log,
        accepted,
    }
}

impl Scripted {
    pub fn target(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> usize {
        self.accepted.load(std::sync::atomic::Ordering::SeqCst)
    }

    pub fn lines(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }
}

/// Answers a well-behaved session after `greeting`: CAPABILITY, LOGIN, NAMESPACE,
/// SELECT, LOGOUT; `overrides` may replace the reply to a command word.
pub fn simple_session(c: &mut Conn, greeting: &[u8], overrides: &[(&str, &[u8])]) {
    if !c.send(greeting) {
        return;
    }
    while let Some((tag, cmd)) = c.command() {
        if let Some((_, reply)) = overrides.iter().find(|(w, _)| *w == cmd) {
            if !c.send(&replace_tag(reply, &tag)) {
                return;
            }
            continue;
        }
        let reply = match cmd.as_str() {
            "CAPABILITY" => format!("* CAPABILITY IMAP4rev1 NAMESPACE\r\n{tag} OK done\r\n"),
            "LOGIN" | "AUTHENTICATE" => format!("{tag} OK LOGIN completed\r\n"),
            "NAMESPACE" => format!("* NAMESPACE ((\"\" \"/\")) NIL NIL\r\n{tag} OK done\r\n"),
            "SELECT" => format!("* 2 EXISTS\r\n* 0 RECENT\r\n* OK [UIDVALIDITY 42] UIDs\r\n{tag} OK [READ-WRITE] SELECT completed\r\n"),
            "LOGOUT" => {
                c.send(format!("* BYE bye\r\n{tag} OK LOGOUT completed\r\n").as_bytes());
                return;
            }
            _ => format!("{tag} BAD unknown\r\n"),
        };
        if !c.send(reply.as_bytes()) {
            return;
        }
    }
}

/// Replaces `{TAG}` in raw bytes (which may be deliberately invalid UTF-8).
fn replace_tag(reply: &[u8], tag: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(reply.len());
    let mut rest = reply;
    while let Some(i) = rest.windows(5).position(|w| w == b"{TAG}") {
        out.extend_from_slice(&rest[..i]);
        out.extend_from_slice(tag.as_bytes());
        rest = &rest[i + 5..];
    }
    out.extend_from_slice(rest);
    out
}
