//! The message catalogue: every user-facing sentence about a domain error, in Vietnamese,
//! in one place so that pages and API say the same thing.

use crate::DomainError;

/// One generic sentence for every failed login, so it does not tell whether a user exists.
pub const LOGIN_FAILED: &str =
    "Tên đăng nhập hoặc mật khẩu không đúng, hoặc tài khoản đang tạm khóa do đăng nhập sai nhiều lần.";

/// Short title of an error (the problem+json `title`, the error page's heading).
pub fn title(e: &DomainError) -> &'static str {
    match e {
        DomainError::NotFound { .. } => "Không tìm thấy",
        DomainError::Forbidden(_) => "Không có quyền",
        DomainError::Unauthenticated | DomainError::Locked { .. } => "Đăng nhập không thành công",
        DomainError::Invalid { .. } => "Dữ liệu không hợp lệ",
        DomainError::Conflict(_) => "Xung đột dữ liệu",
        DomainError::Transition { .. } => "Không thực hiện được bước này",
        DomainError::Stale { .. } => "Dữ liệu đã được người khác sửa",
        DomainError::Rejected(_) => "Tệp nhập có lỗi",
        DomainError::Incomplete(_) => "Chưa đủ nội dung",
        DomainError::Storage(_) => "Lỗi hệ thống",
    }
}

/// The full sentence shown to the user (the problem+json `detail`).
pub fn detail(e: &DomainError) -> String {
    match e {
        DomainError::NotFound { what, key } => format!("Không tìm thấy {what} '{key}'."),
        DomainError::Forbidden(what) => format!("Bạn không có quyền {what}."),
        DomainError::Unauthenticated | DomainError::Locked { .. } => LOGIN_FAILED.into(),
        DomainError::Invalid { field, message } => format!("Trường '{field}': {message}."),
        DomainError::Conflict(m) => format!("Không thể lưu: {m}."),
        DomainError::Transition { state, action } => {
            format!("Không thể {action} khi đang ở trạng thái \u{201c}{state}\u{201d}.")
        }
        DomainError::Stale { changes } => format!(
            "Người khác đã sửa bản ghi này trong lúc bạn sửa; thay đổi của bạn chưa được lưu. Đã thay đổi: {}. \
             Hãy xem lại rồi lưu lần nữa.",
            changes.join("; ")
        ),
        DomainError::Rejected(rows) => format!(
            "Không nhập dòng nào vì tệp có {} lỗi: {}.",
            rows.len(),
            rows.iter()
                .take(20)
                .map(|r| if r.column.is_empty() {
                    format!("dòng {}: {}", r.line, r.message)
                } else {
                    format!("dòng {}, cột '{}': {}", r.line, r.column, r.message)
                })
                .collect::<Vec<_>>()
                .join("; ")
        ),
        DomainError::Incomplete(problems) => format!(
            "Chưa thực hiện được vì còn {} nội dung thiếu: {}.",
            problems.len(),
            problems.iter().take(30).map(|p| p.message.as_str()).collect::<Vec<_>>().join("; ")
        ),
        DomainError::Storage(_) => "Đã có lỗi hệ thống; thao tác chưa được thực hiện. Vui lòng thử lại sau.".into(),
    }
}
