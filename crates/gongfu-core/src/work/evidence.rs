//! Evidence (佐证材料) attached to milestones, plans and meetings: photos and documents, with
//! a size limit and a type decided by the file's own first bytes, not by its name alone.

use crate::DomainError;
use serde::{Deserialize, Serialize};

/// Largest file accepted: 10 MiB.
pub const MAX_BYTES: usize = 10 * 1024 * 1024;
pub const FILE_NAME_MAX: usize = 100;

/// The kinds of file accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    Jpeg,
    Png,
    Pdf,
    Docx,
    Xlsx,
}

impl FileKind {
    pub fn content_type(self) -> &'static str {
        match self {
            FileKind::Jpeg => "image/jpeg",
            FileKind::Png => "image/png",
            FileKind::Pdf => "application/pdf",
            FileKind::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            FileKind::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }
    pub fn is_image(self) -> bool {
        matches!(self, FileKind::Jpeg | FileKind::Png)
    }
    pub fn from_content_type(s: &str) -> Option<FileKind> {
        [
            FileKind::Jpeg,
            FileKind::Png,
            FileKind::Pdf,
            FileKind::Docx,
            FileKind::Xlsx,
        ]
        .into_iter()
        .find(|k| k.content_type() == s)
    }
}

/// A file that passed the checks: its cleaned name and its kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedFile {
    pub name: String,
    pub kind: FileKind,
}

/// Checks an uploaded file: not empty, at most [`MAX_BYTES`], a JPEG, PNG or PDF by its
/// first bytes, or a Word / Excel file (a ZIP container named .docx / .xlsx). The name keeps
/// only its last path part, without control characters.
pub fn check_file(name: &str, bytes: &[u8]) -> Result<CheckedFile, DomainError> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("").trim();
    let clean: String = base.chars().filter(|c| !c.is_control()).collect();
    if clean.is_empty() {
        return Err(DomainError::new("required", "file", "请选择要上传的文件"));
    }
    if clean.chars().count() > FILE_NAME_MAX {
        return Err(DomainError::new(
            "too_long",
            "file",
            format!("文件名不超过 {FILE_NAME_MAX} 个字"),
        ));
    }
    if bytes.is_empty() {
        return Err(DomainError::new(
            "empty_file",
            "file",
            format!("文件「{clean}」是空的"),
        ));
    }
    if bytes.len() > MAX_BYTES {
        return Err(DomainError::new(
            "too_large",
            "file",
            format!(
                "文件「{clean}」有 {:.1} MB，超过 10 MB 上限，请压缩后再传",
                bytes.len() as f64 / 1_048_576.0
            ),
        ));
    }
    let lower = clean.to_lowercase();
    let kind = if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(FileKind::Jpeg)
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(FileKind::Png)
    } else if bytes.starts_with(b"%PDF-") {
        Some(FileKind::Pdf)
    } else if bytes.starts_with(b"PK\x03\x04") && lower.ends_with(".docx") {
        Some(FileKind::Docx)
    } else if bytes.starts_with(b"PK\x03\x04") && lower.ends_with(".xlsx") {
        Some(FileKind::Xlsx)
    } else {
        None
    };
    match kind {
        Some(kind) => Ok(CheckedFile { name: clean, kind }),
        None => Err(DomainError::new(
            "unsupported_type",
            "file",
            format!(
                "文件「{clean}」的类型不支持：只接受 JPG、PNG 照片和 PDF、Word（.docx）、Excel（.xlsx）文件"
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_come_from_the_bytes() {
        assert_eq!(
            check_file("现场.jpg", &[0xFF, 0xD8, 0xFF, 0xE0])
                .unwrap()
                .kind,
            FileKind::Jpeg
        );
        assert_eq!(
            check_file("C:\\照片\\验收.PNG", b"\x89PNG\r\n\x1a\n..")
                .unwrap()
                .name,
            "验收.PNG"
        );
        assert_eq!(
            check_file("纪要.pdf", b"%PDF-1.7").unwrap().kind,
            FileKind::Pdf
        );
        assert_eq!(
            check_file("方案.docx", b"PK\x03\x04rest").unwrap().kind,
            FileKind::Docx
        );
        // A renamed executable is refused whatever its name says.
        let e = check_file("照片.jpg", b"MZ\x90\x00").unwrap_err();
        assert_eq!(e.code, "unsupported_type");
        // A zip named .jpg is not a photo either.
        assert!(check_file("a.jpg", b"PK\x03\x04").is_err());
        assert_eq!(check_file("a.pdf", b"").unwrap_err().code, "empty_file");
        assert_eq!(check_file("", b"%PDF").unwrap_err().code, "required");
        let big = vec![0u8; MAX_BYTES + 1];
        assert_eq!(check_file("a.pdf", &big).unwrap_err().code, "too_large");
    }
}
