//! The text of a schedule: systemd units, the launchd plist and the
//! crontab line for a [`Job`], each argument quoted for the format it
//! lands in (systemd `ExecStart=`, plist XML, `/bin/sh` behind cron's `%`
//! rule), and the command an installed file runs, read back for `show`.
//!
//! Pure: strings in, strings out. Every file carries the [`MARKER`]
//! comment so [`super::is_ours`] knows it again.

use super::{
    checked_path, Backend, Invalid, Job, LAUNCHD_LABEL, MARKER, MARKER_TEXT, SYSTEMD_TIMER,
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
/// of a unit, or a plist's ProgramArguments as a shell line.
pub fn installed_command(text: &str) -> Option<String> {
    if let Some(l) = text.lines().find_map(|l| l.strip_prefix("ExecStart=")) {
        return Some(l.to_owned());
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
pub fn start_commands(backend: Backend, plist: &Path) -> String {
    match backend {
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
