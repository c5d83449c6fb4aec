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
use rustc_hash::FxHashMap as HashMap;
use std::fmt;

/// The key names of a key pair in either file.
pub const ACCESS_KEY_ID: &str = "aws_access_key_id";
pub const SECRET_ACCESS_KEY: &str = "aws_secret_access_key";

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

/// One physical line. Its text is [`Document::line_text`]: the document
/// keeps the file's text in one piece (one allocation and one wipe, not
/// one per line). `Debug` shows no text: lines hold secrets.
#[derive(Clone)]
pub struct Line {
    /// Where the text starts in the document's text (after any BOM).
    start: usize,
    /// The text's length in bytes, without the ending.
    len: usize,
    pub ending: Ending,
    pub kind: LineKind,
}

impl Line {
    fn span(&self) -> std::ops::Range<usize> {
        self.start..self.start + self.len
    }
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
    /// Every byte after the BOM: the lines with their endings, in order.
    text: String,
    lines: Vec<Line>,
    sections: Vec<Section>,
    defaults: Vec<Entry>,
    problems: Vec<Problem>,
    /// Look-ups that keep `status` over thousands of profiles linear:
    /// section name -> index, and config-file profile name -> index of the
    /// last section defining it. Names never change after parsing. (Fx
    /// hashing: the keys are the user's own file, not an attacker's.)
    by_name: HashMap<String, usize>,
    by_profile: HashMap<String, usize>,
    /// (hash of an `aws_access_key_id` value, index of a section holding
    /// it as its own key), sorted: one allocation and no copy of the ids.
    /// Built on first use and dropped by [`Document::set_value`].
    by_key_id: std::sync::OnceLock<Vec<(u64, usize)>>,
}

const DEFAULT_SECTION: &str = "DEFAULT";

impl Document {
    /// Parses bytes. Fails only on invalid UTF-8; everything else botocore
    /// would refuse is reported by [`Document::problems`].
    pub fn parse_bytes(bytes: &[u8]) -> Result<Document, NotUtf8> {
        match std::str::from_utf8(bytes) {
            Ok(s) => Ok(Document::parse(s)),
            Err(e) => Err(not_utf8_at(bytes, e.valid_up_to())),
        }
    }

    /// [`Document::parse_bytes`] of bytes the document may keep as its
    /// text (no copy of the file). On an error they are wiped.
    pub fn parse_vec(bytes: Vec<u8>) -> Result<Document, NotUtf8> {
        match String::from_utf8(bytes) {
            Ok(text) => Ok(Document::parse_string(text)),
            Err(e) => {
                use zeroize::Zeroize;
                let err = not_utf8_at(e.as_bytes(), e.utf8_error().valid_up_to());
                e.into_bytes().zeroize();
                Err(err)
            }
        }
    }

    pub fn parse(input: &str) -> Document {
        Document::parse_string(input.to_string())
    }

    /// [`Document::parse`] of text the document keeps.
    fn parse_string(mut body: String) -> Document {
        let bom = body.starts_with('\u{feff}');
        if bom {
            body.drain(..'\u{feff}'.len_utf8());
        }
        let mut parser = Parser::new(bom);
        // At most one line per line break (plus a last one without), and
        // at most one section per `[`: room made once, not grown.
        let (mut breaks, mut brackets) = (0, 0);
        for b in body.bytes() {
            breaks += usize::from(b == b'\n' || b == b'\r');
            brackets += usize::from(b == b'[');
        }
        parser.doc.lines.reserve(breaks + 1);
        parser.doc.sections.reserve(brackets);
        parser.section_index.reserve(brackets);
        let mut start = 0;
        for (idx, (text, ending)) in split_lines(&body).enumerate() {
            let kind = parser.classify(idx, text, &body);
            parser.doc.lines.push(Line {
                start,
                len: text.len(),
                ending,
                kind,
            });
            start += text.len() + ending.as_str().len();
        }
        parser.doc.text = body;
        parser.finish()
    }

    /// The exact bytes this document was parsed from, with any edits.
    pub fn render(&self) -> String {
        let mut out = String::with_capacity(self.text.len() + 3);
        if self.bom {
            out.push('\u{feff}');
        }
        out.push_str(&self.text);
        out
    }

    /// The text of line `i` (0-based), without its ending; "" past the end.
    pub fn line_text(&self, i: usize) -> &str {
        self.lines
            .get(i)
            .and_then(|l| self.text.get(l.span()))
            .unwrap_or_default()
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
    pub fn sections_holding<'a>(&'a self, key_id: &'a str) -> impl Iterator<Item = &'a Section> {
        use std::hash::BuildHasher as _;
        fn hash(id: &str) -> u64 {
            rustc_hash::FxBuildHasher.hash_one(id)
        }
        fn own_id(s: &Section) -> Option<&str> {
            s.get(ACCESS_KEY_ID).map(|e| e.value.as_str())
        }
        let index = self.by_key_id.get_or_init(|| {
            let mut v: Vec<(u64, usize)> = (self.sections.iter().enumerate())
                .filter_map(|(i, s)| Some((hash(own_id(s)?), i)))
                .collect();
            // By hash, then file order.
            v.sort_unstable();
            v
        });
        let h = hash(key_id);
        let from = index.partition_point(|&(x, _)| x < h);
        index[from..]
            .iter()
            .take_while(move |&&(x, _)| x == h)
            .filter_map(|&(_, i)| self.sections.get(i))
            .filter(move |s| own_id(s) == Some(key_id))
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
        let old = l.start + value.start..l.start + value.end;
        *value = value.start..value.start + new_value.len();
        l.len = l.len - old.len() + new_value.len();
        let len = self.text.len() - old.len() + new_value.len();
        if len > self.text.capacity() {
            // Grow by hand, so the old buffer is wiped, not just freed.
            use zeroize::Zeroize;
            let mut grown = String::with_capacity(len);
            grown.push_str(&self.text);
            std::mem::replace(&mut self.text, grown).zeroize();
        }
        self.text.replace_range(old.clone(), new_value);
        // The lines after this one moved by the difference.
        for later in &mut self.lines[line + 1..] {
            later.start = later.start - old.len() + new_value.len();
        }
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
            .field("len", &self.len)
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
        self.text.zeroize();
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

/// [`Document::parse`]'s reader: configparser's loop, one physical line at
/// a time ([`Parser::classify`]), then what needs the whole file (joining
/// continuation lines, nested blocks, the look-up indexes:
/// [`Parser::finish`]).
struct Parser {
    doc: Document,
    /// Where the current section's entries go: None before any header,
    /// Some(None) for [DEFAULT], Some(Some(i)) for sections[i].
    current: Option<Option<usize>>,
    section_index: HashMap<String, usize>,
    /// The entry that continuation lines extend. Blank lines are counted
    /// and only materialised when a continuation follows them, because
    /// configparser's final rstrip drops trailing ones anyway.
    open_entry: Option<OpenEntry>,
    indent_level: usize,
    continued: Vec<Continued>,
}

/// A value that has continuation lines.
struct Continued {
    /// As [`Parser::current`]: the section (None: `[DEFAULT]`).
    target: Option<usize>,
    /// Index of the `key = value` line.
    line: usize,
    /// The value's lines, trimmed, the first line's value first.
    parts: Vec<String>,
    /// The physical lines of the continuation parts, for line numbers.
    lines: Vec<usize>,
}

/// A nested-block value with a line lacking `=`: (section, key, 1-based line).
type BadNested = (Option<usize>, String, usize);

impl Parser {
    fn new(bom: bool) -> Parser {
        let mut doc = Document {
            bom,
            // The text moves in when every line is read.
            text: String::new(),
            lines: Vec::new(),
            sections: Vec::new(),
            defaults: Vec::new(),
            problems: Vec::new(),
            by_name: HashMap::default(),
            by_profile: HashMap::default(),
            by_key_id: std::sync::OnceLock::new(),
        };
        if bom {
            // configparser sees U+FEFF as text before any header.
            doc.problems.push(Problem::ByteOrderMark);
        }
        Parser {
            doc,
            current: None,
            section_index: HashMap::default(),
            open_entry: None,
            indent_level: 0,
            continued: Vec::new(),
        }
    }

    /// What physical line `idx` (0-based) is, as configparser reads it;
    /// sections, entries and problems are recorded on the way.
    /// `body` is the whole text (the lines before this one included).
    fn classify(&mut self, idx: usize, text: &str, body: &str) -> LineKind {
        let trimmed = text.trim_matches(is_py_space);
        if trimmed.is_empty() {
            // Blank lines inside a value add an empty line to it; the
            // join's final rstrip removes trailing ones.
            if let Some(open) = self.open_entry.as_mut() {
                open.blanks += 1;
            }
            return LineKind::Blank;
        }
        if trimmed.starts_with('#') || trimmed.starts_with(';') {
            // Comments add nothing and, like blanks, do not end the value.
            return LineKind::Comment;
        }
        let indent = text.chars().take_while(|c| is_py_space(*c)).count();
        let start = text.len() - text.trim_start_matches(is_py_space).len();
        let continues = self.current.is_some() && indent > self.indent_level;
        if continues && self.open_entry.is_some() {
            return self.continuation(idx, trimmed, start, body);
        }
        self.indent_level = indent;
        if let Some(name) = section_header(trimmed) {
            self.header(idx, name)
        } else if let Some(target) = self.current {
            self.entry(idx, target, trimmed, start)
        } else {
            self.doc
                .problems
                .push(Problem::MissingSectionHeader { line: idx + 1 });
            LineKind::Invalid
        }
    }

    /// A line indented deeper than the open entry: one more part of it.
    fn continuation(&mut self, idx: usize, trimmed: &str, start: usize, body: &str) -> LineKind {
        let value = start..start + trimmed.len();
        let Some(open) = self.open_entry.as_mut() else {
            return LineKind::Continuation { value };
        };
        let p = match open.parts {
            Some(p) => p,
            None => {
                let entry_line = &self.doc.lines[open.line];
                let first = match &entry_line.kind {
                    LineKind::Entry { value, .. } => {
                        let text = &body[entry_line.span()];
                        text[value.clone()].to_string()
                    }
                    _ => String::new(),
                };
                self.continued.push(Continued {
                    target: open.target,
                    line: open.line,
                    parts: vec![first],
                    lines: Vec::new(),
                });
                let p = self.continued.len() - 1;
                open.parts = Some(p);
                p
            }
        };
        let c = &mut self.continued[p];
        c.parts
            .extend(std::iter::repeat_n(String::new(), open.blanks));
        open.blanks = 0;
        c.parts.push(trimmed.to_string());
        c.lines.push(idx);
        LineKind::Continuation { value }
    }

    /// `[name]`: the section entries now go to (a repeated one is a
    /// problem, and its entries still join the first).
    fn header(&mut self, idx: usize, name: &str) -> LineKind {
        self.open_entry = None;
        if name == DEFAULT_SECTION {
            self.current = Some(None);
        } else if let Some(&i) = self.section_index.get(name) {
            self.doc.problems.push(Problem::DuplicateSection {
                line: idx + 1,
                section: name.to_string(),
            });
            self.current = Some(Some(i));
        } else {
            self.section_index
                .insert(name.to_string(), self.doc.sections.len());
            self.doc.sections.push(Section {
                name: name.to_string(),
                header_line: idx,
                entries: Vec::new(),
            });
            self.current = Some(Some(self.doc.sections.len() - 1));
        }
        LineKind::Section
    }

    /// `key = value` inside a section (`target`, as [`Parser::current`]).
    fn entry(
        &mut self,
        idx: usize,
        target: Option<usize>,
        trimmed: &str,
        start: usize,
    ) -> LineKind {
        let Some((key, vstart, vend)) = split_entry(trimmed) else {
            // configparser keeps going, then raises a ParsingError naming
            // every bad line.
            self.doc.problems.push(Problem::Syntax { line: idx + 1 });
            return LineKind::Invalid;
        };
        let key = key.to_lowercase();
        let value = trimmed[vstart..vend].to_string();
        let (entries, sect) = match target {
            Some(i) => {
                let s = &mut self.doc.sections[i];
                (&mut s.entries, s.name.as_str())
            }
            None => (&mut self.doc.defaults, DEFAULT_SECTION),
        };
        if entries.iter().any(|e| e.key == key) {
            self.doc.problems.push(Problem::DuplicateKey {
                line: idx + 1,
                section: sect.to_string(),
                key: key.clone(),
            });
            // A repeated key replaces the earlier one, as configparser's
            // dict does.
            entries.retain(|e| e.key != key);
        }
        entries.push(Entry {
            key,
            value,
            line: idx,
            multiline: false,
        });
        self.open_entry = Some(OpenEntry {
            target,
            line: idx,
            parts: None,
            blanks: 0,
        });
        LineKind::Entry {
            value: start + vstart..start + vend,
        }
    }

    /// The parsed document: continuation values joined, nested blocks
    /// checked, the look-up indexes built.
    fn finish(mut self) -> Document {
        let nested = self.join_continued();
        for (target, key, line) in nested {
            // A `[DEFAULT]` value is only parsed through a section that
            // inherits it (configparser lists defaults among its options).
            let parsed = match target {
                Some(_) => true,
                None => self.doc.sections.iter().any(|s| s.get(&key).is_none()),
            };
            if parsed {
                self.doc.problems.push(Problem::NestedSyntax { line });
            }
        }
        let mut doc = self.doc;
        doc.by_name = self.section_index;
        let profiles: Vec<(String, usize)> = (doc.sections.iter().enumerate())
            .filter_map(|(i, s)| Some((config_profile_name(&s.name)?, i)))
            .collect();
        // The last section naming a profile wins, as in a dict.
        doc.by_profile = profiles.into_iter().collect();
        doc
    }

    /// Joins continuation lines the way configparser does: '\n'.join, then
    /// rstrip. Only entries that actually had continuation lines change.
    /// Returns the nested blocks with a line botocore cannot split.
    fn join_continued(&mut self) -> Vec<BadNested> {
        let doc = &mut self.doc;
        let mut nested = Vec::new();
        for c in std::mem::take(&mut self.continued) {
            let joined = c.parts.join("\n");
            let joined = joined.trim_end_matches(is_py_space).to_string();
            // botocore parses a value starting with a line break as a
            // nested block: every non-blank line must split at `=`.
            if joined.starts_with('\n') {
                let bad = c.lines.into_iter().find(|&l| {
                    let text = match &doc.lines[l].kind {
                        LineKind::Continuation { value } => {
                            &doc.text[doc.lines[l].span()][value.clone()]
                        }
                        _ => "",
                    };
                    text.split(is_py_line_break)
                        .map(|piece| piece.trim_matches(is_py_space))
                        .any(|piece| !piece.is_empty() && !piece.contains('='))
                });
                if let Some(bad) = bad {
                    let key = match c.target {
                        Some(i) => doc.sections[i].entries.iter(),
                        None => doc.defaults.iter(),
                    }
                    .find(|e| e.line == c.line)
                    .map(|e| e.key.clone())
                    .unwrap_or_default();
                    nested.push((c.target, key, bad + 1));
                }
            }
            let entries = match c.target {
                Some(i) => &mut doc.sections[i].entries,
                None => &mut doc.defaults,
            };
            if let Some(e) = entries.iter_mut().find(|e| e.line == c.line) {
                e.multiline = joined.contains('\n');
                e.value = joined;
            }
        }
        nested
    }
}

/// The error for bytes valid UTF-8 up to `valid_up_to`: the line it is on.
fn not_utf8_at(bytes: &[u8], valid_up_to: usize) -> NotUtf8 {
    let good = bytes.get(..valid_up_to).unwrap_or_default();
    let line = 1 + split_lines(
        // The prefix is valid UTF-8 by construction.
        std::str::from_utf8(good).unwrap_or_default(),
    )
    .filter(|(_, end)| *end != Ending::None)
    .count();
    NotUtf8 { line }
}

/// Splits at `\n`, `\r\n` and lone `\r`, as Python's universal newlines do.
/// Other Unicode line separators are ordinary characters in a text file.
fn split_lines(s: &str) -> SplitLines<'_> {
    SplitLines { s, start: 0 }
}

/// The lines of [`split_lines`], one at a time (no list of them).
struct SplitLines<'s> {
    s: &'s str,
    start: usize,
}

impl<'s> Iterator for SplitLines<'s> {
    type Item = (&'s str, Ending);

    fn next(&mut self) -> Option<(&'s str, Ending)> {
        let bytes = self.s.as_bytes();
        let start = self.start;
        if start >= bytes.len() {
            return None;
        }
        let Some(i) = bytes[start..]
            .iter()
            .position(|&b| b == b'\n' || b == b'\r')
            .map(|i| start + i)
        else {
            self.start = bytes.len();
            return Some((&self.s[start..], Ending::None));
        };
        let (ending, len) = match (bytes[i], bytes.get(i + 1)) {
            (b'\n', _) => (Ending::Lf, 1),
            (_, Some(&b'\n')) => (Ending::CrLf, 2),
            _ => (Ending::Cr, 1),
        };
        self.start = i + len;
        Some((&self.s[start..i], ending))
    }
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
