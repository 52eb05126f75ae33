//! The benchmark suite (being built: see issue 4).

fn main() {
    eprintln!("kvs-bench: not built yet");
}
