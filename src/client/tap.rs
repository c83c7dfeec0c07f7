//! The transcript tap: every byte sent and received, in order, with direction and time
//! (raw bytes are the truth). Sent bytes are stored in their redacted form.

use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Client,
    Server,
    /// Something imapdiag itself observed, such as a TLS handshake.
    Note,
}

#[derive(Debug, Clone)]
pub struct WireEvent {
    pub at: Duration,
    pub dir: Direction,
    pub bytes: Vec<u8>,
}

/// Messages kept: a flood of tiny lines is bounded too, not only the bytes.
const MAX_EVENTS: usize = 10_000;

/// An ordered record of the session, bounded to `max_bytes` and [`MAX_EVENTS`] messages.
#[derive(Debug, Clone)]
pub struct Transcript {
    start: Instant,
    events: Vec<WireEvent>,
    stored: usize,
    max_bytes: usize,
    truncated: bool,
}

impl Transcript {
    pub fn new(start: Instant, max_bytes: usize) -> Self {
        Transcript {
            start,
            events: Vec::new(),
            stored: 0,
            max_bytes,
            truncated: false,
        }
    }

    pub fn record(&mut self, dir: Direction, bytes: &[u8]) {
        if self.truncated {
            return;
        }
        if self.events.len() >= MAX_EVENTS {
            self.truncated = true;
            self.note(&format!("transcript truncated after {MAX_EVENTS} messages"));
            return;
        }
        let room = self.max_bytes.saturating_sub(self.stored);
        let kept = &bytes[..bytes.len().min(room)];
        self.stored += kept.len();
        self.events.push(WireEvent {
            at: self.start.elapsed(),
            dir,
            bytes: kept.to_vec(),
        });
        if kept.len() < bytes.len() {
            self.truncated = true;
            self.note(&format!(
                "transcript truncated after {} bytes",
                self.max_bytes
            ));
        }
    }

    pub fn note(&mut self, text: &str) {
        self.events.push(WireEvent {
            at: self.start.elapsed(),
            dir: Direction::Note,
            bytes: text.as_bytes().to_vec(),
        });
    }

    pub fn events(&self) -> &[WireEvent] {
        &self.events
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_and_ordered() {
        let mut t = Transcript::new(Instant::now(), 10);
        t.record(Direction::Client, b"a1 NOOP\r\n");
        t.record(Direction::Server, b"a1 OK done\r\n");
        t.record(Direction::Server, b"more");
        let e = t.events();
        assert_eq!(e[0].bytes, b"a1 NOOP\r\n");
        assert_eq!(e[1].bytes, b"a");
        assert_eq!(e[2].dir, Direction::Note);
        assert_eq!(e.len(), 3);
        assert_eq!(e[2].bytes, b"transcript truncated after 10 bytes");
    }
}
