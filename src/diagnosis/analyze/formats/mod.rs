//! The log formats `analyze` reads, each in its own file: what one line of it says (a
//! client line, a server line, a TLS fact, or nothing IMAP), and how sure a line is that
//! the text is in this format. Detection counts the lines each format claims; `--format-in`
//! skips it. Pure: no I/O.

mod cs;
mod curl;
mod imapflow;
mod k9;
mod node_imap;
mod python;
pub mod s_client;
mod thunderbird;
pub mod unescape;

/// What one line of a log says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    Client(String),
    Server(String),
    Tls(TlsFact),
}

/// What a log's own lines say about the TLS session (curl's `* ` lines, s_client's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TlsFact {
    Protocol { version: String, cipher: String },
    Version(String),
    Cipher(String),
    HandshakeFailed(String),
    Subject(String),
    Issuer(String),
    Expires(String),
    Verified,
    VerifyFailed(String),
}

/// A format a line-by-line reader exists for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `C: ` / `S: ` lines (Horde, Nextcloud Mail, imapdiag's own transcript), with `>>`
    /// comment lines and optional time offsets.
    Cs,
    /// MailKit/MimeKit `ProtocolLogger`: `Connected to imaps://...`, `S: `/`C: ` lines,
    /// optionally `Imap.S:`/`Imap.C:` after a time stamp.
    MailKit,
    /// rust-imap's debug output: `server: ` / `client: `.
    RustImap,
    Curl,
    NodeImap,
    Imapflow,
    Imaplib,
    Aioimaplib,
    Thunderbird,
    K9,
}

/// Every line format, most specific first: on a tie in detection the first wins.
pub const LINE_FORMATS: [Format; 10] = [
    Format::MailKit,
    Format::Curl,
    Format::Thunderbird,
    Format::Imapflow,
    Format::NodeImap,
    Format::Aioimaplib,
    Format::Imaplib,
    Format::K9,
    Format::RustImap,
    Format::Cs,
];

impl Format {
    /// The name said in the report (`"format": "curl -v"`).
    pub fn name(self) -> &'static str {
        match self {
            Format::Cs => "C:/S:",
            Format::MailKit => "MailKit",
            Format::RustImap => "rust-imap",
            Format::Curl => "curl -v",
            Format::NodeImap => "node-imap",
            Format::Imapflow => "imapflow",
            Format::Imaplib => "python imaplib",
            Format::Aioimaplib => "aioimaplib",
            Format::Thunderbird => "Thunderbird IMAP:5",
            Format::K9 => "K-9 Mail",
        }
    }

    /// The log holds parsed responses, not the bytes: their grammar cannot be judged.
    pub fn lossy(self) -> bool {
        self == Format::K9
    }

    /// What one line says, or `None` when the line is not this format's IMAP line.
    pub fn line(self, l: &str) -> Option<Vec<Item>> {
        match self {
            Format::Cs => cs::line(l),
            Format::MailKit => cs::mailkit_line(l),
            Format::RustImap => cs::rust_imap_line(l),
            Format::Curl => curl::line(l),
            Format::NodeImap => node_imap::line(l),
            Format::Imapflow => imapflow::line(l),
            Format::Imaplib => python::imaplib_line(l),
            Format::Aioimaplib => python::aioimaplib_line(l),
            Format::Thunderbird => thunderbird::line(l),
            Format::K9 => k9::line(l),
        }
    }

    /// The connection a line names, for the logs that interleave several (Thunderbird's
    /// pointer, K-9's `conn` number, imapflow's `cid`).
    pub fn connection(self, l: &str) -> Option<&str> {
        match self {
            Format::Thunderbird => thunderbird::connection(l),
            Format::K9 => k9::connection(l),
            Format::Imapflow => imapflow::connection(l),
            _ => None,
        }
    }

    /// A line only this format writes, which makes the guess certain.
    fn signature(self, l: &str) -> bool {
        match self {
            Format::MailKit => cs::mailkit_signature(l),
            Format::Curl => curl::signature(l),
            _ => false,
        }
    }
}

/// The names `--format-in` takes, with the format or the whole-text readers
/// (`json`, `telnet`, `s_client`, `rawlog`) they stand for.
pub const NAMES: [&str; 16] = [
    "cs",
    "mailkit",
    "rust-imap",
    "curl",
    "node-imap",
    "imapflow",
    "imaplib",
    "imapclient",
    "aioimaplib",
    "thunderbird",
    "k9",
    "json",
    "telnet",
    "s_client",
    "rawlog",
    "auto",
];

pub fn by_name(name: &str) -> Option<Format> {
    Some(match name.to_ascii_lowercase().as_str() {
        "cs" | "c:/s:" => Format::Cs,
        "mailkit" => Format::MailKit,
        "rust-imap" => Format::RustImap,
        "curl" | "curl -v" => Format::Curl,
        "node-imap" => Format::NodeImap,
        "imapflow" => Format::Imapflow,
        "imaplib" | "imapclient" | "python imaplib" => Format::Imaplib,
        "aioimaplib" => Format::Aioimaplib,
        "thunderbird" => Format::Thunderbird,
        "k9" | "k-9" => Format::K9,
        _ => return None,
    })
}

/// Lines looked at to guess a format: enough for any log's opening.
const SAMPLE: usize = 2_000;

/// The line format whose IMAP lines are most of the first lines, if any has one. A
/// signature line (curl's `* Connected to`, MailKit's `Connected to imaps://`) decides at
/// once.
pub fn detect(text: &str) -> Option<Format> {
    let sample: Vec<&str> = text.lines().take(SAMPLE).collect();
    if let Some(f) = LINE_FORMATS
        .iter()
        .find(|f| sample.iter().any(|l| f.signature(l)))
    {
        return Some(*f);
    }
    let imap = |f: &Format, l: &str| f.line(l).is_some_and(|items| !items.is_empty());
    let claimed = |f: &Format| sample.iter().filter(|l| imap(f, l)).count();
    let (best, n) = LINE_FORMATS
        .iter()
        // MailKit's lines are C:/S: lines: only its header tells it apart.
        .filter(|f| **f != Format::MailKit)
        .map(|f| (*f, claimed(f)))
        .fold((Format::Cs, 0), |a, b| if b.1 > a.1 { b } else { a });
    (n > 0).then_some(best)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_is_understood() {
        for n in NAMES {
            let whole = matches!(n, "json" | "telnet" | "s_client" | "rawlog" | "auto");
            assert_eq!(by_name(n).is_some(), !whole, "{n}");
        }
    }

    #[test]
    fn openssl_3_chain_lines_are_not_cs_lines() {
        assert_eq!(Format::Cs.line(" 0 s:CN = localhost"), None);
        assert_eq!(Format::Cs.line("   i:CN = imapdiag test CA"), None);
        assert_eq!(
            detect("CONNECTED(00000003)\n 0 s:CN = localhost\n   i:CN = CA\n* OK ready\n"),
            None
        );
    }
}
