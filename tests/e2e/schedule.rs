//! `keyturn schedule`, `keyturn completions` and `keyturn man`, run as the
//! real binary in a clean environment (temporary HOME and XDG folders, a
//! PATH of our own): the files written, shown and removed, and what is
//! printed. No AWS, no moto, no systemd needed: the backend is named
//! explicitly, or chosen where PATH has no `systemctl`.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

struct Home {
    _tmp: tempfile::TempDir,
    home: PathBuf,
    config: PathBuf,
    state: PathBuf,
    bin: PathBuf,
}

impl Home {
    fn new() -> Home {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().to_path_buf();
        let h = Home {
            home: root.join("home"),
            config: root.join("xdg-config"),
            state: root.join("xdg-state"),
            bin: root.join("bin"),
            _tmp: tmp,
        };
        for d in [&h.home, &h.bin] {
            fs::create_dir_all(d).unwrap();
        }
        h
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_keyturn"))
            .args(args)
            .env_clear()
            .env("HOME", &self.home)
            .env("XDG_CONFIG_HOME", &self.config)
            .env("XDG_STATE_HOME", &self.state)
            .env("PATH", &self.bin)
            .output()
            .unwrap()
    }

    fn units(&self) -> PathBuf {
        self.config.join("systemd/user")
    }

    fn plist(&self) -> PathBuf {
        self.home
            .join("Library/LaunchAgents/dev.keyturn.rotate.plist")
    }

    /// A stand-in program on PATH.
    fn fake(&self, name: &str, script: &str) {
        let p = self.bin.join(name);
        fs::write(&p, format!("#!/bin/sh\n{script}\n")).unwrap();
        fs::set_permissions(&p, fs::Permissions::from_mode(0o755)).unwrap();
    }
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

#[track_caller]
fn expect(o: &Output, want: i32) -> String {
    assert_eq!(
        code(o),
        want,
        "stdout:\n{}\nstderr:\n{}",
        stdout(o),
        String::from_utf8_lossy(&o.stderr)
    );
    stdout(o)
}

/// The path `current_exe()` reports for the binary under test.
fn exe() -> String {
    fs::canonicalize(env!("CARGO_BIN_EXE_keyturn"))
        .unwrap()
        .to_string_lossy()
        .into_owned()
}

/// Every file (not folder) under `dir`.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if fs::symlink_metadata(&p).unwrap().is_dir() {
                out.extend(files_under(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

fn exec_start(service: &str) -> &str {
    service
        .lines()
        .find_map(|l| l.strip_prefix("ExecStart="))
        .expect("an ExecStart= line")
}

#[test]
fn systemd_install_show_remove() {
    let h = Home::new();
    let out = expect(
        &h.run(&[
            "schedule",
            "install",
            "--every",
            "60d",
            "--all",
            "--backend",
            "systemd",
        ]),
        0,
    );
    let service_path = h.units().join("keyturn-rotate.service");
    let timer_path = h.units().join("keyturn-rotate.timer");
    assert!(
        out.contains(&format!("wrote {}", service_path.display())),
        "{out}"
    );
    assert!(out.contains(
        "systemctl --user daemon-reload && systemctl --user enable --now keyturn-rotate.timer"
    ));

    let service = fs::read_to_string(&service_path).unwrap();
    let timer = fs::read_to_string(&timer_path).unwrap();
    assert!(service.starts_with("# keyturn-schedule: "));
    assert!(timer.starts_with("# keyturn-schedule: "));
    let exec = exec_start(&service);
    assert!(exec.contains(&exe()), "{exec}");
    assert!(exec.ends_with(" rotate --max-age 60d --all"), "{exec}");
    for line in [
        "Type=oneshot",
        "StandardInput=null",
        "StandardOutput=journal",
        "SuccessExitStatus=5",
    ] {
        assert!(service.lines().any(|l| l == line), "{line}:\n{service}");
    }
    for line in [
        "OnCalendar=daily",
        "Persistent=true",
        "RandomizedDelaySec=1h",
        "WantedBy=timers.target",
    ] {
        assert!(timer.lines().any(|l| l == line), "{line}:\n{timer}");
    }
    // No secret, no environment: only the command line.
    assert!(!service.contains("Environment"));
    assert!(!service.to_lowercase().contains("secret"));
    // The default AWS files are not named: the job follows HOME.
    assert!(!exec.contains("--credentials-file") && !exec.contains("--config-file"));

    // Installing the same again changes nothing.
    let again = expect(
        &h.run(&[
            "schedule",
            "install",
            "--every",
            "60d",
            "--all",
            "--backend",
            "systemd",
        ]),
        0,
    );
    assert!(again.contains("unchanged"), "{again}");

    let shown = expect(&h.run(&["schedule", "show"]), 0);
    assert!(
        shown.contains("systemd user timer (not enabled)"),
        "{shown}"
    );
    assert!(shown.contains(&service_path.display().to_string()));
    assert!(shown.contains(&format!("runs: {exec}")), "{shown}");

    // What `systemctl --user enable` would leave behind.
    let wants = h.units().join("timers.target.wants");
    fs::create_dir_all(&wants).unwrap();
    std::os::unix::fs::symlink(&timer_path, wants.join("keyturn-rotate.timer")).unwrap();
    let shown = expect(&h.run(&["schedule", "show"]), 0);
    assert!(shown.contains("systemd user timer (enabled)"), "{shown}");

    let removed = expect(&h.run(&["schedule", "remove"]), 0);
    assert!(removed.contains(&format!("removed {}", service_path.display())));
    assert!(removed.contains("systemctl --user stop keyturn-rotate.timer"));
    assert_eq!(files_under(&h.config), Vec::<PathBuf>::new());
    assert!(!wants.exists());

    let shown = expect(&h.run(&["schedule", "show"]), 5);
    assert!(shown.contains("no schedule installed"));
    expect(&h.run(&["schedule", "remove"]), 5);
}

#[test]
fn enable_and_disable_call_the_service_manager() {
    let h = Home::new();
    let log = h.home.join("calls");
    let record = format!("echo \"${{0##*/}} $*\" >> '{}'", log.display());
    h.fake("systemctl", &record);
    h.fake("launchctl", &record);
    h.fake("id", "echo 1234");
    let calls = || {
        let text = fs::read_to_string(&log).unwrap_or_default();
        fs::remove_file(&log).ok();
        text.lines().map(String::from).collect::<Vec<_>>()
    };
    let out = expect(
        &h.run(&[
            "schedule",
            "install",
            "--every",
            "60d",
            "--all",
            "--backend",
            "systemd",
            "--enable",
        ]),
        0,
    );
    assert!(out.contains("enabled"), "{out}");
    assert_eq!(
        calls(),
        [
            "systemctl --user daemon-reload",
            "systemctl --user enable --now keyturn-rotate.timer"
        ]
    );
    expect(
        &h.run(&["schedule", "remove", "--backend", "systemd", "--disable"]),
        0,
    );
    assert_eq!(
        calls(),
        [
            "systemctl --user disable --now keyturn-rotate.timer",
            "systemctl --user daemon-reload"
        ]
    );
    assert!(!h.units().join("keyturn-rotate.timer").exists());

    expect(
        &h.run(&[
            "schedule",
            "install",
            "--every",
            "60d",
            "--all",
            "--backend",
            "launchd",
            "--enable",
        ]),
        0,
    );
    assert_eq!(
        calls(),
        [
            "launchctl bootout gui/1234/dev.keyturn.rotate".to_owned(),
            format!("launchctl bootstrap gui/1234 {}", h.plist().display()),
        ]
    );
    expect(&h.run(&["schedule", "remove", "--disable"]), 0);
    assert_eq!(calls(), ["launchctl bootout gui/1234/dev.keyturn.rotate"]);
    assert!(!h.plist().exists());

    // A failing service manager is reported; the files stay for a retry.
    h.fake("systemctl", "exit 1");
    let o = h.run(&[
        "schedule",
        "install",
        "--every",
        "60d",
        "--all",
        "--backend",
        "systemd",
        "--enable",
    ]);
    expect(&o, 1);
    assert!(String::from_utf8_lossy(&o.stderr).contains("systemctl --user daemon-reload"));
    assert!(h.units().join("keyturn-rotate.timer").exists());
}

#[test]
fn named_profiles_and_files_are_quoted_into_the_unit() {
    let h = Home::new();
    let creds = h.home.join("my creds");
    let out = h.run(&[
        "--credentials-file",
        creds.to_str().unwrap(),
        "schedule",
        "install",
        "--every",
        "90d",
        "--backend",
        "systemd",
        "dev",
        "my prof",
        "100%",
        "dev",
    ]);
    expect(&out, 0);
    let service = fs::read_to_string(h.units().join("keyturn-rotate.service")).unwrap();
    let exec = exec_start(&service);
    assert!(
        exec.ends_with(&format!(
            " rotate --max-age 90d --credentials-file \"{}\" dev \"my prof\" \"100%%\"",
            creds.display()
        )),
        "{exec}"
    );
    assert!(!exec.contains("--config-file"));
}

#[test]
fn default_profile_is_fixed_at_install() {
    let h = Home::new();
    expect(
        &h.run(&[
            "schedule",
            "install",
            "--every",
            "30d",
            "--backend",
            "systemd",
        ]),
        0,
    );
    let service = fs::read_to_string(h.units().join("keyturn-rotate.service")).unwrap();
    assert!(exec_start(&service).ends_with(" rotate --max-age 30d default"));
}

#[test]
fn files_keyturn_did_not_write_are_left_alone() {
    let h = Home::new();
    fs::create_dir_all(h.units()).unwrap();
    let mine = h.units().join("keyturn-rotate.service");
    fs::write(&mine, "[Service]\nExecStart=/bin/true\n").unwrap();
    let out = h.run(&[
        "schedule",
        "install",
        "--every",
        "60d",
        "--all",
        "--backend",
        "systemd",
    ]);
    expect(&out, 3);
    assert!(String::from_utf8_lossy(&out.stderr).contains("not written by keyturn"));
    assert_eq!(
        fs::read_to_string(&mine).unwrap(),
        "[Service]\nExecStart=/bin/true\n"
    );
    assert!(!h.units().join("keyturn-rotate.timer").exists());

    expect(&h.run(&["schedule", "remove"]), 3);
    assert!(mine.exists());
    expect(&h.run(&["schedule", "show"]), 5);
}

#[test]
fn launchd_install_show_remove() {
    let h = Home::new();
    let out = expect(
        &h.run(&[
            "schedule",
            "install",
            "--every",
            "60d",
            "--backend",
            "launchd",
            "dev",
            "a&b",
        ]),
        0,
    );
    assert!(out.contains("launchctl bootstrap gui/$(id -u)"), "{out}");
    let plist = fs::read_to_string(h.plist()).unwrap();
    assert!(plist.contains("<!-- keyturn-schedule: "));
    assert!(plist.contains("<string>dev.keyturn.rotate</string>"));
    let args = format!(
        "<array>\n\t\t<string>{}</string>\n\t\t<string>rotate</string>\n\t\t<string>--max-age</string>\n\t\t<string>60d</string>\n\t\t<string>dev</string>\n\t\t<string>a&amp;b</string>\n\t</array>",
        exe()
    );
    assert!(plist.contains(&args), "{plist}");
    let log = h.state.join("keyturn/rotate.log");
    assert!(plist.contains(&format!(
        "<key>StandardOutPath</key>\n\t<string>{}</string>",
        log.display()
    )));
    assert!(plist.contains("<key>StandardInPath</key>\n\t<string>/dev/null</string>"));
    let log_dir = log.parent().unwrap();
    assert_eq!(
        fs::metadata(log_dir).unwrap().permissions().mode() & 0o777,
        0o700
    );

    let shown = expect(&h.run(&["schedule", "show"]), 0);
    assert!(
        shown.contains("launchd agent dev.keyturn.rotate"),
        "{shown}"
    );
    assert!(shown.contains("rotate --max-age 60d dev 'a&b'"), "{shown}");

    let json = expect(&h.run(&["--output", "json", "schedule", "show"]), 0);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v[0]["backend"], "launchd");
    assert_eq!(v[0]["files"][0], h.plist().to_string_lossy().as_ref());

    let removed = expect(&h.run(&["schedule", "remove"]), 0);
    assert!(removed.contains("launchctl bootout gui/$(id -u)/dev.keyturn.rotate"));
    assert_eq!(files_under(&h.home), Vec::<PathBuf>::new());
    assert!(!log_dir.exists());
    expect(&h.run(&["schedule", "show"]), 5);
}

#[test]
fn cron_prints_a_line_and_writes_nothing() {
    let h = Home::new();
    let out = h.run(&[
        "schedule",
        "install",
        "--every",
        "90d",
        "--backend",
        "cron",
        "dev",
    ]);
    let line = expect(&out, 0);
    let line = line.trim_end();
    assert_eq!(line.lines().count(), 1, "{line}");
    let log = h.state.join("keyturn/rotate.log");
    assert!(
        line.ends_with(&format!(
            "{} rotate --max-age 90d dev </dev/null >>{} 2>&1 # keyturn-schedule: keyturn schedule remove",
            exe(),
            log.display()
        )),
        "{line}"
    );
    let fields: Vec<&str> = line.split(' ').collect();
    let minute: u32 = fields[0].parse().unwrap();
    let hour: u32 = fields[1].parse().unwrap();
    assert!(minute < 60 && (9..18).contains(&hour));
    assert_eq!(fields[2..5], ["*", "*", "*"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("crontab -e"));
    assert_eq!(files_under(&h.home), Vec::<PathBuf>::new());
    assert!(!h.config.exists() && !h.state.exists());

    // Without systemctl on PATH, Linux gets the same line.
    if cfg!(target_os = "linux") {
        let auto = h.run(&["schedule", "install", "--every", "90d", "dev"]);
        assert_eq!(expect(&auto, 0).trim_end(), line);
    }

    // show and remove read the crontab (never edit it).
    h.fake(
        "crontab",
        &format!(
            "printf '%s\\n' '0 1 * * * backup' \"{}\"",
            line.replace('"', "\\\"")
        ),
    );
    let shown = expect(&h.run(&["schedule", "show"]), 0);
    assert!(shown.contains("crontab line"), "{shown}");
    assert!(shown.contains(line), "{shown}");
    let removed = expect(&h.run(&["schedule", "remove"]), 0);
    assert!(removed.contains("crontab -e"), "{removed}");
    h.fake("crontab", "echo 'no crontab for you' >&2; exit 1");
    expect(&h.run(&["schedule", "show"]), 5);
}

/// `--managed`: the job rotates every managed user, signed by the
/// operator's profile (the global `--profile`), as it does for profiles.
#[test]
fn managed_users_get_the_same_daily_job() {
    let h = Home::new();
    let args = [
        "schedule",
        "install",
        "--managed",
        "--every",
        "60d",
        "--backend",
        "cron",
    ];
    let line = expect(&h.run(&args), 0);
    let log = h.state.join("keyturn/rotate.log");
    assert!(
        line.trim_end().ends_with(&format!(
            "{} rotate --max-age 60d --managed </dev/null >>{} 2>&1 # keyturn-schedule: keyturn schedule remove",
            exe(),
            log.display()
        )),
        "{line}"
    );
    let mut with_operator = args.to_vec();
    with_operator.extend(["--profile", "ops"]);
    let line = expect(&h.run(&with_operator), 0);
    assert!(
        line.contains(" rotate --max-age 60d --managed '--profile=ops' </dev/null"),
        "{line}"
    );
    // A profile to rotate, or --all, is not a managed job.
    expect(
        &h.run(&["schedule", "install", "--managed", "--every", "60d", "dev"]),
        2,
    );
    expect(
        &h.run(&[
            "schedule",
            "install",
            "--managed",
            "--all",
            "--every",
            "60d",
        ]),
        2,
    );
}

#[test]
fn bad_arguments_are_usage_errors() {
    let h = Home::new();
    for args in [
        &["schedule", "install", "--every", "12h", "--all"][..],
        &["schedule", "install", "--every", "soon", "--all"],
        &["schedule", "install", "--all"],
        &["schedule", "install", "--every", "60d", "--all", "dev"],
        &[
            "schedule",
            "install",
            "--every",
            "60d",
            "--backend",
            "anacron",
        ],
    ] {
        let o = h.run(args);
        expect(&o, 2);
    }
    assert_eq!(files_under(&h.home), Vec::<PathBuf>::new());
    assert!(!h.config.exists());
}

#[test]
fn completions_for_every_shell() {
    let h = Home::new();
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let out = expect(&h.run(&["completions", shell]), 0);
        assert!(out.len() > 200, "{shell}: {out}");
        assert!(out.contains("rotate"), "{shell}");
        assert!(out.contains("schedule"), "{shell}");
    }
    expect(&h.run(&["completions", "tcsh"]), 2);
}

#[test]
fn man_page_is_roff() {
    let h = Home::new();
    let page = expect(&h.run(&["man"]), 0);
    assert!(page.starts_with(".TH keyturn 1"), "{}", &page[..60]);
    assert!(page.contains(".SH NAME"));
    assert!(page.contains(".SH \"KEYTURN ROTATE\""));
    assert!(page.contains(".SH \"KEYTURN SCHEDULE INSTALL\""));
}
