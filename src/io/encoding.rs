//! What a file really holds, from its first bytes: a Parquet file or an Excel
//! workbook misnamed `.csv`, or text in UTF-16 or a legacy single-byte
//! encoding; and decoding such text to UTF-8 so the CSV reader sees one form.

use std::path::Path;
use std::str::FromStr;

use encoding_rs::Encoding;

use crate::error::Error;

/// A text encoding, by any of its WHATWG labels (`utf-8`, `utf-16le`,
/// `windows-1252`, `latin1`, `iso-8859-15`, `shift_jis` …).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextEncoding(&'static Encoding);

impl TextEncoding {
    /// UTF-8, the default.
    pub fn utf8() -> Self {
        TextEncoding(encoding_rs::UTF_8)
    }

    /// The encoding's canonical name.
    pub fn name(&self) -> &'static str {
        self.0.name()
    }

    fn is_utf8(&self) -> bool {
        self.0 == encoding_rs::UTF_8
    }
}

impl serde::Serialize for TextEncoding {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl FromStr for TextEncoding {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        let label = match s.trim().to_ascii_lowercase().as_str() {
            // WHATWG maps plain "utf-16" to little-endian; say so by accepting it.
            "utf16" => "utf-16".to_string(),
            "cp1252" => "windows-1252".to_string(),
            other => other.to_string(),
        };
        Encoding::for_label(label.as_bytes())
            .map(TextEncoding)
            .ok_or_else(|| {
                format!("'{s}' is not a known text encoding; use e.g. utf-8, utf-16le, windows-1252 or latin1")
            })
    }
}

/// What the first bytes of a file say it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Content {
    /// Text (CSV), possibly with a byte-order mark.
    Text,
    /// An Apache Parquet file (`PAR1`).
    Parquet,
    /// A zip archive: an `.xlsx` workbook, or another zip file.
    Zip,
    /// An OLE compound file: an Excel 97-2003 `.xls` workbook.
    Ole,
}

impl Content {
    /// Sniff the content from a file's first bytes.
    pub fn sniff(head: &[u8]) -> Content {
        if head.starts_with(b"PAR1") {
            Content::Parquet
        } else if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
            Content::Zip
        } else if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
            Content::Ole
        } else {
            Content::Text
        }
    }

    /// The error for reading content of this kind as CSV text.
    pub fn misnamed(self, path: &Path) -> Option<Error> {
        let (what, extension) = match self {
            Content::Text => return None,
            Content::Parquet => ("a Parquet file", "parquet"),
            Content::Zip => ("an Excel workbook (.xlsx) or another zip archive", "xlsx"),
            Content::Ole => ("an Excel 97-2003 workbook (.xls)", "xls"),
        };
        Some(Error::WrongFileKind {
            path: path.to_path_buf(),
            found: what.to_string(),
            hint: format!("rename it to end in .{extension} so it is read as one"),
        })
    }
}

/// The encoding a text file declares by its byte-order mark, or shows by the
/// zero bytes of UTF-16 text without one.
pub fn sniff_encoding(head: &[u8]) -> Option<TextEncoding> {
    if let Some((encoding, _)) = Encoding::for_bom(head) {
        return Some(TextEncoding(encoding));
    }
    // ASCII text in UTF-16 has a zero in every other byte.
    let pairs = head.len() / 2;
    if pairs >= 4 {
        let even = head
            .iter()
            .step_by(2)
            .take(pairs)
            .filter(|b| **b == 0)
            .count();
        let odd = head
            .iter()
            .skip(1)
            .step_by(2)
            .take(pairs)
            .filter(|b| **b == 0)
            .count();
        if odd * 10 >= pairs * 9 && even == 0 {
            return Some(TextEncoding(encoding_rs::UTF_16LE));
        }
        if even * 10 >= pairs * 9 && odd == 0 {
            return Some(TextEncoding(encoding_rs::UTF_16BE));
        }
    }
    None
}

/// Decode a whole file's bytes to UTF-8 (its byte-order mark removed), or
/// `None` when it is UTF-8 already and can be read as it is.
pub fn decode_to_utf8(bytes: &[u8], encoding: TextEncoding) -> Option<Vec<u8>> {
    if encoding.is_utf8() {
        return None;
    }
    let (text, _, _) = encoding.0.decode(bytes);
    Some(text.into_owned().into_bytes())
}

/// The error for bytes that are not UTF-8, naming the row they are on (0 for
/// the header), what they would read as in Windows-1252, and the fix.
pub fn not_utf8(path: &Path, row: usize, line: &[u8], bad_at: usize) -> Error {
    let byte = line.get(bad_at).copied().unwrap_or(0);
    let start = line[..bad_at.min(line.len())]
        .iter()
        .rposition(|b| *b == b',' || *b == b';' || *b == b'\t' || *b == b'|')
        .map(|i| i + 1)
        .unwrap_or(0);
    let end = (bad_at + 20).min(line.len());
    let (as_1252, _, _) = encoding_rs::WINDOWS_1252.decode(&line[start..end]);
    Error::NotUtf8 {
        path: path.to_path_buf(),
        row,
        byte,
        sample: as_1252.trim_end().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magic_bytes_name_the_real_format() {
        assert_eq!(Content::sniff(b"PAR1\x15\x04"), Content::Parquet);
        assert_eq!(Content::sniff(b"PK\x03\x04\x14\x00"), Content::Zip);
        assert_eq!(
            Content::sniff(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0]),
            Content::Ole
        );
        assert_eq!(Content::sniff(b"lead_id,industry\n"), Content::Text);
    }

    #[test]
    fn utf16_is_recognised_with_and_without_a_bom() {
        let le: Vec<u8> = "\u{feff}a,b\n1,2\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        assert_eq!(sniff_encoding(&le).map(|e| e.name()), Some("UTF-16LE"));
        let be_no_bom: Vec<u8> = "a,b\n1,2\n"
            .encode_utf16()
            .flat_map(u16::to_be_bytes)
            .collect();
        assert_eq!(
            sniff_encoding(&be_no_bom).map(|e| e.name()),
            Some("UTF-16BE")
        );
        assert_eq!(sniff_encoding(b"a,b\n1,2\n"), None);
        let decoded = decode_to_utf8(&le, sniff_encoding(&le).expect("utf-16")).expect("decoded");
        assert_eq!(decoded, b"a,b\n1,2\n");
    }

    #[test]
    fn labels_parse_to_encodings() {
        assert_eq!(
            "latin1".parse::<TextEncoding>().map(|e| e.name()),
            Ok("windows-1252")
        );
        assert_eq!(
            "cp1252".parse::<TextEncoding>().map(|e| e.name()),
            Ok("windows-1252")
        );
        assert!("klingon".parse::<TextEncoding>().is_err());
    }
}
