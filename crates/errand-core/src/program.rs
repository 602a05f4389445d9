//! Finding a helper program the way a shell would: the first regular file of that name in a
//! `PATH` directory. Errand calls several (Tesseract, pdftoppm, notify-send, secret-tool, an
//! editor, MCP servers) and says how to install the missing ones.
use std::path::PathBuf;

/// The program's path, when it is installed.
pub fn find_program(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}
