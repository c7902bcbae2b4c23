//! The firmware boots and works as a box, and an update can never brick it:
//! the image under `qemu-system-aarch64 -M virt` (TCG) with Debian's U-Boot.
//!
//! One box, one life, in order (each step starts from where the last left it):
//! 1. boots slot A; login on the serial console; `show ports`, `show version`;
//! 2. a sipp call from the host to the simulated call centre inside the box,
//!    with the call centre's audio coming back as RTP to the host;
//! 3. an update uploaded with `POST /api/v1/firmware`: installed into slot B,
//!    the box reboots into B, the gateway comes up healthy and marks B good;
//! 4. an update whose gateway never becomes healthy, installed with the
//!    console's `upgrade URL`: the box reboots into A, which fails its boot
//!    attempts, and U-Boot goes back to B by itself;
//! 5. a bundle signed by another key (console) and one with a flipped byte
//!    (API) are refused with RAUC's reason, and slot A's bytes do not change.
//!
//! Needs `scripts/setup.sh --test` (cross toolchain, image tools, QEMU, sipp).
//! Three image builds, six boots: see the README for how long it takes.

mod harness;

use std::net::UdpSocket;
use std::process::Command;
use std::time::{Duration, Instant};

use harness::{build, digest_region, post_bundle, serve, workspace, Box};

const TOKEN: &str = "box-factory-operator-token";
/// Slot A's partition (image/src/disk.rs).
const SLOT_A: (u64, u64) = (17 << 20, 256 << 20);

fn boot_state(disk: &std::path::Path) -> String {
    let out = Command::new("mtype")
        .arg("-i")
        .arg(format!("{}@@1M", disk.display()))
        .arg("::bootstate.txt")
        .output()
        .expect("mtype");
    String::from_utf8_lossy(&out.stdout).replace('\0', "")
}

/// `show version`, asked twice: the console shows RAUC's status as last read
/// (reading it takes a moment on the box; the console never waits for it).
fn show_version(b: &mut Box) -> String {
    b.command("show version");
    std::thread::sleep(Duration::from_secs(4));
    b.command("show version")
}

#[test]
fn box_boots_calls_updates_and_falls_back() {
    let dir = workspace().join("target/image-test/boot");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let keys = workspace().join("target/image-test/keys");
    let k = keys.to_str().unwrap();
    let out = dir.join("build");
    let www = dir.join("www");
    std::fs::create_dir_all(&www).unwrap();
    let disk = dir.join("box.img");
    let cp = |from: &std::path::Path, to: &std::path::Path| {
        let ok = Command::new("cp")
            .arg("--sparse=always")
            .arg(from)
            .arg(to)
            .status()
            .unwrap();
        assert!(ok.success());
    };
    // Three builds in one folder (the later ones reuse the unpacked packages):
    // the box's image, an update, and an update whose gateway never comes up.
    let built = Instant::now();
    build(&out, &["--keys", k, "--version", "1.0.0-a"]);
    cp(&out.join("disk.img"), &disk);
    build(
        &out,
        &[
            "--keys",
            k,
            "--version",
            "1.0.0-b",
            "--skip-gateway-build",
            "--bundle-only",
        ],
    );
    cp(&out.join("update.raucb"), &www.join("b.raucb"));
    build(
        &out,
        &[
            "--keys",
            k,
            "--version",
            "1.0.0-broken",
            "--fail-health",
            "--skip-gateway-build",
            "--bundle-only",
        ],
    );
    cp(&out.join("update.raucb"), &www.join("broken.raucb"));
    // The update signed again by someone else's key.
    let other = dir.join("other-key");
    std::fs::create_dir_all(&other).unwrap();
    let made = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "3650",
            "-subj",
            "/CN=someone else",
        ])
        .arg("-keyout")
        .arg(other.join("key.pem"))
        .arg("-out")
        .arg(other.join("cert.pem"))
        .output()
        .unwrap();
    assert!(made.status.success());
    let resigned = Command::new("rauc")
        .arg("resign")
        .arg("--cert")
        .arg(other.join("cert.pem"))
        .arg("--key")
        .arg(other.join("key.pem"))
        .arg("--keyring")
        .arg(keys.join("cert.pem"))
        .arg("--signing-keyring")
        .arg(other.join("cert.pem"))
        .arg(www.join("b.raucb"))
        .arg(www.join("evil.raucb"))
        .output()
        .unwrap();
    assert!(
        resigned.status.success(),
        "{}",
        String::from_utf8_lossy(&resigned.stderr)
    );
    eprintln!(
        "boot test: three image builds in {:.0} s",
        built.elapsed().as_secs_f64()
    );
    let mut flipped = std::fs::read(www.join("b.raucb")).unwrap();
    let middle = flipped.len() / 2;
    flipped[middle] ^= 0x01;
    let http_port = serve(&www);

    // 1. Boot, log in, look around.
    let mut b = Box::start(&disk, &dir.join("serial.log"));
    b.expect("boot: slot A", Duration::from_secs(60));
    b.login();
    eprintln!(
        "boot test: console ready {:.1} s after QEMU started",
        b.started.elapsed().as_secs_f64()
    );
    let stats = b.command("show stats");
    assert!(stats.contains("memory: resident"), "{stats}");
    eprintln!(
        "boot test: gateway {}",
        stats.lines().find(|l| l.contains("memory")).unwrap_or("")
    );
    let ports = b.command("show ports");
    assert!(
        ports.contains("4155550100") && ports.contains("4155550101"),
        "{ports}"
    );
    let version = show_version(&mut b);
    assert!(
        version.contains("slot A (rootfs.0, /dev/vda2): running"),
        "{version}"
    );
    assert!(
        version.contains("slot B (rootfs.1, /dev/vda3): not running"),
        "{version}"
    );

    // 2. A call from the host; the call centre's audio comes back as RTP.
    let rtp = UdpSocket::bind("127.0.0.1:0").unwrap();
    rtp.set_read_timeout(Some(Duration::from_millis(500)))
        .unwrap();
    let rtp_port = rtp.local_addr().unwrap().port();
    let counter = std::thread::spawn(move || {
        let (mut packets, mut pcmu) = (0, 0);
        let mut buf = [0u8; 2048];
        let end = Instant::now() + Duration::from_secs(40);
        while Instant::now() < end {
            if let Ok(n) = rtp.recv(&mut buf) {
                if n >= 12 && buf[0] >> 6 == 2 {
                    packets += 1;
                    if buf[1] & 0x7f == 0 {
                        pcmu += 1;
                    }
                }
            } else if packets > 0 {
                break;
            }
        }
        (packets, pcmu)
    });
    let scenario = workspace().join("image/tests/scenarios/uac_box_call.xml");
    let sipp = Command::new("sipp")
        .arg(format!("127.0.0.1:{}", b.sip))
        .arg("-sf")
        .arg(&scenario)
        .args([
            "-s",
            "1800",
            "-m",
            "1",
            "-i",
            "127.0.0.1",
            "-p",
            &harness::free_port().to_string(),
        ])
        .args(["-key", "rtp_port", &rtp_port.to_string()])
        .args([
            "-auth_uri",
            &format!("1800@127.0.0.1:{}", b.sip),
            "-au",
            "box",
            "-ap",
            "Factory-Pass-2026",
            "-timeout",
            "60s",
            "-timeout_error",
        ])
        .args([
            "-trace_err",
            "-error_file",
            dir.join("sipp-errors.log").to_str().unwrap(),
        ])
        .stdout(std::process::Stdio::null())
        .status()
        .expect("sipp (scripts/setup.sh --test installs it)");
    let (packets, pcmu) = counter.join().unwrap();
    assert!(
        sipp.success(),
        "sipp's call failed ({sipp}); see {}",
        dir.join("sipp-errors.log").display()
    );
    assert!(
        packets >= 50,
        "only {packets} RTP packets came back from the box"
    );
    assert_eq!(packets, pcmu, "RTP back should be PCMU");
    eprintln!("boot test: call placed, {packets} RTP packets back");

    // 3. Update through the API: into B, trial boot, marked good.
    let bundle = std::fs::read(www.join("b.raucb")).unwrap();
    let (status, body) = post_bundle(b.api, TOKEN, &bundle);
    assert_eq!(status, 202, "{body}");
    assert!(body.contains("1.0.0-b"), "{body}");
    b.expect("boot: slot B", Duration::from_secs(240));
    b.expect("this slot is marked good", Duration::from_secs(120));
    // The login prompt came before: ask for it again.
    b.send("");
    b.login();
    let version = show_version(&mut b);
    assert!(
        version.contains("slot B (rootfs.1, /dev/vda3): running"),
        "{version}"
    );
    assert!(version.contains("1.0.0-b"), "{version}");
    let state = boot_state(&disk);
    assert!(
        state.contains("BOOT_ORDER=B A") && state.contains("BOOT_B_LEFT=3"),
        "{state}"
    );
    eprintln!(
        "boot test: updated to B through the API at {:.0} s",
        b.started.elapsed().as_secs_f64()
    );

    // 4. A broken update from the console: A fails its attempts, back to B.
    b.send(&format!("upgrade http://10.0.2.2:{http_port}/broken.raucb"));
    b.expect("verified: version 1.0.0-broken", Duration::from_secs(120));
    b.expect("rebooting into the new slot", Duration::from_secs(240));
    b.expect("boot: slot A", Duration::from_secs(120));
    b.expect("never becomes healthy", Duration::from_secs(120));
    b.expect("attempts left A 0", Duration::from_secs(400));
    b.expect("boot: slot B", Duration::from_secs(120));
    b.expect("this slot is marked good", Duration::from_secs(120));
    // The login prompt came before: ask for it again.
    b.send("");
    b.login();
    let version = show_version(&mut b);
    assert!(
        version.contains("slot B (rootfs.1, /dev/vda3): running"),
        "{version}"
    );
    assert!(
        version.contains("slot A (rootfs.0, /dev/vda2): not running, bad"),
        "{version}"
    );
    eprintln!(
        "boot test: fell back to B by itself at {:.0} s",
        b.started.elapsed().as_secs_f64()
    );

    // 5. Refused bundles write nothing.
    let before = digest_region(&disk, SLOT_A.0, SLOT_A.1);
    let state_before = boot_state(&disk);
    b.send(&format!("upgrade http://10.0.2.2:{http_port}/evil.raucb"));
    let said = b.expect("the running slot is untouched", Duration::from_secs(120));
    assert!(said.contains("upgrade refused or failed"), "{said}");
    eprintln!(
        "boot test: other key: {}",
        said.lines()
            .rev()
            .find(|l| l.contains("refused"))
            .unwrap_or("")
    );
    let (status, body) = post_bundle(b.api, TOKEN, &flipped);
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("bundle-refused"), "{body}");
    eprintln!("boot test: flipped byte: {body}");
    let (status, _) = post_bundle(b.api, "wrong-token", &flipped[..4096]);
    assert_eq!(status, 401);
    b.command("show version");
    assert_eq!(
        digest_region(&disk, SLOT_A.0, SLOT_A.1),
        before,
        "a refused bundle wrote slot A"
    );
    assert_eq!(
        boot_state(&disk),
        state_before,
        "a refused bundle changed the boot state"
    );
    eprintln!(
        "boot test: done at {:.0} s after QEMU started",
        b.started.elapsed().as_secs_f64()
    );
}
