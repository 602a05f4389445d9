//! Who decides what needs approval: the policy, from the tool's declared effect, the mode and
//! the person's rules; never the model.
use crate::grant::Mode;
use crate::task::TaskView;
use crate::tool::{Assessment, Effect};
use globset::{GlobBuilder, GlobMatcher};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Allow,
    Ask(String),
    Deny(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleAction {
    Allow,
    Ask,
    Deny,
}

/// `tool` or `tool(pattern)`, e.g. `write_file(reports/**)`, `run_command(git status*)`.
#[derive(Debug, Clone)]
pub struct Rule {
    pub action: RuleAction,
    pub source: String,
    tool: GlobMatcher,
    pattern: Option<GlobMatcher>,
}

impl Rule {
    pub fn parse(action: RuleAction, text: &str) -> Result<Rule, String> {
        let text = text.trim();
        let (tool, pattern) = match text.find('(') {
            Some(open) => {
                let Some(inner) = text[open + 1..].strip_suffix(')') else {
                    return Err(format!("rule `{text}`: missing `)` at the end"));
                };
                (&text[..open], Some(inner))
            }
            None => (text, None),
        };
        if tool.is_empty() {
            return Err(format!("rule `{text}`: no tool name before `(`"));
        }
        let glob = |p: &str| {
            GlobBuilder::new(p)
                .literal_separator(false)
                .build()
                .map(|g| g.compile_matcher())
                .map_err(|e| format!("rule `{text}`: {e}"))
        };
        Ok(Rule {
            action,
            source: text.to_string(),
            tool: glob(tool)?,
            pattern: pattern.map(glob).transpose()?,
        })
    }

    fn matches_tool(&self, tool: &str) -> bool {
        self.tool.is_match(tool)
    }

    fn matches_any(&self, subjects: &[String]) -> bool {
        match &self.pattern {
            None => true,
            Some(p) => subjects.iter().any(|s| p.is_match(s)),
        }
    }

    fn matches_all(&self, subjects: &[String]) -> bool {
        match &self.pattern {
            None => true,
            Some(p) => !subjects.is_empty() && subjects.iter().all(|s| p.is_match(s)),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Policy {
    pub mode: Mode,
    pub rules: Vec<Rule>,
}

impl Policy {
    pub fn new(mode: Mode, rules: Vec<Rule>) -> Self {
        Policy { mode, rules }
    }

    pub fn decide(
        &self,
        tool: &str,
        effect: Effect,
        assessment: &Assessment,
        view: &TaskView,
    ) -> Decision {
        let rules = || self.rules.iter().filter(|r| r.matches_tool(tool));
        // Deny wins over everything, including the mode.
        if let Some(rule) =
            rules().find(|r| r.action == RuleAction::Deny && r.matches_any(&assessment.subjects))
        {
            return Decision::Deny(format!("denied by the rule `{}`", rule.source));
        }
        let acts = matches!(effect, Effect::Write | Effect::Delete | Effect::Exec);
        if self.mode == Mode::Plan && acts {
            return Decision::Deny(
                "this task is in plan mode, which is read-only; describe the change in the plan instead"
                    .into(),
            );
        }
        if effect == Effect::Delete {
            return Decision::Ask("deletes always ask".into());
        }
        if let Some(why) = &assessment.always_ask {
            return Decision::Ask(why.clone());
        }
        if let Some(rule) =
            rules().find(|r| r.action == RuleAction::Ask && r.matches_any(&assessment.subjects))
        {
            return Decision::Ask(format!("the rule `{}` asks", rule.source));
        }
        if rules().any(|r| r.action == RuleAction::Allow && r.matches_all(&assessment.subjects)) {
            return Decision::Allow;
        }
        if effect == Effect::Network {
            return network(&assessment.subjects, view);
        }
        if view.always_allowed.contains(tool) {
            return Decision::Allow;
        }
        match self.mode {
            Mode::Ask if acts => Decision::Ask("ask mode approves each change".into()),
            Mode::Ask if tool == "update_plan" && !view.plan_approved => {
                Decision::Ask("ask mode approves the plan first".into())
            }
            Mode::Auto if acts && assessment.replaces_existing => {
                Decision::Ask("this replaces a file the task did not create".into())
            }
            _ => Decision::Allow,
        }
    }
}

/// A network call goes ahead when the task's grant covers its host, whatever the mode
/// (plan mode too: it reads); any other host asks, in auto mode as well. "Always" for the
/// tool does not open every host: a page could steer the model anywhere.
fn network(subjects: &[String], view: &TaskView) -> Decision {
    let Some(target) = subjects.first() else {
        return Decision::Ask("a network call that names no host".into());
    };
    let (host, port) = crate::grant::split_host_port(target);
    if view.commands.network.covers(&host, port) {
        Decision::Allow
    } else {
        Decision::Ask(format!("{target} is a site this task was not given"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assess(subjects: &[&str], replaces: bool) -> Assessment {
        Assessment {
            subjects: subjects.iter().map(|s| s.to_string()).collect(),
            replaces_existing: replaces,
            ..Assessment::default()
        }
    }

    #[test]
    fn deletes_ask_in_every_mode_even_with_an_allow_rule() {
        let allow = Rule::parse(RuleAction::Allow, "trash_path").expect("rule");
        for mode in [Mode::Ask, Mode::Auto] {
            let policy = Policy::new(mode, vec![allow.clone()]);
            let d = policy.decide(
                "trash_path",
                Effect::Delete,
                &assess(&["a"], false),
                &TaskView::default(),
            );
            assert!(matches!(d, Decision::Ask(_)), "{mode}: {d:?}");
        }
        let plan = Policy::new(Mode::Plan, vec![]);
        let d = plan.decide(
            "trash_path",
            Effect::Delete,
            &assess(&["a"], false),
            &TaskView::default(),
        );
        assert!(matches!(d, Decision::Deny(_)));
    }

    #[test]
    fn deny_wins_over_allow() {
        let rules = vec![
            Rule::parse(RuleAction::Allow, "write_file").expect("rule"),
            Rule::parse(RuleAction::Deny, "write_file(secrets/**)").expect("rule"),
        ];
        let policy = Policy::new(Mode::Auto, rules);
        let view = TaskView::default();
        assert!(matches!(
            policy.decide(
                "write_file",
                Effect::Write,
                &assess(&["secrets/a.txt"], false),
                &view
            ),
            Decision::Deny(_)
        ));
        assert_eq!(
            policy.decide(
                "write_file",
                Effect::Write,
                &assess(&["notes/a.txt"], false),
                &view
            ),
            Decision::Allow
        );
    }

    #[test]
    fn modes_decide_writes_and_reads() {
        let view = TaskView::default();
        let ask = Policy::new(Mode::Ask, vec![]);
        assert!(matches!(
            ask.decide("move_path", Effect::Write, &assess(&["a"], false), &view),
            Decision::Ask(_)
        ));
        assert_eq!(
            ask.decide("read_file", Effect::Read, &assess(&["a"], false), &view),
            Decision::Allow
        );
        assert!(matches!(
            ask.decide("update_plan", Effect::State, &assess(&[], false), &view),
            Decision::Ask(_)
        ));
        let auto = Policy::new(Mode::Auto, vec![]);
        assert_eq!(
            auto.decide("move_path", Effect::Write, &assess(&["a"], false), &view),
            Decision::Allow
        );
        assert!(matches!(
            auto.decide("write_file", Effect::Write, &assess(&["a"], true), &view),
            Decision::Ask(_)
        ));
        let plan = Policy::new(Mode::Plan, vec![]);
        assert!(matches!(
            plan.decide("write_file", Effect::Write, &assess(&["a"], false), &view),
            Decision::Deny(_)
        ));
    }

    #[test]
    fn command_prefix_rules_and_bad_rules() {
        let rule = Rule::parse(RuleAction::Allow, "run_command(git status*)").expect("rule");
        let policy = Policy::new(Mode::Ask, vec![rule]);
        let view = TaskView::default();
        assert_eq!(
            policy.decide(
                "run_command",
                Effect::Exec,
                &assess(&["git status --short"], false),
                &view
            ),
            Decision::Allow
        );
        assert!(matches!(
            policy.decide(
                "run_command",
                Effect::Exec,
                &assess(&["git push"], false),
                &view
            ),
            Decision::Ask(_)
        ));
        assert!(Rule::parse(RuleAction::Allow, "run_command(git").is_err());
        assert!(Rule::parse(RuleAction::Allow, "(x)").is_err());
    }

    #[test]
    fn network_reads_follow_the_grant_then_rules_and_ask_otherwise() {
        let mut view = TaskView::default();
        view.commands.network =
            crate::Network::Hosts(vec!["docs.rs".into(), "*.example.com".into()]);
        let fetch = |policy: &Policy, host: &str, view: &TaskView| {
            policy.decide("web_fetch", Effect::Network, &assess(&[host], false), view)
        };
        for mode in [Mode::Ask, Mode::Auto, Mode::Plan] {
            let policy = Policy::new(mode, vec![]);
            assert_eq!(fetch(&policy, "docs.rs", &view), Decision::Allow, "{mode}");
            assert_eq!(
                fetch(&policy, "a.example.com", &view),
                Decision::Allow,
                "{mode}"
            );
            assert_eq!(
                fetch(&policy, "evil.test", &view),
                Decision::Ask("evil.test is a site this task was not given".into()),
                "{mode}"
            );
        }
        // An allow rule stands in for a grant; deny wins over the grant.
        let rules = vec![
            Rule::parse(RuleAction::Allow, "web_fetch(*.rust-lang.org)").expect("rule"),
            Rule::parse(RuleAction::Deny, "web_fetch(docs.rs)").expect("rule"),
        ];
        let policy = Policy::new(Mode::Auto, rules);
        assert_eq!(fetch(&policy, "blog.rust-lang.org", &view), Decision::Allow);
        assert!(matches!(
            fetch(&policy, "docs.rs", &view),
            Decision::Deny(_)
        ));
        // A grant with a port covers that port only; "always" for the tool opens nothing.
        view.commands.network = crate::Network::Hosts(vec!["127.0.0.1:8080".into()]);
        view.always_allowed.insert("web_fetch".into());
        let policy = Policy::new(Mode::Auto, vec![]);
        assert_eq!(fetch(&policy, "127.0.0.1:8080", &view), Decision::Allow);
        assert!(matches!(
            fetch(&policy, "127.0.0.1:9090", &view),
            Decision::Ask(_)
        ));
        view.commands.network = crate::Network::All;
        assert_eq!(fetch(&policy, "anywhere.test", &view), Decision::Allow);
    }
}
