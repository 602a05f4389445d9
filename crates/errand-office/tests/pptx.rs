//! A deck Errand writes opens in python-pptx with the shapes each slide kind should have,
//! converts with LibreOffice and renders one page per slide, reads back with its text and
//! notes, and keeps every text inside its box.
use errand_office::OfficeError;
use errand_office::fonts::{self, Style};
use errand_office::media::{Image, ImageSource, NoImages};
use errand_office::pptx::{PresentationSpec, build};
use quick_xml::events::Event;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

/// Pictures by path, for image slides.
struct Pictures(HashMap<String, Image>);

impl ImageSource for Pictures {
    fn image(&self, path: &str) -> Result<Image, OfficeError> {
        self.0
            .get(path)
            .cloned()
            .ok_or_else(|| OfficeError::Spec(format!("{path}: no such file")))
    }
}

/// A picture to show: a pie chart rendered to PNG, as a stand-in photo.
fn pictures() -> Pictures {
    let chart: errand_office::chart::Chart = serde_json::from_value(json!({
        "type": "pie", "title": "Site survey", "categories": ["North", "South", "East"],
        "series": [{"name": "Area", "values": [40, 35, 25]}]
    }))
    .expect("chart");
    let png = errand_office::chart::png(&chart).expect("png");
    Pictures(HashMap::from([("photos/site.png".to_string(), png)]))
}

fn spec(value: Value) -> PresentationSpec {
    serde_json::from_value(value).expect("spec")
}

/// One slide of every kind, each with notes.
fn every_kind() -> PresentationSpec {
    spec(every_kind_json())
}

/// What python-pptx sees: per slide its layout, title, shapes and notes.
fn python_pptx(file: &Path) -> Value {
    const SCRIPT: &str = r#"
import sys, json
from pptx import Presentation
p = Presentation(sys.argv[1])
out = {"width": p.slide_width, "height": p.slide_height, "slides": []}
for s in p.slides:
    shapes = []
    for sh in s.shapes:
        d = {"name": sh.name, "type": sh.shape_type.name if sh.shape_type is not None else None}
        if sh.is_placeholder:
            d["placeholder"] = sh.placeholder_format.type.name
        if sh.has_text_frame:
            d["text"] = sh.text_frame.text
        if getattr(sh, "has_table", False) and sh.has_table:
            d["table"] = [[c.text for c in r.cells] for r in sh.table.rows]
        if sh.shape_type is not None and sh.shape_type.name == "PICTURE":
            d["image"] = sh.image.content_type
        shapes.append(d)
    out["slides"].append({
        "layout": s.slide_layout.name,
        "title": s.shapes.title.text if s.shapes.title is not None else None,
        "shapes": shapes,
        "notes": s.notes_slide.notes_text_frame.text if s.has_notes_slide else None,
    })
print(json.dumps(out))
"#;
    serde_json::from_str(&errand_testkit::office::python(SCRIPT, file)).expect("json")
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let file = dir.join(name);
    std::fs::write(&file, bytes).expect("write");
    if let Some(keep) = std::env::var_os("ERRAND_KEEP_OUTPUT") {
        std::fs::create_dir_all(&keep).expect("keep dir");
        std::fs::copy(&file, Path::new(&keep).join(name)).expect("keep");
    }
    file
}

fn shapes_of<'a>(slide: &'a Value, kind: &str) -> Vec<&'a Value> {
    slide["shapes"]
        .as_array()
        .expect("shapes")
        .iter()
        .filter(|s| s["type"] == kind)
        .collect()
}

fn placeholder<'a>(slide: &'a Value, kind: &str) -> Vec<&'a Value> {
    slide["shapes"]
        .as_array()
        .expect("shapes")
        .iter()
        .filter(|s| s["placeholder"] == kind)
        .collect()
}

#[test]
fn every_slide_kind_opens_in_python_pptx_with_its_shapes_and_notes() {
    let bytes = build(&every_kind(), &pictures()).expect("pptx");
    let dir = tempfile::tempdir().expect("dir");
    let file = write(dir.path(), "kinds.pptx", &bytes);
    let deck = python_pptx(&file);
    assert_eq!(deck["width"], 12_192_000);
    assert_eq!(deck["height"], 6_858_000);
    let slides = deck["slides"].as_array().expect("slides");
    assert_eq!(slides.len(), 7, "{deck}");

    let layouts: Vec<&str> = slides
        .iter()
        .map(|s| s["layout"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        layouts,
        [
            "Title Slide",
            "Section Header",
            "Title and Content",
            "Two Content",
            "Title Only",
            "Title Only",
            "Title Only"
        ]
    );
    let notes: Vec<&str> = slides
        .iter()
        .map(|s| s["notes"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        notes,
        [
            "Welcome everyone.",
            "Part one.",
            "Stress the revenue number.",
            "The close is the headline.",
            "Photo from the survey.",
            "2026 beat 2025 each quarter.",
            "Office spending dominates."
        ]
    );

    // Title: centre-title and subtitle placeholders.
    let title = &slides[0];
    assert_eq!(title["title"], "Quarterly Business Review");
    assert_eq!(placeholder(title, "CENTER_TITLE").len(), 1);
    assert_eq!(
        placeholder(title, "SUBTITLE")[0]["text"],
        "Q3 2026 · Finance team"
    );
    assert!(shapes_of(title, "PICTURE").is_empty());

    // Section: title and a body placeholder with the subtitle.
    let section = &slides[1];
    assert_eq!(section["title"], "Results");
    assert_eq!(
        placeholder(section, "BODY")[0]["text"],
        "How the quarter went"
    );

    // Bullets: one body placeholder, markup gone, sub-points kept as paragraphs; numbered.
    let bullets = &slides[2];
    assert_eq!(bullets["title"], "Highlights");
    let body = placeholder(bullets, "BODY");
    assert_eq!(body.len(), 1);
    assert_eq!(
        body[0]["text"],
        "Revenue rose 12% to $4.2M\nNorth region up 18%\nSouth region flat\nCosts held flat despite inflation\nTwo new clients signed, see the pipeline"
    );
    assert_eq!(placeholder(bullets, "SLIDE_NUMBER")[0]["text"], "3");

    // Two columns: two body placeholders and the two headings.
    let two = &slides[3];
    assert_eq!(two["title"], "Before and after");
    let bodies: Vec<&str> = placeholder(two, "BODY")
        .iter()
        .map(|s| s["text"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        bodies,
        [
            "Manual reports\nThree-day close",
            "Automated reports\nSame-day close\nReviewed by finance"
        ]
    );
    let headings: Vec<&str> = shapes_of(two, "TEXT_BOX")
        .iter()
        .map(|s| s["text"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(headings, ["Before", "After"]);

    // Image and chart: one picture each, with the caption under it.
    for (slide, caption) in [
        (&slides[4], "Survey of the new site, by area"),
        (&slides[5], "Revenue grew every quarter"),
    ] {
        let pictures = shapes_of(slide, "PICTURE");
        assert_eq!(pictures.len(), 1, "{slide}");
        assert_eq!(pictures[0]["image"], "image/png");
        let texts: Vec<&str> = shapes_of(slide, "TEXT_BOX")
            .iter()
            .map(|s| s["text"].as_str().unwrap_or(""))
            .collect();
        assert_eq!(texts, [caption]);
    }
    assert_eq!(slides[4]["title"], "The new site");
    assert_eq!(slides[5]["title"], "Revenue by quarter");

    // Table: a real table, header plus four rows by three columns.
    let table = &slides[6];
    let frames: Vec<&Value> = table["shapes"]
        .as_array()
        .expect("shapes")
        .iter()
        .filter(|s| s.get("table").is_some())
        .collect();
    assert_eq!(frames.len(), 1);
    let cells = frames[0]["table"].as_array().expect("rows");
    assert_eq!(cells.len(), 5);
    assert!(cells.iter().all(|r| r.as_array().map(Vec::len) == Some(3)));
    assert_eq!(cells[0], json!(["Category", "Amount", "Share"]));
    assert_eq!(cells[3], json!(["Office", "$1,020.75", "60.2%"]));

    // The reader sees the same text and notes, slide by slide.
    let text = errand_office::read::extract("pptx", &bytes)
        .expect("pptx")
        .expect("readable");
    for expected in [
        "## Slide 1\nQuarterly Business Review\nQ3 2026 · Finance team\nNotes: Welcome everyone.",
        "## Slide 3\nHighlights\nRevenue rose 12% to $4.2M\nNorth region up 18%",
        "Before\nManual reports\nThree-day close\nAfter\nAutomated reports",
        "Survey of the new site, by area",
        "Category\nAmount\nShare\nTravel",
        "Office\n$1,020.75\n60.2%",
        "Notes: Office spending dominates.",
    ] {
        assert!(text.contains(expected), "{expected:?} in\n{text}");
    }
}

#[test]
fn a_whole_deck_converts_and_renders_one_page_per_slide() {
    let mut value = every_kind_json();
    // A longer deck: a second section, a long list that continues, and a long table.
    let slides = value["slides"].as_array_mut().expect("slides");
    slides.push(json!({"type": "section", "title": "Next quarter", "subtitle": "Plans and risks"}));
    slides.push(json!({"type": "bullets", "title": "Risks we are watching closely this winter",
        "bullets": (1..=14).map(|n| format!("Risk {n}: a supplier in the region may not deliver on time, which would delay the launch by several weeks")).collect::<Vec<_>>()}));
    slides.push(json!({"type": "table", "title": "Open orders", "header": ["Order", "Customer", "Due", "Amount"],
        "rows": (1..=24).map(|n| vec![format!("PO-{n:04}"), format!("Customer {n}"), format!("2026-11-{:02}", n % 28 + 1), format!("${},{:03}.00", n, n * 7 % 1000)]).collect::<Vec<_>>()}));
    let spec = spec(value);
    let bytes = build(&spec, &pictures()).expect("pptx");
    let dir = tempfile::tempdir().expect("dir");
    let file = write(dir.path(), "deck.pptx", &bytes);
    let slides = python_pptx(&file)["slides"]
        .as_array()
        .expect("slides")
        .len();
    assert!(slides > 10, "continuations added slides: {slides}");

    let pages = errand_testkit::office::render_pages(&file, &dir.path().join("png"));
    assert_eq!(pages, slides, "one page per slide");
}

/// One slide of every kind, each with notes, as JSON to extend.
fn every_kind_json() -> Value {
    json!({
        "title": "Quarterly Business Review", "author": "Finance team",
        "slides": [

        {"type": "title", "title": "Quarterly Business Review", "subtitle": "Q3 2026 · Finance team", "notes": "Welcome everyone."},
        {"type": "section", "title": "Results", "subtitle": "How the quarter went", "notes": "Part one."},
        {"type": "bullets", "title": "Highlights", "bullets": [
            "Revenue rose **12%** to $4.2M", "  North region up 18%", "  South region flat",
            "Costs held *flat* despite inflation", "Two new clients signed, see [the pipeline](https://example.com/pipeline)"
        ], "notes": "Stress the revenue number."},
        {"type": "two_column", "title": "Before and after", "left_heading": "Before", "left": ["Manual reports", "Three-day close"],
         "right_heading": "After", "right": ["Automated reports", "Same-day close", "  Reviewed by finance"], "notes": "The close is the headline."},
        {"type": "image", "title": "The new site", "path": "photos/site.png", "caption": "Survey of the new site, by area", "notes": "Photo from the survey."},
        {"type": "chart", "title": "Revenue by quarter", "chart": {"type": "column", "title": "Revenue ($M)",
            "categories": ["Q1", "Q2", "Q3"], "series": [{"name": "2025", "values": [3.1, 3.4, 3.7]}, {"name": "2026", "values": [3.5, 3.9, 4.2]}],
            "y_title": "$M"}, "caption": "Revenue grew every quarter", "notes": "2026 beat 2025 each quarter."},
        {"type": "table", "title": "Spending by category", "header": ["Category", "Amount", "Share"],
         "rows": [["Travel", "$435.50", "25.7%"], ["Meals", "$48.20", "2.8%"], ["Office", "$1,020.75", "60.2%"], ["Lodging", "$189.99", "11.2%"]],
         "notes": "Office spending dominates."}
        ]
    })
}

/// The parts of a pptx, by name.
fn part(bytes: &[u8], name: &str) -> String {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip");
    let mut text = String::new();
    archive
        .by_name(name)
        .expect(name)
        .read_to_string(&mut text)
        .expect("utf-8");
    text
}

fn slide_count(bytes: &[u8]) -> usize {
    let archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip");
    archive
        .file_names()
        .flatten()
        .filter(|n| n.starts_with("ppt/slides/slide") && n.ends_with(".xml"))
        .count()
}

/// A text shape as written: its box, insets, and paragraphs (left margin, space before,
/// text, size, bold), all in points.
#[derive(Debug, Default)]
struct TextBox {
    name: String,
    width: f64,
    height: f64,
    insets: (f64, f64, f64, f64),
    paragraphs: Vec<(f64, f64, String, f64, bool)>,
}

fn attr(e: &quick_xml::events::BytesStart<'_>, name: &str) -> Option<f64> {
    e.attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == name)
        .and_then(|a| a.value.parse().ok())
}

fn text_boxes(xml: &str) -> Vec<TextBox> {
    const EMU: f64 = 12_700.0;
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut boxes = Vec::new();
    let mut current: Option<TextBox> = None;
    let mut in_text = false;
    loop {
        match reader.read_event().expect("xml") {
            Event::Start(e) | Event::Empty(e) => {
                let tag = e.local_name().as_ref().to_string();
                match (tag.as_str(), current.as_mut()) {
                    ("sp", _) => current = Some(TextBox::default()),
                    ("cNvPr", Some(b)) => {
                        b.name = e
                            .attributes()
                            .flatten()
                            .find(|a| a.key.as_ref() == "name")
                            .map(|a| a.value.to_string())
                            .unwrap_or_default();
                    }
                    ("ext", Some(b)) => {
                        b.width = attr(&e, "cx").unwrap_or(0.0) / EMU;
                        b.height = attr(&e, "cy").unwrap_or(0.0) / EMU;
                    }
                    ("bodyPr", Some(b)) => {
                        b.insets = (
                            attr(&e, "lIns").unwrap_or(91_440.0) / EMU,
                            attr(&e, "tIns").unwrap_or(45_720.0) / EMU,
                            attr(&e, "rIns").unwrap_or(91_440.0) / EMU,
                            attr(&e, "bIns").unwrap_or(45_720.0) / EMU,
                        );
                    }
                    ("p", Some(b)) => b.paragraphs.push((0.0, 0.0, String::new(), 0.0, false)),
                    ("pPr", Some(b)) => {
                        if let Some(p) = b.paragraphs.last_mut() {
                            p.0 = attr(&e, "marL").unwrap_or(0.0) / EMU;
                        }
                    }
                    ("spcPts", Some(b)) => {
                        if let Some(p) = b.paragraphs.last_mut() {
                            p.1 = attr(&e, "val").unwrap_or(0.0) / 100.0;
                        }
                    }
                    ("rPr", Some(b)) => {
                        if let Some(p) = b.paragraphs.last_mut()
                            && p.3 == 0.0
                        {
                            p.3 = attr(&e, "sz").unwrap_or(1800.0) / 100.0;
                            p.4 = attr(&e, "b") == Some(1.0);
                        }
                    }
                    ("t", Some(_)) => in_text = true,
                    ("br", Some(b)) => {
                        if let Some(p) = b.paragraphs.last_mut() {
                            p.2.push('\n');
                        }
                    }
                    _ => {}
                }
            }
            Event::Text(t) if in_text => {
                if let Some(p) = current.as_mut().and_then(|b| b.paragraphs.last_mut()) {
                    p.2.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) if in_text => {
                if let Some(p) = current.as_mut().and_then(|b| b.paragraphs.last_mut()) {
                    p.2.push_str(match r.as_ref() {
                        "amp" => "&",
                        "lt" => "<",
                        "gt" => ">",
                        "quot" => "\"",
                        _ => "'",
                    });
                }
            }
            Event::End(e) => match e.local_name().as_ref() {
                "t" => in_text = false,
                "sp" => boxes.extend(current.take()),
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    boxes
}

/// The height the text of `b` takes, wrapped with the font's own metrics at 1.2 × size per
/// line plus paragraph spacing, with the box's insets.
fn measured_height(b: &TextBox) -> f64 {
    let width = b.width - b.insets.0 - b.insets.2;
    b.paragraphs
        .iter()
        .map(|(margin, before, text, size, bold)| {
            let lines = fonts::wrap(text, *size, Style::new(*bold, false), width - margin).len();
            before + lines as f64 * 1.2 * size
        })
        .sum::<f64>()
        + b.insets.1
        + b.insets.3
}

/// Every text box of every slide holds its text at the size chosen.
fn assert_text_fits(bytes: &[u8]) {
    for n in 1..=slide_count(bytes) {
        let xml = part(bytes, &format!("ppt/slides/slide{n}.xml"));
        for b in text_boxes(&xml) {
            if b.name.starts_with("Slide Number") || b.paragraphs.iter().all(|p| p.2.is_empty()) {
                continue;
            }
            let need = measured_height(&b);
            assert!(
                need <= b.height + 0.01,
                "slide {n}, {}: text needs {need:.1} pt, box is {:.1} pt: {:?}",
                b.name,
                b.height,
                b.paragraphs
            );
        }
    }
}

/// Font sizes (pt) of the body placeholder's runs on slide `n`.
fn body_sizes(bytes: &[u8], n: usize) -> Vec<f64> {
    let xml = part(bytes, &format!("ppt/slides/slide{n}.xml"));
    text_boxes(&xml)
        .into_iter()
        .filter(|b| b.name.starts_with("Content"))
        .flat_map(|b| b.paragraphs.into_iter().map(|p| p.3))
        .collect()
}

#[test]
fn text_is_sized_to_fit_and_long_content_continues() {
    let long_point = "Our largest customer asked for a revised delivery schedule covering every site in the northern region, with weekly updates on progress, staffing and costs until the end of the year";
    let deck = spec(json!({"slides": [
        {"type": "bullets", "title": "Short", "bullets": ["One", "Two", "Three"]},
        {"type": "bullets", "title": "Long", "bullets": [long_point, long_point, long_point, long_point, long_point]},
        {"type": "bullets", "title": "Very long list", "notes": "Only on the first.",
         "bullets": (1..=40).map(|n| format!("Point {n}: {long_point}")).collect::<Vec<_>>()},
        {"type": "two_column", "title": "Columns", "left_heading": "Left", "right_heading": "Right",
         "left": [long_point, long_point, long_point], "right": ["Short"]},
        {"type": "two_column", "title": "Uneven", "left_heading": "Many", "right_heading": "One",
         "left": (1..=24).map(|n| format!("Point {n}: {long_point}")).collect::<Vec<_>>(), "right": ["Only point"]},
        {"type": "section", "title": "A section title that is long enough to need two lines on a section slide", "subtitle": long_point},
        {"type": "title", "title": "A title slide with a rather long title that will have to wrap", "subtitle": long_point},
        {"type": "bullets", "title": "A content slide title so long that it cannot possibly stay on one single line even at the smallest size", "bullets": ["x"]},
        {"type": "table", "title": "Orders", "header": ["Order", "Customer", "Notes"],
         "rows": (1..=40).map(|n| vec![format!("PO-{n}"), format!("Customer {n}"), "Deliver to the loading dock at the rear of the building".to_string()]).collect::<Vec<_>>()}
    ]}));
    let bytes = build(&deck, &NoImages).expect("pptx");

    let short = body_sizes(&bytes, 1);
    let long = body_sizes(&bytes, 2);
    assert!(short.iter().all(|&s| s == 28.0), "{short:?}");
    assert!(long[0] < short[0], "long text is smaller: {long:?}");
    assert!(long[0] >= 16.0, "{long:?}");

    let dir = tempfile::tempdir().expect("dir");
    let file = write(dir.path(), "fitting.pptx", &bytes);
    let slides = python_pptx(&file)["slides"]
        .as_array()
        .expect("slides")
        .clone();
    let titles: Vec<&str> = slides
        .iter()
        .map(|s| s["title"].as_str().unwrap_or(""))
        .collect();
    // 40 long points do not fit one slide even at 16 pt: they continue, titled so.
    let list: Vec<usize> = (0..titles.len())
        .filter(|&k| titles[k].starts_with("Very long list"))
        .collect();
    assert!(list.len() >= 3, "{titles:?}");
    assert_eq!(titles[list[0]], "Very long list");
    assert!(
        list[1..]
            .iter()
            .all(|&k| titles[k] == "Very long list (cont.)")
    );
    assert_eq!(slides[list[0]]["notes"], "Only on the first.");
    assert!(list[1..].iter().all(|&k| slides[k]["notes"].is_null()));
    let points: Vec<String> = list
        .iter()
        .flat_map(|&k| {
            placeholder(&slides[k], "BODY")[0]["text"]
                .as_str()
                .unwrap_or("")
                .lines()
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect();
    assert_eq!(points.len(), 40);
    assert!(points[39].starts_with("Point 40: "));
    // Continuation slides share one size.
    let sizes: Vec<f64> = list.iter().map(|&k| body_sizes(&bytes, k + 1)[0]).collect();
    assert!(sizes.windows(2).all(|w| w[0] == w[1]), "{sizes:?}");

    // 40 rows: split with the header repeated on every slide, every row once, in order.
    let tables: Vec<Vec<Vec<String>>> = slides
        .iter()
        .filter(|s| s["title"].as_str().unwrap_or("").starts_with("Orders"))
        .map(|s| {
            let frame = s["shapes"]
                .as_array()
                .expect("shapes")
                .iter()
                .find(|sh| sh.get("table").is_some())
                .expect("table");
            serde_json::from_value(frame["table"].clone()).expect("cells")
        })
        .collect();
    assert!(tables.len() >= 2, "{}", tables.len());
    assert!(
        tables
            .iter()
            .all(|t| t[0] == ["Order", "Customer", "Notes"])
    );
    let orders: Vec<String> = tables
        .iter()
        .flat_map(|t| t[1..].iter().map(|r| r[0].clone()))
        .collect();
    assert_eq!(
        orders,
        (1..=40).map(|n| format!("PO-{n}")).collect::<Vec<_>>()
    );

    // Two columns continue together; a column that ran out shows no bare heading.
    let uneven: Vec<&Value> = slides
        .iter()
        .filter(|s| s["title"].as_str().unwrap_or("").starts_with("Uneven"))
        .collect();
    assert!(uneven.len() >= 2, "{}", uneven.len());
    let headings = |s: &Value| -> Vec<String> {
        shapes_of(s, "TEXT_BOX")
            .iter()
            .map(|b| b["text"].as_str().unwrap_or("").to_string())
            .collect()
    };
    assert_eq!(headings(uneven[0]), ["Many", "One"]);
    assert!(uneven[1..].iter().all(|s| headings(s) == ["Many"]));
    assert_eq!(placeholder(uneven[0], "BODY").len(), 2);
    assert!(
        uneven[1..]
            .iter()
            .all(|s| placeholder(s, "BODY").len() == 1)
    );

    assert_text_fits(&bytes);
    assert_text_fits(&build(&every_kind(), &pictures()).expect("pptx"));
}

#[test]
fn tables_pick_a_cell_size_that_fits() {
    let rows = |n: usize| {
        (1..=n)
            .map(|k| vec![format!("Item {k}"), format!("{}", k * 10)])
            .collect::<Vec<_>>()
    };
    let small = build(
        &spec(json!({"slides": [{"type": "table", "title": "T", "header": ["A", "B"], "rows": rows(3)}]})),
        &NoImages,
    )
    .expect("pptx");
    let big = build(
        &spec(json!({"slides": [{"type": "table", "title": "T", "header": ["A", "B"], "rows": rows(16)}]})),
        &NoImages,
    )
    .expect("pptx");
    let size = |bytes: &[u8]| -> f64 {
        let xml = part(bytes, "ppt/slides/slide1.xml");
        let at = xml.find("<a:tbl>").expect("table");
        let sz = xml[at..].find(" sz=\"").expect("sz") + at + 5;
        xml[sz..sz + 4]
            .trim_end_matches('"')
            .parse::<f64>()
            .expect("number")
            / 100.0
    };
    assert_eq!(size(&small), 16.0);
    assert!(size(&big) < 16.0 && size(&big) >= 10.0, "{}", size(&big));
    assert_eq!(slide_count(&big), 1, "16 short rows fit one slide");
    // Numbers are right-aligned.
    let xml = part(&small, "ppt/slides/slide1.xml");
    let table = &xml[xml.find("<a:tbl>").expect("table")..xml.find("</a:tbl>").expect("end")];
    assert_eq!(
        table.matches("algn=\"r\"").count(),
        4,
        "numeric column right-aligned"
    );
}

fn refused(value: Value) -> String {
    let spec: PresentationSpec = serde_json::from_value(value).expect("spec");
    build(&spec, &pictures()).expect_err("refused").to_string()
}

#[test]
fn bad_decks_name_the_field() {
    let e = refused(json!({"slides": []}));
    assert!(e.starts_with("slides: "), "{e}");

    let bullets = json!({"type": "bullets", "title": "t", "bullets": ["a"]});
    let e = refused(json!({"slides": [bullets, bullets, bullets, bullets,
        {"type": "table", "title": "t", "header": ["a", "b"], "rows": [["1", "2"], ["3"], ["4", "5", "6"]]}]}));
    assert!(
        e.starts_with("slides[4].rows[2]: 3 cells for 2 header columns"),
        "{e}"
    );

    let e = refused(json!({"slides": [bullets, bullets,
        {"type": "image", "title": "t", "path": "photos/missing.png"}]}));
    assert!(e.starts_with("slides[2].path: photos/missing.png"), "{e}");

    let e = refused(json!({"theme": {"accent": "blue"}, "slides": [bullets]}));
    assert!(
        e.starts_with("theme.accent: \"blue\" is not #RRGGBB"),
        "{e}"
    );

    let e = refused(
        json!({"slides": [bullets, bullets, bullets, bullets, bullets,
        {"type": "chart", "title": "t", "chart": {"type": "line", "categories": ["a", "b"], "series": [{"name": "s", "values": [1]}]}}]}),
    );
    assert!(e.starts_with("slides[5].chart: series[0].values"), "{e}");

    let e = refused(
        json!({"slides": [{"type": "bullets", "title": "t", "bullets": ["a", "  ", "x ".repeat(2000)]}]}),
    );
    assert!(
        e.starts_with("slides[0].bullets[2]: too long for one slide"),
        "{e}"
    );

    let e = refused(json!({"slides": [{"type": "bullets", "title": "t", "bullets": []}]}));
    assert!(e.starts_with("slides[0].bullets: "), "{e}");

    // Unknown kinds and fields are refused when the spec is read.
    let e = serde_json::from_value::<PresentationSpec>(
        json!({"slides": [{"type": "video", "title": "t"}]}),
    )
    .expect_err("unknown kind")
    .to_string();
    assert!(e.contains("unknown variant `video`"), "{e}");
    let e = serde_json::from_value::<PresentationSpec>(
        json!({"slides": [{"type": "bullets", "title": "t", "bullets": [], "colour": "red"}]}),
    )
    .expect_err("unknown field")
    .to_string();
    assert!(e.contains("unknown field `colour`"), "{e}");
}

#[test]
fn the_package_is_wired_as_powerpoint_expects() {
    let bytes = build(&every_kind(), &pictures()).expect("pptx");
    let types = part(&bytes, "[Content_Types].xml");
    let archive = zip::ZipArchive::new(std::io::Cursor::new(&bytes[..])).expect("zip");
    let names: Vec<String> = archive
        .file_names()
        .flatten()
        .map(|n| n.to_string())
        .collect();
    // Every XML part has a content type; every relationship target exists.
    for name in &names {
        if name.ends_with(".xml") && name != "[Content_Types].xml" {
            assert!(types.contains(&format!("PartName=\"/{name}\"")), "{name}");
        }
    }
    for rels in names.iter().filter(|n| n.ends_with(".rels")) {
        let base = rels
            .replace("_rels/", "")
            .trim_end_matches(".rels")
            .to_string();
        let folder = Path::new(&base).parent().unwrap_or(Path::new(""));
        let xml = part(&bytes, rels);
        for target in xml.split("Target=\"").skip(1) {
            let target = &target[..target.find('"').expect("quote")];
            if target.starts_with("http") {
                continue;
            }
            let mut path = folder.to_path_buf();
            for piece in target.split('/') {
                if piece == ".." {
                    path.pop();
                } else {
                    path.push(piece);
                }
            }
            let path = path.to_string_lossy().replace('\\', "/");
            assert!(names.contains(&path), "{rels} -> {target} ({path})");
        }
    }
    let presentation = part(&bytes, "ppt/presentation.xml");
    assert!(presentation.contains("<p:sldSz cx=\"12192000\" cy=\"6858000\"/>"));
    assert!(presentation.contains("<p:notesMasterIdLst>"));
    let core = part(&bytes, "docProps/core.xml");
    assert!(core.contains("<dc:title>Quarterly Business Review</dc:title>"));
    assert!(core.contains("<dc:creator>Finance team</dc:creator>"));
    // Links are real hyperlinks with external relationships.
    let rels = part(&bytes, "ppt/slides/_rels/slide3.xml.rels");
    assert!(rels.contains("Target=\"https://example.com/pipeline\" TargetMode=\"External\""));
    // Characters XML cannot carry are dropped, markup characters escaped.
    let odd = build(
        &spec(json!({"slides": [{"type": "bullets", "title": "A <b> & \"c\"", "bullets": ["bell\u{7} here"]}]})),
        &NoImages,
    )
    .expect("pptx");
    let xml = part(&odd, "ppt/slides/slide1.xml");
    assert!(xml.contains("A &lt;b&gt; &amp; &quot;c&quot;"));
    assert!(xml.contains("bell here"));
}

#[test]
fn the_schema_describes_every_slide_kind() {
    let schema = serde_json::to_string(&schemars::schema_for!(PresentationSpec)).expect("schema");
    for kind in [
        "\"title\"",
        "\"section\"",
        "\"bullets\"",
        "\"two_column\"",
        "\"image\"",
        "\"chart\"",
        "\"table\"",
    ] {
        assert!(schema.contains(kind), "{kind} in {schema}");
    }
    assert!(schema.contains("\"notes\""));
    assert!(schema.contains("Indent a sub-point with two leading spaces"));
    assert!(schema.contains("#RRGGBB"));
}
