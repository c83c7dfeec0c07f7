//! Pipelining (RFC 3501 §5.5): several commands written in one flight, their responses
//! read back and sorted by tag. Only commands that need no continuation can fly together;
//! the caller decides which (their order must not change their meaning).

use std::time::{Duration, Instant};

use super::connection::ReadError;
use super::session::{Exchange, ExchangeError, Received, Session, Surprise};
use crate::proto::response::{self, Response};
use crate::proto::EncodedCommand;

impl Session {
    /// Sends `cmds` at once and reads until every one has its tagged completion, the
    /// connection fails, or the timeout. Untagged responses are given to the earliest
    /// command still open (servers answer pipelined commands in order).
    ///
    /// With a `grace`, a silence of that long (from the sending or the last message) ends
    /// the flight: the commands still open are [`ExchangeError::Lost`] (the caller may send
    /// them again one at a time) rather than waited for until the timeout.
    pub async fn run_flight(
        &mut self,
        cmds: Vec<EncodedCommand>,
        grace: Option<Duration>,
    ) -> Vec<Exchange> {
        let started = Instant::now();
        let deadline = self.step_deadline(started);
        let mut exs: Vec<Exchange> = cmds
            .iter()
            .map(|c| Exchange::new(&c.tag, Vec::new()))
            .collect();
        let wires: Vec<Vec<u8>> = cmds.iter().map(EncodedCommand::wire).collect();
        let pieces: Vec<&[u8]> = wires.iter().map(Vec::as_slice).collect();
        self.round_trips += 1;
        match self.conn_mut().write_all_of(&pieces, deadline).await {
            Ok(shown) => {
                for (ex, sent) in exs.iter_mut().zip(shown) {
                    ex.sent = sent;
                }
            }
            Err(e) => {
                exs[0].error = Some(ExchangeError::Write(e));
                return exs;
            }
        }
        let mut last = Instant::now();
        while let Some(open) = exs.iter().position(|e| e.completion.is_none()) {
            let patience = grace.map_or(deadline, |g| deadline.min(last + g));
            let msg = match self.conn_mut().read_message(patience).await {
                Ok(m) => m,
                Err(ReadError::Timeout) if patience < deadline => {
                    lose(&mut exs[open..], started);
                    break;
                }
                Err(e) => {
                    fail(&mut exs[open..], e, started);
                    break;
                }
            };
            last = Instant::now();
            let received = Received {
                parsed: response::parse(&msg.raw, false),
                raw: msg.raw,
                bare_lf: msg.bare_lf,
            };
            place(&mut exs, open, received, started);
        }
        exs
    }
}

fn place(exs: &mut [Exchange], open: usize, r: Received, started: Instant) {
    let tagged = match r.response() {
        Response::Tagged { tag, status } => Some((tag.clone(), status.clone())),
        _ => None,
    };
    let Some((tag, status)) = tagged else {
        if matches!(r.response(), Response::Continuation { .. }) {
            exs[open].surprise(Surprise::Continuation);
        }
        exs[open].keep(r);
        return;
    };
    match exs
        .iter()
        .position(|e| e.tag == tag && e.completion.is_none())
    {
        Some(i) => {
            exs[i].keep(r);
            exs[i].completion = Some(status);
            exs[i].elapsed = started.elapsed();
        }
        None => {
            exs[open].surprise(Surprise::ForeignTag(tag));
            exs[open].keep(r);
        }
    }
}

/// A grace ran out after earlier commands were answered: the open ones were lost.
fn lose(open: &mut [Exchange], started: Instant) {
    for ex in open.iter_mut().filter(|e| e.completion.is_none()) {
        ex.error = Some(ExchangeError::Lost);
        ex.elapsed = started.elapsed();
    }
}

/// The first open command gets the error; the ones after it were never answered.
fn fail(open: &mut [Exchange], e: ReadError, started: Instant) {
    let Some((first, rest)) = open.split_first_mut() else {
        return;
    };
    for ex in rest {
        ex.error = Some(ExchangeError::Read(unanswered(&e)));
        ex.elapsed = started.elapsed();
    }
    first.error = Some(ExchangeError::Read(e));
    first.elapsed = started.elapsed();
}

/// What a command behind the failed one gets: the timeout, or a closed connection.
fn unanswered(e: &ReadError) -> ReadError {
    match e {
        ReadError::Timeout => ReadError::Timeout,
        _ => ReadError::Closed,
    }
}
