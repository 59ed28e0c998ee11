//! Wiring: database → services → web state, shared by `serve`, the other commands and tests.

use std::sync::Arc;

use anyhow::Context;
use domain::Services;
use domain::clock::Clock;
use store::{Db, DbConfig};

use crate::config::Config;

pub struct App {
    pub db: Db,
    pub services: Services,
}

impl App {
    /// Connects and migrates; with `load_reference`, loads the shipped org data when missing.
    pub async fn open(config: &Config, clock: Arc<dyn Clock>, load_reference: bool) -> anyhow::Result<Self> {
        if config.is_sqlite() {
            std::fs::create_dir_all(&config.data_dir)
                .with_context(|| format!("không tạo được thư mục dữ liệu {}", config.data_dir.display()))?;
        }
        let db = Db::connect(&DbConfig {
            url: config.database_url(),
            pg_schema: config.database_schema.clone(),
            max_connections: config.max_connections,
        })
        .await?;
        db.migrate().await?;
        let services = Services::new(Arc::new(db.clone()), clock).with_templates(refdata::frameworks::templates()?);
        let app = App { db, services };
        if load_reference {
            app.load_reference().await?;
        }
        Ok(app)
    }

    /// Loads the administrative divisions, central agencies and framework versions that are not
    /// stored yet; returns units added.
    pub async fn load_reference(&self) -> anyhow::Result<u64> {
        let data = refdata::load()?;
        let units = self.services.load_reference(refdata::ROOT_NAME, &data.units, &data.successions).await?;
        self.services.load_frameworks(&refdata::frameworks::frameworks()?).await?;
        self.services.seed_calendar(&refdata::holidays::load()?).await?;
        self.services.load_indicators().await?;
        self.services.load_report_templates().await?;
        self.services.seed_feedback_categories().await?;
        Ok(units)
    }

    /// The background scheduler, with e-mail when an SMTP server is configured.
    pub fn scheduler(&self, config: &Config) -> anyhow::Result<jobs::reminders::Scheduler> {
        let mailer: Option<Arc<dyn jobs::mail::Mailer>> = match &config.smtp_url {
            Some(url) => Some(Arc::new(jobs::mail::SmtpMailer::new(&jobs::mail::SmtpConfig {
                url: url.clone(),
                from: config.smtp_from.clone(),
            })?)),
            None => None,
        };
        Ok(jobs::reminders::Scheduler::new(self.services.clone(), mailer))
    }

    pub fn web_state(
        &self,
        config: &Config,
        metrics: Option<metrics_exporter_prometheus::PrometheusHandle>,
    ) -> web::AppState {
        web::AppState {
            services: self.services.clone(),
            config: Arc::new(web::WebConfig {
                cookie_secure: config.cookie_secure,
                login_per_minute: config.login_per_minute,
                feedback_per_minute: config.feedback_per_minute,
                body_limit: config.body_limit,
            }),
            metrics,
        }
    }
}
