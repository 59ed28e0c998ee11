//! Periodic reports laid out as files, the one place pages and API share: a report or a
//! synthesis becomes an administrative document (Nghị định 30/2020/NĐ-CP, through the
//! `documents` crate, for DOCX and PDF) or a workbook of its tables (XLSX).

use chrono::NaiveDate;
use documents::{AdminDocument, Block, DocTable, Signature};
use domain::DomainError;
use domain::indicators::{Unit, format_number};
use domain::org::{OrgType, OrgUnit};
use domain::reporting::{
    FigureCell, FigureTable, Figures, IndicatorFigure, ReportContent, ReportTemplate, SectionFigures, SectionKind,
    SynthesisSection, TaskStats,
};
use domain::services::reporting::{ReportDocument, SynthesisView};
use reports::{Cell, Table};

pub const DOCX_MIME: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
pub const PDF_MIME: &str = "application/pdf";

/// The formats a report is downloaded in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Docx,
    Pdf,
    Xlsx,
}

impl Format {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "docx" => Some(Format::Docx),
            "pdf" => Some(Format::Pdf),
            "xlsx" => Some(Format::Xlsx),
            _ => None,
        }
    }
    pub fn mime(self) -> &'static str {
        match self {
            Format::Docx => DOCX_MIME,
            Format::Pdf => PDF_MIME,
            Format::Xlsx => crate::task_file::XLSX_MIME,
        }
    }
    pub fn ext(self) -> &'static str {
        match self {
            Format::Docx => "docx",
            Format::Pdf => "pdf",
            Format::Xlsx => "xlsx",
        }
    }
}

fn render_error(e: impl std::fmt::Display) -> DomainError {
    DomainError::Storage(e.to_string())
}

/// The issuing agency as the header prints it: a province or commune issues as its people's
/// committee ("Ủy ban nhân dân tỉnh Quảng Ngãi"); other units by their own name.
fn agency_name(u: &OrgUnit) -> String {
    match u.org_type {
        OrgType::Province | OrgType::District | OrgType::Commune => format!("Ủy ban nhân dân {}", lower_first(&u.name)),
        _ => u.name.clone(),
    }
}

fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The place of the date line: the province's name without "Tỉnh"/"Thành phố"; Hà Nội for
/// central bodies.
fn place(unit: &OrgUnit, parent: Option<&OrgUnit>) -> String {
    let province = if unit.org_type == OrgType::Province {
        Some(unit)
    } else {
        parent.filter(|p| p.org_type == OrgType::Province)
    };
    match province {
        Some(p) => {
            let name = p.name.trim();
            ["Tỉnh ", "Thành phố ", "tỉnh ", "thành phố "]
                .iter()
                .find_map(|prefix| name.strip_prefix(prefix))
                .unwrap_or(name)
                .to_string()
        }
        None => "Hà Nội".into(),
    }
}

fn header(unit: &OrgUnit, parent: Option<&OrgUnit>) -> (Option<String>, String) {
    let governing = match unit.org_type {
        OrgType::Province | OrgType::Ministry => None,
        _ => parent.filter(|p| p.parent_id.is_some()).map(agency_name),
    };
    (governing, agency_name(unit))
}

fn value_text(unit: Unit, x: Option<f64>) -> String {
    match (unit, x) {
        (_, None) => String::new(),
        (Unit::Percent, Some(v)) => format!("{}%", format_number((v * 10.0).round() / 10.0)),
        (Unit::YesNo, Some(v)) => if v != 0.0 { "Có" } else { "Không" }.into(),
        (_, Some(v)) => format_number((v * 10.0).round() / 10.0),
    }
}

fn unit_label(unit: Unit) -> &'static str {
    match unit {
        Unit::Percent => "%",
        Unit::Count => "Số lượng",
        Unit::Vnd => "Đồng",
        Unit::MillionVnd => "Triệu đồng",
        Unit::YesNo => "Có/Không",
        Unit::Text => "",
    }
}

fn progress(f: &IndicatorFigure) -> Option<f64> {
    match (f.value, f.target) {
        (Some(v), Some(t)) if t != 0.0 => Some(v / t * 100.0),
        _ => None,
    }
}

fn indicator_table(rows: &[IndicatorFigure]) -> DocTable {
    DocTable {
        caption: None,
        headers: ["STT", "Chỉ tiêu", "Đơn vị tính", "Kết quả", "Mục tiêu", "Tỷ lệ đạt"].map(String::from).to_vec(),
        rows: rows
            .iter()
            .enumerate()
            .map(|(i, f)| {
                vec![
                    (i + 1).to_string(),
                    f.name.clone(),
                    unit_label(f.unit).into(),
                    value_text(f.unit, f.value),
                    value_text(f.unit, f.target),
                    value_text(Unit::Percent, progress(f)),
                ]
            })
            .collect(),
    }
}

const TASK_HEADERS: [&str; 5] =
    ["Tổng số nhiệm vụ", "Hoàn thành đúng hạn", "Hoàn thành quá hạn", "Quá hạn chưa hoàn thành", "Đang thực hiện"];

fn task_cells(t: &TaskStats) -> [u64; 5] {
    [t.total, t.done_on_time, t.done_late, t.overdue, t.open]
}

fn task_table(t: &TaskStats) -> DocTable {
    DocTable {
        caption: None,
        headers: TASK_HEADERS.map(String::from).to_vec(),
        rows: vec![task_cells(t).iter().map(|n| format_number(*n as f64)).collect()],
    }
}

fn figure_table(t: &FigureTable) -> DocTable {
    DocTable {
        caption: None,
        headers: std::iter::once("STT".to_string()).chain(t.headers.iter().cloned()).collect(),
        rows: t
            .rows
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let total = matches!(r.first(), Some(FigureCell::Text(s)) if s == "Tổng cộng");
                let n = if total { String::new() } else { (i + 1).to_string() };
                std::iter::once(n).chain(r.iter().map(FigureCell::label)).collect()
            })
            .collect(),
    }
}

/// Paragraphs of a text as typed: one per non-empty line.
fn paragraphs(text: &str) -> impl Iterator<Item = Block> + '_ {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).map(|l| Block::Paragraph(l.to_string()))
}

fn none_block() -> Block {
    Block::Paragraph("Không có số liệu.".into())
}

fn table_or_none(t: DocTable) -> Block {
    if t.rows.is_empty() { none_block() } else { Block::Table(t) }
}

/// A report as an administrative document.
pub fn report_document(d: &ReportDocument, issued: NaiveDate) -> AdminDocument {
    let mut body = Vec::new();
    for s in &d.template.sections {
        body.push(Block::Heading { level: s.level, text: s.heading.clone() });
        match (&s.kind, d.figures.sections.get(&s.key)) {
            (SectionKind::Narrative, _) => {
                let n = d.content.narratives.get(&s.key).cloned().unwrap_or_default();
                body.push(Block::Heading { level: s.level + 1, text: "a) Kết quả đạt được".into() });
                body.extend(paragraphs(&n.achieved));
                body.push(Block::Heading { level: s.level + 1, text: "b) Tồn tại, hạn chế".into() });
                if n.shortcomings.trim().is_empty() {
                    body.push(Block::Paragraph("Không có.".into()));
                }
                body.extend(paragraphs(&n.shortcomings));
            }
            (SectionKind::Indicators { .. }, Some(SectionFigures::Indicators { rows })) => {
                body.push(table_or_none(indicator_table(rows)))
            }
            (SectionKind::TaskStats, Some(SectionFigures::Tasks(t))) => body.push(Block::Table(task_table(t))),
            (SectionKind::Registry { .. }, Some(SectionFigures::Table(t))) => body.push(table_or_none(figure_table(t))),
            (SectionKind::Heading, _) => {}
            _ => body.push(none_block()),
        }
    }
    finish(&d.report.title, &d.content, &d.unit, d.parent.as_ref(), issued, body)
}

/// A synthesis as an administrative document: the units' narratives gathered per area, the
/// tables combined, and the units whose reports are missing.
pub fn synthesis_document(
    v: &SynthesisView,
    content: &ReportContent,
    issued: NaiveDate,
) -> Result<AdminDocument, DomainError> {
    let unit = v.unit.as_ref().ok_or_else(|| DomainError::not_found("đơn vị", v.org.code.clone()))?;
    let mut body = vec![Block::Paragraph(format!(
        "Tổng hợp từ báo cáo đã được tiếp nhận của {} đơn vị; {} đơn vị chưa có báo cáo được tiếp nhận (danh sách tại cuối báo cáo).",
        v.synthesis.included.len(),
        v.synthesis.missing.len()
    ))];
    for (key, section) in &v.synthesis.sections {
        let Some(s) = v.template.sections.iter().find(|s| &s.key == key) else { continue };
        body.push(Block::Heading { level: s.level, text: s.heading.clone() });
        match section {
            SynthesisSection::Heading => {}
            SynthesisSection::Narratives { units } => {
                body.push(Block::Heading { level: s.level + 1, text: "a) Kết quả đạt được".into() });
                for u in units.iter().filter(|u| !u.achieved.trim().is_empty()) {
                    body.push(Block::Paragraph(format!("{}: {}", u.unit, u.achieved.trim())));
                }
                body.push(Block::Heading { level: s.level + 1, text: "b) Tồn tại, hạn chế".into() });
                for u in units.iter().filter(|u| !u.shortcomings.trim().is_empty()) {
                    body.push(Block::Paragraph(format!("{}: {}", u.unit, u.shortcomings.trim())));
                }
                if units.is_empty() {
                    body.push(Block::Paragraph("Chưa có báo cáo được tiếp nhận.".into()));
                }
            }
            SynthesisSection::Indicators { rows } => body.push(table_or_none(indicator_table(rows))),
            SynthesisSection::Table(t) => body.push(table_or_none(figure_table(t))),
            SynthesisSection::Tasks(t) => body.push(Block::Table(task_table(t))),
        }
    }
    body.push(Block::Heading {
        level: 1, text: "DANH SÁCH ĐƠN VỊ CHƯA CÓ BÁO CÁO ĐƯỢC TIẾP NHẬN".into()
    });
    body.push(table_or_none(DocTable {
        caption: None,
        headers: ["STT", "Đơn vị", "Tình trạng"].map(String::from).to_vec(),
        rows: v
            .synthesis
            .missing
            .iter()
            .enumerate()
            .map(|(i, m)| vec![(i + 1).to_string(), m.unit.clone(), m.state_label.clone()])
            .collect(),
    }));
    Ok(finish(&format!("Tổng hợp {}", lower_first(&v.title)), content, unit, v.parent.as_ref(), issued, body))
}

fn finish(
    title: &str,
    content: &ReportContent,
    unit: &OrgUnit,
    parent: Option<&OrgUnit>,
    issued: NaiveDate,
    body: Vec<Block>,
) -> AdminDocument {
    let (parent_agency, agency) = header(unit, parent);
    let number =
        if content.number_symbol.trim().is_empty() { "     /BC".to_string() } else { content.number_symbol.clone() };
    let recipients =
        if content.recipients.is_empty() { vec!["Lưu: VT".to_string()] } else { content.recipients.clone() };
    AdminDocument {
        parent_agency,
        agency,
        number_symbol: number,
        place: place(unit, parent),
        date: issued,
        kind: "BÁO CÁO".into(),
        title: title.to_string(),
        body,
        recipients,
        signature: Signature {
            authority: content.signer.authority.clone(),
            title: content.signer.title.clone(),
            name: content.signer.name.clone(),
        },
    }
}

/// The document in DOCX or PDF.
pub fn render(doc: &AdminDocument, format: Format) -> Result<Vec<u8>, DomainError> {
    match format {
        Format::Docx => documents::to_docx(doc).map_err(render_error),
        Format::Pdf => documents::to_pdf(doc).map_err(render_error),
        Format::Xlsx => Err(DomainError::invalid("format", "bảng tính không phải văn bản")),
    }
}

fn cell(c: &FigureCell) -> Cell {
    match c {
        FigureCell::Number(x) => Cell::Number(*x),
        FigureCell::Text(s) if s.is_empty() => Cell::Empty,
        FigureCell::Text(s) => Cell::Text(s.clone()),
    }
}

fn opt_number(x: Option<f64>) -> Cell {
    x.map_or(Cell::Empty, Cell::Number)
}

fn indicator_sheet(rows: &[IndicatorFigure]) -> Table {
    Table {
        headers: ["Mã", "Chỉ tiêu", "Đơn vị tính", "Kết quả", "Mục tiêu", "Tỷ lệ đạt (%)"].map(String::from).to_vec(),
        rows: rows
            .iter()
            .map(|f| {
                vec![
                    Cell::Text(f.code.clone()),
                    Cell::Text(f.name.clone()),
                    Cell::Text(unit_label(f.unit).into()),
                    opt_number(f.value),
                    opt_number(f.target),
                    progress(f).map_or(Cell::Empty, Cell::Percent),
                ]
            })
            .collect(),
    }
}

fn task_sheet(t: &TaskStats) -> Table {
    Table {
        headers: TASK_HEADERS.map(String::from).to_vec(),
        rows: vec![task_cells(t).iter().map(|n| Cell::Int(*n as i64)).collect()],
    }
}

fn figure_sheet(t: &FigureTable) -> Table {
    Table { headers: t.headers.clone(), rows: t.rows.iter().map(|r| r.iter().map(cell).collect()).collect() }
}

/// Sheet names: the section's heading, shortened to Excel's 31 characters by the writer.
fn sheets_of(template: &ReportTemplate, figures: &Figures) -> Vec<(String, Table)> {
    template
        .sections
        .iter()
        .filter_map(|s| {
            let t = match figures.sections.get(&s.key)? {
                SectionFigures::Indicators { rows } => indicator_sheet(rows),
                SectionFigures::Tasks(t) => task_sheet(t),
                SectionFigures::Table(t) => figure_sheet(t),
            };
            Some((s.heading.clone(), t))
        })
        .collect()
}

fn workbook(sheets: Vec<(String, Table)>) -> Result<Vec<u8>, DomainError> {
    let refs: Vec<(&str, &Table)> = sheets.iter().map(|(n, t)| (n.as_str(), t)).collect();
    reports::write_xlsx(&refs).map_err(render_error)
}

/// The report's tables as a workbook, one sheet per table.
pub fn report_workbook(d: &ReportDocument) -> Result<Vec<u8>, DomainError> {
    workbook(sheets_of(&d.template, &d.figures))
}

/// The synthesis's tables as a workbook, with the missing units on the last sheet.
pub fn synthesis_workbook(v: &SynthesisView) -> Result<Vec<u8>, DomainError> {
    let mut sheets = Vec::new();
    for (key, section) in &v.synthesis.sections {
        let Some(s) = v.template.sections.iter().find(|s| &s.key == key) else { continue };
        let table = match section {
            SynthesisSection::Indicators { rows } => indicator_sheet(rows),
            SynthesisSection::Tasks(t) => task_sheet(t),
            SynthesisSection::Table(t) => figure_sheet(t),
            _ => continue,
        };
        sheets.push((s.heading.clone(), table));
    }
    sheets.push((
        "Đơn vị chưa có báo cáo".into(),
        Table {
            headers: ["Đơn vị", "Tình trạng"].map(String::from).to_vec(),
            rows: v
                .synthesis
                .missing
                .iter()
                .map(|m| vec![Cell::Text(m.unit.clone()), Cell::Text(m.state_label.clone())])
                .collect(),
        },
    ));
    workbook(sheets)
}
