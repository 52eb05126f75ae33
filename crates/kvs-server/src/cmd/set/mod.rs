//! The set commands.

use crate::cmd::table::Spec;

pub(crate) const COMMANDS: &[Spec] = &[];
