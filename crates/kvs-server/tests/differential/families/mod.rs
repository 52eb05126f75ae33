//! The registry of command families. Each family is one generator function
//! in its own module; a family runs when it is on by default here or named
//! in `KVS_DIFF_FAMILIES` (comma-separated; `all` for every one).
//!
//! To add a family: write `families/NAME.rs` with `pub fn gen(g: &mut Gen)
//! -> Cmd` (see `string.rs`), add `mod NAME;` and one line to [`FAMILIES`].

use crate::harness::gen::{Cmd, Gen};

mod hash;
mod keyspace;
mod list;
mod object;
mod set;
mod string;

/// A family of commands.
pub struct Family {
    pub name: &'static str,
    /// Runs without `KVS_DIFF_FAMILIES`.
    pub on_by_default: bool,
    /// How often it is drawn relative to the other families running.
    pub weight: usize,
    pub gen: fn(&mut Gen) -> Cmd,
}

#[rustfmt::skip]
pub const FAMILIES: &[Family] = &[
    Family { name: "string",   on_by_default: true,  weight: 5, gen: string::gen },
    Family { name: "keyspace", on_by_default: true,  weight: 4, gen: keyspace::gen },
    Family { name: "hash",     on_by_default: true,  weight: 4, gen: hash::gen },
    Family { name: "list",     on_by_default: true,  weight: 4, gen: list::gen },
    Family { name: "set",      on_by_default: true,  weight: 4, gen: set::gen },
    Family { name: "object",   on_by_default: false, weight: 1, gen: object::gen },
];

/// The families to run: `spec` is `KVS_DIFF_FAMILIES` (None: the defaults).
pub fn selected(spec: Option<&str>) -> Result<Vec<&'static Family>, String> {
    let Some(spec) = spec.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(FAMILIES.iter().filter(|f| f.on_by_default).collect());
    };
    if spec == "all" {
        return Ok(FAMILIES.iter().collect());
    }
    spec.split(',')
        .map(str::trim)
        .map(|name| {
            FAMILIES.iter().find(|f| f.name == name).ok_or_else(|| {
                let names: Vec<_> = FAMILIES.iter().map(|f| f.name).collect();
                format!(
                    "unknown family {name:?} in KVS_DIFF_FAMILIES (known: {})",
                    names.join(", ")
                )
            })
        })
        .collect()
}

/// Draws a command from one of `families`, by weight.
pub fn draw(g: &mut Gen, families: &[&Family]) -> Cmd {
    let total: usize = families.iter().map(|f| f.weight).sum();
    let mut at = g.below(total);
    for f in families {
        if at < f.weight {
            return (f.gen)(g);
        }
        at -= f.weight;
    }
    unreachable!()
}
