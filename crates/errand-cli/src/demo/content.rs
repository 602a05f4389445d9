//! File contents: text, documents, media headers.
use super::*;

/// Returns the file bytes and whether they are a JPEG with EXIF.
pub(super) fn render(rng: &mut Rng, plan: &Plan) -> io::Result<(Vec<u8>, bool)> {
    // Embedded dates (ZIP entries) follow the file's own mtime, as they would in real life.
    let mtime_stamp = plan.mtime;
    let bytes = match plan.kind {
        Kind::Jpeg => {
            let taken = plan.taken.unwrap_or(plan.mtime);
            return Ok((jpeg_with_exif(rng, &taken)?, true));
        }
        Kind::Png => png(rng),
        Kind::Pdf => pdf(&sentences(rng, 6)),
        Kind::Docx => docx(&sentences(rng, 8), &mtime_stamp),
        Kind::Xlsx => xlsx(rng, &mtime_stamp),
        Kind::Txt | Kind::PlainText => text_file(rng, &plan.stem),
        Kind::Md => markdown(rng),
        Kind::Csv => csv(rng),
        Kind::Mp3 => mp3(rng),
        Kind::Wav => wav(rng),
        Kind::Mp4 => iso_media(rng, b"isom", &[b"isom", b"iso2", b"avc1", b"mp41"]),
        Kind::Mov => iso_media(rng, b"qt  ", &[b"qt  "]),
        Kind::Zip => {
            let entries = vec![
                ("notes.txt".to_string(), sentences(rng, 5).into_bytes()),
                (format!("data/export_{}.csv", rng.range(1, 99)), csv(rng)),
            ];
            zip(&entries, &mtime_stamp)
        }
        Kind::TarGz => tar_gz(rng),
        Kind::Py => code_py(rng),
        Kind::Rs => code_rs(rng),
        Kind::Js => code_js(rng),
        Kind::Sh => code_sh(rng),
        Kind::Html => html(rng),
        Kind::Bin => {
            let n = rng.range(200, 3000) as usize;
            rng.bytes(n)
        }
        Kind::DotFile => dotfile(rng, &plan.stem),
    };
    Ok((bytes, false))
}

const WORDS: &[&str] = &[
    "the",
    "quarterly",
    "budget",
    "meeting",
    "was",
    "moved",
    "to",
    "Thursday",
    "please",
    "review",
    "attached",
    "invoice",
    "before",
    "Friday",
    "shipping",
    "address",
    "changed",
    "project",
    "timeline",
    "draft",
    "final",
    "version",
    "customer",
    "feedback",
    "about",
    "new",
    "design",
    "we",
    "need",
    "more",
    "photos",
    "from",
    "trip",
    "and",
    "receipts",
    "for",
    "taxes",
    "summer",
    "garden",
    "plan",
    "kitchen",
    "renovation",
    "estimate",
    "school",
    "pickup",
    "schedule",
];

pub(super) fn sentences(rng: &mut Rng, count: usize) -> String {
    let mut out = String::new();
    for _ in 0..count {
        let len = rng.range(6, 14) as usize;
        for i in 0..len {
            let word = *rng.pick(WORDS);
            if i == 0 {
                let mut chars = word.chars();
                if let Some(first) = chars.next() {
                    out.extend(first.to_uppercase());
                    out.push_str(chars.as_str());
                }
            } else {
                out.push(' ');
                out.push_str(word);
            }
        }
        out.push_str(". ");
    }
    out.push('\n');
    out
}

fn text_file(rng: &mut Rng, stem: &str) -> Vec<u8> {
    let body = match stem {
        "LICENSE" => {
            "Permission is hereby granted, free of charge, to any person obtaining a copy\n\
                      of this software, to deal in the Software without restriction.\n"
                .to_string()
        }
        "Makefile" => "all:\n\tcc -O2 -o app main.c\n\nclean:\n\trm -f app\n".to_string(),
        "会议记录" => format!(
            "会议记录\n日期：{}\n- 讨论预算\n- 下周跟进\n",
            rng.range(1, 28)
        ),
        _ => {
            let lines = rng.range(2, 8) as usize;
            let mut s = String::new();
            for _ in 0..lines {
                s.push_str("- ");
                s.push_str(&sentences(rng, 1));
            }
            s
        }
    };
    body.into_bytes()
}

fn markdown(rng: &mut Rng) -> Vec<u8> {
    let mut s = format!(
        "# {}\n\n",
        sentences(rng, 1).trim_end_matches(['.', ' ', '\n'])
    );
    s.push_str(&sentences(rng, 3));
    s.push_str("\n## Next steps\n\n");
    for _ in 0..rng.range(2, 5) {
        s.push_str("- [ ] ");
        s.push_str(&sentences(rng, 1));
    }
    s.into_bytes()
}

pub(super) fn csv(rng: &mut Rng) -> Vec<u8> {
    let mut s = String::from("date,description,amount,category\n");
    for _ in 0..rng.range(5, 40) {
        s.push_str(&format!(
            "{}-{:02}-{:02},{} {},{}.{:02},{}\n",
            rng.range(2018, 2025),
            rng.range(1, 12),
            rng.range(1, 28),
            rng.pick(&["Coffee", "Groceries", "Train", "Books", "Hardware"]),
            rng.pick(&["shop", "store", "online", "market"]),
            rng.range(1, 250),
            rng.range(0, 99),
            rng.pick(&["food", "travel", "office", "home"]),
        ));
    }
    s.into_bytes()
}

fn code_py(rng: &mut Rng) -> Vec<u8> {
    format!(
        "#!/usr/bin/env python3\n\"\"\"Summarize a CSV export.\"\"\"\nimport csv\nimport sys\n\n\
         THRESHOLD = {}\n\n\ndef main(path):\n    total = 0.0\n    with open(path) as f:\n        \
         for row in csv.DictReader(f):\n            total += float(row[\"amount\"])\n    \
         print(f\"total: {{total:.2f}}\", \"over\" if total > THRESHOLD else \"under\")\n\n\n\
         if __name__ == \"__main__\":\n    main(sys.argv[1])\n",
        rng.range(10, 5000)
    )
    .into_bytes()
}

fn code_rs(rng: &mut Rng) -> Vec<u8> {
    format!(
        "use std::io::{{self, BufRead}};\n\nconst LIMIT: usize = {};\n\nfn main() -> io::Result<()> {{\n    \
         let stdin = io::stdin();\n    let mut count = 0;\n    for line in stdin.lock().lines() {{\n        \
         if line?.len() > LIMIT {{\n            count += 1;\n        }}\n    }}\n    \
         println!(\"{{count}} long lines\");\n    Ok(())\n}}\n",
        rng.range(40, 200)
    )
    .into_bytes()
}

fn code_js(rng: &mut Rng) -> Vec<u8> {
    format!(
        "'use strict';\n\nconst DELAY_MS = {};\n\nfunction debounce(fn) {{\n  let t;\n  \
         return (...args) => {{\n    clearTimeout(t);\n    t = setTimeout(() => fn(...args), DELAY_MS);\n  }};\n}}\n\n\
         document.querySelector('#search').addEventListener('input', debounce(e => console.log(e.target.value)));\n",
        rng.range(50, 800)
    )
    .into_bytes()
}

fn code_sh(rng: &mut Rng) -> Vec<u8> {
    format!(
        "#!/bin/sh\nset -eu\n# Keep the last {} backups.\nDEST=\"$HOME/backups\"\nmkdir -p \"$DEST\"\n\
         tar czf \"$DEST/home-$(date +%F).tar.gz\" \"$HOME/Documents\"\n\
         ls -1t \"$DEST\" | tail -n +{} | while read -r f; do rm -- \"$DEST/$f\"; done\n",
        rng.range(3, 30),
        rng.range(4, 31)
    )
    .into_bytes()
}

pub(super) fn html(rng: &mut Rng) -> Vec<u8> {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\"><title>{}</title></head>\n\
         <body>\n<h1>Newsletter #{}</h1>\n<p>{}</p>\n</body>\n</html>\n",
        rng.pick(&["Saved page", "Order confirmation", "Newsletter"]),
        rng.range(1, 300),
        sentences(rng, 4).trim_end()
    )
    .into_bytes()
}

pub(super) fn dotfile(rng: &mut Rng, stem: &str) -> Vec<u8> {
    let mut out = if stem == ".DS_Store" {
        // Finder's "Bud1" buddy-allocator header.
        let mut v = vec![0, 0, 0, 1];
        v.extend_from_slice(b"Bud1");
        v
    } else if stem.starts_with("._") {
        // AppleDouble resource-fork header.
        vec![0x00, 0x05, 0x16, 0x07, 0x00, 0x02, 0x00, 0x00]
    } else {
        Vec::new()
    };
    let n = rng.range(32, 600) as usize;
    out.extend(rng.bytes(n));
    out
}

/// A one-page PDF with correct xref offsets, so real viewers open it.
pub(super) fn pdf(text: &str) -> Vec<u8> {
    // PDF string literals need parentheses and backslashes escaped; keep the text ASCII.
    let safe: String = text
        .chars()
        .filter(|c| c.is_ascii() && !matches!(c, '(' | ')' | '\\' | '\n'))
        .collect();
    let mut content = String::from("BT /F1 11 Tf 72 720 Td 14 TL\n");
    for chunk in safe.as_bytes().chunks(80) {
        content.push_str(&format!("({}) '\n", String::from_utf8_lossy(chunk)));
    }
    content.push_str("ET\n");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R \
         /Resources << /Font << /F1 5 0 R >> >> >>"
            .to_string(),
        format!(
            "<< /Length {} >>\nstream\n{content}endstream",
            content.len()
        ),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string(),
    ];
    let mut out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, obj) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{obj}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for off in offsets {
        out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

pub(super) fn docx(text: &str, when: &Stamp) -> Vec<u8> {
    let content_types = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#;
    let rels = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#;
    let document = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>{}</w:t></w:r></w:p></w:body></w:document>"#,
        text.trim()
    );
    zip(
        &[
            (
                "[Content_Types].xml".to_string(),
                content_types.as_bytes().to_vec(),
            ),
            ("_rels/.rels".to_string(), rels.as_bytes().to_vec()),
            ("word/document.xml".to_string(), document.into_bytes()),
        ],
        when,
    )
}

pub(super) fn xlsx(rng: &mut Rng, when: &Stamp) -> Vec<u8> {
    let content_types = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#;
    let rels = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
    let workbook = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
    let workbook_rels = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#;
    let mut rows = String::new();
    for r in 1..=rng.range(3, 12) {
        rows.push_str(&format!(
            r#"<row r="{r}"><c r="A{r}"><v>{}</v></c><c r="B{r}"><v>{}.{:02}</v></c></row>"#,
            r,
            rng.range(1, 900),
            rng.range(0, 99)
        ));
    }
    let sheet = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{rows}</sheetData></worksheet>"#
    );
    zip(
        &[
            (
                "[Content_Types].xml".to_string(),
                content_types.as_bytes().to_vec(),
            ),
            ("_rels/.rels".to_string(), rels.as_bytes().to_vec()),
            ("xl/workbook.xml".to_string(), workbook.as_bytes().to_vec()),
            (
                "xl/_rels/workbook.xml.rels".to_string(),
                workbook_rels.as_bytes().to_vec(),
            ),
            ("xl/worksheets/sheet1.xml".to_string(), sheet.into_bytes()),
        ],
        when,
    )
}

/// An ID3v2.3 tag with a title frame, then a few MPEG-1 Layer III frame headers.
pub(super) fn mp3(rng: &mut Rng) -> Vec<u8> {
    let title = format!("Track {}", rng.range(1, 99));
    let mut frame = b"TIT2".to_vec();
    frame.extend_from_slice(&((title.len() + 1) as u32).to_be_bytes());
    frame.extend_from_slice(&[0, 0, 0]); // flags, then ISO-8859-1 text encoding
    frame.extend_from_slice(title.as_bytes());
    let mut out = b"ID3\x03\x00\x00".to_vec();
    // The tag size is "syncsafe": 7 bits per byte.
    let size = frame.len() as u32;
    out.extend_from_slice(&[
        (size >> 21) as u8 & 0x7f,
        (size >> 14) as u8 & 0x7f,
        (size >> 7) as u8 & 0x7f,
        size as u8 & 0x7f,
    ]);
    out.extend(frame);
    for _ in 0..rng.range(1, 4) {
        // 128 kbit/s, 44.1 kHz frames are 417 bytes long.
        out.extend_from_slice(&[0xFF, 0xFB, 0x90, 0x64]);
        out.extend(rng.bytes(413));
    }
    out
}

/// A real PCM WAV file: 8 kHz mono 16-bit, a short triangle wave.
pub(super) fn wav(rng: &mut Rng) -> Vec<u8> {
    let samples = rng.range(200, 1500) as usize;
    let period = rng.range(8, 64) as i32;
    let mut data = Vec::with_capacity(samples * 2);
    for i in 0..samples as i32 {
        let phase = i % period;
        let tri = if phase < period / 2 {
            phase
        } else {
            period - phase
        };
        let v = (tri * 2000 / period.max(1)) as i16 - 500;
        data.extend_from_slice(&v.to_le_bytes());
    }
    let mut out = b"RIFF".to_vec();
    out.extend_from_slice(&(36 + data.len() as u32).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes()); // PCM
    out.extend_from_slice(&1u16.to_le_bytes()); // mono
    out.extend_from_slice(&8000u32.to_le_bytes());
    out.extend_from_slice(&16000u32.to_le_bytes()); // byte rate
    out.extend_from_slice(&2u16.to_le_bytes()); // block align
    out.extend_from_slice(&16u16.to_le_bytes()); // bits per sample
    out.extend_from_slice(b"data");
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out.extend(data);
    out
}

/// ISO base media (MP4/QuickTime): an `ftyp` box, then `free` and an `mdat` of noise.
fn iso_media(rng: &mut Rng, major: &[u8; 4], compatible: &[&[u8; 4]]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&(16 + 4 * compatible.len() as u32).to_be_bytes());
    out.extend_from_slice(b"ftyp");
    out.extend_from_slice(major);
    out.extend_from_slice(&0x200u32.to_be_bytes());
    for brand in compatible {
        out.extend_from_slice(*brand);
    }
    out.extend_from_slice(&8u32.to_be_bytes());
    out.extend_from_slice(b"free");
    let payload = rng.range(300, 3500) as usize;
    out.extend_from_slice(&(8 + payload as u32).to_be_bytes());
    out.extend_from_slice(b"mdat");
    out.extend(rng.bytes(payload));
    out
}
