//! Byte-exact fixtures for the botocore reading rules, and the round-trip
//! property over generated files.

use super::*;
use proptest::prelude::*;

fn entry<'a>(doc: &'a Document, section: &str, key: &str) -> Option<&'a Entry> {
    doc.section(section).and_then(|s| s.get(key))
}

#[test]
fn comments_are_full_line_only_and_may_be_indented() {
    let src = "[default]\n  # indented comment\n\t; semicolon\naws_access_key_id = AKIA # not a comment\n";
    let doc = Document::parse(src);
    assert!(doc.problems().is_empty());
    assert_eq!(doc.lines()[1].kind, LineKind::Comment);
    assert_eq!(doc.lines()[2].kind, LineKind::Comment);
    assert_eq!(
        entry(&doc, "default", "aws_access_key_id").unwrap().value,
        "AKIA # not a comment"
    );
    assert_eq!(doc.render(), src);
}

#[test]
fn both_delimiters_and_first_one_wins() {
    let doc = Document::parse("[a]\nk1: v1\nk2=v=2\nk3 : x=y:z\n");
    assert_eq!(entry(&doc, "a", "k1").unwrap().value, "v1");
    assert_eq!(entry(&doc, "a", "k2").unwrap().value, "v=2");
    assert_eq!(entry(&doc, "a", "k3").unwrap().value, "x=y:z");
}

#[test]
fn keys_are_case_insensitive_sections_are_not() {
    let doc = Document::parse("[Dev]\nAWS_ACCESS_KEY_ID = X\n[dev]\n");
    assert!(doc.problems().is_empty());
    assert_eq!(entry(&doc, "Dev", "aws_access_key_id").unwrap().value, "X");
    assert!(doc.section("dev").unwrap().entries.is_empty());
}

#[test]
fn keys_and_values_are_trimmed() {
    let doc = Document::parse("[a]\n   key   =    value with spaces   \t\n");
    assert_eq!(entry(&doc, "a", "key").unwrap().value, "value with spaces");
    let LineKind::Entry { value, .. } = &doc.lines()[1].kind else {
        panic!("not an entry")
    };
    assert_eq!(&doc.line_text(1)[value.clone()], "value with spaces");
}

#[test]
fn repeated_section_is_a_problem() {
    let doc = Document::parse("[a]\nx=1\n[b]\n[a]\n");
    assert_eq!(
        doc.first_problem(),
        Some(&Problem::DuplicateSection {
            line: 4,
            section: "a".into()
        })
    );
}

#[test]
fn repeated_key_in_any_case_is_a_problem() {
    let doc = Document::parse("[a]\naws_access_key_id=1\nAWS_ACCESS_KEY_ID=2\n");
    assert_eq!(
        doc.first_problem(),
        Some(&Problem::DuplicateKey {
            line: 3,
            section: "a".into(),
            key: "aws_access_key_id".into()
        })
    );
}

#[test]
fn repeated_default_section_is_fine_but_repeated_default_key_is_not() {
    let doc = Document::parse("[DEFAULT]\nx=1\n[a]\n[DEFAULT]\ny=2\n");
    assert!(doc.problems().is_empty());
    assert_eq!(doc.defaults().len(), 2);
    let doc = Document::parse("[DEFAULT]\nx=1\n[DEFAULT]\nX=2\n");
    assert!(matches!(
        doc.first_problem(),
        Some(Problem::DuplicateKey { line: 4, .. })
    ));
}

#[test]
fn deeper_indented_line_continues_the_value_even_after_blanks_and_comments() {
    let src = "[a]\nregion = us-east-1\n\n# comment\n    aws_secret_access_key = s\nk = v\n";
    let doc = Document::parse(src);
    assert!(doc.problems().is_empty());
    let region = entry(&doc, "a", "region").unwrap();
    assert_eq!(region.value, "us-east-1\n\naws_secret_access_key = s");
    assert!(region.multiline);
    assert!(entry(&doc, "a", "aws_secret_access_key").is_none());
    assert_eq!(entry(&doc, "a", "k").unwrap().value, "v");
    assert_eq!(doc.render(), src);
}

#[test]
fn nested_s3_block_is_one_value() {
    let doc = Document::parse(
        "[a]\ns3 =\n  max_concurrent_requests = 20\n  addressing_style = path\n\n\n",
    );
    let s3 = entry(&doc, "a", "s3").unwrap();
    assert_eq!(
        s3.value,
        "\nmax_concurrent_requests = 20\naddressing_style = path"
    );
}

#[test]
fn debug_output_never_shows_values() {
    let doc = Document::parse("[a]\naws_secret_access_key = s3cretValue\n");
    let shown = format!("{doc:?} {:?}", doc.lines());
    assert!(!shown.contains("s3cretValue"), "{shown}");
    assert!(shown.contains("aws_secret_access_key"));
}

#[test]
fn bom_is_kept_but_reported() {
    let src = "\u{feff}[default]\naws_access_key_id = A\n";
    let doc = Document::parse(src);
    assert_eq!(doc.first_problem(), Some(&Problem::ByteOrderMark));
    assert_eq!(doc.render(), src);
}

#[test]
fn invalid_utf8_is_refused_with_its_line() {
    let err = Document::parse_bytes(b"[a]\nk = v\nx = \xff\n").unwrap_err();
    assert_eq!(err, NotUtf8 { line: 3 });
}

#[test]
fn crlf_lf_and_lone_cr_are_line_breaks() {
    let src = "[a]\r\nk1 = v1\rk2 = v2\n[b]";
    let doc = Document::parse(src);
    assert!(doc.problems().is_empty());
    assert_eq!(entry(&doc, "a", "k1").unwrap().value, "v1");
    assert_eq!(entry(&doc, "a", "k2").unwrap().value, "v2");
    assert!(doc.section("b").is_some());
    let endings: Vec<_> = doc.lines().iter().map(|l| l.ending).collect();
    assert_eq!(
        endings,
        [Ending::CrLf, Ending::Cr, Ending::Lf, Ending::None]
    );
    assert_eq!(doc.render(), src);
}

#[test]
fn default_section_is_inherited_not_a_section() {
    let doc = Document::parse("[DEFAULT]\nregion = eu-west-1\n[a]\n");
    assert!(doc.section("DEFAULT").is_none());
    let a = doc.section("a").unwrap();
    let (e, inherited) = doc.lookup(a, "region").unwrap();
    assert_eq!(e.value, "eu-west-1");
    assert!(inherited);
}

#[test]
fn text_before_first_section_is_a_problem() {
    let doc = Document::parse("k = v\n[a]\n");
    assert_eq!(
        doc.first_problem(),
        Some(&Problem::MissingSectionHeader { line: 1 })
    );
}

#[test]
fn line_without_delimiter_or_with_empty_key_is_a_problem() {
    let doc = Document::parse("[a]\njunk\n= v\n");
    assert_eq!(
        doc.problems(),
        &[Problem::Syntax { line: 2 }, Problem::Syntax { line: 3 }]
    );
}

#[test]
fn section_name_runs_to_last_bracket_and_ignores_the_rest() {
    let doc = Document::parse("[default] # trailing\n[a]b] x\n[ spaced ]\n");
    let names: Vec<_> = doc.sections().iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["default", "a]b", " spaced "]);
}

#[test]
fn config_profile_names_follow_build_profile_map() {
    assert_eq!(config_profile_name("default").as_deref(), Some("default"));
    assert_eq!(config_profile_name("profile dev").as_deref(), Some("dev"));
    assert_eq!(
        config_profile_name("profile \"my dev\"").as_deref(),
        Some("my dev")
    );
    assert_eq!(config_profile_name("profile a b"), None);
    assert_eq!(config_profile_name("profile"), None);
    assert_eq!(config_profile_name("profile \"open"), None);
    assert_eq!(config_profile_name("dev"), None);
    assert_eq!(config_profile_name("sso-session x"), None);
}

#[test]
fn set_value_changes_only_the_value_bytes() {
    let src = "# top\r\n[dev]\r\nAWS_Access_Key_ID\t:   OLDKEY   \r\nregion=x";
    let mut doc = Document::parse(src);
    let line = entry(&doc, "dev", "aws_access_key_id").unwrap().line;
    doc.set_value(line, "NEWKEY123").unwrap();
    assert_eq!(
        doc.render(),
        "# top\r\n[dev]\r\nAWS_Access_Key_ID\t:   NEWKEY123   \r\nregion=x"
    );
    assert_eq!(
        entry(&doc, "dev", "aws_access_key_id").unwrap().value,
        "NEWKEY123"
    );
    assert_eq!(
        Document::parse(&doc.render())
            .section("dev")
            .unwrap()
            .get("aws_access_key_id")
            .unwrap()
            .value,
        "NEWKEY123"
    );
}

#[test]
fn set_value_refuses_non_tokens_and_non_entries() {
    let mut doc = Document::parse("[a]\nk = v\n");
    assert_eq!(doc.set_value(0, "x"), Err(EditError::NotAnEntry(1)));
    assert_eq!(doc.set_value(1, "a b"), Err(EditError::NotAToken(2)));
    assert_eq!(doc.set_value(1, ""), Err(EditError::NotAToken(2)));
    assert_eq!(doc.set_value(9, "x"), Err(EditError::NoSuchLine(9)));
}

#[test]
fn shlex_matches_python() {
    assert_eq!(
        shlex_split(r#"a "b c" 'd e' f\ g "h\"i" "j\k""#).unwrap(),
        ["a", "b c", "d e", "f g", "h\"i", "j\\k"]
    );
    assert_eq!(shlex_split("a \"\"").unwrap(), ["a", ""]);
    assert_eq!(shlex_split("a\\"), None);
}

/// Lines built from the pieces that matter to the reader: headers,
/// entries with either delimiter, continuations, comments, blanks, junk,
/// odd whitespace and every line ending.
fn arb_line() -> impl Strategy<Value = String> {
    let ws = prop::sample::select(vec!["", " ", "\t", "  ", "\u{a0}", "\u{1c}", "\u{3000}"]);
    let word = "[A-Za-z0-9_/+=:#;\\[\\] .\"'\\\\-]{0,12}";
    let end = prop::sample::select(vec!["\n", "\r\n", "\r", ""]);
    (ws.clone(), word, ws, end, 0u8..8).prop_map(|(w1, word, w2, end, kind)| {
        let body = match kind {
            0 => format!("[{word}]"),
            1 => format!("{word} = {word}"),
            2 => format!("{word}:{word}"),
            3 => format!("# {word}"),
            4 => String::new(),
            5 => word.to_string(),
            6 => format!("\u{feff}{word}"),
            _ => format!("aws_access_key_id{w2}={w2}{word}"),
        };
        format!("{w1}{body}{w2}{end}")
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn render_of_parse_is_identity(lines in prop::collection::vec(arb_line(), 0..40)) {
        let src: String = lines.concat();
        let doc = Document::parse(&src);
        prop_assert_eq!(doc.render(), src);
    }

    #[test]
    fn arbitrary_strings_round_trip_and_never_panic(src in "\\PC*") {
        let doc = Document::parse(&src);
        prop_assert_eq!(doc.render(), src);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        if let Ok(doc) = Document::parse_bytes(&bytes) {
            let out = doc.render();
            prop_assert_eq!(out.as_bytes(), &bytes[..]);
        }
    }

    #[test]
    fn parse_vec_reads_as_parse_bytes(
        bytes in prop_oneof![
            prop::collection::vec(any::<u8>(), 0..200),
            prop::collection::vec(arb_line(), 0..20).prop_map(|l| l.concat().into_bytes()),
            prop::collection::vec(arb_line(), 0..20)
                .prop_map(|l| format!("\u{feff}{}", l.concat()).into_bytes()),
        ],
    ) {
        match (Document::parse_bytes(&bytes), Document::parse_vec(bytes.clone())) {
            (Ok(a), Ok(b)) => {
                prop_assert_eq!(a.render(), b.render());
                prop_assert_eq!(a.problems(), b.problems());
                prop_assert_eq!(a.sections(), b.sections());
            }
            (Err(a), Err(b)) => prop_assert_eq!(a, b),
            (a, b) => prop_assert!(false, "parse_bytes {:?}, parse_vec {:?}", a.is_ok(), b.is_ok()),
        }
    }

    #[test]
    fn set_value_then_reparse_sees_the_new_value_and_nothing_else_changes(
        lines in prop::collection::vec(arb_line(), 0..30),
        pick in any::<prop::sample::Index>(),
    ) {
        let src: String = lines.concat();
        let mut doc = Document::parse(&src);
        let entries: Vec<usize> = doc.lines().iter().enumerate()
            // An empty value followed by indented lines is a nested block
            // to botocore; giving it a value changes how the file reads,
            // so only non-empty values (all keyturn ever replaces) count.
            .filter(|(_, l)| matches!(&l.kind, LineKind::Entry { value } if !value.is_empty()))
            .map(|(i, _)| i).collect();
        if entries.is_empty() { return Ok(()); }
        let line = entries[pick.index(entries.len())];
        let before = doc.clone();
        doc.set_value(line, "AKIANEWVALUE").unwrap();
        let reparsed = Document::parse(&doc.render());
        prop_assert_eq!(reparsed.problems(), before.problems());
        for (i, (a, b)) in before.lines().iter().zip(reparsed.lines()).enumerate() {
            if i != line {
                prop_assert_eq!(before.line_text(i), reparsed.line_text(i));
                prop_assert_eq!(a.ending, b.ending);
            }
            // The edited document's own lines (moved by the edit) are
            // the reparsed ones.
            prop_assert_eq!(doc.line_text(i), reparsed.line_text(i));
        }
        prop_assert_eq!(before.lines().len(), reparsed.lines().len());
    }
}

/// botocore's `_parse_nested`: a value that starts with a line break is a
/// block of `key = value` lines, and one without `=` fails the whole file.
#[test]
fn nested_block_lines_need_an_equals_sign() {
    let doc = Document::parse("[default]\ns3 =\n    bad_syntax @ s3v4\n");
    assert_eq!(
        doc.first_problem(),
        Some(&Problem::NestedSyntax { line: 3 })
    );
    let doc = Document::parse("[default]\ns3 =\n  addressing_style = path\n\n  x=1\n");
    assert!(doc.problems().is_empty());
    // `:` is a delimiter for configparser, not for the nested parser.
    let doc = Document::parse("[p]\ns3 =\n  addressing_style: path\n");
    assert_eq!(
        doc.first_problem(),
        Some(&Problem::NestedSyntax { line: 3 })
    );
    // A value that starts on the key's line is not nested.
    let doc = Document::parse("[p]\nk = a\n  no equals here\n");
    assert!(doc.problems().is_empty());
    // Python's splitlines also breaks at U+001C inside one physical line.
    let doc = Document::parse("[p]\ns3 =\n  a=b\u{1c}c\n");
    assert_eq!(
        doc.first_problem(),
        Some(&Problem::NestedSyntax { line: 3 })
    );
    // In [DEFAULT], only a section that inherits the value parses it.
    let doc = Document::parse("[DEFAULT]\ns3 =\n  bad\n");
    assert!(doc.problems().is_empty());
    let doc = Document::parse("[DEFAULT]\ns3 =\n  bad\n[p]\ns3 = x\n");
    assert!(doc.problems().is_empty());
    let doc = Document::parse("[DEFAULT]\ns3 =\n  bad\n[p]\nk = x\n");
    assert_eq!(
        doc.first_problem(),
        Some(&Problem::NestedSyntax { line: 3 })
    );
}
