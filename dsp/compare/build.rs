//! Links Debian's libspandsp (`libspandsp-dev`, 0.0.6), the reference DTMF
//! receiver and line echo canceller.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    if pkg_config::Config::new()
        .atleast_version("0.0.6")
        .probe("spandsp")
        .is_err()
    {
        // No .pc file: fall back to the default library path.
        println!("cargo:rustc-link-lib=spandsp");
    }
}
