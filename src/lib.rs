//! keyturn: rotate AWS IAM user access keys in one command, safely enough
//! to run unattended.
//!
//! Layout (CLI wiring apart from the credential domain, as in aws-vault):
//! - [`ini`]: pure, lossless model of the shared credentials/config files.
//! - [`profile`]: where a profile's key pair lives, or why it can't rotate.
//! - [`store`]: every file-system effect (lock, backup, atomic write,
//!   journal files).
//! - [`aws`]: every AWS call, behind the [`aws::Aws`] trait.
//! - [`rotate`]: the rotation state machine and its persisted journal.
//! - [`cli`] and [`cmd`]: argument parsing and one file per subcommand.

pub mod ini;
pub mod profile;
pub mod secret;
pub mod store;
