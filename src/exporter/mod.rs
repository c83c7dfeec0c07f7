//! `imapdiag exporter`: blackbox_exporter's model for IMAP. `GET /probe?target=&module=`
//! runs one diagnosis and answers in the Prometheus text format; `/metrics` gives the
//! exporter's own metrics; `/` lists the modules and the last probes. Credentials live in
//! the module's files, never in a URL, a page or a log line.

pub mod config;
pub mod metrics;
mod page;

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tokio::sync::Semaphore;

use crate::client::tls::Connector;
use crate::diagnosis::diagnose;
use crate::render::{render_text, status_word, TextOptions};
use config::Config;
use metrics::{probe_page, Metrics};

/// Prometheus' own default scrape timeout, when the header does not say.
const DEFAULT_SCRAPE_TIMEOUT: Duration = Duration::from_secs(10);
/// Kept back from the scrape's timeout so the answer arrives before Prometheus gives up
/// (blackbox_exporter's `--timeout-offset`).
const TIMEOUT_OFFSET: Duration = Duration::from_millis(500);
/// Probes remembered for `/`.
const RECENT: usize = 20;
const TEXT: &str = "text/plain; version=0.0.4; charset=utf-8";

pub struct Exporter {
    config: Config,
    connectors: HashMap<String, Connector>,
    slots: Semaphore,
    state: Mutex<Counters>,
}

#[derive(Default)]
struct Counters {
    /// Probes run, by module and status.
    probes: BTreeMap<(String, &'static str), u64>,
    /// Requests refused (unknown module, bad target, no free slot).
    errors: u64,
    next_id: u64,
    recent: VecDeque<Recent>,
}

struct Recent {
    id: u64,
    module: String,
    target: String,
    status: &'static str,
    at: SystemTime,
    report: String,
}

impl Exporter {
    /// Builds each module's TLS connector once (the trust store is read once per module).
    pub fn new(config: Config, max_probes: usize) -> Result<Exporter, String> {
        let mut connectors = HashMap::new();
        for (name, m) in &config.modules {
            let s = m.settings("localhost", DEFAULT_SCRAPE_TIMEOUT)?;
            let c =
                crate::client::tls::connector(&s.tls).map_err(|e| format!("module {name}: {e}"))?;
            connectors.insert(name.clone(), c);
        }
        Ok(Exporter {
            config,
            connectors,
            slots: Semaphore::new(max_probes.max(1)),
            state: Mutex::default(),
        })
    }

    fn counters(&self) -> std::sync::MutexGuard<'_, Counters> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Serves until the listener fails.
pub async fn serve(listener: tokio::net::TcpListener, exporter: Exporter) -> std::io::Result<()> {
    let app = Router::new()
        .route("/", get(index))
        .route("/probe", get(probe))
        .route("/metrics", get(own_metrics))
        .route("/report", get(report))
        .with_state(Arc::new(exporter));
    axum::serve(listener, app).await
}

/// Binds `addr` (loopback unless an address is given).
pub async fn bind(addr: SocketAddr) -> std::io::Result<tokio::net::TcpListener> {
    tokio::net::TcpListener::bind(addr).await
}

fn refuse(e: &Exporter, status: StatusCode, why: String) -> Response {
    e.counters().errors += 1;
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        why + "\n",
    )
        .into_response()
}

async fn probe(
    State(e): State<Arc<Exporter>>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    if q.keys()
        .any(|k| matches!(k.as_str(), "password" | "token" | "user" | "pass"))
    {
        return refuse(
            &e,
            StatusCode::BAD_REQUEST,
            "credentials never travel in the URL: put them in the module's files".into(),
        );
    }
    let Some(name) = q.get("module").cloned() else {
        return refuse(
            &e,
            StatusCode::BAD_REQUEST,
            "module parameter is missing".into(),
        );
    };
    let Some(module) = e.config.modules.get(&name).cloned() else {
        return refuse(
            &e,
            StatusCode::BAD_REQUEST,
            format!("unknown module {name:?}"),
        );
    };
    let Some(target) = q.get("target").cloned() else {
        return refuse(
            &e,
            StatusCode::BAD_REQUEST,
            "target parameter is missing".into(),
        );
    };
    let deadline = scrape_timeout(&headers)
        .saturating_sub(TIMEOUT_OFFSET)
        .max(TIMEOUT_OFFSET);
    let mut settings = match module.settings(&target, deadline) {
        Ok(s) => s,
        Err(why) => return refuse(&e, StatusCode::BAD_REQUEST, why),
    };
    settings.tls.connector = e.connectors.get(&name).cloned();
    let Ok(Ok(_slot)) = tokio::time::timeout(deadline, e.slots.acquire()).await else {
        return refuse(
            &e,
            StatusCode::SERVICE_UNAVAILABLE,
            "every probe slot is busy".into(),
        );
    };
    let plan = module.plan().unwrap_or(crate::diagnosis::Plan::Check);
    let started = Instant::now();
    let report = diagnose(&settings, plan).await;
    let secs = started.elapsed().as_secs_f64();
    let mut page = probe_page(&report, secs);
    let text = render_text(&report, &TextOptions { transcript: true });
    if q.get("debug").is_some_and(|d| d == "true") {
        for l in text.lines() {
            page += &format!("# report: {}\n", l.replace(['\r', '\n'], " "));
        }
    }
    let status = status_word(report.status);
    eprintln!(
        "exporter probe module={name} target={} status={status} seconds={secs:.3}",
        crate::proto::sanitize::escape_str(&target)
    );
    remember(&e, &name, &target, status, text);
    ([(header::CONTENT_TYPE, TEXT)], page).into_response()
}

fn scrape_timeout(h: &HeaderMap) -> Duration {
    h.get("X-Prometheus-Scrape-Timeout-Seconds")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s > 0.0)
        .map_or(DEFAULT_SCRAPE_TIMEOUT, |s| {
            Duration::from_secs_f64(s.min(3600.0))
        })
}

fn remember(e: &Exporter, module: &str, target: &str, status: &'static str, report: String) {
    let mut c = e.counters();
    *c.probes.entry((module.to_string(), status)).or_default() += 1;
    c.next_id += 1;
    let id = c.next_id;
    c.recent.push_front(Recent {
        id,
        module: module.into(),
        target: target.into(),
        status,
        at: SystemTime::now(),
        report,
    });
    c.recent.truncate(RECENT);
}

async fn own_metrics(State(e): State<Arc<Exporter>>) -> Response {
    let mut m = Metrics::default();
    let c = e.counters();
    let help = "Probes run, by module and the check's status.";
    if c.probes.is_empty() {
        m.declare("imapdiag_exporter_probes_total", help);
    }
    for ((module, status), n) in &c.probes {
        m.counter(
            "imapdiag_exporter_probes_total",
            help,
            &[("module", module), ("status", status)],
            *n as f64,
        );
    }
    m.counter(
        "imapdiag_exporter_probe_errors_total",
        "Probe requests refused (unknown module, bad target, no free slot).",
        &[],
        c.errors as f64,
    );
    m.gauge(
        "imapdiag_exporter_build_info",
        "The imapdiag version.",
        &[("version", env!("CARGO_PKG_VERSION"))],
        1.0,
    );
    ([(header::CONTENT_TYPE, TEXT)], m.finish()).into_response()
}

async fn index(State(e): State<Arc<Exporter>>) -> Response {
    let c = e.counters();
    let recent: Vec<page::Row> = c
        .recent
        .iter()
        .map(|r| page::Row {
            id: r.id,
            module: &r.module,
            target: &r.target,
            status: r.status,
            at: r.at,
        })
        .collect();
    let modules: Vec<&str> = e.config.modules.keys().map(String::as_str).collect();
    (
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        page::index(&modules, &recent),
    )
        .into_response()
}

async fn report(
    State(e): State<Arc<Exporter>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let id: Option<u64> = q.get("id").and_then(|i| i.parse().ok());
    let c = e.counters();
    match c.recent.iter().find(|r| Some(r.id) == id) {
        Some(r) => (
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            r.report.clone(),
        )
            .into_response(),
        None => (
            StatusCode::NOT_FOUND,
            "no such probe (only the last 20 are kept)\n",
        )
            .into_response(),
    }
}
