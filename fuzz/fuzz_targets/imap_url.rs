//! The IMAP URL parser (RFC 5092) on any text: a value or an error, never a panic; a
//! parsed URL's authority parses again to the same host and port.
#![no_main]

use imapdiag::proto::imap_url::ImapUrl;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Ok(u) = ImapUrl::parse(text) {
        let again = ImapUrl::parse(&format!("imap://{}/", u.authority()))
            .expect("a parsed URL's authority parses again");
        assert_eq!((again.host, again.port), (u.host, u.port));
    }
});
