# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_imapdiag_global_optspecs
    string join \n h/help V/version
end

function __fish_imapdiag_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_imapdiag_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_imapdiag_using_subcommand
    set -l cmd (__fish_imapdiag_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c imapdiag -n "__fish_imapdiag_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c imapdiag -n "__fish_imapdiag_needs_command" -s V -l version -d 'Print version'
complete -c imapdiag -n "__fish_imapdiag_needs_command" -f -a "check" -d 'The scripted check: connect, greeting, CAPABILITY, STARTTLS, login, NAMESPACE, SELECT, LOGOUT'
complete -c imapdiag -n "__fish_imapdiag_needs_command" -f -a "namespace" -d 'Log in, ask NAMESPACE and `LIST "" ""`, and show each namespace class'
complete -c imapdiag -n "__fish_imapdiag_needs_command" -f -a "shell" -d 'An interactive IMAP session that replaces telnet; reads a script when stdin is not a terminal'
complete -c imapdiag -n "__fish_imapdiag_needs_command" -f -a "analyze" -d 'Diagnose a saved session (telnet paste, C:/S: lines, openssl s_client output, imapdiag JSON) without a server'
complete -c imapdiag -n "__fish_imapdiag_needs_command" -f -a "profiles" -d 'List the known server profiles, or show one'
complete -c imapdiag -n "__fish_imapdiag_needs_command" -f -a "serve" -d 'Run an embedded IMAP server that behaves like a known server (Exchange 5.5, 2000, ...)'
complete -c imapdiag -n "__fish_imapdiag_needs_command" -f -a "exporter" -d 'A Prometheus exporter: GET /probe?target=HOST&module=NAME runs one check (blackbox_exporter\'s model)'
complete -c imapdiag -n "__fish_imapdiag_needs_command" -f -a "demo" -d 'Run the KB checks against the embedded server; works with nothing installed'
complete -c imapdiag -n "__fish_imapdiag_needs_command" -f -a "schema" -d 'Print the JSON Schema of the report that --format json writes'
complete -c imapdiag -n "__fish_imapdiag_needs_command" -f -a "gen-assets" -d 'Write the shell completions and man pages (for packagers and the project\'s own tests)'
complete -c imapdiag -n "__fish_imapdiag_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c imapdiag -n "__fish_imapdiag_using_subcommand check" -l targets -d 'Read targets from FILE, one per line (# starts a comment); - is standard input' -r -F
complete -c imapdiag -n "__fish_imapdiag_using_subcommand check" -l jobs -d 'Targets checked at once' -r
complete -c imapdiag -n "__fish_imapdiag_using_subcommand check" -l security -d 'auto: implicit TLS for imaps:// or port 993, otherwise STARTTLS when offered' -r -f -a "auto\t''
starttls\t''
tls\t''
plain\t''"
complete -c imapdiag -n "__fish_imapdiag_using_subcommand check" -s u -l user -d 'The user to log in as (also taken from imap://user@host)' -r
complete -c imapdiag -n "__fish_imapdiag_using_subcommand check" -l password-file -d 'Read the password from the first line of FILE' -r -F
complete -c imapdiag -n "__fish_imapdiag_using_subcommand check" -l auth -d 'auto: OAUTHBEARER or XOAUTH2 with a token; SCRAM-SHA-256, SCRAM-SHA-1, PLAIN or LOGIN with a password, the first advertised' -r -f -a "auto\t'The strongest advertised mechanism the credentials allow'
login\t'The LOGIN command'
plain\t''
scram-sha-256\t''
scram-sha-1\t''
xoauth2\t''
oauthbearer\t''
ntlm\t''
cram-md5\t''"
complete -c imapdiag -n "__fish_imapdiag_using_subcommand check" -l token-file -d 'Read an OAuth 2.0 access token from the first line of FILE (also IMAPDIAG_TOKEN)' -r -F
complete -c imapdiag -n "__fish_imapdiag_using_subcommand check" -l ca-file -d 'Trust the CA certificates in this PEM file too' -r -F
complete -c imapdiag -n "__fish_imapdiag_using_subcommand check" -l cert-warn-days -d 'Warn when the certificate expires within this many days' -r
complete -c imapdiag -n "__fish_imapdiag_using_subcommand check" -l timeout -d 'Seconds allowed for the connection and for each step' -r
complete -c imapdiag -n "__fish_imapdiag_using_subcommand check" -l deadline -d 'Seconds allowed for the whole run, referrals included' -r
complete -c imapdiag -n "__fish_imapdiag_using_subcommand check" -l connect-to -d 'Dial HOST2:PORT2 whenever HOST:PORT is to be reached (TLS still verifies HOST), as curl\'s option; repeatable' -r
complete -c imapdiag -n "__fish_imapdiag_using_subcommand check" -l trust-referral -d 'A host outside the target\'s domain that may receive the credentials when a referral is followed; repeatable' -r
complete -c imapdiag -n "__fish_imapdiag_using_subcommand check" -l max-referrals -d 'Referrals followed at most, one after another (1 to 10)' -r
complete -c imapdiag -n "__fish_imapdiag_using_subcommand check" -l mailbox -d 'The mailbox to SELECT [default: the TARGET URL\'s mailbox, else INBOX]' -r
complete -c imapdiag -n "__fish_imapdiag_using_subcommand check" -l quit-after -d 'Stop after this step' -r -f -a "connect\t''
greeting\t''
capability\t''
starttls\t''
login\t''
namespace\t''
select\t''"
complete -c imapdiag -n "__fish_imapdiag_using_subcommand check" -l expect-profile -d 'The namespaces must be those of this profile (`imapdiag profiles`); a difference is a WARNING' -r
complete -c imapdiag -n "__fish_imapdiag_using_subcommand check" -l expect-namespace -d 'The namespaces must be these, e.g. \'(("" "/")) (("Other users/" "/")) (("Public Folders/" "/"))\'' -r
complete -c imapdiag -n "__fish_imapdiag_using_subcommand check" -l format -r -f -a "text\t''
json\t''
nagios\t'The Nagios/Icinga plugin line with perfdata, then one line per finding'"
complete -c imapdiag -n "__fish_imapdiag_using_subcommand check" -l color -d 'auto honours NO_COLOR, TERM=dumb and output that is not a terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c imapdiag -n "__fish_imapdiag_using_subcommand check" -l allow-plaintext-login -d 'Allow sending the password over a connection without TLS'
complete -c imapdiag -n "__fish_imapdiag_using_subcommand check" -l insecure -d 'Continue when the certificate does not verify (reported as a WARNING)'
complete -c imapdiag -n "__fish_imapdiag_using_subcommand check" -l tls-legacy -d 'Allow TLS 1.0/1.1 and weak keys and ciphers (OpenSSL security level 0), for Exchange 2000/2003-era servers; reported as a WARNING'
complete -c imapdiag -n "__fish_imapdiag_using_subcommand check" -l no-id -d 'Do not send ID (RFC 2971), which otherwise names the server for the fingerprint'
complete -c imapdiag -n "__fish_imapdiag_using_subcommand check" -l no-pipeline -d 'Send one command at a time instead of pipelining them after login (RFC 3501 §5.5)'
complete -c imapdiag -n "__fish_imapdiag_using_subcommand check" -l follow-referrals -d 'Follow REFERRAL codes: reconnect to the referred server and run the remaining steps there'
complete -c imapdiag -n "__fish_imapdiag_using_subcommand check" -l strict -d 'A difference from the expectation is CRITICAL instead of a WARNING'
complete -c imapdiag -n "__fish_imapdiag_using_subcommand check" -l transcript -d 'Show the wire lines (C: and S:) with time offsets in text output'
complete -c imapdiag -n "__fish_imapdiag_using_subcommand check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c imapdiag -n "__fish_imapdiag_using_subcommand namespace" -l security -d 'auto: implicit TLS for imaps:// or port 993, otherwise STARTTLS when offered' -r -f -a "auto\t''
starttls\t''
tls\t''
plain\t''"
complete -c imapdiag -n "__fish_imapdiag_using_subcommand namespace" -s u -l user -d 'The user to log in as (also taken from imap://user@host)' -r
complete -c imapdiag -n "__fish_imapdiag_using_subcommand namespace" -l password-file -d 'Read the password from the first line of FILE' -r -F
complete -c imapdiag -n "__fish_imapdiag_using_subcommand namespace" -l auth -d 'auto: OAUTHBEARER or XOAUTH2 with a token; SCRAM-SHA-256, SCRAM-SHA-1, PLAIN or LOGIN with a password, the first advertised' -r -f -a "auto\t'The strongest advertised mechanism the credentials allow'
login\t'The LOGIN command'
plain\t''
scram-sha-256\t''
scram-sha-1\t''
xoauth2\t''
oauthbearer\t''
ntlm\t''
cram-md5\t''"
complete -c imapdiag -n "__fish_imapdiag_using_subcommand namespace" -l token-file -d 'Read an OAuth 2.0 access token from the first line of FILE (also IMAPDIAG_TOKEN)' -r -F
complete -c imapdiag -n "__fish_imapdiag_using_subcommand namespace" -l ca-file -d 'Trust the CA certificates in this PEM file too' -r -F
complete -c imapdiag -n "__fish_imapdiag_using_subcommand namespace" -l cert-warn-days -d 'Warn when the certificate expires within this many days' -r
complete -c imapdiag -n "__fish_imapdiag_using_subcommand namespace" -l timeout -d 'Seconds allowed for the connection and for each step' -r
complete -c imapdiag -n "__fish_imapdiag_using_subcommand namespace" -l deadline -d 'Seconds allowed for the whole run, referrals included' -r
complete -c imapdiag -n "__fish_imapdiag_using_subcommand namespace" -l connect-to -d 'Dial HOST2:PORT2 whenever HOST:PORT is to be reached (TLS still verifies HOST), as curl\'s option; repeatable' -r
complete -c imapdiag -n "__fish_imapdiag_using_subcommand namespace" -l trust-referral -d 'A host outside the target\'s domain that may receive the credentials when a referral is followed; repeatable' -r
complete -c imapdiag -n "__fish_imapdiag_using_subcommand namespace" -l max-referrals -d 'Referrals followed at most, one after another (1 to 10)' -r
complete -c imapdiag -n "__fish_imapdiag_using_subcommand namespace" -l expect-profile -d 'The namespaces must be those of this profile (`imapdiag profiles`); a difference is a WARNING' -r
complete -c imapdiag -n "__fish_imapdiag_using_subcommand namespace" -l expect-namespace -d 'The namespaces must be these, e.g. \'(("" "/")) (("Other users/" "/")) (("Public Folders/" "/"))\'' -r
complete -c imapdiag -n "__fish_imapdiag_using_subcommand namespace" -l format -r -f -a "text\t''
json\t''
nagios\t'The Nagios/Icinga plugin line with perfdata, then one line per finding'"
complete -c imapdiag -n "__fish_imapdiag_using_subcommand namespace" -l color -d 'auto honours NO_COLOR, TERM=dumb and output that is not a terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c imapdiag -n "__fish_imapdiag_using_subcommand namespace" -l allow-plaintext-login -d 'Allow sending the password over a connection without TLS'
complete -c imapdiag -n "__fish_imapdiag_using_subcommand namespace" -l insecure -d 'Continue when the certificate does not verify (reported as a WARNING)'
complete -c imapdiag -n "__fish_imapdiag_using_subcommand namespace" -l tls-legacy -d 'Allow TLS 1.0/1.1 and weak keys and ciphers (OpenSSL security level 0), for Exchange 2000/2003-era servers; reported as a WARNING'
complete -c imapdiag -n "__fish_imapdiag_using_subcommand namespace" -l no-id -d 'Do not send ID (RFC 2971), which otherwise names the server for the fingerprint'
complete -c imapdiag -n "__fish_imapdiag_using_subcommand namespace" -l no-pipeline -d 'Send one command at a time instead of pipelining them after login (RFC 3501 §5.5)'
complete -c imapdiag -n "__fish_imapdiag_using_subcommand namespace" -l follow-referrals -d 'Follow REFERRAL codes: reconnect to the referred server and run the remaining steps there'
complete -c imapdiag -n "__fish_imapdiag_using_subcommand namespace" -l strict -d 'A difference from the expectation is CRITICAL instead of a WARNING'
complete -c imapdiag -n "__fish_imapdiag_using_subcommand namespace" -l transcript -d 'Show the wire lines (C: and S:) with time offsets in text output'
complete -c imapdiag -n "__fish_imapdiag_using_subcommand namespace" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c imapdiag -n "__fish_imapdiag_using_subcommand shell" -l security -d 'auto: implicit TLS for imaps:// or port 993, otherwise STARTTLS when offered' -r -f -a "auto\t''
starttls\t''
tls\t''
plain\t''"
complete -c imapdiag -n "__fish_imapdiag_using_subcommand shell" -s u -l user -d 'The user to log in as (also taken from imap://user@host)' -r
complete -c imapdiag -n "__fish_imapdiag_using_subcommand shell" -l password-file -d 'Read the password from the first line of FILE' -r -F
complete -c imapdiag -n "__fish_imapdiag_using_subcommand shell" -l auth -d 'auto: OAUTHBEARER or XOAUTH2 with a token; SCRAM-SHA-256, SCRAM-SHA-1, PLAIN or LOGIN with a password, the first advertised' -r -f -a "auto\t'The strongest advertised mechanism the credentials allow'
login\t'The LOGIN command'
plain\t''
scram-sha-256\t''
scram-sha-1\t''
xoauth2\t''
oauthbearer\t''
ntlm\t''
cram-md5\t''"
complete -c imapdiag -n "__fish_imapdiag_using_subcommand shell" -l token-file -d 'Read an OAuth 2.0 access token from the first line of FILE (also IMAPDIAG_TOKEN)' -r -F
complete -c imapdiag -n "__fish_imapdiag_using_subcommand shell" -l ca-file -d 'Trust the CA certificates in this PEM file too' -r -F
complete -c imapdiag -n "__fish_imapdiag_using_subcommand shell" -l cert-warn-days -d 'Warn when the certificate expires within this many days' -r
complete -c imapdiag -n "__fish_imapdiag_using_subcommand shell" -l timeout -d 'Seconds allowed for the connection and for each step' -r
complete -c imapdiag -n "__fish_imapdiag_using_subcommand shell" -l deadline -d 'Seconds allowed for the whole run, referrals included' -r
complete -c imapdiag -n "__fish_imapdiag_using_subcommand shell" -l connect-to -d 'Dial HOST2:PORT2 whenever HOST:PORT is to be reached (TLS still verifies HOST), as curl\'s option; repeatable' -r
complete -c imapdiag -n "__fish_imapdiag_using_subcommand shell" -l trust-referral -d 'A host outside the target\'s domain that may receive the credentials when a referral is followed; repeatable' -r
complete -c imapdiag -n "__fish_imapdiag_using_subcommand shell" -l max-referrals -d 'Referrals followed at most, one after another (1 to 10)' -r
complete -c imapdiag -n "__fish_imapdiag_using_subcommand shell" -l color -d 'auto honours NO_COLOR, TERM=dumb and output that is not a terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c imapdiag -n "__fish_imapdiag_using_subcommand shell" -l allow-plaintext-login -d 'Allow sending the password over a connection without TLS'
complete -c imapdiag -n "__fish_imapdiag_using_subcommand shell" -l insecure -d 'Continue when the certificate does not verify (reported as a WARNING)'
complete -c imapdiag -n "__fish_imapdiag_using_subcommand shell" -l tls-legacy -d 'Allow TLS 1.0/1.1 and weak keys and ciphers (OpenSSL security level 0), for Exchange 2000/2003-era servers; reported as a WARNING'
complete -c imapdiag -n "__fish_imapdiag_using_subcommand shell" -l no-id -d 'Do not send ID (RFC 2971), which otherwise names the server for the fingerprint'
complete -c imapdiag -n "__fish_imapdiag_using_subcommand shell" -l no-pipeline -d 'Send one command at a time instead of pipelining them after login (RFC 3501 §5.5)'
complete -c imapdiag -n "__fish_imapdiag_using_subcommand shell" -l follow-referrals -d 'Follow REFERRAL codes: reconnect to the referred server and run the remaining steps there'
complete -c imapdiag -n "__fish_imapdiag_using_subcommand shell" -l ignore-no -d 'Script mode: NO and BAD answers do not make the exit status CRITICAL'
complete -c imapdiag -n "__fish_imapdiag_using_subcommand shell" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c imapdiag -n "__fish_imapdiag_using_subcommand analyze" -l format-in -d 'Read FILE as this format instead of guessing: cs, mailkit, curl, node-imap, imapflow, imaplib (imapclient), aioimaplib, thunderbird, k9, rust-imap, rawlog, json, telnet, s_client or auto' -r -f -a "cs\t''
mailkit\t''
rust-imap\t''
curl\t''
node-imap\t''
imapflow\t''
imaplib\t''
imapclient\t''
aioimaplib\t''
thunderbird\t''
k9\t''
json\t''
telnet\t''
s_client\t''
rawlog\t''
auto\t''"
complete -c imapdiag -n "__fish_imapdiag_using_subcommand analyze" -l connection -d 'In a log of several interleaved connections (Thunderbird, K-9 Mail, imapflow), read this one (the report lists them) instead of the busiest' -r
complete -c imapdiag -n "__fish_imapdiag_using_subcommand analyze" -l expect-profile -d 'The namespaces must be those of this profile (`imapdiag profiles`); a difference is a WARNING' -r
complete -c imapdiag -n "__fish_imapdiag_using_subcommand analyze" -l expect-namespace -d 'The namespaces must be these, e.g. \'(("" "/")) (("Other users/" "/")) (("Public Folders/" "/"))\'' -r
complete -c imapdiag -n "__fish_imapdiag_using_subcommand analyze" -l format -r -f -a "text\t''
json\t''
nagios\t'The Nagios/Icinga plugin line with perfdata, then one line per finding'"
complete -c imapdiag -n "__fish_imapdiag_using_subcommand analyze" -l color -d 'auto honours NO_COLOR, TERM=dumb and output that is not a terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c imapdiag -n "__fish_imapdiag_using_subcommand analyze" -l strict -d 'A difference from the expectation is CRITICAL instead of a WARNING'
complete -c imapdiag -n "__fish_imapdiag_using_subcommand analyze" -l transcript -d 'Show the wire lines (C: and S:) with time offsets in text output'
complete -c imapdiag -n "__fish_imapdiag_using_subcommand analyze" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c imapdiag -n "__fish_imapdiag_using_subcommand profiles" -l format -r -f -a "text\t''
json\t''
nagios\t'The Nagios/Icinga plugin line with perfdata, then one line per finding'"
complete -c imapdiag -n "__fish_imapdiag_using_subcommand profiles" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c imapdiag -n "__fish_imapdiag_using_subcommand serve" -l profile -d 'The server to emulate (--list-profiles shows them)' -r
complete -c imapdiag -n "__fish_imapdiag_using_subcommand serve" -l listen -d 'Address to listen on; anything but loopback must be given explicitly' -r
complete -c imapdiag -n "__fish_imapdiag_using_subcommand serve" -l home-listen -d 'Where the home server of a referral profile listens' -r
complete -c imapdiag -n "__fish_imapdiag_using_subcommand serve" -l users -d 'Users and mailboxes: lines `user:password[:Mailbox=SOURCE,...[:HOME]]`; SOURCE is a message count, a directory of .eml files or an mbox file; HOME the referral\'s user' -r -F
complete -c imapdiag -n "__fish_imapdiag_using_subcommand serve" -l tls-cert -d 'PEM certificate chain for STARTTLS (a self-signed one is generated otherwise)' -r -F
complete -c imapdiag -n "__fish_imapdiag_using_subcommand serve" -l tls-key -d 'PEM private key for --tls-cert' -r -F
complete -c imapdiag -n "__fish_imapdiag_using_subcommand serve" -l max-connections -d 'Connections served at once; more are refused with BYE' -r
complete -c imapdiag -n "__fish_imapdiag_using_subcommand serve" -l idle-timeout -d 'Seconds a client may stay silent before it is logged out' -r
complete -c imapdiag -n "__fish_imapdiag_using_subcommand serve" -l list-profiles -d 'List the emulator profiles and exit'
complete -c imapdiag -n "__fish_imapdiag_using_subcommand serve" -l trace -d 'Log every protocol line, both ways, on standard error (passwords redacted)'
complete -c imapdiag -n "__fish_imapdiag_using_subcommand serve" -s h -l help -d 'Print help'
complete -c imapdiag -n "__fish_imapdiag_using_subcommand exporter" -l listen -d 'Address to listen on (loopback unless another address is given)' -r
complete -c imapdiag -n "__fish_imapdiag_using_subcommand exporter" -l config -d 'TOML file of modules: [modules.NAME] with user, password_file, security, ca_file, mailbox, expect_profile, expect_namespace, timeout' -r -F
complete -c imapdiag -n "__fish_imapdiag_using_subcommand exporter" -l max-probes -d 'Probes run at once; more wait for a slot until their scrape\'s timeout' -r
complete -c imapdiag -n "__fish_imapdiag_using_subcommand exporter" -s h -l help -d 'Print help'
complete -c imapdiag -n "__fish_imapdiag_using_subcommand demo" -l color -d 'auto honours NO_COLOR, TERM=dumb and output that is not a terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c imapdiag -n "__fish_imapdiag_using_subcommand demo" -s h -l help -d 'Print help'
complete -c imapdiag -n "__fish_imapdiag_using_subcommand schema" -s h -l help -d 'Print help'
complete -c imapdiag -n "__fish_imapdiag_using_subcommand gen-assets" -s h -l help -d 'Print help'
complete -c imapdiag -n "__fish_imapdiag_using_subcommand help; and not __fish_seen_subcommand_from check namespace shell analyze profiles serve exporter demo schema gen-assets help" -f -a "check" -d 'The scripted check: connect, greeting, CAPABILITY, STARTTLS, login, NAMESPACE, SELECT, LOGOUT'
complete -c imapdiag -n "__fish_imapdiag_using_subcommand help; and not __fish_seen_subcommand_from check namespace shell analyze profiles serve exporter demo schema gen-assets help" -f -a "namespace" -d 'Log in, ask NAMESPACE and `LIST "" ""`, and show each namespace class'
complete -c imapdiag -n "__fish_imapdiag_using_subcommand help; and not __fish_seen_subcommand_from check namespace shell analyze profiles serve exporter demo schema gen-assets help" -f -a "shell" -d 'An interactive IMAP session that replaces telnet; reads a script when stdin is not a terminal'
complete -c imapdiag -n "__fish_imapdiag_using_subcommand help; and not __fish_seen_subcommand_from check namespace shell analyze profiles serve exporter demo schema gen-assets help" -f -a "analyze" -d 'Diagnose a saved session (telnet paste, C:/S: lines, openssl s_client output, imapdiag JSON) without a server'
complete -c imapdiag -n "__fish_imapdiag_using_subcommand help; and not __fish_seen_subcommand_from check namespace shell analyze profiles serve exporter demo schema gen-assets help" -f -a "profiles" -d 'List the known server profiles, or show one'
complete -c imapdiag -n "__fish_imapdiag_using_subcommand help; and not __fish_seen_subcommand_from check namespace shell analyze profiles serve exporter demo schema gen-assets help" -f -a "serve" -d 'Run an embedded IMAP server that behaves like a known server (Exchange 5.5, 2000, ...)'
complete -c imapdiag -n "__fish_imapdiag_using_subcommand help; and not __fish_seen_subcommand_from check namespace shell analyze profiles serve exporter demo schema gen-assets help" -f -a "exporter" -d 'A Prometheus exporter: GET /probe?target=HOST&module=NAME runs one check (blackbox_exporter\'s model)'
complete -c imapdiag -n "__fish_imapdiag_using_subcommand help; and not __fish_seen_subcommand_from check namespace shell analyze profiles serve exporter demo schema gen-assets help" -f -a "demo" -d 'Run the KB checks against the embedded server; works with nothing installed'
complete -c imapdiag -n "__fish_imapdiag_using_subcommand help; and not __fish_seen_subcommand_from check namespace shell analyze profiles serve exporter demo schema gen-assets help" -f -a "schema" -d 'Print the JSON Schema of the report that --format json writes'
complete -c imapdiag -n "__fish_imapdiag_using_subcommand help; and not __fish_seen_subcommand_from check namespace shell analyze profiles serve exporter demo schema gen-assets help" -f -a "gen-assets" -d 'Write the shell completions and man pages (for packagers and the project\'s own tests)'
complete -c imapdiag -n "__fish_imapdiag_using_subcommand help; and not __fish_seen_subcommand_from check namespace shell analyze profiles serve exporter demo schema gen-assets help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
