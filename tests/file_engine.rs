//! The file model against its reference: every fixture and hundreds of
//! generated files are parsed by keyturn and by real botocore (the AWS CLI's
//! reader); both must agree on every section, key and value, and on which
//! files are broken. Round trip `render(parse(s)) == s` holds for all.

mod common;

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
    ];
    let ends = ["\n", "\n", "\n", "\r\n", "\r", ""];
    let mut out = String::new();
    let lines = rng.next() % 14;
    for i in 0..lines {
        let (w1, w2, w3) = (rng.pick(&ws), rng.pick(&words), rng.pick(&words));
        let body = match rng.next() % 10 {
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
    for i in 0..600 {
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
    agree(&paths);
}
