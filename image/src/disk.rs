//! The GPT disk image, packed without loop mounts: `sfdisk` writes the
//! partition table into a sparse file, each partition's file system is made
//! in a file of its own (`mke2fs -d`, `mkfs.vfat` + `mcopy`) and copied in at
//! its offset, skipping zero blocks so the image stays sparse.
//!
//! ```text
//!  offset     size     partition                    file system
//!  1 MiB      16 MiB   1 boot    (U-Boot script,    vfat   BOOT
//!                                 A/B boot state)
//!  17 MiB     256 MiB  2 rootfs-a (slot A)          ext4   rootfs
//!  273 MiB    256 MiB  3 rootfs-b (slot B)          ext4   rootfs
//!  529 MiB    64 MiB   4 data    (configuration,    ext4   data
//!                                 call records)
//! ```
//! The table's and partitions' GUIDs and the file systems' UUIDs are fixed,
//! so the same inputs give the same bytes.

use std::io::{Read as _, Seek as _, SeekFrom, Write as _};
use std::path::Path;

use crate::tool::{io, Error, Tool};

const MIB: u64 = 1024 * 1024;

/// One partition of the layout.
#[derive(Debug, Clone, Copy)]
pub struct Partition {
    pub name: &'static str,
    pub start_mib: u64,
    pub size_mib: u64,
    /// GPT partition type GUID.
    pub type_guid: &'static str,
    /// This partition's GUID (fixed: reproducible).
    pub guid: &'static str,
}

impl Partition {
    pub fn offset(&self) -> u64 {
        self.start_mib * MIB
    }
    pub fn bytes(&self) -> u64 {
        self.size_mib * MIB
    }
}

const LINUX: &str = "0FC63DAF-8483-4772-8E79-3D69D8477DE4";
const BASIC_DATA: &str = "EBD0A0A2-B9E5-4433-87C0-68B6B72699C7";

pub const BOOT: Partition = Partition {
    name: "boot",
    start_mib: 1,
    size_mib: 16,
    type_guid: BASIC_DATA,
    guid: "6A0B1E57-0000-4000-8000-000000000001",
};
pub const ROOT_A: Partition = Partition {
    name: "rootfs-a",
    start_mib: 17,
    size_mib: 256,
    type_guid: LINUX,
    guid: "6A0B1E57-0000-4000-8000-00000000000A",
};
pub const ROOT_B: Partition = Partition {
    name: "rootfs-b",
    start_mib: 273,
    size_mib: 256,
    type_guid: LINUX,
    guid: "6A0B1E57-0000-4000-8000-00000000000B",
};
pub const DATA: Partition = Partition {
    name: "data",
    start_mib: 529,
    size_mib: 64,
    type_guid: LINUX,
    guid: "6A0B1E57-0000-4000-8000-0000000000DA",
};
/// The disk's GUID.
const DISK_GUID: &str = "6A0B1E57-0000-4000-8000-000000000000";
/// Room for the backup GPT at the end.
const TOTAL_MIB: u64 = 594;

/// The file systems' UUIDs (fixed: reproducible). Both slots get the same
/// root file system; the slot's identity is its partition.
pub const ROOTFS_UUID: &str = "6a0b1e57-0000-4000-8000-0000000000f0";
pub const DATA_UUID: &str = "6a0b1e57-0000-4000-8000-0000000000f1";
pub const BOOT_VOLUME_ID: &str = "6A0B1E57";

/// `sfdisk`'s script for the layout.
pub fn sfdisk_script() -> String {
    let mut s = format!(
        "label: gpt\nlabel-id: {DISK_GUID}\nunit: sectors\nsector-size: 512\nfirst-lba: 2048\n\n"
    );
    for p in [BOOT, ROOT_A, ROOT_B, DATA] {
        s.push_str(&format!(
            "start={}, size={}, type={}, uuid={}, name=\"{}\"{}\n",
            p.offset() / 512,
            p.bytes() / 512,
            p.type_guid,
            p.guid,
            p.name,
            if p.name == "boot" {
                ", attrs=\"LegacyBIOSBootable\""
            } else {
                ""
            }
        ));
    }
    s
}

/// Writes the disk image `out` from the partitions' file system images.
pub fn assemble(out: &Path, boot: &Path, rootfs: &Path, data: &Path) -> Result<(), Error> {
    let _ = std::fs::remove_file(out);
    let f = std::fs::File::create(out).map_err(io(out))?;
    f.set_len(TOTAL_MIB * MIB).map_err(io(out))?;
    drop(f);
    let script = out.with_extension("sfdisk");
    std::fs::write(&script, sfdisk_script()).map_err(io(&script))?;
    Tool::new("sh")
        .arg("-c")
        .arg(format!(
            "sfdisk --quiet --no-reread --no-tell-kernel '{}' < '{}'",
            out.display(),
            script.display()
        ))
        .run()?;
    let _ = std::fs::remove_file(&script);
    for (part, image) in [
        (BOOT, boot),
        (ROOT_A, rootfs),
        (ROOT_B, rootfs),
        (DATA, data),
    ] {
        copy_into(out, part, image)?;
    }
    Ok(())
}

/// Copies `image` into `disk` at `part`'s offset, leaving zero blocks as holes.
fn copy_into(disk: &Path, part: Partition, image: &Path) -> Result<(), Error> {
    let len = std::fs::metadata(image).map_err(io(image))?.len();
    if len > part.bytes() {
        return Err(Error::Input(format!(
            "{} is {} MiB, more than partition {} ({} MiB)",
            image.display(),
            len.div_ceil(MIB),
            part.name,
            part.size_mib
        )));
    }
    let mut src = std::fs::File::open(image).map_err(io(image))?;
    let mut dst = std::fs::OpenOptions::new()
        .write(true)
        .open(disk)
        .map_err(io(disk))?;
    let mut buf = vec![0u8; 64 * 1024];
    let mut pos = 0u64;
    loop {
        let n = src.read(&mut buf).map_err(io(image))?;
        if n == 0 {
            break;
        }
        if buf[..n].iter().any(|&b| b != 0) {
            dst.seek(SeekFrom::Start(part.offset() + pos))
                .map_err(io(disk))?;
            dst.write_all(&buf[..n]).map_err(io(disk))?;
        }
        pos += n as u64;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partitions_are_in_order_aligned_and_fit() {
        let parts = [BOOT, ROOT_A, ROOT_B, DATA];
        for w in parts.windows(2) {
            assert_eq!(
                w[0].start_mib + w[0].size_mib,
                w[1].start_mib,
                "{} then {}",
                w[0].name,
                w[1].name
            );
        }
        // The backup GPT needs 33 sectors after the last partition.
        assert!(DATA.offset() + DATA.bytes() + 33 * 512 <= TOTAL_MIB * MIB);
        assert_eq!(ROOT_A.size_mib, ROOT_B.size_mib);
        let s = sfdisk_script();
        assert!(s.contains("start=2048, size=32768, type=EBD0A0A2"));
        assert_eq!(s.lines().filter(|l| l.starts_with("start=")).count(), 4);
    }
}
