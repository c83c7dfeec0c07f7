//! FETCH (RFC 3501 §6.4.5, §7.4.2): the data items a client asks for, and their values
//! for a stored message. Messages are single-part (RFC 5322 header and body); their
//! ENVELOPE and BODYSTRUCTURE are correct for that shape.

use super::parse::Token;
use super::store::Message;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Section {
    Full,
    Header,
    Text,
    /// HEADER.FIELDS (names) or, with `not`, HEADER.FIELDS.NOT.
    Fields {
        names: Vec<String>,
        not: bool,
    },
    /// A part number of a single-part message: `1` is its body.
    Part(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    Uid,
    Flags,
    InternalDate,
    Size,
    Envelope,
    BodyStructure,
    /// `BODY` without a section: the non-extensible structure.
    Body,
    /// `BODY[...]`, `BODY.PEEK[...]`, and the RFC822 forms; `label` is how the response
    /// names it; `seen` whether fetching it sets \Seen.
    Section {
        section: Section,
        partial: Option<(usize, usize)>,
        label: String,
        seen: bool,
    },
}

/// The items of a FETCH (a macro, one item, or a parenthesised list).
pub fn items(tokens: &[Token]) -> Option<Vec<Item>> {
    let inner = match (tokens.first(), tokens.last()) {
        (Some(Token::Open), Some(Token::Close)) => &tokens[1..tokens.len() - 1],
        _ => tokens,
    };
    let mut out = Vec::new();
    let mut i = 0;
    while i < inner.len() {
        let Token::Atom(a) = &inner[i] else {
            return None;
        };
        let upper = a.to_ascii_uppercase();
        if upper.contains('[') && !upper.contains(']') {
            // BODY[HEADER.FIELDS (A B)]<p.n>: the list and the closing bracket follow.
            let mut names = Vec::new();
            i += 1;
            let mut closing = None;
            while let Some(t) = inner.get(i) {
                match t {
                    Token::Open | Token::Close => {}
                    Token::Atom(x) if x.starts_with(']') => {
                        closing = Some(x.clone());
                        break;
                    }
                    t => names.push(t.as_text()?),
                }
                i += 1;
            }
            let text = format!("{upper} ({})]{}", names.join(" "), &closing?[1..]);
            out.push(section_item(&text)?);
        } else {
            out.extend(simple(&upper)?);
        }
        i += 1;
    }
    (!out.is_empty()).then_some(out)
}

fn simple(word: &str) -> Option<Vec<Item>> {
    use Item::*;
    Some(match word {
        "ALL" => vec![Flags, InternalDate, Size, Envelope],
        "FAST" => vec![Flags, InternalDate, Size],
        "FULL" => vec![Flags, InternalDate, Size, Envelope, Body],
        "UID" => vec![Uid],
        "FLAGS" => vec![Flags],
        "INTERNALDATE" => vec![InternalDate],
        "RFC822.SIZE" => vec![Size],
        "ENVELOPE" => vec![Envelope],
        "BODYSTRUCTURE" => vec![BodyStructure],
        "BODY" => vec![Body],
        "RFC822" => vec![rfc822(self::Section::Full, "RFC822", true)],
        "RFC822.HEADER" => vec![rfc822(self::Section::Header, "RFC822.HEADER", false)],
        "RFC822.TEXT" => vec![rfc822(self::Section::Text, "RFC822.TEXT", true)],
        w => vec![section_item(w)?],
    })
}

fn rfc822(section: Section, label: &str, seen: bool) -> Item {
    Item::Section {
        section,
        partial: None,
        label: label.into(),
        seen,
    }
}

/// `BODY[section]<origin.count>` or `BODY.PEEK[...]`.
fn section_item(word: &str) -> Option<Item> {
    let (peek, rest) = match word.strip_prefix("BODY.PEEK[") {
        Some(r) => (true, r),
        None => (false, word.strip_prefix("BODY[")?),
    };
    let (spec, after) = rest.split_once(']')?;
    let partial = match after.strip_prefix('<').and_then(|p| p.strip_suffix('>')) {
        Some(p) => {
            let (o, n) = p.split_once('.')?;
            Some((o.parse().ok()?, n.parse().ok()?))
        }
        None if after.is_empty() => None,
        None => return None,
    };
    let section = match spec {
        "" => Section::Full,
        "HEADER" => Section::Header,
        "TEXT" => Section::Text,
        s if s.starts_with("HEADER.FIELDS") => {
            let not = s.starts_with("HEADER.FIELDS.NOT");
            let list = s.split_once('(')?.1.trim_end_matches(')');
            Section::Fields {
                names: list.split_whitespace().map(str::to_string).collect(),
                not,
            }
        }
        s if s.chars().next().is_some_and(|c| c.is_ascii_digit()) => Section::Part(s.into()),
        _ => return None,
    };
    let label = match &section {
        Section::Fields { names, not } => {
            let kind = if *not {
                "HEADER.FIELDS.NOT"
            } else {
                "HEADER.FIELDS"
            };
            format!("BODY[{kind} ({})]", names.join(" "))
        }
        _ => format!("BODY[{spec}]"),
    };
    let label = match partial {
        Some((o, _)) => format!("{label}<{o}>"),
        None => label,
    };
    Some(Item::Section {
        section,
        partial,
        label,
        seen: !peek,
    })
}

/// The header block (with its final empty line) and the body.
pub fn split(raw: &str) -> (&str, &str) {
    match raw.find("\r\n\r\n") {
        Some(i) => (&raw[..i + 4], &raw[i + 4..]),
        None => (raw, ""),
    }
}

/// Header fields as (name, whole field with folded lines and CRLF).
fn fields(header: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in header.split_inclusive("\r\n") {
        if line == "\r\n" {
            break;
        }
        if line.starts_with([' ', '\t']) {
            if let Some(last) = out.last_mut() {
                last.1.push_str(line);
            }
            continue;
        }
        let name = line.split(':').next().unwrap_or("").trim().to_string();
        out.push((name, line.to_string()));
    }
    out
}

/// A header field's value, unfolded.
pub fn header(raw: &str, name: &str) -> Option<String> {
    fields(split(raw).0)
        .into_iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, f)| {
            let v = f.split_once(':').map_or("", |x| x.1);
            v.replace("\r\n", "").trim().to_string()
        })
}

fn section_text(m: &Message, section: &Section) -> String {
    let (head, body) = split(&m.raw);
    match section {
        Section::Full => m.raw.clone(),
        Section::Header => head.to_string(),
        Section::Text => body.to_string(),
        Section::Part(p) if p == "1" => body.to_string(),
        Section::Part(_) => String::new(),
        Section::Fields { names, not } => {
            let wanted = |n: &str| names.iter().any(|w| w.eq_ignore_ascii_case(n));
            let mut out: String = fields(head)
                .into_iter()
                .filter(|(n, _)| wanted(n) != *not)
                .map(|(_, f)| f)
                .collect();
            out.push_str("\r\n");
            out
        }
    }
}

/// One item's `NAME value` for `m`.
pub fn render(item: &Item, m: &Message) -> String {
    match item {
        Item::Uid => format!("UID {}", m.uid),
        Item::Flags => format!("FLAGS ({})", m.flags.join(" ")),
        Item::InternalDate => format!("INTERNALDATE \"{}\"", m.internal_date),
        Item::Size => format!("RFC822.SIZE {}", m.raw.len()),
        Item::Envelope => format!("ENVELOPE {}", envelope(m)),
        Item::BodyStructure => format!("BODYSTRUCTURE {}", structure(m, true)),
        Item::Body => format!("BODY {}", structure(m, false)),
        Item::Section {
            section,
            partial,
            label,
            ..
        } => {
            let text = section_text(m, section);
            let text = match partial {
                Some((o, n)) => text
                    .get(*o..(*o + *n).min(text.len()))
                    .unwrap_or("")
                    .to_string(),
                None => text,
            };
            format!("{label} {}", literal(&text))
        }
    }
}

fn literal(s: &str) -> String {
    format!("{{{}}}\r\n{s}", s.len())
}

/// A quoted string, a literal for text a quoted string cannot carry, or NIL.
pub fn nstring(v: Option<&str>) -> String {
    match v {
        None => "NIL".into(),
        Some(s) if s.is_ascii() && !s.contains(['\r', '\n']) => {
            format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
        }
        Some(s) => literal(s),
    }
}

/// ENVELOPE (RFC 3501 §7.4.2): date, subject, from, sender, reply-to, to, cc, bcc,
/// in-reply-to, message-id. Sender and reply-to default to from.
fn envelope(m: &Message) -> String {
    let h = |n: &str| header(&m.raw, n);
    let from = addresses(h("From").as_deref());
    let or_from = |n: &str| match h(n) {
        Some(v) => addresses(Some(&v)),
        None => from.clone(),
    };
    format!(
        "({} {} {from} {} {} {} {} {} {} {})",
        nstring(h("Date").as_deref()),
        nstring(h("Subject").as_deref()),
        or_from("Sender"),
        or_from("Reply-To"),
        addresses(h("To").as_deref()),
        addresses(h("Cc").as_deref()),
        addresses(h("Bcc").as_deref()),
        nstring(h("In-Reply-To").as_deref()),
        nstring(h("Message-ID").as_deref()),
    )
}

/// `((name NIL mailbox host) ...)` from a simple address list (`Name <a@b>, c@d`).
fn addresses(v: Option<&str>) -> String {
    let Some(v) = v.filter(|v| !v.trim().is_empty()) else {
        return "NIL".into();
    };
    let list: Vec<String> = v
        .split(',')
        .map(|a| {
            let a = a.trim();
            let (name, addr) = match a.rsplit_once('<') {
                Some((n, rest)) => (Some(n.trim().trim_matches('"')), rest.trim_end_matches('>')),
                None => (None, a),
            };
            let (mailbox, host) = addr.split_once('@').unwrap_or((addr, ""));
            format!(
                "({} NIL {} {})",
                nstring(name.filter(|n| !n.is_empty())),
                nstring(Some(mailbox)),
                nstring(Some(host))
            )
        })
        .collect();
    format!("({})", list.join(""))
}

/// BODYSTRUCTURE (with the extension fields) or BODY of a single-part message.
fn structure(m: &Message, extended: bool) -> String {
    let ctype =
        header(&m.raw, "Content-Type").unwrap_or_else(|| "text/plain; charset=us-ascii".into());
    let mut parts = ctype.split(';');
    let (t, sub) = parts
        .next()
        .and_then(|t| t.trim().split_once('/'))
        .map_or(("text".to_string(), "plain".to_string()), |(a, b)| {
            (a.to_string(), b.to_string())
        });
    let params: Vec<String> = parts
        .filter_map(|p| p.split_once('='))
        .map(|(k, v)| {
            format!(
                "{} {}",
                nstring(Some(k.trim())),
                nstring(Some(v.trim().trim_matches('"')))
            )
        })
        .collect();
    let params = if params.is_empty() {
        "NIL".to_string()
    } else {
        format!("({})", params.join(" "))
    };
    let encoding = header(&m.raw, "Content-Transfer-Encoding").unwrap_or_else(|| "7BIT".into());
    let body = split(&m.raw).1;
    let lines = if t.eq_ignore_ascii_case("text") {
        format!(" {}", body.matches("\r\n").count())
    } else {
        String::new()
    };
    let ext = if extended { " NIL NIL NIL NIL" } else { "" };
    format!(
        "({} {} {params} {} NIL {} {}{lines}{ext})",
        nstring(Some(&t.to_ascii_uppercase())),
        nstring(Some(&sub.to_ascii_uppercase())),
        nstring(header(&m.raw, "Content-ID").as_deref()),
        nstring(Some(&encoding.to_ascii_uppercase())),
        body.len()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg() -> Message {
        Message {
            uid: 7,
            flags: vec!["\\Seen".into()],
            internal_date: "30-Nov-2026 12:00:00 +0000".into(),
            raw: "From: Bob <bob@example.com>\r\nTo: alice@example.com\r\nSubject: Hi \"there\"\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nhello\r\nworld\r\n".into(),
        }
    }

    fn atoms(s: &str) -> Vec<Token> {
        s.split(' ')
            .map(|w| match w {
                "(" => Token::Open,
                ")" => Token::Close,
                w => Token::Atom(w.into()),
            })
            .collect()
    }

    #[test]
    fn items_and_sections() {
        let it = items(&atoms(
            "( UID BODY.PEEK[HEADER.FIELDS ( From Subject ) ] RFC822.SIZE )",
        ))
        .unwrap();
        assert_eq!(it.len(), 3);
        let m = msg();
        assert_eq!(render(&it[1], &m), "BODY[HEADER.FIELDS (From Subject)] {52}\r\nFrom: Bob <bob@example.com>\r\nSubject: Hi \"there\"\r\n\r\n");
        assert_eq!(render(&it[2], &m), format!("RFC822.SIZE {}", m.raw.len()));
        let it = items(&atoms("BODY[]<0.4>")).unwrap();
        assert_eq!(render(&it[0], &m), "BODY[]<0> {4}\r\nFrom");
        assert!(matches!(
            &items(&atoms("BODY[TEXT]")).unwrap()[0],
            Item::Section { seen: true, .. }
        ));
        assert_eq!(items(&atoms("FAST")).unwrap().len(), 3);
        assert!(items(&atoms("BOGUS")).is_none());
    }

    #[test]
    fn envelope_and_structure() {
        let m = msg();
        assert_eq!(
            envelope(&m),
            r#"(NIL "Hi \"there\"" (("Bob" NIL "bob" "example.com")) (("Bob" NIL "bob" "example.com")) (("Bob" NIL "bob" "example.com")) ((NIL NIL "alice" "example.com")) NIL NIL NIL NIL)"#
        );
        assert_eq!(
            structure(&m, true),
            r#"("TEXT" "PLAIN" ("charset" "us-ascii") NIL NIL "7BIT" 14 2 NIL NIL NIL NIL)"#
        );
    }
}
