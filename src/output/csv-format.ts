/** RFC 4180 CSV text: fields quoted only when they hold a comma, quote, CR or LF; CRLF line ends. */

export type CsvField = string | number;

/** One field, quoted and with doubled quotes when RFC 4180 requires it. */
export function csvField(value: CsvField): string {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A whole file: header then rows, each line ended by CRLF (RFC 4180 §2; Python's csv module does the same). */
export function csvText(header: readonly string[], rows: readonly (readonly CsvField[])[]): string {
  return [header, ...rows].map((row) => row.map(csvField).join(',') + '\r\n').join('');
}
