//! The emulator's LIST pattern matcher (RFC 3501 §6.3.8) on any pattern and name: it must
//! finish (no backtracking blow-up, no recursion to overflow) and, for ASCII, agree with a
//! plain dynamic-programming matcher.
#![no_main]

use imapdiag::serve::wildcard::matches;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (pattern, name) = text.split_once('\0').unwrap_or((text, "INBOX/Sent Items"));
    let got = matches(pattern, name);
    // Patterns past the regex size limit match nothing by design; compare the rest.
    if pattern.is_ascii() && name.is_ascii() && pattern.len() <= 256 {
        assert_eq!(got, oracle(pattern.as_bytes(), name.as_bytes()), "{pattern:?} {name:?}");
    }
});

/// `m[i][j]`: the first i pattern bytes match the first j name bytes.
fn oracle(p: &[u8], n: &[u8]) -> bool {
    let mut m = vec![vec![false; n.len() + 1]; p.len() + 1];
    m[0][0] = true;
    for i in 1..=p.len() {
        for j in 0..=n.len() {
            m[i][j] = match p[i - 1] {
                b'*' => m[i - 1][j] || (j > 0 && m[i][j - 1]),
                b'%' => m[i - 1][j] || (j > 0 && n[j - 1] != b'/' && m[i][j - 1]),
                c => j > 0 && m[i - 1][j - 1] && c.eq_ignore_ascii_case(&n[j - 1]),
            };
        }
    }
    m[p.len()][n.len()]
}
