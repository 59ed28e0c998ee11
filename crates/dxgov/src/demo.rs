//! Demo data, so a newcomer sees a living system: internal units and accounts in several roles
//! and places. Idempotent: does nothing when the demo accounts exist.

use domain::Services;
use domain::auth::Role;

/// (username, full name, org code of the account, role, org code of the grant)
const ACCOUNTS: &[(&str, &str, &str, Role, &str)] = &[
    ("cds.dieuphoi", "Nguyễn Văn Điều Phối", "BKHCN.CDS", Role::Coordinator, "VN"),
    ("thanhtra", "Trần Thị Thanh Tra", "TTCP", Role::Auditor, "VN"),
    ("qngai.quantri", "Lê Quản Trị", "51.SKHCN", Role::Admin, "51"),
    ("qngai.daumoi", "Phạm Đầu Mối", "51.SKHCN", Role::FocalPoint, "51"),
    ("qngai.lanhdao", "Võ Lãnh Đạo", "51.SKHCN", Role::Leader, "51.SKHCN"),
    ("qngai.chuyenvien", "Đặng Chuyên Viên", "51.SKHCN.CDS", Role::Officer, "51.SKHCN.CDS"),
    ("hanoi.quantri", "Hoàng Quản Trị", "01.SKHCN", Role::Admin, "01"),
    ("hanoi.chuyenvien", "Bùi Chuyên Viên", "01.SKHCN", Role::Officer, "01.SKHCN"),
    ("btc.daumoi", "Đỗ Đầu Mối", "BTC", Role::FocalPoint, "BTC"),
];

const UNITS: &[(&str, &str, &str)] = &[
    ("BKHCN", "BKHCN.CDS", "Cục Chuyển đổi số quốc gia"),
    ("51", "51.SKHCN", "Sở Khoa học và Công nghệ tỉnh Quảng Ngãi"),
    ("51.SKHCN", "51.SKHCN.CDS", "Phòng Chuyển đổi số"),
    ("01", "01.SKHCN", "Sở Khoa học và Công nghệ thành phố Hà Nội"),
];

/// Loads the demo data; returns the usernames created (empty when already there).
pub async fn load(services: &Services, password: &str) -> domain::Result<Vec<&'static str>> {
    if services.org_by_code("51.SKHCN", None).await.is_ok() {
        return Ok(Vec::new());
    }
    for (parent, code, name) in UNITS {
        services.seed_internal_unit(parent, code, name).await?;
    }
    let mut created = Vec::new();
    for (username, full_name, org, role, grant_org) in ACCOUNTS {
        services.seed_user(username, full_name, org, *role, grant_org, password).await?;
        created.push(*username);
    }
    Ok(created)
}
