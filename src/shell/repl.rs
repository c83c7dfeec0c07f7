//! The interactive face: a rustyline prompt with line editing, history (redacted) and
//! completion; server output printed above the prompt as it arrives.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use rustyline::completion::{Completer, Pair};
use rustyline::error::ReadlineError;
use rustyline::history::DefaultHistory;
use std::borrow::Cow;
use std::sync::atomic::{AtomicBool, Ordering};

use rustyline::highlight::{CmdKind, Highlighter};
use rustyline::{Completer, Context, Editor, ExternalPrinter, Helper, Hinter, Validator};

use super::core::{Core, Shared, Sink};
use super::dot::Flow;
use super::input::{history_entry, masked, Input, COMMANDS, DOT_COMMANDS};
use crate::report::Status;
use crate::secret::Secret;
use crate::settings::Settings;

#[derive(Helper, Hinter, Validator)]
struct ImapHelper {
    shared: Arc<Shared>,
    /// The line being typed is a login's literal data.
    secret_line: Arc<AtomicBool>,
}

/// Passwords are masked on the screen while typed (the terminal would echo them).
impl Highlighter for ImapHelper {
    fn highlight<'l>(&self, line: &'l str, _pos: usize) -> Cow<'l, str> {
        match masked(line, self.secret_line.load(Ordering::Relaxed)) {
            Some(m) => Cow::Owned(m),
            None => Cow::Borrowed(line),
        }
    }

    fn highlight_char(&self, _line: &str, _pos: usize, _kind: CmdKind) -> bool {
        true
    }
}

impl Completer for ImapHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let head = &line[..pos];
        // Inside an open quoted string the word starts at its quote (`select "Sent I`).
        let open_quote = head.matches('"').count() % 2 == 1;
        let start = match open_quote {
            true => head.rfind('"').unwrap_or(0),
            false => head.rfind(' ').map(|i| i + 1).unwrap_or(0),
        };
        let word = &head[start..];
        let before: Vec<&str> = head[..start].split_whitespace().collect();
        let tagged =
            before.len() == 1 && !COMMANDS.contains(&before[0].to_ascii_uppercase().as_str());
        let after_uid =
            before.last().is_some_and(|w| w.eq_ignore_ascii_case("UID")) && before.len() <= 2;
        let names: Vec<String> = if before.is_empty() && word.starts_with('.') {
            DOT_COMMANDS.iter().map(|s| s.to_string()).collect()
        } else if after_uid {
            // RFC 3501 §6.4.8, RFC 4315 (UID EXPUNGE), RFC 6851 (UID MOVE).
            let lower = word.chars().next().is_some_and(|c| c.is_lowercase());
            ["COPY", "FETCH", "MOVE", "SEARCH", "STORE", "EXPUNGE"]
                .iter()
                .map(|c| {
                    if lower {
                        c.to_ascii_lowercase()
                    } else {
                        c.to_string()
                    }
                })
                .collect()
        } else if before.is_empty() || tagged {
            let lower = word.chars().next().is_some_and(|c| c.is_lowercase());
            COMMANDS
                .iter()
                .map(|c| {
                    if lower {
                        c.to_ascii_lowercase()
                    } else {
                        c.to_string()
                    }
                })
                .collect()
        } else {
            // INBOX always exists (RFC 3501 §5.1), before any LIST.
            let mut names: Vec<String> = self.shared.with(|s| {
                s.mailboxes
                    .iter()
                    .map(|m| crate::proto::command::astring_text(m))
                    .collect()
            });
            if !names.iter().any(|n| n.eq_ignore_ascii_case("INBOX")) {
                names.push("INBOX".into());
            }
            names
        };
        let found = names
            .into_iter()
            .filter(|n| {
                n.to_ascii_lowercase()
                    .starts_with(&word.to_ascii_lowercase())
            })
            .map(|n| Pair {
                display: n.clone(),
                replacement: n,
            })
            .collect();
        Ok((start, found))
    }
}

/// Where history lives: `IMAPDIAG_HISTORY`, or the user's data directory.
pub fn history_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("IMAPDIAG_HISTORY") {
        return Some(PathBuf::from(p));
    }
    let data = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))?;
    Some(data.join("imapdiag").join("history"))
}

pub fn run(settings: Settings) -> Status {
    // Forced: the highlighter is what masks passwords, so it runs even under NO_COLOR
    // (it adds no colour of its own).
    let config = rustyline::Config::builder()
        .color_mode(rustyline::ColorMode::Forced)
        .build();
    let mut editor: Editor<ImapHelper, DefaultHistory> = match Editor::with_config(config) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("imapdiag: cannot start the line editor: {e}");
            return Status::Unknown;
        }
    };
    // A terminal rustyline cannot redraw (TERM=dumb, emacs): server lines are printed
    // as they come, between prompts, instead of above the prompt.
    let printer = editor
        .create_external_printer()
        .ok()
        .map(|p| Arc::new(Mutex::new(p)));
    let make_sink = move || -> Sink {
        match printer.clone() {
            Some(p) => Box::new(move |line: String| {
                if let Ok(mut p) = p.lock() {
                    let _ = p.print(format!("{line}\n"));
                }
            }),
            None => Box::new(|line: String| {
                use std::io::Write;
                let _ = writeln!(std::io::stdout(), "{line}");
            }),
        }
    };
    let mut core = match Core::new(settings, Box::new(make_sink)) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("imapdiag: {e}");
            return Status::Unknown;
        }
    };
    let secret_line = Arc::new(AtomicBool::new(false));
    editor.set_helper(Some(ImapHelper {
        shared: core.shared.clone(),
        secret_line: secret_line.clone(),
    }));
    let history = history_path();
    if let Some(h) = &history {
        if let Some(dir) = h.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let _ = editor.load_history(h);
    }
    core.learn_names = true;
    if let Err(e) = core.connect() {
        eprintln!("imapdiag: {e}");
        return Status::Critical;
    }
    core.say("* connected; .help lists the shell's own commands");
    core.auto_login();
    let prompt = format!("{}> ", core.settings.host);
    let mut owed_prompt;
    loop {
        core.settle();
        let p = if core.typist.idling().is_some() {
            "idle (Enter, DONE or Ctrl-C ends it)> "
        } else if let Some(owed) = core.typist.owed() {
            owed_prompt = format!("..{owed} bytes> ");
            owed_prompt.as_str()
        } else if core.typist.continuing() {
            "..> "
        } else {
            prompt.as_str()
        };
        secret_line.store(core.typist.continuing_secret(), Ordering::Relaxed);
        match editor.readline(p) {
            Ok(block) => {
                // Typed-ahead or pasted lines arrive as one block: each line is a command
                // of its own, tagged and sent in order.
                for line in lines_of(&block) {
                    if step(&mut core, line, &mut editor, history.as_ref()) == Flow::Quit {
                        return Status::Ok;
                    }
                }
            }
            // Ctrl-C ends an IDLE, cancels a SASL exchange (`*`, RFC 3501 §6.2.2) or a
            // literal, or clears the line, as in a shell.
            Err(ReadlineError::Interrupted) => interrupt(&mut core),
            Err(_) => {
                core.logout();
                return Status::Ok;
            }
        }
    }
}

/// The lines of what the editor returned (a paste may hold LF, CR or CRLF line ends).
fn lines_of(block: &str) -> Vec<&str> {
    if !block.contains(['\n', '\r']) {
        return vec![block];
    }
    block
        .split('\n')
        .flat_map(|l| l.split('\r'))
        .filter(|l| !l.is_empty())
        .collect()
}

fn interrupt(core: &mut Core) {
    if core.end_idle().is_some() {
        return;
    }
    if core.typist.in_sasl().is_some() {
        if let Input::Chunk { tag, chunk, .. } = core.typist.line("*", false) {
            core.send_chunk(&tag, chunk);
        }
        return;
    }
    if let Some(owed) = core.typist.cancel_literal() {
        // A literal cannot be taken back (RFC 3501 §4.3): whatever is sent next would
        // be read as its data. Closing the connection is the only safe end.
        core.say(&format!(
            "* the server still expects {owed} bytes of the literal and IMAP cannot cancel one: connection closed; .reconnect connects again"
        ));
        core.close();
    }
}

fn step(
    core: &mut Core,
    line: &str,
    editor: &mut Editor<ImapHelper, DefaultHistory>,
    history: Option<&PathBuf>,
) -> Flow {
    core.settle();
    // A command typed during IDLE ends it first (DONE), then goes as typed.
    core.end_idle_before(line);
    if core.refuses_plaintext_secret(line) {
        return Flow::Go;
    }
    // Only a command's first line is remembered: never a SASL response, a literal's data
    // or the DONE of an IDLE, and never a tag or a password (`history_entry`).
    let fresh = !core.typist.continuing() && core.typist.idling().is_none();
    let input = core.typist.line(line, core.literal_plus());
    let remember = match &input {
        Input::Chunk { .. } if fresh => history_entry(line),
        Input::Dot { name, arg } if name == ".login" && !arg.is_empty() => {
            Some(format!("login {arg}"))
        }
        Input::Dot { .. } if fresh => Some(line.trim().to_string()),
        _ => None,
    };
    if let (Some(entry), Some(h)) = (remember, history) {
        let _ = editor.add_history_entry(entry);
        let _ = editor.append_history(h);
    }
    match input {
        Input::Dot { name, arg } => core.dot(&name, &arg, &prompt_password),
        Input::Chunk { tag, chunk, .. } => {
            if !core.send_chunk(&tag, chunk) || !core.connected() {
                core.say("* not connected: .reconnect");
            }
            Flow::Go
        }
        Input::Refused(why) => {
            core.say(&format!("* not sent: {why}"));
            Flow::Go
        }
        Input::Empty => Flow::Go,
    }
}

/// The password for `.login` (and a recalled `login USER`): typed into a line editor of
/// its own that shows `*` for each character and keeps no history, so Ctrl-C or Ctrl-D
/// cancels the login instead of killing the shell. A terminal that cannot be put in raw
/// mode (TERM=dumb) gets the no-echo prompt of rpassword instead.
fn prompt_password(user: &str) -> Option<Secret> {
    let prompt = format!("Password for {user}: ");
    if matches!(
        std::env::var("TERM").as_deref(),
        Ok("dumb" | "cons25" | "emacs")
    ) {
        return rpassword::prompt_password(prompt).ok().map(Secret::new);
    }
    let config = rustyline::Config::builder()
        .color_mode(rustyline::ColorMode::Forced)
        .auto_add_history(false)
        .build();
    let mut editor: Editor<AllMasked, DefaultHistory> = Editor::with_config(config).ok()?;
    editor.set_helper(Some(AllMasked));
    editor.readline(&prompt).ok().map(Secret::new)
}

/// Every character of the line shown as `*`.
#[derive(Helper, Completer, Hinter, Validator)]
struct AllMasked;

impl Highlighter for AllMasked {
    fn highlight<'l>(&self, line: &'l str, _pos: usize) -> Cow<'l, str> {
        Cow::Owned("*".repeat(line.chars().count()))
    }

    fn highlight_char(&self, _line: &str, _pos: usize, _kind: CmdKind) -> bool {
        true
    }
}
