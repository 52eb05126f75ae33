//! A tour of kvs: plain and TTL keys, batches, `len`, and close.
//!
//! Run with `cargo run --release --example quickstart`.

use std::time::Duration;

use kvs::{Action, Expiry, Store};

fn main() -> kvs::Result<()> {
    let store: Store<String> = Store::new(16)?;

    store.set("user:1", "ada".to_string())?;
    store.set_with_ttl("session:1", "token".to_string(), Duration::from_millis(200))?;
    println!("len after two sets: {}", store.len());
    println!("session TTL left: {:?}", store.ttl("session:1")?);

    let batch = store.batch_set((2..=5).map(|i| (format!("user:{i}"), format!("user {i}"))))?;
    println!("batch_set stored {} items", batch.successful);

    let got = store.batch_get(&["user:1", "user:3", "user:99"])?;
    for (key, result) in ["user:1", "user:3", "user:99"].iter().zip(&got.results) {
        println!("  {key:8} -> {result:?}");
    }

    // Atomic read-modify-write: a counter no two threads can lose an update on.
    let visits = Store::<u64>::new(4)?;
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let visits = visits.clone();
            std::thread::spawn(move || {
                for _ in 0..1000 {
                    visits
                        .compute("visits", |e| {
                            let n = e.map_or(0, |e| *e.value()) + 1;
                            (Action::Set(n, Expiry::Keep), ())
                        })
                        .unwrap();
                }
            })
        })
        .collect();
    for h in handles {
        h.join().expect("counter thread");
    }
    println!("visits after 4 threads x 1000: {}", visits.get("visits")?);

    std::thread::sleep(Duration::from_millis(300));
    println!(
        "after 300 ms: session exists = {}, len = {} (the sweeper removed it)",
        store.exists("session:1"),
        store.len()
    );

    let deleted = store.batch_delete(&["user:2", "user:3", "user:404"])?;
    println!(
        "batch_delete removed {}, {} not found",
        deleted.deleted,
        deleted.errors.len()
    );
    println!("len at the end: {}", store.len());
    store.close()?;
    println!(
        "closed: get now says {:?}",
        store.get("user:1").unwrap_err()
    );
    Ok(())
}
