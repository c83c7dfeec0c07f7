//! Private Dovecot instances on 127.0.0.1 for the tests (../shared/real-servers.md):
//! a config in a temporary directory, high ports, `dovecot -F` as a child that is killed
//! when the instance is dropped.
//!
//! When Dovecot is not installed the tests that need it say so loudly and pass, except
//! under `IMAPDIAG_REQUIRE_DOVECOT=1` (set by `.ci/run`), where they fail.

use std::fmt::Write as _;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::pki::pki;

/// The namespace layouts of ../shared/real-servers.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Dovecot's default: one private namespace, separator `.`... made `/` here.
    Plain,
    /// `(("" "/")) (("Other users/" "/")) (("Public Folders/" "/"))`
    Exchange55,
    /// `(("" "/")) NIL (("Public Folders/" "/"))`
    Exchange2000,
}

/// A user line: name, password, and extra passwd-file fields (e.g. a referral).
pub struct User {
    pub name: &'static str,
    pub password: &'static str,
    pub extra: String,
}

impl User {
    pub fn new(name: &'static str, password: &'static str) -> Self {
        User {
            name,
            password,
            extra: String::new(),
        }
    }
}

pub struct Dovecot {
    pub port: u16,
    pub tls_port: u16,
    pub dir: PathBuf,
    child: Child,
    _tmp: tempfile::TempDir,
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        // SIGTERM lets the watchdog's trap stop Dovecot; SIGKILL would orphan it.
        let _ = Command::new("kill")
            .arg(self.child.id().to_string())
            .status();
        let _ = self.child.wait();
    }
}

fn binary() -> Option<PathBuf> {
    ["/usr/sbin/dovecot", "/usr/local/sbin/dovecot"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

/// Starts an instance, or returns `None` (after saying so) when Dovecot is missing.
pub fn start(layout: Layout, users: Vec<User>) -> Option<Dovecot> {
    start_with(layout, users, "")
}

/// As [`start`], with extra configuration lines (e.g. `login_greeting = ...`).
pub fn start_with(layout: Layout, users: Vec<User>, extra: &str) -> Option<Dovecot> {
    let Some(bin) = binary() else {
        if std::env::var("IMAPDIAG_REQUIRE_DOVECOT").as_deref() == Ok("1") {
            panic!("IMAPDIAG_REQUIRE_DOVECOT=1 but dovecot is not installed (apt-get install dovecot-imapd)");
        }
        eprintln!(
            "\n*** SKIPPED: dovecot is not installed; this real-server test did not run ***\n"
        );
        return None;
    };
    Some(launch(&bin, layout, users, extra))
}

/// An instance with alice/secret and bob/hunter2.
pub fn start_default(layout: Layout) -> Option<Dovecot> {
    start(
        layout,
        vec![User::new("alice", "secret"), User::new("bob", "hunter2")],
    )
}

/// Starts an instance; when its ports were taken between choosing and binding (parallel
/// tests), tries again on fresh ones.
fn launch(bin: &Path, layout: Layout, users: Vec<User>, extra: &str) -> Dovecot {
    let mut last = String::new();
    for _ in 0..3 {
        match try_launch(bin, layout, &users, extra) {
            Ok(d) => return d,
            Err(e) => last = e,
        }
    }
    panic!("dovecot did not start: {last}");
}

fn try_launch(bin: &Path, layout: Layout, users: &[User], extra: &str) -> Result<Dovecot, String> {
    let tmp = tempfile::Builder::new()
        .prefix("imapdiag-dovecot")
        .tempdir()
        .unwrap();
    let dir = tmp.path().to_path_buf();
    let ids = Ids::for_this_process();
    let port = super::free_port_pair();
    prepare_dirs(&dir, users, &ids);
    std::fs::write(dir.join("users"), users_file(&dir, users, &ids)).unwrap();
    let conf = config(&dir, port, layout, &ids) + extra;
    std::fs::write(dir.join("dovecot.conf"), conf).unwrap();
    // Under a bash watchdog, as the other servers (support::daemon): an instance kept in a
    // static is never dropped, and `dovecot -F` would outlive the test binary.
    let watchdog = format!(
        "{bin} -F -c {conf} & pid=$!\ntrap 'kill -9 $pid 2>/dev/null; wait $pid' EXIT\n\
         trap 'exit 0' TERM INT\n\
         while kill -0 {parent} 2>/dev/null && kill -0 $pid 2>/dev/null; do sleep 0.2; done\n",
        bin = bin.display(),
        conf = dir.join("dovecot.conf").display(),
        parent = std::process::id()
    );
    let child = Command::new("bash")
        .arg("-c")
        .arg(watchdog)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start dovecot");
    let mut d = Dovecot {
        port,
        tls_port: port + 1,
        dir,
        child,
        _tmp: tmp,
    };
    d.wait_ready()?;
    Ok(d)
}

impl Dovecot {
    pub fn target(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    pub fn tls_target(&self) -> String {
        format!("127.0.0.1:{}", self.tls_port)
    }

    /// Replaces the users (passwd-file is re-read when it changes), e.g. to add referrals
    /// that name another instance's port.
    pub fn set_users(&self, users: &[User]) {
        let ids = Ids::for_this_process();
        prepare_dirs(&self.dir, users, &ids);
        let tmp = self.dir.join("users.new");
        std::fs::write(&tmp, users_file(&self.dir, users, &ids)).unwrap();
        std::fs::rename(&tmp, self.dir.join("users")).unwrap();
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("dovecot.log")).unwrap_or_default()
    }

    fn wait_ready(&mut self) -> Result<(), String> {
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                let mut err = String::new();
                if let Some(mut e) = self.child.stderr.take() {
                    use std::io::Read;
                    let _ = e.read_to_string(&mut err);
                }
                return Err(format!("dovecot exited ({status}): {err}\n{}", self.log()));
            }
            let up = |p| std::net::TcpStream::connect(("127.0.0.1", p)).is_ok();
            if up(self.port) && up(self.tls_port) {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Err(format!(
            "dovecot did not listen within 15 s:\n{}",
            self.log()
        ))
    }
}

/// Who owns what: as root, Dovecot's own service users and `nobody` for the mail; as
/// anyone else, that user for everything (no privilege switching is possible).
struct Ids {
    root: bool,
    mail_uid: u32,
    mail_gid: u32,
    user_name: String,
}

impl Ids {
    fn for_this_process() -> Self {
        let meta = std::fs::metadata("/proc/self").unwrap();
        if meta.uid() == 0 {
            Ids {
                root: true,
                mail_uid: 65534,
                mail_gid: 65534,
                user_name: String::new(),
            }
        } else {
            let name = std::env::var("USER").unwrap_or_else(|_| "nobody".into());
            Ids {
                root: false,
                mail_uid: meta.uid(),
                mail_gid: meta.gid(),
                user_name: name,
            }
        }
    }
}

fn prepare_dirs(dir: &Path, users: &[User], ids: &Ids) {
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    for sub in ["run", "state", "public", "home"] {
        std::fs::create_dir_all(dir.join(sub)).unwrap();
    }
    for sub in ["cur", "new", "tmp"] {
        std::fs::create_dir_all(dir.join("public").join(sub)).unwrap();
    }
    for u in users {
        let maildir = dir.join("home").join(u.name).join("Maildir");
        for sub in ["cur", "new", "tmp"] {
            std::fs::create_dir_all(maildir.join(sub)).unwrap();
        }
    }
    std::fs::set_permissions(dir.join("home"), std::fs::Permissions::from_mode(0o755)).ok();
    if ids.root {
        chown_tree(&dir.join("home"), ids);
        chown_tree(&dir.join("public"), ids);
    }
}

fn chown_tree(path: &Path, ids: &Ids) {
    std::os::unix::fs::chown(path, Some(ids.mail_uid), Some(ids.mail_gid)).unwrap();
    if path.is_dir() {
        for e in std::fs::read_dir(path).unwrap() {
            chown_tree(&e.unwrap().path(), ids);
        }
    }
}

fn users_file(dir: &Path, users: &[User], ids: &Ids) -> String {
    let mut out = String::new();
    for u in users {
        let home = dir.join("home").join(u.name);
        let _ = writeln!(
            out,
            "{}:{{PLAIN}}{}:{}:{}::{}::{}",
            u.name,
            u.password,
            ids.mail_uid,
            ids.mail_gid,
            home.display(),
            u.extra
        );
    }
    out
}

fn config(dir: &Path, port: u16, layout: Layout, ids: &Ids) -> String {
    let d = dir.display();
    let p = pki();
    let (internal, login) = if ids.root {
        ("dovecot".to_string(), "dovenull".to_string())
    } else {
        (ids.user_name.clone(), ids.user_name.clone())
    };
    let chroot = if ids.root { "" } else { "  chroot =\n" };
    let mut c = format!(
        "instance_name = imapdiag-{port}
base_dir = {d}/run
state_dir = {d}/state
protocols = imap
listen = 127.0.0.1, 127.0.0.2
log_path = {d}/dovecot.log
default_internal_user = {internal}
default_login_user = {login}
first_valid_uid = 1
first_valid_gid = 1
ssl = yes
ssl_cert = <{cert}
ssl_key = <{key}
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
mail_location = maildir:~/Maildir
passdb {{
  driver = passwd-file
  mechanisms = plain login scram-sha-1 scram-sha-256 cram-md5 none
  args = {d}/users
}}
userdb {{
  driver = passwd-file
  args = {d}/users
}}
service imap-login {{
{chroot}  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1, 127.0.0.2
    port = {tls}
    ssl = yes
  }}
}}
namespace inbox {{
  type = private
  separator = /
  prefix =
  inbox = yes
}}
",
        cert = p.server_cert.display(),
        key = p.server_key.display(),
        tls = port + 1,
    );
    if !ids.root {
        c.push_str("service anvil {\n  chroot =\n}\nservice imap {\n  chroot =\n}\n");
    }
    if layout == Layout::Exchange55 {
        c.push_str("namespace other {\n  type = shared\n  separator = /\n  prefix = Other users/%%u/\n  location = maildir:%%h/Maildir\n  list = children\n  subscriptions = no\n}\n");
    }
    if layout != Layout::Plain {
        let _ = write!(c, "namespace public {{\n  type = public\n  separator = /\n  prefix = Public Folders/\n  location = maildir:{d}/public\n  list = children\n  subscriptions = no\n}}\n");
    }
    c
}

/// The HS256 key the OAuth instance validates tokens with (`real-servers.md`: Dovecot's
/// `passdb oauth2` with `introspection_mode = local`).
pub const OAUTH_KEY: &[u8] = b"imapdiag-test-oauth-key-0123456789";
/// The issuer and scope such a token must carry.
pub const OAUTH_ISSUER: &str = "https://issuer.example";

/// An instance that also offers SCRAM-SHA-1, SCRAM-SHA-256, CRAM-MD5, XOAUTH2 and
/// OAUTHBEARER, validating HS256 JWTs locally against [`OAUTH_KEY`]; users alice/secret
/// and bob/hunter2. Each passdb serves only its own mechanisms, so a failed token never
/// falls through to a password. The per-address auth penalty (2 to 15 s after failures) is
/// off: auth cannot reach anvil's `anvil-auth-penalty` socket (mode 0).
pub fn start_oauth() -> Option<Dovecot> {
    use base64::Engine;
    let dir = tempfile::Builder::new()
        .prefix("imapdiag-oauth")
        .tempdir()
        .unwrap();
    let key = base64::engine::general_purpose::STANDARD.encode(OAUTH_KEY);
    std::fs::write(
        dir.path().join("keys.dict"),
        format!("shared/default/HS256/default\n{key}\n"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("oauth2.conf.ext"),
        format!(
            "introspection_mode = local\nlocal_validation_key_dict = file:{}/keys.dict\nusername_attribute = sub\nusername_format = %Lu\nscope = mail\nissuers = {OAUTH_ISSUER}\n",
            dir.path().display()
        ),
    )
    .unwrap();
    let _ = std::process::Command::new("chmod")
        .args(["-R", "a+rX"])
        .arg(dir.path())
        .status();
    let extra = format!(
        "auth_mechanisms = plain login scram-sha-1 scram-sha-256 cram-md5 xoauth2 oauthbearer\nservice anvil {{\n  unix_listener anvil-auth-penalty {{\n    mode = 0\n  }}\n}}\npassdb {{\n  driver = oauth2\n  mechanisms = xoauth2 oauthbearer\n  args = {}/oauth2.conf.ext\n}}\n",
        dir.path().display()
    );
    let d = start_with(
        Layout::Plain,
        vec![User::new("alice", "secret"), User::new("bob", "hunter2")],
        &extra,
    )?;
    // The directory must live as long as the instance: keep it beside it.
    std::mem::forget(dir);
    Some(d)
}

/// A JWT signed with [`OAUTH_KEY`] (HS256) for `sub`, with `claims` merged over the
/// defaults (issuer, scope `mail`, valid for an hour).
pub fn oauth_token(sub: &str, claims: serde_json::Value) -> String {
    use base64::Engine;
    use hmac::Mac;
    let b64 = |v: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let mut body = serde_json::json!({"iss": OAUTH_ISSUER, "sub": sub, "iat": now, "exp": now + 3600, "scope": "mail"});
    for (k, v) in claims.as_object().unwrap() {
        body[k] = v.clone();
    }
    let head = b64(br#"{"alg":"HS256","typ":"JWT"}"#);
    let signed = format!("{head}.{}", b64(body.to_string().as_bytes()));
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(OAUTH_KEY).unwrap();
    mac.update(signed.as_bytes());
    format!("{signed}.{}", b64(&mac.finalize().into_bytes()))
}
