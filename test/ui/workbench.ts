/**
 * UI-test plumbing for the real VS Code workbench (code-server) driven by
 * Playwright: the test shape that scripts/test-ui.mjs runs, and a small page
 * object over the workbench's stable DOM (see /work/shared/notes/real-hosts.md §2).
 */
import type { Locator, Page } from 'playwright-core';

export interface UiContext {
  readonly page: Page;
  /** Absolute path of the workspace folder the workbench has open. */
  readonly workspace: string;
  /** Save a PNG of the page under the run's screenshot folder; returns its path. */
  screenshot(name: string): Promise<string>;
}

export interface UiTest {
  readonly name: string;
  /** Default 60 s. */
  readonly timeoutMs?: number;
  run(ctx: UiContext): Promise<void>;
}

/** Poll fn until it returns a truthy value or the time is up; then throw with the last value described. */
export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined | null | false>,
  { timeoutMs = 15_000, intervalMs = 250, describe }: { timeoutMs?: number; intervalMs?: number; describe?: () => string } = {},
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const last = await fn();
    if (last) return last;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${describe ? `: ${describe()}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export class Workbench {
  constructor(readonly page: Page) {}

  /** Wait until the workbench has rendered and its extension host is up (status bar filled). */
  async ready(timeoutMs = 60_000): Promise<void> {
    await this.page.locator('.monaco-workbench').waitFor({ timeout: timeoutMs });
    await this.page.locator('.activitybar').waitFor({ timeout: timeoutMs });
  }

  /** Close quick input, notifications toasts, suggest widgets. */
  async escape(times = 2): Promise<void> {
    for (let i = 0; i < times; i++) await this.page.keyboard.press('Escape');
  }

  get quickInput(): Locator {
    return this.page.locator('.quick-input-widget .quick-input-box input').first();
  }

  quickPickRows(hasText?: string | RegExp): Locator {
    return this.page.locator('.quick-input-widget .quick-input-list .monaco-list-row', hasText ? { hasText } : {});
  }

  /**
   * Opens quick input with a key (F1: the palette, Control+P: Quick Open), types text and waits
   * until `ready` holds (e.g. the wanted row shows). Quick input closes when it loses focus, and the
   * workbench sometimes takes focus just after the key: the walkthrough moves to its next step when
   * one is ticked, a closing editor hands focus back (seen in CI: the box shown, then hidden before
   * the text went in). So the whole open-type-wait is tried again, after an Escape, up to 4 times.
   */
  async quickInputWith(key: 'F1' | 'Control+P', text: string, ready: () => Promise<unknown> = async () => {}): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const last = attempt >= 4;
      try {
        await this.page.keyboard.press(key);
        await this.quickInput.waitFor({ state: 'visible', timeout: last ? 30_000 : 5_000 });
        await this.quickInput.fill(text, { timeout: last ? 30_000 : 5_000 });
        await ready();
        return;
      } catch (e) {
        if (last) throw e;
        await this.page.keyboard.press('Escape');
        await this.page.waitForTimeout(300);
      }
    }
  }

  /** F1, type the title, wait for the palette row; press Enter unless pick is false. */
  async runCommand(title: string, { pick = true, beforePick }: { pick?: boolean; beforePick?: () => Promise<void> } = {}): Promise<void> {
    await this.quickInputWith('F1', `>${title}`, () => this.quickPickRows(title).first().waitFor({ state: 'visible', timeout: 10_000 }));
    await beforePick?.();
    if (pick) await this.page.keyboard.press('Enter');
  }

  /** Quick Open (Ctrl+P) a workspace-relative file and wait for its editor tab. */
  async openFile(relPath: string): Promise<void> {
    const base = relPath.split('/').pop()!;
    // The row named exactly so: 'mlci.yaml' must not open serve.mlci.yaml, listed first.
    const row = this.page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { has: this.page.locator('.label-name', { hasText: new RegExp(`^${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }) }).first();
    await this.quickInputWith('Control+P', relPath, () => row.waitFor({ state: 'visible', timeout: 10_000 }));
    await row.click();
    await this.page.locator(`.tabs-container .tab[aria-label^="${base}"]`).first().waitFor({ timeout: 10_000 });
    await this.page.locator('.editor-instance .monaco-editor .view-lines').first().waitFor();
  }

  /** Move the cursor of the active editor to a 1-based line and column (Ctrl+P `:line:col`). */
  async goTo(line: number, column: number): Promise<void> {
    await this.quickInputWith('Control+P', `:${line}:${column}`);
    await this.page.keyboard.press('Enter');
    await this.quickInput.waitFor({ state: 'hidden' });
  }

  /** Click an activity bar item by (the start of) its title. */
  async openViewContainer(title: string): Promise<void> {
    const item = this.page.locator(`.activitybar a.action-label[aria-label^="${title}"]`).first();
    await item.waitFor({ state: 'visible', timeout: 20_000 });
    const checked = await item.locator('xpath=..').getAttribute('aria-selected').catch(() => null);
    if (checked !== 'true') await item.click();
    await this.page.locator('.sidebar .composite.title').first().waitFor();
  }

  /** Label texts of the tree rows in the side bar. */
  async sideBarRowLabels(): Promise<string[]> {
    return (await this.page.locator('.sidebar .monaco-list-row .label-name').allTextContents()).map((t) => t.trim());
  }

  /** The side bar's tree rows: label and description (e.g. a stage's state). */
  async sideBarRows(): Promise<Array<{ label: string; description: string }>> {
    return this.page.locator('.sidebar .monaco-list-row').evaluateAll((rows) =>
      rows.map((r) => ({
        label: (r.querySelector('.label-name')?.textContent ?? '').trim(),
        description: (r.querySelector('.label-description')?.textContent ?? '').trim(),
      })));
  }

  /** Click an action in a side bar view's title bar (shown on hover), by its title. */
  async clickViewTitleAction(viewTitle: string, action: string): Promise<void> {
    const pane = this.page.locator('.sidebar .pane', { has: this.page.locator(`.pane-header[aria-label^="${viewTitle}"]`) }).first();
    const header = pane.locator('.pane-header').first();
    await header.hover();
    await header.locator(`.actions a.action-label[aria-label^="${action}"]`).first().click();
    await this.dismissHover();
  }

  /** Move the pointer off and close an action's hover, which would otherwise intercept the next pointer event. */
  async dismissHover(): Promise<void> {
    await this.page.mouse.move(1, 1);
    if (await this.page.locator('.monaco-hover, .context-view .hover-contents').first().isVisible().catch(() => false)) await this.page.keyboard.press('Escape');
  }

  /** Click an inline action of the side bar tree row labelled `label`, by the action's title. */
  async clickRowAction(label: string, action: string): Promise<void> {
    const row = this.page.locator('.sidebar .monaco-list-row', { has: this.page.locator('.label-name', { hasText: new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }) }).first();
    await this.dismissHover();
    await row.hover();
    await row.locator(`.actions a.action-label[aria-label^="${action}"]`).first().click();
  }

  /** Welcome text of the side bar views (shown instead of an empty tree). */
  async sideBarWelcome(): Promise<string> {
    return (await this.page.locator('.sidebar .welcome-view-content').allTextContents()).join(' ').trim();
  }

  /** Open the Problems panel (Ctrl+Shift+M) and return its rows' texts. */
  async problems(): Promise<string[]> {
    if (!(await this.page.locator('.markers-panel').isVisible())) await this.page.keyboard.press('Control+Shift+M');
    await this.page.locator('.markers-panel').waitFor({ state: 'visible' });
    return (await this.page.locator('.markers-panel .monaco-list-row').allTextContents()).map((t) => t.trim());
  }

  /** Texts of the visible notification toasts. */
  async toasts(): Promise<string[]> {
    return (await this.page.locator('.notifications-toasts .notification-list-item').allTextContents()).map((t) => t.trim());
  }
}
