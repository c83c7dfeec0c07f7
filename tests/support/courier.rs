//! Private Courier-IMAP 5.0 instances on 127.0.0.1 (imaplogin and imapd unpacked from
//! Debian's courier-imap by tests/servers/install.sh; couriertcpd, couriertls and
//! authdaemond from courier-base and courier-authlib). authdaemond reads
//! /etc/courier/authdaemonrc and listens on /run/courier/authdaemon: the servers run in a
//! private mount namespace where the instance's own directories are mounted there, so the
//! system's copies are never touched. Users alice/secret and bob/hunter2.

use std::path::Path;

use super::cyrus::sh;
use super::daemon::{self, Daemon};
use super::pki::pki;

/// Starts an instance, or `None` after saying why it could not (see [`daemon::skip`]).
pub fn start() -> Option<Daemon> {
    let root = daemon::unpacked();
    let ready = root.join("usr/bin/imapd").exists()
        && Path::new("/usr/sbin/couriertcpd").exists()
        && Path::new("/usr/sbin/authdaemond").exists()
        && daemon::is_root();
    if !ready {
        daemon::skip("Courier-IMAP is not unpacked (or not running as root)");
        return None;
    }
    let mut last = String::new();
    for _ in 0..3 {
        match try_start(&root) {
            Ok(d) => return Some(d),
            Err(e) => last = e,
        }
    }
    panic!("courier did not start: {last}");
}

const USERS: [(&str, &str); 2] = [("alice", "secret"), ("bob", "hunter2")];
/// The mail belongs to `nobody`, as in the Dovecot harness.
const MAIL_ID: u32 = 65534;

fn try_start(root: &Path) -> Result<Daemon, String> {
    let tmp = tempfile::Builder::new()
        .prefix("imapdiag-courier")
        .tempdir()
        .unwrap();
    let s = tmp.path().to_path_buf();
    let port = super::free_port_pair();
    prepare(&s, root)?;
    std::fs::write(s.join("courier.sh"), namespace_script(&s, root, port)).unwrap();
    let start = format!(
        "unshare -m --propagation private bash {0}/courier.sh > {0}/courier.log 2>&1 &\nSERVER=$!",
        s.display()
    );
    daemon::supervise("courier", tmp, port, &start, "kill $SERVER; wait $SERVER")
}

fn prepare(s: &Path, root: &Path) -> Result<(), String> {
    let etc = s.join("etc");
    std::fs::create_dir_all(etc.join("shared")).unwrap();
    std::fs::create_dir_all(s.join("run/authdaemon")).unwrap();
    for f in ["imapd", "imapd-ssl"] {
        std::fs::copy(root.join("etc/courier").join(f), etc.join(f)).unwrap();
    }
    std::fs::write(
        etc.join("authdaemonrc"),
        "authmodulelist=\"authuserdb\"\ndaemons=2\nauthdaemonvar=/run/courier/authdaemon\nDEBUG_LOGIN=0\nDEFAULTOPTIONS=\"\"\nLOGGEROPTS=\"\"\n",
    )
    .unwrap();
    // couriertls wants the key and the certificate in one PEM file.
    let p = pki();
    let pem = [
        std::fs::read(&p.server_key).unwrap(),
        std::fs::read(&p.server_cert).unwrap(),
    ]
    .concat();
    std::fs::write(etc.join("imapd.pem"), pem).unwrap();
    let mut userdb = String::new();
    for (user, pw) in USERS {
        let home = s.join("home").join(user);
        for sub in ["cur", "new", "tmp"] {
            std::fs::create_dir_all(home.join("Maildir").join(sub)).unwrap();
        }
        std::fs::write(
            home.join("Maildir/new/1.imapdiag"),
            "From: bob@localhost\r\nTo: alice@localhost\r\nSubject: hello\r\n\r\nhello\r\n",
        )
        .unwrap();
        userdb += &format!(
            "{user}\tuid={MAIL_ID}|gid={MAIL_ID}|home={h}|mail={h}/Maildir|systempw={hash}\n",
            h = home.display(),
            hash = crypt(pw)?,
        );
    }
    std::fs::write(etc.join("userdb"), userdb).unwrap();
    sh(&format!(
        "chmod 755 {s} && chmod 600 {s}/etc/userdb && chown -R {MAIL_ID}:{MAIL_ID} {s}/home \
         && chown courier:courier {s}/run/authdaemon && chmod 750 {s}/run/authdaemon \
         && cp /etc/courier/dhparams.pem {s}/etc/ 2>/dev/null || openssl dhparam -dsaparam -out {s}/etc/dhparams.pem 2048 2>/dev/null",
        s = s.display()
    ))
}

/// `openssl passwd -6`: the SHA-512 crypt hash authuserdb checks.
fn crypt(pw: &str) -> Result<String, String> {
    let out = std::process::Command::new("openssl")
        .args(["passwd", "-6", pw])
        .output()
        .map_err(|e| e.to_string())?;
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Runs inside the private mount namespace: mounts, authdaemond, and the two listeners
/// (STARTTLS on `port`, implicit TLS on `port + 1`), stopped together on exit.
fn namespace_script(s: &Path, root: &Path, port: u16) -> String {
    format!(
        "set -e
[ -d /run/courier ] || mount -t tmpfs tmpfs /run
mkdir -p /run/courier
mount --bind {s}/etc /etc/courier
mount --bind {s}/run /run/courier
makeuserdb
/usr/sbin/authdaemond start
set -a; . /etc/courier/imapd; . /etc/courier/imapd-ssl; set +a
export IMAP_STARTTLS=YES TLS_CERTFILE=/etc/courier/imapd.pem TLS_DHPARAMS=/etc/courier/dhparams.pem
export COURIERTLS=/usr/bin/couriertls TLS_VERIFYPEER=NONE IMAP_SHAREDINDEXFILE=/etc/courier/shared/index
LOGIN={root}/usr/lib/courier/courier/imaplogin
IMAPD={root}/usr/bin/imapd
couriertcpd -address=127.0.0.1 -nodnslookup -noidentlookup -maxprocs=40 {port} $LOGIN $IMAPD Maildir 2> {s}/imapd.log &
P1=$!
IMAP_TLS=1 couriertcpd -address=127.0.0.1 -nodnslookup -noidentlookup -maxprocs=40 {tls} /usr/bin/couriertls -server -tcpd $LOGIN $IMAPD Maildir 2> {s}/imapds.log &
P2=$!
trap '/usr/sbin/authdaemond stop; kill $P1 $P2' EXIT
trap 'exit 0' TERM INT
wait
",
        s = s.display(),
        root = root.display(),
        tls = port + 1,
    )
}
