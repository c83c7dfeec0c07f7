//! An implicit-TLS IMAP server that speaks only TLS 1.0 with a static-RSA cipher
//! (AES128-SHA, no forward secrecy), as Exchange 2000/2003-era servers do. No installable
//! server of the matrix is configured so; OpenSSL is told to allow it here.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::thread;

use openssl::ssl::{SslAcceptor, SslFiletype, SslMethod, SslVersion};

use super::pki::pki;

/// Serves until the test binary ends; returns the port.
pub fn serve() -> u16 {
    let mut b = SslAcceptor::mozilla_intermediate(SslMethod::tls_server()).unwrap();
    b.set_security_level(0);
    b.set_min_proto_version(Some(SslVersion::TLS1)).unwrap();
    b.set_max_proto_version(Some(SslVersion::TLS1)).unwrap();
    b.set_cipher_list("AES128-SHA:@SECLEVEL=0").unwrap();
    b.set_certificate_chain_file(&pki().server_cert).unwrap();
    b.set_private_key_file(&pki().server_key, SslFiletype::PEM)
        .unwrap();
    let acceptor = b.build();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    thread::spawn(move || {
        for tcp in listener.incoming().flatten() {
            let acceptor = acceptor.clone();
            thread::spawn(move || {
                let Ok(tls) = acceptor.accept(tcp) else {
                    return;
                };
                session(tls);
            });
        }
    });
    port
}

fn session<S: std::io::Read + Write>(stream: S) {
    let mut r = BufReader::new(stream);
    let greeting = b"* OK [CAPABILITY IMAP4rev1 NAMESPACE] legacy ready\r\n";
    if r.get_mut().write_all(greeting).is_err() {
        return;
    }
    let mut line = String::new();
    while r.read_line(&mut line).is_ok_and(|n| n > 0) {
        let mut words = line.split_whitespace();
        let tag = words.next().unwrap_or("*").to_string();
        let verb = words.next().unwrap_or("").to_ascii_uppercase();
        let reply = match verb.as_str() {
            "NAMESPACE" => format!("* NAMESPACE ((\"\" \"/\")) NIL NIL\r\n{tag} OK done\r\n"),
            "SELECT" => format!("* 1 EXISTS\r\n{tag} OK [READ-WRITE] done\r\n"),
            "LOGOUT" => format!("* BYE bye\r\n{tag} OK done\r\n"),
            "CAPABILITY" => format!("* CAPABILITY IMAP4rev1 NAMESPACE\r\n{tag} OK done\r\n"),
            _ => format!("{tag} OK done\r\n"),
        };
        if r.get_mut().write_all(reply.as_bytes()).is_err() || verb == "LOGOUT" {
            return;
        }
        line.clear();
    }
}
