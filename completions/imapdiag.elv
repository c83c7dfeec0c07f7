
use builtin;
use str;

set edit:completion:arg-completer[imapdiag] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'imapdiag'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'imapdiag'= {
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand check 'The scripted check: connect, greeting, CAPABILITY, STARTTLS, login, NAMESPACE, SELECT, LOGOUT'
            cand namespace 'Log in, ask NAMESPACE and `LIST "" ""`, and show each namespace class'
            cand shell 'An interactive IMAP session that replaces telnet; reads a script when stdin is not a terminal'
            cand analyze 'Diagnose a saved session (telnet paste, C:/S: lines, openssl s_client output, imapdiag JSON) without a server'
            cand profiles 'List the known server profiles, or show one'
            cand serve 'Run an embedded IMAP server that behaves like a known server (Exchange 5.5, 2000, ...)'
            cand exporter 'A Prometheus exporter: GET /probe?target=HOST&module=NAME runs one check (blackbox_exporter''s model)'
            cand demo 'Run the KB checks against the embedded server; works with nothing installed'
            cand schema 'Print the JSON Schema of the report that --format json writes'
            cand gen-assets 'Write the shell completions and man pages (for packagers and the project''s own tests)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'imapdiag;check'= {
            cand --targets 'Read targets from FILE, one per line (# starts a comment); - is standard input'
            cand --jobs 'Targets checked at once'
            cand --security 'auto: implicit TLS for imaps:// or port 993, otherwise STARTTLS when offered'
            cand -u 'The user to log in as (also taken from imap://user@host)'
            cand --user 'The user to log in as (also taken from imap://user@host)'
            cand --password-file 'Read the password from the first line of FILE'
            cand --auth 'auto: OAUTHBEARER or XOAUTH2 with a token; SCRAM-SHA-256, SCRAM-SHA-1, PLAIN or LOGIN with a password, the first advertised'
            cand --token-file 'Read an OAuth 2.0 access token from the first line of FILE (also IMAPDIAG_TOKEN)'
            cand --ca-file 'Trust the CA certificates in this PEM file too'
            cand --cert-warn-days 'Warn when the certificate expires within this many days'
            cand --timeout 'Seconds allowed for the connection and for each step'
            cand --deadline 'Seconds allowed for the whole run, referrals included'
            cand --connect-to 'Dial HOST2:PORT2 whenever HOST:PORT is to be reached (TLS still verifies HOST), as curl''s option; repeatable'
            cand --trust-referral 'A host outside the target''s domain that may receive the credentials when a referral is followed; repeatable'
            cand --max-referrals 'Referrals followed at most, one after another (1 to 10)'
            cand --mailbox 'The mailbox to SELECT [default: the TARGET URL''s mailbox, else INBOX]'
            cand --quit-after 'Stop after this step'
            cand --expect-profile 'The namespaces must be those of this profile (`imapdiag profiles`); a difference is a WARNING'
            cand --expect-namespace 'The namespaces must be these, e.g. ''(("" "/")) (("Other users/" "/")) (("Public Folders/" "/"))'''
            cand --format 'format'
            cand --color 'auto honours NO_COLOR, TERM=dumb and output that is not a terminal'
            cand --allow-plaintext-login 'Allow sending the password over a connection without TLS'
            cand --insecure 'Continue when the certificate does not verify (reported as a WARNING)'
            cand --tls-legacy 'Allow TLS 1.0/1.1 and weak keys and ciphers (OpenSSL security level 0), for Exchange 2000/2003-era servers; reported as a WARNING'
            cand --no-id 'Do not send ID (RFC 2971), which otherwise names the server for the fingerprint'
            cand --no-pipeline 'Send one command at a time instead of pipelining them after login (RFC 3501 §5.5)'
            cand --follow-referrals 'Follow REFERRAL codes: reconnect to the referred server and run the remaining steps there'
            cand --strict 'A difference from the expectation is CRITICAL instead of a WARNING'
            cand --transcript 'Show the wire lines (C: and S:) with time offsets in text output'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'imapdiag;namespace'= {
            cand --security 'auto: implicit TLS for imaps:// or port 993, otherwise STARTTLS when offered'
            cand -u 'The user to log in as (also taken from imap://user@host)'
            cand --user 'The user to log in as (also taken from imap://user@host)'
            cand --password-file 'Read the password from the first line of FILE'
            cand --auth 'auto: OAUTHBEARER or XOAUTH2 with a token; SCRAM-SHA-256, SCRAM-SHA-1, PLAIN or LOGIN with a password, the first advertised'
            cand --token-file 'Read an OAuth 2.0 access token from the first line of FILE (also IMAPDIAG_TOKEN)'
            cand --ca-file 'Trust the CA certificates in this PEM file too'
            cand --cert-warn-days 'Warn when the certificate expires within this many days'
            cand --timeout 'Seconds allowed for the connection and for each step'
            cand --deadline 'Seconds allowed for the whole run, referrals included'
            cand --connect-to 'Dial HOST2:PORT2 whenever HOST:PORT is to be reached (TLS still verifies HOST), as curl''s option; repeatable'
            cand --trust-referral 'A host outside the target''s domain that may receive the credentials when a referral is followed; repeatable'
            cand --max-referrals 'Referrals followed at most, one after another (1 to 10)'
            cand --expect-profile 'The namespaces must be those of this profile (`imapdiag profiles`); a difference is a WARNING'
            cand --expect-namespace 'The namespaces must be these, e.g. ''(("" "/")) (("Other users/" "/")) (("Public Folders/" "/"))'''
            cand --format 'format'
            cand --color 'auto honours NO_COLOR, TERM=dumb and output that is not a terminal'
            cand --allow-plaintext-login 'Allow sending the password over a connection without TLS'
            cand --insecure 'Continue when the certificate does not verify (reported as a WARNING)'
            cand --tls-legacy 'Allow TLS 1.0/1.1 and weak keys and ciphers (OpenSSL security level 0), for Exchange 2000/2003-era servers; reported as a WARNING'
            cand --no-id 'Do not send ID (RFC 2971), which otherwise names the server for the fingerprint'
            cand --no-pipeline 'Send one command at a time instead of pipelining them after login (RFC 3501 §5.5)'
            cand --follow-referrals 'Follow REFERRAL codes: reconnect to the referred server and run the remaining steps there'
            cand --strict 'A difference from the expectation is CRITICAL instead of a WARNING'
            cand --transcript 'Show the wire lines (C: and S:) with time offsets in text output'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'imapdiag;shell'= {
            cand --security 'auto: implicit TLS for imaps:// or port 993, otherwise STARTTLS when offered'
            cand -u 'The user to log in as (also taken from imap://user@host)'
            cand --user 'The user to log in as (also taken from imap://user@host)'
            cand --password-file 'Read the password from the first line of FILE'
            cand --auth 'auto: OAUTHBEARER or XOAUTH2 with a token; SCRAM-SHA-256, SCRAM-SHA-1, PLAIN or LOGIN with a password, the first advertised'
            cand --token-file 'Read an OAuth 2.0 access token from the first line of FILE (also IMAPDIAG_TOKEN)'
            cand --ca-file 'Trust the CA certificates in this PEM file too'
            cand --cert-warn-days 'Warn when the certificate expires within this many days'
            cand --timeout 'Seconds allowed for the connection and for each step'
            cand --deadline 'Seconds allowed for the whole run, referrals included'
            cand --connect-to 'Dial HOST2:PORT2 whenever HOST:PORT is to be reached (TLS still verifies HOST), as curl''s option; repeatable'
            cand --trust-referral 'A host outside the target''s domain that may receive the credentials when a referral is followed; repeatable'
            cand --max-referrals 'Referrals followed at most, one after another (1 to 10)'
            cand --color 'auto honours NO_COLOR, TERM=dumb and output that is not a terminal'
            cand --allow-plaintext-login 'Allow sending the password over a connection without TLS'
            cand --insecure 'Continue when the certificate does not verify (reported as a WARNING)'
            cand --tls-legacy 'Allow TLS 1.0/1.1 and weak keys and ciphers (OpenSSL security level 0), for Exchange 2000/2003-era servers; reported as a WARNING'
            cand --no-id 'Do not send ID (RFC 2971), which otherwise names the server for the fingerprint'
            cand --no-pipeline 'Send one command at a time instead of pipelining them after login (RFC 3501 §5.5)'
            cand --follow-referrals 'Follow REFERRAL codes: reconnect to the referred server and run the remaining steps there'
            cand --ignore-no 'Script mode: NO and BAD answers do not make the exit status CRITICAL'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'imapdiag;analyze'= {
            cand --format-in 'Read FILE as this format instead of guessing: cs, mailkit, curl, node-imap, imapflow, imaplib (imapclient), aioimaplib, thunderbird, k9, rust-imap, rawlog, json, telnet, s_client or auto'
            cand --connection 'In a log of several interleaved connections (Thunderbird, K-9 Mail, imapflow), read this one (the report lists them) instead of the busiest'
            cand --expect-profile 'The namespaces must be those of this profile (`imapdiag profiles`); a difference is a WARNING'
            cand --expect-namespace 'The namespaces must be these, e.g. ''(("" "/")) (("Other users/" "/")) (("Public Folders/" "/"))'''
            cand --format 'format'
            cand --color 'auto honours NO_COLOR, TERM=dumb and output that is not a terminal'
            cand --strict 'A difference from the expectation is CRITICAL instead of a WARNING'
            cand --transcript 'Show the wire lines (C: and S:) with time offsets in text output'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'imapdiag;profiles'= {
            cand --format 'format'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'imapdiag;serve'= {
            cand --profile 'The server to emulate (--list-profiles shows them)'
            cand --listen 'Address to listen on; anything but loopback must be given explicitly'
            cand --home-listen 'Where the home server of a referral profile listens'
            cand --users 'Users and mailboxes: lines `user:password[:Mailbox=SOURCE,...[:HOME]]`; SOURCE is a message count, a directory of .eml files or an mbox file; HOME the referral''s user'
            cand --tls-cert 'PEM certificate chain for STARTTLS (a self-signed one is generated otherwise)'
            cand --tls-key 'PEM private key for --tls-cert'
            cand --max-connections 'Connections served at once; more are refused with BYE'
            cand --idle-timeout 'Seconds a client may stay silent before it is logged out'
            cand --list-profiles 'List the emulator profiles and exit'
            cand --trace 'Log every protocol line, both ways, on standard error (passwords redacted)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'imapdiag;exporter'= {
            cand --listen 'Address to listen on (loopback unless another address is given)'
            cand --config 'TOML file of modules: [modules.NAME] with user, password_file, security, ca_file, mailbox, expect_profile, expect_namespace, timeout'
            cand --max-probes 'Probes run at once; more wait for a slot until their scrape''s timeout'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'imapdiag;demo'= {
            cand --color 'auto honours NO_COLOR, TERM=dumb and output that is not a terminal'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'imapdiag;schema'= {
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'imapdiag;gen-assets'= {
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'imapdiag;help'= {
            cand check 'The scripted check: connect, greeting, CAPABILITY, STARTTLS, login, NAMESPACE, SELECT, LOGOUT'
            cand namespace 'Log in, ask NAMESPACE and `LIST "" ""`, and show each namespace class'
            cand shell 'An interactive IMAP session that replaces telnet; reads a script when stdin is not a terminal'
            cand analyze 'Diagnose a saved session (telnet paste, C:/S: lines, openssl s_client output, imapdiag JSON) without a server'
            cand profiles 'List the known server profiles, or show one'
            cand serve 'Run an embedded IMAP server that behaves like a known server (Exchange 5.5, 2000, ...)'
            cand exporter 'A Prometheus exporter: GET /probe?target=HOST&module=NAME runs one check (blackbox_exporter''s model)'
            cand demo 'Run the KB checks against the embedded server; works with nothing installed'
            cand schema 'Print the JSON Schema of the report that --format json writes'
            cand gen-assets 'Write the shell completions and man pages (for packagers and the project''s own tests)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'imapdiag;help;check'= {
        }
        &'imapdiag;help;namespace'= {
        }
        &'imapdiag;help;shell'= {
        }
        &'imapdiag;help;analyze'= {
        }
        &'imapdiag;help;profiles'= {
        }
        &'imapdiag;help;serve'= {
        }
        &'imapdiag;help;exporter'= {
        }
        &'imapdiag;help;demo'= {
        }
        &'imapdiag;help;schema'= {
        }
        &'imapdiag;help;gen-assets'= {
        }
        &'imapdiag;help;help'= {
        }
    ]
    $completions[$command]
}
