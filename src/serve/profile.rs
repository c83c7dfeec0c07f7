//! How each emulated server answers, taken from the sources named on each entry
//! (../shared/research/protocol-and-exchange.md §2.1, §2.2; RFC 2221, RFC 2193).

/// The referral behaviour of a profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReferralMode {
    None,
    /// KB217388: LOGIN succeeds with `OK [REFERRAL url]`; personal mailboxes then answer
    /// `NO There is no replica for that mailbox on this server.`
    LoginOk(&'static str),
    /// RFC 2221 §4.2: the greeting is `* BYE [REFERRAL url] ...`.
    Greeting,
    /// RFC 2193 §4.1: SELECT, EXAMINE and STATUS of `mailbox` answer `NO [REFERRAL urls]`.
    Mailbox {
        mailbox: &'static str,
        urls: &'static str,
    },
}

#[derive(Debug, Clone, Copy)]
pub struct EmuProfile {
    pub name: &'static str,
    pub summary: &'static str,
    /// Where the wire lines come from.
    pub source: &'static str,
    /// The whole greeting line, without CRLF.
    pub greeting: &'static str,
    pub capabilities: &'static str,
    /// The arguments of `* NAMESPACE`.
    pub namespace: &'static str,
    pub login_ok: &'static str,
    pub login_failed: &'static str,
    pub bad_command: &'static str,
    pub no_tag: &'static str,
    pub bye: &'static str,
    pub no_mailbox: &'static str,
    pub referral: ReferralMode,
    /// The profile that the referral's second listener plays, if any.
    pub home: Option<&'static str>,
    /// The NTLM CHALLENGE's target: NetBIOS domain and computer, DNS domain and computer
    /// (MS-NLMP §2.2.2.1). Names inferred from the greeting; no capture gives them.
    pub ntlm: [&'static str; 4],
}

/// KB217388 verbatim.
pub const KB217388_URL: &str = "imap://redmond%2Freedl%2Fimapf;AUTH=*@reedlm1.reedlm1.com";
pub const NO_REPLICA: &str = "NO There is no replica for that mailbox on this server.";

const EX55_CAPS: &str =
    "IMAP4 IMAP4rev1 IDLE LITERAL+ LOGIN-REFERRALS MAILBOX-REFERRALS NAMESPACE AUTH=NTLM";
const EX55_NAMESPACE: &str = r#"(("" "/")) (("Other users/" "/")) (("Public Folders/" "/"))"#;

const EXCHANGE55: EmuProfile = EmuProfile {
    name: "exchange55",
    summary: "Exchange Server 5.5: NAMESPACE with the Other users/ namespace",
    source: "KB Q311468 (NAMESPACE); KB Q189326 (BYE); KB Q262986 (RFCs implemented; capability order inferred)",
    greeting: "* OK Microsoft Exchange IMAP4rev1 server version 5.5.2653.23 (EXCH55) ready",
    capabilities: EX55_CAPS,
    namespace: EX55_NAMESPACE,
    login_ok: "OK LOGIN completed",
    login_failed: "NO Logon failure: unknown user name or bad password.",
    bad_command: "BAD Protocol Error: \"Unidentifiable command specified\".",
    no_tag: "* BAD Protocol Error: \"Tag not found in command\".",
    bye: "* BYE Microsoft Exchange IMAP4rev1 server version 5.5.2653.23 signing off",
    no_mailbox: "NO The requested item could not be found.",
    referral: ReferralMode::None,
    home: None,
    ntlm: ["EXAMPLE", "EXCH55", "example.com", "exch55.example.com"],
};

pub const PROFILES: &[EmuProfile] = &[
    EXCHANGE55,
    EmuProfile {
        name: "exchange2000",
        summary: "Exchange 2000 Server: other users' namespace NIL",
        source: "KB Q311468 (NAMESPACE); honeyd Exchange 2000 emulation (CAPABILITY, BYE, error texts)",
        greeting: "* OK Microsoft Exchange 2000 IMAP4rev1 server version 6.0.6249.0 (EXCH2K) ready.",
        capabilities: "IMAP4 IMAP4rev1 IDLE LOGIN-REFERRALS MAILBOX-REFERRALS NAMESPACE LITERAL+ UIDPLUS CHILDREN AUTH=NTLM",
        namespace: r#"(("" "/")) NIL (("Public Folders/" "/"))"#,
        bye: "* BYE Microsoft Exchange 2000 IMAP4rev1 server version 6.0.6249.0 signing off.",
        ntlm: ["EXAMPLE", "EXCH2K", "example.com", "exch2k.example.com"],
        ..EXCHANGE55
    },
    EmuProfile {
        name: "exchange55-referral",
        summary: "KB217388: LOGIN answered OK [REFERRAL], SELECT answered \"no replica\"; a second listener plays the home server",
        source: "KB217388 (greeting, referral, no-replica text)",
        greeting: "* OK Microsoft Exchange IMAP4rev1 server version 5.5.1960.6 (reedlm4.com) ready",
        bye: "* BYE Microsoft Exchange IMAP4rev1 server version 5.5.1960.6 signing off",
        referral: ReferralMode::LoginOk(KB217388_URL),
        home: Some("exchange55-home"),
        ntlm: ["REDMOND", "REEDLM4", "reedlm4.com", "reedlm4.com"],
        ..EXCHANGE55
    },
    EmuProfile {
        name: "exchange55-home",
        summary: "The home server reedlm1.reedlm1.com of KB217388, where the mailbox opens",
        source: "KB217388 (the server named in the referral)",
        greeting: "* OK Microsoft Exchange IMAP4rev1 server version 5.5.1960.6 (reedlm1.reedlm1.com) ready",
        bye: "* BYE Microsoft Exchange IMAP4rev1 server version 5.5.1960.6 signing off",
        ntlm: ["REDMOND", "REEDLM1", "reedlm1.com", "reedlm1.reedlm1.com"],
        ..EXCHANGE55
    },
    EmuProfile {
        name: "greeting-referral",
        summary: "RFC 2221 §4.2: the greeting is BYE with a REFERRAL to another server",
        source: "RFC 2221 §4.2 example",
        greeting: "* BYE [REFERRAL IMAP://user;AUTH=*@SERVER2/] Server not accepting connections.  Try SERVER2",
        referral: ReferralMode::Greeting,
        ..EXCHANGE55
    },
    EmuProfile {
        name: "mailbox-referral",
        summary: "RFC 2193 §4.1: the mailbox REMOTE lives on other servers",
        source: "RFC 2193 §4.1 example",
        referral: ReferralMode::Mailbox {
            mailbox: "REMOTE",
            urls: "IMAP://user;AUTH=*@SERVER2/REMOTE IMAP://user;AUTH=*@SERVER3/REMOTE",
        },
        ..EXCHANGE55
    },
];

pub fn by_name(name: &str) -> Option<&'static EmuProfile> {
    PROFILES.iter().find(|p| p.name.eq_ignore_ascii_case(name))
}
