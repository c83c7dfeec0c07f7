//! Status responses and `resp-text` (RFC 3501 §7.1, §9), parsed from the raw line.
//!
//! This parser is deliberately lenient and independent of imap-codec: a command's tagged
//! completion must be recognised even from a line the codec rejects (a line is never dropped for its grammar), and the
//! REFERRAL code, which imap-codec only knows as `Code::Other`, is read here.

use serde::Serialize;

/// `OK`, `NO`, `BAD`, `PREAUTH` or `BYE` (RFC 3501 §7.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum StatusKind {
    Ok,
    No,
    Bad,
    Preauth,
    Bye,
}

impl StatusKind {
    pub fn from_atom(atom: &str) -> Option<Self> {
        Some(match atom.to_ascii_uppercase().as_str() {
            "OK" => StatusKind::Ok,
            "NO" => StatusKind::No,
            "BAD" => StatusKind::Bad,
            "PREAUTH" => StatusKind::Preauth,
            "BYE" => StatusKind::Bye,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            StatusKind::Ok => "OK",
            StatusKind::No => "NO",
            StatusKind::Bad => "BAD",
            StatusKind::Preauth => "PREAUTH",
            StatusKind::Bye => "BYE",
        }
    }
}

/// A response code, `"[" resp-text-code "]"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RespCode {
    Alert,
    Capability(Vec<String>),
    /// RFC 2221 §5 (one URL) and RFC 2193 §6 (one or more).
    Referral(Vec<String>),
    ReadOnly,
    ReadWrite,
    UidValidity(u32),
    UidNext(u32),
    PermanentFlags(Vec<String>),
    /// Any other code, with its atom upper-cased and its argument as sent.
    Other {
        name: String,
        arg: Option<String>,
    },
}

/// A status condition: kind, optional code, human-readable text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub kind: StatusKind,
    pub code: Option<RespCode>,
    /// The code exactly as it stood between the brackets, if there was one.
    pub code_raw: Option<String>,
    pub text: String,
}

impl Status {
    /// Parses `STATUS-ATOM [SP resp-text]` where `line` has no tag and no CRLF.
    pub fn parse(line: &str) -> Option<Status> {
        let (atom, rest) = split_token(line);
        let kind = StatusKind::from_atom(atom)?;
        let (code_raw, text) = split_code(rest);
        Some(Status {
            kind,
            code: code_raw.map(parse_code),
            code_raw: code_raw.map(str::to_string),
            text: text.to_string(),
        })
    }

    pub fn referral_urls(&self) -> Option<&[String]> {
        match &self.code {
            Some(RespCode::Referral(urls)) => Some(urls),
            _ => None,
        }
    }
}

/// Splits off the first space-delimited token.
pub fn split_token(s: &str) -> (&str, &str) {
    match s.split_once(' ') {
        Some((head, tail)) => (head, tail),
        None => (s, ""),
    }
}

/// Separates `[code] text`. Brackets nest so that an IPv6 host inside a REFERRAL URL
/// (`[REFERRAL imap://[::1]/]`) does not end the code early.
fn split_code(rest: &str) -> (Option<&str>, &str) {
    let Some(inner) = rest.strip_prefix('[') else {
        return (None, rest);
    };
    let mut depth = 1usize;
    for (i, c) in inner.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => {
                depth -= 1;
                if depth == 0 {
                    let text = inner[i + 1..].strip_prefix(' ').unwrap_or(&inner[i + 1..]);
                    return (Some(&inner[..i]), text);
                }
            }
            _ => {}
        }
    }
    // An unterminated code is text, as a lenient reader must take it.
    (None, rest)
}

fn parse_code(raw: &str) -> RespCode {
    let (name, arg) = split_token(raw);
    let name = name.to_ascii_uppercase();
    let words = || arg.split_whitespace().map(str::to_string).collect();
    match name.as_str() {
        "ALERT" => RespCode::Alert,
        "CAPABILITY" => RespCode::Capability(words()),
        "REFERRAL" => RespCode::Referral(words()),
        "READ-ONLY" => RespCode::ReadOnly,
        "READ-WRITE" => RespCode::ReadWrite,
        "UIDVALIDITY" if arg.parse::<u32>().is_ok() => {
            RespCode::UidValidity(arg.parse().unwrap_or(0))
        }
        "UIDNEXT" if arg.parse::<u32>().is_ok() => RespCode::UidNext(arg.parse().unwrap_or(0)),
        "PERMANENTFLAGS" => RespCode::PermanentFlags(paren_words(arg)),
        _ => RespCode::Other {
            name,
            arg: (!arg.is_empty()).then(|| arg.to_string()),
        },
    }
}

/// The words of a parenthesised list such as `(\Seen \Deleted)`.
pub fn paren_words(s: &str) -> Vec<String> {
    s.trim()
        .trim_start_matches('(')
        .trim_end_matches(')')
        .split_whitespace()
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kb217388_login_referral() {
        let s = Status::parse(
            "OK [REFERRAL imap://redmond%2Freedl%2Fimapf;AUTH=*@reedlm1.reedlm1.com] LOGIN completed",
        )
        .unwrap();
        assert_eq!(s.kind, StatusKind::Ok);
        assert_eq!(
            s.referral_urls().unwrap(),
            ["imap://redmond%2Freedl%2Fimapf;AUTH=*@reedlm1.reedlm1.com"]
        );
        assert_eq!(s.text, "LOGIN completed");
    }

    #[test]
    fn ipv6_referral_keeps_its_brackets() {
        let s = Status::parse("NO [REFERRAL imap://u@[::1]:1143/] go there").unwrap();
        assert_eq!(s.referral_urls().unwrap(), ["imap://u@[::1]:1143/"]);
        assert_eq!(s.text, "go there");
    }

    #[test]
    fn capability_code_keeps_case() {
        let s =
            Status::parse("OK [CAPABILITY IMAP4rev1 LITERAL+ AUTH=PLAIN] Dovecot ready.").unwrap();
        assert_eq!(
            s.code,
            Some(RespCode::Capability(vec![
                "IMAP4rev1".into(),
                "LITERAL+".into(),
                "AUTH=PLAIN".into()
            ]))
        );
    }

    #[test]
    fn missing_text_and_lowercase_are_accepted() {
        let s = Status::parse("ok").unwrap();
        assert_eq!((s.kind, s.text.as_str()), (StatusKind::Ok, ""));
        let s = Status::parse("no [READ-ONLY]").unwrap();
        assert_eq!(s.code, Some(RespCode::ReadOnly));
    }

    #[test]
    fn unterminated_code_is_text() {
        let s = Status::parse("NO [BROKEN text").unwrap();
        assert_eq!((s.code, s.text.as_str()), (None, "[BROKEN text"));
    }

    #[test]
    fn non_status_is_none() {
        assert!(Status::parse("CAPABILITY IMAP4rev1").is_none());
    }
}
