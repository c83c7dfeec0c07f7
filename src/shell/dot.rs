//! The dot-commands: what telnet never had.

use std::time::Duration;

use super::core::Core;
use super::input::{Input, DOT_COMMANDS};
use super::net::Out;
use crate::diagnosis::follow::Follow;
use crate::diagnosis::{diagnose, Plan};
use crate::proto::imap_url::ImapUrl;
use crate::proto::{CommandBuilder, StatusKind};
use crate::render::{render_text, TextOptions};
use crate::secret::Secret;

/// What the loop does after a command.
#[derive(Debug, PartialEq, Eq)]
pub enum Flow {
    Go,
    Quit,
}

const HELP: &str = "\
Type IMAP commands: a bare command gets the next tag (login alice secret -> a001 LOGIN ...),
a tagged line (? select inbox) is sent as typed. A line ending in {n} sends a literal: the
next line is its data, sent after the server's +. Tab completes commands and mailbox names.
  .help                this text
  .starttls            STARTTLS, then the TLS handshake with certificate verification
  .login USER          LOGIN, asking for the password without echo
  .namespace           NAMESPACE, with what the reply means
  .check               the scripted check (new connection, these settings)
  .follow              follow the last referral, under the referral safety rules
  .transcript save F   write the session so far to F (passwords redacted)
  .raw                 interpretation lines off/on
  .reconnect           connect again
  .quit                LOGOUT and leave (Ctrl-D too; Ctrl-C clears the line)";

impl Core {
    /// `password`: how `.login` gets a password (a no-echo prompt, or the settings).
    pub fn dot(
        &mut self,
        name: &str,
        arg: &str,
        password: &dyn Fn(&str) -> Option<Secret>,
    ) -> Flow {
        match name {
            ".help" => self.say(HELP),
            ".quit" => {
                self.logout();
                return Flow::Quit;
            }
            ".raw" => {
                let raw = self.shared.with(|s| {
                    s.raw = !s.raw;
                    s.raw
                });
                self.say(if raw {
                    "* interpretation off"
                } else {
                    "* interpretation on"
                });
            }
            ".reconnect" => self.reconnect(),
            ".starttls" => self.starttls(),
            ".login" => self.login(arg, password),
            ".namespace" => {
                if let Input::Chunk { tag, chunk, .. } = self.typist.line("NAMESPACE", false) {
                    self.send_chunk(&tag, chunk);
                    let _ = self.shared.wait_for(&tag, self.settings.timeout);
                }
            }
            ".check" => self.check(),
            ".follow" => self.follow(),
            ".transcript" => self.save_transcript(arg),
            _ => self.say(&format!(
                "* unknown command {name}; one of {}",
                DOT_COMMANDS.join(" ")
            )),
        }
        Flow::Go
    }

    pub fn logout(&mut self) {
        if self.connected() {
            // LOGOUT during IDLE would be taken for a bad DONE (RFC 2177 §3).
            self.end_idle();
            let tag = self.typist.next_tag();
            let cmd = CommandBuilder::new(&tag, "LOGOUT").finish();
            for c in cmd.chunks {
                self.send_chunk(&tag, c);
            }
            let _ = self
                .shared
                .wait_for(&tag, Duration::from_secs(3).min(self.settings.timeout));
        }
        self.close();
    }

    /// Logs in at once when the user and password are already known (`--user`, the
    /// TARGET URL, `--password-file`, IMAPDIAG_PASSWORD).
    pub fn auto_login(&mut self) {
        if let (Some(user), Some(_)) = (self.settings.user.clone(), self.password.clone()) {
            let known = self.password.clone();
            self.dot(".login", &user, &move |_| known.clone());
        }
    }

    fn reconnect(&mut self) {
        if let Err(e) = self.connect() {
            self.say(&format!("* {e}"));
        }
    }

    fn starttls(&mut self) {
        if self.tls {
            self.say("* this session is already encrypted");
            return;
        }
        let tag = self.typist.next_tag();
        self.send(Out::StartTls { tag: tag.clone() });
        if self.shared.wait_for(&tag, self.settings.timeout) == Ok(StatusKind::Ok) {
            // The net task upgrades right after the OK; the capabilities are void (RFC 3501 §6.2.1).
            self.tls = true;
            if let Input::Chunk { tag, chunk, .. } = self.typist.line("CAPABILITY", false) {
                self.send_chunk(&tag, chunk);
                let _ = self.shared.wait_for(&tag, self.settings.timeout);
            }
        }
    }

    fn login(&mut self, user: &str, password: &dyn Fn(&str) -> Option<Secret>) {
        let user = if user.is_empty() {
            self.settings.user.clone().unwrap_or_default()
        } else {
            user.to_string()
        };
        if user.is_empty() {
            self.say("* .login USER");
            return;
        }
        if !self.tls && !self.settings.allow_plaintext_login {
            self.say("* not sending a password without TLS: .starttls first, or start with --allow-plaintext-login");
            return;
        }
        let Some(secret) = password(&user) else {
            self.say("* no password");
            return;
        };
        let tag = self.typist.next_tag();
        let cmd = CommandBuilder::new(&tag, "LOGIN")
            .literal_plus(self.literal_plus())
            .astring(&user)
            .astring(secret.expose())
            .finish();
        for c in cmd.chunks {
            self.send_chunk(&tag, c);
        }
        if self.shared.wait_for(&tag, self.settings.timeout) == Ok(StatusKind::Ok) {
            self.settings.user = Some(user);
            self.password = Some(secret);
        }
    }

    fn check(&mut self) {
        let mut s = self.settings.clone();
        s.password = self.password.clone();
        let report = self.rt.block_on(diagnose(&s, Plan::Check));
        self.say(&render_text(&report, &TextOptions::default()));
    }

    /// Follows the last referral under `--follow-referrals`'s rules (trust, TLS, loops).
    fn follow(&mut self) {
        let Some((status, url)) = self.shared.with(|s| s.referral.clone()) else {
            self.say("* no referral seen in this session");
            return;
        };
        let parsed = match ImapUrl::parse(&url) {
            Ok(u) => u,
            Err(e) => return self.say(&format!("* the referral URL is malformed: {e}")),
        };
        let step = if status.kind == StatusKind::Bye {
            "greeting"
        } else {
            "login"
        };
        let mut current = self.settings.clone();
        current.password = self.password.clone();
        let policy = Follow::new(&current);
        let next = match policy.judge(&current, 0, self.tls, step, &parsed) {
            Ok(next) => next,
            Err(refusal) => return self.say(&format!("* not followed: {}", refusal.reason)),
        };
        self.say(&format!(
            "* following the referral to {}:{}",
            next.host, next.port
        ));
        self.settings = next;
        self.reconnect();
        if let (Some(user), true) = (self.settings.user.clone(), self.connected()) {
            let known = self.password.clone();
            self.login(&user, &move |_| known.clone());
        }
    }

    fn save_transcript(&mut self, arg: &str) {
        let Some(file) = arg
            .strip_prefix("save")
            .map(str::trim)
            .filter(|f| !f.is_empty())
        else {
            self.say("* .transcript save FILE");
            return;
        };
        self.shared.with(|s| s.transcript = None);
        if !self.send(Out::Transcript) {
            self.say("* not connected");
            return;
        }
        match self.shared.wait_transcript(Duration::from_secs(5)) {
            Some(t) => match std::fs::write(file, t) {
                Ok(()) => self.say(&format!("* transcript saved to {file}")),
                Err(e) => self.say(&format!("* cannot write {file}: {e}")),
            },
            None => self.say("* the transcript could not be read"),
        }
    }
}
