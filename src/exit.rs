//! The documented exit codes, and the one place that decides them.
//!
//! Every command returns an [`Exit`]; an error that reaches `main` is
//! mapped by [`Exit::of_error`]; clap's own exits (help, version, usage)
//! by [`Exit::of_clap`]. Nothing else names a number. Codes (as in
//! `keyturn --help`): 0 ok, 1 failure, 2 usage, 3 refused (nothing was
//! changed), 4 audit findings, 5 nothing to do.
//!
//! Many outcomes (one per profile, per account) become one code with
//! [`Exit::merge`]: the worst wins, in the order of [`Exit::severity`].

/// Wrong arguments: exit code 2, nothing touched.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// How a run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Exit {
    /// 0: success.
    Ok,
    /// 1: failure; the message says what state things are in.
    Failure,
    /// 2: usage error; nothing was touched.
    Usage,
    /// 3: refused before changing anything (a bad profile, or AWS said no
    /// before any change).
    Refused,
    /// 4: `audit` found stale keys.
    Findings,
    /// 5: nothing to do (every key fresh, nothing to recover, no profile).
    NothingToDo,
}

impl Exit {
    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            Exit::Ok => 0,
            Exit::Failure => 1,
            Exit::Usage => 2,
            Exit::Refused => 3,
            Exit::Findings => 4,
            Exit::NothingToDo => 5,
        }
    }

    /// How bad an outcome is, for [`Exit::merge`]: a failure (something may
    /// be half done) outranks a usage error, which outranks a refusal
    /// (nothing changed), then findings, then success; "nothing to do" is
    /// the mildest, so one profile that did something makes the run `Ok`.
    fn severity(self) -> u8 {
        match self {
            Exit::NothingToDo => 0,
            Exit::Ok => 1,
            Exit::Findings => 2,
            Exit::Refused => 3,
            Exit::Usage => 4,
            Exit::Failure => 5,
        }
    }

    /// The code of two outcomes together: the worse one.
    pub fn merge(self, other: Exit) -> Exit {
        if other.severity() > self.severity() {
            other
        } else {
            self
        }
    }

    /// The code of many outcomes; `NothingToDo` when there are none.
    pub fn merge_all(all: impl IntoIterator<Item = Exit>) -> Exit {
        all.into_iter().fold(Exit::NothingToDo, Exit::merge)
    }

    /// The code for an error that reached `main`: a usage error is 2, a
    /// rotation error that changed nothing is 3, anything else 1.
    pub fn of_error(err: &anyhow::Error) -> Exit {
        if err.downcast_ref::<UsageError>().is_some() {
            Exit::Usage
        } else if err
            .downcast_ref::<crate::rotate::RotateError>()
            .is_some_and(|e| e.nothing_changed())
        {
            Exit::Refused
        } else {
            Exit::Failure
        }
    }

    /// The code for clap's own exits: help and version are 0, everything
    /// else clap reports is a usage error.
    pub fn of_clap(e: &clap::Error) -> Exit {
        if e.use_stderr() {
            Exit::Usage
        } else {
            Exit::Ok
        }
    }
}

impl From<Exit> for std::process::ExitCode {
    fn from(e: Exit) -> std::process::ExitCode {
        std::process::ExitCode::from(e.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Exit; 6] = [
        Exit::Ok,
        Exit::Failure,
        Exit::Usage,
        Exit::Refused,
        Exit::Findings,
        Exit::NothingToDo,
    ];

    #[test]
    fn codes_are_the_documented_ones() {
        let codes: Vec<u8> = ALL.iter().map(|e| e.code()).collect();
        assert_eq!(codes, [0, 1, 2, 3, 4, 5]);
    }

    #[test]
    fn merge_keeps_the_worst() {
        // The order, mildest first.
        let order = [
            Exit::NothingToDo,
            Exit::Ok,
            Exit::Findings,
            Exit::Refused,
            Exit::Usage,
            Exit::Failure,
        ];
        for (i, a) in order.iter().enumerate() {
            for (j, b) in order.iter().enumerate() {
                let want = order[i.max(j)];
                assert_eq!(a.merge(*b), want, "{a:?} + {b:?}");
                assert_eq!(b.merge(*a), want, "{b:?} + {a:?}");
            }
        }
        assert_eq!(Exit::merge_all([]), Exit::NothingToDo);
        assert_eq!(
            Exit::merge_all([Exit::NothingToDo, Exit::Ok, Exit::NothingToDo]),
            Exit::Ok
        );
        assert_eq!(
            Exit::merge_all([Exit::Ok, Exit::Refused, Exit::Ok]),
            Exit::Refused
        );
        assert_eq!(
            Exit::merge_all([Exit::Refused, Exit::Failure]),
            Exit::Failure
        );
    }

    #[test]
    fn errors_map_to_their_codes() {
        let usage = anyhow::Error::new(UsageError("bad".into()));
        assert_eq!(Exit::of_error(&usage), Exit::Usage);
        let other = anyhow::anyhow!("disk full");
        assert_eq!(Exit::of_error(&other), Exit::Failure);
        use clap::CommandFactory;
        let e = crate::cmd::Cli::command()
            .try_get_matches_from(["keyturn", "--nope"])
            .unwrap_err();
        assert_eq!(Exit::of_clap(&e), Exit::Usage);
        let e = crate::cmd::Cli::command()
            .try_get_matches_from(["keyturn", "--version"])
            .unwrap_err();
        assert_eq!(Exit::of_clap(&e), Exit::Ok);
    }
}
