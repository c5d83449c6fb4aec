//! Unit tests of the rotation state machine against a fake AWS.
//!
//! [`FakeAws`] (in [`crate::testing`]) is an in-memory IAM/STS: users, keys with secrets, the
//! 2-keys-per-user limit, signature checking (an unknown, wrong or
//! Inactive key gets InvalidClientTokenId), IAM's eventual consistency
//! (a new key fails the first N calls signed with it, and optionally
//! again later), MFA-guarded IAM, scripted faults per operation and a log
//! of every call with the key that signed it. Crashes are simulated by
//! writing the journal a killed run would have left and running recovery.

use super::*;
use crate::aws::ErrorKind;
use crate::home::files::load;
use crate::profile::{self, FileKind};
use crate::testing::*;
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::os::unix::fs::PermissionsExt;
use std::rc::Rc;

// ---------------------------------------------------------------------------
// Fixture data

const ALICE_ARN: &str = "arn:aws:iam::123456789012:user/team/alice";
const OLD_ID: &str = "AKIAOLDKEY0000000001";
const OLD_SECRET: &str = "oldSecret/Zx9Zx9Zx9Zx9Zx9Zx9Zx9Zx9Zx9Zx01";
const OTHER_ID: &str = "AKIAOTHERKEY00000002";
const OTHER_SECRET: &str = "otherSecret+Qw8Qw8Qw8Qw8Qw8Qw8Qw8Qw8Qw02";
const MFA_SERIAL: &str = "arn:aws:iam::123456789012:mfa/alice";
const MFA_CODE: &str = "123456";

/// A credentials file with the quirks the edit must keep byte for byte:
/// CRLF endings, odd spacing, a `:` delimiter, trailing blanks, comments,
/// and a second profile with an unrelated key.
fn creds_text() -> String {
    format!(
        "# team keys\r\n[other]\r\naws_access_key_id = AKIAUNRELATED0000009\r\naws_secret_access_key = unrelatedSecret\r\n\r\n[dev]\r\naws_access_key_id=  {OLD_ID}\r\naws_secret_access_key : {OLD_SECRET}   \r\nregion = eu-west-1\r\n; trailing comment"
    )
}

/// `text` with the old pair replaced, which is all a rotation may change.
fn with_pair(text: &str, id: &str, secret: &str) -> String {
    text.replace(OLD_ID, id).replace(OLD_SECRET, secret)
}

fn settings() -> Settings {
    Settings {
        verify_successes: 3,
        timeout: Duration::from_millis(300),
        initial_backoff: Duration::from_millis(1),
        max_backoff: Duration::from_millis(5),
        lock_wait: Duration::ZERO,
        ..Settings::default()
    }
}

fn block_on<F: Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

// ---------------------------------------------------------------------------
// A UI that records

#[derive(Default)]
struct RecordingUi {
    steps: RefCell<Vec<String>>,
    warnings: RefCell<Vec<String>>,
    questions: RefCell<Vec<String>>,
    mfa_asked: RefCell<Vec<String>>,
    confirm_answer: Cell<bool>,
    mfa_answer: RefCell<Option<String>>,
}

impl Ui for RecordingUi {
    fn step(&self, profile: &str, msg: &str) {
        self.steps.borrow_mut().push(format!("{profile}: {msg}"));
    }

    fn warn(&self, msg: &str) {
        self.warnings.borrow_mut().push(msg.to_string());
    }

    fn confirm(&self, question: &str) -> bool {
        self.questions.borrow_mut().push(question.to_string());
        self.confirm_answer.get()
    }

    fn mfa_code(&self, serial: &str) -> Option<String> {
        self.mfa_asked.borrow_mut().push(serial.to_string());
        self.mfa_answer.borrow().clone()
    }
}

impl RecordingUi {
    fn everything(&self) -> Vec<String> {
        let mut all = self.steps.borrow().clone();
        all.extend(self.warnings.borrow().iter().cloned());
        all.extend(self.questions.borrow().iter().cloned());
        all
    }
}

// ---------------------------------------------------------------------------
// The test bed: a temp home with the two files, the fake and the UI

struct Fx {
    _dir: tempfile::TempDir,
    paths: Paths,
    aws: FakeAws,
    ui: RecordingUi,
    s: Settings,
}

impl Fx {
    /// Alice owns OLD_ID, which `[dev]` of the credentials file holds.
    fn new() -> Fx {
        Fx::with_files(&creds_text(), None)
    }

    fn with_files(creds: &str, config: Option<&str>) -> Fx {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths {
            credentials: dir.path().join("credentials"),
            config: dir.path().join("config"),
        };
        std::fs::write(&paths.credentials, creds).unwrap();
        std::fs::set_permissions(&paths.credentials, std::fs::Permissions::from_mode(0o600))
            .unwrap();
        if let Some(c) = config {
            std::fs::write(&paths.config, c).unwrap();
            std::fs::set_permissions(&paths.config, std::fs::Permissions::from_mode(0o600))
                .unwrap();
        }
        let aws = FakeAws::default();
        aws.add_user("alice", ALICE_ARN);
        aws.add_key("alice", OLD_ID, OLD_SECRET, true);
        Fx {
            _dir: dir,
            paths,
            aws,
            ui: RecordingUi::default(),
            s: settings(),
        }
    }

    fn with_ctx<T>(&self, f: impl FnOnce(&Ctx<'_, FakeAws>) -> T) -> T {
        let locks = lock_files(&self.paths, &self.s).unwrap();
        let cx = Ctx {
            aws: &self.aws,
            ui: &self.ui,
            paths: &self.paths,
            s: &self.s,
            locks: &locks,
            mfa: &Default::default(),
        };
        f(&cx)
    }

    /// The homes, without the locks (for reading state only).
    fn homes(&self) -> Homes<'_> {
        Homes {
            paths: &self.paths,
            locks: &[],
            keep_backups: self.s.keep_backups,
            update_shared: self.s.update_shared,
            keystores: None,
        }
    }

    fn rotate(&self, profile: &str) -> Result<Outcome, RotateError> {
        let r = self.with_ctx(|cx| block_on(super::rotate(cx, profile)));
        self.assert_no_secret_shown(&r);
        r
    }

    fn rotated(&self, profile: &str) -> Summary {
        match self.rotate(profile) {
            Ok(Outcome::Rotated(s)) => s,
            other => panic!("expected a rotation, got {other:?}"),
        }
    }

    fn recover(&self, j: Journal) -> Result<Option<Summary>, RotateError> {
        let r = self.with_ctx(|cx| block_on(cx.recover_journal(j)));
        self.assert_no_secret_shown(&r);
        r
    }

    /// `recover`'s results, a finished rotation as Some, an undone one as
    /// None; a journal set aside fails the test unless it expects one
    /// ([`Fx::recover_all_set_aside`]).
    fn recover_all(&self) -> Vec<(String, Result<Option<Summary>, RotateError>)> {
        self.recover_all_set_aside()
            .into_iter()
            .map(|(p, r)| {
                let r = r.map(|r| match r {
                    super::Recovered::Finished(s) => Some(s),
                    super::Recovered::Undone => None,
                    super::Recovered::SetAside(path) => panic!("set aside: {}", path.display()),
                });
                (p, r)
            })
            .collect()
    }

    fn recover_all_set_aside(&self) -> Vec<(String, Result<super::Recovered, RotateError>)> {
        let r = self
            .with_ctx(|cx| block_on(super::recover_all(cx)))
            .unwrap();
        self.assert_no_secret_shown(&r);
        r
    }

    /// Neither the UI nor the Debug/Display of a result shows a secret.
    fn assert_no_secret_shown(&self, r: &dyn std::fmt::Debug) {
        let mut shown = self.ui.everything();
        shown.push(format!("{r:?}"));
        for secret in self.aws.all_secrets() {
            for text in &shown {
                assert!(
                    !text.contains(&secret),
                    "a secret was shown: {}",
                    text.replace(&secret, "<SECRET>")
                );
            }
        }
    }

    fn creds(&self) -> String {
        std::fs::read_to_string(&self.paths.credentials).unwrap()
    }

    fn config(&self) -> String {
        std::fs::read_to_string(&self.paths.config).unwrap()
    }

    fn write_creds(&self, text: &str) {
        std::fs::write(&self.paths.credentials, text).unwrap();
    }

    /// The pair the AWS CLI would use for `profile` now.
    fn file_pair(&self, profile: &str) -> (String, String) {
        let loaded = load(&self.paths).unwrap();
        let k = profile::resolve(&loaded.files(&self.paths), profile).unwrap();
        (k.access_key_id, k.secret.expose().to_string())
    }

    fn journals(&self) -> Vec<Journal> {
        journals(&self.paths)
            .unwrap()
            .into_iter()
            .map(|(_, j)| j)
            .collect()
    }

    /// The journal of `[dev]` a run would have saved in `state`.
    fn journal(&self, state: State, new: Option<&(String, String)>) -> Journal {
        Journal {
            version: 1,
            state,
            profile: "dev".into(),
            home: HomeRef::Files(crate::home::FilesRef {
                home: dev_place(),
                update_shared: true,
                credentials_file: store::real_path(&self.paths.credentials).unwrap(),
                config_file: store::real_path(&self.paths.config).unwrap(),
            }),
            user_arn: ALICE_ARN.into(),
            user_name: "alice".into(),
            region: "us-east-1".into(),
            mfa_serial: None,
            retire: Retire::Delete,
            started_at: now_secs(),
            old_key_id: OLD_ID.into(),
            old_secret: Secret::new(OLD_SECRET),
            keys_before: vec![OLD_ID.into()],
            new_key_id: new.map(|n| n.0.clone()),
            new_secret: new.map(|n| Secret::new(n.1.as_str())),
            rollback_reason: (state == State::RollingBack)
                .then(|| "the new key did not work within 120s".to_string()),
            hooks_done: false,
            // The one CreateAccessKey sent: it made the new key, or (a
            // crash in `Started`) its answer never came.
            create_attempts: vec![Sent {
                at: now_secs(),
                came: new.map_or(Came::Unknown, |n| Came::Key(n.0.clone())),
            }],
            destinations: Vec::new(),
        }
    }

    /// Saves `j` where the state machine would have.
    fn leave(&self, j: &Journal) {
        save(j).unwrap();
        assert_eq!(self.journals().len(), 1);
    }

    /// The end state of every finished rotation or recovery: alice has one
    /// Active key, `[dev]` holds exactly it, no journal is left.
    /// Like [`Fx::assert_settled`] but tolerates a pending journal.
    fn assert_settled_or_journal(&self) -> (String, String) {
        let keys = self.aws.keys("alice");
        assert_eq!(keys.len(), 1, "{keys:?}");
        let (id, secret) = self.file_pair("dev");
        assert_eq!(
            (keys[0].id.as_str(), keys[0].secret.as_str()),
            (id.as_str(), secret.as_str())
        );
        (id, secret)
    }

    fn assert_settled(&self) -> (String, String) {
        let keys = self.aws.keys("alice");
        assert_eq!(keys.len(), 1, "{keys:?}");
        assert!(keys[0].active);
        let (id, secret) = self.file_pair("dev");
        assert_eq!(keys[0].id, id);
        assert_eq!(keys[0].secret, secret, "the file's secret is not the key's");
        assert!(self.journals().is_empty(), "a journal was left behind");
        assert!(self.aws.peak("alice") <= 2);
        assert!(
            !self
                .aws
                .log()
                .iter()
                .any(|c| c.failed.as_deref() == Some("LimitExceeded")),
            "the 2-key limit was hit"
        );
        (id, secret)
    }
}

fn dev_place() -> Place {
    Place {
        file: FileKind::Credentials,
        section: "dev".into(),
        profile: Some("dev".into()),
    }
}

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o7777
}

// ---------------------------------------------------------------------------
// Fresh rotations

#[test]
fn happy_path_changes_only_the_two_values_and_deletes_the_old_key() {
    let fx = Fx::new();
    let before = fx.creds();
    let summary = fx.rotated("dev");

    let (id, secret) = fx.assert_settled();
    assert_ne!(id, OLD_ID);
    assert_eq!(fx.creds(), with_pair(&before, &id, &secret));
    assert_eq!(mode(&fx.paths.credentials), 0o600);
    assert!(fx.aws.key(OLD_ID).is_none(), "old key must be deleted");
    // The config file did not exist and was not created.
    assert!(!fx.paths.config.exists());

    assert_eq!(summary.profile, "dev");
    assert_eq!(summary.user_arn, ALICE_ARN);
    assert_eq!(summary.old_key_id, OLD_ID);
    assert_eq!(summary.new_key_id, id);
    assert_eq!(summary.retired, Retire::Delete);
    assert_eq!(summary.updated, vec![dev_place()]);
    assert!(!summary.resumed);
    assert_eq!(summary.backups.len(), 1);
    assert_eq!(
        std::fs::read_to_string(&summary.backups[0]).unwrap(),
        before
    );
    assert_eq!(mode(&summary.backups[0]), 0o600);

    // One create; the old key is deleted signing with the new one.
    assert_eq!(fx.aws.count(CAK), 1);
    let del: Vec<Call> = fx.aws.log().into_iter().filter(|c| c.op == DAK).collect();
    assert_eq!(del.len(), 1);
    assert_eq!(del[0].target.as_deref(), Some(OLD_ID));
    assert_eq!(del[0].signer, id);
    assert!(fx.ui.questions.borrow().is_empty());
}

#[test]
fn journal_is_saved_before_each_step_that_leaves_its_state() {
    let fx = Fx::new();
    // (op, signer, journals on disk, credentials file) before each call.
    type Seen = Vec<(&'static str, String, Vec<Journal>, String)>;
    let seen: Rc<RefCell<Seen>> = Rc::default();
    let (paths, rec) = (fx.paths.clone(), seen.clone());
    fx.aws.set_probe(move |op, signer, _| {
        let js: Vec<Journal> = journals(&paths)
            .unwrap()
            .into_iter()
            .map(|(_, j)| j)
            .collect();
        let file = std::fs::read_to_string(&paths.credentials).unwrap();
        rec.borrow_mut().push((op, signer.to_string(), js, file));
    });
    let summary = fx.rotated("dev");
    let new_id = summary.new_key_id.clone();
    let seen = seen.borrow();

    // Nothing is journaled while only reading.
    let (_, _, js, _) = seen.iter().find(|(op, ..)| *op == LAK).unwrap();
    assert!(js.is_empty());
    // Before CreateAccessKey: Started, with the old pair and the keys
    // that existed, and no new key.
    let (_, _, js, file) = seen.iter().find(|(op, ..)| *op == CAK).unwrap();
    assert_eq!(js.len(), 1);
    let j = &js[0];
    assert_eq!(j.state, State::Started);
    assert_eq!(j.profile, "dev");
    assert_eq!(j.old_key_id, OLD_ID);
    assert_eq!(j.old_secret.expose(), OLD_SECRET);
    assert_eq!(j.keys_before, vec![OLD_ID.to_string()]);
    assert_eq!(j.user_name, "alice");
    assert!(j.new_key_id.is_none() && j.new_secret.is_none());
    assert_eq!(*file, creds_text());
    // The first call with the new key: the file holds it and the journal
    // (with its secret) says Written.
    let (_, _, js, file) = seen.iter().find(|(_, s, ..)| *s == new_id).unwrap();
    assert_eq!(js[0].state, State::Written);
    assert_eq!(js[0].new_key_id.as_deref(), Some(new_id.as_str()));
    let new_secret = js[0].new_secret.as_ref().unwrap().expose();
    assert_eq!(fx.aws.key(&new_id).unwrap().secret, new_secret);
    assert!(file.contains(&new_id) && file.contains(new_secret));
    // Retiring the old key: Verified.
    let (_, _, js, _) = seen.iter().find(|(op, ..)| *op == DAK).unwrap();
    assert_eq!(js[0].state, State::Verified);
    drop(seen);
    fx.assert_settled();
    // The journal folder is private.
    let jdir = fx
        .paths
        .credentials
        .parent()
        .unwrap()
        .join(".keyturn/journal");
    assert_eq!(mode(&jdir), 0o700);
}

#[test]
fn deactivate_keeps_old_key_inactive_and_a_later_rotate_deletes_it_without_asking() {
    let mut fx = Fx::new();
    fx.s.retire = Retire::Deactivate;
    let first = fx.rotated("dev");
    assert_eq!(first.retired, Retire::Deactivate);
    let old = fx.aws.key(OLD_ID).expect("deactivated, not deleted");
    assert!(!old.active);
    assert_eq!(fx.aws.count(UAK), 1);
    assert_eq!(fx.aws.count(DAK), 0);
    assert!(retired_by_us(&fx.homes(), OLD_ID));
    let (id1, _) = fx.file_pair("dev");
    assert_eq!(id1, first.new_key_id);

    // Not interactive, no --yes: the inactive key keyturn retired itself
    // is deleted to make room, without a question.
    assert!(!fx.s.yes && !fx.s.interactive);
    fx.aws.clear_log();
    let second = fx.rotated("dev");
    assert!(fx.ui.questions.borrow().is_empty());
    assert!(fx.aws.key(OLD_ID).is_none());
    assert!(!retired_by_us(&fx.homes(), OLD_ID));
    let del: Vec<Call> = fx.aws.log().into_iter().filter(|c| c.op == DAK).collect();
    assert_eq!(del.len(), 1);
    assert_eq!(del[0].target.as_deref(), Some(OLD_ID));
    // Now the first new key is the inactive one, remembered in turn.
    assert_eq!(second.old_key_id, id1);
    let ids = fx.aws.key_ids("alice");
    assert_eq!(ids, vec![id1.clone(), second.new_key_id.clone()]);
    assert!(!fx.aws.key(&id1).unwrap().active);
    assert!(retired_by_us(&fx.homes(), &id1));
    assert_eq!(fx.file_pair("dev").0, second.new_key_id);
    assert!(fx.aws.peak("alice") <= 2);
}

#[test]
fn propagation_delay_shorter_than_timeout_needs_consecutive_successes() {
    let fx = Fx::new();
    fx.aws.set_new_key_flaky(Flaky::delay(2));
    let summary = fx.rotated("dev");
    fx.assert_settled();
    // Two refused attempts, then a streak of three in a row: two STS
    // successes and the streak's one IAM read as its last, then the old
    // key's deletion.
    assert_eq!(
        fx.aws.signed_with(&summary.new_key_id),
        vec![GCI, GCI, GCI, GCI, LAK, DAK]
    );
}

#[test]
fn verify_successes_setting_is_the_streak_length() {
    let mut fx = Fx::new();
    fx.s.verify_successes = 5;
    let summary = fx.rotated("dev");
    let ops = fx.aws.signed_with(&summary.new_key_id);
    assert_eq!(ops.iter().filter(|o| **o == GCI).count(), 4);
    // One IAM read per streak, as its last success.
    assert_eq!(ops.iter().filter(|o| **o == LAK).count(), 1);
}

#[test]
fn a_streak_of_one_still_checks_the_user_and_iam() {
    let mut fx = Fx::new();
    fx.s.verify_successes = 1;
    let summary = fx.rotated("dev");
    // The IAM read never stands alone: the user is checked by STS first.
    assert_eq!(fx.aws.signed_with(&summary.new_key_id), vec![GCI, LAK, DAK]);
}

#[test]
fn intermittent_failure_after_first_success_resets_the_streak() {
    let fx = Fx::new();
    // Calls 1-2 fail, 3-4 succeed, call 5 (the streak's IAM read, its
    // third) fails: the streak must start again from zero.
    fx.aws.set_new_key_flaky(Flaky {
        first: 2,
        again: vec![5],
    });
    let summary = fx.rotated("dev");
    fx.assert_settled();
    assert_eq!(
        fx.aws.signed_with(&summary.new_key_id),
        vec![GCI, GCI, GCI, GCI, LAK, GCI, GCI, LAK, DAK]
    );
}

#[test]
fn retire_retries_when_the_new_key_flickers() {
    let fx = Fx::new();
    // Call 6 is the old key's deletion.
    fx.aws.set_new_key_flaky(Flaky {
        first: 2,
        again: vec![6],
    });
    let summary = fx.rotated("dev");
    fx.assert_settled();
    assert_eq!(
        fx.aws.signed_with(&summary.new_key_id),
        vec![GCI, GCI, GCI, GCI, LAK, DAK, DAK]
    );
}

#[test]
fn retire_reply_lost_is_retried_and_no_such_entity_counts_as_done() {
    let fx = Fx::new();
    fx.aws.script(DAK, &[Some(Fault::LoseReply)]);
    let summary = fx.rotated("dev");
    fx.assert_settled();
    let del: Vec<Call> = fx.aws.log().into_iter().filter(|c| c.op == DAK).collect();
    assert_eq!(del.len(), 2, "{del:?}");
    assert_eq!(del[0].failed.as_deref(), Some("no-reply"));
    assert_eq!(del[1].failed.as_deref(), Some("NoSuchEntity"));
    assert!(del.iter().all(|c| c.signer == summary.new_key_id));
}

#[test]
fn verification_never_succeeding_rolls_back_byte_exactly() {
    let fx = Fx::new();
    fx.aws.set_new_key_flaky(Flaky::never());
    let before = fx.creds();
    let err = fx.rotate("dev").unwrap_err();
    assert!(matches!(err, RotateError::RolledBack { .. }), "{err:?}");
    assert!(!err.nothing_changed());
    assert_eq!(err.code(), "rolled_back");
    assert!(err.to_string().contains("did not work"), "{err}");

    assert_eq!(fx.creds(), before, "the file must hold the old pair again");
    assert_eq!(fx.aws.key_ids("alice"), vec![OLD_ID.to_string()]);
    assert!(fx.aws.key(OLD_ID).unwrap().active);
    assert!(fx.journals().is_empty());
    // The new key was deleted signing with the old key (the new one never
    // worked).
    let new_id = fx
        .aws
        .log()
        .iter()
        .find(|c| c.op == GCI && c.signer != OLD_ID)
        .unwrap()
        .signer
        .clone();
    let del: Vec<Call> = fx.aws.log().into_iter().filter(|c| c.op == DAK).collect();
    assert_eq!(del.len(), 1, "{del:?}");
    assert_eq!(del[0].target.as_deref(), Some(new_id.as_str()));
    assert_eq!(del[0].signer, OLD_ID);
    assert!(del[0].failed.is_none());
    assert!(fx
        .ui
        .warnings
        .borrow()
        .iter()
        .any(|w| w.starts_with("rolling back")));
    // Many attempts were made within the timeout, none with the old key
    // retired.
    assert!(fx.aws.signed_with(&new_id).len() > 3);
}

#[test]
fn new_key_of_another_user_is_refused_and_rolled_back() {
    // The verification must check whose key it is, not just that it works:
    // a Written journal whose new key answers as another user.
    let fx = Fx::new();
    fx.aws
        .add_user("mallory", "arn:aws:iam::123456789012:user/mallory");
    let before = fx.creds();
    let (id, secret) = fx.aws.mint_key("mallory");
    fx.write_creds(&with_pair(&before, &id, &secret));
    let j = fx.journal(State::Written, Some(&(id.clone(), secret)));
    fx.leave(&j);
    assert!(fx.recover(j).unwrap().is_none());
    assert_eq!(fx.creds(), before);
    assert!(fx.journals().is_empty());
    assert!(fx.aws.key(OLD_ID).unwrap().active);
    // One attempt: a wrong identity is not retried.
    assert_eq!(fx.aws.signed_with(&id), vec![GCI]);
    assert!(fx
        .ui
        .warnings
        .borrow()
        .iter()
        .any(|w| w.contains("belongs to") && w.contains("mallory")));
}

// ---------------------------------------------------------------------------
// CreateAccessKey failures

#[test]
fn create_reply_lost_deletes_the_orphan_and_creates_again() {
    let fx = Fx::new();
    fx.aws.script(CAK, &[Some(Fault::LoseReply)]);
    let summary = fx.rotated("dev");
    let (id, _) = fx.assert_settled();
    assert_eq!(summary.new_key_id, id);
    assert_eq!(fx.aws.count(CAK), 2);
    // The orphan (the first minted key) was deleted, signing with the old
    // key, before the second create.
    let log = fx.aws.log();
    let orphan = "AKIANEWKEY0000000001";
    let del = log
        .iter()
        .position(|c| c.op == DAK && c.target.as_deref() == Some(orphan))
        .expect("orphan deleted");
    assert_eq!(log[del].signer, OLD_ID);
    let second_create = log.iter().rposition(|c| c.op == CAK).unwrap();
    assert!(del < second_create);
    assert_ne!(id, orphan);
    assert_eq!(fx.aws.peak("alice"), 2);
    assert!(fx
        .ui
        .warnings
        .borrow()
        .iter()
        .any(|w| w.contains("orphaned")));
}

#[test]
fn create_503_before_executing_is_retried_without_orphan() {
    let fx = Fx::new();
    fx.aws.script(CAK, &[Some(Fault::Unavailable)]);
    fx.rotated("dev");
    fx.assert_settled();
    assert_eq!(fx.aws.count(CAK), 2);
    // Only the old key was ever deleted: there was no orphan.
    let del: Vec<Call> = fx.aws.log().into_iter().filter(|c| c.op == DAK).collect();
    assert_eq!(del.len(), 1);
    assert_eq!(del[0].target.as_deref(), Some(OLD_ID));
}

#[test]
fn create_reply_lost_every_time_gives_up_leaving_no_orphan() {
    let fx = Fx::new();
    fx.aws.always(CAK, Fault::LoseReply);
    let before = fx.creds();
    let err = fx.rotate("dev").unwrap_err();
    assert!(
        matches!(
            err,
            RotateError::Aws {
                step: "IAM CreateAccessKey",
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(fx.aws.count(CAK), 3, "bounded retries");
    assert_eq!(fx.aws.key_ids("alice"), vec![OLD_ID.to_string()]);
    assert_eq!(fx.creds(), before);
    assert!(fx.journals().is_empty());
    assert!(fx.aws.peak("alice") <= 2);
}

#[test]
fn create_definite_failure_changes_nothing() {
    for fault in [Fault::LimitExceeded, Fault::AccessDenied] {
        let fx = Fx::new();
        fx.aws.script(CAK, &[Some(fault)]);
        let before = fx.creds();
        let err = fx.rotate("dev").unwrap_err();
        match &err {
            RotateError::Aws { step, source, .. } => {
                assert_eq!(*step, "IAM CreateAccessKey");
                assert_eq!(source.kind, ErrorKind::Service);
            }
            other => panic!("{fault:?}: {other:?}"),
        }
        assert_eq!(err.code(), "aws_error");
        // Never retried: the answer was definite.
        assert_eq!(fx.aws.count(CAK), 1, "{fault:?}");
        assert_eq!(fx.aws.count(DAK), 0, "{fault:?}");
        assert_eq!(fx.aws.key_ids("alice"), vec![OLD_ID.to_string()]);
        assert!(fx.aws.key(OLD_ID).unwrap().active);
        assert_eq!(fx.creds(), before);
        assert!(fx.journals().is_empty(), "{fault:?}: journal left");
    }
}

// ---------------------------------------------------------------------------
// A second key

#[test]
fn second_inactive_key_is_refused_without_yes() {
    let fx = Fx::new();
    fx.aws.add_key("alice", OTHER_ID, OTHER_SECRET, false);
    let before = fx.creds();
    let err = fx.rotate("dev").unwrap_err();
    assert!(matches!(err, RotateError::TwoKeys { .. }), "{err:?}");
    assert!(err.nothing_changed());
    assert_eq!(err.code(), "two_keys");
    assert!(err.to_string().contains("--yes"), "{err}");
    assert_eq!(fx.creds(), before);
    assert_eq!(fx.aws.count(CAK), 0);
    assert_eq!(fx.aws.count(DAK), 0);
    assert_eq!(fx.aws.key_ids("alice").len(), 2);
    assert!(fx.journals().is_empty());
    // Not interactive: no question was asked.
    assert!(fx.ui.questions.borrow().is_empty());
}

#[test]
fn second_inactive_key_is_deleted_with_yes() {
    let mut fx = Fx::new();
    fx.aws.add_key("alice", OTHER_ID, OTHER_SECRET, false);
    fx.s.yes = true;
    fx.rotated("dev");
    fx.assert_settled();
    assert!(fx.aws.key(OTHER_ID).is_none());
    assert!(fx.ui.questions.borrow().is_empty());
    // The other key went before the new one was created.
    let log = fx.aws.log();
    let del = log
        .iter()
        .position(|c| c.op == DAK && c.target.as_deref() == Some(OTHER_ID))
        .unwrap();
    assert!(del < log.iter().position(|c| c.op == CAK).unwrap());
}

#[test]
fn second_inactive_key_is_deleted_when_the_user_confirms() {
    let mut fx = Fx::new();
    fx.aws.add_key("alice", OTHER_ID, OTHER_SECRET, false);
    fx.s.interactive = true;
    fx.ui.confirm_answer.set(false);
    let err = fx.rotate("dev").unwrap_err();
    assert!(err.nothing_changed(), "{err:?}");
    assert_eq!(fx.ui.questions.borrow().len(), 1);
    assert!(fx.ui.questions.borrow()[0].contains("Inactive"));
    assert_eq!(fx.aws.count(CAK), 0);

    fx.ui.confirm_answer.set(true);
    fx.rotated("dev");
    fx.assert_settled();
    assert_eq!(fx.ui.questions.borrow().len(), 2);
}

#[test]
fn second_active_key_is_refused_and_the_message_mentions_last_use() {
    let mut fx = Fx::new();
    fx.aws.add_key("alice", OTHER_ID, OTHER_SECRET, true);
    // --yes is not enough for an Active key.
    fx.s.yes = true;
    let before = fx.creds();
    let err = fx.rotate("dev").unwrap_err();
    assert!(matches!(err, RotateError::TwoKeys { .. }), "{err:?}");
    assert!(err.nothing_changed());
    let msg = err.to_string();
    assert!(msg.contains("last used 2024-05-01T10:00:00Z"), "{msg}");
    assert!(
        msg.contains("s3") && msg.contains("--delete-other-active"),
        "{msg}"
    );
    assert!(!msg.contains(OTHER_ID), "ids are masked: {msg}");
    assert_eq!(fx.creds(), before);
    assert_eq!(fx.aws.count(CAK), 0);
    assert_eq!(fx.aws.count(DAK), 0);
    assert!(fx.aws.key(OTHER_ID).unwrap().active);
}

#[test]
fn second_active_key_is_deleted_with_delete_other_active() {
    let mut fx = Fx::new();
    fx.aws.add_key("alice", OTHER_ID, OTHER_SECRET, true);
    fx.s.delete_other_active = true;
    fx.rotated("dev");
    fx.assert_settled();
    assert!(fx.aws.key(OTHER_ID).is_none());
    assert!(fx
        .ui
        .warnings
        .borrow()
        .iter()
        .any(|w| w.contains("Active") && w.contains("last used")));
}

// ---------------------------------------------------------------------------
// Recovery of every journal state

#[test]
fn recover_started_deletes_the_orphan_then_rotate_starts_afresh() {
    let fx = Fx::new();
    // Crash right after CreateAccessKey executed: the key exists in IAM,
    // its secret nowhere.
    let (orphan, _) = fx.aws.mint_key("alice");
    let j = fx.journal(State::Started, None);
    fx.leave(&j);
    let before = fx.creds();

    let results = fx.recover_all();
    assert_eq!(results.len(), 1);
    assert_eq!(results[0].0, "dev");
    assert!(matches!(results[0].1, Ok(None)), "{:?}", results[0].1);
    assert_eq!(fx.creds(), before, "Started never touches the file");
    assert_eq!(fx.aws.key_ids("alice"), vec![OLD_ID.to_string()]);
    let del: Vec<Call> = fx.aws.log().into_iter().filter(|c| c.op == DAK).collect();
    assert_eq!(del.len(), 1);
    assert_eq!(del[0].target.as_deref(), Some(orphan.as_str()));
    assert_eq!(del[0].signer, OLD_ID);
    assert!(fx.journals().is_empty());

    let summary = fx.rotated("dev");
    assert!(!summary.resumed);
    assert_eq!(fx.aws.count(CAK), 1);
    let (id, secret) = fx.assert_settled();
    assert_eq!(fx.creds(), with_pair(&before, &id, &secret));
}

#[test]
fn rotate_undoes_an_interrupted_started_rotation_then_rotates_once() {
    let fx = Fx::new();
    let (orphan, _) = fx.aws.mint_key("alice");
    fx.leave(&fx.journal(State::Started, None));
    let before = fx.creds();
    let summary = fx.rotated("dev");
    assert!(!summary.resumed);
    assert_eq!(fx.aws.count(CAK), 1);
    assert!(fx.aws.key(&orphan).is_none());
    let (id, secret) = fx.assert_settled();
    assert_ne!(id, orphan);
    assert_eq!(fx.creds(), with_pair(&before, &id, &secret));
}

/// A crash after the new key was made and journaled; `file_new` says
/// whether the atomic file write had happened.
fn crashed_after_create(state: State, file_new: bool) -> (Fx, (String, String)) {
    let fx = Fx::new();
    let new = fx.aws.mint_key("alice");
    if file_new {
        fx.write_creds(&with_pair(&creds_text(), &new.0, &new.1));
    }
    fx.leave(&fx.journal(state, Some(&new)));
    (fx, new)
}

fn assert_finished_forward(fx: &Fx, summary: &Summary, new: &(String, String)) {
    assert!(summary.resumed);
    assert_eq!(summary.new_key_id, new.0);
    assert_eq!(summary.old_key_id, OLD_ID);
    assert_eq!(summary.user_arn, ALICE_ARN);
    assert_eq!(summary.updated, vec![dev_place()]);
    // No second rotation.
    assert_eq!(fx.aws.count(CAK), 0);
    let (id, secret) = fx.assert_settled();
    assert_eq!(
        (id.as_str(), secret.as_str()),
        (new.0.as_str(), new.1.as_str())
    );
    assert_eq!(fx.creds(), with_pair(&creds_text(), &new.0, &new.1));
    assert!(fx.aws.key(OLD_ID).is_none());
}

#[test]
fn recover_created_with_the_old_file_finishes_forward() {
    let (fx, new) = crashed_after_create(State::Created, false);
    let summary = fx.rotated("dev");
    assert_finished_forward(&fx, &summary, &new);
    assert_eq!(summary.backups.len(), 1);
    assert_eq!(
        std::fs::read_to_string(&summary.backups[0]).unwrap(),
        creds_text()
    );
}

#[test]
fn recover_created_with_the_new_file_finishes_forward() {
    let (fx, new) = crashed_after_create(State::Created, true);
    let summary = fx.rotated("dev");
    assert_finished_forward(&fx, &summary, &new);
    assert!(summary.backups.is_empty(), "nothing to write");
}

#[test]
fn recover_written_verifies_and_retires() {
    let (fx, new) = crashed_after_create(State::Written, true);
    let results = fx.recover_all();
    assert_eq!(results.len(), 1);
    let summary = results[0].1.as_ref().unwrap().as_ref().unwrap();
    assert_finished_forward(&fx, summary, &new);
    // It was verified again before the old key was retired.
    let ops = fx.aws.signed_with(&new.0);
    assert_eq!(ops, vec![GCI, GCI, LAK, DAK]);
    // And a rotate now is a fresh one.
    fx.aws.clear_log();
    let again = fx.rotated("dev");
    assert!(!again.resumed);
    assert_eq!(again.old_key_id, new.0);
    assert_eq!(fx.aws.count(CAK), 1);
}

#[test]
fn recover_written_through_rotate_returns_the_recovered_summary() {
    let (fx, new) = crashed_after_create(State::Written, true);
    let summary = fx.rotated("dev");
    assert_finished_forward(&fx, &summary, &new);
}

#[test]
fn recover_verified_with_the_old_key_already_deleted() {
    let (fx, new) = crashed_after_create(State::Verified, true);
    // The crash came after the old key was deleted.
    fx.aws.remove_key(OLD_ID);
    let summary = fx.rotated("dev");
    assert_finished_forward(&fx, &summary, &new);
    let del: Vec<Call> = fx.aws.log().into_iter().filter(|c| c.op == DAK).collect();
    assert_eq!(del.len(), 1);
    assert_eq!(del[0].failed.as_deref(), Some("NoSuchEntity"));
    // Signed with the new key: the old one is gone.
    assert!(fx.aws.signed_with(OLD_ID).is_empty());
}

#[test]
fn recover_verified_with_the_old_key_still_there_deletes_it() {
    let (fx, new) = crashed_after_create(State::Verified, true);
    let summary = fx.rotated("dev");
    assert_finished_forward(&fx, &summary, &new);
    // Not verified again: one STS call checks the journal's user owns
    // the key (issue 18, item 7), then the old key goes.
    assert_eq!(fx.aws.signed_with(&new.0), vec![GCI, DAK]);
}

#[test]
fn recover_rolling_back_restores_the_old_pair_and_deletes_the_new_key() {
    let (fx, new) = crashed_after_create(State::RollingBack, true);
    let results = fx.recover_all();
    assert!(matches!(results[0].1, Ok(None)), "{:?}", results[0].1);
    assert_eq!(fx.creds(), creds_text());
    assert_eq!(fx.aws.key_ids("alice"), vec![OLD_ID.to_string()]);
    let del: Vec<Call> = fx.aws.log().into_iter().filter(|c| c.op == DAK).collect();
    assert_eq!(del.len(), 1);
    assert_eq!(del[0].target.as_deref(), Some(new.0.as_str()));
    assert_eq!(del[0].signer, OLD_ID);
    assert!(fx.journals().is_empty());
    assert_eq!(fx.file_pair("dev").0, OLD_ID);

    // Undone, so a rotate now rotates.
    let summary = fx.rotated("dev");
    assert!(!summary.resumed);
    assert_eq!(fx.aws.count(CAK), 1);
    fx.assert_settled();
}

#[test]
fn recover_rolling_back_with_the_file_still_old() {
    let (fx, new) = crashed_after_create(State::RollingBack, false);
    assert!(matches!(fx.recover(fx.journals().remove(0)), Ok(None)));
    assert_eq!(fx.creds(), creds_text());
    assert!(fx.aws.key(&new.0).is_none());
    assert!(fx.journals().is_empty());
}

#[test]
fn recover_is_idempotent_when_the_new_key_is_already_gone() {
    // Crash in a rollback after the new key was deleted.
    let (fx, new) = crashed_after_create(State::RollingBack, false);
    fx.aws.remove_key(&new.0);
    let results = fx.recover_all();
    assert!(matches!(results[0].1, Ok(None)), "{:?}", results[0].1);
    assert_eq!(fx.aws.key_ids("alice"), vec![OLD_ID.to_string()]);
    assert!(fx.journals().is_empty());
}

#[test]
fn retire_failure_leaves_a_verified_journal_that_recover_finishes() {
    let fx = Fx::new();
    fx.aws.always(DAK, Fault::AccessDenied);
    let err = fx.rotate("dev").unwrap_err();
    assert!(matches!(err, RotateError::Aws { .. }), "{err:?}");
    assert!(err.to_string().contains("keyturn recover"), "{err}");
    let js = fx.journals();
    assert_eq!(js.len(), 1);
    assert_eq!(js[0].state, State::Verified);
    let new_id = js[0].new_key_id.clone().unwrap();
    // The new key is in place and works.
    assert_eq!(fx.file_pair("dev").0, new_id);

    fx.aws.clear_faults();
    let results = fx.recover_all();
    let summary = results[0].1.as_ref().unwrap().as_ref().unwrap();
    assert!(summary.resumed);
    assert_eq!(summary.new_key_id, new_id);
    assert_eq!(fx.assert_settled().0, new_id);
    assert_eq!(fx.aws.count(CAK), 1);
}

#[test]
fn rollback_failure_leaves_a_rolling_back_journal_that_recover_finishes() {
    let fx = Fx::new();
    fx.aws.set_new_key_flaky(Flaky::never());
    fx.aws.always(DAK, Fault::AccessDenied);
    let err = fx.rotate("dev").unwrap_err();
    assert!(matches!(err, RotateError::Aws { .. }), "{err:?}");
    let js = fx.journals();
    assert_eq!(js.len(), 1);
    assert_eq!(js[0].state, State::RollingBack);
    assert!(js[0].rollback_reason.is_some());
    // The file already holds the old pair again.
    assert_eq!(fx.creds(), creds_text());

    fx.aws.clear_faults();
    let results = fx.recover_all();
    assert!(matches!(results[0].1, Ok(None)), "{:?}", results[0].1);
    assert_eq!(fx.aws.key_ids("alice"), vec![OLD_ID.to_string()]);
    assert!(fx.journals().is_empty());
    assert_eq!(fx.creds(), creds_text());
}

#[test]
fn started_journal_is_left_when_orphan_cleanup_fails_and_recover_cleans_up() {
    let fx = Fx::new();
    // The reply is lost, and the cleanup listing fails too.
    fx.aws.script(CAK, &[Some(Fault::LoseReply)]);
    fx.aws.script(LAK, &[None, Some(Fault::Unavailable)]);
    let err = fx.rotate("dev").unwrap_err();
    assert!(matches!(err, RotateError::Aws { .. }), "{err:?}");
    let js = fx.journals();
    assert_eq!(js.len(), 1);
    assert_eq!(js[0].state, State::Started);
    assert_eq!(
        fx.aws.key_ids("alice").len(),
        2,
        "the orphan is still there"
    );

    let results = fx.recover_all();
    assert!(matches!(results[0].1, Ok(None)), "{:?}", results[0].1);
    assert_eq!(fx.aws.key_ids("alice"), vec![OLD_ID.to_string()]);
    assert_eq!(fx.creds(), creds_text());
    assert!(fx.journals().is_empty());
}

#[test]
fn recover_created_when_the_file_was_edited_meanwhile_rolls_back() {
    let fx = Fx::new();
    let new = fx.aws.mint_key("alice");
    fx.leave(&fx.journal(State::Created, Some(&new)));
    // Someone replaced the pair by hand in the meantime.
    let edited = creds_text()
        .replace(OLD_ID, "AKIAHANDEDITED000001")
        .replace(OLD_SECRET, "handEditedSecret");
    fx.write_creds(&edited);
    let results = fx.recover_all();
    assert!(matches!(results[0].1, Ok(None)), "{:?}", results[0].1);
    assert_eq!(fx.creds(), edited);
    assert!(fx.aws.key(&new.0).is_none());
    assert!(fx.aws.key(OLD_ID).unwrap().active);
    assert!(fx.journals().is_empty());
}

#[test]
fn dry_run_does_not_recover_journals() {
    let (mut fx, _new) = crashed_after_create(State::Created, false);
    fx.s.dry_run = true;
    // Whatever the dry run answers, it must leave the journal alone.
    let _ = fx.rotate("dev");
    assert_eq!(fx.journals().len(), 1);
    assert_eq!(fx.creds(), creds_text());
    assert!(fx.aws.log().iter().all(|c| !WRITES.contains(&c.op)));
}

// ---------------------------------------------------------------------------
// Refusals and identity

#[test]
fn refusals_from_resolve_make_no_aws_call() {
    let creds = creds_text();
    let cases: [(&str, &str, &str); 4] = [
        (
            "[dev]\naws_access_key_id = ASIATEMP000000000001\naws_secret_access_key = tempSecret\naws_session_token = tok\n",
            "dev",
            "temporary_credentials",
        ),
        (
            "[dev]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = base\n",
            "dev",
            "role_profile",
        ),
        (&creds, "missing", "profile_not_found"),
        ("[dev]\naws_access_key_id = AKIAHALF000000000001\n", "dev", "half_key_pair"),
    ];
    for (text, profile, code) in cases {
        let fx = Fx::with_files(text, None);
        let err = fx.rotate(profile).unwrap_err();
        assert!(matches!(err, RotateError::Refused(_)), "{err:?}");
        assert!(err.nothing_changed());
        assert_eq!(err.code(), code);
        assert!(fx.aws.log().is_empty(), "{code}: {:?}", fx.aws.log());
        assert_eq!(fx.creds(), text);
        assert!(fx.journals().is_empty());
    }
}

#[test]
fn root_and_assumed_role_keys_are_not_rotated() {
    for (arn, what) in [
        ("arn:aws:iam::123456789012:root", "the root user"),
        (
            "arn:aws:sts::123456789012:assumed-role/admin/session",
            "an assumed role",
        ),
    ] {
        let fx = Fx::new();
        {
            let mut w = fx.aws.world();
            w.users[0].arn = arn.into();
        }
        let err = fx.rotate("dev").unwrap_err();
        match &err {
            RotateError::NotIamUser {
                what: w, arn: a, ..
            } => {
                assert_eq!(*w, what);
                assert_eq!(a, arn);
            }
            other => panic!("{other:?}"),
        }
        assert!(err.nothing_changed());
        assert_eq!(err.code(), "not_an_iam_user");
        assert_eq!(
            fx.aws.log().iter().map(|c| c.op).collect::<Vec<_>>(),
            vec![GCI]
        );
        assert_eq!(fx.aws.key_ids("alice"), vec![OLD_ID.to_string()]);
        assert_eq!(fx.creds(), creds_text());
        assert!(fx.journals().is_empty());
    }
}

#[test]
fn dry_run_only_reads_and_plans() {
    let mut fx = Fx::new();
    fx.aws.add_key("alice", OTHER_ID, OTHER_SECRET, false);
    fx.s.dry_run = true;
    fx.s.yes = true;
    let out = fx.rotate("dev").unwrap();
    let Outcome::Planned(plan) = out else {
        panic!("{out:?}")
    };
    assert_eq!(plan.profile, "dev");
    assert_eq!(plan.user_arn, ALICE_ARN);
    assert_eq!(plan.old_key_id, OLD_ID);
    assert_eq!(plan.would_delete, vec![OTHER_ID.to_string()]);
    assert_eq!(plan.retire, Retire::Delete);
    assert_eq!(plan.updated, vec![dev_place()]);
    let log = fx.aws.log();
    assert!(!log.is_empty());
    for c in &log {
        assert!(!WRITES.contains(&c.op), "dry run wrote: {c:?}");
        assert_eq!(c.signer, OLD_ID);
    }
    assert_eq!(fx.aws.key_ids("alice").len(), 2);
    assert_eq!(fx.creds(), creds_text());
    assert!(fx.journals().is_empty());
    assert!(!fx
        .paths
        .credentials
        .parent()
        .unwrap()
        .join(".keyturn/backups")
        .exists());
}

// ---------------------------------------------------------------------------
// MFA

fn mfa_config() -> String {
    format!("[profile dev]\nregion = eu-west-1\nmfa_serial = {MFA_SERIAL}\n")
}

fn mfa_fx() -> Fx {
    let fx = Fx::with_files(&creds_text(), Some(&mfa_config()));
    fx.aws.require_mfa("alice", MFA_SERIAL, MFA_CODE);
    fx
}

#[test]
fn mfa_profile_without_code_when_not_interactive_needs_mfa() {
    let fx = mfa_fx();
    let err = fx.rotate("dev").unwrap_err();
    assert!(matches!(err, RotateError::NeedsMfa { .. }), "{err:?}");
    assert!(err.nothing_changed());
    assert_eq!(err.code(), "mfa_required");
    assert!(fx.ui.mfa_asked.borrow().is_empty());
    assert_eq!(fx.aws.count(GST), 0);
    assert_eq!(fx.aws.count(CAK), 0);
    assert_eq!(fx.creds(), creds_text());
    assert!(fx.journals().is_empty());
}

fn assert_iam_signed_with_session(fx: &Fx, new_id: &str) {
    let log = fx.aws.log();
    let gst: Vec<&Call> = log.iter().filter(|c| c.op == GST).collect();
    assert_eq!(gst.len(), 1);
    assert_eq!(gst[0].signer, OLD_ID);
    // The plain key is tried first; IAM's MFA denial brings the session.
    let at = log.iter().position(|c| c.op == GST).unwrap();
    let before: Vec<&Call> = log[..at]
        .iter()
        .filter(|c| c.op.starts_with("IAM "))
        .collect();
    assert_eq!(before.len(), 1, "{before:?}");
    assert_eq!(
        (
            before[0].op,
            before[0].signer.as_str(),
            before[0].failed.as_deref()
        ),
        (LAK, OLD_ID, Some("AccessDenied"))
    );
    for c in log[at..].iter().filter(|c| c.op.starts_with("IAM ")) {
        assert!(c.signer.starts_with("ASIASESSION"), "{c:?}");
        assert!(c.failed.is_none(), "{c:?}");
    }
    assert!(log.iter().any(|c| c.op == CAK));
    // Under MFA the new key is verified with STS only.
    assert!(fx.aws.signed_with(new_id).iter().all(|op| *op == GCI));
    assert_eq!(fx.aws.signed_with(new_id).len(), 3);
}

#[test]
fn mfa_code_gets_a_session_that_signs_every_iam_call() {
    let mut fx = mfa_fx();
    fx.s.mfa_code = Some(MFA_CODE.into());
    let summary = fx.rotated("dev");
    let (id, _) = fx.assert_settled();
    assert_eq!(summary.new_key_id, id);
    assert_iam_signed_with_session(&fx, &id);
    assert!(fx.aws.key(OLD_ID).is_none());
}

#[test]
fn mfa_code_is_prompted_for_when_interactive() {
    let mut fx = mfa_fx();
    fx.s.interactive = true;
    *fx.ui.mfa_answer.borrow_mut() = Some(MFA_CODE.into());
    let summary = fx.rotated("dev");
    assert_eq!(*fx.ui.mfa_asked.borrow(), vec![MFA_SERIAL.to_string()]);
    assert_iam_signed_with_session(&fx, &summary.new_key_id);
    fx.assert_settled();
}

#[test]
fn policy_requiring_mfa_without_mfa_serial_finds_the_device_and_gets_a_session() {
    // No mfa_serial in any file; IAM answers AccessDenied for want of MFA.
    let mut fx = Fx::with_files(&creds_text(), None);
    fx.aws.require_mfa("alice", MFA_SERIAL, MFA_CODE);
    let err = fx.rotate("dev").unwrap_err();
    assert!(matches!(err, RotateError::NeedsMfa { .. }), "{err:?}");
    assert_eq!(fx.aws.count(CAK), 0);
    fx.s.mfa_code = Some(MFA_CODE.into());
    let summary = fx.rotated("dev");
    let (id, _) = fx.assert_settled();
    assert_eq!(summary.new_key_id, id);
    assert!(fx.aws.key(OLD_ID).is_none());
    let gst: Vec<Call> = fx.aws.log().into_iter().filter(|c| c.op == GST).collect();
    assert_eq!(gst.len(), 1);
}

#[test]
fn mfa_wrong_code_changes_nothing() {
    let mut fx = mfa_fx();
    fx.s.mfa_code = Some("000000".into());
    let err = fx.rotate("dev").unwrap_err();
    assert!(
        matches!(
            err,
            RotateError::Aws {
                step: "STS GetSessionToken",
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(fx.aws.count(CAK), 0);
    assert_eq!(fx.creds(), creds_text());
    assert!(fx.journals().is_empty());
}

#[test]
fn recover_verified_under_mfa_after_the_old_key_was_deleted() {
    // A crash after the old key was retired but before the journal was
    // removed (failpoint `after-retire`), on an MFA profile. The MFA
    // session must come from a key that still exists: the new one.
    let mut fx = mfa_fx();
    fx.s.mfa_code = Some(MFA_CODE.into());
    let new = fx.aws.mint_key("alice");
    fx.write_creds(&with_pair(&creds_text(), &new.0, &new.1));
    let mut j = fx.journal(State::Verified, Some(&new));
    j.mfa_serial = Some(MFA_SERIAL.into());
    fx.leave(&j);
    fx.aws.remove_key(OLD_ID);

    let results = fx.recover_all();
    let summary = match &results[0].1 {
        Ok(Some(s)) => s,
        other => panic!("recovery of a finished MFA rotation failed: {other:?}"),
    };
    assert!(summary.resumed);
    assert_eq!(fx.aws.count(CAK), 0);
    fx.assert_settled();
}

// ---------------------------------------------------------------------------
// A key shared by several profiles

const SHARED_CREDS: &str = "[dev]\naws_access_key_id = AKIAOLDKEY0000000001\naws_secret_access_key = oldSecret/Zx9Zx9Zx9Zx9Zx9Zx9Zx9Zx9Zx9Zx01\n\n[ci]\naws_secret_access_key=oldSecret/Zx9Zx9Zx9Zx9Zx9Zx9Zx9Zx9Zx9Zx01\naws_access_key_id=AKIAOLDKEY0000000001\noutput = json\n";
const SHARED_CONFIG: &str = "[default]\nregion = eu-west-1\n\n# tools share the dev key\n[profile tools]\naws_access_key_id = AKIAOLDKEY0000000001\naws_secret_access_key = oldSecret/Zx9Zx9Zx9Zx9Zx9Zx9Zx9Zx9Zx9Zx01\n";

#[test]
fn shared_key_is_updated_in_every_profile_of_both_files() {
    let fx = Fx::with_files(SHARED_CREDS, Some(SHARED_CONFIG));
    let summary = fx.rotated("dev");
    let (id, secret) = fx.assert_settled();
    assert_eq!(fx.creds(), with_pair(SHARED_CREDS, &id, &secret));
    assert_eq!(fx.config(), with_pair(SHARED_CONFIG, &id, &secret));
    assert_eq!(fx.file_pair("ci"), (id.clone(), secret.clone()));
    assert_eq!(fx.file_pair("tools"), (id.clone(), secret.clone()));
    let mut updated = summary.updated.clone();
    updated.sort_by(|a, b| a.section.cmp(&b.section));
    assert_eq!(
        updated,
        vec![
            Place {
                file: FileKind::Credentials,
                section: "ci".into(),
                profile: Some("ci".into()),
            },
            dev_place(),
            Place {
                file: FileKind::Config,
                section: "profile tools".into(),
                profile: Some("tools".into()),
            },
        ]
    );
    assert_eq!(summary.backups.len(), 2, "one backup per file");
    assert_eq!(fx.aws.count(CAK), 1);
}

#[test]
fn shared_key_without_update_shared_changes_only_the_named_profile() {
    let mut fx = Fx::with_files(SHARED_CREDS, Some(SHARED_CONFIG));
    fx.s.update_shared = false;
    let summary = fx.rotated("dev");
    let (id, secret) = fx.assert_settled();
    assert_eq!(summary.updated, vec![dev_place()]);
    assert_eq!(fx.config(), SHARED_CONFIG);
    assert_eq!(fx.file_pair("ci").0, OLD_ID);
    assert_eq!(fx.file_pair("tools").0, OLD_ID);
    // Only the [dev] values changed.
    let expected = SHARED_CREDS
        .replacen(OLD_ID, &id, 1)
        .replacen(OLD_SECRET, &secret, 1);
    assert_eq!(fx.creds(), expected);
    let warnings = fx.ui.warnings.borrow();
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("ci") && w.contains("profile tools")),
        "{warnings:?}"
    );
}

#[test]
fn rotating_a_sharer_does_not_strand_the_interrupted_rotation_of_the_shared_key() {
    // `[dev]`'s rotation of the shared key crashed after retiring the old
    // key (journal still Verified, the files all hold the new key). The
    // user then rotates `[ci]`, which holds the same key. Afterwards the
    // pending journal must not be stuck: either `rotate ci` finished it
    // first, or `recover` can still finish it.
    let fx = Fx::with_files(SHARED_CREDS, Some(SHARED_CONFIG));
    let new = fx.aws.mint_key("alice");
    fx.write_creds(&with_pair(SHARED_CREDS, &new.0, &new.1));
    std::fs::write(&fx.paths.config, with_pair(SHARED_CONFIG, &new.0, &new.1)).unwrap();
    fx.leave(&fx.journal(State::Verified, Some(&new)));
    fx.aws.remove_key(OLD_ID);

    let summary = fx.rotated("ci");
    let (id, _) = fx.assert_settled_or_journal();
    assert_eq!(summary.new_key_id, id);
    let stuck: Vec<_> = fx
        .recover_all()
        .into_iter()
        .filter(|(_, r)| r.is_err())
        .collect();
    assert!(
        stuck.is_empty(),
        "the interrupted rotation of [dev] can no longer be recovered: {stuck:?}"
    );
    fx.assert_settled();
    assert_eq!(fx.file_pair("tools").0, id);
}

// ---------------------------------------------------------------------------
// Secrets

#[test]
fn secrets_never_appear_in_debug_output() {
    let fx = Fx::new();
    let new = (
        "AKIANEWKEY9999999999".to_string(),
        "brandNewSecret/Hh3Hh3Hh3Hh3Hh3Hh3Hh3Hh3Hh".to_string(),
    );
    let j = fx.journal(State::Created, Some(&new));
    let shown = format!("{j:?}");
    assert!(
        !shown.contains(OLD_SECRET) && !shown.contains(&new.1),
        "{shown}"
    );
    // The journal itself must hold them, of course.
    let bytes = serde_json::to_string(&j).unwrap();
    assert!(bytes.contains(OLD_SECRET) && bytes.contains(&new.1));

    // A summary, a rollback and an AWS error, each through Debug and
    // Display (Fx checks every result and UI line against every secret).
    let summary = fx.rotated("dev");
    let (_, secret) = fx.file_pair("dev");
    let shown = format!("{summary:?} {:?}", Outcome::Rotated(summary.clone()));
    assert!(!shown.contains(&secret) && !shown.contains(OLD_SECRET));

    let fx = Fx::new();
    fx.aws.set_new_key_flaky(Flaky::never());
    let err = fx.rotate("dev").unwrap_err();
    let shown = format!("{err:?} {err}");
    for s in fx.aws.all_secrets() {
        assert!(!shown.contains(&s));
    }

    let fx = Fx::new();
    fx.aws.script(CAK, &[Some(Fault::AccessDenied)]);
    let err = fx.rotate("dev").unwrap_err();
    let shown = format!("{err:?} {err}");
    assert!(!shown.contains(OLD_SECRET), "{shown}");

    let err = RotateError::BadJournal {
        path: PathBuf::from("/x"),
        detail: "bad".into(),
    };
    assert!(!format!("{err:?}").contains(OLD_SECRET));
}

// ---------------------------------------------------------------------------
// Real AWS conditions: throttling, MFA on demand, late creates, fleets

fn attempt_files(fx: &Fx) -> Vec<PathBuf> {
    let dir = attempt_dir(
        &store::real_path(&fx.paths.credentials)
            .unwrap()
            .parent()
            .unwrap()
            .join(store::STATE_DIR),
    );
    store::list_private(&dir, ".attempt").unwrap_or_default()
}

#[test]
fn create_throttled_is_retried_without_an_orphan_hunt() {
    let fx = Fx::new();
    fx.aws
        .script(CAK, &[Some(Fault::Throttle), Some(Fault::Throttle)]);
    fx.rotated("dev");
    fx.assert_settled();
    assert_eq!(fx.aws.count(CAK), 3);
    // A throttled create made no key: nothing listed, nothing deleted
    // but the old key, no attempt record.
    let del: Vec<Call> = fx.aws.log().into_iter().filter(|c| c.op == DAK).collect();
    assert_eq!(del.len(), 1);
    assert_eq!(del[0].target.as_deref(), Some(OLD_ID));
    assert_eq!(
        fx.aws.count(LAK),
        1 + 1,
        "ListAccessKeys: prepare + the streak's one IAM read"
    );
    assert!(attempt_files(&fx).is_empty());
}

#[test]
fn create_throttled_until_the_timeout_gives_up_changing_nothing() {
    let fx = Fx::new();
    fx.aws.always(CAK, Fault::Throttle);
    let before = fx.creds();
    let err = fx.rotate("dev").unwrap_err();
    match &err {
        RotateError::Aws { step, source, .. } => {
            assert_eq!(*step, "IAM CreateAccessKey");
            assert!(source.is_throttling());
        }
        other => panic!("{other:?}"),
    }
    assert!(fx.aws.count(CAK) > 3, "retried while time was left");
    assert_eq!(fx.aws.key_ids("alice"), vec![OLD_ID.to_string()]);
    assert_eq!(fx.creds(), before);
    assert!(fx.journals().is_empty());
    assert!(attempt_files(&fx).is_empty());
}

#[test]
fn definite_retryable_is_throttling_or_never_sent_not_an_unknown_outcome() {
    let throttled = Fault::Throttle.error(CAK);
    assert!(throttled.is_definite_retryable() && !throttled.outcome_unknown());
    let lost = Fault::LoseReply.error(CAK);
    assert!(!lost.is_definite_retryable() && lost.outcome_unknown());
    let unavailable = Fault::Unavailable.error(CAK);
    assert!(!unavailable.is_definite_retryable() && unavailable.outcome_unknown());
    for f in [Fault::AccessDenied, Fault::LimitExceeded] {
        assert!(!f.error(CAK).is_definite_retryable(), "{f:?}");
    }
    for code in [
        "ThrottlingException",
        "RequestLimitExceeded",
        "PriorRequestNotComplete",
    ] {
        assert!(
            service(CAK, code, 400, "").is_definite_retryable(),
            "{code}"
        );
    }
    let not_sent = AwsError {
        op: CAK,
        kind: ErrorKind::NotSent,
        code: None,
        status: None,
        message: "connection refused".into(),
    };
    assert!(not_sent.is_definite_retryable());
}

/// A rotation whose first create got no answer and had not run; the test
/// then makes it run "late". Returns the late key's id.
fn rotated_then_late_key(fx: &Fx) -> String {
    fx.aws.script(CAK, &[Some(Fault::Timeout)]);
    fx.rotated("dev");
    fx.assert_settled();
    assert_eq!(
        attempt_files(fx).len(),
        1,
        "the attempt outlives the journal"
    );
    assert!(fx
        .ui
        .warnings
        .borrow()
        .iter()
        .any(|w| w.contains("got no answer")));
    let (late, _) = fx.aws.mint_key("alice");
    late
}

#[test]
fn a_late_create_inside_the_window_is_deleted_by_the_next_rotate() {
    let fx = Fx::new();
    let late = rotated_then_late_key(&fx);
    let (current, _) = fx.file_pair("dev");
    fx.aws.clear_log();
    let summary = fx.rotated("dev");
    assert!(fx.aws.key(&late).is_none(), "the late key was deleted");
    let del = fx
        .aws
        .log()
        .into_iter()
        .find(|c| c.op == DAK && c.target.as_deref() == Some(late.as_str()))
        .unwrap();
    assert_eq!(del.signer, current, "signed with the key the file holds");
    assert_eq!(summary.old_key_id, current);
    fx.assert_settled();
}

#[test]
fn a_key_outside_the_window_is_reported_never_deleted() {
    let fx = Fx::new();
    let late = rotated_then_late_key(&fx);
    fx.aws.backdate(&late, 86_400);
    let results = fx.recover_all();
    assert!(results.is_empty(), "{results:?}");
    assert!(fx.aws.key(&late).is_some(), "not ours: never deleted");
    assert!(fx
        .ui
        .warnings
        .borrow()
        .iter()
        .any(|w| w.contains("outside keyturn's rotation window")));
    assert_eq!(attempt_files(&fx).len(), 1, "the window is still open");
}

#[test]
fn orphan_cleanup_after_a_crash_spares_a_key_made_outside_the_window() {
    let fx = Fx::new();
    let (foreign, _) = fx.aws.mint_key("alice");
    fx.aws.backdate(&foreign, 2 * 86_400);
    fx.leave(&fx.journal(State::Started, None));
    let results = fx.recover_all();
    assert!(matches!(results[0].1, Ok(None)), "{results:?}");
    assert!(fx.aws.key(&foreign).is_some());
    assert_eq!(fx.aws.count(DAK), 0);
}

#[test]
fn mfa_serial_without_an_mfa_policy_rotates_with_the_plain_key() {
    let fx = Fx::with_files(&creds_text(), Some(&mfa_config()));
    fx.rotated("dev");
    fx.assert_settled();
    assert_eq!(fx.aws.count(GST), 0);
    assert!(fx.ui.mfa_asked.borrow().is_empty());
    assert!(fx.aws.log().iter().all(|c| !c.signer.starts_with("ASIA")));
}

#[test]
fn one_prompt_serves_a_recovery_and_a_rotation_of_the_same_user() {
    let mut fx = mfa_fx();
    fx.s.interactive = true;
    *fx.ui.mfa_answer.borrow_mut() = Some(MFA_CODE.into());
    // A crash right after an MFA rotation began: recovery (under MFA)
    // first, then the rotation itself, in one run.
    let mut j = fx.journal(State::Started, None);
    j.mfa_serial = Some(MFA_SERIAL.into());
    fx.leave(&j);
    fx.rotated("dev");
    fx.assert_settled();
    assert_eq!(fx.ui.mfa_asked.borrow().len(), 1);
    assert_eq!(fx.aws.count(GST), 1);
}

#[test]
fn mfa_code_is_sent_once_per_run_never_for_a_second_user() {
    let creds = format!(
        "{}\n[bob]\naws_access_key_id = {OTHER_ID}\naws_secret_access_key = {OTHER_SECRET}\n",
        creds_text()
    );
    let mut fx = Fx::with_files(&creds, None);
    fx.aws.add_user("bob", "arn:aws:iam::123456789012:user/bob");
    fx.aws.add_key("bob", OTHER_ID, OTHER_SECRET, true);
    fx.aws.require_mfa("alice", MFA_SERIAL, MFA_CODE);
    fx.aws
        .require_mfa("bob", "arn:aws:iam::123456789012:mfa/bob", MFA_CODE);
    fx.s.mfa_code = Some(MFA_CODE.into());
    let results = fx
        .with_ctx(|cx| block_on(rotate_many(cx, &["dev".to_string(), "bob".to_string()])))
        .unwrap();
    let ok = results.iter().filter(|(_, r)| r.is_ok()).count();
    let refused: Vec<&RotateError> = results
        .iter()
        .filter_map(|(_, r)| r.as_ref().err())
        .collect();
    assert_eq!((ok, refused.len()), (1, 1), "{results:?}");
    assert!(matches!(refused[0], RotateError::NeedsMfa { .. }));
    assert_eq!(fx.aws.count(GST), 1, "the code was sent once");
}

#[test]
fn a_verification_wait_does_not_hold_a_jobs_slot() {
    let creds = format!(
        "{}\n[bob]\naws_access_key_id = {OTHER_ID}\naws_secret_access_key = {OTHER_SECRET}\n",
        creds_text()
    );
    let mut fx = Fx::with_files(&creds, None);
    fx.aws.add_user("bob", "arn:aws:iam::123456789012:user/bob");
    fx.aws.add_key("bob", OTHER_ID, OTHER_SECRET, true);
    fx.aws.set_new_key_flaky(Flaky::delay(4));
    fx.s.jobs = 1;
    fx.s.timeout = Duration::from_secs(30);
    let results = fx
        .with_ctx(|cx| block_on(rotate_many(cx, &["dev".to_string(), "bob".to_string()])))
        .unwrap();
    assert!(results.iter().all(|(_, r)| r.is_ok()), "{results:?}");
    let log = fx.aws.log();
    let new_gci = |user_key: &str| -> Vec<usize> {
        log.iter()
            .enumerate()
            .filter(|(_, c)| c.op == GCI && c.signer.starts_with("AKIANEWKEY"))
            .filter(|(_, c)| fx.aws.key(&c.signer).is_some_and(|k| k.user == user_key))
            .map(|(i, _)| i)
            .collect()
    };
    let (a, b) = (new_gci("alice"), new_gci("bob"));
    assert!(!a.is_empty() && !b.is_empty());
    // With --jobs 1, both keys were polled while either waited.
    assert!(
        a[0] < *b.last().unwrap() && b[0] < *a.last().unwrap(),
        "alice {a:?} bob {b:?}"
    );
}

#[test]
fn old_journals_without_create_attempts_still_load() {
    let fx = Fx::new();
    let j = fx.journal(State::Started, None);
    let mut v = serde_json::to_value(&j).unwrap();
    v.as_object_mut().unwrap().remove("create_attempts");
    let back: Journal = serde_json::from_value(v).unwrap();
    assert!(back.create_attempts.is_empty());
    assert!(back.open_attempts().is_empty());
}

/// A journal the landed version (before `KeyHome`) wrote, byte for byte
/// in its field names: `recover` after an upgrade must still read it.
#[test]
fn journal_written_before_key_home_still_loads() {
    let text = r#"{
  "version": 1,
  "state": "created",
  "profile": "dev",
  "home": { "file": "credentials", "section": "dev", "profile": "dev" },
  "update_shared": true,
  "credentials_file": "/home/u/.aws/credentials",
  "config_file": "/home/u/.aws/config",
  "user_arn": "arn:aws:iam::123456789012:user/team/alice",
  "user_name": "alice",
  "region": "us-east-1",
  "mfa_serial": null,
  "retire": "delete",
  "started_at": 1700000000,
  "old_key_id": "AKIAOLDKEY0000000001",
  "old_secret": "s1",
  "keys_before": ["AKIAOLDKEY0000000001"],
  "new_key_id": "AKIANEWKEY0000000001",
  "new_secret": "s2",
  "rollback_reason": null,
  "hooks_done": false,
  "create_attempts": [1700000001]
}"#;
    let mut j: Journal = serde_json::from_str(text).unwrap();
    // Its attempts were bare times: unanswered until settled, and past
    // `Started` the last of them is the one that made the new key.
    assert_eq!(
        j.create_attempts,
        vec![Sent {
            at: 1_700_000_001,
            came: Came::Unknown
        }]
    );
    j.settle_made();
    assert_eq!(
        j.create_attempts[0].came,
        Came::Key("AKIANEWKEY0000000001".into())
    );
    assert!(j.open_attempts().is_empty());
    let HomeRef::Files(r) = &j.home else {
        panic!("a version-1 journal is a files journal")
    };
    assert_eq!(r.home, dev_place());
    assert!(r.update_shared);
    assert_eq!(
        r.credentials_file,
        PathBuf::from("/home/u/.aws/credentials")
    );
    assert_eq!(r.config_file, PathBuf::from("/home/u/.aws/config"));
    assert_eq!(j.state, State::Created);
    assert_eq!(
        j.home.state_dir(),
        PathBuf::from("/home/u/.aws").join(store::STATE_DIR)
    );
    // And it is written back with the same field names.
    let v = serde_json::to_value(&j).unwrap();
    let fields: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    for f in ["home", "update_shared", "credentials_file", "config_file"] {
        assert!(fields.contains(&f), "{f} missing from {fields:?}");
    }
}

/// A refused STS GetSessionToken while recovering is a failure (exit 1),
/// not "refused, nothing changed" (exit 3): the interrupted rotation had
/// already changed state (here: a new key exists and is in the file).
#[test]
fn refused_session_during_recovery_is_not_nothing_changed() {
    let mut fx = mfa_fx();
    fx.s.mfa_code = Some("000000".into());
    let new = fx.aws.mint_key("alice");
    fx.write_creds(&with_pair(&creds_text(), &new.0, &new.1));
    let mut j = fx.journal(State::Written, Some(&new));
    j.mfa_serial = Some(MFA_SERIAL.into());
    fx.leave(&j);

    let results = fx.recover_all();
    let err = match &results[0].1 {
        Err(e) => e,
        other => panic!("expected the refused session to fail: {other:?}"),
    };
    assert!(
        matches!(
            err,
            RotateError::Recovering(inner) if matches!(
                **inner,
                RotateError::Aws { step: "STS GetSessionToken", .. }
            )
        ),
        "{err:?}"
    );
    assert!(!err.nothing_changed());
    assert_eq!(err.code(), "aws_error");
    // The journal stays for a later `recover` with the right code.
    assert_eq!(fx.journals().len(), 1);

    // The same refusal before any change is still "refused".
    let fresh = RotateError::Aws {
        profile: "dev".into(),
        step: "STS GetSessionToken",
        source: crate::testing::service(GST, "AccessDenied", 403, "bad code"),
    };
    assert!(fresh.nothing_changed());
    assert!(!fresh.after_change().nothing_changed());
}

#[test]
fn each_unanswered_create_is_tied_to_at_most_one_key() {
    let key = |id: &str, c: Option<u64>| (id.to_string(), c);
    let one = [(1_000, 1_420)];
    // One key inside the one window: that call made it.
    let t = tie(&one, &[key("A", Some(1_100)), key("OUT", Some(5_000))]);
    assert_eq!(t.pairs, vec![(0, "A".to_string())]);
    assert!(t.ambiguous.is_empty());
    // Two keys inside it: which one the call made cannot be told.
    let t = tie(&one, &[key("A", Some(1_100)), key("B", Some(1_200))]);
    assert!(t.pairs.is_empty());
    assert_eq!(t.ambiguous, vec!["A".to_string(), "B".to_string()]);
    // No window, no date, or outside: none is tied.
    assert_eq!(tie(&[], &[key("A", Some(1_100))]), Tied::default());
    assert_eq!(tie(&one, &[key("A", None)]), Tied::default());
    // Two calls, two keys: each call its own key, the earliest key to the
    // window that closes first.
    let two = [(1_000, 1_420), (1_300, 1_720)];
    let t = tie(&two, &[key("B", Some(1_350)), key("A", Some(1_310))]);
    assert_eq!(t.pairs, vec![(0, "A".to_string()), (1, "B".to_string())]);
    // Three keys for two calls: none.
    let t = tie(
        &two,
        &[
            key("A", Some(1_310)),
            key("B", Some(1_350)),
            key("C", Some(1_400)),
        ],
    );
    assert!(t.pairs.is_empty() && t.ambiguous.len() == 3);
}

#[test]
fn a_lost_reply_whose_key_was_found_leaves_no_record_and_spares_later_keys() {
    let fx = Fx::new();
    // The reply is lost after IAM made the key: the rotation finds it.
    fx.aws.script(CAK, &[Some(Fault::LoseReply)]);
    fx.rotated("dev");
    fx.assert_settled();
    assert!(attempt_files(&fx).is_empty(), "the one call is settled");
    let (by_hand, _) = fx.aws.mint_key("alice");
    let results = fx.recover_all();
    assert!(results.is_empty(), "{results:?}");
    assert!(fx.aws.key(&by_hand).is_some(), "never ours: never deleted");
}

// ---------------------------------------------------------------------------
// Destinations (issue 19): the step between verification and retirement

/// A `dotenv` destination of `[dev]` at `path`.
fn dotenv_dest(name: &str, path: &Path) -> crate::dest::DestinationSpec {
    toml::from_str::<crate::settings::SettingsFile>(&format!(
        "[[destinations]]\nname = \"{name}\"\ntype = \"dotenv\"\nprofiles = [\"dev\"]\npath = \"{}\"\n",
        path.display()
    ))
    .unwrap()
    .destinations
    .remove(0)
}

fn env_text(id: &str, secret: &str) -> String {
    format!("# app\nAWS_ACCESS_KEY_ID={id}\nOTHER=1\nAWS_SECRET_ACCESS_KEY=\"{secret}\"\n")
}

#[test]
fn a_destination_gets_the_new_pair_before_the_old_key_is_retired() {
    let mut fx = Fx::new();
    let env = fx.paths.credentials.with_file_name("app.env");
    std::fs::write(&env, env_text(OLD_ID, OLD_SECRET)).unwrap();
    fx.s.destinations = vec![dotenv_dest("app", &env)];
    let summary = fx.rotated("dev");
    let (id, secret) = fx.assert_settled();
    assert_eq!(
        std::fs::read_to_string(&env).unwrap(),
        env_text(&id, &secret)
    );
    assert_eq!(summary.destinations.len(), 1);
    assert_eq!(summary.destinations[0].state, "confirmed");
    let steps = fx.ui.steps.borrow().clone();
    let wrote = steps.iter().position(|s| s.contains("app.env")).unwrap();
    let retired = steps.iter().position(|s| s.contains("retiring")).unwrap();
    assert!(wrote < retired, "{steps:?}");
}

#[test]
fn a_destination_refused_at_preflight_changes_nothing() {
    let mut fx = Fx::new();
    let before = fx.creds();
    let env = fx.paths.credentials.with_file_name("missing.env");
    fx.s.destinations = vec![dotenv_dest("app", &env)];
    let err = fx.rotate("dev").unwrap_err();
    assert!(err.nothing_changed(), "{err}");
    assert_eq!(err.code(), "destination_refused");
    assert!(err.to_string().contains("app"), "{err}");
    assert_eq!(fx.aws.count(CAK), 0);
    assert_eq!(fx.creds(), before);
    assert!(fx.journals().is_empty());
}

/// A verified rotation whose destination `b` cannot be written (its file
/// is gone) while `a` already holds the new pair.
fn verified_with_destinations(fx: &mut Fx) -> ((String, String), PathBuf, PathBuf) {
    let a = fx.paths.credentials.with_file_name("a.env");
    let b = fx.paths.credentials.with_file_name("b.env");
    std::fs::write(&a, env_text(OLD_ID, OLD_SECRET)).unwrap();
    let new = fx.aws.mint_key("alice");
    fx.write_creds(&with_pair(&creds_text(), &new.0, &new.1));
    let mut j = fx.journal(State::Verified, Some(&new));
    fx.s.destinations = vec![dotenv_dest("a", &a), dotenv_dest("b", &b)];
    j.destinations = fx.with_ctx(|cx| cx.dests_for("dev", None, "us-east-1"));
    fx.leave(&j);
    (new, a, b)
}

#[test]
fn a_failing_destination_stops_with_both_keys_and_a_rerun_finishes() {
    let mut fx = Fx::new();
    let (new, a, b) = verified_with_destinations(&mut fx);
    let r = fx.recover(fx.journals().remove(0));
    let err = r.unwrap_err();
    assert_eq!(err.code(), "destination_failed");
    let msg = err.to_string();
    assert!(
        msg.contains("a (holds the new key)") && msg.contains("b (holds the old key)"),
        "{msg}"
    );
    assert!(fx.aws.key(OLD_ID).is_some() && fx.aws.key(&new.0).is_some());
    assert_eq!(
        std::fs::read_to_string(&a).unwrap(),
        env_text(&new.0, &new.1)
    );
    let js = fx.journals();
    assert_eq!(
        js[0].destinations[0].state,
        crate::dest::DestState::Confirmed
    );
    // The failure is gone: only `b` is redone.
    std::fs::write(&b, "").unwrap();
    let summary = fx.recover(js[0].clone()).unwrap().unwrap();
    assert!(summary.destinations.iter().all(|d| d.state == "confirmed"));
    fx.assert_settled();
    assert_eq!(
        std::fs::read_to_string(&b).unwrap(),
        format!(
            "AWS_ACCESS_KEY_ID={}\nAWS_SECRET_ACCESS_KEY={}\n",
            new.0, new.1
        )
    );
}

#[test]
fn destination_rollback_puts_the_old_pair_back_everywhere() {
    let mut fx = Fx::new();
    let (new, a, _b) = verified_with_destinations(&mut fx);
    fx.s.on_destination_failure = OnDestinationFailure::Rollback;
    let r = fx.recover(fx.journals().remove(0));
    assert!(matches!(r, Ok(None)), "{r:?}");
    assert_eq!(
        std::fs::read_to_string(&a).unwrap(),
        env_text(OLD_ID, OLD_SECRET)
    );
    assert!(fx.aws.key(&new.0).is_none(), "the new key is deleted");
    assert_eq!(fx.file_pair("dev"), (OLD_ID.into(), OLD_SECRET.into()));
    assert!(fx.journals().is_empty());
}
