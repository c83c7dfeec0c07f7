//! Wire bytes as report text: one string per line, without its CRLF (RFC 3501 §2.2).
//! The text is raw (a control character stays one); it is escaped only where it is
//! rendered, so the JSON report can carry it losslessly.

/// Splits bytes into lines without their endings. Bytes that are not UTF-8 become
/// U+FFFD: a JSON string cannot hold them.
pub fn lines(bytes: &[u8]) -> Vec<String> {
    let mut out: Vec<String> = bytes
        .split_inclusive(|&b| b == b'\n')
        .map(|l| {
            let l = l.strip_suffix(b"\n").unwrap_or(l);
            text(l.strip_suffix(b"\r").unwrap_or(l))
        })
        .collect();
    if out.is_empty() {
        out.push(String::new());
    }
    out
}

/// Bytes as text, invalid UTF-8 as U+FFFD.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_keep_control_characters_and_lose_only_their_endings() {
        assert_eq!(
            lines(b"* OK \x1b[31mred\r\na1 OK \\x1b\n\r\n"),
            ["* OK \u{1b}[31mred", "a1 OK \\x1b", ""]
        );
        assert_eq!(lines(b"a\xffb"), ["a\u{fffd}b"]);
        assert_eq!(lines(b""), [""]);
    }
}
