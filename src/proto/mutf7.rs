//! Mailbox names in modified UTF-7 (RFC 3501 §5.1.3): printable ASCII stands for itself
//! (`&` as `&-`), anything else is UTF-16BE in modified base64 (`,` for `/`, no padding)
//! between `&` and `-`. Written here rather than taken from a crate because the names come
//! from servers: a malformed one must decode to `None`, never panic.

use base64::engine::general_purpose::STANDARD_NO_PAD;
use base64::Engine;

/// The name decoded, or `None` when it is not valid modified UTF-7 (then it is shown raw).
pub fn decode(name: &str) -> Option<String> {
    let mut out = String::new();
    let mut rest = name;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let end = after.find('-')?;
        let b64 = &after[..end];
        if b64.is_empty() {
            out.push('&');
        } else {
            let bytes = STANDARD_NO_PAD.decode(b64.replace(',', "/")).ok()?;
            if bytes.len() % 2 != 0 {
                return None;
            }
            let units = bytes.chunks(2).map(|p| u16::from_be_bytes([p[0], p[1]]));
            for c in char::decode_utf16(units) {
                out.push(c.ok()?);
            }
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Some(out)
}

/// The name encoded: printable ASCII as is (`&` as `&-`), runs of anything else as
/// `&base64-`.
pub fn encode(name: &str) -> String {
    let mut out = String::new();
    let mut run: Vec<u16> = Vec::new();
    let flush = |run: &mut Vec<u16>, out: &mut String| {
        if run.is_empty() {
            return;
        }
        let bytes: Vec<u8> = run.iter().flat_map(|u| u.to_be_bytes()).collect();
        out.push('&');
        out.push_str(&STANDARD_NO_PAD.encode(bytes).replace('/', ","));
        out.push('-');
        run.clear();
    };
    for c in name.chars() {
        if (' '..='~').contains(&c) {
            flush(&mut run, &mut out);
            match c {
                '&' => out.push_str("&-"),
                c => out.push(c),
            }
        } else {
            let mut buf = [0u16; 2];
            run.extend_from_slice(c.encode_utf16(&mut buf));
        }
    }
    flush(&mut run, &mut out);
    out
}

/// Only the runs of non-ASCII characters encoded, for a typed line whose ASCII (quotes,
/// spaces, `&` of a name already encoded) must stay as typed.
pub fn encode_runs(text: &str) -> String {
    let mut out = String::new();
    let mut run = String::new();
    for c in text.chars() {
        if c.is_ascii() {
            if !run.is_empty() {
                out.push_str(&encode(&run));
                run.clear();
            }
            out.push(c);
        } else {
            run.push(c);
        }
    }
    if !run.is_empty() {
        out.push_str(&encode(&run));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3501_examples_and_round_trips() {
        // RFC 3501 §5.1.3's example.
        assert_eq!(
            decode("~peter/mail/&U,BTFw-/&ZeVnLIqe-").unwrap(),
            "~peter/mail/台北/日本語"
        );
        assert_eq!(
            encode("~peter/mail/台北/日本語"),
            "~peter/mail/&U,BTFw-/&ZeVnLIqe-"
        );
        assert_eq!(encode("Entwürfe"), "Entw&APw-rfe");
        assert_eq!(decode("Tom &- Jerry").unwrap(), "Tom & Jerry");
        assert_eq!(encode("Tom & Jerry"), "Tom &- Jerry");
        assert_eq!(decode("INBOX").unwrap(), "INBOX");
        assert_eq!(
            encode_runs("select \"Élément envoyé\""),
            "select \"&AMk-l&AOk-ment envoy&AOk-\""
        );
        assert_eq!(encode_runs("a&b ü"), "a&b &APw-");
    }

    #[test]
    fn malformed_names_are_refused_not_panicked_on() {
        for bad in ["&", "&!!-", "&A-", "&2D3-", "a&ZeVnLIqe"] {
            assert_eq!(decode(bad), None, "{bad}");
        }
    }
}
