//! The file model against its reference: every fixture and hundreds of
//! generated files are parsed by keyturn and by real botocore (the AWS CLI's
//! reader); both must agree on every section, key and value, and on which
//! files are broken. Round trip `render(parse(s)) == s` holds for all.

use crate::common;

use keyturn::ini::Document;
use serde_json::{json, Map, Value};
use std::path::PathBuf;
use std::process::Command;

/// keyturn's reading of a file, in the oracle's shape.
fn ours(bytes: &[u8]) -> Value {
    let Ok(doc) = Document::parse_bytes(bytes) else {
        return json!({"error": "UnicodeDecodeError"});
    };
    let rendered = doc.render();
    assert_eq!(rendered.as_bytes(), bytes, "round trip must be exact");
    if !doc.problems().is_empty() {
        return json!({"error": "any"});
    }
    let mut sections = Map::new();
    for s in doc.sections() {
        let mut m = Map::new();
        for d in doc.defaults() {
            m.insert(d.key.clone(), Value::String(d.value.clone()));
        }
        for e in &s.entries {
            m.insert(e.key.clone(), Value::String(e.value.clone()));
        }
        sections.insert(s.name.clone(), Value::Object(m));
    }
    json!({ "sections": sections })
}

fn botocore(paths: &[PathBuf]) -> Map<String, Value> {
    let out = Command::new(common::python())
        .env("PYTHONUTF8", "1")
        .arg(common::repo().join("tests/support/botocore_parse.py"))
        .args(paths)
        .output()
        .expect("run botocore_parse.py");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice::<Value>(&out.stdout)
        .unwrap()
        .as_object()
        .unwrap()
        .clone()
}

#[track_caller]
fn agree(paths: &[PathBuf]) {
    let theirs = botocore(paths);
    let mut failures = Vec::new();
    for p in paths {
        let bytes = std::fs::read(p).unwrap();
        let mine = ours(&bytes);
        let reference = &theirs[p.to_str().unwrap()];
        let same = match (mine.get("error"), reference.get("error")) {
            (Some(_), Some(_)) => true,
            (None, None) => mine == *reference,
            _ => false,
        };
        if !same {
            failures.push(format!(
                "{}\n  input: {:?}\n  keyturn:  {mine}\n  botocore: {reference}",
                p.display(),
                String::from_utf8_lossy(&bytes)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} disagreement(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn fixtures_match_botocore_and_round_trip() {
    let dir = common::repo().join("tests/fixtures/files");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    assert!(paths.len() >= 10, "fixtures missing in {}", dir.display());
    agree(&paths);
}

/// Deterministic xorshift so a failure names a reproducible file.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[(self.next() % xs.len() as u64) as usize]
    }
}

fn generated_file(rng: &mut Rng) -> String {
    let ws = [
        "", "", "", " ", "  ", "\t", " \t", "\u{a0}", "\u{3000}", "\u{1c}",
    ];
    let words = [
        "default",
        "dev",
        "DEFAULT",
        "profile dev",
        "aws_access_key_id",
        "AWS_SECRET_ACCESS_KEY",
        "region",
        "us-east-1",
        "AKIAEXAMPLE",
        "a=b",
        "x:y",
        "#",
        ";",
        "[",
        "]",
        "s3",
        "k",
        "K",
        "v",
        "",
        "\"quoted\"",
        "a b",
        "é",
        // Keys of botocore's credential chain.
        "role_arn",
        "source_profile",
        "credential_source",
        "web_identity_token_file",
        "sso_session",
        "sso_account_id",
        "credential_process",
        "aws_session_token",
    ];
    // Lines of a nested block (after `key =`): good, bad (no `=`, or only
    // `:`), blank.
    let nested = [
        "addressing_style = path",
        "max_attempts=3",
        "use_accelerate_endpoint = true",
        "payload_signing_enabled= false",
        "a=b",
        "x = y = z",
        "bad_syntax @ s3v4",
        "k: v",
        "",
        "a=b\u{1c}c",
    ];
    let ends = ["\n", "\n", "\n", "\r\n", "\r", ""];
    let mut out = String::new();
    let lines = rng.next() % 14;
    for i in 0..lines {
        let (w1, w2, w3) = (rng.pick(&ws), rng.pick(&words), rng.pick(&words));
        let body = match rng.next() % 11 {
            10 => {
                // A nested block: `key =`, then indented lines.
                let mut b = format!("{} =", rng.pick(&["s3", "S3", "k", "dynamodb"]));
                for _ in 0..1 + rng.next() % 3 {
                    b.push_str(&format!("\n{}  {}", rng.pick(&ws), rng.pick(&nested)));
                }
                b
            }
            0 | 1 => format!("[{w2}]"),
            2..=4 => format!("{w2}{}={}{w3}", rng.pick(&ws), rng.pick(&ws)),
            5 => format!("{w2} : {w3}"),
            6 => format!("{} {w2}", rng.pick(&["#", ";"])),
            7 => String::new(),
            8 => w2.to_string(),
            _ => format!("[{w2}] {w3}"),
        };
        let end = if i + 1 == lines {
            rng.pick(&ends)
        } else {
            rng.pick(&ends[..5])
        };
        out.push_str(&format!("{w1}{body}{}{end}", rng.pick(&ws[..4])));
    }
    out
}

#[test]
fn generated_files_match_botocore() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut paths = Vec::new();
    for i in 0..900 {
        let p = dir.path().join(format!("gen-{i:04}.ini"));
        std::fs::write(&p, generated_file(&mut rng)).unwrap();
        paths.push(p);
    }
    // Most generated files must parse, or the test would only compare
    // error flags.
    let ok = paths
        .iter()
        .filter(|p| {
            Document::parse_bytes(&std::fs::read(p).unwrap()).is_ok_and(|d| d.problems().is_empty())
        })
        .count();
    assert!(ok > 150, "only {ok} generated files parse cleanly");
    // And nested blocks, good and bad, are among them.
    let docs: Vec<Document> = paths
        .iter()
        .filter_map(|p| Document::parse_bytes(&std::fs::read(p).unwrap()).ok())
        .collect();
    let bad_nested = docs
        .iter()
        .filter(|d| {
            d.problems()
                .iter()
                .any(|p| matches!(p, keyturn::ini::Problem::NestedSyntax { .. }))
        })
        .count();
    let good_nested = docs
        .iter()
        .filter(|d| d.problems().is_empty())
        .filter(|d| {
            d.sections()
                .iter()
                .flat_map(|s| &s.entries)
                .any(|e| e.value.starts_with('\n'))
        })
        .count();
    assert!(
        bad_nested > 10 && good_nested > 10,
        "nested: {bad_nested} bad, {good_nested} good"
    );
    agree(&paths);
}

/// One section of a generated profile: a random mix of botocore's
/// credential-chain keys.
fn generated_profile(rng: &mut Rng, name: &str, n: usize) -> String {
    let mut out = String::new();
    let mut has = |k: u64| rng.next() % 100 < k;
    let (id_p, secret_p) = (has(75), has(75));
    let lines = [
        (id_p, format!("aws_access_key_id = AKIAGEN{n:013}")),
        (
            secret_p,
            "aws_secret_access_key = gensecretgensecretgensecret".into(),
        ),
        (has(10), "aws_session_token = tok".into()),
        (
            has(20),
            "role_arn = arn:aws:iam::123456789012:role/r".into(),
        ),
        (
            has(25),
            format!("source_profile = {}", ["base", "default", "nope"][n % 3]),
        ),
        (has(20), "credential_source = Environment".into()),
        (
            has(10),
            "web_identity_token_file = /nonexistent/token".into(),
        ),
        (has(10), "sso_session = corp".into()),
        (has(10), "sso_account_id = 123456789012".into()),
        (has(5), "sso_role_name = r".into()),
        (
            has(10),
            "sso_start_url = https://example.invalid/start".into(),
        ),
        (has(10), "credential_process = /nonexistent/process".into()),
        (has(15), "s3 =\n    addressing_style = path".into()),
        (has(5), "s3 =\n    bad_syntax @ s3v4".into()),
        (has(20), "region = us-west-2".into()),
    ];
    out.push_str(&format!("[{name}]\n"));
    for (on, line) in lines {
        if on {
            out.push_str(&line);
            out.push('\n');
        }
    }
    out
}

/// keyturn's answer for a profile, in the oracle's words: the file provider
/// that serves it, or the refusal's code.
fn our_resolution(
    files: &keyturn::profile::Files,
    profile: &str,
) -> Result<(String, String), String> {
    use keyturn::profile::{resolve, FileKind};
    match resolve(files, profile) {
        Ok(k) => Ok((
            match k.home.file {
                FileKind::Credentials => "shared-credentials-file".into(),
                FileKind::Config => "config-file".into(),
                // The files' resolution never names a keyring.
                FileKind::Keystore => "keyring".into(),
            },
            k.access_key_id.clone(),
        )),
        Err(r) => Err(r.code().to_string()),
    }
}

/// Which provider botocore's chain serves each profile from, against
/// keyturn's resolution: keyturn rotates exactly the key the AWS CLI would
/// sign with, and refuses every profile the AWS CLI serves from a role,
/// SSO, web identity or a process (or cannot serve at all).
#[test]
fn generated_profiles_resolve_as_botocore_chooses() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let names = ["default", "dev", "base"];
    let mut cases = Vec::new();
    let mut texts = Vec::new();
    for i in 0..250 {
        let (mut creds, mut conf) = (String::new(), String::new());
        if rng.next().is_multiple_of(5) {
            creds.push_str(&generated_profile(&mut rng, "DEFAULT", i * 10));
        }
        for (j, name) in names.iter().enumerate() {
            let n = i * 10 + j + 1;
            match rng.next() % 4 {
                0 => creds.push_str(&generated_profile(&mut rng, name, n)),
                1 => {
                    let section = if *name == "default" {
                        "default".to_string()
                    } else {
                        format!("profile {name}")
                    };
                    conf.push_str(&generated_profile(&mut rng, &section, n));
                }
                2 => {
                    creds.push_str(&generated_profile(&mut rng, name, n));
                    let section = if *name == "default" {
                        "default".to_string()
                    } else {
                        format!("profile {name}")
                    };
                    conf.push_str(&generated_profile(&mut rng, &section, n + 5));
                }
                _ => {}
            }
        }
        let c = dir.path().join(format!("{i:03}-credentials"));
        let f = dir.path().join(format!("{i:03}-config"));
        std::fs::write(&c, &creds).unwrap();
        std::fs::write(&f, &conf).unwrap();
        cases.push(json!({
            "credentials": c, "config": f,
            "profiles": ["default", "dev", "base", "missing"],
        }));
        texts.push((c, f, creds, conf));
    }
    let mut child = Command::new(common::python())
        .arg(common::repo().join("tests/support/botocore_provider.py"))
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_DEFAULT_PROFILE")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run botocore_provider.py");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin
            .write_all(Value::Array(cases).to_string().as_bytes())
            .unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let theirs: Vec<Map<String, Value>> = serde_json::from_slice(&out.stdout).unwrap();

    let mut failures = Vec::new();
    let mut served = 0;
    for ((c, f, creds, conf), answers) in texts.iter().zip(&theirs) {
        let (cd, fd) = (Document::parse(creds), Document::parse(conf));
        let files = keyturn::profile::Files {
            credentials: Some(&cd),
            credentials_path: c,
            config: Some(&fd),
            config_path: f,
        };
        for (profile, theirs) in answers {
            let mine = our_resolution(&files, profile);
            let method = theirs.get("method").and_then(Value::as_str);
            let file_served = matches!(method, Some("shared-credentials-file" | "config-file"))
                && theirs["token"] == false;
            let ok = match &mine {
                Ok((m, id)) => {
                    served += 1;
                    file_served && method == Some(m.as_str()) && theirs["access_key"] == id.as_str()
                }
                // Refused on purpose although the AWS CLI would sign with
                // it: the key is [DEFAULT]'s (rotating it rewrites every
                // heir) or a value keyturn cannot replace byte-exactly.
                Err(code) if code == "inherited_from_default" || code == "value_not_a_token" => {
                    true
                }
                Err(code) => {
                    let want = match code.as_str() {
                        "role_profile" => Some("assume-role"),
                        "web_identity_profile" => Some("assume-role-with-web-identity"),
                        "sso_profile" => Some("sso"),
                        "credential_process_profile" => Some("custom-process"),
                        "temporary_credentials" => method,
                        _ => None,
                    };
                    // Either botocore refuses too (an error, or nothing
                    // serves it) or it uses the provider keyturn named.
                    !file_served && (method.is_none() || method == want)
                }
            };
            if !ok {
                failures.push(format!(
                    "profile {profile}: keyturn {mine:?}, botocore {theirs}\n--- credentials\n{creds}--- config\n{conf}"
                ));
            }
        }
    }
    assert!(
        served > 50,
        "only {served} generated profiles are rotatable"
    );
    assert!(
        failures.is_empty(),
        "{} disagreement(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}
