//! The list commands.

use crate::cmd::table::Spec;

pub(crate) const COMMANDS: &[Spec] = &[];
