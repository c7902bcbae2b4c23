//! The Linux kernel and its modules from Debian's package for the target:
//! the uncompressed `Image` U-Boot's `booti` starts, the modules the box
//! needs (with their dependencies, in load order, found by `modprobe`), and
//! the initramfs that loads the disk's modules and mounts the root slot.

use std::path::{Path, PathBuf};

use crate::cpio::{self, Entry, Kind};
use crate::tool::{io, Error, Tool};

/// Modules the initramfs loads to reach the root slot.
const INITRAMFS: &[&str] = &["virtio_blk", "virtio_pci", "ext4"];
/// Modules the running box may load: the network, the watchdogs (the board's,
/// else the software one), what RAUC mounts bundles with, the boot partition.
const ROOTFS: &[&str] = &[
    "virtio_blk",
    "virtio_pci",
    "virtio_net",
    "ext4",
    "i6300esb",
    "softdog",
    "loop",
    "squashfs",
    "vfat",
    "nls_cp437",
    "nls_iso8859_1",
    "nls_utf8",
    "nls_ascii",
    "af_packet",
];

/// The unpacked kernel package.
#[derive(Debug)]
pub struct Kernel {
    /// Where the package is unpacked.
    pub root: PathBuf,
    /// Its release (`6.1.0-57-arm64`).
    pub version: String,
}

impl Kernel {
    pub fn find(root: &Path) -> Result<Self, Error> {
        let modules = root.join("lib/modules");
        let mut versions: Vec<String> = std::fs::read_dir(&modules)
            .map_err(io(&modules))?
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .collect();
        versions.sort();
        let version = versions
            .pop()
            .ok_or_else(|| Error::Input(format!("{}: no kernel release", modules.display())))?;
        Tool::new("depmod")
            .arg("-b")
            .arg(root)
            .arg(&version)
            .run()?;
        Ok(Self {
            root: root.to_path_buf(),
            version,
        })
    }

    /// The uncompressed kernel image `booti` starts (Debian's arm64 `vmlinuz`
    /// is one already; a gzip-compressed one is unpacked).
    pub fn image(&self, out: &Path) -> Result<(), Error> {
        let vmlinuz = self.root.join(format!("boot/vmlinuz-{}", self.version));
        let data = std::fs::read(&vmlinuz).map_err(io(&vmlinuz))?;
        let data = if data.starts_with(&[0x1f, 0x8b]) {
            Tool::new("gzip").arg("-dc").arg(&vmlinuz).output_bytes()?
        } else {
            data
        };
        std::fs::write(out, data).map_err(io(out))
    }

    /// The module files (relative to the kernel's module folder) `names` need, in load order.
    pub fn modules(&self, names: &[&str]) -> Result<Vec<PathBuf>, Error> {
        let dir = self.module_dir();
        let mut order: Vec<PathBuf> = Vec::new();
        for name in names {
            let out = Tool::new("modprobe")
                .arg("-d")
                .arg(&self.root)
                .arg("-S")
                .arg(&self.version)
                .arg("--show-depends")
                .arg(name)
                .output()?;
            for line in out.lines() {
                // "insmod /root/lib/modules/VER/kernel/…/x.ko" or "builtin x"
                if let Some(path) = line.strip_prefix("insmod ") {
                    let path = Path::new(path.split_whitespace().next().unwrap_or(""));
                    let rel = path
                        .strip_prefix(&dir)
                        .map_err(|_| Error::Input(format!("modprobe named {}", path.display())))?
                        .to_path_buf();
                    if !order.contains(&rel) {
                        order.push(rel);
                    }
                }
            }
        }
        Ok(order)
    }

    pub fn module_dir(&self) -> PathBuf {
        self.root.join("lib/modules").join(&self.version)
    }

    /// Copies the modules the box may load into `rootfs` and indexes them.
    pub fn install_modules(&self, rootfs: &Path) -> Result<usize, Error> {
        let list = self.modules(ROOTFS)?;
        let src = self.module_dir();
        let dst = rootfs.join("lib/modules").join(&self.version);
        for rel in &list {
            let to = dst.join(rel);
            if let Some(p) = to.parent() {
                std::fs::create_dir_all(p).map_err(io(p))?;
            }
            std::fs::copy(src.join(rel), &to).map_err(io(&to))?;
        }
        for f in [
            "modules.builtin",
            "modules.builtin.modinfo",
            "modules.order",
        ] {
            let from = src.join(f);
            if from.exists() {
                std::fs::copy(&from, dst.join(f)).map_err(io(&from))?;
            }
        }
        Tool::new("depmod")
            .arg("-b")
            .arg(rootfs)
            .arg(&self.version)
            .run()?;
        // depmod's binary indexes are not byte-stable; busybox's modprobe reads the text ones.
        for f in [
            "modules.dep.bin",
            "modules.alias.bin",
            "modules.symbols.bin",
            "modules.builtin.bin",
            "modules.builtin.alias.bin",
        ] {
            let _ = std::fs::remove_file(dst.join(f));
        }
        Ok(list.len())
    }

    /// The initramfs: busybox, the init script, the disk's modules in load order.
    pub fn initramfs(&self, busybox: &Path, init: &str, epoch: u32) -> Result<Vec<u8>, Error> {
        let list = self.modules(INITRAMFS)?;
        let mut entries = vec![
            Entry::dir("bin"),
            Entry::file(
                "bin/busybox",
                0o755,
                std::fs::read(busybox).map_err(io(busybox))?,
            ),
            Entry::symlink("bin/sh", "busybox"),
            Entry::dir("dev"),
            Entry {
                path: "dev/console".into(),
                mode: 0o600,
                kind: Kind::CharDevice(5, 1),
            },
            Entry::file("init", 0o755, init.as_bytes().to_vec()),
            Entry::dir("lib"),
            Entry::dir("lib/modules"),
            Entry::dir("newroot"),
            Entry::dir("proc"),
            Entry::dir("sys"),
        ];
        let mut order = String::new();
        let mut dirs: Vec<String> = Vec::new();
        for rel in &list {
            let name = rel.to_string_lossy().into_owned();
            let mut parent = Path::new(&name).parent();
            let mut chain = Vec::new();
            while let Some(p) = parent.filter(|p| !p.as_os_str().is_empty()) {
                chain.push(format!("lib/modules/{}", p.display()));
                parent = p.parent();
            }
            for d in chain.into_iter().rev() {
                if !dirs.contains(&d) {
                    entries.push(Entry::dir(&d));
                    dirs.push(d);
                }
            }
            let from = self.module_dir().join(rel);
            entries.push(Entry::file(
                &format!("lib/modules/{name}"),
                0o644,
                std::fs::read(&from).map_err(io(&from))?,
            ));
            order.push_str(&name);
            order.push('\n');
        }
        entries.push(Entry::file(
            "lib/modules/load-order",
            0o644,
            order.into_bytes(),
        ));
        Ok(cpio::archive(&entries, epoch))
    }
}
