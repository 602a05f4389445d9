//! Research that cites: every web address a deliverable cites must be one the task
//! fetched (or one the person gave it, in the request or their files). A brief that links a
//! page nobody opened is a claim nobody checked, and a model that invents sources is the
//! failure people fear most from research.
use errand_core::{EventKind, Store, TaskView};
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// The tools whose results hold addresses the person gave or the task opened.
const SOURCES: &[&str] = &["read_file", "search_files", "web_fetch"];
/// Tools that reach the web: without them the task did no research to check.
const WEB_TOOLS: &[&str] = &["web_fetch", "web_search"];

/// Addresses fetched, and addresses the person's own text holds.
struct Known {
    fetched: HashSet<String>,
    given: HashSet<String>,
    searched_the_web: bool,
}

fn known(store: &dyn Store, view: &TaskView) -> Known {
    let mut known = Known {
        fetched: HashSet::new(),
        given: addresses_in(&view.outcome).into_iter().collect(),
        searched_the_web: false,
    };
    let Ok(events) = store.events(&view.id) else {
        return known;
    };
    let mut inputs: HashMap<String, (String, serde_json::Value)> = HashMap::new();
    for event in events {
        match event.kind {
            EventKind::ModelTurn { tool_calls, .. } => {
                for call in tool_calls {
                    known.searched_the_web |= WEB_TOOLS.contains(&call.name.as_str());
                    inputs.insert(call.id, (call.name, call.input));
                }
            }
            EventKind::ToolFinished {
                call_id,
                tool,
                output,
                is_error: false,
                ..
            } if SOURCES.contains(&tool.as_str()) => {
                if tool == "web_fetch" {
                    if let Some(url) = inputs
                        .get(&call_id)
                        .and_then(|(_, input)| input["url"].as_str())
                    {
                        known.fetched.insert(normalized(url));
                    }
                    // The page's own address after redirects, as the result's header says.
                    for url in errand_web::urls_in_result(&output) {
                        known.fetched.insert(normalized(url.trim()));
                    }
                } else {
                    known.given.extend(addresses_in(&output));
                }
            }
            _ => {}
        }
    }
    known
}

/// Each address a written file cites that the task neither fetched nor was given.
pub(super) fn unfetched_citations(
    store: &dyn Store,
    view: &TaskView,
    files: &[(String, String)],
) -> Vec<String> {
    let known = known(store, view);
    if !known.searched_the_web {
        return Vec::new();
    }
    let mut problems = Vec::new();
    for (path, text) in files {
        let mut reported = HashSet::new();
        for cited in addresses_in(text) {
            if known.fetched.contains(&cited) || known.given.contains(&cited) {
                continue;
            }
            if reported.insert(cited.clone()) && reported.len() <= 5 {
                problems.push(format!(
                    "`{path}` cites {cited}, which this task never fetched: fetch it with web_fetch and check what it is cited for, or take the citation out"
                ));
            }
        }
    }
    problems
}

/// Whether the check reads this file's text for addresses.
pub(super) fn cites_in(path: &str) -> bool {
    let ext = Path::new(path)
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default()
        .to_ascii_lowercase();
    matches!(
        ext.as_str(),
        "md" | "markdown" | "txt" | "html" | "htm" | "docx" | "pptx" | "pdf"
    )
}

/// Every http(s) address in the text, normalized: as written in prose, Markdown links and
/// angle brackets, without the punctuation that ends a sentence.
pub(super) fn addresses_in(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(at) = find_scheme(rest) {
        let tail = &rest[at..];
        let end = tail
            .find(|c: char| {
                c.is_whitespace() || matches!(c, '<' | '>' | '"' | '\'' | ')' | ']' | '`' | '|')
            })
            .unwrap_or(tail.len());
        let url = tail[..end].trim_end_matches(['.', ',', ';', ':', '!', '?', '*', '_']);
        if url.len() > "https://".len() {
            found.push(normalized(url));
        }
        rest = &tail[end..];
    }
    found
}

fn find_scheme(text: &str) -> Option<usize> {
    let lower = text.to_ascii_lowercase();
    match (lower.find("https://"), lower.find("http://")) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// The same page however it is written: scheme and host in lower case, no fragment, no
/// trailing slash.
fn normalized(url: &str) -> String {
    let url = url.split('#').next().unwrap_or(url);
    let (scheme, rest) = url.split_once("://").unwrap_or(("http", url));
    let (host, path) = match rest.find('/') {
        Some(slash) => (&rest[..slash], &rest[slash..]),
        None => (rest, ""),
    };
    let path = path.trim_end_matches('/');
    format!(
        "{}://{}{}",
        scheme.to_ascii_lowercase(),
        host.to_ascii_lowercase(),
        path
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_found_as_people_write_them() {
        let text = "See [the report](https://Example.org/report/) and <http://a.example/x#part>.\n\
                    Source: https://b.example/page?id=2, retrieved today. Not a link: http:// alone.";
        assert_eq!(
            addresses_in(text),
            vec![
                "https://example.org/report",
                "http://a.example/x",
                "https://b.example/page?id=2"
            ]
        );
    }
}
