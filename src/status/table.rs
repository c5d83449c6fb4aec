//! The status table: one row per [`Line`], columns aligned by terminal
//! width, in the user's language; key ids masked.
//!
//! Pure: the terminal's width is the caller's to give.

use super::{LastUsedJson, Line};
use crate::i18n::{tr, trf};
use crate::profile::FileKind;
use crate::secret::mask;
use std::path::Path;
use std::time::Duration;

/// How the two files are named in the WHERE column: by file name, unless
/// both have the same name.
pub struct Labels {
    credentials: String,
    config: String,
}

impl Labels {
    pub fn new(credentials: &Path, config: &Path) -> Labels {
        let name = |p: &Path| {
            p.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| p.display().to_string())
        };
        let (a, b) = (name(credentials), name(config));
        if a == b {
            Labels {
                credentials: credentials.display().to_string(),
                config: config.display().to_string(),
            }
        } else {
            Labels {
                credentials: a,
                config: b,
            }
        }
    }

    pub fn of(&self, kind: FileKind) -> &str {
        match kind {
            FileKind::Credentials => &self.credentials,
            FileKind::Config => &self.config,
            // A keyring item's line names it in its section, not a file.
            FileKind::Keystore => "",
        }
    }
}

/// The column titles, each with whether only AWS can fill it (offline,
/// those columns are left out).
pub fn header() -> [(&'static str, bool); 8] {
    [
        (tr("status.col_profile"), false),
        (tr("status.col_key"), false),
        (tr("status.col_where"), false),
        (tr("status.col_user"), true),
        (tr("status.col_age"), true),
        (tr("status.col_status"), true),
        (tr("status.col_last_used"), true),
        (tr("status.col_note"), false),
    ]
}

pub fn days(n: u64) -> String {
    if n == 1 {
        tr("status.one_day").into()
    } else {
        trf("status.days", &[("count", &n)])
    }
}

/// `--max-age` as people write it back.
pub fn duration_text(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        _ if s.is_multiple_of(86_400) => days(s / 86_400),
        _ if s.is_multiple_of(3600) => format!("{}h", s / 3600),
        _ if s.is_multiple_of(60) => format!("{}m", s / 60),
        _ => format!("{s}s"),
    }
}

/// `2024-05-01 sts us-east-1`, `never`, or `-` when unknown.
pub fn last_used_text(l: Option<&LastUsedJson>) -> String {
    let Some(l) = l else { return "-".into() };
    let Some(date) = &l.date else {
        return tr("status.never").into();
    };
    let day = date.get(..10).unwrap_or(date);
    let mut out = day.to_string();
    for part in [&l.service, &l.region].into_iter().flatten() {
        out.push(' ');
        out.push_str(part);
    }
    out
}

/// A refusal code in a few words, for the table (JSON has the sentence).
pub fn short_reason(code: &str) -> &'static str {
    match code {
        "profile_not_found" => tr("reason.profile_not_found"),
        "file_unparsable" => tr("reason.file_unparsable"),
        "temporary_credentials" => tr("reason.temporary"),
        "role_profile" => tr("reason.role"),
        "web_identity_profile" => tr("reason.web_identity"),
        "sso_profile" => tr("reason.sso"),
        "credential_process_profile" => tr("reason.process"),
        "inherited_from_default" => tr("reason.inherited"),
        "half_key_pair" => tr("reason.half_pair"),
        "value_not_a_token" => tr("reason.not_a_token"),
        "no_static_key" => tr("reason.no_keys"),
        "not_an_iam_user" => tr("reason.not_iam_user"),
        _ => tr("reason.other"),
    }
}

/// Well-known failures in plain words.
pub fn error_hint(code: &str) -> Option<&'static str> {
    match code {
        "InvalidClientTokenId" => Some(tr("hint.invalid_token")),
        "SignatureDoesNotMatch" => Some(tr("hint.bad_signature")),
        "AccessDenied" | "AccessDeniedException" => Some(tr("hint.access_denied")),
        _ => None,
    }
}

/// The NOTE column: everything worth acting on, most urgent first.
pub fn notes(line: &Line, max_age: Duration) -> Vec<String> {
    let mut out = Vec::new();
    out.extend(interrupted_note(line));
    if let Some(r) = &line.reason {
        // A keyring that cannot be read says why in its own words (which
        // item, what is wrong): there is no short form of those.
        let reason = if super::keyring_unreadable(r.code) {
            r.message.as_str()
        } else {
            short_reason(r.code)
        };
        out.push(trf("status.not_rotatable", &[("reason", &reason)]));
    }
    out.extend(error_note(line));
    if line.status == Some("Inactive") {
        let by = match &line.inactive_seen_by {
            Some(by) => trf("status.listed_by", &[("profile", by)]),
            None => String::new(),
        };
        out.push(trf("status.inactive", &[("by", &by)]));
    }
    if line.stale == Some(true) {
        out.push(trf(
            "status.stale",
            &[("max", &duration_text(max_age)), ("profile", &line.profile)],
        ));
    }
    out.extend(other_key_notes(line));
    if !line.shared_with.is_empty() {
        let names = line.shared_with.join(", ");
        out.push(trf("status.same_key", &[("profiles", &names)]));
    }
    if !line.destinations.is_empty() {
        let list: Vec<String> = (line.destinations.iter())
            .map(|d| format!("{} ({})", crate::term::clean(&d.name), d.kind))
            .collect();
        out.push(trf("status.destinations", &[("list", &list.join(", "))]));
    }
    if let Some(d) = &line.drain {
        out.push(trf(
            "status.drain",
            &[
                ("key", &crate::secret::mask(&d.old_key_id)),
                ("note", &d.text),
            ],
        ));
    }
    out
}

/// A rotation a journal records for this line's key: running, or
/// interrupted (then `keyturn recover` is the fix).
fn interrupted_note(line: &Line) -> Option<String> {
    let i = line.interrupted.as_ref()?;
    let state = i.state.as_str().unwrap_or("?");
    let whose = if i.profile == line.profile {
        String::new()
    } else {
        trf("status.whose", &[("profile", &i.profile)])
    };
    Some(if i.in_progress {
        trf(
            "status.in_progress",
            &[
                ("whose", &whose),
                ("state", &state),
                ("started", &i.started_at),
            ],
        )
    } else {
        trf(
            "status.interrupted",
            &[
                ("whose", &whose),
                ("state", &state),
                ("started", &i.started_at),
            ],
        )
    })
}

/// What AWS answered when asked about the key, in plain words where the
/// code is a well-known one; the key id masked.
fn error_note(line: &Line) -> Option<String> {
    let e = line.error.as_ref()?;
    let mut text = match error_hint(&e.code) {
        Some(h) => trf("status.error_hint", &[("code", &e.code), ("hint", &h)]),
        None => trf("status.error", &[("message", &e.message)]),
    };
    // AWS messages may quote the key id; the table never shows it whole.
    if let Some(id) = &line.key_id {
        text = text.replace(id.as_str(), &mask(id));
    }
    if line.mfa && (e.code == "AccessDenied" || e.code == "AccessDeniedException") {
        text.push_str(tr("status.mfa_hint"));
    }
    Some(text)
}

/// The user's other keys: leftover inactive ones, then a second active one.
fn other_key_notes(line: &Line) -> Vec<String> {
    // Say which profile holds the user's other key, if one does: that
    // "leftover" may be a key someone still means to use.
    let held = |id: &str| match line.holders.iter().find(|(k, _)| k == id) {
        Some((_, p)) => trf("status.held_by", &[("profile", p)]),
        None => String::new(),
    };
    let mut out = Vec::new();
    for id in &line.inactive_keys {
        out.push(trf(
            "status.leftover",
            &[("key", &mask(id)), ("held", &held(id))],
        ));
    }
    for id in &line.other_active_keys {
        out.push(trf(
            "status.second_active",
            &[("key", &mask(id)), ("held", &held(id))],
        ));
    }
    out
}

/// One table row. Offline, the columns only AWS can fill are left out.
pub fn cells(line: &Line, labels: &Labels, max_age: Duration, offline: bool) -> Vec<String> {
    let dash = || "-".to_string();
    let mut row = vec![
        line.profile.clone(),
        line.key_id.as_deref().map(mask).unwrap_or_else(dash),
        match (&line.kind, &line.section) {
            (Some(k), Some(s)) => format!("{} [{s}]", labels.of(*k)),
            // A keyring item: `aws-vault (file) item dev`.
            (None, Some(s)) => s.clone(),
            _ => dash(),
        },
    ];
    if !offline {
        row.extend([
            line.user.clone().unwrap_or_else(dash),
            line.age_days.map(days).unwrap_or_else(dash),
            match line.status {
                // IAM's words, as the IAM console shows them in Japanese.
                Some("Active") => tr("status.value_active").to_string(),
                Some("Inactive") => tr("status.value_inactive").to_string(),
                other => other.map(str::to_string).unwrap_or_else(dash),
            },
            last_used_text(line.last_used.as_deref()),
        ]);
    }
    row.push(notes(line, max_age).join(tr("status.note_separator")));
    row
}

/// Left-aligned columns two spaces apart, widths in terminal columns
/// (masked ids hold a multi-byte `…`, Japanese text is double width:
/// comfy-table measures display width); the last column is not padded.
///
/// Without a terminal `width` (a pipe, a file) rows are never wrapped.
/// With one, no row is wider than the terminal: the columns of several
/// words (WHERE, LAST USED) wrap at word boundaries first, the short
/// one-word columns stay whole, and NOTE (the last column, sentences)
/// takes the rest; if that rest is narrower than [`MIN_NOTE`], each note
/// goes under its row instead, indented, across the whole width.
pub fn render(rows: &[Vec<String>], width: Option<usize>) -> String {
    let Some(width) = width else {
        return render_table(rows, None);
    };
    let Some(header) = rows.first() else {
        return String::new();
    };
    let last = header.len().saturating_sub(1);
    let cols = |i: usize, f: &dyn Fn(&str) -> usize| {
        rows.iter()
            .filter_map(|r| r.get(i))
            .map(|c| f(c))
            .max()
            .unwrap_or(0)
    };
    let longest_word = |c: &str| c.split(' ').map(crate::i18n::width).max().unwrap_or(0);
    // Widths (with the two-space gap) of the columns before NOTE: each
    // whole, then the widest multi-word one shrunk a column at a time.
    let full: Vec<usize> = (0..last)
        .map(|i| cols(i, &|c| crate::i18n::width(c)) + 2)
        .collect();
    let min: Vec<usize> = (0..last)
        .map(|i| {
            let word = cols(i, &longest_word) + 2;
            if full[i] <= 14 {
                full[i]
            } else {
                word
            }
        })
        .collect();
    // Shrinks the widest column that can still wrap until the columns
    // fit in `room`; false if they cannot.
    let fit = |w: &mut Vec<usize>, room: usize| {
        while w.iter().sum::<usize>() > room {
            let Some(i) = (0..last).filter(|&i| w[i] > min[i]).max_by_key(|&i| w[i]) else {
                return false;
            };
            w[i] -= 1;
        }
        true
    };
    let mut w = full.clone();
    if fit(&mut w, width.saturating_sub(MIN_NOTE)) {
        let used: usize = w.iter().sum();
        w.push(width - used);
        return render_table(rows, Some(&w));
    }
    // Too narrow for a NOTE column: notes under their rows.
    let mut w = full;
    fit(&mut w, width);
    if let Some(lastw) = w.last_mut() {
        *lastw = lastw.saturating_sub(2); // the last shown column has no gap
    }
    let mut out = String::new();
    for row in rows {
        let cells: Vec<String> = row.iter().take(last).cloned().collect();
        out.push_str(&render_table(&[cells], Some(&w)));
        if let Some(note) = row.get(last).filter(|n| !n.is_empty() && n.as_str() != "-") {
            let indent = 2;
            let body = render_table(
                &[vec![note.clone()]],
                Some(&[width.saturating_sub(indent).max(1)]),
            );
            for line in body.lines() {
                out.push_str(&" ".repeat(indent));
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    out
}

/// Columns narrower than this leave NOTE under its row (see [`render`]).
const MIN_NOTE: usize = 24;

/// One comfy-table: the first row is the header; `widths` (each with its
/// gap) fix every column and wrap cells inside them, `None` never wraps.
pub fn render_table(rows: &[Vec<String>], widths: Option<&[usize]>) -> String {
    use comfy_table::{presets, ColumnConstraint, ContentArrangement, Table, Width};
    let Some((header, body)) = rows.split_first() else {
        return String::new();
    };
    let mut t = Table::new();
    t.load_style(presets::NOTHING);
    t.set_content_arrangement(match widths {
        Some(_) => ContentArrangement::Dynamic,
        None => ContentArrangement::Disabled,
    });
    if let Some(ws) = widths {
        t.set_width(u16::try_from(ws.iter().sum::<usize>()).unwrap_or(u16::MAX));
    }
    t.set_header(header.clone());
    for row in body {
        t.add_row(row.clone());
    }
    let last = header.len().saturating_sub(1);
    for (i, col) in t.column_iter_mut().enumerate() {
        col.set_padding((0, if i == last { 0 } else { 2 }));
        if let Some(w) = widths.and_then(|ws| ws.get(i)) {
            let w = u16::try_from(*w).unwrap_or(u16::MAX);
            col.set_constraint(ColumnConstraint::Absolute(Width::Fixed(w)));
        }
    }
    let mut out = String::new();
    for line in t.lines() {
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The whole table, header first; `width` is the terminal's (None: a
/// pipe or a file, rows never wrapped).
pub fn table(
    lines: &[Line],
    labels: &Labels,
    max_age: Duration,
    offline: bool,
    width: Option<usize>,
) -> String {
    let header: Vec<String> = header()
        .iter()
        .filter(|(_, online_only)| !offline || !online_only)
        .map(|(h, _)| h.to_string())
        .collect();
    let mut rows = vec![header];
    rows.extend(lines.iter().map(|l| cells(l, labels, max_age, offline)));
    render(&rows, width)
}
