//! The server side of one connection: capped lines, capped literals, an idle timeout.

use std::io;
use std::pin::Pin;
use std::time::Duration;

use openssl::ssl::{Ssl, SslAcceptor};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::time::{timeout, timeout_at, Instant};
use tokio_openssl::SslStream;

use super::parse::{literal_announcement, Piece};
use crate::net::Stream;
use crate::proto::lines::lines;
use crate::proto::redact::Redactor;
use crate::proto::sanitize::escape_str;

#[derive(Debug)]
pub enum ConnError {
    Closed,
    Idle,
    LineTooLong,
    LiteralTooLarge(u64),
    Io(io::Error),
}

impl std::fmt::Display for ConnError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ConnError::Closed => f.write_str("client closed the connection"),
            ConnError::Idle => f.write_str("idle timeout"),
            ConnError::LineTooLong => f.write_str("line too long"),
            ConnError::LiteralTooLarge(n) => write!(f, "literal of {n} bytes refused"),
            ConnError::Io(e) => write!(f, "{e}"),
        }
    }
}

pub struct Limits {
    pub max_line: usize,
    pub max_literal: u64,
    /// The longest a client may take to send one whole command (its literals included).
    pub idle: Duration,
    /// How long a failed LOGIN or AUTHENTICATE holds the connection.
    pub failed_login_delay: Duration,
}

pub struct ServerConn {
    stream: Stream,
    buf: Vec<u8>,
    pub limits: Limits,
    trace: Option<Trace>,
}

/// `serve --trace`: every line, both ways, on standard error, redacted by the one rule
/// (`proto::redact`) and escaped for the terminal.
struct Trace {
    prefix: String,
    redactor: Redactor,
}

impl Trace {
    fn client(&mut self, bytes: &[u8]) {
        let shown = self.redactor.client(bytes);
        self.print("C:", &shown);
    }

    fn server(&mut self, text: &str) {
        let shown = self.redactor.server(text.as_bytes());
        self.print("S:", shown.as_deref().unwrap_or(text.as_bytes()));
    }

    fn print(&self, dir: &str, shown: &[u8]) {
        for line in lines(shown) {
            eprintln!("{} {dir} {}", self.prefix, escape_str(&line));
        }
    }
}

impl ServerConn {
    pub fn new(stream: Stream, limits: Limits) -> Self {
        ServerConn {
            stream,
            buf: Vec::new(),
            limits,
            trace: None,
        }
    }

    /// Logs every line from now on, each prefixed with `prefix`.
    pub fn trace(&mut self, prefix: String) {
        self.trace = Some(Trace {
            prefix,
            redactor: Redactor::default(),
        });
    }

    pub async fn send(&mut self, text: &str) -> io::Result<()> {
        if let Some(t) = self.trace.as_mut() {
            t.server(text);
        }
        self.stream.write_all(text.as_bytes()).await?;
        self.stream.write_all(b"\r\n").await?;
        self.stream.flush().await
    }

    /// Reads more, or fails at `deadline`: the deadline of the whole command, which bytes
    /// trickling in one at a time do not move.
    async fn fill(&mut self, deadline: Instant) -> Result<(), ConnError> {
        let mut chunk = [0u8; 4096];
        match timeout_at(deadline, self.stream.read(&mut chunk)).await {
            Err(_) => Err(ConnError::Idle),
            Ok(Err(e)) => Err(ConnError::Io(e)),
            Ok(Ok(0)) => Err(ConnError::Closed),
            Ok(Ok(n)) => {
                self.buf.extend_from_slice(&chunk[..n]);
                Ok(())
            }
        }
    }

    /// The next line without its line ending (CRLF, or a bare LF, accepted leniently).
    /// The next line, or fails at `deadline`.
    pub async fn read_line(&mut self, deadline: Instant) -> Result<Vec<u8>, ConnError> {
        loop {
            if let Some(i) = self.buf.iter().position(|&b| b == b'\n') {
                let mut line: Vec<u8> = self.buf.drain(..=i).collect();
                line.pop();
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                if let Some(t) = self.trace.as_mut() {
                    t.client(&line);
                }
                return Ok(line);
            }
            if self.buf.len() > self.limits.max_line {
                return Err(ConnError::LineTooLong);
            }
            self.fill(deadline).await?;
        }
    }

    async fn read_exact(&mut self, n: usize, deadline: Instant) -> Result<Vec<u8>, ConnError> {
        while self.buf.len() < n {
            self.fill(deadline).await?;
        }
        let literal: Vec<u8> = self.buf.drain(..n).collect();
        if let Some(t) = self.trace.as_mut() {
            t.client(&literal);
        }
        Ok(literal)
    }

    /// A whole command with its literals; a synchronising literal is invited with `+`
    /// (RFC 3501 §7.5) only once its size is known to be acceptable.
    pub async fn read_command(&mut self) -> Result<Vec<Piece>, ConnError> {
        let deadline = Instant::now() + self.limits.idle;
        let mut pieces = Vec::new();
        let mut total = 0usize;
        loop {
            let line = self.read_line(deadline).await?;
            total += line.len();
            let announced = literal_announcement(&line);
            pieces.push(Piece::Text(line));
            let Some((n, non_sync)) = announced else {
                return Ok(pieces);
            };
            if n > self.limits.max_literal || total as u64 + n > (self.limits.max_line as u64) * 8 {
                return Err(ConnError::LiteralTooLarge(n));
            }
            if !non_sync {
                self.send("+ Ready for literal data")
                    .await
                    .map_err(ConnError::Io)?;
            }
            let bytes = self.read_exact(n as usize, deadline).await?;
            total += bytes.len();
            pieces.push(Piece::Literal(bytes));
        }
    }

    /// Upgrades to TLS after STARTTLS's OK. Anything buffered was sent in plaintext
    /// before the handshake and is discarded (RFC 3501 §6.2.1; CVE-2011-0411 class).
    pub async fn start_tls(self, acceptor: &SslAcceptor) -> Result<ServerConn, ConnError> {
        let Stream::Plain(tcp) = self.stream else {
            return Err(ConnError::Closed);
        };
        let ssl = Ssl::new(acceptor.context()).map_err(|e| ConnError::Io(io::Error::other(e)))?;
        let mut tls = SslStream::new(ssl, tcp).map_err(|e| ConnError::Io(io::Error::other(e)))?;
        match timeout(self.limits.idle, Pin::new(&mut tls).accept()).await {
            Err(_) => Err(ConnError::Idle),
            Ok(Err(e)) => Err(ConnError::Io(io::Error::other(e))),
            Ok(Ok(())) => Ok(ServerConn {
                stream: Stream::Tls(Box::new(tls)),
                buf: Vec::new(),
                limits: self.limits,
                trace: self.trace,
            }),
        }
    }

    pub fn is_tls(&self) -> bool {
        matches!(self.stream, Stream::Tls(_))
    }
}
