//! Quoting a word for POSIX `/bin/sh`, written once: printed commands
//! (`schedule`'s, `audit`'s fix hints) and the words the schedule renders
//! into systemd and cron lines share one notion of a safe bare word.
//!
//! Invariant: `sh -c "printf %s <word>"` prints the original text for
//! every word [`sh_word`] returns.

/// Characters a word may hold and stay bare in `/bin/sh` (besides ASCII
/// letters and digits): none of them is special to the shell's parser.
const SAFE: &str = "-_.@%+=:,/";

/// Non-empty and only [`SAFE`] characters: the word needs no quotes.
pub fn is_sh_safe(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || SAFE.contains(c))
}

/// One `/bin/sh` word: bare when safe, else single-quoted (a `'` inside
/// becomes `'\''`).
pub fn sh_word(s: &str) -> String {
    if is_sh_safe(s) {
        return s.to_owned();
    }
    format!("'{}'", s.replace('\'', "'\\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_bare_only_when_safe() {
        assert_eq!(
            sh_word("dev-1_a.b@c%d+e=f:g,h/i"),
            "dev-1_a.b@c%d+e=f:g,h/i"
        );
        assert_eq!(sh_word(""), "''");
        assert_eq!(sh_word("my prof"), "'my prof'");
        assert_eq!(sh_word("it's"), r"'it'\''s'");
        assert_eq!(sh_word("$HOME"), "'$HOME'");
        assert!(!is_sh_safe("a*b") && !is_sh_safe("~") && !is_sh_safe("a\nb"));
    }
}
