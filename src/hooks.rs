//! Running the hooks the settings file ([`crate::settings`]) defines:
//! commands that carry a new key to other places (CI secrets, other
//! machines) after it is verified and before the old key is retired.
//!
//! Invariants: a hook gets the secret only as JSON on its stdin, never in
//! its argv or environment; its stdout and stderr are captured and passed
//! to keyturn's stderr line by line with every secret of the rotation
//! masked (also URL-encoded, JSON-escaped or base64-encoded) and control
//! characters escaped, so `--output json` stays clean and no secret
//! reaches cron mail or journald; a line is cut at [`MAX_LINE`] bytes; a
//! hook that fails or times out stops the rotation before the old key is
//! retired.
//!
//! Trust: hooks run as the caller with the new secret, so the settings
//! file and its folder must be owned by the caller (or root) and not
//! writable by group or others (ssh's rule for its config), else every
//! command refuses ([`crate::settings::settings_trust`]).
//!
//! Each hook leads its own process group; when it exits, times out, or
//! keyturn gets SIGINT/SIGTERM ([`crate::signals`]), the whole group is
//! killed, so nothing a hook started outlives it; a daemon that left the
//! group (`setsid`) and holds the hook's output is read for at most
//! [`DRAIN_AFTER_EXIT`] more, so it cannot hold keyturn (and its lock).

use crate::i18n::trf;
use crate::secret::Secret;
use serde::Deserialize;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt};

/// A program and its arguments, or one string for `/bin/sh -c`.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(untagged)]
pub enum CommandSpec {
    Argv(Vec<String>),
    Shell(String),
}

/// A validated hook.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hook {
    pub name: String,
    pub profiles: Vec<String>,
    pub command: CommandSpec,
    pub timeout: Duration,
}

impl Hook {
    pub fn serves(&self, profile: &str) -> bool {
        self.profiles.is_empty() || self.profiles.iter().any(|p| p == profile)
    }
}

/// What a hook is told about the rotation.
pub struct HookInput<'a> {
    pub profile: &'a str,
    pub profiles: &'a [String],
    pub user_arn: &'a str,
    pub user_name: &'a str,
    pub old_key_id: &'a str,
    pub new_key_id: &'a str,
    pub new_secret: &'a Secret,
    /// Masked out of the hook's output along with `new_secret`.
    pub old_secret: Option<&'a Secret>,
}

/// The longest line of a hook's output passed on; the rest of a longer
/// line is dropped as it is read (a 400 MB line must not be held in
/// memory) and the line is marked as cut.
pub const MAX_LINE: usize = 16 * 1024;

/// How long keyturn still reads a hook's output once the hook has exited
/// (or its timeout killed its group): a daemon it started in a session of
/// its own (`ssh -f`, an ssh control master) escapes the group kill and
/// may hold the pipes for its whole life.
pub const DRAIN_AFTER_EXIT: Duration = Duration::from_secs(2);

/// One line of a hook's output as keyturn shows it: every secret of the
/// rotation replaced by `****` however the hook wrote it
/// ([`crate::secret::redact`]), control characters escaped.
pub fn scrub_line(line: &str, secrets: &[&str]) -> String {
    crate::term::clean(&crate::secret::redact(line, secrets)).into_owned()
}

/// [`scrub_line`] for a line cut after [`MAX_LINE`] bytes, `dropped` more
/// bytes not shown: a secret the cut splits is masked too, then the line
/// is marked.
pub fn scrub_cut_line(line: &str, dropped: u64, secrets: &[&str]) -> String {
    let (kept, split) = match crate::secret::secret_tail(line, secrets) {
        Some(i) => (&line[..i], "****"),
        None => (line, ""),
    };
    let mark = trf("hooks.line_cut", &[("bytes", &dropped)]);
    format!("{}{split}{mark}", scrub_line(kept, secrets))
}

/// Prints one line of a hook's output (`dropped`: bytes cut from it).
fn emit(line: &[u8], dropped: u64, secrets: &[&str]) {
    let text = zeroize::Zeroizing::new(String::from_utf8_lossy(line).into_owned());
    let shown = if dropped == 0 {
        scrub_line(&text, secrets)
    } else {
        scrub_cut_line(&text, dropped, secrets)
    };
    crate::report::err_line(&shown);
}

/// Copies a hook's pipe to keyturn's stderr, line by line, scrubbed, each
/// line at most [`MAX_LINE`] bytes.
async fn pass_through<R: tokio::io::AsyncRead + Unpin>(
    pipe: Option<R>,
    secrets: Vec<zeroize::Zeroizing<String>>,
) {
    let Some(pipe) = pipe else { return };
    let mut reader = tokio::io::BufReader::new(pipe);
    let mut line = zeroize::Zeroizing::new(Vec::new());
    let mut dropped: u64 = 0;
    let refs: Vec<&str> = secrets.iter().map(|s| s.as_str()).collect();
    loop {
        let chunk = match reader.fill_buf().await {
            Ok([]) | Err(_) => break,
            Ok(chunk) => chunk,
        };
        let end = chunk.iter().position(|&b| b == b'\n');
        let part = &chunk[..end.unwrap_or(chunk.len())];
        let room = MAX_LINE.saturating_sub(line.len()).min(part.len());
        line.extend_from_slice(&part[..room]);
        dropped += (part.len() - room) as u64;
        let used = part.len() + usize::from(end.is_some());
        reader.consume(used);
        if end.is_some() {
            emit(&line, dropped, &refs);
            // Zeroed, not only cleared: the line may have held a secret.
            zeroize::Zeroize::zeroize(&mut *line);
            dropped = 0;
        }
    }
    if !line.is_empty() || dropped > 0 {
        emit(&line, dropped, &refs);
    }
}

/// Runs one hook. Err carries a message naming the hook and what failed.
pub async fn run_hook(hook: &Hook, input: &HookInput<'_>) -> Result<(), String> {
    let mut cmd = match &hook.command {
        CommandSpec::Argv(v) => {
            let mut c = tokio::process::Command::new(&v[0]);
            c.args(&v[1..]);
            c
        }
        #[cfg(unix)]
        CommandSpec::Shell(s) => {
            let mut c = tokio::process::Command::new("/bin/sh");
            c.arg("-c").arg(s);
            c
        }
        // cmd.exe parses its own command line: the script goes verbatim.
        #[cfg(windows)]
        CommandSpec::Shell(s) => {
            let mut c = tokio::process::Command::new("cmd.exe");
            c.raw_arg("/d /s /c \"").raw_arg(s).raw_arg("\"");
            c
        }
    };
    cmd.env("KEYTURN_PROFILE", input.profile)
        .env("KEYTURN_PROFILES", input.profiles.join(","))
        .env("KEYTURN_USER_ARN", input.user_arn)
        .env("KEYTURN_USER_NAME", input.user_name)
        .env("KEYTURN_OLD_ACCESS_KEY_ID", input.old_key_id)
        .env("KEYTURN_ACCESS_KEY_ID", input.new_key_id)
        // The shell's own key is not the hook's business.
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env_remove("AWS_SESSION_TOKEN")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true);
    // Its own group, so a timeout or our signal reaches everything it
    // started, not only its first process (a Job Object on Windows).
    #[cfg(unix)]
    cmd.process_group(0);
    let mut child = cmd
        .spawn()
        .map_err(|e| trf("hooks.spawn_failed", &[("name", &hook.name), ("error", &e)]))?;
    #[cfg(unix)]
    let pgid = child.id().and_then(|p| i32::try_from(p).ok()).unwrap_or(0);
    #[cfg(windows)]
    let pgid = child.raw_handle().map_or(0, crate::platform::track_tree);
    crate::signals::group_started(pgid);
    let result = supervise(hook, input, &mut child, pgid).await;
    // Whatever the hook left running dies with it.
    crate::signals::kill_group(pgid);
    crate::signals::group_gone(pgid);
    result
}

async fn supervise(
    hook: &Hook,
    input: &HookInput<'_>,
    child: &mut tokio::process::Child,
    pgid: i32,
) -> Result<(), String> {
    let secrets: Vec<zeroize::Zeroizing<String>> = [Some(input.new_secret), input.old_secret]
        .into_iter()
        .flatten()
        .map(|s| zeroize::Zeroizing::new(s.expose().to_string()))
        .collect();
    let mut out = tokio::spawn(pass_through(child.stdout.take(), secrets.clone()));
    let mut err = tokio::spawn(pass_through(child.stderr.take(), secrets));
    let payload = zeroize::Zeroizing::new(
        serde_json::json!({
            "profile": input.profile,
            "profiles": input.profiles,
            "user_arn": input.user_arn,
            "access_key_id": input.new_key_id,
            "secret_access_key": input.new_secret.expose(),
        })
        .to_string(),
    );
    if let Some(mut stdin) = child.stdin.take() {
        // A hook that ignores its stdin is fine: a broken pipe is not an error.
        let _ = stdin.write_all(payload.as_bytes()).await;
        drop(stdin);
    }
    let status = tokio::time::timeout(hook.timeout, child.wait()).await;
    // Kill the group before draining the pipes: a background process
    // holding them must not keep us (and `$(keyturn ...)`) waiting.
    crate::signals::kill_group(pgid);
    if status.is_err() {
        let _ = child.kill().await;
    }
    // What the hook wrote before it ended is in the pipes: read it, but
    // only briefly, since a daemon that left the group (`setsid`) may hold
    // them open for its whole life while we hold the lock and two keys.
    let drained = tokio::time::timeout(DRAIN_AFTER_EXIT, async {
        let _ = (&mut out).await;
        let _ = (&mut err).await;
    })
    .await;
    if drained.is_err() {
        out.abort();
        err.abort();
        crate::report::warning(&trf("hooks.output_held", &[("name", &hook.name)]));
    }
    match status {
        Err(_) => Err(trf(
            "hooks.timed_out",
            &[("name", &hook.name), ("secs", &hook.timeout.as_secs())],
        )),
        Ok(Err(e)) => Err(trf(
            "hooks.wait_failed",
            &[("name", &hook.name), ("error", &e)],
        )),
        Ok(Ok(status)) if status.success() => Ok(()),
        Ok(Ok(status)) => Err(trf(
            "hooks.failed",
            &[("name", &hook.name), ("status", &status)],
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A rotation of profile `dev` from AKIAOLD to AKIANEW.
    fn input<'a>(
        profiles: &'a [String],
        new_secret: &'a Secret,
        old_secret: Option<&'a Secret>,
    ) -> HookInput<'a> {
        HookInput {
            profile: "dev",
            profiles,
            user_arn: "arn:aws:iam::1:user/u",
            user_name: "u",
            old_key_id: "AKIAOLD",
            new_key_id: "AKIANEW",
            new_secret,
            old_secret,
        }
    }

    /// A hook for every profile running `command` with `/bin/sh -c`.
    fn shell_hook(name: &str, command: String, timeout_secs: u64) -> Hook {
        Hook {
            name: name.into(),
            profiles: vec![],
            command: CommandSpec::Shell(command),
            timeout: Duration::from_secs(timeout_secs),
        }
    }

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    }

    #[test]
    fn hook_gets_secret_on_stdin_only() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let command = format!(
            "cat > {0}.stdin; env > {0}.env; echo \"$@\" > {0}.args",
            out.display()
        );
        let hook = shell_hook("t", command, 10);
        let secret = Secret::new("s3cr3t-value");
        let profiles = ["dev".to_string()];
        let input = input(&profiles, &secret, None);
        let rt = runtime();
        rt.block_on(run_hook(&hook, &input)).unwrap();
        let stdin = std::fs::read_to_string(format!("{}.stdin", out.display())).unwrap();
        let v: serde_json::Value = serde_json::from_str(&stdin).unwrap();
        assert_eq!(v["secret_access_key"], "s3cr3t-value");
        let env = std::fs::read_to_string(format!("{}.env", out.display())).unwrap();
        assert!(env.contains("KEYTURN_ACCESS_KEY_ID=AKIANEW") && !env.contains("s3cr3t"));
        let failing = Hook {
            command: CommandSpec::Argv(vec!["false".into()]),
            ..hook
        };
        let err = rt.block_on(run_hook(&failing, &input)).unwrap_err();
        assert!(err.contains("hook `t` failed"), "{err}");
    }

    #[test]
    fn output_lines_are_scrubbed() {
        assert_eq!(
            scrub_line(
                "got s3cr3t and old0ld \x1b]0;t\x07",
                &["s3cr3t", "old0ld", ""]
            ),
            "got **** and **** \\x1b]0;t\\x07"
        );
    }

    #[test]
    fn hook_group_dies_with_the_hook_and_output_is_masked() {
        let dir = tempfile::tempdir().unwrap();
        let pidfile = dir.path().join("bg.pid");
        // Backgrounds a sleeper that holds the output pipe, echoes its
        // input (the secret), and exits at once.
        let command = format!("sleep 1000 & echo $! > {}; cat", pidfile.display());
        let hook = shell_hook("bg", command, 600);
        let secret = Secret::new("s3cr3t-value");
        let old = Secret::new("old-secret");
        let profiles = ["dev".to_string()];
        let input = input(&profiles, &secret, Some(&old));
        let rt = runtime();
        // Returns although the sleeper still held the pipes: its group
        // was killed when the hook exited.
        rt.block_on(run_hook(&hook, &input)).unwrap();
        let pid: i32 = std::fs::read_to_string(&pidfile)
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        assert!(!alive(pid), "the background process must be gone");
    }

    /// Alive and not a zombie (a zombie is dead, awaiting its reaper).
    fn alive(pid: i32) -> bool {
        for _ in 0..600 {
            match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
                Err(_) => return false,
                Ok(s)
                    if s.rsplit(')')
                        .next()
                        .is_some_and(|r| r.trim_start().starts_with('Z')) =>
                {
                    return false
                }
                Ok(_) => std::thread::sleep(Duration::from_millis(50)),
            }
        }
        true
    }
}
