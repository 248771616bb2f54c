//! Just enough of the WebAssembly binary format to list sections and read `target_features`.

use anyhow::{bail, Context, Result};

/// One section of a module. `name` is set for custom sections (id 0).
#[derive(Debug)]
pub struct Section<'a> {
    pub id: u8,
    pub name: Option<String>,
    pub payload: &'a [u8],
}

fn leb_u32(bytes: &[u8], pos: &mut usize) -> Result<u32> {
    let mut result: u64 = 0;
    for shift in (0..35).step_by(7) {
        let byte = *bytes.get(*pos).context("truncated LEB128")?;
        *pos += 1;
        result |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return u32::try_from(result).context("LEB128 value out of range");
        }
    }
    bail!("LEB128 longer than 5 bytes")
}

fn name(bytes: &[u8], pos: &mut usize) -> Result<String> {
    let len = leb_u32(bytes, pos)? as usize;
    let end = pos
        .checked_add(len)
        .filter(|&e| e <= bytes.len())
        .context("truncated name")?;
    let s = std::str::from_utf8(&bytes[*pos..end]).context("name is not UTF-8")?;
    *pos = end;
    Ok(s.to_string())
}

/// Splits a module into its sections (checks the magic number and version 1).
pub fn sections(module: &[u8]) -> Result<Vec<Section<'_>>> {
    if module.len() < 8 || &module[0..4] != b"\0asm" {
        bail!("not a WebAssembly module (bad magic number)");
    }
    if module[4..8] != [1, 0, 0, 0] {
        bail!("unsupported WebAssembly binary version {:?}", &module[4..8]);
    }
    let mut pos = 8;
    let mut out = Vec::new();
    while pos < module.len() {
        let id = module[pos];
        pos += 1;
        let size = leb_u32(module, &mut pos)? as usize;
        let end = pos
            .checked_add(size)
            .filter(|&e| e <= module.len())
            .with_context(|| format!("section {id} runs past the end of the module"))?;
        let body = &module[pos..end];
        let section = if id == 0 {
            let mut p = 0;
            let n = name(body, &mut p).context("custom section name")?;
            Section {
                id,
                name: Some(n),
                payload: &body[p..],
            }
        } else {
            Section {
                id,
                name: None,
                payload: body,
            }
        };
        out.push(section);
        pos = end;
    }
    Ok(out)
}

/// Entries of a `target_features` custom section: (prefix, feature), prefix is `+`, `-` or `=`.
pub fn target_features(payload: &[u8]) -> Result<Vec<(char, String)>> {
    let mut pos = 0;
    let count = leb_u32(payload, &mut pos)?;
    let mut out = Vec::with_capacity(count as usize);
    for _ in 0..count {
        let prefix = *payload.get(pos).context("truncated target_features")? as char;
        pos += 1;
        out.push((prefix, name(payload, &mut pos)?));
    }
    Ok(out)
}

/// The only post-MVP feature the app may use (old WeCom WebViews support it; see webview.md).
pub const ALLOWED_FEATURES: &[&str] = &["mutable-globals"];

/// Features that the module declares as used (`+`/`=`) but that are not allowed.
pub fn forbidden_features(sections: &[Section<'_>]) -> Result<Vec<String>> {
    let mut bad = Vec::new();
    for s in sections
        .iter()
        .filter(|s| s.name.as_deref() == Some("target_features"))
    {
        for (prefix, feature) in target_features(s.payload)? {
            if prefix != '-' && !ALLOWED_FEATURES.contains(&feature.as_str()) {
                bad.push(feature);
            }
        }
    }
    Ok(bad)
}

/// Custom section names that only an unoptimized (non-wasm-opt) or debug build keeps.
pub fn debug_sections(sections: &[Section<'_>]) -> Vec<String> {
    sections
        .iter()
        .filter_map(|s| s.name.clone())
        .filter(|n| n == "name" || n.starts_with(".debug_"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn custom(name: &str, payload: &[u8]) -> Vec<u8> {
        let mut body = vec![name.len() as u8];
        body.extend_from_slice(name.as_bytes());
        body.extend_from_slice(payload);
        let mut s = vec![0u8, body.len() as u8];
        s.extend(body);
        s
    }

    fn module(extra: &[Vec<u8>]) -> Vec<u8> {
        let mut m = b"\0asm\x01\0\0\0".to_vec();
        m.extend_from_slice(&[1, 1, 0]); // empty type section
        for s in extra {
            m.extend_from_slice(s);
        }
        m
    }

    fn features(list: &[(u8, &str)]) -> Vec<u8> {
        let mut p = vec![list.len() as u8];
        for (prefix, f) in list {
            p.push(*prefix);
            p.push(f.len() as u8);
            p.extend_from_slice(f.as_bytes());
        }
        p
    }

    #[test]
    fn lists_sections() {
        let m = module(&[custom("producers", &[0])]);
        let s = sections(&m).unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].id, 1);
        assert_eq!(s[1].name.as_deref(), Some("producers"));
        assert!(debug_sections(&s).is_empty());
    }

    #[test]
    fn flags_post_mvp_features() {
        let tf = features(&[
            (b'+', "mutable-globals"),
            (b'+', "reference-types"),
            (b'-', "simd128"),
        ]);
        let m = module(&[custom("target_features", &tf)]);
        let s = sections(&m).unwrap();
        assert_eq!(
            forbidden_features(&s).unwrap(),
            vec!["reference-types".to_string()]
        );
    }

    #[test]
    fn mvp_module_passes() {
        let tf = features(&[(b'+', "mutable-globals")]);
        let m = module(&[custom("target_features", &tf)]);
        assert!(forbidden_features(&sections(&m).unwrap())
            .unwrap()
            .is_empty());
    }

    #[test]
    fn spots_debug_builds() {
        let m = module(&[custom("name", &[]), custom(".debug_info", &[])]);
        assert_eq!(
            debug_sections(&sections(&m).unwrap()),
            vec!["name", ".debug_info"]
        );
    }

    #[test]
    fn rejects_garbage() {
        assert!(sections(b"<!DOCTYPE html>").is_err());
        let mut m = module(&[]);
        m.extend_from_slice(&[1, 50]); // section claims 50 bytes that are not there
        assert!(sections(&m).is_err());
    }
}
