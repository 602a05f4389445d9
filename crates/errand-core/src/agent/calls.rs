//! Tool calls as the model sent them, made safe to run: unique ids, no empty optionals.
use crate::model::ToolCall;
use crate::task::TaskView;

/// Removes optional fields sent as `""` or `null`: small models fill every field of a
/// schema, and an empty `sheet` or `range` means "not given", not "this sheet".
pub(crate) fn drop_empty_optionals(schema: &serde_json::Value, input: &mut serde_json::Value) {
    let Some(fields) = input.as_object_mut() else {
        return;
    };
    let required: Vec<&str> = schema
        .get("required")
        .and_then(|r| r.as_array())
        .map(|r| r.iter().filter_map(|v| v.as_str()).collect())
        .unwrap_or_default();
    fields.retain(|name, value| {
        required.contains(&name.as_str()) || !(value.is_null() || value.as_str() == Some(""))
    });
}

/// Gives every call an id no earlier call of the task had. Approvals and the journal are
/// keyed by call id, so a reused id must never inherit an earlier call's approval.
pub(crate) fn unique_ids(view: &TaskView, calls: Vec<ToolCall>) -> Vec<ToolCall> {
    let mut seen = view.call_ids.clone();
    let turn = view.model_turns;
    // A sub-agent's ids carry its own, so they never meet its siblings' or its parent's in
    // the journal, which is keyed by call id.
    let prefix = view
        .agent
        .as_ref()
        .map(|a| format!("{a}:"))
        .unwrap_or_default();
    calls
        .into_iter()
        .enumerate()
        .map(|(i, mut call)| {
            if !call.id.is_empty() && !call.id.starts_with(&prefix) {
                call.id = format!("{prefix}{}", call.id);
            }
            let mut attempt = 0;
            while call.id.is_empty() || seen.contains(&call.id) {
                call.id = match attempt {
                    0 => format!("{prefix}call_{turn}_{i}"),
                    n => format!("{prefix}call_{turn}_{i}_{n}"),
                };
                attempt += 1;
            }
            seen.insert(call.id.clone());
            call
        })
        .collect()
}
