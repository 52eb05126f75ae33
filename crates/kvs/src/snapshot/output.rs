//! How a save's bytes reach its temporary file.
//!
//! The header comes first in the file but is known only at the end (it holds
//! the record counts), so a save reserves its length, streams the records,
//! appends the checksum and then writes the header in its place.
//!
//! Where the file system allows it (Linux, `O_DIRECT`), the file is written
//! around the page cache, from one aligned buffer: a save then neither
//! doubles the cache's share of memory with a second copy of the snapshot
//! nor depends on how fast the kernel can find fresh cache pages, which on
//! the development VM varied tenfold from one save to the next
//! (BENCHMARKS.md, "Snapshot save, run to run"). Elsewhere it goes through
//! the cache, and the kernel is asked to start writing each few megabytes
//! to the disk as soon as they are written (`sync_file_range`), so the final
//! fsync has little left to do. Either way the fsync is what makes the file
//! durable (`file.rs`).

use std::fs::File;
use std::io::{self, Seek, SeekFrom, Write};

/// The buffer of a direct save, and so the size of each of its writes.
const DIRECT_BUFFER: usize = 8 << 20;
/// Offsets, lengths and the buffer's address are multiples of this in a
/// direct write (the largest logical block size of common devices).
const DIRECT_ALIGN: usize = 4096;
/// A header longer than this (a save of thousands of databases) is written
/// through the page cache.
const DIRECT_MAX_HEADER: usize = 64 << 10;

/// A save's output: `new`, then `write_all` for the records, then `finish`.
pub(crate) enum Output<'f> {
    Cached(Cached<'f>),
    #[cfg(target_os = "linux")]
    Direct(Direct<'f>),
}

impl<'f> Output<'f> {
    /// Reserves `header_len` bytes at the start of `file` (which is empty,
    /// and was opened with `O_DIRECT` or not, as `file::replace_around_cache`
    /// could). Writes around the page cache if `file` allows it.
    pub(crate) fn new(file: &'f mut File, header_len: usize) -> io::Result<Self> {
        Self::with_buffer(file, header_len, DIRECT_BUFFER)
    }

    /// [`Output::new`] with a direct buffer of `buffer` bytes (a multiple of
    /// [`DIRECT_ALIGN`]): tests use small ones.
    fn with_buffer(file: &'f mut File, header_len: usize, buffer: usize) -> io::Result<Self> {
        let direct = is_direct(file)?;
        #[cfg(target_os = "linux")]
        if direct && header_len <= DIRECT_MAX_HEADER.min(buffer) {
            let mut out = Direct::new(file, buffer, header_len);
            out.write_all(&vec![0; header_len])?;
            return Ok(Output::Direct(out));
        }
        #[cfg(not(target_os = "linux"))]
        let _ = buffer;
        if direct {
            set_direct(file, false)?;
        }
        file.write_all(&vec![0; header_len])?;
        Ok(Output::Cached(Cached::new(file, header_len as u64)))
    }

    pub(crate) fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        match self {
            Output::Cached(out) => out.write_all(bytes),
            #[cfg(target_os = "linux")]
            Output::Direct(out) => out.write_all(bytes),
        }
    }

    /// Appends `trailer` and writes `header` over the reserved bytes.
    pub(crate) fn finish(self, header: &[u8], trailer: &[u8]) -> io::Result<()> {
        match self {
            Output::Cached(mut out) => {
                out.write_all(trailer)?;
                let file = out.file;
                file.seek(SeekFrom::Start(0))?;
                file.write_all(header)
            }
            #[cfg(target_os = "linux")]
            Output::Direct(out) => out.finish(header, trailer),
        }
    }
}

/// Whether `file` was opened with `O_DIRECT`.
#[cfg(target_os = "linux")]
fn is_direct(file: &File) -> io::Result<bool> {
    use std::os::fd::AsRawFd;
    // SAFETY: a plain system call on a descriptor we own; no pointers.
    let flags = unsafe { libc::fcntl(file.as_raw_fd(), libc::F_GETFL) };
    if flags < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(flags & libc::O_DIRECT != 0)
}

#[cfg(not(target_os = "linux"))]
fn is_direct(_file: &File) -> io::Result<bool> {
    Ok(false)
}

/// Turns `O_DIRECT` on or off for `file`.
#[cfg(target_os = "linux")]
fn set_direct(file: &File, on: bool) -> io::Result<()> {
    use std::os::fd::AsRawFd;
    let fd = file.as_raw_fd();
    // SAFETY: plain system calls on a descriptor we own; no pointers.
    let r = unsafe {
        let flags = libc::fcntl(fd, libc::F_GETFL);
        if flags < 0 {
            flags
        } else if on {
            libc::fcntl(fd, libc::F_SETFL, flags | libc::O_DIRECT)
        } else {
            libc::fcntl(fd, libc::F_SETFL, flags & !libc::O_DIRECT)
        }
    };
    if r < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

#[cfg(not(target_os = "linux"))]
fn set_direct(_file: &File, _on: bool) -> io::Result<()> {
    Ok(())
}

/// Written around the page cache: bytes gather in an aligned buffer, which
/// is written whole at its offset in the file each time it fills. At the
/// end the last, partial buffer is written padded to a whole block, the
/// file is cut to its length, and the first blocks, which hold the header,
/// are written again with it.
#[cfg(target_os = "linux")]
pub(crate) struct Direct<'f> {
    file: &'f mut File,
    /// Holds `size` bytes from `start`, aligned to [`DIRECT_ALIGN`].
    buffer: Vec<u8>,
    start: usize,
    size: usize,
    /// Bytes in the buffer.
    filled: usize,
    /// The file offset of the buffer's first byte.
    offset: u64,
    /// The first blocks of the file as written, which the reserved header
    /// is in, once the buffer has been written at offset 0.
    head: Vec<u8>,
    header_len: usize,
}

#[cfg(target_os = "linux")]
impl<'f> Direct<'f> {
    fn new(file: &'f mut File, size: usize, header_len: usize) -> Self {
        debug_assert!(size > 0 && size % DIRECT_ALIGN == 0 && header_len <= size);
        let buffer = vec![0; size + DIRECT_ALIGN];
        let start = buffer.as_ptr().align_offset(DIRECT_ALIGN);
        Direct {
            file,
            buffer,
            start,
            size,
            filled: 0,
            offset: 0,
            head: Vec::new(),
            header_len,
        }
    }

    fn write_all(&mut self, mut bytes: &[u8]) -> io::Result<()> {
        while !bytes.is_empty() {
            let n = bytes.len().min(self.size - self.filled);
            let at = self.start + self.filled;
            self.buffer[at..at + n].copy_from_slice(&bytes[..n]);
            self.filled += n;
            bytes = &bytes[n..];
            if self.filled == self.size {
                self.flush(self.size)?;
            }
        }
        Ok(())
    }

    /// Writes the full buffer at its offset, and empties it.
    fn flush(&mut self, len: usize) -> io::Result<()> {
        use std::os::unix::fs::FileExt;
        let data = &self.buffer[self.start..self.start + len];
        if self.offset == 0 {
            self.head = data[..self.header_len.next_multiple_of(DIRECT_ALIGN)].to_vec();
        }
        self.file.write_all_at(data, self.offset)?;
        self.offset += len as u64;
        self.filled = 0;
        Ok(())
    }

    fn finish(mut self, header: &[u8], trailer: &[u8]) -> io::Result<()> {
        use std::os::unix::fs::FileExt;
        debug_assert_eq!(header.len(), self.header_len);
        self.write_all(trailer)?;
        let len = self.offset + self.filled as u64;
        let header_in_buffer = self.offset == 0;
        let (start, filled) = (self.start, self.filled);
        if header_in_buffer {
            self.buffer[start..start + header.len()].copy_from_slice(header);
        }
        let padded = filled.next_multiple_of(DIRECT_ALIGN);
        self.buffer[start + filled..start + padded].fill(0);
        self.file
            .write_all_at(&self.buffer[start..start + padded], self.offset)?;
        if !header_in_buffer {
            // Its blocks went out with zeros in its place: again, with it.
            let head = std::mem::take(&mut self.head);
            let region = &mut self.buffer[start..start + head.len()];
            region.copy_from_slice(&head);
            region[..header.len()].copy_from_slice(header);
            self.file.write_all_at(region, 0)?;
        }
        self.file.set_len(len)
    }
}

/// Bytes written between two requests to start writeback.
#[cfg(target_os = "linux")]
const WRITEBACK_CHUNK: u64 = 8 << 20;
/// Writeback is requested for whole pages (of any size up to this).
#[cfg(target_os = "linux")]
const WRITEBACK_ALIGN: u64 = 64 << 10;

/// Written through the page cache, with writeback started as it goes.
pub(crate) struct Cached<'f> {
    file: &'f mut File,
    /// Bytes written through this writer, and the offset up to which
    /// writeback has been requested.
    #[cfg(target_os = "linux")]
    written: u64,
    #[cfg(target_os = "linux")]
    requested: u64,
}

impl<'f> Cached<'f> {
    /// `file`'s cursor is at `start`.
    fn new(file: &'f mut File, start: u64) -> Self {
        #[cfg(not(target_os = "linux"))]
        let _ = start;
        Cached {
            file,
            #[cfg(target_os = "linux")]
            written: start,
            #[cfg(target_os = "linux")]
            requested: 0,
        }
    }

    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.file.write_all(bytes)?;
        #[cfg(target_os = "linux")]
        {
            self.written += bytes.len() as u64;
            if self.written - self.requested >= WRITEBACK_CHUNK {
                self.start_writeback();
            }
        }
        Ok(())
    }

    /// A hint: an error here (an old kernel, a file system without
    /// support) only means the fsync does all the work.
    #[cfg(target_os = "linux")]
    fn start_writeback(&mut self) {
        use std::os::fd::AsRawFd;
        // Up to a whole page only: the next write goes on filling the last,
        // partial page, and a write to a page under writeback may have to
        // wait for the disk.
        let end = self.written & !(WRITEBACK_ALIGN - 1);
        let (Ok(offset), Ok(len)) = (
            libc::off64_t::try_from(self.requested),
            libc::off64_t::try_from(end - self.requested),
        ) else {
            return;
        };
        // SAFETY: a plain system call on a file descriptor we own, with no
        // pointers; it cannot touch our memory.
        let _ = unsafe {
            libc::sync_file_range(
                self.file.as_raw_fd(),
                offset,
                len,
                libc::SYNC_FILE_RANGE_WRITE,
            )
        };
        self.requested = end;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh file in `dir`, opened with `O_DIRECT` if `direct` (`None` if
    /// the file system refuses it).
    fn open(dir: &std::path::Path, name: &str, direct: bool) -> Option<File> {
        let file = File::options()
            .read(true)
            .write(true)
            .create_new(true)
            .open(dir.join(name))
            .unwrap();
        if direct && set_direct(&file, true).is_err() {
            return None;
        }
        Some(file)
    }

    /// Every way the bytes can fall against blocks and buffers: a file
    /// shorter than a block, ending exactly on one, one past; a header
    /// longer than a block; bodies that fill the buffer exactly, once or
    /// several times, and one byte either side. Each file must read back
    /// as header, body, trailer, exactly, through the page cache or around
    /// it (with a small buffer, so that it fills many times).
    #[test]
    fn every_length_reads_back_exactly() {
        let dir = tempfile::tempdir().unwrap();
        let buffer = 2 * DIRECT_ALIGN;
        let mut direct_ran = false;
        for direct in [false, true] {
            for header_len in [1, 40, DIRECT_ALIGN - 1, DIRECT_ALIGN, DIRECT_ALIGN + 3] {
                // Body lengths that end the file on a block or a buffer, or
                // one byte either side (header and 4-byte trailer counted).
                let ending_at = |end: usize| end.saturating_sub(header_len + 4);
                let lengths: std::collections::BTreeSet<usize> = [
                    0,
                    1,
                    ending_at(DIRECT_ALIGN),
                    ending_at(DIRECT_ALIGN) + 1,
                    ending_at(buffer),
                    ending_at(buffer) + 1,
                    ending_at(buffer).saturating_sub(1),
                    ending_at(3 * buffer),
                    5 * buffer + 17,
                ]
                .into();
                for body_len in lengths {
                    let name = format!("f-{direct}-{header_len}-{body_len}");
                    let Some(mut file) = open(dir.path(), &name, direct) else {
                        continue;
                    };
                    let header: Vec<u8> = (0..header_len).map(|i| (i % 251) as u8 + 1).collect();
                    let body: Vec<u8> = (0..body_len).map(|i| (i % 241) as u8).collect();
                    let trailer = [0xAB, 0xCD, 0xEF, 0x01];
                    let mut out = Output::with_buffer(&mut file, header_len, buffer).unwrap();
                    let used_direct = matches!(out, Output::Direct(_));
                    assert_eq!(used_direct, direct, "{name}");
                    direct_ran |= used_direct;
                    // In uneven pieces, as shards come.
                    for piece in body.chunks(1000 + body_len % 7) {
                        out.write_all(piece).unwrap();
                    }
                    out.finish(&header, &trailer).unwrap();
                    drop(file);
                    let read = std::fs::read(dir.path().join(&name)).unwrap();
                    let expected = [&header[..], &body[..], &trailer[..]].concat();
                    assert_eq!(read.len(), expected.len(), "{name}");
                    assert!(read == expected, "{name}: contents differ");
                }
            }
        }
        // Where tests run (ext4 here), direct writes are allowed.
        assert!(direct_ran, "no file system here accepts O_DIRECT");
    }

    /// A header too long for a direct save turns `O_DIRECT` off and goes
    /// through the page cache.
    #[test]
    fn a_long_header_goes_through_the_cache() {
        let dir = tempfile::tempdir().unwrap();
        let Some(mut file) = open(dir.path(), "f", true) else {
            return;
        };
        let header = vec![7; DIRECT_MAX_HEADER + 1];
        let mut out = Output::new(&mut file, header.len()).unwrap();
        assert!(matches!(out, Output::Cached(_)));
        out.write_all(b"body").unwrap();
        out.finish(&header, b"crc!").unwrap();
        assert!(!is_direct(&file).unwrap());
        let read = std::fs::read(dir.path().join("f")).unwrap();
        assert_eq!(read, [&header[..], b"body", b"crc!"].concat());
    }
}
