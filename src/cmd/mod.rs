//! One module per subcommand: each turns a validated [`crate::cli::Config`]
//! into calls on the domain modules and prints the result.

pub mod audit;
pub mod recover;
pub mod rotate;
pub mod schedule;
pub mod shell;
pub mod status;
