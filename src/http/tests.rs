//! The client against tiny servers on 127.0.0.1 (std threads): what an
//! error keeps, the size bound, the deadline, a refused connection.

use super::*;
use std::io::{Read, Write};
use std::net::TcpListener;

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// A server answering one connection with `answer` (raw HTTP) after
/// reading the request head and body; returns its URL and a handle giving
/// the request it read.
fn serve_once(answer: Vec<u8>) -> (String, std::thread::JoinHandle<String>) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://127.0.0.1:{}", l.local_addr().unwrap().port());
    let h = std::thread::spawn(move || {
        let (mut s, _) = l.accept().unwrap();
        let mut req = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            let n = s.read(&mut buf).unwrap();
            req.extend_from_slice(&buf[..n]);
            let text = String::from_utf8_lossy(&req).to_string();
            if let Some(end) = text.find("\r\n\r\n") {
                let len = text
                    .lines()
                    .find_map(|l| {
                        l.to_ascii_lowercase()
                            .strip_prefix("content-length:")
                            .map(|v| v.trim().parse::<usize>().unwrap())
                    })
                    .unwrap_or(0);
                if req.len() >= end + 4 + len {
                    break;
                }
            }
            if n == 0 {
                break;
            }
        }
        s.write_all(&answer).unwrap();
        String::from_utf8_lossy(&req).to_string()
    });
    (url, h)
}

fn answer(status: &str, body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

#[test]
fn a_json_request_carries_its_headers_and_body_and_reads_the_answer() {
    let (url, h) = serve_once(answer("200 OK", r#"{"ok":true}"#));
    let token = Secret::new("s.tokenvalue");
    let c = Client::new(None, "VAULT_CACERT").unwrap();
    let req = Request::new("POST", format!("{url}/v1/x"))
        .secret_header("x-vault-token", &token)
        .header("x-vault-namespace", "ns1")
        .json(&serde_json::json!({"a": 1}), &[]);
    let resp = rt()
        .block_on(c.send(req, "VAULT_ADDR"))
        .unwrap()
        .ok()
        .unwrap();
    let v: serde_json::Value = resp.json().unwrap();
    assert_eq!(v["ok"], true);
    let seen = h.join().unwrap();
    assert!(seen.starts_with("POST /v1/x HTTP/1.1\r\n"), "{seen}");
    assert!(seen.contains("x-vault-token: s.tokenvalue"), "{seen}");
    assert!(seen.contains("x-vault-namespace: ns1"), "{seen}");
    assert!(seen.ends_with(r#"{"a":1}"#), "{seen}");
}

#[test]
fn an_echoed_error_body_never_shows_the_token_or_the_secret() {
    let secret = Secret::new("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
    let token = Secret::new("ghp_0123456789abcdef");
    let body = format!(
        r#"{{"message":"rejected {} with token {} for AKIAIOSFODNN7EXAMPLE"}}"#,
        secret.expose(),
        token.expose()
    );
    let (url, h) = serve_once(answer("422 Unprocessable Entity", &body));
    let c = Client::new(None, "GITHUB_CA").unwrap();
    let req = Request::new("PUT", format!("{url}/repos/o/r/actions/secrets/X"))
        .secret_header("authorization", &token)
        .json(&serde_json::json!({"v": secret.expose()}), &[&secret]);
    let err = rt()
        .block_on(c.send(req, "api_url"))
        .unwrap()
        .ok()
        .err()
        .unwrap();
    h.join().unwrap();
    let text = err.to_string();
    assert_eq!(err.status(), Some(422));
    assert!(!text.contains(secret.expose()), "{text}");
    assert!(!text.contains(token.expose()), "{text}");
    assert!(!text.contains("AKIAIOSFODNN7EXAMPLE"), "{text}");
    assert!(
        text.contains("<redacted>") && text.contains("HTTP 422"),
        "{text}"
    );
    assert!(!format!("{err:?}").contains(secret.expose()));
}

#[test]
fn an_answer_over_the_bound_is_refused() {
    let big = format!(r#"{{"x":"{}"}}"#, "a".repeat(MAX_BODY));
    let (url, h) = serve_once(answer("200 OK", &big));
    let c = Client::new(None, "VAULT_CACERT").unwrap();
    let err = rt()
        .block_on(c.send(Request::new("GET", format!("{url}/big")), "VAULT_ADDR"))
        .err()
        .unwrap();
    let _ = h.join();
    assert!(matches!(err, HttpError::TooLarge { .. }), "{err}");
}

#[test]
fn a_server_that_never_answers_is_a_timeout_naming_the_url_and_its_source() {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!(
        "http://127.0.0.1:{}/v1/sys/health",
        l.local_addr().unwrap().port()
    );
    // Accepted by the kernel's backlog, never read: no answer ever comes.
    let c = Client::new(None, "VAULT_CACERT")
        .unwrap()
        .with_timeout(Duration::from_millis(300));
    let err = rt()
        .block_on(c.send(Request::new("GET", url.clone()), "VAULT_ADDR"))
        .err()
        .unwrap();
    drop(l);
    match &err {
        HttpError::Network { kind, line } => {
            assert_eq!(*kind, NetKind::Timeout);
            assert!(line.contains(&url) && line.contains("VAULT_ADDR"), "{line}");
        }
        other => panic!("{other}"),
    }
    assert!(!err.not_sent());
}

#[test]
fn a_refused_connection_is_not_sent() {
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let c = Client::new(None, "VAULT_CACERT").unwrap();
    let err = rt()
        .block_on(c.send(
            Request::new("GET", format!("http://127.0.0.1:{port}/")),
            "VAULT_ADDR",
        ))
        .err()
        .unwrap();
    assert!(
        matches!(
            err,
            HttpError::Network {
                kind: NetKind::Refused,
                ..
            }
        ),
        "{err}"
    );
    assert!(err.not_sent());
    let err = rt()
        .block_on(c.send(Request::new("GET", "ftp://x/"), "url"))
        .err()
        .unwrap();
    assert!(matches!(err, HttpError::Url { .. }), "{err}");
}

#[test]
fn a_bad_ca_bundle_names_the_services_variable() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("ca.pem");
    std::fs::write(&p, "not a certificate").unwrap();
    let err = Client::new(Some(&p), "VAULT_CACERT").err().unwrap();
    assert!(err.to_string().contains("VAULT_CACERT"), "{err}");
    let err = Client::new(Some(&dir.path().join("absent")), "VAULT_CACERT")
        .err()
        .unwrap();
    assert!(matches!(err, SetupError::CaRead { .. }), "{err}");
}

/// A proxy configuration (as `HTTP_PROXY` gives) is used: the request
/// reaches the proxy in absolute form, the target is never contacted.
#[test]
fn requests_go_through_the_configured_proxy() {
    let (proxy_url, h) = serve_once(answer("200 OK", r#"{"via":"proxy"}"#));
    let target = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://127.0.0.1:{}", l.local_addr().unwrap().port())
    };
    let c =
        Client::with_proxy(None, "VAULT_CACERT", ProxyConfig::http(proxy_url).unwrap()).unwrap();
    let req = Request::new("GET", format!("{target}/v1/secret/data/x"))
        .secret_header("x-vault-token", &Secret::new("s.tok"));
    let resp = rt().block_on(c.send(req, "VAULT_ADDR")).unwrap();
    let v: serde_json::Value = resp.json().unwrap();
    assert_eq!(v["via"], "proxy");
    let seen = h.join().unwrap();
    assert!(
        seen.starts_with(&format!("GET {target}/v1/secret/data/x HTTP/1.1")),
        "{seen}"
    );
}
