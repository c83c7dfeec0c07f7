//! Whether a referral may be followed, and the settings of the hop that follows it.
//!
//! RFC 5092 §3.2 (and RFC 2221 §5) warn that a referral is an instruction from the server
//! to send the user's credentials somewhere else. The rules: credentials go only
//! to a host in the target's domain or named with `--trust-referral`; a session that had
//! TLS never continues in plaintext; at most `--max-referrals` hops; a loop stops at once.

use std::net::IpAddr;

use super::findings as code;
use crate::proto::imap_url::ImapUrl;
use crate::report::{Finding, Severity};
use crate::settings::{AuthMethod, Security, Settings, MAX_REFERRAL_HOPS};

/// Where a hop went: the same host, port and user twice is a loop.
#[derive(Debug, Clone, PartialEq, Eq)]
struct HopKey {
    host: String,
    port: u16,
    user: Option<String>,
}

impl HopKey {
    fn of(s: &Settings) -> HopKey {
        HopKey {
            host: s.host.trim_end_matches('.').to_ascii_lowercase(),
            port: s.port,
            user: s.user.clone(),
        }
    }
}

/// Why a referral is not followed: a short reason for the referral's `outcome` and the
/// finding that explains it.
pub struct Refusal {
    pub reason: String,
    pub finding: Box<Finding>,
}

/// The referral policy of one run, with the hops made so far.
pub struct Follow<'a> {
    original: &'a Settings,
    trail: Vec<HopKey>,
}

impl<'a> Follow<'a> {
    pub fn new(original: &'a Settings) -> Self {
        Follow {
            original,
            trail: vec![HopKey::of(original)],
        }
    }

    pub fn enabled(&self) -> bool {
        self.original.referrals.follow
    }

    /// Records that a hop was made to `next`.
    pub fn visit(&mut self, next: &Settings) {
        self.trail.push(HopKey::of(next));
    }

    /// The settings of the next hop, or the finding that says why it is not made.
    /// `hop` is the hop that received the referral; `tls` whether it ran over TLS.
    pub fn judge(
        &self,
        current: &Settings,
        hop: u32,
        tls: bool,
        step: &str,
        url: &ImapUrl,
    ) -> Result<Settings, Refusal> {
        let max = self.original.referrals.max_hops.min(MAX_REFERRAL_HOPS);
        if hop + 1 > u32::from(max) {
            return Err(Refusal {
                reason: format!("{max} hops made (--max-referrals)"),
                finding: Box::new(hop_limit(max, url)),
            });
        }
        self.trusted(&url.host)?;
        let next = next_settings(current, tls, step, url);
        let key = HopKey::of(&next);
        if let Some(seen) = self.trail.iter().position(|k| *k == key) {
            return Err(Refusal {
                reason: format!("it loops back to hop {seen}"),
                finding: Box::new(looped(seen, &next)),
            });
        }
        Ok(next)
    }

    fn trusted(&self, host: &str) -> Result<(), Refusal> {
        let named = self.original.referrals.trust.iter().any(|t| {
            t.trim_end_matches('.')
                .eq_ignore_ascii_case(host.trim_end_matches('.'))
        });
        if named || same_domain(&self.original.host, host) {
            return Ok(());
        }
        let reason = format!(
            "{host} is outside the domain of {} (--trust-referral {host} to follow)",
            self.original.host
        );
        let finding = Finding::new(
            code::REFERRAL_UNTRUSTED,
            Severity::Warning,
            format!("the referral to {host} was not followed: it is outside the domain of {}", self.original.host),
        )
        .detail("RFC 5092 §3.2: following it would send the password to a server the user did not name.")
        .remedy(format!("If {host} is yours, follow it with --trust-referral {host}."));
        Err(Refusal {
            reason,
            finding: Box::new(finding),
        })
    }
}

/// The hop after `current`: the URL's host and port, its user (or the same one), its
/// mechanism when it names PLAIN, its mailbox for a mailbox referral; TLS required when
/// `current` had TLS (implicit on port 993, STARTTLS elsewhere).
fn next_settings(current: &Settings, tls: bool, step: &str, url: &ImapUrl) -> Settings {
    let mut next = current.clone();
    next.input = format!("imap://{}", url.authority());
    next.host = url.host.clone();
    next.port = url.port;
    if let Some(user) = &url.user {
        next.user = Some(user.clone());
    }
    if url
        .auth
        .as_deref()
        .is_some_and(|a| a.eq_ignore_ascii_case("PLAIN"))
    {
        next.auth = AuthMethod::Plain;
    }
    if let (Some(mailbox), false) = (&url.mailbox, super::referral::is_login_step(step)) {
        next.mailbox = mailbox.clone();
    }
    if tls || current.security == Security::Tls {
        next.security = if url.port == 993 {
            Security::Tls
        } else {
            Security::StartTls { required: true }
        };
        next.referrals.via_tls = true;
    }
    next
}

fn hop_limit(max: u8, url: &ImapUrl) -> Finding {
    Finding::new(
        code::REFERRAL_HOP_LIMIT,
        Severity::Critical,
        format!(
            "the referral to {} was not followed: {max} hops made (--max-referrals)",
            url.authority()
        ),
    )
    .remedy("A chain this long is a misconfiguration; check each server's referral target. --max-referrals allows up to 10.")
}

fn looped(seen: usize, next: &Settings) -> Finding {
    let user = next.user.as_deref().unwrap_or("(no user)");
    Finding::new(
        code::REFERRAL_LOOP,
        Severity::Critical,
        format!(
            "the referrals loop: {}:{} as {} was already hop {seen}",
            next.host,
            next.port,
            user
        ),
    )
    .remedy("Each server names the other as the user's home: fix the referral target (on Dovecot the passdb host= field, on Exchange the home server of the mailbox).")
}

/// Whether `b` is in the domain of `a`: the same host, or a host under `a`'s parent domain
/// (`imap.example.com` → anything under `example.com`). Addresses match only themselves.
/// Without a public-suffix list, a parent that looks like one (`co.uk`, `com.au`) is not
/// taken as a domain.
/// Whether `b` has the same registrable domain as `a` by the Public Suffix List (its ICANN
/// and private sections: `github.io`, `duckdns.org` and `co.uk` are suffixes, so their
/// subdomains belong to different owners). Addresses and names with no registrable
/// domain (`localhost`, a bare suffix) match only themselves.
pub fn same_domain(a: &str, b: &str) -> bool {
    let norm = |h: &str| h.trim_end_matches('.').to_ascii_lowercase();
    let (a, b) = (norm(a), norm(b));
    if a == b {
        return true;
    }
    if a.parse::<IpAddr>().is_ok() || b.parse::<IpAddr>().is_ok() {
        return false;
    }
    match (psl::domain_str(&a), psl::domain_str(&b)) {
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_domain_rules() {
        assert!(same_domain("imap.example.com", "mail2.example.com"));
        assert!(same_domain("imap.example.com", "a.b.example.com"));
        assert!(same_domain("example.com", "imap.example.com"));
        assert!(same_domain("Mail.Example.COM.", "mail.example.com"));
        assert!(same_domain("127.0.0.1", "127.0.0.1"));
        assert!(!same_domain("127.0.0.1", "127.0.0.2"));
        assert!(!same_domain("127.0.0.1", "localhost"));
        assert!(!same_domain("imap.example.com", "example.org"));
        assert!(!same_domain("imap.example.com", "evilexample.com"));
        assert!(!same_domain("reedlm4.com", "reedlm1.reedlm1.com"));
        assert!(!same_domain("imap.example.co.uk", "other.co.uk"));
        assert!(same_domain("imap.example.co.uk", "mx.example.co.uk"));
        assert!(!same_domain("example.co.uk", "evil.co.uk"));
        assert!(!same_domain("localhost", "evil.com"));
    }

    /// The Public Suffix List's private section: each name under these has its own owner.
    #[test]
    fn public_suffixes_are_not_shared_domains() {
        for (a, b) in [
            ("mail.alice.duckdns.org", "mail.mallory.duckdns.org"),
            ("alice.herokuapp.com", "mallory.herokuapp.com"),
            ("alice.github.io", "mallory.github.io"),
            ("imap.alice.co.uk", "imap.mallory.co.uk"),
            ("imap.alice.com.au", "x.mallory.com.au"),
            ("imap.alice.blogspot.com", "imap.mallory.blogspot.com"),
        ] {
            assert!(!same_domain(a, b), "{a} and {b}");
        }
        assert!(same_domain(
            "imap.alice.duckdns.org",
            "mx.alice.duckdns.org"
        ));
        assert!(same_domain("mail.corp.example.com", "imap.example.com"));
    }
}
