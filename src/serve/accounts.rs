//! The emulator's users and mailboxes: a small built-in set, or `--users FILE` with lines
//! `user:password[:Mailbox=count,Mailbox=count...]` (`#` starts a comment).

use std::path::Path;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub user: String,
    pub password: String,
    /// Mailbox name and message count.
    pub mailboxes: Vec<(String, u32)>,
}

impl Account {
    fn new(user: &str, password: &str, mailboxes: &[(&str, u32)]) -> Self {
        Account {
            user: user.into(),
            password: password.into(),
            mailboxes: mailboxes.iter().map(|(m, n)| (m.to_string(), *n)).collect(),
        }
    }

    pub fn mailbox(&self, name: &str) -> Option<u32> {
        let is_inbox = name.eq_ignore_ascii_case("INBOX");
        self.mailboxes
            .iter()
            .find(|(m, _)| m == name || (is_inbox && m.eq_ignore_ascii_case("INBOX")))
            .map(|(_, n)| *n)
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
        Account::new("DOMname/UserN/AliasN", "PASSword", &[("INBOX", 2)]),
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
            parse_line(l).ok_or_else(|| {
                format!(
                    "{}:{}: expected user:password[:Mailbox=N,...]",
                    path.display(),
                    i + 1
                )
            })
        })
        .collect()
}

fn parse_line(line: &str) -> Option<Account> {
    let mut parts = line.splitn(3, ':');
    let user = parts.next().filter(|u| !u.is_empty())?;
    let password = parts.next()?;
    let mut mailboxes = vec![("INBOX".to_string(), 0)];
    for spec in parts
        .next()
        .unwrap_or("")
        .split(',')
        .filter(|s| !s.is_empty())
    {
        let (name, count) = spec.split_once('=').unwrap_or((spec, "0"));
        let count = count.trim().parse().ok()?;
        mailboxes.retain(|(m, _)| m != name);
        mailboxes.push((name.trim().to_string(), count));
    }
    Some(Account {
        user: user.into(),
        password: password.into(),
        mailboxes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_lines() {
        let a = parse_line("carol:pw:INBOX=4,Archive=10").unwrap();
        assert_eq!(
            a.mailboxes,
            vec![("INBOX".to_string(), 4), ("Archive".to_string(), 10)]
        );
        assert_eq!(a.mailbox("inbox"), Some(4));
        assert!(parse_line(":pw").is_none());
        assert!(parse_line("u:p:A=x").is_none());
    }
}
