//! Benchmark (not a test) of `keyturn status --offline` on big files: the
//! released binary, run as a user runs it, on 1,000 and 10,000 profiles.
//!
//! Goal (issue 10): linear, 10,000 profiles <= 50 ms. The figures are
//! printed (median of several runs, and the 10k/1k ratio, which is ~10 for
//! a linear command); nothing is asserted about them.
//!
//! Run with `cargo bench --bench status_offline` (release profile).
//!
//! The files: N profiles, three in four in the credentials file and the
//! rest in the config file (`[profile pN]`); one in ten shares its key with
//! the profile before it, so the sharer search has work to do; every
//! twentieth is a role profile (`source_profile`), which is refused.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

const RUNS: usize = 11;

fn files(dir: &Path, n: usize) {
    let (mut creds, mut conf) = (String::new(), String::new());
    for i in 0..n {
        let key = if i % 10 == 9 { i - 1 } else { i };
        let id = format!("AKIABENCH{key:011}");
        if i % 20 == 19 {
            let _ = writeln!(
                conf,
                "[profile p{i}]\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = p0\n"
            );
        } else if i % 4 == 3 {
            let _ = writeln!(
                conf,
                "[profile p{i}]\naws_access_key_id = {id}\naws_secret_access_key = benchsecret{key:029}\nregion = us-west-2\n"
            );
        } else {
            let _ = writeln!(
                creds,
                "[p{i}]\naws_access_key_id = {id}\naws_secret_access_key = benchsecret{key:029}\n"
            );
        }
    }
    std::fs::create_dir_all(dir.join(".aws")).unwrap();
    std::fs::write(dir.join(".aws/credentials"), creds).unwrap();
    std::fs::write(dir.join(".aws/config"), conf).unwrap();
}

/// Median wall time of `status --offline --output json`, in ms.
fn median_ms(home: &Path) -> f64 {
    let mut times: Vec<f64> = (0..RUNS)
        .map(|_| {
            let t = Instant::now();
            let out = Command::new(env!("CARGO_BIN_EXE_keyturn"))
                .args(["status", "--offline", "--output", "json"])
                .env_clear()
                .env("HOME", home)
                .output()
                .expect("run keyturn");
            let ms = t.elapsed().as_secs_f64() * 1e3;
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            ms
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[RUNS / 2]
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let mut figures = Vec::new();
    for n in [1_000, 10_000] {
        let home = dir.path().join(format!("home-{n}"));
        files(&home, n);
        let ms = median_ms(&home);
        println!("status --offline, {n:>6} profiles: median {ms:8.1} ms ({RUNS} runs)");
        figures.push(ms);
    }
    println!(
        "ratio 10k/1k: {:.1} (10 = linear); goal: 10k <= 50 ms",
        figures[1] / figures[0]
    );
}
