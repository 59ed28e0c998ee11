//! The API description: OpenAPI 3.1, snapshot-tested, and covering every JSON route.

use serde_json::Value;

use crate::harness::TestApp;

#[tokio::test]
async fn openapi_describes_every_api_route_and_matches_the_snapshot() {
    let app = TestApp::spawn().await;
    let spec: Value = reqwest::get(app.url("/api/v1/openapi.json")).await.unwrap().json().await.unwrap();
    assert_eq!(spec["openapi"], "3.1.0");
    for def in web::route_table().iter().filter(|d| d.path.starts_with("/api/v1/") && d.path != "/api/v1/openapi.json")
    {
        let op = &spec["paths"][def.path][def.method.to_lowercase()];
        assert!(op.is_object(), "{} {} is missing from the OpenAPI description", def.method, def.path);
        assert!(
            op["description"].is_string() || op["summary"].is_string(),
            "{} {} has no description",
            def.method,
            def.path
        );
    }
    insta::assert_json_snapshot!("openapi", spec);
}
