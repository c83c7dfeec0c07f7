//! Opening a shell connection the way `check` does: TCP (or `--connect-to`), implicit TLS
//! or STARTTLS with certificate verification, the greeting, the capabilities.

use std::time::Instant;

use crate::client::connection::Connection;
use crate::client::tls::Negotiated;
use crate::client::{open, Received, Session};
use crate::proto::sanitize::escape_str;
use crate::proto::{CommandBuilder, Data, RespCode, Response};
use crate::settings::{Security, Settings};

pub struct Opened {
    pub conn: Connection,
    pub next_tag: u32,
    pub greeting: Received,
    pub caps: Vec<String>,
    /// Lines to show before the prompt: the connection, TLS, the wire of the set-up.
    pub notes: Vec<String>,
    pub tls: bool,
}

pub async fn open(s: &Settings) -> Result<Opened, String> {
    let (host, port) = s.dial();
    let now = Instant::now();
    let mut session = open::connect(s, now, now + s.timeout)
        .await
        .map_err(|e| format!("cannot connect to {host}:{port}: {e}"))?;
    let mut notes = vec![format!("connected to {}", session.peer())];
    let mut tls = false;
    if s.security == Security::Tls {
        session = upgrade(session, s, &mut notes).await?;
        tls = true;
    }
    let greeting = session
        .read_greeting()
        .await
        .map_err(|e| format!("no greeting: {e}"))?;
    let mut caps = greeting_caps(&greeting);
    if let Security::StartTls { required } = s.security {
        if caps.is_empty() {
            caps = capability(&mut session).await;
        }
        if has(&caps, "STARTTLS") {
            session = starttls(session, s, &mut notes).await?;
            caps = capability(&mut session).await;
            tls = true;
        } else if required {
            return Err("the server does not offer STARTTLS (--security starttls)".into());
        } else {
            notes.push("the server does not offer STARTTLS: this session is not encrypted".into());
        }
    }
    let (conn, next_tag) = session.into_parts();
    Ok(Opened {
        conn,
        next_tag,
        greeting,
        caps,
        notes,
        tls,
    })
}

pub fn has(caps: &[String], name: &str) -> bool {
    caps.iter().any(|c| c.eq_ignore_ascii_case(name))
}

fn greeting_caps(g: &Received) -> Vec<String> {
    match g.response() {
        Response::Greeting(s) => match &s.code {
            Some(RespCode::Capability(c)) => c.clone(),
            _ => Vec::new(),
        },
        _ => Vec::new(),
    }
}

async fn capability(session: &mut Session) -> Vec<String> {
    let tag = session.next_tag();
    let ex = session
        .run(CommandBuilder::new(&tag, "CAPABILITY").finish())
        .await;
    let caps = ex.untagged().find_map(|r| match r.response() {
        Response::Data(Data::Capability(c)) => Some(c.clone()),
        _ => None,
    });
    caps.unwrap_or_default()
}

async fn starttls(
    mut session: Session,
    s: &Settings,
    notes: &mut Vec<String>,
) -> Result<Session, String> {
    let tag = session.next_tag();
    let (discarded, handshake) = match open::starttls(session, &tag, s).await {
        open::StartTls::Refused { exchange, .. } => {
            return Err(match &exchange.completion {
                Some(st) => format!(
                    "STARTTLS refused: {} {}",
                    st.kind.as_str(),
                    escape_str(&st.text)
                ),
                None => "STARTTLS got no answer".into(),
            })
        }
        open::StartTls::Upgraded {
            discarded,
            handshake,
            ..
        } => (discarded, handshake),
    };
    if discarded > 0 {
        notes.push(format!(
            "{discarded} bytes arrived after STARTTLS's OK in plaintext and were discarded (injection?)"
        ));
    }
    upgraded(*handshake, notes)
}

async fn upgrade(
    session: Session,
    s: &Settings,
    notes: &mut Vec<String>,
) -> Result<Session, String> {
    upgraded(open::tls(session, s).await, notes)
}

fn upgraded(handshake: open::Handshake, notes: &mut Vec<String>) -> Result<Session, String> {
    let session = handshake
        .session
        .map_err(|_| tls_failure(&handshake.info))?;
    notes.push(tls_note(&handshake.info));
    Ok(session)
}

pub fn tls_note(info: &Negotiated) -> String {
    let proto = format!(
        "{} {}",
        info.version.as_deref().unwrap_or("TLS"),
        info.cipher.as_deref().unwrap_or("")
    );
    let subject = info
        .certificate
        .as_ref()
        .map(|c| format!(" for {}", c.subject))
        .unwrap_or_default();
    let verified = if info.verified {
        "certificate verified".to_string()
    } else {
        format!(
            "certificate NOT verified ({}), continuing because of --insecure",
            info.verify_error.as_deref().unwrap_or("unknown reason")
        )
    };
    escape_str(&format!("TLS {}: {verified}{subject}", proto.trim()))
}

pub fn tls_failure(info: &Negotiated) -> String {
    let why = info
        .verify_error
        .as_deref()
        .or(info.handshake_error.as_deref())
        .unwrap_or("handshake failed");
    escape_str(&format!(
        "TLS failed: {why} (add the CA with --ca-file, or --insecure to continue anyway)"
    ))
}
