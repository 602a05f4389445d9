//! Marketplaces: `.claude-plugin/marketplace.json`, a named list of plugins and where each
//! comes from — a path beside the file, a git repository (`url`), a folder in one
//! (`git-subdir`), or a GitHub repository (`github`).
use crate::SkillsError;
use serde::Serialize;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

#[derive(Debug, Clone, Serialize)]
pub struct Marketplace {
    pub name: String,
    /// The folder holding `.claude-plugin/marketplace.json`.
    pub root: PathBuf,
    pub plugins: Vec<Listing>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Listing {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    pub source: Source,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Source {
    /// A folder relative to the marketplace.
    Path { path: String },
    /// A whole git repository.
    Git {
        url: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        reference: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        sha: Option<String>,
    },
    /// A folder inside a git repository.
    GitSubdir {
        url: String,
        path: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        reference: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        sha: Option<String>,
    },
    /// A source kind Errand does not fetch (npm, pip…), kept to be named in the error.
    Unsupported { what: String },
}

impl Source {
    /// One line for listings: `./finance`, `git https://… @sha`.
    pub fn describe(&self) -> String {
        match self {
            Source::Path { path } => path.clone(),
            Source::Git { url, sha, .. } => match sha {
                Some(sha) => format!("git {url} @{}", short(sha)),
                None => format!("git {url}"),
            },
            Source::GitSubdir { url, path, sha, .. } => match sha {
                Some(sha) => format!("git {url} /{path} @{}", short(sha)),
                None => format!("git {url} /{path}"),
            },
            Source::Unsupported { what } => what.clone(),
        }
    }
}

fn short(sha: &str) -> &str {
    sha.get(..12).unwrap_or(sha)
}

/// The marketplace file in `root` (a folder, or the marketplace.json itself).
pub fn marketplace_file(root: &Path) -> PathBuf {
    if root.is_file() {
        root.to_path_buf()
    } else {
        root.join(".claude-plugin").join("marketplace.json")
    }
}

impl Marketplace {
    pub fn load(root: &Path) -> Result<Marketplace, SkillsError> {
        let file = marketplace_file(root);
        let text = std::fs::read_to_string(&file).map_err(|e| {
            SkillsError::Invalid(format!(
                "cannot read {}: {e}; a marketplace is a folder with .claude-plugin/marketplace.json",
                file.display()
            ))
        })?;
        let value: Value = serde_json::from_str(&text).map_err(|e| {
            SkillsError::Invalid(format!("{} is not valid JSON: {e}", file.display()))
        })?;
        let name = value
            .get("name")
            .and_then(Value::as_str)
            .filter(|n| !n.trim().is_empty())
            .ok_or_else(|| SkillsError::Invalid(format!("{}: `name` is missing", file.display())))?
            .to_string();
        let plugin_root = value
            .pointer("/metadata/pluginRoot")
            .and_then(Value::as_str)
            .map(str::to_string);
        let mut plugins = Vec::new();
        for entry in value
            .get("plugins")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let Some(plugin_name) = entry.get("name").and_then(Value::as_str) else {
                continue;
            };
            let source = parse_source(entry.get("source"), plugin_root.as_deref());
            plugins.push(Listing {
                name: plugin_name.to_string(),
                description: entry
                    .get("description")
                    .and_then(Value::as_str)
                    .map(str::to_string),
                version: entry
                    .get("version")
                    .and_then(Value::as_str)
                    .map(str::to_string),
                source,
            });
        }
        // The folder holding `.claude-plugin/`: relative sources start there.
        let root = file
            .parent()
            .and_then(Path::parent)
            .map(Path::to_path_buf)
            .unwrap_or_else(|| root.to_path_buf());
        Ok(Marketplace {
            name,
            root,
            plugins,
        })
    }

    pub fn listing(&self, plugin: &str) -> Result<&Listing, SkillsError> {
        self.plugins.iter().find(|p| p.name == plugin).ok_or_else(|| {
            SkillsError::NotFound(format!(
                "the marketplace `{}` has no plugin `{plugin}`; `errand plugins marketplace list {}` shows its {} plugins",
                self.name,
                self.name,
                self.plugins.len()
            ))
        })
    }
}

fn parse_source(value: Option<&Value>, plugin_root: Option<&str>) -> Source {
    let text = |v: &Value, key: &str| v.get(key).and_then(Value::as_str).map(str::to_string);
    match value {
        Some(Value::String(path)) => {
            let path = match plugin_root {
                Some(prefix) if !path.starts_with("./") && !path.starts_with('/') => {
                    format!("{}/{path}", prefix.trim_end_matches('/'))
                }
                _ => path.clone(),
            };
            Source::Path { path }
        }
        Some(v @ Value::Object(_)) => {
            let reference = text(v, "ref");
            let sha = text(v, "sha");
            match text(v, "source").as_deref() {
                Some("url") | Some("git") => match text(v, "url") {
                    Some(url) => Source::Git {
                        url,
                        reference,
                        sha,
                    },
                    None => Source::Unsupported {
                        what: "a url source without `url`".into(),
                    },
                },
                Some("github") => match text(v, "repo") {
                    Some(repo) => Source::Git {
                        url: format!("https://github.com/{repo}.git"),
                        reference,
                        sha,
                    },
                    None => Source::Unsupported {
                        what: "a github source without `repo`".into(),
                    },
                },
                Some("git-subdir") => match (text(v, "url"), text(v, "path")) {
                    (Some(url), Some(path)) => Source::GitSubdir {
                        url,
                        path,
                        reference,
                        sha,
                    },
                    _ => Source::Unsupported {
                        what: "a git-subdir source without `url` and `path`".into(),
                    },
                },
                Some(other) => Source::Unsupported {
                    what: format!("a `{other}` source"),
                },
                None => Source::Unsupported {
                    what: "a source without `source`".into(),
                },
            }
        }
        _ => Source::Unsupported {
            what: "no source".into(),
        },
    }
}

/// Clones `url` into `dest` with the `git` binary, at `reference` and then `sha` when given;
/// returns the commit checked out.
pub fn git_fetch(
    url: &str,
    reference: Option<&str>,
    sha: Option<&str>,
    dest: &Path,
) -> Result<String, SkillsError> {
    let mut clone = Command::new("git");
    clone.args(["clone", "--quiet"]);
    if sha.is_none() {
        clone.args(["--depth", "1"]);
    }
    if let Some(reference) = reference.filter(|_| sha.is_none()) {
        clone.args(["--branch", reference]);
    }
    clone.arg(url).arg(dest);
    git(clone, &format!("cannot fetch {url}"))?;
    if let Some(sha) = sha {
        let mut checkout = Command::new("git");
        checkout
            .arg("-C")
            .arg(dest)
            .args(["checkout", "--quiet", "--detach", sha]);
        git(checkout, &format!("{url} has no commit {sha}"))?;
    }
    let mut head = Command::new("git");
    head.arg("-C").arg(dest).args(["rev-parse", "HEAD"]);
    git(head, "cannot read the commit fetched")
}

fn git(mut command: Command, what: &str) -> Result<String, SkillsError> {
    command.env("GIT_TERMINAL_PROMPT", "0");
    let output = command.output().map_err(|e| {
        SkillsError::Invalid(format!(
            "{what}: the `git` program could not be run ({e}); install git"
        ))
    })?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let said = stderr
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("no message")
            .trim();
        return Err(SkillsError::Fetch(format!("{what}: git said \"{said}\"")));
    }
    Ok(String::from_utf8_lossy(&output.stdout).trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_source_shape() {
        assert_eq!(
            parse_source(Some(&json!("./finance")), None),
            Source::Path {
                path: "./finance".into()
            }
        );
        assert_eq!(
            parse_source(Some(&json!("finance")), Some("./plugins")),
            Source::Path {
                path: "./plugins/finance".into()
            }
        );
        let git = parse_source(
            Some(&json!({"source": "url", "url": "https://x/y.git", "sha": "abc"})),
            None,
        );
        assert!(git.describe().starts_with("git https://x/y.git @abc"));
        let sub = parse_source(
            Some(&json!({"source": "git-subdir", "url": "u", "path": "plugins/p", "ref": "main"})),
            None,
        );
        assert_eq!(sub.describe(), "git u /plugins/p");
        assert!(matches!(
            parse_source(Some(&json!({"source": "npm", "package": "x"})), None),
            Source::Unsupported { .. }
        ));
    }
}
