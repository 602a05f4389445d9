//! Link settings for the `errand` binary that shrink the memory each process takes.
//!
//! - Packed relative relocations (DT_RELR), where the linker and C library support them. A
//!   position-independent executable carries ~2 MB of them and the loader reads every one at
//!   start: packed, they take a few KB, and address randomisation stays on.
//! - In release builds linked by LLD (Rust's default linker on x86_64 Linux), the functions
//!   listed in `hot-functions.txt` (written by `bench/hot-functions.sh`) are placed together
//!   at the start of the code. The kernel maps code into a process in whole page-cache
//!   blocks around what runs, so the same few MB of code spread over a 30 MB binary would
//!   cost several times its size. Names the list has and the binary lacks are skipped.
//!
//! Where a flag is unknown the binary is linked as before.
use std::{env, path::PathBuf, process::Command};

const PACK: &str = "-Wl,-z,pack-relative-relocs";
const HOT_FUNCTIONS: &str = "hot-functions.txt";

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed={HOT_FUNCTIONS}");
    println!("cargo:rerun-if-env-changed=CC");
    let linux_gnu = env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux")
        && env::var("CARGO_CFG_TARGET_ENV").as_deref() == Ok("gnu");
    let Some(out_dir) = env::var_os("OUT_DIR").map(PathBuf::from) else {
        return;
    };
    if !linux_gnu {
        return;
    }
    if linker_accepts_pack(&out_dir) {
        println!("cargo:rustc-link-arg-bins={PACK}");
    }
    let hot =
        PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default()).join(HOT_FUNCTIONS);
    if env::var("PROFILE").as_deref() == Ok("release")
        && hot.is_file()
        && rustc_links_with_lld(&out_dir)
    {
        println!(
            "cargo:rustc-link-arg-bins=-Wl,--symbol-ordering-file={}",
            hot.display()
        );
        println!("cargo:rustc-link-arg-bins=-Wl,--no-warn-symbol-ordering");
    }
}

/// Links an empty C program with the flag; an old linker refuses it, and a C library
/// without GLIBC_ABI_DT_RELR makes the linker leave relocations unpacked, which is harmless.
fn linker_accepts_pack(out_dir: &std::path::Path) -> bool {
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

/// Links an empty Rust program the way this build links, with an (empty) ordering file:
/// only LLD knows the flag, so GNU ld, gold or a configured other linker say no.
fn rustc_links_with_lld(out_dir: &std::path::Path) -> bool {
    let source = out_dir.join("order_probe.rs");
    let order = out_dir.join("order_probe.txt");
    if std::fs::write(&source, "fn main() {}\n").is_err() || std::fs::write(&order, "").is_err() {
        return false;
    }
    let rustc = env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let mut probe = Command::new(rustc);
    if let Ok(target) = env::var("TARGET") {
        probe.arg("--target").arg(target);
    }
    if let Ok(flags) = env::var("CARGO_ENCODED_RUSTFLAGS") {
        probe.args(flags.split('\x1f').filter(|flag| !flag.is_empty()));
    }
    probe
        .arg(format!(
            "-Clink-arg=-Wl,--symbol-ordering-file={}",
            order.display()
        ))
        .arg("-o")
        .arg(out_dir.join("order_probe"))
        .arg(&source)
        .output()
        .is_ok_and(|output| output.status.success())
}
