//! Exchange Online ends its greeting with the backend server's name, base64 of UTF-16LE,
//! in brackets: `... is ready. [RgBSADMAUAAyADgAMQBDAEEAMAAxADUANwAuAEQARQBVAFAAMgA4ADEALgBQAFIATwBEAC4ATwBVAFQATABPAE8ASwAuAEMATwBNAA==]`
//! is `FR3P281CA0157.DEUP281.PROD.OUTLOOK.COM`. Microsoft support asks for that name.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

/// The host name carried by a greeting's trailing `[base64]`, if it decodes to one.
pub fn backend_server(greeting_text: &str) -> Option<String> {
    let blob = greeting_text
        .trim_end()
        .strip_suffix(']')?
        .rsplit_once('[')?
        .1;
    let bytes = STANDARD.decode(blob).ok()?;
    if bytes.len() % 2 != 0 || bytes.is_empty() || bytes.len() > 512 {
        return None;
    }
    let units: Vec<u16> = bytes
        .chunks_exact(2)
        .map(|p| u16::from_le_bytes([p[0], p[1]]))
        .collect();
    let name = String::from_utf16(&units).ok()?;
    let host_like = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    host_like.then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exchange_online_names_its_backend() {
        let g = "The Microsoft Exchange IMAP4 service is ready. [RgBSADMAUAAyADgAMQBDAEEAMAAxADUANwAuAEQARQBVAFAAMgA4ADEALgBQAFIATwBEAC4ATwBVAFQATABPAE8ASwAuAEMATwBNAA==]";
        assert_eq!(
            backend_server(g).as_deref(),
            Some("FR3P281CA0157.DEUP281.PROD.OUTLOOK.COM")
        );
    }

    #[test]
    fn other_brackets_name_nothing() {
        for g in [
            "Dovecot ready.",
            "ready [not base64!]",
            "ready [aGVsbG8=]",
            "ready [AAA=]",
            "ready [GwBbADMAMQBtAA==]",
        ] {
            assert_eq!(backend_server(g), None, "{g}");
        }
    }
}
