//! A report as a provincial department would send it.

use chrono::NaiveDate;
use documents::{AdminDocument, Block, DocTable, Signature};

/// A body paragraph dense with stacked diacritics.
pub const DIACRITICS: &str = "Hưởng ứng Quyết định số 749/QĐ-TTg, tỉnh đã triển khai đồng bộ \
    các giải pháp; người dân không còn ỷ lại, chủ động sử dụng dịch vụ công trực tuyến toàn trình, \
    thanh toán không dùng tiền mặt và tra cứu hồ sơ trên Cổng dịch vụ công quốc gia.";

pub const SIGNER: &str = "Nguyễn Thị Hường";

pub fn report() -> AdminDocument {
    let mut body = vec![
        Block::Heading { level: 1, text: "I. KẾT QUẢ ĐẠT ĐƯỢC".into() },
        Block::Heading { level: 2, text: "1. Về chính quyền số".into() },
        Block::Paragraph(DIACRITICS.into()),
        Block::Heading { level: 3, text: "a) Hạ tầng số".into() },
    ];
    for round in 1..=8 {
        body.push(Block::Paragraph(format!(
            "Đợt {round}: các sở, ban, ngành đã rà soát, chuẩn hóa dữ liệu dùng chung, kết nối \
             với Trục liên thông văn bản quốc gia và báo cáo định kỳ đúng hạn."
        )));
    }
    body.push(Block::Table(DocTable {
        caption: Some("Bảng 1. Chỉ số chuyển đổi số cấp huyện".into()),
        headers: vec!["STT".into(), "Đơn vị".into(), "Hồ sơ trực tuyến".into(), "Tỷ lệ (%)".into()],
        rows: vec![
            vec!["1".into(), "Thành phố Quảng Ngãi".into(), "12.345".into(), "87,5".into()],
            vec!["2".into(), "Huyện Lý Sơn".into(), "1.204".into(), "64,25".into()],
            vec!["3".into(), "Thị xã Đức Phổ".into(), "4.311".into(), "79".into()],
        ],
    }));
    body.push(Block::Heading { level: 1, text: "II. PHƯƠNG HƯỚNG, NHIỆM VỤ".into() });
    body.push(Block::Paragraph("Tiếp tục hoàn thiện thể chế, bảo đảm an toàn thông tin mạng.".into()));
    AdminDocument {
        parent_agency: Some("UBND TỈNH QUẢNG NGÃI".into()),
        agency: "Sở Khoa học và Công nghệ".into(),
        number_symbol: "123/BC-SKHCN".into(),
        place: "Quảng Ngãi".into(),
        date: NaiveDate::from_ymd_opt(2026, 12, 5).expect("a real date"),
        kind: "Báo cáo".into(),
        title: "Kết quả thực hiện chuyển đổi số năm 2026".into(),
        body,
        recipients: vec!["Bộ Khoa học và Công nghệ".into(), "UBND tỉnh".into(), "Lưu: VT, CĐS".into()],
        signature: Signature {
            authority: Some("KT. Giám đốc".into()),
            title: "Phó Giám đốc".into(),
            name: SIGNER.into(),
        },
    }
}

/// Lines a reader must find in the rendered document, as printed.
pub const EXPECTED_LINES: &[&str] = &[
    "UBND TỈNH QUẢNG NGÃI",
    "SỞ KHOA HỌC VÀ CÔNG NGHỆ",
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
    "Số: 123/BC-SKHCN",
    "Quảng Ngãi, ngày 05 tháng 12 năm 2026",
    "BÁO CÁO",
    "Kết quả thực hiện chuyển đổi số năm 2026",
    "I. KẾT QUẢ ĐẠT ĐƯỢC",
    "1. Về chính quyền số",
    "a) Hạ tầng số",
    "Bảng 1. Chỉ số chuyển đổi số cấp huyện",
    "II. PHƯƠNG HƯỚNG, NHIỆM VỤ",
    "Nơi nhận:",
    "- Bộ Khoa học và Công nghệ;",
    "- Lưu: VT, CĐS.",
    "KT. GIÁM ĐỐC",
    "PHÓ GIÁM ĐỐC",
    SIGNER,
];
