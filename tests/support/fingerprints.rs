//! Every sourced server transcript the project has, as fingerprint cases: the fixture
//! transcripts (one per profile) and `fixtures/data/server-transcripts.json` (real server
//! lines collected from client libraries, scanners and issue threads, each with its source),
//! each read by `imapdiag analyze` as a user would. The live matrix adds its own cases.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use imapdiag::profiles::{self, Observed};
use serde_json::Value;

use super::{imapdiag, json};

/// One server's session and what it is.
pub struct Case {
    /// Where it came from: a fixture file, a data entry, a live server.
    pub name: String,
    /// The profile it must get, or `None` for a product no profile knows.
    pub expected: Option<&'static str>,
    /// The product as its source calls it.
    pub label: String,
    /// Its greeting or ID names the product.
    pub names_itself: bool,
    pub report: Value,
}

/// The data entries' products, by the profile each must get, and whether the lines name the
/// product (a Sohu greeting of `IMAP4 ready` names nothing).
const DATA: &[(&str, Option<&str>, bool)] = &[
    ("Gmail", Some("gmail"), true),
    ("Yahoo Mail", Some("yahoo"), false),
    ("Yahoo! JAPAN Mail", Some("yahoo-japan"), false),
    ("iCloud Mail", Some("icloud"), false),
    (
        "Microsoft 365 / Exchange Online",
        Some("exchange-online"),
        true,
    ),
    ("Microsoft Exchange Server 2013", Some("exchange2010"), true),
    ("Microsoft Exchange Server 2003", Some("exchange2003"), true),
    ("Microsoft Exchange 2000 Server", Some("exchange2000"), true),
    ("Microsoft Exchange Server 5.5", Some("exchange55"), true),
    (
        "Outlook.com (legacy Hotmail IMAP front end)",
        Some("outlook-com-legacy"),
        true,
    ),
    ("IBM/HCL Domino", Some("domino"), true),
    ("Courier-IMAP", Some("courier"), true),
    ("Cyrus IMAP", Some("cyrus"), true),
    ("Dovecot", Some("dovecot"), true),
    ("UW IMAP (imapd)", Some("uw-imapd"), false),
    ("hMailServer", Some("hmailserver"), false),
    ("SmarterMail", Some("smartermail"), true),
    ("Novell/Micro Focus GroupWise", Some("groupwise"), true),
    ("Kerio Connect", Some("kerio"), true),
    ("MDaemon", Some("mdaemon"), true),
    ("IceWarp Mail Server", Some("icewarp"), true),
    ("MailEnable", Some("mailenable"), true),
    ("Unify OpenScape Xpressions", Some("xpressions"), true),
    ("Tobit David", Some("tobit-david"), true),
    ("Zimbra", Some("zimbra"), true),
    ("Stalwart Mail Server", Some("stalwart"), true),
    ("Zoho Mail", Some("zoho"), true),
    ("QQMail (Tencent)", Some("qqmail"), true),
    ("Coremail (NetEase 163.com)", Some("coremail"), true),
    ("189.cn (China Telecom) 'Hermes'", Some("hermes-189"), true),
    ("Sohu Mail (imap.sohu.com)", None, false),
    ("Alibaba Mail (AliYun)", Some("aliyun"), true),
    (
        "United Internet front end (1&1/IONOS/GMX/WEB.DE family)",
        Some("united-internet"),
        false,
    ),
    ("perdition IMAP proxy (Hetzner)", Some("perdition"), true),
    (
        "Openwave/Software.com InterMail (KX4.3)",
        Some("intermail"),
        true,
    ),
    ("Mirapoint IMAP4 proxy", Some("mirapoint"), true),
    ("Commtouch NPlex", Some("nplex"), true),
    ("iPlanet Messaging Server", Some("iplanet"), true),
    ("Critical Path", None, false),
    ("Sun Java System Messaging Server", Some("iplanet"), true),
    ("GreenMail", Some("greenmail"), true),
    ("Apache James", Some("apache-james"), false),
    ("Archiveopteryx", Some("archiveopteryx"), true),
];

/// Fixture profiles whose transcript names nothing (the product is known by its
/// capabilities or reply texts, or not at all).
const FIXTURES_NAMELESS: &[&str] = &[
    "yahoo",
    "icloud",
    "hmailserver",
    "united-internet",
    "uw-imapd",
];

pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Every sourced case that needs no server.
pub fn sourced() -> Vec<Case> {
    let mut cases = fixture_cases();
    cases.extend(data_cases());
    cases.extend(log_cases());
    cases
}

/// The client logs of `fixtures/logs/`, each labelled with the profile it must get
/// (`none` for a server the log does not identify) and whether it names itself.
fn log_cases() -> Vec<Case> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(fixtures_dir().join("logs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|file| {
            let text = std::fs::read_to_string(&file).unwrap();
            let profile = header(&text, "expect-profile").expect("an expect-profile header");
            let expected = profiles::by_name(&profile).map(|k| k.profile.name.as_str());
            let label = expected
                .and_then(profiles::by_name)
                .map_or(profile.clone(), |k| k.profile.product.clone());
            Case {
                name: format!("log {}", file.file_name().unwrap().to_string_lossy()),
                names_itself: header(&text, "names-itself").as_deref() == Some("yes"),
                expected,
                label,
                report: analyze(&text),
            }
        })
        .collect()
}

fn fixture_cases() -> Vec<Case> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(fixtures_dir().join("transcripts"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|file| {
            let text = std::fs::read_to_string(&file).unwrap();
            let profile = header(&text, "expect-profile").expect("an expect-profile header");
            let expected = profiles::by_name(&profile).map(|k| k.profile.name.as_str());
            let label = header(&text, "product").unwrap_or_else(|| profile.clone());
            Case {
                name: format!("fixture {}", file.file_name().unwrap().to_string_lossy()),
                names_itself: !FIXTURES_NAMELESS.contains(&profile.as_str()),
                expected,
                label,
                report: analyze(&text),
            }
        })
        .collect()
}

fn header(text: &str, key: &str) -> Option<String> {
    let prefix = format!("# {key}: ");
    text.lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .map(|v| v.trim().to_string())
}

/// One case per data entry, and one more per greeting variant the entry records.
fn data_cases() -> Vec<Case> {
    let raw = std::fs::read_to_string(fixtures_dir().join("data/server-transcripts.json")).unwrap();
    let entries: Vec<Value> = serde_json::from_str(&raw).unwrap();
    let mut cases = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        let product = e["product"].as_str().unwrap();
        let (_, expected, names_itself) = DATA
            .iter()
            .find(|(p, _, _)| *p == product)
            .unwrap_or_else(|| panic!("{product}: not in the DATA table"));
        let lines = entry_lines(e);
        let mut greetings: Vec<String> = e["greeting"]
            .as_str()
            .map(str::to_string)
            .into_iter()
            .collect();
        greetings.extend(variants(e));
        if greetings.is_empty() {
            greetings.push(String::new());
        }
        for (j, g) in greetings.iter().enumerate() {
            let mut text = String::new();
            if !g.is_empty() {
                text.push_str(&format!("S: {g}\n"));
            }
            for l in &lines {
                text.push_str(&format!("S: {l}\n"));
            }
            if text.is_empty() {
                continue;
            }
            cases.push(Case {
                name: format!("data #{i} ({product}) greeting {j}"),
                expected: *expected,
                label: product.to_string(),
                names_itself: *names_itself && (!g.is_empty() || e["id"].is_string()),
                report: analyze(&text),
            });
        }
    }
    cases
}

/// The entry's server lines other than its greetings: real lines only (no templates or
/// regular expressions the source gave instead of lines).
fn entry_lines(e: &Value) -> Vec<String> {
    let mut lines: Vec<String> = [
        "capability_pre",
        "id",
        "namespace",
        "list_delimiter",
        "capability_post",
    ]
    .iter()
    .filter_map(|k| e[*k].as_str())
    .filter(|l| !l.contains('<'))
    .map(str::to_string)
    .collect();
    for o in e["other"].as_array().into_iter().flatten() {
        let kind = o["kind"].as_str().unwrap_or("");
        let line = o["line"].as_str().unwrap_or("");
        if kind.starts_with("greeting") || is_template(kind, line) {
            continue;
        }
        lines.push(line.to_string());
    }
    lines
}

fn variants(e: &Value) -> Vec<String> {
    e["other"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|o| o["kind"].as_str().unwrap_or("").starts_with("greeting"))
        .filter_map(|o| o["line"].as_str())
        .filter(|l| !is_template("greeting", l))
        .map(|l| match l.starts_with("* ") {
            true => l.to_string(),
            false => format!("* {l}"),
        })
        .collect()
}

fn is_template(kind: &str, line: &str) -> bool {
    kind.contains("regex")
        || kind.contains("template")
        || line.contains('<')
        || line.starts_with('\\')
}

pub fn analyze(text: &str) -> Value {
    let out = imapdiag()
        .args(["analyze", "-", "--format", "json"])
        .write_stdin(text.to_string())
        .output()
        .unwrap();
    json(&out)
}

/// What the fingerprinter sees in a report: the same fields `judge` reads.
pub struct Seen {
    greeting: Option<String>,
    capabilities: Vec<String>,
    id: Option<BTreeMap<String, Option<String>>>,
    replies: Vec<String>,
}

impl Seen {
    pub fn of(report: &Value) -> Seen {
        let s = &report["server"];
        let strings = |v: &Value| -> Vec<String> {
            v.as_array()
                .into_iter()
                .flatten()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        };
        let mut capabilities = strings(&s["capabilities_before_login"]);
        capabilities.extend(strings(&s["capabilities_after_login"]));
        let greeting = s["greeting"].as_str().map(str::to_string);
        let replies = report["steps"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|st| st["hop"] == 0)
            .flat_map(|st| strings(&st["received"]))
            .filter(|l| Some(l) != greeting.as_ref())
            .filter(|l| profiles::reply_text(l).is_some())
            .collect();
        let id = s["id"].as_object().map(|o| {
            o.iter()
                .map(|(k, v)| (k.clone(), v.as_str().map(str::to_string)))
                .collect()
        });
        Seen {
            greeting,
            capabilities,
            id,
            replies,
        }
    }

    pub fn observed(&self) -> Observed<'_> {
        Observed {
            greeting: self.greeting.as_deref(),
            capabilities: self.capabilities.iter().map(String::as_str).collect(),
            id: self.id.as_ref(),
            replies: self.replies.iter().map(String::as_str).collect(),
        }
    }
}

/// The marks of other products' profiles that fire on a case: each should be empty.
pub fn foreign_claims(case: &Case) -> Vec<String> {
    let family = case
        .expected
        .and_then(profiles::by_name)
        .map(|k| k.profile.family.clone());
    let seen = Seen::of(&case.report);
    profiles::claims(&seen.observed())
        .into_iter()
        .filter(|(k, _)| Some(&k.profile.family) != family.as_ref())
        .flat_map(|(k, said)| {
            said.into_iter()
                .map(move |e| format!("{}: {} ({})", k.profile.name, e.says, e.line))
        })
        .collect()
}

/// Right, wrong or not named, against what the case is.
#[derive(Debug, PartialEq)]
pub enum Outcome {
    Right,
    Wrong(String),
    Unnamed,
}

pub fn outcome(case: &Case) -> Outcome {
    let fp = &case.report["server"]["fingerprint"];
    let Some(product) = fp["product"].as_str() else {
        return Outcome::Unnamed;
    };
    let right = match (fp["profile"].as_str(), case.expected) {
        (Some(p), Some(e)) => p == e,
        (Some(_), None) => false,
        (None, _) => profiles::shares_a_word(product, &case.label),
    };
    match right {
        true => Outcome::Right,
        false => Outcome::Wrong(format!("{product} ({})", fp["profile"])),
    }
}

/// Precision and recall over cases, printed as the README quotes them.
pub fn figures(cases: &[Case]) -> (usize, usize, usize, usize) {
    let named: Vec<&Case> = cases
        .iter()
        .filter(|c| outcome(c) != Outcome::Unnamed)
        .collect();
    let wrong = named
        .iter()
        .filter(|c| matches!(outcome(c), Outcome::Wrong(_)))
        .count();
    let selfnamed: Vec<&Case> = cases.iter().filter(|c| c.names_itself).collect();
    let recalled = selfnamed
        .iter()
        .filter(|c| outcome(c) == Outcome::Right)
        .count();
    (named.len(), wrong, selfnamed.len(), recalled)
}
