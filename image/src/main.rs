//! `image`: builds the firmware.
//!
//! ```text
//! cargo run -p image -- build --target aarch64 [--out DIR] [--keys DIR] [--cache DIR]
//!                             [--version V] [--fail-health] [--skip-gateway-build]
//!                             [--bundle-only]
//! ```
//!
//! Output in DIR (default `target/image/aarch64`):
//! - `disk.img`: the GPT disk image to flash (boot, rootfs-a, rootfs-b, data)
//! - `rootfs.ext4`: one slot's file system
//! - `update.raucb`: the signed RAUC bundle of this build
//! - `cache/debs/`: Debian's packages the build used (a rebuild reuses them;
//!   `--cache DIR` puts them elsewhere)
//! - `keys/`: the development signing key made on the first build (`--keys DIR`
//!   uses a product's key instead)
//!
//! `--version V` names the firmware (default: the workspace's version);
//! `--fail-health` builds a deliberately broken gateway, for the fallback tests;
//! `--bundle-only` skips the disk image (an update needs only the bundle).
//!
//! docs/IMAGE.md describes the layout, the boot and update flow and what makes
//! the image reproducible.

mod boot;
mod bundle;
mod cpio;
mod disk;
mod ext4;
mod kernel;
mod libs;
mod packages;
mod rootfs;
mod target;
mod tool;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use target::Target;
use tool::{io, Error, Tool};

const USAGE: &str = "usage: image build --target aarch64 [--out DIR] [--keys DIR] [--cache DIR] [--version V] [--fail-health] [--skip-gateway-build] [--bundle-only]";

#[derive(Debug)]
struct Args {
    target: Target,
    out: Option<PathBuf>,
    keys: Option<PathBuf>,
    cache: Option<PathBuf>,
    version: Option<String>,
    fail_health: bool,
    skip_gateway_build: bool,
    bundle_only: bool,
}

fn parse(args: &[String]) -> Result<Args, Error> {
    let mut it = args.iter();
    match it.next().map(String::as_str) {
        Some("build") => {}
        Some("--help" | "-h") | None => return Err(Error::Usage(USAGE.into())),
        Some(other) => return Err(Error::Usage(format!("unknown command {other:?}\n{USAGE}"))),
    }
    let mut target = None;
    let mut a = Args {
        target: Target::Aarch64,
        out: None,
        keys: None,
        cache: None,
        version: None,
        fail_health: false,
        skip_gateway_build: false,
        bundle_only: false,
    };
    while let Some(arg) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| Error::Usage(format!("{name} needs a value\n{USAGE}")))
        };
        match arg.as_str() {
            "--target" => target = Some(Target::parse(&value("--target")?)?),
            "--out" => a.out = Some(PathBuf::from(value("--out")?)),
            "--keys" => a.keys = Some(PathBuf::from(value("--keys")?)),
            "--cache" => a.cache = Some(PathBuf::from(value("--cache")?)),
            "--version" => a.version = Some(value("--version")?),
            "--fail-health" => a.fail_health = true,
            "--skip-gateway-build" => a.skip_gateway_build = true,
            "--bundle-only" => a.bundle_only = true,
            other => return Err(Error::Usage(format!("unknown argument {other:?}\n{USAGE}"))),
        }
    }
    a.target = target.ok_or_else(|| Error::Usage(format!("--target is needed\n{USAGE}")))?;
    Ok(a)
}

/// Prints each step as it starts and how long it took.
#[derive(Debug)]
struct Progress {
    step: usize,
    total: usize,
    started: Instant,
    begun: Instant,
}

impl Progress {
    fn new(total: usize) -> Self {
        Self {
            step: 0,
            total,
            started: Instant::now(),
            begun: Instant::now(),
        }
    }
    fn start(&mut self, what: &str) {
        self.step += 1;
        self.started = Instant::now();
        eprintln!("[{}/{}] {what}", self.step, self.total);
    }
    fn done(&self, what: &str) {
        eprintln!("    {what} ({:.1} s)", self.started.elapsed().as_secs_f64());
    }
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap_or(Path::new("."))
        .to_path_buf()
}

/// The build's fixed time: `SOURCE_DATE_EPOCH`, else the last commit's time, else 0.
fn epoch(root: &Path) -> u64 {
    if let Some(e) = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        return e;
    }
    Tool::new("git")
        .arg("-C")
        .arg(root)
        .args(["log", "-1", "--format=%ct"])
        .output()
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(0)
}

fn size_mib(p: &Path) -> String {
    let m = std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    format!("{:.1} MiB", m as f64 / 1048576.0)
}

fn build(a: &Args) -> Result<(), Error> {
    let root = workspace();
    let t = a.target;
    let out = a
        .out
        .clone()
        .unwrap_or_else(|| root.join("target/image").join(t.name()));
    std::fs::create_dir_all(&out).map_err(io(&out))?;
    let out = out.canonicalize().map_err(io(&out))?;
    let work = out.join("work");
    let cache = a.cache.clone().unwrap_or_else(|| out.join("cache/debs"));
    let epoch = epoch(&root);
    let version = a
        .version
        .clone()
        .unwrap_or_else(|| env!("CARGO_PKG_VERSION").to_string());
    let mut p = Progress::new(8);

    p.start(&format!(
        "gateway: cargo build --release --target {}",
        t.triple()
    ));
    let target_dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    if !a.skip_gateway_build {
        Tool::new("cargo")
            .args([
                "build",
                "--release",
                "--target",
                t.triple(),
                "-p",
                "gateway",
                "--bin",
                "gateway",
            ])
            .current_dir(&root)
            .run_visible()?;
    }
    let gateway = target_dir.join(t.triple()).join("release/gateway");
    if !gateway.exists() {
        return Err(Error::Input(format!("{} is missing", gateway.display())));
    }
    p.done(&format!("{} ({})", gateway.display(), size_mib(&gateway)));

    p.start("packages: Debian's arm64 packages (cache/debs)");
    let kernel_pkg = packages::kernel_package(t, &cache)?;
    let mut names: Vec<String> = packages::ROOTFS.iter().map(|s| s.to_string()).collect();
    names.push(kernel_pkg.clone());
    let debs = packages::fetch(t, &names, &cache)?;
    p.done(&format!("{} packages, kernel {kernel_pkg}", debs.len()));

    p.start("unpack: dpkg-deb -x into the sysroot");
    let sysroot = work.join("sysroot");
    let kernel_root = work.join("kernel");
    // A rebuild in the same folder from the same packages reuses the sysroot.
    let stamp = work.join("unpacked.txt");
    let listing: String = debs
        .iter()
        .filter_map(|d| d.file_name().map(|n| format!("{}\n", n.to_string_lossy())))
        .collect();
    let reuse = std::fs::read_to_string(&stamp).is_ok_and(|s| s == listing)
        && sysroot.exists()
        && kernel_root.exists();
    if !reuse {
        for d in [&sysroot, &kernel_root] {
            if d.exists() {
                std::fs::remove_dir_all(d).map_err(io(d))?;
            }
        }
        for deb in &debs {
            let into = if packages::deb_name(deb) == Some(kernel_pkg.as_str()) {
                &kernel_root
            } else {
                &sysroot
            };
            packages::unpack(deb, into)?;
        }
        std::fs::write(&stamp, &listing).map_err(io(&stamp))?;
    }
    let kernel = kernel::Kernel::find(&kernel_root)?;
    p.done(&format!(
        "kernel {}{}",
        kernel.version,
        if reuse { " (unpacked before)" } else { "" }
    ));

    p.start("keys: the update signing key");
    let keys = bundle::keys(&a.keys.clone().unwrap_or_else(|| out.join("keys")))?;
    p.done(&keys.cert.display().to_string());

    p.start("rootfs: gateway, busybox, init, RAUC, kernel, initramfs, modules");
    let tree = work.join("rootfs");
    let (nlibs, nmods) = rootfs::assemble(
        &rootfs::Inputs {
            target: t,
            sysroot: &sysroot,
            kernel: &kernel,
            gateway: &gateway,
            keyring: &keys.cert,
            version: &version,
            epoch,
            fail_health: a.fail_health,
        },
        &tree,
    )?;
    p.done(&format!("{nlibs} shared libraries, {nmods} modules"));

    p.start("file systems: ext4 slot and data (mke2fs -d), vfat boot (mkfs.vfat, mcopy)");
    let rootfs_img = out.join("rootfs.ext4");
    ext4::make(
        Some(&tree),
        &rootfs_img,
        "rootfs",
        disk::ROOTFS_UUID,
        disk::ROOT_A.bytes(),
        epoch,
    )?;
    if a.bundle_only {
        p.done(&format!(
            "slot file system {} (no disk image: --bundle-only)",
            size_mib(&rootfs_img)
        ));
        p.start("disk: skipped (--bundle-only)");
        let _ = std::fs::remove_file(out.join("disk.img"));
    } else {
        let data_img = work.join("data.ext4");
        ext4::make(
            None,
            &data_img,
            "data",
            disk::DATA_UUID,
            disk::DATA.bytes(),
            epoch,
        )?;
        let boot_img = work.join("boot.vfat");
        boot::make(t, &work.join("boot"), &boot_img, epoch)?;
        p.done(&format!("slot file system {}", size_mib(&rootfs_img)));

        p.start("disk: GPT (sfdisk) with boot, rootfs-a, rootfs-b, data");
        let disk_img = out.join("disk.img");
        disk::assemble(&disk_img, &boot_img, &rootfs_img, &data_img)?;
        p.done(&format!("{} ({})", disk_img.display(), size_mib(&disk_img)));
    }

    p.start("bundle: signed RAUC bundle");
    let bundle_path = out.join("update.raucb");
    bundle::make(
        t,
        &keys,
        &rootfs_img,
        &version,
        &work.join("bundle"),
        &bundle_path,
    )?;
    p.done(&format!(
        "{} ({})",
        bundle_path.display(),
        size_mib(&bundle_path)
    ));

    let _ = std::fs::remove_dir_all(&tree);
    eprintln!(
        "image: firmware {version} for {} built in {:.0} s: {}",
        t.triple(),
        p.begun.elapsed().as_secs_f64(),
        out.display()
    );
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = parse(&args).and_then(|a| build(&a));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Error::Usage(m)) => {
            eprintln!("{m}");
            ExitCode::from(2)
        }
        Err(e) => {
            eprintln!("image: {e}");
            ExitCode::FAILURE
        }
    }
}
