//! `schedule_task`: "do this every Monday", said inside a task, becomes a schedule in the
//! task's folders with its mode and model. It always asks: work that recurs on its own is
//! the person's decision.
use crate::FolderRequest;
use crate::schedules::{ScheduleRequest, add_schedule_to};
use chrono::{Local, Utc};
use errand_core::tool::Assessment;
use errand_core::{Effect, Grant, Tool, ToolContext, ToolError, ToolOutput, ToolSpec};
use errand_schedule::{Missed, Recurrence};
use errand_store::SqliteStore;
use serde::Deserialize;
use std::sync::Arc;

pub struct ScheduleTask {
    pub store: Arc<SqliteStore>,
    pub grants: Vec<Grant>,
    pub mode: String,
    pub model: String,
    pub project: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Input {
    outcome: String,
    every: Option<String>,
    cron: Option<String>,
    missed: Option<String>,
}

fn parse(input: &serde_json::Value) -> Result<(Input, Recurrence, Missed), ToolError> {
    let input: Input = serde_json::from_value(input.clone()).map_err(|e| {
        ToolError::new(format!(
            "schedule_task takes {{\"outcome\", \"every\" or \"cron\", \"missed\"?}}: {e}"
        ))
    })?;
    let recurrence = match (&input.every, &input.cron) {
        (Some(every), None) => Recurrence::every(every, &Utc::now().with_timezone(&Local)),
        (None, Some(cron)) => Recurrence::cron(cron),
        _ => {
            return Err(ToolError::new(
                "give one of `every` (\"monday 09:00\", \"weekday 08:00\", \"day\", \"1h\") or `cron` (\"0 9 * * 1\")",
            ));
        }
    }
    .map_err(|e| ToolError::new(e.to_string()))?;
    let missed = input
        .missed
        .as_deref()
        .unwrap_or("once")
        .parse::<Missed>()
        .map_err(ToolError::new)?;
    Ok((input, recurrence, missed))
}

#[async_trait::async_trait]
impl Tool for ScheduleTask {
    fn spec(&self) -> ToolSpec {
        ToolSpec {
            name: "schedule_task".into(),
            description: "Make the person's request recur (\"every Monday at 9\"): a task with this outcome runs in the same folders at those times. Always asks the person first.".into(),
            input_schema: serde_json::json!({
                "type": "object",
                "properties": {
                    "outcome": {"type": "string", "description": "what each run should do"},
                    "every": {"type": "string", "description": "\"monday 09:00\", \"weekday 08:00\", \"day 07:30\", \"1h\""},
                    "cron": {"type": "string", "description": "five-field cron in local time, instead of every"},
                    "missed": {"type": "string", "enum": ["once", "skip"], "description": "after downtime: one catch-up run (once, default) or none"}
                },
                "required": ["outcome"],
                "additionalProperties": false
            }),
        }
    }

    fn effect(&self) -> Effect {
        Effect::Write
    }

    fn assess(
        &self,
        _ctx: &ToolContext,
        input: &serde_json::Value,
    ) -> Result<Assessment, ToolError> {
        let (input, recurrence, _) = parse(input)?;
        let folders: Vec<&str> = self.grants.iter().map(|g| g.name.as_str()).collect();
        Ok(Assessment {
            summary: format!(
                "schedule “{}” {} in {}",
                input.outcome.trim(),
                recurrence.describe(),
                folders.join(", ")
            ),
            preview: vec![format!("mode {}, model {}", self.mode, self.model)],
            subjects: self
                .grants
                .iter()
                .map(|g| g.path.display().to_string())
                .collect(),
            always_ask: Some("making a recurring task always asks".into()),
            no_lease: true,
            ..Assessment::default()
        })
    }

    async fn call(
        &self,
        _ctx: &ToolContext,
        input: serde_json::Value,
    ) -> Result<ToolOutput, ToolError> {
        let (input, _, missed) = parse(&input)?;
        let made = add_schedule_to(
            &self.store,
            ScheduleRequest {
                outcome: input.outcome,
                folders: self
                    .grants
                    .iter()
                    .map(|g| FolderRequest {
                        path: g.path.clone(),
                        writable: g.writable,
                    })
                    .collect(),
                mode: Some(self.mode.clone()),
                model: Some(self.model.clone()),
                cron: input.cron,
                every: input.every,
                missed,
                project: self.project.clone(),
            },
        )
        .map_err(|e| ToolError::new(e.to_string()))?;
        let next = made
            .next_run(&Local)
            .map(|t| {
                t.with_timezone(&Local)
                    .format("%a %Y-%m-%d %H:%M")
                    .to_string()
            })
            .unwrap_or_else(|| "none".into());
        Ok(ToolOutput::text(format!(
            "Scheduled {} ({}); next run {next}. It runs while `errand serve` runs; `errand daemon install` keeps that running.",
            made.id,
            made.recurrence.describe()
        )))
    }
}
