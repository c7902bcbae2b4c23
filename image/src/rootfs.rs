//! The root filesystem of one slot, assembled in a folder: busybox, the
//! gateway and its configuration defaults, RAUC with the D-Bus daemon its
//! service needs, exactly the shared libraries these need (from Debian's
//! packages), the init, the kernel, the initramfs and the modules.

use std::path::Path;

use crate::kernel::Kernel;
use crate::libs;
use crate::target::Target;
use crate::tool::{io, Error};

/// busybox applets the box uses (init, rescue shell, scripts), by folder.
const APPLETS: &[(&str, &[&str])] = &[
    (
        "bin",
        &[
            "sh",
            "ash",
            "cat",
            "cp",
            "date",
            "df",
            "dmesg",
            "du",
            "echo",
            "false",
            "free",
            "grep",
            "head",
            "hostname",
            "kill",
            "ln",
            "ls",
            "mkdir",
            "mount",
            "mountpoint",
            "mv",
            "ps",
            "printf",
            "pwd",
            "rm",
            "sed",
            "sleep",
            "sync",
            "tail",
            "top",
            "touch",
            "tr",
            "true",
            "umount",
            "uname",
            "vi",
            "wc",
            "wget",
            "cut",
            "sha256sum",
            "find",
            "less",
        ],
    ),
    (
        "sbin",
        &[
            "reboot",
            "poweroff",
            "halt",
            "modprobe",
            "insmod",
            "rmmod",
            "lsmod",
            "ip",
            "udhcpc",
            "switch_root",
            "losetup",
        ],
    ),
];

/// What goes into the root filesystem.
#[derive(Debug)]
pub struct Inputs<'a> {
    pub target: Target,
    /// Debian's packages, unpacked.
    pub sysroot: &'a Path,
    pub kernel: &'a Kernel,
    /// The gateway, cross-built.
    pub gateway: &'a Path,
    /// The certificate bundles are checked against (PEM).
    pub keyring: &'a Path,
    /// The firmware's version, shown by `show version`.
    pub version: &'a str,
    /// The build's fixed time (seconds since 1970).
    pub epoch: u64,
    /// A deliberately broken gateway (tests of the automatic fallback).
    pub fail_health: bool,
}

/// The box's factory configuration (`/etc/gateway/config.toml`).
pub const CONFIG: &str = include_str!("../files/gateway.toml");
const INIT: &str = include_str!("../files/init");
const INITRAMFS_INIT: &str = include_str!("../files/initramfs-init");
const BOOT_STATE: &str = include_str!("../files/rauc-boot-state");
const SYSTEM_CONF: &str = include_str!("../files/system.conf");
const DBUS_CONF: &str = include_str!("../files/dbus-system.conf");
const UDHCPC: &str = include_str!("../files/udhcpc.script");

/// Assembles the root filesystem in `dir` (emptied first); returns how many
/// shared libraries and modules it holds.
pub fn assemble(inp: &Inputs, dir: &Path) -> Result<(usize, usize), Error> {
    if dir.exists() {
        std::fs::remove_dir_all(dir).map_err(io(dir))?;
    }
    for d in [
        "bin",
        "sbin",
        "usr/bin",
        "usr/sbin",
        "usr/lib/rauc",
        "usr/share/udhcpc",
        "etc/rauc",
        "etc/dbus-1",
        "etc/gateway",
        "dev",
        "proc",
        "sys",
        "run",
        "tmp",
        "data",
        "boot",
        "var",
        "root",
    ] {
        mkdir(&dir.join(d))?;
    }
    // busybox and its applets
    copy(&inp.sysroot.join("bin/busybox"), &dir.join("bin/busybox"))?;
    for (folder, names) in APPLETS {
        for n in *names {
            let target = if *folder == "bin" {
                "busybox"
            } else {
                "../bin/busybox"
            };
            symlink(target, &dir.join(folder).join(n))?;
        }
    }
    // the programs and their libraries
    let gateway = dir.join("usr/bin/gateway");
    let rauc = dir.join("usr/bin/rauc");
    let dbus = dir.join("usr/bin/dbus-daemon");
    let unsquashfs = dir.join("usr/bin/unsquashfs");
    copy(inp.gateway, &gateway)?;
    copy(&inp.sysroot.join("usr/bin/unsquashfs"), &unsquashfs)?;
    copy(&inp.sysroot.join("usr/bin/rauc"), &rauc)?;
    copy(&inp.sysroot.join("usr/bin/dbus-daemon"), &dbus)?;
    let mut libs = libs::closure(
        inp.target,
        inp.sysroot,
        &[gateway.clone(), rauc, dbus, unsquashfs],
    )?;
    let mut loader_chain = std::collections::BTreeSet::new();
    libs::links(
        inp.sysroot,
        Path::new(inp.target.loader()),
        &mut loader_chain,
    )?;
    libs.extend(loader_chain);
    for rel in &libs {
        let to = dir.join(rel);
        if let Some(p) = to.parent() {
            mkdir(p)?;
        }
        copy_entry(&inp.sysroot.join(rel), &to)?;
    }
    if inp.fail_health {
        // A gateway that never becomes healthy: what the fallback tests install.
        write(
            &gateway,
            "#!/bin/sh\necho 'gateway: this build was made with --fail-health and never becomes healthy' >&2\nexit 1\n",
            0o755,
        )?;
    }
    // the system's files
    write(
        &dir.join("sbin/init"),
        &INIT.replace("@SERIAL@", inp.target.serial()),
        0o755,
    )?;
    write(&dir.join("usr/lib/rauc/boot-state"), BOOT_STATE, 0o755)?;
    write(
        &dir.join("etc/rauc/system.conf"),
        &SYSTEM_CONF.replace("@COMPATIBLE@", inp.target.compatible()),
        0o644,
    )?;
    copy(inp.keyring, &dir.join("etc/rauc/keyring.pem"))?;
    write(
        &dir.join("etc/dbus-1/gateway-system.conf"),
        DBUS_CONF,
        0o644,
    )?;
    write(&dir.join("usr/share/udhcpc/default.script"), UDHCPC, 0o755)?;
    write(&dir.join("etc/gateway/config.toml"), CONFIG, 0o644)?;
    write(
        &dir.join("etc/passwd"),
        "root:x:0:0:root:/root:/bin/sh\n",
        0o644,
    )?;
    write(&dir.join("etc/group"), "root:x:0:\n", 0o644)?;
    write(
        &dir.join("etc/os-release"),
        &format!(
            "NAME=\"Gateway firmware\"\nID=gateway\nVERSION_ID={}\nBUILD_EPOCH={}\nCOMPATIBLE={}\n",
            inp.version,
            inp.epoch,
            inp.target.compatible()
        ),
        0o644,
    )?;
    symlink("/run/machine-id", &dir.join("etc/machine-id"))?;
    symlink("/run/resolv.conf", &dir.join("etc/resolv.conf"))?;
    symlink("/proc/self/mounts", &dir.join("etc/mtab"))?;
    // D-Bus clients look for the system bus in /var/run.
    symlink("../run", &dir.join("var/run"))?;
    // the kernel, its initramfs and modules
    inp.kernel.image(&dir.join("boot/Image"))?;
    let epoch32 = u32::try_from(inp.epoch).unwrap_or(u32::MAX);
    let initramfs =
        inp.kernel
            .initramfs(&inp.sysroot.join("bin/busybox"), INITRAMFS_INIT, epoch32)?;
    let path = dir.join("boot/initrd.img");
    std::fs::write(&path, initramfs).map_err(io(&path))?;
    let modules = inp.kernel.install_modules(dir)?;
    Ok((libs.len(), modules))
}

fn mkdir(p: &Path) -> Result<(), Error> {
    std::fs::create_dir_all(p).map_err(io(p))
}

fn write(p: &Path, text: &str, mode: u32) -> Result<(), Error> {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::write(p, text).map_err(io(p))?;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).map_err(io(p))
}

fn copy(from: &Path, to: &Path) -> Result<(), Error> {
    std::fs::copy(from, to).map(|_| ()).map_err(io(from))
}

fn symlink(target: &str, link: &Path) -> Result<(), Error> {
    std::os::unix::fs::symlink(target, link).map_err(io(link))
}

/// Copies a file, or recreates a symbolic link as it is.
fn copy_entry(from: &Path, to: &Path) -> Result<(), Error> {
    match std::fs::read_link(from) {
        Ok(target) => std::os::unix::fs::symlink(target, to).map_err(io(to)),
        Err(_) => copy(from, to),
    }
}
