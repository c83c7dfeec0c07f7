//! The mailbox commands over the shared store: CREATE, STATUS and APPEND (RFC 3501 §6.3),
//! and the selected state (§6.4: CHECK, CLOSE, EXPUNGE, SEARCH, FETCH, STORE, COPY, UID),
//! with UIDPLUS (RFC 4315) and UNSELECT (RFC 3691) where the profile advertises them.
//! Texts the profiles' sources do not give (`... completed.`) are inferred from the forms
//! they do give.

use super::fetch::{self, Item};
use super::parse::{ClientCommand, Token};
use super::search::{self, contains, sequence_set};
use super::store::{Mailbox, Store};
use crate::proto::command::astring_text;

/// The open mailbox: its name, whether EXAMINE opened it, and how many messages the
/// client has been told of (new ones are announced with EXISTS, RFC 3501 §7.3.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selected {
    pub name: String,
    pub read_only: bool,
    told: usize,
}

/// One account's view of the store, with the profile's words.
pub struct Mail<'a> {
    pub store: &'a Store,
    pub account: usize,
    /// The capabilities advertised after login.
    pub caps: &'a str,
    /// The profile's answer for a mailbox that does not exist.
    pub no_mailbox: &'a str,
}

const FLAGS: &str = "\\Answered \\Flagged \\Draft \\Deleted \\Seen";

impl Mail<'_> {
    fn has(&self, cap: &str) -> bool {
        self.caps.split(' ').any(|c| c.eq_ignore_ascii_case(cap))
    }

    /// A mailbox command's reply, or `None` when `cmd` is not one.
    pub fn command(&self, cmd: &ClientCommand, sel: &mut Option<Selected>) -> Option<Vec<String>> {
        let tag = &cmd.tag;
        let mut lines = match (cmd.name.as_str(), sel.as_mut()) {
            ("CREATE", _) => self.create(tag, &cmd.args),
            ("STATUS", _) => self.status(tag, &cmd.args),
            ("APPEND", _) => self.append(tag, &cmd.args),
            ("NOOP" | "CHECK", Some(_)) => vec![format!("{tag} OK {} completed.", cmd.name)],
            ("CLOSE", Some(s)) => {
                if !s.read_only {
                    self.remove(s, |x| x.has_flag("\\Deleted"));
                }
                *sel = None;
                return Some(vec![format!("{tag} OK CLOSE completed.")]);
            }
            ("UNSELECT", Some(_)) if self.has("UNSELECT") => {
                *sel = None;
                return Some(vec![format!("{tag} OK UNSELECT completed.")]);
            }
            ("FETCH" | "STORE" | "SEARCH" | "COPY" | "MOVE" | "EXPUNGE", Some(s)) => {
                self.selected(tag, &cmd.name, &cmd.args, false, s)
            }
            ("UID", Some(s)) => {
                let sub = cmd
                    .args
                    .first()
                    .and_then(Token::as_text)?
                    .to_ascii_uppercase();
                self.selected(tag, &sub, &cmd.args[1..], true, s)
            }
            (
                "CHECK" | "CLOSE" | "UNSELECT" | "FETCH" | "STORE" | "SEARCH" | "COPY" | "MOVE"
                | "EXPUNGE" | "UID",
                None,
            ) => vec![format!(
                "{tag} BAD {} command received in invalid state.",
                cmd.name
            )],
            _ => return None,
        };
        if let Some(s) = sel.as_mut() {
            let at = lines.len().saturating_sub(1);
            lines.splice(at..at, self.updates(s));
        }
        Some(lines)
    }

    fn selected(
        &self,
        tag: &str,
        name: &str,
        args: &[Token],
        uid: bool,
        s: &mut Selected,
    ) -> Vec<String> {
        let reply = match name {
            "FETCH" => self.fetch(args, uid, s),
            "STORE" => self.store_flags(args, uid, s),
            "SEARCH" => self.search(args, uid, s),
            "COPY" => self.copy(tag, args, uid, s),
            "MOVE" if self.has("MOVE") => self.move_to(args, uid, s),
            "EXPUNGE" if !uid || self.has("UIDPLUS") => {
                let set = match args.first().and_then(Token::as_text) {
                    Some(set) if uid => Some(set),
                    None if !uid => None,
                    _ => return vec![format!("{tag} BAD Invalid arguments.")],
                };
                if s.read_only {
                    return vec![format!("{tag} NO Mailbox is read-only.")];
                }
                let max_uid = self.store.with(self.account, &s.name, |m| {
                    m.messages.last().map_or(0, |x| x.uid)
                });
                let set = set.map(|u| sequence_set(&u, max_uid.unwrap_or(0)).unwrap_or_default());
                Ok(self.remove(s, |x| {
                    x.has_flag("\\Deleted") && set.as_ref().is_none_or(|set| contains(set, x.uid))
                }))
            }
            _ => {
                return vec![format!(
                    "{tag} BAD Protocol Error: \"Unidentifiable command specified\"."
                )]
            }
        };
        let word = if uid {
            format!("UID {name}")
        } else {
            name.to_string()
        };
        match reply {
            Ok(mut lines) => {
                if lines.last().is_none_or(|l| !l.starts_with(tag)) {
                    lines.push(format!("{tag} OK {word} completed."));
                }
                lines
            }
            Err(text) => vec![format!("{tag} {text}")],
        }
    }

    /// SELECT or EXAMINE (§6.3.1): the mailbox's state, and the new selection. A failed
    /// SELECT leaves no mailbox selected.
    pub fn select(
        &self,
        tag: &str,
        name: &str,
        examine: bool,
        sel: &mut Option<Selected>,
    ) -> Vec<String> {
        *sel = None;
        let Some((real, count, validity, next, unseen)) =
            self.store.with(self.account, name, |m| {
                let first_unseen = m.messages.iter().position(|x| !x.has_flag("\\Seen"));
                (
                    m.name.clone(),
                    m.messages.len(),
                    m.uidvalidity,
                    m.uidnext,
                    first_unseen,
                )
            })
        else {
            return vec![format!("{tag} {}", self.no_mailbox)];
        };
        let (access, word) = if examine {
            ("READ-ONLY", "EXAMINE")
        } else {
            ("READ-WRITE", "SELECT")
        };
        let mut lines = vec![
            format!("* FLAGS ({FLAGS})"),
            format!("* {count} EXISTS"),
            "* 0 RECENT".to_string(),
        ];
        if let Some(i) = unseen {
            lines.push(format!(
                "* OK [UNSEEN {}] Is the first unseen message",
                i + 1
            ));
        }
        lines.extend([
            format!("* OK [PERMANENTFLAGS ({FLAGS})] Permanent flags"),
            format!("* OK [UIDVALIDITY {validity}] UIDVALIDITY value"),
            format!("* OK [UIDNEXT {next}] The next unique identifier value"),
            format!("{tag} OK [{access}] {word} completed."),
        ]);
        *sel = Some(Selected {
            name: real,
            read_only: examine,
            told: count,
        });
        lines
    }

    /// New messages since the client last heard: `* n EXISTS`.
    pub fn updates(&self, s: &mut Selected) -> Vec<String> {
        let count = self
            .store
            .with(self.account, &s.name, |m| m.messages.len())
            .unwrap_or(0);
        if count == s.told {
            return Vec::new();
        }
        s.told = count;
        vec![format!("* {count} EXISTS")]
    }

    fn create(&self, tag: &str, args: &[Token]) -> Vec<String> {
        match args.first().and_then(Token::as_text) {
            None => vec![format!("{tag} BAD Invalid arguments.")],
            Some(n) if self.store.create(self.account, n.trim_end_matches('/')) => {
                vec![format!("{tag} OK CREATE completed.")]
            }
            Some(_) => vec![format!("{tag} NO Mailbox already exists.")],
        }
    }

    /// STATUS (§6.3.10): the items asked for, in the order asked.
    fn status(&self, tag: &str, args: &[Token]) -> Vec<String> {
        let Some(name) = args.first().and_then(Token::as_text) else {
            return vec![format!("{tag} BAD Invalid arguments.")];
        };
        let wanted: Vec<String> = args[1..].iter().filter_map(Token::as_text).collect();
        let Some(values) = self.store.with(self.account, &name, |m| {
            wanted
                .iter()
                .map(|w| {
                    let w = w.to_ascii_uppercase();
                    let v = match w.as_str() {
                        "MESSAGES" => m.messages.len(),
                        "RECENT" => 0,
                        "UIDNEXT" => m.uidnext as usize,
                        "UIDVALIDITY" => m.uidvalidity as usize,
                        "UNSEEN" => m.unseen(),
                        _ => return None,
                    };
                    Some(format!("{w} {v}"))
                })
                .collect::<Option<Vec<_>>>()
        }) else {
            return vec![format!("{tag} {}", self.no_mailbox)];
        };
        match values {
            Some(v) if !v.is_empty() => vec![
                format!("* STATUS {} ({})", astring_text(&name), v.join(" ")),
                format!("{tag} OK STATUS completed."),
            ],
            _ => vec![format!("{tag} BAD Invalid arguments.")],
        }
    }

    /// APPEND (§6.3.11): `mailbox [(flags)] [date-time] literal`.
    fn append(&self, tag: &str, args: &[Token]) -> Vec<String> {
        let (Some(name), Some(Token::Str(raw))) =
            (args.first().and_then(Token::as_text), args.last())
        else {
            return vec![format!("{tag} BAD Invalid arguments.")];
        };
        let middle = &args[1..args.len() - 1];
        let flags: Vec<String> = middle
            .iter()
            .filter_map(|t| match t {
                Token::Atom(a) => Some(a.clone()),
                _ => None,
            })
            .collect();
        let date = match middle.last() {
            Some(Token::Str(d)) => String::from_utf8_lossy(d).into_owned(),
            _ => now(),
        };
        let raw = String::from_utf8_lossy(raw).into_owned();
        let Some((validity, uid)) = self.store.with(self.account, &name, |m| {
            (m.uidvalidity, m.append(raw, flags, date))
        }) else {
            return vec![format!("{tag} NO [TRYCREATE] {}", text_of(self.no_mailbox))];
        };
        if self.has("UIDPLUS") {
            vec![format!(
                "{tag} OK [APPENDUID {validity} {uid}] APPEND completed."
            )]
        } else {
            vec![format!("{tag} OK APPEND completed.")]
        }
    }

    /// The messages a sequence set names: their indexes.
    fn targets(m: &Mailbox, set: &str, uid: bool) -> Option<Vec<usize>> {
        let max = if uid {
            m.messages.last().map_or(0, |x| x.uid)
        } else {
            m.messages.len() as u32
        };
        let set = sequence_set(set, max)?;
        // RFC 3501 §9 (seq-number): a message number beyond the mailbox is an error.
        if !uid && set.iter().any(|(_, hi)| *hi > max) {
            return None;
        }
        Some(
            m.messages
                .iter()
                .enumerate()
                .filter(|(i, x)| contains(&set, if uid { x.uid } else { *i as u32 + 1 }))
                .map(|(i, _)| i)
                .collect(),
        )
    }

    /// FETCH (§6.4.5); fetching a body section that is not PEEK sets \Seen (§6.4.5), and
    /// the new flags are sent with it.
    fn fetch(&self, args: &[Token], uid: bool, s: &Selected) -> Result<Vec<String>, String> {
        let bad = || "BAD Invalid arguments.".to_string();
        let set = args.first().and_then(Token::as_text).ok_or_else(bad)?;
        let mut items = fetch::items(&args[1..]).ok_or_else(bad)?;
        if uid && !items.contains(&Item::Uid) {
            items.insert(0, Item::Uid);
        }
        let marks_seen = !s.read_only
            && items
                .iter()
                .any(|i| matches!(i, Item::Section { seen: true, .. }));
        self.store
            .with(self.account, &s.name, |m| {
                let targets = Self::targets(m, &set, uid)?;
                Some(
                    targets
                        .into_iter()
                        .map(|i| {
                            let msg = &mut m.messages[i];
                            let mut items = items.clone();
                            if marks_seen && !msg.has_flag("\\Seen") {
                                msg.flags.push("\\Seen".into());
                                if !items.contains(&Item::Flags) {
                                    items.push(Item::Flags);
                                }
                            }
                            let parts: Vec<String> =
                                items.iter().map(|it| fetch::render(it, msg)).collect();
                            format!("* {} FETCH ({})", i + 1, parts.join(" "))
                        })
                        .collect(),
                )
            })
            .flatten()
            .ok_or_else(bad)
    }

    /// STORE (§6.4.6): `set [+|-]FLAGS[.SILENT] (flags)`.
    fn store_flags(&self, args: &[Token], uid: bool, s: &Selected) -> Result<Vec<String>, String> {
        let bad = || "BAD Invalid arguments.".to_string();
        let (Some(set), Some(op)) = (
            args.first().and_then(Token::as_text),
            args.get(1)
                .and_then(Token::as_text)
                .map(|o| o.to_ascii_uppercase()),
        ) else {
            return Err(bad());
        };
        let silent = op.ends_with(".SILENT");
        let mode = op.trim_end_matches(".SILENT");
        if !matches!(mode, "FLAGS" | "+FLAGS" | "-FLAGS") {
            return Err(bad());
        }
        if s.read_only {
            return Err("NO Mailbox is read-only.".into());
        }
        let flags: Vec<String> = args[2..].iter().filter_map(Token::as_text).collect();
        self.store
            .with(self.account, &s.name, |m| {
                let targets = Self::targets(m, &set, uid)?;
                let mut lines = Vec::new();
                for i in targets {
                    let msg = &mut m.messages[i];
                    match mode {
                        "FLAGS" => msg.flags = flags.clone(),
                        "+FLAGS" => {
                            for f in &flags {
                                if !msg.has_flag(f) {
                                    msg.flags.push(f.clone());
                                }
                            }
                        }
                        _ => msg
                            .flags
                            .retain(|f| !flags.iter().any(|x| x.eq_ignore_ascii_case(f))),
                    }
                    if !silent {
                        let uid_part = if uid {
                            format!("UID {} ", msg.uid)
                        } else {
                            String::new()
                        };
                        lines.push(format!(
                            "* {} FETCH ({uid_part}FLAGS ({}))",
                            i + 1,
                            msg.flags.join(" ")
                        ));
                    }
                }
                Some(lines)
            })
            .flatten()
            .ok_or_else(bad)
    }

    /// SEARCH (§6.4.4): message numbers, or UIDs for UID SEARCH.
    fn search(&self, args: &[Token], uid: bool, s: &Selected) -> Result<Vec<String>, String> {
        self.store
            .with(self.account, &s.name, |m| {
                let max_uid = m.messages.last().map_or(0, |x| x.uid);
                let key = search::parse(args, m.messages.len() as u32, max_uid)?;
                let found: Vec<String> = m
                    .messages
                    .iter()
                    .enumerate()
                    .filter(|(i, x)| search::matches(&key, *i as u32 + 1, x))
                    .map(|(i, x)| if uid { x.uid } else { i as u32 + 1 }.to_string())
                    .collect();
                Some(vec![format!("* SEARCH {}", found.join(" "))
                    .trim_end()
                    .to_string()])
            })
            .flatten()
            .ok_or_else(|| "BAD Invalid search criteria.".to_string())
    }

    /// Copies the messages `set` names to `dest`: the destination's UIDVALIDITY, and the
    /// old and new UIDs.
    fn copy_to(
        &self,
        args: &[Token],
        uid: bool,
        s: &Selected,
    ) -> Result<(u32, Vec<u32>, Vec<u32>), String> {
        let (Some(set), Some(dest)) = (
            args.first().and_then(Token::as_text),
            args.get(1).and_then(Token::as_text),
        ) else {
            return Err("BAD Invalid arguments.".into());
        };
        let picked = self
            .store
            .with(self.account, &s.name, |m| {
                Some(
                    Self::targets(m, &set, uid)?
                        .into_iter()
                        .map(|i| m.messages[i].clone())
                        .collect::<Vec<_>>(),
                )
            })
            .flatten()
            .ok_or("BAD Invalid arguments.")?;
        let new = self.store.with(self.account, &dest, |d| {
            let new: Vec<u32> = picked
                .iter()
                .map(|x| d.append(x.raw.clone(), x.flags.clone(), x.internal_date.clone()))
                .collect();
            (d.uidvalidity, new)
        });
        let (validity, new) =
            new.ok_or_else(|| format!("NO [TRYCREATE] {}", text_of(self.no_mailbox)))?;
        Ok((validity, picked.iter().map(|x| x.uid).collect(), new))
    }

    /// `COPYUID validity old new` (RFC 4315 §3), where UIDPLUS is advertised.
    fn copyuid(&self, validity: u32, old: &[u32], new: &[u32]) -> Option<String> {
        let list = |v: &[u32]| v.iter().map(u32::to_string).collect::<Vec<_>>().join(",");
        (self.has("UIDPLUS") && !new.is_empty())
            .then(|| format!("[COPYUID {validity} {} {}]", list(old), list(new)))
    }

    /// COPY (§6.4.7).
    fn copy(
        &self,
        tag: &str,
        args: &[Token],
        uid: bool,
        s: &Selected,
    ) -> Result<Vec<String>, String> {
        let (validity, old, new) = self.copy_to(args, uid, s)?;
        Ok(self
            .copyuid(validity, &old, &new)
            .map(|code| format!("{tag} OK {code} COPY completed."))
            .into_iter()
            .collect())
    }

    /// MOVE (RFC 6851 §3.3): the copy's COPYUID untagged, then an EXPUNGE for each message.
    fn move_to(&self, args: &[Token], uid: bool, s: &mut Selected) -> Result<Vec<String>, String> {
        if s.read_only {
            return Err("NO Mailbox is read-only.".into());
        }
        let (validity, old, new) = self.copy_to(args, uid, s)?;
        let mut lines: Vec<String> = self
            .copyuid(validity, &old, &new)
            .map(|code| format!("* OK {code} Moved."))
            .into_iter()
            .collect();
        lines.extend(self.remove(s, |x| old.contains(&x.uid)));
        Ok(lines)
    }

    /// Removes the messages `gone` picks: one `* n EXPUNGE` each, numbered as the client
    /// sees the mailbox at that moment (RFC 3501 §7.4.1).
    fn remove(
        &self,
        s: &mut Selected,
        gone: impl Fn(&super::store::Message) -> bool,
    ) -> Vec<String> {
        let lines = self
            .store
            .with(self.account, &s.name, |m| {
                let mut lines = Vec::new();
                let mut n = 0;
                m.messages.retain(|x| {
                    n += 1;
                    if gone(x) {
                        lines.push(format!("* {} EXPUNGE", n - lines.len()));
                        return false;
                    }
                    true
                });
                lines
            })
            .unwrap_or_default();
        s.told = s.told.saturating_sub(lines.len());
        lines
    }
}

/// The text of a `NO text` reply.
fn text_of(reply: &str) -> &str {
    reply.strip_prefix("NO ").unwrap_or(reply)
}

/// The current time as an RFC 3501 `date-time`, for APPEND without one.
fn now() -> String {
    let format = time::macros::format_description!(
        "[day padding:space]-[month repr:short]-[year] [hour]:[minute]:[second] +0000"
    );
    time::OffsetDateTime::now_utc()
        .format(&format)
        .unwrap_or_else(|_| "01-Jan-1970 00:00:00 +0000".into())
}

#[cfg(test)]
mod tests {
    use super::super::parse::{parse_command, Piece};
    use super::*;

    fn run(mail: &Mail, sel: &mut Option<Selected>, line: &str) -> Vec<String> {
        let cmd = parse_command(&[Piece::Text(line.as_bytes().to_vec())]).unwrap();
        match cmd.name.as_str() {
            "SELECT" => mail.select(&cmd.tag, &cmd.args[0].as_text().unwrap(), false, sel),
            _ => mail.command(&cmd, sel).unwrap(),
        }
    }

    #[test]
    fn move_copies_then_expunges_and_needs_its_capability() {
        let store = Store::new(&super::super::accounts::builtin());
        let validity = store.with(0, "Drafts", |m| m.uidvalidity).unwrap();
        let mut mail = Mail {
            store: &store,
            account: 0,
            caps: "IMAP4rev1 UIDPLUS MOVE",
            no_mailbox: "NO Unknown Mailbox",
        };
        let mut sel = None;
        run(&mail, &mut sel, "a SELECT INBOX");
        assert_eq!(
            run(&mail, &mut sel, "b UID MOVE 2:3 Drafts"),
            [
                format!("* OK [COPYUID {validity} 2,3 1,2] Moved."),
                "* 2 EXPUNGE".to_string(),
                "* 2 EXPUNGE".to_string(),
                "b OK UID MOVE completed.".to_string()
            ]
        );
        assert_eq!(
            run(&mail, &mut sel, "c MOVE 1 Nowhere"),
            ["c NO [TRYCREATE] Unknown Mailbox"]
        );
        mail.caps = "IMAP4rev1 UIDPLUS";
        assert_eq!(
            run(&mail, &mut sel, "d MOVE 1 Drafts")[0],
            "d BAD Protocol Error: \"Unidentifiable command specified\"."
        );
        run(&mail, &mut sel, "e STORE 1 +FLAGS (\\Deleted)");
        assert_eq!(
            run(&mail, &mut sel, "f UID EXPUNGE 5"),
            ["f OK UID EXPUNGE completed."]
        );
        assert_eq!(
            run(&mail, &mut sel, "g UID EXPUNGE 1"),
            ["* 1 EXPUNGE", "g OK UID EXPUNGE completed."]
        );
        assert_eq!(
            run(&mail, &mut sel, "h FETCH 1 FLAGS"),
            ["h BAD Invalid arguments."]
        );
    }
}
