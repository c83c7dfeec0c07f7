//! Script mode (standard input is not a terminal), like `imtest -f`: each line is sent
//! after the previous command completed, the transcript is printed, and the exit status
//! says how the session went (Nagios convention).

use std::io::BufRead;

use super::core::{Core, Sink};
use super::dot::Flow;
use super::input::Input;
use crate::report::Status;
use crate::settings::Settings;

pub fn run(settings: Settings, ignore_no: bool) -> Status {
    // A closed stdout (`| head -2`) is not an error worth a panic: the run goes on quietly.
    let make_sink = || -> Sink {
        Box::new(|line: String| {
            use std::io::Write;
            let _ = writeln!(std::io::stdout(), "{line}");
        })
    };
    let mut core = match Core::new(settings, Box::new(make_sink)) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("imapdiag: {e}");
            return Status::Unknown;
        }
    };
    if let Err(e) = core.connect() {
        core.say(&format!("* {e}"));
        return Status::Critical;
    }
    core.auto_login();
    let mut failed = false;
    let mut quit = false;
    for line in std::io::stdin().lock().lines() {
        let Ok(line) = line else { break };
        match send(&mut core, &line) {
            Ok(Flow::Quit) => {
                quit = true;
                break;
            }
            Ok(Flow::Go) => {}
            Err(e) => {
                core.say(&format!("* {e}"));
                failed = true;
                break;
            }
        }
    }
    if !quit {
        core.logout();
    }
    let refusals = core.shared.with(|s| s.refusals);
    match failed || (refusals > 0 && !ignore_no) {
        true => Status::Critical,
        false => Status::Ok,
    }
}

/// Sends one line and waits for its command's completion (not for literal data lines).
fn send(core: &mut Core, line: &str) -> Result<Flow, String> {
    core.settle();
    // A command during IDLE: DONE goes first, and its completion is awaited.
    if let Some(idle) = core.end_idle_before(line) {
        core.shared.wait_for(&idle, core.settings.timeout)?;
    }
    if core.refuses_plaintext_secret(line) {
        return Err("a password is not sent without TLS".into());
    }
    let known = core.password.clone();
    match core.typist.line(line, core.literal_plus()) {
        Input::Dot { name, arg } => Ok(core.dot(&name, &arg, &move |_| known.clone())),
        Input::Empty => Ok(Flow::Go),
        Input::Refused(why) => Err(format!("not sent: {why}")),
        Input::Chunk {
            tag,
            chunk,
            continues,
        } => {
            let logout = !continues
                && core.typist.in_sasl().is_none()
                && line.to_ascii_uppercase().split(' ').any(|w| w == "LOGOUT");
            let seen = core.shared.with(|st| st.continuations);
            if !core.send_chunk(&tag, chunk) {
                return Err("not connected".into());
            }
            if continues {
                return Ok(Flow::Go);
            }
            // Inside a SASL exchange, and after IDLE, the turn returns with a `+` or the
            // completion.
            if core.typist.in_sasl() == Some(tag.as_str())
                || core.typist.idling() == Some(tag.as_str())
            {
                core.shared.wait_turn(&tag, seen, core.settings.timeout)?;
                core.settle();
                return Ok(Flow::Go);
            }
            core.shared.wait_for(&tag, core.settings.timeout)?;
            if logout {
                core.close();
                return Ok(Flow::Quit);
            }
            Ok(Flow::Go)
        }
    }
}
