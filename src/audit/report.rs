//! The IAM credential report (CSV, RFC 4180) parsed into users and keys.
//!
//! Pure: bytes in, [`UserKeys`] out; a report that is not what IAM writes
//! is a [`ReportError`] naming the line or column, never a panic.

use super::{parse_time, KeyInfo, UserKeys, ROOT_USER};
use crate::i18n::{tr, trf};

// ---------------------------------------------------------------------------
// CSV (RFC 4180): the report is simple, but IAM user names may contain
// commas (`[\w+=,.@-]`), so quoted fields must be honoured.

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReportError {
    #[error("{}", trf("audit.report_not_utf8", &[("byte", .0)]))]
    NotUtf8(usize),
    #[error("{}", tr("audit.report_empty"))]
    Empty,
    #[error("{}", trf("audit.report_missing_column", &[("column", .0)]))]
    MissingColumn(&'static str),
    #[error("{}", trf("audit.report_bad_csv", &[("line", line), ("detail", detail)]))]
    BadCsv { line: usize, detail: String },
    #[error("{}", trf("audit.report_bad_row", &[("row", row), ("detail", detail)]))]
    BadRow { row: usize, detail: String },
}

/// Splits CSV text into records of fields. Accepts `\n` and `\r\n`, quoted
/// fields with doubled quotes and embedded commas or newlines; skips blank
/// lines. A quote left open is an error, not a silent truncation.
pub fn parse_csv(text: &str) -> Result<Vec<Vec<String>>, ReportError> {
    let mut records = Vec::new();
    let mut record: Vec<String> = Vec::new();
    let mut field = String::new();
    let mut in_quotes = false;
    let mut quoted_field = false;
    let mut line = 1;
    // Where the open quote started, for the error if it never closes.
    let mut quote_line = 1;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if in_quotes {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => in_quotes = false,
                '\n' => {
                    line += 1;
                    field.push(c);
                }
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' if field.is_empty() && !quoted_field => {
                in_quotes = true;
                quoted_field = true;
                quote_line = line;
            }
            '"' => {
                return Err(ReportError::BadCsv {
                    line,
                    detail: tr("audit.csv_quote_in_field").into(),
                })
            }
            ',' => {
                record.push(std::mem::take(&mut field));
                quoted_field = false;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                if !(record.is_empty() && field.is_empty() && !quoted_field) {
                    record.push(std::mem::take(&mut field));
                    records.push(std::mem::take(&mut record));
                }
                quoted_field = false;
                line += 1;
            }
            _ if quoted_field => {
                return Err(ReportError::BadCsv {
                    line,
                    detail: tr("audit.csv_text_after_quote").into(),
                })
            }
            _ => field.push(c),
        }
    }
    if in_quotes {
        return Err(ReportError::BadCsv {
            line: quote_line,
            detail: tr("audit.csv_quote_not_closed").into(),
        });
    }
    if !(record.is_empty() && field.is_empty() && !quoted_field) {
        record.push(field);
        records.push(record);
    }
    Ok(records)
}

fn column(header: &[String], name: &'static str) -> Result<usize, ReportError> {
    header
        .iter()
        .position(|h| h.trim() == name)
        .ok_or(ReportError::MissingColumn(name))
}

/// The words the report uses where a value does not apply.
fn value(s: &str) -> Option<String> {
    let s = s.trim();
    (!matches!(s, "" | "N/A" | "no_information" | "not_supported")).then(|| s.to_string())
}

/// Parses a credential report into users and keys. Columns are found by
/// name, so extra or reordered columns do not matter.
pub fn parse_report(bytes: &[u8]) -> Result<Vec<UserKeys>, ReportError> {
    let text = std::str::from_utf8(bytes).map_err(|e| ReportError::NotUtf8(e.valid_up_to()))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut records = parse_csv(text)?.into_iter();
    let header = records.next().ok_or(ReportError::Empty)?;
    let cols = Columns::of(&header)?;
    let mut users = Vec::new();
    for (i, fields) in records.enumerate() {
        // Row 1 is the header.
        users.push(cols.user(&fields, header.len(), i + 2)?);
    }
    Ok(users)
}

/// Where the report's columns are.
struct Columns {
    user: usize,
    arn: usize,
    password: Option<usize>,
    password_used: Option<usize>,
    /// (slot, active, last rotated, last used, last used service).
    slots: Vec<(u8, usize, usize, usize, Option<usize>)>,
}

impl Columns {
    fn of(header: &[String]) -> Result<Columns, ReportError> {
        let user = column(header, "user")?;
        let arn = column(header, "arn")?;
        // Optional: only the CIS labels and the root-usage rule read them.
        let password = column(header, "password_enabled").ok();
        let password_used = column(header, "password_last_used").ok();
        let mut slots = Vec::new();
        for (slot, active, rotated, used, service) in [
            (
                1u8,
                "access_key_1_active",
                "access_key_1_last_rotated",
                "access_key_1_last_used_date",
                "access_key_1_last_used_service",
            ),
            (
                2u8,
                "access_key_2_active",
                "access_key_2_last_rotated",
                "access_key_2_last_used_date",
                "access_key_2_last_used_service",
            ),
        ] {
            slots.push((
                slot,
                column(header, active)?,
                column(header, rotated)?,
                column(header, used)?,
                column(header, service).ok(),
            ));
        }
        Ok(Columns {
            user,
            arn,
            password,
            password_used,
            slots,
        })
    }

    /// One row (`row`, 1-based, the header being 1) of a report whose
    /// header has `width` fields.
    fn user(&self, fields: &[String], width: usize, row: usize) -> Result<UserKeys, ReportError> {
        let get = |c: usize| -> Result<&str, ReportError> {
            fields
                .get(c)
                .map(String::as_str)
                .ok_or_else(|| ReportError::BadRow {
                    row,
                    detail: trf(
                        "audit.row_field_count",
                        &[("count", &fields.len()), ("header", &width)],
                    ),
                })
        };
        let user = get(self.user)?.to_string();
        let arn = get(self.arn)?.to_string();
        let mut keys = Vec::new();
        for &(slot, active, rotated, used, service) in &self.slots {
            let active = match get(active)?.trim() {
                "true" | "TRUE" | "True" => true,
                "false" | "FALSE" | "False" => false,
                other => {
                    return Err(ReportError::BadRow {
                        row,
                        detail: trf(
                            "audit.row_bad_active",
                            &[("slot", &slot), ("value", &other)],
                        ),
                    })
                }
            };
            let created = value(get(rotated)?).and_then(|v| parse_time(&v));
            // An inactive slot without a date is "no key there".
            if !active && created.is_none() {
                continue;
            }
            keys.push(KeyInfo {
                slot,
                id: None,
                active,
                created,
                last_used: value(get(used)?).and_then(|v| parse_time(&v)),
                last_used_service: match service {
                    Some(c) => value(get(c)?),
                    None => None,
                },
            });
        }
        let password_enabled = match self.password {
            Some(c) => match get(c)?.trim() {
                "true" | "TRUE" | "True" => Some(true),
                "false" | "FALSE" | "False" => Some(false),
                _ => None,
            },
            None => None,
        };
        let password_last_used = match self.password_used {
            Some(c) => value(get(c)?).and_then(|v| parse_time(&v)),
            None => None,
        };
        Ok(UserKeys {
            root: user == ROOT_USER || arn.ends_with(":root"),
            user,
            arn,
            keys,
            password_enabled,
            password_last_used,
        })
    }
}
