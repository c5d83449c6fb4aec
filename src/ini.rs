//! A lossless model of the AWS shared credentials and config files.
//!
//! The reference is botocore (the AWS CLI and boto3), which reads both files
//! with Python's `configparser.RawConfigParser` in strict mode. This module
//! reproduces that reader line by line, but keeps every byte of the input so
//! that an edit can change the bytes of one value and nothing else.
//!
//! Invariants:
//! - `Document::parse(s)?.render() == s` for every input that `parse`
//!   accepts, which is every valid UTF-8 string. Syntax that botocore
//!   rejects is recorded in [`Document::problems`], not turned into an error,
//!   so the file can still be shown and round-tripped.
//! - No I/O happens here: the store (`crate::store`) reads and writes bytes.
//!   Messages only look up the process's language ([`crate::i18n`]).
//! - Edits replace exactly the value span of a line, so comments, spacing,
//!   key case, delimiters and line endings all survive.

use crate::i18n::{tr, trf};
use std::collections::HashMap;
use std::fmt;

/// How botocore (Python's `str.isspace`) decides what is whitespace. Rust's
/// `char::is_whitespace` misses the four information separators.
pub fn is_py_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// What Python's `str.splitlines` breaks at, besides `\n` and `\r` (which
/// never occur inside one physical line).
fn is_py_line_break(c: char) -> bool {
    matches!(
        c,
        '\u{b}' | '\u{c}' | '\u{1c}' | '\u{1d}' | '\u{1e}' | '\u{85}' | '\u{2028}' | '\u{2029}'
    )
}

/// The line terminator a line had, so rendering reproduces it exactly.
/// Python's universal newlines make `\n`, `\r\n` and a lone `\r` all breaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ending {
    Lf,
    CrLf,
    Cr,
    /// The last line of a file without a final newline.
    None,
}

impl Ending {
    fn as_str(self) -> &'static str {
        match self {
            Ending::Lf => "\n",
            Ending::CrLf => "\r\n",
            Ending::Cr => "\r",
            Ending::None => "",
        }
    }
}

/// What botocore made of one physical line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LineKind {
    /// Empty or whitespace only.
    Blank,
    /// A full-line comment (`#` or `;` after optional indentation).
    Comment,
    /// A section header; its name (the text between the first `[` and the
    /// last `]`, untrimmed and case-sensitive, as configparser keeps it) is
    /// in [`Document::sections`].
    Section,
    /// `key = value` or `key: value`; `value` is the byte range of the
    /// trimmed value. The (lower-cased) key is in [`Document::sections`].
    Entry { value: std::ops::Range<usize> },
    /// A line indented deeper than the entry above it: more of that value.
    Continuation { value: std::ops::Range<usize> },
    /// A line botocore refuses (no delimiter, empty key, text before the
    /// first section).
    Invalid,
}

/// `Debug` shows no text: lines hold secrets.
#[derive(Clone)]
pub struct Line {
    pub text: String,
    pub ending: Ending,
    pub kind: LineKind,
}

/// Why botocore would refuse the whole file. Line numbers are 1-based.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    ByteOrderMark,
    MissingSectionHeader {
        line: usize,
    },
    DuplicateSection {
        line: usize,
        section: String,
    },
    DuplicateKey {
        line: usize,
        section: String,
        key: String,
    },
    Syntax {
        line: usize,
    },
    /// A line of a nested block (`s3 =` followed by indented lines) without
    /// `=`: botocore's `_parse_nested` raises ConfigParseError on it.
    NestedSyntax {
        line: usize,
    },
}

impl Problem {
    pub fn line(&self) -> usize {
        match self {
            Problem::ByteOrderMark => 1,
            Problem::MissingSectionHeader { line }
            | Problem::DuplicateSection { line, .. }
            | Problem::DuplicateKey { line, .. }
            | Problem::Syntax { line }
            | Problem::NestedSyntax { line } => *line,
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = match self {
            Problem::ByteOrderMark => tr("ini.bom").to_string(),
            Problem::MissingSectionHeader { line } => trf("ini.missing_header", &[("line", line)]),
            Problem::DuplicateSection { line, section } => trf(
                "ini.duplicate_section",
                &[("line", line), ("section", section)],
            ),
            Problem::DuplicateKey { line, section, key } => trf(
                "ini.duplicate_key",
                &[("line", line), ("section", section), ("key", key)],
            ),
            Problem::Syntax { line } => trf("ini.syntax", &[("line", line)]),
            Problem::NestedSyntax { line } => trf("ini.nested_syntax", &[("line", line)]),
        };
        f.write_str(&text)
    }
}

/// The file is not UTF-8: botocore fails on it with a UnicodeDecodeError.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{}", trf("ini.not_utf8", &[("line", line)]))]
pub struct NotUtf8 {
    pub line: usize,
}

/// One key of one section, with its value joined the way configparser joins
/// continuation lines.
/// `Debug` shows the key, not the value (it may be a secret).
#[derive(Clone, PartialEq, Eq)]
pub struct Entry {
    pub key: String,
    pub value: String,
    /// Index of the `key = value` line.
    pub line: usize,
    /// True when the value spans continuation lines (a nested block, or a
    /// value that is not a single token).
    pub multiline: bool,
}

/// A section as botocore sees it after parsing. `[DEFAULT]` is kept apart
/// in [`Document::defaults`], because it is inherited, not a section.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Section {
    pub name: String,
    pub header_line: usize,
    pub entries: Vec<Entry>,
}

impl Section {
    pub fn get(&self, key: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.key == key)
    }
}

/// A parsed file: the physical lines plus the logical view.
/// `Debug` shows the shape, never the text: the file holds secrets.
#[derive(Clone)]
pub struct Document {
    bom: bool,
    lines: Vec<Line>,
    sections: Vec<Section>,
    defaults: Vec<Entry>,
    problems: Vec<Problem>,
    /// Look-ups that keep `status` over thousands of profiles linear:
    /// section name -> index, and config-file profile name -> index of the
    /// last section defining it. Names never change after parsing.
    by_name: HashMap<String, usize>,
    by_profile: HashMap<String, usize>,
    /// `aws_access_key_id` value -> sections holding it as their own key,
    /// built on first use and dropped by [`Document::set_value`].
    by_key_id: std::sync::OnceLock<HashMap<String, Vec<usize>>>,
}

const DEFAULT_SECTION: &str = "DEFAULT";

impl Document {
    /// Parses bytes. Fails only on invalid UTF-8; everything else botocore
    /// would refuse is reported by [`Document::problems`].
    pub fn parse_bytes(bytes: &[u8]) -> Result<Document, NotUtf8> {
        match std::str::from_utf8(bytes) {
            Ok(s) => Ok(Document::parse(s)),
            Err(e) => {
                let good = &bytes[..e.valid_up_to()];
                let line = 1 + split_lines(
                    // The prefix is valid UTF-8 by construction.
                    std::str::from_utf8(good).unwrap_or_default(),
                )
                .iter()
                .filter(|(_, end)| *end != Ending::None)
                .count();
                Err(NotUtf8 { line })
            }
        }
    }

    pub fn parse(input: &str) -> Document {
        let (bom, body) = match input.strip_prefix('\u{feff}') {
            Some(rest) => (true, rest),
            None => (false, input),
        };
        let mut doc = Document {
            bom,
            lines: Vec::new(),
            sections: Vec::new(),
            defaults: Vec::new(),
            problems: Vec::new(),
            by_name: HashMap::new(),
            by_profile: HashMap::new(),
            by_key_id: std::sync::OnceLock::new(),
        };
        if bom {
            // configparser sees U+FEFF as text before any header.
            doc.problems.push(Problem::ByteOrderMark);
        }

        // Where the current section's entries go: None before any header,
        // Some(None) for [DEFAULT], Some(Some(i)) for sections[i].
        let mut current: Option<Option<usize>> = None;
        let mut section_index: HashMap<String, usize> = HashMap::new();
        // The entry that continuation lines extend. Blank lines are counted
        // and only materialised when a continuation follows them, because
        // configparser's final rstrip drops trailing ones anyway.
        let mut open_entry: Option<OpenEntry> = None;
        let mut indent_level = 0usize;
        let mut continued: Vec<(Option<usize>, usize, Vec<String>)> = Vec::new();
        // The physical lines of each `continued` value, for line numbers.
        let mut continued_lines: Vec<Vec<usize>> = Vec::new();

        for (idx, (text, ending)) in split_lines(body).into_iter().enumerate() {
            let lineno = idx + 1;
            let trimmed = text.trim_matches(is_py_space);
            let is_comment = trimmed.starts_with('#') || trimmed.starts_with(';');
            let kind = if trimmed.is_empty() || is_comment {
                // Blank lines inside a value add an empty line to it; the
                // join's final rstrip removes trailing ones. Comments add
                // nothing and, like blanks, do not end the value.
                if trimmed.is_empty() {
                    if let Some(open) = open_entry.as_mut() {
                        open.blanks += 1;
                    }
                    LineKind::Blank
                } else {
                    LineKind::Comment
                }
            } else {
                let indent = text.chars().take_while(|c| is_py_space(*c)).count();
                let start = text.len() - text.trim_start_matches(is_py_space).len();
                let end = start + trimmed.len();
                let continues = current.is_some() && indent > indent_level;
                if let (true, Some(open)) = (continues, open_entry.as_mut()) {
                    let parts = match open.parts {
                        Some(p) => &mut continued[p].2,
                        None => {
                            let first = match &doc.lines[open.line].kind {
                                LineKind::Entry { value, .. } => {
                                    doc.lines[open.line].text[value.clone()].to_string()
                                }
                                _ => String::new(),
                            };
                            continued.push((open.target, open.line, vec![first]));
                            continued_lines.push(Vec::new());
                            let p = continued.len() - 1;
                            open.parts = Some(p);
                            &mut continued[p].2
                        }
                    };
                    parts.extend(std::iter::repeat_n(String::new(), open.blanks));
                    open.blanks = 0;
                    parts.push(trimmed.to_string());
                    if let Some(p) = open.parts {
                        continued_lines[p].push(idx);
                    }
                    LineKind::Continuation { value: start..end }
                } else {
                    indent_level = indent;
                    if let Some(name) = section_header(trimmed) {
                        open_entry = None;
                        if name == DEFAULT_SECTION {
                            current = Some(None);
                        } else if let Some(&i) = section_index.get(name) {
                            doc.problems.push(Problem::DuplicateSection {
                                line: lineno,
                                section: name.to_string(),
                            });
                            current = Some(Some(i));
                        } else {
                            section_index.insert(name.to_string(), doc.sections.len());
                            doc.sections.push(Section {
                                name: name.to_string(),
                                header_line: idx,
                                entries: Vec::new(),
                            });
                            current = Some(Some(doc.sections.len() - 1));
                        }
                        LineKind::Section
                    } else if let Some(target) = current {
                        match split_entry(trimmed) {
                            Some((key, vstart, vend)) => {
                                let key = key.to_lowercase();
                                let value = trimmed[vstart..vend].to_string();
                                let (entries, sect) = match target {
                                    Some(i) => {
                                        let s = &mut doc.sections[i];
                                        (&mut s.entries, s.name.as_str())
                                    }
                                    None => (&mut doc.defaults, DEFAULT_SECTION),
                                };
                                if entries.iter().any(|e| e.key == key) {
                                    doc.problems.push(Problem::DuplicateKey {
                                        line: lineno,
                                        section: sect.to_string(),
                                        key: key.clone(),
                                    });
                                    // A repeated key replaces the earlier
                                    // one, as configparser's dict does.
                                    entries.retain(|e| e.key != key);
                                }
                                entries.push(Entry {
                                    key,
                                    value,
                                    line: idx,
                                    multiline: false,
                                });
                                open_entry = Some(OpenEntry {
                                    target,
                                    line: idx,
                                    parts: None,
                                    blanks: 0,
                                });
                                LineKind::Entry {
                                    value: start + vstart..start + vend,
                                }
                            }
                            None => {
                                // configparser keeps going, then raises a
                                // ParsingError naming every bad line.
                                doc.problems.push(Problem::Syntax { line: lineno });
                                LineKind::Invalid
                            }
                        }
                    } else {
                        doc.problems
                            .push(Problem::MissingSectionHeader { line: lineno });
                        LineKind::Invalid
                    }
                }
            };
            doc.lines.push(Line {
                text: text.to_string(),
                ending,
                kind,
            });
        }

        // Join continuation lines the way configparser does: '\n'.join, then
        // rstrip. Only entries that actually had continuation lines change.
        let mut nested: Vec<(Option<usize>, String, usize)> = Vec::new();
        for ((target, line, parts), lines) in continued.into_iter().zip(continued_lines) {
            let joined = parts.join("\n");
            let joined = joined.trim_end_matches(is_py_space).to_string();
            // botocore parses a value starting with a line break as a
            // nested block: every non-blank line must split at `=`.
            if joined.starts_with('\n') {
                let bad = lines.into_iter().find(|&l| {
                    let text = match &doc.lines[l].kind {
                        LineKind::Continuation { value } => &doc.lines[l].text[value.clone()],
                        _ => "",
                    };
                    text.split(is_py_line_break)
                        .map(|piece| piece.trim_matches(is_py_space))
                        .any(|piece| !piece.is_empty() && !piece.contains('='))
                });
                if let Some(bad) = bad {
                    let key = match target {
                        Some(i) => doc.sections[i].entries.iter(),
                        None => doc.defaults.iter(),
                    }
                    .find(|e| e.line == line)
                    .map(|e| e.key.clone())
                    .unwrap_or_default();
                    nested.push((target, key, bad + 1));
                }
            }
            let entries = match target {
                Some(i) => &mut doc.sections[i].entries,
                None => &mut doc.defaults,
            };
            if let Some(e) = entries.iter_mut().find(|e| e.line == line) {
                e.multiline = joined.contains('\n');
                e.value = joined;
            }
        }
        for (target, key, line) in nested {
            // A `[DEFAULT]` value is only parsed through a section that
            // inherits it (configparser lists defaults among its options).
            let parsed = match target {
                Some(_) => true,
                None => doc.sections.iter().any(|s| s.get(&key).is_none()),
            };
            if parsed {
                doc.problems.push(Problem::NestedSyntax { line });
            }
        }
        doc.by_name = section_index;
        for (i, s) in doc.sections.iter().enumerate() {
            if let Some(p) = config_profile_name(&s.name) {
                doc.by_profile.insert(p, i);
            }
        }
        doc
    }

    /// The exact bytes this document was parsed from, with any edits.
    pub fn render(&self) -> String {
        let mut out = String::with_capacity(self.lines.iter().map(|l| l.text.len() + 2).sum());
        if self.bom {
            out.push('\u{feff}');
        }
        for line in &self.lines {
            out.push_str(&line.text);
            out.push_str(line.ending.as_str());
        }
        out
    }

    pub fn lines(&self) -> &[Line] {
        &self.lines
    }

    pub fn sections(&self) -> &[Section] {
        &self.sections
    }

    pub fn section(&self, name: &str) -> Option<&Section> {
        self.by_name.get(name).and_then(|&i| self.sections.get(i))
    }

    /// The config-file section that defines `profile`, as botocore's
    /// profile map decides: the last section that maps to the name wins.
    pub fn config_section(&self, profile: &str) -> Option<&Section> {
        self.by_profile
            .get(profile)
            .and_then(|&i| self.sections.get(i))
    }

    /// Sections (in file order) whose own `aws_access_key_id` is `key_id`.
    pub fn sections_holding(&self, key_id: &str) -> impl Iterator<Item = &Section> {
        let index = self.by_key_id.get_or_init(|| {
            let mut m: HashMap<String, Vec<usize>> = HashMap::new();
            for (i, s) in self.sections.iter().enumerate() {
                if let Some(e) = s.get(crate::profile::ACCESS_KEY_ID) {
                    m.entry(e.value.clone()).or_default().push(i);
                }
            }
            m
        });
        index
            .get(key_id)
            .into_iter()
            .flatten()
            .filter_map(|&i| self.sections.get(i))
    }

    pub fn defaults(&self) -> &[Entry] {
        &self.defaults
    }

    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }

    /// The first problem botocore would raise, if any.
    pub fn first_problem(&self) -> Option<&Problem> {
        self.problems.iter().min_by_key(|p| p.line())
    }

    /// A key of a section as botocore's `cp.get` answers it: the section's
    /// own value, else the one inherited from `[DEFAULT]`.
    pub fn lookup<'a>(&'a self, section: &'a Section, key: &str) -> Option<(&'a Entry, bool)> {
        match section.get(key) {
            Some(e) => Some((e, false)),
            None => self
                .defaults
                .iter()
                .find(|e| e.key == key)
                .map(|e| (e, true)),
        }
    }

    /// Replaces the value of the single-line entry at `line`, keeping every
    /// other byte of the line. The caller guarantees `new_value` is one token
    /// (no whitespace, no line break), so the file still parses the same.
    pub fn set_value(&mut self, line: usize, new_value: &str) -> Result<(), EditError> {
        let l = self
            .lines
            .get_mut(line)
            .ok_or(EditError::NoSuchLine(line))?;
        let LineKind::Entry { value, .. } = &mut l.kind else {
            return Err(EditError::NotAnEntry(line + 1));
        };
        if new_value.is_empty()
            || new_value
                .chars()
                .any(|c| is_py_space(c) || c == '#' || c == ';')
        {
            return Err(EditError::NotAToken(line + 1));
        }
        l.text.replace_range(value.clone(), new_value);
        *value = value.start..value.start + new_value.len();
        self.by_key_id = std::sync::OnceLock::new();
        let new_value = new_value.to_string();
        for e in self
            .sections
            .iter_mut()
            .flat_map(|s| s.entries.iter_mut())
            .chain(self.defaults.iter_mut())
            .filter(|e| e.line == line)
        {
            e.value = new_value.clone();
        }
        Ok(())
    }
}

impl fmt::Debug for Line {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Line")
            .field("kind", &self.kind)
            .field("ending", &self.ending)
            .field("len", &self.text.len())
            .finish()
    }
}

impl fmt::Debug for Entry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Entry")
            .field("key", &self.key)
            .field("line", &self.line)
            .field("multiline", &self.multiline)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for Document {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Document")
            .field("lines", &self.lines.len())
            .field("sections", &self.sections)
            .field("problems", &self.problems)
            .finish_non_exhaustive()
    }
}

/// The text holds secrets (every key pair of the file): wipe it on drop.
impl Drop for Document {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        for line in &mut self.lines {
            line.text.zeroize();
        }
        for e in self
            .sections
            .iter_mut()
            .flat_map(|s| s.entries.iter_mut())
            .chain(self.defaults.iter_mut())
        {
            e.value.zeroize();
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum EditError {
    #[error("{}", trf("ini.no_such_line", &[("line", .0)]))]
    NoSuchLine(usize),
    #[error("{}", trf("ini.not_an_entry", &[("line", .0)]))]
    NotAnEntry(usize),
    #[error("{}", trf("ini.not_a_token", &[("line", .0)]))]
    NotAToken(usize),
}

struct OpenEntry {
    target: Option<usize>,
    line: usize,
    parts: Option<usize>,
    blanks: usize,
}

/// Splits at `\n`, `\r\n` and lone `\r`, as Python's universal newlines do.
/// Other Unicode line separators are ordinary characters in a text file.
fn split_lines(s: &str) -> Vec<(&str, Ending)> {
    let mut out = Vec::new();
    let bytes = s.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => {
                out.push((&s[start..i], Ending::Lf));
                i += 1;
                start = i;
            }
            b'\r' if bytes.get(i + 1) == Some(&b'\n') => {
                out.push((&s[start..i], Ending::CrLf));
                i += 2;
                start = i;
            }
            b'\r' => {
                out.push((&s[start..i], Ending::Cr));
                i += 1;
                start = i;
            }
            _ => i += 1,
        }
    }
    if start < bytes.len() {
        out.push((&s[start..], Ending::None));
    }
    out
}

/// configparser's SECTCRE, `\[(?P<header>.+)\]` matched (not fullmatched)
/// on the stripped line: the name runs to the *last* `]`, and anything
/// after it is ignored.
fn section_header(trimmed: &str) -> Option<&str> {
    let rest = trimmed.strip_prefix('[')?;
    let close = rest.rfind(']')?;
    let name = &rest[..close];
    (!name.is_empty()).then_some(name)
}

/// configparser's OPTCRE: the key is everything before the first `=` or `:`
/// (right-trimmed), the value everything after it, trimmed. Returns the key
/// and the value's byte range within `trimmed`.
fn split_entry(trimmed: &str) -> Option<(&str, usize, usize)> {
    let delim = trimmed.find(['=', ':'])?;
    let key = trimmed[..delim].trim_end_matches(is_py_space);
    if key.is_empty() {
        return None;
    }
    let after = &trimmed[delim + 1..];
    let vstart = delim + 1 + (after.len() - after.trim_start_matches(is_py_space).len());
    let vend = trimmed.len() - (trimmed.len() - trimmed.trim_end_matches(is_py_space).len());
    Some((key, vstart, vend.max(vstart)))
}

/// Python's `shlex.split` in POSIX mode, used by botocore to split a config
/// file section name such as `profile "my dev"`. None where shlex raises.
pub fn shlex_split(s: &str) -> Option<Vec<String>> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_token = false;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' | '\r' | '\n' => {
                if in_token {
                    out.push(std::mem::take(&mut cur));
                    in_token = false;
                }
            }
            '\\' => {
                cur.push(chars.next()?);
                in_token = true;
            }
            '\'' => {
                in_token = true;
                loop {
                    match chars.next()? {
                        '\'' => break,
                        c => cur.push(c),
                    }
                }
            }
            '"' => {
                in_token = true;
                loop {
                    match chars.next()? {
                        '"' => break,
                        '\\' => {
                            let n = chars.next()?;
                            if n != '"' && n != '\\' {
                                cur.push('\\');
                            }
                            cur.push(n);
                        }
                        c => cur.push(c),
                    }
                }
            }
            c => {
                cur.push(c);
                in_token = true;
            }
        }
    }
    if in_token {
        out.push(cur);
    }
    Some(out)
}

/// The profile a config-file section defines, as botocore's
/// `build_profile_map` decides: `[default]`, or a section whose name starts
/// with `profile` and shlex-splits into exactly two words.
pub fn config_profile_name(section: &str) -> Option<String> {
    if section == "default" {
        return Some(section.to_string());
    }
    if !section.starts_with("profile") {
        return None;
    }
    let mut parts = shlex_split(section)?;
    (parts.len() == 2).then(|| parts.swap_remove(1))
}

#[cfg(test)]
mod tests;
