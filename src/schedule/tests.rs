use super::render::*;
use super::*;
use crate::duration::parse_duration;
use std::process::Command;

fn job(targets: Targets) -> Job {
    Job::new(
        Path::new("/opt/key turn/bin/keyturn"),
        Duration::from_secs(60 * DAY),
        targets,
        None,
        None,
    )
    .unwrap()
}

fn profiles(ps: &[&str]) -> Targets {
    Targets::Profiles(ps.iter().map(|p| p.to_string()).collect())
}

#[test]
fn a_managed_job_runs_rotate_managed_signed_by_its_operator() {
    let j = job(Targets::Managed { operator: None });
    assert_eq!(j.argv()[1..], ["rotate", "--max-age", "60d", "--managed"]);
    let j = job(Targets::Managed {
        operator: Some("-ops".into()),
    });
    assert_eq!(
        j.argv()[1..],
        ["rotate", "--max-age", "60d", "--managed", "--profile=-ops"]
    );
    let day = Duration::from_secs(DAY);
    let bad = Targets::Managed {
        operator: Some("a\nb".into()),
    };
    assert!(Job::new(Path::new("/bin/keyturn"), day, bad, None, None).is_err());
}

#[test]
fn argv_is_exactly_the_rotate_command() {
    let j = job(Targets::All);
    assert_eq!(
        j.argv(),
        [
            "/opt/key turn/bin/keyturn",
            "rotate",
            "--max-age",
            "60d",
            "--all"
        ]
    );
    let j = Job::new(
        Path::new("/bin/keyturn"),
        Duration::from_secs(36 * 3600),
        profiles(&["dev", "prod"]),
        Some(Path::new("/c/creds")),
        Some(Path::new("/c/conf")),
    )
    .unwrap();
    assert_eq!(
        j.argv(),
        [
            "/bin/keyturn",
            "rotate",
            "--max-age",
            "36h",
            "--credentials-file",
            "/c/creds",
            "--config-file",
            "/c/conf",
            "dev",
            "prod"
        ]
    );
    // A profile that looks like a flag stays a profile.
    assert_eq!(
        job(profiles(&["-x"])).argv()[4..],
        ["--".to_string(), "-x".into()]
    );
}

#[test]
fn bad_jobs_are_usage_errors() {
    let ok = Path::new("/bin/keyturn");
    let day = Duration::from_secs(DAY);
    assert!(Job::new(ok, Duration::from_secs(3600), Targets::All, None, None).is_err());
    assert!(Job::new(ok, day, profiles(&[]), None, None).is_err());
    assert!(Job::new(ok, day, profiles(&["a\nb"]), None, None).is_err());
    assert!(Job::new(ok, day, profiles(&[" "]), None, None).is_err());
    assert!(Job::new(Path::new("keyturn"), day, Targets::All, None, None).is_err());
    assert!(Job::new(ok, day, Targets::All, Some(Path::new("rel/creds")), None).is_err());
    assert!(Job::new(ok, day, Targets::All, None, Some(Path::new("/a\tb"))).is_err());
    assert!(Job::new(ok, day, Targets::All, None, None).is_ok());
}

#[test]
fn durations_round_trip_through_parse_duration() {
    for s in ["1d", "60d", "36h", "1441m", "86401s"] {
        let d = parse_duration(s).unwrap();
        assert_eq!(format_duration(d), s);
        assert_eq!(parse_duration(&format_duration(d)).unwrap(), d);
    }
    assert_eq!(format_duration(Duration::from_secs(2 * DAY)), "2d");
}

#[test]
fn systemd_units() {
    let j = job(profiles(&["dev", "my prof", "100%$x\"y\\z"]));
    let s = systemd_service(&j);
    assert!(s.starts_with("# keyturn-schedule: "));
    assert!(s.contains(
        "\nExecStart=\"/opt/key turn/bin/keyturn\" rotate --max-age 60d dev \"my prof\" \"100%%$$x\\\"y\\\\z\"\n"
    ));
    // Each of `want` is a whole line of `text`.
    let has_lines = |text: &str, want: &[&str]| {
        for line in want {
            assert!(text.lines().any(|l| l == *line), "{line} in\n{text}");
        }
    };
    let service = [
        "Type=oneshot",
        "StandardInput=null",
        "StandardOutput=journal",
        "SuccessExitStatus=5",
    ];
    has_lines(&s, &service);
    let t = systemd_timer(&j);
    let timer = [
        "OnCalendar=daily",
        "Persistent=true",
        "RandomizedDelaySec=1h",
        "WantedBy=timers.target",
    ];
    has_lines(&t, &timer);
    assert!(is_ours(&s) && is_ours(&t));
    assert_eq!(
        installed_command(&s).unwrap(),
        s.lines()
            .find_map(|l| l.strip_prefix("ExecStart="))
            .unwrap()
    );
}

#[test]
fn systemd_words() {
    assert_eq!(systemd_word("plain-1.0_x@y:z"), "plain-1.0_x@y:z");
    assert_eq!(systemd_word(""), "\"\"");
    assert_eq!(systemd_word("a;b"), "\"a;b\"");
    assert_eq!(systemd_word("a'b"), "\"a'b\"");
    assert_eq!(systemd_word("%h"), "\"%%h\"");
    assert_eq!(systemd_word("${HOME}"), "\"$${HOME}\"");
    assert_eq!(systemd_word("\u{7}"), "\"\\x07\"");
}

#[test]
fn launchd_plist_escapes_and_is_ours() {
    let j = job(profiles(&["a&b", "<x>", "it's"]));
    let p = launchd_plist(&j, "/h/.local/state/keyturn/rotate.log");
    assert!(p.contains("<string>dev.keyturn.rotate</string>"));
    assert!(p.contains("<string>a&amp;b</string>"));
    assert!(p.contains("<string>&lt;x&gt;</string>"));
    assert!(p.contains("<string>it&apos;s</string>"));
    assert!(p.contains("<string>/dev/null</string>"));
    assert!(p.contains("<key>RunAtLoad</key>\n\t<true/>"));
    assert!(p.contains("<string>/h/.local/state/keyturn/rotate.log</string>"));
    assert!(is_ours(&p));
    // No `--` inside a comment: that is not XML.
    for c in p.split("<!--").skip(1) {
        let body = c.split("-->").next().unwrap();
        assert!(!body.contains("--"), "{body}");
    }
    assert_eq!(
        installed_command(&p).unwrap(),
        // shlex's quoting (util::quote checks every form with /bin/sh).
        "'/opt/key turn/bin/keyturn' rotate --max-age 60d 'a&b' '<x>' \"it's\""
    );
}

/// cron's own rule (cronie's do_command): `\%` is `%`, any other
/// backslash pair is kept, an unescaped `%` ends the command.
fn cron_unescape(s: &str) -> String {
    let mut out = String::new();
    let mut escaped = false;
    for c in s.chars() {
        if escaped {
            if c == '%' {
                out.pop();
            }
            out.push(c);
            escaped = false;
            continue;
        }
        if c == '%' {
            break;
        }
        escaped = c == '\\';
        out.push(c);
    }
    out
}

#[test]
fn cron_words_survive_cron_then_sh() {
    let words = [
        "plain",
        "with space",
        "it's",
        "100%",
        "a\\%b",
        "\\",
        "%\\",
        "'\\'%'",
        "$HOME `x` \"q\"",
        "\\\\%%",
    ];
    let mut script = String::from("printf \\%s\\\\n");
    for w in words {
        script.push(' ');
        script.push_str(&cron_word(w));
    }
    let out = Command::new("/bin/sh")
        .arg("-c")
        .arg(cron_unescape(&script))
        .output()
        .unwrap();
    assert!(out.status.success());
    let got: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    assert_eq!(got, words);
}

#[test]
fn cron_line_shape() {
    let j = job(profiles(&["dev"]));
    let line = cron_line(&j, Path::new("/h/.local/state/keyturn/rotate.log")).unwrap();
    let (hour, minute) = j.daily_slot();
    assert!((9..18).contains(&hour) && minute < 60);
    assert_eq!(
        line,
        format!(
            "{minute} {hour} * * * mkdir -p -m 700 /h/.local/state/keyturn && \
             '/opt/key turn/bin/keyturn' rotate --max-age 60d dev </dev/null \
             >>/h/.local/state/keyturn/rotate.log 2>&1 # keyturn-schedule: keyturn schedule remove"
        )
    );
    assert!(is_ours(&line));
    assert!(!is_ours("0 3 * * * backup.sh # mine"));
    // Same command, same slot; another command likely elsewhere.
    assert_eq!(j.daily_slot(), job(profiles(&["dev"])).daily_slot());
}

#[test]
fn marker_detection() {
    assert!(!is_ours("[Unit]\nDescription=mine\n"));
    assert!(!is_ours("Description=keyturn-schedule: in a value\n"));
    assert!(is_ours("# keyturn-schedule: x\n[Unit]\n"));
    assert!(is_ours("<?xml?>\n<!-- keyturn-schedule: x -->\n"));
}

#[test]
fn backend_choice() {
    assert_eq!(auto_backend("macos", true, true), Backend::Launchd);
    assert_eq!(auto_backend("linux", true, true), Backend::Systemd);
    assert_eq!(auto_backend("linux", true, false), Backend::Cron);
    assert_eq!(auto_backend("linux", false, true), Backend::Cron);
    assert_eq!(auto_backend("freebsd", true, true), Backend::Cron);
}

#[test]
fn places_follow_xdg() {
    let p = Places::new(Path::new("/h"), None, None);
    assert_eq!(p.systemd_dir, Path::new("/h/.config/systemd/user"));
    assert_eq!(
        p.launchd_plist,
        Path::new("/h/Library/LaunchAgents/dev.keyturn.rotate.plist")
    );
    assert_eq!(p.log_file, Path::new("/h/.local/state/keyturn/rotate.log"));
    let p = Places::new(Path::new("/h"), Some("/c".into()), Some("/s".into()));
    assert_eq!(p.systemd_dir, Path::new("/c/systemd/user"));
    assert_eq!(p.log_file, Path::new("/s/keyturn/rotate.log"));
    // Relative XDG values are ignored, as the spec says.
    let p = Places::new(Path::new("/h"), Some("c".into()), Some("s".into()));
    assert_eq!(p.systemd_dir, Path::new("/h/.config/systemd/user"));
    assert_eq!(p.log_file, Path::new("/h/.local/state/keyturn/rotate.log"));
}

/// How the Microsoft C runtime (and Rust's std on Windows) splits a
/// command line: the reference [`windows_arg`] must round-trip through.
fn msvc_split(line: &str) -> Vec<String> {
    let (mut out, mut cur, mut quoted, mut any) = (Vec::new(), String::new(), false, false);
    let chars: Vec<char> = line.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' {
            let n = chars[i..].iter().take_while(|&&c| c == '\\').count();
            i += n;
            if chars.get(i) == Some(&'"') {
                cur.extend(std::iter::repeat_n('\\', n / 2));
                if n % 2 == 1 {
                    cur.push('"');
                    i += 1;
                }
            } else {
                cur.extend(std::iter::repeat_n('\\', n));
            }
            any = true;
            continue;
        }
        match c {
            '"' => {
                quoted = !quoted;
                any = true;
            }
            ' ' | '\t' if !quoted => {
                if any {
                    out.push(std::mem::take(&mut cur));
                    any = false;
                }
            }
            c => {
                cur.push(c);
                any = true;
            }
        }
        i += 1;
    }
    if any {
        out.push(cur);
    }
    out
}

#[test]
fn windows_args_split_back_as_written() {
    let words = [
        "plain",
        "",
        "two words",
        r"C:\Program Files\keyturn\keyturn.exe",
        r#"say "hi""#,
        r"ends\",
        r"ends with space\ ",
        r#"a\"b"#,
        r"\\server\share\creds",
        "tab\there",
    ];
    let line: Vec<String> = words.iter().map(|w| windows_arg(w)).collect();
    assert_eq!(msvc_split(&line.join(" ")), words);
    assert_eq!(windows_arg("rotate"), "rotate");
    assert_eq!(windows_arg(r"C:\a b\"), r#""C:\a b\\""#);
}

fn windows_job(logged_off: bool) -> Job {
    let mut j = Job::new(
        Path::new(r"C:\Users\Ann Lee\bin\keyturn.exe"),
        Duration::from_secs(90 * DAY),
        profiles(&["dev & <prod>", "x"]),
        Some(Path::new(r"C:\Users\Ann Lee\.aws\credentials")),
        None,
    );
    // Windows paths are absolute only on Windows: build it there, or
    // from a Unix path and swap the binary in the argv check below.
    if j.is_err() {
        j = Job::new(
            Path::new("/c/Users/Ann Lee/bin/keyturn.exe"),
            Duration::from_secs(90 * DAY),
            profiles(&["dev & <prod>", "x"]),
            Some(Path::new("/c/Users/Ann Lee/.aws/credentials")),
            None,
        );
    }
    let mut j = j.unwrap();
    j.logged_off = logged_off;
    j
}

#[test]
fn the_task_xml_runs_the_job_daily_only_when_logged_on_unless_asked() {
    let j = windows_job(false);
    let xml = task_xml(&j);
    assert!(is_ours(&xml), "{xml}");
    assert!(
        xml.contains("<LogonType>InteractiveToken</LogonType>"),
        "{xml}"
    );
    assert!(xml.contains("<DaysInterval>1</DaysInterval>"));
    assert!(xml.contains("<StartWhenAvailable>true</StartWhenAvailable>"));
    assert!(xml.contains("<MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>"));
    let (h, m) = j.daily_slot();
    assert!(xml.contains(&format!(
        "<StartBoundary>2000-01-01T{h:02}:{m:02}:00</StartBoundary>"
    )));
    // XML-escaped, Windows-quoted: `show` reads back the exact command.
    assert!(xml.contains("&quot;dev &amp; &lt;prod&gt;&quot;"), "{xml}");
    let argv = j.argv();
    let shown = installed_command(&xml).unwrap();
    assert_eq!(msvc_split(&shown), argv);
    let xml = task_xml(&windows_job(true));
    assert!(xml.contains("<LogonType>S4U</LogonType>"), "{xml}");
}

#[test]
fn the_task_file_is_utf16_and_reads_back() {
    let xml = task_xml(&windows_job(false));
    let bytes = utf16_file(&xml);
    assert_eq!(&bytes[..4], &[0xFF, 0xFE, b'<', 0]);
    assert!(!bytes.windows(4).any(|w| w == [b'\n', 0, b'\n', 0]));
    assert_eq!(file_text(&bytes), xml);
    assert_eq!(file_text(b"plain\n"), "plain\n");
}

#[test]
fn a_percent_in_the_task_command_line_is_refused() {
    let j = Job::new(
        Path::new("/bin/keyturn"),
        Duration::from_secs(90 * DAY),
        profiles(&["%USERNAME%"]),
        None,
        None,
    )
    .unwrap();
    let places = Places::new(Path::new("/h"), None, None);
    assert!(host::unit_files(Backend::TaskScheduler, &j, &places).is_err());
    assert_eq!(
        places.task_xml,
        Path::new("/h/.config/keyturn/keyturn-rotate.xml")
    );
    assert_eq!(
        places.files(Backend::TaskScheduler),
        std::slice::from_ref(&places.task_xml)
    );
    assert_eq!(
        auto_backend("windows", false, false),
        Backend::TaskScheduler
    );
    assert!(start_commands(Backend::TaskScheduler, &places)
        .starts_with("schtasks /Create /TN keyturn-rotate /XML "));
}
