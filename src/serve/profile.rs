//! How each emulated server answers, taken from the sources named on each entry
//! (KB Q311468, KB217388; RFC 2221, RFC 2193).

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
    /// Whether passwords are accepted (LOGIN, AUTHENTICATE PLAIN); hosted services that
    /// require OAuth refuse them with `login_failed`.
    pub passwords: bool,
    /// How XOAUTH2 and OAUTHBEARER tokens are judged, where advertised.
    pub oauth: OAuthMode,
    /// The capability list once logged in, when it differs.
    pub capabilities_after_login: Option<&'static str>,
    /// The arguments of the `* ID` reply (RFC 2971), for profiles that advertise ID.
    pub id: &'static str,
}

/// How a hosted service judges an OAuth token (the emulator reads the JWT's claims; it
/// checks no signature).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OAuthMode {
    None,
    /// Microsoft 365: a token for the user without IMAP.AccessAsUser.All (or the role
    /// IMAP.AccessAsApp) authenticates, and then every command is "not connected".
    Microsoft,
    /// Gmail: the scope https://mail.google.com/ is required; a failure is a JSON challenge.
    Google,
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
    passwords: true,
    oauth: OAuthMode::None,
    capabilities_after_login: None,
    id: "NIL",
};

pub const PROFILES: &[EmuProfile] = &[
    EXCHANGE55,
    OFFICE365,
    GMAIL,
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

/// Microsoft 365 as published protocol logs show it. CLIENTACCESSRULES,
/// CLIENTNETWORKPRESENCELOCATION and BACKENDAUTHENTICATE name no command: advertising them
/// asks nothing of a client.
const OFFICE365: EmuProfile = EmuProfile {
    name: "office365",
    summary: "Microsoft 365 (Exchange Online): OAuth only; a token without the IMAP scope authenticates, then every command is \"not connected\"",
    source: "MailKit issues #1494 and #1496 and node-imap #523 (greeting, capabilities before and after login, OK AUTHENTICATE completed., BAD User is authenticated but not connected., BYE Connection closed. 14); paperless-ngx #1647 and MailKit #483 (LOGIN failed., AUTHENTICATE failed.); imapsync #239 (BYE on LOGOUT); the rest inferred",
    greeting: "* OK The Microsoft Exchange IMAP4 service is ready. [RgBSADMAUAAyADgAMQBDAEEAMAAxADUANwAuAEQARQBVAFAAMgA4ADEALgBQAFIATwBEAC4ATwBVAFQATABPAE8ASwAuAEMATwBNAA==]",
    capabilities: "IMAP4 IMAP4rev1 AUTH=PLAIN AUTH=XOAUTH2 SASL-IR UIDPLUS ID UNSELECT CHILDREN IDLE NAMESPACE LITERAL+",
    capabilities_after_login: Some("IMAP4 IMAP4rev1 AUTH=PLAIN AUTH=XOAUTH2 SASL-IR UIDPLUS MOVE ID UNSELECT CLIENTACCESSRULES CLIENTNETWORKPRESENCELOCATION BACKENDAUTHENTICATE CHILDREN IDLE NAMESPACE LITERAL+"),
    namespace: r#"(("" "/")) NIL NIL"#,
    login_ok: "OK AUTHENTICATE completed.",
    login_failed: "NO LOGIN failed.",
    bad_command: "BAD Command Argument Error. 11",
    bye: "* BYE Microsoft Exchange Server IMAP4 server signing off.",
    passwords: false,
    oauth: OAuthMode::Microsoft,
    ntlm: ["EXAMPLE", "FR3P281CA0157", "example.com", "FR3P281CA0157.DEUP281.PROD.OUTLOOK.COM"],
    ..EXCHANGE55
};

/// Gmail as published protocol logs show it, with only the capabilities the emulator
/// implements: the real server also offers QUOTA, XLIST, X-GM-EXT-1, XYZZY,
/// AUTH=PLAIN-CLIENTTOKEN and AUTH=XOAUTH before login, and COMPRESS=DEFLATE, ENABLE,
/// CONDSTORE, ESEARCH, UTF8=ACCEPT, LIST-EXTENDED, LIST-STATUS, LITERAL-, SPECIAL-USE and
/// APPENDLIMIT=35651584 after it. A client told of them would use them, and an emulator
/// that then answers BAD tests nothing.
const GMAIL: EmuProfile = EmuProfile {
    name: "gmail",
    summary: "Gmail: passwords refused (application-specific password required); XOAUTH2/OAUTHBEARER with the scope https://mail.google.com/",
    source: "BrianLeishman/go-imap #25 (Gimap greeting, ALERT Application-specific password required); andreiaugustin/gmail_extractor #4 (Invalid credentials (Failure)); Google's XOAUTH2 protocol documentation (the JSON error challenge); capability list inferred from published CAPABILITY replies",
    greeting: "* OK Gimap ready for requests from 127.0.0.1 imapdiag",
    capabilities: "IMAP4rev1 UNSELECT IDLE NAMESPACE ID CHILDREN SASL-IR AUTH=XOAUTH2 AUTH=PLAIN AUTH=OAUTHBEARER",
    capabilities_after_login: Some("IMAP4rev1 UNSELECT IDLE NAMESPACE ID CHILDREN UIDPLUS MOVE"),
    namespace: r#"(("" "/")) NIL NIL"#,
    login_ok: "OK {user} authenticated (Success)",
    login_failed: "NO [ALERT] Application-specific password required: https://support.google.com/accounts/answer/185833 (Failure)",
    bad_command: "BAD Could not parse command",
    bye: "* BYE LOGOUT Requested",
    no_mailbox: "NO [NONEXISTENT] Unknown Mailbox: (Failure)",
    passwords: false,
    oauth: OAuthMode::Google,
    id: r#"("name" "GImap" "vendor" "Google, Inc." "support-url" "https://support.google.com/mail")"#,
    ..EXCHANGE55
};

pub fn by_name(name: &str) -> Option<&'static EmuProfile> {
    PROFILES.iter().find(|p| p.name.eq_ignore_ascii_case(name))
}
