//! Photos before anything trusts them. A JPEG or PNG says in its header how big it will be
//! once decoded; a 470 KB PNG can declare 11000² pixels (363 MB of RGB). So the header is
//! read first, without decoding a pixel, and refused when it declares too much. Only then is
//! the photo decoded, under [`limits`] as a second line of defence, on the blocking pool and
//! bounded by [`ImagePool`] (never on the async workers that answer everyone else).

mod pool;

use std::io::Cursor;

use image::{DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader, Limits};

pub use pool::{ImagePool, PoolError};

/// Smallest side that can hold a legible license.
pub const MIN_SIDE: u32 = 320;
/// A generous upper bound on either side.
pub const MAX_SIDE: u32 = 10_000;
/// 40 megapixels: more than any phone camera gives, far less than a bomb declares.
pub const MAX_PIXELS: u64 = 40_000_000;
/// What the decoded pixels may take (width × height × channels × bytes per sample).
pub const MAX_DECODED_BYTES: u64 = 200_000_000;
/// What reading a header may allocate (a PNG's ICC profile is inflated before its pixels).
const HEADER_ALLOC: u64 = 16 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhotoFormat {
    Jpeg,
    Png,
}

impl PhotoFormat {
    pub fn extension(self) -> &'static str {
        match self {
            PhotoFormat::Jpeg => "jpg",
            PhotoFormat::Png => "png",
        }
    }

    fn image_format(self) -> ImageFormat {
        match self {
            PhotoFormat::Jpeg => ImageFormat::Jpeg,
            PhotoFormat::Png => ImageFormat::Png,
        }
    }
}

/// By magic bytes, never by the name or the declared type.
pub fn sniff(bytes: &[u8]) -> Option<PhotoFormat> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(PhotoFormat::Jpeg)
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(PhotoFormat::Png)
    } else {
        None
    }
}

/// Why a photo is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("not a JPEG or PNG")]
    NotAnImage,
    #[error("undecodable")]
    Undecodable,
    #[error("{width}x{height} is too small")]
    TooSmall { width: u32, height: u32 },
    #[error("{width}x{height} has a side over {MAX_SIDE}")]
    SideTooLong { width: u32, height: u32 },
    #[error("{width}x{height} is over {MAX_PIXELS} pixels")]
    TooManyPixels { width: u32, height: u32 },
    #[error("would decode to {bytes} bytes")]
    TooMuchMemory { bytes: u64 },
    /// Met while decoding: the decoder's own [`limits`].
    #[error("over the decoder's limits")]
    OverDecoderLimits,
}

/// What a header declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    pub format: PhotoFormat,
    pub width: u32,
    pub height: u32,
    /// The decoded pixels' size, from the header's color type and bit depth.
    pub decoded_bytes: u64,
}

/// Reads the format and the declared size without decoding pixels, and applies every size
/// rule. Cheap (microseconds), so it runs before any queue or worker is involved.
pub fn inspect(bytes: &[u8]) -> Result<Header, Refusal> {
    let format = sniff(bytes).ok_or(Refusal::NotAnImage)?;
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format.image_format());
    let mut header_limits = Limits::no_limits();
    header_limits.max_alloc = Some(HEADER_ALLOC);
    reader.limits(header_limits);
    let decoder = reader.into_decoder().map_err(|_| Refusal::Undecodable)?;
    let (width, height) = decoder.dimensions();
    let header = Header {
        format,
        width,
        height,
        decoded_bytes: decoder.total_bytes(),
    };
    check(&header)?;
    Ok(header)
}

/// The size rules. Pixels and memory first: a bomb is 413 whatever its sides.
fn check(h: &Header) -> Result<(), Refusal> {
    let (width, height) = (h.width, h.height);
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(Refusal::TooManyPixels { width, height });
    }
    if h.decoded_bytes > MAX_DECODED_BYTES {
        return Err(Refusal::TooMuchMemory {
            bytes: h.decoded_bytes,
        });
    }
    if width.min(height) < MIN_SIDE {
        return Err(Refusal::TooSmall { width, height });
    }
    if width.max(height) > MAX_SIDE {
        return Err(Refusal::SideTooLong { width, height });
    }
    Ok(())
}

/// The decoder's own limits: whatever a header claimed, decoding stops here.
pub fn limits() -> Limits {
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODED_BYTES);
    limits
}

fn refusal(e: ImageError) -> Refusal {
    match e {
        ImageError::Limits(_) => Refusal::OverDecoderLimits,
        _ => Refusal::Undecodable,
    }
}

/// Decodes the whole photo under [`limits`]. Blocking (up to seconds for a large photo): run
/// it through [`ImagePool`].
pub fn decode(bytes: &[u8], format: PhotoFormat) -> Result<DynamicImage, Refusal> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format.image_format());
    reader.limits(limits());
    reader.decode().map_err(refusal)
}

/// As [`decode`], for a format found by magic bytes, with the decoder kept until the pixels
/// are read so that the caller can take its EXIF orientation (the OCR engine does).
pub fn decode_oriented(bytes: &[u8]) -> Result<DynamicImage, String> {
    let format = sniff(bytes).ok_or("not a JPEG or PNG")?;
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format.image_format());
    reader.limits(limits());
    let mut decoder = reader.into_decoder().map_err(|e| e.to_string())?;
    let declared = decoder.total_bytes();
    // `from_decoder` does not count the output buffer against `max_alloc`: count it here.
    if declared > MAX_DECODED_BYTES {
        return Err(Refusal::TooMuchMemory { bytes: declared }.to_string());
    }
    let orientation = decoder.orientation().ok();
    let mut img = DynamicImage::from_decoder(decoder).map_err(|e| e.to_string())?;
    if let Some(o) = orientation {
        img.apply_orientation(o);
    }
    Ok(img)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png_header_only(width: u32, height: u32) -> Vec<u8> {
        // Signature and IHDR (8-bit RGB) with its CRC, then a truncated stream: enough for a
        // header, nothing to decode.
        let mut ihdr = Vec::new();
        ihdr.extend_from_slice(b"IHDR");
        ihdr.extend_from_slice(&width.to_be_bytes());
        ihdr.extend_from_slice(&height.to_be_bytes());
        ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
        let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
        out.extend_from_slice(&13u32.to_be_bytes());
        out.extend_from_slice(&ihdr);
        out.extend_from_slice(&crc32(&ihdr).to_be_bytes());
        // An empty IDAT, so that the header reader finds where the pixels would start.
        out.extend_from_slice(&0u32.to_be_bytes());
        out.extend_from_slice(b"IDAT");
        out.extend_from_slice(&crc32(b"IDAT").to_be_bytes());
        out
    }

    fn crc32(data: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &b in data {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    fn jpeg(width: u32, height: u32) -> Vec<u8> {
        let img = image::RgbImage::from_pixel(width, height, image::Rgb([200, 180, 160]));
        let mut out = Cursor::new(Vec::new());
        DynamicImage::ImageRgb8(img)
            .write_to(&mut out, ImageFormat::Jpeg)
            .unwrap();
        out.into_inner()
    }

    #[test]
    fn sniffs_by_magic_bytes() {
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some(PhotoFormat::Jpeg));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), Some(PhotoFormat::Png));
        assert_eq!(sniff(b"%PDF-1.7"), None);
        assert_eq!(sniff(b""), None);
    }

    #[test]
    fn the_header_alone_decides_the_size() {
        assert_eq!(
            inspect(&png_header_only(11_000, 11_000)),
            Err(Refusal::TooManyPixels {
                width: 11_000,
                height: 11_000
            })
        );
        // 36 MP passes the header; its pixels are not there, which only decoding finds.
        let h = inspect(&png_header_only(7200, 5000)).unwrap();
        assert_eq!(
            (h.width, h.height, h.decoded_bytes),
            (7200, 5000, 108_000_000)
        );
        assert_eq!(
            decode(&png_header_only(7200, 5000), PhotoFormat::Png).unwrap_err(),
            Refusal::Undecodable
        );
        assert_eq!(
            inspect(&png_header_only(12_000, 400)),
            Err(Refusal::SideTooLong {
                width: 12_000,
                height: 400
            })
        );
        assert_eq!(
            inspect(&png_header_only(2000, 200)),
            Err(Refusal::TooSmall {
                width: 2000,
                height: 200
            })
        );
        assert_eq!(
            inspect(b"\x89PNG\r\n\x1a\ngarbage"),
            Err(Refusal::Undecodable)
        );
        assert_eq!(inspect(b"GIF89a"), Err(Refusal::NotAnImage));
    }

    #[test]
    fn jpeg_headers_are_read_without_decoding() {
        let h = inspect(&jpeg(640, 480)).unwrap();
        assert_eq!(
            (h.format, h.width, h.height, h.decoded_bytes),
            (PhotoFormat::Jpeg, 640, 480, 640 * 480 * 3)
        );
        assert_eq!(
            decode(&jpeg(640, 480), PhotoFormat::Jpeg).unwrap().width(),
            640
        );
    }

    #[test]
    fn the_decoder_stops_at_its_own_limits() {
        // Past the header rules (which `decode` does not apply), the decoder's limits hold.
        let wide = png_header_only(MAX_SIDE + 1, 400);
        assert_eq!(
            decode(&wide, PhotoFormat::Png).unwrap_err(),
            Refusal::OverDecoderLimits
        );
        assert!(decode_oriented(&wide).is_err());
    }
}
