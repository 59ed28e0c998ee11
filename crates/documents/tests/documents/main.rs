//! Renders sample documents and reads them back with independent tools: the `zip` crate and an
//! XML parser for the DOCX, LibreOffice for opening it, poppler for the PDFs; and social cards,
//! checked as PNG files.

mod docx;
mod escaping;
mod libreoffice;
mod pdf;
mod sample;
mod social_card;
mod tools;
