//! OBJECT ENCODING/REFCOUNT/FREQ/IDLETIME/HELP on any key (strings too:
//! int, embstr and raw). The idle time is compared by meaning (it is a
//! clock reading).

use crate::cmd;
use crate::harness::gen::{Cmd, Cmp, Gen};

/// Draws one OBJECT command.
pub fn gen(g: &mut Gen) -> Cmd {
    match g.below(8) {
        0..=4 => cmd!["OBJECT", "ENCODING", g.key()],
        5 => cmd!["OBJECT", "REFCOUNT", g.key()],
        6 => cmd!["OBJECT", "IDLETIME", g.key()].with(Cmp::Time(2)),
        _ => cmd!["OBJECT", g.junk(), g.key()],
    }
}
