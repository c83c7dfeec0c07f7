//! One server message (a line, with any literals it announced) turned into a value.
//!
//! Status lines are read by [`crate::proto::resp_text`] so that tagged completions and
//! REFERRAL codes are always recognised; data responses (NAMESPACE, LIST, ID) are decoded
//! by imap-codec. Every message is also run through imap-codec's grammar, and a message it
//! rejects is marked non-conforming: reported, never fatal.

use imap_codec::decode::Decoder;
use imap_codec::imap_types::core::IString;
use imap_codec::imap_types::extensions::namespace::Namespace as CodecNamespace;
use imap_codec::imap_types::response::{Data as CodecData, Response as CodecResponse};
use imap_codec::{GreetingCodec, ResponseCodec};
use serde::Serialize;

use super::resp_text::{paren_words, split_token, Status};

/// What one server message is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Response {
    /// The first message of a connection (RFC 3501 §7.1: OK, PREAUTH or BYE).
    Greeting(Status),
    Tagged {
        tag: String,
        status: Status,
    },
    /// `* OK/NO/BAD/BYE/PREAUTH ...` after the greeting.
    Untagged(Status),
    /// `+ ...` (RFC 3501 §7.5).
    Continuation {
        text: String,
    },
    Data(Data),
    /// A line that is none of the above; `tag` is its first word when that is not `*`.
    Unrecognised {
        tag: Option<String>,
    },
}

/// Untagged server data (RFC 3501 §7.2–7.4, RFC 2342, RFC 2971).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Data {
    Capability(Vec<String>),
    Namespace(NamespaceSet),
    List(ListItem),
    Lsub(ListItem),
    Exists(u32),
    Recent(u32),
    Flags(Vec<String>),
    /// `* ID NIL` is `None`.
    Id(Option<Vec<(String, Option<String>)>>),
    Other {
        keyword: String,
    },
}

/// The three namespace classes of RFC 2342 §5; `None` is the server's `NIL`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct NamespaceSet {
    pub personal: Option<Vec<NamespaceDescr>>,
    pub other_users: Option<Vec<NamespaceDescr>>,
    pub shared: Option<Vec<NamespaceDescr>>,
}

/// `"(" string SP (DQUOTE QUOTED-CHAR DQUOTE / nil) *(Namespace-Response-Extension) ")"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct NamespaceDescr {
    pub prefix: String,
    /// `None` is a NIL delimiter: a flat namespace.
    pub delimiter: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extensions: Vec<NamespaceExtension>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct NamespaceExtension {
    pub key: String,
    pub values: Vec<String>,
}

/// A LIST or LSUB reply (RFC 3501 §7.2.2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ListItem {
    pub attributes: Vec<String>,
    pub delimiter: Option<String>,
    pub mailbox: String,
}

/// A message together with what the strict grammar made of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    pub response: Response,
    /// `Some(reason)` when imap-codec rejects the bytes (RFC 3501 §9 grammar).
    pub nonconforming: Option<String>,
}

/// Parses one complete message. `greeting` selects the grammar of the first message.
pub fn parse(raw: &[u8], greeting: bool) -> Parsed {
    let line = first_line(raw);
    let response = if greeting {
        parse_greeting(&line)
    } else {
        parse_line(&line, raw)
    };
    Parsed {
        response,
        nonconforming: conformance(raw, greeting),
    }
}

/// The first line of a message, without its line ending, as text.
pub fn first_line(raw: &[u8]) -> String {
    String::from_utf8_lossy(first_line_bytes(raw)).into_owned()
}

/// The first line of a message, without its line ending.
pub fn first_line_bytes(raw: &[u8]) -> &[u8] {
    let end = raw.iter().position(|&b| b == b'\n').unwrap_or(raw.len());
    let line = &raw[..end];
    line.strip_suffix(b"\r").unwrap_or(line)
}

fn parse_greeting(line: &str) -> Response {
    match line.strip_prefix("* ").and_then(Status::parse) {
        Some(status) => Response::Greeting(status),
        None => Response::Unrecognised { tag: None },
    }
}

fn parse_line(line: &str, raw: &[u8]) -> Response {
    if line == "+" || line.starts_with("+ ") {
        let text = line.get(2..).unwrap_or("").to_string();
        return Response::Continuation { text };
    }
    let (tag, rest) = split_token(line);
    if tag == "*" {
        return match Status::parse(rest) {
            Some(status) => Response::Untagged(status),
            None => Response::Data(parse_data(rest, raw)),
        };
    }
    match Status::parse(rest) {
        Some(status) if !tag.is_empty() => Response::Tagged {
            tag: tag.to_string(),
            status,
        },
        _ => Response::Unrecognised {
            tag: (!tag.is_empty()).then(|| tag.to_string()),
        },
    }
}

fn parse_data(rest: &str, raw: &[u8]) -> Data {
    let (word, args) = split_token(rest);
    if let Ok(n) = word.parse::<u32>() {
        let (kind, _) = split_token(args);
        return match kind.to_ascii_uppercase().as_str() {
            "EXISTS" => Data::Exists(n),
            "RECENT" => Data::Recent(n),
            other => Data::Other {
                keyword: other.to_string(),
            },
        };
    }
    let keyword = word.to_ascii_uppercase();
    match keyword.as_str() {
        "CAPABILITY" => Data::Capability(args.split_whitespace().map(str::to_string).collect()),
        "FLAGS" => Data::Flags(paren_words(args)),
        "NAMESPACE" => codec_data(raw)
            .or_else(|| super::namespace_lenient::parse(args).map(Data::Namespace))
            .unwrap_or(Data::Other { keyword }),
        _ => codec_data(raw).unwrap_or(Data::Other { keyword }),
    }
}

/// Decodes data responses that have structure worth keeping.
fn codec_data(raw: &[u8]) -> Option<Data> {
    let (_, CodecResponse::Data(data)) = ResponseCodec::default().decode(raw).ok()? else {
        return None;
    };
    Some(match data {
        CodecData::Namespace {
            personal,
            other,
            shared,
        } => Data::Namespace(NamespaceSet {
            personal: namespaces(&personal),
            other_users: namespaces(&other),
            shared: namespaces(&shared),
        }),
        CodecData::List {
            items,
            delimiter,
            mailbox,
        } => Data::List(list_item(&items, delimiter, &mailbox)),
        CodecData::Lsub {
            items,
            delimiter,
            mailbox,
        } => Data::Lsub(list_item(&items, delimiter, &mailbox)),
        CodecData::Id { parameters } => Data::Id(parameters.map(|ps| {
            ps.iter()
                .map(|(k, v)| (istring(k), v.0.as_ref().map(istring)))
                .collect()
        })),
        _ => return None,
    })
}

fn namespaces(list: &[CodecNamespace<'_>]) -> Option<Vec<NamespaceDescr>> {
    // imap-codec gives NIL as an empty list; RFC 2342 has no empty list, so they coincide.
    (!list.is_empty()).then(|| {
        list.iter()
            .map(|ns| NamespaceDescr {
                prefix: istring(&ns.prefix),
                delimiter: ns.delimiter.as_ref().map(|d| d.inner().to_string()),
                extensions: ns
                    .extensions
                    .iter()
                    .map(|e| NamespaceExtension {
                        key: istring(&e.key),
                        values: e.values.as_ref().iter().map(istring).collect(),
                    })
                    .collect(),
            })
            .collect()
    })
}

fn list_item(
    items: &[imap_codec::imap_types::flag::FlagNameAttribute<'_>],
    delimiter: Option<imap_codec::imap_types::core::QuotedChar>,
    mailbox: &imap_codec::imap_types::mailbox::Mailbox<'_>,
) -> ListItem {
    use imap_codec::imap_types::mailbox::Mailbox;
    ListItem {
        attributes: items.iter().map(|a| a.to_string()).collect(),
        delimiter: delimiter.map(|d| d.inner().to_string()),
        mailbox: match mailbox {
            Mailbox::Inbox => "INBOX".to_string(),
            Mailbox::Other(other) => String::from_utf8_lossy(other.as_ref()).into_owned(),
        },
    }
}

fn istring(s: &IString<'_>) -> String {
    String::from_utf8_lossy(s.as_ref()).into_owned()
}

/// Runs the strict grammar over the message; `None` when it conforms.
fn conformance(raw: &[u8], greeting: bool) -> Option<String> {
    let decoded = if greeting {
        GreetingCodec::default()
            .decode(raw)
            .map(|(rem, _)| rem.len())
            .ok()
    } else {
        ResponseCodec::default()
            .decode(raw)
            .map(|(rem, _)| rem.len())
            .ok()
    };
    match decoded {
        Some(0) => None,
        Some(_) => Some("bytes left over after the response".to_string()),
        None => Some("does not match the RFC 3501 response grammar".to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::StatusKind;

    fn ns(prefix: &str, delim: &str) -> NamespaceDescr {
        NamespaceDescr {
            prefix: prefix.into(),
            delimiter: Some(delim.into()),
            extensions: vec![],
        }
    }

    fn namespace_of(line: &[u8]) -> NamespaceSet {
        match parse(line, false).response {
            Response::Data(Data::Namespace(set)) => set,
            other => panic!("not a namespace: {other:?}"),
        }
    }

    #[test]
    fn exchange55_namespace() {
        let set = namespace_of(b"* NAMESPACE ((\"\" \"/\")) ((\"Other users/\" \"/\")) ((\"Public Folders/\" \"/\"))\r\n");
        assert_eq!(set.personal, Some(vec![ns("", "/")]));
        assert_eq!(set.other_users, Some(vec![ns("Other users/", "/")]));
        assert_eq!(set.shared, Some(vec![ns("Public Folders/", "/")]));
    }

    #[test]
    fn exchange2000_namespace_has_nil_other_users() {
        let set = namespace_of(b"* NAMESPACE ((\"\" \"/\")) NIL ((\"Public Folders/\" \"/\"))\r\n");
        assert_eq!(set.other_users, None);
    }

    #[test]
    fn rfc2342_double_space_is_read_leniently() {
        let parsed = parse(b"* NAMESPACE ((\"INBOX.\" \".\")) NIL  NIL\r\n", false);
        assert_eq!(
            parsed.response,
            Response::Data(Data::Namespace(NamespaceSet {
                personal: Some(vec![ns("INBOX.", ".")]),
                other_users: None,
                shared: None
            }))
        );
        assert!(parsed.nonconforming.is_some());
    }

    #[test]
    fn extension_data_is_kept() {
        let set = namespace_of(
            b"* NAMESPACE ((\"\" \"/\")(\"#mh/\" \"/\" \"X-PARAM\" (\"FLAG1\" \"FLAG2\"))) NIL NIL\r\n",
        );
        let mh = &set.personal.unwrap()[1];
        assert_eq!(mh.extensions[0].key, "X-PARAM");
        assert_eq!(mh.extensions[0].values, ["FLAG1", "FLAG2"]);
    }

    #[test]
    fn tagged_completion_survives_a_grammar_slip() {
        let parsed = parse(b"a003 OK\r\n", false);
        match parsed.response {
            Response::Tagged { tag, status } => {
                assert_eq!(tag, "a003");
                assert_eq!(status.kind, StatusKind::Ok);
            }
            other => panic!("{other:?}"),
        }
        assert!(parsed.nonconforming.is_some());
    }

    #[test]
    fn question_mark_tag() {
        let parsed = parse(
            b"? NO There is no replica for that mailbox on this server.\r\n",
            false,
        );
        assert!(matches!(parsed.response, Response::Tagged { ref tag, .. } if tag == "?"));
        assert_eq!(parsed.nonconforming, None);
    }

    #[test]
    fn list_with_literal_mailbox() {
        let parsed = parse(b"* LIST () \"/\" {5}\r\nINBOX\r\n", false);
        match parsed.response {
            Response::Data(Data::List(item)) => {
                assert_eq!(item.mailbox, "INBOX");
                assert_eq!(item.delimiter.as_deref(), Some("/"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn garbage_is_unrecognised_not_a_panic() {
        let parsed = parse(b"\x00\xff garbage ((\r\n", false);
        assert!(matches!(parsed.response, Response::Unrecognised { .. }));
        assert!(parsed.nonconforming.is_some());
    }

    #[test]
    fn greeting_bye_and_preauth() {
        let p = parse(b"* PREAUTH ready\r\n", true);
        assert!(matches!(
            p.response,
            Response::Greeting(Status {
                kind: StatusKind::Preauth,
                ..
            })
        ));
        let p = parse(b"* BYE [REFERRAL imap://s2/] go away\r\n", true);
        match p.response {
            Response::Greeting(status) => {
                assert_eq!(status.referral_urls().unwrap(), ["imap://s2/"])
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn bare_plus_continuation() {
        let p = parse(b"+\r\n", false);
        assert_eq!(
            p.response,
            Response::Continuation {
                text: String::new()
            }
        );
    }

    #[test]
    fn id_response() {
        let p = parse(b"* ID (\"name\" \"Dovecot\" \"version\" NIL)\r\n", false);
        assert_eq!(
            p.response,
            Response::Data(Data::Id(Some(vec![
                ("name".into(), Some("Dovecot".into())),
                ("version".into(), None)
            ])))
        );
    }
}
