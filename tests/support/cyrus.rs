//! Private Cyrus IMAP 3.6 instances on 127.0.0.1 (the daemon unpacked from Debian's
//! cyrus-imapd by tests/servers/install.sh; master, ctl_cyrusdb and saslpasswd2 from
//! cyrus-common and sasl2-bin). Users cyrus (the admin), alice/secret and bob/hunter2, each
//! with an INBOX holding one message.

use std::path::Path;
use std::process::Command;

use super::daemon::{self, Daemon};
use super::pki::pki;

/// Cyrus's two namespace modes (imapd.conf `altnamespace` and `unixhierarchysep`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Debian's defaults: `(("INBOX." ".")) (("user." ".")) (("" "."))`.
    Standard,
    /// Upstream 3.x defaults: `(("" "/")) (("Other Users/" "/")) (("Shared Folders/" "/"))`.
    Alternate,
}

const MASTER: &str = "/usr/lib/cyrus/bin/master";

/// Starts an instance, or `None` after saying why it could not (see [`daemon::skip`]).
pub fn start(mode: Mode) -> Option<Daemon> {
    let imapd = daemon::unpacked().join("usr/lib/cyrus/bin/imapd");
    if !imapd.exists() || !Path::new(MASTER).exists() || !daemon::is_root() {
        daemon::skip("Cyrus IMAP is not unpacked (or not running as root)");
        return None;
    }
    let mut last = String::new();
    for _ in 0..3 {
        match try_start(mode, &imapd) {
            Ok(d) => return Some(d),
            Err(e) => last = e,
        }
    }
    panic!("cyrus did not start: {last}");
}

fn try_start(mode: Mode, imapd: &Path) -> Result<Daemon, String> {
    let tmp = tempfile::Builder::new()
        .prefix("imapdiag-cyrus")
        .tempdir()
        .unwrap();
    let s = tmp.path().to_path_buf();
    let port = super::free_port_pair();
    for sub in ["conf", "proc", "lock", "part", "sieve", "socket"] {
        std::fs::create_dir_all(s.join(sub)).unwrap();
    }
    // imapd runs as `cyrus`: it reads its own copies of the test certificate and key.
    std::fs::copy(&pki().server_cert, s.join("cert.pem")).unwrap();
    std::fs::copy(&pki().server_key, s.join("key.pem")).unwrap();
    std::fs::write(s.join("imapd.conf"), imapd_conf(&s, mode)).unwrap();
    std::fs::write(s.join("cyrus.conf"), cyrus_conf(&s, imapd, port)).unwrap();
    for (user, pw) in [("cyrus", "secret"), ("alice", "secret"), ("bob", "hunter2")] {
        sh(&format!(
            "echo {pw} | saslpasswd2 -p -c -f {}/sasldb2 -u localhost {user}",
            s.display()
        ))?;
    }
    sh(&format!(
        "chmod 755 {0} && chown -R cyrus:mail {0}",
        s.display()
    ))?;
    let start = format!(
        "{MASTER} -D -C {0}/imapd.conf -M {0}/cyrus.conf -p {0}/master.pid -l 32 > {0}/master.log 2>&1 &\nSERVER=$!",
        s.display()
    );
    let d = daemon::supervise("cyrus", tmp, port, &start, "kill $SERVER; wait $SERVER")?;
    populate(&d, mode)?;
    Ok(d)
}

fn populate(d: &Daemon, mode: Mode) -> Result<(), String> {
    let sep = if mode == Mode::Standard { "." } else { "/" };
    let create = |u: &str| format!("CREATE user{sep}{u}").into_bytes();
    daemon::admin(
        d.port,
        &[b"LOGIN cyrus secret", &create("alice"), &create("bob")],
    )?;
    let msg = "From: bob@localhost\r\nTo: alice@localhost\r\nSubject: hello\r\n\r\nhello alice\r\n";
    let append = format!("APPEND INBOX {{{}+}}\r\n{msg}", msg.len()).into_bytes();
    daemon::admin(d.port, &[b"LOGIN alice secret", &append])?;
    daemon::admin(d.port, &[b"LOGIN bob hunter2", &append])
}

fn imapd_conf(s: &Path, mode: Mode) -> String {
    let alt = if mode == Mode::Alternate { "yes" } else { "no" };
    format!(
        "configdirectory: {s}/conf
proc_path: {s}/proc
mboxname_lockpath: {s}/lock
defaultpartition: default
partition-default: {s}/part
sievedir: {s}/sieve
servername: localhost
admins: cyrus
allowplaintext: yes
sasl_pwcheck_method: auxprop
sasl_auxprop_plugin: sasldb
sasl_sasldb_path: {s}/sasldb2
sasl_mech_list: PLAIN LOGIN
tls_server_cert: {s}/cert.pem
tls_server_key: {s}/key.pem
lmtpsocket: {s}/socket/lmtp
idlesocket: {s}/socket/idle
notifysocket: {s}/socket/notify
altnamespace: {alt}
unixhierarchysep: {alt}
",
        s = s.display(),
    )
}

fn cyrus_conf(s: &Path, imapd: &Path, port: u16) -> String {
    format!(
        "START {{
  recover cmd=\"/usr/lib/cyrus/bin/ctl_cyrusdb -C {s}/imapd.conf -r\"
}}
SERVICES {{
  imap cmd=\"{imapd} -C {s}/imapd.conf\" listen=\"127.0.0.1:{port}\" prefork=0
  imaps cmd=\"{imapd} -s -C {s}/imapd.conf\" listen=\"127.0.0.1:{tls}\" prefork=0
}}
",
        s = s.display(),
        imapd = imapd.display(),
        tls = port + 1,
    )
}

pub(super) fn sh(script: &str) -> Result<(), String> {
    let out = Command::new("bash")
        .arg("-c")
        .arg(script)
        .output()
        .map_err(|e| e.to_string())?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{script}: {}",
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}
