//! The emulator's mail: per account and mailbox, messages with UIDs, flags and internal
//! dates (RFC 3501 §2.3), a UIDVALIDITY of its own per mailbox, shared by every connection
//! and kept for the life of the process.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Mutex;

use super::accounts::Account;

#[derive(Debug, Clone)]
pub struct Message {
    pub uid: u32,
    pub flags: Vec<String>,
    /// RFC 3501 date-time, e.g. `30-Nov-2026 12:00:00 +0000`.
    pub internal_date: String,
    /// The message with CRLF line ends. Kept as text (loaded messages are read lossily),
    /// so a literal's octet count is the string's length.
    pub raw: String,
}

impl Message {
    pub fn has_flag(&self, flag: &str) -> bool {
        self.flags.iter().any(|f| f.eq_ignore_ascii_case(flag))
    }
}

#[derive(Debug, Clone)]
pub struct Mailbox {
    pub name: String,
    pub uidvalidity: u32,
    pub uidnext: u32,
    pub messages: Vec<Message>,
}

impl Mailbox {
    fn new(name: &str, uidvalidity: u32) -> Self {
        Mailbox {
            name: name.into(),
            uidvalidity,
            uidnext: 1,
            messages: Vec::new(),
        }
    }

    pub fn append(&mut self, raw: String, flags: Vec<String>, internal_date: String) -> u32 {
        let uid = self.uidnext;
        self.uidnext += 1;
        self.messages.push(Message {
            uid,
            flags,
            internal_date,
            raw,
        });
        uid
    }

    pub fn unseen(&self) -> usize {
        self.messages
            .iter()
            .filter(|m| !m.has_flag("\\Seen"))
            .count()
    }
}

/// Every account's mailboxes, keyed by (account index, mailbox name).
pub struct Store {
    mailboxes: Mutex<BTreeMap<(usize, String), Mailbox>>,
    next_uidvalidity: Mutex<u32>,
}

/// A fixed date for generated messages: reports and tests stay the same from run to run.
const DATE: &str = "30-Nov-2026 12:00:00 +0000";

impl Store {
    /// Mailboxes from the accounts: generated messages, or those of a directory of .eml
    /// files or an mbox file that the users file names.
    pub fn new(accounts: &[Account]) -> Store {
        let store = Store {
            mailboxes: Mutex::default(),
            next_uidvalidity: Mutex::new(uidvalidity_base()),
        };
        for (i, a) in accounts.iter().enumerate() {
            for (name, source) in &a.mailboxes {
                let mut mb = Mailbox::new(name, store.next_validity());
                for raw in source.messages(&a.user, name) {
                    mb.append(raw, Vec::new(), DATE.into());
                }
                store.lock().insert((i, name.clone()), mb);
            }
        }
        store
    }

    fn next_validity(&self) -> u32 {
        let mut n = self
            .next_uidvalidity
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        *n += 1;
        *n
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<(usize, String), Mailbox>> {
        self.mailboxes.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The mailbox's real name (INBOX in any case is INBOX, RFC 3501 §5.1).
    pub fn resolve(&self, account: usize, name: &str) -> Option<String> {
        real_name(&self.lock(), account, name)
    }

    pub fn names(&self, account: usize) -> Vec<String> {
        self.lock()
            .keys()
            .filter(|(a, _)| *a == account)
            .map(|(_, n)| n.clone())
            .collect()
    }

    /// Runs `f` on the mailbox, if it exists (one lock for the lookup and the work).
    pub fn with<T>(
        &self,
        account: usize,
        name: &str,
        f: impl FnOnce(&mut Mailbox) -> T,
    ) -> Option<T> {
        let mut all = self.lock();
        let real = real_name(&all, account, name)?;
        all.get_mut(&(account, real)).map(f)
    }

    /// Creates the mailbox unless it exists; checked and inserted under one lock, so two
    /// sessions creating the same name cannot both succeed.
    pub fn create(&self, account: usize, name: &str) -> bool {
        let validity = self.next_validity();
        let mut all = self.lock();
        if real_name(&all, account, name).is_some() {
            return false;
        }
        all.insert((account, name.into()), Mailbox::new(name, validity));
        true
    }
}

fn real_name(
    all: &BTreeMap<(usize, String), Mailbox>,
    account: usize,
    name: &str,
) -> Option<String> {
    let inbox = name.eq_ignore_ascii_case("INBOX");
    all.keys()
        .filter(|(a, _)| *a == account)
        .map(|(_, n)| n)
        .find(|n| *n == name || (inbox && n.eq_ignore_ascii_case("INBOX")))
        .cloned()
}

/// UIDVALIDITY values start from the process's start time (RFC 3501 §2.3.1.1: a mailbox
/// recreated later must get a greater value).
fn uidvalidity_base() -> u32 {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    (secs % 1_000_000_000) as u32
}

/// Where a mailbox's messages come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// This many generated messages.
    Generated(u32),
    /// A directory of .eml files, or an mbox file.
    Path(std::path::PathBuf),
}

impl Source {
    fn messages(&self, user: &str, mailbox: &str) -> Vec<String> {
        match self {
            Source::Generated(n) => (1..=*n).map(|i| generated(user, mailbox, i)).collect(),
            Source::Path(p) if p.is_dir() => eml_dir(p),
            Source::Path(p) => mbox(p),
        }
    }
}

fn generated(user: &str, mailbox: &str, i: u32) -> String {
    let body = format!("This is message {i} in {mailbox}, generated by imapdiag serve.\r\n");
    format!(
        "Date: Mon, 30 Nov 2026 12:00:00 +0000\r\nFrom: Bob Example <bob@example.com>\r\nTo: {user} <{user}@example.com>\r\nSubject: Message {i} in {mailbox}\r\nMessage-ID: <{i}.{}@serve.imapdiag>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\nContent-Transfer-Encoding: 7bit\r\n\r\n{body}",
        mailbox.len()
    )
}

/// Messages larger than this in a loaded file are skipped (the emulator's literals are
/// bounded too).
const MAX_MESSAGE: usize = 4 << 20;

fn eml_dir(dir: &Path) -> Vec<String> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x.eq_ignore_ascii_case("eml")))
        .collect();
    files.sort();
    files
        .iter()
        .filter_map(|p| std::fs::read(p).ok())
        .filter(|b| b.len() <= MAX_MESSAGE)
        .map(|b| crlf(&String::from_utf8_lossy(&b)))
        .collect()
}

/// An mbox file: messages start at lines beginning `From `; `>From ` is unquoted.
fn mbox(file: &Path) -> Vec<String> {
    let text = String::from_utf8_lossy(&std::fs::read(file).unwrap_or_default()).into_owned();
    let mut out = Vec::new();
    let mut cur: Option<String> = None;
    for line in text.lines() {
        if line.starts_with("From ") {
            out.extend(cur.take());
            cur = Some(String::new());
            continue;
        }
        if let Some(m) = cur.as_mut() {
            m.push_str(
                line.strip_prefix('>')
                    .filter(|l| l.starts_with("From "))
                    .unwrap_or(line),
            );
            m.push_str("\r\n");
        }
    }
    out.extend(cur);
    out.into_iter().filter(|m| m.len() <= MAX_MESSAGE).collect()
}

fn crlf(s: &str) -> String {
    s.lines().map(|l| format!("{l}\r\n")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mailboxes_have_their_own_uidvalidity_and_keep_changes() {
        let accounts = super::super::accounts::builtin();
        let s = Store::new(&accounts);
        let a = s
            .with(0, "inbox", |m| (m.uidvalidity, m.messages.len()))
            .unwrap();
        let b = s.with(0, "Sent Items", |m| m.uidvalidity).unwrap();
        assert_ne!(a.0, b);
        assert_eq!(a.1, 3);
        s.with(0, "INBOX", |m| {
            m.append("Subject: x\r\n\r\ny\r\n".into(), vec![], DATE.into())
        });
        assert_eq!(
            s.with(0, "INBOX", |m| (m.messages.len(), m.uidnext))
                .unwrap(),
            (4, 5)
        );
        assert!(s.create(0, "New") && !s.create(0, "New"));
    }

    #[test]
    fn mbox_files_split_at_from_lines() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("box");
        std::fs::write(&f, "From a@b Mon Nov 30 12:00:00 2026\nSubject: one\n\n>From here\nFrom c@d Mon Nov 30 12:00:00 2026\nSubject: two\n\nbody\n").unwrap();
        let m = mbox(&f);
        assert_eq!(m.len(), 2);
        assert_eq!(m[0], "Subject: one\r\n\r\nFrom here\r\n");
    }
}
