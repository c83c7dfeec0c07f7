//! `cargo bench --bench hostile`: peak memory of the whole process in the worst hostile
//! cases (GNU time's maximum resident set size), and of `imapdiag serve` under hostile
//! clients (VmHWM from /proc). The README's hardening table comes from here.

#[path = "../tests/support/mod.rs"]
mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::{Duration, Instant};

use support::scripted::{serve, Conn};

const GREETING: &[u8] = b"* OK [CAPABILITY IMAP4rev1 NAMESPACE] hostile\r\n";

fn main() {
    println!("## Peak memory against hostile servers (`imapdiag check ... --format json`)\n");
    println!("| case | outcome | exit | time | peak memory (max RSS) |");
    println!("|---|---|---|---|---|");
    case("an endless line with no CRLF", |c| {
        c.send(GREETING);
        let chunk = vec![b'x'; 64 * 1024];
        while c.send(&chunk) {}
    });
    case("a literal announced as {4294967295}", |c| {
        c.send(b"* OK {4294967295}\r\n");
        std::thread::sleep(Duration::from_secs(5));
    });
    case(
        "a literal of 1 MiB minus a byte, then another, 64 times",
        |c| {
            c.send(GREETING);
            while let Some((tag, cmd)) = c.command() {
                if cmd == "NAMESPACE" {
                    let body = vec![b'a'; (1 << 20) - 64];
                    for _ in 0..64 {
                        c.send(format!("* OK {{{}}}\r\n", body.len()).as_bytes());
                        c.send(&body);
                        c.send(b"\r\n");
                    }
                }
                if !c.send(format!("{tag} OK done\r\n").as_bytes()) {
                    return;
                }
            }
        },
    );
    case("100,000 untagged lines before the completion", |c| {
        c.send(GREETING);
        while let Some((tag, cmd)) = c.command() {
            if cmd == "NAMESPACE" {
                c.send(&b"* OK noise\r\n".repeat(100_000));
            }
            if !c.send(format!("{tag} OK done\r\n").as_bytes()) {
                return;
            }
        }
    });
    println!();
    serve_under_attack();
    println!();
    analyze_huge_pastes();
}

/// `imapdiag analyze` of 16 MiB pastes shaped against a quadratic or unbounded reader.
fn analyze_huge_pastes() {
    println!("## `imapdiag analyze` of 16 MiB hostile pastes (`--format json`)\n");
    println!("| paste | exit | time | peak memory (max RSS) | output |");
    println!("|---|---|---|---|---|");
    let n = 16 << 20;
    let fill = |unit: &str| unit.repeat(n / unit.len() + 1)[..n - 1].to_string();
    let mut distinct = String::from("* OK hi\n");
    let mut i = 0;
    while distinct.len() < n - 64 {
        distinct += &format!("t{i} NOOP\nt{i} OK done\n");
        i += 1;
    }
    let mut guesses = String::from("S: * OK hi\n");
    let mut i = 0;
    while guesses.len() < n - 96 {
        guesses += &format!("C: g{i} LOGIN alice pw{i:07}\nS: g{i} NO bad pw{i:07}\n");
        i += 1;
    }
    let dir = tempfile::tempdir().unwrap();
    for (name, paste) in [
        (
            "a million commands that never complete",
            fill("* OK hi\na1 NOOP\n"),
        ),
        ("a million distinct tags", distinct),
        ("literals chained without end", fill("S: * 1 FETCH {5}\n")),
        (
            "half a million failed logins",
            fill("S: * OK hi\nC: a1 LOGIN alice pw\nS: a1 NO bad\n"),
        ),
        ("280,000 passwords, each echoed back", guesses),
    ] {
        let file = dir.path().join("paste");
        std::fs::write(&file, paste).unwrap();
        let t = Instant::now();
        let out = Command::new("/usr/bin/time")
            .args(["-f", "maxrss_kb=%M"])
            .arg(env!("CARGO_BIN_EXE_imapdiag"))
            .args(["analyze", file.to_str().unwrap(), "--format", "json"])
            .output()
            .expect("/usr/bin/time");
        let secs = t.elapsed().as_secs_f64();
        println!(
            "| {name} | {} | {secs:.2} s | {:.1} MB | {:.1} MB |",
            out.status.code().unwrap_or(-1),
            max_rss_kb(&out.stderr) / 1024.0,
            out.stdout.len() as f64 / (1 << 20) as f64
        );
    }
}

fn max_rss_kb(stderr: &[u8]) -> f64 {
    String::from_utf8_lossy(stderr)
        .lines()
        .find_map(|l| {
            l.strip_prefix("maxrss_kb=")
                .and_then(|k| k.trim().parse::<f64>().ok())
        })
        .unwrap_or(0.0)
}

fn case(name: &str, script: impl Fn(&mut Conn) + Send + Sync + 'static) {
    let s = serve(script);
    let t = Instant::now();
    let out = Command::new("/usr/bin/time")
        .args(["-f", "maxrss_kb=%M"])
        .arg(env!("CARGO_BIN_EXE_imapdiag"))
        .args([
            "check",
            &s.target(),
            "--user",
            "alice",
            "--security",
            "plain",
        ])
        .args([
            "--allow-plaintext-login",
            "--timeout",
            "3",
            "--format",
            "json",
        ])
        .env("IMAPDIAG_PASSWORD", "secret")
        .output()
        .expect("/usr/bin/time");
    let secs = t.elapsed().as_secs_f64();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    let codes: Vec<&str> = report["findings"]
        .as_array()
        .map(|f| {
            f.iter()
                .filter(|f| f["severity"] != "info")
                .filter_map(|f| f["code"].as_str())
                .filter(|c| *c != "plaintext-login")
                .collect()
        })
        .unwrap_or_default();
    let rss = max_rss_kb(&out.stderr);
    println!(
        "| {name} | {} | {} | {secs:.1} s | {:.1} MB |",
        codes.join(", "),
        out.status.code().unwrap_or(-1),
        rss / 1024.0
    );
}

/// 200 hostile clients against `imapdiag serve`, then a well-behaved check.
fn serve_under_attack() {
    let s = support::emulator::serve(
        "exchange2000",
        &["--idle-timeout", "3", "--max-connections", "64"],
    );
    let t = Instant::now();
    let mut handles = Vec::new();
    for i in 0..200 {
        let port = s.port;
        handles.push(std::thread::spawn(move || {
            let Ok(mut c) = TcpStream::connect(("127.0.0.1", port)) else {
                return;
            };
            let _ = c.set_read_timeout(Some(Duration::from_secs(6)));
            let attack: Vec<u8> = match i % 4 {
                0 => vec![b'x'; 4 << 20],
                1 => b"a1 LOGIN {4294967295}\r\n".to_vec(),
                2 => b"a1 LOGIN {60000}\r\n"
                    .iter()
                    .copied()
                    .chain(std::iter::repeat_n(b'y', 30000))
                    .collect(),
                _ => b"a1 NOOP\x00\x1b[2J\xff\r\n".repeat(10_000),
            };
            let _ = c.write_all(&attack);
            let mut sink = Vec::new();
            let _ = c.read_to_end(&mut sink);
        }));
    }
    for h in handles {
        let _ = h.join();
    }
    let out = Command::new(env!("CARGO_BIN_EXE_imapdiag"))
        .args([
            "check",
            &format!("127.0.0.1:{}", s.port),
            "-u",
            "alice",
            "--insecure",
            "--format",
            "json",
        ])
        .env("IMAPDIAG_PASSWORD", "secret")
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    let hwm = std::fs::read_to_string(format!("/proc/{}/status", s.pid()))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:").map(|v| v.trim().to_string()))
        .unwrap_or_default();
    println!("## `imapdiag serve` under 200 hostile clients\n");
    println!("| clients | time | peak memory (VmHWM) | a check afterwards |");
    println!("|---|---|---|---|");
    println!(
        "| 200 (4 MiB lines, 4 GiB literal announcements, unfinished literals, NUL/escape floods) | {:.1} s | {hwm} | {} ({} messages in INBOX) |",
        t.elapsed().as_secs_f64(),
        report["status"].as_str().unwrap_or("?"),
        report["mailbox"]["exists"]
    );
}
