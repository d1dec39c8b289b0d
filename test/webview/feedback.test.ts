import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { FeedbackRow, FeedbackSession, MyFeedback, SaveFeedbackParams } from '../../src/protocol/feedback/feedbackContract';
import { closeBrowser, openPanel, securityViolations } from './lib/panelPage';

/** A tiny host: three rows, feedback kept in memory like the store would. */
function fakeHost(): { respond: (method: string, params: unknown) => unknown; saved: SaveFeedbackParams[] } {
  const mine = new Map<number, MyFeedback>();
  const saved: SaveFeedbackParams[] = [];
  const session: FeedbackSession = { runId: 'a'.repeat(32), runName: 'summaries-eval', reviewer: 'Ana', total: 3, ratedByMe: 0, firstUnrated: 0, labels: ['hallucination', 'too long'] };
  const row = (index: number): FeedbackRow => ({
    index,
    input: `Input ${index}`,
    references: [`Reference ${index}`],
    prediction: `Prediction ${index}`,
    bleu: 42.5,
    rouge1F: 0.61,
    rougeLF: 0.5,
    exactMatch: false,
    mine: mine.get(index) ?? null,
  });
  return {
    saved,
    respond: (method, params) => {
      if (method === 'getSession') return { ...session, ratedByMe: mine.size };
      if (method === 'getRow') return row((params as { index: number }).index);
      if (method === 'saveFeedback') {
        const p = params as SaveFeedbackParams;
        saved.push(p);
        const before = mine.get(p.index) ?? { rating: null, thumb: null, label: null, comment: null };
        const next = { ...before, ...Object.fromEntries(Object.entries(p).filter(([k]) => k !== 'index')) } as MyFeedback;
        mine.set(p.index, next);
        return { ratedByMe: mine.size, total: 3, mine: next };
      }
      throw new Error(`unexpected ${method}`);
    },
  };
}

describe('feedback webview', () => {
  after(closeBrowser);

  test('a reviewer rates with the keyboard, moves on, and sees the progress', async () => {
    const host = fakeHost();
    const panel = await openPanel('feedback', { respond: host.respond });
    const page = panel.page;
    await page.getByText('Prediction 0').waitFor();
    await page.keyboard.press('4');
    await page.getByText(/1 of 3 rated/).waitFor();
    assert.deepEqual(host.saved[0], { index: 0, rating: 4 });
    await page.keyboard.press('ArrowRight');
    await page.getByText('Prediction 1').waitFor();
    await page.keyboard.press('-');
    await page.getByText(/2 of 3 rated/).waitFor();
    assert.equal(host.saved.at(-1)?.thumb, 'down');
    assert.deepEqual(await securityViolations(panel), [], 'the bundle runs under the panel CSP');
    assert.deepEqual(panel.problems, []);
    await page.close();
  });
});

describe('feedback progress', () => {
  after(closeBrowser);

  test('4 of 20 rated fills a fifth of the bar, in a colour that stands out from its track', async () => {
    const session: FeedbackSession = { runId: 'b'.repeat(32), runName: 'summaries-eval', reviewer: 'Ana', total: 20, ratedByMe: 4, firstUnrated: 4, labels: [] };
    const panel = await openPanel('feedback', {
      respond: (method, params) => {
        if (method === 'getSession') return session;
        if (method === 'getRow') return { index: (params as { index: number }).index, input: 'Input', references: ['Reference'], prediction: 'Prediction', bleu: 10, rouge1F: 0.3, rougeLF: 0.2, exactMatch: false, mine: null } satisfies FeedbackRow;
        throw new Error(`unexpected ${method}`);
      },
    });
    const page = panel.page;
    await page.getByText(/4 of 20 rated/).waitFor();
    const bar = await page.evaluate(() => {
      const track = document.querySelector<HTMLElement>('.progress-bar');
      const fill = document.querySelector<HTMLElement>('.progress-fill');
      if (!track || !fill) return null;
      // what the eye gets: the fill's own colour times every ancestor's opacity
      let opacity = 1;
      for (let e: HTMLElement | null = fill; e; e = e.parentElement) opacity *= Number(getComputedStyle(e).opacity);
      return { track: track.getBoundingClientRect().width, fill: fill.getBoundingClientRect().width, height: fill.getBoundingClientRect().height, opacity, fillColor: getComputedStyle(fill).backgroundColor, trackColor: getComputedStyle(track).backgroundColor };
    });
    assert.ok(bar, 'the progress bar is drawn');
    assert.ok(bar.track > 100, `the track is ${bar.track}px wide`);
    assert.ok(Math.abs(bar.fill / bar.track - 0.2) < 0.01, `fill ${bar.fill}px of ${bar.track}px`);
    assert.ok(bar.height >= 4, `the fill is ${bar.height}px high`);
    assert.equal(bar.opacity, 1, 'the fill is not dimmed');
    assert.notEqual(bar.fillColor, bar.trackColor);
    assert.doesNotMatch(bar.fillColor, /rgba\(0, 0, 0, 0\)|transparent/);
    await page.screenshot({ path: 'test-output/webview/feedback-progress.png' });
    assert.deepEqual(panel.problems, []);
    await page.close();
  });
});
