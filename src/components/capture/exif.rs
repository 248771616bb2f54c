//! The one EXIF fact the capture needs: a JPEG's orientation (1–8). Written by hand because
//! it is forty lines, where an EXIF crate would add tens of KB to the bundle for one tag.

/// EXIF orientation of a JPEG, 1 (as stored) when absent or unreadable. Reads only what it
/// needs: the segments before the image data.
pub fn orientation(jpeg: &[u8]) -> u8 {
    read(jpeg).unwrap_or(1)
}

fn read(b: &[u8]) -> Option<u8> {
    if b.get(0..2)? != [0xFF, 0xD8] {
        return None;
    }
    let mut i = 2;
    loop {
        if *b.get(i)? != 0xFF {
            return None;
        }
        let marker = *b.get(i + 1)?;
        if marker == 0xFF {
            i += 1; // fill byte
            continue;
        }
        if marker == 0xDA || marker == 0xD9 {
            return None; // image data: no EXIF comes after it
        }
        let len = usize::from(u16::from_be_bytes([*b.get(i + 2)?, *b.get(i + 3)?]));
        let segment = b.get(i + 4..i + 2 + len)?;
        if marker == 0xE1 && segment.starts_with(b"Exif\0\0") {
            return tiff_orientation(&segment[6..]);
        }
        i += 2 + len;
    }
}

fn tiff_orientation(t: &[u8]) -> Option<u8> {
    let little = match t.get(0..2)? {
        b"II" => true,
        b"MM" => false,
        _ => return None,
    };
    let u16_at = |o: usize| -> Option<u16> {
        let b = [*t.get(o)?, *t.get(o + 1)?];
        Some(if little {
            u16::from_le_bytes(b)
        } else {
            u16::from_be_bytes(b)
        })
    };
    let u32_at = |o: usize| -> Option<u32> {
        let b = [*t.get(o)?, *t.get(o + 1)?, *t.get(o + 2)?, *t.get(o + 3)?];
        Some(if little {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        })
    };
    if u16_at(2)? != 42 {
        return None;
    }
    let ifd = usize::try_from(u32_at(4)?).ok()?;
    let entries = usize::from(u16_at(ifd)?);
    (0..entries).find_map(|k| {
        let entry = ifd + 2 + 12 * k;
        // Orientation is a SHORT; its value sits in the first two bytes of the value field.
        (u16_at(entry)? == 0x0112)
            .then(|| u16_at(entry + 8))
            .flatten()
            .and_then(|v| u8::try_from(v).ok())
            .filter(|v| (1..=8).contains(v))
    })
}

/// The same JPEG with an EXIF segment saying `orientation`, placed after SOI and JFIF. Used
/// to ask the browser whether it applies orientation itself, and by the tests.
pub fn with_orientation(jpeg: &[u8], orientation: u8) -> Vec<u8> {
    let mut tiff = b"MM\0\x2a\0\0\0\x08".to_vec();
    tiff.extend([
        0,
        1,
        0x01,
        0x12,
        0,
        3,
        0,
        0,
        0,
        1,
        0,
        orientation,
        0,
        0,
        0,
        0,
        0,
        0,
    ]);
    let mut segment = b"Exif\0\0".to_vec();
    segment.extend(tiff);
    let len = u16::try_from(segment.len() + 2).unwrap_or(u16::MAX);
    // After SOI, and after a JFIF APP0 if there is one (decoders expect JFIF first).
    let mut at = 2;
    if jpeg.get(2..4) == Some(&[0xFF, 0xE0]) {
        if let Some(l) = jpeg.get(4..6) {
            at = 4 + usize::from(u16::from_be_bytes([l[0], l[1]]));
        }
    }
    let at = at.min(jpeg.len());
    let mut out = Vec::with_capacity(jpeg.len() + segment.len() + 4);
    out.extend(&jpeg[..at]);
    out.extend([0xFF, 0xE1]);
    out.extend(len.to_be_bytes());
    out.extend(segment);
    out.extend(&jpeg[at..]);
    out
}
