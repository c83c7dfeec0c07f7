//! `imapdiag analyze` on any text, its format guessed: the readers of every client log,
//! the replay, the fingerprint and the namespace comparison. A report comes back, and a
//! password that appears only as a client's LOGIN argument never shows in it.
#![no_main]

use imapdiag::diagnosis::analyze::{analyze, Reading};
use imapdiag::settings::Expect;
use libfuzzer_sys::fuzz_target;

const PASSWORD: &str = "Sekr1tPw";

fuzz_target!(|text: &str| {
    let report = analyze(text, "-", Reading::Guess, &Expect::default());
    let json = serde_json::to_string(&report).expect("the report serialises");
    let only_in_login = text.lines().all(|l| {
        let l = l.trim_end_matches('\r');
        !l.contains(PASSWORD) || l == "a1 LOGIN user Sekr1tPw" || l == "C: a1 LOGIN user Sekr1tPw"
    });
    if text.contains(PASSWORD) && only_in_login {
        assert!(!json.contains(PASSWORD), "password leaked");
    }
});
