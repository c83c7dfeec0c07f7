//! A forgiving reader for NAMESPACE replies that the strict grammar rejects.
//!
//! RFC 2342's own example 5.3 has two spaces (`(("INBOX." ".")) NIL  NIL`), and servers
//! in the wild copied it. The strict codec is tried first; this reader only steps in
//! when it fails, and the message is still reported as non-conforming.

use super::command::quoted;
use super::response::{NamespaceDescr, NamespaceExtension, NamespaceSet};

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Open,
    Close,
    Nil,
    Str(String),
}

/// Parses the arguments of `* NAMESPACE` (the text after the keyword).
pub fn parse(args: &str) -> Option<NamespaceSet> {
    let tokens = tokenize(args)?;
    let mut pos = 0;
    let personal = class(&tokens, &mut pos)?;
    let other_users = class(&tokens, &mut pos)?;
    let shared = class(&tokens, &mut pos)?;
    (pos == tokens.len()).then_some(NamespaceSet {
        personal,
        other_users,
        shared,
    })
}

fn tokenize(s: &str) -> Option<Vec<Token>> {
    let mut tokens = Vec::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' => {}
            '(' => tokens.push(Token::Open),
            ')' => tokens.push(Token::Close),
            '"' => tokens.push(Token::Str(quoted(&mut chars)?)),
            _ => {
                let mut atom = c.to_string();
                while let Some(&n) = chars.peek() {
                    if matches!(n, ' ' | '(' | ')' | '"') {
                        break;
                    }
                    atom.push(n);
                    chars.next();
                }
                if !atom.eq_ignore_ascii_case("NIL") {
                    return None;
                }
                tokens.push(Token::Nil);
            }
        }
    }
    Some(tokens)
}

fn class(t: &[Token], pos: &mut usize) -> Option<Option<Vec<NamespaceDescr>>> {
    match t.get(*pos)? {
        Token::Nil => {
            *pos += 1;
            Some(None)
        }
        Token::Open => {
            *pos += 1;
            let mut descrs = Vec::new();
            while t.get(*pos)? == &Token::Open {
                descrs.push(descr(t, pos)?);
            }
            expect(t, pos, &Token::Close)?;
            (!descrs.is_empty()).then_some(Some(descrs))
        }
        _ => None,
    }
}

fn descr(t: &[Token], pos: &mut usize) -> Option<NamespaceDescr> {
    expect(t, pos, &Token::Open)?;
    let prefix = string(t, pos)?;
    let delimiter = match t.get(*pos)? {
        Token::Nil => None,
        Token::Str(s) if s.chars().count() == 1 => Some(s.clone()),
        _ => return None,
    };
    *pos += 1;
    let mut extensions = Vec::new();
    while let Some(Token::Str(key)) = t.get(*pos) {
        *pos += 1;
        expect(t, pos, &Token::Open)?;
        let mut values = Vec::new();
        while let Some(Token::Str(v)) = t.get(*pos) {
            values.push(v.clone());
            *pos += 1;
        }
        expect(t, pos, &Token::Close)?;
        extensions.push(NamespaceExtension {
            key: key.clone(),
            values,
        });
    }
    expect(t, pos, &Token::Close)?;
    Some(NamespaceDescr {
        prefix,
        delimiter,
        extensions,
    })
}

fn string(t: &[Token], pos: &mut usize) -> Option<String> {
    let Token::Str(s) = t.get(*pos)? else {
        return None;
    };
    *pos += 1;
    Some(s.clone())
}

fn expect(t: &[Token], pos: &mut usize, want: &Token) -> Option<()> {
    (t.get(*pos)? == want).then(|| *pos += 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_extra_spaces_and_lowercase_nil() {
        let set = parse(r#"  (("" "/"))  nil   (("Public Folders/" "/"))"#).unwrap();
        assert!(set.other_users.is_none());
        assert_eq!(set.shared.unwrap()[0].prefix, "Public Folders/");
    }

    #[test]
    fn rejects_truncated_and_trailing_input() {
        assert!(parse(r#"(("" "/")) NIL"#).is_none());
        assert!(parse(r#"(("" "/")) NIL NIL NIL"#).is_none());
        assert!(parse(r#"(("" "//")) NIL NIL"#).is_none());
        assert!(parse(r#"() NIL NIL"#).is_none());
    }
}
