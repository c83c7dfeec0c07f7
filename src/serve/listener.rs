//! Listeners with a connection limit, an idle timeout and a line cap; one line of log
//! per connection on stderr.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio::task::JoinHandle;

use super::accounts::Account;
use super::conn::{Limits, ServerConn};
use super::profile::{by_name, EmuProfile};
use super::session::{self, Ctx};
use super::store::Store;
use super::tls::ServerTls;
use crate::net::Stream;

pub struct ServeConfig {
    pub profile: &'static EmuProfile,
    pub listen: SocketAddr,
    /// Where the home server of a referral profile listens (port 0: any free port).
    pub home_listen: SocketAddr,
    pub accounts: Vec<Account>,
    pub tls: Arc<ServerTls>,
    pub max_connections: usize,
    pub idle_timeout: Duration,
    pub max_line: usize,
    pub log: bool,
    /// Every protocol line on standard error, redacted (`--trace`).
    pub trace: bool,
}

/// Running listeners; dropping this stops them.
pub struct Running {
    pub addr: SocketAddr,
    /// The listener playing the referral's home server, if the profile has one.
    pub home: Option<(SocketAddr, &'static EmuProfile)>,
    pub cert_pem: Vec<u8>,
    tasks: Vec<JoinHandle<()>>,
}

impl Drop for Running {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

struct Shared {
    accounts: Arc<Vec<Account>>,
    store: Arc<Store>,
    tls: Arc<ServerTls>,
    max_connections: usize,
    idle: Duration,
    max_line: usize,
    log: bool,
    trace: bool,
}

pub async fn start(cfg: ServeConfig) -> std::io::Result<Running> {
    let cert_pem = cfg.tls.cert_pem.clone();
    let shared = Arc::new(Shared {
        store: Arc::new(Store::new(&cfg.accounts)),
        accounts: Arc::new(cfg.accounts),
        tls: cfg.tls,
        max_connections: cfg.max_connections,
        idle: cfg.idle_timeout,
        max_line: cfg.max_line,
        log: cfg.log,
        trace: cfg.trace,
    });
    let main = TcpListener::bind(cfg.listen).await?;
    let addr = main.local_addr()?;
    let mut tasks = vec![tokio::spawn(accept_loop(main, cfg.profile, shared.clone()))];
    let mut home = None;
    if let Some(home_profile) = cfg.profile.home.and_then(by_name) {
        let l = TcpListener::bind(cfg.home_listen).await?;
        home = Some((l.local_addr()?, home_profile));
        tasks.push(tokio::spawn(accept_loop(l, home_profile, shared)));
    }
    Ok(Running {
        addr,
        home,
        cert_pem,
        tasks,
    })
}

/// As Dovecot's `auth_failure_delay` (2 s) and Exchange's tarpit, a little shorter.
pub const FAILED_LOGIN_DELAY: Duration = Duration::from_secs(1);

/// Accepts until aborted; the connections' tasks live in a set owned by this loop, so
/// stopping the listener (dropping `Running`) stops every session too.
async fn accept_loop(listener: TcpListener, profile: &'static EmuProfile, shared: Arc<Shared>) {
    let slots = Arc::new(Semaphore::new(shared.max_connections));
    let mut sessions = tokio::task::JoinSet::new();
    loop {
        while sessions.try_join_next().is_some() {}
        let Ok((tcp, peer)) = listener.accept().await else {
            continue;
        };
        let Ok(permit) = slots.clone().try_acquire_owned() else {
            reject(tcp, &shared, profile, peer).await;
            continue;
        };
        let shared = shared.clone();
        sessions.spawn(async move {
            log(&shared, profile, peer, "connected");
            let result = serve_one(tcp, profile, &shared).await;
            log(&shared, profile, peer, &format!("closed{result}"));
            drop(permit);
        });
    }
}

async fn reject(
    mut tcp: TcpStream,
    shared: &Shared,
    profile: &'static EmuProfile,
    peer: SocketAddr,
) {
    log(shared, profile, peer, "refused: connection limit reached");
    let _ = tcp
        .write_all(b"* BYE Too many connections, try again later\r\n")
        .await;
}

async fn serve_one(tcp: TcpStream, profile: &'static EmuProfile, shared: &Shared) -> String {
    let _ = tcp.set_nodelay(true);
    let tcp_peer = tcp.peer_addr().ok();
    let limits = Limits {
        max_line: shared.max_line,
        max_literal: shared.max_line as u64 * 8,
        idle: shared.idle,
        failed_login_delay: FAILED_LOGIN_DELAY,
    };
    let mut conn = ServerConn::new(Stream::Plain(tcp), limits);
    if shared.trace {
        let peer = tcp_peer.map_or_else(|| "?".into(), |p| p.to_string());
        conn.trace(format!("serve[{}] {peer}", profile.name));
    }
    let ctx = Ctx {
        profile,
        accounts: shared.accounts.clone(),
        tls: shared.tls.clone(),
        store: shared.store.clone(),
    };
    match session::run(conn, &ctx).await {
        Ok(()) => String::new(),
        Err(e) => format!(" ({e})"),
    }
}

fn log(shared: &Shared, profile: &EmuProfile, peer: SocketAddr, what: &str) {
    if shared.log {
        eprintln!("serve[{}] {peer} {what}", profile.name);
    }
}
