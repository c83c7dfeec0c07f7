//! The emulator's command parser on any client bytes: lines, with a literal's bytes taken
//! after each `{n}` announcement as the connection would.
#![no_main]

use imapdiag::serve::parse::{literal_announcement, parse_command, Piece};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut pieces = Vec::new();
    let mut rest = data;
    while !rest.is_empty() {
        let end = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
        let line = rest[..end].strip_suffix(b"\r").unwrap_or(&rest[..end]);
        rest = rest.get(end + 1..).unwrap_or(&[]);
        pieces.push(Piece::Text(line.to_vec()));
        if let Some((n, _)) = literal_announcement(line) {
            let n = (n as usize).min(rest.len());
            pieces.push(Piece::Literal(rest[..n].to_vec()));
            rest = &rest[n..];
        } else {
            let _ = parse_command(&pieces);
            pieces.clear();
        }
    }
    let _ = parse_command(&pieces);
});
