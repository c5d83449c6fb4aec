//! Text that came from files (profile and section names, paths, hook
//! output) made safe to print on a terminal.
//!
//! Invariant: the result holds no C0 control character (U+0000..U+001F,
//! except `\n` where the caller keeps line breaks), no DEL (U+007F) and no
//! C1 control (U+0080..U+009F), so nothing a file says can move the
//! cursor, retitle the window or rewrite what the user already saw. Each
//! such character is shown as a visible `\xNN` / `\u{NN}` escape instead,
//! so the user can still tell what the file holds. Pure: no I/O.

use std::borrow::Cow;

fn is_unsafe(c: char) -> bool {
    c.is_control()
}

fn escape_into(out: &mut String, c: char) {
    let n = u32::from(c);
    if n < 0x80 {
        out.push_str(&format!("\\x{n:02x}"));
    } else {
        out.push_str(&format!("\\u{{{n:x}}}"));
    }
}

/// One line of file-derived text: every control character, line breaks
/// included, is replaced by a visible escape.
pub fn clean(s: &str) -> Cow<'_, str> {
    clean_with(s, false)
}

/// A whole message (possibly several lines): like [`clean`] but `\n` is
/// kept, since catalogue messages may span lines.
pub fn clean_text(s: &str) -> Cow<'_, str> {
    clean_with(s, true)
}

fn clean_with(s: &str, keep_newline: bool) -> Cow<'_, str> {
    let bad = |c: char| is_unsafe(c) && !(keep_newline && c == '\n');
    if !s.chars().any(bad) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if bad(c) {
            escape_into(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed_unchanged() {
        assert!(matches!(clean("dev [profile x] 開発"), Cow::Borrowed(_)));
        assert_eq!(clean_text("a\nb"), "a\nb");
    }

    #[test]
    fn osc_title_and_csi_are_neutralised() {
        let evil = "ok\x1b]0;pwned\x07\x1b[2J\u{9b}31m\x7f\x00\t";
        let c = clean(evil);
        assert_eq!(c, "ok\\x1b]0;pwned\\x07\\x1b[2J\\u{9b}31m\\x7f\\x00\\x09");
        assert!(!c.chars().any(char::is_control));
    }

    #[test]
    fn newline_is_escaped_in_a_name_and_kept_in_a_message() {
        assert_eq!(clean("a\nb\r"), "a\\x0ab\\x0d");
        assert_eq!(clean_text("a\nb\r"), "a\nb\\x0d");
    }

    #[test]
    fn no_control_character_survives_any_input() {
        for n in 0u32..0x200 {
            let Some(c) = char::from_u32(n) else { continue };
            let s = format!("x{c}y");
            assert!(!clean(&s).chars().any(char::is_control), "{n:#x}");
            assert!(
                !clean_text(&s).chars().any(|c| c.is_control() && c != '\n'),
                "{n:#x}"
            );
        }
    }
}
