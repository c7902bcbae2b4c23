//! The signing keys and the signed RAUC update bundle.
//!
//! Bundles are RAUC's `plain` format: a squashfs holding the manifest and the
//! root slot's ext4 image, followed by a CMS (X.509) signature over all of it.
//! The box checks the signature against its keyring before it reads anything
//! inside, so a bundle signed by another key or changed by one byte is
//! refused before a slot is touched. The signature carries its signing time:
//! bundles are not byte-reproducible, the image inside them is.

use std::path::{Path, PathBuf};

use crate::target::Target;
use crate::tool::{io, Error, Tool};

/// The signing key pair: `cert.pem` (goes into the image as the keyring) and `key.pem`.
#[derive(Debug)]
pub struct Keys {
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// The keys in `dir`, made there (a self-signed development key) if it has none.
/// A product signs with its own key kept off the build machine: pass its folder
/// with `--keys`.
pub fn keys(dir: &Path) -> Result<Keys, Error> {
    let keys = Keys {
        cert: dir.join("cert.pem"),
        key: dir.join("key.pem"),
    };
    if keys.cert.exists() && keys.key.exists() {
        return Ok(keys);
    }
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    eprintln!(
        "    no signing key in {}: making a development key",
        dir.display()
    );
    Tool::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:3072", "-nodes", "-days", "3650", "-sha256",
        ])
        .args([
            "-subj",
            "/O=Gateway firmware/CN=development update signing key",
        ])
        .arg("-keyout")
        .arg(&keys.key)
        .arg("-out")
        .arg(&keys.cert)
        .run()?;
    Ok(keys)
}

/// Makes the bundle `out` holding `rootfs` (an ext4 image of a slot).
pub fn make(
    target: Target,
    keys: &Keys,
    rootfs: &Path,
    version: &str,
    work: &Path,
    out: &Path,
) -> Result<(), Error> {
    if work.exists() {
        std::fs::remove_dir_all(work).map_err(io(work))?;
    }
    std::fs::create_dir_all(work).map_err(io(work))?;
    let manifest = format!(
        "[update]\ncompatible={}\nversion={version}\ndescription=gateway firmware\n\n[bundle]\nformat=plain\n\n[image.rootfs]\nfilename=rootfs.ext4\n",
        target.compatible()
    );
    let m = work.join("manifest.raucm");
    std::fs::write(&m, manifest).map_err(io(&m))?;
    let img = work.join("rootfs.ext4");
    std::fs::hard_link(rootfs, &img)
        .or_else(|_| std::fs::copy(rootfs, &img).map(|_| ()))
        .map_err(io(&img))?;
    let _ = std::fs::remove_file(out);
    Tool::new("rauc")
        .arg("bundle")
        .arg("--cert")
        .arg(&keys.cert)
        .arg("--key")
        .arg(&keys.key)
        .arg("--keyring")
        .arg(&keys.cert)
        .arg(work)
        .arg(out)
        .run()?;
    std::fs::remove_dir_all(work).map_err(io(work))
}
