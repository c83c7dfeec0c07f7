//! Turning what the session saw into report parts: steps, wire lines, and the findings
//! that any response can raise (grammar slips, bare LF, ALERT, surprises, read errors).

use crate::report::WireDir;
use std::time::{Duration, Instant};

use super::findings as code;
use crate::client::connection::ReadError;
use crate::client::session::{Exchange, ExchangeError, Received, Surprise};
use crate::client::tls::Negotiated;
use crate::client::{Direction, Transcript};
use crate::proto::lines::{lines, text};
use crate::proto::{RespCode, Response};
use crate::report::{
    CertificateInfo, Finding, Severity, Step, StepName, StepStatus, TlsInfo, WireLine,
};

/// The report's TLS section from what the handshake negotiated and saw.
pub fn tls(n: Negotiated) -> TlsInfo {
    TlsInfo {
        version: n.version,
        cipher: n.cipher,
        verified: n.verified,
        verify_error: n.verify_error,
        handshake_error: n.handshake_error,
        certificate: n.certificate.map(|c| CertificateInfo {
            subject: c.subject,
            issuer: c.issuer,
            not_after: c.not_after,
            days_left: c.days_left,
            not_after_unix: c.not_after_unix,
            san: c.san,
        }),
    }
}

pub fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 1000.0 * 100.0).round() / 100.0
}

pub fn step(name: &str, status: StepStatus, ex: &Exchange) -> Step {
    Step {
        name: StepName::from(name),
        status,
        elapsed_ms: ms(ex.elapsed),
        sent: lines(&ex.sent),
        received: ex.received.iter().flat_map(|r| lines(&r.raw)).collect(),
        note: None,
        hop: 0,
    }
}

pub fn simple_step(name: &str, status: StepStatus, since: Instant, note: Option<String>) -> Step {
    Step {
        name: StepName::from(name),
        status,
        elapsed_ms: ms(since.elapsed()),
        sent: Vec::new(),
        received: Vec::new(),
        note,
        hop: 0,
    }
}

pub fn wire_lines(t: &Transcript, hop: u32) -> Vec<WireLine> {
    t.events()
        .iter()
        .flat_map(|e| {
            let dir = match e.dir {
                Direction::Client => WireDir::Client,
                Direction::Server => WireDir::Server,
                Direction::Note => WireDir::Note,
            };
            lines(&e.bytes).into_iter().map(move |line| WireLine {
                hop,
                t_ms: ms(e.at),
                dir,
                line,
            })
        })
        .collect()
}

/// Findings any received message can raise, whatever the step.
pub fn message_findings(step: &str, r: &Received, out: &mut Vec<Finding>) {
    let line = text(crate::proto::response::first_line_bytes(&r.raw));
    if let Some(reason) = &r.parsed.nonconforming {
        push_once(
            out,
            Finding::new(code::RESPONSE_GRAMMAR, Severity::Warning, format!("a {step} response does not follow the IMAP grammar"))
                .detail(format!("{reason}: {line}"))
                .remedy("Strict clients may fail on this line; report it to the server's vendor (RFC 3501 §9)."),
        );
    }
    if r.bare_lf {
        push_once(
            out,
            Finding::new(code::BARE_LF, Severity::Warning, format!("a {step} response ends lines with LF instead of CRLF"))
                .detail(line.clone())
                .remedy("RFC 3501 §2.2 requires CRLF; check proxies and firewalls that rewrite line endings."),
        );
    }
    let status = match r.response() {
        Response::Greeting(s) | Response::Untagged(s) | Response::Tagged { status: s, .. } => {
            Some(s)
        }
        _ => None,
    };
    if let Some(s) = status.filter(|s| s.code == Some(RespCode::Alert)) {
        push_once(
            out,
            Finding::new(
                code::SERVER_ALERT,
                Severity::Warning,
                "the server sent an ALERT",
            )
            .detail(s.text.clone())
            .remedy("RFC 3501 §7.1 requires ALERT text to be shown to the user; read it."),
        );
    }
}

/// One finding per code and summary: a thousand broken lines in one step make one finding
/// (the first line is its example), not a thousand.
fn push_once(out: &mut Vec<Finding>, f: Finding) {
    if !out
        .iter()
        .any(|o| o.code == f.code && o.summary == f.summary)
    {
        out.push(f);
    }
}

pub fn surprise_findings(step: &str, ex: &Exchange, out: &mut Vec<Finding>) {
    if ex.dropped > 0 {
        out.push(
            Finding::new(code::RESPONSE_FLOOD, Severity::Critical, format!("the server flooded {step} with {} responses", ex.received.len() + ex.dropped))
                .detail(format!("the first {} ({} bytes) were kept, {} more were counted and dropped", ex.received.len(), ex.kept_bytes, ex.dropped))
                .remedy("No command needs this many responses; the server (or something in between) is broken or hostile."),
        );
    }
    for s in &ex.surprises {
        out.push(match s {
            Surprise::ForeignTag(tag) => Finding::new(
                code::UNEXPECTED_TAG,
                Severity::Warning,
                format!("during {step} the server answered a tag that was not sent: {}", tag),
            )
            .remedy("The server or a proxy confuses sessions or commands; a client would mismatch replies."),
            Surprise::Continuation => Finding::new(
                code::UNEXPECTED_CONTINUATION,
                Severity::Warning,
                format!("during {step} the server sent a continuation request that nothing asked for"),
            ),
        });
    }
}

/// The finding for an exchange that ended without a tagged completion.
pub fn exchange_error(step: &str, e: &ExchangeError) -> Finding {
    match e {
        ExchangeError::Read(r) => read_error(step, r),
        ExchangeError::Write(w) => Finding::new(
            code::IO_ERROR,
            Severity::Critical,
            format!("{step}: could not send the command"),
        )
        .detail(w.to_string()),
        ExchangeError::Lost => read_error(step, &ReadError::Timeout),
    }
}

pub fn read_error(step: &str, e: &ReadError) -> Finding {
    let (c, remedy) = match e {
        // A port that waits for a ClientHello accepts the connection and says nothing.
        ReadError::Timeout if step == "greeting" => (code::TIMEOUT, "The port accepted the connection but sent no greeting. A port for implicit TLS (993) waits for the client's TLS handshake first: try imaps://HOST:PORT or --security tls. Otherwise the service is overloaded or hung; check its log."),
        ReadError::Timeout => (code::TIMEOUT, "The server accepted the connection but did not answer in time; check its load, a firewall dropping packets, or raise --timeout."),
        ReadError::Closed => (code::CONNECTION_CLOSED, "The server (or something between) closed the connection; check the server's log for this time."),
        ReadError::TooLong { .. } => (code::RESPONSE_TOO_LONG, "The response exceeded imapdiag's safety limit; a sane server does not send this."),
        ReadError::Io(_) => (code::IO_ERROR, "A network error interrupted the session."),
    };
    Finding::new(c, Severity::Critical, format!("{step}: {e}")).remedy(remedy)
}
