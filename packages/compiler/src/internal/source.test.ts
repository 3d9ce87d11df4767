import { describe, expect, it } from 'vitest';
import { SourceText } from './source.js';

describe('SourceText.position', () => {
  it('maps offsets to 1-based lines and columns with LF line breaks', () => {
    const s = new SourceText('f.yaml', 'ab\ncd\n');
    expect([0, 1, 2, 3, 4, 5, 6].map((o) => s.position(o))).toEqual([
      { line: 1, column: 1 },
      { line: 1, column: 2 },
      { line: 1, column: 3 }, // the `\n` itself
      { line: 2, column: 1 },
      { line: 2, column: 2 },
      { line: 2, column: 3 },
      { line: 3, column: 1 }, // end of text, after the final newline
    ]);
    expect(s.lineCount).toBe(3);
  });

  it('with CRLF line breaks, counts the `\\r` as the last column of its line', () => {
    const s = new SourceText('f.yaml', 'ab\r\ncd\r\n\r\nef');
    const at = (o: number) => {
      const p = s.position(o);
      return `${p.line}:${p.column}`;
    };
    expect(Array.from({ length: 13 }, (_, o) => at(o))).toEqual([
      '1:1', '1:2', '1:3', '1:4', // a b \r \n
      '2:1', '2:2', '2:3', '2:4', // c d \r \n
      '3:1', '3:2', //               \r \n (an empty line)
      '4:1', '4:2', '4:3', //        e f <end>
    ]);
    expect(s.lineCount).toBe(4);
  });

  it('handles a last line without a newline', () => {
    const s = new SourceText('f.yaml', 'a: 1\nb: 22');
    expect(s.position(5)).toEqual({ line: 2, column: 1 });
    expect(s.position(9)).toEqual({ line: 2, column: 5 });
    expect(s.position(10)).toEqual({ line: 2, column: 6 });
    expect(s.lineCount).toBe(2);
  });

  it('clamps offsets outside the text', () => {
    const s = new SourceText('f.yaml', 'ab\ncd');
    expect(s.position(-5)).toEqual({ line: 1, column: 1 });
    expect(s.position(99)).toEqual({ line: 2, column: 3 });
  });

  it('handles an empty text', () => {
    const s = new SourceText('f.yaml', '');
    expect(s.lineCount).toBe(1);
    expect(s.position(0)).toEqual({ line: 1, column: 1 });
    expect(s.lineText(1)).toBe('');
  });

  it('counts columns in UTF-16 code units', () => {
    const s = new SourceText('f.yaml', 'é😀x');
    expect(s.position(1)).toEqual({ line: 1, column: 2 });
    expect(s.position(3)).toEqual({ line: 1, column: 4 }); // after the two-unit emoji
  });

  it('finds the right line in a long text (binary search)', () => {
    const lines = Array.from({ length: 1000 }, (_, i) => `line ${i + 1}`);
    const text = lines.join('\n');
    const s = new SourceText('f.yaml', text);
    for (const n of [1, 2, 499, 500, 501, 999, 1000]) {
      const offset = text.indexOf(`line ${n}\n`) === -1 ? text.lastIndexOf(`line ${n}`) : text.indexOf(`line ${n}\n`);
      expect(s.position(offset + 2)).toEqual({ line: n, column: 3 });
      expect(s.lineText(n)).toBe(`line ${n}`);
    }
  });
});

describe('SourceText.lineText', () => {
  it('returns each line without its line break, stripping `\\r` from CRLF', () => {
    const s = new SourceText('f.yaml', 'ab\r\ncd\r\n\r\nef');
    expect([0, 1, 2, 3, 4, 5].map((l) => s.lineText(l))).toEqual(['', 'ab', 'cd', '', 'ef', '']);
  });

  it('returns the last line when it has no newline', () => {
    const s = new SourceText('f.yaml', 'a\nlast');
    expect(s.lineText(2)).toBe('last');
  });

  it('returns an empty line after a final newline', () => {
    const s = new SourceText('f.yaml', 'a\n');
    expect(s.lineText(1)).toBe('a');
    expect(s.lineText(2)).toBe('');
  });

  it('strips a trailing `\\r` at the end of the text and keeps a `\\r` inside a line', () => {
    expect(new SourceText('f', 'a\r').lineText(1)).toBe('a');
    expect(new SourceText('f', 'a\rb\n').lineText(1)).toBe('a\rb');
  });

  it('keeps the file name', () => {
    expect(new SourceText('examples/x.yaml', '').file).toBe('examples/x.yaml');
  });
});
