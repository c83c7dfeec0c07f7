//! Response decoding with the tagged-completion recogniser: any bytes, as a greeting and
//! as a later response, must give a value (never a panic), and a line that starts like a
//! tagged status must be recognised as one whatever follows.
#![no_main]

use imapdiag::proto::response::{parse, Response};
use imapdiag::proto::Status;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = parse(data, true);
    let parsed = parse(data, false);
    if let Ok(line) = std::str::from_utf8(data) {
        let _ = Status::parse(line);
    }
    // The recogniser's promise: `a1 OK ...` (ASCII, one line) completes command a1.
    if data.starts_with(b"a1 OK ")
        && data.ends_with(b"\r\n")
        && !data[..data.len() - 2].contains(&b'\n')
        && data.is_ascii()
    {
        assert!(
            matches!(&parsed.response, Response::Tagged { tag, .. } if tag == "a1"),
            "{:?}",
            parsed.response
        );
    }
});
