//! The string literals loggers wrap lines in: Python's `b'...'` bytes repr and
//! JavaScript's `'...'`. Undone here so each reader sees the bytes that crossed the wire.

/// The body of a quoted literal that ends the line, and the rest before it: `b'* OK\r\n'`
/// gives `* OK\r\n` (still escaped).
pub fn quoted_tail(s: &str, prefix: &str) -> Option<String> {
    let s = s.trim_end();
    let start = s.find(prefix)? + prefix.len();
    let rest = &s[start..];
    let quote = rest.chars().next().filter(|q| *q == '\'' || *q == '"')?;
    let body = rest[1..].strip_suffix(quote)?;
    Some(unescape(body))
}

/// Python and JavaScript escapes: `\r \n \t \\ \' \" \xHH \uHHHH`. An unknown or broken
/// escape stays as written.
pub fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('r') => out.push('\r'),
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('0') => out.push('\0'),
            Some(q @ ('\\' | '\'' | '"')) => out.push(q),
            Some('x') => hex(&mut chars, 2, "\\x", &mut out),
            Some('u') => hex(&mut chars, 4, "\\u", &mut out),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

fn hex(chars: &mut std::iter::Peekable<std::str::Chars>, n: usize, lead: &str, out: &mut String) {
    let digits: String = (0..n)
        .filter_map(|_| chars.next_if(char::is_ascii_hexdigit))
        .collect();
    match u32::from_str_radix(&digits, 16)
        .ok()
        .and_then(char::from_u32)
    {
        Some(c) if digits.len() == n => out.push(c),
        _ => {
            out.push_str(lead);
            out.push_str(&digits);
        }
    }
}

/// A logged chunk split into its lines: `a\r\nb\r\n` gives `a`, `b`.
pub fn split_lines(chunk: &str) -> Vec<String> {
    chunk
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_and_js_escapes() {
        assert_eq!(unescape(r"a\r\nb\x41\u00e9\'\\"), "a\r\nbAé'\\");
        assert_eq!(unescape(r"bad \x4 \q"), r"bad \x4 \q");
        assert_eq!(
            quoted_tail(r"  12:34.56 > b'A1 LOGIN x \'y\''", "> b").as_deref(),
            Some("A1 LOGIN x 'y'")
        );
        assert_eq!(quoted_tail("no quote here", "> b"), None);
        assert_eq!(split_lines("a\r\nb\r\n"), ["a", "b"]);
    }
}
