/**
 * Messages between the extension and the pipeline graph (DAG) webview, and
 * the graph shape it draws. Types only: the webview bundle imports this
 * file, so it must not pull in src/core (nodes come from
 * src/core/pipeline/dag.ts dagNodes; keep them in step).
 */

/** A stage's status as the graph colours it (the tree's word is in `statusText`). */
export type DagStatus = 'passed' | 'failed' | 'stale' | 'running' | 'skipped' | 'never';

export const DAG_STATUSES: readonly DagStatus[] = ['passed', 'failed', 'stale', 'running', 'skipped', 'never'];

export interface DagPanelNode {
  name: string;
  kind: string;
  /** 0 for stages that need nothing; a stage sits one layer below the deepest stage it needs. */
  layer: number;
  /** Stages it needs (known stages only). */
  needs: string[];
  status: DagStatus;
  /** What the Pipelines tree says (`stale`, `gate failed: f1-floor`, `running`). */
  statusText: string;
  /** 1-based line of the stage's key in the pipeline file (0: unknown). */
  line: number;
}

export interface DagPayload {
  /** The pipeline file, relative to the workspace (the panel's heading). */
  file: string;
  /** Its absolute path: the page keeps it in its state so a reload reopens the same pipeline. */
  path: string;
  /** The pipeline's `name:` when it has one. */
  name?: string;
  nodes: DagPanelNode[];
  /** Stages can be run from the graph (a trusted workspace, no run in progress). */
  canRun: boolean;
  /** Why the graph may be incomplete (the file has errors). */
  note?: string;
}

/** Extension → webview. */
export type DagPanelToWebview = { type: 'graph'; payload: DagPayload };

/** Webview → extension. */
export type DagPanelFromWebview =
  | { type: 'ready' }
  /** Show the stage in the pipeline file (`line` is what the page showed; the extension looks the stage up again). */
  | { type: 'reveal'; payload: { stage: string; line: number } }
  | { type: 'run'; payload: { stage: string } }
  /** A render finished (tests and the bench read it). */
  | { type: 'rendered'; payload: { nodes: number; edges: number; ms: number } };

/** What the webview keeps in vscode.setState: the file (the serializer reopens it) and the last graph. */
export interface DagPanelState {
  path?: string;
  /** The stage that had the keyboard focus. */
  focused?: string;
  last?: DagPayload;
}
