//! One connection: reads whole server messages (lines with their literals) under a
//! deadline and a size cap, writes commands, and records both in the transcript.

use std::io;
use std::time::Instant;

use imap_codec::fragmentizer::{FragmentInfo, Fragmentizer, LineEnding};
use thiserror::Error;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout_at;

use super::tap::{Direction, Transcript};
use super::tls::{self, Negotiated};
use crate::net::Stream;
use crate::proto::redact::Redactor;
use crate::settings::{Limits, TlsSettings};

/// One complete server message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub raw: Vec<u8>,
    /// Some line of it ended in LF alone, not CRLF (RFC 3501 §2.2 requires CRLF).
    pub bare_lf: bool,
}

#[derive(Debug, Error)]
pub enum ReadError {
    #[error("no complete response within the timeout")]
    Timeout,
    #[error("the server closed the connection")]
    Closed,
    #[error("a response exceeded the {limit}-byte limit{}", announced.map(|n| format!(" (a literal of {n} bytes was announced)")).unwrap_or_default())]
    TooLong { limit: u32, announced: Option<u32> },
    #[error("read failed: {0}")]
    Io(#[from] io::Error),
}

#[derive(Debug, Error)]
pub enum ConnectError {
    #[error("could not resolve {host}: {source}")]
    Resolve { host: String, source: io::Error },
    #[error("connection to {addr} failed: {source}")]
    Refused { addr: String, source: io::Error },
    #[error("no connection within the timeout")]
    Timeout,
}

pub struct Connection {
    stream: Stream,
    frag: Fragmentizer,
    /// Bytes handed to the fragmentizer, and bytes it has turned into fragments; their
    /// difference is what the server sent beyond the last complete message.
    enqueued: u64,
    consumed: u64,
    limits: Limits,
    pub transcript: Transcript,
    pub peer: String,
    /// The one redaction rule: what is written is recorded redacted, and everything
    /// received is scrubbed of the credentials this connection may send.
    pub redactor: Redactor,
    /// Where reads land: allocated once per connection, and on the heap so the futures
    /// that await a read stay small.
    read_buf: Box<[u8]>,
}

impl Connection {
    /// Opens a TCP connection to `host:port` before `deadline`.
    pub async fn connect(
        host: &str,
        port: u16,
        deadline: Instant,
        limits: Limits,
        transcript: Transcript,
    ) -> Result<Self, ConnectError> {
        let addr = if host.contains(':') {
            format!("[{host}]:{port}")
        } else {
            format!("{host}:{port}")
        };
        let resolve = timeout_at(deadline.into(), tokio::net::lookup_host(addr.clone()));
        let addrs: Vec<_> = match resolve.await {
            Err(_) => return Err(ConnectError::Timeout),
            Ok(Err(source)) => {
                return Err(ConnectError::Resolve {
                    host: host.to_string(),
                    source,
                })
            }
            Ok(Ok(addrs)) => addrs.collect(),
        };
        let tcp = match timeout_at(deadline.into(), TcpStream::connect(&addrs[..])).await {
            Err(_) => return Err(ConnectError::Timeout),
            Ok(Err(source)) => return Err(ConnectError::Refused { addr, source }),
            Ok(Ok(tcp)) => tcp,
        };
        let _ = tcp.set_nodelay(true);
        let peer = tcp.peer_addr().map(|a| a.to_string()).unwrap_or(addr);
        Ok(Connection::over(
            Stream::Plain(tcp),
            limits,
            transcript,
            peer,
        ))
    }

    /// A connection over `stream` with a fresh framer: nothing read before (plaintext
    /// before a TLS handshake included) carries over.
    fn over(stream: Stream, limits: Limits, transcript: Transcript, peer: String) -> Self {
        Connection {
            stream,
            frag: Fragmentizer::new(limits.max_message_bytes),
            enqueued: 0,
            consumed: 0,
            limits,
            transcript,
            peer,
            redactor: Redactor::default(),
            read_buf: vec![0u8; 16 * 1024].into_boxed_slice(),
        }
    }

    /// Reads the next complete message, or fails at `deadline`.
    pub async fn read_message(&mut self, deadline: Instant) -> Result<Message, ReadError> {
        let mut bare_lf = false;
        loop {
            while let Some(fragment) = self.frag.progress() {
                self.consumed += fragment.range().len() as u64;
                if let FragmentInfo::Line {
                    announcement,
                    ending,
                    ..
                } = fragment
                {
                    bare_lf |= ending == LineEnding::Lf;
                    if let Some(a) =
                        announcement.filter(|a| a.length > self.limits.max_message_bytes)
                    {
                        return Err(self.too_long(Some(a.length)));
                    }
                }
                if self.frag.is_max_message_size_exceeded() {
                    return Err(self.too_long(None));
                }
                if self.frag.is_message_complete() {
                    let raw = self.frag.message_bytes().to_vec();
                    let raw = self.redactor.server(&raw).unwrap_or(raw);
                    self.transcript.record(Direction::Server, &raw);
                    return Ok(Message { raw, bare_lf });
                }
            }
            if self.frag.is_max_message_size_exceeded() {
                return Err(self.too_long(None));
            }
            let n = match timeout_at(deadline.into(), self.stream.read(&mut self.read_buf)).await {
                Err(_) => return Err(self.partial(ReadError::Timeout)),
                Ok(Err(e)) => return Err(self.partial(ReadError::Io(e))),
                Ok(Ok(0)) => return Err(self.partial(ReadError::Closed)),
                Ok(Ok(n)) => n,
            };
            self.frag.enqueue_bytes(&self.read_buf[..n]);
            self.enqueued += n as u64;
        }
    }

    /// Writes `wire` and records it redacted; returns what was recorded, for reports.
    pub async fn write(&mut self, wire: &[u8], deadline: Instant) -> io::Result<Vec<u8>> {
        let mut shown = self.write_all_of(&[wire], deadline).await?;
        Ok(shown.pop().unwrap_or_default())
    }

    /// Writes several commands in one write (a pipelined flight, RFC 3501 §5.5), each
    /// recorded redacted on its own; returns what was recorded of each.
    pub async fn write_all_of(
        &mut self,
        pieces: &[&[u8]],
        deadline: Instant,
    ) -> io::Result<Vec<Vec<u8>>> {
        let shown: Vec<Vec<u8>> = pieces.iter().map(|p| self.redactor.client(p)).collect();
        for s in &shown {
            self.transcript.record(Direction::Client, s);
        }
        let wire = pieces.concat();
        let write = async {
            self.stream.write_all(&wire).await?;
            self.stream.flush().await
        };
        match timeout_at(deadline.into(), write).await {
            Ok(result) => result.map(|()| shown),
            Err(_) => Err(io::Error::new(io::ErrorKind::TimedOut, "write timed out")),
        }
    }

    /// How many bytes the server has sent beyond the last complete message.
    pub fn unread_bytes(&self) -> u64 {
        self.enqueued - self.consumed
    }

    /// Upgrades to TLS (implicit TLS or after STARTTLS's OK). Bytes the server sent before
    /// the handshake are discarded, never read as if they had come through TLS; the
    /// caller checks [`Self::unread_bytes`] first and reports them (RFC 3501 §6.2.1).
    /// On failure the transcript comes back so that nothing seen is lost.
    pub async fn start_tls(
        self,
        host: &str,
        settings: &TlsSettings,
        deadline: Instant,
    ) -> (Result<Connection, Transcript>, Negotiated) {
        let Connection {
            stream,
            limits,
            mut transcript,
            peer,
            redactor,
            ..
        } = self;
        let tcp = match stream {
            Stream::Plain(tcp) => tcp,
            Stream::Tls(_) => {
                transcript.note("TLS is already active");
                return (Err(transcript), Negotiated::default());
            }
        };
        transcript.note("TLS handshake");
        let Ok(handshake) = timeout_at(deadline.into(), tls::handshake(tcp, host, settings)).await
        else {
            transcript.note("TLS handshake timed out");
            let info = Negotiated {
                handshake_error: Some("handshake timed out".into()),
                ..Negotiated::default()
            };
            return (Err(transcript), info);
        };
        let info = handshake.info;
        match handshake.stream {
            Ok(tls) => {
                let version = info.version.as_deref().unwrap_or("?");
                let cipher = info.cipher.as_deref().unwrap_or("?");
                transcript.note(&format!("TLS established: {version} {cipher}"));
                let mut conn =
                    Connection::over(Stream::Tls(Box::new(tls)), limits, transcript, peer);
                conn.redactor = redactor;
                (Ok(conn), info)
            }
            Err(e) => {
                transcript.note(&format!("TLS handshake failed: {e}"));
                (
                    Err(transcript),
                    Negotiated {
                        handshake_error: Some(e),
                        ..info
                    },
                )
            }
        }
    }

    /// Records whatever part of a message had arrived when reading stopped.
    fn partial(&mut self, e: ReadError) -> ReadError {
        let partial = self.frag.message_bytes();
        if !partial.is_empty() && !self.frag.is_message_complete() {
            let partial = self.received(partial.to_vec());
            self.transcript.record(Direction::Server, &partial);
        }
        e
    }

    /// A server that echoes a credential gets it redacted before anything keeps it.
    fn received(&self, raw: Vec<u8>) -> Vec<u8> {
        self.redactor.scrub(&raw).unwrap_or(raw)
    }

    fn too_long(&mut self, announced: Option<u32>) -> ReadError {
        let partial = self.received(self.frag.message_bytes().to_vec());
        self.transcript.record(Direction::Server, &partial);
        ReadError::TooLong {
            limit: self.limits.max_message_bytes,
            announced,
        }
    }

    pub fn into_transcript(self) -> Transcript {
        self.transcript
    }
}
