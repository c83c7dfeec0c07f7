
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'imapdiag' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'imapdiag'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'imapdiag' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'The scripted check: connect, greeting, CAPABILITY, STARTTLS, login, NAMESPACE, SELECT, LOGOUT')
            [CompletionResult]::new('namespace', 'namespace', [CompletionResultType]::ParameterValue, 'Log in, ask NAMESPACE and `LIST "" ""`, and show each namespace class')
            [CompletionResult]::new('shell', 'shell', [CompletionResultType]::ParameterValue, 'An interactive IMAP session that replaces telnet; reads a script when stdin is not a terminal')
            [CompletionResult]::new('analyze', 'analyze', [CompletionResultType]::ParameterValue, 'Diagnose a saved session (telnet paste, C:/S: lines, openssl s_client output, imapdiag JSON) without a server')
            [CompletionResult]::new('profiles', 'profiles', [CompletionResultType]::ParameterValue, 'List the known server profiles, or show one')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Run an embedded IMAP server that behaves like a known server (Exchange 5.5, 2000, ...)')
            [CompletionResult]::new('exporter', 'exporter', [CompletionResultType]::ParameterValue, 'A Prometheus exporter: GET /probe?target=HOST&module=NAME runs one check (blackbox_exporter''s model)')
            [CompletionResult]::new('demo', 'demo', [CompletionResultType]::ParameterValue, 'Run the KB checks against the embedded server; works with nothing installed')
            [CompletionResult]::new('schema', 'schema', [CompletionResultType]::ParameterValue, 'Print the JSON Schema of the report that --format json writes')
            [CompletionResult]::new('gen-assets', 'gen-assets', [CompletionResultType]::ParameterValue, 'Write the shell completions and man pages (for packagers and the project''s own tests)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'imapdiag;check' {
            [CompletionResult]::new('--targets', '--targets', [CompletionResultType]::ParameterName, 'Read targets from FILE, one per line (# starts a comment); - is standard input')
            [CompletionResult]::new('--jobs', '--jobs', [CompletionResultType]::ParameterName, 'Targets checked at once')
            [CompletionResult]::new('--security', '--security', [CompletionResultType]::ParameterName, 'auto: implicit TLS for imaps:// or port 993, otherwise STARTTLS when offered')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'The user to log in as (also taken from imap://user@host)')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'The user to log in as (also taken from imap://user@host)')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the password from the first line of FILE')
            [CompletionResult]::new('--auth', '--auth', [CompletionResultType]::ParameterName, 'auto: OAUTHBEARER or XOAUTH2 with a token; SCRAM-SHA-256, SCRAM-SHA-1, PLAIN or LOGIN with a password, the first advertised')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'Read an OAuth 2.0 access token from the first line of FILE (also IMAPDIAG_TOKEN)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file too')
            [CompletionResult]::new('--cert-warn-days', '--cert-warn-days', [CompletionResultType]::ParameterName, 'Warn when the certificate expires within this many days')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds allowed for the connection and for each step')
            [CompletionResult]::new('--deadline', '--deadline', [CompletionResultType]::ParameterName, 'Seconds allowed for the whole run, referrals included')
            [CompletionResult]::new('--connect-to', '--connect-to', [CompletionResultType]::ParameterName, 'Dial HOST2:PORT2 whenever HOST:PORT is to be reached (TLS still verifies HOST), as curl''s option; repeatable')
            [CompletionResult]::new('--trust-referral', '--trust-referral', [CompletionResultType]::ParameterName, 'A host outside the target''s domain that may receive the credentials when a referral is followed; repeatable')
            [CompletionResult]::new('--max-referrals', '--max-referrals', [CompletionResultType]::ParameterName, 'Referrals followed at most, one after another (1 to 10)')
            [CompletionResult]::new('--mailbox', '--mailbox', [CompletionResultType]::ParameterName, 'The mailbox to SELECT [default: the TARGET URL''s mailbox, else INBOX]')
            [CompletionResult]::new('--quit-after', '--quit-after', [CompletionResultType]::ParameterName, 'Stop after this step')
            [CompletionResult]::new('--expect-profile', '--expect-profile', [CompletionResultType]::ParameterName, 'The namespaces must be those of this profile (`imapdiag profiles`); a difference is a WARNING')
            [CompletionResult]::new('--expect-namespace', '--expect-namespace', [CompletionResultType]::ParameterName, 'The namespaces must be these, e.g. ''(("" "/")) (("Other users/" "/")) (("Public Folders/" "/"))''')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'auto honours NO_COLOR, TERM=dumb and output that is not a terminal')
            [CompletionResult]::new('--allow-plaintext-login', '--allow-plaintext-login', [CompletionResultType]::ParameterName, 'Allow sending the password over a connection without TLS')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Continue when the certificate does not verify (reported as a WARNING)')
            [CompletionResult]::new('--tls-legacy', '--tls-legacy', [CompletionResultType]::ParameterName, 'Allow TLS 1.0/1.1 and weak keys and ciphers (OpenSSL security level 0), for Exchange 2000/2003-era servers; reported as a WARNING')
            [CompletionResult]::new('--no-id', '--no-id', [CompletionResultType]::ParameterName, 'Do not send ID (RFC 2971), which otherwise names the server for the fingerprint')
            [CompletionResult]::new('--no-pipeline', '--no-pipeline', [CompletionResultType]::ParameterName, 'Send one command at a time instead of pipelining them after login (RFC 3501 §5.5)')
            [CompletionResult]::new('--follow-referrals', '--follow-referrals', [CompletionResultType]::ParameterName, 'Follow REFERRAL codes: reconnect to the referred server and run the remaining steps there')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'A difference from the expectation is CRITICAL instead of a WARNING')
            [CompletionResult]::new('--transcript', '--transcript', [CompletionResultType]::ParameterName, 'Show the wire lines (C: and S:) with time offsets in text output')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'imapdiag;namespace' {
            [CompletionResult]::new('--security', '--security', [CompletionResultType]::ParameterName, 'auto: implicit TLS for imaps:// or port 993, otherwise STARTTLS when offered')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'The user to log in as (also taken from imap://user@host)')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'The user to log in as (also taken from imap://user@host)')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the password from the first line of FILE')
            [CompletionResult]::new('--auth', '--auth', [CompletionResultType]::ParameterName, 'auto: OAUTHBEARER or XOAUTH2 with a token; SCRAM-SHA-256, SCRAM-SHA-1, PLAIN or LOGIN with a password, the first advertised')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'Read an OAuth 2.0 access token from the first line of FILE (also IMAPDIAG_TOKEN)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file too')
            [CompletionResult]::new('--cert-warn-days', '--cert-warn-days', [CompletionResultType]::ParameterName, 'Warn when the certificate expires within this many days')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds allowed for the connection and for each step')
            [CompletionResult]::new('--deadline', '--deadline', [CompletionResultType]::ParameterName, 'Seconds allowed for the whole run, referrals included')
            [CompletionResult]::new('--connect-to', '--connect-to', [CompletionResultType]::ParameterName, 'Dial HOST2:PORT2 whenever HOST:PORT is to be reached (TLS still verifies HOST), as curl''s option; repeatable')
            [CompletionResult]::new('--trust-referral', '--trust-referral', [CompletionResultType]::ParameterName, 'A host outside the target''s domain that may receive the credentials when a referral is followed; repeatable')
            [CompletionResult]::new('--max-referrals', '--max-referrals', [CompletionResultType]::ParameterName, 'Referrals followed at most, one after another (1 to 10)')
            [CompletionResult]::new('--expect-profile', '--expect-profile', [CompletionResultType]::ParameterName, 'The namespaces must be those of this profile (`imapdiag profiles`); a difference is a WARNING')
            [CompletionResult]::new('--expect-namespace', '--expect-namespace', [CompletionResultType]::ParameterName, 'The namespaces must be these, e.g. ''(("" "/")) (("Other users/" "/")) (("Public Folders/" "/"))''')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'auto honours NO_COLOR, TERM=dumb and output that is not a terminal')
            [CompletionResult]::new('--allow-plaintext-login', '--allow-plaintext-login', [CompletionResultType]::ParameterName, 'Allow sending the password over a connection without TLS')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Continue when the certificate does not verify (reported as a WARNING)')
            [CompletionResult]::new('--tls-legacy', '--tls-legacy', [CompletionResultType]::ParameterName, 'Allow TLS 1.0/1.1 and weak keys and ciphers (OpenSSL security level 0), for Exchange 2000/2003-era servers; reported as a WARNING')
            [CompletionResult]::new('--no-id', '--no-id', [CompletionResultType]::ParameterName, 'Do not send ID (RFC 2971), which otherwise names the server for the fingerprint')
            [CompletionResult]::new('--no-pipeline', '--no-pipeline', [CompletionResultType]::ParameterName, 'Send one command at a time instead of pipelining them after login (RFC 3501 §5.5)')
            [CompletionResult]::new('--follow-referrals', '--follow-referrals', [CompletionResultType]::ParameterName, 'Follow REFERRAL codes: reconnect to the referred server and run the remaining steps there')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'A difference from the expectation is CRITICAL instead of a WARNING')
            [CompletionResult]::new('--transcript', '--transcript', [CompletionResultType]::ParameterName, 'Show the wire lines (C: and S:) with time offsets in text output')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'imapdiag;shell' {
            [CompletionResult]::new('--security', '--security', [CompletionResultType]::ParameterName, 'auto: implicit TLS for imaps:// or port 993, otherwise STARTTLS when offered')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'The user to log in as (also taken from imap://user@host)')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'The user to log in as (also taken from imap://user@host)')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the password from the first line of FILE')
            [CompletionResult]::new('--auth', '--auth', [CompletionResultType]::ParameterName, 'auto: OAUTHBEARER or XOAUTH2 with a token; SCRAM-SHA-256, SCRAM-SHA-1, PLAIN or LOGIN with a password, the first advertised')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'Read an OAuth 2.0 access token from the first line of FILE (also IMAPDIAG_TOKEN)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file too')
            [CompletionResult]::new('--cert-warn-days', '--cert-warn-days', [CompletionResultType]::ParameterName, 'Warn when the certificate expires within this many days')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds allowed for the connection and for each step')
            [CompletionResult]::new('--deadline', '--deadline', [CompletionResultType]::ParameterName, 'Seconds allowed for the whole run, referrals included')
            [CompletionResult]::new('--connect-to', '--connect-to', [CompletionResultType]::ParameterName, 'Dial HOST2:PORT2 whenever HOST:PORT is to be reached (TLS still verifies HOST), as curl''s option; repeatable')
            [CompletionResult]::new('--trust-referral', '--trust-referral', [CompletionResultType]::ParameterName, 'A host outside the target''s domain that may receive the credentials when a referral is followed; repeatable')
            [CompletionResult]::new('--max-referrals', '--max-referrals', [CompletionResultType]::ParameterName, 'Referrals followed at most, one after another (1 to 10)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'auto honours NO_COLOR, TERM=dumb and output that is not a terminal')
            [CompletionResult]::new('--allow-plaintext-login', '--allow-plaintext-login', [CompletionResultType]::ParameterName, 'Allow sending the password over a connection without TLS')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Continue when the certificate does not verify (reported as a WARNING)')
            [CompletionResult]::new('--tls-legacy', '--tls-legacy', [CompletionResultType]::ParameterName, 'Allow TLS 1.0/1.1 and weak keys and ciphers (OpenSSL security level 0), for Exchange 2000/2003-era servers; reported as a WARNING')
            [CompletionResult]::new('--no-id', '--no-id', [CompletionResultType]::ParameterName, 'Do not send ID (RFC 2971), which otherwise names the server for the fingerprint')
            [CompletionResult]::new('--no-pipeline', '--no-pipeline', [CompletionResultType]::ParameterName, 'Send one command at a time instead of pipelining them after login (RFC 3501 §5.5)')
            [CompletionResult]::new('--follow-referrals', '--follow-referrals', [CompletionResultType]::ParameterName, 'Follow REFERRAL codes: reconnect to the referred server and run the remaining steps there')
            [CompletionResult]::new('--ignore-no', '--ignore-no', [CompletionResultType]::ParameterName, 'Script mode: NO and BAD answers do not make the exit status CRITICAL')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'imapdiag;analyze' {
            [CompletionResult]::new('--format-in', '--format-in', [CompletionResultType]::ParameterName, 'Read FILE as this format instead of guessing: cs, mailkit, curl, node-imap, imapflow, imaplib (imapclient), aioimaplib, thunderbird, k9, rust-imap, rawlog, json, telnet, s_client or auto')
            [CompletionResult]::new('--connection', '--connection', [CompletionResultType]::ParameterName, 'In a log of several interleaved connections (Thunderbird, K-9 Mail, imapflow), read this one (the report lists them) instead of the busiest')
            [CompletionResult]::new('--expect-profile', '--expect-profile', [CompletionResultType]::ParameterName, 'The namespaces must be those of this profile (`imapdiag profiles`); a difference is a WARNING')
            [CompletionResult]::new('--expect-namespace', '--expect-namespace', [CompletionResultType]::ParameterName, 'The namespaces must be these, e.g. ''(("" "/")) (("Other users/" "/")) (("Public Folders/" "/"))''')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'auto honours NO_COLOR, TERM=dumb and output that is not a terminal')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'A difference from the expectation is CRITICAL instead of a WARNING')
            [CompletionResult]::new('--transcript', '--transcript', [CompletionResultType]::ParameterName, 'Show the wire lines (C: and S:) with time offsets in text output')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'imapdiag;profiles' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'format')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'imapdiag;serve' {
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The server to emulate (--list-profiles shows them)')
            [CompletionResult]::new('--listen', '--listen', [CompletionResultType]::ParameterName, 'Address to listen on; anything but loopback must be given explicitly')
            [CompletionResult]::new('--home-listen', '--home-listen', [CompletionResultType]::ParameterName, 'Where the home server of a referral profile listens')
            [CompletionResult]::new('--users', '--users', [CompletionResultType]::ParameterName, 'Users and mailboxes: lines `user:password[:Mailbox=SOURCE,...[:HOME]]`; SOURCE is a message count, a directory of .eml files or an mbox file; HOME the referral''s user')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'PEM certificate chain for STARTTLS (a self-signed one is generated otherwise)')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'PEM private key for --tls-cert')
            [CompletionResult]::new('--max-connections', '--max-connections', [CompletionResultType]::ParameterName, 'Connections served at once; more are refused with BYE')
            [CompletionResult]::new('--idle-timeout', '--idle-timeout', [CompletionResultType]::ParameterName, 'Seconds a client may stay silent before it is logged out')
            [CompletionResult]::new('--list-profiles', '--list-profiles', [CompletionResultType]::ParameterName, 'List the emulator profiles and exit')
            [CompletionResult]::new('--trace', '--trace', [CompletionResultType]::ParameterName, 'Log every protocol line, both ways, on standard error (passwords redacted)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'imapdiag;exporter' {
            [CompletionResult]::new('--listen', '--listen', [CompletionResultType]::ParameterName, 'Address to listen on (loopback unless another address is given)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML file of modules: [modules.NAME] with user, password_file, security, ca_file, mailbox, expect_profile, expect_namespace, timeout')
            [CompletionResult]::new('--max-probes', '--max-probes', [CompletionResultType]::ParameterName, 'Probes run at once; more wait for a slot until their scrape''s timeout')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'imapdiag;demo' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'auto honours NO_COLOR, TERM=dumb and output that is not a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'imapdiag;schema' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'imapdiag;gen-assets' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'imapdiag;help' {
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'The scripted check: connect, greeting, CAPABILITY, STARTTLS, login, NAMESPACE, SELECT, LOGOUT')
            [CompletionResult]::new('namespace', 'namespace', [CompletionResultType]::ParameterValue, 'Log in, ask NAMESPACE and `LIST "" ""`, and show each namespace class')
            [CompletionResult]::new('shell', 'shell', [CompletionResultType]::ParameterValue, 'An interactive IMAP session that replaces telnet; reads a script when stdin is not a terminal')
            [CompletionResult]::new('analyze', 'analyze', [CompletionResultType]::ParameterValue, 'Diagnose a saved session (telnet paste, C:/S: lines, openssl s_client output, imapdiag JSON) without a server')
            [CompletionResult]::new('profiles', 'profiles', [CompletionResultType]::ParameterValue, 'List the known server profiles, or show one')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Run an embedded IMAP server that behaves like a known server (Exchange 5.5, 2000, ...)')
            [CompletionResult]::new('exporter', 'exporter', [CompletionResultType]::ParameterValue, 'A Prometheus exporter: GET /probe?target=HOST&module=NAME runs one check (blackbox_exporter''s model)')
            [CompletionResult]::new('demo', 'demo', [CompletionResultType]::ParameterValue, 'Run the KB checks against the embedded server; works with nothing installed')
            [CompletionResult]::new('schema', 'schema', [CompletionResultType]::ParameterValue, 'Print the JSON Schema of the report that --format json writes')
            [CompletionResult]::new('gen-assets', 'gen-assets', [CompletionResultType]::ParameterValue, 'Write the shell completions and man pages (for packagers and the project''s own tests)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'imapdiag;help;check' {
            break
        }
        'imapdiag;help;namespace' {
            break
        }
        'imapdiag;help;shell' {
            break
        }
        'imapdiag;help;analyze' {
            break
        }
        'imapdiag;help;profiles' {
            break
        }
        'imapdiag;help;serve' {
            break
        }
        'imapdiag;help;exporter' {
            break
        }
        'imapdiag;help;demo' {
            break
        }
        'imapdiag;help;schema' {
            break
        }
        'imapdiag;help;gen-assets' {
            break
        }
        'imapdiag;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
