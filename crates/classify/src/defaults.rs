//! A generic set of citizen-feedback categories, in Vietnamese, to start a deployment with.

use crate::Category;

/// Generic categories of citizen feedback (phản ánh, kiến nghị) with Vietnamese names,
/// descriptions and keywords: what a deployment starts from before it defines its own Open311
/// service codes. `Model::train(&default_categories(), &[], &Params::default())` is a zero-shot
/// model that needs no download and no example.
pub fn default_categories() -> Vec<Category> {
    let c = |code: &str, name: &str, description: &str, keywords: &[&str]| {
        Category::new(code, name, description).with_keywords(keywords.iter().copied())
    };
    vec![
        c(
            "dat_dai",
            "Đất đai",
            "Tranh chấp, lấn chiếm đất đai, ranh giới thửa đất; cấp giấy chứng nhận quyền sử dụng đất (sổ đỏ, \
             sổ hồng); thu hồi đất, bồi thường, hỗ trợ, tái định cư, giải phóng mặt bằng; chuyển mục đích sử \
             dụng đất; quy hoạch sử dụng đất.",
            &["sổ đỏ", "thửa đất", "lấn chiếm đất", "giải phóng mặt bằng", "tái định cư", "địa chính"],
        ),
        c(
            "giao_thong",
            "Giao thông",
            "Mặt đường hư hỏng, ổ gà, ổ voi, sụt lún, nứt; đèn tín hiệu giao thông hỏng; biển báo, vạch kẻ \
             đường; ùn tắc, tai nạn giao thông; lấn chiếm lòng đường, vỉa hè; đỗ xe sai quy định; xe quá tải; \
             cầu, hầm, đường sá xuống cấp.",
            &["ổ gà", "đèn đỏ", "kẹt xe", "tắc đường", "vỉa hè", "xe tải", "biển báo"],
        ),
        c(
            "moi_truong",
            "Môi trường",
            "Ô nhiễm không khí, khói bụi, mùi hôi thối; nước thải, xả thải ra sông, kênh, mương; rác thải sinh \
             hoạt không được thu gom, bãi rác tự phát, đốt rác; ô nhiễm nguồn nước; chất thải của nhà máy, cơ sở \
             chăn nuôi.",
            &["rác", "rác thải", "ô nhiễm", "bốc mùi", "hôi thối", "nước thải", "khói bụi", "xả thải"],
        ),
        c(
            "y_te",
            "Y tế",
            "Khám chữa bệnh tại bệnh viện, trạm y tế; thái độ của bác sĩ, nhân viên y tế; bảo hiểm y tế; thuốc, \
             giá thuốc; dịch bệnh, sốt xuất huyết, tiêm chủng; an toàn vệ sinh thực phẩm, ngộ độc thực phẩm.",
            &["bệnh viện", "bác sĩ", "bảo hiểm y tế", "tiêm chủng", "ngộ độc", "dịch bệnh", "khám bệnh"],
        ),
        c(
            "giao_duc",
            "Giáo dục",
            "Trường học, lớp học, học sinh, giáo viên; học phí và các khoản thu đầu năm; dạy thêm, học thêm; \
             cơ sở vật chất trường lớp; tuyển sinh, thi cử; bạo lực học đường.",
            &["trường học", "học sinh", "giáo viên", "học phí", "học thêm", "tuyển sinh", "nhà trường"],
        ),
        c(
            "dien_nuoc",
            "Điện, nước sinh hoạt",
            "Mất điện, cúp điện, điện chập chờn, điện yếu; đường dây, cột điện, trạm biến áp nguy hiểm; mất nước, \
             nước sinh hoạt đục, bẩn, có mùi, áp lực nước yếu; hóa đơn tiền điện, tiền nước bất thường.",
            &["mất điện", "cúp điện", "mất nước", "tiền điện", "tiền nước", "cột điện", "nước máy"],
        ),
        c(
            "an_ninh_trat_tu",
            "An ninh, trật tự",
            "Trộm cắp, cướp giật; đánh nhau, gây rối trật tự công cộng; tụ tập thanh niên, đua xe trái phép; \
             hát karaoke gây ồn ào về đêm; cờ bạc, ma túy, tệ nạn xã hội; lừa đảo.",
            &["trộm", "cướp", "đánh nhau", "đua xe", "karaoke", "ma túy", "cờ bạc", "lừa đảo"],
        ),
        c(
            "xay_dung_do_thi",
            "Xây dựng, đô thị",
            "Xây dựng không phép, sai phép, công trình lấn chiếm; chiếu sáng công cộng, đèn đường không sáng; \
             cây xanh gãy đổ, nghiêng; cống thoát nước, ngập úng khi mưa; công viên, vệ sinh đô thị; trật tự xây \
             dựng.",
            &["xây dựng không phép", "đèn đường", "cây xanh", "ngập", "cống", "thoát nước", "công trình"],
        ),
        c(
            "thu_tuc_hanh_chinh",
            "Thủ tục hành chính",
            "Hồ sơ, giấy tờ, thủ tục hành chính; chứng thực, hộ tịch, khai sinh, kết hôn; căn cước công dân; \
             đăng ký thường trú, tạm trú; giải quyết hồ sơ chậm, trễ hẹn; thái độ của cán bộ, công chức; bộ phận \
             một cửa; dịch vụ công trực tuyến.",
            &["hồ sơ", "thủ tục", "giấy tờ", "một cửa", "căn cước", "tạm trú", "trễ hẹn", "cán bộ"],
        ),
        c(
            "chinh_sach_xa_hoi",
            "Lao động, chính sách xã hội",
            "Trợ cấp, chế độ cho người có công, hộ nghèo, người khuyết tật, người cao tuổi; bảo hiểm xã hội, \
             lương hưu, bảo hiểm thất nghiệp; nợ lương, hợp đồng lao động; việc làm.",
            &["trợ cấp", "hộ nghèo", "bảo hiểm xã hội", "lương hưu", "nợ lương", "người có công", "việc làm"],
        ),
    ]
}
