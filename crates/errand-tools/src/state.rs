//! Tools that change the task, not the files: update_plan and finish.
use async_trait::async_trait;
use errand_core::tool::input_schema;
use errand_core::tool::{Assessment, parse_input};
use errand_core::{
    Effect, EventKind, PlanStep, StepStatus, Tool, ToolContext, ToolError, ToolOutput,
    ToolRegistry, ToolSpec,
};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;
use std::sync::Arc;

pub fn register(registry: &mut ToolRegistry) {
    registry.register(Arc::new(UpdatePlan));
    registry.register(Arc::new(Finish));
}

struct UpdatePlan;

#[derive(Deserialize, JsonSchema)]
#[serde(untagged)]
enum StepInput {
    Title(String),
    Step(PlanStep),
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct PlanInput {
    steps: Vec<StepInput>,
}

fn steps(input: &Value) -> Result<Vec<PlanStep>, ToolError> {
    let i: PlanInput = parse_input("update_plan", input)?;
    if i.steps.is_empty() {
        return Err(ToolError::new("update_plan needs at least one step"));
    }
    Ok(i.steps
        .into_iter()
        .map(|s| match s {
            StepInput::Title(title) => PlanStep {
                title,
                status: StepStatus::Pending,
            },
            StepInput::Step(step) => step,
        })
        .collect())
}

pub fn checklist(steps: &[PlanStep]) -> Vec<String> {
    steps
        .iter()
        .map(|s| {
            let mark = match s.status {
                StepStatus::Pending => "[ ]",
                StepStatus::InProgress => "[>]",
                StepStatus::Done => "[x]",
                StepStatus::Skipped => "[-]",
            };
            format!("{mark} {}", s.title)
        })
        .collect()
}

#[async_trait]
impl Tool for UpdatePlan {
    fn spec(&self) -> ToolSpec {
        ToolSpec {
            name: "update_plan".into(),
            description: "Set the visible checklist. Each step: {title, status: pending|in_progress|done|skipped}.".into(),
            input_schema: input_schema::<PlanInput>(),
        }
    }
    fn effect(&self) -> Effect {
        Effect::State
    }
    fn assess(&self, _ctx: &ToolContext, input: &Value) -> Result<Assessment, ToolError> {
        let steps = steps(input)?;
        Ok(Assessment {
            summary: format!("approve this plan ({} steps)", steps.len()),
            preview: checklist(&steps),
            ..Assessment::default()
        })
    }
    async fn call(&self, _ctx: &ToolContext, input: Value) -> Result<ToolOutput, ToolError> {
        let steps = steps(&input)?;
        Ok(ToolOutput {
            content: format!("plan updated ({} steps)", steps.len()),
            events: vec![EventKind::PlanUpdated { steps }],
            ..ToolOutput::default()
        })
    }
}

struct Finish;

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct FinishInput {
    summary: String,
    #[serde(default)]
    deliverables: Vec<String>,
}

#[async_trait]
impl Tool for Finish {
    fn spec(&self) -> ToolSpec {
        ToolSpec {
            name: "finish".into(),
            description:
                "End the task: a short summary for the person and the paths of the deliverables."
                    .into(),
            input_schema: input_schema::<FinishInput>(),
        }
    }
    fn effect(&self) -> Effect {
        Effect::State
    }
    fn assess(&self, _ctx: &ToolContext, input: &Value) -> Result<Assessment, ToolError> {
        let i: FinishInput = parse_input("finish", input)?;
        Ok(Assessment {
            summary: format!("finish: {}", i.summary),
            ..Assessment::default()
        })
    }
    async fn call(&self, _ctx: &ToolContext, input: Value) -> Result<ToolOutput, ToolError> {
        let i: FinishInput = parse_input("finish", &input)?;
        Ok(ToolOutput {
            content: "task finished".into(),
            events: vec![EventKind::Finished {
                summary: i.summary,
                deliverables: i.deliverables,
                without_finish: false,
            }],
            ..ToolOutput::default()
        })
    }
}
