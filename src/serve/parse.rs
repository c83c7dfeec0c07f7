//! Reading client commands (RFC 3501 §9 `command`), as the emulator must: a tag, a
//! command name, and arguments that are atoms, quoted strings or literals. Pure.

use crate::proto::command::is_astring_char;

/// One argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token {
    Atom(String),
    /// A quoted string or a literal, unescaped.
    Str(Vec<u8>),
    Open,
    Close,
}

impl Token {
    /// The argument as an `astring` (atom or string), for names and passwords.
    pub fn as_text(&self) -> Option<String> {
        match self {
            Token::Atom(a) => Some(a.clone()),
            Token::Str(s) => Some(String::from_utf8_lossy(s).into_owned()),
            _ => None,
        }
    }
}

/// A part of a command as it arrived: line text, or the bytes of a literal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    Text(Vec<u8>),
    Literal(Vec<u8>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientCommand {
    pub tag: String,
    /// Upper-cased.
    pub name: String,
    pub args: Vec<Token>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseError {
    /// No usable tag: answered with an untagged BAD (RFC 3501 §7.1.3).
    NoTag,
    /// A tag but no valid command: answered with a tagged BAD.
    Syntax { tag: String },
}

/// `{n}` or `{n+}` at the end of a line (without CRLF): the literal's length and whether
/// it is non-synchronising (RFC 7888).
pub fn literal_announcement(line: &[u8]) -> Option<(u64, bool)> {
    let inner = line.strip_suffix(b"}")?;
    let open = inner.iter().rposition(|&b| b == b'{')?;
    let spec = &inner[open + 1..];
    let (digits, plus) = match spec.strip_suffix(b"+") {
        Some(d) => (d, true),
        None => (spec, false),
    };
    if digits.is_empty() || digits.len() > 19 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some((std::str::from_utf8(digits).ok()?.parse().ok()?, plus))
}

/// Parses a whole command from its pieces; a `Text` piece followed by a `Literal` still
/// ends with the `{n}` announcement, which is dropped here.
pub fn parse_command(pieces: &[Piece]) -> Result<ClientCommand, ParseError> {
    let mut tokens = Vec::new();
    let mut tag = None;
    for (i, piece) in pieces.iter().enumerate() {
        match piece {
            Piece::Literal(bytes) => tokens.push(Token::Str(bytes.clone())),
            Piece::Text(text) => {
                let text = match pieces.get(i + 1) {
                    Some(Piece::Literal(_)) => strip_announcement(text),
                    _ => text,
                };
                let text = if i == 0 {
                    split_tag(text, &mut tag)?
                } else {
                    text
                };
                tokenize(text, &mut tokens).ok_or_else(|| ParseError::Syntax {
                    tag: tag.clone().unwrap_or_default(),
                })?;
            }
        }
    }
    let tag = tag.ok_or(ParseError::NoTag)?;
    let name = match tokens.first() {
        Some(Token::Atom(a)) => a.to_ascii_uppercase(),
        _ => return Err(ParseError::Syntax { tag }),
    };
    Ok(ClientCommand {
        tag,
        name,
        args: tokens.split_off(1),
    })
}

fn strip_announcement(text: &[u8]) -> &[u8] {
    match text.iter().rposition(|&b| b == b'{') {
        Some(i) => &text[..i],
        None => text,
    }
}

/// RFC 3501 §9: `tag = 1*<any ASTRING-CHAR except "+">`.
fn split_tag<'a>(text: &'a [u8], tag: &mut Option<String>) -> Result<&'a [u8], ParseError> {
    let end = text.iter().position(|&b| b == b' ').unwrap_or(text.len());
    let candidate = &text[..end];
    if candidate.is_empty() || !candidate.iter().all(|&b| is_astring_char(b) && b != b'+') {
        return Err(ParseError::NoTag);
    }
    *tag = Some(String::from_utf8_lossy(candidate).into_owned());
    Ok(&text[end..])
}

fn tokenize(text: &[u8], out: &mut Vec<Token>) -> Option<()> {
    let mut i = 0;
    while i < text.len() {
        match text[i] {
            b' ' => i += 1,
            b'(' => {
                out.push(Token::Open);
                i += 1;
            }
            b')' => {
                out.push(Token::Close);
                i += 1;
            }
            b'"' => {
                let (s, next) = quoted(text, i + 1)?;
                out.push(Token::Str(s));
                i = next;
            }
            _ => {
                let end = text[i..]
                    .iter()
                    .position(|&b| matches!(b, b' ' | b'(' | b')'))
                    .map_or(text.len(), |p| i + p);
                out.push(Token::Atom(
                    String::from_utf8_lossy(&text[i..end]).into_owned(),
                ));
                i = end;
            }
        }
    }
    Some(())
}

fn quoted(text: &[u8], mut i: usize) -> Option<(Vec<u8>, usize)> {
    let mut s = Vec::new();
    loop {
        match *text.get(i)? {
            b'"' => return Some((s, i + 1)),
            b'\\' => {
                s.push(*text.get(i + 1)?);
                i += 2;
            }
            b => {
                s.push(b);
                i += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Vec<Piece> {
        vec![Piece::Text(s.as_bytes().to_vec())]
    }

    #[test]
    fn kb_login_with_question_mark_tag() {
        let c = parse_command(&text("? login DOMname/UserN/AliasN PASSword")).unwrap();
        assert_eq!((c.tag.as_str(), c.name.as_str()), ("?", "LOGIN"));
        assert_eq!(
            c.args,
            vec![
                Token::Atom("DOMname/UserN/AliasN".into()),
                Token::Atom("PASSword".into())
            ]
        );
    }

    #[test]
    fn quoted_escapes_and_literals() {
        let c = parse_command(&text(r#"a1 LOGIN "dom\\user" "p\"w""#)).unwrap();
        assert_eq!(c.args[0].as_text().unwrap(), r"dom\user");
        assert_eq!(c.args[1].as_text().unwrap(), "p\"w");
        let pieces = vec![
            Piece::Text(b"a2 LOGIN alice {6}".to_vec()),
            Piece::Literal(b"s cret".to_vec()),
            Piece::Text(b"".to_vec()),
        ];
        let c = parse_command(&pieces).unwrap();
        assert_eq!(
            c.args,
            vec![Token::Atom("alice".into()), Token::Str(b"s cret".to_vec())]
        );
    }

    #[test]
    fn announcements() {
        assert_eq!(literal_announcement(b"a LOGIN {5}"), Some((5, false)));
        assert_eq!(literal_announcement(b"a LOGIN {5+}"), Some((5, true)));
        assert_eq!(
            literal_announcement(b"a LOGIN {4294967296}"),
            Some((4294967296, false))
        );
        assert_eq!(literal_announcement(b"a LOGIN {}"), None);
        assert_eq!(literal_announcement(b"a LOGIN {x}"), None);
    }

    #[test]
    fn errors() {
        assert_eq!(parse_command(&text("")), Err(ParseError::NoTag));
        assert_eq!(parse_command(&text("+ x")), Err(ParseError::NoTag));
        assert_eq!(
            parse_command(&text("a1")),
            Err(ParseError::Syntax { tag: "a1".into() })
        );
        assert_eq!(
            parse_command(&text("a1 LOGIN \"open")),
            Err(ParseError::Syntax { tag: "a1".into() })
        );
    }

    proptest::proptest! {
        #[test]
        fn never_panics(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..200)) {
            let _ = parse_command(&[Piece::Text(bytes.clone())]);
            let _ = literal_announcement(&bytes);
        }
    }
}
