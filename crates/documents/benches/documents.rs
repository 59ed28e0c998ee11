//! A national synthesis report (about 20 pages: 34 provinces, each with narratives per area
//! and a table of 10 indicators) rendered to DOCX and to PDF.

use std::time::Duration;

use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};
use documents::{AdminDocument, Block, DocTable, Signature};

const PROVINCES: [&str; 34] = [
    "Hà Nội",
    "Huế",
    "Lai Châu",
    "Điện Biên",
    "Sơn La",
    "Lạng Sơn",
    "Quảng Ninh",
    "Thanh Hóa",
    "Nghệ An",
    "Hà Tĩnh",
    "Cao Bằng",
    "Tuyên Quang",
    "Lào Cai",
    "Thái Nguyên",
    "Phú Thọ",
    "Bắc Ninh",
    "Hưng Yên",
    "Hải Phòng",
    "Ninh Bình",
    "Quảng Trị",
    "Đà Nẵng",
    "Quảng Ngãi",
    "Gia Lai",
    "Khánh Hòa",
    "Lâm Đồng",
    "Đắk Lắk",
    "Thành phố Hồ Chí Minh",
    "Đồng Nai",
    "Tây Ninh",
    "Cần Thơ",
    "Vĩnh Long",
    "Đồng Tháp",
    "Cà Mau",
    "An Giang",
];

const AREAS: [&str; 3] = ["chính quyền số", "kinh tế số", "xã hội số"];

const INDICATORS: [&str; 10] = [
    "Hồ sơ trực tuyến toàn trình",
    "Thủ tục hành chính liên thông",
    "Văn bản điện tử có ký số",
    "Cơ sở dữ liệu dùng chung",
    "Doanh nghiệp công nghệ số",
    "Giao dịch không dùng tiền mặt",
    "Hộ gia đình có cáp quang",
    "Người dân có danh tính số",
    "Cán bộ được tập huấn kỹ năng số",
    "Sự cố an toàn thông tin được xử lý",
];

fn national_report() -> AdminDocument {
    let mut body =
        vec![Block::Heading { level: 1, text: "I. KẾT QUẢ THỰC HIỆN TẠI CÁC ĐỊA PHƯƠNG".into() }];
    for (index, province) in PROVINCES.iter().enumerate() {
        body.push(Block::Heading { level: 2, text: format!("{}. {province}", index + 1) });
        for area in AREAS {
            body.push(Block::Paragraph(format!(
                "Về {area}, {province} đã ban hành kế hoạch triển khai, bố trí nguồn lực và \
                 phân công nhiệm vụ cụ thể cho từng cơ quan, đơn vị; kết quả được theo dõi \
                 hằng tháng trên hệ thống báo cáo, những chỉ tiêu chưa đạt được phân tích \
                 nguyên nhân và đề xuất giải pháp khắc phục trong quý tiếp theo."
            )));
        }
        let rows = INDICATORS
            .iter()
            .enumerate()
            .map(|(row, indicator)| {
                let planned = 1_000 + 137 * (index + row);
                let done = planned * (70 + (index * 7 + row * 3) % 30) / 100;
                vec![
                    (row + 1).to_string(),
                    (*indicator).to_owned(),
                    planned.to_string(),
                    done.to_string(),
                    format!("{:.1}", done as f64 * 100.0 / planned as f64).replace('.', ","),
                ]
            })
            .collect();
        body.push(Block::Table(DocTable {
            caption: Some(format!("Bảng {}. Chỉ tiêu chuyển đổi số của {province}", index + 1)),
            headers: ["STT", "Chỉ tiêu", "Kế hoạch", "Thực hiện", "Tỷ lệ (%)"].map(String::from).to_vec(),
            rows,
        }));
    }
    AdminDocument {
        parent_agency: Some("BỘ KHOA HỌC VÀ CÔNG NGHỆ".into()),
        agency: "CỤC CHUYỂN ĐỔI SỐ QUỐC GIA".into(),
        number_symbol: "45/BC-CĐSQG".into(),
        place: "Hà Nội".into(),
        date: NaiveDate::from_ymd_opt(2026, 12, 28).expect("a real date"),
        kind: "BÁO CÁO".into(),
        title: "Tổng hợp kết quả chuyển đổi số quốc gia năm 2026".into(),
        body,
        recipients: vec![
            "Thủ tướng Chính phủ (để b/c)".into(),
            "Bộ trưởng (để b/c)".into(),
            "UBND các tỉnh, thành phố".into(),
            "Lưu: VT, CĐSQG".into(),
        ],
        signature: Signature {
            authority: Some("KT. CỤC TRƯỞNG".into()),
            title: "PHÓ CỤC TRƯỞNG".into(),
            name: "Trần Văn B".into(),
        },
    }
}

fn render(c: &mut Criterion) {
    let report = national_report();
    let mut group = c.benchmark_group("national_report");
    group.sample_size(10).measurement_time(Duration::from_secs(10));
    group.bench_function("to_docx", |b| b.iter(|| documents::to_docx(&report).expect("DOCX renders")));
    group.bench_function("to_pdf", |b| b.iter(|| documents::to_pdf(&report).expect("PDF renders")));
    group.finish();
}

criterion_group!(benches, render);
criterion_main!(benches);
