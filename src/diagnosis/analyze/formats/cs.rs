//! `C: ` / `S: ` lines: Horde and Nextcloud Mail (with `>> ` comment lines), imapdiag's own
//! transcript (with time offsets) and `serve --trace` log, MailKit's `ProtocolLogger` (a `Connected to imaps://`
//! header, and `Imap.S:` after a time stamp in some builds) and rust-imap's
//! `server: ` / `client: ` debug lines.

use super::Item;

/// `C: a1 NOOP`, `S: * OK`, `  0.021 C: ...`. A direction marker must be followed by a
/// space or the end of the line, so OpenSSL 3's ` 0 s:CN = host` chain lines are not
/// server lines.
pub fn line(l: &str) -> Option<Vec<Item>> {
    let t = after_trace_prefix(l.trim_start());
    let t = match t.split_once(' ') {
        Some((time, rest)) if time.parse::<f64>().is_ok() => rest.trim_start(),
        _ => t,
    };
    marked(t, "C:", "S:")
}

/// `serve[exchange55] 127.0.0.1:51234 C: a1 NOOP` (imapdiag's `serve --trace`): the
/// emulator's profile and the client's address come before the marker. The trace's other
/// lines (`connected`, `closed`) are then not IMAP and are skipped.
fn after_trace_prefix(t: &str) -> &str {
    match t.strip_prefix("serve[").and_then(|r| r.split_once("] ")) {
        Some((_, rest)) => rest.split_once(' ').map_or(rest, |(_, marked)| marked),
        None => t,
    }
}

/// MailKit: `C: ...`, or `2022-12-27 07:41:00:353 Imap.C: ...`.
pub fn mailkit_line(l: &str) -> Option<Vec<Item>> {
    let t = l.trim_start();
    let t =
        t.trim_start_matches(|c: char| c.is_ascii_digit() || matches!(c, '-' | ':' | '.' | ' '));
    let t = t.strip_prefix("Imap.").unwrap_or(t);
    marked(t, "C:", "S:")
}

pub fn mailkit_signature(l: &str) -> bool {
    l.starts_with("Connected to imap://")
        || l.starts_with("Connected to imaps://")
        || l.contains(" Imap.S: ")
        || l.contains(" Imap.C: ")
}

pub fn rust_imap_line(l: &str) -> Option<Vec<Item>> {
    marked(l.trim_start(), "client:", "server:")
}

fn marked(t: &str, client: &str, server: &str) -> Option<Vec<Item>> {
    let upper = |m: &str| t.get(..m.len()).is_some_and(|p| p.eq_ignore_ascii_case(m));
    let (item, rest): (fn(String) -> Item, &str) = if upper(client) {
        (Item::Client, &t[client.len()..])
    } else if upper(server) {
        (Item::Server, &t[server.len()..])
    } else {
        return None;
    };
    if !(rest.is_empty() || rest.starts_with(' ')) {
        return None;
    }
    let text = rest.strip_prefix(' ').unwrap_or(rest);
    Some(vec![item(text.to_string())])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_c_s_shapes() {
        assert_eq!(
            line("C: a1 NOOP"),
            Some(vec![Item::Client("a1 NOOP".into())])
        );
        assert_eq!(
            line("  0.021 S: * OK"),
            Some(vec![Item::Server("* OK".into())])
        );
        assert_eq!(line(">> Command 1 took 0.0204 seconds."), None);
        assert_eq!(
            line("serve[exchange2000] 127.0.0.1:54532 C: a1 LOGIN alice <redacted>"),
            Some(vec![Item::Client("a1 LOGIN alice <redacted>".into())])
        );
        assert_eq!(line("serve[exchange2000] 127.0.0.1:54532 connected"), None);
        assert_eq!(line(" 0 s:CN = localhost"), None);
        assert_eq!(
            mailkit_line("2022-12-27 07:41:00:353 Imap.S: * OK ready"),
            Some(vec![Item::Server("* OK ready".into())])
        );
        assert!(mailkit_signature(
            "Connected to imaps://outlook.office365.com:993/"
        ));
        assert_eq!(
            rust_imap_line("server: * OK Dovecot ready."),
            Some(vec![Item::Server("* OK Dovecot ready.".into())])
        );
    }
}
