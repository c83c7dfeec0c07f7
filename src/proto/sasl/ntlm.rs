//! NTLM over IMAP AUTHENTICATE (MS-NLMP §2.2 for the messages, §3.3.2 for NTLMv2): the
//! client sends NEGOTIATE, the server CHALLENGE (whose target info names the real backend:
//! NetBIOS and DNS names of the domain and the server), the client AUTHENTICATE with an
//! NTLMv2 response. The server side's check is here too, for the emulator.

use hmac::{Hmac, Mac};
use md4::{Digest, Md4};
use md5::Md5;

use super::Mechanism;

const SIGNATURE: &[u8; 8] = b"NTLMSSP\0";
/// UNICODE | OEM | REQUEST_TARGET | NTLM | ALWAYS_SIGN | EXTENDED_SESSIONSECURITY |
/// TARGET_INFO | 128 | 56 (MS-NLMP §2.2.2.5).
pub const FLAGS: u32 = 0x0000_0001
    | 0x0000_0002
    | 0x0000_0004
    | 0x0000_0200
    | 0x0000_8000
    | 0x0008_0000
    | 0x0080_0000
    | 0x2000_0000
    | 0x8000_0000;

/// The names a CHALLENGE's target info gives (MS-NLMP §2.2.2.1, AV_PAIR).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TargetInfo {
    pub netbios_domain: Option<String>,
    pub netbios_computer: Option<String>,
    pub dns_domain: Option<String>,
    pub dns_computer: Option<String>,
    pub dns_tree: Option<String>,
    /// MsvAvTimestamp, a FILETIME.
    pub timestamp: Option<u64>,
}

pub struct Ntlm {
    user: String,
    domain: String,
    password: String,
    client_challenge: [u8; 8],
    /// The current time as a FILETIME, when the server gives none.
    now: u64,
    sent_negotiate: bool,
    /// What the server's CHALLENGE said about itself.
    pub target: Option<TargetInfo>,
}

impl Ntlm {
    /// `user` may be `DOMAIN\user`; `client_challenge` must be random for each exchange.
    pub fn new(user: &str, password: &str, client_challenge: [u8; 8], now_filetime: u64) -> Self {
        let (domain, user) = match user.split_once('\\') {
            Some((d, u)) => (d.to_string(), u.to_string()),
            None => (String::new(), user.to_string()),
        };
        Ntlm {
            user,
            domain,
            password: password.into(),
            client_challenge,
            now: now_filetime,
            sent_negotiate: false,
            target: None,
        }
    }

    fn authenticate(&mut self, challenge: &[u8]) -> Result<Vec<u8>, String> {
        let c = parse_challenge(challenge)?;
        let info = parse_target_info(&c.target_info);
        let timestamp = info.timestamp.unwrap_or(self.now);
        self.target = Some(info);
        let key = ntowfv2(&self.password, &self.user, &self.domain);
        let blob = client_blob(timestamp, &self.client_challenge, &c.target_info);
        let proof = hmac_md5(&key, &[&c.server_challenge[..], &blob].concat());
        let nt = [&proof[..], &blob].concat();
        // With a timestamp in the target info the LMv2 response is zeros (MS-NLMP §3.1.5.1.2).
        let lm = vec![0u8; 24];
        Ok(authenticate_message(&lm, &nt, &self.domain, &self.user))
    }
}

impl Mechanism for Ntlm {
    fn name(&self) -> &'static str {
        "NTLM"
    }

    /// IMAP's NTLM waits for the server's empty challenge before NEGOTIATE.
    fn initial(&mut self) -> Option<Vec<u8>> {
        None
    }

    fn step(&mut self, challenge: &[u8]) -> Result<Vec<u8>, String> {
        if !self.sent_negotiate {
            self.sent_negotiate = true;
            return Ok(negotiate_message());
        }
        self.authenticate(challenge)
    }
}

/// A time since the Unix epoch as a Windows FILETIME (100 ns units since 1601), as
/// NTLMv2's timestamps are.
pub fn filetime(since_unix_epoch: std::time::Duration) -> u64 {
    (since_unix_epoch.as_secs() + 11_644_473_600) * 10_000_000
        + u64::from(since_unix_epoch.subsec_nanos() / 100)
}

pub fn negotiate_message() -> Vec<u8> {
    let mut m = SIGNATURE.to_vec();
    m.extend(1u32.to_le_bytes());
    m.extend(FLAGS.to_le_bytes());
    m.extend([0u8; 16]); // empty domain and workstation fields
    m
}

pub struct Challenge {
    pub server_challenge: [u8; 8],
    pub target_info: Vec<u8>,
}

pub fn parse_challenge(m: &[u8]) -> Result<Challenge, String> {
    if m.len() < 48 || &m[..8] != SIGNATURE || u32_at(m, 8) != Some(2) {
        return Err("not an NTLM CHALLENGE message".into());
    }
    let server_challenge: [u8; 8] = m[24..32].try_into().map_err(|_| "short challenge")?;
    let target_info = field(m, 40).unwrap_or_default().to_vec();
    Ok(Challenge {
        server_challenge,
        target_info,
    })
}

/// A CHALLENGE with `target_info` (what the emulator sends).
pub fn challenge_message(
    server_challenge: [u8; 8],
    target_name: &str,
    target_info: &[u8],
) -> Vec<u8> {
    let name = utf16(target_name);
    let mut m = SIGNATURE.to_vec();
    m.extend(2u32.to_le_bytes());
    let name_at = 48u32;
    let info_at = name_at + name.len() as u32;
    m.extend(secbuf(name.len(), name_at));
    m.extend(FLAGS.to_le_bytes());
    m.extend(server_challenge);
    m.extend([0u8; 8]);
    m.extend(secbuf(target_info.len(), info_at));
    m.extend(name);
    m.extend(target_info);
    m
}

/// AV_PAIRs: NetBIOS domain and computer, DNS domain and computer, a timestamp, EOL.
pub fn target_info(info: &TargetInfo) -> Vec<u8> {
    let mut out = Vec::new();
    let mut pair = |id: u16, value: &[u8]| {
        out.extend(id.to_le_bytes());
        out.extend((value.len() as u16).to_le_bytes());
        out.extend(value);
    };
    let fields = [
        (2, &info.netbios_domain),
        (1, &info.netbios_computer),
        (4, &info.dns_domain),
        (3, &info.dns_computer),
        (5, &info.dns_tree),
    ];
    for (id, v) in fields {
        if let Some(v) = v {
            pair(id, &utf16(v));
        }
    }
    if let Some(t) = info.timestamp {
        pair(7, &t.to_le_bytes());
    }
    pair(0, &[]);
    out
}

pub fn parse_target_info(mut b: &[u8]) -> TargetInfo {
    let mut t = TargetInfo::default();
    while b.len() >= 4 {
        let id = u16::from_le_bytes([b[0], b[1]]);
        let len = usize::from(u16::from_le_bytes([b[2], b[3]]));
        let Some(value) = b.get(4..4 + len) else {
            break;
        };
        let text = || Some(from_utf16(value));
        match id {
            0 => break,
            1 => t.netbios_computer = text(),
            2 => t.netbios_domain = text(),
            3 => t.dns_computer = text(),
            4 => t.dns_domain = text(),
            5 => t.dns_tree = text(),
            7 if len == 8 => t.timestamp = value.try_into().ok().map(u64::from_le_bytes),
            _ => {}
        }
        b = &b[4 + len..];
    }
    t
}

/// What an AUTHENTICATE message carries, for the server's check.
pub struct Authenticate {
    pub user: String,
    pub lm_response: Vec<u8>,
    pub domain: String,
    pub nt_response: Vec<u8>,
}

pub fn parse_authenticate(m: &[u8]) -> Result<Authenticate, String> {
    if m.len() < 64 || &m[..8] != SIGNATURE || u32_at(m, 8) != Some(3) {
        return Err("not an NTLM AUTHENTICATE message".into());
    }
    let text = |at| {
        field(m, at)
            .map(from_utf16)
            .ok_or("a field points outside the message")
    };
    Ok(Authenticate {
        lm_response: field(m, 12).unwrap_or_default().to_vec(),
        nt_response: field(m, 20).ok_or("no NT response")?.to_vec(),
        domain: text(28)?,
        user: text(36)?,
    })
}

/// The server's check of the response: NTLMv2 (MS-NLMP §3.3.2), or the NTLMv1 that
/// Windows 2000 servers accepted and Cyrus SASL's client still sends (§3.3.1).
pub fn verify(a: &Authenticate, password: &str, server_challenge: &[u8; 8]) -> bool {
    if a.nt_response.len() == 24 {
        return verify_v1(a, password, server_challenge);
    }
    if a.nt_response.len() < 16 + 28 {
        return false;
    }
    let (proof, blob) = a.nt_response.split_at(16);
    let key = ntowfv2(password, &a.user, &a.domain);
    let expected = hmac_md5(&key, &[&server_challenge[..], blob].concat());
    // Equal length, compared in full: no early exit on the first differing byte.
    expected
        .iter()
        .zip(proof)
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

/// NTLMv1 (MS-NLMP §3.3.1): DESL(NTOWFv1, challenge), where the challenge is the
/// server's, or with extended session security the first 8 bytes of
/// MD5(server challenge || client challenge) and the client challenge starts the LM
/// response.
fn verify_v1(a: &Authenticate, password: &str, server_challenge: &[u8; 8]) -> bool {
    let nt_hash: [u8; 16] = Md4::digest(utf16(password)).into();
    let plain = desl(&nt_hash, server_challenge);
    let ess = a.lm_response.get(..8).map(|client| {
        let digest = Md5::digest([&server_challenge[..], client].concat());
        let mut challenge = [0u8; 8];
        challenge.copy_from_slice(&digest[..8]);
        desl(&nt_hash, &challenge)
    });
    same(&plain, &a.nt_response) || ess.is_some_and(|e| same(&e, &a.nt_response))
}

/// Compared in full: no early exit on the first differing byte.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// DESL (MS-NLMP §6): three DES encryptions of `data` under 7-byte pieces of the key.
fn desl(key: &[u8; 16], data: &[u8; 8]) -> Vec<u8> {
    use des::cipher::{BlockEncrypt, KeyInit};
    let mut k = [0u8; 21];
    k[..16].copy_from_slice(key);
    k.chunks(7)
        .flat_map(|seven| {
            let cipher = des::Des::new(&des_key(seven).into());
            let mut block = (*data).into();
            cipher.encrypt_block(&mut block);
            block.to_vec()
        })
        .collect()
}

/// A 56-bit key spread over 8 bytes, 7 bits each (the parity bit is ignored by DES).
fn des_key(seven: &[u8]) -> [u8; 8] {
    let bits = seven.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
    let mut key = [0u8; 8];
    for (i, k) in key.iter_mut().enumerate() {
        *k = (((bits >> (49 - 7 * i)) & 0x7f) as u8) << 1;
    }
    key
}

fn ntowfv2(password: &str, user: &str, domain: &str) -> Vec<u8> {
    let nt_hash = Md4::digest(utf16(password));
    hmac_md5(
        &nt_hash,
        &utf16(&format!("{}{domain}", user.to_uppercase())),
    )
}

fn client_blob(timestamp: u64, client_challenge: &[u8; 8], target_info: &[u8]) -> Vec<u8> {
    let mut b = vec![1, 1, 0, 0, 0, 0, 0, 0];
    b.extend(timestamp.to_le_bytes());
    b.extend(client_challenge);
    b.extend([0u8; 4]);
    b.extend(target_info);
    b.extend([0u8; 4]);
    b
}

fn authenticate_message(lm: &[u8], nt: &[u8], domain: &str, user: &str) -> Vec<u8> {
    let (domain, user, workstation) = (utf16(domain), utf16(user), utf16("IMAPDIAG"));
    let mut at = 64u32;
    let mut header = SIGNATURE.to_vec();
    header.extend(3u32.to_le_bytes());
    let mut payload = Vec::new();
    for part in [lm, nt, &domain[..], &user[..], &workstation[..], &[][..]] {
        header.extend(secbuf(part.len(), at));
        payload.extend(part);
        at += part.len() as u32;
    }
    header.extend(FLAGS.to_le_bytes());
    [header, payload].concat()
}

fn hmac_md5(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut m = Hmac::<Md5>::new_from_slice(key).expect("HMAC takes any key");
    m.update(data);
    m.finalize().into_bytes().to_vec()
}

fn secbuf(len: usize, offset: u32) -> Vec<u8> {
    let len = len as u16;
    [len.to_le_bytes(), len.to_le_bytes()]
        .concat()
        .into_iter()
        .chain(offset.to_le_bytes())
        .collect()
}

/// The bytes a security buffer at `at` (length u16, max u16, offset u32) points to.
fn field(m: &[u8], at: usize) -> Option<&[u8]> {
    let len = usize::from(u16::from_le_bytes([*m.get(at)?, *m.get(at + 1)?]));
    let offset = u32_at(m, at + 4)? as usize;
    m.get(offset..offset.checked_add(len)?)
}

fn u32_at(m: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(m.get(at..at + 4)?.try_into().ok()?))
}

fn utf16(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

fn from_utf16(b: &[u8]) -> String {
    let units: Vec<u16> = b
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    String::from_utf16_lossy(&units)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// MS-NLMP §4.2.4's NTLMv2 example: user "User", domain "Domain", password "Password",
    /// server challenge 0123456789abcdef, client challenge aa*8, time 0, target info with
    /// NetBIOS domain "Domain" and computer "Server". The NTProofStr is
    /// 68cd0ab851e51c96aabc927bebef6a1c.
    #[test]
    fn ms_nlmp_ntlmv2_example() {
        let info = target_info(&TargetInfo {
            netbios_domain: Some("Domain".into()),
            netbios_computer: Some("Server".into()),
            ..TargetInfo::default()
        });
        let key = ntowfv2("Password", "User", "Domain");
        assert_eq!(super::super::hex(&key), "0c868a403bfd7a93a3001ef22ef02e3f");
        let blob = client_blob(0, &[0xaa; 8], &info);
        let server = [0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef];
        let proof = hmac_md5(&key, &[&server[..], &blob].concat());
        assert_eq!(
            super::super::hex(&proof),
            "68cd0ab851e51c96aabc927bebef6a1c"
        );
    }

    /// MS-NLMP §4.2.2 (NTLMv1) and §4.2.3 (NTLMv1 with extended session security, client
    /// challenge aa*8): password "Password", server challenge 0123456789abcdef.
    #[test]
    fn ms_nlmp_ntlmv1_examples() {
        let server = [0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef];
        let unhex = |h: &str| {
            (0..h.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&h[i..i + 2], 16).unwrap())
                .collect::<Vec<u8>>()
        };
        let v1 = Authenticate {
            user: "User".into(),
            lm_response: vec![0; 24],
            domain: "Domain".into(),
            nt_response: unhex("67c43011f30298a2ad35ece64f16331c44bdbed927841f94"),
        };
        assert!(verify(&v1, "Password", &server));
        assert!(!verify(&v1, "password", &server));
        let mut lm = vec![0xaa; 8];
        lm.extend([0; 16]);
        let ess = Authenticate {
            lm_response: lm,
            nt_response: unhex("7537f803ae367128ca458204bde7caf81e97ed2683267232"),
            ..v1
        };
        assert!(verify(&ess, "Password", &server));
    }

    #[test]
    fn a_full_exchange_verifies_and_a_wrong_password_does_not() {
        let info = TargetInfo {
            netbios_domain: Some("REDMOND".into()),
            netbios_computer: Some("REEDLM1".into()),
            dns_domain: Some("reedlm1.com".into()),
            dns_computer: Some("reedlm1.reedlm1.com".into()),
            timestamp: Some(133_000_000_000_000_000),
            ..TargetInfo::default()
        };
        let server = [7u8; 8];
        let challenge = challenge_message(server, "REDMOND", &target_info(&info));
        let mut c = Ntlm::new("REDMOND\\alice", "secret", [9u8; 8], 0);
        assert_eq!(c.initial(), None);
        let neg = c.step(b"").unwrap();
        assert_eq!(&neg[..12], b"NTLMSSP\0\x01\0\0\0");
        let auth = c.step(&challenge).unwrap();
        assert_eq!(c.target.as_ref().unwrap(), &info);
        let a = parse_authenticate(&auth).unwrap();
        assert_eq!((a.user.as_str(), a.domain.as_str()), ("alice", "REDMOND"));
        assert!(verify(&a, "secret", &server));
        assert!(!verify(&a, "Secret", &server));
        assert!(!verify(&a, "secret", &[8u8; 8]));
    }

    #[test]
    fn hostile_messages_are_refused_not_panicked_on() {
        assert!(parse_challenge(b"NTLMSSP\0").is_err());
        let mut bad = challenge_message([0; 8], "X", &[]);
        bad[44..48].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(parse_challenge(&bad).unwrap().target_info.is_empty());
        assert_eq!(
            parse_target_info(&[2, 0, 255, 255, 1]),
            TargetInfo::default()
        );
        assert!(parse_authenticate(&[0u8; 100]).is_err());
    }
}
