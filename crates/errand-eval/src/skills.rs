//! A skill's own evals (`evals/evals.json` in its folder, the skill-creator format), run
//! through the same runner as the suite: each prompt on a fresh folder holding the eval's
//! files, graded on whether the model used the skill and Errand ended it done with no
//! problems. The written expectations are for the person to read beside the results.
use crate::grade::Graded;
use crate::run::{EvalError, EvalResult, Job, run_job};
use errand_core::Message;
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::time::Duration;

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct SkillEval {
    #[serde(default)]
    pub id: serde_json::Value,
    pub prompt: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_output: Option<String>,
    /// Files (relative to the skill's folder) copied into the task's folder.
    #[serde(default)]
    pub files: Vec<String>,
    #[serde(default)]
    pub expectations: Vec<String>,
}

#[derive(Deserialize)]
struct EvalsFile {
    #[serde(default)]
    evals: Vec<SkillEval>,
}

/// The evals in `skill_dir/evals/evals.json`.
pub fn read_evals(skill_dir: &Path) -> Result<Vec<SkillEval>, EvalError> {
    let path = skill_dir.join("evals").join("evals.json");
    let text = std::fs::read_to_string(&path).map_err(|e| {
        EvalError::Usage(format!(
            "{} cannot be read ({e}); a skill's evals live there as {{\"evals\": [{{\"prompt\": …, \"files\": […], \"expectations\": […]}}]}}",
            path.display()
        ))
    })?;
    let file: EvalsFile = serde_json::from_str(&text)
        .map_err(|e| EvalError::Usage(format!("{} is not valid: {e}", path.display())))?;
    if file.evals.is_empty() {
        return Err(EvalError::Usage(format!(
            "{} lists no evals",
            path.display()
        )));
    }
    for eval in &file.evals {
        for rel in &eval.files {
            if Path::new(rel).is_absolute() || rel.split('/').any(|p| p == "..") {
                return Err(EvalError::Usage(format!(
                    "{}: the file `{rel}` must be a path inside the skill's folder",
                    path.display()
                )));
            }
        }
    }
    Ok(file.evals)
}

/// Runs each eval `repeat` times with `model` (`None`: the configured one).
pub async fn run_skill_evals(
    skill: &str,
    skill_dir: &Path,
    model: Option<String>,
    repeat: usize,
    timeout: Duration,
    mut each: impl FnMut(&EvalResult),
) -> Result<Vec<(SkillEval, EvalResult)>, EvalError> {
    let evals = read_evals(skill_dir)?;
    let mut out = Vec::new();
    for (index, eval) in evals.iter().enumerate() {
        let name = match &eval.id {
            serde_json::Value::Null => format!("{skill}#{}", index + 1),
            serde_json::Value::String(id) => format!("{skill}#{id}"),
            other => format!("{skill}#{other}"),
        };
        let setup = |root: &Path| -> std::io::Result<()> {
            for rel in &eval.files {
                let target = root
                    .join("work")
                    .join(Path::new(rel).file_name().unwrap_or_default());
                std::fs::copy(skill_dir.join(rel), target)?;
            }
            Ok(())
        };
        let grade = |graded: &Graded| used_skill(graded, skill);
        for repeat_index in 0..repeat.max(1) {
            let result = run_job(
                Job {
                    name: &name,
                    outcome: &eval.prompt,
                    folders: crate::tasks::WORK,
                    setup: &setup,
                    grade: &grade,
                    model: model.clone(),
                    approve: true,
                    answer: "Use your best judgement.",
                },
                repeat_index,
                timeout,
            )
            .await?;
            each(&result);
            out.push((eval.clone(), result));
        }
    }
    Ok(out)
}

/// The model loaded the skill (by its full or short name).
fn used_skill(graded: &Graded, skill: &str) -> Result<(), String> {
    let short = skill.rsplit(':').next().unwrap_or(skill);
    let used = graded.view.messages.iter().any(|m| match m {
        Message::Assistant { tool_calls, .. } => tool_calls.iter().any(|c| {
            c.name == "use_skill"
                && c.input
                    .get("name")
                    .and_then(|n| n.as_str())
                    .is_some_and(|n| n == skill || n == short)
        }),
        _ => false,
    });
    if used {
        Ok(())
    } else {
        Err(format!("the model never used the skill {skill}"))
    }
}
