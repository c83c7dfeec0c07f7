//! The emulator's users and mailboxes: a small built-in set, or `--users FILE` with lines
//! `user:password[:Mailbox=SOURCE,...[:HOME]]` where SOURCE is a message count, a directory
//! of .eml files, or an mbox file, and HOME the identity a login referral names (RFC 2221
//! §4.1; the user's own name when absent). `#` starts a comment.

use std::path::Path;

use super::store::Source;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub user: String,
    pub password: String,
    /// Mailbox name and where its messages come from.
    pub mailboxes: Vec<(String, Source)>,
    /// The user on the home server, for login referrals.
    pub home: Option<String>,
}

impl Account {
    fn new(user: &str, password: &str, mailboxes: &[(&str, u32)]) -> Self {
        Account {
            user: user.into(),
            password: password.into(),
            mailboxes: mailboxes
                .iter()
                .map(|(m, n)| (m.to_string(), Source::Generated(*n)))
                .collect(),
            home: None,
        }
    }

    /// The user a referral URL names.
    pub fn home_user(&self) -> &str {
        self.home.as_deref().unwrap_or(&self.user)
    }
}

/// alice/secret, bob/hunter2, and the two users of KB217388 (password `PASSword`).
pub fn builtin() -> Vec<Account> {
    vec![
        Account::new(
            "alice",
            "secret",
            &[("INBOX", 3), ("Sent Items", 1), ("Drafts", 0)],
        ),
        Account::new("bob", "hunter2", &[("INBOX", 1)]),
        Account {
            // KB217388's login, referred to its home identity.
            home: Some("redmond/reedl/imapf".into()),
            ..Account::new("DOMname/UserN/AliasN", "PASSword", &[("INBOX", 2)])
        },
        Account::new(
            "redmond/reedl/imapf",
            "PASSword",
            &[("INBOX", 5), ("Sent Items", 2)],
        ),
    ]
}

pub fn load(path: &Path) -> Result<Vec<Account>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .map(|(i, l)| {
            let at = format!("{}:{}", path.display(), i + 1);
            let account = parse_line(l).ok_or_else(|| {
                format!("{at}: expected user:password[:Mailbox=N|DIR|MBOX,...[:HOME]]")
            })?;
            // A mistyped path would otherwise be an empty mailbox, silently.
            for (mailbox, source) in &account.mailboxes {
                if let Source::Path(p) = source {
                    if !p.exists() {
                        return Err(format!(
                            "{at}: {mailbox}: no such file or directory: {}",
                            p.display()
                        ));
                    }
                }
            }
            Ok(account)
        })
        .collect()
}

fn parse_line(line: &str) -> Option<Account> {
    let mut parts = line.splitn(4, ':');
    let user = parts.next().filter(|u| !u.is_empty())?;
    let password = parts.next()?;
    let mut mailboxes = vec![("INBOX".to_string(), Source::Generated(0))];
    for spec in parts
        .next()
        .unwrap_or("")
        .split(',')
        .filter(|s| !s.is_empty())
    {
        let (name, source) = spec.split_once('=').unwrap_or((spec, "0"));
        let source = source.trim();
        let source = match source.parse() {
            Ok(n) => Source::Generated(n),
            Err(_) if source.starts_with('/') || source.starts_with('.') => {
                Source::Path(source.into())
            }
            Err(_) => return None,
        };
        mailboxes.retain(|(m, _)| m != name);
        mailboxes.push((name.trim().to_string(), source));
    }
    Some(Account {
        user: user.into(),
        password: password.into(),
        mailboxes,
        home: parts
            .next()
            .map(str::trim)
            .filter(|h| !h.is_empty())
            .map(str::to_string),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_lines() {
        let a = parse_line("carol:pw:INBOX=4,Archive=/srv/mail/archive.mbox").unwrap();
        assert_eq!(
            a.mailboxes,
            vec![
                ("INBOX".to_string(), Source::Generated(4)),
                (
                    "Archive".to_string(),
                    Source::Path("/srv/mail/archive.mbox".into())
                )
            ]
        );
        assert_eq!(a.home, None);
        let b = parse_line("dave:pw::corp/dave").unwrap();
        assert_eq!(b.home_user(), "corp/dave");
        assert!(parse_line(":pw").is_none());
        let dir = tempfile::tempdir().unwrap();
        let users = dir.path().join("users");
        std::fs::write(&users, "carol:pw:Archive=/nonexistent/archive.mbox\n").unwrap();
        let err = load(&users).unwrap_err();
        assert!(
            err.ends_with(":1: Archive: no such file or directory: /nonexistent/archive.mbox"),
            "{err}"
        );
        assert!(parse_line("u:p:A=x").is_none());
    }
}
