//! One emulated IMAP session: the state machine of RFC 3501 §3 with the profile's texts.

use std::sync::Arc;

use base64::Engine;

use super::accounts::Account;
use super::conn::{ConnError, ServerConn};
use super::parse::{parse_command, ClientCommand, ParseError, Token};
use super::profile::{EmuProfile, OAuthMode, ReferralMode, NO_REPLICA};
use super::selected::{Mail, Selected};
use super::store::Store;
use super::tls::ServerTls;
use super::wildcard::matches as wildcard;
use crate::proto::command::astring_text;

pub struct Ctx {
    pub profile: &'static EmuProfile,
    pub accounts: Arc<Vec<Account>>,
    pub tls: Arc<ServerTls>,
    pub store: Arc<Store>,
}

impl Ctx {
    /// The capabilities a client is told of, before or after login.
    fn capabilities(&self, logged_in: bool) -> &'static str {
        match self.profile.capabilities_after_login {
            Some(after) if logged_in => after,
            _ => self.profile.capabilities,
        }
    }

    /// The CAPABILITY reply's list. After login, a profile without a recorded list drops
    /// what only the not-authenticated state uses: AUTHENTICATE's mechanisms and SASL-IR
    /// (RFC 3501 §6.2.2), as STARTTLS (§6.2.1).
    fn advertised(&self, logged_in: bool) -> String {
        let caps = self.capabilities(logged_in);
        if !logged_in || self.profile.capabilities_after_login.is_some() {
            return caps.to_string();
        }
        caps.split(' ')
            .filter(|c| !c.starts_with("AUTH=") && *c != "SASL-IR")
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn advertises(&self, cap: &str) -> bool {
        self.capabilities(true)
            .split(' ')
            .any(|c| c.eq_ignore_ascii_case(cap))
    }

    fn mail(&self, account: usize) -> Mail<'_> {
        Mail {
            store: &self.store,
            account,
            caps: self.capabilities(true),
            no_mailbox: self.profile.no_mailbox,
        }
    }
}

#[derive(Clone)]
enum State {
    NotAuthenticated,
    /// Logged in as `accounts[account]`; `referred` after a login referral (KB217388);
    /// the mailbox open in the selected state, if any.
    Authenticated {
        account: usize,
        referred: bool,
        selected: Option<Selected>,
    },
    /// Microsoft 365's state after a token without the IMAP permission: authenticated, but
    /// every command fails; the count of those failures.
    NotConnected(u8),
}

/// Microsoft 365's answer in the not-connected state, and its BYE after the second one.
const NOT_CONNECTED: &str = "BAD User is authenticated but not connected.";
const NOT_CONNECTED_BYE: &str = "* BYE Connection closed. 14";

/// What the command loop does after a reply.
enum Next {
    Continue,
    Close,
    StartTls,
}

pub async fn run(mut conn: ServerConn, ctx: &Ctx) -> Result<(), ConnError> {
    let p = ctx.profile;
    conn.send(p.greeting).await.map_err(ConnError::Io)?;
    if p.referral == ReferralMode::Greeting {
        return Ok(());
    }
    let mut state = State::NotAuthenticated;
    loop {
        let pieces = match conn.read_command().await {
            Ok(pieces) => pieces,
            Err(e) => return farewell(&mut conn, e).await,
        };
        let cmd = match parse_command(&pieces) {
            Ok(cmd) => cmd,
            Err(ParseError::NoTag) => {
                conn.send(p.no_tag).await.map_err(ConnError::Io)?;
                continue;
            }
            Err(ParseError::Syntax { tag }) => {
                conn.send(&format!("{tag} {}", p.bad_command))
                    .await
                    .map_err(ConnError::Io)?;
                continue;
            }
        };
        let (lines, next) = match cmd.name.as_str() {
            "AUTHENTICATE" => authenticate(&mut conn, ctx, &cmd, &mut state).await?,
            "IDLE" if ctx.advertises("IDLE") && matches!(state, State::Authenticated { .. }) => {
                match idle(&mut conn, ctx, &cmd.tag, &mut state).await {
                    Ok(reply) => reply,
                    Err(e) => return farewell(&mut conn, e).await,
                }
            }
            _ => dispatch(ctx, &cmd, &mut state, conn.is_tls()),
        };
        for line in &lines {
            conn.send(line).await.map_err(ConnError::Io)?;
        }
        // A wrong password costs time, as on real servers: guessing stays slow.
        if matches!(cmd.name.as_str(), "LOGIN" | "AUTHENTICATE")
            && matches!(state, State::NotAuthenticated)
        {
            tokio::time::sleep(conn.limits.failed_login_delay).await;
        }
        match next {
            Next::Continue => {}
            Next::Close => return Ok(()),
            Next::StartTls => conn = conn.start_tls(&ctx.tls.acceptor).await?,
        }
    }
}

/// A bounded, explained end for a client that broke a limit.
async fn farewell(conn: &mut ServerConn, e: ConnError) -> Result<(), ConnError> {
    let text = match &e {
        ConnError::LineTooLong => format!("* BYE Line longer than {} bytes", conn.limits.max_line),
        ConnError::LiteralTooLarge(n) => format!("* BYE Literal of {n} bytes refused"),
        ConnError::Idle => "* BYE Autologout; idle for too long".to_string(),
        ConnError::Closed | ConnError::Io(_) => return Err(e),
    };
    let _ = conn.send(&text).await;
    Err(e)
}

fn dispatch(ctx: &Ctx, cmd: &ClientCommand, state: &mut State, tls: bool) -> (Vec<String>, Next) {
    let p = ctx.profile;
    let tag = &cmd.tag;
    let ok = |text: &str| vec![format!("{tag} OK {text}")];
    if let State::NotConnected(strikes) = state {
        if !matches!(cmd.name.as_str(), "CAPABILITY" | "NOOP" | "LOGOUT") {
            *strikes += 1;
            let mut lines = vec![format!("{tag} {NOT_CONNECTED}")];
            if *strikes >= 2 {
                lines.push(NOT_CONNECTED_BYE.to_string());
                return (lines, Next::Close);
            }
            return (lines, Next::Continue);
        }
    }
    let logged_in = !matches!(state, State::NotAuthenticated);
    if let State::Authenticated {
        account,
        referred: false,
        selected,
    } = state
    {
        if !matches!(cmd.name.as_str(), "SELECT" | "EXAMINE" | "STATUS") {
            if let Some(lines) = ctx.mail(*account).command(cmd, selected) {
                return (lines, Next::Continue);
            }
        }
    }
    match (cmd.name.as_str(), state.clone()) {
        ("CAPABILITY", _) => {
            // RFC 3501 §6.2.1: STARTTLS only before authentication.
            let starttls = if tls || logged_in { "" } else { " STARTTLS" };
            let caps = ctx.advertised(logged_in);
            (
                vec![
                    format!("* CAPABILITY {caps}{starttls}"),
                    format!("{tag} OK CAPABILITY completed."),
                ],
                Next::Continue,
            )
        }
        ("NOOP", _) => (ok("NOOP completed."), Next::Continue),
        ("ID", _) if p.capabilities.split(' ').any(|c| c == "ID") => (
            vec![format!("* ID {}", p.id), format!("{tag} OK ID completed.")],
            Next::Continue,
        ),
        ("LOGOUT", _) => (
            vec![p.bye.to_string(), format!("{tag} OK LOGOUT completed.")],
            Next::Close,
        ),
        ("STARTTLS", State::NotAuthenticated) if !tls => {
            (ok("Begin TLS negotiation now."), Next::StartTls)
        }
        ("LOGIN", State::NotAuthenticated) => {
            let args: Vec<String> = cmd.args.iter().filter_map(Token::as_text).collect();
            match args.as_slice() {
                [user, password] => (login(ctx, tag, user, password, state), Next::Continue),
                _ => (vec![format!("{tag} {}", p.bad_command)], Next::Continue),
            }
        }
        ("NAMESPACE", State::Authenticated { .. }) => (
            vec![
                format!("* NAMESPACE {}", p.namespace),
                format!("{tag} OK NAMESPACE completed."),
            ],
            Next::Continue,
        ),
        ("LIST" | "LSUB" | "RLIST" | "RLSUB", State::Authenticated { account, .. }) => {
            (list(ctx, cmd, account), Next::Continue)
        }
        ("SELECT" | "EXAMINE" | "STATUS", State::Authenticated { .. }) => {
            (open(ctx, cmd, state), Next::Continue)
        }
        (name, State::NotAuthenticated)
            if matches!(
                name,
                "NAMESPACE" | "LIST" | "LSUB" | "SELECT" | "EXAMINE" | "STATUS"
            ) =>
        {
            (
                vec![format!(
                    "{tag} BAD {name} command received in invalid state."
                )],
                Next::Continue,
            )
        }
        _ => (vec![format!("{tag} {}", p.bad_command)], Next::Continue),
    }
}

fn login(ctx: &Ctx, tag: &str, user: &str, password: &str, state: &mut State) -> Vec<String> {
    let p = ctx.profile;
    let found = ctx
        .accounts
        .iter()
        .position(|a| a.user.eq_ignore_ascii_case(user) && a.password == password);
    let Some(account) = found.filter(|_| p.passwords) else {
        // RFC 2221 §6: never a referral when authentication failed.
        return vec![format!("{tag} {}", p.login_failed)];
    };
    match p.referral {
        ReferralMode::LoginOk(url) => {
            *state = State::Authenticated {
                account,
                referred: true,
                selected: None,
            };
            let url = referral_url(url, ctx.accounts[account].home_user());
            let (ok, completed) = p.login_ok.split_once(' ').unwrap_or(("OK", p.login_ok));
            vec![format!("{tag} {ok} [REFERRAL {url}] {completed}")]
        }
        _ => {
            *state = State::Authenticated {
                account,
                referred: false,
                selected: None,
            };
            vec![format!("{tag} {}", p.login_ok.replace("{user}", user))]
        }
    }
}

/// AUTHENTICATE PLAIN (RFC 4616, with or without an initial response, RFC 4959), and
/// NTLM where the profile advertises it (MS-NLMP: NEGOTIATE, CHALLENGE, AUTHENTICATE with
/// an NTLMv2 response checked against the users file).
async fn authenticate(
    conn: &mut ServerConn,
    ctx: &Ctx,
    cmd: &ClientCommand,
    state: &mut State,
) -> Result<(Vec<String>, Next), ConnError> {
    let tag = &cmd.tag;
    let mech = cmd
        .args
        .first()
        .and_then(Token::as_text)
        .unwrap_or_default()
        .to_ascii_uppercase();
    let offered = mech == "PLAIN"
        || ctx
            .profile
            .capabilities
            .split(' ')
            .any(|c| c.eq_ignore_ascii_case(&format!("AUTH={mech}")));
    if !offered || !matches!(state, State::NotAuthenticated) {
        return Ok((
            vec![format!("{tag} NO Unsupported authentication mechanism.")],
            Next::Continue,
        ));
    }
    let first = match cmd.args.get(1).and_then(Token::as_text) {
        Some(ir) => ir,
        None => continuation(conn, "").await?,
    };
    let lines = match (mech.as_str(), sasl_bytes(&first)) {
        (_, None) => vec![format!(
            "{tag} NO The AUTH protocol exchange was canceled by the client."
        )],
        ("NTLM", Some(_negotiate)) => ntlm(conn, ctx, tag, state).await?,
        ("XOAUTH2" | "OAUTHBEARER", Some(ir)) => oauth(conn, ctx, tag, &ir, state).await?,
        ("PLAIN", Some(_))
            if !ctx.profile.passwords && ctx.profile.oauth == OAuthMode::Microsoft =>
        {
            vec![format!("{tag} NO AUTHENTICATE failed.")]
        }
        (_, Some(plain)) => {
            let parts: Vec<String> = plain
                .split(|&b| b == 0)
                .map(|p| String::from_utf8_lossy(p).into_owned())
                .collect();
            match parts.as_slice() {
                [_authz, user, password] => login(ctx, tag, user, password, state),
                _ => vec![format!("{tag} BAD Invalid AUTHENTICATE PLAIN response.")],
            }
        }
    };
    Ok((lines, Next::Continue))
}

/// XOAUTH2 (`user=U^Aauth=Bearer T^A^A`) and OAUTHBEARER (`n,a=U,^A...auth=Bearer T^A^A`)
/// judged as the profile's service does, from the token's claims (no signature check).
async fn oauth(
    conn: &mut ServerConn,
    ctx: &Ctx,
    tag: &str,
    ir: &[u8],
    state: &mut State,
) -> Result<Vec<String>, ConnError> {
    let text = String::from_utf8_lossy(ir);
    let field = |key: &str| {
        text.split('\x01')
            .find_map(|f| f.strip_prefix(key))
            .map(str::to_string)
    };
    let user = field("user=").or_else(|| {
        text.split(',')
            .find_map(|f| f.strip_prefix("a="))
            .map(|u| u.replace("=2C", ",").replace("=3D", "="))
    });
    let token = field("auth=Bearer ").unwrap_or_default();
    let verdict = judge_token(ctx, user.as_deref().unwrap_or(""), &token);
    Ok(match (ctx.profile.oauth, verdict) {
        (OAuthMode::None, _) => vec![format!("{tag} NO Unsupported authentication mechanism.")],
        (_, TokenVerdict::Good(account)) => {
            *state = State::Authenticated {
                account,
                referred: false,
                selected: None,
            };
            let user = ctx.accounts[account].user.clone();
            vec![format!(
                "{tag} {}",
                ctx.profile.login_ok.replace("{user}", &user)
            )]
        }
        (OAuthMode::Microsoft, TokenVerdict::NoScope) => {
            *state = State::NotConnected(0);
            vec![format!("{tag} {}", ctx.profile.login_ok)]
        }
        (OAuthMode::Microsoft, TokenVerdict::Bad) => vec![format!("{tag} NO AUTHENTICATE failed.")],
        (OAuthMode::Google, _) => {
            // Google's XOAUTH2 error challenge; the client answers it with an empty line.
            let json = r#"{"status":"400","schemes":"Bearer","scope":"https://mail.google.com/"}"#;
            continuation(
                conn,
                &base64::engine::general_purpose::STANDARD.encode(json),
            )
            .await?;
            vec![format!(
                "{tag} NO [AUTHENTICATIONFAILED] Invalid credentials (Failure)"
            )]
        }
    })
}

enum TokenVerdict {
    /// For this account, with the service's IMAP scope.
    Good(usize),
    /// For this account, without the scope.
    NoScope,
    Bad,
}

fn judge_token(ctx: &Ctx, login: &str, token: &str) -> TokenVerdict {
    use crate::proto::sasl::jwt;
    let local = |u: &str| u.split('@').next().unwrap_or(u).to_ascii_lowercase();
    let Some(c) = jwt::claims(token) else {
        return TokenVerdict::Bad;
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let claimed = c.user.as_deref().map(local).unwrap_or_default();
    let account = ctx
        .accounts
        .iter()
        .position(|a| local(&a.user) == claimed && local(login) == claimed);
    let (Some(account), false) = (account, c.exp.is_some_and(|e| e <= now)) else {
        return TokenVerdict::Bad;
    };
    let scoped = match ctx.profile.oauth {
        OAuthMode::Microsoft => {
            c.scopes
                .iter()
                .any(|s| s.eq_ignore_ascii_case("IMAP.AccessAsUser.All"))
                || c.roles
                    .iter()
                    .any(|r| r.eq_ignore_ascii_case("IMAP.AccessAsApp"))
        }
        _ => c.scopes.iter().any(|s| s == "https://mail.google.com/"),
    };
    if scoped {
        TokenVerdict::Good(account)
    } else {
        TokenVerdict::NoScope
    }
}

/// Sends `+ text` and reads the client's response line.
async fn continuation(conn: &mut ServerConn, text: &str) -> Result<String, ConnError> {
    conn.send(&format!("+ {text}"))
        .await
        .map_err(ConnError::Io)?;
    let deadline = tokio::time::Instant::now() + conn.limits.idle;
    Ok(String::from_utf8_lossy(&conn.read_line(deadline).await?).into_owned())
}

/// A SASL response decoded; `None` for the client's `*` (cancel).
fn sasl_bytes(line: &str) -> Option<Vec<u8>> {
    let line = line.trim();
    (line != "*").then(|| {
        base64::engine::general_purpose::STANDARD
            .decode(line)
            .unwrap_or_default()
    })
}

/// After the client's NEGOTIATE: the CHALLENGE with the profile's names, then the check
/// of the AUTHENTICATE message's NTLMv2 response against each matching account.
async fn ntlm(
    conn: &mut ServerConn,
    ctx: &Ctx,
    tag: &str,
    state: &mut State,
) -> Result<Vec<String>, ConnError> {
    use crate::proto::sasl::ntlm;
    let mut server_challenge = [0u8; 8];
    let _ = openssl::rand::rand_bytes(&mut server_challenge);
    let [nb_domain, nb_computer, dns_domain, dns_computer] = ctx.profile.ntlm;
    let info = ntlm::target_info(&ntlm::TargetInfo {
        netbios_domain: Some(nb_domain.into()),
        netbios_computer: Some(nb_computer.into()),
        dns_domain: Some(dns_domain.into()),
        dns_computer: Some(dns_computer.into()),
        dns_tree: Some(dns_domain.into()),
        timestamp: Some(crate::proto::sasl::ntlm::filetime(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap_or_default(),
        )),
    });
    let challenge = ntlm::challenge_message(server_challenge, nb_domain, &info);
    let answer = continuation(
        conn,
        &base64::engine::general_purpose::STANDARD.encode(challenge),
    )
    .await?;
    let Some(bytes) = sasl_bytes(&answer) else {
        return Ok(vec![format!(
            "{tag} NO The AUTH protocol exchange was canceled by the client."
        )]);
    };
    let Ok(auth) = ntlm::parse_authenticate(&bytes) else {
        return Ok(vec![format!("{tag} BAD Invalid NTLM message.")]);
    };
    let account = ctx.accounts.iter().find(|a| {
        a.user.eq_ignore_ascii_case(&auth.user)
            && ntlm::verify(&auth, &a.password, &server_challenge)
    });
    Ok(match account {
        Some(a) => login(ctx, tag, &a.user, &a.password, state),
        None => vec![format!("{tag} {}", ctx.profile.login_failed)],
    })
}

fn list(ctx: &Ctx, cmd: &ClientCommand, account: usize) -> Vec<String> {
    let tag = &cmd.tag;
    let word = if cmd.name.ends_with("LSUB") {
        "LSUB"
    } else {
        "LIST"
    };
    let args: Vec<String> = cmd.args.iter().filter_map(Token::as_text).collect();
    let [reference, pattern] = args.as_slice() else {
        return vec![format!("{tag} {}", ctx.profile.bad_command)];
    };
    let mut lines = Vec::new();
    if pattern.is_empty() {
        // RFC 3501 §6.3.8: the hierarchy delimiter and root name.
        lines.push(format!("* {word} (\\Noselect) \"/\" \"\""));
    } else {
        let full = format!("{reference}{pattern}");
        let names = ctx.store.names(account);
        for name in names.iter().filter(|m| wildcard(&full, m)) {
            lines.push(format!(
                "* {word} ({}) \"/\" {}",
                children(ctx, &names, name),
                astring_text(name)
            ));
        }
        if let ReferralMode::Mailbox { mailbox, .. } = ctx.profile.referral {
            // RFC 2193 §3: remote mailboxes appear only in RLIST and RLSUB.
            if cmd.name.starts_with('R') && wildcard(&full, mailbox) {
                lines.push(format!("* {word} (\\Remote) \"/\" {mailbox}"));
            }
        }
    }
    lines.push(format!("{tag} OK {} completed.", cmd.name));
    lines
}

/// RFC 3348 §3: with CHILDREN advertised, every LIST reply says whether the mailbox has
/// children.
fn children(ctx: &Ctx, names: &[String], name: &str) -> &'static str {
    if !ctx.advertises("CHILDREN") {
        return "";
    }
    let prefix = format!("{name}/");
    if names.iter().any(|n| n.starts_with(&prefix)) {
        "\\HasChildren"
    } else {
        "\\HasNoChildren"
    }
}

/// The login referral's URL for this user (RFC 5092 §3.2: the user is percent-encoded),
/// on the profile's home server.
fn referral_url(template: &str, user: &str) -> String {
    let host = template.rsplit_once('@').map_or(template, |(_, h)| h);
    let user = crate::proto::imap_url::encode_user(user);
    format!("imap://{user};AUTH=*@{host}")
}

/// SELECT, EXAMINE and STATUS, after the referral checks.
fn open(ctx: &Ctx, cmd: &ClientCommand, state: &mut State) -> Vec<String> {
    let p = ctx.profile;
    let tag = &cmd.tag;
    let State::Authenticated {
        account,
        referred,
        selected,
    } = state
    else {
        return vec![format!("{tag} {}", p.bad_command)];
    };
    let Some(name) = cmd.args.first().and_then(Token::as_text) else {
        return vec![format!("{tag} {}", p.bad_command)];
    };
    if let ReferralMode::Mailbox { mailbox, urls } = p.referral {
        if name.eq_ignore_ascii_case(mailbox) {
            return vec![format!(
                "{tag} NO [REFERRAL {urls}] Remote mailbox. Try SERVER2 or SERVER3."
            )];
        }
    }
    let mail = ctx.mail(*account);
    if ctx.store.resolve(*account, &name).is_none() {
        return vec![format!("{tag} {}", p.no_mailbox)];
    }
    if *referred {
        // KB217388: logged in on a server that is not the user's home server.
        return vec![format!("{tag} {NO_REPLICA}")];
    }
    match cmd.name.as_str() {
        "STATUS" => mail.command(cmd, selected).unwrap_or_default(),
        word => mail.select(tag, &name, word == "EXAMINE", selected),
    }
}

/// IDLE (RFC 2177): new messages are announced until the client's DONE; the command's
/// deadline is the autologout of RFC 3501 §5.4 (30 minutes), which no traffic moves.
async fn idle(
    conn: &mut ServerConn,
    ctx: &Ctx,
    tag: &str,
    state: &mut State,
) -> Result<(Vec<String>, Next), ConnError> {
    let State::Authenticated {
        account, selected, ..
    } = state
    else {
        return Ok((
            vec![format!("{tag} {}", ctx.profile.bad_command)],
            Next::Continue,
        ));
    };
    let mail = ctx.mail(*account);
    conn.send("+ IDLE accepted, awaiting DONE command.")
        .await
        .map_err(ConnError::Io)?;
    let deadline = tokio::time::Instant::now() + IDLE_LIMIT;
    loop {
        // A line read stopped by the poll keeps what it has buffered (ServerConn::fill
        // only appends completed reads), so polling loses no byte.
        let poll = tokio::time::Duration::from_millis(500);
        match tokio::time::timeout(poll, conn.read_line(deadline)).await {
            Ok(line) => {
                let line = line?;
                if line.eq_ignore_ascii_case(b"DONE") {
                    return Ok((vec![format!("{tag} OK IDLE completed.")], Next::Continue));
                }
                return Ok((vec![format!("{tag} BAD Expected DONE.")], Next::Continue));
            }
            Err(_) => {
                for line in selected
                    .as_mut()
                    .map(|s| mail.updates(s))
                    .unwrap_or_default()
                {
                    conn.send(&line).await.map_err(ConnError::Io)?;
                }
            }
        }
    }
}

const IDLE_LIMIT: std::time::Duration = std::time::Duration::from_secs(30 * 60);
