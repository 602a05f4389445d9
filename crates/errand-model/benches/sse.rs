//! Streaming parser throughput: a long recorded turn (text and a large tool input in small
//! deltas, as models stream them) decoded by Errand's SSE parser and assembler, against a
//! baseline that only JSON-decodes each `data:` line of the same bytes.
//!
//! `cargo bench -p errand-model --bench sse`
use errand_testkit::wire::{Block, TurnUsage, anthropic_turn, openai_turn};
use std::hint::black_box;
use std::time::{Duration, Instant};

const RUNS: usize = 7;
/// Network reads arrive in pieces about this size.
const PIECE: usize = 16 * 1024;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn time(mut f: impl FnMut()) -> Duration {
    median(
        (0..RUNS)
            .map(|_| {
                let start = Instant::now();
                f();
                start.elapsed()
            })
            .collect(),
    )
}

/// Decodes every `data:` payload as JSON and nothing more.
fn json_only(stream: &[u8]) -> usize {
    let text = std::str::from_utf8(stream).unwrap_or_default();
    text.lines()
        .filter_map(|l| l.strip_prefix("data: "))
        .filter(|d| *d != "[DONE]")
        .filter_map(|d| serde_json::from_str::<serde_json::Value>(d).ok())
        .count()
}

fn main() {
    let prose =
        "The quarterly figures show steady growth in every region we serve. ".repeat(16_000);
    let rows: Vec<serde_json::Value> = (0..6_000)
        .map(|i| serde_json::json!({"from": format!("inbox/scan_{i:05}.pdf"), "to": format!("Receipts/2026/{:02}/scan_{i:05}.pdf", i % 12 + 1)}))
        .collect();
    let input = serde_json::json!({ "moves": rows });
    let blocks = [
        Block::text(&prose),
        Block::tool("toolu_bench", "move_path", &input),
    ];
    println!("SSE decoding, median of {RUNS} runs, fed in {PIECE}-byte pieces:");
    for (name, stream) in [
        (
            "anthropic",
            anthropic_turn("msg_bench", &blocks, TurnUsage::default()),
        ),
        (
            "openai",
            openai_turn("chatcmpl-bench", &blocks, TurnUsage::default()),
        ),
    ] {
        let bytes = stream.as_bytes();
        let decode = |b: &[u8]| match name {
            "anthropic" => errand_model::anthropic::decode_recorded(b, PIECE),
            _ => errand_model::openai::decode_recorded(b, PIECE),
        };
        let check = decode(bytes).expect("the stream decodes");
        assert_eq!(check.text.len(), prose.len());
        assert_eq!(check.tool_calls.len(), 1);
        assert_eq!(check.tool_calls[0].input, input);
        let events = json_only(bytes);
        let errand = time(|| {
            black_box(decode(black_box(bytes)).ok());
        });
        let baseline = time(|| {
            black_box(json_only(black_box(bytes)));
        });
        let mb = bytes.len() as f64 / 1e6;
        println!(
            "  {name:9} {mb:6.1} MB, {events} events: errand {:7.1} MB/s ({:?}); JSON-only baseline {:7.1} MB/s ({:?}); errand/baseline time {:.2}x",
            mb / errand.as_secs_f64(),
            errand,
            mb / baseline.as_secs_f64(),
            baseline,
            errand.as_secs_f64() / baseline.as_secs_f64()
        );
    }
}
