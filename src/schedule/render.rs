//! The text of a schedule: systemd units, the launchd plist, the Task
//! Scheduler's task XML and the crontab line for a [`Job`], each argument
//! quoted for the format it lands in (systemd `ExecStart=`, plist XML, a
//! Windows command line inside task XML, `/bin/sh` behind cron's `%`
//! rule), and the command an installed file runs, read back for `show`.
//!
//! Pure: strings in, strings out. Every file carries the [`MARKER`]
//! comment so [`super::is_ours`] knows it again.

use super::{
    checked_path, Backend, Invalid, Job, Places, LAUNCHD_LABEL, MARKER, MARKER_TEXT, SYSTEMD_TIMER,
    TASK_NAME,
};
use crate::i18n::tr;
pub use crate::util::quote::sh_word;
use std::path::Path;

/// Bare in `/bin/sh` and holding no `%`, which systemd (specifiers) and
/// cron (newlines) give a meaning of their own.
fn is_bare(s: &str) -> bool {
    crate::util::quote::is_sh_safe(s) && !s.contains('%')
}

/// One word of a systemd `ExecStart=` line: double-quoted when needed,
/// with `%` (specifiers) and `$` (variable expansion) doubled.
pub fn systemd_word(s: &str) -> String {
    if is_bare(s) {
        return s.to_owned();
    }
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '%' => out.push_str("%%"),
            '$' => out.push_str("$$"),
            c if c.is_control() && (c as u32) < 0x80 => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// One `/bin/sh` word inside a crontab command. cron turns an unescaped
/// `%` into a newline and `\%` into `%` (even inside shell quotes), and a
/// backslash right before `%` cannot be expressed; so `%` becomes `\%` and
/// a backslash is written outside the quotes as `\\`, never next to a `%`.
pub fn cron_word(s: &str) -> String {
    if is_bare(s) {
        return s.to_owned();
    }
    let mut out = String::from("'");
    for c in s.chars() {
        match c {
            '\'' => out.push_str("'\\''"),
            '\\' => out.push_str("'\\\\'"),
            '%' => out.push_str("\\%"),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// One argument of a Windows command line as programs built with the
/// Microsoft C runtime (and Rust's std) split it: bare when it has no
/// space, tab or quote; else in quotes, with backslashes doubled before a
/// quote and at the end.
pub fn windows_arg(s: &str) -> String {
    if !s.is_empty() && !s.contains([' ', '\t', '"']) {
        return s.to_owned();
    }
    let mut out = String::from("\"");
    let mut slashes = 0;
    for c in s.chars() {
        if c == '\\' {
            slashes += 1;
            continue;
        }
        // Backslashes count only before a quote: doubled there, plus one
        // for the quote itself.
        let n = if c == '"' { 2 * slashes + 1 } else { slashes };
        out.extend(std::iter::repeat_n('\\', n));
        slashes = 0;
        out.push(c);
    }
    out.extend(std::iter::repeat_n('\\', 2 * slashes));
    out.push('"');
    out
}

/// The Task Scheduler task (registered with `schtasks /Create /XML`):
/// daily at [`Job::daily_slot`], started as soon as possible after a
/// missed start (systemd's Persistent=true), one run at a time, stopped
/// after 30 minutes. It runs only while the user is logged on
/// (`InteractiveToken`) unless [`Job::logged_off`] asks for S4U (run
/// whether logged on or not; no password stored, no network shares).
pub fn task_xml(job: &Job) -> String {
    let (hour, minute) = job.daily_slot();
    let argv = job.argv();
    let command = xml_text(&argv[0]);
    let args: Vec<String> = argv[1..].iter().map(|a| windows_arg(a)).collect();
    let args = xml_text(&args.join(" "));
    let logon = if job.logged_off {
        "S4U"
    } else {
        "InteractiveToken"
    };
    format!(
        r#"<?xml version="1.0" encoding="UTF-16"?>
<!-- {MARKER_TEXT} -->
<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">
  <RegistrationInfo>
    <Description>Rotate AWS IAM access keys older than {age} (keyturn)</Description>
    <URI>\{TASK_NAME}</URI>
  </RegistrationInfo>
  <Triggers>
    <CalendarTrigger>
      <StartBoundary>2000-01-01T{hour:02}:{minute:02}:00</StartBoundary>
      <Enabled>true</Enabled>
      <ScheduleByDay>
        <DaysInterval>1</DaysInterval>
      </ScheduleByDay>
    </CalendarTrigger>
  </Triggers>
  <Principals>
    <Principal id="Author">
      <LogonType>{logon}</LogonType>
      <RunLevel>LeastPrivilege</RunLevel>
    </Principal>
  </Principals>
  <Settings>
    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>
    <DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>
    <StopIfGoingOnBatteries>false</StopIfGoingOnBatteries>
    <StartWhenAvailable>true</StartWhenAvailable>
    <RunOnlyIfNetworkAvailable>true</RunOnlyIfNetworkAvailable>
    <ExecutionTimeLimit>PT30M</ExecutionTimeLimit>
    <Enabled>true</Enabled>
  </Settings>
  <Actions Context="Author">
    <Exec>
      <Command>{command}</Command>
      <Arguments>{args}</Arguments>
    </Exec>
  </Actions>
</Task>
"#,
        age = job.max_age_arg(),
    )
}

/// A task file as Task Scheduler writes one (UTF-16 LE with a BOM), which
/// `schtasks /XML` reads whatever the system's code page.
pub fn utf16_file(text: &str) -> Vec<u8> {
    let mut out = vec![0xFF, 0xFE];
    for u in text.replace('\n', "\r\n").encode_utf16() {
        out.extend(u.to_le_bytes());
    }
    out
}

/// The text of a file [`utf16_file`] wrote (CRLF read back as LF), or of
/// any other file (UTF-8, lossy).
pub fn file_text(bytes: &[u8]) -> String {
    match bytes.strip_prefix(&[0xFF, 0xFE]) {
        Some(rest) => {
            let units: Vec<u16> = rest
                .chunks_exact(2)
                .map(|c| u16::from_le_bytes([c[0], c[1]]))
                .collect();
            String::from_utf16_lossy(&units).replace("\r\n", "\n")
        }
        None => String::from_utf8_lossy(bytes).into_owned(),
    }
}

/// XML character data / attribute text.
pub fn xml_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

pub fn xml_unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}
/// `keyturn-rotate.service`: one non-interactive run, output to the journal.
pub fn systemd_service(job: &Job) -> String {
    let exec: Vec<String> = job.argv().iter().map(|a| systemd_word(a)).collect();
    format!(
        "# {MARKER_TEXT}
[Unit]
Description=Rotate AWS IAM access keys older than {age} (keyturn)
Documentation=man:keyturn(1)

[Service]
Type=oneshot
ExecStart={exec}
StandardInput=null
StandardOutput=journal
StandardError=journal
# 5: every key was younger than --max-age, nothing to do.
SuccessExitStatus=5
# A hung run must not block the next day's.
TimeoutStartSec=30min
",
        age = job.max_age_arg(),
        exec = exec.join(" "),
    )
}

/// `keyturn-rotate.timer`: daily, caught up after downtime, spread over an
/// hour so many machines do not call IAM at once.
pub fn systemd_timer(job: &Job) -> String {
    format!(
        "# {MARKER_TEXT}
[Unit]
Description=Daily check for AWS IAM access keys older than {age} (keyturn)

[Timer]
OnCalendar=daily
Persistent=true
RandomizedDelaySec=1h

[Install]
WantedBy=timers.target
",
        age = job.max_age_arg(),
    )
}

/// The launchd agent: daily at [`Job::daily_slot`] and at load (login),
/// which stands in for systemd's Persistent=true; output appended to `log`.
pub fn launchd_plist(job: &Job, log: &str) -> String {
    let (hour, minute) = job.daily_slot();
    let args: String = job
        .argv()
        .iter()
        .map(|a| format!("\t\t<string>{}</string>\n", xml_text(a)))
        .collect();
    let log = xml_text(log);
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<!-- {MARKER_TEXT} -->
<plist version="1.0">
<dict>
	<key>Label</key>
	<string>{LAUNCHD_LABEL}</string>
	<key>ProgramArguments</key>
	<array>
{args}	</array>
	<key>StartCalendarInterval</key>
	<dict>
		<key>Hour</key>
		<integer>{hour}</integer>
		<key>Minute</key>
		<integer>{minute}</integer>
	</dict>
	<key>RunAtLoad</key>
	<true/>
	<key>ProcessType</key>
	<string>Background</string>
	<key>StandardInPath</key>
	<string>/dev/null</string>
	<key>StandardOutPath</key>
	<string>{log}</string>
	<key>StandardErrorPath</key>
	<string>{log}</string>
</dict>
</plist>
"#
    )
}

/// The crontab line: daily at [`Job::daily_slot`], output appended to
/// `log` (its folder created 0700 first), marked by a trailing comment.
pub fn cron_line(job: &Job, log: &Path) -> Result<String, Invalid> {
    let log_s = checked_path(log, tr("schedule.log_file"))?;
    let dir = log
        .parent()
        .map(|d| checked_path(d, tr("schedule.log_dir")))
        .transpose()?;
    let (hour, minute) = job.daily_slot();
    let cmd: Vec<String> = job.argv().iter().map(|a| cron_word(a)).collect();
    let mkdir = match dir {
        Some(d) => format!("mkdir -p -m 700 {} && ", cron_word(&d)),
        None => String::new(),
    };
    Ok(format!(
        "{minute} {hour} * * * {mkdir}{} </dev/null >>{} 2>&1 # {MARKER} keyturn schedule remove",
        cmd.join(" "),
        cron_word(&log_s),
    ))
}

/// The command an installed file runs, for `show`: the `ExecStart=` line
/// of a unit, a plist's ProgramArguments as a shell line, or a task's
/// command and arguments as its command line.
pub fn installed_command(text: &str) -> Option<String> {
    if let Some(l) = text.lines().find_map(|l| l.strip_prefix("ExecStart=")) {
        return Some(l.to_owned());
    }
    let element = |name: &str| {
        let (_, rest) = text.split_once(&format!("<{name}>"))?;
        rest.split_once(&format!("</{name}>"))
            .map(|(v, _)| xml_unescape(v))
    };
    if let Some(cmd) = element("Command") {
        let args = element("Arguments").unwrap_or_default();
        return Some(
            format!("{} {args}", windows_arg(&cmd))
                .trim_end()
                .to_owned(),
        );
    }
    let (_, rest) = text.split_once("<key>ProgramArguments</key>")?;
    let (array, _) = rest.split_once("</array>")?;
    let words: Vec<String> = array
        .split("<string>")
        .skip(1)
        .filter_map(|s| s.split_once("</string>").map(|(w, _)| xml_unescape(w)))
        .map(|w| sh_word(&w))
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

/// The commands that load and start an installed job.
pub fn start_commands(backend: Backend, places: &Places) -> String {
    let plist = &places.launchd_plist;
    match backend {
        Backend::TaskScheduler => format!(
            "schtasks /Create /TN {TASK_NAME} /XML {} /F",
            windows_arg(&places.task_xml.to_string_lossy())
        ),
        Backend::Systemd => format!(
            "systemctl --user daemon-reload && systemctl --user enable --now {SYSTEMD_TIMER}"
        ),
        Backend::Launchd => format!(
            "launchctl bootstrap gui/$(id -u) {}",
            sh_word(&plist.to_string_lossy())
        ),
        Backend::Cron => "crontab -e".into(),
    }
}
