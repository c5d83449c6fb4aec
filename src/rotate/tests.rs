//! Unit tests of the rotation state machine against a fake AWS.
