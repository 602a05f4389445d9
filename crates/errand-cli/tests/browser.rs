//! The web workspace in a real browser: Playwright for Python drives Debian's Chromium
//! through `tests/browser/run.py` against this build's `errand serve` (scripted models, no
//! network). `.ci/run` installs both; without them this fails and says how to get them.
use std::process::Command;

#[test]
fn the_workspace_works_in_a_real_browser() {
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/run.py");
    let ready = Command::new("python3")
        .args(["-c", "import playwright.sync_api"])
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        ready && std::path::Path::new("/usr/bin/chromium").exists(),
        "the browser tests need Playwright for Python and Debian's Chromium: \
         pip install playwright && apt-get install chromium (or run .ci/run)"
    );
    let mut command = Command::new("python3");
    command
        .arg(&script)
        .env("ERRAND_BIN", env!("CARGO_BIN_EXE_errand"))
        .env_remove("ERRAND_MODEL")
        .env_remove("ANTHROPIC_API_KEY")
        .env_remove("OPENAI_API_KEY");
    let out = command.output().expect("run the browser tests");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}");
    assert!(
        out.status.success(),
        "browser tests failed:\n{stdout}\n{stderr}"
    );
    // A run that found no tests is a failure of the harness, not a pass.
    assert!(stdout.contains(" passed, 0 failed"), "{stdout}");
}
