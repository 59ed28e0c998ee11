//! Demo source information: bulletins in every state — a national policy bulletin to the whole
//! country, an active storm alert to Quảng Ngãi and Đà Nẵng relayed by Quảng Ngãi with local
//! additions, a corrected bulletin, a withdrawn one, a scheduled one, a draft and one awaiting
//! approval — acknowledged and broadcast to different degrees, so a newcomer sees the portal's
//! emergency banner, a non-empty CAP feed and living reach figures. Every write goes through
//! the bulletin services, acting at the time of each event.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use domain::Services;
use domain::auth::Principal;
use domain::bulletins::{AlertFacts, BroadcastInput, Bulletin, BulletinInput, Category, StationInput, Step};
use domain::clock::ManualClock;
use domain::org::{OrgQuery, OrgType};

fn at(services: &Services, t: DateTime<Utc>) -> Services {
    services.with_clock(Arc::new(ManualClock::new(t)))
}

fn input(title: &str, body: &str, category: Category, targets: &[&str]) -> BulletinInput {
    BulletinInput {
        title: title.into(),
        body: body.into(),
        spoken: String::new(),
        category,
        publish_at: None,
        expires_at: None,
        targets: targets.iter().map(|t| t.to_string()).collect(),
        levels: domain::bulletins::RECEIVING_LEVELS.to_vec(),
        alert: None,
    }
}

/// Writes, submits and approves (which publishes) at `t`.
async fn publish(
    s: &Services,
    who: &Principal,
    org: &str,
    b: BulletinInput,
    t: DateTime<Utc>,
) -> domain::Result<Bulletin> {
    let s = at(s, t);
    let draft = s.create_bulletin(who, org, b).await?;
    let sent = s.bulletin_step(who, draft.id, Step::Submit, draft.row_version).await?;
    s.bulletin_step(who, sent.id, Step::Approve, sent.row_version).await
}

/// Communes of a province valid today, in code order.
async fn communes(s: &Services, province: &str, n: u64) -> domain::Result<Vec<String>> {
    let p = s.org_by_code(province, None).await?;
    let page = s
        .list_orgs(&OrgQuery {
            org_type: Some(OrgType::Commune),
            within_paths: Some(vec![p.path]),
            as_of: Some(s.clock().today()),
            limit: n,
            ..Default::default()
        })
        .await?;
    Ok(page.items.into_iter().map(|u| u.code).collect())
}

pub async fn load(services: &Services, password: &str) -> domain::Result<()> {
    let now = services.clock().now();
    let centre = services.login("cds.lanhdao", password, None).await?;
    let province = services.login("qngai.quantri", password, None).await?;
    let ward = services.login("camthanh.ttcs", password, None).await?;

    // A national policy bulletin to every province and commune, ten days ago.
    let mut policy = input(
        "Triển khai Chương trình chuyển đổi số quốc gia năm 2027",
        "Bộ Khoa học và Công nghệ đề nghị các tỉnh, thành phố tổ chức tuyên truyền đến người dân về lợi ích của \
         dịch vụ công trực tuyến toàn trình, tài khoản định danh điện tử và thanh toán không dùng tiền mặt.\n\n\
         Các xã, phường phát trên hệ thống truyền thanh cơ sở ít nhất hai lần mỗi tuần trong tháng 12.",
        Category::PolicyLaw,
        &["VN"],
    );
    policy.spoken = "Kính thưa bà con, từ tháng 12, người dân có thể làm thủ tục hành chính trực tuyến toàn trình \
                     trên Cổng Dịch vụ công quốc gia bằng tài khoản định danh điện tử."
        .into();
    let t0 = now - Duration::days(10);
    let policy = publish(services, &centre, "VN", policy, t0).await?;
    // Quảng Ngãi and a part of its communes acknowledge over the following days.
    let s = at(services, t0 + Duration::hours(2));
    s.acknowledge_bulletin(&province, policy.id, "51").await?;
    for (i, code) in communes(services, "51", 40).await?.iter().enumerate() {
        let s = at(services, t0 + Duration::hours(3 + 5 * i as i64));
        s.acknowledge_bulletin(&province, policy.id, code).await?;
    }

    // A health bulletin of Quảng Ngãi, corrected once (the first version stays in the history).
    let t1 = now - Duration::days(6);
    let health = publish(
        services,
        &province,
        "51",
        input(
            "Tiêm chủng mở rộng đợt 2 năm 2026",
            "Trạm y tế các xã, phường tổ chức tiêm chủng mở rộng cho trẻ dưới 5 tuổi từ ngày 20/11 đến 30/11.",
            Category::Health,
            &["51"],
        ),
        t1,
    )
    .await?;
    let s = at(services, t1 + Duration::hours(20));
    let v2 = s.correct_bulletin(&province, health.id).await?;
    let mut fixed = v2.input();
    fixed.body = "Trạm y tế các xã, phường tổ chức tiêm chủng mở rộng cho trẻ dưới 5 tuổi từ ngày 20/11 đến \
                  05/12 (kéo dài thêm 5 ngày)."
        .into();
    let v2 = s.update_bulletin(&province, v2.id, fixed, v2.row_version).await?;
    let v2 = s.bulletin_step(&province, v2.id, Step::Submit, v2.row_version).await?;
    s.bulletin_step(&province, v2.id, Step::Approve, v2.row_version).await?;

    // A withdrawn notice.
    let t2 = now - Duration::days(4);
    let wrong = publish(
        services,
        &province,
        "51",
        input(
            "Lịch cắt điện ngày 22/11",
            "Điện lực Quảng Ngãi thông báo cắt điện khu vực trung tâm từ 7 giờ đến 11 giờ ngày 22/11.",
            Category::Socioeconomic,
            &["51"],
        ),
        t2,
    )
    .await?;
    at(services, t2 + Duration::hours(3)).bulletin_step(&province, wrong.id, Step::Withdraw, wrong.row_version).await?;

    // The active storm alert: Quảng Ngãi and Đà Nẵng, two hours ago.
    let t3 = now - Duration::hours(2);
    let mut storm = input(
        "Cảnh báo bão số 13 đổ bộ vào Quảng Ngãi – Đà Nẵng",
        "Hồi 10 giờ, tâm bão số 13 ở cách Lý Sơn khoảng 150 km về phía Đông, sức gió mạnh nhất cấp 12, giật cấp 14. \
         Dự báo trong 24 giờ tới bão đổ bộ vào đất liền các tỉnh Quảng Ngãi – Đà Nẵng.\n\n\
         Các xã ven biển tổ chức sơ tán người dân khỏi khu vực nguy hiểm, kêu gọi tàu thuyền vào nơi tránh trú.",
        Category::Emergency,
        &["51", "48"],
    );
    storm.spoken = "Khẩn cấp: bão số 13 sắp đổ bộ. Bà con vùng ven biển di chuyển đến nơi trú ẩn an toàn, \
                    không ra khơi, chằng chống nhà cửa."
        .into();
    storm.expires_at = Some(now + Duration::days(2));
    storm.alert = Some(AlertFacts {
        event: "Bão số 13".into(),
        cap_category: "Met".into(),
        urgency: "Immediate".into(),
        severity: "Severe".into(),
        certainty: "Likely".into(),
        instruction: "Di chuyển đến nơi trú ẩn an toàn; không ra khơi; chằng chống nhà cửa.".into(),
        polygons: vec!["15.0,108.6 15.5,108.6 16.2,108.3 15.0,108.6".into()],
        circles: vec!["15.38,109.12 60".into()],
    });
    let storm = publish(services, &centre, "VN", storm, t3).await?;
    let s = at(services, t3 + Duration::minutes(8));
    s.acknowledge_bulletin(&province, storm.id, "51").await?;
    // Quảng Ngãi relays it with local additions; its leader approves at once.
    let s = at(services, t3 + Duration::minutes(15));
    let relay = s
        .relay_bulletin(
            &province,
            storm.id,
            "51",
            "Ban Chỉ huy phòng chống thiên tai tỉnh bố trí 12 điểm sơ tán tại các trường học; đường dây nóng 0255.3822.xxx.",
            vec![],
        )
        .await?;
    let relay = s.bulletin_step(&province, relay.id, Step::Submit, relay.row_version).await?;
    let relay = s.bulletin_step(&province, relay.id, Step::Approve, relay.row_version).await?;
    for (i, code) in communes(services, "51", 25).await?.iter().enumerate() {
        let s = at(services, t3 + Duration::minutes(20 + 3 * i as i64));
        s.acknowledge_bulletin(&province, relay.id, code).await?;
    }
    // Cẩm Thành's officer acknowledges it and reads it out twice on the ward's loudspeakers.
    let s = at(services, t3 + Duration::minutes(30));
    s.acknowledge_bulletin(&ward, storm.id, "21025").await?;
    let station = s
        .save_station(&ward, "21025", None, StationInput { name: "Cụm loa tổ dân phố 5".into(), active: true })
        .await?;
    s.save_station(
        &ward,
        "21025",
        None,
        StationInput { name: "Đài truyền thanh phường Cẩm Thành".into(), active: true },
    )
    .await?;
    let s = at(services, t3 + Duration::minutes(60));
    for (start, aired) in [(t3 + Duration::minutes(40), true), (now + Duration::hours(3), false)] {
        s.add_broadcast(
            &ward,
            BroadcastInput {
                bulletin_id: relay.id,
                station_id: station.id,
                starts_at: start,
                ends_at: start + Duration::minutes(15),
                times: 3,
                aired,
            },
        )
        .await?;
    }
    s.add_broadcast(
        &ward,
        BroadcastInput {
            bulletin_id: policy.id,
            station_id: station.id,
            starts_at: now + Duration::hours(20),
            ends_at: now + Duration::hours(20) + Duration::minutes(10),
            times: 2,
            aired: false,
        },
    )
    .await?;

    // Scheduled for tomorrow morning, awaiting approval, and a draft.
    let s = at(services, now - Duration::hours(1));
    let mut scheduled = input(
        "Ngày hội chuyển đổi số tỉnh Quảng Ngãi",
        "Ngày hội chuyển đổi số tổ chức tại Quảng trường Phạm Văn Đồng, có gian hàng hướng dẫn dịch vụ công trực tuyến.",
        Category::Culture,
        &["51"],
    );
    scheduled.publish_at = Some(now + Duration::hours(18));
    let d = s.create_bulletin(&province, "51", scheduled).await?;
    let d = s.bulletin_step(&province, d.id, Step::Submit, d.row_version).await?;
    s.bulletin_step(&province, d.id, Step::Approve, d.row_version).await?;
    let d = s
        .create_bulletin(
            &province,
            "51",
            input(
                "Bảo đảm an ninh trật tự dịp cuối năm",
                "Công an tỉnh đề nghị người dân nâng cao cảnh giác với các thủ đoạn lừa đảo qua mạng.",
                Category::PublicOrder,
                &["51"],
            ),
        )
        .await?;
    s.bulletin_step(&province, d.id, Step::Submit, d.row_version).await?;
    s.create_bulletin(
        &centre,
        "VN",
        input(
            "Hướng dẫn sử dụng ứng dụng VNeID mức độ 2 (dự thảo)",
            "Dự thảo hướng dẫn người dân kích hoạt và sử dụng tài khoản định danh điện tử mức độ 2.",
            Category::PolicyLaw,
            &["VN"],
        ),
    )
    .await?;
    Ok(())
}
