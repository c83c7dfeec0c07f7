//! LIST and LSUB mailbox patterns (RFC 3501 §6.3.8), matched in time linear in the name
//! whatever the pattern: a client's pattern must not make the emulator spin.

/// RFC 3501 §6.3.8: `*` matches anything, `%` anything but the delimiter. Compiled to a
/// regex (linear time, no recursion), so no pattern can make the emulator spin or overflow
/// its stack; a pattern too large to compile matches nothing.
pub fn matches(pattern: &str, name: &str) -> bool {
    let mut re = String::with_capacity(pattern.len() + 8);
    re.push('^');
    let mut last: Option<char> = None;
    for c in pattern.chars() {
        match c {
            // A run of wildcards means the same as its widest one.
            '*' | '%' if last == Some('*') => continue,
            '*' if last == Some('%') => {
                re.truncate(re.len() - "[^/]*".len());
                re.push_str(".*");
            }
            '%' if last == Some('%') => continue,
            '*' => re.push_str(".*"),
            '%' => re.push_str("[^/]*"),
            c => re.push_str(&regex::escape(c.encode_utf8(&mut [0; 4]))),
        }
        last = Some(c).filter(|c| matches!(c, '*' | '%'));
    }
    re.push('$');
    regex::RegexBuilder::new(&re)
        .case_insensitive(true)
        // `*` matches anything, a line feed in a name included (found by fuzzing).
        .dot_matches_new_line(true)
        .size_limit(1 << 20)
        .build()
        .is_ok_and(|r| r.is_match(name))
}

#[cfg(test)]
mod tests {
    use super::matches as wildcard;

    #[test]
    fn list_wildcards() {
        assert!(wildcard("*", "Sent Items"));
        assert!(wildcard("%", "INBOX"));
        assert!(!wildcard("%", "a/b"));
        assert!(wildcard("a/%", "a/b"));
        assert!(wildcard("inbox", "INBOX"));
        assert!(!wildcard("INBOX", "INBOX2"));
        assert!(wildcard("a%*b", "a/x/b"));
        assert!(!wildcard("a%%b", "a/x/b"));
        assert!(wildcard("a.b", "a.b") && !wildcard("a.b", "axb"));
        assert!(wildcard("*", "\0\na***q****"));
        assert!(wildcard("%", "a\nb") && !wildcard("%", "a\n/b"));
    }

    /// The review's patterns: exponential for a backtracking matcher, and deep enough to
    /// overflow a recursive one. Both finish (this test would hang or abort otherwise).
    #[test]
    fn hostile_patterns_finish() {
        let name = "a".repeat(8000);
        assert!(!wildcard(&format!("{}q", "*".repeat(60)), &name));
        assert!(!wildcard(&format!("{}q", "%*".repeat(60)), &name));
        assert!(wildcard(&"*".repeat(32_000), "anything"));
        assert!(!wildcard(&"a%".repeat(20_000), &name));
    }
}
