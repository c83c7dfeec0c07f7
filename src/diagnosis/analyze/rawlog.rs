//! Dovecot's rawlog (`rawlog_dir`): a session as two files, `<name>.in` (what the client
//! sent) and `<name>.out` (what the server sent), each line optionally after a time stamp
//! (`1523434823.123456 a1 NOOP`, the `-t` option). The halves are merged into one `C:`/`S:`
//! transcript: by time stamp when both have them, else by following the tags (a client
//! line, then the server's lines up to its tagged completion or a `+` continuation).

use std::path::{Path, PathBuf};

/// The other half of a rawlog pair, when `file` is one and the other exists.
pub fn other_half(file: &Path) -> Option<PathBuf> {
    let ext = file.extension()?.to_str()?;
    let other = match ext {
        "in" => file.with_extension("out"),
        "out" => file.with_extension("in"),
        _ => return None,
    };
    other.is_file().then_some(other)
}

/// The session as `C: ` / `S: ` lines. `this` is the text of `file`, `other` of its other
/// half (empty when there is none: the half alone is judged on what it has).
pub fn merge(file: &Path, this: &str, other: &str) -> String {
    let client_first = file.extension().is_some_and(|e| e == "in");
    let (client, server) = if client_first {
        (this, other)
    } else {
        (other, this)
    };
    let client = stamped(client);
    let server = stamped(server);
    let lines = if client.iter().chain(&server).all(|l| l.0.is_some()) {
        by_time(client, server)
    } else {
        by_tag(client, server)
    };
    lines
        .into_iter()
        .map(|(dir, text)| format!("{dir}: {text}\n"))
        .collect()
}

type Stamped = (Option<f64>, String);

fn stamped(text: &str) -> Vec<Stamped> {
    text.lines()
        .map(str::trim_end)
        .filter(|l| !l.is_empty())
        .map(|l| match l.split_once(' ') {
            Some((t, rest)) if t.contains('.') && t.parse::<f64>().is_ok() => {
                (t.parse().ok(), rest.to_string())
            }
            _ => (None, l.to_string()),
        })
        .collect()
}

fn by_time(client: Vec<Stamped>, server: Vec<Stamped>) -> Vec<(char, String)> {
    let mut all: Vec<(f64, u8, char, String)> = Vec::new();
    all.extend(
        client
            .into_iter()
            .map(|(t, l)| (t.unwrap_or(0.0), 0, 'C', l)),
    );
    all.extend(
        server
            .into_iter()
            .map(|(t, l)| (t.unwrap_or(0.0), 1, 'S', l)),
    );
    all.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    all.into_iter().map(|(_, _, d, l)| (d, l)).collect()
}

fn by_tag(client: Vec<Stamped>, server: Vec<Stamped>) -> Vec<(char, String)> {
    let mut out = Vec::new();
    let mut server = server.into_iter().map(|(_, l)| l).peekable();
    // The greeting comes before the first command.
    if let Some(l) = server.next_if(|l| l.starts_with("* ")) {
        out.push(('S', l));
    }
    for (_, c) in client {
        let tag = c.split_whitespace().next().unwrap_or("").to_string();
        out.push(('C', c));
        for l in server.by_ref() {
            let done = completes(&l, &tag) || l == "+" || l.starts_with("+ ");
            out.push(('S', l));
            if done {
                break;
            }
        }
    }
    out.extend(server.map(|l| ('S', l)));
    out
}

fn completes(line: &str, tag: &str) -> bool {
    let mut words = line.split_whitespace();
    words.next() == Some(tag)
        && words
            .next()
            .is_some_and(|w| matches!(w.to_ascii_uppercase().as_str(), "OK" | "NO" | "BAD"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn halves_merge_by_tag_and_by_time() {
        let out = "* OK [CAPABILITY IMAP4rev1] Dovecot ready.\n* CAPABILITY IMAP4rev1\na1 OK done\n+ \na2 OK Logged in\n";
        let inn = "a1 CAPABILITY\na2 AUTHENTICATE PLAIN\nAGFsaWNlAHNlY3JldA==\n";
        let merged = merge(Path::new("s.in"), inn, out);
        assert_eq!(
            merged,
            "S: * OK [CAPABILITY IMAP4rev1] Dovecot ready.\nC: a1 CAPABILITY\nS: * CAPABILITY IMAP4rev1\nS: a1 OK done\nC: a2 AUTHENTICATE PLAIN\nS: +\nC: AGFsaWNlAHNlY3JldA==\nS: a2 OK Logged in\n"
        );
        let inn = "1.5 a1 NOOP\n";
        let out = "1.0 * OK hi\n2.0 a1 OK done\n";
        assert_eq!(
            merge(Path::new("s.out"), out, inn),
            "S: * OK hi\nC: a1 NOOP\nS: a1 OK done\n"
        );
        assert_eq!(merge(Path::new("s.in"), "a1 NOOP\n", ""), "C: a1 NOOP\n");
    }
}
