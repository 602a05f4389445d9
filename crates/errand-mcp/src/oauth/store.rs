//! Where sign-ins are kept: the desktop keyring when one answers, else a 0600 file.
use rmcp::transport::auth::{AuthError, CredentialStore, StoredCredentials};
use std::path::{Path, PathBuf};

/// What the token file holds when the tokens themselves are in the keyring.
pub(super) const IN_KEYRING: &str = "{\"kept_in\":\"keyring\"}";

/// The tokens of one server: in the keyring when `keyring` names a working `secret-tool`,
/// with the file then saying only that; else in the 0600 file, written whole (temp, rename).
pub struct FileStore {
    path: PathBuf,
    keyring: Option<PathBuf>,
}

impl FileStore {
    /// The store for `path`, using the keyring this machine has (`secret-tool` on PATH),
    /// unless `ERRAND_KEYRING=off`.
    pub fn new(path: PathBuf) -> FileStore {
        let keyring = (std::env::var("ERRAND_KEYRING").as_deref() != Ok("off"))
            .then(|| errand_core::program::find_program("secret-tool"))
            .flatten();
        FileStore { path, keyring }
    }

    /// The store with this keyring program (or none): for tests and other keyrings that
    /// speak `secret-tool`'s command line.
    pub fn with_keyring(path: PathBuf, keyring: Option<PathBuf>) -> FileStore {
        FileStore { path, keyring }
    }

    /// The keyring's attributes for this server: the token file's path names it uniquely.
    fn attributes(&self) -> [String; 4] {
        [
            "application".into(),
            "errand".into(),
            "mcp-tokens".into(),
            self.path.display().to_string(),
        ]
    }

    fn keyring_run(
        &self,
        program: &Path,
        args: &[String],
        input: Option<&[u8]>,
    ) -> Option<Vec<u8>> {
        use std::io::Write;
        let mut child = std::process::Command::new(program)
            .args(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .ok()?;
        // Closing stdin (dropping it) tells `store` the secret is complete.
        if let (Some(mut stdin), Some(input)) = (child.stdin.take(), input) {
            stdin.write_all(input).ok()?;
        }
        let out = child.wait_with_output().ok()?;
        out.status.success().then_some(out.stdout)
    }

    fn write_file(&self, bytes: &[u8]) -> Result<(), AuthError> {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir).map_err(store_error)?;
        }
        let temp = self
            .path
            .with_extension(format!("tmp{}", std::process::id()));
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&temp)
            .map_err(store_error)?;
        file.write_all(bytes)
            .and_then(|()| file.sync_all())
            .and_then(|()| std::fs::rename(&temp, &self.path))
            .map_err(store_error)
    }
}

fn store_error(e: impl std::fmt::Display) -> AuthError {
    AuthError::InternalError(e.to_string())
}

#[async_trait::async_trait]
impl CredentialStore for FileStore {
    async fn load(&self) -> Result<Option<StoredCredentials>, AuthError> {
        let bytes = match std::fs::read(&self.path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(store_error(e)),
        };
        if bytes == IN_KEYRING.as_bytes() {
            let Some(program) = &self.keyring else {
                return Err(store_error(
                    "the sign-in was kept in the keyring, which does not answer now; sign in again with `errand mcp login`",
                ));
            };
            let mut args = vec!["lookup".to_string()];
            args.extend(self.attributes());
            return match self.keyring_run(program, &args, None) {
                Some(secret) => serde_json::from_slice(&secret)
                    .map(Some)
                    .map_err(store_error),
                None => Err(store_error(
                    "the keyring did not give back the sign-in; sign in again with `errand mcp login`",
                )),
            };
        }
        serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(store_error)
    }

    async fn save(&self, credentials: StoredCredentials) -> Result<(), AuthError> {
        let bytes = serde_json::to_vec(&credentials).map_err(store_error)?;
        if let Some(program) = &self.keyring {
            let mut args = vec![
                "store".to_string(),
                "--label".to_string(),
                format!("Errand: sign-in for {}", self.path.display()),
            ];
            args.extend(self.attributes());
            if self.keyring_run(program, &args, Some(&bytes)).is_some() {
                return self.write_file(IN_KEYRING.as_bytes());
            }
            tracing::debug!("the keyring did not take the tokens; keeping them in the 0600 file");
        }
        self.write_file(&bytes)
    }

    async fn clear(&self) -> Result<(), AuthError> {
        if let Some(program) = &self.keyring {
            let mut args = vec!["clear".to_string()];
            args.extend(self.attributes());
            let _ = self.keyring_run(program, &args, None);
        }
        match std::fs::remove_file(&self.path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(store_error(e)),
        }
    }
}
