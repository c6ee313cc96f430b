/**
 * JUnit XML reports (`reports.junit` on a stage): the individual test cases
 * a test stage ran, so Test Explorer shows them as child tests with their
 * failure messages. Parsed with fast-xml-parser; both <testsuites> and a
 * bare <testsuite> root are accepted, as pytest, unittest-xml-reporting and
 * most runners write one or the other.
 */
import { XMLParser } from 'fast-xml-parser';

export interface JunitCase {
  /** classname.name, unique within the report. */
  id: string;
  name: string;
  classname: string;
  status: 'passed' | 'failed' | 'skipped';
  timeMs?: number;
  /** Failure or error message and text (the assertion and traceback). */
  message?: string;
  details?: string;
}

export interface JunitReport {
  kind: 'junit';
  cases: JunitCase[];
}

const asArray = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

type XmlNode = Record<string, unknown>;

function textOf(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'object') return ((v as XmlNode)['#text'] as string | undefined) ?? undefined;
  return String(v);
}

export function parseJunit(xml: string, shown = 'junit report'): JunitReport {
  let doc: XmlNode;
  try {
    doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', allowBooleanAttributes: true, parseTagValue: false }).parse(xml) as XmlNode;
  } catch (e) {
    throw new Error(`${shown} is not valid XML: ${(e as Error).message}`);
  }
  const suites = [
    ...asArray((doc.testsuites as XmlNode | undefined)?.testsuite as XmlNode | XmlNode[] | undefined),
    ...asArray(doc.testsuite as XmlNode | XmlNode[] | undefined),
  ];
  if (!suites.length && !doc.testsuites) throw new Error(`${shown} has no <testsuites> or <testsuite> element`);
  const cases: JunitCase[] = [];
  const seen = new Map<string, number>();
  const visit = (suite: XmlNode) => {
    for (const inner of asArray(suite.testsuite as XmlNode | XmlNode[] | undefined)) visit(inner);
    for (const c of asArray(suite.testcase as XmlNode | XmlNode[] | undefined)) {
      const name = String(c['@name'] ?? '(unnamed)');
      const classname = String(c['@classname'] ?? suite['@name'] ?? '');
      let id = classname ? `${classname}.${name}` : name;
      const n = (seen.get(id) ?? 0) + 1;
      seen.set(id, n);
      if (n > 1) id = `${id}#${n}`;
      const failure = (c.failure ?? c.error) as XmlNode | string | undefined;
      const skipped = c.skipped !== undefined;
      const time = Number(c['@time']);
      const entry: JunitCase = { id, name, classname, status: failure !== undefined ? 'failed' : skipped ? 'skipped' : 'passed' };
      if (Number.isFinite(time)) entry.timeMs = Math.round(time * 1000);
      if (failure !== undefined) {
        const f = Array.isArray(failure) ? failure[0] : failure;
        const message = typeof f === 'object' ? (f as XmlNode)['@message'] : undefined;
        if (message !== undefined) entry.message = String(message);
        const details = textOf(f);
        if (details) entry.details = details.trim();
        if (entry.message === undefined && details) entry.message = details.trim().split('\n').pop();
      }
      cases.push(entry);
    }
  };
  for (const s of suites) visit(s);
  return { kind: 'junit', cases };
}
