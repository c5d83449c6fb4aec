//! Where one profile's long-term key lives (placeholder until core's
//! KeyHome trait lands: only the keystore home so far).

pub mod keystore;
