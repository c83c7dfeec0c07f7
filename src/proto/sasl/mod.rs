//! SASL mechanisms (RFC 4422) as pure state machines: each turns the server's challenges
//! into the client's responses and keeps what the exchange taught (a server signature
//! that did not verify, an OAuth error, the NTLM target's names). The client core drives
//! them over `AUTHENTICATE` (RFC 3501 §6.2.2); nothing here does I/O.

pub mod cram_md5;
pub mod jwt;
pub mod ntlm;
pub mod oauth;
pub mod scram;

/// One side of a SASL exchange.
pub trait Mechanism: Send {
    /// The name after `AUTHENTICATE`.
    fn name(&self) -> &'static str;
    /// The initial response, sent with the command when the server allows SASL-IR
    /// (RFC 4959), or after the first empty challenge otherwise; `None` when the mechanism
    /// waits for the server to speak first.
    fn initial(&mut self) -> Option<Vec<u8>>;
    /// The response to a challenge (already base64-decoded). `Err` cancels the exchange
    /// (the client sends `*`), with the reason.
    fn step(&mut self, challenge: &[u8]) -> Result<Vec<u8>, String>;
}

/// Hex of bytes, lower case (CRAM-MD5's digest).
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
