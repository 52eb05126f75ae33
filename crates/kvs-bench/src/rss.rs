//! Resident memory, read from `/proc/self/status` (Linux only).

/// `VmRSS` and `VmHWM` (peak) in bytes, or `None` where `/proc` is missing.
pub fn rss() -> Option<(u64, u64)> {
    let text = std::fs::read_to_string("/proc/self/status").ok()?;
    Some((field(&text, "VmRSS:")?, field(&text, "VmHWM:")?))
}

/// A `kB` field of a `/proc/<pid>/status` text, in bytes.
fn field(status: &str, name: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with(name))?;
    let kb: u64 = line[name.len()..]
        .trim()
        .strip_suffix("kB")?
        .trim()
        .parse()
        .ok()?;
    Some(kb * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_status_fields() {
        let s = "Name:\tx\nVmHWM:\t  2048 kB\nVmRSS:\t  1024 kB\n";
        assert_eq!(field(s, "VmRSS:"), Some(1024 * 1024));
        assert_eq!(field(s, "VmHWM:"), Some(2048 * 1024));
        assert_eq!(field(s, "VmSwap:"), None);
        assert_eq!(field("VmRSS: lots", "VmRSS:"), None);
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn reads_this_process() {
        let (now, peak) = rss().unwrap();
        assert!(now > 0 && peak >= now);
    }
}
