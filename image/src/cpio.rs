//! A reproducible `newc` cpio archive (the Linux initramfs format,
//! `Documentation/driver-api/early-userspace/buffer-format.rst`): entries in
//! the order given, owned by root, one fixed modification time, inode numbers
//! counted from 1. Unlike `find | cpio`, nothing of the build host leaks in.

/// What an entry is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    Dir,
    File(Vec<u8>),
    Symlink(String),
    /// A character device node (major, minor).
    CharDevice(u32, u32),
}

/// One entry: a path relative to the archive's root (no leading `/`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub path: String,
    /// Permission bits (`0o755`); the file type comes from `kind`.
    pub mode: u32,
    pub kind: Kind,
}

impl Entry {
    pub fn dir(path: &str) -> Self {
        Self {
            path: path.into(),
            mode: 0o755,
            kind: Kind::Dir,
        }
    }
    pub fn file(path: &str, mode: u32, data: Vec<u8>) -> Self {
        Self {
            path: path.into(),
            mode,
            kind: Kind::File(data),
        }
    }
    pub fn symlink(path: &str, target: &str) -> Self {
        Self {
            path: path.into(),
            mode: 0o777,
            kind: Kind::Symlink(target.into()),
        }
    }
}

const TRAILER: &str = "TRAILER!!!";

/// The archive of `entries`, all with modification time `mtime`.
pub fn archive(entries: &[Entry], mtime: u32) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        let (type_bits, nlink, data, rdev): (u32, u32, &[u8], (u32, u32)) = match &e.kind {
            Kind::Dir => (0o040000, 2, &[], (0, 0)),
            Kind::File(d) => (0o100000, 1, d, (0, 0)),
            Kind::Symlink(t) => (0o120000, 1, t.as_bytes(), (0, 0)),
            Kind::CharDevice(ma, mi) => (0o020000, 1, &[], (*ma, *mi)),
        };
        let ino = u32::try_from(i + 1).unwrap_or(u32::MAX);
        header(
            &mut out,
            ino,
            type_bits | (e.mode & 0o7777),
            nlink,
            mtime,
            data.len(),
            rdev,
            &e.path,
        );
        out.extend_from_slice(data);
        pad4(&mut out);
    }
    header(&mut out, 0, 0, 1, 0, 0, (0, 0), TRAILER);
    out
}

#[allow(clippy::too_many_arguments)]
fn header(
    out: &mut Vec<u8>,
    ino: u32,
    mode: u32,
    nlink: u32,
    mtime: u32,
    size: usize,
    rdev: (u32, u32),
    name: &str,
) {
    let fields = [
        ino,
        mode,
        0, // uid
        0, // gid
        nlink,
        mtime,
        u32::try_from(size).unwrap_or(u32::MAX),
        0, // devmajor
        0, // devminor
        rdev.0,
        rdev.1,
        u32::try_from(name.len() + 1).unwrap_or(u32::MAX),
        0, // check
    ];
    out.extend_from_slice(b"070701");
    for f in fields {
        out.extend_from_slice(format!("{f:08x}").as_bytes());
    }
    out.extend_from_slice(name.as_bytes());
    out.push(0);
    pad4(out);
}

fn pad4(out: &mut Vec<u8>) {
    while !out.len().is_multiple_of(4) {
        out.push(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_layout_and_padding() {
        let a = archive(&[Entry::file("init", 0o755, b"#!/bin/sh\n".to_vec())], 7);
        // 110-byte header + "init\0" = 115, padded to 116; 10 data bytes padded to 12.
        assert_eq!(&a[..6], b"070701");
        assert_eq!(&a[6..14], b"00000001"); // ino
        assert_eq!(&a[14..22], b"000081ed"); // regular file, 0755
        assert_eq!(&a[46..54], b"00000007"); // mtime
        assert_eq!(&a[54..62], b"0000000a"); // size
        assert_eq!(&a[110..115], b"init\0");
        assert_eq!(&a[116..126], b"#!/bin/sh\n");
        assert_eq!(a.len() % 4, 0);
        let trailer = &a[128..];
        assert_eq!(&trailer[110..121], b"TRAILER!!!\0");
    }

    #[test]
    fn same_entries_same_bytes_and_host_cpio_reads_them() {
        let entries = vec![
            Entry::dir("bin"),
            Entry::symlink("bin/sh", "busybox"),
            Entry {
                path: "dev/console".into(),
                mode: 0o600,
                kind: Kind::CharDevice(5, 1),
            },
            Entry::file("init", 0o755, b"x".to_vec()),
        ];
        let a = archive(&entries, 0);
        assert_eq!(a, archive(&entries, 0));
        // The host's GNU cpio is the judge of the format, when it is installed.
        let Ok(mut child) = std::process::Command::new("cpio")
            .args(["-t", "-v", "--quiet"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
        else {
            return;
        };
        use std::io::Write as _;
        child.stdin.take().map(|mut s| s.write_all(&a));
        let out = child
            .wait_with_output()
            .map(|o| o.stdout)
            .unwrap_or_default();
        let listing = String::from_utf8_lossy(&out);
        let lines: Vec<&str> = listing.lines().collect();
        assert_eq!(lines.len(), 4, "{listing}");
        assert!(lines[0].starts_with("drwxr-xr-x") && lines[0].ends_with("bin"));
        assert!(lines[1].starts_with("lrwxrwxrwx") && lines[1].ends_with("bin/sh -> busybox"));
        assert!(lines[2].starts_with("crw-------") && lines[2].contains("5,"));
        assert!(lines[3].starts_with("-rwxr-xr-x") && lines[3].ends_with("init"));
    }
}
