//! Debian's packages for the target: downloaded with `apt-get download` into a
//! cache under the build output (never installed on the build host), unpacked
//! with `dpkg-deb -x` into a sysroot the root filesystem takes its files from.
//!
//! The cache is the build's record of its inputs: a second build uses the same
//! `.deb` files (no download), so it gives the same bytes. `--refresh` starts
//! over with what the host's apt lists offer today.

use std::path::{Path, PathBuf};

use crate::target::Target;
use crate::tool::{io, Error, Tool};

/// The target's packages the root filesystem takes files from: the C runtime,
/// busybox, the gateway's libraries, RAUC and the D-Bus daemon its service
/// talks over, and their libraries. The build checks that every ELF file it
/// ships finds its libraries (see `libs`), so a missing one is an error, not a
/// box that does not boot.
pub const ROOTFS: &[&str] = &[
    // C runtime and the rescue shell
    "libc6",
    "libgcc-s1",
    "libstdc++6",
    "busybox-static",
    // the gateway
    "libopus0",
    "libasound2",
    "libwebrtc-audio-processing1",
    // RAUC, and unsquashfs, which it reads bundles with
    "rauc",
    "squashfs-tools",
    "liblzo2-2",
    "libglib2.0-0",
    "libjson-glib-1.0-0",
    "libssl3",
    "libcurl3-gnutls",
    "libfdisk1",
    "libffi8",
    "libmount1",
    "libblkid1",
    "libpcre2-8-0",
    "libselinux1",
    "zlib1g",
    "libuuid1",
    "libbrotli1",
    "libgnutls30",
    "libgssapi-krb5-2",
    "libidn2-0",
    "libldap-2.5-0",
    "libnghttp2-14",
    "libpsl5",
    "librtmp1",
    "libssh2-1",
    "libzstd1",
    "libnettle8",
    "libhogweed6",
    "libgmp10",
    "libp11-kit0",
    "libtasn1-6",
    "libunistring2",
    "libk5crypto3",
    "libkrb5-3",
    "libkrb5support0",
    "libcom-err2",
    "libkeyutils1",
    "libsasl2-2",
    "libgcrypt20",
    "libgpg-error0",
    // the D-Bus system bus RAUC's service and client use
    "dbus-daemon",
    "dbus-bin",
    "libdbus-1-3",
    "libexpat1",
    "libapparmor1",
    "libaudit1",
    "libcap-ng0",
    "libsystemd0",
    "liblz4-1",
    "liblzma5",
    "libcap2",
];

/// The `.deb` files in `cache`, downloading the missing ones.
pub fn fetch(target: Target, names: &[String], cache: &Path) -> Result<Vec<PathBuf>, Error> {
    std::fs::create_dir_all(cache).map_err(io(cache))?;
    let mut debs = Vec::new();
    let mut missing = Vec::new();
    for name in names {
        match cached(cache, name)? {
            Some(p) => debs.push(p),
            None => missing.push(format!("{name}:{}", target.deb_arch())),
        }
    }
    if !missing.is_empty() {
        eprintln!("    downloading {} packages", missing.len());
        Tool::new("apt-get")
            .arg("download")
            .args(&missing)
            .current_dir(cache)
            .run()
            .map_err(|e| match e {
                Error::Failed { output, .. } => Error::Input(format!(
                    "apt-get download failed (is the {} architecture enabled? scripts/setup.sh --cross):\n{output}",
                    target.deb_arch()
                )),
                e => e,
            })?;
        for name in names {
            if !debs.iter().any(|d| deb_name(d) == Some(name.as_str())) {
                match cached(cache, name)? {
                    Some(p) => debs.push(p),
                    None => return Err(Error::Input(format!("apt-get download gave no {name}"))),
                }
            }
        }
    }
    debs.sort();
    Ok(debs)
}

/// The name of the kernel package: the one in the cache, else the one Debian's
/// `linux-image-<arch>` meta-package depends on today.
pub fn kernel_package(target: Target, cache: &Path) -> Result<String, Error> {
    let arch = target.deb_arch();
    if let Ok(dir) = std::fs::read_dir(cache) {
        let mut found: Vec<String> = dir
            .filter_map(|e| e.ok())
            .filter_map(|e| {
                let p = e.path();
                let n = deb_name(&p)?.to_string();
                (n.starts_with("linux-image-") && n.ends_with(&format!("-{arch}"))).then_some(n)
            })
            .collect();
        found.sort();
        if let Some(n) = found.pop() {
            return Ok(n);
        }
    }
    let out = Tool::new("apt-cache")
        .arg("depends")
        .arg(format!("linux-image-{arch}:{arch}"))
        .output()?;
    out.lines()
        .filter_map(|l| l.trim().strip_prefix("Depends: "))
        .map(|d| d.split(':').next().unwrap_or(d))
        .find(|d| d.starts_with("linux-image-"))
        .map(str::to_string)
        .ok_or_else(|| Error::Input(format!("apt-cache knows no kernel for {arch}:\n{out}")))
}

/// Unpacks `deb` into `dir`.
pub fn unpack(deb: &Path, dir: &Path) -> Result<(), Error> {
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    Tool::new("dpkg-deb").arg("-x").arg(deb).arg(dir).run()
}

/// `name_version_arch.deb` → `name`.
pub fn deb_name(path: &Path) -> Option<&str> {
    let file = path.file_name()?.to_str()?;
    let stem = file.strip_suffix(".deb")?;
    stem.split('_').next()
}

fn cached(cache: &Path, name: &str) -> Result<Option<PathBuf>, Error> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(cache)
        .map_err(io(cache))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| deb_name(p) == Some(name))
        .collect();
    found.sort();
    Ok(found.pop())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deb_names() {
        assert_eq!(
            deb_name(Path::new("/c/libssl3_3.0.17-1~deb12u2_arm64.deb")),
            Some("libssl3")
        );
        assert_eq!(deb_name(Path::new("x.tar")), None);
    }
}
