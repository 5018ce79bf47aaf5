// Postal addresses in their country's order (issue 13 item 5). No packaged source of address
// formats exists for Debian 12 (Google's libaddressinput is not packaged; libpostal parses
// addresses but does not format them and is not packaged either: `apt-cache search address
// format` finds neither), so this is a small table of the layouts of the countries LexOS is
// used in, from the national postal operators' published formats (docs/accounts.md lists
// them). Other countries get the layout most of Europe uses (postal code before the town),
// which is also this module's former layout. The country's own name ends the address, except
// for an address in the firm's own country, which post offices read without it.

// A: the street lines; C: town or city; S: region or state; Z: postal code. Each entry is the
// address's lines after the street lines, each line the parts joined by their separators.
const LAYOUTS = {
  US: [['C', ', ', 'S', ' ', 'Z']],   // Chicago, IL 60606
  CA: [['C', ' ', 'S', '  ', 'Z']],   // Toronto ON  M5H 2N2
  AU: [['C', ' ', 'S', ' ', 'Z']],    // Sydney NSW 2000
  NZ: [['C', ' ', 'Z']],
  GB: [['C'], ['S'], ['Z']],          // London / EC1A 1BB
  IE: [['C'], ['S'], ['Z']],          // Dublin 2 / Co. Dublin / D02 X285
  IT: [['Z', ' ', 'C', ' ', 'S']],    // 00184 Roma RM
  ES: [['Z', ' ', 'C'], ['S']],       // 28013 Madrid / Madrid
  BR: [['C', ' - ', 'S'], ['Z']],
  MX: [['Z', ' ', 'C', ', ', 'S']],
};
const DEFAULT_LAYOUT = [['Z', ' ', 'C'], ['S']];  // DE, AT, CH, FR, NL, BE, the Nordics, PL, ...

/**
 * The lines of address `a` ({line1, line2, city, region, postal_code, country}) in its
 * country's order; `countryName(code)` names the country; `homeCountry` (the firm's) is left off.
 */
export function addressLines(a, countryName, homeCountry = '') {
  const part = { C: a.city, S: a.region, Z: a.postal_code };
  const layout = LAYOUTS[a.country] || DEFAULT_LAYOUT;
  const lines = [a.line1, a.line2];
  for (const spec of layout) {
    // Parts at even places, separators between them; a missing part takes its separator along.
    let line = '';
    for (let i = 0; i < spec.length; i += 2) {
      const value = (part[spec[i]] || '').trim();
      if (!value) continue;
      line += (line ? spec[i - 1] || ' ' : '') + value;
    }
    lines.push(line);
  }
  if (a.country && a.country !== homeCountry) lines.push(countryName(a.country));
  return lines.filter((l) => l && l.trim());
}
