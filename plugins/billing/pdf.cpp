#include "pdf.h"

#include <hpdf.h>

#include <algorithm>
#include <cstdio>
#include <type_traits>
#include <fstream>
#include <memory>
#include <stdexcept>

namespace lexos::billing {

namespace {

struct Errors {
  HPDF_STATUS first = HPDF_OK;
  HPDF_STATUS detail = 0;
};

// libharu reports errors through this callback (it is C: nothing may be thrown through it);
// the first one is kept and renderPdf throws it once the call returns.
void onError(HPDF_STATUS error, HPDF_STATUS detail, void* data) {
  auto* e = static_cast<Errors*>(data);
  if (e->first == HPDF_OK) {
    e->first = error;
    e->detail = detail;
  }
}

// Width of `text` in points at `size` in `font`.
float widthOf(HPDF_Page page, HPDF_Font font, float size, const std::string& text) {
  HPDF_Page_SetFontAndSize(page, font, size);
  return HPDF_Page_TextWidth(page, text.c_str());
}

// Cuts `text` to fit `width` (whole UTF-8 characters), with an ellipsis when cut.
std::string fit(HPDF_Page page, HPDF_Font font, float size, const std::string& text, float width) {
  if (widthOf(page, font, size, text) <= width) return text;
  std::string s = text;
  while (!s.empty() && widthOf(page, font, size, s + "\u2026") > width) {
    // One whole character off the end: its continuation bytes, then its first byte.
    while (!s.empty() && (static_cast<unsigned char>(s.back()) & 0xC0) == 0x80) s.pop_back();
    if (!s.empty()) s.pop_back();
  }
  return s + "\u2026";
}

}  // namespace

std::string renderPdf(const PdfDocument& doc, const std::string& regular, const std::string& bold) {
  for (const auto& f : {regular, bold})
    if (!std::ifstream(f)) throw std::runtime_error("PDF font not found: " + f + " (Debian: fonts-dejavu-core)");
  Errors errors;
  std::unique_ptr<std::remove_pointer_t<HPDF_Doc>, void (*)(HPDF_Doc)> pdf(HPDF_New(onError, &errors), HPDF_Free);
  if (!pdf) throw std::runtime_error("libharu: cannot create a document");
  HPDF_Doc d = pdf.get();
  HPDF_SetCompressionMode(d, HPDF_COMP_ALL);
  HPDF_UseUTFEncodings(d);
  HPDF_SetCurrentEncoder(d, "UTF-8");
  const char* regularName = HPDF_LoadTTFontFromFile(d, regular.c_str(), HPDF_TRUE);
  const char* boldName = HPDF_LoadTTFontFromFile(d, bold.c_str(), HPDF_TRUE);
  if (!regularName || !boldName) throw std::runtime_error("libharu: cannot load the fonts " + regular + ", " + bold);
  HPDF_Font font = HPDF_GetFont(d, regularName, "UTF-8");
  HPDF_Font strong = HPDF_GetFont(d, boldName, "UTF-8");
  HPDF_SetInfoAttr(d, HPDF_INFO_TITLE, doc.title.c_str());
  HPDF_SetInfoAttr(d, HPDF_INFO_CREATOR, "LexOS");

  const float left = 56, right = 595 - 56, top = 842 - 56, bottom = 72;
  HPDF_Page page = nullptr;
  float y = 0;
  auto text = [&](HPDF_Font f, float size, float x, const std::string& s) {
    HPDF_Page_BeginText(page);
    HPDF_Page_SetFontAndSize(page, f, size);
    HPDF_Page_TextOut(page, x, y, s.c_str());
    HPDF_Page_EndText(page);
  };
  auto rightText = [&](HPDF_Font f, float size, float x, const std::string& s) {
    text(f, size, x - widthOf(page, f, size, s), s);
  };
  auto newPage = [&] {
    page = HPDF_AddPage(d);
    HPDF_Page_SetSize(page, HPDF_PAGE_SIZE_A4, HPDF_PAGE_PORTRAIT);
    y = top;
  };
  newPage();
  // The firm's logo, top right, at most 150 x 56 points with its proportions kept. The host
  // checked it is a PNG or JPEG (libmagic); one libharu cannot read is left out, not fatal.
  if (!doc.logo.empty()) {
    const auto* bytes = reinterpret_cast<const HPDF_BYTE*>(doc.logo.data());
    const auto n = static_cast<HPDF_UINT>(doc.logo.size());
    HPDF_Image image = doc.logo_type == "image/png" ? HPDF_LoadPngImageFromMem(d, bytes, n)
                                                    : HPDF_LoadJpegImageFromMem(d, bytes, n);
    if (image) {
      const float iw = static_cast<float>(HPDF_Image_GetWidth(image));
      const float ih = static_cast<float>(HPDF_Image_GetHeight(image));
      const float scale = std::min({150.0f / std::max(iw, 1.0f), 56.0f / std::max(ih, 1.0f), 1.0f});
      HPDF_Page_DrawImage(page, image, right - iw * scale, top + 16 - ih * scale, iw * scale, ih * scale);
    } else {
      errors = Errors{};
      HPDF_ResetError(d);
    }
  }
  text(strong, 16, left, fit(page, strong, 16, doc.firm_name, right - left - 160));
  for (const auto& line : doc.firm_lines) {
    y -= 13;
    text(font, 9, left, fit(page, font, 9, line, (right - left) / 2));
  }
  y -= 28;
  text(strong, 20, left, doc.title);
  y -= 30;
  text(font, 10, left, "To");
  y -= 14;
  text(strong, 12, left, fit(page, strong, 12, doc.client_name, (right - left) / 2));
  float factsY = top - 58 - 13 * static_cast<float>(doc.firm_lines.size());
  for (const auto& [label, value] : doc.facts) {
    const float saved = y;
    y = factsY;
    text(font, 10, left + 300, label);
    rightText(strong, 10, right, value);
    factsY -= 14;
    y = saved;
  }
  y = std::min(y, factsY) - 28;

  // The table: the first column takes what the others leave.
  const std::size_t n = doc.columns.size();
  const float numeric = 80;
  const float firstWidth = (right - left) - numeric * static_cast<float>(n > 0 ? n - 1 : 0);
  // The first cell wraps at spaces onto as many lines as it needs (a word too long for a line
  // is cut with an ellipsis); the other cells sit on its first line.
  auto wrap = [&](HPDF_Font f, const std::string& cell, float width) {
    std::vector<std::string> lines;
    std::string line;
    std::size_t pos = 0;
    while (pos <= cell.size()) {
      const std::size_t sp = cell.find(' ', pos);
      const std::string word = cell.substr(pos, sp == std::string::npos ? std::string::npos : sp - pos);
      const std::string tried = line.empty() ? word : line + " " + word;
      if (!line.empty() && widthOf(page, f, 10, tried) > width) {
        lines.push_back(line);
        line = word;
      } else {
        line = tried;
      }
      if (sp == std::string::npos) break;
      pos = sp + 1;
    }
    lines.push_back(line);
    for (auto& l : lines) l = fit(page, f, 10, l, width);
    return lines;
  };
  auto row = [&](const std::vector<std::string>& cells, HPDF_Font f) {
    const auto first = cells.empty() ? std::vector<std::string>{} : wrap(f, cells[0], firstWidth - 8);
    if (y - 12.0f * static_cast<float>(first.size()) < bottom + 48) newPage();
    for (std::size_t i = 1; i < cells.size() && i < n; ++i)
      rightText(f, 10, left + firstWidth + numeric * static_cast<float>(i), fit(page, f, 10, cells[i], numeric - 6));
    for (std::size_t k = 0; k < first.size(); ++k) {
      text(f, 10, left, first[k]);
      if (k + 1 < first.size()) y -= 12;
    }
    y -= 16;
  };
  row(doc.columns, strong);
  HPDF_Page_SetLineWidth(page, 0.5);
  HPDF_Page_MoveTo(page, left, y + 11);
  HPDF_Page_LineTo(page, right, y + 11);
  HPDF_Page_Stroke(page);
  for (const auto& r : doc.rows) row(r, font);
  y -= 8;
  for (std::size_t i = 0; i < doc.figures.size(); ++i) {
    if (y < bottom + 20) newPage();
    const bool last = i + 1 == doc.figures.size();
    text(last ? strong : font, last ? 12 : 10, left + 200, fit(page, last ? strong : font, last ? 12 : 10, doc.figures[i].first, 170));
    rightText(last ? strong : font, last ? 12 : 10, right, doc.figures[i].second);
    y -= last ? 20 : 15;
  }
  if (!doc.footer.empty()) {
    y = bottom - 20;
    text(font, 8, left, fit(page, font, 8, doc.footer, right - left));
  }

  if (errors.first != HPDF_OK || HPDF_SaveToStream(d) != HPDF_OK) {
    char code[64];
    std::snprintf(code, sizeof code, "0x%04X/%u", static_cast<unsigned>(errors.first), static_cast<unsigned>(errors.detail));
    throw std::runtime_error(std::string("libharu could not render the PDF (error ") + code + ")");
  }
  std::string out(HPDF_GetStreamSize(d), '\0');
  HPDF_UINT32 size = static_cast<HPDF_UINT32>(out.size());
  HPDF_ReadFromStream(d, reinterpret_cast<HPDF_BYTE*>(out.data()), &size);
  out.resize(size);
  return out;
}

}  // namespace lexos::billing
