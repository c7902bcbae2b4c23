//! The image is reproducible: two builds from the same inputs, into different
//! folders, give the same disk image and slot file system, byte for byte.
//! (The bundles differ: their CMS signature carries its signing time.)
//!
//! Needs the cross toolchain and the image tools (`scripts/setup.sh --cross`);
//! the first build downloads Debian's arm64 packages into a shared cache.

use std::path::{Path, PathBuf};
use std::process::Command;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn build(out: &Path, keys: &Path, cache: &Path, skip_gateway: bool) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_image"));
    cmd.args(["build", "--target", "aarch64", "--out"])
        .arg(out)
        .arg("--keys")
        .arg(keys)
        .arg("--cache")
        .arg(cache);
    if skip_gateway {
        cmd.arg("--skip-gateway-build");
    }
    let status = cmd.status().expect("run image");
    assert!(
        status.success(),
        "image build into {} failed",
        out.display()
    );
}

fn digest(p: &Path) -> String {
    let out = Command::new("sha256sum")
        .arg(p)
        .output()
        .expect("sha256sum");
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .unwrap()
        .to_string()
}

#[test]
fn two_builds_give_the_same_bytes() {
    let base = workspace().join("target/image-test/reproducible");
    let _ = std::fs::remove_dir_all(&base);
    let keys = workspace().join("target/image-test/keys");
    let cache = workspace().join("target/image-test/debs");
    let (a, b) = (base.join("first"), base.join("second"));
    build(&a, &keys, &cache, false);
    build(&b, &keys, &cache, true);
    for f in ["disk.img", "rootfs.ext4"] {
        let (da, db) = (digest(&a.join(f)), digest(&b.join(f)));
        assert_eq!(da, db, "{f} differs between two builds");
    }
    // The bundles hold the same slot image but are signed at different times.
    assert!(a.join("update.raucb").exists() && b.join("update.raucb").exists());
    let _ = std::fs::remove_dir_all(&base);
}
