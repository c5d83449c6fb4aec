//! `type = "dotenv"`: a `.env` file (`path`) as python-dotenv, docker
//! compose and the dotenv libraries read it.
//!
//! Invariants: only the bytes of the two values change: comments, blank
//! lines, order, each line's quoting style (none, `'…'`, `"…"`), spacing
//! around `=` and `export ` prefixes are kept; a name assigned several
//! times has every assignment replaced (the readers take the last); a
//! name not assigned is appended as `NAME=value`. The file is rewritten
//! through [`crate::store::rewrite`] (lock, backup, atomic replace, mode
//! and owner kept, re-applied if another program changed it meanwhile),
//! so it gets the credentials file's refusals too: a FIFO or other
//! non-regular file, a read-only file, another user's file, a file that
//! does not exist (never created). A line that assigns one of the names
//! in a form keyturn cannot edit safely (an unterminated quote) refuses
//! the write before anything is written.

use super::{Ctx, DestError, Destination, DestinationSpec, Mark, Pair};
use crate::store::{self, StoreError};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The settings of a `dotenv` destination.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// The `.env` file; absolute, or `~/…`.
    pub path: PathBuf,
}

impl Spec {
    pub(super) fn validate(&self, spec: &DestinationSpec) -> Result<(), String> {
        if !self.path.is_absolute() {
            return Err(crate::i18n::trf(
                "dest.dotenv_relative",
                &[("path", &self.path.display())],
            ));
        }
        for n in [spec.id_name(), spec.secret_name()] {
            if !is_name(n) {
                return Err(crate::i18n::trf("dest.bad_value_name", &[("name", &n)]));
            }
        }
        Ok(())
    }
}

/// A name a `.env` reader accepts unquoted: letters, digits, `_`, `.`,
/// `-`, not starting with a digit.
fn is_name(n: &str) -> bool {
    !n.is_empty()
        && !n.starts_with(|c: char| c.is_ascii_digit())
        && n.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-')
}

/// An opened `dotenv` destination.
#[derive(Debug)]
pub struct DotenvDest<'s> {
    spec: &'s DestinationSpec,
    path: &'s Path,
}

impl<'s> DotenvDest<'s> {
    pub fn new(spec: &'s DestinationSpec, k: &'s Spec) -> DotenvDest<'s> {
        DotenvDest {
            spec,
            path: &k.path,
        }
    }

    fn file_err(&self) -> impl FnOnce(StoreError) -> DestError + '_ {
        move |source| DestError::File {
            dest: self.describe(),
            source,
        }
    }

    /// The file as it is now; refuses what the credentials file refuses.
    fn read_checked(&self) -> Result<(store::Snapshot, Vec<u8>), DestError> {
        let snap = store::read(self.path).map_err(self.file_err())?;
        let Some(bytes) = snap.bytes.clone() else {
            return Err(self.file_err()(StoreError::Missing {
                path: self.path.to_path_buf(),
            }));
        };
        store::check_writable(&snap.real).map_err(self.file_err())?;
        store::check_owned(&snap.real).map_err(self.file_err())?;
        Ok((snap, bytes))
    }

    fn invalid(&self, detail: String) -> DestError {
        DestError::Invalid {
            dest: self.describe(),
            detail,
        }
    }
}

impl Destination for DotenvDest<'_> {
    fn describe(&self) -> String {
        format!("dotenv {} ({})", self.spec.name, self.path.display())
    }

    async fn preflight(&self, _cx: &Ctx<'_>) -> Result<(), DestError> {
        let (_snap, bytes) = self.read_checked()?;
        let bytes = zeroize::Zeroizing::new(bytes);
        let text = std::str::from_utf8(&bytes)
            .map_err(|_| self.invalid(crate::i18n::tr("dest.dotenv_not_utf8").into()))?;
        // The edit of a dummy pair must succeed: same checks as the write.
        let dummy = crate::secret::Secret::new("x");
        let pair = Pair {
            id_name: self.spec.id_name(),
            key_id: "x",
            secret_name: self.spec.secret_name(),
            secret: &dummy,
        };
        edit(text, &pair).map_err(|e| self.invalid(e))?;
        failpoint("dotenv-after-preflight");
        Ok(())
    }

    async fn write(&self, cx: &Ctx<'_>, pair: &Pair<'_>) -> Result<Mark, DestError> {
        let (snap, bytes) = self.read_checked()?;
        drop(zeroize::Zeroizing::new(bytes));
        let lock = store::lock(&snap.real, cx.lock_wait).map_err(self.file_err())?;
        failpoint("dotenv-after-lock");
        let apply = |bytes: &[u8]| -> Result<Option<Vec<u8>>, String> {
            let text = std::str::from_utf8(bytes)
                .map_err(|_| crate::i18n::tr("dest.dotenv_not_utf8").to_string())?;
            let new = edit(text, pair)?;
            Ok((new != text).then(|| new.into_bytes()))
        };
        store::rewrite(&lock, &snap, cx.keep_backups, &apply)
            .map_err(self.file_err())?
            .map_err(|e| self.invalid(e))?;
        Ok(None)
    }

    async fn confirm(
        &self,
        _cx: &Ctx<'_>,
        pair: &Pair<'_>,
        _mark: &Mark,
    ) -> Result<bool, DestError> {
        let (_snap, bytes) = self.read_checked()?;
        let bytes = zeroize::Zeroizing::new(bytes);
        let Ok(text) = std::str::from_utf8(&bytes) else {
            return Ok(false);
        };
        let values = values(text);
        let last = |name: &str| {
            values
                .iter()
                .rev()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
        };
        Ok(last(pair.id_name) == Some(pair.key_id)
            && last(pair.secret_name) == Some(pair.secret.expose()))
    }
}

/// Test hook: `KEYTURN_FAILPOINT=<name>` aborts the process here (as a
/// kill -9 would); the file's own steps around the rename are
/// [`crate::store`]'s `abort-before-rename:<file>` / `abort-after-rename:<file>`.
fn failpoint(name: &str) {
    if store::failpoint_is(name) {
        std::process::abort();
    }
}

/// One line's assignment: where its value's bytes are.
struct Assignment<'a> {
    name: &'a str,
    /// Byte range of the value inside the text (quotes excluded).
    value: std::ops::Range<usize>,
}

/// Every assignment of `text`, in order. Err when a line assigning a name
/// opens a quote that never closes (keyturn cannot edit it safely);
/// multi-line quoted values of other names are skipped whole.
fn assignments(text: &str) -> Result<Vec<Assignment<'_>>, String> {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < text.len() {
        let line_end = text[pos..].find('\n').map_or(text.len(), |i| pos + i);
        let line = &text[pos..line_end];
        let mut next = line_end + 1;
        if let Some((name, value_at)) = assignment_head(line) {
            let start = pos + value_at;
            let rest = &text[start..];
            match rest.chars().next() {
                Some(q @ ('\'' | '"')) => {
                    let body = start + 1;
                    match closing(&text[body..], q) {
                        Some(len) => {
                            out.push(Assignment {
                                name,
                                value: body..body + len,
                            });
                            let after = body + len + 1;
                            next = text[after..].find('\n').map_or(text.len(), |i| after + i) + 1;
                        }
                        None => {
                            return Err(crate::i18n::trf(
                                "dest.dotenv_unterminated",
                                &[("name", &name)],
                            ))
                        }
                    }
                }
                _ => {
                    // Unquoted: up to an inline ` #` comment, trailing
                    // blanks excluded (python-dotenv's reading).
                    let mut end = line_end;
                    if let Some(i) = text[start..line_end].find(" #") {
                        end = start + i;
                    }
                    if let Some(i) = text[start..line_end].find("\t#") {
                        end = end.min(start + i);
                    }
                    let trimmed = text[start..end].trim_end_matches([' ', '\t', '\r']);
                    out.push(Assignment {
                        name,
                        value: start..start + trimmed.len(),
                    });
                }
            }
        }
        pos = next;
    }
    Ok(out)
}

/// `[export ]NAME[ ]=[ ]`: the name and where the value starts in `line`.
fn assignment_head(line: &str) -> Option<(&str, usize)> {
    let lead = line.len() - line.trim_start_matches([' ', '\t']).len();
    let mut rest = &line[lead..];
    if rest.starts_with('#') {
        return None;
    }
    if let Some(r) = rest.strip_prefix("export") {
        if r.starts_with([' ', '\t']) {
            rest = r.trim_start_matches([' ', '\t']);
        }
    }
    let name_len = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-'))
        .unwrap_or(rest.len());
    if name_len == 0 {
        return None;
    }
    let name = &rest[..name_len];
    let after = rest[name_len..].trim_start_matches([' ', '\t']);
    let after = after.strip_prefix('=')?;
    let value = after.trim_start_matches([' ', '\t']);
    Some((name, line.len() - value.len()))
}

/// The length of a quoted body up to its closing `q` (a `\` escapes the
/// next character inside `"…"`).
fn closing(s: &str, q: char) -> Option<usize> {
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        if escaped {
            escaped = false;
        } else if c == '\\' && q == '"' {
            escaped = true;
        } else if c == q {
            return Some(i);
        }
    }
    None
}

/// The (name, value) pairs as a reader sees them (for confirm).
fn values(text: &str) -> Vec<(String, String)> {
    assignments(text)
        .unwrap_or_default()
        .into_iter()
        .map(|a| (a.name.to_string(), text[a.value].to_string()))
        .collect()
}

/// `text` with both names set to the pair, only the values' bytes
/// changed; a missing name appended. An AWS key id and secret need no
/// quoting or escaping in any of the three styles (letters, digits,
/// `/`, `+`), which is checked so no other value can break a line.
fn edit(text: &str, pair: &Pair<'_>) -> Result<String, String> {
    let wanted = [
        (pair.id_name, pair.key_id),
        (pair.secret_name, pair.secret.expose()),
    ];
    for (_, v) in wanted {
        if !v
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/+=_-.".contains(c))
        {
            return Err(crate::i18n::tr("dest.dotenv_bad_value").into());
        }
    }
    let found = assignments(text)?;
    let mut out = String::with_capacity(text.len() + 128);
    let mut at = 0;
    for a in &found {
        if let Some((_, v)) = wanted.iter().find(|(n, _)| *n == a.name) {
            out.push_str(&text[at..a.value.start]);
            out.push_str(v);
            at = a.value.end;
        }
    }
    out.push_str(&text[at..]);
    for (name, v) in wanted {
        if !found.iter().any(|a| a.name == name) {
            if !out.is_empty() && !out.ends_with('\n') {
                out.push('\n');
            }
            out.push_str(name);
            out.push('=');
            out.push_str(v);
            out.push('\n');
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::Secret;

    fn pair<'a>(s: &'a Secret) -> Pair<'a> {
        Pair {
            id_name: "AWS_ACCESS_KEY_ID",
            key_id: "AKIANEW",
            secret_name: "AWS_SECRET_ACCESS_KEY",
            secret: s,
        }
    }

    #[test]
    fn only_the_values_change() {
        let s = Secret::new("new/Secret+1");
        let text = "# app\nexport AWS_ACCESS_KEY_ID = 'AKIAOLD'  # ci\nOTHER=\"a b\"\n\nAWS_SECRET_ACCESS_KEY=\"old\"\nTAIL=x #c\n";
        let out = edit(text, &pair(&s)).unwrap();
        assert_eq!(
            out,
            "# app\nexport AWS_ACCESS_KEY_ID = 'AKIANEW'  # ci\nOTHER=\"a b\"\n\nAWS_SECRET_ACCESS_KEY=\"new/Secret+1\"\nTAIL=x #c\n"
        );
        let p = pair(&s);
        let v = values(&out);
        assert!(v.contains(&("AWS_ACCESS_KEY_ID".into(), "AKIANEW".into())));
        assert_eq!(edit(&out, &p).unwrap(), out, "idempotent");
    }

    #[test]
    fn unquoted_with_comment_and_missing_names_appended() {
        let s = Secret::new("sec");
        let out = edit("AWS_ACCESS_KEY_ID=AKIAOLD # old\nX=1", &pair(&s)).unwrap();
        assert_eq!(
            out,
            "AWS_ACCESS_KEY_ID=AKIANEW # old\nX=1\nAWS_SECRET_ACCESS_KEY=sec\n"
        );
        assert_eq!(
            edit("", &pair(&s)).unwrap(),
            "AWS_ACCESS_KEY_ID=AKIANEW\nAWS_SECRET_ACCESS_KEY=sec\n"
        );
    }

    #[test]
    fn multiline_values_of_others_are_skipped_and_unterminated_refused() {
        let s = Secret::new("sec");
        let text = "CERT=\"line1\nAWS_ACCESS_KEY_ID=inside\n\"\nAWS_ACCESS_KEY_ID=AKIAOLD\nAWS_SECRET_ACCESS_KEY=old\n";
        let out = edit(text, &pair(&s)).unwrap();
        assert!(out.contains("AWS_ACCESS_KEY_ID=inside\n"), "{out}");
        assert!(out.contains("\nAWS_ACCESS_KEY_ID=AKIANEW\n"), "{out}");
        assert!(edit("AWS_ACCESS_KEY_ID='open\n", &pair(&s)).is_err());
    }

    #[test]
    fn every_assignment_is_replaced_and_crlf_kept() {
        let s = Secret::new("sec");
        let out = edit(
            "AWS_ACCESS_KEY_ID=a\r\nAWS_SECRET_ACCESS_KEY=b\r\nAWS_ACCESS_KEY_ID=c\r\n",
            &pair(&s),
        )
        .unwrap();
        assert_eq!(out, "AWS_ACCESS_KEY_ID=AKIANEW\r\nAWS_SECRET_ACCESS_KEY=sec\r\nAWS_ACCESS_KEY_ID=AKIANEW\r\n");
    }
}
