//! Packs the binary's relative relocations (DT_RELR) where the linker and C library support
//! it. A position-independent executable carries ~2 MB of them, and the loader reads every
//! one at start: packed, they take a few KB, so a short task's peak memory drops by about
//! as much, and address randomisation stays on. Where the flag is unknown the binary is
//! linked as before.
use std::{env, path::PathBuf, process::Command};

const PACK: &str = "-Wl,-z,pack-relative-relocs";

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=CC");
    let linux_gnu = env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux")
        && env::var("CARGO_CFG_TARGET_ENV").as_deref() == Ok("gnu");
    if linux_gnu && linker_accepts_pack() {
        println!("cargo:rustc-link-arg-bins={PACK}");
    }
}

/// Links an empty C program with the flag; an old linker refuses it, and a C library
/// without GLIBC_ABI_DT_RELR makes the linker leave relocations unpacked, which is harmless.
fn linker_accepts_pack() -> bool {
    let Some(out_dir) = env::var_os("OUT_DIR").map(PathBuf::from) else {
        return false;
    };
    let source = out_dir.join("relr_probe.c");
    if std::fs::write(&source, "int main(void) { return 0; }\n").is_err() {
        return false;
    }
    let cc = env::var("CC").unwrap_or_else(|_| "cc".to_string());
    Command::new(cc)
        .arg(&source)
        .arg("-o")
        .arg(out_dir.join("relr_probe"))
        .arg(PACK)
        .output()
        .is_ok_and(|output| output.status.success())
}
