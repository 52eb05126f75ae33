//! Touching values before encoding them, so that their cache misses overlap.
//!
//! A save reads every value, and values live all over the heap: encoded one
//! after another, each waits for its own cache miss. [`touch`] walks a value
//! with a serializer that writes nothing and only *reads* a few bytes of each
//! byte string or string it meets (what `Bytes`, `String` and `Vec<u8>` with
//! `serde_bytes` hold on the heap). Touching a batch of values first issues
//! their misses back to back, where the CPU overlaps them; encoding them
//! afterwards finds them in cache. It is a hint: it changes no output, and a
//! value type it does not help costs one cheap walk.
//!
//! The walk is bounded: it stops after the first few elements of any
//! sequence, map or struct (it returns an error to end the value's own
//! iteration), so a large value is never read twice over.

use std::fmt;
use std::hint::black_box;

use serde::ser::{self, Serialize};

/// Elements of a sequence, map or struct visited before the walk stops.
const ELEMENTS: usize = 4;
/// Bytes of a byte string touched: one read per cache line, up to this many.
const SPAN: usize = 256;

/// Reads a few bytes of the heap data `value` refers to.
pub(crate) fn touch<V: Serialize + ?Sized>(value: &V) {
    let _ = value.serialize(Touch);
}

/// One read per 64-byte line of the first [`SPAN`] bytes, and the last byte.
fn touch_bytes(bytes: &[u8]) -> Result<(), Stop> {
    let mut sum = 0u8;
    for i in (0..bytes.len().min(SPAN)).step_by(64) {
        sum = sum.wrapping_add(bytes[i]);
    }
    if let Some(last) = bytes.last() {
        sum = sum.wrapping_add(*last);
    }
    black_box(sum);
    Ok(())
}

/// The walk's "error": the walk is done.
#[derive(Debug)]
struct Stop;

impl fmt::Display for Stop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("touched enough")
    }
}

impl std::error::Error for Stop {}

impl ser::Error for Stop {
    fn custom<T: fmt::Display>(_: T) -> Self {
        Stop
    }
}

/// The serializer: no output.
struct Touch;

/// A compound value being walked: how many elements were visited.
struct Compound(usize);

impl Compound {
    fn visit<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Stop> {
        self.0 += 1;
        if self.0 > ELEMENTS {
            return Err(Stop);
        }
        value.serialize(Touch)
    }
}

macro_rules! ignore {
    ($($name:ident($ty:ty)),* $(,)?) => {
        $(fn $name(self, _: $ty) -> Result<(), Stop> { Ok(()) })*
    };
}

impl ser::Serializer for Touch {
    type Ok = ();
    type Error = Stop;
    type SerializeSeq = Compound;
    type SerializeTuple = Compound;
    type SerializeTupleStruct = Compound;
    type SerializeTupleVariant = Compound;
    type SerializeMap = Compound;
    type SerializeStruct = Compound;
    type SerializeStructVariant = Compound;

    ignore!(
        serialize_bool(bool),
        serialize_i8(i8),
        serialize_i16(i16),
        serialize_i32(i32),
        serialize_i64(i64),
        serialize_i128(i128),
        serialize_u8(u8),
        serialize_u16(u16),
        serialize_u32(u32),
        serialize_u64(u64),
        serialize_u128(u128),
        serialize_f32(f32),
        serialize_f64(f64),
        serialize_char(char),
        serialize_unit_struct(&'static str),
    );

    fn serialize_str(self, v: &str) -> Result<(), Stop> {
        touch_bytes(v.as_bytes())
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<(), Stop> {
        touch_bytes(v)
    }
    fn serialize_none(self) -> Result<(), Stop> {
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Stop> {
        value.serialize(Touch)
    }
    fn serialize_unit(self) -> Result<(), Stop> {
        Ok(())
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, _: &'static str) -> Result<(), Stop> {
        Ok(())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), Stop> {
        value.serialize(Touch)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        value: &T,
    ) -> Result<(), Stop> {
        value.serialize(Touch)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Compound, Stop> {
        Ok(Compound(0))
    }
    fn serialize_tuple(self, _: usize) -> Result<Compound, Stop> {
        Ok(Compound(0))
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Compound, Stop> {
        Ok(Compound(0))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Compound, Stop> {
        Ok(Compound(0))
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Compound, Stop> {
        Ok(Compound(0))
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Compound, Stop> {
        Ok(Compound(0))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Compound, Stop> {
        Ok(Compound(0))
    }
}

/// The compound serializers whose elements come one value at a time.
macro_rules! compound {
    ($($trait:ident :: $method:ident),* $(,)?) => {$(
        impl ser::$trait for Compound {
            type Ok = ();
            type Error = Stop;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Stop> {
                self.visit(value)
            }
            fn end(self) -> Result<(), Stop> {
                Ok(())
            }
        }
    )*};
}

compound!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field,
);

/// The compound serializers whose fields come with a name.
macro_rules! named_compound {
    ($($trait:ident),* $(,)?) => {$(
        impl ser::$trait for Compound {
            type Ok = ();
            type Error = Stop;
            fn serialize_field<T: Serialize + ?Sized>(
                &mut self,
                _: &'static str,
                value: &T,
            ) -> Result<(), Stop> {
                self.visit(value)
            }
            fn end(self) -> Result<(), Stop> {
                Ok(())
            }
        }
    )*};
}

named_compound!(SerializeStruct, SerializeStructVariant);

impl ser::SerializeMap for Compound {
    type Ok = ();
    type Error = Stop;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Stop> {
        self.visit(key)
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Stop> {
        self.visit(value)
    }
    fn end(self) -> Result<(), Stop> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A value whose walk would be long: the touch stops early.
    struct Endless;

    impl Serialize for Endless {
        fn serialize<S: ser::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            use ser::SerializeSeq;
            let mut seq = s.serialize_seq(None)?;
            for i in 0u64.. {
                seq.serialize_element(&i)?;
            }
            seq.end()
        }
    }

    #[test]
    fn the_walk_is_bounded_and_accepts_every_shape() {
        touch(&Endless);
        touch(&bytes::Bytes::from_static(b"hello"));
        touch(&String::from("hello"));
        touch(&vec![String::from("a"); 1000]);
        touch(&(1u8, Some("x"), [0u64; 3]));
        touch(&std::collections::BTreeMap::from([(1, "a"), (2, "b")]));
        touch(&());
        touch(&b""[..]);
    }
}
