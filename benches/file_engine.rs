//! Benchmark (not a test) of the file engine: parse + edit + render +
//! atomic write of a 10,000-profile credentials file.
//!
//! Goal (from the issue): median <= 20 ms per rotation of one profile,
//! peak memory <= 30 MB. The figures are printed; nothing is asserted
//! about them, so a slow machine does not turn this into a failing check.
//!
//! Run with `cargo bench --bench file_engine` (release profile).
//!
//! One iteration does what `keyturn rotate` does to the credentials file
//! (src/cmd/rotate.rs, src/rotate.rs): `store::lock`, `store::read`,
//! `Document::parse_bytes`, `profile::resolve`, then `store::rewrite`
//! with the document parsed once, edited (`profile::replace_pair`) and
//! rendered before the write; `rewrite` re-reads the file under the lock
//! and re-parses only if it changed meanwhile; it backs the file up
//! (keeping `KEEP_BACKUPS`) and replaces it atomically with fsyncs.
//!
//! Reported separately:
//! - the full iteration, split into its in-memory share and the rest
//!   (lock, reads, backup, fsyncs, rename);
//! - the pure part alone: parse + resolve + replace_pair + render from
//!   bytes already in memory (one parse);
//! - the write part alone: lock + `store::rewrite` of bytes rendered
//!   beforehand, so the cost of backup + fsync + rename is visible.

use keyturn::ini::Document;
use keyturn::profile::{self, Files};
use keyturn::secret::Secret;
use keyturn::store;
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::{Cell, RefCell};
use std::fmt::Write as _;
use std::hint::black_box;
use std::io::Write as _;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::time::{Duration, Instant};

const PROFILES: usize = 10_000;
/// The profile rotated: near the end, the worst case for the engine's
/// linear section look-ups.
const TARGET_INDEX: usize = 9_973;
const WARMUP: usize = 5;
const MEASURED: usize = 31;
const KEEP_BACKUPS: usize = 3;
const GOAL_MS: f64 = 20.0;
/// 30 MB, counted as 30 * 10^6 bytes (the stricter reading).
const GOAL_BYTES: f64 = 30e6;
const LOCK_WAIT: Duration = Duration::from_secs(5);

/// splitmix64: a deterministic generator, so every run benchmarks the
/// same file.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// True with probability `pct` percent.
    fn pct(&mut self, pct: usize) -> bool {
        self.below(100) < pct
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }

    fn chars(&mut self, alphabet: &[u8], n: usize) -> String {
        (0..n)
            .map(|_| alphabet[self.below(alphabet.len())] as char)
            .collect()
    }
}

const BASE32: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const BASE64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn key_id(rng: &mut Rng) -> String {
    format!("AKIA{}", rng.chars(BASE32, 16))
}

fn secret_key(rng: &mut Rng) -> String {
    rng.chars(BASE64, 40)
}

fn profile_name(i: usize) -> String {
    const TEAMS: &[&str] = &[
        "payments", "search", "infra", "data", "ml", "web", "mobile", "sec", "billing", "ops",
    ];
    const ENVS: &[&str] = &["dev", "staging", "prod", "sandbox", "qa"];
    if i == 0 {
        "default".to_string()
    } else {
        format!(
            "{}-{}-{i:05}",
            TEAMS[i % TEAMS.len()],
            ENVS[(i / TEAMS.len()) % ENVS.len()]
        )
    }
}

/// Statistics of the generated file, for the report.
#[derive(Default)]
struct FileStats {
    lines: usize,
    crlf_profiles: usize,
    comment_lines: usize,
    static_profiles: usize,
    temporary_profiles: usize,
    role_profiles: usize,
    with_region: usize,
}

/// A realistic credentials file: mostly static key pairs, some session
/// tokens and role profiles, regions and outputs, comments, blank lines,
/// varied delimiters and spacing, key case, and some profiles saved with
/// CRLF line endings. Every section is valid for botocore.
fn generate() -> (String, FileStats) {
    const REGIONS: &[&str] = &[
        "us-east-1",
        "us-east-2",
        "us-west-2",
        "eu-west-1",
        "eu-central-1",
        "ap-southeast-2",
        "ap-northeast-1",
        "sa-east-1",
    ];
    // Delimiters as people (and tools) write them.
    const DELIMS: &[&str] = &[
        " = ", " = ", " = ", " = ", "=", " =", "= ", "  =  ", "\t= ", ": ", ":",
    ];
    const OWNERS: &[&str] = &["alice", "bob", "carol", "dan", "erin", "frank", "grace"];

    let mut rng = Rng(0x6b65_7974_7572_6e21);
    let mut s = String::with_capacity(1_400_000);
    let mut st = FileStats::default();
    s.push_str("# AWS shared credentials file\n# Managed by hand and by keyturn.\n\n");
    st.comment_lines += 2;
    for i in 0..PROFILES {
        let nl = if i != TARGET_INDEX && rng.pct(10) {
            st.crlf_profiles += 1;
            "\r\n"
        } else if i == TARGET_INDEX {
            // The rotated profile was saved on Windows: CRLF must survive.
            st.crlf_profiles += 1;
            "\r\n"
        } else {
            "\n"
        };
        let mut lines: Vec<String> = Vec::new();
        if rng.pct(10) {
            lines.push(format!(
                "# owner: {}@example.com, created 20{:02}-{:02}-{:02}",
                rng.pick(OWNERS),
                18 + rng.below(8),
                1 + rng.below(12),
                1 + rng.below(28)
            ));
            st.comment_lines += 1;
        }
        let trailing = if rng.pct(3) { "  " } else { "" };
        lines.push(format!("[{}]{trailing}", profile_name(i)));

        let roll = rng.below(100);
        let kind = if i == 0 || i == TARGET_INDEX || roll < 95 {
            0 // static pair
        } else if roll < 97 {
            1 // temporary credentials
        } else {
            2 // role profile
        };
        let mut body: Vec<String> = Vec::new();
        let upper = rng.pct(2);
        let k = |name: &str| {
            if upper {
                name.to_uppercase()
            } else {
                name.to_string()
            }
        };
        match kind {
            0 | 1 => {
                let d = rng.pick(DELIMS);
                let tail = if rng.pct(4) { " " } else { "" };
                body.push(format!(
                    "{}{d}{}{tail}",
                    k("aws_access_key_id"),
                    key_id(&mut rng)
                ));
                let d = rng.pick(DELIMS);
                body.push(format!(
                    "{}{d}{}",
                    k("aws_secret_access_key"),
                    secret_key(&mut rng)
                ));
                if rng.pct(5) {
                    body.swap(0, 1);
                }
                if kind == 1 {
                    let d = rng.pick(DELIMS);
                    let len = 320 + rng.below(160);
                    body.push(format!(
                        "aws_session_token{d}IQoJb3JpZ2luX2Vj{}",
                        rng.chars(BASE64, len)
                    ));
                    st.temporary_profiles += 1;
                } else {
                    st.static_profiles += 1;
                }
            }
            _ => {
                body.push(format!(
                    "role_arn = arn:aws:iam::{:012}:role/{}",
                    rng.next() % 1_000_000_000_000,
                    rng.pick(&["Admin", "ReadOnly", "Deploy", "Audit"])
                ));
                body.push(format!("source_profile = {}", profile_name(rng.below(i))));
                st.role_profiles += 1;
            }
        }
        if i == TARGET_INDEX || rng.pct(50) {
            let d = rng.pick(DELIMS);
            let line = format!("region{d}{}", rng.pick(REGIONS));
            if rng.pct(30) {
                body.insert(0, line);
            } else {
                body.push(line);
            }
            st.with_region += 1;
        }
        if rng.pct(15) {
            body.push(format!(
                "output = {}",
                rng.pick(&["json", "text", "table", "yaml"])
            ));
        }
        if rng.pct(4) {
            let at = rng.below(body.len() + 1);
            body.insert(at, "; rotated by hand, see ticket OPS-1234".to_string());
            st.comment_lines += 1;
        }
        lines.extend(body);
        // Blank lines between profiles: usually one, sometimes none or two.
        let blanks = match rng.below(10) {
            0 => 0,
            1 => 2,
            _ => 1,
        };
        lines.extend(std::iter::repeat_n(String::new(), blanks));
        for l in &lines {
            s.push_str(l);
            s.push_str(nl);
        }
        st.lines += lines.len();
    }
    st.lines += 3;
    (s, st)
}

/// Counts live heap bytes and their peak, to attribute memory to each part
/// (RSS cannot: the allocator keeps freed pages). The bench is single
/// threaded, so plain loads and stores are enough and cost ~nothing.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(n: usize) {
    let live = LIVE.load(Relaxed) + n;
    LIVE.store(live, Relaxed);
    if live > PEAK.load(Relaxed) {
        PEAK.store(live, Relaxed);
    }
}

fn shrank(n: usize) {
    LIVE.store(LIVE.load(Relaxed).saturating_sub(n), Relaxed);
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        shrank(layout.size());
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            shrank(layout.size());
            grew(new_size);
        }
        p
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// VmRSS and VmHWM of this process, in bytes.
fn mem() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<u64>().ok())
            .map_or(0, |kb| kb * 1024)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// Resets VmHWM to the current RSS (Linux >= 4.0), so the peak measured
/// afterwards belongs to the benchmark, not to generating the file.
fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// Starts a heap measurement: the peak is reset to the live bytes now.
fn heap_mark() -> usize {
    let live = LIVE.load(Relaxed);
    PEAK.store(live, Relaxed);
    live
}

/// Peak live heap since `mark`, above what was live at the mark.
fn heap_since(mark: usize) -> usize {
    PEAK.load(Relaxed).saturating_sub(mark)
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1e6
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// A fresh key pair for iteration `n`, unique over the whole run.
fn new_pair(n: u64) -> (String, Secret) {
    let mut rng = Rng(0x6e65_775f_6b65_7900 ^ n);
    (key_id(&mut rng), Secret::new(secret_key(&mut rng)))
}

struct Ctx {
    path: PathBuf,
    config_path: PathBuf,
    target: String,
    counter: Cell<u64>,
}

impl Ctx {
    fn files<'a>(&'a self, doc: &'a Document) -> Files<'a> {
        Files {
            credentials: Some(doc),
            credentials_path: &self.path,
            config: None,
            config_path: &self.config_path,
        }
    }

    fn next_pair(&self) -> (String, Secret) {
        let n = self.counter.get() + 1;
        self.counter.set(n);
        new_pair(n)
    }
}

/// One timed run of a part: its total, its steps, and the peak live heap
/// it added.
struct Sample {
    total: Duration,
    steps: Vec<Duration>,
    heap: usize,
}

/// Full iteration, as `keyturn rotate` does it. Steps: the in-memory
/// share (one parse, resolve, replace_pair, render, freeing) and the
/// rest (lock, three reads of the file, backup, fsyncs, rename).
fn full_iteration(ctx: &Ctx) -> Sample {
    let (new_id, new_secret) = ctx.next_pair();
    let compute = Cell::new(Duration::ZERO);

    let mark = heap_mark();
    let t0 = Instant::now();
    let real = store::real_path(&ctx.path).expect("real path");
    let lock = store::lock(&real, LOCK_WAIT).expect("lock");
    let snap = store::read(&ctx.path).expect("read");
    let tc = Instant::now();
    let bytes = snap.bytes.as_deref().expect("file exists");
    let mut doc = Document::parse_bytes(bytes).expect("utf-8");
    let key = profile::resolve(&ctx.files(&doc), &ctx.target).expect("rotatable profile");
    // One parse: the edit is applied to the document just parsed and
    // rendered once; `rewrite` only re-parses if the file changed since
    // it was read (the re-apply path), as keyturn's batch write does.
    let n = profile::replace_pair(&mut doc, &key.access_key_id, &new_id, &new_secret, None)
        .expect("edit");
    let prepared = (n > 0).then(|| doc.render().into_bytes());
    drop(doc);
    compute.set(tc.elapsed());
    let edit = |current: &[u8]| -> Result<Option<Vec<u8>>, String> {
        if current == bytes {
            return Ok(prepared.clone());
        }
        let tc = Instant::now();
        let mut doc = Document::parse_bytes(current).map_err(|e| e.to_string())?;
        let n = profile::replace_pair(&mut doc, &key.access_key_id, &new_id, &new_secret, None)
            .map_err(|e| e.to_string())?;
        let out = (n > 0).then(|| doc.render().into_bytes());
        drop(doc);
        compute.set(compute.get() + tc.elapsed());
        Ok(out)
    };
    let out = store::rewrite(&lock, &snap, KEEP_BACKUPS, &edit)
        .expect("store")
        .expect("edit");
    drop(lock);
    let tc = Instant::now();
    black_box(&prepared);
    drop(key);
    drop(prepared);
    drop(snap);
    compute.set(compute.get() + tc.elapsed());
    let total = t0.elapsed();
    let heap = heap_since(mark);

    assert!(!out.unchanged && !out.reapplied && out.backup.is_some());
    let compute = compute.get();
    Sample {
        total,
        steps: vec![compute, total.saturating_sub(compute)],
        heap,
    }
}

/// Pure part: everything in memory, from the bytes of the file, freeing
/// included. Steps: parse, resolve, replace_pair, render, free.
fn pure_iteration(ctx: &Ctx, bytes: &[u8]) -> Sample {
    let (new_id, new_secret) = ctx.next_pair();
    let mark = heap_mark();
    let t0 = Instant::now();
    let mut doc = Document::parse_bytes(bytes).expect("utf-8");
    let t1 = Instant::now();
    let key = profile::resolve(&ctx.files(&doc), &ctx.target).expect("rotatable profile");
    let t2 = Instant::now();
    let n = profile::replace_pair(&mut doc, &key.access_key_id, &new_id, &new_secret, None)
        .expect("edit");
    let t3 = Instant::now();
    let rendered = doc.render();
    black_box(&rendered);
    let t4 = Instant::now();
    drop(rendered);
    drop(key);
    drop(doc);
    let t5 = Instant::now();
    let heap = heap_since(mark);
    assert_eq!(n, 1);
    Sample {
        total: t5 - t0,
        steps: vec![t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4],
        heap,
    }
}

/// Write part: lock + `store::rewrite` (re-read, backup, temp file,
/// fsync, re-check, rename, directory fsync) of bytes rendered beforehand
/// (untimed).
fn write_iteration(ctx: &Ctx) -> Sample {
    let (new_id, new_secret) = ctx.next_pair();
    let snap = store::read(&ctx.path).expect("read");
    let mut doc =
        Document::parse_bytes(snap.bytes.as_deref().expect("file exists")).expect("utf-8");
    let key = profile::resolve(&ctx.files(&doc), &ctx.target).expect("rotatable profile");
    profile::replace_pair(&mut doc, &key.access_key_id, &new_id, &new_secret, None).expect("edit");
    let rendered = RefCell::new(Some(doc.render().into_bytes()));
    drop(doc);
    // Hand the bytes over without copying them inside the timed part.
    let edit = |_: &[u8]| -> Result<Option<Vec<u8>>, String> {
        Ok(Some(
            rendered
                .borrow_mut()
                .take()
                .expect("rewrite called edit once"),
        ))
    };

    let mark = heap_mark();
    let t0 = Instant::now();
    let lock = store::lock(&snap.real, LOCK_WAIT).expect("lock");
    let out = store::rewrite(&lock, &snap, KEEP_BACKUPS, &edit)
        .expect("store")
        .expect("edit");
    drop(lock);
    let total = t0.elapsed();
    let heap = heap_since(mark);
    assert!(!out.unchanged && !out.reapplied);
    Sample {
        total,
        steps: Vec::new(),
        heap,
    }
}

/// Runs a part: warm-up, then measured iterations.
fn run(mut iteration: impl FnMut() -> Sample) -> Vec<Sample> {
    for _ in 0..WARMUP {
        iteration();
    }
    (0..MEASURED).map(|_| iteration()).collect()
}

struct Summary {
    median: f64,
    p10: f64,
    p90: f64,
}

/// Nearest-rank percentiles, in ms.
fn summarize(samples: impl Iterator<Item = Duration>) -> Summary {
    let mut v: Vec<f64> = samples.map(ms).collect();
    v.sort_by(|a, b| a.total_cmp(b));
    let rank = |p: f64| v[((p * v.len() as f64).ceil() as usize).clamp(1, v.len()) - 1];
    Summary {
        median: rank(0.5),
        p10: rank(0.1),
        p90: rank(0.9),
    }
}

fn rows(out: &mut String, samples: &[Sample], total: &str, steps: &[&str]) {
    let mut row = |label: &str, s: Summary| {
        let _ = writeln!(
            out,
            "{label:<58} {:>8.2} {:>8.2} {:>8.2} {:>8.2}x",
            s.median,
            s.p10,
            s.p90,
            s.median / GOAL_MS
        );
    };
    row(total, summarize(samples.iter().map(|s| s.total)));
    for (i, label) in steps.iter().enumerate() {
        row(label, summarize(samples.iter().map(|s| s.steps[i])));
    }
}

fn heap_peak(samples: &[Sample]) -> u64 {
    samples.iter().map(|s| s.heap).max().unwrap_or(0) as u64
}

fn verdict(met: bool) -> &'static str {
    if met {
        "MET"
    } else {
        "NOT MET"
    }
}

fn main() {
    let (rss_start, _) = mem();

    // --- The file -------------------------------------------------------
    let dir = tempfile::Builder::new()
        .prefix("keyturn-bench-")
        .tempdir()
        .expect("tempdir");
    let path = dir.path().join("credentials");
    let (text, stats) = generate();
    let size = text.len();
    let crlf_lines = text.matches("\r\n").count();
    {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)
            .expect("create credentials file");
        f.write_all(text.as_bytes())
            .expect("write credentials file");
        f.sync_all().expect("fsync credentials file");
    }
    drop(text);
    let ctx = Ctx {
        config_path: dir.path().join("config"),
        path,
        target: profile_name(TARGET_INDEX),
        counter: Cell::new(0),
    };
    // Kept for PURE, which works from bytes in memory.
    let bytes = std::fs::read(&ctx.path).expect("read back");
    // The generated-file baseline: the file exists and its bytes are in
    // memory, the engine has not run yet.
    let (rss_file, _) = mem();

    // Setup checks (not goals): the file is what we think it is.
    {
        let doc = Document::parse_bytes(&bytes).expect("utf-8");
        assert!(doc.problems().is_empty(), "{:?}", doc.first_problem());
        assert!(doc.render().as_bytes() == bytes, "round trip");
        assert_eq!(doc.sections().len(), PROFILES);
        assert_eq!(doc.lines().len(), stats.lines);
    }

    // --- Runs -----------------------------------------------------------
    let reset = reset_peak();
    let started = Instant::now();
    let full = run(|| full_iteration(&ctx));
    let pure = run(|| pure_iteration(&ctx, &bytes));
    let write = run(|| write_iteration(&ctx));
    let wall = started.elapsed();
    let (rss_end, hwm_end) = mem();

    // --- After-run checks (not goals) -----------------------------------
    let final_bytes = std::fs::read(&ctx.path).expect("read final");
    let final_doc = Document::parse_bytes(&final_bytes).expect("utf-8");
    let (last_id, _) = new_pair(ctx.counter.get());
    let holds_last = final_doc
        .section(&ctx.target)
        .and_then(|s| s.get(profile::ACCESS_KEY_ID))
        .is_some_and(|e| e.value == last_id);
    let same_size = final_bytes.len() == bytes.len();
    let mode = std::fs::metadata(&ctx.path)
        .map(|m| m.permissions().mode() & 0o7777)
        .unwrap_or(0);
    let backups = std::fs::read_dir(dir.path().join(store::STATE_DIR).join("backups"))
        .map(|d| d.count())
        .unwrap_or(0);
    let leftovers = std::fs::read_dir(dir.path())
        .map(|d| {
            d.filter_map(Result::ok)
                .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
                .count()
        })
        .unwrap_or(0);

    // --- Report ---------------------------------------------------------
    let full_median = summarize(full.iter().map(|s| s.total)).median;
    let mut out = String::new();
    let _ = writeln!(out, "keyturn file engine benchmark");
    let _ = writeln!(
        out,
        "file: {PROFILES} profiles ({} static, {} temporary, {} role; {} with region), {} lines, {size} bytes ({:.2} MB)",
        stats.static_profiles,
        stats.temporary_profiles,
        stats.role_profiles,
        stats.with_region,
        stats.lines,
        mb(size as u64),
    );
    let _ = writeln!(
        out,
        "      {} comment lines, {} profiles ({crlf_lines} lines) with CRLF, mode 0600, in {}",
        stats.comment_lines,
        stats.crlf_profiles,
        dir.path().display()
    );
    let _ = writeln!(
        out,
        "rotated profile: [{}] (section {} of {PROFILES}); keep_backups = {KEEP_BACKUPS}",
        ctx.target,
        TARGET_INDEX + 1,
    );
    let _ = writeln!(
        out,
        "iterations: {WARMUP} warm-up + {MEASURED} measured per part; wall time {:.2} s",
        wall.as_secs_f64()
    );
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "{:<58} {:>8} {:>8} {:>8} {:>9}",
        "time per iteration (ms)", "median", "p10", "p90", "med/20ms"
    );
    rows(
        &mut out,
        &full,
        "FULL: lock+read+parse+resolve+edit+render+rewrite",
        &[
            "  in-memory share (parse, resolve, edit, render, frees)",
            "  rest: lock, 3 reads, backup, fsyncs, rename",
        ],
    );
    rows(
        &mut out,
        &pure,
        "PURE: parse+resolve+replace_pair+render+free (1 parse)",
        &[
            "  parse_bytes",
            "  resolve",
            "  replace_pair",
            "  render",
            "  free (drop document, rendered text, key)",
        ],
    );
    rows(
        &mut out,
        &write,
        "WRITE: lock+rewrite of rendered bytes (backup+fsync)",
        &[],
    );
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "memory (VmRSS/VmHWM from /proc/self/status; MB = 10^6 bytes)"
    );
    let _ = writeln!(
        out,
        "  RSS at start:                             {:>6.2} MB",
        mb(rss_start)
    );
    let _ = writeln!(
        out,
        "  RSS with the generated file (baseline):   {:>6.2} MB (includes its {:.2} MB of bytes, kept for PURE)",
        mb(rss_file),
        mb(bytes.len() as u64)
    );
    let _ = writeln!(
        out,
        "  peak RSS over all runs (VmHWM):           {:>6.2} MB{}",
        mb(hwm_end),
        if reset {
            " (peak reset by clear_refs after setup)"
        } else {
            " (peak could not be reset: includes setup)"
        }
    );
    let _ = writeln!(
        out,
        "  RSS after the runs:                       {:>6.2} MB",
        mb(rss_end)
    );
    let _ = writeln!(
        out,
        "  peak - RSS at start:                      {:>6.2} MB",
        mb(hwm_end.saturating_sub(rss_start))
    );
    let _ = writeln!(
        out,
        "  peak - generated-file baseline:           {:>6.2} MB (attributable to the engine)",
        mb(hwm_end.saturating_sub(rss_file))
    );
    let _ = writeln!(
        out,
        "  peak live heap added by one iteration:    FULL {:.2} MB, PURE {:.2} MB, WRITE {:.2} MB",
        mb(heap_peak(&full)),
        mb(heap_peak(&pure)),
        mb(heap_peak(&write)),
    );
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "checks: final file parses with the last new key in [{}]: {holds_last}; size unchanged: {same_size}; mode {mode:04o}; backups kept: {backups}; temp files left: {leftovers}",
        ctx.target
    );
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "goal: median full iteration <= {GOAL_MS} ms: {} ({full_median:.2} ms, {:.2}x of goal)",
        verdict(full_median <= GOAL_MS),
        full_median / GOAL_MS
    );
    let _ = writeln!(
        out,
        "goal: peak memory <= 30 MB: {} (peak RSS {:.2} MB, {:.2}x of goal; engine delta {:.2} MB)",
        verdict(hwm_end as f64 <= GOAL_BYTES),
        mb(hwm_end),
        hwm_end as f64 / GOAL_BYTES,
        mb(hwm_end.saturating_sub(rss_file))
    );
    print!("{out}");
}
