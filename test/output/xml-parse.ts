/**
 * A strict little XML parser for the tests: checks well-formedness (one root, matched tags,
 * quoted attributes, known entities, no raw `<` or `&` in text) and returns the element tree.
 */
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const ENTITY = /&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g;
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(raw: string, where: string): string {
  if (raw.replace(ENTITY, '').includes('&')) throw new Error(`bad entity in ${where}: ${raw}`);
  return raw.replace(ENTITY, (_, e: string) =>
    NAMED[e] ?? String.fromCodePoint(e.startsWith('#x') ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10)));
}

export function parseXml(text: string): XmlElement {
  let rest = text.replace(/^<\?xml[^?]*\?>\s*/, '');
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  while (rest.length > 0) {
    const lt = rest.indexOf('<');
    const chunk = lt < 0 ? rest : rest.slice(0, lt);
    if (chunk.trim() !== '') {
      const top = stack.at(-1);
      if (!top) throw new Error(`text outside the root: ${chunk.slice(0, 40)}`);
      if (chunk.includes('>')) throw new Error(`raw '>' in text: ${chunk.slice(0, 40)}`);
      top.text += decode(chunk, 'text');
    }
    if (lt < 0) break;
    rest = rest.slice(lt);
    const close = /^<\/([\w:.-]+)\s*>/.exec(rest);
    if (close) {
      const open = stack.pop();
      if (!open || open.name !== close[1]) throw new Error(`</${close[1]}> does not close <${open?.name}>`);
      rest = rest.slice(close[0].length);
      continue;
    }
    const tag = /^<([\w:.-]+)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>/.exec(rest);
    if (!tag) throw new Error(`malformed tag: ${rest.slice(0, 60)}`);
    const attrs: Record<string, string> = {};
    for (const m of tag[2]!.matchAll(/([\w:.-]+)="([^"<]*)"/g)) {
      if (m[1]! in attrs) throw new Error(`duplicate attribute ${m[1]}`);
      attrs[m[1]!] = decode(m[2]!, `attribute ${m[1]}`);
    }
    const el: XmlElement = { name: tag[1]!, attrs, children: [], text: '' };
    const parent = stack.at(-1);
    if (parent) parent.children.push(el);
    else if (root) throw new Error('more than one root element');
    else root = el;
    if (tag[3] !== '/') stack.push(el);
    rest = rest.slice(tag[0].length);
  }
  if (stack.length > 0) throw new Error(`<${stack.at(-1)!.name}> is never closed`);
  if (!root) throw new Error('no root element');
  return root;
}

export function findAll(el: XmlElement, name: string): XmlElement[] {
  return el.children.flatMap((c) => [...(c.name === name ? [c] : []), ...findAll(c, name)]);
}
