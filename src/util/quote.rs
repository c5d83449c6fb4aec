//! Quoting a word for POSIX `/bin/sh`, written once: printed commands
//! (`schedule`'s, `audit`'s fix hints) and the words the schedule renders
//! into systemd and cron lines share one notion of a safe bare word. The
//! quoting itself is the `shlex` crate's (bare when safe, else single or
//! double quotes, never a backslash, which fish reads differently).
//!
//! Invariant: `sh -c "printf %s <word>"` prints the original text for
//! every word [`sh_word`] returns.

use std::borrow::Cow;

/// A word's text can reach here only from argv, file paths or profile
/// names, none of which can hold a NUL (a process's argv is C strings):
/// the quoter is told to pass one through rather than fail.
fn quoter() -> shlex::Quoter {
    shlex::Quoter::new().allow_nul(true)
}

/// Non-empty and left bare by [`sh_word`]: the word needs no quotes.
pub fn is_sh_safe(s: &str) -> bool {
    matches!(quoter().quote(s), Ok(Cow::Borrowed(_))) && !s.is_empty()
}

/// One `/bin/sh` word: bare when safe, else quoted.
pub fn sh_word(s: &str) -> String {
    quoter()
        .quote(s)
        .map(Cow::into_owned)
        .unwrap_or_else(|_| format!("'{}'", s.replace('\'', "'\\''")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    #[test]
    fn words_are_bare_only_when_safe() {
        assert_eq!(sh_word("dev-1_a.b@c+d:g/i"), "dev-1_a.b@c+d:g/i");
        assert_eq!(sh_word(""), "''");
        assert_eq!(sh_word("my prof"), "'my prof'");
        assert_eq!(sh_word("$HOME"), "'$HOME'");
        assert!(!is_sh_safe("a*b") && !is_sh_safe("~") && !is_sh_safe("a\nb"));
        assert!(!is_sh_safe("") && !is_sh_safe("100%") && !is_sh_safe("a=b"));
    }

    #[test]
    fn sh_reads_back_every_word() {
        let words = [
            "plain",
            "",
            "my prof",
            "it's",
            "a'b\"c",
            "$HOME `x` $(y)",
            "back\\slash",
            "100% a=b,c",
            "~user",
            "tab\there\nnewline",
            "^caret !bang",
            "日本語 プロファイル",
            "-dash",
        ];
        let script: Vec<String> = words
            .iter()
            .map(|w| format!("printf '%s\\0' {}", sh_word(w)))
            .collect();
        let out = Command::new("/bin/sh")
            .arg("-c")
            .arg(script.join("\n"))
            .output()
            .expect("run /bin/sh");
        assert!(out.status.success(), "{out:?}");
        let got: Vec<&[u8]> = out.stdout.split(|b| *b == 0).collect();
        for (i, w) in words.iter().enumerate() {
            assert_eq!(got[i], w.as_bytes(), "{w:?} quoted as {}", sh_word(w));
        }
    }
}
