//! Tells the tests whether the build machine's CPU has AVX2 + FMA, so the
//! comparisons of the AVX2 kernels with their baselines show as *ignored,
//! this CPU has no AVX2* instead of passing with nothing compared. (Tests run
//! on the machine that builds them; the product itself picks its path at run
//! time and needs none of this.)

fn main() {
    println!("cargo::rustc-check-cfg=cfg(cpu_lacks_avx2)");
    println!("cargo::rerun-if-changed=build.rs");
    let host = std::env::var("HOST").unwrap_or_default();
    let target = std::env::var("TARGET").unwrap_or_default();
    if host == target && target.starts_with("x86_64") && !host_has_avx2() {
        println!("cargo::rustc-cfg=cpu_lacks_avx2");
    }
}

#[cfg(target_arch = "x86_64")]
fn host_has_avx2() -> bool {
    std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma")
}

#[cfg(not(target_arch = "x86_64"))]
fn host_has_avx2() -> bool {
    false
}
