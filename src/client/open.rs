//! Opening a connection, one way for the check and the shell: TCP (or `--connect-to`)
//! with the session's transcript and the credentials it must never keep as received,
//! implicit TLS, and STARTTLS (RFC 3501 §6.2.1). The outcome is typed; what it means
//! (a step, a finding, a note before the prompt) is the caller's to say.

use std::time::{Duration, Instant};

use super::connection::{ConnectError, Connection};
use super::session::{Exchange, Session};
use super::tap::Transcript;
use super::tls::Negotiated;
use crate::proto::{CommandBuilder, StatusKind};
use crate::settings::Settings;

/// TCP to the dialled address before `deadline`; the transcript's clock starts at
/// `started`.
pub async fn connect(
    s: &Settings,
    started: Instant,
    deadline: Instant,
) -> Result<Session, ConnectError> {
    let transcript = Transcript::new(started, s.limits.max_transcript_bytes);
    let (host, port) = s.dial();
    let conn = Connection::connect(host, port, deadline, s.limits, transcript).await?;
    let mut session = Session::new(conn, s.timeout);
    session.know(s.known_secrets());
    Ok(session)
}

/// A TLS handshake: the session over TLS, or (when it failed) what the transcript holds,
/// and what the handshake told either way.
pub struct Handshake {
    pub session: Result<Session, Transcript>,
    pub info: Negotiated,
    /// How long the handshake took.
    pub elapsed: Duration,
}

/// The handshake for implicit TLS, or after STARTTLS's OK, verifying the certificate for
/// the host the user named (not the dialled address).
pub async fn tls(session: Session, s: &Settings) -> Handshake {
    let started = Instant::now();
    let (session, info) = session.start_tls(&s.host, &s.tls).await;
    Handshake {
        session,
        info,
        elapsed: started.elapsed(),
    }
}

/// What STARTTLS came to.
pub enum StartTls {
    /// No OK: a NO or BAD, or no answer at all (the exchange's error says which).
    Refused {
        session: Box<Session>,
        exchange: Exchange,
    },
    /// The OK, then the handshake. `discarded` counts the plaintext bytes that followed
    /// the OK: they are dropped, never read as if TLS had protected them.
    Upgraded {
        exchange: Exchange,
        discarded: u64,
        handshake: Box<Handshake>,
    },
}

/// `tag STARTTLS`, and the handshake right after its OK.
pub async fn starttls(mut session: Session, tag: &str, s: &Settings) -> StartTls {
    let exchange = session
        .run(CommandBuilder::new(tag, "STARTTLS").finish())
        .await;
    if exchange.completion.as_ref().map(|c| c.kind) != Some(StatusKind::Ok) {
        return StartTls::Refused {
            session: Box::new(session),
            exchange,
        };
    }
    let discarded = session.unread_bytes();
    StartTls::Upgraded {
        exchange,
        discarded,
        handshake: Box::new(tls(session, s).await),
    }
}
