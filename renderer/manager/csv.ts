export type Cell = string | number | null | undefined;

/** RFC 4180: fields with a comma, quote or line break are quoted, quotes doubled; empty for null. */
export function toCsv(rows: readonly (readonly Cell[])[]): string {
  const cell = (value: Cell) => {
    if (value === null || value === undefined) return '';
    const text = String(value);
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  return rows.map((row) => row.map(cell).join(',')).join('\r\n') + '\r\n';
}

/**
 * Saves text as a file from the page (Blob + object URL), nothing sent to the server. The BOM makes
 * spreadsheet programs read accented and Arabic names as UTF-8 (`bom: false` for JSON, which must not have one).
 */
export function downloadText(filename: string, text: string, type = 'text/csv;charset=utf-8', options: Readonly<{ bom?: boolean }> = {}): void {
  const url = URL.createObjectURL(new Blob(options.bom === false ? [text] : ['\uFEFF', text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
