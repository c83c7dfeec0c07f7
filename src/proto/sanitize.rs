//! Server text is untrusted: control characters, terminal escapes and invalid
//! UTF-8 are escaped before anything is printed.

/// Renders bytes as printable text: printable characters as they are, everything else
/// as `\r`, `\n`, `\t`, `\xNN` or `\u{NNNN}` so no escape sequence reaches a terminal.
pub fn escape_bytes(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        escape_str_into(chunk.valid(), &mut out);
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out
}

/// [`escape_bytes`] for text that is already valid UTF-8.
pub fn escape_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    escape_str_into(s, &mut out);
    out
}

fn escape_str_into(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '\r' => out.push_str("\\r"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\\' => out.push('\\'),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            // C1 controls, bidi overrides and other format characters can reorder or hide text.
            c if is_dangerous(c) => out.push_str(&format!("\\u{{{:04x}}}", c as u32)),
            c => out.push(c),
        }
    }
}

fn is_dangerous(c: char) -> bool {
    let n = c as u32;
    (0x80..=0x9f).contains(&n)
        || (0x200b..=0x200f).contains(&n)
        || (0x202a..=0x202e).contains(&n)
        || (0x2066..=0x2069).contains(&n)
        || n == 0xfeff
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_terminal_sequences_and_invalid_utf8() {
        assert_eq!(
            escape_bytes(b"* OK \x1b[31mred\x07\r\n"),
            "* OK \\x1b[31mred\\x07\\r\\n"
        );
        assert_eq!(escape_bytes(b"a\xffb\x00"), "a\\xffb\\x00");
        assert_eq!(escape_bytes("Benützer".as_bytes()), "Benützer");
        assert_eq!(escape_str("x\u{202e}y\u{9b}"), "x\\u{202e}y\\u{009b}");
    }
}
