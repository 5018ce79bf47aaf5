#pragma once
// Invoices and official receipts as PDF (libharu, Debian's libhpdf-dev), with an embedded
// TrueType font so that names in any Latin, Greek or Cyrillic script print as written.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace lexos::billing {

/// A document: a title block, the parties, a table of rows and the figures under it.
struct PdfDocument {
  std::string title;                 ///< "Invoice 2026-0001", "Official receipt R-2026-0003"
  std::string firm_name;
  std::vector<std::string> firm_lines;  ///< the firm's address and tax id, under its name
  std::string client_name;
  std::vector<std::pair<std::string, std::string>> facts;   ///< label, value ("Issued", "2026-11-30")
  std::vector<std::string> columns;                          ///< table header
  std::vector<std::vector<std::string>> rows;                ///< table rows (last column right-aligned)
  std::vector<std::pair<std::string, std::string>> figures;  ///< label, amount under the table
  std::string footer;
  std::string logo;       ///< the firm's logo (PNG or JPEG bytes), drawn top right; may be empty
  std::string logo_type;  ///< "image/png" or "image/jpeg"
};

/// Renders `doc` with the TrueType fonts `regular` and `bold` (paths). Throws
/// std::runtime_error naming what failed (a missing font file, a libharu error).
std::string renderPdf(const PdfDocument& doc, const std::string& regular, const std::string& bold);

}  // namespace lexos::billing
