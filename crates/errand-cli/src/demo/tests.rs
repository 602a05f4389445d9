//! The generator is deterministic, its formats are real, and it refuses to touch a full folder.
use super::*;
use std::io::Cursor;

fn read_exif_date(bytes: &[u8]) -> Vec<u8> {
    let exif = exif::Reader::new()
        .read_from_container(&mut Cursor::new(bytes))
        .expect("EXIF parses");
    let field = exif
        .get_field(exif::Tag::DateTimeOriginal, exif::In::PRIMARY)
        .expect("DateTimeOriginal present");
    match &field.value {
        exif::Value::Ascii(v) => v[0].clone(),
        other => panic!("unexpected value {other:?}"),
    }
}

#[test]
fn exif_date_parses_with_kamadak() {
    let mut rng = Rng::new(7);
    let taken = Stamp {
        year: 2021,
        month: 3,
        day: 4,
        hour: 10,
        minute: 22,
        second: 11,
    };
    let bytes = jpeg_with_exif(&mut rng, &taken).unwrap();
    assert_eq!(read_exif_date(&bytes), b"2021:03:04 10:22:11");

    let exif = exif::Reader::new()
        .read_from_container(&mut Cursor::new(&bytes))
        .unwrap();
    let make = exif
        .get_field(exif::Tag::Make, exif::In::PRIMARY)
        .expect("Make present");
    assert!(matches!(make.value, exif::Value::Ascii(_)));
}

#[test]
fn generated_photos_have_exif_and_a_different_mtime_year() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    make_demo_folder(
        &dir,
        &DemoSpec {
            files: 120,
            seed: 3,
        },
    )
    .unwrap();
    let mut checked = 0;
    for line in hash_listing(&dir).unwrap() {
        let rel = line.split_once("  ").unwrap().1;
        let path = dir.join(rel);
        let bytes = fs::read(&path).unwrap();
        if !bytes.starts_with(&[0xFF, 0xD8]) {
            continue;
        }
        let date = read_exif_date(&bytes);
        let exif_year: u64 = std::str::from_utf8(&date[..4]).unwrap().parse().unwrap();
        assert!((2019..=2025).contains(&exif_year), "{rel}: {exif_year}");
        let mtime = fs::metadata(&path).unwrap().modified().unwrap();
        let secs = mtime.duration_since(UNIX_EPOCH).unwrap().as_secs();
        let start_of_exif_year = days_from_civil(exif_year as i64, 1, 1) as u64 * 86_400;
        let start_of_next = days_from_civil(exif_year as i64 + 1, 1, 1) as u64 * 86_400;
        assert!(
            !(start_of_exif_year..start_of_next).contains(&secs),
            "{rel}: mtime in EXIF year"
        );
        checked += 1;
    }
    assert!(checked > 20, "only {checked} JPEGs");
}

#[test]
fn same_seed_same_tree() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b, c) = (
        tmp.path().join("a"),
        tmp.path().join("b"),
        tmp.path().join("c"),
    );
    let spec = DemoSpec {
        files: 300,
        seed: 42,
    };
    let ra = make_demo_folder(&a, &spec).unwrap();
    let rb = make_demo_folder(&b, &spec).unwrap();
    assert_eq!(ra, rb);
    assert_eq!(hash_listing(&a).unwrap(), hash_listing(&b).unwrap());
    make_demo_folder(
        &c,
        &DemoSpec {
            files: 300,
            seed: 43,
        },
    )
    .unwrap();
    assert_ne!(hash_listing(&a).unwrap(), hash_listing(&c).unwrap());

    // Modification times are part of the determinism too.
    let mtime = |p: &Path| fs::metadata(p).unwrap().modified().unwrap();
    assert_eq!(mtime(&a.join("report.pdf")), mtime(&b.join("report.pdf")));
}

#[test]
fn counts_and_mix_match_the_spec() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    let report = make_demo_folder(
        &dir,
        &DemoSpec {
            files: 1000,
            seed: 1,
        },
    )
    .unwrap();
    let listing = hash_listing(&dir).unwrap();
    assert_eq!(report.files, 1000);
    assert_eq!(listing.len(), 1000);
    let on_disk: u64 = listing
        .iter()
        .map(|l| {
            fs::metadata(dir.join(l.split_once("  ").unwrap().1))
                .unwrap()
                .len()
        })
        .sum();
    assert_eq!(report.bytes, on_disk);
    assert!(
        (250..=450).contains(&report.photos_with_exif),
        "{}",
        report.photos_with_exif
    );

    for must in [
        "report.pdf",
        "old stuff/report.pdf",
        "résumé.pdf",
        "会议记录.txt",
        ".DS_Store",
        "README",
        "scan_0001",
        "misc/nested/notes.md",
    ] {
        assert!(
            listing.iter().any(|l| l.ends_with(&format!("  {must}"))),
            "missing {must}"
        );
    }
    let jpeg = fs::read(dir.join("scan_0001")).unwrap();
    assert!(jpeg.starts_with(&[0xFF, 0xD8, 0xFF, 0xE1]));
    for magic in [
        &b"%PDF-1.4"[..],
        b"PK\x03\x04",
        b"ID3",
        b"RIFF",
        b"\x1f\x8b",
        b"\x89PNG",
    ] {
        let found = listing.iter().any(|l| {
            fs::read(dir.join(l.split_once("  ").unwrap().1))
                .unwrap()
                .starts_with(magic)
        });
        assert!(found, "no file starts with {magic:?}");
    }
    // mtimes fall in 2018..=2025.
    let lo = days_from_civil(2018, 1, 1) as u64 * 86_400;
    let hi = days_from_civil(2026, 1, 1) as u64 * 86_400;
    for l in &listing {
        let t = fs::metadata(dir.join(l.split_once("  ").unwrap().1))
            .unwrap()
            .modified()
            .unwrap();
        let s = t.duration_since(UNIX_EPOCH).unwrap().as_secs();
        assert!((lo..hi).contains(&s), "{l}");
    }
}

#[test]
fn small_counts_are_exact() {
    let tmp = tempfile::tempdir().unwrap();
    for n in [0, 1, 5, 11] {
        let dir = tmp.path().join(format!("d{n}"));
        let report = make_demo_folder(&dir, &DemoSpec { files: n, seed: 9 }).unwrap();
        assert_eq!(report.files, n);
        assert_eq!(hash_listing(&dir).unwrap().len(), n);
    }
}

#[test]
fn refuses_non_empty_dir_and_files() {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("keep.txt"), b"mine").unwrap();
    let err = make_demo_folder(tmp.path(), &DemoSpec { files: 3, seed: 1 }).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::DirectoryNotEmpty);
    assert_eq!(fs::read(tmp.path().join("keep.txt")).unwrap(), b"mine");

    let err = make_demo_folder(
        &tmp.path().join("keep.txt"),
        &DemoSpec { files: 3, seed: 1 },
    )
    .unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::NotADirectory);

    // An existing empty directory is fine.
    let empty = tmp.path().join("empty");
    fs::create_dir(&empty).unwrap();
    assert_eq!(
        make_demo_folder(&empty, &DemoSpec { files: 3, seed: 1 })
            .unwrap()
            .files,
        3
    );
}

#[test]
fn containers_are_well_formed() {
    // gzip trailer CRC and size match the payload, and the PNG IEND CRC is the known value.
    let mut rng = Rng::new(5);
    let gz = tar_gz(&mut rng);
    let n = gz.len();
    let isize = u32::from_le_bytes(gz[n - 4..].try_into().unwrap()) as usize;
    assert_eq!(isize % 512, 0);
    let png = png(&mut rng);
    assert_eq!(&png[png.len() - 4..], &[0xAE, 0x42, 0x60, 0x82]);
    assert_eq!(crc32(&[b"123456789"]), 0xCBF4_3926);
}

#[test]
fn receipt_photos_are_jpegs_with_exif_and_known_totals() {
    let totals: Vec<i64> = receipts::photographed()
        .iter()
        .map(|(_, r, _)| r.total())
        .collect();
    assert_eq!(totals, vec![2118, 7274, 4970]);
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("photos");
    let truth = make_receipt_photos(&dir, 3, 5).unwrap();
    assert_eq!(truth.len(), 3);
    for (name, total) in &truth {
        let bytes = fs::read(dir.join(name)).unwrap();
        assert!(bytes.starts_with(&[0xFF, 0xD8]), "{name} is a JPEG");
        assert!(read_exif_date(&bytes).starts_with(b"2026:"), "{name}");
        assert!(*total > 0);
    }
    // Seeded: the same seed makes the same photos.
    let again = tmp.path().join("again");
    assert_eq!(make_receipt_photos(&again, 3, 5).unwrap(), truth);
    assert_eq!(
        fs::read(dir.join(&truth[0].0)).unwrap(),
        fs::read(again.join(&truth[0].0)).unwrap()
    );
}
